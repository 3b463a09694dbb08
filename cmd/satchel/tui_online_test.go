package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// onlineApp is the real app on the default regtest wallet of c, with the
// real session, a light node synced from btcd and its events wired as
// `satchel` wires them, driven by teatest at 80×24 as a person at the
// keyboard would.
type onlineApp struct {
	tm   *teatest.TestModel
	stop func() // quits the app and stops the session and the node; idempotent
}

func startOnlineApp(t *testing.T, c *cli, btcd *regtest.Node) *onlineApp {
	t.Helper()
	a := &app{
		stdin:        strings.NewReader(""),
		stdout:       io.Discard,
		stderr:       io.Discard,
		getenv:       func(k string) string { return c.env[k] },
		keystoreOpts: []keystore.Option{keystore.WithKDFParams(fastKDF)},
		flags: globalFlags{network: "regtest", dataDir: c.dataDir, walletName: "default",
			connect: []string{btcd.P2PAddr()}},
		net: &chaincfg.RegressionNetParams,
	}
	t.Cleanup(a.close)
	conf, err := a.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	node, err := a.startNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Stop() })
	if err := node.WaitSynced(t.Context(), time.Minute); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := newAppSession(ctx, a, node, conf, nodeEvents(ctx, node))
	src, err := s.sources(themeNames(nil))
	if err != nil {
		s.close()
		t.Fatal(err)
	}
	styles := themes.NewStyles(themes.Builtin()[0], true)
	tm := teatest.NewTestModel(t, flowModel{tuiapp.New(ctx, src, styles, tuiapp.WithInterval(0))},
		teatest.WithInitialTermSize(80, 24))
	stopped := false
	o := &onlineApp{tm: tm}
	o.stop = func() {
		if stopped {
			return
		}
		stopped = true
		o.press("ctrl+c")
		tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
		s.close()
		node.Stop()
	}
	t.Cleanup(o.stop)
	return o
}

// press sends each named key.
func (o *onlineApp) press(keys ...string) {
	for _, k := range keys {
		o.tm.Send(flowKeyPress(k))
	}
}

// waitFor waits until the screen shows every string of want and returns it.
func (o *onlineApp) waitFor(t *testing.T, want ...string) string {
	t.Helper()
	return flowWaitFor(t, o.tm, want...)
}

