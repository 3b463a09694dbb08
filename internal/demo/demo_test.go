package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

const btc = 100_000_000

// lineWriter hands each write (one progress line) to a function.
type lineWriter func(string)

func (f lineWriter) Write(p []byte) (int, error) {
	f(string(p))
	return len(p), nil
}

// noLeftovers points os.MkdirTemp at a fresh folder and, at the end of the
// test, fails it unless the demo removed everything it put there (its own
// folder and btcd's).
func noLeftovers(t *testing.T) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Cleanup(func() {
		left, _ := os.ReadDir(tmp)
		for _, e := range left {
			t.Errorf("left behind in TMPDIR: %s", e.Name())
		}
	})
}

// The demo ends with a funded demo wallet whose history has confirmed
// payments both ways and one unconfirmed, blocks in the explorer holding
// several payments, and nothing left running or on disk after Close.
func TestSetup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds satchel, runs btcd and makes ten payments (about 30 s)")
	}
	noLeftovers(t)
	ctx := context.Background()
	var progress bytes.Buffer
	d, err := Setup(ctx, Config{Progress: &progress})
	if err != nil {
		t.Fatalf("Setup: %v\nprogress:\n%s", err, progress.String())
	}
	p2p := d.btcd.P2PAddr()
	closed := false
	t.Cleanup(func() {
		if !closed {
			d.Close()
		}
	})
	for _, line := range []string{"Building satchel…", "Mining 300 blocks…", "Payments 3/8…", "Paying back 2/2…"} {
		if !strings.Contains(progress.String(), line+"\n") {
			t.Errorf("progress has no line %q:\n%s", line, progress.String())
		}
	}

	var bal struct {
		Confirmed, Unconfirmed, Total int64
	}
	if err := d.runJSON(ctx, DemoWallet, &bal, "balance"); err != nil {
		t.Fatal(err)
	}
	if bal.Confirmed < 4*btc || bal.Unconfirmed != 110_000_000 || bal.Total != bal.Confirmed+bal.Unconfirmed {
		t.Errorf("demo balance %+v; want over 4 BTC confirmed and the last 1.1 BTC unconfirmed", bal)
	}

	var hist []struct {
		Txid   string `json:"txid"`
		Height int32  `json:"height"`
		Amount int64  `json:"amount"`
		Label  string `json:"label"`
	}
	if err := d.runJSON(ctx, DemoWallet, &hist, "history"); err != nil {
		t.Fatal(err)
	}
	if len(hist) < 8 {
		t.Fatalf("demo history has %d entries, want at least 8: %+v", len(hist), hist)
	}
	var received, sent, unconfirmed int
	for _, h := range hist {
		switch {
		case h.Height <= 0:
			unconfirmed++
			if h.Amount != 110_000_000 || h.Label != "Salary, May" {
				t.Errorf("unconfirmed entry %+v; want the last payment, +1.1 BTC, labelled", h)
			}
		case h.Amount > 0:
			received++
		default:
			sent++
		}
		if h.Label == "" {
			t.Errorf("history entry %s has no label", h.Txid)
		}
	}
	if received != len(incoming)-1 || sent != len(outgoing) || unconfirmed != 1 {
		t.Errorf("history: %d received, %d sent, %d unconfirmed; want %d, %d, 1",
			received, sent, unconfirmed, len(incoming)-1, len(outgoing))
	}

	// The explorer has blocks with several payments in them.
	most := 0
	for height := Blocks + 1; height <= Blocks+8; height++ {
		if n := blockTxs(t, d, height); n > most {
			most = n
		}
	}
	if most < 4 {
		t.Errorf("the busiest block after %d holds %d transactions, want a coinbase and 3 payments", Blocks, most)
	}

	// The miner's coins came from several addresses.
	var coins []struct {
		Address  string `json:"address"`
		Coinbase bool   `json:"coinbase"`
	}
	if err := d.runJSON(ctx, MinerWallet, &coins, "utxos"); err != nil {
		t.Fatal(err)
	}
	addrs := map[string]bool{}
	for _, c := range coins {
		if c.Coinbase {
			addrs[c.Address] = true
		}
	}
	if len(addrs) < miningAddresses {
		t.Errorf("the miner's coinbases pay %d addresses, want %d", len(addrs), miningAddresses)
	}

	// What --no-tui prints.
	var summary bytes.Buffer
	if err := d.Summary(ctx, &summary); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"$ satchel --wallet demo balance\n", "Unconfirmed  1.10000000 BTC",
		"$ satchel --wallet demo history\n", "unconf.", "Paid back the miner"} {
		if !strings.Contains(summary.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.String())
		}
	}

	closed = true
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", p2p, time.Second); err == nil {
		c.Close()
		t.Errorf("after Close, btcd still listens on %s", p2p)
	}
}

