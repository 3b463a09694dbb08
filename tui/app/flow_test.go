package app

// Flow tests: the root model runs in a real Bubble Tea program, as a user
// drives it, with every command run by the Bubble Tea runtime on its own
// goroutines instead of the synchronous harness of app_test.go.
//
// They do not use teatest (github.com/charmbracelet/x/exp/teatest/v2):
// teatest imports x/exp/golden, which registers a global -update flag, and
// app_test.go registers its own -update flag, so a test binary holding both
// panics with "flag redefined: update" before any test runs. flowProgram
// below does what teatest.NewTestModel does (a program with no terminal
// input, its output captured, no signal handlers, a fixed window size) and
// reads the screen through a probe message answered inside Update, which
// is free of data races and immune to the renderer drawing only the cells
// that changed.

import (
	"bytes"
	"context"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	"github.com/satchelbtc/satchel/tui/node"
	core "github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// flowTimeout bounds every wait for the screen; the fakes answer at once,
// so only a broken flow comes near it.
const flowTimeout = 10 * time.Second

// flowSizes are the terminal sizes every flow runs at.
var flowSizes = [][2]int{{80, 24}, {120, 40}}

// snapshotMsg asks the probe for the screen as the model draws it now.
type snapshotMsg struct{ reply chan<- string }

// inspectMsg runs f on the model inside Update, where reading it is free
// of data races, and closes done.
type inspectMsg struct {
	f    func(*Model)
	done chan struct{}
}

// probe wraps the root model so that the test can read its view on the
// program's own goroutine.
type probe struct{ m *Model }

func (p probe) Init() tea.Cmd { return p.m.Init() }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case snapshotMsg:
		msg.reply <- ansi.Strip(p.m.View().Content)
		return p, nil
	case inspectMsg:
		msg.f(p.m)
		close(msg.done)
		return p, nil
	}
	_, cmd := p.m.Update(msg)
	return p, cmd
}

func (p probe) View() tea.View { return p.m.View() }

// lockedBuffer is the program's output, written by the renderer and read
// by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// flowProgram is the root model running in a Bubble Tea program.
type flowProgram struct {
	t    *testing.T
	p    *tea.Program
	out  *lockedBuffer
	done chan tea.Model
}

// flowSources are the fake sources of newHarness, on network net.
type flowSources struct {
	src    Sources
	chain  *chain
	wallet *fakeWallet
}

// newFlowSources builds the sources. The fakes count their reads for the
// synchronous harness, unguarded; here the runtime calls them from several
// goroutines at once, so every call that counts or changes state is made
// under one lock.
func newFlowSources(net *chaincfg.Params) flowSources {
	c := newChain(2)
	n := &fakeNode{status: node.Status{Network: net.Name, Height: 2, PeerHeight: 2, FilterHeight: 2, Synced: true, Peers: 1}}
	w := &fakeWallet{chain: c}
	mu := &sync.Mutex{}
	lc := flowChain{mu, c}
	return flowSources{
		src: Sources{Headers: lc, Blocks: lc, Node: flowNode{mu, n}, Net: net, Owns: c.owns,
			Wallet: flowWallet{mu, w}, Keys: flowKeys{mu, fakeKeys{w}}},
		chain: c, wallet: w,
	}
}

// flowChain is chain with its counted reads under mu.
type flowChain struct {
	mu *sync.Mutex
	*chain
}

func (c flowChain) TipHeight() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.chain.TipHeight()
}

func (c flowChain) Header(height int32) (*wire.BlockHeader, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.chain.Header(height)
}

// flowNode is fakeNode with its counted reads under mu.
type flowNode struct {
	mu *sync.Mutex
	*fakeNode
}

func (n flowNode) Peers() []node.Peer {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.fakeNode.Peers()
}

// flowWallet is fakeWallet with its counted reads, labels and lock under
// mu.
type flowWallet struct {
	mu *sync.Mutex
	*fakeWallet
}

func (w flowWallet) Balance() (core.Balance, int32, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fakeWallet.Balance()
}

func (w flowWallet) Labels() (map[string]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l, err := w.fakeWallet.Labels()
	return maps.Clone(l), err
}

func (w flowWallet) SetLabel(key, label string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fakeWallet.SetLabel(key, label)
}

func (w flowWallet) Draft(req *core.SendRequest) (*core.Draft, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fakeWallet.Draft(req)
}

