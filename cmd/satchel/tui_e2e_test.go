package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// tmuxSession drives the built binary in a detached tmux session on a
// private tmux server, the way a person at a terminal would.
type tmuxSession struct {
	t      *testing.T
	socket string
	status string // the file the program's exit status is written to
}

// startTmux runs argv in a new w×h tmux session with env. Without tmux the
// test is skipped, except in CI, where .ci/run installs it.
func startTmux(t *testing.T, w, h int, env []string, argv ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is not installed; .ci/run installs it")
		}
		t.Skip("tmux is not installed")
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("satchel-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()),
		status: filepath.Join(t.TempDir(), "status")}
	shell := "env"
	for _, e := range env {
		shell += " " + shellQuote(e)
	}
	for _, a := range argv {
		shell += " " + shellQuote(a)
	}
	// The shell writes the program's exit status to a file and then waits,
	// so that the pane and its last screen stay for the test to read.
	shell += "; echo $? > " + shellQuote(s.status) + "; sleep 600"
	s.tmux("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shell)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen is what the pane shows now.
func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "e2e") }

// keys types keys into the pane (tmux key names: Enter, Escape, ...).
func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// waitFor waits until the screen shows every one of want, and returns it.
func (s *tmuxSession) waitFor(timeout time.Duration, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(scr, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", missing, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exited reports whether the program in the pane has ended, and its status.
func (s *tmuxSession) exited() (bool, string) {
	b, err := os.ReadFile(s.status)
	if err != nil || !strings.HasSuffix(string(b), "\n") {
		return false, ""
	}
	return true, strings.TrimSpace(string(b))
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestAppEndToEnd runs the built binary in tmux against btcd on regtest,
// with blocks and a payment to the wallet: the explorer shows the tip, the
// tip block opens with its transaction ids, the wallet shows the balance,
// and q quits with status 0.
func TestAppEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	btcd := regtest.Start(t)
	btcd.Generate(110)

	c := newCLI(t)
	restoreAbandon(t, c)
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 1, scriptOf(t, walletAddr(t, c, 0)))
	btcd.SendRaw(pay)
	btcd.Generate(1)
	tipHash, tip := btcd.BestBlock()
	block := btcd.Block(tip)
	if len(block.Transactions) != 2 {
		t.Fatalf("the tip block has %d transactions, want the coinbase and the payment", len(block.Transactions))
	}

	env := []string{"HOME=" + t.TempDir(), "TERM=xterm-256color", "SATCHEL_NETWORK=regtest",
		"SATCHEL_DATADIR=" + c.dataDir, "XDG_CONFIG_HOME=" + c.env["XDG_CONFIG_HOME"],
		"SATCHEL_CONNECT=" + btcd.P2PAddr()}
	s := startTmux(t, 100, 30, env, bin)

	// The wallet tab opens first; the balance appears once the node has
	// caught up and the wallet is scanned.
	want := amount.FormatBTC(btcutil.Amount(pay.TxOut[0].Value))
	s.waitFor(60*time.Second, "Wallet", "Confirmed", want, fmt.Sprintf("as of block %d", tip))

	// Explorer: the tip is the first row; enter opens it with both txids.
	s.keys("2")
	s.waitFor(10*time.Second, commas(int(tip)), tipHash.String()[:8])
	s.keys("Enter")
	coinbase, payment := block.Transactions[0].TxHash().String(), pay.TxHash().String()
	scr := s.waitFor(30*time.Second, "verified", coinbase[:8], payment[:8])
	if !strings.Contains(scr, commas(int(tip))) {
		t.Fatalf("the block page does not name its height:\n%s", scr)
	}
	s.keys("Escape")
	s.waitFor(10*time.Second, "txs      size", "age")

	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		dead, status := s.exited()
		if dead {
			if status != "0" {
				t.Fatalf("satchel exited with status %s:\n%s", status, s.screen())
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
