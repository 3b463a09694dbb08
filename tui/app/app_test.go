package app

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	"github.com/satchelbtc/satchel/tui/node"
	"github.com/satchelbtc/satchel/tui/settings"
)

// harness is a root model over fake sources.
type harness struct {
	t      *testing.T
	m      *Model
	chain  *chain
	node   *fakeNode
	wallet *fakeWallet
	saver  *fakeSaver
}

type setup struct {
	noWallet bool
	color    bool
	events   <-chan any
	unlocked bool
	autoLock time.Duration
	clock    func() time.Time
}

// newHarness builds the model, sizes it to w×h and runs every command the
// start-up produces, so the pages show their data.
func newHarness(t *testing.T, w, h int, s setup) *harness {
	t.Helper()
	c := newChain(2)
	n := &fakeNode{status: node.Status{Network: "regtest", Height: 2, PeerHeight: 2, FilterHeight: 2, Synced: true, Peers: 1, FilterPeers: 1}}
	src := Sources{Headers: c, Blocks: c, Node: n, Net: net, Owns: c.owns, Events: s.events}
	hs := &harness{t: t, chain: c, node: n}
	if !s.noWallet {
		hs.wallet = &fakeWallet{chain: c, unlocked: s.unlocked}
		src.Wallet = hs.wallet
		src.Keys = fakeKeys{hs.wallet}
	}
	hs.saver = &fakeSaver{}
	src.Settings = &SettingsSource{
		Current: settings.Settings{Theme: themes.Builtin()[0].Name, Units: settings.UnitsBTC, FeeRate: 2,
			Peers: []string{"127.0.0.1:18444"}, AutoLock: s.autoLock},
		Themes: []string{themes.Builtin()[0].Name, themes.Builtin()[1].Name},
		Saver:  hs.saver,
		Styles: func(name string) (*themes.Styles, bool) {
			p, ok := themes.Find(name, nil)
			if !ok {
				return nil, false
			}
			return themes.NewStyles(p, !s.color), true
		},
	}
	styles := themes.NewStyles(themes.Builtin()[0], !s.color)
	clock := s.clock
	if clock == nil {
		clock = func() time.Time { return now }
	}
	hs.m = New(context.Background(), src, styles,
		WithInterval(0), WithClock(clock), WithLocation(time.UTC), WithAutoLock(s.autoLock), WithLogSince(now.Add(-time.Hour)))
	hs.run(hs.m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// run executes cmd and every command its messages lead to, feeding the
// messages to the model, and reports whether one of them quit.
func (hs *harness) run(cmd tea.Cmd) (quit bool) {
	hs.t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			hs.t.Fatal("commands do not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			quit = true
		default:
			_, next := hs.m.Update(msg)
			queue = append(queue, next)
		}
	}
	return quit
}

// send gives msg to the model and runs what follows.
func (hs *harness) send(msg tea.Msg) (quit bool) {
	hs.t.Helper()
	_, cmd := hs.m.Update(msg)
	return hs.run(cmd)
}

// press sends the named keys one by one and reports whether any quit.
func (hs *harness) press(keys ...string) (quit bool) {
	hs.t.Helper()
	for _, k := range keys {
		if hs.send(keyMsg(k)) {
			quit = true
		}
	}
	return quit
}

// screen is the view without styling.
func (hs *harness) screen() string { return ansi.Strip(hs.m.View().Content) }

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+l":
		return tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl}
	case "?":
		return tea.KeyPressMsg{Code: '?', Text: "?", Mod: tea.ModShift}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestTabSwitching(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want tab
		see  string // text only that tab shows
	}{
		{"2 opens the explorer", []string{"2"}, tabExplorer, "txs      size"},
		{"3 opens the node", []string{"3"}, tabNode, "127.0.0.1:18444"},
		{"1 returns to the wallet", []string{"3", "1"}, tabWallet, "mined"},
		{"tab goes right", []string{"tab"}, tabExplorer, "txs      size"},
		{"4 opens the keys", []string{"4"}, tabKeys, "tpubFAKE"},
		{"5 opens the settings", []string{"5"}, tabSettings, "Auto-lock"},
		{"tab wraps around", []string{"5", "tab"}, tabWallet, "mined"},
		{"shift+tab goes left and wraps", []string{"shift+tab"}, tabSettings, "Auto-lock"},
		{"shift+tab twice", []string{"shift+tab", "shift+tab"}, tabKeys, "tpubFAKE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, 80, 24, setup{})
			hs.press(tt.keys...)
			if hs.m.active != tt.want {
				t.Fatalf("active tab = %s, want %s", tabNames[hs.m.active], tabNames[tt.want])
			}
			if s := hs.screen(); !strings.Contains(s, tt.see) {
				t.Errorf("screen does not show %q:\n%s", tt.see, s)
			}
		})
	}
}

