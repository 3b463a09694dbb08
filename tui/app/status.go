package app

import (
	"math"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/node"
)

// statusMsg carries one read of the node's status to the status bar.
type statusMsg struct {
	status node.Status
}

// statusTickMsg is the status bar's timer.
type statusTickMsg struct{}

// eventMsg is one event read from Sources.Events.
type eventMsg struct{ event any }

// eventsClosedMsg says Sources.Events was closed: no more reads.
type eventsClosedMsg struct{}

// statusBar is the state behind the last line.
type statusBar struct {
	loaded  bool
	status  node.Status
	reading bool // a read is out
	again   bool // an event came while it was: refresh once more
	ticking bool // a timer is running
}

// readStatus returns a command that reads the node's status, or nil when
// there is no node, a read is already out or the TUI is shutting down.
func (m *Model) readStatus() tea.Cmd {
	ctx := m.common.Context()
	if m.src.Node == nil || m.status.reading || ctx.Err() != nil {
		return nil
	}
	m.status.reading = true
	src := m.src.Node
	return func() tea.Msg { return statusMsg{status: src.Status()} }
}

// applyStatus shows a read, refreshes again if events came meanwhile, and
// starts the timer for the next read.
func (m *Model) applyStatus(msg statusMsg) tea.Cmd {
	m.status.reading = false
	m.status.loaded = true
	m.status.status = msg.status
	var cmd tea.Cmd
	if m.status.again {
		m.status.again = false
		cmd = m.refresh()
	}
	return tea.Batch(cmd, m.tick())
}

// tick starts the status bar's timer unless it is off or running.
func (m *Model) tick() tea.Cmd {
	if m.cfg.interval <= 0 || m.status.ticking || m.src.Node == nil {
		return nil
	}
	m.status.ticking = true
	return tea.Tick(m.cfg.interval, func(time.Time) tea.Msg { return statusTickMsg{} })
}

// readEvent returns a command that waits for one event; Update issues it
// again after each one. It returns nil without events.
func (m *Model) readEvent() tea.Cmd {
	ch, ctx := m.src.Events, m.common.Context()
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case ev, ok := <-ch:
			if !ok {
				return eventsClosedMsg{}
			}
			return eventMsg{event: ev}
		case <-ctx.Done():
			return nil
		}
	}
}

// onEvent waits for the next event and refreshes what follows the chain.
// Events that come faster than the status can be read are folded into one
// more refresh.
func (m *Model) onEvent() tea.Cmd {
	if m.status.reading {
		m.status.again = true
		return m.readEvent()
	}
	return tea.Batch(m.readEvent(), m.refresh())
}

// refresh re-reads the status bar and the pages that show chain or wallet
// state.
func (m *Model) refresh() tea.Cmd {
	cmds := []tea.Cmd{m.readStatus(), m.list.Refresh()}
	_, cmd := m.node.Update(node.RefreshMsg{})
	cmds = append(cmds, cmd)
	if m.overview != nil {
		cmds = append(cmds, m.overview.Refresh())
	}
	return tea.Batch(cmds...)
}

// statusParts returns the status bar's fields, most important first, and
// the sync progress, which is drawn only when it fits.
func (m *Model) statusParts(barW int) []string {
	s := m.status.status
	network := s.Network
	if network == "" && m.src.Net != nil {
		network = m.src.Net.Name
	}
	if m.src.Node == nil {
		return []string{network, "node offline"}
	}
	if !m.status.loaded {
		return []string{network, "connecting…"}
	}
	return []string{network, "tip " + formatInt(int64(s.Height)), syncText(s, barW), peersText(s.Peers)}
}

// syncText says how far the node is: which chain it is catching up on, with
// a bar barW cells wide (none when barW is 0) and a percentage.
func syncText(s node.Status, barW int) string {
	var label string
	var done, total int32
	switch {
	case s.Synced:
		return "synced"
	case s.PeerHeight > s.Height:
		label, done, total = "headers", s.Height, s.PeerHeight
	case s.FilterHeight < s.Height:
		label, done, total = "filters", s.FilterHeight, s.Height
	default:
		return "syncing"
	}
	f := 0.0
	if total > 0 {
		f = min(max(float64(done)/float64(total), 0), 1)
	}
	pct := strconv.FormatFloat(math.Floor(f*1000)/10, 'f', 1, 64) + "%"
	if barW <= 0 {
		return label + " " + pct
	}
	filled := min(int(f*float64(barW)), barW)
	return label + " [" + strings.Repeat("#", filled) + strings.Repeat("-", barW-filled) + "] " + pct
}

// peersText counts peers in words.
func peersText(n int) string {
	switch n {
	case 0:
		return "no peers"
	case 1:
		return "1 peer"
	}
	return formatInt(int64(n)) + " peers"
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
