package explorer

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/tui/common"
)

// shortBytes is how many bytes a shortened hex string keeps at each end.
const shortBytes = 8

// witnessScale is BIP141's witness scale factor: weight counts non-witness
// bytes four times and witness bytes once.
const witnessScale = 4

// TxView is the transaction page: the transaction's identity and sizes, its
// inputs (with witness items shortened) and its outputs with address, an
// "ours" mark and the decoded script. Everything is decoded once in
// NewTxView; View only lays out the lines on screen, and scrolling moves
// through them.
type TxView struct {
	common common.Common
	id     int64

	txid      chainhash.Hash
	blockHash chainhash.Hash
	height    int32
	confirmed bool
	base      []txItem // the decoded transaction
	proofAt   int      // where in base the proof line goes
	doc       []txItem // the page's content, independent of the width

	prover Prover
	proof  proofState
	prove  key.Binding

	tx      *wire.MsgTx
	net     *chaincfg.Params
	owns    func([]byte) bool
	infoSrc TxInfoSource
	info    *TxInfo // nil until the source answered (or without one)
	infoSeq uint64
	units   Units
	sel     int    // selected input, for enter
	notice  string // why enter could not open an input's transaction
	// findAddr, when enter could not open the selected input's
	// transaction, searches the address the spent output paid (read from
	// the input's script or witness) on the next enter: the address page
	// fetches the block that holds it.
	findAddr *AddressSearchMsg
	nextIn   key.Binding
	prevIn   key.Binding

	replSrc  ReplaceSource
	replOpts *ReplaceOptions // nil until the source answered
	replKeys ReplaceKeyMap
	repl     *replaceForm // the open bump, cancel or CPFP form, if any
	// replSeq numbers the questions to replSrc; replAsking says one is
	// out, replAgain that a refresh came meanwhile; replSent that the
	// page sent a replacement or child.
	replSeq    uint64
	replAsking bool
	replAgain  bool
	replSent   bool

	lines    []string // doc laid out for common.Width
	itemLine []int    // first line of each doc item
	offset   int      // first visible line
}

var _ common.Component = (*TxView)(nil)

// txItem is one logical line of the transaction page. A label, when set,
// goes in a column of its own, and value lines that do not fit wrap under
// the value's start.
type txItem struct {
	kind   itemKind
	indent int
	label  string
	value  string
	mark   string // "ours", drawn highlighted after the value
}

type itemKind int

const (
	itemText itemKind = iota
	itemTitle
	itemSection
	itemScript // decoded script: muted, wraps anywhere
	itemBlank
	itemMuted   // a remark: muted text
	itemError   // a failure: error text
	itemSuccess // a check that passed
	itemHash    // a txid, block hash or outpoint
	itemAddress // an address
)

// NewTxView returns the page of tx, confirmed in the block with the given
// hash and height, or unconfirmed (in the mempool) when height is 0 and
// blockHash is zero. net names the network for addresses; owns, when not
// nil, reports whether an output script belongs to the open wallet, whose
// outputs are then marked "ours".
func NewTxView(c common.Common, tx *wire.MsgTx, blockHash chainhash.Hash, height int32,
	net *chaincfg.Params, owns func(script []byte) bool, opts ...TxOption) *TxView {

	v := &TxView{
		common:    c,
		id:        lastID.Add(1),
		blockHash: blockHash,
		height:    height,
		confirmed: height != 0 || blockHash != (chainhash.Hash{}),
		prove:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "prove inclusion")),
		nextIn:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i/I", "next/previous input")),
		prevIn:    key.NewBinding(key.WithKeys("I"), key.WithHelp("I", "previous input")),
		replKeys:  DefaultReplaceKeyMap(),
		tx:        tx,
		net:       net,
		owns:      owns,
	}
	for _, o := range opts {
		o(v)
	}
	if tx != nil {
		v.txid = tx.TxHash()
	}
	v.describe()
	return v
}

// WithTxInfo lets the page ask src for what the transaction's bytes do not
// say: confirmations, the inputs' values and addresses (so the fee), the
// wallet's label; and open the transaction an input spends on enter.
func WithTxInfo(src TxInfoSource) TxOption {
	return func(v *TxView) { v.infoSrc = src }
}

