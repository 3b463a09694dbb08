package keys

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/bip322"
)

// msgMode is what the message dialog does.
type msgMode int

const (
	modeSign msgMode = iota
	modeVerify
)

// msgField is a row of the message dialog that can have focus.
type msgField int

const (
	fieldMode msgField = iota
	fieldAddress
	fieldMessage
	// fieldLast is the password when signing with locked keys, the
	// signature when verifying.
	fieldLast
)

// dlgLabelW is the width of the dialog's labels ("Signature   ").
const dlgLabelW = 12

// dialog is the open message dialog: sign a message with one of the
// wallet's addresses, or verify a signature of any address.
type dialog struct {
	mode  msgMode
	focus msgField

	address, message, signature, password textinput.Model

	addrs    []AddressInfo // the wallet's, for ↑/↓
	addrsErr error
	pick     int // index into addrs of the address shown, -1 when typed

	busy bool
	seq  uint64

	signed  string          // the signature made, shown in full
	sigQRs  []common.QRCode // the signature's QR code, at falling error correction levels
	checked bool            // a verification ran: valid or verdict
	valid   bool
	verdict string // why a signature is not valid
	errText string // a failure to sign or check
}

// addressesMsg carries the wallet's addresses to the dialog.
type addressesMsg struct {
	id    int64
	addrs []AddressInfo
	err   error
}

// signedMsg carries a signature, or why there is none, to the dialog.
type signedMsg struct {
	id  int64
	seq uint64
	sig string
	err error
}

// verifiedMsg carries the result of a verification to the dialog.
type verifiedMsg struct {
	id  int64
	seq uint64
	err error
}

// canSign reports whether the open wallet can sign messages: it holds
// keys, and they are a single key's (a multisig address has no one key
// whose signature proves it).
func (m *Model) canSign() bool {
	return m.current != "" && !m.watchOnly() && !(m.hasAccount && m.account.Multisig != nil)
}

// openMessage opens the message dialog, in sign mode when the wallet can
// sign, and reads the wallet's addresses for ↑/↓.
func (m *Model) openMessage() tea.Cmd {
	if m.current == "" {
		m.setNotice("No wallet is open: choose one below and press enter.", true)
		return nil
	}
	st := m.common.Styles
	w := m.dialogInputWidth()
	d := &dialog{mode: modeVerify, focus: fieldAddress, pick: -1}
	if m.canSign() {
		d.mode = modeSign
	}
	newInput := func(placeholder string, limit int) textinput.Model {
		in := textinput.New()
		in.Prompt = "> "
		in.Placeholder = placeholder
		in.CharLimit = limit
		in.SetWidth(w)
		in.SetStyles(common.InputStyles(st))
		return in
	}
	d.address = newInput("an address", 128)
	d.message = newInput("the message, exactly as it is to be signed", 16384)
	d.signature = newInput("the base64 signature", 16384)
	d.password = newPasswordInput(st, w)
	m.dlg = d
	m.setNotice("", false)
	id, src := m.id, m.src
	load := func() tea.Msg {
		msg := addressesMsg{id: id}
		if src == nil {
			msg.err = errors.New("no wallet is open")
			return msg
		}
		msg.addrs, msg.err = src.Addresses()
		return msg
	}
	return tea.Batch(d.address.Focus(), load)
}

// closeMessage closes the dialog and wipes the password typed in it.
func (m *Model) closeMessage() {
	if m.dlg != nil {
		m.dlg.password.Reset()
	}
	m.dlg = nil
}

// dialogInputWidth is how many cells a dialog field shows.
func (m *Model) dialogInputWidth() int {
	return max(m.common.Width-dlgLabelW-3, 4)
}

// fields lists the dialog's rows that can have focus, in order.
func (m *Model) fields() []msgField {
	f := []msgField{fieldMode, fieldAddress, fieldMessage}
	if m.dlg.mode == modeVerify || !m.unlocked {
		f = append(f, fieldLast)
	}
	return f
}

// input returns the text field of a row, or nil for the mode row.
func (m *Model) input(f msgField) *textinput.Model {
	d := m.dlg
	switch f {
	case fieldAddress:
		return &d.address
	case fieldMessage:
		return &d.message
	case fieldLast:
		if d.mode == modeVerify {
			return &d.signature
		}
		return &d.password
	}
	return nil
}

