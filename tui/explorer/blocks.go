package explorer

import (
	"fmt"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// BlockSelectedMsg is emitted when the user opens a block from the list.
type BlockSelectedMsg struct {
	Height int32
	Hash   string
}

// headersMsg carries the rows read for one window back to the model that
// asked for them.
type headersMsg struct {
	id     int64  // model that asked
	seq    uint64 // request number; only the newest request is applied
	tip    int32  // tip height when the rows were read
	offset int    // list index (0 = tip) of the first requested row
	rows   []Row  // ascending heights
	err    error
}

// lastID numbers models so that async results reach the model that asked.
var lastID atomic.Int64

// Option changes how New builds a Model.
type Option func(*Model)

// WithClock sets the clock used for the age column; tests pass a fixed one.
// The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(m *Model) {
		if now != nil {
			m.now = now
		}
	}
}

// WithSearch turns on the search line (/): queries go to src, and
// addresses are read as addresses of net. Without it, / says that search
// is unavailable.
func WithSearch(src SearchSource, net *chaincfg.Params) Option {
	return func(m *Model) {
		m.searchSrc, m.net = src, net
	}
}

// WithUnits sets the units amounts start in; the default is BTC.
func WithUnits(u Units) Option {
	return func(m *Model) { m.units = u }
}

// maxSummaries bounds the block summaries the list remembers.
const maxSummaries = 4096

// summaryEntry is what the list learnt about the block with the given
// hash; size is 0 when only the transaction count is known.
type summaryEntry struct {
	hash string
	s    BlockSummary
}

// request identifies one window read, so the same read is not asked twice.
type request struct {
	tip    int32
	offset int
	count  int
}

// Model is the blocks list: a virtualized, newest-first list of block
// headers. Index 0 is the tip; index i is height tip-i. Only the rows on
// screen are held.
type Model struct {
	common common.Common
	src    HeaderSource
	now    func() time.Time
	id     int64

	seq     uint64  // number of the newest request
	pending request // newest request, while its answer has not come
	waiting bool    // a request is out

	loaded bool  // tip is known
	tip    int32 // height of the tip; -1 for an empty store
	cursor int   // selected index
	offset int   // index of the first visible row

	// The window of rows last read: heights winLo..winLo+len(rows)-1 as of
	// tip winTip.
	winTip int32
	winLo  int32
	rows   []Row

	err error

	// openAt is the height enter selected before its row was read (a key
	// pressed while the list moved to a part not yet read); the block
	// opens when the row arrives, unless the selection moved meanwhile.
	openAt    int32
	openAfter bool

	searchSrc SearchSource
	net       *chaincfg.Params
	search    *searchBar

	// counts holds what was learnt from loaded blocks (transaction
	// counts, sizes, fees), by height, for rows whose source does not know
	// them.
	counts map[int32]summaryEntry

	units Units
}

var _ common.Component = (*Model)(nil)

// New returns a blocks list reading from src. Its Init command reads the
// first screen.
func New(c common.Common, src HeaderSource, opts ...Option) *Model {
	m := &Model{
		common: c,
		src:    src,
		now:    time.Now,
		id:     lastID.Add(1),
		tip:    -1,
	}
	for _, o := range opts {
		o(m)
	}
	m.search = newSearchBar(c, m.id, m.searchSrc, m.net)
	return m
}

// Capturing reports whether the search line is open and takes every key;
// the root then sends it q, digits, tab and ? instead of acting on them.
func (m *Model) Capturing() bool { return m.search.capturing() }

// RecordTxCount remembers that the block with the given height and hash
// has n transactions, so that its row shows the count. The list learns
// counts by itself from the block pages' results, which the root
// broadcasts; this is for other places that load blocks.
func (m *Model) RecordTxCount(height int32, hash string, n int) {
	if n < 0 {
		return
	}
	m.recordSummary(height, hash, BlockSummary{TxCount: n})
}

// recordSummary remembers what a loaded block says for its row.
func (m *Model) recordSummary(height int32, hash string, s BlockSummary) {
	if m.counts == nil {
		m.counts = make(map[int32]summaryEntry)
	}
	if _, ok := m.counts[height]; !ok && len(m.counts) >= maxSummaries {
		for h := range m.counts { // drop any one: this is a hint, not a store
			delete(m.counts, h)
			break
		}
	}
	m.counts[height] = summaryEntry{hash: hash, s: s}
}

