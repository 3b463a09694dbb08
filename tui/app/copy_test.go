package app

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// osc52 is the sequence that puts text on the system clipboard.
func osc52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
}

// waitEnv waits until the program has handed the model its environment.
func (f *flowProgram) waitEnv(term string) {
	f.t.Helper()
	deadline := time.Now().Add(flowTimeout)
	for {
		var got string
		done := make(chan struct{})
		f.p.Send(inspectMsg{f: func(m *Model) { got = m.copy.term }, done: done})
		select {
		case <-done:
		case <-time.After(flowTimeout):
			f.t.Fatal("the program did not answer")
		}
		if got == term {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the model never saw TERM=%q (has %q)", term, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitOutput waits until the bytes the program wrote to the terminal hold
// want.
func (f *flowProgram) waitOutput(want string) {
	f.t.Helper()
	deadline := time.Now().Add(flowTimeout)
	for !strings.Contains(f.out.String(), want) {
		if time.Now().After(deadline) {
			f.t.Fatalf("the program never wrote %q", want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFlowCopy copies the selected block's hash from the blocks list: the
// program writes it to the terminal as OSC 52, the status line names it,
// and y pressed again shows the whole hash to select by hand.
func TestFlowCopy(t *testing.T) {
	for _, size := range flowSizes {
		t.Run(sizeName(size), func(t *testing.T) {
			fs := newFlowSources(net)
			tip := fs.chain.blocks[2].BlockHash().String()
			f := startFlowEnv(t, fs.src, size[0], size[1], []string{"TERM=xterm-256color"}, "tip 2 · synced")
			f.waitEnv("xterm-256color")

			f.press("2")
			f.waitFor("txs      size", tip[:12])
			f.press("y")
			s := f.waitFor("copied the block hash " + common.ShortID(tip, 13))
			if !strings.Contains(s, "nothing pasted? y shows it") {
				t.Errorf("the status line does not say how to see the text:\n%s", s)
			}
			f.waitOutput(osc52(tip))

			f.press("y")
			s = f.waitFor("Select the block hash to copy it", "did not take the copy (OSC 52)")
			if !shows(strings.ReplaceAll(s, "\n", ""), tip) {
				t.Fatalf("the overlay does not show the whole hash %s:\n%s", tip, s)
			}
			for _, l := range strings.Split(s, "\n") {
				if strings.Contains(l, tip[:20]) && !strings.HasPrefix(l, tip[:20]) {
					t.Errorf("the hash does not start its line, so a selection takes more than it: %q", l)
				}
			}
			golden.RequireEqual(t, s)
			f.press("esc")
			s = f.waitFor("txs      size")
			if strings.Contains(s, "Select the block hash") || strings.Contains(s, "copied the") {
				t.Fatalf("esc did not close the overlay, or the flash outlived the key:\n%s", s)
			}
		})
	}
}

// TestFlowCopyNoClipboard: on the Linux console (TERM=linux) nothing is
// sent; the text is shown for selecting at once, saying why.
func TestFlowCopyNoClipboard(t *testing.T) {
	fs := newFlowSources(net)
	tip := fs.chain.blocks[2].BlockHash().String()
	f := startFlowEnv(t, fs.src, 80, 24, []string{"TERM=linux"}, "tip 2 · synced")
	f.waitEnv("linux")
	f.press("2")
	f.waitFor("txs      size", tip[:12])
	f.press("y")
	s := f.waitFor("Select the block hash to copy it", "TERM=linux", "esc closes")
	if !strings.Contains(s, tip[:64]) {
		t.Errorf("the overlay does not show the hash %s on one line at 80 columns:\n%s", tip, s)
	}
	m := f.quit()
	if strings.Contains(f.out.String(), "\x1b]52;") {
		t.Error("an OSC 52 sequence was written to a terminal without a clipboard")
	}
	tuitest.AssertFits(t, m.View().Content, 80, 24)
}

// TestFlowCopyChooser: the transaction page offers the txid and the
// outputs' addresses; ↓ and y copy the address of output #0, and the
// status line names tmux's option inside tmux.
func TestFlowCopyChooser(t *testing.T) {
	fs := newFlowSources(net)
	tip := fs.chain.blocks[2]
	cb := tip.Transactions[0]
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(cb.TxOut[0].PkScript, net)
	if err != nil || len(addrs) != 1 {
		t.Fatalf("the coinbase pays no address: %v", err)
	}
	addr := addrs[0].EncodeAddress()
	f := startFlowEnv(t, fs.src, 120, 40, []string{"TERM=tmux-256color", "TMUX=/tmp/tmux-0/default,1,0"}, "tip 2 · synced")
	f.waitEnv("tmux-256color")
	f.press("2", "enter")
	f.waitFor("Block 2 · 1 transaction", "verified")
	f.press("enter")
	f.waitFor("Transaction · coinbase")
	f.press("y")
	s := f.waitFor("Copy which?", "txid", "output #0 address", addr)
	if !selected(s, "txid") {
		t.Fatalf("the chooser does not start on the txid:\n%s", s)
	}
	f.press("j", "y")
	f.waitFor("sent the output #0 address", "to tmux (OSC 52, needs set-clipboard on)")
	f.waitOutput(osc52(addr))
	if strings.Contains(f.out.String(), osc52(cb.TxHash().String())) {
		t.Error("the txid was copied too")
	}
}
