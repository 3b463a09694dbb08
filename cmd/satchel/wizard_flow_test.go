package main

import (
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// wizardApp runs the real app on the wizard for c's data folder, with a
// light node connected to btcd (nil: offline), at 100×30. press sends
// named keys; the app stops at the end of the test, before the wallets
// close.
func wizardApp(t *testing.T, c *cli, btcd *regtest.Node) (tm *teatest.TestModel, press func(...string), closeApp func()) {
	t.Helper()
	a := &app{
		stdin:        strings.NewReader(""),
		stdout:       io.Discard,
		stderr:       io.Discard,
		getenv:       func(k string) string { return c.env[k] },
		keystoreOpts: []keystore.Option{keystore.WithKDFParams(fastKDF)},
		flags:        globalFlags{network: "regtest", dataDir: c.dataDir, walletName: "default", v2transport: true},
		net:          &chaincfg.RegressionNetParams,
	}
	t.Cleanup(a.close)
	var node *lightnode.Node
	if btcd != nil {
		a.flags.connect = []string{btcd.P2PAddr()}
		var err error
		if node, err = a.startNode(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { node.Stop() })
	} else {
		a.flags.offline = true
	}
	conf, err := a.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var events chan any
	if node != nil {
		// As the app does: the session's scans reach the pages.
		events = make(chan any, 64)
	}
	s := newAppSession(ctx, a, node, conf, events)
	closed := false
	closeApp = func() {
		if !closed {
			closed = true
			_ = tm.Quit()
			tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
			s.close()
		}
	}
	src, err := s.sources(themeNames(nil))
	if err != nil {
		t.Fatal(err)
	}
	styles := themes.NewStyles(themes.Builtin()[0], true)
	tm = teatest.NewTestModel(t, flowModel{tuiapp.New(ctx, src, styles, tuiapp.WithInterval(0))},
		teatest.WithInitialTermSize(100, 30))
	t.Cleanup(closeApp)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), "Restore from recovery words")
	}, teatest.WithDuration(flowWait))
	press = func(keys ...string) {
		for _, k := range keys {
			tm.Send(flowKeyPress(k))
		}
	}
	return tm, press, closeApp
}

// abandonAddrOf is the receive address at index of the "abandon … about"
// seed for script type st, as the CLI derives it in a scratch wallet.
func abandonAddrOf(t *testing.T, st string, index int) string {
	t.Helper()
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "a scratch password"
	c.ok("--network", "regtest", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic), "--script-type", st)
	var list []addrEntry
	c.jsonOut(&list, "--network", "regtest", "address", "list", "--count", "5")
	return list[index].Address
}

