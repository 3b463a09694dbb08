package explorer

import (
	"context"
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/lightnode/verify"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// BlockSource gives the block page read access to blocks and headers. The
// app adapts lightnode to it: Block is lightnode's GetBlock, which fetches
// the block from the cache or from peers and returns it only once it matches
// its header's merkle root. Both calls are made from a tea.Cmd, never from
// Update or View, so Block may take as long as a download.
type BlockSource interface {
	// Block returns the block with the given hash; ctx cancels a download.
	Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error)
	// Header returns the best chain's header at height.
	Header(height int32) (*wire.BlockHeader, error)
}

// TxSelectedMsg is emitted when the user opens a transaction of a block. Tx
// is the transaction itself, so the root model can open NewTxView without
// another read.
type TxSelectedMsg struct {
	Txid      chainhash.Hash
	BlockHash chainhash.Hash
	Height    int32
	Tx        *wire.MsgTx
}

// BackMsg is emitted when the user leaves a detail page with esc; the root
// model returns to the page that opened it.
type BackMsg struct{}

// errHeaderMoved says the block asked for is no longer the best chain's
// block at its height, which happens after a reorg.
var errHeaderMoved = errors.New("the block is no longer in the best chain at this height")

// blockHeaderMsg carries the header read for a block page; it arrives
// before the block, which may have to be downloaded.
type blockHeaderMsg struct {
	id     int64
	seq    uint64
	header *wire.BlockHeader
	err    error
}

// blockLoadedMsg carries a loaded block and its transaction rows, or the
// error that stopped the load.
type blockLoadedMsg struct {
	id     int64
	seq    uint64
	height int32
	hash   chainhash.Hash
	block  *wire.MsgBlock
	stats  fees.Block
	rows   []txRow
	cols   txCols
	err    error
}

// blockMovedMsg carries the hash of the block [ or ] moves to, read from
// the header at its height.
type blockMovedMsg struct {
	id     int64
	seq    uint64
	height int32
	hash   chainhash.Hash
	err    error
}

// txRow is one transaction as the block page lists it. Rows are computed
// in the loading command, so Update and View never hash transactions.
type txRow struct {
	txid  chainhash.Hash
	hash  string         // txid as hex
	inOut string         // "1→2": inputs and outputs
	total btcutil.Amount // sum of the outputs
}

// txCols holds the widths of the list's variable columns, measured once
// when the block is loaded.
type txCols struct {
	index int
	inOut int
	// totalBTC and totalSat are the widths of the output totals in each
	// of the units.
	totalBTC int
	totalSat int
}

// loadState is where a block page is in loading its block.
type loadState int

const (
	stateLoading loadState = iota
	stateLoaded
	stateFailed
)

// BlockView is the block page: the header fields of one block, whether the
// block was verified against its header, and a virtualized list of its
// transactions. Create it with NewBlockView and run its Init command.
type BlockView struct {
	common common.Common
	src    BlockSource
	id     int64
	seq    uint64

	height int32
	hash   chainhash.Hash

	header    *wire.BlockHeader // from the source, then from the block
	headerErr error
	state     loadState
	block     *wire.MsgBlock
	stats     fees.Block
	rows      []txRow
	cols      txCols
	err       error

	cursor int // selected transaction index
	offset int // index of the first visible row

	searchSrc SearchSource
	net       *chaincfg.Params
	search    *searchBar

	units  Units
	notice string // why [ or ] did not move
	prev   key.Binding
	next   key.Binding
}

var _ common.Component = (*BlockView)(nil)

// BlockOption changes how NewBlockView builds a block page.
type BlockOption func(*BlockView)

// WithBlockSearch turns on the search line (/) of the block page, as
// WithSearch does for the blocks list.
func WithBlockSearch(src SearchSource, net *chaincfg.Params) BlockOption {
	return func(v *BlockView) {
		v.searchSrc, v.net = src, net
	}
}

// WithBlockNetwork sets the network, whose subsidy schedule gives the
// block's fees; the default is mainnet. WithBlockSearch sets it too.
func WithBlockNetwork(net *chaincfg.Params) BlockOption {
	return func(v *BlockView) {
		if net != nil {
			v.net = net
		}
	}
}

// WithBlockUnits sets the units amounts start in; the default is BTC.
func WithBlockUnits(u Units) BlockOption {
	return func(v *BlockView) { v.units = u }
}

// NewBlockView returns the page of the block with the given height and
// hash. It reads nothing until its Init command runs.
func NewBlockView(c common.Common, src BlockSource, height int32, hash chainhash.Hash, opts ...BlockOption) *BlockView {
	v := &BlockView{
		common: c,
		src:    src,
		id:     lastID.Add(1),
		height: height,
		hash:   hash,
		prev:   key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous block")),
		next:   key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next block")),
	}
	for _, o := range opts {
		o(v)
	}
	v.search = newSearchBar(c, v.id, v.searchSrc, v.net)
	return v
}

