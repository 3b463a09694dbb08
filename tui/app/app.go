package app

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/explorer"
	"github.com/satchelbtc/satchel/tui/keys"
	"github.com/satchelbtc/satchel/tui/node"
	psbtpage "github.com/satchelbtc/satchel/tui/psbt"
	"github.com/satchelbtc/satchel/tui/settings"
	"github.com/satchelbtc/satchel/tui/wallet"
	"github.com/satchelbtc/satchel/tui/wizard"
)

// Sources is everything the TUI reads. The satchel command adapts the light
// node, its header store and the open wallet to these interfaces.
type Sources struct {
	// Headers and Blocks feed the Explorer tab.
	Headers explorer.HeaderSource
	Blocks  explorer.BlockSource
	// Node feeds the Node tab and the status bar.
	Node node.Source
	// Wallet feeds the Wallet tab; nil when the network has no wallet.
	Wallet Wallet
	// Net is the network the TUI runs on; it names the network until the node
	// answers and checks addresses.
	Net *chaincfg.Params
	// Owns reports whether an output script belongs to the open wallet, so
	// that transaction pages mark "ours"; nil marks nothing.
	Owns func(script []byte) bool
	// Events carries the node's events (new tip, peer up or down, ban). Any
	// value refreshes the status bar and the pages showing chain state. Nil
	// means no events: the status bar then follows its timer only.
	Events <-chan any

	// Search answers the explorer's / queries; nil turns search off.
	Search explorer.SearchSource
	// Prover proves a confirmed transaction's inclusion on its page; nil
	// leaves the proof out.
	Prover explorer.Prover
	// TxInfo tells transaction pages the inputs' values (so the fee),
	// confirmations and the wallet's label, and finds the transactions
	// inputs spend; nil shows what the transaction's bytes say.
	TxInfo explorer.TxInfoSource
	// Keys feeds the Keys tab; nil while no wallet is open.
	Keys keys.Source
	// Wizard makes the first wallet; the Wallet tab shows it while Wallet
	// is nil.
	Wizard wizard.Source
	// OpenWallet opens the wallet called name ("" for the one the wizard
	// just wrote), closing the one open before, and returns its sources.
	OpenWallet func(name string) (WalletSources, error)
	// Settings feeds the Settings tab; nil shows no settings.
	Settings *SettingsSource

	// PSBT feeds the PSBT page of the Wallet tab (o on the overview);
	// nil leaves the page out.
	PSBT psbtpage.Source
	// Broadcast sends the transactions the PSBT page finalizes; nil
	// offers no broadcast.
	Broadcast psbtpage.Broadcaster
	// Offline says the app runs with no network code at all (satchel
	// --offline): the Wallet tab opens on the PSBT page, the Explorer and
	// Node tabs say there is no network, and the status bar says
	// "offline".
	Offline bool
}

// WalletSources are the sources that change with the open wallet.
type WalletSources struct {
	Wallet    Wallet
	Keys      keys.Source
	Owns      func(script []byte) bool
	PSBT      psbtpage.Source
	Broadcast psbtpage.Broadcaster
}

// SettingsSource is what the Settings tab edits and how the root applies it.
type SettingsSource struct {
	Current settings.Settings
	// Themes names the themes to choose from, built-in and the user's.
	Themes []string
	// Saver writes the settings to config.toml.
	Saver settings.Saver
	// Styles returns the styles of a theme by name; false when unknown.
	Styles func(theme string) (*themes.Styles, bool)
}

// Wallet is the open wallet as the Wallet tab's pages use it, and its lock.
type Wallet interface {
	wallet.Source
	wallet.SendSource
	wallet.CoinsSource
	// Lock drops the keys held since an unlock; Unlocked (from SendSource)
	// then reports false.
	Lock()
}

// KeyMap holds the root's own bindings, on top of common.KeyMap.
type KeyMap struct {
	// Interrupt quits even while a page takes text, where q is typed.
	Interrupt key.Binding
}

// DefaultKeyMap returns the root's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit, even while typing")),
	}
}

// config is what Options change.
type config struct {
	interval time.Duration
	now      func() time.Time
	loc      *time.Location
	units    wallet.Units
	autoLock time.Duration
	logSince *time.Time // nil: the Node tab's default, this process's start
}

// Option changes how New builds a Model.
type Option func(*config)

// WithInterval sets how often the status bar and the Node tab re-read the
// node when no event arrives; 0 turns the timers off. The default is
// node.DefaultInterval.
func WithInterval(d time.Duration) Option {
	return func(c *config) { c.interval = d }
}

