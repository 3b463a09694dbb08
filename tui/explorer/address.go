package explorer

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// addrTopLines is how many lines the address page draws above its list:
// the title, three lines of state, a blank line and the column titles.
const addrTopLines = 6

// Texts of the address page.
const (
	scanningText   = "Scanning the filters"
	noHistoryText  = "No transaction in the scanned blocks pays to or spends from this address."
	scanFailPrefix = "Could not scan: "
	mempoolHeight  = "mempool"
)

// addrProgressMsg carries the latest scan progress to the page that runs
// the scan.
type addrProgressMsg struct {
	id          int64
	seq         uint64
	done, total int32
}

// addrScanMsg carries the finished scan, its rows computed, or its error.
type addrScanMsg struct {
	id      int64
	seq     uint64
	rows    []addrRow
	cols    addrCols
	count   string // "3 transactions · balance 1.00000000 BTC"
	flows   string // "received … · sent … · mempool: …"
	scanned string // "scanned blocks 0–308 (…)"
	err     error
}

// addrRow is one transaction of the address's history as the page lists
// it. Rows are formatted in the scan command, so View only lays them out.
type addrRow struct {
	txid      chainhash.Hash
	hash      string
	height    int32
	blockHash chainhash.Hash
	tx        *wire.MsgTx

	heightS  string
	received string
	sent     string
	balance  string
}

// addrCols holds the widths of the list's columns other than the txid.
type addrCols struct {
	height, received, sent, balance int
}

// AddressView is the page of an address: it scans the chain's compact
// filters for the address's script, showing the scan's progress, then
// lists the transactions that pay to or spend from it, newest first, with
// the balance after each. Leaving the page cancels the scan.
type AddressView struct {
	common common.Common
	src    SearchSource
	net    *chaincfg.Params
	addr   string
	script []byte
	id     int64
	seq    uint64

	ctx    context.Context
	cancel context.CancelFunc
	feed   *progressFeed
	cache  *AddressCache
	from   int32 // the first block the scan under way checks

	state       loadState
	done, total int32
	rows        []addrRow // newest first
	cols        addrCols
	count       string
	flows       string
	scanned     string
	err         error

	cursor int
	offset int
}

var _ common.Component = (*AddressView)(nil)

// AddressOption changes how NewAddressView builds the page.
type AddressOption func(*AddressView)

// WithAddressCache shares c between address pages, so that searching an
// address again scans only the blocks that came since. Without it the
// page keeps a cache of its own, which a retry uses.
func WithAddressCache(c *AddressCache) AddressOption {
	return func(v *AddressView) {
		if c != nil {
			v.cache = c
		}
	}
}

// NewAddressView returns the page of addr, whose output script is script,
// on network net. Its Init command starts the scan, which runs until it
// ends or the user leaves the page (esc), or c's context ends.
func NewAddressView(c common.Common, src SearchSource, net *chaincfg.Params, addr string, script []byte, opts ...AddressOption) *AddressView {
	ctx, cancel := context.WithCancel(c.Context())
	v := &AddressView{
		common: c,
		src:    src,
		net:    net,
		addr:   addr,
		script: slices.Clone(script),
		id:     lastID.Add(1),
		ctx:    ctx,
		cancel: cancel,
		cache:  NewAddressCache(),
	}
	for _, o := range opts {
		o(v)
	}
	return v
}

// Address returns the address shown.
func (v *AddressView) Address() string { return v.addr }

// Init starts the scan.
func (v *AddressView) Init() tea.Cmd { return v.scan() }

// Close cancels the scan; the page does it itself when left with esc.
func (v *AddressView) Close() { v.cancel() }

// SetSize sets the size the page draws in.
func (v *AddressView) SetSize(width, height int) {
	v.common.SetSize(width, height)
	v.clamp()
}

// ShortHelp returns the bindings for the help bar.
func (v *AddressView) ShortHelp() []key.Binding {
	k := v.common.KeyMap
	if v.state == stateLoaded {
		return []key.Binding{k.Up, k.Down, k.Enter, k.Back, copyBinding(k, "address/txid")}
	}
	return []key.Binding{k.Back, copyBinding(k, "address")}
}

// FullHelp returns the bindings of this page for the help overlay.
func (v *AddressView) FullHelp() [][]key.Binding {
	k := v.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		{k.Top, k.Bottom, k.Enter, k.Back, copyBinding(k, "address or selected txid")},
	}
}

