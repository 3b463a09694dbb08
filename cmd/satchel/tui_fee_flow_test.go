package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
)

// TestFlowSettingsFeeRateReachesSend changes the default fee rate on the
// real Settings tab of the real app and opens the send form again: the new
// rate fills it, though the form was opened before with the old one, while
// a rate the user typed stays. Saving writes config.toml, and without a
// node the form says it has no fee suggestions instead of waiting for them.
func TestFlowSettingsFeeRateReachesSend(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	a := &app{
		stdin:        strings.NewReader(""),
		stdout:       io.Discard,
		stderr:       io.Discard,
		getenv:       func(k string) string { return c.env[k] },
		keystoreOpts: []keystore.Option{keystore.WithKDFParams(fastKDF)},
		flags:        globalFlags{network: "regtest", dataDir: c.dataDir, walletName: "default"},
		net:          &chaincfg.RegressionNetParams,
	}
	t.Cleanup(a.close)
	conf, err := a.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := newAppSession(ctx, a, nil, conf, nil)
	t.Cleanup(s.close)
	src, err := s.sources(themeNames(nil))
	if err != nil {
		t.Fatal(err)
	}
	if src.Wallet == nil || src.Settings == nil {
		t.Fatal("the app opened without the wallet or the Settings tab")
	}
	styles := themes.NewStyles(themes.Builtin()[0], true)
	tm := teatest.NewTestModel(t, flowModel{tuiapp.New(ctx, src, styles, tuiapp.WithInterval(0))},
		teatest.WithInitialTermSize(80, 24))
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(flowWait))
	})
	press := func(keys ...string) {
		for _, k := range keys {
			switch k {
			case "esc":
				tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
			case "backspace":
				tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
			case "ctrl+u":
				tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
			case "tab":
				tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
			default:
				tm.Send(flowKeyPress(k))
			}
		}
	}
	// setFee types rate into the Settings tab's fee rate row and saves it.
	setFee := func(rate string) {
		t.Helper()
		press("5")
		flowWaitFor(t, tm, "Fee rate")
		press("g", "j", "j", "enter", "ctrl+u")
		tm.Type(rate)
		press("enter")
		flowWaitFor(t, tm, "Saved to config.toml.", "Fee rate "+rate+" sat/vB")
		press("1")
	}

	flowWaitFor(t, tm, "Balance")
	press("s")
	scr := flowWaitFor(t, tm, "Fee rate (sat/vB)", "the default is 2")
	if !strings.Contains(scr, "> 2") {
		t.Errorf("the fee field does not hold the default 2:\n%s", scr)
	}
	flowWaitFor(t, tm, "No suggestions: the app runs without a node, so it cannot read recent blocks.")
	press("esc")
	flowWaitFor(t, tm, "Balance")

	setFee("7")
	press("s")
	scr = flowWaitFor(t, tm, "Fee rate (sat/vB)", "the default is 7")
	if !strings.Contains(scr, "> 7") || strings.Contains(scr, "> 2") {
		t.Errorf("the send form opened after the change does not hold 7:\n%s", scr)
	}
	if conf := readConfigFile(t, c); !strings.Contains(conf, "fee_rate = 7.0") {
		t.Errorf("config.toml does not hold the rate:\n%s", conf)
	}

	// A rate typed on the form is the user's: a new default leaves it.
	press("tab", "tab", "ctrl+u")
	tm.Type("12")
	press("esc")
	flowWaitFor(t, tm, "Balance")
	setFee("9")
	press("s")
	scr = flowWaitFor(t, tm, "Fee rate (sat/vB)", "the default is 9")
	if !strings.Contains(scr, "> 12") {
		t.Errorf("the typed rate 12 was replaced:\n%s", scr)
	}
}

// readConfigFile returns c's config.toml.
func readConfigFile(t *testing.T, c *cli) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.env["XDG_CONFIG_HOME"], "satchel", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
