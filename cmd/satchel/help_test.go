package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
)

// renderHelp returns `satchel ARGS... --help` as fang prints it to a pipe
// (no colour), with trailing spaces removed.
func renderHelp(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	root := newRootCommand(a)
	root.SetArgs(append(args, "--help"))
	if err := fang.Execute(context.Background(), root, fang.WithoutManpage(), fang.WithErrorHandler(a.errorHandler)); err != nil {
		t.Fatalf("satchel %s --help: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	var b strings.Builder
	for line := range strings.Lines(out.String()) {
		b.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	return b.String()
}

// allCommandPaths lists every visible command below the root, as the words
// a user types (["wallet", "create"], ...).
func allCommandPaths() [][]string {
	a := &app{stdin: strings.NewReader(""), getenv: func(string) string { return "" }}
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			p := append(append([]string{}, path...), sub.Name())
			paths = append(paths, p)
			walk(sub, p)
		}
	}
	walk(newRootCommand(a), nil)
	return paths
}

// helpFlags maps each flag in a help's FLAGS section to its description.
func helpFlags(help string) map[string]string {
	_, section, _ := strings.Cut(help, "\n  FLAGS\n")
	flags := map[string]string{}
	for line := range strings.Lines(section) {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		name, desc := fields[0], strings.Join(fields[1:], " ")
		if name == "-h" || name == "-v" {
			name, desc = fields[1], strings.Join(fields[2:], " ")
		}
		flags[name] = desc
	}
	return flags
}

// The root help tells a newcomer that satchel alone opens the app and how
// to learn about a command; its command list stays narrow.
func TestHelpRoot(t *testing.T) {
	help := renderHelp(t)
	for _, want := range []string{
		"Run satchel with no command to open the interactive app",
		"Wallet,\n  Explorer, Node, Keys and Settings tabs",
		"'satchel COMMAND --help'",
		"SATCHEL_PASSWORD",
		"WALLET COMMANDS", "PAYMENT COMMANDS", "CHAIN AND NETWORK COMMANDS",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("satchel --help lacks %q:\n%s", want, help)
		}
	}
	// Every command row starts at the same column; a usage line with its
	// flags in it (utxos [--freeze ...]) would push that column far right.
	row := regexp.MustCompile(`(?m)^    (\S+(?: \S+)*?)( {2,})\S`)
	for _, m := range row.FindAllStringSubmatch(help, -1) {
		if key := m[1]; len(key)+len(m[2]) > 32 {
			t.Errorf("%q makes the command list %d columns wide; want at most 32", key, len(key)+len(m[2]))
		}
	}
	for _, cmd := range []string{"utxos", "send", "bump", "psbt"} {
		if strings.Contains(help, "    "+cmd+" --") {
			t.Errorf("the %s row shows flags in its usage:\n%s", cmd, help)
		}
	}
}

// Every flag's help reads well once fang capitalises its first word and
// appends the default: values such as mainnet or p2wpkh keep their case,
// a default is never doubled, and shared flags say the same everywhere.
func TestHelpFlags(t *testing.T) {
	peerTimeout := map[string][]string{}
	doubled := regexp.MustCompile(`\([^()]*\) \([^()]*\)$`)
	for _, path := range append([][]string{nil}, allCommandPaths()...) {
		name := strings.Join(append([]string{"satchel"}, path...), " ")
		flags := helpFlags(renderHelp(t, path...))
		if len(flags) == 0 {
			t.Errorf("%s --help shows no flags", name)
		}
		for flag, desc := range flags {
			if doubled.MatchString(desc) {
				t.Errorf("%s %s: %q ends in two bracketed notes", name, flag, desc)
			}
		}
		if got := flags["--network"]; !strings.Contains(got, "mainnet, testnet, testnet4, signet or regtest") {
			t.Errorf("%s --network: %q; want the network names in lower case", name, got)
		}
		if got := flags["--wallet"]; !strings.HasSuffix(got, `("default")`) {
			t.Errorf("%s --wallet: %q; want the default wallet's name quoted", name, got)
		}
		if got, ok := flags["--script-type"]; ok && !strings.Contains(got, "p2wpkh, p2tr, p2sh-p2wpkh or p2pkh (p2wpkh)") &&
			!strings.Contains(got, "p2wsh or p2sh-p2wsh (p2wsh)") {
			t.Errorf("%s --script-type: %q; want the script types in lower case", name, got)
		}
		if got, ok := flags["--fee-rate"]; ok && !strings.Contains(got, "(required)") {
			t.Errorf("%s --fee-rate: %q; want it marked (required)", name, got)
		}
		for _, f := range []string{"--birthday", "--from"} {
			if got, ok := flags[f]; ok && (strings.Contains(got, "default:") || !strings.Contains(got, "-1 scans from")) {
				t.Errorf("%s %s: %q; want what -1 means, once", name, f, got)
			}
		}
		if got, ok := flags["--peer-timeout"]; ok {
			text, _, _ := strings.Cut(got, " (")
			peerTimeout[text] = append(peerTimeout[text], name)
		}
	}
	if len(peerTimeout) != 1 {
		t.Errorf("--peer-timeout is described %d ways: %v", len(peerTimeout), peerTimeout)
	}
}

// The commands whose help was unclear say what they do.
func TestHelpCommands(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"sync"}, []string{"headers", "block filters", "wallet: if the --wallet wallet exists", "scan"}},
		{[]string{"history"}, []string{"newest\n  first", `marked "unconf."`, "Works offline; no password needed."}},
		{[]string{"utxos"}, []string{"satchel utxos [--flags]", "--freeze"}},
		{[]string{"wallet"}, []string{
			"List the wallets on the chosen --network",
			"Show the recovery words (asks for the password)",
		}},
		{[]string{"psbt"}, []string{"satchel --offline psbt sign tx.psbt --out signed.psbt"}},
	} {
		help := renderHelp(t, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(help, w) {
				t.Errorf("satchel %s --help lacks %q:\n%s", strings.Join(tc.args, " "), w, help)
			}
		}
	}
}
