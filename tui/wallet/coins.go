package wallet

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
)

// CoinsSource is what the coins page needs. The app adapts wallet.Wallet
// to it. Calls are made from a tea.Cmd, never from Update or View.
type CoinsSource interface {
	// Coins returns every unspent output of the wallet, frozen ones
	// included, and the height the wallet has scanned to.
	Coins() ([]*core.Output, int32, error)
	// Labels returns every label by key: "tx:<txid>",
	// "output:<txid>:<vout>" or "addr:<address>".
	Labels() (map[string]string, error)
	// SetFrozen freezes an output (automatic coin selection never spends
	// it) or unfreezes it.
	SetFrozen(op wire.OutPoint, frozen bool) error
	// SetLabel sets the label of key, or removes it when label is "".
	SetLabel(key, label string) error
}

// RefreshMsg asks the wallet pages to re-read the wallet; the root model
// sends it after a scan step or a new transaction. It is common.RefreshMsg,
// so that the explorer's transaction page hears it too.
type RefreshMsg = common.RefreshMsg

// emptyCoins is shown in place of the table of a wallet without coins.
const emptyCoins = "No coins yet — receive some on the Receive page (r on the overview)"

// coin is one row of the table, with everything View needs worked out in
// the command that read it.
type coin struct {
	out       core.Output
	addr      string // "" when the script has no address form
	label     string // the output's label, else its address's, else its transaction's
	labelFrom string // "address" or "transaction" when the label is inherited
	confs     int32
	mature    bool
	tip       int32 // the height confs and mature were counted at
}

// spendable reports whether automatic coin selection may spend the coin:
// the wallet's rule (core.Output.Spendable).
func (c coin) spendable() bool { return c.out.Spendable(c.tip) }

// state describes what keeps the coin from being spent, in words, so that it
// reads without colour.
func (c coin) state() string {
	var s []string
	if c.out.Frozen {
		s = append(s, "frozen")
	}
	if !c.mature {
		s = append(s, "immature")
	}
	return strings.Join(s, ", ")
}

// coinsMsg carries one read of the coins back to the page that asked, and
// the failure of the freeze that came before it, if any.
type coinsMsg struct {
	id     int64
	seq    uint64
	coins  []coin // oldest first
	tip    int32
	err    error // the read failed
	actErr error // the freeze or unfreeze before the read failed
}

// CoinsKeyMap holds the coins page's own bindings; movement comes from
// common.KeyMap.
type CoinsKeyMap struct {
	// Freeze freezes or unfreezes the selected coin.
	Freeze key.Binding
	// Label edits the selected coin's label.
	Label key.Binding
	// Refresh re-reads the coins.
	Refresh key.Binding
	// Units switches amounts between BTC and sats.
	Units key.Binding
}

// DefaultCoinsKeyMap returns the default bindings. Each call returns a fresh
// value.
func DefaultCoinsKeyMap() CoinsKeyMap {
	wk := DefaultKeyMap()
	return CoinsKeyMap{
		Freeze:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "freeze/unfreeze")),
		Label:   wk.Label,
		Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh")),
		Units:   wk.Units,
	}
}

// Coins is the coin control page: the wallet's unspent outputs, oldest
// first (most confirmations, unconfirmed last; larger first among equals),
// with their address, amount, confirmations, whether they are frozen and
// their label. The list is held in memory, as the wallet holds it, but only
// the rows on screen are drawn.
type Coins struct {
	// KeyMap holds the page's own bindings.
	KeyMap CoinsKeyMap

	common common.Common
	src    CoinsSource
	net    *chaincfg.Params
	units  Units
	id     int64
	seq    uint64

	loaded    bool
	tip       int32
	coins     []coin
	total     btcutil.Amount
	spendable btcutil.Amount
	frozen    int
	widths    coinWidths

	cursor int
	offset int
	err    error // the last read failed
	notice error // the last freeze failed; shown until the next key
	busy   bool  // a freeze is under way
	stale  bool  // a refresh was asked for while busy
}

var _ common.Component = (*Coins)(nil)

