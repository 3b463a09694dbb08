package psbt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	btcpsbt "github.com/btcsuite/btcd/psbt/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/tui/animqr"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/keys"
	"github.com/satchelbtc/satchel/wallet/airgap"
	"github.com/satchelbtc/satchel/wallet/psbtx"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// prompt is the question the page asks in its text field, if any.
type prompt int

const (
	promptNone prompt = iota
	promptOpen
	promptCombine
	promptPassword
	promptExport
)

// config is what Options change.
type config struct {
	bc        Broadcaster
	exportDir string
	sats      bool
	now       func() time.Time
}

// Option changes how New builds the page.
type Option func(*config)

// WithBroadcaster lets the page send finalized transactions through b;
// without it (offline) the page never offers to broadcast.
func WithBroadcaster(b Broadcaster) Option { return func(c *config) { c.bc = b } }

// WithExportDir sets the folder exported PSBTs go to; "" is the current
// directory.
func WithExportDir(dir string) Option { return func(c *config) { c.exportDir = dir } }

// WithSats shows amounts in satoshis instead of bitcoin.
func WithSats(sats bool) Option { return func(c *config) { c.sats = sats } }

// WithClock sets the clock that names exported files; tests pass a fixed
// one.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// lastID numbers pages so that async results reach the page that asked.
var lastID atomic.Int64

// Model is the PSBT page.
type Model struct {
	// KeyMap holds the page's own bindings.
	KeyMap KeyMap

	common common.Common
	src    Source
	cfg    config
	id     int64
	seq    uint64 // numbers actions; answers to older ones are dropped

	packet    *btcpsbt.Packet
	name      string // where the PSBT came from: a file's base name or "pasted"
	review    *psbtx.Review
	signed    *psbtx.SignResult // the last signing's outcome
	final     bool              // finalized by this page
	txid      string            // set once broadcast
	offset    int               // the review's scroll
	qr        *animqr.Model     // shown while non-nil
	unlocked  bool              // keys are held, as last heard
	watchOnly bool              // the wallet has no keys
	exportAbs string            // the export folder, absolute

	prompt     prompt
	input      textinput.Model
	joiner     *airgap.Joiner
	candidates []string // the file names the last completion matched
	exportName string   // the last export name, offered again

	busy   string // what is running
	err    string // why the last action failed
	notice string // what the last action did
}

var _ common.Component = (*Model)(nil)

// New returns the PSBT page for the open wallet src.
func New(c common.Common, src Source, opts ...Option) *Model {
	cfg := config{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	in := textinput.New()
	in.Prompt = "> "
	in.CharLimit = 0
	in.SetStyles(common.InputStyles(c.Styles))
	m := &Model{KeyMap: DefaultKeyMap(), common: c, src: src, cfg: cfg, id: lastID.Add(1), input: in,
		unlocked: src.Unlocked(), watchOnly: src.WatchOnly()}
	m.SetExportDir(cfg.exportDir)
	return m
}

// SetExportDir changes the folder exports go to (the Settings tab's).
func (m *Model) SetExportDir(dir string) {
	m.cfg.exportDir = dir
	m.exportAbs = dir
	if abs, err := exportPath(dir, "."); err == nil {
		m.exportAbs = abs
	}
}

// SetSats switches amounts between satoshis and bitcoin.
func (m *Model) SetSats(sats bool) { m.cfg.sats = sats }

// Loaded reports whether a PSBT is open.
func (m *Model) Loaded() bool { return m.packet != nil }

// Capturing reports whether a field is open, so that every key is typed.
func (m *Model) Capturing() bool { return m.prompt != promptNone }

// Init reads nothing: the page waits for a PSBT.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize sets the page's size.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.input.SetWidth(max(width-4, 8))
	if m.qr != nil {
		m.qr.SetSize(width, height)
	}
}

// Messages of the page's commands; each carries the page's id and the
// action's number.
type (
	// resultMsg is a PSBT opened, combined or signed, and its review.
	resultMsg struct {
		id      int64
		seq     uint64
		packet  *btcpsbt.Packet
		name    string
		review  *psbtx.Review
		signed  *psbtx.SignResult
		final   bool
		notice  string
		err     error
		wrongPW bool
		needPW  bool
	}
	exportedMsg struct {
		id   int64
		seq  uint64
		path string
		err  error
	}
	broadcastMsg struct {
		id   int64
		seq  uint64
		txid string
		err  error
	}
	completedMsg struct {
		id         int64
		seq        uint64
		typed      string
		value      string
		candidates []string
		err        error
	}
)

