package keys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/keystore/pwcheck"
	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
)

// lastID numbers pages so that async results reach the page that asked.
var lastID atomic.Int64

// qrItem is what the QR code shows.
type qrItem int

const (
	qrXpub qrItem = iota
	qrReceive
	qrChange
	qrBoth // a multisig wallet's <0;1> descriptor
	qrItems
)

// String names the item as the page shows it.
func (q qrItem) String() string {
	switch q {
	case qrReceive:
		return "receive descriptor"
	case qrChange:
		return "change descriptor"
	case qrBoth:
		return "descriptor"
	}
	return "xpub"
}

// qrChoices are the items v cycles through: a multisig wallet has no xpub
// of its own, but a descriptor of both chains.
func (m *Model) qrChoices() []qrItem {
	if m.hasAccount && m.account.Multisig != nil {
		return []qrItem{qrBoth, qrReceive, qrChange}
	}
	return []qrItem{qrXpub, qrReceive, qrChange}
}

// nextQR moves to the next item of qrChoices.
func (m *Model) nextQR() {
	c := m.qrChoices()
	for i, q := range c {
		if q == m.item {
			m.item = c[(i+1)%len(c)]
			return
		}
	}
	m.item = c[0]
}

// form is the password form that is open, if any.
type form int

const (
	formNone form = iota
	formUnlock
	formPassword
)

// op is a change the page asked the source for.
type op int

const (
	opUnlock op = iota
	opLock
	opPassword
)

// loadedMsg carries one read of the wallets and the open account back to
// the page that asked.
type loadedMsg struct {
	id         int64
	seq        uint64
	wallets    []WalletInfo
	walletsErr error
	current    string
	account    Account
	accountErr error
	unlocked   bool
}

// opMsg carries the result of an unlock, lock or password change back to
// the page that asked.
type opMsg struct {
	id  int64
	seq uint64
	op  op
	err error
}

// Model is the Keys page.
type Model struct {
	// KeyMap holds the page's own bindings; movement and enter come from
	// Common.
	KeyMap KeyMap

	common common.Common
	src    Source
	id     int64
	seq    uint64 // newest load
	opSeq  uint64 // newest change

	loaded     bool
	wallets    []WalletInfo
	walletsErr error
	current    string
	account    Account
	hasAccount bool
	accountErr error
	unlocked   bool

	cursor int
	offset int

	item qrItem
	qrs  [qrItems][]common.QRCode // each item at falling error correction levels

	form    form
	inputs  []textinput.Model
	focus   int
	formErr string
	// weakWarned is set once the new password was called weak; a second
	// enter with the fields unchanged takes it.
	weakWarned bool

	busy   bool
	busyOp op
	cancel context.CancelFunc
	spin   spinner.Model

	notice    string
	noticeErr bool

	dlg *dialog // the message dialog, nil when closed
}

var _ common.Component = (*Model)(nil)

// New returns the Keys page reading from src. Its Init command reads the
// wallets and the open account.
func New(c common.Common, src Source) *Model {
	return &Model{
		KeyMap: DefaultKeyMap(),
		common: c,
		src:    src,
		id:     lastID.Add(1),
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.Styles.Muted)),
	}
}

// Init reads the wallets and the open account.
func (m *Model) Init() tea.Cmd { return m.load() }

// Refresh re-reads the wallets, the account and the lock state; the root
// calls it when they may have changed elsewhere (ctrl+l, auto-lock).
func (m *Model) Refresh() tea.Cmd { return m.load() }

// SetSize sets the size the page draws in.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	for i := range m.inputs {
		m.inputs[i].SetWidth(m.inputWidth())
	}
	if d := m.dlg; d != nil {
		for _, in := range []*textinput.Model{&d.address, &d.message, &d.signature, &d.password} {
			in.SetWidth(m.dialogInputWidth())
		}
	}
	m.clamp()
}

// Capturing reports whether a password field or the message dialog has
// focus; the root then sends the page every key instead of treating q,
// digits, tab or ? as global.
func (m *Model) Capturing() bool {
	return (m.form != formNone && !m.busy) || m.dlg != nil
}

// ShortHelp returns the bindings for the help bar.
func (m *Model) ShortHelp() []key.Binding {
	switch {
	case m.busy || (m.dlg != nil && m.dlg.busy):
		return []key.Binding{m.KeyMap.Cancel}
	case m.dlg != nil:
		return m.dialogHelp()
	case m.form == formPassword:
		return []key.Binding{m.KeyMap.Submit, m.KeyMap.NextField, m.KeyMap.Cancel}
	case m.form == formUnlock:
		return []key.Binding{m.KeyMap.Submit, m.KeyMap.Cancel}
	}
	k := m.common.KeyMap
	if m.watchOnly() {
		// No keys: no lock and no password to offer.
		return []key.Binding{m.KeyMap.CycleQR, m.KeyMap.Copy, m.KeyMap.Message, k.Enter}
	}
	return []key.Binding{m.KeyMap.CycleQR, m.KeyMap.Copy, m.lockKey(), m.KeyMap.Password, m.KeyMap.Message, k.Enter}
}

