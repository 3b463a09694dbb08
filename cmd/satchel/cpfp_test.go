package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// satchel cpfp speeds up a payment without RBF through its change, and
// satchel bump --cancel takes another one back: btcd takes both, the
// cancel replaces the original, and once mined the balance is exact to the
// satoshi. Refusals name what is wrong.
func TestCPFPAndCancel(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	type sentOut struct {
		Txid           string  `json:"txid"`
		Fee            int64   `json:"fee"`
		Parent         string  `json:"parent"`
		ParentFee      int64   `json:"parent_fee"`
		PackageFeeRate float64 `json:"package_fee_rate"`
		Replaces       string  `json:"replaces"`
		PSBT           string  `json:"psbt"`
	}
	inMempool := func(txid string) bool {
		id, _ := chainhash.NewHashFromStr(txid)
		return btcd.InMempool(*id)
	}

	var slow, child sentOut
	c.jsonOut(&slow, "send", "--to", dest, "--amount", "2btc", "--fee-rate", "1", "--no-rbf")
	c.fails("does not signal replace-by-fee", "bump", slow.Txid, "--fee-rate", "5")
	c.fails("a child helps only at a higher rate", "cpfp", slow.Txid, "--fee-rate", "1")
	c.fails("--fee-rate", "cpfp", slow.Txid)
	c.fails("not a transaction id", "cpfp", "abc", "--fee-rate", "5")

	// A PSBT first, for a signer elsewhere; then the child itself.
	out := filepath.Join(t.TempDir(), "child.psbt")
	var written sentOut
	c.jsonOut(&written, "cpfp", slow.Txid, "--fee-rate", "10", "--psbt-out", out)
	if written.PSBT != out || written.ParentFee != slow.Fee || written.Fee <= 0 {
		t.Fatalf("cpfp --psbt-out: %+v (the parent paid %d)", written, slow.Fee)
	}
	c.jsonOut(&child, "cpfp", slow.Txid, "--fee-rate", "10")
	if child.Parent != slow.Txid || child.ParentFee != slow.Fee || child.PackageFeeRate < 10 ||
		!inMempool(slow.Txid) || !inMempool(child.Txid) {
		t.Fatalf("cpfp: %+v; parent in the mempool %v, child %v", child, inMempool(slow.Txid), inMempool(child.Txid))
	}

	var pay, cancel sentOut
	c.jsonOut(&pay, "send", "--to", dest, "--amount", "3btc", "--fee-rate", "2")
	c.fails("raise the fee rate", "bump", pay.Txid, "--cancel", "--fee-rate", "2")
	text := c.ok("bump", pay.Txid, "--cancel", "--fee-rate", "20", "--psbt-out", filepath.Join(t.TempDir(), "c.psbt"))
	if !strings.Contains(text, "Wrote ") {
		t.Fatalf("bump --cancel --psbt-out printed:\n%s", text)
	}
	c.jsonOut(&cancel, "bump", pay.Txid, "--cancel", "--fee-rate", "20")
	if cancel.Replaces != pay.Txid || cancel.Fee <= pay.Fee || inMempool(pay.Txid) || !inMempool(cancel.Txid) {
		t.Fatalf("cancel %+v of %+v: the original in the mempool %v, the cancel %v",
			cancel, pay, inMempool(pay.Txid), inMempool(cancel.Txid))
	}
	var hist []historyOut
	c.jsonOut(&hist, "history")
	for _, h := range hist {
		if h.Txid == pay.Txid {
			t.Fatal("the cancelled payment is still in the history")
		}
		if h.Txid == cancel.Txid && h.Amount != -cancel.Fee {
			t.Fatalf("the cancel's history entry %+v; want only its fee, -%d", h, cancel.Fee)
		}
	}

	btcd.Generate(1)
	c.ok("sync")
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	fees := slow.Fee + child.Fee + cancel.Fee
	if bal.Unconfirmed != 0 || bal.Confirmed != 150*btc-2*btc-fees || bal.Immature != 99*btc*50+fees {
		t.Fatalf("balance after mining: %+v (fees %d + %d + %d)", bal, slow.Fee, child.Fee, cancel.Fee)
	}
	c.fails("already confirmed", "cpfp", slow.Txid, "--fee-rate", "30")
	c.fails("already confirmed", "bump", cancel.Txid, "--cancel", "--fee-rate", "30")
}

// The app bumps the fee of an unconfirmed payment from its transaction
// page, as a person at an 80×24 terminal would: the wallet's history opens
// the page, B opens the form, the rate is typed, the review is confirmed
// with the password, and btcd's mempool then holds the replacement instead
// of the payment. Once mined, the balance is exact to the satoshi.
func TestFlowBumpFromTxPage(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	var first struct {
		Txid string `json:"txid"`
		Fee  int64  `json:"fee"`
	}
	c.jsonOut(&first, "send", "--to", dest, "--amount", "1btc", "--fee-rate", "2")

	o := startOnlineApp(t, c, btcd)
	tm, press := o.tm, o.press

	// The newest history row is the unconfirmed payment; enter opens it.
	flowWaitFor(t, tm, "Balance", "unconfirmed", first.Txid[:8])
	press("enter")
	scr := flowWaitFor(t, tm, "Transaction · unconfirmed", first.Txid, "B bump fee", "X cancel")
	if !strings.Contains(scr, "C CPFP") {
		t.Errorf("our own payment's change can be sped up by CPFP, but C is not offered:\n%s", scr)
	}
	press("B")
	// 2 sat/vB now: the form proposes 4.
	flowWaitFor(t, tm, "Bump the fee", "Fee rate  > 4", "New fee:")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	tm.Type("10")
	flowWaitFor(t, tm, "Fee rate  > 10", "· 10 sat/vB ·")
	press("enter")
	flowWaitFor(t, tm, "Review: bump the fee", dest, "change", "Enter asks for the password")
	press("enter")
	flowWaitFor(t, tm, "Password  >")
	tm.Type("wrong")
	press("enter")
	flowWaitFor(t, tm, "Wrong password")
	tm.Type("pw")
	press("enter")
	scr = flowWaitFor(t, tm, "Sent ", "It replaces")
	m := regexp.MustCompile(`Sent\s+([0-9a-f]{64})`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no txid after Sent:\n%s", scr)
	}
	bumped := m[1]
	id1, _ := chainhash.NewHashFromStr(first.Txid)
	id2, _ := chainhash.NewHashFromStr(bumped)
	if btcd.InMempool(*id1) || !btcd.InMempool(*id2) {
		t.Fatalf("after the bump: the payment in btcd's mempool %v, the bump %v", btcd.InMempool(*id1), btcd.InMempool(*id2))
	}
	press("enter")
	flowWaitFor(t, tm, "Transaction · unconfirmed", bumped)

	o.stop()

	btcd.Generate(1)
	c.ok("sync")
	var hist []historyOut
	c.jsonOut(&hist, "history")
	var fee int64 = -1
	for _, h := range hist {
		if h.Txid == first.Txid {
			t.Fatal("the replaced payment is still in the history")
		}
		if h.Txid == bumped && h.Fee != nil {
			fee = *h.Fee
		}
	}
	if fee <= first.Fee {
		t.Fatalf("the bump's fee %d; the payment paid %d", fee, first.Fee)
	}
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	if bal.Unconfirmed != 0 || bal.Confirmed != 150*btc-btc-fee || bal.Immature != 99*btc*50+fee {
		t.Fatalf("balance after the bump was mined: %+v (fee %d)", bal, fee)
	}
}
