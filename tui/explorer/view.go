package explorer

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

const (
	colGap     = 2
	markW      = 2 // "> " before the selected row, for terminals without colour
	timeLayout = "2006-01-02 15:04"
	timeW      = len(timeLayout)
	ageW       = 8 // "999d ago"
	txW        = 6 // "12,345"
	sizeW      = 8 // "999.9 kB"
	feesW      = 15
	fullHashW  = 64
	unknown    = "–"
)

// layout is the column set for one width; narrow terminals drop the time,
// then the age column, and shorten the hash.
type layout struct {
	width    int
	heightW  int
	hashW    int
	showTime bool
	showAge  bool
}

func (m *Model) layout() layout {
	l := layout{
		width:    m.common.Width,
		heightW:  max(len("height"), len(common.FormatInt(int64(max(m.tip, 0))))),
		showTime: true,
		showAge:  true,
	}
	hash := l.width - (markW + l.heightW + colGap + colGap + txW) - (timeW + colGap) - (ageW + colGap) -
		(sizeW + colGap) - (feesW + colGap)
	if hash < 20 {
		l.showTime = false
		hash += timeW + colGap
	}
	if hash < 12 {
		l.showAge = false
		hash += ageW + colGap
	}
	l.hashW = min(max(hash, 4), fullHashW)
	return l
}

// View draws the column titles, one line per visible block and a footer.
// It reads nothing from the source: rows not read yet show their height and
// a placeholder.
func (m *Model) View() tea.View {
	return tea.NewView(m.render())
}

func (m *Model) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.common.Styles
	vis := m.visibleRows()
	l := m.layout()
	now := m.now()

	var b strings.Builder
	b.Grow((vis + 2) * (w + 16))
	lines := 0
	emit := func(s string) {
		if lines > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
		lines++
	}

	if h >= 2 {
		emit(st.TableHeader.Render(common.Fit(l.line(false, "height", "hash", "time (UTC)", "age", "txs", "size", "fees"), w)))
	}

	body := m.bodyLines(l, now, vis)
	for _, s := range body {
		emit(s)
	}
	for range vis - len(body) {
		emit("")
	}
	bottom := m.search.lines(w, st)
	if len(bottom) == 0 {
		bottom = []string{st.Muted.Render(common.Fit(m.footer(), w))}
	}
	for _, s := range bottom[max(len(bottom)-(h-lines), 0):] {
		emit(s)
	}
	return b.String()
}

// bodyLines returns at most vis styled lines for the rows, or the state of
// the list when it has none to show.
func (m *Model) bodyLines(l layout, now time.Time, vis int) []string {
	st := m.common.Styles
	w := l.width
	if vis == 0 {
		return nil
	}
	if m.err != nil {
		msg := "Could not read block headers: " + m.err.Error() + ". Press a key to try again."
		out := strings.Split(st.Error.Width(w).Render(msg), "\n")
		for i := range out {
			out[i] = common.Fit(out[i], w)
		}
		return out[:min(len(out), vis)]
	}
	if !m.loaded {
		return []string{st.Muted.Render(common.Fit("Loading block headers…", w))}
	}
	if m.tip < 0 {
		return []string{st.Muted.Render(common.Fit("No block headers yet: they appear as the node syncs.", w))}
	}

	n := min(vis, m.total()-m.offset)
	out := make([]string, 0, n)
	for i := range n {
		idx := m.offset + i
		height := m.tip - int32(idx)
		selected := idx == m.cursor
		var line string
		if r, ok := m.row(height); ok {
			size, fees := unknown, unknown
			if s, ok := m.summaryOf(r); ok {
				size, fees = formatSize(s.Size), m.units.format(s.Fees)
			}
			line = l.line(selected, common.FormatInt(int64(r.Height)), common.ShortID(r.Hash, l.hashW),
				r.Time.UTC().Format(timeLayout), age(now.Sub(r.Time)), txCount(m.txCountOf(r)), size, fees)
		} else {
			line = l.line(selected, common.FormatInt(int64(height)), "…", "", "", "", "", "")
		}
		line = common.Fit(line, w)
		if selected {
			out = append(out, st.Selected.Render(line))
		} else {
			out = append(out, st.Normal.Render(line))
		}
	}
	return out
}

func (m *Model) footer() string {
	switch {
	case m.err != nil && !m.loaded:
		return "block headers unavailable"
	case !m.loaded:
		return "loading…"
	case m.tip < 0:
		return "no blocks"
	}
	return "block " + common.FormatInt(int64(m.tip)-int64(m.cursor)) + " of " + common.FormatInt(int64(m.total()))
}

// line lays out one row's cells; numbers are right-aligned.
func (l layout) line(selected bool, height, hash, tm, ag, txs, size, fees string) string {
	var b strings.Builder
	b.Grow(l.width + 8)
	if selected {
		b.WriteString("> ")
	} else {
		b.WriteString("  ")
	}
	b.WriteString(common.PadLeft(height, l.heightW))
	b.WriteString("  ")
	b.WriteString(common.PadRight(hash, l.hashW))
	if l.showTime {
		b.WriteString("  ")
		b.WriteString(common.PadRight(tm, timeW))
	}
	if l.showAge {
		b.WriteString("  ")
		b.WriteString(common.PadLeft(ag, ageW))
	}
	b.WriteString("  ")
	b.WriteString(common.PadLeft(txs, txW))
	b.WriteString("  ")
	b.WriteString(common.PadLeft(size, sizeW))
	b.WriteString("  ")
	b.WriteString(common.PadLeft(fees, feesW))
	return b.String()
}

// formatSize writes a block's size in bytes, kB or MB (powers of 1,000).
func formatSize(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n) + " B"
	case n < 999_950: // 999.95 kB would round to 1000.0
		return strconv.FormatFloat(float64(n)/1000, 'f', 1, 64) + " kB"
	}
	return strconv.FormatFloat(float64(n)/1_000_000, 'f', 2, 64) + " MB"
}

// age says how long ago a block was made, in its largest whole unit.
func age(d time.Duration) string {
	switch {
	case d < 0:
		return "future"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h ago"
	case d < 365*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d ago"
	}
	return strconv.Itoa(int(d/(365*24*time.Hour))) + "y ago"
}

func txCount(n int) string {
	if n < 0 {
		return unknown
	}
	return common.FormatInt(int64(n))
}