// dialogHelp lists the message dialog's bindings that apply where its
// focus is.
func (m *Model) dialogHelp() []key.Binding {
	km := m.KeyMap
	out := []key.Binding{km.Submit, km.NextInput, km.PrevInput}
	switch m.dlg.focus {
	case fieldMode:
		if m.canSign() {
			out = append(out, km.Mode)
		}
	case fieldAddress:
		if len(m.dlg.addrs) > 0 {
			out = append(out, km.PickAddress)
		}
	}
	return append(out, km.Cancel)
}

// lockKey is the lock binding that applies: unlock while locked, lock
// while unlocked.
func (m *Model) lockKey() key.Binding {
	if m.unlocked {
		return m.KeyMap.Lock
	}
	return m.KeyMap.Unlock
}

// FullHelp returns the page's bindings for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.Enter},
		{m.KeyMap.CycleQR, m.KeyMap.Copy, m.lockKey(), m.KeyMap.Password, m.KeyMap.Message},
		{m.KeyMap.Submit, m.KeyMap.NextField, m.KeyMap.PrevField, m.KeyMap.Cancel},
		{m.KeyMap.NextInput, m.KeyMap.PrevInput, m.KeyMap.Mode, m.KeyMap.PickAddress},
	}
}

// Update handles keys and applies read and change results.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.apply(msg)
		}
		return m, nil
	case opMsg:
		if msg.id == m.id && msg.seq == m.opSeq {
			return m, m.finish(msg)
		}
		return m, nil
	case addressesMsg, signedMsg, verifiedMsg:
		if m.dlg != nil && dialogID(msg) == m.id {
			return m, m.dialogResult(msg)
		}
		return m, nil
	case LockChangedMsg:
		// The root locked or unlocked elsewhere (ctrl+l, auto-lock).
		m.unlocked = msg.Unlocked
		return m, nil
	case spinner.TickMsg:
		if !m.busy && (m.dlg == nil || !m.dlg.busy) {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case tea.PasteMsg:
		if m.dlg != nil {
			return m, m.dialogInput(msg)
		}
		if m.Capturing() {
			return m, m.updateInput(msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case m.busy:
			if key.Matches(msg, m.KeyMap.Cancel) && m.cancel != nil {
				m.cancel()
			}
			return m, nil
		case m.dlg != nil:
			return m, m.dialogKey(msg)
		case m.form != formNone:
			return m, m.formKey(msg)
		}
		return m, m.browseKey(msg)
	}
	return m, nil
}

// browseKey handles a key while no form is open.
func (m *Model) browseKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	switch {
	case common.MoveCursor(msg, k, &m.cursor, &m.offset, len(m.wallets), m.visibleWallets()):
		m.clamp()
	case key.Matches(msg, k.Enter):
		return m.switchWallet()
	case key.Matches(msg, m.KeyMap.CycleQR):
		m.nextQR()
	case key.Matches(msg, m.KeyMap.Copy):
		return m.copyCmd()
	case key.Matches(msg, m.KeyMap.Lock) && m.unlocked:
		return m.lock()
	case key.Matches(msg, m.KeyMap.Unlock):
		return m.openUnlock()
	case key.Matches(msg, m.KeyMap.Password):
		return m.openPassword()
	case key.Matches(msg, m.KeyMap.Message):
		return m.openMessage()
	}
	return nil
}

// dialogID returns the page ID a dialog answer is for.
func dialogID(msg tea.Msg) int64 {
	switch msg := msg.(type) {
	case addressesMsg:
		return msg.id
	case signedMsg:
		return msg.id
	case verifiedMsg:
		return msg.id
	}
	return 0
}

// switchWallet asks the root to open the selected wallet.
func (m *Model) switchWallet() tea.Cmd {
	if m.cursor < 0 || m.cursor >= len(m.wallets) {
		return nil
	}
	name := m.wallets[m.cursor].Name
	if name == m.current {
		m.setNotice(fmt.Sprintf("%q is already open.", name), false)
		return nil
	}
	return func() tea.Msg { return SwitchWalletMsg{Name: name} }
}

// keysProblem says why the open wallet cannot be unlocked, or "" when it
// can.
func (m *Model) keysProblem() string {
	switch {
	case m.current == "":
		return "No wallet is open: choose one below and press enter."
	case m.watchOnly():
		return "This is a watch-only wallet: there are no keys to unlock."
	}
	return ""
}

