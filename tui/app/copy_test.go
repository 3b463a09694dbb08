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
	"github.com/satchelbtc/satchel/wallet/psbtx"
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

// TestCopyOnEveryPage presses y on each page that copies and checks what
// the status line names and what was sent.
func TestCopyOnEveryPage(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		what string
		text func(hs *harness) string
	}{
		{"history entry", nil, "txid", func(hs *harness) string { return hs.chain.blocks[1].Transactions[0].TxHash().String() }},
		{"receive", []string{"r"}, "address", func(hs *harness) string { return hs.chain.ourAddress }},
		{"keys", []string{"4"}, "xpub", func(*harness) string { return "tpubFAKE" }},
		{"keys, receive descriptor", []string{"4", "v"}, "receive descriptor",
			func(*harness) string { return "wpkh([73c5da0a/84h/1h/0h]tpubFAKE/0/*)" }},
		{"blocks list", []string{"2"}, "block hash", func(hs *harness) string { return hs.chain.blocks[2].BlockHash().String() }},
		{"block page, through the chooser", []string{"2", "enter", "y"}, "block hash", func(hs *harness) string { return hs.chain.blocks[2].BlockHash().String() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, 80, 24, setup{})
			hs.press(tt.keys...)
			hs.press("y")
			fl := hs.m.copy.flash
			if fl == nil || fl.What != tt.what || fl.Text != tt.text(hs) {
				t.Fatalf("y copied %+v, want the %s %s:\n%s", fl, tt.what, tt.text(hs), hs.screen())
			}
			if s := hs.screen(); !strings.Contains(s, "copied the "+tt.what) {
				t.Errorf("the status line does not name the copy:\n%s", s)
			}
			tuitest.AssertFits(t, hs.m.View().Content, 80, 24)
		})
	}
}

// TestFlowCopyPSBT copies the open PSBT as base64 from the PSBT page.
func TestFlowCopyPSBT(t *testing.T) {
	fs := newFlowSources(net)
	signer := newPSBTSigner(t)
	src := fs.src
	src.PSBT, src.Broadcast = signer, signer
	f := startFlowEnv(t, src, 80, 24, []string{"TERM=xterm-256color"}, "tip 2 · synced", "50.00000000")
	f.waitEnv("xterm-256color")
	f.press("o")
	f.waitFor("Open a PSBT to see exactly what it pays")
	f.press("o")
	path := signer.file(t, t.TempDir())
	f.typeText(path)
	f.press("enter")
	f.waitFor("PSBT · unsigned.psbt", "y copy")
	f.press("y")
	f.waitFor("copied the PSBT (base64)")
	p, err := psbtx.Parse(mustRead(t, path))
	if err != nil {
		t.Fatal(err)
	}
	b64, err := psbtx.EncodeBase64(p)
	if err != nil {
		t.Fatal(err)
	}
	f.waitOutput(osc52(b64))
}
