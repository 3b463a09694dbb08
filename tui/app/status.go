package app

import (
	"math"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/node"
	"github.com/satchelbtc/satchel/tui/wallet"
)

// statusMsg carries one read of the node's status, and the wallet's lock, to
// the status bar.
type statusMsg struct {
	status node.Status
	lock   lockState
}

// lockState is what the status bar says about the wallet's keys.
type lockState int

const (
	noWallet lockState = iota
	locked
	unlocked
	watchOnly
)

// String names the state as the status bar shows it.
func (l lockState) String() string {
	switch l {
	case locked:
		return "locked"
	case unlocked:
		return "unlocked"
	case watchOnly:
		return "watch-only"
	}
	return ""
}

// readLock reads the wallet's lock state; it runs inside commands.
func readLock(w Wallet) lockState {
	switch {
	case w == nil:
		return noWallet
	case w.WatchOnly():
		return watchOnly
	case w.Unlocked():
		return unlocked
	}
	return locked
}

// lockedMsg says the wallet was locked, by ctrl+l or by the idle timer.
type lockedMsg struct{}

// autoLockMsg is the auto-lock timer.
type autoLockMsg struct{}

// autoLockEvery is how often the auto-lock timer looks at the idle time.
const autoLockEvery = 10 * time.Second

// lock returns a command that locks the wallet.
func (m *Model) lock() tea.Cmd {
	w := m.src.Wallet
	if w == nil {
		return nil
	}
	return func() tea.Msg {
		w.Lock()
		return lockedMsg{}
	}
}

// autoLockTick starts the auto-lock timer unless auto-lock or the timers
// (WithInterval(0)) are off.
func (m *Model) autoLockTick() tea.Cmd {
	if m.cfg.autoLock <= 0 || m.cfg.interval <= 0 || m.src.Wallet == nil || m.lockTick {
		return nil
	}
	m.lockTick = true
	return tea.Tick(min(autoLockEvery, m.cfg.autoLock), func(time.Time) tea.Msg { return autoLockMsg{} })
}

// autoLock locks an unlocked wallet once no key was pressed for the
// auto-lock time.
func (m *Model) autoLock() tea.Cmd {
	if m.status.lock != unlocked || m.cfg.now().Sub(m.lastInput) < m.cfg.autoLock {
		return nil
	}
	return m.lock()
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
	lock    lockState
	reading bool // a read is out
	again   bool // an event came while it was: refresh once more
	ticking bool // a timer is running
}

// readStatus returns a command that reads the node's status, or nil when
// there is no node, a read is already out or the TUI is shutting down.
func (m *Model) readStatus() tea.Cmd {
	ctx := m.common.Context()
	if (m.src.Node == nil && !m.src.Offline) || m.status.reading || ctx.Err() != nil {
		return nil
	}
	m.status.reading = true
	src, w := m.src.Node, m.src.Wallet
	if src == nil {
		// Offline: only the lock is read.
		return func() tea.Msg { return statusMsg{lock: readLock(w)} }
	}
	return func() tea.Msg { return statusMsg{status: src.Status(), lock: readLock(w)} }
}

// applyStatus shows a read, refreshes again if events came meanwhile, and
// starts the timer for the next read.
func (m *Model) applyStatus(msg statusMsg) tea.Cmd {
	m.status.reading = false
	m.status.loaded = true
	m.status.status = msg.status
	m.status.lock = msg.lock
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
	return tea.Batch(append(cmds, m.refreshWallet())...)
}

// refreshWallet re-reads the wallet's pages.
func (m *Model) refreshWallet() tea.Cmd {
	if m.overview == nil {
		return nil
	}
	return tea.Batch(m.overview.Refresh(), m.broadcast(wallet.RefreshMsg{}))
}

// statusParts returns the status bar's fields, most important first, and
// the sync progress, which is drawn only when it fits.
func (m *Model) statusParts(barW int) []string {
	s := m.status.status
	network := s.Network
	if network == "" && m.src.Net != nil {
		network = m.src.Net.Name
	}
	if m.src.Offline {
		parts := []string{network, "offline"}
		if l := m.status.lock; l != noWallet {
			parts = append(parts, l.String())
		}
		return parts
	}
	if m.src.Node == nil {
		return []string{network, "node offline"}
	}
	if !m.status.loaded {
		return []string{network, "connecting…"}
	}
	parts := []string{network, "tip " + common.FormatInt(int64(s.Height)), syncText(s, barW), peersText(s.Peers)}
	if l := m.status.lock; l != noWallet {
		parts = append(parts, l.String())
	}
	return parts
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
	return common.FormatInt(int64(n)) + " peers"
}
