package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/explorer"
	"github.com/satchelbtc/satchel/tui/keys"
	"github.com/satchelbtc/satchel/tui/node"
	psbtpage "github.com/satchelbtc/satchel/tui/psbt"
	"github.com/satchelbtc/satchel/tui/settings"
	"github.com/satchelbtc/satchel/tui/wallet"
	"github.com/satchelbtc/satchel/tui/wizard"
	core "github.com/satchelbtc/satchel/wallet"
)

// tab is one of the tabs, in the order of the tab bar and of keys 1, 2, 3.
type tab int

const (
	tabWallet tab = iota
	tabExplorer
	tabNode
	tabKeys
	tabSettings
	numTabs
)

// tabNames are the titles in the tab bar.
var tabNames = [numTabs]string{"Wallet", "Explorer", "Node", "Keys", "Settings"}

// noWalletText is the whole Wallet tab when the network has no wallet.
const noWalletText = "No wallet on this network: create one with 'satchel wallet create'"

// noKeysText is the whole Keys tab while no wallet is open.
const noKeysText = "No wallet is open: create or restore one on the Wallet tab (1)"

// offlineText is the whole Explorer and Node tabs under --offline.
const offlineText = "Offline (--offline): no network code runs, so there are no blocks or peers to show"

// noSettingsText is the whole Settings tab when the app has no settings.
const noSettingsText = "Settings are not available here"

// walletOpenedMsg carries the sources of a wallet the user opened, after
// the wizard or from the Keys tab, or the reason it could not be opened.
type walletOpenedMsg struct {
	src WalletSources
	err error
}

// walletTxMsg carries a wallet transaction, and the hash of the block it is
// in, to the transaction page.
type walletTxMsg struct {
	entry     core.HistoryEntry
	blockHash chainhash.Hash
}

// buildPages makes the first page of every tab.
func (m *Model) buildPages() {
	c := m.common
	m.buildWalletPages()
	opts := []explorer.Option{explorer.WithClock(m.cfg.now), explorer.WithUnits(explorerUnits(m.cfg.units))}
	if m.src.Search != nil {
		opts = append(opts, explorer.WithSearch(m.src.Search, m.src.Net))
	}
	m.list = explorer.New(c, m.src.Headers, opts...)
	nodeOpts := []node.Option{node.WithClock(m.cfg.now), node.WithInterval(m.cfg.interval)}
	if m.cfg.logSince != nil {
		nodeOpts = append(nodeOpts, node.WithLogSince(*m.cfg.logSince))
	}
	m.node = node.New(c, m.src.Node, nodeOpts...)
	if m.src.Offline {
		m.stacks[tabExplorer] = []common.Component{&message{common: c, text: offlineText}}
		m.stacks[tabNode] = []common.Component{&message{common: c, text: offlineText}}
	} else {
		m.stacks[tabExplorer] = []common.Component{m.list}
		m.stacks[tabNode] = []common.Component{m.node}
	}
	if s := m.src.Settings; s != nil {
		m.settings = settings.New(c, s.Current, s.Themes, s.Saver)
		m.stacks[tabSettings] = []common.Component{m.settings}
	} else {
		m.stacks[tabSettings] = []common.Component{&message{common: c, text: noSettingsText}}
	}
}

