package node

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// now is the fixed clock of every test.
var now = time.Date(2025, 1, 28, 16, 8, 0, 0, time.UTC)

func fixedClock() time.Time { return now }

// fakeSource is a node that counts its reads.
type fakeSource struct {
	status Status
	peers  []Peer
	log    []string

	statusCalls, peerCalls, logCalls int
	lastN                            int
}

func (f *fakeSource) Status() Status { f.statusCalls++; return f.status }
func (f *fakeSource) Peers() []Peer  { f.peerCalls++; return f.peers }
func (f *fakeSource) LogTail(n int) []string {
	f.logCalls++
	f.lastN = n
	return f.log[max(len(f.log)-n, 0):]
}

func (f *fakeSource) calls() int { return f.statusCalls + f.peerCalls + f.logCalls }

func syncedStatus() Status {
	return Status{Network: "mainnet", Height: 845_123, PeerHeight: 845_123, FilterHeight: 845_123,
		Synced: true, Peers: 3, FilterPeers: 3, RelayFloor: 1}
}

func goodPeers() []Peer {
	return []Peer{
		{Addr: "203.0.113.7:8333", UserAgent: "/Satoshi:27.0.0/", Services: "NETWORK|WITNESS|CF",
			Height: 845_123, Ping: 42 * time.Millisecond, Transport: "v2"},
		{Addr: "[2001:db8:85a3::8a2e:370:7334]:8333", UserAgent: "/Satoshi:26.1.0(bitcoin-core-fork-with-a-long-name)/",
			Services: "NETWORK|BLOOM|WITNESS|CF|NETWORK_LIMITED", Height: 845_122, Ping: 187 * time.Millisecond,
			Transport: "v1"},
		{Addr: "198.51.100.23:8333", UserAgent: "/btcd:0.24.2/", Services: "NETWORK|WITNESS|CF",
			Height: 845_123, Ping: 1250 * time.Millisecond, Transport: "v2"},
	}
}

func bannedPeer() Peer {
	return Peer{Addr: "192.0.2.66:8333", UserAgent: "/Satoshi:25.0.0/", Services: "NETWORK|WITNESS|CF",
		Banned: true, BanReason: "sent a filter header that disagrees with 3 peers",
		BannedUntil: now.Add(23*time.Hour + 10*time.Minute)}
}

// manyPeers returns n connected peers.
func manyPeers(n int) []Peer {
	out := make([]Peer, n)
	for i := range out {
		out[i] = Peer{Addr: fmt.Sprintf("10.0.%d.%d:8333", i/250, i%250+1), UserAgent: "/Satoshi:27.0.0/",
			Services: "NETWORK|WITNESS|CF", Height: 845_123, Ping: time.Duration(10+i) * time.Millisecond}
	}
	return out
}

// logLines returns n lines as satchel.log holds them (slog's text
// format), ten seconds apart, the last one a minute before now, all of
// them after logStart.
func logLines(n int) []string {
	out := make([]string, n)
	for i := range out {
		at := now.Add(-time.Minute - time.Duration(n-1-i)*10*time.Second).Format(time.RFC3339Nano)
		switch i % 4 {
		case 0:
			out[i] = fmt.Sprintf(`time=%s level=INFO msg="peer connected" addr=203.0.113.7:8333 user_agent=/Satoshi:27.0.0/ height=%d transport=v2 filters=true`, at, 845_000+i)
		case 1:
			out[i] = fmt.Sprintf(`time=%s level=INFO msg="wallet scanned" wallet=default from=%d to=%d blocks=1 txs=0 removed=0`, at, 845_000+i, 845_000+i)
		case 2:
			out[i] = fmt.Sprintf(`time=%s level=INFO msg=broadcast txid=%064x accepted=3`, at, 0xfeb80d1e293a+i)
		default:
			out[i] = fmt.Sprintf(`time=%s level=WARN msg="peer misbehaved" addr=198.51.100.23:8333 err="sent a header that fails proof of work at height %s"`, at, common.FormatInt(int64(845_000+i)))
		}
	}
	return out
}

// logStart is when the page's run began: logLines are all after it.
var logStart = now.Add(-time.Hour)

func newSource() *fakeSource {
	return &fakeSource{status: syncedStatus(), peers: goodPeers(), log: logLines(100)}
}