// Update applies the scan's progress and result and the keys: moving
// through the list, enter to open a transaction (or to scan again after a
// failure), esc to stop and go back.
func (v *AddressView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case addrProgressMsg:
		if msg.id != v.id || msg.seq != v.seq || v.state != stateLoading {
			return v, nil
		}
		v.done, v.total = msg.done, msg.total
		return v, v.nextProgress()
	case addrScanMsg:
		if msg.id != v.id || msg.seq != v.seq {
			return v, nil
		}
		if msg.err != nil {
			v.state, v.err = stateFailed, msg.err
			return v, nil
		}
		v.state, v.err = stateLoaded, nil
		v.rows, v.cols, v.count, v.flows, v.scanned = msg.rows, msg.cols, msg.count, msg.flows, msg.scanned
		v.clamp()
	case tea.KeyPressMsg:
		return v, v.handleKey(msg)
	}
	return v, nil
}

func (v *AddressView) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := v.common.KeyMap
	switch {
	case key.Matches(msg, k.Back):
		v.cancel()
		return func() tea.Msg { return BackMsg{} }
	case key.Matches(msg, k.Copy):
		return v.copyCmd()
	case key.Matches(msg, k.Enter):
		switch v.state {
		case stateFailed:
			return v.scan()
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
func (v *AddressView) selectCmd() tea.Cmd {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return nil
	}
	r := v.rows[v.cursor]
	sel := TxSelectedMsg{Txid: r.txid, BlockHash: r.blockHash, Height: r.height, Tx: r.tx}
	return func() tea.Msg { return sel }
}

func (v *AddressView) clamp() {
	v.cursor, v.offset = common.ClampCursor(v.cursor, v.offset, len(v.rows), v.visibleRows())
}

// visibleRows is how many transactions fit between the column titles and
// the footer.
func (v *AddressView) visibleRows() int {
	return max(v.common.Height-addrTopLines-1, 0)
}

// scan starts AddressHistory in a tea.Cmd and, beside it, the command
// that delivers its progress. A newer scan makes the answers of an older
// one stale.
func (v *AddressView) scan() tea.Cmd {
	if v.ctx.Err() != nil && v.common.Context().Err() == nil {
		v.ctx, v.cancel = context.WithCancel(v.common.Context())
	}
	v.seq++
	v.state, v.err, v.done, v.total = stateLoading, nil, 0, 0
	v.feed = newProgressFeed()
	req := v.cache.request(v.script)
	v.from = req.From
	id, seq, src, ctx, cache, feed := v.id, v.seq, v.src, v.ctx, v.cache, v.feed
	run := func() tea.Msg {
		defer feed.close()
		msg := addrScanMsg{id: id, seq: seq}
		if src == nil {
			msg.err = errors.New("search is unavailable")
			return msg
		}
		scan, err := src.AddressHistory(ctx, req, feed.report)
		if err != nil {
			msg.err = err
			return msg
		}
		res := cache.store(req, scan)
		txs := append(res.confirmed, unconfirmedOnly(scan.Mempool, res.confirmed)...)
		msg.rows, msg.cols, msg.count, msg.flows = addressRows(txs)
		msg.flows += " · " + mempoolText(len(txs)-len(res.confirmed))
		msg.scanned = scannedText(res)
		return msg
	}
	return tea.Batch(run, v.nextProgress())
}

// nextProgress returns the command that waits for the scan's next
// progress report; it is issued again after each one.
func (v *AddressView) nextProgress() tea.Cmd {
	return v.feed.next(v.ctx, v.id, v.seq)
}

// unconfirmedOnly drops the mempool transactions that a block already
// confirms (the relay feed keeps what it was sent).
func unconfirmedOnly(mempool, confirmed []AddressTx) []AddressTx {
	known := make(map[chainhash.Hash]bool, len(confirmed))
	for _, t := range confirmed {
		known[t.Txid] = true
	}
	var out []AddressTx
	for _, t := range mempool {
		if !known[t.Txid] {
			t.Height, t.BlockHash = 0, chainhash.Hash{}
			known[t.Txid] = true
			out = append(out, t)
		}
	}
	return out
}

// mempoolText says what the mempool held for the address: what the
// node's peers relayed to it, which is all a light node sees of it.
func mempoolText(n int) string {
	if n == 0 {
		return "mempool: none relayed"
	}
	return "mempool: " + common.FormatInt(int64(n)) + " relayed"
}

// blockRange writes heights a–b.
func blockRange(a, b int32) string {
	if a == b {
		return common.FormatInt(int64(a))
	}
	return common.FormatInt(int64(a)) + "–" + common.FormatInt(int64(b))
}

// scannedText names the blocks the history covers and which of them this
// search checked.
func scannedText(r addrResult) string {
	if r.to < r.from {
		return "no block to scan yet"
	}
	text := "scanned blocks " + blockRange(r.from, r.to)
	switch {
	case r.startedOff:
		text += " (again from " + common.FormatInt(int64(r.from)) + ": the chain changed since the last search)"
	case r.cachedTo < 0:
	case r.to <= r.cachedTo:
		text += " (all from the last search; no new block)"
	default:
		text += " (" + blockRange(r.cachedTo+1, r.to) + " new; " + blockRange(r.from, r.cachedTo) + " from the last search)"
	}
	return text
}

// scanProgress is one progress report of a scan.
type scanProgress struct{ done, total int32 }

// progressFeed hands a scan's progress to the UI through a channel that
// holds only the latest report, so a fast scan never waits for the screen
// and the screen never falls behind the scan.
type progressFeed struct {
	mu     sync.Mutex
	ch     chan scanProgress
	closed bool
}

func newProgressFeed() *progressFeed {
	return &progressFeed{ch: make(chan scanProgress, 1)}
}

// report replaces an unread report with this one. It is safe to call from
// any goroutine, also after the scan has ended.
func (f *progressFeed) report(done, total int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	select {
	case <-f.ch:
	default:
	}
	f.ch <- scanProgress{done, total} // room: only report sends, under mu
}

// close ends the feed once the scan has returned.
func (f *progressFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.ch)
	}
}

