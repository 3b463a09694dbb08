package main

import (
	"strings"
	"testing"
)

// `satchel completion SHELL` prints a script that registers completion for
// the satchel command, and the completions the scripts ask satchel for
// (`satchel __complete ...`) name its commands.
func TestCompletion(t *testing.T) {
	c := newCLI(t)
	for shell, registers := range map[string]string{
		"bash": "complete -o default -F __start_satchel satchel",
		"zsh":  "#compdef satchel",
		"fish": "complete -c satchel",
	} {
		t.Run(shell, func(t *testing.T) {
			out := c.sub(t).ok("completion", shell)
			if !strings.Contains(out, registers) {
				t.Errorf("the %s script (%d bytes) does not register completion for satchel (%q):\n%.300s",
					shell, len(out), registers, out)
			}
		})
	}

	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"wal"}, []string{"wallet"}},
		{[]string{""}, []string{"wallet", "send", "sync", "history", "psbt", "completion"}},
		{[]string{"wallet", ""}, []string{"create", "restore", "import", "show-mnemonic"}},
		{[]string{"psbt", "s"}, []string{"sign"}},
	} {
		out := c.ok(append([]string{"__complete"}, tc.args...)...)
		var got []string
		for line := range strings.Lines(out) {
			if name, _, _ := strings.Cut(strings.TrimSpace(line), "\t"); name != "" && !strings.HasPrefix(name, ":") {
				got = append(got, name)
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
				t.Errorf("completing %q offers %q; want %q among them", tc.args, got, w)
			}
		}
	}
}

// Completing a flag's value offers its fixed values where it has them,
// folders for --datadir, file names only where a file is expected, and
// never file names for numbers, durations or coins.
func TestCompletionFlagValues(t *testing.T) {
	c := newCLI(t)
	networks := []string{"mainnet", "testnet", "testnet4", "signet", "regtest"}
	scripts := []string{"p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh"}
	const noFiles, dirs, files = ":4", ":16", ":0"
	for _, tc := range []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"--network", ""}, networks, noFiles},
		{[]string{"sync", "--network", ""}, networks, noFiles},
		{[]string{"wallet", "create", "--network", ""}, networks, noFiles},
		{[]string{"wallet", "create", "--script-type", ""}, scripts, noFiles},
		{[]string{"wallet", "restore", "--script-type", ""}, scripts, noFiles},
		{[]string{"wallet", "import", "--script-type", ""}, scripts, noFiles},
		{[]string{"wallet", "create", "--words", ""}, []string{"12", "24"}, noFiles},
		{[]string{"send", "--fee-rate", ""}, nil, noFiles},
		{[]string{"sync", "--peer-timeout", ""}, nil, noFiles},
		{[]string{"balance", ""}, nil, noFiles},
		{[]string{"tx", ""}, nil, noFiles},
		{[]string{"--datadir", ""}, nil, dirs},
		{[]string{"--password-file", ""}, nil, files},
		{[]string{"psbt", "sign", "--out", ""}, nil, files},
		{[]string{"psbt", "decode", ""}, nil, files},
	} {
		out := c.ok(append([]string{"__complete"}, tc.args...)...)
		var got []string
		directive := ""
		for line := range strings.Lines(out) {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, ":") {
				directive = line
			} else if line != "" {
				got = append(got, line)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") || directive != tc.directive {
			t.Errorf("completing %q offers %q with directive %s; want %q with %s",
				tc.args, got, directive, tc.want, tc.directive)
		}
	}
}