func TestTabBarShowsFiveTabs(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	bar := strings.Split(hs.screen(), "\n")[0]
	for _, want := range []string{"1 Wallet", "2 Explorer", "3 Node", "4 Keys", "5 Settings", "? help"} {
		if !strings.Contains(bar, want) {
			t.Errorf("tab bar %q lacks %q", bar, want)
		}
	}
}

func TestExplorerDrillDownAndBack(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	tip := hs.chain.blocks[2]
	coinbase := tip.Transactions[0].TxHash().String()

	hs.press("2", "enter")
	s := hs.screen()
	if !strings.Contains(s, "Block 2 · 1 transaction") || !strings.Contains(s, "verified") {
		t.Fatalf("enter on the tip did not open its verified block page:\n%s", s)
	}

	hs.press("enter")
	s = hs.screen()
	if !strings.Contains(s, "Transaction · coinbase") || !strings.Contains(s, coinbase) {
		t.Fatalf("enter on the coinbase did not open its transaction page:\n%s", s)
	}
	if !strings.Contains(s, "ours") {
		t.Errorf("the wallet's output is not marked ours:\n%s", s)
	}

	hs.press("esc")
	if s = hs.screen(); !strings.Contains(s, "Block 2 · 1 transaction") {
		t.Fatalf("esc on the transaction did not return to the block:\n%s", s)
	}
	hs.press("esc")
	s = hs.screen()
	if !strings.Contains(s, "txs      size") || strings.Contains(s, "Block 2") {
		t.Fatalf("esc on the block did not return to the list:\n%s", s)
	}
	if n := len(hs.m.stacks[tabExplorer]); n != 1 {
		t.Errorf("explorer holds %d pages after going back, want 1", n)
	}
	// Esc on the list has nowhere to go and keeps the list.
	hs.press("esc")
	if len(hs.m.stacks[tabExplorer]) != 1 || !strings.Contains(hs.screen(), "txs      size") {
		t.Error("esc on the list left the list")
	}
}

func TestExplorerKeepsItsPageAcrossTabs(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	hs.press("2", "enter", "1", "2")
	if !strings.Contains(hs.screen(), "Block 2") {
		t.Fatalf("switching tabs lost the open block page:\n%s", hs.screen())
	}
}

func TestWalletTransactionOpensWithItsBlock(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	hs.press("enter")
	s := hs.screen()
	want := hs.chain.blocks[1].BlockHash().String()
	if !strings.Contains(s, "Transaction · coinbase") || !strings.Contains(s, want) {
		t.Fatalf("enter on a wallet transaction did not open it with block %s:\n%s", want, s)
	}
	hs.press("esc")
	if !strings.Contains(hs.screen(), "mined") {
		t.Fatalf("esc did not return to the overview:\n%s", hs.screen())
	}
}