// watchOnly reports whether the open wallet holds no keys.
func (m *Model) watchOnly() bool {
	if m.hasAccount {
		return m.account.WatchOnly
	}
	for _, w := range m.wallets {
		if w.Name == m.current {
			return w.WatchOnly
		}
	}
	return false
}

func (m *Model) openUnlock() tea.Cmd {
	if p := m.keysProblem(); p != "" {
		m.setNotice(p, true)
		return nil
	}
	if m.unlocked {
		m.setNotice("The wallet is already unlocked; L locks it.", false)
		return nil
	}
	return m.openForm(formUnlock, 1)
}

func (m *Model) openPassword() tea.Cmd {
	if p := m.keysProblem(); p != "" {
		m.setNotice(p, true)
		return nil
	}
	return m.openForm(formPassword, 3)
}

// openForm opens a password form of n masked fields, the first focused.
func (m *Model) openForm(f form, n int) tea.Cmd {
	m.form, m.formErr, m.focus = f, "", 0
	m.setNotice("", false)
	m.inputs = make([]textinput.Model, n)
	for i := range m.inputs {
		m.inputs[i] = newPasswordInput(m.common.Styles, m.inputWidth())
	}
	return m.inputs[0].Focus()
}

func (m *Model) closeForm() {
	for i := range m.inputs {
		m.inputs[i].Reset()
	}
	m.form, m.inputs, m.formErr, m.weakWarned = formNone, nil, "", false
}

// formKey handles a key while a password form is open.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.KeyMap.Cancel):
		m.closeForm()
		return nil
	case key.Matches(msg, m.KeyMap.Submit):
		return m.submit()
	case m.form == formPassword && key.Matches(msg, m.KeyMap.NextField):
		return m.focusField(m.focus + 1)
	case m.form == formPassword && key.Matches(msg, m.KeyMap.PrevField):
		return m.focusField(m.focus - 1)
	}
	return m.updateInput(msg)
}

