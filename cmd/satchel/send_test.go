package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

const btc = 1_0000_0000

// A payment from each script type is accepted by btcd, mined, and both
// wallets' balances are exact to the satoshi.
func TestSendEveryScriptType(t *testing.T) {
	for _, st := range []string{"p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh"} {
		t.Run(st, func(t *testing.T) {
			alice := newCLI(t)
			alice.env["SATCHEL_PASSWORD"] = "pw"
			alice.env["SATCHEL_NETWORK"] = "regtest"
			alice.ok("wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic),
				"--script-type", st, "--birthday", "1")
			bob := alice.sub(t)
			bob.env = map[string]string{"SATCHEL_PASSWORD": "pw2", "SATCHEL_NETWORK": "regtest",
				"SATCHEL_WALLET": "bob", "XDG_CONFIG_HOME": alice.env["XDG_CONFIG_HOME"]}
			bob.ok("wallet", "create")

			btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, alice, 0)))
			btcd.Generate(101)
			alice.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
			bob.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
			alice.ok("sync")
			var before balanceOut
			alice.jsonOut(&before, "balance")
			if before.Confirmed != 100*btc {
				t.Fatalf("alice before: %+v", before)
			}

			var to addrEntry
			bob.jsonOut(&to, "address", "new")
			var sent struct {
				Txid string `json:"txid"`
				Fee  int64  `json:"fee"`
			}
			alice.jsonOut(&sent, "send", "--to", to.Address, "--amount", "1.5btc", "--fee-rate", "2")
			id, _ := chainhash.NewHashFromStr(sent.Txid)
			if !btcd.InMempool(*id) || sent.Fee <= 0 {
				t.Fatalf("send %+v: in mempool %v", sent, btcd.InMempool(*id))
			}
			// The payment shows at once as unconfirmed on our side.
			var pending balanceOut
			alice.jsonOut(&pending, "balance")
			if pending.Total != before.Total-150_000_000-sent.Fee {
				t.Fatalf("alice right after sending: %+v (fee %d)", pending, sent.Fee)
			}

			btcd.Generate(1)
			alice.ok("sync")
			bob.ok("sync")
			var a, b balanceOut
			alice.jsonOut(&a, "balance")
			bob.jsonOut(&b, "balance")
			if b.Confirmed != 150_000_000 || b.Total != 150_000_000 {
				t.Fatalf("bob: %+v", b)
			}
			// Block 3's coinbase matured, and block 102's (mined to alice)
			// is new: 50 BTC plus the fee alice just paid.
			if a.Confirmed != before.Confirmed+50*btc-150_000_000-sent.Fee ||
				a.Immature != before.Immature+sent.Fee ||
				a.Total != before.Total+50*btc-150_000_000 || a.Unconfirmed != 0 {
				t.Fatalf("alice after: %+v (before %+v, fee %d)", a, before, sent.Fee)
			}
			var hist []historyOut
			alice.jsonOut(&hist, "history")
			if hist[0].Txid != sent.Txid && hist[1].Txid != sent.Txid {
				t.Fatalf("the payment is not among the newest history entries: %+v", hist[:2])
			}
			for _, h := range hist {
				if h.Txid == sent.Txid && (h.Amount != -150_000_000-sent.Fee || h.Fee == nil || *h.Fee != sent.Fee) {
					t.Fatalf("history entry %+v", h)
				}
			}

			// Refusals: another network's address, dust, more than we have.
			alice.fails("network", "send", "--to", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "--amount", "1", "--fee-rate", "2")
			alice.fails("dust", "send", "--to", to.Address, "--amount", "100sat", "--fee-rate", "2")
			alice.fails("insufficient funds", "send", "--to", to.Address, "--amount", "20000btc", "--fee-rate", "2")
			alice.fails("mistake", "send", "--to", to.Address, "--amount", "0.001", "--fee-rate", "5000")
		})
	}
}