func TestHelpOverlay(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	hs.press("2", "enter", "?")
	if !hs.m.help {
		t.Fatal("? did not open the help overlay")
	}
	s := hs.screen()
	page, global := hs.m.helpBindings()
	for _, group := range hs.m.top(tabExplorer).FullHelp() {
		for _, b := range group {
			if h := b.Help(); !strings.Contains(s, h.Key) || !strings.Contains(s, h.Desc) {
				t.Errorf("help overlay lacks the block page's %q %q", h.Key, h.Desc)
			}
		}
	}
	for _, b := range append(page, global...) {
		if h := b.Help(); !strings.Contains(s, h.Desc) {
			t.Errorf("help overlay lacks %q", h.Desc)
		}
	}
	for _, want := range []string{"Explorer", "Everywhere", "shift+tab", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("help overlay lacks %q:\n%s", want, s)
		}
	}
	tuitest.AssertFits(t, hs.m.View().Content, 80, 24)

	// Keys other than ? and esc do nothing while the overlay is open.
	hs.press("3")
	if hs.m.active != tabExplorer || !hs.m.help {
		t.Fatal("a tab key acted behind the help overlay")
	}
	hs.press("?")
	if hs.m.help || !strings.Contains(hs.screen(), "Block 2") {
		t.Fatalf("? did not close the overlay back to the block page:\n%s", hs.screen())
	}
	hs.press("?", "esc")
	if hs.m.help {
		t.Fatal("esc did not close the overlay")
	}
	if !strings.Contains(hs.screen(), "Block 2") {
		t.Fatal("the esc that closed the overlay also left the block page")
	}
}

func TestHelpOverlayPerPage(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"overview", nil, []string{"Wallet", "BTC/sats", "receive"}},
		{"receive", []string{"r"}, []string{"new address", "edit amount", "back"}},
		{"node", []string{"3"}, []string{"Node", "page down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, 80, 24, setup{})
			hs.press(append(tt.keys, "?")...)
			s := hs.screen()
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("help overlay lacks %q:\n%s", w, s)
				}
			}
		})
	}
}

func TestQuit(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	if !hs.press("q") {
		t.Error("q did not quit")
	}
	hs = newHarness(t, 80, 24, setup{})
	if !hs.press("ctrl+c") {
		t.Error("ctrl+c did not quit")
	}
}

func TestTypingInReceiveDoesNotQuit(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	hs.press("r")
	if !hs.m.onReceive() || !strings.Contains(hs.screen(), hs.chain.ourAddress[:30]) {
		t.Fatalf("r did not open the receive page with the wallet's address:\n%s", hs.screen())
	}
	hs.press("a")
	if !hs.m.capturing() {
		t.Fatal("a did not focus the amount field")
	}
	for _, k := range []string{"q", "2", "?", "tab"} {
		if hs.press(k) {
			t.Fatalf("%s typed into the amount field quit", k)
		}
		if !hs.m.onReceive() || hs.m.help {
			t.Fatalf("%s typed into the amount field acted globally", k)
		}
	}
	if !hs.press("ctrl+c") {
		t.Error("ctrl+c did not quit while typing")
	}

	hs = newHarness(t, 80, 24, setup{})
	hs.press("r", "a", "0", ".", "5", "esc")
	if hs.m.capturing() || !hs.m.onReceive() {
		t.Fatal("esc in the amount field should leave the field, not the page")
	}
	if !strings.Contains(hs.m.receive.URI(), "amount=0.5") {
		t.Errorf("typed amount is not in the request %q", hs.m.receive.URI())
	}
	hs.press("esc")
	if hs.m.onReceive() || !strings.Contains(hs.screen(), "mined") {
		t.Fatalf("esc on the receive page did not return to the overview:\n%s", hs.screen())
	}
	// Back on the receive page, the same address and amount are kept.
	hs.press("r")
	if !hs.m.onReceive() || !strings.Contains(hs.m.receive.URI(), "amount=0.5") {
		t.Errorf("reopening the receive page lost the request %q", hs.m.receive.URI())
	}
	if !hs.press("esc", "q") {
		t.Error("q on the overview did not quit")
	}
}