// TestFlowWizardDiscovery restores the "abandon … about" seed in the real
// app against btcd: with a birthday between two payments, discovery over
// the light node's filters proposes exactly the two types paid after the
// birthday (taproot and nested SegWit, not the native SegWit paid before
// it), both become wallets, and the first scan of the opened one starts at
// the birthday: it holds the later taproot payment, not the earlier one.
func TestFlowWizardDiscovery(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	pay := func(coin int32, addr string) btcutil.Amount {
		tx := btcd.Payment(btcd.CoinbaseCoin(coin), 1, scriptOf(t, addr))
		btcd.SendRaw(tx)
		return btcutil.Amount(tx.TxOut[0].Value)
	}
	tr0, tr1 := abandonAddrOf(t, "p2tr", 0), abandonAddrOf(t, "p2tr", 1)
	pay(1, abandonAddrOf(t, "p2wpkh", 0))
	pay(2, tr0)
	btcd.Generate(1) // 111: before the birthday
	late := pay(3, tr1)
	pay(4, abandonAddrOf(t, "p2sh-p2wpkh", 2))
	btcd.Generate(1) // 112: the birthday
	btcd.Generate(1)

	c := newCLI(t)
	tm, press, closeApp := wizardApp(t, c, btcd)
	press("j", "enter")
	flowWaitFor(t, tm, "Restore · recovery words")
	tm.Type(abandonMnemonic + " ")
	flowWaitFor(t, tm, "12 words: checksum ok ✓")
	press("enter", "enter") // the words, no passphrase
	flowWaitFor(t, tm, "wallet birthday (optional)")
	tm.Type("9999")
	flowWaitFor(t, tm, "Block 9,999 is beyond the tip of the chain (113)")
	for range 4 {
		press("backspace")
	}
	tm.Type("112")
	flowWaitFor(t, tm, "The scan starts at block 112.")
	press("enter")
	flowWaitFor(t, tm, "Find the types I used", "from the birthday")
	press("k", "enter")
	scr := flowWaitFor(t, tm, "Restore · the types you used", "2 types have payments",
		"[x] Taproot p2tr (BIP86)", "→ wallet default",
		"[x] Nested SegWit p2sh-p2wpkh (BIP49)", "→ wallet default-p2sh-p2wpkh",
		"[ ] Native SegWit p2wpkh (BIP84)")
	if strings.Count(scr, "first in block 112") != 2 {
		t.Errorf("the two types are not shown paid in block 112:\n%s", scr)
	}
	press("enter")
	flowWaitFor(t, tm, "Restore · wallet password")
	tm.Type("correct horse battery")
	press("enter")
	tm.Type("correct horse battery")
	press("enter")
	// The opened wallet is the taproot one, scanned from its birthday.
	flowWaitFor(t, tm, "Balance", amount.FormatBTC(late), "as of block 113")
	closeApp()

	var wi struct {
		walletInfo
		Birthday *int32 `json:"birthday_height"`
	}
	c.jsonOut(&wi, "--network", "regtest", "wallet", "info")
	if wi.ScriptType != "p2tr" || wi.Birthday == nil || *wi.Birthday != 112 {
		t.Errorf("wallet default: %s, birthday %v; want p2tr from 112", wi.ScriptType, wi.Birthday)
	}
	c.jsonOut(&wi, "--network", "regtest", "--wallet", "default-p2sh-p2wpkh", "wallet", "info")
	if wi.ScriptType != "p2sh-p2wpkh" || wi.Birthday == nil || *wi.Birthday != 112 {
		t.Errorf("wallet default-p2sh-p2wpkh: %s, birthday %v; want p2sh-p2wpkh from 112", wi.ScriptType, wi.Birthday)
	}
	var hist []struct {
		Height int32 `json:"height"`
		Amount int64 `json:"amount"`
	}
	c.env["SATCHEL_PASSWORD"] = "correct horse battery"
	c.jsonOut(&hist, "--network", "regtest", "--offline", "history")
	if len(hist) != 1 || hist[0].Height != 112 || hist[0].Amount != int64(late) {
		t.Errorf("history of the taproot wallet %+v; want only the payment of block 112 (%d sat), not the one before the birthday (%s)",
			hist, late, tr0)
	}
}