// newModel builds a sized model and applies its first read.
func newModel(t testing.TB, src Source, w, h int, opts ...Option) *Model {
	t.Helper()
	opts = append([]Option{WithClock(fixedClock), WithLogSince(logStart)}, opts...)
	m := New(common.NewCommon(t.Context(), w, h), src, opts...)
	read1(t, m, m.Init())
	return m
}

// read1 runs a read command, as the Bubble Tea runtime would, and feeds its
// message back. It returns the command Update gave back (the timer), which
// it does not run.
func read1(t testing.TB, m *Model, cmd tea.Cmd) tea.Cmd {
	t.Helper()
	if cmd == nil {
		t.Fatal("no read command")
	}
	msg := cmd()
	if _, ok := msg.(dataMsg); !ok {
		t.Fatalf("command returned %T, want a read result", msg)
	}
	_, next := m.Update(msg)
	return next
}

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "G":
		return tea.KeyPressMsg{Code: 'g', Text: "G", Mod: tea.ModShift}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func content(m *Model) string { return m.View().Content }

func TestView(t *testing.T) {
	syncing := syncedStatus()
	syncing.Synced = false
	syncing.Height = 354_952 // 42.0% of 845,123
	syncing.FilterHeight = 120_000
	syncing.RelayFloor = 0
	oneFilterPeer := syncedStatus()
	oneFilterPeer.FilterPeers = 1
	unreachable := Status{Network: "mainnet", Height: 845_123, Proxy: "127.0.0.1:9050",
		DialError: "203.0.113.7:8333: cannot reach the proxy 127.0.0.1:9050: connection refused"}

	tests := []struct {
		name   string
		w, h   int
		status Status
		peers  []Peer
		log    []string
		want   []string // text a user must see
	}{
		{"synced", 80, 24, syncedStatus(), goodPeers(), logLines(100),
			[]string{"mainnet · tip 845,123 · synced · 3 peers", "100.0%", "203.0.113.7:8333", "WARN  peer misbehaved addr=198.51.100.23:8333", "fails proof of work at height 845,099"}},
		{"synced_120x40", 120, 40, syncedStatus(), goodPeers(), logLines(100),
			[]string{"NETWORK|WITNESS|CF", "1,250", "42"}},
		{"syncing_42", 80, 24, syncing, goodPeers(), logLines(100),
			[]string{"syncing", "42.0%", "354,952 / 845,123", "120,000 / 354,952"}},
		{"banned_peer", 80, 24, syncedStatus(), append(goodPeers(), bannedPeer()), logLines(100),
			[]string{"banned (23h): sent a filter"}},
		{"banned_peer_120x40", 120, 40, syncedStatus(), append(goodPeers(), bannedPeer()), logLines(100),
			[]string{"banned (23h): sent a filter header that disagrees with 3 peers"}},
		{"no_peers", 80, 24, Status{Network: "signet", Height: 200_000}, nil, logLines(3),
			[]string{"no peers connected — check --connect", "waiting for peers", "no peers"}},
		{"no_log", 80, 24, syncedStatus(), goodPeers(), nil, []string{"no log lines yet"}},
		{"synced_transport", 80, 24, syncedStatus(), goodPeers(), logLines(100),
			[]string{"v2 encrypted", "v1 plaintext"}},
		{"one_filter_peer", 80, 24, oneFilterPeer, goodPeers(), logLines(100),
			[]string{"filter headers not cross-checked (1 filter peer)"}},
		{"dial_error", 120, 24, unreachable, nil, logLines(3),
			[]string{"via proxy", "no peers connected — last attempt: 203.0.113.7:8333: cannot reach the proxy 127.0.0.1:9050: connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{status: tt.status, peers: tt.peers, log: tt.log}
			m := newModel(t, src, tt.w, tt.h)
			v := content(m)
			tuitest.AssertFits(t, v, tt.w, tt.h)
			plain := ansiStrip(v)
			for _, s := range tt.want {
				if !strings.Contains(plain, s) {
					t.Errorf("view does not show %q:\n%s", s, plain)
				}
			}
			golden.RequireEqual(t, v)
		})
	}
}