// buildWalletPages makes the first pages of the Wallet and Keys tabs for
// the open wallet, or the wizard when there is none.
func (m *Model) buildWalletPages() {
	c := m.common
	m.overview, m.receive, m.send, m.keysPage, m.psbt = nil, nil, nil, nil, nil
	switch {
	case m.src.Wallet != nil:
		m.overview = wallet.NewOverview(c, m.src.Wallet, wallet.WithUnits(m.cfg.units), wallet.WithLocation(m.cfg.loc))
		m.stacks[tabWallet] = []common.Component{m.overview}
		if m.src.Offline && m.src.PSBT != nil {
			// The offline signer opens on its PSBT page; esc shows
			// the wallet under it.
			m.psbt = m.newPSBTPage()
			m.stacks[tabWallet] = append(m.stacks[tabWallet], m.psbt)
		}
	case m.src.Wizard != nil:
		m.stacks[tabWallet] = []common.Component{wizard.New(c, m.src.Wizard, m.src.Net)}
	default:
		m.stacks[tabWallet] = []common.Component{&message{common: c, text: noWalletText}}
	}
	if m.src.Wallet != nil && m.src.Keys != nil {
		m.keysPage = keys.New(c, m.src.Keys)
		m.stacks[tabKeys] = []common.Component{m.keysPage}
	} else {
		m.stacks[tabKeys] = []common.Component{&message{common: c, text: noKeysText}}
	}
}

// newPSBTPage makes the PSBT page for the open wallet, exporting to the
// folder the settings name, broadcasting when online.
func (m *Model) newPSBTPage() *psbtpage.Model {
	opts := []psbtpage.Option{psbtpage.WithSats(m.cfg.units == wallet.UnitsSat), psbtpage.WithClock(m.cfg.now)}
	if m.src.Settings != nil {
		opts = append(opts, psbtpage.WithExportDir(m.src.Settings.Current.ExportDir))
	}
	if m.src.Broadcast != nil && !m.src.Offline {
		opts = append(opts, psbtpage.WithBroadcaster(m.src.Broadcast))
	}
	return psbtpage.New(m.common, m.src.PSBT, opts...)
}

// openWallet returns a command that opens the wallet called name.
func (m *Model) openWallet(name string) tea.Cmd {
	open := m.src.OpenWallet
	if open == nil {
		return nil
	}
	return func() tea.Msg {
		src, err := open(name)
		return walletOpenedMsg{src: src, err: err}
	}
}

// walletOpened shows a newly opened wallet on the Wallet and Keys tabs.
func (m *Model) walletOpened(msg walletOpenedMsg) tea.Cmd {
	if msg.err != nil {
		m.notice = msg.err.Error()
		return nil
	}
	m.src.Wallet, m.src.Keys, m.src.Owns = msg.src.Wallet, msg.src.Keys, msg.src.Owns
	m.src.PSBT, m.src.Broadcast = msg.src.PSBT, msg.src.Broadcast
	m.buildWalletPages()
	m.active = tabWallet
	w, h := m.pageSize()
	cmds := []tea.Cmd{m.readStatus(), m.autoLockTick()}
	for _, t := range []tab{tabWallet, tabKeys} {
		for _, p := range m.stacks[t] {
			p.SetSize(w, h)
			cmds = append(cmds, p.Init())
		}
	}
	return tea.Batch(cmds...)
}

// applySettings makes saved settings take effect: the theme and units at
// once, the fee rate with the next payment, the auto-lock time from now.
func (m *Model) applySettings(s settings.Settings) tea.Cmd {
	if src := m.src.Settings; src != nil && src.Styles != nil {
		if st, ok := src.Styles(s.Theme); ok {
			// Every page holds this *themes.Styles, so they all follow.
			*m.common.Styles = *st
		}
	}
	u := wallet.UnitsBTC
	if s.Units == settings.UnitsSats {
		u = wallet.UnitsSat
	}
	m.cfg.units = u
	if m.overview != nil {
		m.overview.SetUnits(u)
	}
	if m.send != nil {
		m.send.SetUnits(u)
	}
	// The explorer's pages follow the same setting.
	for _, st := range m.stacks {
		for _, p := range st {
			if p, ok := p.(interface{ SetUnits(explorer.Units) }); ok {
				p.SetUnits(explorerUnits(u))
			}
		}
	}
	if m.psbt != nil {
		m.psbt.SetSats(u == wallet.UnitsSat)
		m.psbt.SetExportDir(s.ExportDir)
	}
	if m.src.Settings != nil {
		m.src.Settings.Current = s
	}
	m.cfg.autoLock = s.AutoLock
	return m.autoLockTick()
}

