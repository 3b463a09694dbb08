package node

import (
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// DefaultInterval is how often the page re-reads the node when no
// RefreshMsg arrives.
const DefaultInterval = 2 * time.Second

// RefreshMsg asks the Node page to re-read the node now. The root model
// sends it when the node publishes an event.
type RefreshMsg struct{}

// dataMsg carries one read of the node back to the model that asked.
type dataMsg struct {
	id     int64  // model that asked
	seq    uint64 // request number; an answer older than the one shown is dropped
	asked  int    // log lines asked for
	status Status
	peers  []Peer
	log    []string
}

// tickMsg is the timer that re-reads the node.
type tickMsg struct{ id int64 }

// lastID numbers models so that async results reach the model that asked.
var lastID atomic.Int64

// Option changes how New builds a Model.
type Option func(*Model)

// WithClock sets the clock used for the time left on bans; tests pass a
// fixed one. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(m *Model) {
		if now != nil {
			m.now = now
		}
	}
}

// WithInterval sets how often the page re-reads the node on its own; 0 turns
// the timer off, leaving only RefreshMsg. The default is DefaultInterval.
func WithInterval(d time.Duration) Option {
	return func(m *Model) { m.interval = d }
}

// Model is the Node page: sync progress, peers and the log tail.
type Model struct {
	common   common.Common
	src      Source
	now      func() time.Time
	interval time.Duration
	id       int64

	seq     uint64 // number of the newest request
	applied uint64 // number of the request shown
	ticking bool   // a timer is running
	asked   int    // log lines asked for by the read shown

	loaded bool
	status Status
	peers  []Peer
	log    []string
	offset int // first peer row shown
}

var _ common.Component = (*Model)(nil)

// New returns the Node page reading from src. A nil src is an offline node:
// the page says so and reads nothing. Its Init command does the first read.
func New(c common.Common, src Source, opts ...Option) *Model {
	m := &Model{
		common:   c,
		src:      src,
		now:      time.Now,
		interval: DefaultInterval,
		id:       lastID.Add(1),
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Init reads the node for the first time.
func (m *Model) Init() tea.Cmd {
	return m.fetch()
}

// Refresh returns a command that re-reads the node now.
func (m *Model) Refresh() tea.Cmd {
	return m.fetch()
}

// SetSize sets the size the page draws in. When it grows taller than the log
// lines held, the next Update (the root forwards tea.WindowSizeMsg) reads
// more.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.clamp()
}

// ShortHelp returns the bindings for the help bar.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	return []key.Binding{k.Up, k.Down}
}

// FullHelp returns the bindings of this page for the help overlay: they
// scroll the peers table.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Top, k.Bottom},
	}
}

// Update scrolls the peers table, applies read results and re-reads on
// RefreshMsg, on its timer and when the page grows. It returns the model
// itself.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case dataMsg:
		if msg.id != m.id {
			return m, nil
		}
		if msg.seq > m.applied {
			m.apply(msg)
		}
		return m, m.tick()
	case tickMsg:
		if msg.id != m.id {
			return m, nil
		}
		m.ticking = false
		return m, m.fetch()
	case RefreshMsg:
		return m, m.fetch()
	case tea.WindowSizeMsg:
		// The log area grew past what was read and the log may hold more.
		if m.loaded && m.common.Height > m.asked && len(m.log) >= m.asked {
			return m, m.fetch()
		}
	case tea.KeyPressMsg:
		m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) {
	k := m.common.KeyMap
	page := max(m.layout().peerRows, 1)
	switch {
	case key.Matches(msg, k.Down):
		m.offset++
	case key.Matches(msg, k.Up):
		m.offset--
	case key.Matches(msg, k.PageDown):
		m.offset += page
	case key.Matches(msg, k.PageUp):
		m.offset -= page
	case key.Matches(msg, k.Top):
		m.offset = 0
	case key.Matches(msg, k.Bottom):
		m.offset = len(m.peers)
	}
	m.clamp()
}

// clamp keeps the peers table full: it scrolls only while rows are hidden.
func (m *Model) clamp() {
	rows := m.layout().peerRows
	if rows == 0 {
		m.offset = 0
		return
	}
	m.offset = min(max(m.offset, 0), max(len(m.peers)-rows, 0))
}

func (m *Model) apply(msg dataMsg) {
	m.applied = msg.seq
	m.loaded = true
	m.asked = msg.asked
	m.status = msg.status
	m.peers = msg.peers
	m.log = msg.log
	m.clamp()
}

// fetch returns a command that reads the node, or nil when there is no
// node or the TUI is shutting down.
func (m *Model) fetch() tea.Cmd {
	ctx := m.common.Context()
	if m.src == nil || ctx.Err() != nil {
		return nil
	}
	m.seq++
	// The log never takes more than the page's height, so that many lines
	// fill it whatever the peers table takes.
	id, seq, src, n := m.id, m.seq, m.src, max(m.common.Height, 1)
	return func() tea.Msg {
		if ctx.Err() != nil {
			return nil
		}
		return read(src, id, seq, n)
	}
}

// tick starts the timer for the next read unless one is running.
func (m *Model) tick() tea.Cmd {
	if m.interval <= 0 || m.ticking || m.src == nil || m.common.Context().Err() != nil {
		return nil
	}
	m.ticking = true
	id := m.id
	return tea.Tick(m.interval, func(time.Time) tea.Msg { return tickMsg{id: id} })
}

// read asks the source for everything the page shows and cleans the text
// that came from the network or the log file, so that it cannot move the
// cursor or change colours.
func read(src Source, id int64, seq uint64, n int) dataMsg {
	// Copies, so that cleaning never writes into the source's own slices.
	msg := dataMsg{
		id: id, seq: seq, asked: n,
		status: src.Status(),
		peers:  append([]Peer(nil), src.Peers()...),
		log:    append([]string(nil), src.LogTail(n)...),
	}
	msg.status.Network = clean(msg.status.Network)
	for i := range msg.peers {
		p := &msg.peers[i]
		p.Addr, p.UserAgent, p.Services, p.BanReason = clean(p.Addr), clean(p.UserAgent), clean(p.Services), clean(p.BanReason)
	}
	if len(msg.log) > n {
		msg.log = msg.log[len(msg.log)-n:]
	}
	for i := range msg.log {
		msg.log[i] = clean(msg.log[i])
	}
	return msg
}

// clean turns tabs into spaces and drops other control characters,
// escape sequences' ESC included.
func clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}