// The offline flow: a watch-only wallet builds the PSBT, a signer that
// opens no socket signs it, the online side finalizes and broadcasts.
func TestOfflineSigningFlow(t *testing.T) {
	signer := newCLI(t)
	signer.env["SATCHEL_PASSWORD"] = "cold"
	signer.env["SATCHEL_NETWORK"] = "regtest"
	signer.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	var info walletInfo
	signer.jsonOut(&info, "--offline", "wallet", "info")

	online := newCLI(t) // another data directory, no keys, no password
	online.env["SATCHEL_NETWORK"] = "regtest"
	online.ok("wallet", "import", "--descriptor", info.Descriptors.Receive, "--descriptor", info.Descriptors.Change, "--birthday", "1")
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, online, 0)))
	btcd.Generate(101)
	online.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	online.ok("sync")

	dir := t.TempDir()
	unsigned, signed := filepath.Join(dir, "pay.psbt"), filepath.Join(dir, "signed.psbt")
	dest := regtest.KeyScript(mustNewKey(t).PubKey())
	destAddr := scriptAddress(t, dest)
	var created struct {
		Fee  int64  `json:"fee"`
		PSBT string `json:"psbt"`
	}
	online.jsonOut(&created, "send", "--to", destAddr, "--amount", "1btc", "--fee-rate", "3", "--psbt-out", unsigned)
	if created.PSBT != unsigned || created.Fee <= 0 {
		t.Fatalf("send --psbt-out: %+v", created)
	}
	var rev reviewJSON
	online.jsonOut(&rev, "psbt", "decode", unsigned)
	changes := 0
	for _, o := range rev.Outputs {
		if o.Change {
			changes++
		}
		if o.Address == destAddr && (o.Value != btc || o.Ours) {
			t.Fatalf("payment output %+v", o)
		}
	}
	if rev.Fee != created.Fee || changes != 1 || rev.Complete {
		t.Fatalf("decode: %+v", rev)
	}
	online.fails("watch-only", "psbt", "sign", unsigned)

	// The signer runs as a real process under strace: it must not create a
	// single network socket.
	bin := buildBinary(t)
	trace := filepath.Join(dir, "trace")
	cmd := exec.Command("strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", trace,
		bin, "--offline", "--datadir", signer.dataDir, "--network", "regtest",
		"psbt", "sign", unsigned, "--out", signed)
	cmd.Env = append(os.Environ(), "SATCHEL_PASSWORD=cold", "XDG_CONFIG_HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		if _, lookErr := exec.LookPath("strace"); lookErr != nil {
			t.Fatalf("strace is needed for this test (.ci/run installs it): %v", lookErr)
		}
		t.Fatalf("offline sign: %v\n%s", err, out)
	}
	traced, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(traced), "\n") {
		if strings.Contains(line, "socket(AF_INET") || strings.Contains(line, "connect(") {
			t.Fatalf("the offline signer touched the network: %s", line)
		}
	}

	finalizeAndBroadcast(t, online, btcd, signed)
}

func mustNewKey(t *testing.T) *btcec.PrivateKey {
	k, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func scriptAddress(t *testing.T, script []byte) string {
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, &chaincfg.RegressionNetParams)
	if err != nil || len(addrs) != 1 {
		t.Fatalf("script %x: %v", script, err)
	}
	return addrs[0].EncodeAddress()
}

// A fee bump replaces the first transaction in btcd's mempool.
func TestFeeBumpReplaces(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	var first, second struct {
		Txid string `json:"txid"`
		Fee  int64  `json:"fee"`
	}
	c.jsonOut(&first, "send", "--to", dest, "--amount", "2btc", "--fee-rate", "2")
	c.fails("replacing needs at least", "bump", first.Txid, "--fee-rate", "2")
	c.jsonOut(&second, "bump", first.Txid, "--fee-rate", "10")
	id1, _ := chainhash.NewHashFromStr(first.Txid)
	id2, _ := chainhash.NewHashFromStr(second.Txid)
	if second.Fee <= first.Fee || btcd.InMempool(*id1) || !btcd.InMempool(*id2) {
		t.Fatalf("bump: first %+v in mempool %v, second %+v in mempool %v",
			first, btcd.InMempool(*id1), second, btcd.InMempool(*id2))
	}
	var hist []historyOut
	c.jsonOut(&hist, "history")
	for _, h := range hist {
		if h.Txid == first.Txid {
			t.Fatal("the replaced transaction is still in the history")
		}
	}
	btcd.Generate(1)
	c.ok("sync")
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	if bal.Unconfirmed != 0 || bal.Confirmed != 150*btc-2*btc-second.Fee || bal.Immature != 99*btc*50+second.Fee {
		t.Fatalf("balance after the bump was mined: %+v (fee %d)", bal, second.Fee)
	}
}

