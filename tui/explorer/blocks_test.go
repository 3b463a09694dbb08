package explorer

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
)

// genesisTime and the ten-minute spacing make synthetic headers look like a
// real chain.
var genesisTime = time.Date(2009, 1, 3, 18, 15, 5, 0, time.UTC)

// fakeSource is a chain of synthetic headers that counts its reads.
type fakeSource struct {
	tip   int32
	err   error
	calls int
	rows  int // rows asked for in total
	max   int // most rows asked for in one call
}

func (f *fakeSource) TipHeight() int32 { return f.tip }

func (f *fakeSource) Headers(start int32, count int) ([]Row, error) {
	f.calls++
	f.rows += count
	f.max = max(f.max, count)
	if f.err != nil {
		return nil, f.err
	}
	var out []Row
	for h := start; h <= f.tip && len(out) < count; h++ {
		out = append(out, synthRow(h))
	}
	return out, nil
}

func synthRow(h int32) Row {
	x := uint64(h)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	tx := int(h%3000) + 1
	if h%7 == 3 {
		tx = -1
	}
	return Row{
		Height:  h,
		Hash:    fmt.Sprintf("00000000%016x%016x%016x%08x", x, x^0xdeadbeef, x*31, h),
		Time:    genesisTime.Add(time.Duration(h) * 10 * time.Minute),
		TxCount: tx,
	}
}

// fixedClock puts "now" 3 minutes after the tip of a chain of the given height.
func fixedClock(tip int32) func() time.Time {
	now := genesisTime.Add(time.Duration(tip)*10*time.Minute + 3*time.Minute)
	return func() time.Time { return now }
}

// newModel builds a sized model and runs its first read.
func newModel(t testing.TB, src HeaderSource, tip int32, w, h int) *Model {
	t.Helper()
	m := New(common.NewCommon(t.Context(), w, h), src, WithClock(fixedClock(tip)))
	run(t, m, m.Init())
	return m
}

// run executes cmd and feeds its message back, as the Bubble Tea runtime
// would, until no command is left; it returns the messages that are not the
// model's own.
func run(t testing.TB, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for i := 0; cmd != nil; i++ {
		if i > 10 {
			t.Fatal("model keeps asking for reads")
		}
		msg := cmd()
		if _, ok := msg.(headersMsg); !ok {
			out = append(out, msg)
			return out
		}
		_, cmd = m.Update(msg)
	}
	return out
}

// send delivers a message and runs the commands it returns.
func send(t testing.TB, m *Model, msg tea.Msg) []tea.Msg {
	t.Helper()
	_, cmd := m.Update(msg)
	return run(t, m, cmd)
}

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func content(m *Model) string { return m.View().Content }

func TestNavigation(t *testing.T) {
	const tip = 999_999 // 1,000,000 headers
	// 80x24 leaves 22 rows between the titles and the footer.
	const page = 22
	tests := []struct {
		name string
		keys []string
		want int32 // selected height
	}{
		{"starts at tip", nil, tip},
		{"j moves to older block", []string{"j"}, tip - 1},
		{"down arrow", []string{"down", "down"}, tip - 2},
		{"k at tip stays", []string{"k"}, tip},
		{"j then k returns", []string{"j", "j", "k"}, tip - 1},
		{"up arrow", []string{"j", "up"}, tip},
		{"G goes to genesis", []string{"G"}, 0},
		{"j at genesis stays", []string{"G", "j"}, 0},
		{"g returns to tip", []string{"G", "g"}, tip},
		{"pgdown moves a page", []string{"pgdown"}, tip - page},
		{"pgdown twice", []string{"pgdown", "pgdown"}, tip - 2*page},
		{"pgup at tip stays", []string{"pgup"}, tip},
		{"pgup after pgdown", []string{"pgdown", "pgdown", "pgup"}, tip - page},
		{"pgdown clamps at genesis", []string{"G", "k", "pgdown"}, 0},
		{"pgup clamps at tip", []string{"j", "j", "pgup"}, tip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{tip: tip}
			m := newModel(t, src, tip, 80, 24)
			for _, k := range tt.keys {
				send(t, m, keyMsg(k))
			}
			got, ok := m.Selected()
			if !ok || got != tt.want {
				t.Fatalf("selected %d (%v), want %d", got, ok, tt.want)
			}
			footer := fmt.Sprintf("block %s of 1,000,000", common.FormatInt(int64(tt.want)))
			if v := content(m); !strings.Contains(v, footer) {
				t.Errorf("footer does not say %q:\n%s", footer, v)
			}
			// The selected row is on screen and marked.
			marked := "> " + fmt.Sprintf("%*s", len(common.FormatInt(tip)), common.FormatInt(int64(tt.want)))
			if v := content(m); !strings.Contains(v, marked) {
				t.Errorf("selected row %q not shown:\n%s", marked, v)
			}
		})
	}
}