func TestStatusBar(t *testing.T) {
	tests := []struct {
		name   string
		status node.Status
		want   []string
	}{
		{"synced", node.Status{Network: "regtest", Height: 840_000, PeerHeight: 840_000, FilterHeight: 840_000, Synced: true, Peers: 8},
			[]string{"regtest", "tip 840,000", "synced", "8 peers"}},
		{"headers", node.Status{Network: "testnet4", Height: 100, PeerHeight: 400, Peers: 1},
			[]string{"testnet4", "tip 100", "headers [#####---------------] 25.0%", "1 peer"}},
		{"filters", node.Status{Network: "signet", Height: 400, PeerHeight: 400, FilterHeight: 300},
			[]string{"signet", "tip 400", "filters [###############-----] 75.0%", "no peers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range [][2]int{{80, 24}, {120, 40}} {
				hs := newHarness(t, size[0], size[1], setup{})
				hs.node.status = tt.status
				hs.run(hs.m.readStatus())
				for _, tb := range []string{"1", "2", "3"} {
					hs.press(tb)
					lines := strings.Split(hs.screen(), "\n")
					last := lines[len(lines)-1]
					for _, w := range tt.want {
						if !strings.Contains(last, w) {
							t.Errorf("%dx%d tab %s: status bar %q lacks %q", size[0], size[1], tb, last, w)
						}
					}
				}
			}
		})
	}
}

func TestStatusBarNarrow(t *testing.T) {
	hs := newHarness(t, 40, 10, setup{})
	hs.node.status = node.Status{Network: "testnet4", Height: 100, PeerHeight: 400, Peers: 3}
	hs.run(hs.m.readStatus())
	lines := strings.Split(hs.screen(), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "25.0%") || !strings.Contains(last, "testnet4") {
		t.Errorf("narrow status bar %q lost the network or the percentage", last)
	}
	tuitest.AssertFits(t, hs.m.View().Content, 40, 10)
}

func TestViewsFit(t *testing.T) {
	walks := []struct {
		name string
		keys []string
	}{
		{"wallet", nil},
		{"receive", []string{"r"}},
		{"wallet tx", []string{"enter"}},
		{"explorer", []string{"2"}},
		{"block", []string{"2", "enter"}},
		{"tx", []string{"2", "enter", "enter"}},
		{"node", []string{"3"}},
		{"help", []string{"?"}},
		{"help on the block page", []string{"2", "enter", "?"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, color := range []bool{false, true} {
			for _, w := range walks {
				t.Run(w.name, func(t *testing.T) {
					hs := newHarness(t, size[0], size[1], setup{color: color})
					hs.press(w.keys...)
					tuitest.AssertFits(t, hs.m.View().Content, size[0], size[1])
				})
			}
		}
	}
}

func TestResizeGivesPagesTheSpaceBetweenTheBars(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	hs.press("2", "enter")
	hs.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	for tb, s := range hs.m.stacks {
		for _, p := range s {
			if got := len(strings.Split(p.View().Content, "\n")); got != 28 {
				t.Errorf("a %s page draws %d lines, want 28", tabNames[tb], got)
			}
		}
	}
	tuitest.AssertFits(t, hs.m.View().Content, 100, 30)
}

func TestEventsRefreshAndAreReadAgain(t *testing.T) {
	ch := make(chan any, 1)
	hs := newHarness(t, 80, 24, setup{events: nil})
	hs.m.src.Events = ch // the harness's start-up must not wait on it

	hs.node.status.Height = 3
	hs.node.status.PeerHeight = 3
	peers, tips, balances := hs.node.peerReads, hs.chain.tipReads, hs.wallet.balanceReads

	ch <- "new tip"
	msg := hs.m.readEvent()()
	if _, ok := msg.(eventMsg); !ok {
		t.Fatalf("reading the events gave %T, want eventMsg", msg)
	}
	_, cmd := hs.m.Update(msg)
	// The re-issued read takes the second event; its own re-issued read
	// then finds the channel closed, so running the commands ends.
	ch <- "peer connected"
	close(ch)
	hs.run(cmd)

	if len(ch) != 0 {
		t.Error("the event command was not issued again after an event")
	}
	last := strings.Split(hs.screen(), "\n")
	if bar := last[len(last)-1]; !strings.Contains(bar, "tip 3") {
		t.Errorf("status bar %q did not follow the event", bar)
	}
	if hs.node.peerReads == peers {
		t.Error("the node page was not refreshed on an event")
	}
	if hs.chain.tipReads == tips {
		t.Error("the blocks list was not refreshed on an event")
	}
	if hs.wallet.balanceReads == balances {
		t.Error("the wallet was not refreshed on an event")
	}

	msg = hs.m.readEvent()()
	if _, ok := msg.(eventsClosedMsg); !ok {
		t.Fatalf("reading closed events gave %T, want eventsClosedMsg", msg)
	}
	if _, cmd := hs.m.Update(msg); cmd != nil {
		t.Error("the event command was issued again after the channel closed")
	}
}

func TestEventsFoldWhileAReadIsOut(t *testing.T) {
	ch := make(chan any, 3)
	hs := newHarness(t, 80, 24, setup{})
	hs.m.src.Events = ch
	peers := hs.node.peerReads

	status := hs.m.readStatus() // a read is out
	for range 3 {
		hs.m.Update(eventMsg{})
	}
	if hs.node.peerReads != peers {
		t.Fatal("events refreshed the pages while a status read was out")
	}
	hs.run(status)
	if hs.node.peerReads != peers+1 {
		t.Errorf("three events during a read led to %d node reads, want 1", hs.node.peerReads-peers)
	}
}

func TestNoWallet(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{noWallet: true})
	lines := strings.Split(hs.screen(), "\n")
	if got := strings.TrimSpace(lines[1]); got != noWalletText {
		t.Errorf("wallet tab says %q, want %q", got, noWalletText)
	}
	for _, l := range lines[2 : len(lines)-1] {
		if strings.TrimSpace(l) != "" {
			t.Errorf("wallet tab without a wallet shows more than one line: %q", l)
		}
	}
	hs.press("r", "enter")
	if len(hs.m.stacks[tabWallet]) != 1 {
		t.Error("a wallet page opened without a wallet")
	}
	hs.press("2")
	if !strings.Contains(hs.screen(), "txs      size") {
		t.Error("the explorer does not work without a wallet")
	}
	tuitest.AssertFits(t, hs.m.View().Content, 80, 24)
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"wallet", nil},
		{"explorer", []string{"2"}},
		{"node", []string{"3"}},
		{"help", []string{"2", "?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, 80, 24, setup{})
			hs.press(tt.keys...)
			golden.RequireEqual(t, hs.screen())
		})
	}
	t.Run("no wallet", func(t *testing.T) {
		golden.RequireEqual(t, newHarness(t, 80, 24, setup{noWallet: true}).screen())
	})
}

