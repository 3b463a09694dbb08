package wallet

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/amount"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// sendPrompt is the question the review asks in its text field, if any.
type sendPrompt int

const (
	sendPromptNone sendPrompt = iota
	sendPromptPassword
	sendPromptExport
)

// watchOnlyNote replaces signing on a wallet without keys.
const watchOnlyNote = "This wallet is watch-only: it holds no keys, so it cannot sign. " +
	"Export the PSBT (e) and sign it where the keys are."

// reviewStatus is the state of the review screen: the drafted payment and
// what is being done with it.
type reviewStatus struct {
	draft     *core.Draft
	review    *psbtx.Review
	unlocked  bool
	watchOnly bool

	prompt     sendPrompt
	input      textinput.Model // the password or the file name
	exportPath string          // the last file name given, offered again

	// feeRefusal is why the wallet would not build the payment with its
	// fee, until the user accepts the fee (Force); feeForced says they
	// did. While feeRefusal is set the payment can be neither signed nor
	// exported.
	feeRefusal error
	feeForced  bool

	busy   string // what is running: signing or writing
	actErr string // why the last action failed
	notice string // what the last export wrote
	txid   string // set once the payment was sent
}

// clearReview forgets the drafted payment and everything done with it.
func (m *Send) clearReview() {
	m.draft, m.review = nil, nil
	m.feeRefusal, m.feeForced = nil, false
	m.closePrompt()
	m.busy, m.actErr, m.notice, m.txid = "", "", "", ""
	m.actSeq++ // answers about the old draft are not wanted
}

// reviewHelp returns the bindings the review offers now.
func (m *Send) reviewHelp() []key.Binding {
	k := m.KeyMap
	switch {
	case m.prompt != sendPromptNone:
		return []key.Binding{k.Confirm, k.Cancel}
	case m.busy != "":
		return nil
	case m.txid != "":
		return []key.Binding{k.Close}
	case m.feeRefusal != nil:
		return []key.Binding{k.Force, k.Edit}
	case m.watchOnly:
		return []key.Binding{k.Export, k.Edit}
	}
	return []key.Binding{k.Sign, k.Export, k.Edit}
}

// reviewKey handles a key on the review.
func (m *Send) reviewKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	if m.prompt != sendPromptNone {
		return m.promptKey(msg)
	}
	switch {
	case m.busy != "":
		return nil
	case m.txid != "":
		if key.Matches(msg, k.Close) || key.Matches(msg, k.Confirm) {
			m.Reset()
			return tea.Batch(func() tea.Msg { return SendClosedMsg{} }, m.load())
		}
	case key.Matches(msg, k.Edit):
		m.clearReview()
		m.state = sendStateForm
	case m.feeRefusal != nil:
		// Nothing leaves the review until the fee is accepted.
		if key.Matches(msg, k.Force) {
			m.feeRefusal, m.feeForced = nil, true
		}
	case key.Matches(msg, k.Export):
		m.openPrompt(sendPromptExport)
	case key.Matches(msg, k.Sign) && !m.watchOnly:
		if m.unlocked {
			return m.startSign(nil)
		}
		m.openPrompt(sendPromptPassword)
	}
	return nil
}

