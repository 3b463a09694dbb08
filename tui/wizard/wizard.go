package wizard

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
)

// lastID numbers models so that async results reach the model that asked.
var lastID atomic.Int64

// step is one screen of the wizard.
type step int

const (
	stepChoose     step = iota // create, restore, import or multisig
	stepScript                 // script type (create; restore, with discovery)
	stepCount                  // 12 or 24 words (create)
	stepShow                   // the new words, once (create)
	stepVerify                 // three words typed back (create)
	stepWords                  // the words typed in (restore)
	stepPassphrase             // optional BIP39 passphrase (create, restore)
	stepBirthday               // optional birthday (restore, import, multisig)
	stepDiscover               // looking for the types used (restore)
	stepFound                  // the types found, to confirm (restore)
	stepPassword               // password, twice (create, restore)
	stepImport                 // descriptor or xpub (import, multisig)
	stepWorking                // Create or Import running
	stepDone                   // the wallet is written
)

// action is what the user chose on the first screen.
type action int

const (
	actCreate action = iota
	actRestore
	actImport
	actMultisig
)

// actions are the first screen's entries, in action order.
var actions = []struct{ title, hint string }{
	{"Create a new wallet", "New recovery words, shown once for you to write down."},
	{"Restore from recovery words", "12 to 24 BIP39 words from a backup or another wallet."},
	{"Import watch-only (descriptor or xpub)", "Watch addresses and build PSBTs without keys."},
	{"Multisig: import a descriptor", "A wsh(sortedmulti(…)) wallet shared with cosigners; watch-only here."},
}

// wordCounts are the lengths a new phrase may have.
var wordCounts = []int{12, 24}

// Option changes how New builds a Model.
type Option func(*Model)

// WithChallenge sets how the three words typed back after creating a
// wallet are picked: f gets the number of words and returns three distinct
// 1-based positions. Tests use it to know the positions; a result out of
// range or with repeats is replaced by a random pick. The default picks at
// random.
func WithChallenge(f func(words int) [3]int) Option {
	return func(m *Model) {
		if f != nil {
			m.challenge = f
		}
	}
}

// WithClock sets what "now" is for refusing birthday dates in the future;
// tests fix it. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(m *Model) {
		if now != nil {
			m.now = now
		}
	}
}

// Model is the first-run wizard. It implements common.Component.
type Model struct {
	// KeyMap holds the wizard's own bindings; movement and esc come from
	// Common.
	KeyMap KeyMap

	common    common.Common
	src       Source
	net       *chaincfg.Params
	id        int64
	seq       uint64
	challenge func(words int) [3]int
	now       func() time.Time

	step   step
	action action
	cursor int // selection of the list on screen
	script int // index into scriptChoices
	count  int // index into wordCounts
	msg    string

	// Create.
	generating bool
	mnemonic   []string // the new words
	positions  [3]int   // 1-based positions asked back
	verify     [3]textinput.Model
	verified   [3]bool
	verifyAt   int

	// Restore.
	words   []string // known words typed so far
	pending []string // pasted words after an unknown one
	entry   textinput.Model
	check   checkState
	flag    string // the word in the field cannot become a BIP39 word

	// Restore and import: the birthday.
	birthday    textinput.Model
	bday        core.Birthday
	bdayErr     string
	dateHeight  int32 // the block bday.Date maps to, when dateKnown
	dateFound   bool
	dateKnown   bool
	chain       ChainInfo
	chainKnown  bool
	discovering bool               // the types were looked for (restore)
	cancel      context.CancelFunc // stops the discovery running
	progress    session.DiscoverProgress
	found       []core.ScriptUse // what discovery found, in scriptChoices order
	picked      []bool           // found's types the user keeps
	names       []string         // the wallet names of the picked types

	// Both.
	phrase     [2]textinput.Model // passphrase and, on create, its repeat
	phraseAt   int
	password   [2]textinput.Model
	passwordAt int
	weak       string // the weakness of the password awaiting confirmation

	// Import.
	watch     [2]textinput.Model // descriptor or key, change descriptor
	watchAt   int
	watchIn   watchInput
	watchErr  string
	changeErr string

	spin spinner.Model
}

var _ common.Component = (*Model)(nil)

// New returns the wizard on its first screen. src writes the wallet; net
// is the network descriptors and keys are checked against.
func New(c common.Common, src Source, net *chaincfg.Params, opts ...Option) *Model {
	m := &Model{
		KeyMap:    DefaultKeyMap(),
		common:    c,
		src:       src,
		net:       net,
		id:        lastID.Add(1),
		challenge: randomChallenge,
		now:       time.Now,
	}
	for _, o := range opts {
		o(m)
	}
	st := c.Styles
	m.entry = newField(st, false, 20)
	m.birthday = newField(st, false, 16)
	m.birthday.Placeholder = "812345 or 2024-03-01; empty: don't know"
	for i := range m.verify {
		m.verify[i] = newField(st, false, 20)
	}
	for i := range m.phrase {
		m.phrase[i] = newField(st, true, 1024)
	}
	for i := range m.password {
		m.password[i] = newField(st, true, 1024)
	}
	for i := range m.watch {
		m.watch[i] = newField(st, false, 2048)
	}
	if net == nil || net.Name == chaincfg.MainNetParams.Name {
		m.watch[0].Placeholder = "wpkh([fingerprint/84h/0h/0h]xpub…/<0;1>/*) or xpub…"
	} else {
		m.watch[0].Placeholder = "wpkh([fingerprint/84h/1h/0h]tpub…/<0;1>/*) or tpub…"
	}
	m.watch[1].Placeholder = "empty: the receive descriptor's key with /1/*"
	m.sizeFields()
	return m
}