// next returns a command that waits for the next report; it returns nil
// (no message) when the scan has ended or ctx is cancelled.
func (f *progressFeed) next(ctx context.Context, id int64, seq uint64) tea.Cmd {
	if f == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case p, ok := <-f.ch:
			if !ok {
				return nil
			}
			return addrProgressMsg{id: id, seq: seq, done: p.done, total: p.total}
		case <-ctx.Done():
			return nil
		}
	}
}

// addressRows orders txs by height (unconfirmed last), keeps the running
// balance and formats the rows, newest first, with the summary lines.
func addressRows(txs []AddressTx) ([]addrRow, addrCols, string, string) {
	sorted := slices.Clone(txs)
	slices.SortStableFunc(sorted, func(a, b AddressTx) int {
		return cmp.Compare(chainOrder(a.Height), chainOrder(b.Height))
	})
	cols := addrCols{height: len("height"), received: len("received"), sent: len("sent"), balance: len("balance")}
	rows := make([]addrRow, len(sorted))
	var bal, in, out btcutil.Amount
	for i, t := range sorted {
		bal += t.Received - t.Sent
		in += t.Received
		out += t.Sent
		r := addrRow{
			txid: t.Txid, hash: t.Txid.String(), height: t.Height, blockHash: t.BlockHash, tx: t.Tx,
			heightS: mempoolHeight, received: amountCell(t.Received), sent: amountCell(t.Sent),
			balance: amountCell(bal),
		}
		if t.Height > 0 {
			r.heightS = common.FormatInt(int64(t.Height))
		}
		if r.balance == "" {
			r.balance = "0"
		}
		cols.height = max(cols.height, len(r.heightS))
		cols.received = max(cols.received, len(r.received))
		cols.sent = max(cols.sent, len(r.sent))
		cols.balance = max(cols.balance, len(r.balance))
		rows[len(sorted)-1-i] = r
	}
	count := plural(len(rows), "transaction")
	if n := unconfirmedCount(sorted); n > 0 {
		count += ", " + common.FormatInt(int64(n)) + " unconfirmed"
	}
	count += " · balance " + amount.FormatBTC(bal)
	flows := "received " + amount.FormatBTC(in) + " · sent " + amount.FormatBTC(out)
	return rows, cols, count, flows
}

// unconfirmedCount counts the transactions of txs not in a block.
func unconfirmedCount(txs []AddressTx) int {
	n := 0
	for _, t := range txs {
		if t.Height <= 0 {
			n++
		}
	}
	return n
}

// chainOrder sorts unconfirmed transactions (height 0) after every block.
func chainOrder(h int32) int64 {
	if h <= 0 {
		return 1 << 40
	}
	return int64(h)
}

// amountCell writes a in BTC without the unit, empty for zero.
func amountCell(a btcutil.Amount) string {
	if a == 0 {
		return ""
	}
	return strings.TrimSuffix(amount.FormatBTC(a), " BTC")
}

// View draws the address, the scan's state and the visible part of the
// list. It reads nothing from the source.
func (v *AddressView) View() tea.View {
	w, h := v.common.Width, v.common.Height
	if w <= 0 || h <= 0 {
		return tea.NewView("")
	}
	st := v.common.Styles
	lines := make([]string, 0, h)
	lines = append(lines, common.Line(w, st.Normal,
		common.Span{Text: "Address ", Style: st.Title}, common.Span{Text: v.addr, Style: st.Address}))
	lines = append(lines, v.stateLines(w)...)
	lines = append(lines, "")
	if v.state == stateLoaded {
		l := v.layout()
		lines = append(lines, st.TableHeader.Render(common.Fit(l.line(false, "height", "txid", "received", "sent", "balance"), w)))
		if len(v.rows) == 0 {
			lines = append(lines, st.Muted.Render(common.Fit(noHistoryText, w)))
		}
		for i := range min(v.visibleRows(), len(v.rows)-v.offset) {
			idx := v.offset + i
			r := v.rows[idx]
			line := common.Fit(l.line(idx == v.cursor, r.heightS, common.ShortID(r.hash, l.hashW), r.received, r.sent, r.balance), w)
			if idx == v.cursor {
				lines = append(lines, st.Selected.Render(line))
			} else {
				lines = append(lines, st.Normal.Render(line))
			}
		}
	}
	if len(lines) > h-1 {
		lines = lines[:h-1]
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines, st.Muted.Render(common.Fit(v.footer(), w)))
	return tea.NewView(strings.Join(lines, "\n"))
}