// Update handles keys, pastes and the results of the page's commands.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.paste(msg.Content)
	case keys.LockChangedMsg:
		m.unlocked = msg.Unlocked
	case resultMsg:
		if msg.id == m.id && msg.seq == m.seq {
			return m, m.applyResult(msg)
		}
	case exportedMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.busy = ""
			if msg.err != nil {
				m.err = "Could not export: " + msg.err.Error()
			} else {
				m.notice = "Wrote " + msg.path
			}
		}
	case broadcastMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.busy = ""
			if msg.err != nil {
				m.err = "Not broadcast: " + msg.err.Error()
			} else {
				m.txid = msg.txid
				m.notice = ""
			}
		}
	case completedMsg:
		if msg.id == m.id && msg.seq == m.seq && m.prompt != promptNone && m.input.Value() == msg.typed {
			m.applyCompletion(msg)
		}
	default:
		if m.qr != nil {
			_, cmd := m.qr.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

// handleKey routes a key to the open field, the QR code or the page.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	switch {
	case m.prompt != promptNone:
		return m.promptKey(msg)
	case m.qr != nil:
		if key.Matches(msg, k.Close) {
			m.qr = nil
			return nil
		}
		_, cmd := m.qr.Update(msg)
		return cmd
	case m.busy != "":
		return nil
	case key.Matches(msg, k.Open), m.packet == nil && key.Matches(msg, m.common.KeyMap.Enter):
		return m.openPrompt(promptOpen)
	case key.Matches(msg, k.Close):
		if m.packet == nil {
			return func() tea.Msg { return ClosedMsg{} }
		}
		m.closePSBT()
		return nil
	case m.packet == nil:
		return nil
	case m.scroll(msg):
		return nil
	case key.Matches(msg, k.Sign) && m.canSign():
		if m.unlocked {
			return m.startSign(nil)
		}
		return m.openPrompt(promptPassword)
	case key.Matches(msg, k.Combine):
		return m.openPrompt(promptCombine)
	case key.Matches(msg, k.Finalize) && m.canFinalize():
		return m.startFinalize()
	case key.Matches(msg, k.Broadcast) && m.canBroadcast():
		return m.startBroadcast()
	case key.Matches(msg, k.Export):
		return m.openPrompt(promptExport)
	case key.Matches(msg, k.QR):
		return m.showQR()
	case key.Matches(msg, k.Copy):
		return m.copyCmd()
	}
	return nil
}

// scroll applies the list keys to the review, which scrolls by lines.
func (m *Model) scroll(msg tea.KeyPressMsg) bool {
	k := m.common.KeyMap
	page := max(m.bodyHeight(), 1)
	switch {
	case key.Matches(msg, k.Down):
		m.offset++
	case key.Matches(msg, k.Up):
		m.offset--
	case key.Matches(msg, k.PageDown):
		m.offset += page
	case key.Matches(msg, k.PageUp):
		m.offset -= page
	case key.Matches(msg, k.Top):
		m.offset = 0
	case key.Matches(msg, k.Bottom):
		m.offset = 1 << 30
	default:
		return false
	}
	m.clampOffset()
	return true
}

// clampOffset keeps the review's window inside its lines.
func (m *Model) clampOffset() {
	m.offset = min(max(m.offset, 0), max(len(m.bodyLines(m.common.Width))-m.bodyHeight(), 0))
}

// canSign reports whether signing applies: a wallet with keys and inputs
// not yet final.
func (m *Model) canSign() bool {
	return m.packet != nil && !m.watchOnly && !m.final && m.txid == "" && (m.review == nil || !m.review.Complete)
}

// canFinalize reports whether the PSBT is signed enough to finalize and
// not finalized yet.
func (m *Model) canFinalize() bool {
	return m.review != nil && m.review.Complete && !m.final && m.txid == ""
}

// canBroadcast reports whether the page can send the transaction.
func (m *Model) canBroadcast() bool {
	return m.cfg.bc != nil && m.review != nil && m.review.Complete && m.txid == ""
}

// closePSBT forgets the PSBT and everything done with it.
func (m *Model) closePSBT() {
	m.packet, m.name, m.review, m.signed = nil, "", nil, nil
	m.final, m.txid, m.offset, m.qr = false, "", 0, nil
	m.err, m.notice, m.busy = "", "", ""
	m.seq++
}