// focusDialog moves the focus to the row i places after the focused one,
// wrapping around.
func (m *Model) focusDialog(step int) tea.Cmd {
	fs := m.fields()
	at := 0
	for i, f := range fs {
		if f == m.dlg.focus {
			at = i
		}
	}
	return m.setDialogFocus(fs[((at+step)%len(fs)+len(fs))%len(fs)])
}

func (m *Model) setDialogFocus(f msgField) tea.Cmd {
	if in := m.input(m.dlg.focus); in != nil {
		in.Blur()
	}
	m.dlg.focus = f
	if in := m.input(f); in != nil {
		return in.Focus()
	}
	return nil
}

// clearResult forgets the last result once the input changes, so that a
// verdict never stands beside text it was not given.
func (d *dialog) clearResult() {
	d.signed, d.sigQRs, d.checked, d.valid, d.verdict, d.errText = "", nil, false, false, "", ""
}

// dialogKey handles a key while the message dialog is open.
func (m *Model) dialogKey(msg tea.KeyPressMsg) tea.Cmd {
	d := m.dlg
	km := m.KeyMap
	switch {
	case key.Matches(msg, km.Cancel):
		if d.busy {
			// The signer finishes on its own; its answer is dropped.
			d.busy = false
			d.seq++
			d.errText = "Cancelled."
			return nil
		}
		m.closeMessage()
		return nil
	case d.busy:
		return nil
	case key.Matches(msg, km.NextInput):
		return m.focusDialog(1)
	case key.Matches(msg, km.PrevInput):
		return m.focusDialog(-1)
	case key.Matches(msg, km.Submit):
		fs := m.fields()
		if d.focus != fs[len(fs)-1] {
			return m.focusDialog(1)
		}
		return m.runDialog()
	case d.focus == fieldMode && key.Matches(msg, km.Mode):
		return m.switchMode()
	case d.focus == fieldAddress && key.Matches(msg, km.PickAddress):
		m.pickAddress(msg)
		return nil
	}
	return m.dialogInput(msg)
}

// dialogInput hands a key or a paste to the focused field.
func (m *Model) dialogInput(msg tea.Msg) tea.Cmd {
	d := m.dlg
	in := m.input(d.focus)
	if in == nil || d.busy {
		return nil
	}
	before := in.Value()
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	if in.Value() != before {
		d.clearResult()
		if d.focus == fieldAddress {
			d.pick = m.addressIndex(in.Value())
		}
	}
	return cmd
}

// switchMode toggles between signing and verifying; a wallet that cannot
// sign stays on verify and says why.
func (m *Model) switchMode() tea.Cmd {
	d := m.dlg
	if d.mode == modeVerify && !m.canSign() {
		d.errText = m.whyNoSign()
		return nil
	}
	if d.mode == modeSign {
		d.mode = modeVerify
		if d.signed != "" && d.signature.Value() == "" {
			// The signature just made, ready to be checked.
			d.signature.SetValue(d.signed)
		}
	} else {
		d.mode = modeSign
	}
	d.password.Reset()
	d.clearResult()
	return nil
}

// whyNoSign says why the open wallet cannot sign a message.
func (m *Model) whyNoSign() string {
	if m.hasAccount && m.account.Multisig != nil {
		return "A multisig address has no single key to sign a message with; this dialog can verify signatures."
	}
	return "This is a watch-only wallet: it can verify signatures, but a message is signed on the machine that holds the keys."
}

// pickAddress puts the wallet's next (↓) or previous (↑) address in the
// address field.
func (m *Model) pickAddress(msg tea.KeyPressMsg) {
	d := m.dlg
	n := len(d.addrs)
	if n == 0 {
		return
	}
	step := 1
	if k := msg.String(); k == "up" {
		step = -1
	}
	switch {
	case d.pick < 0 && step > 0:
		d.pick = 0
	case d.pick < 0:
		d.pick = n - 1
	default:
		d.pick = ((d.pick+step)%n + n) % n
	}
	d.address.SetValue(d.addrs[d.pick].Address)
	d.address.CursorEnd()
	d.clearResult()
}

// addressIndex returns the index of addr among the wallet's addresses, or
// -1.
func (m *Model) addressIndex(addr string) int {
	addr = strings.TrimSpace(addr)
	for i, a := range m.dlg.addrs {
		if a.Address == addr {
			return i
		}
	}
	return -1
}