// WithTxUnits sets the units amounts start in; the default is BTC.
func WithTxUnits(u Units) TxOption {
	return func(v *TxView) { v.units = u }
}

// txInfoMsg carries a TxInfoSource's answer to the page that asked.
type txInfoMsg struct {
	id   int64
	seq  uint64
	info TxInfo
}

// txLookupMsg carries the transaction an input spends, or why it could not
// be found.
type txLookupMsg struct {
	id   int64
	txid chainhash.Hash
	ref  TxRef
	err  error
}

// describe decodes the transaction into the page's items for the current
// info, units and selection, and lays them out.
func (v *TxView) describe() {
	if v.tx == nil {
		v.base = []txItem{{kind: itemTitle, value: "Transaction"}, {value: "No transaction to show."}}
		v.proofAt = -1
	} else {
		d := txDescriber{tx: v.tx, blockHash: v.blockHash, height: v.height, confirmed: v.confirmed, net: v.net,
			owns: v.owns, info: v.info, units: v.units, sel: -1, asking: v.infoSrc != nil && v.info == nil}
		if v.canOpenInputs() {
			d.sel = v.sel
		}
		v.base, v.proofAt = d.describe()
	}
	v.compose()
	v.layout()
}

// canOpenInputs reports whether enter opens the selected input's
// transaction: there is a source to find it and the inputs spend coins.
func (v *TxView) canOpenInputs() bool {
	return v.infoSrc != nil && v.tx != nil && !isCoinbase(v.tx) && len(v.tx.TxIn) > 0
}

// Units returns the units amounts are shown in.
func (v *TxView) Units() Units { return v.units }

// SetUnits sets the units amounts are shown in, for the Settings tab.
func (v *TxView) SetUnits(u Units) {
	if u != v.units {
		v.units = u
		v.describe()
	}
}

// askInfo returns a command asking the source about the transaction.
func (v *TxView) askInfo() tea.Cmd {
	if v.infoSrc == nil || v.tx == nil {
		return nil
	}
	v.infoSeq++
	id, seq, src, tx, ctx := v.id, v.infoSeq, v.infoSrc, v.tx, v.common.Context()
	return func() tea.Msg { return txInfoMsg{id: id, seq: seq, info: src.TxInfo(ctx, tx)} }
}

// openInput returns a command that opens the transaction the selected
// input spends: at once when the source gave it, else by looking it up.
func (v *TxView) openInput() tea.Cmd {
	if !v.canOpenInputs() || v.sel < 0 || v.sel >= len(v.tx.TxIn) {
		return nil
	}
	if sel := v.findAddr; sel != nil {
		v.findAddr, v.notice = nil, ""
		return func() tea.Msg { return *sel }
	}
	op := v.tx.TxIn[v.sel].PreviousOutPoint
	if v.info != nil {
		if p, ok := v.info.Prevouts[op]; ok && p.Tx != nil {
			sel := TxSelectedMsg{Txid: op.Hash, BlockHash: p.BlockHash, Height: p.Height, Tx: p.Tx}
			return func() tea.Msg { return sel }
		}
	}
	v.notice = "looking for " + common.ShortID(op.Hash.String(), 16) + "…"
	id, src, ctx := v.id, v.infoSrc, v.common.Context()
	return func() tea.Msg {
		ref, err := src.LookupTx(ctx, op.Hash)
		if err == nil && (ref.Tx == nil || ref.Tx.TxHash() != op.Hash) {
			err = fmt.Errorf("%w: the source answered with another transaction", ErrNotFound)
		}
		return txLookupMsg{id: id, txid: op.Hash, ref: ref, err: err}
	}
}

// spentAddress is the address the output the selected input spends paid,
// when the input shows it (p2pkh, p2sh and p2wpkh spends name the key or
// script they satisfy), for an address search that finds and fetches the
// block holding txid, the transaction that made the output.
func (v *TxView) spentAddress(txid chainhash.Hash) (AddressSearchMsg, bool) {
	if v.sel < 0 || v.sel >= len(v.tx.TxIn) || v.net == nil {
		return AddressSearchMsg{}, false
	}
	in := v.tx.TxIn[v.sel]
	if in.PreviousOutPoint.Hash != txid {
		return AddressSearchMsg{}, false
	}
	// A witness other than p2wpkh's may be taproot's, whose output key
	// the spend does not reveal.
	if len(in.SignatureScript) == 0 && (len(in.Witness) != 2 || len(in.Witness[1]) != 33) {
		return AddressSearchMsg{}, false
	}
	pk, err := txscript.ComputePkScript(in.SignatureScript, in.Witness)
	if err != nil {
		return AddressSearchMsg{}, false
	}
	addr, err := pk.Address(v.net)
	if err != nil {
		return AddressSearchMsg{}, false
	}
	return AddressSearchMsg{Address: addr.EncodeAddress(), Script: pk.Script()}, true
}

