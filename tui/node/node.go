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
	log    []logEntry
	read   int // log lines read, before leaving out other runs'
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

// WithLogSince leaves out the log lines written before t: by default
// those of earlier runs (a CLI sync, the demo's setup), which the page
// would otherwise show as if this run had done them. The zero time shows
// every line.
func WithLogSince(t time.Time) Option {
	return func(m *Model) { m.since = t }
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
	since    time.Time // log lines before it are left out
	id       int64

	seq     uint64 // number of the newest request
	applied uint64 // number of the request shown
	ticking bool   // a timer is running
	asked   int    // log lines asked for by the read shown

	loaded  bool
	status  Status
	peers   []Peer
	log     []logEntry // this run's, oldest first
	logRead int        // lines the read shown got from the log
	offset  int        // first peer row shown
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
		since:    processStart,
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
		if m.loaded && m.common.Height > m.asked && m.logRead >= m.asked {
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
	m.log, m.logRead = msg.log, msg.read
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
	id, seq, src, n, since := m.id, m.seq, m.src, max(m.common.Height, 1), m.since
	return func() tea.Msg {
		if ctx.Err() != nil {
			return nil
		}
		return read(src, id, seq, n, since)
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
// cursor or change colours. Log lines are parsed here, and those written
// before since left out, so that View only lays them out.
func read(src Source, id int64, seq uint64, n int, since time.Time) dataMsg {
	// Copies, so that cleaning never writes into the source's own slices.
	msg := dataMsg{
		id: id, seq: seq, asked: n,
		status: src.Status(),
		peers:  append([]Peer(nil), src.Peers()...),
	}
	lines := src.LogTail(n)
	msg.read = len(lines)
	msg.status.Network = clean(msg.status.Network)
	for i := range msg.peers {
		p := &msg.peers[i]
		p.Addr, p.UserAgent, p.Services, p.BanReason = clean(p.Addr), clean(p.UserAgent), clean(p.Services), clean(p.BanReason)
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for _, l := range lines {
		e := parseLogLine(clean(l))
		if e.ok && e.time.Before(since) {
			continue
		}
		// The fields are cleaned again: unquoting may have made
		// control characters of escapes.
		e.msg = clean(e.msg)
		for i := range e.attrs {
			e.attrs[i].key, e.attrs[i].value = clean(e.attrs[i].key), clean(e.attrs[i].value)
		}
		msg.log = append(msg.log, e)
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
