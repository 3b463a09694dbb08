package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/satchelbtc/satchel/internal/regtest"
)

const (
	// DemoWallet is the wallet the demo opens: paid by the miner, with
	// confirmed and unconfirmed history.
	DemoWallet = "demo"
	// MinerWallet owns the coinbases and pays the demo wallet.
	MinerWallet = "miner"
	// Password unlocks both wallets. It is shown to the user and lives in
	// the demo's folder as a password file (SATCHEL_PASSWORD_FILE).
	Password = "demo"
	// Blocks is how many blocks are mined to the miner before the first
	// payment: enough for 200 mature coinbases, and blocks from both sides
	// of regtest's first halving (every 150 blocks).
	Blocks = 300
	// blockSpacing is the time between the first Blocks blocks, which end
	// at the current time: two days of history in the explorer.
	blockSpacing = 10 * time.Minute
	// miningAddresses is how many of the miner's addresses the first
	// Blocks blocks pay in turn, and btcd mines to later (picking one at
	// random per block).
	miningAddresses = 4
	// slowBuild is how long finding btcd may take before the user is told
	// that it is being built.
	slowBuild = time.Second
	// stopGrace is how long a satchel process has to exit after SIGTERM
	// (the TUI restores the terminal) before it is killed.
	stopGrace = 5 * time.Second
)

// module is the module path of the repository that holds cmd/satchel.
const module = "github.com/satchelbtc/satchel"

// Config says how to set up a demo.
type Config struct {
	// Satchel is the satchel binary to drive. Optional: when empty, Setup
	// builds ./cmd/satchel of the module around the working directory into
	// the demo's folder.
	Satchel string
	// Progress receives one short line per step ("Mining 300 blocks…").
	// Optional: nil says nothing.
	Progress io.Writer
	// ExportDir is where the app exports PSBTs during the demo, so that
	// they outlive its temporary folder. Optional: empty is the working
	// directory the demo started in.
	ExportDir string
}

// Demo is a running demo: btcd on 127.0.0.1 and the two wallets in a
// temporary folder. Close ends it.
type Demo struct {
	dir     string
	satchel string
	btcd    *regtest.Daemon
	env     []string
	say     func(format string, args ...any)
}

// payment is one payment of the demo's story.
type payment struct {
	amount  string // as satchel's --amount takes it
	feeRate string // sat/vB
	label   string // what the demo wallet calls it
	mine    int    // blocks mined after it; 0 lets the next one share its block
}

// incoming are the miner's payments to the demo wallet, in order. The
// demo's own payments (outgoing) go between the seventh and the eighth; the
// eighth is left unconfirmed.
var incoming = []payment{
	{"0.5", "2", "Salary, March", 0},
	{"1.25", "3", "Sold the old bike", 1},
	{"0.08", "2", "Coffee club refund", 0},
	{"2", "5", "Salary, April", 0},
	{"0.333", "4", "Dinner with Alice", 2},
	{"0.75", "2", "Invoice #1041", 1},
	{"0.015", "6", "Faucet", 3},
	{"1.1", "3", "Salary, May", 0},
}

// outgoing are the demo wallet's payments back to the miner, mined
// together in one block. Their labels travel in the bitcoin: URI.
var outgoing = []payment{
	{"0.2", "3", "Paid back the miner", 0},
	{"0.05", "2", "Tip for the miner", 1},
}