// WithClock sets the clock for ages and ban expiry; tests pass a fixed one.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithLocation sets the time zone of the wallet's dates.
func WithLocation(loc *time.Location) Option {
	return func(c *config) {
		if loc != nil {
			c.loc = loc
		}
	}
}

// WithUnits sets the units the wallet shows amounts in.
func WithUnits(u wallet.Units) Option {
	return func(c *config) { c.units = u }
}

// WithLogSince makes the Node tab leave out log lines written before t
// (by default those before this process started); the zero time shows
// them all.
func WithLogSince(t time.Time) Option {
	return func(c *config) { c.logSince = &t }
}

// WithAutoLock locks an unlocked wallet after d without a key press; 0
// never locks by itself.
func WithAutoLock(d time.Duration) Option {
	return func(c *config) { c.autoLock = d }
}

// Model is the root of the TUI. Build it with New and run it with
// tea.NewProgram.
type Model struct {
	common common.Common // its Styles are the theme's, shared with every page
	keys   KeyMap
	src    Sources
	cfg    config
	width  int
	height int

	active tab
	stacks [numTabs][]common.Component // pages of each tab; the last one shows

	overview *wallet.Overview // nil without a wallet
	receive  *wallet.Receive  // built on the first request, then kept
	send     *wallet.Send     // built on the first request, then kept
	psbt     *psbtpage.Model  // built on the first request, then kept
	list     *explorer.Model
	node     *node.Model
	keysPage *keys.Model     // nil without a wallet
	settings *settings.Model // nil without settings

	help   bool
	status statusBar
	copy   copyState

	// addrCache keeps address searches' results, so a second search of
	// an address scans only the blocks since.
	addrCache *explorer.AddressCache

	lastInput time.Time // the last key press, for auto-lock
	lockTick  bool      // the auto-lock timer is running

	// notice is a message for the user in place of the status line, such
	// as a wallet that could not be opened; the next key clears it.
	notice string
}

var _ tea.Model = (*Model)(nil)

// New returns the root model. A nil styles uses the default theme, in
// colour. ctx is handed to every page; cancelling it stops their reads and
// the event reader.
func New(ctx context.Context, src Sources, styles *themes.Styles, opts ...Option) *Model {
	if styles == nil {
		styles = themes.NewStyles(themes.Builtin()[0], false)
	}
	cfg := config{interval: node.DefaultInterval, now: time.Now, loc: time.Local}
	for _, o := range opts {
		o(&cfg)
	}
	c := common.NewCommon(ctx, 0, 0)
	c.Styles = styles
	m := &Model{common: c, keys: DefaultKeyMap(), src: src, cfg: cfg, lastInput: cfg.now(),
		addrCache: explorer.NewAddressCache()}
	m.buildPages()
	return m
}

// Init starts the pages' first reads, the status bar and the event reader.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.readStatus(), m.readEvent(), m.autoLockTick()}
	for _, s := range m.stacks {
		cmds = append(cmds, s[0].Init())
	}
	return tea.Batch(cmds...)
}

// Update handles global keys and navigation and forwards the rest: keys to
// the page on screen, everything else to every page.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m, m.resize(msg)
	case tea.KeyPressMsg:
		m.lastInput = m.cfg.now()
		m.notice = ""
		return m, m.handleKey(msg)
	case tea.EnvMsg:
		m.copy.applyEnv(msg)
		return m, m.broadcast(msg)
	case common.CopyMsg:
		return m, m.startCopy(msg)
	case wizard.DoneMsg:
		return m, m.openWallet("")
	case keys.SwitchWalletMsg:
		return m, m.openWallet(msg.Name)
	case walletOpenedMsg:
		return m, m.walletOpened(msg)
	case keys.LockChangedMsg:
		return m, tea.Batch(m.readStatus(), m.broadcast(msg))
	case settings.ChangedMsg:
		return m, m.applySettings(msg.Settings)
	case autoLockMsg:
		m.lockTick = false
		return m, tea.Batch(m.autoLock(), m.autoLockTick())
	case lockedMsg:
		return m, tea.Batch(m.readStatus(), m.broadcast(keys.LockChangedMsg{Unlocked: false}))
	case tea.PasteMsg:
		return m, m.updateActive(msg)
	case statusMsg:
		return m, m.applyStatus(msg)
	case statusTickMsg:
		m.status.ticking = false
		return m, m.readStatus()
	case eventMsg:
		return m, m.onEvent()
	case eventsClosedMsg:
		return m, nil
	case explorer.BlockSelectedMsg, explorer.TxSelectedMsg, explorer.BackMsg,
		wallet.PSBTRequestedMsg, psbtpage.ClosedMsg,
		wallet.ReceiveRequestedMsg, wallet.TxSelectedMsg, walletTxMsg,
		wallet.SendRequestedMsg, wallet.SendClosedMsg, wallet.CoinsRequestedMsg,
		wallet.LabelRequestedMsg, wallet.LabelCancelledMsg, explorer.AddressSearchMsg:
		return m, m.navigate(msg)
	case wallet.LabelSavedMsg:
		// The label editor closes; the pages under it show the new label.
		m.pop(m.active)
		return m, tea.Batch(m.broadcast(msg), m.refreshWallet())
	case wallet.SentMsg, explorer.ReplacedMsg:
		return m, m.refreshWallet()
	}
	return m, m.broadcast(msg)
}