// NewCoins returns the coins page reading from src; addresses are shown for
// net. Of the Options, WithUnits applies. Its Init command reads the coins.
func NewCoins(c common.Common, src CoinsSource, net *chaincfg.Params, opts ...Option) *Coins {
	// Options are written for the overview; read the settings they carry
	// off a scratch one.
	var set Overview
	for _, o := range opts {
		o(&set)
	}
	return &Coins{
		KeyMap: DefaultCoinsKeyMap(),
		common: c,
		src:    src,
		net:    net,
		units:  set.units,
		id:     lastID.Add(1),
	}
}

// Init reads the coins.
func (m *Coins) Init() tea.Cmd { return m.fetch() }

// Refresh re-reads the coins and labels, keeping the selection on the same
// coin. Sending the page a RefreshMsg does the same.
func (m *Coins) Refresh() tea.Cmd { return m.refresh() }

// Units returns the units amounts are shown in.
func (m *Coins) Units() Units { return m.units }

// SetUnits sets the units amounts are shown in, for the Settings tab.
func (m *Coins) SetUnits(u Units) {
	m.units = u
	m.measure()
}

// SetSize sets the size the page draws in.
func (m *Coins) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.clamp()
}

// Selected returns the selected coin, if any.
func (m *Coins) Selected() (core.Output, bool) {
	if m.cursor < 0 || m.cursor >= len(m.coins) {
		return core.Output{}, false
	}
	return m.coins[m.cursor].out, true
}

// ShortHelp returns the bindings for the help bar.
func (m *Coins) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	return []key.Binding{k.Up, k.Down, m.KeyMap.Freeze, m.KeyMap.Label, m.KeyMap.Refresh}
}

// FullHelp returns the page's bindings for the help overlay.
func (m *Coins) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{m.KeyMap.Freeze, m.KeyMap.Label, m.KeyMap.Refresh, m.KeyMap.Units},
	}
}

// Update moves the selection, freezes coins, asks for label edits and
// applies read results. A RefreshMsg or a saved label re-reads the coins.
func (m *Coins) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case coinsMsg:
		if msg.id == m.id && msg.seq == m.seq {
			return m, m.apply(msg)
		}
	case RefreshMsg, LabelSavedMsg:
		return m, m.refresh()
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Coins) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	m.notice = nil
	switch {
	case common.MoveCursor(msg, k, &m.cursor, &m.offset, len(m.coins), m.visibleRows()):
	case key.Matches(msg, m.KeyMap.Freeze):
		if m.busy || m.err != nil || m.cursor >= len(m.coins) {
			return nil
		}
		return m.toggleFreeze(m.coins[m.cursor])
	case key.Matches(msg, m.KeyMap.Label):
		if m.err != nil || m.cursor >= len(m.coins) {
			return nil
		}
		c := m.coins[m.cursor]
		req := LabelRequestedMsg{Key: core.OutputLabelKey(c.out.OutPoint), Current: c.label}
		return func() tea.Msg { return req }
	case key.Matches(msg, m.KeyMap.Refresh):
		return m.refresh()
	case key.Matches(msg, m.KeyMap.Units):
		m.SetUnits(1 - m.units)
	default:
		return nil
	}
	m.clamp()
	return nil
}

// refresh re-reads the coins, or, while a freeze is under way, once it is
// done, so that its read cannot overtake the freeze.
func (m *Coins) refresh() tea.Cmd {
	if m.busy {
		m.stale = true
		return nil
	}
	return m.fetch()
}

// fetch returns a command that reads the coins.
func (m *Coins) fetch() tea.Cmd {
	m.seq++
	id, seq, src, net := m.id, m.seq, m.src, m.net
	return func() tea.Msg { return readCoins(src, net, id, seq) }
}

// toggleFreeze returns a command that freezes or unfreezes c and then re-reads
// the coins.
func (m *Coins) toggleFreeze(c coin) tea.Cmd {
	m.seq++
	m.busy = true
	id, seq, src, net := m.id, m.seq, m.src, m.net
	op, frozen := c.out.OutPoint, !c.out.Frozen
	return func() tea.Msg {
		var actErr error
		if src != nil {
			if err := src.SetFrozen(op, frozen); err != nil {
				verb := "freeze"
				if !frozen {
					verb = "unfreeze"
				}
				actErr = fmt.Errorf("could not %s coin %s: %w", verb, shortOutPoint(op, 9), err)
			}
		}
		msg := readCoins(src, net, id, seq)
		msg.actErr = actErr
		return msg
	}
}

