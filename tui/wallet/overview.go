package wallet

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
)

// lastID numbers pages so that async results reach the page that asked.
var lastID atomic.Int64

// overviewMsg carries one read of balance and history back to the page that
// asked for it.
type overviewMsg struct {
	id      int64
	seq     uint64
	balance core.Balance
	height  int32
	history []core.HistoryEntry // newest first
	err     error
}

// Option changes how NewOverview builds an Overview.
type Option func(*Overview)

// WithUnits sets the units amounts start in; the default is BTC.
func WithUnits(u Units) Option {
	return func(m *Overview) { m.units = u }
}

// WithLocation sets the time zone of the date column; tests pass time.UTC.
// The default is time.Local.
func WithLocation(loc *time.Location) Option {
	return func(m *Overview) {
		if loc != nil {
			m.loc = loc
		}
	}
}

// Overview is the wallet's front page: the balance as of the scanned height
// and the transaction history, newest first. The history is held in memory
// (the wallet keeps it so) but only the rows on screen are drawn.
type Overview struct {
	// KeyMap holds the page's own bindings; movement comes from Common.
	KeyMap KeyMap

	common common.Common
	src    Source
	units  Units
	loc    *time.Location
	id     int64
	seq    uint64

	loaded  bool
	balance core.Balance
	height  int32
	history []core.HistoryEntry
	amountW int // widest signed amount in the current units

	cursor int
	offset int
	err    error
}

var _ common.Component = (*Overview)(nil)

// NewOverview returns the overview reading from src. Its Init command reads
// the balance and history.
func NewOverview(c common.Common, src Source, opts ...Option) *Overview {
	m := &Overview{
		KeyMap: DefaultKeyMap(),
		common: c,
		src:    src,
		loc:    time.Local,
		id:     lastID.Add(1),
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Init reads the balance and history.
func (m *Overview) Init() tea.Cmd { return m.fetch() }

// Refresh re-reads the balance and history; the app calls it when the wallet
// reports a scan step or a new transaction. The selection stays on the same
// transaction.
func (m *Overview) Refresh() tea.Cmd { return m.fetch() }

// Units returns the units amounts are shown in.
func (m *Overview) Units() Units { return m.units }

// SetUnits sets the units amounts are shown in, for the Settings tab.
func (m *Overview) SetUnits(u Units) {
	m.units = u
	m.measure()
}

// SetSize sets the size the page draws in.
func (m *Overview) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.clamp()
}

// Selected returns the selected transaction, if any.
func (m *Overview) Selected() (core.HistoryEntry, bool) {
	if m.cursor < 0 || m.cursor >= len(m.history) {
		return core.HistoryEntry{}, false
	}
	return m.history[m.cursor], true
}

// ShortHelp returns the bindings for the help bar.
func (m *Overview) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	return []key.Binding{k.Up, k.Down, k.Enter, m.KeyMap.Send, m.KeyMap.Receive, m.KeyMap.Coins, m.KeyMap.PSBT, m.KeyMap.Units, m.KeyMap.Label}
}

// FullHelp returns the page's bindings for the help overlay.
func (m *Overview) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Enter, m.KeyMap.Send, m.KeyMap.Receive, m.KeyMap.Coins, m.KeyMap.PSBT, m.KeyMap.Units, m.KeyMap.Label,
			copyHelp(m.KeyMap.Copy, "txid")},
	}
}