// handleKey gives keys to a page taking text first, then to the help
// overlay, then to the global bindings, and the rest to the page on screen.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	// The flash naming the last copy lasts until the next key; y right
	// after it shows the text for selecting.
	flash := m.copy.flash
	m.copy.flash = nil
	switch {
	case key.Matches(msg, m.keys.Interrupt):
		return tea.Quit
	case m.copy.open():
		return m.copyKey(msg)
	case flash != nil && !m.capturing() && key.Matches(msg, k.Copy):
		m.copy.showText(*flash, "")
	case m.capturing():
		return m.updateActive(msg)
	case key.Matches(msg, m.common.KeyMap.Lock):
		return m.lock()
	case m.help:
		return m.helpKey(msg)
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.help = true
	case key.Matches(msg, k.NextTab):
		m.active = (m.active + 1) % numTabs
	case key.Matches(msg, k.PrevTab):
		m.active = (m.active + numTabs - 1) % numTabs
	case m.closesOnBack() && key.Matches(msg, k.Back):
		m.pop(m.active)
	default:
		for t := range numTabs {
			if key.Matches(msg, k.Tabs[t]) {
				m.active = t
				return nil
			}
		}
		return m.updateActive(msg)
	}
	return nil
}

// helpKey closes the help overlay on ? or esc and lets q quit; other keys
// do nothing while it is open.
func (m *Model) helpKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	switch {
	case key.Matches(msg, k.Help), key.Matches(msg, k.Back):
		m.help = false
	case key.Matches(msg, k.Quit):
		return tea.Quit
	}
	return nil
}

// resize gives every page the screen minus the tab bar and the status bar,
// then forwards the message so that pages can read what became visible.
func (m *Model) resize(msg tea.WindowSizeMsg) tea.Cmd {
	m.width, m.height = msg.Width, msg.Height
	w, h := m.pageSize()
	m.common.SetSize(w, h)
	for _, s := range m.stacks {
		for _, p := range s {
			p.SetSize(w, h)
		}
	}
	if m.receive != nil && !m.shown(m.receive) {
		m.receive.SetSize(w, h)
	}
	return m.broadcast(msg)
}

// pageSize is the area a page draws in.
func (m *Model) pageSize() (int, int) {
	return max(m.width, 0), max(m.height-chromeLines, 0)
}

// updateActive sends msg to the page on screen.
func (m *Model) updateActive(msg tea.Msg) tea.Cmd {
	_, cmd := m.top(m.active).Update(msg)
	return cmd
}

// broadcast sends msg to every page; pages drop results that are not theirs.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range m.stacks {
		for _, p := range s {
			_, cmd := p.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	if m.receive != nil && !m.shown(m.receive) {
		_, cmd := m.receive.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// capturer is a page that can take text.
type capturer interface{ Capturing() bool }

// capturing reports whether the page on screen takes text, so that q, ?, tab
// and digits are typed instead of acting globally.
func (m *Model) capturing() bool {
	c, ok := m.top(m.active).(capturer)
	return ok && c.Capturing()
}

// closesOnBack reports whether the page on screen is one that esc simply
// closes; the other pages handle esc themselves.
func (m *Model) closesOnBack() bool {
	switch m.top(m.active).(type) {
	case *wallet.Receive, *wallet.Coins:
		return len(m.stacks[m.active]) > 1
	}
	return false
}

// onReceive reports whether the receive page is on screen.
func (m *Model) onReceive() bool {
	return m.active == tabWallet && m.receive != nil && m.top(tabWallet) == common.Component(m.receive)
}