// promptKey handles a key while the review asks for a password or a file
// name.
func (m *Send) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	switch {
	case key.Matches(msg, k.Cancel):
		m.closePrompt()
		m.actErr = ""
	case key.Matches(msg, k.Confirm):
		if m.prompt == sendPromptPassword {
			pw := []byte(m.input.Value())
			m.closePrompt()
			return m.startSign(pw)
		}
		path := strings.TrimSpace(m.input.Value())
		if path == "" {
			m.actErr = "Enter a file name for the PSBT."
			return nil
		}
		m.closePrompt()
		return m.startExport(path)
	default:
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

func (m *Send) openPrompt(p sendPrompt) {
	m.prompt = p
	m.actErr, m.notice = "", ""
	m.input.Reset()
	m.input.EchoMode = textinput.EchoNormal
	if p == sendPromptPassword {
		m.input.EchoMode = textinput.EchoPassword
	} else {
		path := m.exportPath
		if path == "" {
			path = fmt.Sprintf("payment-%d.psbt", m.now().Unix())
		}
		m.input.SetValue(path)
	}
	m.input.Focus()
}

func (m *Send) closePrompt() {
	m.prompt = sendPromptNone
	m.input.Reset()
	m.input.Blur()
}

// startSign returns a command that signs and broadcasts the draft.
func (m *Send) startSign(password []byte) tea.Cmd {
	m.actSeq++
	m.busy, m.actErr, m.notice = "Signing and broadcasting…", "", ""
	id, seq, src, d := m.id, m.actSeq, m.src, m.draft
	label := strings.TrimSpace(m.fields[sendFieldLabel].Value())
	ctx := m.common.Context()
	return func() tea.Msg {
		defer clear(password)
		txid, err := src.SignAndBroadcast(ctx, d, password, label)
		return sendSignedMsg{id: id, seq: seq, txid: txid, err: err}
	}
}

// applySigned shows the outcome of signing: the txid, or the error; a
// wrong password asks again.
func (m *Send) applySigned(msg sendSignedMsg) tea.Cmd {
	m.busy = ""
	var refused *lightnode.RejectError
	switch {
	case errors.Is(msg.err, keystore.ErrWrongPassword):
		m.unlocked = false
		m.openPrompt(sendPromptPassword)
		m.actErr = "Wrong password: enter it again, or esc to cancel."
		return nil
	case errors.As(msg.err, &refused):
		// Trying again would be refused again: the draft must change.
		m.actErr = "The peers refused the payment: " + refused.Error() + ". Press " +
			m.KeyMap.Edit.Help().Key + " to change it."
		return nil
	case msg.err != nil:
		m.actErr = "Could not send the payment: " + msg.err.Error() + ". Press s to try again."
		return nil
	}
	m.txid = msg.txid
	sent := SentMsg{Txid: msg.txid}
	return func() tea.Msg { return sent }
}

// startExport returns a command that writes the draft to path.
func (m *Send) startExport(path string) tea.Cmd {
	m.actSeq++
	m.exportPath = path
	m.busy, m.actErr, m.notice = "Writing "+path+"…", "", ""
	id, seq, src, d := m.id, m.actSeq, m.src, m.draft
	return func() tea.Msg {
		return sendExportedMsg{id: id, seq: seq, path: path, err: src.ExportPSBT(d, path)}
	}
}

func (m *Send) applyExported(msg sendExportedMsg) {
	m.busy = ""
	if msg.err != nil {
		m.actErr = "Could not write " + msg.path + ": " + msg.err.Error()
		return
	}
	m.notice = "Wrote " + msg.path
}

// reviewLines draws what the drafted payment pays and the state of signing
// or exporting it. Outputs that do not fit are summed up in one line, so
// that the fee and the status always show.
func (m *Send) reviewLines(w int) []string {
	st := m.common.Styles
	r := m.review
	if r == nil {
		return []string{st.Title.Render(common.Fit("Review payment", w))}
	}
	head := []string{
		st.Title.Render(common.Fit(titleRight("Review payment", "nothing is sent before you sign", w), w)),
		"",
	}

	amtW := len("amount")
	for _, o := range r.Outputs {
		amtW = max(amtW, len(formatAmount(btcutil.Amount(o.Value), m.units, false)))
	}
	const markW = len("change")
	addrW := max(w-2-2-amtW-2-markW, 8)
	row := func(addr, amt, mark string) string {
		return "  " + common.Fit(addr, addrW) + "  " + common.PadLeft(amt, amtW) + "  " + common.Fit(mark, markW)
	}
	head = append(head, st.TableHeader.Render(common.Fit(row("pays to", "amount", ""), w)))
	var outs []string
	for _, o := range r.Outputs {
		mark := ""
		switch {
		case o.Change:
			mark = "change"
		case o.Ours:
			mark = "ours"
		}
		addr := o.Address
		if len(addr) > addrW {
			addr = common.ShortID(addr, addrW)
		}
		n := st.Normal
		outs = append(outs, common.Line(w, n,
			common.Span{Text: "  ", Style: n},
			common.Span{Text: common.Fit(addr, addrW), Style: st.Address},
			common.Span{Text: "  " + common.PadLeft(formatAmount(btcutil.Amount(o.Value), m.units, false), amtW) + "  ", Style: n},
			common.Span{Text: common.Fit(mark, markW), Style: st.Accent}))
	}

	field := func(name string, value ...common.Span) string {
		return common.Line(w, st.Normal, append([]common.Span{{Text: fmt.Sprintf("%-7s ", name), Style: st.Normal}}, value...)...)
	}
	text := func(s string) common.Span { return common.Span{Text: s, Style: st.Normal} }
	spends := []string{"", field("Spends", text(m.inputsText()))}
	ins := m.inputLines(w)
	var tail []string
	field = func(name string, value ...common.Span) string {
		l := common.Line(w, st.Normal, append([]common.Span{{Text: fmt.Sprintf("%-7s ", name), Style: st.Normal}}, value...)...)
		tail = append(tail, l)
		return l
	}
	if r.Fee >= 0 {
		proof := common.Span{Text: " · amounts proven", Style: st.Success}
		if !r.FeeProven {
			proof = common.Span{Text: " · NOT PROVEN", Style: st.Warning}
		}
		field("Fee", text(amount.FormatSat(btcutil.Amount(r.Fee))+" ("+amount.FormatBTC(btcutil.Amount(r.Fee))+")"), proof)
		size := common.FormatInt(r.VSize) + " vB"
		if !r.Complete {
			size += " (estimated)"
		}
		field("Rate", text(fmt.Sprintf("%.1f sat/vB · %s", r.FeeRate, size)))
	} else {
		field("Fee", common.Span{Text: "unknown: the value of an input is missing", Style: st.Warning})
	}
	if l := strings.TrimSpace(m.fields[sendFieldLabel].Value()); l != "" {
		field("Label", common.Span{Text: l, Style: st.Label})
	}
	warn := func(s string) {
		for i, l := range common.WordWrap(s, w-2) {
			p := "! "
			if i > 0 {
				p = "  "
			}
			tail = append(tail, st.Error.Render(common.Fit(p+l, w)))
		}
	}
	switch {
	case m.feeRefusal != nil:
		warn("This fee looks like a mistake, so the wallet did not make the payment: it keeps fees to " + feeLimitsText() + ".")
	case m.feeForced:
		warn("This fee is above the wallet's limits (" + feeLimitsText() + "); you chose to pay it. Check it once more before you sign.")
	}
	switch f := m.frozenInputs(); {
	case len(f) == 1:
		warn("This payment spends frozen coin " + f[0] + ", which you chose in coin control; frozen coins are kept out of payments. Unchoose it there if that was not meant.")
	case len(f) > 1:
		warn(fmt.Sprintf("This payment spends %d frozen coins (%s), which you chose in coin control; frozen coins are kept out of payments. Unchoose them there if that was not meant.",
			len(f), strings.Join(f, ", ")))
	}
	for _, s := range r.Warnings {
		warn(s)
	}
	tail = append(tail, "")
	tail = append(tail, m.actionLines(w)...)

	room := m.common.Height - 1 - len(head) - len(spends) - len(tail)
	outN, inN := len(outs), len(ins)
	if outN+inN > room && room >= 2 {
		// Each list keeps at least half of the room, or all it needs.
		outN = min(outN, max(room/2, room-inN))
		inN = min(inN, room-outN)
	}
	outs = cutList(outs, outN, func(n int) string {
		return st.Muted.Render(common.Fit(fmt.Sprintf("  … and %d more outputs", n), w))
	})
	ins = cutList(ins, inN, func(n int) string {
		return st.Muted.Render(common.Fit(fmt.Sprintf("  … and %d more coins", n), w))
	})
	out := append(append(head, outs...), spends...)
	return append(append(out, ins...), tail...)
}

// cutList keeps the first n lines, the last of them saying how many more
// there are (more writes it); n of 0 or less keeps them all, as the frame
// cuts what does not fit.
func cutList(lines []string, n int, more func(int) string) []string {
	if n <= 0 || len(lines) <= n {
		return lines
	}
	return append(lines[:n-1:n-1], more(len(lines)-(n-1)))
}

// inputLines names the coins the payment spends, one a line: outpoint,
// amount and label, and whether the coin is frozen.
func (m *Send) inputLines(w int) []string {
	st := m.common.Styles
	known := m.coinsByOutPoint()
	txW := reviewTxW(w)
	amtW, opW := 0, 0
	for _, in := range m.review.Inputs {
		amtW = max(amtW, ansi.StringWidth(inputAmount(in.Value, m.units)))
		opW = max(opW, ansi.StringWidth(shortOutPoint(in.OutPoint, txW)))
	}
	var out []string
	for _, in := range m.review.Inputs {
		c, ok := known[in.OutPoint]
		spans := []common.Span{
			{Text: "  ", Style: st.Normal},
			{Text: common.PadRight(shortOutPoint(in.OutPoint, txW), opW), Style: st.Hash},
			{Text: "  " + common.PadLeft(inputAmount(in.Value, m.units), amtW), Style: st.Normal},
		}
		if in.Required > 1 {
			// A multisig coin: the signatures psbtx counted, of its threshold.
			style := st.Warning
			if in.Signatures >= in.Required {
				style = st.Success
			}
			spans = append(spans, common.Span{Text: fmt.Sprintf("  %d of %d signatures", in.Signatures, in.Required), Style: style})
		}
		if ok && c.out.Frozen {
			spans = append(spans, common.Span{Text: "  frozen", Style: st.Warning})
		}
		if ok && c.label != "" {
			style := st.Label
			if c.labelFrom != "" {
				style = st.Muted
			}
			spans = append(spans, common.Span{Text: "  ", Style: st.Normal}, common.Span{Text: c.label, Style: style})
		}
		out = append(out, common.Line(w, st.Normal, spans...))
	}
	return out
}

// reviewTxW is how much of a txid the review shows in an outpoint: as
// much as the Coins page at the same width.
func reviewTxW(w int) int {
	if w >= 100 {
		return 13
	}
	return 9
}

// inputAmount writes an input's value, which a PSBT may not carry.
func inputAmount(v int64, u Units) string {
	if v < 0 {
		return "unknown amount"
	}
	return formatAmount(btcutil.Amount(v), u, false)
}

// coinsByOutPoint indexes the coins read for coin control.
func (m *Send) coinsByOutPoint() map[wire.OutPoint]coin {
	known := make(map[wire.OutPoint]coin, len(m.coins))
	for _, c := range m.coins {
		known[c.out.OutPoint] = c
	}
	return known
}

// frozenInputs names the frozen coins the payment spends, which only coin
// control can choose.
func (m *Send) frozenInputs() []string {
	known := m.coinsByOutPoint()
	var out []string
	for _, in := range m.review.Inputs {
		if c, ok := known[in.OutPoint]; ok && c.out.Frozen {
			out = append(out, shortOutPoint(in.OutPoint, reviewTxW(m.common.Width)))
		}
	}
	return out
}

// inputsText sums up the coins the payment spends.
func (m *Send) inputsText() string {
	var total btcutil.Amount
	unknown := 0
	for _, in := range m.review.Inputs {
		if in.Value < 0 {
			unknown++
			continue
		}
		total += btcutil.Amount(in.Value)
	}
	n := len(m.review.Inputs)
	coins := "coins"
	if n == 1 {
		coins = "coin"
	}
	s := fmt.Sprintf("%d %s worth %s", n, coins, formatAmount(total, m.units, false))
	if unknown > 0 {
		s += fmt.Sprintf(" (and %d of unknown value)", unknown)
	}
	return s
}

// actionLines draws the prompt, progress or outcome of signing and
// exporting.
func (m *Send) actionLines(w int) []string {
	st := m.common.Styles
	var out []string
	wrapped := func(s string, style func(...string) string) {
		for _, l := range common.WordWrap(s, w) {
			out = append(out, style(common.Fit(l, w)))
		}
	}
	if m.actErr != "" {
		wrapped(m.actErr, st.Error.Render)
	}
	switch {
	case m.prompt == sendPromptPassword:
		out = append(out, st.Subtitle.Render(common.Fit("Wallet password (to sign)", w)),
			common.Line(w, st.Normal, common.Span{Text: common.InputView(m.input, st)}))
	case m.prompt == sendPromptExport:
		out = append(out, st.Subtitle.Render(common.Fit("Save the PSBT as", w)),
			common.Line(w, st.Normal, common.Span{Text: common.InputView(m.input, st)}))
	case m.busy != "":
		out = append(out, st.Muted.Render(common.Fit(m.busy, w)))
	case m.txid != "":
		out = append(out, common.Line(w, st.Normal,
			common.Span{Text: "Sent ", Style: st.Success}, common.Span{Text: m.txid, Style: st.Hash}))
		wrapped("Peers fetched the payment; the wallet shows it as unconfirmed until a block confirms it.", st.Muted.Render)
	case m.notice != "":
		out = append(out, st.Success.Render(common.Fit(m.notice, w)))
	}
	idle := m.txid == "" && m.prompt == sendPromptNone && m.busy == ""
	switch {
	case idle && m.feeRefusal != nil:
		wrapped(fmt.Sprintf("%s builds it anyway, to sign or export; %s goes back to change the fee.",
			m.KeyMap.Force.Help().Key, m.KeyMap.Edit.Help().Key), st.Muted.Render)
	case idle && m.cosignersNeeded() > 0:
		wrapped(m.multisigNote(), st.Accent.Render)
	case idle && m.watchOnly:
		wrapped(watchOnlyNote, st.Muted.Render)
	}
	return out
}

// cosignersNeeded is how many more cosigners must sign the payment: the
// most signatures any multisig input lacks of its threshold (the counts of
// psbtx's review, as the PSBT page shows them), or 0 for a single-key
// payment.
func (m *Send) cosignersNeeded() int {
	n := 0
	for _, in := range m.review.Inputs {
		if in.Required > 1 {
			n = max(n, in.Required-in.Signatures)
		}
	}
	return n
}

// multisigNote says what a multisig payment needs before it can be sent.
func (m *Send) multisigNote() string {
	n := m.cosignersNeeded()
	who := "1 cosigner"
	if n != 1 {
		who = fmt.Sprintf("%d cosigners", n)
	}
	return fmt.Sprintf("This multisig payment needs %s to sign it. Export the PSBT (%s) and have each sign it where their keys are; then combine and finalize it on the PSBT page.",
		who, m.KeyMap.Export.Help().Key)
}

// feeLimitsText says what the wallet's fee limits (psbtx.DefaultFeeLimits,
// which send and the signer share) allow: "at most 1,000 sat/vB, and no more
// than the amount sent".
func feeLimitsText() string {
	l := psbtx.DefaultFeeLimits
	var parts []string
	if l.MaxFeeRate > 0 {
		rate := formatRate(l.MaxFeeRate)
		if l.MaxFeeRate == math.Trunc(l.MaxFeeRate) {
			rate = common.FormatInt(int64(l.MaxFeeRate))
		}
		parts = append(parts, "at most "+rate+" sat/vB")
	}
	if l.MaxFee > 0 {
		parts = append(parts, "at most "+amount.FormatBTC(l.MaxFee))
	}
	if l.NotAboveSent {
		parts = append(parts, "no more than the amount sent")
	}
	return strings.Join(parts, ", and ")
}