// moveInput selects the input d places away and scrolls it into view.
func (v *TxView) moveInput(d int) {
	if !v.canOpenInputs() {
		return
	}
	n := len(v.tx.TxIn)
	v.sel = ((v.sel+d)%n + n) % n
	v.notice, v.findAddr = "", nil
	v.describe()
	if line, ok := v.inputLine(v.sel); ok {
		vis := max(v.visibleLines(), 1)
		if line < v.offset || line >= v.offset+vis {
			v.offset = line
		}
		v.clamp()
	}
}

// inputLine returns the first line of input i's item.
func (v *TxView) inputLine(i int) (int, bool) {
	want := "#" + strconv.Itoa(i)
	section := false
	for j, it := range v.doc {
		if it.kind == itemSection {
			section = strings.HasPrefix(it.value, "Inputs")
			continue
		}
		if section && (it.label == want || it.label == selMark+want) && j < len(v.itemLine) {
			return v.itemLine[j], true
		}
	}
	return 0, false
}

// Confirmed reports whether the transaction shown is in a block.
func (v *TxView) Confirmed() bool { return v.confirmed }

// Txid returns the id of the transaction shown.
func (v *TxView) Txid() chainhash.Hash { return v.txid }

// Init asks the TxInfoSource, when the page has one, about the
// transaction; the page shows what the bytes say until it answers.
func (v *TxView) Init() tea.Cmd { return tea.Batch(v.askInfo(), v.askReplaceOptions()) }

// Capturing reports whether the page takes typed text (the fee rate, a
// password, a file name), so that the app's letter keys reach it.
func (v *TxView) Capturing() bool {
	return v.repl != nil && (v.repl.step == stepRate || v.repl.step == stepPassword || v.repl.step == stepExport)
}

// SetSize sets the size the page draws in and lays the lines out again.
func (v *TxView) SetSize(width, height int) {
	v.common.SetSize(width, height)
	v.layout()
}

// ShortHelp returns the bindings for the help bar.
func (v *TxView) ShortHelp() []key.Binding {
	if v.repl != nil {
		return v.replaceHelp()
	}
	k := v.common.KeyMap
	out := append([]key.Binding{k.Up, k.Down}, v.replaceBindings()...)
	if v.canOpenInputs() {
		open := key.NewBinding(key.WithKeys(k.Enter.Keys()...), key.WithHelp(k.Enter.Help().Key, "open spent tx"))
		out = append(out, v.nextIn, open)
	}
	if v.canProve() {
		out = append(out, v.prove)
	}
	return append(out, copyBinding(k, "txid/address"), k.Back)
}

// FullHelp returns the bindings of this page for the help overlay.
func (v *TxView) FullHelp() [][]key.Binding {
	if v.repl != nil {
		return [][]key.Binding{v.replaceHelp()}
	}
	k := v.common.KeyMap
	last := []key.Binding{k.Top, k.Bottom, k.Back, copyBinding(k, "txid, outpoint or address")}
	if v.canProve() {
		last = append(last, v.prove)
	}
	groups := [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		last,
	}
	if v.canOpenInputs() {
		open := key.NewBinding(key.WithKeys(k.Enter.Keys()...), key.WithHelp(k.Enter.Help().Key, "open the transaction the input spends"))
		groups = append(groups, []key.Binding{v.nextIn, v.prevIn, open})
	}
	if r := v.replaceBindings(); len(r) > 0 {
		groups = append(groups, r)
	}
	return groups
}