// Setup builds the demo world and returns it running: it starts btcd,
// creates the wallets, mines Blocks blocks to the miner, and has the miner
// pay the demo wallet eight times (seven confirmed, in blocks holding up to
// three of them, and one left in the mempool) and the demo wallet pay two
// back. It takes 20-40 s, plus building btcd on the first run. On error or
// when ctx ends, everything started so far is stopped and removed.
func Setup(ctx context.Context, cfg Config) (_ *Demo, err error) {
	dir, err := os.MkdirTemp("", "satchel-demo-")
	if err != nil {
		return nil, err
	}
	d := &Demo{dir: dir, satchel: cfg.Satchel, say: sayer(cfg.Progress)}
	defer func() {
		if err != nil {
			d.Close()
			if ctx.Err() != nil {
				err = ctx.Err()
			}
		}
	}()
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte(Password+"\n"), 0o600); err != nil {
		return nil, err
	}
	d.env = environ(os.Environ(), dir, pwFile)
	if err := writeConfig(dir, cfg.ExportDir); err != nil {
		return nil, err
	}

	if d.satchel == "" {
		d.say("Building satchel…")
		if d.satchel, err = buildSatchel(ctx, dir); err != nil {
			return nil, err
		}
	}

	d.say("Creating the wallets %q and %q…", DemoWallet, MinerWallet)
	for _, w := range []string{DemoWallet, MinerWallet} {
		if _, err := d.run(ctx, w, "wallet", "create"); err != nil {
			return nil, err
		}
	}
	var mining []string
	for range miningAddresses {
		a, err := d.newAddress(ctx, MinerWallet)
		if err != nil {
			return nil, err
		}
		mining = append(mining, a)
	}

	if err := findBTCD(ctx, d.say); err != nil {
		return nil, err
	}
	d.say("Starting btcd…")
	extra := make([]string, 0, len(mining)-1)
	for _, a := range mining[1:] {
		extra = append(extra, "--miningaddr="+a)
	}
	if d.btcd, err = regtest.Launch(ctx, regtest.WithMiningAddress(mining[0]), regtest.WithArgs(extra...)); err != nil {
		return nil, err
	}
	d.env = append(d.env, "SATCHEL_CONNECT="+d.btcd.P2PAddr())

	d.say("Mining %d blocks…", Blocks)
	if err := d.btcd.BuildChain(Blocks, blockSpacing, mining...); err != nil {
		return nil, fmt.Errorf("mine %d blocks: %w", Blocks, err)
	}
	d.say("Syncing the %s wallet…", MinerWallet)
	if _, err := d.run(ctx, MinerWallet, "sync"); err != nil {
		return nil, err
	}
	if err := d.story(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// story makes the payments between the two wallets.
func (d *Demo) story(ctx context.Context) error {
	labels := make(map[string]string) // txid → label, for the demo wallet
	pay := func(i int) error {
		p := incoming[i]
		note := ""
		if i == len(incoming)-1 {
			note = " (left unconfirmed)"
		}
		d.say("Payments %d/%d…%s", i+1, len(incoming), note)
		to, err := d.newAddress(ctx, DemoWallet)
		if err != nil {
			return err
		}
		txid, err := d.send(ctx, MinerWallet, to, p)
		if err != nil {
			return err
		}
		labels[txid] = p.label
		return d.mine(p.mine)
	}
	for i := range len(incoming) - 1 {
		if err := pay(i); err != nil {
			return err
		}
	}

	d.say("Syncing the %s wallet…", DemoWallet)
	if _, err := d.run(ctx, DemoWallet, "sync"); err != nil {
		return err
	}
	for i, p := range outgoing {
		d.say("Paying back %d/%d…", i+1, len(outgoing))
		to, err := d.newAddress(ctx, MinerWallet)
		if err != nil {
			return err
		}
		uri := "bitcoin:" + to + "?label=" + url.PathEscape(p.label)
		if _, err := d.send(ctx, DemoWallet, uri, p); err != nil {
			return err
		}
		if err := d.mine(p.mine); err != nil {
			return err
		}
	}
	if err := pay(len(incoming) - 1); err != nil {
		return err
	}

	d.say("Syncing the %s wallet…", DemoWallet)
	if _, err := d.run(ctx, DemoWallet, "sync"); err != nil {
		return err
	}
	return d.importLabels(ctx, labels)
}

// importLabels names the demo wallet's incoming payments with a BIP329
// file, as a user moving from another wallet would.
func (d *Demo) importLabels(ctx context.Context, labels map[string]string) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for txid, label := range labels {
		if err := enc.Encode(map[string]string{"type": "tx", "ref": txid, "label": label}); err != nil {
			return err
		}
	}
	path := filepath.Join(d.dir, "labels.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return err
	}
	_, err := d.run(ctx, DemoWallet, "labels", "import", path)
	return err
}

// send pays p to a recipient (an address or bitcoin: URI) from wallet and
// returns the txid.
func (d *Demo) send(ctx context.Context, wallet, to string, p payment) (string, error) {
	var sent struct {
		Txid string `json:"txid"`
	}
	if err := d.runJSON(ctx, wallet, &sent, "send", "--to", to, "--amount", p.amount, "--fee-rate", p.feeRate); err != nil {
		return "", err
	}
	if sent.Txid == "" {
		return "", fmt.Errorf("satchel --wallet %s send printed no txid", wallet)
	}
	return sent.Txid, nil
}

// newAddress hands out the wallet's next receive address.
func (d *Demo) newAddress(ctx context.Context, wallet string) (string, error) {
	var a struct {
		Address string `json:"address"`
	}
	if err := d.runJSON(ctx, wallet, &a, "address", "new"); err != nil {
		return "", err
	}
	if a.Address == "" {
		return "", fmt.Errorf("satchel --wallet %s address new printed no address", wallet)
	}
	return a.Address, nil
}

// mine has btcd mine count blocks to the miner's addresses.
func (d *Demo) mine(count int) error {
	if count == 0 {
		return nil
	}
	if _, err := d.btcd.Generate(count); err != nil {
		return fmt.Errorf("mine %d blocks: %w", count, err)
	}
	return nil
}

// Command returns the satchel command `satchel --wallet WALLET ARGS...` set
// up to run in the demo: regtest, the demo's data and config folders, btcd
// as the only peer and the password file. Its standard streams are the
// caller's to set. When ctx ends, the process gets SIGTERM (so the TUI can
// restore the terminal) and is killed if it has not exited 5 s later.
func (d *Demo) Command(ctx context.Context, wallet string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, d.satchel, append([]string{"--wallet", wallet}, args...)...)
	cmd.Env = d.env
	cmd.Dir = d.dir
	cmd.Cancel = func() error {
		if runtime.GOOS == "windows" {
			return cmd.Process.Kill()
		}
		return cmd.Process.Signal(syscall.SIGTERM)
	}
	cmd.WaitDelay = stopGrace
	return cmd
}

