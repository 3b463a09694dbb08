package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/fang/v2"

	"github.com/satchelbtc/satchel/keystore"
)

// abandonMnemonic is the BIP39 all-zero-entropy phrase used by many vectors.
const abandonMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// fastKDF keeps tests quick; production uses keystore.DefaultKDFParams.
var fastKDF = keystore.KDFParams{Memory: 64, Time: 1, Threads: 1}

// cli runs satchel commands in-process against one data directory.
type cli struct {
	t       *testing.T
	dataDir string
	env     map[string]string
	term    *fakeTerm
	stdin   string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, dataDir: t.TempDir(), env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()}}
}

// sub returns a copy of c that reports failures to the subtest t.
func (c *cli) sub(t *testing.T) *cli {
	cc := *c
	cc.t = t
	return &cc
}

// result is what one command printed and returned.
type result struct {
	stdout, stderr string
	err            error
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	a := &app{
		stdin:        strings.NewReader(c.stdin),
		stdout:       &out,
		stderr:       &errOut,
		getenv:       func(k string) string { return c.env[k] },
		keystoreOpts: []keystore.Option{keystore.WithKDFParams(fastKDF)},
	}
	if c.term != nil {
		a.term = c.term
	}
	root := newRootCommand(a)
	root.SetArgs(append([]string{"--datadir", c.dataDir}, args...))
	err := root.ExecuteContext(context.Background())
	if err != nil {
		a.errorHandler(&errOut, fang.Styles{}, err)
	}
	a.close()
	return result{out.String(), errOut.String(), err}
}

// ok runs a command that must succeed.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.err != nil {
		c.t.Fatalf("satchel %s: %v\nstderr: %s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must fail with an error containing want, printed
// as exactly one line on stderr.
func (c *cli) fails(want string, args ...string) {
	c.t.Helper()
	r := c.run(args...)
	if r.err == nil {
		c.t.Fatalf("satchel %s succeeded; want error %q\nstdout: %s", strings.Join(args, " "), want, r.stdout)
	}
	if !strings.Contains(r.err.Error(), want) {
		c.t.Fatalf("satchel %s: error %q; want it to contain %q", strings.Join(args, " "), r.err, want)
	}
	if lines := strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") + 1; lines != 1 {
		c.t.Fatalf("stderr has %d lines, want 1: %q", lines, r.stderr)
	}
}

// jsonOut runs a command with --json and decodes its output into v.
func (c *cli) jsonOut(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append([]string{"--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("satchel --json %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func jsonDecode(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// writeFile writes a file in a fresh temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// walletFile is where the named wallet lives on a network.
func (c *cli) walletFile(network, name string) string {
	return filepath.Join(c.dataDir, network, "wallets", name+".db")
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s exists (err %v); want no file", path, err)
	}
}

// fakeTerm answers prompts from a script.
type fakeTerm struct {
	answers []string
	prompts []string
	// echoed are the prompts read with echo (ReadLine).
	echoed []string
}

func (f *fakeTerm) next(prompt string) (string, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.answers) == 0 {
		return "", errors.New("unexpected prompt " + prompt)
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

func (f *fakeTerm) ReadPassword(prompt string) ([]byte, error) {
	s, err := f.next(prompt)
	return []byte(s), err
}

func (f *fakeTerm) ReadLine(prompt string) (string, error) {
	f.echoed = append(f.echoed, prompt)
	return f.next(prompt)
}