// Update scrolls on keys, asks for an inclusion proof on p, applies its
// answer and emits BackMsg on esc.
func (v *TxView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case proofMsg:
		v.applyProof(msg)
		return v, nil
	case replaceOptionsMsg:
		return v, v.applyReplaceOptions(msg)
	case common.RefreshMsg:
		// The wallet changed: a block may have confirmed the transaction
		// (then nothing can be bumped or sped up any more).
		return v, v.askReplaceOptions()
	case replacePlanMsg, replaceSentMsg, replaceExportedMsg:
		if v.repl == nil {
			return v, nil
		}
		return v, v.updateReplace(msg)
	case txInfoMsg:
		if msg.id == v.id && msg.seq == v.infoSeq {
			info := msg.info
			v.info = &info
			v.describe()
		}
		return v, nil
	case txLookupMsg:
		if msg.id != v.id {
			return v, nil
		}
		if msg.err != nil {
			v.notice = "cannot open " + common.ShortID(msg.txid.String(), 16) + ": " + msg.err.Error()
			if sel, ok := v.spentAddress(msg.txid); ok {
				v.findAddr = &sel
				v.notice = "tx " + common.ShortID(msg.txid.String(), 12) + " is in no fetched block · " +
					v.common.KeyMap.Enter.Help().Key + ": find it by the address it paid"
			}
			return v, nil
		}
		v.notice = ""
		ref := msg.ref
		return v, func() tea.Msg {
			return TxSelectedMsg{Txid: msg.txid, BlockHash: ref.BlockHash, Height: ref.Height, Tx: ref.Tx}
		}
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return v, nil
	}
	if v.repl != nil {
		return v, v.updateReplace(kp)
	}
	k := v.common.KeyMap
	page := max(v.visibleLines(), 1)
	if o := v.replOpts; o != nil && !v.confirmed {
		switch {
		case o.Bump && key.Matches(kp, v.replKeys.Bump):
			return v, v.openReplace(ReplaceBump)
		case o.Cancel && key.Matches(kp, v.replKeys.Cancel):
			return v, v.openReplace(ReplaceCancel)
		case o.CPFP && key.Matches(kp, v.replKeys.CPFP):
			return v, v.openReplace(ReplaceCPFP)
		}
	}
	switch {
	case key.Matches(kp, k.Back):
		v.stopProof()
		return v, func() tea.Msg { return BackMsg{} }
	case key.Matches(kp, v.prove):
		return v, v.startProof()
	case key.Matches(kp, k.Copy):
		return v, v.copyCmd()
	case key.Matches(kp, v.nextIn):
		v.moveInput(1)
		return v, nil
	case key.Matches(kp, v.prevIn):
		v.moveInput(-1)
		return v, nil
	case key.Matches(kp, k.Enter):
		return v, v.openInput()
	case key.Matches(kp, k.Down):
		v.offset++
	case key.Matches(kp, k.Up):
		v.offset--
	case key.Matches(kp, k.PageDown):
		v.offset += page
	case key.Matches(kp, k.PageUp):
		v.offset -= page
	case key.Matches(kp, k.Top):
		v.offset = 0
	case key.Matches(kp, k.Bottom):
		v.offset = len(v.lines)
	}
	v.clamp()
	return v, nil
}

// View draws the visible lines and a footer saying where they are.
func (v *TxView) View() tea.View {
	w, h := v.common.Width, v.common.Height
	if w <= 0 || h <= 0 {
		return tea.NewView("")
	}
	vis := v.visibleLines()
	out := make([]string, 0, h)
	if v.repl != nil {
		form := v.replaceLines(w)
		out = append(out, form[:min(len(form), h-1)]...)
		for len(out) < h-1 {
			out = append(out, "")
		}
		out = append(out, v.common.Styles.Muted.Render(common.Fit(helpLine(v.replaceHelp()), w)))
		return tea.NewView(strings.Join(out, "\n"))
	}
	out = append(out, v.lines[v.offset:min(v.offset+vis, len(v.lines))]...)
	for len(out) < h-1 {
		out = append(out, "")
	}
	out = append(out, v.common.Styles.Muted.Render(common.Fit(v.footer(vis), w)))
	return tea.NewView(strings.Join(out, "\n"))
}