func (w flowWallet) Review(d *core.Draft) (*psbtx.Review, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fakeWallet.Review(d)
}

func (w flowWallet) Unlocked() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fakeWallet.Unlocked()
}

func (w flowWallet) Lock() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fakeWallet.Lock()
}

// flowKeys is fakeKeys with the lock state under mu.
type flowKeys struct {
	mu *sync.Mutex
	fakeKeys
}

func (k flowKeys) Unlocked() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fakeKeys.Unlocked()
}

func (k flowKeys) Unlock(ctx context.Context, pw []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fakeKeys.Unlock(ctx, pw)
}

func (k flowKeys) Lock() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fakeKeys.Lock()
}

// startFlow runs the root model over src in a w×h program with the fixed
// clock and no timers, waits for its first reads, and stops it when the
// test ends.
func startFlow(t *testing.T, src Sources, w, h int) *flowProgram {
	t.Helper()
	// The first reads: the status bar and the wallet's balance.
	return startFlowWaiting(t, src, w, h, "tip 2 · synced", "50.00000000")
}

// startFlowWaiting is startFlow waiting for the screen to show want.
func startFlowWaiting(t *testing.T, src Sources, w, h int, want ...string) *flowProgram {
	t.Helper()
	return startFlowEnv(t, src, w, h, os.Environ(), want...)
}

// startFlowEnv is startFlowWaiting with the program's environment env
// (TERM, TMUX), as a terminal would give it.
func startFlowEnv(t *testing.T, src Sources, w, h int, env []string, want ...string) *flowProgram {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m := New(ctx, src, themes.NewStyles(themes.Builtin()[0], true),
		WithInterval(0), WithClock(func() time.Time { return now }), WithLocation(time.UTC), WithLogSince(now.Add(-time.Hour)))
	f := &flowProgram{t: t, out: &lockedBuffer{}, done: make(chan tea.Model, 1)}
	f.p = tea.NewProgram(probe{m},
		tea.WithContext(ctx),
		tea.WithInput(nil),
		tea.WithOutput(f.out),
		tea.WithoutSignals(),
		tea.WithWindowSize(w, h),
		tea.WithEnvironment(env),
	)
	go func() {
		final, err := f.p.Run()
		if err != nil && ctx.Err() == nil {
			t.Errorf("the program failed: %v", err)
		}
		f.done <- final
	}()
	t.Cleanup(func() {
		f.p.Quit()
		select {
		case <-f.done:
		case <-time.After(flowTimeout):
			f.p.Kill()
		}
		cancel()
	})
	f.p.Send(tea.WindowSizeMsg{Width: w, Height: h})
	f.waitFor(want...)
	return f
}

// press sends the named keys (see flowKey) one by one.
func (f *flowProgram) press(keys ...string) {
	for _, k := range keys {
		f.p.Send(flowKey(k))
	}
}