// Init does nothing: the first screen needs no data.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize sets the size the wizard draws in.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.sizeFields()
}

// Capturing reports whether a text field has focus; the root then sends
// every key here instead of treating q, digits, tab or ? as global.
func (m *Model) Capturing() bool {
	switch m.step {
	case stepVerify, stepWords, stepPassphrase, stepBirthday, stepPassword, stepImport:
		return true
	}
	return false
}

// ShortHelp returns the bindings for the help bar of the screen shown.
func (m *Model) ShortHelp() []key.Binding {
	k, c := m.KeyMap, m.common.KeyMap
	sel := func(desc string) key.Binding {
		b := k.Select
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	back := func(desc string) key.Binding {
		b := c.Back
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	switch m.step {
	case stepChoose:
		return []key.Binding{c.Up, c.Down, sel("choose")}
	case stepScript, stepCount:
		return []key.Binding{c.Up, c.Down, sel("choose"), c.Back}
	case stepShow:
		return []key.Binding{sel("written down"), c.Back}
	case stepVerify:
		return []key.Binding{k.Complete, sel("check word"), c.Back}
	case stepWords:
		return []key.Binding{k.Complete, k.NextWord, k.EditPrevious, sel("continue"), c.Back}
	case stepDiscover:
		return []key.Binding{back("stop")}
	case stepFound:
		return []key.Binding{c.Up, c.Down, k.Toggle, sel("continue"), back("pick by hand")}
	case stepPassword:
		if m.weak != "" {
			return []key.Binding{sel("use it anyway"), back("choose another")}
		}
		return []key.Binding{sel("continue"), c.Back}
	case stepPassphrase, stepBirthday, stepImport:
		return []key.Binding{sel("continue"), c.Back}
	}
	return nil
}

// FullHelp returns all the wizard's bindings for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k, c := m.KeyMap, m.common.KeyMap
	return [][]key.Binding{
		{c.Up, c.Down, k.Select, c.Back},
		{k.Complete, k.NextWord, k.EditPrevious, k.Toggle},
	}
}

// Update moves through the steps on key presses and applies the results of
// the Source calls.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.paste(msg)
	case mnemonicMsg:
		if msg.id == m.id && msg.seq == m.seq && m.generating {
			m.gotMnemonic(msg)
		}
	case resultMsg:
		if msg.id == m.id && msg.seq == m.seq && m.step == stepWorking {
			return m, m.finished(msg)
		}
	case chainMsg:
		if msg.id == m.id {
			m.chain, m.chainKnown = msg.info, true
			return m, m.recheckBirthday()
		}
	case dateMsg:
		if msg.id == m.id && msg.date.Equal(m.bday.Date) {
			m.dateHeight, m.dateFound, m.dateKnown = msg.height, msg.found, true
		}
	case discoverMsg:
		if msg.id == m.id && msg.seq == m.seq && m.step == stepDiscover {
			return m, m.discovered(msg)
		}
	case spinner.TickMsg:
		if m.step == stepWorking || m.step == stepDiscover && (m.progress.Syncing || m.progress.Target <= 0) {
			var cmd tea.Cmd
			m.spin, cmd = m.spin.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

// handleKey sends a key to the screen shown.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.step {
	case stepChoose:
		return m.chooseKey(msg)
	case stepScript:
		return m.scriptKey(msg)
	case stepCount:
		return m.countKey(msg)
	case stepShow:
		return m.showKey(msg)
	case stepVerify:
		return m.verifyKey(msg)
	case stepWords:
		return m.wordsKey(msg)
	case stepPassphrase:
		return m.passphraseKey(msg)
	case stepBirthday:
		return m.birthdayKey(msg)
	case stepDiscover:
		return m.discoverKey(msg)
	case stepFound:
		return m.foundKey(msg)
	case stepPassword:
		return m.passwordKey(msg)
	case stepImport:
		return m.importKey(msg)
	}
	return nil // working or done: keys wait
}

// moveList applies up and down to the list on screen and reports whether
// msg was one of them.
func (m *Model) moveList(msg tea.KeyPressMsg, n int) bool {
	c := m.common.KeyMap
	switch {
	case key.Matches(msg, c.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, c.Down):
		m.cursor = min(m.cursor+1, n-1)
	default:
		return false
	}
	return true
}

// goTo shows step s with its list cursor at cursor, clearing the message.
func (m *Model) goTo(s step, cursor int) {
	m.step, m.cursor, m.msg = s, cursor, ""
}

// randomChallenge picks three distinct positions of n words, in order.
func randomChallenge(n int) [3]int {
	p := rand.Perm(n)[:3]
	slices.Sort(p)
	return [3]int{p[0] + 1, p[1] + 1, p[2] + 1}
}

// pickPositions asks m.challenge for positions and falls back to a random
// pick when its answer is unusable.
func (m *Model) pickPositions(n int) [3]int {
	p := m.challenge(n)
	ok := true
	for i, x := range p {
		if x < 1 || x > n || slices.Contains(p[:i], x) {
			ok = false
		}
	}
	if !ok {
		return randomChallenge(n)
	}
	return p
}