// Units returns the units amounts are shown in.
func (m *Model) Units() Units { return m.units }

// SetUnits sets the units amounts are shown in, for the Settings tab.
func (m *Model) SetUnits(u Units) { m.units = u }

// txCountOf returns r's transaction count, from the row or from a loaded
// block with the same hash; -1 when unknown.
func (m *Model) txCountOf(r Row) int {
	switch {
	case r.TxCount >= 0:
		return r.TxCount
	case r.Block != nil:
		return r.Block.TxCount
	}
	if e, ok := m.counts[r.Height]; ok && e.hash == r.Hash {
		return e.s.TxCount
	}
	return -1
}

// summaryOf returns the size and fees of r's block when it was fetched,
// from the row or from a block page's result.
func (m *Model) summaryOf(r Row) (BlockSummary, bool) {
	if r.Block != nil {
		return *r.Block, true
	}
	if e, ok := m.counts[r.Height]; ok && e.hash == r.Hash && e.s.Size > 0 {
		return e.s, true
	}
	return BlockSummary{}, false
}

// Init reads the first screen of headers.
func (m *Model) Init() tea.Cmd {
	return m.fetch(true)
}

// Refresh re-reads the tip and the visible rows; the app calls it when the
// node reports a new tip or a reorg. A selection below the tip stays on the
// same block; a selection on the tip follows the new tip.
func (m *Model) Refresh() tea.Cmd {
	return m.fetch(true)
}

// SetSize sets the size the list draws in. Rows that become visible are read
// by the command returned from the next Update (the root forwards the
// tea.WindowSizeMsg it got) or from Refresh.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.search.setWidth(width)
	m.clamp()
}

// Selected returns the selected height and whether a block is selected.
func (m *Model) Selected() (int32, bool) {
	if !m.loaded || m.tip < 0 {
		return 0, false
	}
	return m.tip - int32(m.cursor), true
}

// ShortHelp returns the bindings for the help bar.
func (m *Model) ShortHelp() []key.Binding {
	if m.search.capturing() {
		return m.search.shortHelp()
	}
	k := m.common.KeyMap
	return []key.Binding{k.Up, k.Down, k.Enter, k.Search, copyBinding(k, "block hash")}
}

// FullHelp returns the bindings of this list for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Top, k.Bottom, k.Enter, k.Search, copyBinding(k, "block hash")},
		m.search.shortHelp(),
	}
}

// Update moves the selection, opens the selected block and applies read
// results. It returns the model itself and, when the visible window moved
// past the rows held, a command that reads it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ok, cmd := m.search.update(msg, m.common); ok {
		// Opening or closing the search line changes the rows on screen.
		m.clamp()
		if m.err != nil {
			return m, cmd
		}
		return m, tea.Batch(cmd, m.fetch(false))
	}
	switch msg := msg.(type) {
	case blockLoadedMsg:
		if msg.err == nil && msg.block != nil {
			m.recordSummary(msg.height, msg.hash.String(), BlockSummary{TxCount: len(msg.block.Transactions),
				Size: msg.stats.Size, Fees: msg.stats.Fees})
		}
	case headersMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return m, nil
		}
		m.apply(msg)
		if m.openAfter && m.err == nil {
			if cmd := m.selectCmd(); cmd != nil {
				return m, tea.Batch(cmd, m.fetch(false))
			}
		}
	case tea.KeyPressMsg:
		if cmd := m.handleKey(msg); cmd != nil {
			return m, cmd
		}
		return m, m.fetch(false)
	}
	// After a failed read only a key press (or Refresh) reads again, so a
	// broken store is not asked on every tick.
	if m.err != nil {
		return m, nil
	}
	return m, m.fetch(false)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	m.openAfter = false
	switch {
	case common.MoveCursor(msg, k, &m.cursor, &m.offset, m.total(), m.visibleRows()):
	case key.Matches(msg, k.Enter):
		return m.selectCmd()
	case key.Matches(msg, k.Copy):
		return m.copyCmd()
	}
	m.clamp()
	return nil
}