// readCoins reads the coins and labels and builds the table's rows, oldest
// first.
func readCoins(src CoinsSource, net *chaincfg.Params, id int64, seq uint64) coinsMsg {
	msg := coinsMsg{id: id, seq: seq}
	if src == nil {
		msg.err = fmt.Errorf("no wallet is open")
		return msg
	}
	outs, tip, err := src.Coins()
	if err != nil {
		msg.err = fmt.Errorf("coins: %w", err)
		return msg
	}
	lbls, err := src.Labels()
	if err != nil {
		msg.err = fmt.Errorf("labels: %w", err)
		return msg
	}
	rows := buildCoins(outs, tip, lbls, net)
	msg.coins, msg.tip = rows, tip
	return msg
}

// buildCoins makes the table rows of the unspent outputs in outs, with
// their addresses on net and their labels from lbls, sorted by
// compareCoins. The Coins page and coin control both list coins this way.
func buildCoins(outs []*core.Output, tip int32, lbls map[string]string, net *chaincfg.Params) []coin {
	rows := make([]coin, 0, len(outs))
	for _, o := range outs {
		if o == nil || o.SpentBy != nil {
			continue
		}
		c := coin{out: *o, addr: scriptAddress(o.Script, net), confs: o.Confirmations(tip), mature: o.Mature(tip), tip: tip}
		c.label = lbls[core.OutputLabelKey(o.OutPoint)]
		if c.label == "" && c.addr != "" {
			c.label, c.labelFrom = lbls[core.AddressLabelKey(c.addr)], "address"
		}
		if c.label == "" {
			c.label, c.labelFrom = lbls[core.TxLabelKey(o.OutPoint.Hash)], "transaction"
		}
		if c.label == "" {
			c.labelFrom = ""
		}
		rows = append(rows, c)
	}
	slices.SortFunc(rows, compareCoins)
	return rows
}

// compareCoins orders coins oldest first: most confirmations first,
// unconfirmed last, larger first among equals, then by outpoint.
func compareCoins(a, b coin) int {
	return cmp.Or(
		cmp.Compare(b.confs, a.confs),
		cmp.Compare(b.out.Value, a.out.Value),
		strings.Compare(a.out.OutPoint.Hash.String(), b.out.OutPoint.Hash.String()),
		cmp.Compare(a.out.OutPoint.Index, b.out.OutPoint.Index),
	)
}

// scriptAddress returns the address a script pays to on net, or "" when it
// has none (bare multisig, unknown scripts) or net is unknown.
func scriptAddress(script []byte, net *chaincfg.Params) string {
	if net == nil {
		return ""
	}
	class, addrs, _, err := txscript.ExtractPkScriptAddrs(script, net)
	if err != nil || len(addrs) != 1 || class == txscript.MultiSigTy {
		return ""
	}
	return addrs[0].EncodeAddress()
}

// apply takes a read result in, keeping the selection on the same coin when
// it is still there. It returns the read asked for while a freeze was under
// way.
func (m *Coins) apply(msg coinsMsg) tea.Cmd {
	m.busy = false
	m.notice = msg.actErr
	if msg.err != nil {
		m.err = msg.err
	} else {
		var prev wire.OutPoint
		sel, hadSel := m.Selected()
		if hadSel {
			prev = sel.OutPoint
		}
		m.err = nil
		m.loaded = true
		m.tip, m.coins = msg.tip, msg.coins
		m.total, m.spendable, m.frozen = 0, 0, 0
		for _, c := range m.coins {
			m.total += c.out.Value
			if c.spendable() {
				m.spendable += c.out.Value
			}
			if c.out.Frozen {
				m.frozen++
			}
		}
		if hadSel {
			if i := slices.IndexFunc(m.coins, func(c coin) bool { return c.out.OutPoint == prev }); i >= 0 {
				m.offset += i - m.cursor
				m.cursor = i
			}
		}
		m.measure()
		m.clamp()
	}
	if m.stale {
		m.stale = false
		return m.fetch()
	}
	return nil
}