// The PSBT page of the app, online: a PSBT made by `psbt create` is
// opened from its file, signed with the password and broadcast; btcd's
// mempool then holds it, and once mined the wallet's balance is exact.
func TestFlowPSBTPageBroadcast(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")
	dest := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	file := filepath.Join(t.TempDir(), "pay.psbt")
	c.ok("psbt", "create", "--to", dest, "--amount", "1btc", "--fee-rate", "2", "--out", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbtx.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	txid := p.UnsignedTx.TxHash()

	o := startOnlineApp(t, c, btcd)
	o.waitFor(t, "Balance", "50.00000000 BTC")
	o.press("o")
	o.waitFor(t, "Open a PSBT to see exactly what it pays")
	o.press("o")
	o.tm.Type(file)
	o.press("enter")
	o.waitFor(t, "PSBT · pay.psbt", "online", dest[:13], "1.00000000 BTC")
	o.press("S")
	o.tm.Type("wrong")
	o.press("enter")
	o.waitFor(t, "Wrong password")
	o.tm.Type("pw")
	o.press("enter")
	o.waitFor(t, "1 of 1 input · complete", "b broadcast")
	o.press("b")
	o.waitFor(t, "Broadcast "+txid.String())
	if !btcd.InMempool(txid) {
		t.Fatalf("the page says broadcast, but btcd's mempool does not hold %s", txid)
	}
	o.stop()

	btcd.Generate(1)
	c.ok("sync")
	var hist []historyOut
	c.jsonOut(&hist, "history")
	var fee int64 = -1
	for _, h := range hist {
		if h.Txid == txid.String() && h.Fee != nil {
			fee = *h.Fee
		}
	}
	if fee <= 0 {
		t.Fatalf("the payment %s is not in the history with its fee: %+v", txid, hist)
	}
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	// Three coinbases of 50 are mature at 102 blocks; the fee went to the
	// miner, which is this wallet too, as immature coinbase.
	if bal.Unconfirmed != 0 || bal.Confirmed != 150*btc-btc-fee || bal.Immature != 99*50*btc+fee {
		t.Fatalf("balance after the payment was mined: %+v (fee %d)", bal, fee)
	}
}

// C on the page of an unconfirmed payment to the wallet speeds it up with
// a child: btcd takes the child, whose package rate is the one typed.
func TestFlowCPFPFromTxPage(t *testing.T) {
	payer, c, btcd, o, recv := startPayeeApp(t)
	// The payer spends block 1's coinbase. A light client knows a
	// payment's fee only when it knows the coins it spends: the user opens
	// block 1 in the explorer, which fetches and verifies it.
	var coins []struct {
		Txid   string `json:"txid"`
		Height int32  `json:"height"`
	}
	payer.jsonOut(&coins, "utxos")
	coin := ""
	for _, u := range coins {
		if u.Height == 1 {
			coin = u.Txid + ":0"
		}
	}
	if coin == "" {
		t.Fatalf("the payer has no coin from block 1: %+v", coins)
	}
	// Each step waits for the screen, as a person looks before the next
	// key: a key sent while the list is still loading may go nowhere.
	o.press("2")
	o.waitFor(t, "of 102")
	o.press("G", "k")
	o.waitFor(t, "block 1 of 102")
	o.press("enter")
	o.waitFor(t, "Block 1 ·", "verified")
	o.press("esc", "1")

	// Paid while the app runs: the light node hears of it as btcd relays
	// it (no mempool query, by design), and the wallet lists it.
	var pay struct {
		Txid string `json:"txid"`
		Fee  int64  `json:"fee"`
	}
	payer.jsonOut(&pay, "send", "--to", recv, "--amount", "2btc", "--fee-rate", "1", "--utxo", coin)
	o.waitFor(t, "unconfirmed", pay.Txid[:8])
	o.press("enter")
	o.waitFor(t, "Transaction · unconfirmed", pay.Txid, "C CPFP")
	o.press("C")
	if scr := o.waitFor(t, "Speed up with a child (CPFP)", "The parent pays: "); strings.Contains(scr, "does not know") {
		t.Fatalf("the parent's fee is unknown although its coin's block was opened:\n%s", scr)
	}
	o.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	o.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	o.tm.Type("20")
	o.waitFor(t, "Together: 20 sat/vB")
	o.press("enter")
	o.waitFor(t, "Enter asks for the password")
	o.press("enter")
	o.waitFor(t, "Password  >")
	o.tm.Type("pw")
	o.press("enter")
	scr := o.waitFor(t, "Sent ")
	m := regexp.MustCompile(`Sent\s+([0-9a-f]{64})`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no txid after Sent:\n%s", scr)
	}
	child, err := chainhash.NewHashFromStr(m[1])
	if err != nil {
		t.Fatal(err)
	}
	parent, _ := chainhash.NewHashFromStr(pay.Txid)
	if !btcd.InMempool(*parent) || !btcd.InMempool(*child) {
		t.Fatalf("btcd's mempool: parent %v, child %v", btcd.InMempool(*parent), btcd.InMempool(*child))
	}
	o.stop()

	btcd.Generate(1)
	c.ok("sync")
	var hist []historyOut
	c.jsonOut(&hist, "history")
	var fee int64 = -1
	for _, h := range hist {
		if h.Txid == child.String() && h.Fee != nil {
			fee = *h.Fee
		}
	}
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	if fee <= 0 || bal.Unconfirmed != 0 || bal.Confirmed != 2*btc-fee {
		t.Fatalf("after mining: child fee %d, balance %+v", fee, bal)
	}
}

// startPayeeApp starts btcd mining to the "abandon … about" wallet of
// payer (101 blocks, synced) and the app on a new wallet c, scanned to the
// tip, with one receive address of c handed out: the setting in which a
// payment reaches the app relayed. btcd's short trickle interval relays
// it promptly.
func startPayeeApp(t *testing.T) (payer, c *cli, btcd *regtest.Node, o *onlineApp, recv string) {
	t.Helper()
	payer = newCLI(t)
	restoreAbandon(t, payer)
	btcd = regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, payer, 0)),
		regtest.WithArgs("--trickleinterval=100ms"))
	btcd.Generate(101)
	payer.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	payer.ok("sync")

	c = newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.ok("wallet", "create", "--words", "12")
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	var addr struct {
		Address string `json:"address"`
	}
	c.jsonOut(&addr, "address", "new")
	c.ok("sync")

	o = startOnlineApp(t, c, btcd)
	o.waitFor(t, "Balance", "as of block 101")
	return payer, c, btcd, o, addr.Address
}
