package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// With --json an error is one JSON object on stderr, {"error": ..., "code":
// ...}, nothing on stdout, and the exit code of the plain form; without,
// the same error is the one line it always was.
func TestBinaryJSONErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	env := []string{"SATCHEL_DATADIR=" + data, "SATCHEL_NETWORK=regtest", "XDG_CONFIG_HOME=" + t.TempDir()}

	tests := []struct {
		name string
		env  []string
		args []string
		code string
		says string
	}{
		{"no wallet", nil, []string{"balance"}, "no_wallet", `no wallet named "default" on regtest: create one with`},
		{"bad address", nil, []string{"send", "--to", "bc1qnotanaddress", "--amount", "1", "--fee-rate", "2"}, "", "bc1qnotanaddress"},
		{"usage", nil, []string{"balance", "--bogus"}, "usage", "unknown flag: --bogus (see --help)"},
		{"no password", nil, []string{"wallet", "create"}, "password_needed", "a password is needed"},
		{"wrong password", []string{"SATCHEL_PASSWORD=nope"}, []string{"wallet", "show-mnemonic"}, "wrong_password", "wrong password"},
	}
	for _, tt := range tests {
		if tt.name == "wrong password" {
			if _, errOut, code := runBinary(t, bin, append(env, "SATCHEL_PASSWORD=pw"), "wallet", "create"); code != 0 {
				t.Fatalf("create: exit %d: %s", code, errOut)
			}
		}
		t.Run(tt.name, func(t *testing.T) {
			e := append(append([]string{}, env...), tt.env...)
			_, plain, plainCode := runBinary(t, bin, e, tt.args...)
			out, errOut, code := runBinary(t, bin, e, append([]string{"--json"}, tt.args...)...)
			if code == 0 || code != plainCode {
				t.Fatalf("exit %d with --json, %d without", code, plainCode)
			}
			if out != "" || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("stdout %q, stderr %q; want nothing on stdout and one line on stderr", out, errOut)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(errOut), &got); err != nil {
				t.Fatalf("stderr is not JSON: %v: %q", err, errOut)
			}
			msg, _ := got["error"].(string)
			if !strings.Contains(msg, tt.says) || plain != "satchel: "+msg+"\n" {
				t.Fatalf("error %q; want it to contain %q and to match the plain form %q", msg, tt.says, plain)
			}
			if c, _ := got["code"].(string); c != tt.code {
				t.Fatalf("code %q; want %q (%s)", c, tt.code, errOut)
			}
			// SATCHEL_JSON=1 is --json too, even for a usage error.
			_, viaEnv, _ := runBinary(t, bin, append(e, "SATCHEL_JSON=1"), tt.args...)
			if viaEnv != errOut {
				t.Fatalf("with SATCHEL_JSON=1: %q; with --json: %q", viaEnv, errOut)
			}
		})
	}
}

// Help printed to a pipe has no padding at the ends of its lines, and its
// text is all there.
func TestBinaryHelpInAPipe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, args := range [][]string{{"--help"}, {"history", "--help"}, {"help", "send"}, {"psbt"}} {
		out, errOut, code := runBinary(t, bin, nil, args...)
		if code != 0 || out == "" {
			t.Fatalf("satchel %v: exit %d: %s", args, code, errOut)
		}
		for i, line := range strings.Split(out, "\n") {
			if strings.TrimRight(line, " \t") != line {
				t.Fatalf("satchel %v: line %d ends in spaces: %q", args, i+1, line)
			}
		}
		if !strings.Contains(out, "USAGE") || !strings.Contains(out, "  --json") && args[0] != "psbt" {
			t.Fatalf("satchel %v lost text:\n%s", args, out)
		}
	}
	// A completion script passes through as it is.
	out, _, code := runBinary(t, bin, nil, "completion", "bash")
	if code != 0 || !strings.Contains(out, "__satchel_") {
		t.Fatalf("completion bash: exit %d: %.200s", code, out)
	}
}