// measure finds the widths of the columns whose content varies, so that
// they do not change while scrolling.
func (m *Coins) measure() { m.widths = measureCoins(m.coins, m.units) }

// coinWidths are the widths of a coin table's columns whose content varies.
type coinWidths struct {
	amountW int // widest amount in the current units
	confW   int // widest confirmations cell
	stateW  int // widest state cell; 0 when no coin has one
	voutW   int // widest output index
	addrW   int // longest address
}

// measureCoins finds the column widths of coins with amounts in u.
func measureCoins(coins []coin, u Units) coinWidths {
	cw := coinWidths{amountW: lipgloss.Width("amount"), confW: lipgloss.Width("confs"), voutW: 1}
	for _, c := range coins {
		cw.amountW = max(cw.amountW, len(formatAmount(c.out.Value, u, false)))
		cw.confW = max(cw.confW, len(confsText(c.confs)))
		if s := c.state(); s != "" {
			cw.stateW = max(cw.stateW, len("state"), len(s))
		}
		cw.voutW = max(cw.voutW, len(fmt.Sprint(c.out.OutPoint.Index)))
		cw.addrW = max(cw.addrW, len(c.addr))
	}
	return cw
}

// confsText writes a coin's confirmations.
func confsText(n int32) string {
	if n <= 0 {
		return "unconfirmed"
	}
	return common.FormatInt(int64(n))
}

// shortOutPoint writes op with its txid cut to txW cells.
func shortOutPoint(op wire.OutPoint, txW int) string {
	return common.ShortID(op.Hash.String(), txW) + ":" + fmt.Sprint(op.Index)
}

// clamp keeps the cursor on a row and on screen, and the screen full.
func (m *Coins) clamp() {
	m.cursor, m.offset = common.ClampCursor(m.cursor, m.offset, len(m.coins), m.visibleRows())
}

const (
	coinsTop      = 2  // the title and the column titles
	coinsDetail   = 4  // a blank line and three lines about the selected coin
	coinsBottom   = 2  // the totals and the keys
	coinsDetailH  = 14 // the least height that shows the detail lines
	minCoinAddrW  = 14
	minCoinLabelW = 16
	detailNameW   = 10 // "outpoint  "
)

// detailShown reports whether the page is tall enough for the lines about
// the selected coin, which show what the table cuts short.
func (m *Coins) detailShown() bool { return m.common.Height >= coinsDetailH }

// visibleRows is how many coins fit between the column titles and the
// lines under the table.
func (m *Coins) visibleRows() int {
	n := m.common.Height - coinsTop - coinsBottom
	if m.detailShown() {
		n -= coinsDetail
	}
	return max(n, 0)
}

// coinsLayout is the column set for one width. The address column goes
// first when the width runs short, so that the label keeps some room; the
// lines under the table show the selected coin's address in full.
type coinsLayout struct {
	width   int
	txW     int // cells of the txid in the outpoint
	opW     int
	addrW   int // 0 hides the column
	amountW int
	confW   int
	stateW  int // 0 hides the column
	labelW  int
}

func (m *Coins) layout() coinsLayout { return layoutCoins(m.common.Width, markW, m.widths) }

// layoutCoins fits a coin table to w cells, mark cells before each row.
func layoutCoins(w, mark int, cw coinWidths) coinsLayout {
	l := coinsLayout{width: w, txW: 9, amountW: cw.amountW, confW: cw.confW, stateW: cw.stateW}
	if w >= 100 {
		l.txW = 13
	}
	l.opW = l.txW + 1 + cw.voutW
	fixed := mark + l.opW + len(gap) + l.amountW + len(gap) + l.confW
	if l.stateW > 0 {
		fixed += len(gap) + l.stateW
	}
	rest := w - fixed
	// The label keeps two fifths of what is left, and at least
	// minCoinLabelW; the address shows only when it gets minCoinAddrW.
	avail := rest - 2*len(gap)
	if a := min(cw.addrW, avail-max(minCoinLabelW, avail*2/5)); a >= minCoinAddrW {
		l.addrW = a
		l.labelW = avail - a
	} else {
		l.labelW = max(rest-len(gap), 0)
	}
	return l
}

