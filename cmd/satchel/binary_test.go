package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinary builds the real satchel binary with a version injected the way
// the Makefile and goreleaser do.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "satchel")
	cmd := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X main.version=v9.9.9-test -X main.commit=0123456789abcdef0123", ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs the binary with stdin not a terminal and a clean
// environment, and fails the test if it hangs.
func runBinary(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	cmd.Stdin = strings.NewReader("")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("satchel %v hung", args)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()

	out, _, code := runBinary(t, bin, nil, "version")
	if code != 0 || !strings.Contains(out, "v9.9.9-test") || !strings.Contains(out, "0123456789ab") {
		t.Fatalf("version: exit %d, %q", code, out)
	}

	// The interactive app needs a terminal: without one, a clear error.
	_, errOut, code := runBinary(t, bin, nil, "--datadir", data, "--network", "regtest")
	if code == 0 || !strings.Contains(errOut, "needs a terminal") {
		t.Fatalf("satchel without a terminal: exit %d, stderr %q", code, errOut)
	}

	// No password source and stdin not a terminal: one clear line, exit 1,
	// and no wallet left behind.
	_, errOut, code = runBinary(t, bin, nil, "--datadir", data, "--network", "regtest", "wallet", "create")
	if code == 0 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "password is needed") {
		t.Fatalf("create without password: exit %d, stderr %q", code, errOut)
	}
	mustNotExist(t, filepath.Join(data, "regtest", "wallets", "default.db"))

	// With the production KDF parameters.
	env := []string{"SATCHEL_PASSWORD=pw", "SATCHEL_DATADIR=" + data, "SATCHEL_NETWORK=regtest"}
	if _, errOut, code = runBinary(t, bin, env, "wallet", "create"); code != 0 {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	out, _, _ = runBinary(t, bin, env, "--json", "wallet", "info")
	var info struct {
		Encryption struct {
			KDF       string `json:"kdf"`
			MemoryKiB uint32 `json:"memory_kib"`
			Time      uint32 `json:"time"`
			Threads   uint8  `json:"threads"`
		} `json:"encryption"`
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("wallet info --json: %v: %q", err, out)
	}
	if e := info.Encryption; e.KDF != "argon2id" || e.MemoryKiB != 256*1024 || e.Time != 3 || e.Threads != 4 {
		t.Fatalf("production KDF parameters are %+v; want argon2id 256 MiB, t=3, p=4", e)
	}
	_, errOut, code = runBinary(t, bin, []string{"SATCHEL_PASSWORD=nope", "SATCHEL_DATADIR=" + data, "SATCHEL_NETWORK=regtest"}, "wallet", "show-mnemonic")
	if code == 0 || errOut != "satchel: wrong password\n" {
		t.Fatalf("wrong password: exit %d, stderr %q", code, errOut)
	}
}