// Units returns the units amounts are shown in.
func (v *BlockView) Units() Units { return v.units }

// SetUnits sets the units amounts are shown in, for the Settings tab.
func (v *BlockView) SetUnits(u Units) { v.units = u }

// params is the network whose subsidy schedule applies.
func (v *BlockView) params() *chaincfg.Params {
	if v.net == nil {
		return &chaincfg.MainNetParams
	}
	return v.net
}

// Capturing reports whether the search line is open and takes every key.
func (v *BlockView) Capturing() bool { return v.search.capturing() }

// Hash returns the hash of the block shown.
func (v *BlockView) Hash() chainhash.Hash { return v.hash }

// Height returns the height of the block shown.
func (v *BlockView) Height() int32 { return v.height }

// Init reads the header and the block.
func (v *BlockView) Init() tea.Cmd {
	return v.load()
}

// load starts reading the header and, separately, the block, so the header
// shows while the block is still downloading. A newer load makes the
// answers of an older one stale.
func (v *BlockView) load() tea.Cmd {
	v.seq++
	v.state, v.err = stateLoading, nil
	id, seq, src, ctx, net := v.id, v.seq, v.src, v.common.Context(), v.params()
	height, hash := v.height, v.hash
	return tea.Batch(
		func() tea.Msg { return readBlockHeader(src, id, seq, height) },
		func() tea.Msg { return readBlock(ctx, src, id, seq, height, hash, net) },
	)
}

// move returns a command that finds the best chain's block at height, for
// [ and ]; the page loads it when the answer comes.
func (v *BlockView) move(height int32) tea.Cmd {
	v.notice = ""
	if height < 0 {
		v.notice = "this is the genesis block: there is none before it"
		return nil
	}
	v.seq++
	id, seq, src := v.id, v.seq, v.src
	return func() tea.Msg {
		msg := blockMovedMsg{id: id, seq: seq, height: height}
		if src == nil {
			msg.err = errors.New("no header store is open")
			return msg
		}
		hdr, err := src.Header(height)
		switch {
		case err != nil:
			msg.err = err
		case hdr == nil:
			msg.err = fmt.Errorf("no header at height %s", common.FormatInt(int64(height)))
		default:
			msg.hash = hdr.BlockHash()
		}
		return msg
	}
}

// SetSize sets the size the page draws in.
func (v *BlockView) SetSize(width, height int) {
	v.common.SetSize(width, height)
	v.search.setWidth(width)
	v.clamp()
}

// ShortHelp returns the bindings for the help bar.
func (v *BlockView) ShortHelp() []key.Binding {
	if v.search.capturing() {
		return v.search.shortHelp()
	}
	k := v.common.KeyMap
	return []key.Binding{k.Up, k.Down, k.Enter, v.prev, v.next, k.Back, k.Search, copyBinding(k, "hash/txid")}
}

// FullHelp returns the bindings of this page for the help overlay.
func (v *BlockView) FullHelp() [][]key.Binding {
	k := v.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Top, k.Bottom, k.Enter, k.Back, k.Search},
		{v.prev, v.next, copyBinding(k, "hash or selected txid")},
		v.search.shortHelp(),
	}
}

// Update applies read results and keys: moving through the transactions,
// enter to open one (or to try again after a failed load), esc to go back.
func (v *BlockView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ok, cmd := v.search.update(msg, v.common); ok {
		v.clamp()
		return v, cmd
	}
	switch msg := msg.(type) {
	case blockHeaderMsg:
		if msg.id != v.id || msg.seq != v.seq {
			return v, nil
		}
		// The block's own header wins over the store's once it is here.
		if v.state != stateLoaded {
			v.header, v.headerErr = msg.header, msg.err
		}
	case blockLoadedMsg:
		if msg.id != v.id || msg.seq != v.seq {
			return v, nil
		}
		if msg.err != nil {
			v.state, v.err = stateFailed, msg.err
			return v, nil
		}
		v.state, v.err = stateLoaded, nil
		v.block, v.rows, v.cols, v.stats = msg.block, msg.rows, msg.cols, msg.stats
		v.header, v.headerErr = &msg.block.Header, nil
		v.clamp()
	case blockMovedMsg:
		if msg.id != v.id || msg.seq != v.seq {
			return v, nil
		}
		if msg.err != nil {
			if msg.height > v.height {
				v.notice = "no block above " + common.FormatInt(int64(v.height)) + " yet: this is the tip"
			} else {
				v.notice = "cannot move to block " + common.FormatInt(int64(msg.height)) + ": " + msg.err.Error()
			}
			if v.state == stateLoading { // the move made the load's answers stale
				return v, v.load()
			}
			return v, nil
		}
		v.height, v.hash = msg.height, msg.hash
		v.header, v.headerErr, v.block, v.rows = nil, nil, nil, nil
		v.stats = fees.Block{}
		v.cursor, v.offset = 0, 0
		return v, v.load()
	case tea.KeyPressMsg:
		return v, v.handleKey(msg)
	}
	return v, nil
}

