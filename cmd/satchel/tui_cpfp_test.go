package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// A payment to the wallet whose fee neither the wallet nor the node knows
// (it spends a coinbase of a block the light node never fetched) is sped
// up from its page with the fee typed: the form works the child out as
// 'satchel cpfp --parent-fee' does for the same figures, btcd takes the
// child at the rate typed for both, and once a block confirms it the open
// page stops offering B, X and C.
func TestFlowCPFPParentFeeTyped(t *testing.T) {
	c, btcd, o, pay := startUnknownParent(t)
	// The fee the sender knows, typed as the sender would say it.
	typed := fmt.Sprintf("%dsat", pay.Fee)
	const rate = "20"
	child, together := typeParentFee(t, o, typed, rate)
	o.press("esc")
	o.waitFor(t, "Transaction · unconfirmed", "C CPFP")
	o.stop()

	// The CLI, for the same figures: without the fee it cannot, with it
	// it builds the same child.
	c.fails("--parent-fee", "cpfp", pay.Txid, "--fee-rate", rate, "--psbt-out", filepath.Join(t.TempDir(), "x.psbt"))
	var cli struct {
		Fee            int64   `json:"fee"`
		ParentFee      int64   `json:"parent_fee"`
		PackageFeeRate float64 `json:"package_fee_rate"`
	}
	c.jsonOut(&cli, "cpfp", pay.Txid, "--fee-rate", rate, "--parent-fee", typed,
		"--psbt-out", filepath.Join(t.TempDir(), "child.psbt"))
	if cli.ParentFee != pay.Fee || btcutil.Amount(cli.Fee) != child || fees.FormatRate(cli.PackageFeeRate) != together {
		t.Fatalf("the app's child pays %d sat, %s sat/vB for both; the CLI's %+v", child, together, cli)
	}

	// Again in the app, this time sent.
	o = startOnlineApp(t, c, btcd)
	o.waitFor(t, "unconfirmed", pay.Txid[:8])
	o.press("enter")
	o.waitFor(t, "Transaction · unconfirmed", pay.Txid, "C CPFP")
	typeParentFee(t, o, typed, rate)
	o.press("enter")
	o.waitFor(t, "Review: speed up with a child (CPFP)", "Together with the parent: "+together+" sat/vB",
		"Counting the parent's fee as typed")
	o.press("enter")
	o.waitFor(t, "Password  >")
	o.tm.Type("pw")
	o.press("enter")
	scr := o.waitFor(t, "Sent ")
	m := regexp.MustCompile(`Sent\s+([0-9a-f]{64})`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no txid after Sent:\n%s", scr)
	}
	childID, err := chainhash.NewHashFromStr(m[1])
	if err != nil {
		t.Fatal(err)
	}
	// btcd's own figures: the two pay the rate typed, together.
	raw, err := btcd.Call("getrawmempool", true)
	if err != nil {
		t.Fatal(err)
	}
	var pool map[string]struct {
		VSize int64   `json:"vsize"`
		Fee   float64 `json:"fee"`
	}
	if err := json.Unmarshal(raw, &pool); err != nil {
		t.Fatal(err)
	}
	p, okP := pool[pay.Txid]
	ch, okC := pool[childID.String()]
	if !okP || !okC {
		t.Fatalf("btcd's mempool holds the parent %v, the child %v", okP, okC)
	}
	pFee, _ := btcutil.NewAmount(p.Fee)
	cFee, _ := btcutil.NewAmount(ch.Fee)
	pkg := float64(pFee+cFee) / float64(p.VSize+ch.VSize)
	// The child is sized before it is signed, with the longest signature
	// (72 bytes); a signature one byte shorter can make it a vbyte
	// smaller per input, so the rate may come out that much above 20.
	raw, err = btcd.Call("getrawtransaction", childID.String(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var childTx struct {
		Vin []json.RawMessage `json:"vin"`
	}
	if err := json.Unmarshal(raw, &childTx); err != nil {
		t.Fatal(err)
	}
	most := btcutil.Amount(20 * (p.VSize + ch.VSize + int64(len(childTx.Vin))))
	if pFee != btcutil.Amount(pay.Fee) || cFee != child || pkg < 20 || pFee+cFee > most {
		t.Fatalf("btcd: parent %d sat %d vB, child %d sat %d vB: %.3f sat/vB together; the app said %d sat",
			pFee, p.VSize, cFee, ch.VSize, pkg, child)
	}

	t.Logf("parent %s: %d sat, %d vB; child %s: %d sat, %d vB; %.3f sat/vB together", pay.Txid, pFee, p.VSize,
		childID, cFee, ch.VSize, pkg)

	// The child's page, left open while a block confirms it: its keys go
	// and it names the block, as it would opened afresh.
	o.press("enter")
	o.waitFor(t, "Transaction · unconfirmed", childID.String(), "C CPFP")
	mined := btcd.Generate(1)
	o.waitFor(t, "102")
	waitGone(t, o, "C CPFP", "B bump fee", "X cancel", "unconfirmed")
	o.waitFor(t, mined[0].String())
	o.press("C")
	if scr := o.waitFor(t, childID.String()); strings.Contains(scr, "Speed up with a child") {
		t.Fatalf("C opened the CPFP form on a mined payment:\n%s", scr)
	}
}

// The parent's fee is learnt rather than typed: enter on the parent's
// input cannot open the transaction it spends (in no block the node has
// fetched), but the input names the address it paid, and enter again
// searches it, which fetches and verifies block 1. Back on the parent's
// page, C finds the fee.
func TestFlowCPFPFeeFoundThroughInput(t *testing.T) {
	_, _, o, pay := startUnknownParent(t)
	o.press("C")
	o.waitFor(t, "Parent's fee   >", "press C again")
	o.press("esc")
	o.press("enter")
	o.waitFor(t, "is in no fetched block", "enter: find it by the address it paid")
	o.press("enter")
	o.waitFor(t, "scanned blocks 0–101")
	o.press("esc")
	o.waitFor(t, "Transaction · unconfirmed", pay.Txid)
	o.press("C")
	scr := o.waitFor(t, "Speed up with a child (CPFP)", fmt.Sprintf("The parent pays: %s", amount.FormatBTC(btcutil.Amount(pay.Fee))))
	if strings.Contains(scr, "Parent's fee   >") {
		t.Fatalf("the form still asks for the fee it found:\n%s", scr)
	}
}

// paid is a payment as 'satchel send --json' reports it.
type paid struct {
	Txid string `json:"txid"`
	Fee  int64  `json:"fee"`
}

// startUnknownParent starts btcd, a payer's wallet and a new wallet of c
// whose app is running, and has the payer pay the wallet 2 BTC from block
// 1's coinbase, a block the light node never fetched: the app lists the
// payment, relayed, and knows nothing of its fee. It returns on the
// payment's page, which offers C.
func startUnknownParent(t *testing.T) (*cli, *regtest.Node, *onlineApp, paid) {
	t.Helper()
	payer, c, btcd, o, recv := startPayeeApp(t)
	var pay paid
	payer.jsonOut(&pay, "send", "--to", recv, "--amount", "2btc", "--fee-rate", "3")
	o.waitFor(t, "unconfirmed", pay.Txid[:8])
	o.press("enter")
	o.waitFor(t, "Transaction · unconfirmed", pay.Txid, "C CPFP")
	return c, btcd, o, pay
}

// typeParentFee opens the CPFP form, which asks for the parent's fee,
// types fee and rate and returns the child's fee and the rate for both
// as the form shows them.
func typeParentFee(t *testing.T, o *onlineApp, fee, rate string) (btcutil.Amount, string) {
	t.Helper()
	o.press("C")
	scr := o.waitFor(t, "Speed up with a child (CPFP)", "a fee neither this wallet nor the node knows",
		"Ask the sender", "block explorer", "Parent's fee   >")
	if strings.Contains(scr, "The parent pays: 0") {
		t.Fatalf("the form knows a fee it cannot know:\n%s", scr)
	}
	o.tm.Type(fee)
	o.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	for range 8 {
		o.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	o.tm.Type(rate)
	scr = o.waitFor(t, "Rate for both  > "+rate, "as typed", "Together: ")
	m := regexp.MustCompile(`Child's fee: ([0-9.,]+ (?:BTC|sat))`).FindStringSubmatch(scr)
	r := regexp.MustCompile(`Together: ([0-9.]+) sat/vB`).FindStringSubmatch(scr)
	if m == nil || r == nil {
		t.Fatalf("no child's fee or rate for both:\n%s", scr)
	}
	child, err := amount.Parse(strings.ReplaceAll(m[1], ",", ""))
	if err != nil {
		t.Fatalf("child's fee %q: %v", m[1], err)
	}
	return child, r[1]
}

// waitGone waits until the screen shows none of gone.
func waitGone(t *testing.T, o *onlineApp, gone ...string) {
	t.Helper()
	deadline := time.Now().Add(flowWait)
	for {
		s := flowScreen(t, o.tm)
		shown := ""
		for _, g := range gone {
			if strings.Contains(s, g) {
				shown = g
			}
		}
		if shown == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen still shows %q:\n%s", shown, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
