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