func TestEnterEmitsSelection(t *testing.T) {
	const tip = 999_999
	src := &fakeSource{tip: tip}
	m := newModel(t, src, tip, 80, 24)
	send(t, m, keyMsg("j"))
	send(t, m, keyMsg("j"))
	msgs := send(t, m, keyMsg("enter"))
	want := BlockSelectedMsg{Height: tip - 2, Hash: synthRow(tip - 2).Hash}
	if len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("enter emitted %#v, want %#v", msgs, want)
	}

	// Far away from the first screen too.
	send(t, m, keyMsg("G"))
	msgs = send(t, m, keyMsg("enter"))
	want = BlockSelectedMsg{Height: 0, Hash: synthRow(0).Hash}
	if len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("enter on genesis emitted %#v, want %#v", msgs, want)
	}
}

// TestReadsOnlyTheScreen checks that the list never reads more than one
// screen of a million headers at a time and that View reads nothing.
func TestReadsOnlyTheScreen(t *testing.T) {
	const tip = 999_999
	src := &fakeSource{tip: tip}
	m := newModel(t, src, tip, 80, 24)
	for _, k := range []string{"j", "pgdown", "pgdown", "G", "k", "g", "pgdown", "j"} {
		send(t, m, keyMsg(k))
		before := src.calls
		_ = content(m)
		if src.calls != before {
			t.Fatalf("View read from the source (%d calls)", src.calls-before)
		}
	}
	if src.max > 22 {
		t.Errorf("one read asked for %d rows, more than the 22 on screen", src.max)
	}
	// Moving within the screen reads nothing.
	before := src.calls
	send(t, m, keyMsg("j"))
	send(t, m, keyMsg("k"))
	if src.calls != before {
		t.Errorf("moving within the screen read from the source %d times", src.calls-before)
	}
	if src.rows > 10*22 {
		t.Errorf("read %d rows in total for a few screens", src.rows)
	}
}

func TestViewFitsWidth(t *testing.T) {
	sizes := []struct{ w, h int }{{80, 24}, {120, 40}, {60, 20}, {40, 10}, {20, 5}}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			const tip = 999_999
			m := newModel(t, &fakeSource{tip: tip}, tip, sz.w, sz.h)
			send(t, m, keyMsg("j"))
			lines := strings.Split(content(m), "\n")
			if len(lines) != sz.h {
				t.Errorf("view has %d lines, want %d", len(lines), sz.h)
			}
			for i, l := range lines {
				if w := lipgloss.Width(l); w > sz.w {
					t.Errorf("line %d is %d wide, more than %d: %q", i, w, sz.w, l)
				}
			}
		})
	}
}

func TestView(t *testing.T) {
	const tip = 845_123
	tests := []struct {
		name string
		w, h int
		keys []string
	}{
		{"80x24", 80, 24, nil},
		{"120x40", 120, 40, []string{"j", "j"}},
		{"80x24_bottom", 80, 24, []string{"G"}},
		{"50x12", 50, 12, []string{"pgdown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModel(t, &fakeSource{tip: tip}, tip, tt.w, tt.h)
			for _, k := range tt.keys {
				send(t, m, keyMsg(k))
			}
			golden.RequireEqual(t, content(m))
		})
	}
}

