package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/tyler-smith/go-bip39"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// originRE reads the key origin of a descriptor: [fingerprint/84h/1h/0h].
var originRE = regexp.MustCompile(`\[([0-9a-fA-F]{8})((?:/[0-9]+['hH]?)*)\]`)

// derivePath walks a descriptor origin path ("/84h/1h/0h") from k.
func derivePath(t *testing.T, k *hdkeychain.ExtendedKey, path string) *hdkeychain.ExtendedKey {
	t.Helper()
	for _, step := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if step == "" {
			continue
		}
		hardened := strings.ContainsAny(step, "'hH")
		i, err := strconv.ParseUint(strings.TrimRight(step, "'hH"), 10, 31)
		if err != nil {
			t.Fatalf("path %q: %v", path, err)
		}
		idx := uint32(i)
		if hardened {
			idx += hdkeychain.HardenedKeyStart
		}
		if k, err = k.Derive(idx); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// After a whole session (create, sync, send, passwd, info) no file under
// the data directory holds the mnemonic or any run of three of its words,
// the seed, the master or account private keys, the first receive and change
// private keys (raw and WIF) or a password; folders are 0700, files 0600.
func TestNoSecretsAfterFullSession(t *testing.T) {
	const (
		pw1 = "session-pw-one-7f3a"
		pw2 = "session-pw-two-91c4"
	)
	net := &chaincfg.RegressionNetParams
	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.env["SATCHEL_PASSWORD"] = pw1
	var created walletInfo
	c.jsonOut(&created, "wallet", "create")
	if len(strings.Fields(created.Mnemonic)) < 12 {
		t.Fatalf("create printed no mnemonic: %+v", created)
	}

	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")

	dest := regtest.KeyScript(mustNewKey(t).PubKey())
	var sent struct {
		Txid string `json:"txid"`
	}
	c.jsonOut(&sent, "send", "--to", scriptAddress(t, dest), "--amount", "1btc", "--fee-rate", "2")
	id, err := chainhash.NewHashFromStr(sent.Txid)
	if err != nil || !btcd.InMempool(*id) {
		t.Fatalf("payment %q not in btcd's mempool (%v)", sent.Txid, err)
	}
	btcd.Generate(1)
	c.ok("sync")

	c.env["SATCHEL_NEW_PASSWORD"] = pw2
	c.ok("wallet", "passwd")
	c.env["SATCHEL_PASSWORD"] = pw2
	var info walletInfo
	c.jsonOut(&info, "wallet", "info")
	if info.Mnemonic != "" {
		t.Fatal("wallet info printed the mnemonic")
	}

	// The secrets, derived independently of the wallet.
	seed := bip39.NewSeed(created.Mnemonic, "")
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	m := originRE.FindStringSubmatch(info.Descriptors.Receive)
	if m == nil {
		t.Fatalf("no key origin in %q", info.Descriptors.Receive)
	}
	account := derivePath(t, master, m[2])
	receive := derivePath(t, account, "/0/0")
	change := derivePath(t, account, "/1/0")

	var needles [][]byte
	words := strings.Fields(created.Mnemonic)
	addNeedle := func(b []byte) { needles = append(needles, b) }
	addNeedle([]byte(created.Mnemonic))
	for i := 0; i+3 <= len(words); i++ {
		addNeedle([]byte(strings.Join(words[i:i+3], " ")))
	}
	addNeedle(seed)
	addNeedle([]byte(hex.EncodeToString(seed)))
	if entropy, err := bip39.EntropyFromMnemonic(created.Mnemonic); err == nil {
		addNeedle(entropy)
	}
	for _, k := range []*hdkeychain.ExtendedKey{master, account} {
		addNeedle([]byte(k.String()))
		priv, err := k.ECPrivKey()
		if err != nil {
			t.Fatal(err)
		}
		addNeedle(priv.Serialize())
		addNeedle([]byte(hex.EncodeToString(priv.Serialize())))
	}
	for i, k := range []*hdkeychain.ExtendedKey{receive, change} {
		priv, err := k.ECPrivKey()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if created.ScriptType != "p2wpkh" {
				t.Fatalf("default script type %q: extend the derivation check", created.ScriptType)
			}
			// Our derivation must be the wallet's own.
			a, err := address.NewAddressWitnessPubKeyHash(address.Hash160(priv.PubKey().SerializeCompressed()), net)
			if err != nil || a.EncodeAddress() != created.FirstAddress {
				t.Fatalf("derived first address %v; the wallet's is %s", a, created.FirstAddress)
			}
		}
		wif, err := btcutil.NewWIF(priv, net, true)
		if err != nil {
			t.Fatal(err)
		}
		addNeedle(priv.Serialize())
		addNeedle([]byte(hex.EncodeToString(priv.Serialize())))
		addNeedle([]byte(wif.String()))
	}
	addNeedle([]byte(pw1))
	addNeedle([]byte(pw2))

	files := 0
	seen := map[string]bool{}
	err = filepath.Walk(c.dataDir, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		mode := fi.Mode().Perm()
		if fi.IsDir() {
			if path != c.dataDir && mode != 0o700 {
				t.Errorf("%s has mode %o, want 0700", path, mode)
			}
			return nil
		}
		files++
		seen[filepath.Base(path)] = true
		if mode != 0o600 {
			t.Errorf("%s has mode %o, want 0600", path, mode)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(data, n) {
				t.Errorf("%s contains secret bytes %q", path, truncate(n))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"chain.db", "satchel.log"} {
		if !seen[want] {
			t.Errorf("no %s under the data directory (files: %v)", want, seen)
		}
	}
	if files < 3 {
		t.Fatalf("scanned only %d files: %v", files, seen)
	}
	t.Logf("scanned %d files for %d secrets: %v", files, len(needles), seen)
}