// TestViewStates covers the page before its first read and with no node.
func TestViewStates(t *testing.T) {
	t.Run("loading", func(t *testing.T) {
		m := New(common.NewCommon(t.Context(), 80, 24), newSource(), WithClock(fixedClock))
		v := content(m)
		tuitest.AssertFits(t, v, 80, 24)
		if !strings.Contains(v, "Reading node status") {
			t.Errorf("loading state not shown:\n%s", v)
		}
	})
	t.Run("offline", func(t *testing.T) {
		m := New(common.NewCommon(t.Context(), 80, 24), nil)
		if m.Init() != nil {
			t.Error("an offline page asked for a read")
		}
		if _, cmd := m.Update(RefreshMsg{}); cmd != nil {
			t.Error("an offline page asked for a read on refresh")
		}
		v := content(m)
		tuitest.AssertFits(t, v, 80, 24)
		if !strings.Contains(v, "offline") {
			t.Errorf("offline state not shown:\n%s", v)
		}
	})
}

func TestViewFitsWidth(t *testing.T) {
	peers := append(manyPeers(30), bannedPeer())
	peers[0].UserAgent = "/a-very-long-user-agent-string-announced-by-some-peer:1.2.3(with;comments;here)/"
	peers[1].Addr = "[2001:db8:85a3:1234:5678:8a2e:370:7334]:18333"
	long := logLines(50)
	long[49] = strings.Repeat("a log line far wider than any terminal ", 10)
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}, {60, 20}, {40, 10}, {20, 5}, {200, 60}, {10, 3}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			src := &fakeSource{status: syncedStatus(), peers: peers, log: long}
			m := newModel(t, src, sz.w, sz.h)
			tuitest.AssertFits(t, content(m), sz.w, sz.h)
			m.Update(keyMsg("G"))
			tuitest.AssertFits(t, content(m), sz.w, sz.h)
		})
	}
	// At 80 columns every column still shows, shortened.
	m := newModel(t, &fakeSource{status: syncedStatus(), peers: peers, log: long}, 80, 24)
	v := ansiStrip(content(m))
	for _, title := range colTitles {
		if !strings.Contains(v, title) {
			t.Errorf("80 columns lost the %q column:\n%s", title, v)
		}
	}
}

// TestReadsOnlyInCommands checks that nothing but the commands the page
// returns touches the source: not New, View, keys, resizes or refreshes.
func TestReadsOnlyInCommands(t *testing.T) {
	src := &fakeSource{status: syncedStatus(), peers: manyPeers(20), log: logLines(100)}
	m := New(common.NewCommon(t.Context(), 80, 24), src, WithClock(fixedClock))
	_ = content(m)
	init := m.Init()
	if src.calls() != 0 {
		t.Fatalf("New, View or Init read the source %d times", src.calls())
	}
	tick := read1(t, m, init)
	if src.statusCalls != 1 || src.peerCalls != 1 || src.logCalls != 1 {
		t.Fatalf("one read made %d/%d/%d calls, want 1/1/1", src.statusCalls, src.peerCalls, src.logCalls)
	}
	if tick == nil {
		t.Fatal("no timer was started after the first read")
	}

	msgs := []tea.Msg{keyMsg("j"), keyMsg("k"), keyMsg("G"), keyMsg("pgup"),
		tea.WindowSizeMsg{Width: 80, Height: 24}, RefreshMsg{}, tickMsg{id: m.id}}
	var cmds []tea.Cmd
	for _, msg := range msgs {
		_, cmd := m.Update(msg)
		_ = content(m)
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	m.SetSize(120, 40)
	_ = content(m)
	if src.calls() != 3 {
		t.Fatalf("Update, View or SetSize read the source: %d calls after the first read", src.calls()-3)
	}
	// RefreshMsg and the timer each returned a read.
	if len(cmds) != 2 {
		t.Fatalf("got %d commands, want a read for the refresh and one for the timer", len(cmds))
	}
	for _, cmd := range cmds {
		read1(t, m, cmd)
	}
	if src.statusCalls != 3 {
		t.Errorf("running the two commands made %d status reads, want 2", src.statusCalls-1)
	}

	// Once the TUI shuts down, nothing reads any more.
	ctx, cancel := context.WithCancel(t.Context())
	m2 := New(common.NewCommon(ctx, 80, 24), src)
	cancel()
	if m2.Init() != nil {
		t.Error("a read was started after the context was cancelled")
	}
}

func TestProgress(t *testing.T) {
	tests := []struct {
		name        string
		done, total int32
		ok          bool
		bar, pct    string
	}{
		{"0%", 0, 845_123, true, "[----------]", "0.0%"},
		{"50%", 50, 100, true, "[#####-----]", "50.0%"},
		{"100%", 845_123, 845_123, true, "[##########]", "100.0%"},
		{"almost done is not 100%", 99_999, 100_000, true, "[#########-]", "99.9%"},
		{"ahead of peers", 101, 100, true, "[##########]", "100.0%"},
		{"peer height 0", 845_123, 0, false, "[----------]", ""},
		{"nothing at all", 0, 0, false, "[----------]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := fraction(tt.done, tt.total)
			if ok != tt.ok {
				t.Fatalf("fraction(%d, %d) ok = %v, want %v", tt.done, tt.total, ok, tt.ok)
			}
			if filled, empty := barParts(f, 10); "["+filled+empty+"]" != tt.bar {
				got := "[" + filled + empty + "]"
				t.Errorf("bar = %q, want %q", got, tt.bar)
			}
			if ok {
				if got := percent(f); got != tt.pct {
					t.Errorf("percent = %q, want %q", got, tt.pct)
				}
			}
		})
	}

	// On the page: no peer height yet means no made-up percentage.
	st := Status{Network: "regtest", Height: 0, PeerHeight: 0}
	m := newModel(t, &fakeSource{status: st}, 80, 24)
	v := ansiStrip(content(m))
	for _, bad := range []string{"NaN", "Inf", "%"} {
		if strings.Contains(v, bad) {
			t.Errorf("view shows %q with no heights known:\n%s", bad, v)
		}
	}
	if !strings.Contains(v, "waiting for peers") || !strings.Contains(v, "waiting for headers") {
		t.Errorf("bars do not say what they wait for:\n%s", v)
	}
}