func TestViewStates(t *testing.T) {
	t.Run("genesis_only", func(t *testing.T) {
		m := newModel(t, &fakeSource{tip: 0}, 0, 80, 8)
		send(t, m, keyMsg("j"))
		send(t, m, keyMsg("G"))
		send(t, m, keyMsg("pgdown"))
		if h, ok := m.Selected(); !ok || h != 0 {
			t.Fatalf("selected %d (%v), want genesis", h, ok)
		}
		golden.RequireEqual(t, content(m))
	})
	t.Run("empty_store", func(t *testing.T) {
		m := newModel(t, &fakeSource{tip: -1}, 0, 80, 8)
		send(t, m, keyMsg("j"))
		if msgs := send(t, m, keyMsg("enter")); len(msgs) != 0 {
			t.Fatalf("enter on an empty list emitted %v", msgs)
		}
		golden.RequireEqual(t, content(m))
	})
	t.Run("loading", func(t *testing.T) {
		m := New(common.NewCommon(t.Context(), 80, 8), &fakeSource{tip: 10}, WithClock(fixedClock(10)))
		golden.RequireEqual(t, content(m))
	})
	t.Run("source_error", func(t *testing.T) {
		src := &fakeSource{tip: 999_999, err: errors.New("chain.db: database not open")}
		m := newModel(t, src, 999_999, 80, 8)
		v := content(m)
		if !strings.Contains(v, "chain.db: database not") || !strings.Contains(v, "Could not read block headers") {
			t.Fatalf("error not shown:\n%s", v)
		}
		golden.RequireEqual(t, v)

		// A tick does not hammer the broken store; a key press retries.
		calls := src.calls
		send(t, m, struct{}{})
		if src.calls != calls {
			t.Errorf("a non-key message read the broken store again")
		}
		src.err = nil
		send(t, m, keyMsg("j"))
		if v := content(m); strings.Contains(v, "database not open") || !strings.Contains(v, "block 999,999 of 1,000,000") {
			t.Errorf("list did not recover after the store came back:\n%s", v)
		}
	})
}