// TestEveryGlobalBindingHasHelp keeps the overlay honest: each global key
// the root matches is listed with text.
func TestEveryGlobalBindingHasHelp(t *testing.T) {
	hs := newHarness(t, 80, 24, setup{})
	_, global := hs.m.helpBindings()
	k := hs.m.common.KeyMap
	want := append(k.Tabs[:], k.NextTab, k.PrevTab, k.Help, k.Lock, k.Quit, hs.m.keys.Interrupt)
	for _, b := range want {
		found := false
		for _, g := range global {
			if g.Help().Key == b.Help().Key && slices.Equal(g.Keys(), b.Keys()) {
				found = true
			}
		}
		if !found {
			t.Errorf("global binding %v is not in the help overlay", b.Keys())
		}
	}
}

// TestLock checks ctrl+l: an unlocked wallet is locked and the status bar
// says so.
func TestLock(t *testing.T) {
	hs := newHarness(t, 100, 30, setup{unlocked: true})
	if !strings.Contains(lastLine(hs.screen()), "unlocked") {
		t.Fatalf("the status bar does not say unlocked:\n%s", hs.screen())
	}
	hs.press("ctrl+l")
	if hs.wallet.unlocked {
		t.Fatal("ctrl+l did not lock the wallet")
	}
	if last := lastLine(hs.screen()); !strings.Contains(last, "locked") || strings.Contains(last, "unlocked") {
		t.Fatalf("the status bar does not say locked: %q", last)
	}
}

