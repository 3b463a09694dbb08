package node

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/tui/common"
)

const (
	colGap  = 2
	labelW  = len("filter headers")
	pctW    = len("100.0%")
	minBarW = 10
	maxBarW = 50
	// fixedLines are the lines drawn whatever the data: status, two bars,
	// a blank, the peers title and column titles, a blank, the log title.
	fixedLines = 8
	unknown    = "–"
)

// areas is how many peer rows and log lines fit under the fixed lines.
type areas struct {
	peerRows int
	logRows  int
}

// layout splits the height left under the fixed lines: the peers table
// takes what it needs up to half (one row for its empty state), the log
// takes the rest.
func (m *Model) layout() areas {
	rest := m.common.Height - fixedLines
	if rest <= 0 {
		return areas{}
	}
	peers := min(max(len(m.peers), 1), (rest+1)/2)
	return areas{peerRows: peers, logRows: rest - peers}
}

// View draws the page. It reads nothing from the source.
func (m *Model) View() tea.View {
	return tea.NewView(m.render())
}

func (m *Model) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.common.Styles
	lines := make([]string, 0, h)
	add := func(s string) { lines = append(lines, s) }

	switch {
	case m.src == nil:
		add(st.Muted.Render(common.Fit("The node is offline: satchel runs with no network code.", w)))
	case !m.loaded:
		add(st.Muted.Render(common.Fit("Reading node status…", w)))
	default:
		a := m.layout()
		add(st.Title.Render(common.Fit(m.statusLine(), w)))
		lines = append(lines, m.bars(w)...)
		// The line between the bars and the peers carries a warning when
		// there is one.
		if warn := m.warning(); warn != "" {
			add(st.Error.Render(common.Fit(warn, w)))
		} else {
			add("")
		}
		add(st.Subtitle.Render(common.Fit(m.peersTitle(a.peerRows), w)))
		lines = append(lines, m.peerLines(w, a.peerRows)...)
		add("")
		add(st.Subtitle.Render(common.Fit(m.logTitle(w), w)))
		lines = append(lines, m.logLines(w, a.logRows)...)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// statusLine is the first line: network, tip, sync state, peers, relay floor.
func (m *Model) statusLine() string {
	s := m.status
	network := s.Network
	if network == "" {
		network = "unknown network"
	}
	parts := []string{network, "tip " + common.FormatInt(int64(s.Height))}
	if s.Synced {
		parts = append(parts, "synced")
	} else {
		parts = append(parts, "syncing")
	}
	switch s.Peers {
	case 0:
		parts = append(parts, "no peers")
	case 1:
		parts = append(parts, "1 peer")
	default:
		parts = append(parts, common.FormatInt(int64(s.Peers))+" peers")
	}
	if s.Proxy != "" {
		parts = append(parts, "via proxy")
	}
	if s.RelayFloor > 0 {
		parts = append(parts, "relay floor "+strconv.FormatFloat(s.RelayFloor, 'f', -1, 64)+" sat/vB")
	}
	return strings.Join(parts, " · ")
}

// filterCheckWarning is what the page says while one connected peer
// serves compact filters; the light node says the same words.
const filterCheckWarning = "filter headers not cross-checked (1 filter peer)"

// warning is the page's one-line warning, or "".
func (m *Model) warning() string {
	s := m.status
	if s.Peers > 0 && s.FilterPeers == 1 {
		return "! " + filterCheckWarning
	}
	if s.Peers > 0 && s.FilterPeers == 0 {
		return "! no connected peer serves compact block filters"
	}
	return ""
}

// bars draws the header and filter-header progress, one line of w cells
// each, with plain characters, so that they read the same without colour.
func (m *Model) bars(w int) []string {
	st := m.common.Styles
	s := m.status
	type row struct {
		label       string
		done, total int32
		waiting     string
	}
	rows := []row{
		{"headers", s.Height, s.PeerHeight, "waiting for peers"},
		{"filter headers", s.FilterHeight, s.Height, "waiting for headers"},
	}
	counts := make([]string, len(rows))
	countsW := 0
	for i, r := range rows {
		if _, ok := fraction(r.done, r.total); ok {
			counts[i] = common.FormatInt(int64(r.done)) + " / " + common.FormatInt(int64(r.total))
		} else {
			counts[i] = r.waiting
		}
		countsW = max(countsW, ansi.StringWidth(counts[i]))
	}
	barW := w - (labelW + colGap) - 2 - (colGap + pctW) - (colGap + countsW)
	if barW < minBarW {
		// Too narrow for the counts: the bar and percentage say enough.
		clear(counts)
		barW = w - (labelW + colGap) - 2 - (colGap + pctW)
	}
	barW = min(max(barW, minBarW), maxBarW)
	out := make([]string, len(rows))
	for i, r := range rows {
		f, ok := fraction(r.done, r.total)
		pct := unknown
		if ok {
			pct = percent(f)
		}
		filled, empty := barParts(f, barW)
		out[i] = common.Line(w, st.Normal,
			common.Span{Text: fmt.Sprintf("%-*s  [", labelW, r.label), Style: st.Normal},
			common.Span{Text: filled, Style: st.ProgressFilled},
			common.Span{Text: empty, Style: st.ProgressEmpty},
			common.Span{Text: strings.TrimRight(fmt.Sprintf("]  %*s  %s", pctW, pct, counts[i]), " "), Style: st.Normal})
	}
	return out
}

// fraction is done/total clamped to [0, 1]; ok is false when total is not
// known (0 or less), which also avoids dividing by zero.
func fraction(done, total int32) (f float64, ok bool) {
	if total <= 0 {
		return 0, false
	}
	return min(max(float64(done)/float64(total), 0), 1), true
}

// barParts are the done ('#') and to-do ('-') parts of a bar of width
// cells for f, drawn between brackets.
func barParts(f float64, width int) (filled, empty string) {
	n := min(max(int(f*float64(width)), 0), width)
	return strings.Repeat("#", n), strings.Repeat("-", width-n)
}

// percent rounds down, so that 100.0% means done.
func percent(f float64) string {
	return strconv.FormatFloat(math.Floor(f*1000)/10, 'f', 1, 64) + "%"
}

// peersTitle names the table and, when it scrolls, which rows are shown.
func (m *Model) peersTitle(rows int) string {
	t := "Peers"
	if len(m.peers) > 0 {
		t += " (" + common.FormatInt(int64(len(m.peers))) + ")"
	}
	if len(m.peers) > rows && rows > 0 {
		k := m.common.KeyMap
		t += fmt.Sprintf("  showing %d–%d · %s %s scroll", m.offset+1, m.offset+rows,
			k.Up.Help().Key, k.Down.Help().Key)
	}
	return t
}

// Peer table columns.
const (
	colAddr = iota
	colAgent
	colServices
	colHeight
	colPing
	colState
	numCols
)

var (
	colTitles = [numCols]string{"address", "agent", "services", "height", "ping ms", "state"}
	// Text columns start at their natural width up to colMax; a narrow
	// terminal shrinks them in shrinkOrder, first to colComfort, then to
	// colMin, then drops services and the agent. Numbers and the state are
	// never shortened: a banned row writes its state across the services,
	// height and ping columns, which mean nothing for it.
	colMax      = [numCols]int{28, 24, 24}
	colComfort  = [numCols]int{21, 16, 18}
	colMin      = [numCols]int{9, 6, 4}
	shrinkOrder = []int{colServices, colAgent, colAddr}
)

// columns returns the width of each column for w cells, 0 for a dropped
// one.
func columns(cells [][numCols]string, banned []bool, w int) [numCols]int {
	var natural [numCols]int
	for i := range numCols {
		natural[i] = ansi.StringWidth(colTitles[i])
		for r, c := range cells {
			if banned[r] && i >= colServices {
				continue
			}
			natural[i] = max(natural[i], ansi.StringWidth(c[i]))
		}
		if colMax[i] > 0 {
			natural[i] = min(natural[i], colMax[i])
		}
	}
	width := natural
	used := func() int {
		n, cols := 0, 0
		for _, cw := range width {
			if cw > 0 {
				n += cw
				cols++
			}
		}
		return n + colGap*max(cols-1, 0)
	}
	for _, floor := range [][numCols]int{colComfort, colMin} {
		for _, i := range shrinkOrder {
			if over := used() - w; over > 0 {
				width[i] = max(width[i]-over, min(floor[i], width[i]))
			}
		}
	}
	for _, i := range []int{colServices, colAgent} {
		if used() > w {
			width[i] = 0
		}
	}
	// Give room freed by a dropped column back to the address.
	if slack := w - used(); slack > 0 {
		width[colAddr] = min(width[colAddr]+slack, natural[colAddr])
	}
	return width
}

// peerCells formats one peer's cells.
func (m *Model) peerCells(p Peer) [numCols]string {
	var c [numCols]string
	c[colAddr] = p.Addr
	c[colAgent] = p.UserAgent
	c[colServices] = p.Services
	c[colHeight] = unknown
	if p.Height > 0 {
		c[colHeight] = common.FormatInt(int64(p.Height))
	}
	c[colPing] = unknown
	if p.Ping > 0 {
		c[colPing] = common.FormatInt(p.Ping.Milliseconds())
	}
	switch p.Transport {
	case "v2":
		c[colState] = "v2 encrypted"
	case "v1":
		c[colState] = "v1 plaintext"
	default:
		c[colState] = "connected"
	}
	if p.Banned {
		c[colState] = "banned"
		if !p.BannedUntil.IsZero() {
			if left := p.BannedUntil.Sub(m.now()); left > 0 {
				c[colState] += " (" + timeLeft(left) + ")"
			}
		}
		if p.BanReason != "" {
			c[colState] += ": " + p.BanReason
		}
	}
	return c
}

// peerLines returns the column titles and at most rows peer lines, or the
// empty state.
func (m *Model) peerLines(w, rows int) []string {
	st := m.common.Styles
	cells := make([][numCols]string, len(m.peers))
	banned := make([]bool, len(m.peers))
	for i, p := range m.peers {
		cells[i] = m.peerCells(p)
		banned[i] = p.Banned
	}
	width := columns(cells, banned, w)
	out := []string{st.TableHeader.Render(common.Fit(tableLine(colTitles, width, false), w))}
	if len(m.peers) == 0 {
		if rows > 0 {
			msg := "no peers connected — check --connect"
			if m.status.Proxy != "" {
				msg = "no peers connected — check --proxy and --connect"
			}
			if d := m.status.DialError; d != "" {
				msg = "no peers connected — last attempt: " + d
				out = append(out, st.Error.Render(common.Fit(msg, w)))
				return out
			}
			out = append(out, st.Muted.Render(common.Fit(msg, w)))
		}
		return out
	}
	end := min(m.offset+rows, len(m.peers))
	for i := m.offset; i < end; i++ {
		line := tableLine(cells[i], width, banned[i])
		if banned[i] {
			// The state runs to the edge; cut it with an ellipsis.
			if ansi.StringWidth(line) > w {
				line = ansi.Truncate(line, w, "…")
			}
			out = append(out, st.Error.Render(common.Fit(line, w)))
		} else {
			out = append(out, st.Normal.Render(common.Fit(line, w)))
		}
	}
	return out
}

// tableLine lays out one row; numbers are right-aligned, text is cut with
// an ellipsis. A span row writes its state, uncut, right after the agent.
func tableLine(c [numCols]string, width [numCols]int, span bool) string {
	var b strings.Builder
	first := true
	for i := range numCols {
		cw := width[i]
		if span && i == colState {
			cw = ansi.StringWidth(c[i])
		} else if cw == 0 || span && i > colAgent {
			continue
		}
		if !first {
			b.WriteString("  ")
		}
		first = false
		s := c[i]
		if ansi.StringWidth(s) > cw {
			s = ansi.Truncate(s, cw, "…")
		}
		pad := strings.Repeat(" ", cw-ansi.StringWidth(s))
		if i == colHeight || i == colPing {
			b.WriteString(pad + s)
		} else {
			b.WriteString(s + pad)
		}
	}
	return b.String()
}

// logLines returns the newest rows log lines, oldest first, or the empty
// state.
func (m *Model) logLines(w, rows int) []string {
	st := m.common.Styles
	if rows <= 0 {
		return nil
	}
	if len(m.log) == 0 {
		return []string{st.Muted.Render(common.Fit("no log lines yet", w))}
	}
	return logView(m.log, w, rows, st, m.now())
}

// logTitle names the log and, when earlier runs' lines are left out,
// since when it shows, in w cells.
func (m *Model) logTitle(w int) string {
	if m.since.IsZero() {
		return "Log"
	}
	at := stamp(m.since, m.now())
	if t := "Log · since satchel started at " + at + " · earlier runs are in satchel.log"; ansi.StringWidth(t) <= w {
		return t
	}
	return "Log · since satchel started at " + at
}

// timeLeft says how long a ban lasts, in its largest whole unit.
func timeLeft(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}