// selectCmd emits a BlockSelectedMsg for the selected row once its hash is
// known.
func (m *Model) selectCmd() tea.Cmd {
	h, ok := m.Selected()
	if m.openAfter && (!ok || h != m.openAt) {
		// The selection moved with the tip before the row came.
		m.openAfter = false
		return nil
	}
	if !ok {
		return nil
	}
	r, ok := m.row(h)
	if !ok {
		// Not read yet: open it when it is.
		m.openAt, m.openAfter = h, true
		return nil
	}
	m.openAfter = false
	sel := BlockSelectedMsg{Height: r.Height, Hash: r.Hash}
	return func() tea.Msg { return sel }
}

// apply takes a read result in, keeping the selection on the same block when
// the tip moved.
func (m *Model) apply(msg headersMsg) {
	m.waiting = false
	if msg.err != nil {
		m.err = msg.err
		return
	}
	m.err = nil
	if m.loaded && msg.tip != m.tip && m.cursor > 0 {
		d := int(msg.tip - m.tip)
		m.cursor += d
		m.offset += d
	}
	m.loaded = true
	m.tip = msg.tip
	m.winTip = msg.tip
	m.rows = msg.rows
	if len(msg.rows) > 0 {
		m.winLo = msg.rows[0].Height
	}
	m.clamp()
}

// total is the number of blocks in the list.
func (m *Model) total() int {
	if !m.loaded {
		return 0
	}
	return int(m.tip) + 1
}

// visibleRows is how many rows fit between the column titles and the footer.
func (m *Model) visibleRows() int {
	return max(m.common.Height-2-m.search.extraLines(m.common.Width), 0)
}

// clamp keeps the cursor on a block and on screen, and the screen full.
func (m *Model) clamp() {
	n, vis := m.total(), m.visibleRows()
	m.cursor, m.offset = common.ClampCursor(m.cursor, m.offset, n, vis)
}

// row returns the held row at height h.
func (m *Model) row(h int32) (Row, bool) {
	if m.winTip != m.tip || h < m.winLo {
		return Row{}, false
	}
	i := int(h - m.winLo)
	if i >= len(m.rows) || m.rows[i].Height != h {
		return Row{}, false
	}
	return m.rows[i], true
}

// covered reports whether every visible row is held.
func (m *Model) covered() bool {
	if !m.loaded || m.err != nil {
		return false
	}
	vis := m.visibleRows()
	if m.tip < 0 || vis == 0 {
		return true
	}
	hi := m.tip - int32(m.offset)
	lo := max(hi-int32(vis)+1, 0)
	_, okHi := m.row(hi)
	_, okLo := m.row(lo)
	return okHi && okLo
}

// fetch returns a command reading the visible window, or nil when it is
// held or already asked for. force re-reads the tip even then.
func (m *Model) fetch(force bool) tea.Cmd {
	if !force && m.covered() {
		return nil
	}
	req := request{tip: m.tip, offset: m.offset, count: max(m.visibleRows(), 1)}
	if !force && m.waiting && m.pending == req {
		return nil
	}
	m.seq++
	m.pending, m.waiting = req, true
	id, seq, src := m.id, m.seq, m.src
	return func() tea.Msg {
		return readWindow(src, id, seq, req.offset, req.count)
	}
}

// readWindow reads count rows starting at list index offset from the tip.
func readWindow(src HeaderSource, id int64, seq uint64, offset, count int) headersMsg {
	msg := headersMsg{id: id, seq: seq, offset: offset}
	if src == nil {
		msg.err = fmt.Errorf("no header store is open")
		return msg
	}
	msg.tip = src.TipHeight()
	if msg.tip < 0 {
		return msg
	}
	// The tip may have moved since the request; keep the window inside.
	offset = min(offset, int(msg.tip))
	hi := msg.tip - int32(offset)
	lo := max(hi-int32(count)+1, 0)
	rows, err := src.Headers(lo, int(hi-lo)+1)
	if err != nil {
		msg.err = fmt.Errorf("heights %s–%s: %w", common.FormatInt(int64(lo)), common.FormatInt(int64(hi)), err)
		return msg
	}
	msg.rows = rows
	return msg
}