func (v *BlockView) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := v.common.KeyMap
	v.notice = ""
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, v.prev):
		return v.move(v.height - 1)
	case key.Matches(msg, v.next):
		return v.move(v.height + 1)
	case key.Matches(msg, k.Copy):
		return v.copyCmd()
	case key.Matches(msg, k.Enter):
		switch v.state {
		case stateFailed:
			return v.load()
		case stateLoaded:
			return v.selectCmd()
		}
		return nil
	case common.MoveCursor(msg, k, &v.cursor, &v.offset, len(v.rows), v.visibleRows()):
	}
	v.clamp()
	return nil
}

// selectCmd emits a TxSelectedMsg for the transaction under the cursor.
func (v *BlockView) selectCmd() tea.Cmd {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return nil
	}
	sel := TxSelectedMsg{
		Txid:      v.rows[v.cursor].txid,
		BlockHash: v.hash,
		Height:    v.height,
		Tx:        v.block.Transactions[v.cursor],
	}
	return func() tea.Msg { return sel }
}

// clamp keeps the cursor on a transaction and on screen, and the screen
// full.
func (v *BlockView) clamp() {
	n, vis := len(v.rows), v.visibleRows()
	v.cursor, v.offset = common.ClampCursor(v.cursor, v.offset, n, vis)
}

// readBlockHeader reads the header at height for the fields shown while the
// block loads.
func readBlockHeader(src BlockSource, id int64, seq uint64, height int32) blockHeaderMsg {
	msg := blockHeaderMsg{id: id, seq: seq}
	if src == nil {
		msg.err = errors.New("no header store is open")
		return msg
	}
	msg.header, msg.err = src.Header(height)
	if msg.err == nil && msg.header == nil {
		msg.err = fmt.Errorf("no header at height %s", common.FormatInt(int64(height)))
	}
	return msg
}

// readBlock loads the block, checks it once more against the best chain's
// header at its height, and computes the rows of its transaction list.
func readBlock(ctx context.Context, src BlockSource, id int64, seq uint64, height int32, hash chainhash.Hash,
	net *chaincfg.Params) blockLoadedMsg {
	msg := blockLoadedMsg{id: id, seq: seq, height: height, hash: hash}
	if src == nil {
		msg.err = errors.New("no block source is open")
		return msg
	}
	block, err := src.Block(ctx, hash)
	if err != nil {
		msg.err = err
		return msg
	}
	if block == nil {
		msg.err = fmt.Errorf("block %v was not found", hash)
		return msg
	}
	hdr, err := src.Header(height)
	if err != nil {
		msg.err = fmt.Errorf("reading the header to check the block against: %w", err)
		return msg
	}
	if hdr == nil || hdr.BlockHash() != hash {
		msg.err = errHeaderMoved
		return msg
	}
	// The source promises verified blocks; checking again is linear in the
	// block's size and is what lets the page say "verified".
	if err := verify.Block(block, hdr); err != nil {
		msg.err = err
		return msg
	}
	stats, err := fees.Stats(block, height, net)
	if err != nil {
		msg.err = err
		return msg
	}
	msg.block, msg.stats = block, stats
	msg.rows = make([]txRow, len(block.Transactions))
	msg.cols = txCols{
		index:    max(len("#"), len(common.FormatInt(int64(len(block.Transactions)-1)))),
		inOut:    len("in→out") - 2, // the arrow is one cell, three bytes
		totalBTC: len("output total"),
		totalSat: len("output total"),
	}
	for i, tx := range block.Transactions {
		var total btcutil.Amount
		for _, out := range tx.TxOut {
			total += btcutil.Amount(out.Value)
		}
		r := txRow{
			txid:  tx.TxHash(),
			inOut: common.FormatInt(int64(len(tx.TxIn))) + "→" + common.FormatInt(int64(len(tx.TxOut))),
			total: total,
		}
		r.hash = r.txid.String()
		msg.cols.inOut = max(msg.cols.inOut, ansi.StringWidth(r.inOut))
		msg.cols.totalBTC = max(msg.cols.totalBTC, len(amount.FormatBTC(total)))
		msg.cols.totalSat = max(msg.cols.totalSat, len(amount.FormatSat(total)))
		msg.rows[i] = r
	}
	return msg
}