// openPrompt opens the text field for p.
func (m *Model) openPrompt(p prompt) tea.Cmd {
	m.prompt = p
	m.err, m.candidates = "", nil
	if p != promptPassword {
		m.notice = ""
	}
	m.input.Reset()
	m.input.EchoMode = textinput.EchoNormal
	switch p {
	case promptPassword:
		m.input.EchoMode = textinput.EchoPassword
		m.input.Placeholder = ""
	case promptExport:
		m.input.Placeholder = ""
		m.input.SetValue(m.suggestedName())
		m.input.CursorEnd()
	default:
		m.input.Placeholder = "a file name, base64, or ur:… / B$… parts"
	}
	return m.input.Focus()
}

// closePrompt closes the text field and forgets the parts pasted so far.
func (m *Model) closePrompt() {
	m.prompt = promptNone
	m.input.Reset()
	m.input.Blur()
	m.joiner, m.candidates = nil, nil
}

// promptKey handles a key while the field is open.
func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	switch {
	case key.Matches(msg, k.Cancel):
		m.closePrompt()
		m.err = ""
		return nil
	case key.Matches(msg, k.Complete) && (m.prompt == promptOpen || m.prompt == promptCombine || m.prompt == promptExport):
		return m.complete()
	case key.Matches(msg, k.Confirm):
		return m.submit()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

// submit acts on what the field holds.
func (m *Model) submit() tea.Cmd {
	value := strings.TrimSpace(m.input.Value())
	switch m.prompt {
	case promptPassword:
		pw := []byte(m.input.Value())
		m.closePrompt()
		return m.startSign(pw)
	case promptExport:
		if value == "" {
			m.err = "Type a file name for the PSBT."
			return nil
		}
		m.closePrompt()
		return m.startExport(value)
	}
	if value == "" {
		m.err = "Type a file name, or paste the PSBT or its QR parts."
		return nil
	}
	if isPart(value) {
		m.input.Reset()
		return m.addParts([]string{value})
	}
	combine := m.prompt == promptCombine
	m.closePrompt()
	return m.startLoad(value, nil, combine)
}

// isPart reports whether s is a part of an animated QR code: a UR or BBQr.
func isPart(s string) bool {
	return strings.HasPrefix(strings.ToLower(s), "ur:") || strings.HasPrefix(s, "B$")
}

// paste takes pasted text: QR parts (one a line), a base64 PSBT, or text
// for the open field.
func (m *Model) paste(content string) tea.Cmd {
	if m.busy != "" || m.prompt == promptPassword || m.prompt == promptExport || m.qr != nil {
		if m.prompt != promptNone {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(tea.PasteMsg{Content: content})
			return cmd
		}
		return nil
	}
	var parts []string
	for _, l := range strings.Split(content, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	if m.prompt == promptNone {
		m.openPrompt(promptOpen)
	}
	if isPart(parts[0]) {
		return m.addParts(parts)
	}
	text := strings.Join(parts, "")
	if strings.HasPrefix(text, "cHNidP") || strings.HasPrefix(strings.ToLower(text), "70736274ff") {
		combine := m.prompt == promptCombine
		m.closePrompt()
		return m.startLoad("", []byte(text), combine)
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(tea.PasteMsg{Content: text})
	return cmd
}

// addParts feeds QR parts to the joiner and opens the PSBT once they are
// all there.
func (m *Model) addParts(parts []string) tea.Cmd {
	if m.joiner == nil {
		m.joiner = airgap.NewJoiner()
	}
	m.err = ""
	for _, p := range parts {
		if _, err := m.joiner.Add(p); err != nil {
			m.err = err.Error()
			return nil
		}
		if m.joiner.Complete() {
			break
		}
	}
	if !m.joiner.Complete() {
		return nil
	}
	raw, err := m.joiner.PSBT()
	if err != nil {
		m.err = err.Error()
		m.joiner = nil
		return nil
	}
	combine := m.prompt == promptCombine
	m.closePrompt()
	return m.startLoad("", raw, combine)
}

// startLoad reads the PSBT at path (or in data when path is "") and
// reviews it; with combine it merges it into the open one.
func (m *Model) startLoad(path string, data []byte, combine bool) tea.Cmd {
	m.seq++
	m.err, m.notice = "", ""
	m.busy = "Reading " + path + "…"
	if path == "" {
		m.busy = "Reading the pasted PSBT…"
	}
	id, seq, src := m.id, m.seq, m.src
	var cur *btcpsbt.Packet
	if combine && m.packet != nil {
		cur = m.packet
	}
	curName := m.name
	return func() tea.Msg {
		msg := resultMsg{id: id, seq: seq, name: "pasted"}
		if path != "" {
			msg.name = filepath.Base(path)
			b, err := readFile(path)
			if err != nil {
				msg.err = err
				return msg
			}
			data = b
		}
		p, err := psbtx.Parse(data)
		if err != nil {
			msg.err = err
			return msg
		}
		if cur != nil {
			base, err := clonePacket(cur)
			if err != nil {
				msg.err = err
				return msg
			}
			if p, err = psbtx.Combine(base, p); err != nil {
				msg.err = fmt.Errorf("cannot combine: %w", err)
				return msg
			}
			msg.notice = "Combined with " + msg.name + "."
			msg.name = curName
		}
		msg.packet = p
		msg.review, msg.err = src.Review(p)
		return msg
	}
}

// readFile reads a PSBT file, saying which one in its errors.
func readFile(path string) ([]byte, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("there is no file %s", abs)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", abs, unwrapPath(err))
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a folder: type a file's name (tab completes)", abs)
	case fi.Size() > 3*psbtx.MaxSize:
		return nil, fmt.Errorf("%s is too large for a PSBT", abs)
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", abs, unwrapPath(err))
	}
	return b, nil
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// applyResult shows a PSBT opened, combined or signed.
func (m *Model) applyResult(msg resultMsg) tea.Cmd {
	m.busy = ""
	switch {
	case msg.needPW:
		m.unlocked = false
		return m.openPrompt(promptPassword)
	case msg.wrongPW:
		cmd := m.openPrompt(promptPassword)
		m.err = "Wrong password: type it again, or esc to cancel."
		return cmd
	case msg.err != nil && msg.packet == nil:
		m.err = msg.err.Error()
		return nil
	}
	if msg.packet != nil {
		if m.packet == nil || msg.name != m.name || msg.signed == nil && msg.notice == "" {
			// A new PSBT: forget what was done with the last one.
			m.signed, m.final, m.txid, m.offset = nil, false, "", 0
		}
		m.packet, m.name = msg.packet, msg.name
	}
	if msg.review != nil {
		m.review = msg.review
	}
	if msg.signed != nil {
		m.signed = msg.signed
	}
	if msg.final {
		m.final = true
	}
	m.notice = msg.notice
	if msg.err != nil {
		m.err = msg.err.Error()
	}
	return nil
}

// startSign signs a copy of the PSBT and reviews it again.
func (m *Model) startSign(password []byte) tea.Cmd {
	m.seq++
	m.busy, m.err, m.notice = "Signing…", "", ""
	id, seq, src, cur, name := m.id, m.seq, m.src, m.packet, m.name
	ctx := m.common.Context()
	return func() tea.Msg {
		defer clear(password)
		msg := resultMsg{id: id, seq: seq, name: name}
		if password == nil && !src.Unlocked() {
			// Locked since the key was pressed: ask for the password.
			msg.needPW = true
			return msg
		}
		p, err := clonePacket(cur)
		if err != nil {
			msg.err = err
			return msg
		}
		res, err := src.Sign(ctx, p, password)
		switch {
		case errors.Is(err, keystore.ErrWrongPassword):
			msg.wrongPW = true
			return msg
		case err != nil:
			msg.err = fmt.Errorf("not signed: %w", err)
			// The PSBT stays as it was; so does its review.
			msg.packet = cur
			return msg
		}
		msg.signed = res
		if len(res.Signed) == 0 {
			msg.packet = cur
			return msg
		}
		msg.packet = p
		msg.review, msg.err = src.Review(p)
		n := len(res.Signed)
		msg.notice = fmt.Sprintf("Signed %d input%s.", n, plural(n))
		return msg
	}
}

// startFinalize finalizes a copy of the PSBT.
func (m *Model) startFinalize() tea.Cmd {
	m.seq++
	m.busy, m.err, m.notice = "Finalizing…", "", ""
	id, seq, src, cur, name := m.id, m.seq, m.src, m.packet, m.name
	return func() tea.Msg {
		msg := resultMsg{id: id, seq: seq, name: name, signed: &psbtx.SignResult{}}
		p, err := clonePacket(cur)
		if err == nil {
			err = psbtx.Finalize(p)
		}
		if err != nil {
			msg.packet, msg.err = cur, fmt.Errorf("cannot finalize: %w", err)
			return msg
		}
		tx, err := psbtx.Extract(p)
		if err != nil {
			msg.packet, msg.err = cur, fmt.Errorf("cannot finalize: %w", err)
			return msg
		}
		msg.packet, msg.final = p, true
		msg.review, msg.err = src.Review(p)
		msg.notice = "Finalized: transaction " + tx.TxHash().String() + "."
		return msg
	}
}

// startBroadcast finalizes a copy of the PSBT, extracts the transaction and
// sends it.
func (m *Model) startBroadcast() tea.Cmd {
	m.seq++
	m.busy, m.err, m.notice = "Broadcasting…", "", ""
	id, seq, bc, cur := m.id, m.seq, m.cfg.bc, m.packet
	ctx := m.common.Context()
	return func() tea.Msg {
		msg := broadcastMsg{id: id, seq: seq}
		p, err := clonePacket(cur)
		if err == nil {
			err = psbtx.Finalize(p)
		}
		if err != nil {
			msg.err = fmt.Errorf("cannot finalize: %w", err)
			return msg
		}
		tx, err := psbtx.Extract(p)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.txid, msg.err = bc.Broadcast(ctx, tx)
		return msg
	}
}

// suggestedName is the file name the export field starts with.
func (m *Model) suggestedName() string {
	if m.exportName != "" {
		return m.exportName
	}
	base := strings.TrimSuffix(m.name, filepath.Ext(m.name))
	if base == "" || base == "pasted" {
		base = fmt.Sprintf("psbt-%d", m.cfg.now().Unix())
	}
	switch {
	case m.final:
		base += "-final"
	case m.signed != nil && len(m.signed.Signed) > 0 && !strings.HasSuffix(base, "-signed"):
		base += "-signed"
	}
	return base + ".psbt"
}

// exportPath is where name goes: name itself when absolute, else in the
// export folder; the result is absolute.
func exportPath(dir, name string) (string, error) {
	if !filepath.IsAbs(name) {
		if dir == "" {
			dir = "."
		}
		name = filepath.Join(dir, name)
	}
	return filepath.Abs(name)
}

// startExport writes the PSBT to name in the export folder: binary for
// *.psbt, base64 text otherwise. An existing file is not overwritten.
func (m *Model) startExport(name string) tea.Cmd {
	m.seq++
	m.exportName = name
	m.busy, m.err, m.notice = "Writing "+name+"…", "", ""
	id, seq, dir, cur := m.id, m.seq, m.cfg.exportDir, m.packet
	return func() tea.Msg {
		msg := exportedMsg{id: id, seq: seq}
		path, err := exportPath(dir, name)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.path = path
		msg.err = writePSBT(cur, path)
		return msg
	}
}

// writePSBT writes p to path, which must not exist yet, with mode 0600.
func writePSBT(p *btcpsbt.Packet, path string) error {
	raw, err := psbtx.EncodeBinary(p)
	if err != nil {
		return err
	}
	data := raw
	if !strings.EqualFold(filepath.Ext(path), ".psbt") {
		text, err := psbtx.EncodeBase64(p)
		if err != nil {
			return err
		}
		data = []byte(text + "\n")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists already: choose another name", path)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f.Close()
}

// showQR shows the PSBT as an animated ur:crypto-psbt QR code.
func (m *Model) showQR() tea.Cmd {
	raw, err := psbtx.EncodeBinary(m.packet)
	if err != nil {
		m.err = err.Error()
		return nil
	}
	m.qr = animqr.New("PSBT "+m.name, animqr.URSource(ur.NewPSBT(raw)), animqr.WithStyle(m.common.Styles.QR))
	m.qr.SetSize(m.common.Width, m.common.Height)
	return m.qr.Init()
}

// clonePacket returns a deep copy of p, through its serialization.
func clonePacket(p *btcpsbt.Packet) (*btcpsbt.Packet, error) {
	raw, err := psbtx.EncodeBinary(p)
	if err != nil {
		return nil, err
	}
	return psbtx.Parse(raw)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