func (m *Model) updateInput(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(tea.KeyPressMsg); ok && m.weakWarned {
		m.weakWarned = false // an edit asks again
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	return cmd
}

func (m *Model) focusField(i int) tea.Cmd {
	i = (i + len(m.inputs)) % len(m.inputs)
	m.inputs[m.focus].Blur()
	m.focus = i
	return m.inputs[i].Focus()
}

// submit moves to the next empty field or checks the form and starts the
// change.
func (m *Model) submit() tea.Cmd {
	vals := make([]string, len(m.inputs))
	for i, in := range m.inputs {
		vals[i] = in.Value()
	}
	if m.form == formUnlock {
		if vals[0] == "" {
			m.formErr = "Type the wallet's password, then press enter."
			return nil
		}
		return m.start(opUnlock, []byte(vals[0]), nil)
	}
	// The change password form: current, new, new again.
	if m.focus < len(m.inputs)-1 {
		return m.focusField(m.focus + 1)
	}
	switch {
	case vals[0] == "":
		m.formErr = "Type the current password first."
		return m.focusField(0)
	case vals[1] == "":
		m.formErr = "The new password must not be empty."
		return m.focusField(1)
	case vals[1] != vals[2]:
		m.formErr = "The new passwords do not match; type them again."
		m.inputs[1].Reset()
		m.inputs[2].Reset()
		return m.focusField(1)
	}
	if err := pwcheck.Check([]byte(vals[1])); err != nil && !m.weakWarned {
		m.weakWarned = true
		m.formErr = "Weak: " + err.Error() + ". Press enter again to use it anyway, or change it."
		return nil
	}
	m.weakWarned = false
	return m.start(opPassword, []byte(vals[0]), []byte(vals[1]))
}

// start runs an unlock or a password change in a command, with a spinner.
// The passwords are wiped once the source is done with them.
func (m *Model) start(o op, pw, newPW []byte) tea.Cmd {
	for i := range m.inputs {
		m.inputs[i].Reset()
		m.inputs[i].Blur()
	}
	m.formErr = ""
	m.busy, m.busyOp = true, o
	ctx, cancel := context.WithCancel(m.common.Context())
	m.cancel = cancel
	m.opSeq++
	id, seq, src := m.id, m.opSeq, m.src
	run := func() tea.Msg {
		defer cancel()
		defer clear(pw)
		defer clear(newPW)
		msg := opMsg{id: id, seq: seq, op: o}
		switch {
		case src == nil:
			msg.err = errors.New("no wallet is open")
		case o == opUnlock:
			msg.err = src.Unlock(ctx, pw)
		default:
			msg.err = src.ChangePassword(ctx, pw, newPW)
		}
		return msg
	}
	return tea.Batch(run, m.spin.Tick)
}

// lock runs Lock in a command.
func (m *Model) lock() tea.Cmd {
	if p := m.keysProblem(); p != "" {
		m.setNotice(p, true)
		return nil
	}
	m.opSeq++
	id, seq, src := m.id, m.opSeq, m.src
	return func() tea.Msg {
		if src != nil {
			src.Lock()
		}
		return opMsg{id: id, seq: seq, op: opLock}
	}
}

// finish applies the result of a change and reports lock changes to the
// root.
func (m *Model) finish(msg opMsg) tea.Cmd {
	m.busy, m.cancel = false, nil
	if msg.op == opLock {
		m.unlocked = false
		m.setNotice("Locked.", false)
		return lockChanged(false)
	}
	switch {
	case msg.err == nil:
		m.closeForm()
		if msg.op == opUnlock {
			m.unlocked = true
			m.setNotice("Unlocked.", false)
			return lockChanged(true)
		}
		m.setNotice("Password changed.", false)
		return nil
	case errors.Is(msg.err, context.Canceled):
		m.closeForm()
		m.setNotice("Cancelled.", false)
		return nil
	case errors.Is(msg.err, keystore.ErrWrongPassword):
		if msg.op == opUnlock {
			m.formErr = "Wrong password. Try again, or esc to cancel."
		} else {
			m.formErr = "The current password is wrong. Try again, or esc to cancel."
		}
		return m.refocus()
	}
	if msg.op == opUnlock {
		m.formErr = "Could not unlock: " + msg.err.Error()
	} else {
		m.formErr = "Could not change the password: " + msg.err.Error()
	}
	return m.refocus()
}

// refocus puts the cursor back in the form's first field after a failed
// change, so the user can try again.
func (m *Model) refocus() tea.Cmd {
	if len(m.inputs) == 0 {
		return nil
	}
	m.focus = 0
	return m.inputs[0].Focus()
}

func lockChanged(unlocked bool) tea.Cmd {
	return func() tea.Msg { return LockChangedMsg{Unlocked: unlocked} }
}

func (m *Model) setNotice(s string, isErr bool) { m.notice, m.noticeErr = s, isErr }

// load returns a command that reads the wallets, the account and the lock
// state.
func (m *Model) load() tea.Cmd {
	m.seq++
	id, seq, src := m.id, m.seq, m.src
	return func() tea.Msg {
		msg := loadedMsg{id: id, seq: seq}
		if src == nil {
			msg.walletsErr = errors.New("no wallets are available")
			return msg
		}
		msg.wallets, msg.walletsErr = src.Wallets()
		msg.current = src.Current()
		if msg.current != "" {
			msg.account, msg.accountErr = src.Account()
			msg.unlocked = src.Unlocked()
		}
		return msg
	}
}

// apply takes a read in, keeping the selection on the same wallet, and draws
// the QR codes so that View only lays out.
func (m *Model) apply(msg loadedMsg) {
	prev := ""
	if m.cursor >= 0 && m.cursor < len(m.wallets) {
		prev = m.wallets[m.cursor].Name
	}
	m.loaded = true
	m.wallets, m.walletsErr = msg.wallets, msg.walletsErr
	m.current, m.unlocked = msg.current, msg.unlocked
	m.account, m.accountErr = msg.account, msg.accountErr
	m.hasAccount = msg.current != "" && msg.accountErr == nil
	if prev == "" {
		prev = m.current
	}
	for i, w := range m.wallets {
		if w.Name == prev {
			m.cursor = i
		}
	}
	m.qrs = [qrItems][]common.QRCode{}
	if m.hasAccount {
		if ms := m.account.Multisig; ms != nil {
			m.qrs[qrBoth] = common.RenderQRs(ms.Descriptor)
		} else {
			m.qrs[qrXpub] = common.RenderQRs(m.account.Xpub)
		}
		m.qrs[qrReceive] = common.RenderQRs(m.account.Receive)
		m.qrs[qrChange] = common.RenderQRs(m.account.Change)
	}
	if !slices.Contains(m.qrChoices(), m.item) {
		m.item = m.qrChoices()[0]
	}
	m.clamp()
}

// clamp keeps the wallet selection on a row and on screen.
func (m *Model) clamp() {
	m.cursor, m.offset = common.ClampCursor(m.cursor, m.offset, len(m.wallets), m.visibleWallets())
}

// newPasswordInput returns a masked field styled from st only, so that it
// has no colour when the styles have none, with a steady cursor.
func newPasswordInput(st *themes.Styles, width int) textinput.Model {
	in := textinput.New()
	in.Prompt = "> "
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	in.CharLimit = 1024
	in.SetWidth(width)
	in.SetStyles(common.InputStyles(st))
	return in
}