// cells lays out one row from cells already cut to their column's width
// (and styled, if at all), g between them; columns of width 0 are left out.
func (l coinsLayout) cells(g, mark, op, addr, amt, confs, state, label string) string {
	var b strings.Builder
	b.WriteString(mark)
	b.WriteString(op)
	if l.addrW > 0 {
		b.WriteString(g + addr)
	}
	b.WriteString(g + amt + g + confs)
	if l.stateW > 0 {
		b.WriteString(g + state)
	}
	if l.labelW > 0 {
		b.WriteString(g + label)
	}
	return b.String()
}

// View draws the table with the selected coin's details, the totals and the
// keys, exactly Height lines of at most Width cells.
func (m *Coins) View() tea.View { return tea.NewView(m.render()) }

func (m *Coins) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.common.Styles
	title := "Coins"
	if m.loaded {
		asOf := "as of block " + common.FormatInt(int64(m.tip))
		title += strings.Repeat(" ", max(w-len(title)-len(asOf), 1)) + asOf
	}
	top := []string{st.Title.Render(common.Fit(title, w))}
	var bottom []string
	switch {
	case m.err != nil:
		for _, s := range common.WordWrap("Could not read the coins: "+m.err.Error()+". Press "+m.KeyMap.Refresh.Help().Key+" to try again.", w) {
			top = append(top, st.Error.Render(common.Fit(s, w)))
		}
	case !m.loaded:
		top = append(top, st.Muted.Render(common.Fit("Loading coins…", w)))
	case len(m.coins) == 0:
		for _, s := range common.WordWrap(emptyCoins, w) {
			top = append(top, st.Muted.Render(common.Fit(s, w)))
		}
		bottom = []string{m.keysLine(w)}
	default:
		top = append(top, m.tableLines()...)
		if m.detailShown() {
			bottom = append(bottom, "")
			bottom = append(bottom, m.detailLines(w)...)
		}
		bottom = append(bottom, st.Accent.Render(common.Fit(m.totals(), w)), m.keysLine(w))
	}
	topH := max(h-len(bottom), 0)
	if len(top) > topH {
		top = top[:topH]
	}
	for len(top) < topH {
		top = append(top, "")
	}
	lines := append(top, bottom...)
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

// tableLines draws the column titles and the visible rows.
func (m *Coins) tableLines() []string {
	st := m.common.Styles
	l := m.layout()
	head := l.cells(gap, "  ", common.Fit("outpoint", l.opW), common.Fit("address", l.addrW), common.PadLeft("amount", l.amountW),
		common.PadLeft("confs", l.confW), common.Fit("state", l.stateW), common.Fit("label", l.labelW))
	out := []string{st.TableHeader.Render(common.Fit(head, l.width))}
	for i := m.offset; i < min(m.offset+m.visibleRows(), len(m.coins)); i++ {
		out = append(out, m.row(l, i))
	}
	return out
}

// row draws coin i, each cell in its style. The selected row is drawn in
// one style so that its highlight is not broken; frozen coins are dimmed,
// and so are inherited labels, whose words say the same without colour.
func (m *Coins) row(l coinsLayout, i int) string {
	c := m.coins[i]
	mark := "  "
	if i == m.cursor {
		mark = "> "
	}
	return coinRowLine(m.common.Styles, l, c, m.units, mark, i == m.cursor, c.out.Frozen)
}

