package main

import (
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
)

// keysApp runs the real app, offline, on the wallet name of c's data
// directory at 80x24, and returns a function that types keys into it.
func keysApp(t *testing.T, c *cli, network string, net *chaincfg.Params, name string) (*teatest.TestModel, func(...string)) {
	t.Helper()
	a := &app{
		stdin:        strings.NewReader(""),
		stdout:       io.Discard,
		stderr:       io.Discard,
		getenv:       func(k string) string { return c.env[k] },
		keystoreOpts: []keystore.Option{keystore.WithKDFParams(fastKDF)},
		flags:        globalFlags{network: network, dataDir: c.dataDir, walletName: name, offline: true},
		net:          net,
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
			case "tab":
				tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
			case "shift+tab":
				tm.Send(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
			case "right":
				tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})
			case "ctrl+u":
				tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
			default:
				tm.Send(flowKeyPress(k))
			}
		}
	}
	return tm, press
}

// screenSignature reads the signature the message dialog shows, wrapped
// over the lines under its title.
func screenSignature(t *testing.T, scr string) string {
	t.Helper()
	var sig strings.Builder
	in := false
	for _, l := range strings.Split(scr, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "Signature (base64)"):
			in = true
		case in && strings.HasPrefix(l, "Give it"):
			return sig.String()
		case in:
			sig.WriteString(l)
		}
	}
	t.Fatalf("no signature on the screen:\n%s", scr)
	return ""
}

// TestAppMessageSignVerify signs in the Keys tab's message dialog with the
// abandon seed's BIP84 address on mainnet (BIP84's published vector) and
// `satchel message verify` accepts the signature; a signature made by
// `satchel message sign` verifies in the dialog, and a changed message
// does not.
func TestAppMessageSignVerify(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	if got := abandonAddress(t, &chaincfg.MainNetParams, "84h/0h/0h/0/0"); got != bip84Vector {
		t.Fatalf("the derivation gives %s, BIP84 says %s", got, bip84Vector)
	}
	const text = "I own this address"
	const other = "signed on the command line"
	// The CLI signs first: the app then holds the wallet open.
	cliSame := strings.TrimSpace(c.ok("--offline", "message", "sign", "--address", bip84Vector, text))
	cliSig := strings.TrimSpace(c.ok("--offline", "message", "sign", "--address", bip84Vector, other))
	tm, press := keysApp(t, c, "mainnet", &chaincfg.MainNetParams, "default")
	flowWaitFor(t, tm, "4 Keys")
	press("4")
	flowWaitFor(t, tm, `Wallet "default" · locked`, "x message")
	press("x")
	flowWaitFor(t, tm, `sign with an address of "default"`, bip84Vector, "receive #0", "Password")
	press("tab")
	tm.Type(text)
	press("tab")
	tm.Type("pw")
	press("enter")
	scr := flowWaitFor(t, tm, "Signature (base64)", "Give it")
	sig := screenSignature(t, scr)
	if out := c.ok("--offline", "message", "verify", "--address", bip84Vector, "--signature", sig, text); !strings.HasPrefix(out, "Valid:") {
		t.Errorf("satchel message verify printed %q", out)
	}
	c.fails("not valid", "--offline", "message", "verify", "--address", bip84Vector, "--signature", sig, text+"!")
	// The same as the CLI makes it: both sign through bip322.Sign with a
	// deterministic nonce.
	if cliSame != sig {
		t.Errorf("the app signed %s, the CLI %s", sig, cliSame)
	}

	// And the other way: the CLI's signature of another text verifies in
	// the dialog, and not for a changed message.
	press("shift+tab", "shift+tab", "shift+tab", "right", "tab", "tab", "ctrl+u")
	tm.Type(other)
	press("tab", "ctrl+u")
	tm.Type(cliSig)
	press("enter")
	flowWaitFor(t, tm, "Valid ✓ signed by "+bip84Vector)
	press("shift+tab")
	tm.Type("!")
	press("tab", "enter")
	flowWaitFor(t, tm, "Not valid: ")
}