// typeText types s one character at a time, as teatest's Type does.
func (f *flowProgram) typeText(s string) {
	for _, r := range s {
		f.p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// flowKey is keyMsg with the editing keys the forms use.
func flowKey(name string) tea.KeyPressMsg {
	switch name {
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	return keyMsg(name)
}

// screen returns what the model draws after every message sent so far,
// without styling.
func (f *flowProgram) screen() string {
	f.t.Helper()
	reply := make(chan string, 1)
	f.p.Send(snapshotMsg{reply: reply})
	select {
	case s := <-reply:
		return s
	case <-time.After(flowTimeout):
		f.t.Fatal("the program did not answer: it has stopped or hangs")
		return ""
	}
}

// shows reports whether the screen s shows text, which may be wrapped
// over several lines.
func shows(s, text string) bool {
	return strings.Contains(strings.Join(strings.Fields(s), " "), strings.Join(strings.Fields(text), " "))
}

// waitFor waits until the screen shows every one of want, for the reads
// the keys started to come back, and returns that screen.
func (f *flowProgram) waitFor(want ...string) string {
	f.t.Helper()
	deadline := time.Now().Add(flowTimeout)
	for {
		s := f.screen()
		missing := ""
		for _, w := range want {
			if !shows(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the screen never showed %q:\n%s", missing, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quit presses ctrl+c, which quits even while a field takes text, waits
// for the program to end and returns the root model as it was left.
func (f *flowProgram) quit() *Model {
	f.t.Helper()
	f.press("ctrl+c")
	select {
	case final := <-f.done:
		f.done <- final // for the cleanup
		p, ok := final.(probe)
		if !ok {
			f.t.Fatalf("the program ended with a %T", final)
		}
		return p.m
	case <-time.After(flowTimeout):
		f.t.Fatal("ctrl+c did not end the program")
		return nil
	}
}

// TestFlowExplorerNavigation opens the tip's block and its coinbase from
// the blocks list, and comes back with esc twice.
func TestFlowExplorerNavigation(t *testing.T) {
	for _, size := range flowSizes {
		t.Run(sizeName(size), func(t *testing.T) {
			fs := newFlowSources(net)
			tip := fs.chain.blocks[2]
			tipHash := tip.BlockHash().String()
			coinbase := tip.Transactions[0].TxHash().String()
			f := startFlow(t, fs.src, size[0], size[1])

			f.press("2")
			// At 80 columns the list shortens hashes to 12…12 characters.
			s := f.waitFor("txs      size", tipHash[:12])
			if !selected(s, tipHash[:12]) {
				t.Fatalf("the tip %s is not the selected row of the blocks list:\n%s", tipHash, s)
			}

			f.press("enter")
			s = f.waitFor("Block 2 · 1 transaction", "verified")
			if !strings.Contains(s, coinbase[:16]) {
				t.Fatalf("the block page does not list its coinbase %s:\n%s", coinbase, s)
			}
			golden.RequireEqual(t, s)

			f.press("enter")
			s = f.waitFor("Transaction · coinbase", coinbase)
			if !strings.Contains(s, "ours") {
				t.Errorf("the wallet's output is not marked ours:\n%s", s)
			}

			f.press("esc")
			f.waitFor("Block 2 · 1 transaction")
			f.press("esc")
			s = f.waitFor("txs      size")
			if strings.Contains(s, "Block 2") || strings.Contains(s, "Transaction ·") {
				t.Fatalf("esc twice did not return to the blocks list:\n%s", s)
			}

			m := f.quit()
			if n := len(m.stacks[tabExplorer]); n != 1 {
				t.Errorf("the explorer holds %d pages after going back, want 1", n)
			}
			final := ansi.Strip(m.View().Content)
			if !strings.Contains(final, tipHash[:12]) {
				t.Errorf("the final view is not the blocks list with the tip:\n%s", final)
			}
			tuitest.AssertFits(t, m.View().Content, size[0], size[1])
		})
	}
}

// flowTestnetAddr is BIP173's testnet P2WPKH vector; flowMainnetAddr is the
// same program on mainnet.
const (
	flowTestnetAddr = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
	flowMainnetAddr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
)

// startSendFlow runs the app on mainnet at size and opens the send form.
func startSendFlow(t *testing.T, size [2]int) *flowProgram {
	t.Helper()
	fs := newFlowSources(&chaincfg.MainNetParams)
	f := startFlow(t, fs.src, size[0], size[1])
	f.press("s")
	f.waitFor("Fee rate")
	return f
}

// TestFlowSendRejectsBadInput checks the send form on mainnet: a testnet
// address and an amount above the 50 BTC balance are named on screen, and
// enter does not go on to the review.
func TestFlowSendRejectsBadInput(t *testing.T) {
	// The test's own addresses are checked first, so that a failure below
	// is the form's.
	for s, params := range map[string]*chaincfg.Params{flowTestnetAddr: &chaincfg.TestNet3Params, flowMainnetAddr: &chaincfg.MainNetParams} {
		a, err := address.DecodeAddress(s, params)
		if err != nil || !a.IsForNet(params) {
			t.Fatalf("%s is not a %s address: %v", s, params.Name, err)
		}
	}
	for _, size := range flowSizes {
		t.Run(sizeName(size), func(t *testing.T) {
			f := startSendFlow(t, size)
			f.typeText(flowTestnetAddr)
			s := f.waitFor("is a testnet or signet address; this wallet is on mainnet")
			if !strings.Contains(s, "tb1qw508d6") {
				t.Errorf("the form does not show the typed address:\n%s", s)
			}
			if !strings.Contains(s, "Fee rate") {
				t.Fatalf("typing the address left the send form:\n%s", s)
			}

			f.press("ctrl+u")
			s = f.screen()
			if strings.Contains(s, "tb1qw508d6") || shows(s, "this wallet is on mainnet") {
				t.Fatalf("ctrl+u did not clear the address and its error:\n%s", s)
			}
			f.typeText(flowMainnetAddr)
			f.press("tab")
			f.typeText("51")
			s = f.waitFor("amount exceeds the spendable balance of 50.00000000 BTC")
			if shows(s, "this wallet is on") || shows(s, "not a valid") {
				t.Errorf("the mainnet address is flagged:\n%s", s)
			}
			if !strings.Contains(s, "51") || !strings.Contains(s, "bc1qw508d6") {
				t.Errorf("the form does not show the typed address and amount:\n%s", s)
			}
			golden.RequireEqual(t, s)

			f.press("enter")
			s = f.screen()
			if strings.Contains(s, "Review payment") {
				t.Fatalf("enter on a form in error reached the review:\n%s", s)
			}
			if !shows(s, "amount exceeds the spendable balance") {
				t.Errorf("enter dropped the amount's error:\n%s", s)
			}

			m := f.quit()
			if s := ansi.Strip(m.View().Content); strings.Contains(s, "Review payment") {
				t.Errorf("the payment was drafted after all:\n%s", s)
			}
			tuitest.AssertFits(t, m.View().Content, size[0], size[1])
		})
	}
}

// TestFlowSendAbsurdFee pays at 5,000 sat/vB, above the wallet's limit:
// the review shows the fee warning and asks for f before anything can be
// signed, the help overlay lists f, and f lets the payment be signed.
func TestFlowSendAbsurdFee(t *testing.T) {
	for _, size := range flowSizes {
		t.Run(sizeName(size), func(t *testing.T) {
			f := startSendFlow(t, size)
			f.typeText(flowMainnetAddr)
			f.press("tab")
			f.typeText("0.001")
			f.press("tab", "ctrl+u")
			f.typeText("5000")
			f.waitFor("the review asks to confirm it")
			f.press("enter")
			s := f.waitFor("This fee looks like a mistake", "F build it anyway")
			for _, want := range []string{"705,000 sat", "5000.0 sat/vB", "at most 1,000 sat/vB"} {
				if !shows(s, want) {
					t.Errorf("the review lacks %q:\n%s", want, s)
				}
			}
			if shows(s, "sign & broadcast") {
				t.Errorf("the review offers to sign before the fee is accepted:\n%s", s)
			}
			golden.RequireEqual(t, s)

			f.press("?")
			s = f.waitFor("? or esc to close")
			if !shows(s, "build it anyway") {
				t.Errorf("the help overlay does not list f:\n%s", s)
			}
			f.press("?", "F")
			f.waitFor("you chose to pay it", "sign & broadcast")
			f.quit()
		})
	}
}

// TestFlowHelpOverlay opens the help overlay on the wallet overview and on
// the blocks list: each lists the page's own keys and the global ones.
func TestFlowHelpOverlay(t *testing.T) {
	tests := []struct {
		name string
		keys []string // to reach the page
		wait string   // what the page shows once read
		want []string
	}{
		{"overview", nil, "Balance", []string{"Wallet", "send", "receive", "coins", "label", "lock wallet", "Everywhere"}},
		{"explorer", []string{"2"}, "txs      size", []string{"Explorer", "search", "lock wallet", "Everywhere"}},
	}
	for _, tt := range tests {
		for _, size := range flowSizes {
			t.Run(tt.name+"/"+sizeName(size), func(t *testing.T) {
				fs := newFlowSources(net)
				f := startFlow(t, fs.src, size[0], size[1])
				f.press(tt.keys...)
				f.waitFor(tt.wait)
				f.press("?")
				s := f.waitFor("Keys", "? or esc to close")
				for _, w := range tt.want {
					if !shows(s, w) {
						t.Errorf("the help overlay lacks %q:\n%s", w, s)
					}
				}
				golden.RequireEqual(t, s)

				f.press("?")
				if s := f.screen(); strings.Contains(s, "? or esc to close") || !strings.Contains(s, tt.wait) {
					t.Errorf("? did not close the overlay back to the page:\n%s", s)
				}
				m := f.quit()
				if m.help {
					t.Error("the help overlay is still open")
				}
			})
		}
	}
}

// selected reports whether the selected row (marked >) of screen s holds
// text.
func selected(s, text string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, ">") {
			return strings.Contains(l, text)
		}
	}
	return false
}

func sizeName(size [2]int) string {
	return strconv.Itoa(size[0]) + "x" + strconv.Itoa(size[1])
}