// runDialog checks the fields and signs or verifies in a command.
func (m *Model) runDialog() tea.Cmd {
	d := m.dlg
	addr := strings.TrimSpace(d.address.Value())
	text := d.message.Value()
	sig := strings.TrimSpace(d.signature.Value())
	d.clearResult()
	switch {
	case addr == "":
		d.errText = "Type an address, or pick one of the wallet's with ↑/↓."
		return m.setDialogFocus(fieldAddress)
	case d.mode == modeVerify && sig == "":
		d.errText = "Paste the signature to check."
		return m.setDialogFocus(fieldLast)
	case d.mode == modeSign && !m.unlocked && d.password.Value() == "":
		d.errText = "Type the wallet's password, then press enter."
		return m.setDialogFocus(fieldLast)
	}
	d.seq++
	id, seq, src := m.id, d.seq, m.src
	if d.mode == modeVerify {
		return func() tea.Msg {
			if src == nil {
				return verifiedMsg{id: id, seq: seq, err: errors.New("no wallet is open")}
			}
			return verifiedMsg{id: id, seq: seq, err: src.VerifyMessage(addr, text, sig)}
		}
	}
	var pw []byte
	if !m.unlocked {
		pw = []byte(d.password.Value())
	}
	d.password.Reset()
	d.busy = true
	ctx := m.common.Context()
	sign := func() tea.Msg {
		defer clear(pw)
		if src == nil {
			return signedMsg{id: id, seq: seq, err: errors.New("no wallet is open")}
		}
		s, err := src.SignMessage(ctx, addr, text, pw)
		return signedMsg{id: id, seq: seq, sig: s, err: err}
	}
	return tea.Batch(sign, m.spin.Tick)
}

// dialogResult applies an answer of the source to the dialog.
func (m *Model) dialogResult(msg tea.Msg) tea.Cmd {
	d := m.dlg
	switch msg := msg.(type) {
	case addressesMsg:
		d.addrs, d.addrsErr = msg.addrs, msg.err
		if d.address.Value() == "" && len(d.addrs) > 0 && d.mode == modeSign {
			d.pick = 0
			d.address.SetValue(d.addrs[0].Address)
			d.address.CursorEnd()
		} else {
			d.pick = m.addressIndex(d.address.Value())
		}
	case signedMsg:
		if msg.seq != d.seq || !d.busy {
			return nil
		}
		d.busy = false
		switch {
		case msg.err == nil:
			d.signed = msg.sig
			d.sigQRs = common.RenderQRs(msg.sig)
		case errors.Is(msg.err, keystore.ErrWrongPassword):
			d.errText = "Wrong password. Try again, or esc to close."
			return m.setDialogFocus(fieldLast)
		default:
			d.errText = "Could not sign: " + msg.err.Error()
		}
	case verifiedMsg:
		if msg.seq != d.seq {
			return nil
		}
		switch {
		case msg.err == nil:
			d.checked, d.valid = true, true
		case errors.Is(msg.err, bip322.ErrInvalid):
			d.checked = true
			d.verdict = strings.TrimPrefix(msg.err.Error(), bip322.ErrInvalid.Error()+": ")
		default:
			d.errText = "Cannot check it: " + msg.err.Error()
		}
	}
	return nil
}