// blockTxs returns how many transactions btcd's block at height holds.
func blockTxs(t *testing.T, d *Demo, height int) int {
	t.Helper()
	raw, err := d.btcd.Call("getblockhash", height)
	if err != nil {
		t.Fatal(err)
	}
	var hash string
	json.Unmarshal(raw, &hash)
	if raw, err = d.btcd.Call("getblock", hash, 1); err != nil {
		t.Fatal(err)
	}
	var block struct {
		Tx []string `json:"tx"`
	}
	if err := json.Unmarshal(raw, &block); err != nil {
		t.Fatal(err)
	}
	return len(block.Tx)
}

// Interrupting the setup (Ctrl-C) stops btcd and removes every file.
func TestSetupInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds satchel and runs btcd")
	}
	noLeftovers(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var lines []string
	d, err := Setup(ctx, Config{Progress: lineWriter(func(s string) {
		lines = append(lines, s)
		if strings.HasPrefix(s, "Payments 2/") {
			cancel()
		}
	})})
	if !errors.Is(err, context.Canceled) || d != nil {
		t.Fatalf("Setup cancelled during the payments = %v, %v; want context.Canceled", d, err)
	}
	if !slices.Contains(lines, "Starting btcd…\n") {
		t.Fatalf("the setup was cancelled before btcd started: %q", lines)
	}
}

// Outside the repository, with no binary given, Setup says what to do and
// leaves nothing behind.
func TestSetupOutsideRepository(t *testing.T) {
	noLeftovers(t)
	t.Chdir(t.TempDir())
	_, err := Setup(context.Background(), Config{})
	if err == nil || !strings.Contains(err.Error(), "inside the satchel repository") {
		t.Fatalf("Setup outside the repository: %v", err)
	}
}

// The demo's commands never see the user's own wallet settings.
func TestEnviron(t *testing.T) {
	user := []string{"HOME=/home/u", "SATCHEL_WALLET=savings", "SATCHEL_PASSWORD=secret",
		"SATCHEL_NETWORK=mainnet", "XDG_CONFIG_HOME=/home/u/.config", "NO_COLOR=1"}
	env := environ(user, "/tmp/d", "/tmp/d/password")
	want := []string{"HOME=/home/u", "NO_COLOR=1", "SATCHEL_NETWORK=regtest",
		"SATCHEL_DATADIR=/tmp/d/satchel", "SATCHEL_PASSWORD_FILE=/tmp/d/password",
		"XDG_CONFIG_HOME=/tmp/d/config", "SATCHEL_BIP37_MEMPOOL=true"}
	if !slices.Equal(env, want) {
		t.Errorf("environ =\n%q\nwant\n%q", env, want)
	}
}

// The demo's config sends exports outside its folder: to the folder given
// or the working directory. (TestSetup runs satchel on it, which refuses a
// config.toml with a key it does not know.)
func TestConfigExportDir(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	for _, tt := range []struct{ given, want string }{{"", wd}, {other, other}} {
		dir := t.TempDir()
		if err := writeConfig(dir, tt.given); err != nil {
			t.Fatal(err)
		}
		var conf struct {
			ExportDir string `toml:"export_dir"`
		}
		if _, err := toml.DecodeFile(filepath.Join(dir, "config", "satchel", "config.toml"), &conf); err != nil {
			t.Fatal(err)
		}
		if conf.ExportDir != tt.want || strings.HasPrefix(conf.ExportDir, dir) {
			t.Errorf("export_dir %q for %q; want %q", conf.ExportDir, tt.given, tt.want)
		}
	}
}