// explorerUnits maps the wallet's units setting to the explorer's.
func explorerUnits(u wallet.Units) explorer.Units {
	if u == wallet.UnitsSat {
		return explorer.UnitsSat
	}
	return explorer.UnitsBTC
}

// top is the page a tab shows.
func (m *Model) top(t tab) common.Component {
	s := m.stacks[t]
	return s[len(s)-1]
}

// push shows p on tab t, sized to the page area, and starts it.
func (m *Model) push(t tab, p common.Component) tea.Cmd {
	p.SetSize(m.pageSize())
	m.stacks[t] = append(m.stacks[t], p)
	return p.Init()
}

// txView is the page of a transaction, with its inclusion proof when a
// prover is known.
func (m *Model) txView(tx *wire.MsgTx, blockHash chainhash.Hash, height int32) *explorer.TxView {
	opts := []explorer.TxOption{explorer.WithTxUnits(explorerUnits(m.cfg.units))}
	if m.src.Prover != nil {
		opts = append(opts, explorer.WithProver(m.src.Prover))
	}
	if m.src.TxInfo != nil {
		opts = append(opts, explorer.WithTxInfo(m.src.TxInfo))
	}
	if r, ok := m.src.Wallet.(explorer.ReplaceSource); ok {
		opts = append(opts, explorer.WithReplace(r))
	}
	return explorer.NewTxView(m.common, tx, blockHash, height, m.src.Net, m.src.Owns, opts...)
}

// closer is a page with work to stop when it is left.
type closer interface{ Close() }

// pop returns tab t to the page that opened the one shown.
func (m *Model) pop(t tab) {
	if s := m.stacks[t]; len(s) > 1 {
		if c, ok := s[len(s)-1].(closer); ok {
			c.Close()
		}
		s[len(s)-1] = nil
		m.stacks[t] = s[:len(s)-1]
	}
}

// shown reports whether p is on one of the tabs' stacks.
func (m *Model) shown(p common.Component) bool {
	for _, s := range m.stacks {
		for _, q := range s {
			if q == p {
				return true
			}
		}
	}
	return false
}