// dialogLines draws the message dialog in w cells.
func (m *Model) dialogLines(w int) []string {
	d := m.dlg
	st := m.common.Styles
	var out []string
	wrap := func(s string, style func(...string) string) {
		for _, line := range common.WordWrap(s, w) {
			out = append(out, style(common.Fit(line, w)))
		}
	}
	title := "Message · verify a signature (BIP322)"
	if d.mode == modeSign {
		title = fmt.Sprintf("Message · sign with an address of %q (BIP322)", m.current)
	}
	out = append(out, st.Title.Render(common.Fit(title, w)))
	label := func(s string, f msgField) common.Span {
		if d.focus == f {
			return common.Span{Text: common.Fit(s, dlgLabelW), Style: st.Subtitle}
		}
		return common.Span{Text: common.Fit(s, dlgLabelW), Style: st.Muted}
	}

	// The mode row: the choice, and how to change it.
	sign, verify := "  Sign  ", "  Verify  "
	signSt, verifySt := st.Muted, st.Muted
	if d.mode == modeSign {
		sign, signSt = "[ Sign ]", st.Selected
	} else {
		verify, verifySt = "[ Verify ]", st.Selected
	}
	hint := ""
	switch {
	case !m.canSign():
		hint = "  only verify: no single key here"
	case d.focus == fieldMode:
		hint = "  ←/→ switch"
	}
	out = append(out, common.Line(w, st.Normal, label("Do", fieldMode),
		common.Span{Text: sign, Style: signSt}, common.Span{Text: " ", Style: st.Normal},
		common.Span{Text: verify, Style: verifySt}, common.Span{Text: hint, Style: st.Muted}))

	field := func(name string, f msgField, in textinput.Model) {
		out = append(out, common.Line(w, st.Normal, label(name, f),
			common.Span{Text: common.InputView(in, st)}))
	}
	field("Address", fieldAddress, d.address)
	out = append(out, common.Line(w, st.Normal, common.Span{Text: strings.Repeat(" ", dlgLabelW)},
		common.Span{Text: m.addressNote(), Style: st.Muted}))
	field("Message", fieldMessage, d.message)
	switch {
	case d.mode == modeVerify:
		field("Signature", fieldLast, d.signature)
	case !m.unlocked:
		field("Password", fieldLast, d.password)
	}
	out = append(out, common.Fit("", w))

	switch {
	case d.busy:
		out = append(out, common.Line(w, st.Normal, common.Span{Text: m.spinner()},
			common.Span{Text: " Signing… (esc cancels)", Style: st.Normal}))
	case d.errText != "":
		wrap(d.errText, st.Error.Render)
	case d.signed != "":
		out = append(out, st.Subtitle.Render(common.Fit("Signature (base64)", w)))
		for _, s := range common.HardWrap(d.signed, w) {
			out = append(out, st.Normal.Render(common.Fit(s, w)))
		}
		wrap("Give it with the address and the exact message. To check it here: shift+tab to the first row, then →.", st.Muted.Render)
		out = append(out, m.signatureQR(w, m.common.Height-2-len(out))...)
	case d.checked && d.valid:
		wrap("Valid ✓ signed by "+strings.TrimSpace(d.address.Value()), st.Success.Render)
	case d.checked:
		wrap("Not valid: "+d.verdict, st.Error.Render)
	}
	return out
}

// signatureQR draws the signature's QR code under a blank line when it
// fits in w cells and h lines, and nothing when it does not: the text
// above is the signature in full.
func (m *Model) signatureQR(w, h int) []string {
	st := m.common.Styles
	for _, c := range m.dlg.sigQRs {
		if c.Width > w || len(c.Lines)+1 > h {
			continue
		}
		out := []string{common.Fit("", w)}
		for _, l := range c.Lines {
			out = append(out, st.QR.Render(l)+strings.Repeat(" ", w-c.Width))
		}
		return out
	}
	return nil
}

// addressNote describes the address in the field: which of the wallet's it
// is, and how to pick another.
func (m *Model) addressNote() string {
	d := m.dlg
	n := len(d.addrs)
	pickHint := ""
	if n > 0 {
		pickHint = fmt.Sprintf("↑/↓ one of the wallet's %d", n)
	}
	switch {
	case d.addrsErr != nil:
		return "Could not list the wallet's addresses: " + d.addrsErr.Error()
	case d.pick >= 0 && d.pick < n:
		a := d.addrs[d.pick]
		what := fmt.Sprintf("receive #%d", a.Index)
		if a.Change {
			what = fmt.Sprintf("change #%d", a.Index)
		}
		if a.Used {
			what += ", used"
		}
		return what + " · " + pickHint
	case strings.TrimSpace(d.address.Value()) != "" && d.mode == modeSign:
		return "not one of the wallet's listed addresses · " + pickHint
	case d.mode == modeVerify:
		if n > 0 {
			return "any address · " + pickHint
		}
		return "any address"
	}
	return pickHint
}

// dialogFooter is the footer while the dialog is open.
func (m *Model) dialogFooter() string {
	d := m.dlg
	if d.busy {
		return "esc cancel"
	}
	fs := m.fields()
	run := "enter next field"
	if d.focus == fs[len(fs)-1] {
		run = "enter verify"
		if d.mode == modeSign {
			run = "enter sign"
		}
	}
	return run + " · tab/shift+tab move · esc close"
}