func (v *TxView) footer(vis int) string {
	if v.notice != "" {
		return v.notice
	}
	where := ""
	if len(v.lines) <= vis {
		where = "all " + common.FormatInt(int64(len(v.lines))) + " lines"
	} else {
		last := min(v.offset+vis, len(v.lines))
		where = "lines " + common.FormatInt(int64(v.offset)+1) + "–" + common.FormatInt(int64(last)) +
			" of " + common.FormatInt(int64(len(v.lines)))
	}
	if hint := v.replaceHint(); hint != "" {
		where += " · " + hint
	}
	return where
}

// visibleLines is how many content lines fit above the footer.
func (v *TxView) visibleLines() int {
	return max(v.common.Height-1, 0)
}

func (v *TxView) clamp() {
	v.offset = min(max(v.offset, 0), max(len(v.lines)-v.visibleLines(), 0))
}

// layout turns the page's items into styled lines of at most Width cells.
func (v *TxView) layout() {
	w := v.common.Width
	v.lines = v.lines[:0]
	if w <= 0 {
		v.itemLine = v.itemLine[:0]
		v.clamp()
		return
	}
	st := v.common.Styles
	v.itemLine = v.itemLine[:0]
	for _, it := range v.doc {
		v.itemLine = append(v.itemLine, len(v.lines))
		switch it.kind {
		case itemBlank:
			v.lines = append(v.lines, "")
			continue
		case itemTitle:
			v.lines = append(v.lines, st.Title.Render(common.Fit(it.value, w)))
			continue
		case itemSection:
			v.lines = append(v.lines, st.Subtitle.Render(common.Fit(it.value, w)))
			continue
		}
		lead := ""
		if it.label != "" || it.indent > 0 {
			// Every value starts in the same column, labels indented by
			// how deep they are.
			lead = padTo(strings.Repeat(" ", it.indent)+it.label, labelW)
		}
		leadW := len(lead)
		if leadW >= w-4 { // too narrow for a label column: value on its own
			lead, leadW = "", 0
		}
		value := it.value
		var chunks []string
		if it.kind == itemScript {
			chunks = strings.Split(ansi.Wrap(value, w-leadW, ""), "\n")
		} else {
			chunks = strings.Split(ansi.Wrap(value, w-leadW, " :"), "\n")
		}
		// Remarks and failures are one style across; otherwise the label
		// is ordinary text and the value in the style of what it is.
		labelStyle, style := st.Normal, st.Normal
		switch it.kind {
		case itemScript, itemMuted:
			labelStyle, style = st.Muted, st.Muted
		case itemError:
			labelStyle, style = st.Error, st.Error
		case itemSuccess:
			style = st.Success
		case itemHash:
			style = st.Hash
		case itemAddress:
			style = st.Address
		}
		for i, c := range chunks {
			prefix := lead
			if i > 0 {
				prefix = strings.Repeat(" ", leadW)
			}
			line := style.Render(c)
			if prefix != "" {
				line = labelStyle.Render(prefix) + line
			}
			if i == len(chunks)-1 && it.mark != "" {
				line = appendMark(line, it.mark, w, st.Normal, st.Accent)
			}
			v.lines = append(v.lines, fitStyled(line, w))
		}
	}
	v.clamp()
}

// appendMark puts a mark in style after line, two cells of gap apart, on
// the same line when it fits.
func appendMark(line, mark string, w int, gap, style lipgloss.Style) string {
	if lipgloss.Width(line)+2+len(mark) > w {
		// The mark matters more than the end of an over-long line.
		line = ansi.Truncate(line, max(w-2-len(mark), 0), "")
	}
	return line + gap.Render("  ") + style.Render(mark)
}

// fitStyled cuts a styled line to w cells without padding it, so styles
// never spill over the edge.
func fitStyled(s string, w int) string {
	if lipgloss.Width(s) > w {
		return ansi.Truncate(s, w, "")
	}
	return s
}

// selMark is put before the selected input's number.
const selMark = "> "

// txDescriber decodes a transaction into the page's items. It is pure
// computation: no storage or network.
type txDescriber struct {
	tx        *wire.MsgTx
	blockHash chainhash.Hash
	height    int32
	confirmed bool
	net       *chaincfg.Params
	owns      func([]byte) bool
	info      *TxInfo // nil while unknown
	asking    bool    // the source has been asked and not answered yet
	units     Units
	sel       int // selected input, -1 for none
}

