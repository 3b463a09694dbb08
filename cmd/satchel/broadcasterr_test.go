package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// When btcd refuses a payment, send and broadcast say what to do instead of
// btcd's words, which --json keeps (peer_said) beside a code: a fee under
// the minimum relay fee, a double spend of a coin an unconfirmed payment
// spent, a dust output.
func TestBroadcastRefusalsSayWhatToDo(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	// btcd's regtest relays non-standard transactions and free ones of
	// old coins; these flags hold it to mainnet's and Bitcoin Core's rules.
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)),
		regtest.WithArgs("--rejectnonstd", "--norelaypriority", "--limitfreerelay=0"))
	btcd.Generate(103) // three mature coinbases
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	var all []struct {
		Txid   string `json:"txid"`
		Mature bool   `json:"mature"`
	}
	c.jsonOut(&all, "utxos")
	var coins []string // mature coins, as --utxo takes them
	for _, u := range all {
		if u.Mature {
			coins = append(coins, u.Txid+":0")
		}
	}
	if len(coins) < 3 {
		t.Fatalf("only %d mature coins", len(coins))
	}
	coin := coins[0]

	// Under the minimum relay fee.
	c.fails("fee too low for the peers: raise the fee rate (the peers want at least 1.0 sat/vB)",
		"send", "--to", dest, "--amount", "1btc", "--fee-rate", "0.5")
	// Another amount: btcd would not ask again for the transaction it
	// just refused.
	r := c.run("--json", "send", "--to", dest, "--amount", "1.5btc", "--fee-rate", "0.5")
	var je jsonError
	if err := json.Unmarshal([]byte(r.stderr), &je); err != nil || r.stdout != "" {
		t.Fatalf("--json: stdout %q, stderr %q (%v)", r.stdout, r.stderr, err)
	}
	if je.Code != "fee_too_low" || !strings.Contains(je.Error, "raise the fee rate") ||
		!strings.HasPrefix(je.PeerSaid, btcd.P2PAddr()+": transaction ") || !strings.Contains(je.PeerSaid, "low fees") {
		t.Fatalf("--json error %+v", je)
	}

	// A double spend: a second payment drafted from the coin before the
	// first, which does not signal RBF, was sent.
	dir := t.TempDir()
	second, signed := filepath.Join(dir, "second.psbt"), filepath.Join(dir, "second-signed.psbt")
	c.ok("psbt", "create", "--to", dest, "--amount", "2btc", "--fee-rate", "5", "--utxo", coin, "--out", second)
	c.ok("send", "--to", dest, "--amount", "1btc", "--fee-rate", "2", "--utxo", coin, "--no-rbf")
	c.ok("psbt", "sign", second, "--out", signed)
	c.fails("an input is already spent by another unconfirmed transaction: the wallet may be out of date: let it sync (satchel sync) and build the payment again",
		"broadcast", signed)

	// A 100-sat output, which the wallet never drafts: added to a PSBT
	// before it is signed, as another program might.
	dusty := filepath.Join(dir, "dusty.psbt")
	c.ok("psbt", "create", "--to", dest, "--amount", "1btc", "--fee-rate", "2", "--utxo", coins[1], "--out", dusty)
	addDustOutput(t, dusty, dest)
	c.ok("psbt", "sign", dusty, "--out", dusty)
	c.fails("an output is too small for the peers to relay (dust): raise that amount, or leave the output out",
		"broadcast", dusty)

	// Broadcasting again what btcd already holds is no error: it has it.
	again := filepath.Join(dir, "again.psbt")
	c.ok("psbt", "create", "--to", dest, "--amount", "1btc", "--fee-rate", "2", "--utxo", coins[2], "--out", again)
	c.ok("psbt", "sign", again, "--out", again)
	first := strings.SplitN(c.ok("broadcast", again), "\n", 2)[0]
	id, err := chainhash.NewHashFromStr(first)
	if err != nil {
		t.Fatalf("broadcast printed %q first, not the txid", first)
	}
	// btcd may answer "not found" until its mempool has taken it.
	for deadline := time.Now().Add(10 * time.Second); !btcd.InMempool(*id); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("btcd never took the first broadcast")
		}
	}
	if out := c.ok("broadcast", again, "--wait", "1s"); out != first+"\naccepted by "+btcd.P2PAddr()+"\n" {
		t.Fatalf("broadcast again: %q", out)
	}

	// The log keeps what btcd said each time.
	log, err := os.ReadFile(filepath.Join(c.dataDir, "regtest", "satchel.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"code=fee_too_low", "code=input_spent_in_mempool", "code=dust", "payment is dust"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
}

// addDustOutput rewrites the PSBT file at path with a 100-sat output to
// addr paid out of its change (its last output).
func addDustOutput(t *testing.T, path, addr string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbtx.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	tx := p.UnsignedTx
	tx.TxOut[len(tx.TxOut)-1].Value -= 100
	tx.AddTxOut(wire.NewTxOut(100, scriptOf(t, addr)))
	p.Outputs = append(p.Outputs, psbt.POutput{})
	out, err := psbtx.EncodeBinary(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}
