package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/internal/interop"
	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// fundedAbandon restores the abandon wallet (p2wpkh unless a script type
// is given) on a btcd with 101 blocks mined to it, synced.
func fundedAbandon(t *testing.T, scriptType ...string) (*cli, *regtest.Node) {
	t.Helper()
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.env["SATCHEL_NETWORK"] = "regtest"
	args := []string{"wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic), "--birthday", "1"}
	if len(scriptType) > 0 {
		args = append(args, "--script-type", scriptType[0])
	}
	c.ok(args...)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	return c, btcd
}

// `psbt sign -` reads the PSBT from stdin and writes only the signed PSBT
// on stdout, with the review on stderr, so that it can sit in a pipe; with
// --json the answer carries the review.
func TestPSBTSignPipe(t *testing.T) {
	c, _ := fundedAbandon(t)
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	unsigned := filepath.Join(t.TempDir(), "pay.txt")
	c.ok("psbt", "create", "--to", dest, "--amount", "1btc", "--fee-rate", "2", "--out", unsigned)
	b, err := os.ReadFile(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = string(b)
	r := c.run("psbt", "sign", "-")
	if r.err != nil {
		t.Fatalf("psbt sign -: %v\n%s", r.err, r.stderr)
	}
	p, err := psbtx.Parse([]byte(r.stdout))
	if err != nil {
		t.Fatalf("stdout of psbt sign - is not a PSBT: %v\n%q", err, r.stdout)
	}
	if len(p.Inputs[0].PartialSigs) != 1 {
		t.Fatalf("the PSBT on stdout is not signed: %+v", p.Inputs[0])
	}
	if !strings.Contains(r.stderr, "PAYS") || !strings.Contains(r.stderr, dest) ||
		!strings.Contains(r.stderr, "Signed 1 input.") {
		t.Fatalf("the review is not on stderr:\n%s", r.stderr)
	}
	if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.stdout)); err != nil || len(raw) < 10 {
		t.Fatalf("stdout is not exactly one base64 PSBT: %q", r.stdout)
	}

	// --json: the review, the count, the PSBT.
	c.stdin = string(b)
	var j struct {
		Fee      int64   `json:"fee"`
		FeeRate  float64 `json:"fee_rate"`
		Proven   bool    `json:"fee_proven"`
		Signed   int     `json:"signed"`
		PSBT     string  `json:"psbt_base64"`
		Warnings []string
		Outputs  []struct {
			Value   int64  `json:"value"`
			Address string `json:"address"`
			Ours    bool   `json:"ours"`
			Change  bool   `json:"change"`
		} `json:"outputs"`
		Inputs []struct {
			Proof string `json:"amount_proof"`
		} `json:"inputs"`
	}
	c.jsonOut(&j, "psbt", "sign", "-")
	changes := 0
	for _, o := range j.Outputs {
		if o.Change && o.Ours {
			changes++
		}
	}
	if j.Signed != 1 || j.Fee <= 0 || j.FeeRate < 1.9 || !j.Proven || changes != 1 ||
		j.Warnings == nil || j.PSBT == "" || j.Inputs[0].Proof != "prev_tx" {
		t.Fatalf("psbt sign --json: %+v", j)
	}
}