func TestScroll(t *testing.T) {
	// 80x24 leaves 16 lines: 8 peer rows, 8 log lines.
	const rows = 8
	tests := []struct {
		name  string
		peers int
		keys  []string
		first int // index of the first peer shown
	}{
		{"starts at top", 20, nil, 0},
		{"j scrolls", 20, []string{"j"}, 1},
		{"down arrow", 20, []string{"down", "down"}, 2},
		{"k at top stays", 20, []string{"k"}, 0},
		{"j then k", 20, []string{"j", "j", "k"}, 1},
		{"G shows the last rows", 20, []string{"G"}, 20 - rows},
		{"j at bottom stays", 20, []string{"G", "j"}, 20 - rows},
		{"g returns", 20, []string{"G", "g"}, 0},
		{"pgdown", 20, []string{"pgdown"}, rows},
		{"pgdown clamps", 20, []string{"pgdown", "pgdown"}, 20 - rows},
		{"short table does not scroll", 3, []string{"j", "j"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{status: syncedStatus(), peers: manyPeers(tt.peers), log: logLines(100)}
			m := newModel(t, src, 80, 24)
			for _, k := range tt.keys {
				m.Update(keyMsg(k))
			}
			v := ansiStrip(content(m))
			first := src.peers[tt.first].Addr
			lines := strings.Split(v, "\n")
			if got := lines[6]; !strings.HasPrefix(got, first+" ") {
				t.Errorf("first peer row is %q, want peer %d (%s)", got, tt.first, first)
			}
			if tt.first > 0 && strings.Contains(v, src.peers[tt.first-1].Addr+" ") {
				t.Errorf("peer %d, scrolled past, is still shown", tt.first-1)
			}
			if tt.peers > rows {
				want := fmt.Sprintf("showing %d–%d", tt.first+1, tt.first+rows)
				if !strings.Contains(v, want) {
					t.Errorf("title does not say %q:\n%s", want, v)
				}
			}
			tuitest.AssertFits(t, content(m), 80, 24)
		})
	}
}

func TestResize(t *testing.T) {
	src := &fakeSource{status: syncedStatus(), peers: manyPeers(40), log: logLines(100)}
	m := newModel(t, src, 120, 40)
	m.Update(keyMsg("G"))

	m.SetSize(80, 24)
	if _, cmd := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24}); cmd != nil {
		t.Error("shrinking asked for a read although the held log covers it")
	}
	tuitest.AssertFits(t, content(m), 80, 24)
	// 120x40 showed peers 25–40; the same first row stays on top.
	v := ansiStrip(content(m))
	if !strings.Contains(v, "showing 25–32") || !strings.HasPrefix(strings.Split(v, "\n")[6], src.peers[24].Addr+" ") {
		t.Errorf("shrinking moved the table:\n%s", v)
	}

	// Growing keeps the table full and reads the log lines that now fit.
	m.SetSize(200, 60)
	_, cmd := m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	if cmd == nil {
		t.Fatal("growing past the log lines held did not read more")
	}
	read1(t, m, cmd)
	if src.lastN < 60 {
		t.Errorf("asked for %d log lines at height 60", src.lastN)
	}
	tuitest.AssertFits(t, content(m), 200, 60)
	v = ansiStrip(content(m))
	// 52 lines under the fixed ones: 26 peer rows, 26 log lines.
	if !strings.Contains(v, "showing 15–40") {
		t.Errorf("table is not full after growing at the bottom:\n%s", v)
	}
	if !strings.Contains(v, fmt.Sprintf("txid=%064x", 0xfeb80d1e293a+74)) || !strings.Contains(v, "at height 845,099") {
		t.Errorf("log does not fill the grown page:\n%s", v)
	}
}