// navigate turns the pages' requests to open or leave a page into page
// changes.
func (m *Model) navigate(msg tea.Msg) tea.Cmd {
	c := m.common
	switch msg := msg.(type) {
	case explorer.BlockSelectedMsg:
		hash, err := chainhash.NewHashFromStr(msg.Hash)
		if err != nil {
			return nil
		}
		opts := []explorer.BlockOption{explorer.WithBlockNetwork(m.src.Net),
			explorer.WithBlockUnits(explorerUnits(m.cfg.units))}
		if m.src.Search != nil {
			opts = append(opts, explorer.WithBlockSearch(m.src.Search, m.src.Net))
		}
		return m.push(tabExplorer, explorer.NewBlockView(c, m.src.Blocks, msg.Height, *hash, opts...))
	case explorer.TxSelectedMsg:
		return m.push(m.active, m.txView(msg.Tx, msg.BlockHash, msg.Height))
	case explorer.AddressSearchMsg:
		if m.src.Search == nil {
			return nil
		}
		return m.push(m.active, explorer.NewAddressView(c, m.src.Search, m.src.Net, msg.Address, msg.Script,
			explorer.WithAddressCache(m.addrCache)))
	case explorer.BackMsg:
		m.pop(m.active)
	case wallet.ReceiveRequestedMsg:
		if m.overview == nil || m.onReceive() {
			return nil
		}
		if m.receive == nil {
			m.receive = wallet.NewReceive(c, m.src.Wallet, m.src.Net)
			return m.push(tabWallet, m.receive)
		}
		m.receive.SetSize(m.pageSize())
		m.stacks[tabWallet] = append(m.stacks[tabWallet], m.receive)
	case wallet.SendRequestedMsg:
		if m.overview == nil || m.active != tabWallet || m.top(tabWallet) != common.Component(m.overview) {
			return nil
		}
		if m.send == nil {
			m.send = wallet.NewSend(c, m.src.Wallet, m.src.Net, wallet.WithSendUnits(m.overview.Units()))
			return m.push(tabWallet, m.send)
		}
		m.send.SetUnits(m.overview.Units())
		m.send.SetSize(m.pageSize())
		m.stacks[tabWallet] = append(m.stacks[tabWallet], m.send)
		return m.send.Refresh()
	case wallet.SendClosedMsg:
		if m.send != nil && m.top(tabWallet) == common.Component(m.send) {
			m.pop(tabWallet)
		}
	case wallet.PSBTRequestedMsg:
		if m.src.PSBT == nil || m.overview == nil || m.top(tabWallet) != common.Component(m.overview) {
			return nil
		}
		if m.psbt == nil {
			m.psbt = m.newPSBTPage()
			return m.push(tabWallet, m.psbt)
		}
		m.psbt.SetSize(m.pageSize())
		m.stacks[tabWallet] = append(m.stacks[tabWallet], m.psbt)
	case psbtpage.ClosedMsg:
		if m.psbt != nil && m.top(tabWallet) == common.Component(m.psbt) {
			m.pop(tabWallet)
		}
	case wallet.CoinsRequestedMsg:
		if m.overview == nil || m.top(tabWallet) != common.Component(m.overview) {
			return nil
		}
		return m.push(tabWallet, wallet.NewCoins(c, m.src.Wallet, m.src.Net, wallet.WithUnits(m.overview.Units())))
	case wallet.LabelRequestedMsg:
		if m.src.Wallet == nil {
			return nil
		}
		return m.push(m.active, wallet.NewLabelEdit(c, m.src.Wallet, msg.Key, msg.Current, ""))
	case wallet.LabelCancelledMsg:
		if _, ok := m.top(m.active).(*wallet.LabelEdit); ok {
			m.pop(m.active)
		}
	case wallet.TxSelectedMsg:
		return m.walletTx(msg.Txid)
	case walletTxMsg:
		e := msg.entry
		return m.push(tabWallet, m.txView(e.Tx, msg.blockHash, e.Height))
	}
	return nil
}

// walletTx returns a command that finds the block of the wallet transaction
// txid, for its transaction page; unconfirmed transactions have none.
func (m *Model) walletTx(txid chainhash.Hash) tea.Cmd {
	if m.overview == nil {
		return nil
	}
	e, ok := m.overview.Selected()
	if !ok || e.Txid != txid || e.Tx == nil {
		return nil
	}
	blocks := m.src.Blocks
	return func() tea.Msg {
		msg := walletTxMsg{entry: e}
		if e.Height > 0 && blocks != nil {
			if hdr, err := blocks.Header(e.Height); err == nil && hdr != nil {
				msg.blockHash = hdr.BlockHash()
			}
		}
		return msg
	}
}

// message is a page of one line of text, for a tab with nothing else to
// show.
type message struct {
	common common.Common
	text   string
}

var _ common.Component = (*message)(nil)

func (p *message) Init() tea.Cmd                       { return nil }
func (p *message) Update(tea.Msg) (tea.Model, tea.Cmd) { return p, nil }
func (p *message) SetSize(width, height int)           { p.common.SetSize(width, height) }
func (p *message) ShortHelp() []key.Binding            { return nil }
func (p *message) FullHelp() [][]key.Binding           { return nil }

// View draws the text, cut to the width.
func (p *message) View() tea.View {
	if p.common.Width <= 0 || p.common.Height <= 0 {
		return tea.NewView("")
	}
	line := ansi.Truncate(p.text, p.common.Width, "…")
	return tea.NewView(p.common.Styles.Normal.Render(line) + strings.Repeat("\n", p.common.Height-1))
}