func TestResize(t *testing.T) {
	const tip = 999_999
	src := &fakeSource{tip: tip}
	m := newModel(t, src, tip, 120, 40)
	send(t, m, keyMsg("pgdown"))
	send(t, m, keyMsg("j"))
	sel, _ := m.Selected()

	m.SetSize(80, 24)
	send(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if got, _ := m.Selected(); got != sel {
		t.Fatalf("resize moved the selection from %d to %d", sel, got)
	}
	lines := strings.Split(content(m), "\n")
	if len(lines) != 24 {
		t.Fatalf("after resize the view has %d lines, want 24", len(lines))
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > 80 {
			t.Errorf("line %d is %d wide after shrinking to 80", i, w)
		}
	}
	assertAllRowsRead(t, lines)
	if !strings.Contains(content(m), "> "+common.FormatInt(int64(sel))) {
		t.Errorf("selected block %d not visible after resize", sel)
	}

	// Growing shows more rows, all read.
	m.SetSize(120, 60)
	send(t, m, tea.WindowSizeMsg{Width: 120, Height: 60})
	assertAllRowsRead(t, strings.Split(content(m), "\n"))
}

// assertAllRowsRead checks that every row between the titles and the footer
// shows a hash rather than the placeholder of a row not read yet.
func assertAllRowsRead(t *testing.T, lines []string) {
	t.Helper()
	for i := 1; i < len(lines)-1; i++ {
		if !strings.Contains(lines[i], "00000000") {
			t.Errorf("row %d shows no hash: %q", i, lines[i])
		}
	}
}

// TestNewTip checks that a new tip keeps an older selection on its block and
// that a selection on the tip follows the tip.
func TestNewTip(t *testing.T) {
	src := &fakeSource{tip: 1000}
	m := newModel(t, src, 1000, 80, 24)
	src.tip = 1002
	run(t, m, m.Refresh())
	if h, _ := m.Selected(); h != 1002 {
		t.Errorf("selection on the tip did not follow it: at %d", h)
	}
	send(t, m, keyMsg("j"))
	src.tip = 1005
	run(t, m, m.Refresh())
	if h, _ := m.Selected(); h != 1001 {
		t.Errorf("selection moved to %d after a new tip, want 1001", h)
	}
}

// TestStaleResults checks that a read for another model or an old window is
// ignored.
func TestStaleResults(t *testing.T) {
	src := &fakeSource{tip: 500}
	a := newModel(t, src, 500, 80, 24)
	b := newModel(t, &fakeSource{tip: 9}, 9, 80, 24)
	msg := b.Refresh()()
	a.Update(msg)
	if h, _ := a.Selected(); h != 500 {
		t.Fatalf("model a applied model b's read: selected %d", h)
	}
	old := a.Refresh()
	newer := a.Refresh()
	src.tip = 400
	a.Update(old())
	if a.tip != 500 {
		t.Fatalf("an outdated read was applied")
	}
	a.Update(newer())
	if a.tip != 400 {
		t.Fatalf("the newest read was not applied")
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Minute:                 "future",
		42 * time.Second:             "42s ago",
		3 * time.Minute:              "3m ago",
		2*time.Hour + 59*time.Minute: "2h ago",
		5 * 24 * time.Hour:           "5d ago",
		800 * 24 * time.Hour:         "2y ago",
	} {
		if got := age(d); got != want {
			t.Errorf("age(%v) = %q, want %q", d, got, want)
		}
	}
}

// BenchmarkView measures one frame of a 1,000,000-header list at 120x40.
func BenchmarkView(b *testing.B) {
	const tip = 999_999
	m := newModel(b, &fakeSource{tip: tip}, tip, 120, 40)
	send(b, m, keyMsg("pgdown"))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/frame")
}

// BenchmarkScroll measures a page down with its read and the frame after it.
func BenchmarkScroll(b *testing.B) {
	const tip = 999_999
	m := newModel(b, &fakeSource{tip: tip}, tip, 120, 40)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k := "pgdown"
		if i%20000 >= 10000 {
			k = "pgup"
		}
		i++
		send(b, m, keyMsg(k))
		_ = m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/frame")
}

// Keys typed faster than the list reads: G moves to a part of the chain
// not read yet, and enter, pressed before the read is back, opens the
// selected block once its row arrives instead of going nowhere. A key in
// between (the selection moved again) drops that enter.
func TestEnterBeforeTheRowsArrive(t *testing.T) {
	const tip = 999_999
	src := &fakeSource{tip: tip}
	m := newModel(t, src, tip, 80, 24)
	_, read := m.Update(keyMsg("G"))
	if read == nil {
		t.Fatal("G asked for no read")
	}
	if _, cmd := m.Update(keyMsg("enter")); cmd != nil {
		// A second read of the same window is not needed.
		if _, ok := cmd().(headersMsg); !ok {
			t.Fatalf("enter before the read emitted something else")
		}
	}
	msgs := run(t, m, read)
	want := BlockSelectedMsg{Height: 0, Hash: synthRow(0).Hash}
	if len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("once read, the list emitted %#v; want %#v", msgs, want)
	}

	// enter, then k before the rows come: nothing opens.
	send(t, m, keyMsg("g"))
	_, read = m.Update(keyMsg("G"))
	m.Update(keyMsg("enter"))
	m.Update(keyMsg("k"))
	if msgs := run(t, m, read); len(msgs) != 0 {
		t.Fatalf("a moved selection still opened %#v", msgs)
	}
}