// TestRefreshAndTimer checks that new data shows after a RefreshMsg or a
// tick, and that only one timer runs however many reads there are.
func TestRefreshAndTimer(t *testing.T) {
	src := newSource()
	src.status.Synced = false
	src.status.Height = 100
	m := newModel(t, src, 80, 24)

	src.status.Height = 845_123
	src.status.Synced = true
	_, cmd := m.Update(RefreshMsg{})
	if tick := read1(t, m, cmd); tick != nil {
		t.Error("a second timer was started while one runs")
	}
	if v := ansiStrip(content(m)); !strings.Contains(v, "tip 845,123 · synced") {
		t.Errorf("refresh did not show the new tip:\n%s", v)
	}

	src.peers = append(src.peers, bannedPeer())
	_, cmd = m.Update(tickMsg{id: m.id})
	if tick := read1(t, m, cmd); tick == nil {
		t.Error("the timer was not restarted after it fired")
	}
	if v := ansiStrip(content(m)); !strings.Contains(v, "banned (23h)") {
		t.Errorf("tick did not show the banned peer:\n%s", v)
	}

	// Another model's timer does nothing here.
	if _, cmd := m.Update(tickMsg{id: m.id + 1000}); cmd != nil {
		t.Error("another model's tick started a read")
	}

	// With the timer off only RefreshMsg reads.
	m2 := New(common.NewCommon(t.Context(), 80, 24), src, WithInterval(0))
	if tick := read1(t, m2, m2.Init()); tick != nil {
		t.Error("WithInterval(0) still started a timer")
	}
}

// TestStaleResults checks that a read for another model, or older than the
// one shown, is ignored.
func TestStaleResults(t *testing.T) {
	a := newModel(t, newSource(), 80, 24)
	bSrc := newSource()
	bSrc.status.Network = "testnet4"
	b := newModel(t, bSrc, 80, 24)

	a.Update(b.Refresh()())
	if v := ansiStrip(content(a)); strings.Contains(v, "testnet4") {
		t.Fatalf("model a shows model b's read:\n%s", v)
	}

	src := newSource()
	c := newModel(t, src, 80, 24)
	old := c.Refresh()
	src.status.Height = 900_000
	newer := c.Refresh()
	c.Update(newer())
	src.status.Height = 1
	c.Update(old())
	if v := ansiStrip(content(c)); !strings.Contains(v, "tip 900,000") {
		t.Fatalf("an older read replaced a newer one:\n%s", v)
	}
}

// TestHostileText checks that escape sequences from peers or the log do not
// reach the terminal.
func TestHostileText(t *testing.T) {
	src := newSource()
	src.peers[0].UserAgent = "/evil\x1b[2J\x1b]0;pwned\x07:1.0/"
	src.log = []string{"line with\ttab and \x1b[31mred\x1b[0m"}
	m := newModel(t, src, 120, 40)
	v := content(m)
	for _, bad := range []string{"\x1b[2J", "\x1b]0", "\x07", "\t", "\x1b[31m"} {
		if strings.Contains(v, bad) {
			t.Errorf("view passes %q through", bad)
		}
	}
	if !strings.Contains(ansiStrip(v), "line with tab and [31mred[0m") {
		t.Errorf("log line not shown cleaned:\n%s", ansiStrip(v))
	}
	if src.peers[0].UserAgent[5] != '\x1b' {
		t.Error("cleaning wrote into the source's slice")
	}
}