// TestAppMultisigKeys opens the Keys tab of a watch-only 2-of-3 p2wsh
// coordinator made as cmd/satchel's multisig tests make it, beside a seed
// wallet of the first cosigner: the policy, every cosigner's fingerprint
// and origin, the one that is ours, and the descriptor with the checksum
// `wallet info` prints. The message dialog only verifies.
func TestAppMultisigKeys(t *testing.T) {
	coord := newCLI(t)
	coord.env["SATCHEL_NETWORK"] = "regtest"
	coord.env["SATCHEL_PASSWORD"] = "cold"
	var keys, fps []string
	for i, m := range cosignerMnemonics {
		s := newCLI(t)
		s.env["SATCHEL_PASSWORD"] = "cold"
		s.env["SATCHEL_NETWORK"] = "regtest"
		if i == 0 {
			s = coord // the first cosigner's seed lives beside the coordinator
			s.ok("--offline", "--wallet", "alice", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", m))
		} else {
			s.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", m))
		}
		args := []string{"--offline", "wallet", "xpub", "--bip48"}
		if i == 0 {
			args = append([]string{"--wallet", "alice"}, args...)
		}
		lines := strings.Split(strings.TrimSpace(s.ok(args...)), "\n")
		key := lines[len(lines)-1]
		if i == 0 && key != abandonBIP48Key {
			t.Fatalf("wallet xpub --bip48 = %q, want %q", key, abandonBIP48Key)
		}
		keys = append(keys, key)
		fps = append(fps, key[1:9])
	}
	desc := "wsh(sortedmulti(2," + keys[0] + "/<0;1>/*," + keys[1] + "/<0;1>/*," + keys[2] + "/<0;1>/*))"
	coord.ok("--offline", "--wallet", "vault", "wallet", "import", "--descriptor", desc)
	var info struct {
		Descriptors struct{ Receive, Change string }
	}
	coord.jsonOut(&info, "--offline", "--wallet", "vault", "wallet", "info")

	tm, press := keysApp(t, coord, "regtest", &chaincfg.RegressionNetParams, "vault")
	flowWaitFor(t, tm, "4 Keys")
	press("4")
	scr := flowWaitFor(t, tm, `Wallet "vault" · watch-only · multisig`, "2 of 3 · sortedmulti · p2wsh",
		fps[0], fps[1], fps[2], "m/48h/1h/0h/2h", `ours: wallet "alice"`)
	if strings.Contains(scr, "Xpub") {
		t.Errorf("a single-key item is shown for a multisig wallet:\n%s", scr)
	}
	// The <0;1> descriptor holds the cosigners' keys in full and a valid
	// checksum: imported elsewhere, it is the same wallet.
	var shown strings.Builder
	in := false
	for _, l := range strings.Split(scr, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "Descriptor (receive and change, <0;1>)"):
			in = true
		case in && l == "":
			in = false
		case in:
			shown.WriteString(l)
		}
	}
	d := shown.String()
	if !strings.Contains(d, "wsh(sortedmulti(2,"+keys[0]+"/<0;1>/*,") || !strings.Contains(d, keys[2]+"/<0;1>/*))#") {
		t.Fatalf("the descriptor is not shown in full: %q\n%s", d, scr)
	}
	again := newCLI(t)
	again.env["SATCHEL_NETWORK"] = "regtest"
	again.ok("--offline", "wallet", "import", "--descriptor", d)
	var info2 struct {
		Descriptors struct{ Receive, Change string }
	}
	again.jsonOut(&info2, "--offline", "wallet", "info")
	if info2.Descriptors != info.Descriptors {
		t.Errorf("the shown descriptor imports as %+v, the wallet is %+v", info2.Descriptors, info.Descriptors)
	}
	press("x")
	flowWaitFor(t, tm, "verify a signature", "only verify")
}
