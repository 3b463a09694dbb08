package wallet

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/keystore"
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

	busy   string // what is running: signing or writing
	actErr string // why the last action failed
	notice string // what the last export wrote
	txid   string // set once the payment was sent
}

// clearReview forgets the drafted payment and everything done with it.
func (m *Send) clearReview() {
	m.draft, m.review = nil, nil
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
	switch {
	case errors.Is(msg.err, keystore.ErrWrongPassword):
		m.unlocked = false
		m.openPrompt(sendPromptPassword)
		m.actErr = "Wrong password: enter it again, or esc to cancel."
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
		return []string{st.TableHeader.Render(fit("Review payment", w))}
	}
	head := []string{
		st.TableHeader.Render(fit(titleRight("Review payment", "nothing is sent before you sign", w), w)),
		"",
	}

	amtW := len("amount")
	for _, o := range r.Outputs {
		amtW = max(amtW, len(formatAmount(btcutil.Amount(o.Value), m.units, false)))
	}
	const markW = len("change")
	addrW := max(w-2-2-amtW-2-markW, 8)
	row := func(addr, amt, mark string) string {
		return "  " + fit(addr, addrW) + "  " + padLeft(amt, amtW) + "  " + fit(mark, markW)
	}
	head = append(head, st.TableHeader.Render(fit(row("pays to", "amount", ""), w)))
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
			addr = shortID(addr, addrW)
		}
		outs = append(outs, fit(row(addr, formatAmount(btcutil.Amount(o.Value), m.units, false), mark), w))
	}

	tail := []string{""}
	field := func(name, value string) { tail = append(tail, fit(fmt.Sprintf("%-7s %s", name, value), w)) }
	field("Spends", m.inputsText())
	if r.Fee >= 0 {
		proof := " · amounts proven"
		if !r.FeeProven {
			proof = " · NOT PROVEN"
		}
		field("Fee", amount.FormatSat(btcutil.Amount(r.Fee))+" ("+amount.FormatBTC(btcutil.Amount(r.Fee))+")"+proof)
		size := formatInt(r.VSize) + " vB"
		if !r.Complete {
			size += " (estimated)"
		}
		field("Rate", fmt.Sprintf("%.1f sat/vB · %s", r.FeeRate, size))
	} else {
		field("Fee", "unknown: the value of an input is missing")
	}
	if l := strings.TrimSpace(m.fields[sendFieldLabel].Value()); l != "" {
		field("Label", l)
	}
	for _, warn := range r.Warnings {
		for i, l := range wordWrap(warn, w-2) {
			p := "! "
			if i > 0 {
				p = "  "
			}
			tail = append(tail, st.Error.Render(fit(p+l, w)))
		}
	}
	tail = append(tail, "")
	tail = append(tail, m.actionLines(w)...)

	room := m.common.Height - 1 - len(head) - len(tail)
	if len(outs) > room && room >= 1 {
		n := len(outs) - (room - 1)
		outs = append(outs[:room-1], st.Muted.Render(fit(fmt.Sprintf("  … and %d more outputs", n), w)))
	}
	return append(append(head, outs...), tail...)
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
		for _, l := range wordWrap(s, w) {
			out = append(out, style(fit(l, w)))
		}
	}
	if m.actErr != "" {
		wrapped(m.actErr, st.Error.Render)
	}
	switch {
	case m.prompt == sendPromptPassword:
		out = append(out, st.TableHeader.Render(fit("Wallet password (to sign)", w)), fit(m.input.View(), w))
	case m.prompt == sendPromptExport:
		out = append(out, st.TableHeader.Render(fit("Save the PSBT as", w)), fit(m.input.View(), w))
	case m.busy != "":
		out = append(out, st.Muted.Render(fit(m.busy, w)))
	case m.txid != "":
		out = append(out, st.TableHeader.Render(fit("Sent "+m.txid, w)))
		wrapped("The payment was handed to the network; the wallet shows it once peers relay it.", st.Muted.Render)
	case m.notice != "":
		out = append(out, fit(m.notice, w))
	}
	if m.watchOnly && m.txid == "" && m.prompt == sendPromptNone && m.busy == "" {
		wrapped(watchOnlyNote, st.Muted.Render)
	}
	return out
}