// TestFlowWizardMultisig imports a 2-of-3 multisig descriptor through the
// wizard of the real (offline) app and checks that the wallet is the one
// `satchel wallet import --descriptor` makes: same descriptors, same first
// receive address.
func TestFlowWizardMultisig(t *testing.T) {
	var keys []string
	for _, words := range []string{abandonMnemonic,
		"legal winner thank year wave sausage worth useful legal winner thank yellow",
		"letter advice cage absurd amount doctor acoustic avoid letter advice cage above"} {
		k := newCLI(t)
		k.env["SATCHEL_PASSWORD"] = "a cosigner password"
		k.ok("--network", "regtest", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", words))
		out := strings.TrimSpace(k.ok("--network", "regtest", "wallet", "xpub", "--bip48"))
		keys = append(keys, out[strings.LastIndex(out, "\n")+1:])
	}
	desc := "wsh(sortedmulti(2," + keys[0] + "/<0;1>/*," + keys[1] + "/<0;1>/*," + keys[2] + "/<0;1>/*))"

	cliWallet := newCLI(t)
	cliWallet.ok("--network", "regtest", "wallet", "import", "--descriptor", desc)

	c := newCLI(t)
	tm, press, closeApp := wizardApp(t, c, nil)
	press("j", "j", "j", "enter")
	flowWaitFor(t, tm, "Multisig · import a descriptor")
	tm.Send(pasteMsg(desc))
	flowWaitFor(t, tm, "✓ 2-of-3 multisig, native SegWit p2wsh, sortedmulti", "Cosigner 1 [73c5da0a/48h/1h/0h/2h]",
		"Cosigner 3")
	press("enter")
	flowWaitFor(t, tm, "Multisig · wallet birthday (optional)")
	press("enter")
	// Offline, the app opens the new wallet on its PSBT page.
	flowWaitFor(t, tm, "offline · watch-only")
	closeApp()

	var got, want walletInfo
	c.jsonOut(&got, "--network", "regtest", "wallet", "info")
	cliWallet.jsonOut(&want, "--network", "regtest", "wallet", "info")
	if got.Descriptors != want.Descriptors || !got.WatchOnly {
		t.Errorf("the wizard's wallet %+v; the CLI's %+v", got.Descriptors, want.Descriptors)
	}
	var a, b []addrEntry
	c.jsonOut(&a, "--network", "regtest", "address", "list", "--count", "1")
	cliWallet.jsonOut(&b, "--network", "regtest", "address", "list", "--count", "1")
	if len(a) != 1 || len(b) != 1 || a[0].Address != b[0].Address || !strings.HasPrefix(a[0].Address, "bcrt1q") {
		t.Fatalf("first receive address: wizard %+v, CLI %+v", a, b)
	}
}

// pasteMsg is text pasted into the terminal.
func pasteMsg(s string) tea.Msg { return tea.PasteMsg{Content: s} }

// TestRestoreDiscover is `wallet restore --discover` against btcd: the
// types paid after the birthday become wallets, the first under --wallet.
func TestRestoreDiscover(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	for i, addr := range []string{abandonAddrOf(t, "p2wpkh", 0), abandonAddrOf(t, "p2tr", 1), abandonAddrOf(t, "p2sh-p2wpkh", 0)} {
		btcd.SendRaw(btcd.Payment(btcd.CoinbaseCoin(int32(i+1)), 1, scriptOf(t, addr)))
		if i == 0 {
			btcd.Generate(1) // 111, before the birthday
		}
	}
	btcd.Generate(1) // 112

	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "correct horse battery"
	words := writeFile(t, "w", abandonMnemonic)
	c.fails("either --discover or --script-type", "--network", "regtest", "wallet", "restore", "--mnemonic-file", words,
		"--discover", "--script-type", "p2tr")
	c.fails("needs the network", "--network", "regtest", "--offline", "wallet", "restore", "--mnemonic-file", words, "--discover")

	var made []walletInfo
	c.jsonOut(&made, "--network", "regtest", "--connect", btcd.P2PAddr(), "wallet", "restore", "--mnemonic-file", words,
		"--discover", "--birthday", "112")
	if len(made) != 2 || made[0].Name != "default" || made[0].ScriptType != "p2tr" ||
		made[1].Name != "default-p2sh-p2wpkh" || made[1].ScriptType != "p2sh-p2wpkh" {
		t.Fatalf("restored %+v; want default (p2tr) and default-p2sh-p2wpkh", made)
	}
	r := c.run("--network", "regtest", "--connect", btcd.P2PAddr(), "--wallet", "other", "wallet", "restore",
		"--mnemonic-file", words, "--discover", "--birthday", "113")
	if r.err == nil || !strings.Contains(r.err.Error(), "no payments were found") {
		t.Fatalf("a birthday after every payment: %v", r.err)
	}
}