// describe returns the page's items and the index where the inclusion
// proof line goes, -1 for an unconfirmed transaction, which has no block to
// prove inclusion in.
func (d txDescriber) describe() ([]txItem, int) {
	tx := d.tx
	coinbase := isCoinbase(tx)
	title := "Transaction"
	if coinbase {
		title += " · coinbase"
	}
	if !d.confirmed {
		title += " · " + unconfirmedMark
	}
	var total btcutil.Amount
	for _, out := range tx.TxOut {
		total += btcutil.Amount(out.Value)
	}
	size := tx.SerializeSize()
	weight := tx.SerializeSizeStripped()*(witnessScale-1) + size
	vsize := (weight + witnessScale - 1) / witnessScale

	doc := []txItem{
		{kind: itemTitle, value: title},
		{kind: itemHash, label: "txid", value: tx.TxHash().String()},
	}
	if d.confirmed {
		doc = append(doc,
			txItem{kind: itemHash, label: "block", value: d.blockHash.String()},
			txItem{label: "height", value: common.FormatInt(int64(d.height)) + d.confirmations()})
	}
	if d.info != nil && d.info.Label != "" {
		doc = append(doc, txItem{label: "label", value: d.info.Label})
	}
	doc = append(doc, d.feeItem(coinbase, total, weight))
	doc = append(doc,
		txItem{label: "size", value: common.FormatInt(int64(size)) + " B · " + common.FormatInt(int64(vsize)) + " vB · " +
			common.FormatInt(int64(weight)) + " WU"},
		txItem{label: "version", value: strconv.FormatInt(int64(tx.Version), 10) + " · locktime " +
			common.FormatInt(int64(tx.LockTime))},
		rbfItem(tx, coinbase))
	if in, ok := d.totalIn(); ok && !coinbase {
		doc = append(doc, txItem{label: "total in", value: d.units.format(in)})
	}
	doc = append(doc, txItem{label: "total out", value: d.units.format(total)})
	proofAt := -1
	if d.confirmed {
		proofAt = len(doc)
	}
	doc = append(doc,
		txItem{kind: itemBlank},
		txItem{kind: itemSection, value: "Inputs (" + common.FormatInt(int64(len(tx.TxIn))) + ")"})
	for i, in := range tx.TxIn {
		doc = append(doc, d.input(i, in, coinbase)...)
	}
	doc = append(doc,
		txItem{kind: itemBlank},
		txItem{kind: itemSection, value: "Outputs (" + common.FormatInt(int64(len(tx.TxOut))) + ")"})
	for i, out := range tx.TxOut {
		doc = append(doc, d.output(i, out)...)
	}
	return doc, proofAt
}

// confirmations says how deep a confirmed transaction is, from the tip.
func (d txDescriber) confirmations() string {
	switch {
	case d.info == nil && d.asking:
		return " · …"
	case d.info == nil || d.info.Tip < 0:
		return ""
	case d.info.Tip < d.height:
		return " · above the tip (" + common.FormatInt(int64(d.info.Tip)) + "): not in the best chain"
	}
	return " · " + plural(int(d.info.Tip-d.height)+1, "confirmation")
}

// totalIn returns the sum of the spent outputs when every one is known.
func (d txDescriber) totalIn() (btcutil.Amount, bool) {
	if d.info == nil {
		return 0, false
	}
	var sum btcutil.Amount
	for _, in := range d.tx.TxIn {
		p, ok := d.info.Prevouts[in.PreviousOutPoint]
		if !ok {
			return 0, false
		}
		sum += p.Value
	}
	return sum, true
}

