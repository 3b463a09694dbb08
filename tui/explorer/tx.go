package explorer

import (
	"encoding/hex"
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

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/amount"
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

	lines  []string // doc laid out for common.Width
	offset int      // first visible line
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
	}
	for _, o := range opts {
		o(v)
	}
	if tx == nil {
		v.base = []txItem{{kind: itemTitle, value: "Transaction"}, {value: "No transaction to show."}}
		v.proofAt = -1
	} else {
		v.txid = tx.TxHash()
		v.base, v.proofAt = describeTx(tx, blockHash, height, v.confirmed, net, owns)
	}
	v.compose()
	v.layout()
	return v
}

// Confirmed reports whether the transaction shown is in a block.
func (v *TxView) Confirmed() bool { return v.confirmed }

// Txid returns the id of the transaction shown.
func (v *TxView) Txid() chainhash.Hash { return v.txid }

// Init does nothing: the page has all its data.
func (v *TxView) Init() tea.Cmd { return nil }

// SetSize sets the size the page draws in and lays the lines out again.
func (v *TxView) SetSize(width, height int) {
	v.common.SetSize(width, height)
	v.layout()
}

// ShortHelp returns the bindings for the help bar.
func (v *TxView) ShortHelp() []key.Binding {
	k := v.common.KeyMap
	if v.canProve() {
		return []key.Binding{k.Up, k.Down, v.prove, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Back}
}

// FullHelp returns the bindings of this page for the help overlay.
func (v *TxView) FullHelp() [][]key.Binding {
	k := v.common.KeyMap
	last := []key.Binding{k.Top, k.Bottom, k.Back}
	if v.canProve() {
		last = append(last, v.prove)
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown},
		last,
	}
}

// Update scrolls on keys, asks for an inclusion proof on p, applies its
// answer and emits BackMsg on esc.
func (v *TxView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(proofMsg); ok {
		v.applyProof(pm)
		return v, nil
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return v, nil
	}
	k := v.common.KeyMap
	page := max(v.visibleLines(), 1)
	switch {
	case key.Matches(kp, k.Back):
		v.stopProof()
		return v, func() tea.Msg { return BackMsg{} }
	case key.Matches(kp, v.prove):
		return v, v.startProof()
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
	out = append(out, v.lines[v.offset:min(v.offset+vis, len(v.lines))]...)
	for len(out) < h-1 {
		out = append(out, "")
	}
	out = append(out, v.common.Styles.Muted.Render(common.Fit(v.footer(vis), w)))
	return tea.NewView(strings.Join(out, "\n"))
}

func (v *TxView) footer(vis int) string {
	if len(v.lines) <= vis {
		return "all " + common.FormatInt(int64(len(v.lines))) + " lines"
	}
	last := min(v.offset+vis, len(v.lines))
	return "lines " + common.FormatInt(int64(v.offset)+1) + "–" + common.FormatInt(int64(last)) +
		" of " + common.FormatInt(int64(len(v.lines)))
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
		v.clamp()
		return
	}
	st := v.common.Styles
	for _, it := range v.doc {
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

// describeTx decodes tx into the page's items. It is pure computation: no
// storage or network.
// It also returns the index where the inclusion proof line goes, -1 for an
// unconfirmed transaction, which has no block to prove inclusion in.
func describeTx(tx *wire.MsgTx, blockHash chainhash.Hash, height int32, confirmed bool,
	net *chaincfg.Params, owns func([]byte) bool) ([]txItem, int) {

	coinbase := isCoinbase(tx)
	title := "Transaction"
	if coinbase {
		title += " · coinbase"
	}
	if !confirmed {
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
	if confirmed {
		doc = append(doc,
			txItem{kind: itemHash, label: "block", value: blockHash.String()},
			txItem{label: "height", value: common.FormatInt(int64(height))})
	}
	doc = append(doc,
		txItem{label: "size", value: common.FormatInt(int64(size)) + " B · " + common.FormatInt(int64(vsize)) + " vB · " +
			common.FormatInt(int64(weight)) + " WU"},
		txItem{label: "version", value: strconv.FormatInt(int64(tx.Version), 10) + " · locktime " +
			common.FormatInt(int64(tx.LockTime))},
		txItem{label: "total out", value: amount.FormatBTC(total)})
	proofAt := -1
	if confirmed {
		proofAt = len(doc)
	}
	doc = append(doc,
		txItem{kind: itemBlank},
		txItem{kind: itemSection, value: "Inputs (" + common.FormatInt(int64(len(tx.TxIn))) + ")"})
	for i, in := range tx.TxIn {
		doc = append(doc, describeInput(i, in, coinbase)...)
	}
	doc = append(doc,
		txItem{kind: itemBlank},
		txItem{kind: itemSection, value: "Outputs (" + common.FormatInt(int64(len(tx.TxOut))) + ")"})
	for i, out := range tx.TxOut {
		doc = append(doc, describeOutput(i, out, net, owns)...)
	}
	return doc, proofAt
}

// describeInput lists one input: what it spends (or "coinbase"), its
// signature script and its witness items, long ones shortened.
func describeInput(i int, in *wire.TxIn, coinbase bool) []txItem {
	idx := "#" + strconv.Itoa(i)
	var out []txItem
	if coinbase {
		out = append(out,
			txItem{indent: 2, label: idx, value: "coinbase (new coins and fees)"},
			txItem{indent: 4, label: "script", value: shortHex(in.SignatureScript)})
	} else {
		out = append(out, txItem{kind: itemHash, indent: 2, label: idx, value: in.PreviousOutPoint.String()})
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

// describeOutput lists one output: value, script type, address when it has
// one, the "ours" mark and the decoded script.
func describeOutput(i int, o *wire.TxOut, net *chaincfg.Params, owns func([]byte) bool) []txItem {
	class, addrs, reqSigs, err := txscript.ExtractPkScriptAddrs(o.PkScript, net)
	head := txItem{
		indent: 2,
		label:  "#" + strconv.Itoa(i),
		value:  amount.FormatBTC(btcutil.Amount(o.Value)) + "  " + scriptType(class, reqSigs, len(addrs)),
	}
	if owns != nil && owns(o.PkScript) {
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