// coinRowLine draws coin c as a row of layout l after mark (the cursor,
// and in coin control the chosen box): a selected row in one style so
// that its highlight is not broken, a dimmed one muted, else each cell in
// its style. The Coins page and coin control both draw their rows here.
func coinRowLine(st *themes.Styles, l coinsLayout, c coin, units Units, mark string, selected, dim bool) string {
	op := common.Fit(shortOutPoint(c.out.OutPoint, l.txW), l.opW)
	addr := common.Fit(common.ShortID(c.addr, l.addrW), l.addrW)
	if c.addr == "" {
		addr = common.Fit("no address", l.addrW)
	}
	amt := common.PadLeft(formatAmount(c.out.Value, units, false), l.amountW)
	confs := common.PadLeft(confsText(c.confs), l.confW)
	state := common.Fit(c.state(), l.stateW)
	label := common.Fit(c.label, l.labelW)
	switch {
	case selected:
		return st.Selected.Render(common.Fit(l.cells(gap, mark, op, addr, amt, confs, state, label), l.width))
	case dim:
		return st.Muted.Render(common.Fit(l.cells(gap, mark, op, addr, amt, confs, state, label), l.width))
	}
	confStyle := st.Confirmed
	if c.confs <= 0 {
		confStyle = st.Unconfirmed
	}
	labelStyle := st.Label
	if c.labelFrom != "" {
		labelStyle = st.Muted
	}
	n := st.Normal.Render
	// The label is the last column, drawn without its padding so that an
	// underlined label (NO_COLOR) does not underline blanks; Line pads.
	label = labelStyle.Render(common.Fit(c.label, min(ansi.StringWidth(c.label), l.labelW)))
	s := l.cells(n(gap), n(mark), st.Hash.Render(op), st.Address.Render(addr), n(amt), confStyle.Render(confs),
		n(state), label)
	return common.Line(l.width, st.Normal, common.Span{Text: s})
}

// detailLines shows the selected coin's outpoint, address and label in
// full, or as much of them as the width allows.
func (m *Coins) detailLines(w int) []string {
	return coinDetailLines(m.common.Styles, m.coins[m.cursor], w, "none ("+m.KeyMap.Label.Help().Key+" to add one)")
}

// coinDetailLines shows c's outpoint, address and label in full, or as
// much of them as w cells allow; noLabel stands in for a missing label.
func coinDetailLines(st *themes.Styles, c coin, w int, noLabel string) []string {
	name := func(s string) common.Span { return common.Span{Text: common.Fit(s, detailNameW), Style: st.Normal} }
	addr := common.Span{Text: c.addr, Style: st.Address}
	if c.addr == "" {
		addr = common.Span{Text: "none (the script has no address form)", Style: st.Muted}
	}
	label := []common.Span{{Text: c.label, Style: st.Label}}
	switch {
	case c.label == "":
		label = []common.Span{{Text: noLabel, Style: st.Muted}}
	case c.labelFrom != "":
		label = append(label, common.Span{Text: " (from the " + c.labelFrom + ")", Style: st.Muted})
	}
	return []string{
		common.Line(w, st.Normal, name("outpoint"), common.Span{Text: c.out.OutPoint.String(), Style: st.Hash}),
		common.Line(w, st.Normal, name("address"), addr),
		common.Line(w, st.Normal, append([]common.Span{name("label")}, label...)...),
	}
}

// totals sums the coins: all of them and those a payment may spend.
func (m *Coins) totals() string {
	n := len(m.coins)
	s := common.FormatInt(int64(n)) + " coins"
	if n == 1 {
		s = "1 coin"
	}
	s += " · total " + formatAmount(m.total, m.units, false) +
		" · spendable " + formatAmount(m.spendable, m.units, false)
	if m.frozen > 0 {
		s += " · " + common.FormatInt(int64(m.frozen)) + " frozen"
	}
	return s
}

// keysLine shows where the selection is and the page's keys, or the error
// of the last freeze.
func (m *Coins) keysLine(w int) string {
	st := m.common.Styles
	if m.notice != nil {
		return st.Error.Render(common.Fit(m.notice.Error(), w))
	}
	k := m.KeyMap
	refresh := k.Refresh.Help().Key + " refresh"
	if len(m.coins) == 0 {
		return st.Muted.Render(common.Fit(refresh, w))
	}
	freeze := k.Freeze.Help().Key + " freeze"
	if m.coins[m.cursor].out.Frozen {
		freeze = k.Freeze.Help().Key + " unfreeze"
	}
	s := "coin " + common.FormatInt(int64(m.cursor+1)) + " of " + common.FormatInt(int64(len(m.coins))) +
		" · oldest first · " + freeze + " · " + k.Label.Help().Key + " label · " + k.Units.Help().Key + " BTC/sats · " + refresh
	return st.Muted.Render(common.Fit(s, w))
}