// feeItem is the fee line: the fee and its rate when the inputs' values
// are all known (or the wallet recorded the fee), else why it is not.
func (d txDescriber) feeItem(coinbase bool, totalOut btcutil.Amount, weight int) txItem {
	if coinbase {
		return txItem{label: "fee", value: "none: a coinbase pays no fee, it collects them"}
	}
	if d.info == nil {
		if d.asking {
			return txItem{label: "fee", value: unknownValue}
		}
		return txItem{kind: itemMuted, label: "fee", value: "unknown: the values of the inputs are not known here"}
	}
	fee, ok, missing := TxFee(d.tx, *d.info)
	if !ok {
		if len(missing) == 0 {
			return txItem{kind: itemError, label: "fee", value: "unknown: the inputs add up to less than the outputs"}
		}
		names := make([]string, len(missing))
		for i, m := range missing {
			names[i] = "#" + strconv.Itoa(m)
		}
		what := "input " + strings.Join(names, ", ")
		if len(missing) > 1 {
			what = "inputs " + strings.Join(names, ", ")
		}
		if len(missing) > 4 {
			what = common.FormatInt(int64(len(missing))) + " inputs"
		}
		return txItem{kind: itemMuted, label: "fee",
			value: "unknown: this light node does not know the value of " + what}
	}
	rate := float64(fee) / (float64(weight) / witnessScale)
	return txItem{label: "fee", value: d.units.format(fee) + " · " + fees.FormatRate(rate) + " sat/vB"}
}

// TxFee returns tx's fee: the spent outputs' values less the outputs',
// when info has every spent output, else the wallet's recorded fee. ok is
// false when neither says; missing then lists the inputs whose spent
// output is unknown (empty when the known inputs pay less than the
// outputs, which no valid transaction does).
func TxFee(tx *wire.MsgTx, info TxInfo) (fee btcutil.Amount, ok bool, missing []int) {
	var in, out btcutil.Amount
	for i, txIn := range tx.TxIn {
		p, found := info.Prevouts[txIn.PreviousOutPoint]
		if !found {
			missing = append(missing, i)
			continue
		}
		in += p.Value
	}
	for _, o := range tx.TxOut {
		out += btcutil.Amount(o.Value)
	}
	switch {
	case len(missing) == 0 && in >= out:
		return in - out, true, nil
	case info.WalletFee >= 0:
		return info.WalletFee, true, nil
	}
	return 0, false, missing
}

// SignalsRBF reports whether tx signals replaceability under BIP125: an
// input with a sequence number below 0xfffffffe. It returns the first such
// input, -1 for none.
func SignalsRBF(tx *wire.MsgTx) (bool, int) {
	for i, in := range tx.TxIn {
		if in.Sequence < wire.MaxTxInSequenceNum-1 {
			return true, i
		}
	}
	return false, -1
}

// rbfItem says whether the transaction signals BIP125 replaceability.
func rbfItem(tx *wire.MsgTx, coinbase bool) txItem {
	if coinbase {
		return txItem{label: "RBF", value: "no (coinbase)"}
	}
	if ok, i := SignalsRBF(tx); ok {
		return txItem{label: "RBF", value: "yes: input #" + strconv.Itoa(i) + " signals replaceability (BIP125)"}
	}
	return txItem{label: "RBF", value: "no: every input's sequence is 0xfffffffe or more"}
}

// input lists one input: what it spends (or "coinbase"), the value and
// address of the spent output where known, its signature script and its
// witness items, long ones shortened.
func (d txDescriber) input(i int, in *wire.TxIn, coinbase bool) []txItem {
	idx := "#" + strconv.Itoa(i)
	var out []txItem
	if coinbase {
		out = append(out,
			txItem{indent: 2, label: idx, value: "coinbase (new coins and fees)"},
			txItem{indent: 4, label: "script", value: shortHex(in.SignatureScript)})
	} else {
		head := txItem{kind: itemHash, indent: 2, label: idx, value: in.PreviousOutPoint.String()}
		if i == d.sel {
			head.indent, head.label = 0, selMark+idx
		}
		out = append(out, head)
		out = append(out, d.spent(in.PreviousOutPoint)...)
		if len(in.SignatureScript) > 0 {
			out = append(out, txItem{indent: 4, label: "script", value: shortHex(in.SignatureScript)})
		}
	}
	for j, item := range in.Witness {
		label := ""
		if j == 0 {
			label = "witness"
		}
		out = append(out, txItem{indent: 4, label: label, value: shortHex(item)})
	}
	if in.Sequence != wire.MaxTxInSequenceNum {
		out = append(out, txItem{indent: 4, label: "sequence", value: "0x" + strconv.FormatUint(uint64(in.Sequence), 16)})
	}
	return out
}

