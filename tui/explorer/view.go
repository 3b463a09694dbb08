package explorer

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

const (
	colGap     = 2
	markW      = 2 // "> " before the selected row, for terminals without colour
	timeLayout = "2006-01-02 15:04"
	timeW      = len(timeLayout)
	ageW       = 8 // "999d ago"
	txW        = 6 // "12,345"
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
		heightW:  max(len("height"), len(formatInt(int64(max(m.tip, 0))))),
		showTime: true,
		showAge:  true,
	}
	hash := l.width - (markW + l.heightW + colGap + colGap + txW) - (timeW + colGap) - (ageW + colGap)
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
		emit(st.TableHeader.Render(fit(l.line(false, "height", "hash", "time (UTC)", "age", "txs"), w)))
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
		bottom = []string{st.Footer.Render(fit(m.footer(), w))}
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
			out[i] = fit(out[i], w)
		}
		return out[:min(len(out), vis)]
	}
	if !m.loaded {
		return []string{st.Muted.Render(fit("Loading block headers…", w))}
	}
	if m.tip < 0 {
		return []string{st.Muted.Render(fit("No block headers yet: they appear as the node syncs.", w))}
	}

	n := min(vis, m.total()-m.offset)
	out := make([]string, 0, n)
	for i := range n {
		idx := m.offset + i
		height := m.tip - int32(idx)
		selected := idx == m.cursor
		var line string
		if r, ok := m.row(height); ok {
			line = l.line(selected, formatInt(int64(r.Height)), shortHash(r.Hash, l.hashW),
				r.Time.UTC().Format(timeLayout), age(now.Sub(r.Time)), txCount(m.txCountOf(r)))
		} else {
			line = l.line(selected, formatInt(int64(height)), "…", "", "", "")
		}
		line = fit(line, w)
		if selected {
			out = append(out, st.SelectedRow.Render(line))
		} else {
			out = append(out, st.Row.Render(line))
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
	return "block " + formatInt(int64(m.tip)-int64(m.cursor)) + " of " + formatInt(int64(m.total()))
}

// line lays out one row's cells; numbers are right-aligned.
func (l layout) line(selected bool, height, hash, tm, ag, txs string) string {
	var b strings.Builder
	b.Grow(l.width + 8)
	if selected {
		b.WriteString("> ")
	} else {
		b.WriteString("  ")
	}
	padLeft(&b, height, l.heightW)
	b.WriteString("  ")
	padRight(&b, hash, l.hashW)
	if l.showTime {
		b.WriteString("  ")
		padRight(&b, tm, timeW)
	}
	if l.showAge {
		b.WriteString("  ")
		padLeft(&b, ag, ageW)
	}
	b.WriteString("  ")
	padLeft(&b, txs, txW)
	return b.String()
}

// fit cuts or pads s to exactly w cells, so highlighted rows span the width.
func fit(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "")
	}
	return s + strings.Repeat(" ", w-sw)
}

func padLeft(b *strings.Builder, s string, w int) {
	for range w - ansi.StringWidth(s) {
		b.WriteByte(' ')
	}
	b.WriteString(s)
}

func padRight(b *strings.Builder, s string, w int) {
	b.WriteString(s)
	for range w - ansi.StringWidth(s) {
		b.WriteByte(' ')
	}
}

// shortHash fits a hash into w cells, keeping its start and its end: block
// hashes begin with zeros, so the end is what tells them apart.
func shortHash(h string, w int) string {
	if len(h) <= w {
		return h
	}
	if w < 5 {
		return h[:max(w, 0)]
	}
	tail := (w - 1) / 2
	head := w - 1 - tail
	return h[:head] + "…" + h[len(h)-tail:]
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
	return formatInt(int64(n))
}

// formatInt writes n with thousands separators: 845123 → "845,123".
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