// A taproot wallet refuses the p2wpkh input of the same seed: decode does
// not call it ours and sign says why it signs nothing.
func TestPSBTSignOnlyOwnAccount(t *testing.T) {
	c, _ := fundedAbandon(t)
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	unsigned := filepath.Join(t.TempDir(), "pay.psbt")
	c.ok("psbt", "create", "--to", dest, "--amount", "1btc", "--fee-rate", "2", "--out", unsigned)

	tr := c.sub(t)
	tr.env = map[string]string{"SATCHEL_PASSWORD": "pw", "SATCHEL_NETWORK": "regtest", "SATCHEL_WALLET": "tr",
		"XDG_CONFIG_HOME": c.env["XDG_CONFIG_HOME"]}
	tr.ok("wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic), "--script-type", "p2tr")
	var rev reviewJSON
	tr.jsonOut(&rev, "psbt", "decode", unsigned)
	if rev.Inputs[0].Ours {
		t.Fatalf("the taproot wallet's decode calls the p2wpkh input ours: %+v", rev.Inputs[0])
	}
	tr.fails("nothing was signed: input 0: its key path m/84h/1h/0h/0/0 is not in this wallet's account m/86h/1h/0h/*",
		"psbt", "sign", unsigned, "--out", filepath.Join(t.TempDir(), "x.psbt"))
}

// A send that fails before broadcasting (a wrong password) does not hand
// out a change address; one that is sent, or exported, does.
func TestFailedSendKeepsChangeAddress(t *testing.T) {
	c, _ := fundedAbandon(t)
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	next := func() uint32 {
		var info walletJSON
		c.jsonOut(&info, "wallet", "info")
		return info.NextChange
	}
	before := next()
	c.env["SATCHEL_PASSWORD"] = "wrong"
	c.fails("wrong password", "send", "--to", dest, "--amount", "1btc", "--fee-rate", "2")
	if got := next(); got != before {
		t.Fatalf("a send refused for its password moved the change index from %d to %d", before, got)
	}
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.ok("send", "--to", dest, "--amount", "1btc", "--fee-rate", "2")
	if got := next(); got != before+1 {
		t.Fatalf("after a payment the change index is %d, want %d", got, before+1)
	}
	c.ok("psbt", "create", "--to", dest, "--amount", "1btc", "--fee-rate", "2", "--out",
		filepath.Join(t.TempDir(), "p.psbt"))
	if got := next(); got != before+2 {
		t.Fatalf("after an exported PSBT the change index is %d, want %d", got, before+2)
	}
}

// A PSBT made by satchel's watch-only wallet is signed by @scure/btc-signer
// with the mnemonic (matching the key origins' fingerprint), finalized and
// broadcast by satchel, and accepted by btcd.
func TestScureSignsWatchOnlyPSBT(t *testing.T) {
	interop.Require(t)
	signer := newCLI(t)
	signer.env["SATCHEL_PASSWORD"] = "cold"
	signer.env["SATCHEL_NETWORK"] = "regtest"
	signer.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	var info walletInfo
	signer.jsonOut(&info, "--offline", "wallet", "info")
	online := newCLI(t)
	online.env["SATCHEL_NETWORK"] = "regtest"
	online.ok("wallet", "import", "--descriptor", info.Descriptors.Receive, "--descriptor", info.Descriptors.Change, "--birthday", "1")
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, online, 0)))
	btcd.Generate(101)
	online.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	online.ok("sync")

	dir := t.TempDir()
	unsigned := filepath.Join(dir, "pay.txt")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	online.ok("psbt", "create", "--to", dest, "--amount", "2btc", "--fee-rate", "3", "--out", unsigned)
	b64, err := os.ReadFile(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	var signed struct {
		PSBT   string `json:"psbt"`
		Signed int    `json:"signed"`
	}
	if e := interop.Node(t, "psbt.mjs", map[string]any{"op": "sign_scure", "psbt": strings.TrimSpace(string(b64)),
		"mnemonic": abandonMnemonic}, &signed); e != "" {
		t.Fatalf("@scure/btc-signer cannot sign satchel's PSBT: %s", e)
	}
	signedFile := writeFile(t, "signed.txt", signed.PSBT)
	finalizeAndBroadcast(t, online, btcd, signedFile)
}

// finalizeAndBroadcast finalizes a signed PSBT file with `psbt finalize`,
// broadcasts it with `broadcast` and checks that btcd took it; it returns
// the txid.
func finalizeAndBroadcast(t *testing.T, c *cli, btcd *regtest.Node, file string) string {
	t.Helper()
	var fin struct {
		Txid string `json:"txid"`
		Hex  string `json:"hex"`
	}
	c.jsonOut(&fin, "psbt", "finalize", file)
	var bc struct {
		Txid string `json:"txid"`
	}
	c.jsonOut(&bc, "broadcast", fin.Hex)
	id, err := chainhash.NewHashFromStr(fin.Txid)
	if err != nil || bc.Txid != fin.Txid || !btcd.InMempool(*id) {
		t.Fatalf("broadcast %+v of %s: btcd does not have it (%v)", bc, fin.Txid, err)
	}
	return fin.Txid
}