// spent describes the output an input spends: value, type, "ours" and
// where it was found, and its address.
func (d txDescriber) spent(op wire.OutPoint) []txItem {
	if d.info == nil {
		if d.asking {
			return []txItem{{indent: 4, label: "value", value: unknownValue}}
		}
		return nil
	}
	p, ok := d.info.Prevouts[op]
	if !ok {
		return []txItem{{kind: itemMuted, indent: 4, label: "value", value: "unknown (not in the wallet, a fetched block or the relay feed)"}}
	}
	class, addrs, reqSigs, err := txscript.ExtractPkScriptAddrs(p.PkScript, d.net)
	head := txItem{indent: 4, label: "value",
		value: d.units.format(p.Value) + "  " + scriptType(class, reqSigs, len(addrs))}
	if p.From != "" {
		head.value += " · from " + p.From
	}
	if d.owns != nil && d.owns(p.PkScript) {
		head.mark = "ours"
	}
	out := []txItem{head}
	if err == nil && len(addrs) == 1 && class != txscript.PubKeyTy && class != txscript.MultiSigTy {
		out = append(out, txItem{kind: itemAddress, indent: 4, label: "address", value: addrs[0].EncodeAddress()})
	}
	return out
}

// output lists one output: value, script type, address when it has one,
// the "ours" mark and the decoded script.
func (d txDescriber) output(i int, o *wire.TxOut) []txItem {
	class, addrs, reqSigs, err := txscript.ExtractPkScriptAddrs(o.PkScript, d.net)
	head := txItem{
		indent: 2,
		label:  "#" + strconv.Itoa(i),
		value:  d.units.format(btcutil.Amount(o.Value)) + "  " + scriptType(class, reqSigs, len(addrs)),
	}
	if d.owns != nil && d.owns(o.PkScript) {
		head.mark = "ours"
	}
	out := []txItem{head}
	if err == nil && len(addrs) == 1 && class != txscript.PubKeyTy && class != txscript.MultiSigTy {
		out = append(out, txItem{kind: itemAddress, indent: 4, label: "address", value: addrs[0].EncodeAddress()})
	}
	asm, err := txscript.DisasmString(o.PkScript)
	switch {
	case len(o.PkScript) == 0:
		asm = "(empty script)"
	case err != nil:
		asm += " [cannot decode the rest: " + hex.EncodeToString(o.PkScript) + "]"
	}
	out = append(out, txItem{kind: itemScript, indent: 4, label: "script", value: asm})
	return out
}

// scriptType names an output script's kind the way wallets and explorers
// do.
func scriptType(class txscript.ScriptClass, reqSigs, nKeys int) string {
	switch class {
	case txscript.PubKeyTy:
		return "p2pk"
	case txscript.PubKeyHashTy:
		return "p2pkh"
	case txscript.ScriptHashTy:
		return "p2sh"
	case txscript.WitnessV0PubKeyHashTy:
		return "p2wpkh"
	case txscript.WitnessV0ScriptHashTy:
		return "p2wsh"
	case txscript.WitnessV1TaprootTy:
		return "p2tr"
	case txscript.PayToAnchorTy:
		return "anchor"
	case txscript.MultiSigTy:
		return "multisig " + strconv.Itoa(reqSigs) + "-of-" + strconv.Itoa(nKeys)
	case txscript.NullDataTy:
		return "OP_RETURN data"
	case txscript.WitnessUnknownTy:
		return "unknown witness version"
	}
	return "non-standard"
}

// shortHex writes b in hex with its size, keeping shortBytes at each end of
// long data: "3044022041…1e0f5e01 (71 bytes)".
func shortHex(b []byte) string {
	switch {
	case len(b) == 0:
		return "(empty)"
	case len(b) <= 2*shortBytes:
		return hex.EncodeToString(b) + " (" + plural(len(b), "byte") + ")"
	}
	return hex.EncodeToString(b[:shortBytes]) + "…" + hex.EncodeToString(b[len(b)-shortBytes:]) +
		" (" + plural(len(b), "byte") + ")"
}

// isCoinbase reports whether tx is a coinbase: one input spending the null
// outpoint.
func isCoinbase(tx *wire.MsgTx) bool {
	if len(tx.TxIn) != 1 {
		return false
	}
	op := tx.TxIn[0].PreviousOutPoint
	return op.Index == wire.MaxPrevOutIndex && op.Hash == (chainhash.Hash{})
}