// Update moves the selection, opens transactions, switches units and applies
// read results.
func (m *Overview) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case overviewMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.apply(msg)
		}
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Overview) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	switch {
	case common.MoveCursor(msg, k, &m.cursor, &m.offset, len(m.history), m.visibleRows()):
	case key.Matches(msg, k.Enter):
		if e, ok := m.Selected(); ok {
			sel := TxSelectedMsg{Txid: e.Txid}
			return func() tea.Msg { return sel }
		}
		return nil
	case key.Matches(msg, m.KeyMap.Units):
		m.SetUnits(1 - m.units)
		return nil
	case key.Matches(msg, m.KeyMap.Receive):
		return func() tea.Msg { return ReceiveRequestedMsg{} }
	case key.Matches(msg, m.KeyMap.Send):
		return func() tea.Msg { return SendRequestedMsg{} }
	case key.Matches(msg, m.KeyMap.Coins):
		return func() tea.Msg { return CoinsRequestedMsg{} }
	case key.Matches(msg, m.KeyMap.PSBT):
		return func() tea.Msg { return PSBTRequestedMsg{} }
	case key.Matches(msg, m.KeyMap.Copy):
		return m.copyCmd()
	case key.Matches(msg, m.KeyMap.Label):
		if e, ok := m.Selected(); ok {
			req := LabelRequestedMsg{Key: core.TxLabelKey(e.Txid), Current: e.Label}
			return func() tea.Msg { return req }
		}
		return nil
	default:
		// After a failed read any other key tries again.
		if m.err != nil {
			return m.fetch()
		}
		return nil
	}
	m.clamp()
	return nil
}

// fetch returns a command that reads balance and history.
func (m *Overview) fetch() tea.Cmd {
	m.seq++
	id, seq, src := m.id, m.seq, m.src
	return func() tea.Msg { return readOverview(src, id, seq) }
}

// readOverview reads the balance and the history, newest first.
func readOverview(src Source, id int64, seq uint64) overviewMsg {
	msg := overviewMsg{id: id, seq: seq}
	if src == nil {
		msg.err = fmt.Errorf("no wallet is open")
		return msg
	}
	bal, height, err := src.Balance()
	if err != nil {
		msg.err = fmt.Errorf("balance: %w", err)
		return msg
	}
	hist, err := src.History()
	if err != nil {
		msg.err = fmt.Errorf("history: %w", err)
		return msg
	}
	hist = slices.Clone(hist)
	// Unconfirmed first, then by height descending; the source's order
	// breaks ties.
	slices.SortStableFunc(hist, func(a, b core.HistoryEntry) int {
		return cmp.Compare(rank(b.Height), rank(a.Height))
	})
	msg.balance, msg.height, msg.history = bal, height, hist
	return msg
}

// rank orders heights so that unconfirmed (0) sorts as the newest.
func rank(h int32) int64 {
	if h <= 0 {
		return 1 << 40
	}
	return int64(h)
}

// apply takes a read result in, keeping the selection on the same
// transaction when it is still there.
func (m *Overview) apply(msg overviewMsg) {
	if msg.err != nil {
		m.err = msg.err
		return
	}
	var prev chainhash.Hash
	e, hadSel := m.Selected()
	if hadSel {
		prev = e.Txid
	}
	m.err = nil
	m.loaded = true
	m.balance, m.height, m.history = msg.balance, msg.height, msg.history
	if hadSel && m.cursor > 0 {
		if i := slices.IndexFunc(m.history, func(e core.HistoryEntry) bool { return e.Txid == prev }); i >= 0 {
			m.offset += i - m.cursor
			m.cursor = i
		}
	}
	m.measure()
	m.clamp()
}

// measure finds the width of the amount column, so that it does not change
// while scrolling.
func (m *Overview) measure() {
	w := lipgloss.Width("amount")
	for _, e := range m.history {
		w = max(w, len(formatAmount(e.Amount, m.units, true)))
	}
	m.amountW = w
}

// headerLines is the height of the balance block above the history,
// including its blank separator line.
const headerLines = 6

// visibleRows is how many history rows fit between the balance block, the
// column titles and the footer.
func (m *Overview) visibleRows() int {
	return max(m.common.Height-headerLines-2, 0)
}

// clamp keeps the cursor on a row and on screen, and the screen full.
func (m *Overview) clamp() {
	n, vis := len(m.history), m.visibleRows()
	m.cursor, m.offset = common.ClampCursor(m.cursor, m.offset, n, vis)
}