func TestHelp(t *testing.T) {
	m := newModel(t, newSource(), 80, 24)
	n := 0
	for _, g := range m.FullHelp() {
		for _, b := range g {
			n++
			if b.Help().Key == "" || b.Help().Desc == "" {
				t.Errorf("binding %v has no help text", b.Keys())
			}
		}
	}
	if n != 6 {
		t.Errorf("help lists %d bindings, want the 6 that scroll the table", n)
	}
}

func TestTimeLeft(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:              "<1m",
		12 * time.Minute:              "12m",
		23*time.Hour + 59*time.Minute: "23h",
		47 * time.Hour:                "47h",
		72 * time.Hour:                "3d",
	} {
		if got := timeLeft(d); got != want {
			t.Errorf("timeLeft(%v) = %q, want %q", d, got, want)
		}
	}
}

// BenchmarkView measures one frame with 125 peers at 120x40.
func BenchmarkView(b *testing.B) {
	src := &fakeSource{status: syncedStatus(), peers: append(manyPeers(124), bannedPeer()), log: logLines(100)}
	m := newModel(b, src, 120, 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// ansiStrip removes styling so that tests can look for the text a user reads.
func ansiStrip(s string) string { return ansi.Strip(s) }

// TestLogThisRun: lines written before the page's run began (the demo's
// setup, an earlier CLI sync) are left out, and the title says since when
// the log shows; WithLogSince(time.Time{}) shows them all.
func TestLogThisRun(t *testing.T) {
	old := fmt.Sprintf(`time=%s level=INFO msg="address handed out" wallet=miner index=3`,
		logStart.Add(-time.Second).Format(time.RFC3339Nano))
	src := newSource()
	src.log = append([]string{old}, logLines(3)...)
	m := newModel(t, src, 120, 40)
	v := ansiStrip(content(m))
	if strings.Contains(v, "wallet=miner") {
		t.Errorf("a line from before the run is shown:\n%s", v)
	}
	if !strings.Contains(v, "Log · since satchel started at 15:08:00 · earlier runs are in satchel.log") ||
		!strings.Contains(v, "16:06:40 INFO  peer connected addr=203.0.113.7:8333") {
		t.Errorf("the log does not show this run's lines under its title:\n%s", v)
	}

	all := newModel(t, src, 120, 40, WithLogSince(time.Time{}))
	v = ansiStrip(content(all))
	if !strings.Contains(v, "15:07:59 INFO  address handed out wallet=miner index=3") {
		t.Errorf("WithLogSince(zero) does not show every line:\n%s", v)
	}
}

// TestLogWraps: at 80 columns a long entry wraps under its message instead
// of being cut: the whole txid and the fields after it are on screen.
func TestLogWraps(t *testing.T) {
	src := newSource()
	src.log = logLines(3)
	m := newModel(t, src, 80, 24)
	v := ansiStrip(content(m))
	lines := strings.Split(v, "\n")
	var logPart []string
	for i, l := range lines {
		if strings.HasPrefix(l, "Log") {
			logPart = lines[i+1:]
		}
	}
	joined := ""
	for _, l := range logPart {
		if strings.Contains(l, "…") {
			t.Errorf("a log line is cut: %q", l)
		}
		if strings.HasPrefix(l, "               ") {
			joined += strings.TrimSpace(l)
		} else {
			joined += "\n" + strings.TrimRight(l, " ")
		}
	}
	want := fmt.Sprintf("16:07:00 INFO  broadcast txid=%064x accepted=3", 0xfeb80d1e293a+2)
	if !strings.Contains(joined, want) {
		t.Errorf("the broadcast entry does not wrap whole under its message; want %q in:\n%s", want, v)
	}
	tuitest.AssertFits(t, content(m), 80, 24)
}

func TestParseLogLine(t *testing.T) {
	e := parseLogLine(`time=2026-12-07T15:24:10.781Z level=INFO msg="peer connected" addr=127.0.0.1:37467 user_agent="a \"b\"" filters=true`)
	if !e.ok || e.level != "INFO" || e.msg != "peer connected" || len(e.attrs) != 3 ||
		e.attrs[1] != (logAttr{"user_agent", `a "b"`}) || e.time.Minute() != 24 {
		t.Errorf("parsed %+v", e)
	}
	for _, bad := range []string{"", "2025-01-28 16:04:00 INF connected", `time=x level=INFO msg=a`, `time=2026-12-07T15:24:10Z msg="open`} {
		if parseLogLine(bad).ok {
			t.Errorf("%q parsed as slog's format", bad)
		}
	}
}