// TestAutoLock checks that an unlocked wallet locks itself after the idle
// time, and not before.
func TestAutoLock(t *testing.T) {
	clock := now
	hs := newHarness(t, 100, 30, setup{unlocked: true, autoLock: 5 * time.Minute, clock: func() time.Time { return clock }})
	clock = clock.Add(4 * time.Minute)
	hs.send(autoLockMsg{})
	if !hs.wallet.unlocked {
		t.Fatal("locked after 4 idle minutes of 5")
	}
	hs.press("j") // a key press restarts the idle time
	clock = clock.Add(4 * time.Minute)
	hs.send(autoLockMsg{})
	if !hs.wallet.unlocked {
		t.Fatal("locked although a key was pressed 4 minutes ago")
	}
	clock = clock.Add(2 * time.Minute)
	hs.send(autoLockMsg{})
	if hs.wallet.unlocked {
		t.Fatal("still unlocked after 6 idle minutes")
	}
}

// TestWalletPages opens send, coins and the label editor from the overview
// and comes back with esc.
func TestWalletPages(t *testing.T) {
	hs := newHarness(t, 100, 30, setup{})
	hs.press("s")
	if scr := hs.screen(); !strings.Contains(scr, "To") || !strings.Contains(scr, "Fee rate") {
		t.Fatalf("s did not open the send form:\n%s", scr)
	}
	hs.press("q") // typed into the address field, not quitting
	hs.press("esc")
	if scr := hs.screen(); !strings.Contains(scr, "Balance") {
		t.Fatalf("esc did not close the send form:\n%s", scr)
	}
	hs.press("c")
	if scr := hs.screen(); !strings.Contains(scr, "50.00000000") || !strings.Contains(scr, "spendable") {
		t.Fatalf("c did not open the coins page:\n%s", scr)
	}
	hs.press("esc", "l")
	for _, k := range []string{"r", "e", "n", "t", "enter"} {
		hs.press(k)
	}
	tx := hs.chain.blocks[1].Transactions[0].TxHash()
	if got := hs.wallet.labels["tx:"+tx.String()]; got != "minedrent" {
		t.Fatalf("label saved as %q", got)
	}
	if scr := hs.screen(); !strings.Contains(scr, "Balance") {
		t.Fatalf("saving the label did not return to the overview:\n%s", scr)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestThemeChangeReachesEveryPage switches from the default theme to
// "light" as the Settings tab does and checks that no colour of the old
// theme is left on the pages, the send form's text fields included (they
// keep copies of their styles).
func TestThemeChangeReachesEveryPage(t *testing.T) {
	def, light := themes.Builtin()[0], themes.Builtin()[1]
	sequences := func(p themes.Palette) []string {
		var out []string
		for _, c := range []color.Color{p.Background, p.Foreground, p.Muted, p.Accent, p.Accent2,
			p.Success, p.Warning, p.Error, p.Border, p.Selection, p.SelectionText} {
			r, g, b, _ := c.RGBA()
			out = append(out, fmt.Sprintf(";2;%d;%d;%d", r>>8, g>>8, b>>8))
		}
		return out
	}
	hs := newHarness(t, 100, 30, setup{color: true})
	hs.press("s")
	if before := hs.m.View().Content; !strings.Contains(before, sequences(def)[3]) {
		t.Fatalf("the send form does not draw with the default theme's accent:\n%q", before)
	}
	s := hs.m.src.Settings.Current
	s.Theme = light.Name
	hs.send(settings.ChangedMsg{Settings: s})
	for _, page := range []struct{ name, key string }{{"send form", ""}, {"explorer", "2"}, {"node", "3"}, {"settings", "5"}} {
		name := page.name
		if page.key != "" {
			hs.press(page.key)
		}
		v := hs.m.View().Content
		for _, seq := range sequences(def) {
			if strings.Contains(v, seq) {
				t.Errorf("%s still draws the default theme's colour %q after switching to %q:\n%q", name, seq, light.Name, v)
			}
		}
		if !strings.Contains(v, sequences(light)[1]) {
			t.Errorf("%s does not draw with the light theme's foreground", name)
		}
	}
}