// Summary writes what `satchel --wallet demo balance` and `history` print,
// each under the command that printed it.
func (d *Demo) Summary(ctx context.Context, w io.Writer) error {
	for _, args := range [][]string{{"balance"}, {"history"}} {
		out, err := d.run(ctx, DemoWallet, args...)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "$ satchel --wallet %s %s\n%s\n", DemoWallet, strings.Join(args, " "), out)
	}
	return nil
}

// Close stops btcd and removes the demo's folder, wallets included. It may
// be called more than once.
func (d *Demo) Close() error {
	var errs []error
	if d.btcd != nil {
		errs = append(errs, d.btcd.Close())
	}
	errs = append(errs, os.RemoveAll(d.dir))
	return errors.Join(errs...)
}

// run runs one satchel command with stdin empty (so the password comes
// from the file, never a prompt) and returns its stdout. A failure is
// reported with the command and the line satchel printed on stderr.
func (d *Demo) run(ctx context.Context, wallet string, args ...string) ([]byte, error) {
	cmd := d.Command(ctx, wallet, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		why := lastLine(stderr.String())
		if why == "" {
			why = err.Error()
		}
		return nil, fmt.Errorf("satchel --wallet %s %s: %s", wallet, strings.Join(args, " "), why)
	}
	return stdout.Bytes(), nil
}

// runJSON runs a command with --json and decodes its output into v.
func (d *Demo) runJSON(ctx context.Context, wallet string, v any, args ...string) error {
	out, err := d.run(ctx, wallet, append([]string{"--json"}, args...)...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("satchel --wallet %s --json %s: %w: %.200q", wallet, strings.Join(args, " "), err, out)
	}
	return nil
}

// lastLine returns the last non-blank line of s.
func lastLine(s string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			last = line
		}
	}
	return last
}

// sayer returns a function writing one progress line to w, or nothing for
// a nil w.
func sayer(w io.Writer) func(string, ...any) {
	if w == nil {
		return func(string, ...any) {}
	}
	return func(format string, args ...any) {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// environ returns base without what would point satchel at the user's own
// wallets and settings (SATCHEL_* variables, the config folder), plus the
// demo's settings. SATCHEL_CONNECT is added once btcd runs.
func environ(base []string, dir, passwordFile string) []string {
	env := make([]string, 0, len(base)+6)
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SATCHEL_") || name == "XDG_CONFIG_HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"SATCHEL_NETWORK=regtest",
		"SATCHEL_DATADIR="+filepath.Join(dir, "satchel"),
		"SATCHEL_PASSWORD_FILE="+passwordFile,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		// The demo's only peer is its own btcd, so asking it for the
		// wallet's unconfirmed payment with a bloom filter gives nothing
		// away; it shows the payment left in the mempool.
		"SATCHEL_BIP37_MEMPOOL=true",
	)
}

// findBTCD makes sure the btcd binary exists, telling the user when it is
// being built (the first run compiles it, 10-25 s). When ctx ends first it
// returns at once; the go command finishes its build alone.
func findBTCD(ctx context.Context, say func(string, ...any)) error {
	done := make(chan error, 1)
	go func() {
		_, err := regtest.BTCDPath()
		done <- err
	}()
	slow := time.NewTimer(slowBuild)
	defer slow.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("find btcd: %w", err)
			}
			return nil
		case <-slow.C:
			say("Building btcd (first run only)…")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// buildSatchel builds ./cmd/satchel of the module around the working
// directory into dir/bin and returns the binary's path.
func buildSatchel(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bin", "satchel")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/satchel")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("go build ./cmd/satchel: %w\n%s", err, bytes.TrimSpace(out))
	}
	return bin, nil
}

// moduleRoot walks up from the working directory to the folder whose
// go.mod declares satchel's module.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && declares(b, module) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the demo inside the satchel repository (make demo), or give a satchel binary")
		}
		dir = parent
	}
}

// declares reports whether a go.mod file declares module path.
func declares(gomod []byte, path string) bool {
	for line := range strings.Lines(string(gomod)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == path
		}
	}
	return false
}

// writeConfig writes the demo's config.toml, whose export_dir keeps the
// PSBTs the user exports outside the demo's folder: in exportDir, or the
// working directory when it is empty.
func writeConfig(dir, exportDir string) error {
	if exportDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		exportDir = wd
	}
	abs, err := filepath.Abs(exportDir)
	if err != nil {
		return err
	}
	confDir := filepath.Join(dir, "config", "satchel")
	if err := os.MkdirAll(confDir, 0o700); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("# The demo's settings; PSBTs exported in the app go outside the demo's folder.\n")
	if err := toml.NewEncoder(&buf).Encode(map[string]string{"export_dir": abs}); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(confDir, "config.toml"), buf.Bytes(), 0o600)
}