// stateLines are the three lines under the title: the progress of the
// scan, its summary or its error.
func (v *AddressView) stateLines(w int) []string {
	st := v.common.Styles
	switch v.state {
	case stateLoaded:
		return []string{st.Normal.Render(common.Fit(v.count, w)), st.Muted.Render(common.Fit(v.flows, w)),
			st.Muted.Render(common.Fit(v.scanned, w))}
	case stateFailed:
		msg := scanFailPrefix + v.err.Error() + ". Press enter to try again."
		wrapped := strings.Split(ansi.Wrap(msg, w, ""), "\n")
		if len(wrapped) > 2 {
			wrapped = wrapped[:2]
			wrapped[1] = ansi.Truncate(wrapped[1], w-1, "") + "…"
		}
		for len(wrapped) < 2 {
			wrapped = append(wrapped, "")
		}
		return []string{st.Error.Render(common.Fit(wrapped[0], w)), st.Error.Render(common.Fit(wrapped[1], w)), ""}
	}
	text := scanningText + "…"
	if v.total > 0 {
		text = scanningText + " of blocks " + blockRange(v.from, v.from+v.total-1) + ": " +
			common.FormatInt(int64(v.done)) + " / " + common.FormatInt(int64(v.total))
	}
	note := ""
	if v.from > 0 {
		note = "blocks 0–" + common.FormatInt(int64(v.from-1)) + " are known from the last search"
	}
	return []string{st.Normal.Render(common.Fit(text, w)), progressBar(st, v.done, v.total, w), st.Muted.Render(common.Fit(note, w))}
}

// progressBar draws done of total as a bar w cells wide with the percentage
// after it, in characters that need no colour: █ done, ░ to do.
func progressBar(st *themes.Styles, done, total int32, w int) string {
	const pctW = len(" 100%")
	barW := w - pctW
	if barW < 3 {
		return common.Line(w, st.Normal)
	}
	frac := 0.0
	if total > 0 {
		frac = min(max(float64(done)/float64(total), 0), 1)
	}
	filled := int(frac * float64(barW))
	pct := common.FormatInt(int64(frac*100)) + "%"
	return common.Line(w, st.Normal,
		common.Span{Text: strings.Repeat("█", filled), Style: st.ProgressFilled},
		common.Span{Text: strings.Repeat("░", barW-filled), Style: st.ProgressEmpty},
		common.Span{Text: " " + common.PadLeft(pct, pctW-1), Style: st.Normal})
}

func (v *AddressView) footer() string {
	switch v.state {
	case stateLoading:
		return "scanning… esc stops"
	case stateFailed:
		return "scan failed"
	}
	if len(v.rows) == 0 {
		return "no transactions"
	}
	return "tx " + common.FormatInt(int64(v.cursor)+1) + " of " + common.FormatInt(int64(len(v.rows)))
}

// addrLayout is the column set of the list for one width: narrow
// terminals drop the sent and received columns and shorten the txid.
type addrLayout struct {
	cols      addrCols
	hashW     int
	showFlows bool
}

func (v *AddressView) layout() addrLayout {
	l := addrLayout{cols: v.cols, showFlows: true}
	c := l.cols
	hash := v.common.Width - (markW + c.height + colGap + colGap + c.received + colGap + c.sent + colGap + c.balance)
	if hash < 16 {
		l.showFlows = false
		hash += c.received + colGap + c.sent + colGap
	}
	l.hashW = min(max(hash, 4), fullHashW)
	return l
}

// line lays out one row; numbers are right-aligned.
func (l addrLayout) line(selected bool, height, hash, received, sent, balance string) string {
	var b strings.Builder
	if selected {
		b.WriteString("> ")
	} else {
		b.WriteString("  ")
	}
	b.WriteString(common.PadLeft(height, l.cols.height))
	b.WriteString("  ")
	b.WriteString(common.PadRight(hash, l.hashW))
	if l.showFlows {
		b.WriteString("  ")
		b.WriteString(common.PadLeft(received, l.cols.received))
		b.WriteString("  ")
		b.WriteString(common.PadLeft(sent, l.cols.sent))
	}
	b.WriteString("  ")
	b.WriteString(common.PadLeft(balance, l.cols.balance))
	return b.String()
}
