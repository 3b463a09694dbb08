package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// TestAppCopyEndToEnd runs the built binary in tmux with set-clipboard on,
// so that tmux keeps what the program copies with OSC 52 as a paste
// buffer: y on the explorer's tip copies its hash, and y on the receive
// page the address the page shows.
func TestAppCopyEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	btcd := regtest.Start(t)
	btcd.Generate(101)
	tipHash, tip := btcd.BestBlock()

	c := newCLI(t)
	restoreAbandon(t, c)
	env := []string{"HOME=" + t.TempDir(), "TERM=xterm-256color", "SATCHEL_NETWORK=regtest",
		"SATCHEL_DATADIR=" + c.dataDir, "XDG_CONFIG_HOME=" + c.env["XDG_CONFIG_HOME"],
		"SATCHEL_CONNECT=" + btcd.P2PAddr()}
	s := startTmux(t, 100, 30, env, bin)
	s.tmux("set-option", "-g", "set-clipboard", "on")
	s.waitFor(60*time.Second, "Wallet", "as of block "+commas(int(tip)))

	s.keys("2")
	s.waitFor(10*time.Second, commas(int(tip)), tipHash.String()[:8])
	s.keys("y")
	s.waitFor(10*time.Second, "sent the block hash", "to tmux")
	s.waitBuffer(tipHash.String())

	s.keys("1")
	s.waitFor(10*time.Second, "Wallet")
	s.keys("r")
	scr := s.waitFor(10*time.Second, "bcrt1")
	s.keys("y")
	s.waitFor(10*time.Second, "sent the address")
	addr := ""
	for _, f := range strings.Fields(scr) {
		if strings.HasPrefix(f, "bcrt1") && len(f) > len(addr) {
			addr = f
		}
	}
	got := s.waitBuffer("bcrt1")
	if got != addr {
		t.Errorf("tmux's buffer holds %q, the receive page shows %q", got, addr)
	}
	s.keys("q")
}

// waitBuffer waits until tmux's newest paste buffer starts with prefix,
// and returns it.
func (s *tmuxSession) waitBuffer(prefix string) string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Before the first copy tmux has no buffer and says so.
		out, _ := exec.Command("tmux", "-L", s.socket, "show-buffer").Output()
		buf := string(out)
		if strings.HasPrefix(buf, prefix) {
			return buf
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("tmux's buffer holds %q, want %q…:\n%s", buf, prefix, s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
