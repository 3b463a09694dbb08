package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// cosignerMnemonics are the seeds of the three signers of the multisig
// tests.
var cosignerMnemonics = []string{
	abandonMnemonic,
	"legal winner thank year wave sausage worth useful legal winner thank yellow",
	"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
}

// abandonBIP48Key is the abandon seed's p2wsh cosigner key on the test
// networks, as other wallets publish it.
const abandonBIP48Key = "[73c5da0a/48h/1h/0h/2h]tpubDFH9dgzveyD8zTbPUFuLrGmCydNvxehyNdUXKJAQN8x4aZ4j6UZqGfnqFrD4NqyaTVGKbvEW54tsvPTK2UoSbCC1PJY8iCNiwTL3RWZEheQ"

// A 2-of-3 multisig on btcd regtest: three seed wallets give their cosigner
// keys, a watch-only coordinator imports the descriptor, is funded, and
// spends with two signers that stay offline; the signatures are combined,
// finalized and broadcast, btcd mines the transaction, and the balance is
// exact to the satoshi.
func TestMultisigTwoOfThree(t *testing.T) {
	for _, st := range []string{"p2wsh", "p2sh-p2wsh"} {
		t.Run(st, func(t *testing.T) { testMultisig(t, st) })
	}
}

func testMultisig(t *testing.T, scriptType string) {
	var keys []string
	var signers []*cli
	for i, m := range cosignerMnemonics {
		s := newCLI(t)
		s.env["SATCHEL_PASSWORD"] = "cold"
		s.env["SATCHEL_NETWORK"] = "regtest"
		s.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", m))
		out := s.ok("--offline", "wallet", "xpub", "--bip48", "--script-type", scriptType)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		key := lines[len(lines)-1]
		if i == 0 && scriptType == "p2wsh" && key != abandonBIP48Key {
			t.Fatalf("wallet xpub --bip48 = %q, want %q", key, abandonBIP48Key)
		}
		if !strings.HasPrefix(key, "[") || !strings.Contains(key, "]tpub") || len(lines) != 1 {
			t.Fatalf("wallet xpub --bip48 printed %q", out)
		}
		keys = append(keys, key)
		signers = append(signers, s)
	}
	body := "sortedmulti(2," + keys[0] + "/<0;1>/*," + keys[1] + "/<0;1>/*," + keys[2] + "/<0;1>/*)"
	desc := "wsh(" + body + ")"
	if scriptType == "p2sh-p2wsh" {
		desc = "sh(wsh(" + body + "))"
	}

	coord := newCLI(t)
	coord.env["SATCHEL_NETWORK"] = "regtest"
	coord.ok("wallet", "import", "--descriptor", desc, "--birthday", "1")
	var info struct {
		ScriptType  string `json:"script_type"`
		WatchOnly   bool   `json:"watch_only"`
		Descriptors struct {
			Receive string `json:"receive"`
			Change  string `json:"change"`
		} `json:"descriptors"`
		Multisig struct {
			Threshold int `json:"threshold"`
			Cosigners []struct {
				Fingerprint string `json:"fingerprint"`
			} `json:"cosigners"`
		} `json:"multisig"`
	}
	coord.jsonOut(&info, "wallet", "info")
	if info.ScriptType != scriptType || !info.WatchOnly || info.Multisig.Threshold != 2 ||
		len(info.Multisig.Cosigners) != 3 || info.Multisig.Cosigners[0].Fingerprint != "73c5da0a" {
		t.Fatalf("wallet info: %+v", info)
	}
	// The exported receive and change descriptors import as the same wallet.
	other := newCLI(t)
	other.env["SATCHEL_NETWORK"] = "regtest"
	other.ok("wallet", "import", "--descriptor", info.Descriptors.Receive, "--descriptor", info.Descriptors.Change)
	if walletAddr(t, other, 3) != walletAddr(t, coord, 3) {
		t.Fatal("the exported descriptors derive other addresses")
	}

	// Fund two addresses of the coordinator from two coinbases.
	btcd := regtest.Start(t)
	btcd.Generate(102)
	var funded int64
	for i := range 2 {
		pay := btcd.Payment(btcd.CoinbaseCoin(int32(i+1)), 1, scriptOf(t, walletAddr(t, coord, i)))
		btcd.SendRaw(pay)
		funded += pay.TxOut[0].Value
	}
	btcd.Generate(1)
	coord.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	coord.ok("sync")
	var bal struct {
		Confirmed int64 `json:"confirmed"`
		Total     int64 `json:"total"`
	}
	coord.jsonOut(&bal, "balance")
	if bal.Confirmed != funded || bal.Total != funded {
		t.Fatalf("balance %+v, want %d confirmed", bal, funded)
	}

	// The coordinator makes the PSBT: 60 BTC needs both coins.
	dir := t.TempDir()
	unsigned := filepath.Join(dir, "pay.psbt")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	var created struct {
		Fee int64 `json:"fee"`
	}
	coord.jsonOut(&created, "psbt", "create", "--to", dest, "--amount", "60btc", "--fee-rate", "3", "--out", unsigned)
	var rev reviewJSON
	coord.jsonOut(&rev, "psbt", "decode", unsigned)
	if len(rev.Inputs) != 2 || rev.Complete || rev.Fee != created.Fee || !rev.FeeProven {
		t.Fatalf("decode: %+v", rev)
	}
	changes := 0
	for _, in := range rev.Inputs {
		if in.Signatures != 0 || in.Required != 2 || !in.Ours {
			t.Fatalf("input %+v", in)
		}
	}
	for _, o := range rev.Outputs {
		if o.Change {
			changes++
		}
	}
	if changes != 1 {
		t.Fatalf("outputs %+v", rev.Outputs)
	}

	// Two signers sign offline, each on its own copy.
	signed := []string{filepath.Join(dir, "a.psbt"), filepath.Join(dir, "c.psbt")}
	for k, i := range []int{0, 2} {
		var sj struct {
			Signed  int `json:"signed"`
			Outputs []struct {
				Change bool `json:"change"`
			} `json:"outputs"`
			Warnings []string `json:"warnings"`
		}
		signers[i].jsonOut(&sj, "--offline", "psbt", "sign", unsigned, "--out", signed[k])
		if sj.Signed != 2 || len(sj.Warnings) != 0 {
			t.Fatalf("signer %d: %+v", i+1, sj)
		}
		changeSeen := false
		for _, o := range sj.Outputs {
			changeSeen = changeSeen || o.Change
		}
		if !changeSeen {
			t.Fatalf("signer %d does not see the multisig change: %+v", i+1, sj)
		}
	}
	if out := coord.ok("psbt", "decode", signed[0]); !strings.Contains(out, "(1 of 2 signatures)") {
		t.Fatalf("decode of a once-signed PSBT does not show the signature count:\n%s", out)
	}
	coord.fails("1 of 2 signatures", "psbt", "finalize", signed[0])

	both := filepath.Join(dir, "both.psbt")
	coord.ok("psbt", "combine", signed[0], signed[1], "--out", both)
	coord.jsonOut(&rev, "psbt", "decode", both)
	if !rev.Complete || rev.Inputs[0].Signatures != 2 {
		t.Fatalf("combined: %+v", rev)
	}
	var fin struct {
		Txid string `json:"txid"`
		Hex  string `json:"hex"`
	}
	coord.jsonOut(&fin, "psbt", "finalize", both)
	var bc struct {
		Txid string `json:"txid"`
	}
	coord.jsonOut(&bc, "broadcast", fin.Hex)
	id, err := chainhash.NewHashFromStr(fin.Txid)
	if err != nil || bc.Txid != fin.Txid || !btcd.InMempool(*id) {
		t.Fatalf("broadcast %+v; in mempool %v", bc, err == nil && btcd.InMempool(*id))
	}
	btcd.Generate(1)
	_, height := btcd.BestBlock()
	block := btcd.Block(height)
	mined := false
	for _, tx := range block.Transactions {
		if tx.TxHash() == *id {
			mined = true
		}
	}
	if !mined {
		t.Fatal("btcd did not mine the multisig spend")
	}
	coord.ok("sync")
	coord.jsonOut(&bal, "balance")
	want := funded - 60*btcutil.SatoshiPerBitcoin - created.Fee
	if bal.Confirmed != want || bal.Total != want {
		t.Fatalf("balance after the spend %+v, want %d", bal, want)
	}
	var hist []struct {
		Txid   string `json:"txid"`
		Amount int64  `json:"amount"`
		Fee    int64  `json:"fee"`
	}
	coord.jsonOut(&hist, "history")
	if len(hist) != 3 || hist[0].Txid != fin.Txid || hist[0].Amount != -(60*btcutil.SatoshiPerBitcoin+created.Fee) || hist[0].Fee != created.Fee {
		t.Fatalf("history %+v", hist)
	}
	var utxos []struct {
		Value int64 `json:"value"`
	}
	coord.jsonOut(&utxos, "utxos")
	if len(utxos) != 1 || utxos[0].Value != want {
		t.Fatalf("utxos %+v, want the change of %d", utxos, want)
	}
}
