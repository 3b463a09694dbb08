package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/tyler-smith/go-bip39"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
)

// flowWait bounds every wait for the app's screen; a restore with the fast
// KDF takes milliseconds, so only a broken flow comes near it.
const flowWait = 15 * time.Second

// flowSnapshot asks flowModel for the screen as the app draws it now.
type flowSnapshot struct{ reply chan<- string }

// flowModel wraps the app so that the test reads its view on the
// program's goroutine: free of data races, and whole, where the output
// stream holds only the cells each frame changed.
type flowModel struct{ m *tuiapp.Model }

func (f flowModel) Init() tea.Cmd { return f.m.Init() }

func (f flowModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s, ok := msg.(flowSnapshot); ok {
		s.reply <- ansi.Strip(f.m.View().Content)
		return f, nil
	}
	_, cmd := f.m.Update(msg)
	return f, cmd
}

func (f flowModel) View() tea.View { return f.m.View() }

// flowScreen returns what the app draws after every message sent so far.
func flowScreen(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	reply := make(chan string, 1)
	tm.Send(flowSnapshot{reply: reply})
	select {
	case s := <-reply:
		return s
	case <-time.After(flowWait):
		t.Fatal("the app did not answer: it has stopped or hangs")
		return ""
	}
}

// flowWaitFor waits until the screen shows every one of want, which may be
// wrapped over lines, and returns that screen.
func flowWaitFor(t *testing.T, tm *teatest.TestModel, want ...string) string {
	t.Helper()
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	var s string
	deadline := time.Now().Add(flowWait)
	for {
		s = flowScreen(t, tm)
		missing := ""
		for _, w := range want {
			if !strings.Contains(flat(s), flat(w)) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q:\n%s", missing, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// flowKeyPress is a named key as the terminal reports it.
func flowKeyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// bip84Vector is BIP84's first receive address of abandonMnemonic, on
// mainnet (m/84h/0h/0h/0/0).
const bip84Vector = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"

// abandonAddress derives the P2WPKH address at path of abandonMnemonic on
// net with btcd's BIP32 code alone, so that the expected address does not
// come from the code under test.
func abandonAddress(t *testing.T, net *chaincfg.Params, path string) string {
	t.Helper()
	master, err := hdkeychain.NewMaster(bip39.NewSeed(abandonMnemonic, ""), net)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := derivePath(t, master, path).ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	a, err := address.NewAddressWitnessPubKeyHash(address.Hash160(pub.SerializeCompressed()), net)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress()
}

// abandonFirstAddress is the wallet's first receive address on regtest:
// BIP84 with coin type 1, as on every network but mainnet.
func abandonFirstAddress(t *testing.T) string {
	t.Helper()
	if got := abandonAddress(t, &chaincfg.MainNetParams, "84h/0h/0h/0/0"); got != bip84Vector {
		t.Fatalf("the derivation gives %s on mainnet, BIP84 says %s", got, bip84Vector)
	}
	return abandonAddress(t, &chaincfg.RegressionNetParams, "84h/1h/0h/0/0")
}

// TestFlowRestoreWizard restores the "abandon … about" wallet through the
// first-run wizard of the real app on regtest, as a person at a 100×30
// terminal would, then opens the receive page of the new wallet.
func TestFlowRestoreWizard(t *testing.T) {
	want := abandonFirstAddress(t)
	c := newCLI(t)
	a := &app{
		stdin:        strings.NewReader(""),
		stdout:       io.Discard,
		stderr:       io.Discard,
		getenv:       func(k string) string { return c.env[k] },
		keystoreOpts: []keystore.Option{keystore.WithKDFParams(fastKDF)},
		flags:        globalFlags{network: "regtest", dataDir: c.dataDir, walletName: "default"},
		net:          &chaincfg.RegressionNetParams,
	}
	// Cleanups run last first: the app stops, then the wallet closes.
	t.Cleanup(a.close)
	conf, err := a.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := newAppSession(ctx, a, nil, conf, nil)
	closed := false
	closeSession := func() {
		if !closed {
			closed = true
			s.close()
		}
	}
	t.Cleanup(closeSession)
	src, err := s.sources(themeNames(nil))
	if err != nil {
		t.Fatal(err)
	}
	if src.Wallet != nil || src.Wizard == nil {
		t.Fatal("the app does not open on the wizard without a wallet")
	}
	styles := themes.NewStyles(themes.Builtin()[0], true)
	tm := teatest.NewTestModel(t, flowModel{tuiapp.New(ctx, src, styles, tuiapp.WithInterval(0))},
		teatest.WithInitialTermSize(100, 30))
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	})
	press := func(keys ...string) {
		for _, k := range keys {
			tm.Send(flowKeyPress(k))
		}
	}

	// The output stream is an ANSI stream; the wizard's first screen is
	// drawn whole, so its title is found in it as typed.
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), "Restore from recovery words")
	}, teatest.WithDuration(flowWait))

	press("j", "enter") // restore
	flowWaitFor(t, tm, "Restore · recovery words", "Word 1")
	for _, w := range strings.Fields(abandonMnemonic) {
		tm.Type(w + " ")
	}
	scr := flowWaitFor(t, tm, "12 words: checksum ok ✓")
	if !strings.Contains(scr, "about") {
		t.Errorf("the typed words are not shown:\n%s", scr)
	}
	press("enter") // on the empty field: on to the passphrase
	flowWaitFor(t, tm, "Restore · passphrase (optional)")
	press("enter") // no passphrase
	flowWaitFor(t, tm, "Restore · wallet birthday (optional)")
	press("enter") // no birthday
	flowWaitFor(t, tm, "Find the types I used", "Needs the network")
	press("enter") // the default script type
	flowWaitFor(t, tm, "Restore · wallet password")
	tm.Type("correct horse")
	press("enter")
	tm.Type("correct horse")
	press("enter")

	scr = flowWaitFor(t, tm, "Balance")
	if strings.Contains(scr, "Could not") {
		t.Fatalf("writing the wallet failed:\n%s", scr)
	}
	path := c.walletFile("regtest", "default")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the wizard wrote no wallet file: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("the wallet file has mode %o, want 600", perm)
	}

	press("r")
	flowWaitFor(t, tm, "Receive address #0", want, "bitcoin:"+want)

	press("ctrl+c")
	final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(flowWait)).(flowModel)
	if !ok {
		t.Fatal("the program ended with another model")
	}
	if v := ansi.Strip(final.m.View().Content); !strings.Contains(v, want) {
		t.Errorf("the last screen does not show %s:\n%s", want, v)
	}

	// With the app closed, the wallet file is the restored wallet.
	closeSession()
	var wi walletInfo
	c.jsonOut(&wi, "--network", "regtest", "wallet", "info")
	if wi.Fingerprint != "73c5da0a" || wi.ScriptType != "p2wpkh" || wi.WatchOnly {
		t.Errorf("wallet info %+v; want fingerprint 73c5da0a, p2wpkh, with keys", wi)
	}
	var list []addrEntry
	c.jsonOut(&list, "--network", "regtest", "address", "list", "--count", "1")
	if len(list) != 1 || list[0].Address != want {
		t.Errorf("address list %+v; want %s first", list, want)
	}
}