// Frozen coins are never chosen automatically, but can be spent on purpose.
func TestFrozenCoinsAreNotSpent(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(102) // three mature coinbases of 50 BTC
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	var utxos []struct {
		Txid   string `json:"txid"`
		Vout   uint32 `json:"vout"`
		Mature bool   `json:"mature"`
		Frozen bool   `json:"frozen"`
	}
	c.jsonOut(&utxos, "utxos")
	var mature []string
	for _, u := range utxos {
		if u.Mature {
			mature = append(mature, u.Txid+":0")
		}
	}
	if len(mature) != 3 {
		t.Fatalf("%d mature coins; want 3", len(mature))
	}
	c.ok("utxos", "--freeze", mature[0], "--freeze", mature[1])
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	// 60 BTC needs two coins, but only one is not frozen.
	c.fails("insufficient funds", "send", "--to", dest, "--amount", "60btc", "--fee-rate", "1")
	var r reviewJSON
	out := filepath.Join(t.TempDir(), "p.psbt")
	c.ok("psbt", "create", "--to", dest, "--amount", "10btc", "--fee-rate", "1", "--out", out)
	c.jsonOut(&r, "psbt", "decode", out)
	if len(r.Inputs) != 1 || r.Inputs[0].Txid+":0" != mature[2] {
		t.Fatalf("automatic selection used %+v; want only the unfrozen %s", r.Inputs, mature[2])
	}
	// Coin control may pick a frozen coin on purpose.
	c.ok("psbt", "create", "--to", dest, "--amount", "10btc", "--fee-rate", "1", "--utxo", mature[0], "--out", out)
	c.jsonOut(&r, "psbt", "decode", out)
	if len(r.Inputs) != 1 || r.Inputs[0].Txid+":0" != mature[0] {
		t.Fatalf("coin control spent %+v; want %s", r.Inputs, mature[0])
	}
	c.ok("utxos", "--unfreeze", mature[0])
	c.jsonOut(&utxos, "utxos")
	frozen := 0
	for _, u := range utxos {
		if u.Frozen {
			frozen++
		}
	}
	if frozen != 1 {
		t.Fatalf("%d frozen after unfreezing one of two", frozen)
	}
}

// What send shows before asking for the password marks the change output.
func TestSendReviewMarksChange(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	out := c.ok("send", "--to", "bitcoin:"+dest+"?amount=1&label=Rent%20May", "--fee-rate", "2")
	if !strings.Contains(out, "(change, back to this wallet)") || !strings.Contains(out, dest) || !strings.Contains(out, "Sent ") {
		t.Fatalf("send output:\n%s", out)
	}
	var hist []historyOut
	c.jsonOut(&hist, "history")
	found := false
	for _, h := range hist {
		if h.Amount < 0 {
			found = h.Amount <= -btc
			var withLabel []struct {
				Label string `json:"label"`
			}
			c.jsonOut(&withLabel, "history")
			if withLabel[0].Label != "Rent May" {
				t.Fatalf("the BIP21 label did not reach the history: %+v", withLabel[0])
			}
		}
	}
	if !found {
		t.Fatal("the payment is not in the history")
	}
}

// Labels and frozen coins travel through a BIP329 export into another
// copy of the wallet.
func TestLabelsRoundTrip(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	var sent struct {
		Txid string `json:"txid"`
	}
	c.jsonOut(&sent, "send", "--to", "bitcoin:"+dest+"?amount=1&label=Rent", "--fee-rate", "2")
	var utxos []struct {
		Txid   string `json:"txid"`
		Vout   uint32 `json:"vout"`
		Mature bool   `json:"mature"`
	}
	c.jsonOut(&utxos, "utxos")
	var frozen string
	for _, u := range utxos {
		if u.Mature {
			frozen = u.Txid + ":" + strconv.Itoa(int(u.Vout))
			break
		}
	}
	c.ok("utxos", "--freeze", frozen)
	file := filepath.Join(t.TempDir(), "labels.jsonl")
	c.ok("labels", "export", file)
	// The copy syncs afterwards: mine the payment, since sync does not ask
	// peers what their mempools hold (no wallet addresses go to peers).
	btcd.Generate(1)

	other := newCLI(t)
	restoreAbandon(t, other)
	other.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	other.ok("sync")
	var imported struct {
		Labels int `json:"labels"`
		Flags  int `json:"spendable_flags"`
	}
	other.jsonOut(&imported, "labels", "import", file)
	if imported.Labels != 1 || imported.Flags != 1 {
		t.Fatalf("import: %+v", imported)
	}
	var hist []struct {
		Txid  string `json:"txid"`
		Label string `json:"label"`
	}
	other.jsonOut(&hist, "history")
	labelled := false
	for _, h := range hist {
		if h.Txid == sent.Txid && h.Label == "Rent" {
			labelled = true
		}
	}
	var ou []struct {
		Txid   string `json:"txid"`
		Vout   uint32 `json:"vout"`
		Frozen bool   `json:"frozen"`
	}
	other.jsonOut(&ou, "utxos")
	frozenThere := false
	for _, u := range ou {
		if u.Txid+":"+strconv.Itoa(int(u.Vout)) == frozen && u.Frozen {
			frozenThere = true
		}
	}
	if !labelled || !frozenThere {
		t.Fatalf("after import: label on %s %v, %s frozen %v", sent.Txid, labelled, frozen, frozenThere)
	}
	other.fails("line 1", "labels", "import", writeFile(t, "bad.jsonl", "{not json\n"))
}
