package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/explorer"
	"github.com/satchelbtc/satchel/tui/node"
	"github.com/satchelbtc/satchel/tui/wallet"
	core "github.com/satchelbtc/satchel/wallet"
)

// tab is one of the tabs, in the order of the tab bar and of keys 1, 2, 3.
type tab int

const (
	tabWallet tab = iota
	tabExplorer
	tabNode
	numTabs
)

// tabNames are the titles in the tab bar.
var tabNames = [numTabs]string{"Wallet", "Explorer", "Node"}

// noWalletText is the whole Wallet tab when the network has no wallet.
const noWalletText = "No wallet on this network: create one with 'satchel wallet create'"

// walletTxMsg carries a wallet transaction, and the hash of the block it is
// in, to the transaction page.
type walletTxMsg struct {
	entry     core.HistoryEntry
	blockHash chainhash.Hash
}

// pageStyles maps the theme onto the styles the pages draw with.
func pageStyles(s *themes.Styles) *common.Styles {
	return &common.Styles{
		TableHeader: s.TableHeader,
		Row:         s.Normal,
		SelectedRow: s.Selected,
		Muted:       s.Muted,
		Footer:      s.Muted,
		Error:       s.Error,
	}
}

// buildPages makes the first page of every tab.
func (m *Model) buildPages() {
	c := m.common
	if m.src.Wallet != nil {
		m.overview = wallet.NewOverview(c, m.src.Wallet, wallet.WithUnits(m.cfg.units), wallet.WithLocation(m.cfg.loc))
		m.stacks[tabWallet] = []common.Component{m.overview}
	} else {
		m.stacks[tabWallet] = []common.Component{&message{common: c, text: noWalletText}}
	}
	m.list = explorer.New(c, m.src.Headers, explorer.WithClock(m.cfg.now))
	m.stacks[tabExplorer] = []common.Component{m.list}
	m.node = node.New(c, m.src.Node, node.WithClock(m.cfg.now), node.WithInterval(m.cfg.interval))
	m.stacks[tabNode] = []common.Component{m.node}
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

// pop returns tab t to the page that opened the one shown.
func (m *Model) pop(t tab) {
	if s := m.stacks[t]; len(s) > 1 {
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
		return m.push(tabExplorer, explorer.NewBlockView(c, m.src.Blocks, msg.Height, *hash))
	case explorer.TxSelectedMsg:
		return m.push(tabExplorer, explorer.NewTxView(c, msg.Tx, msg.BlockHash, msg.Height, m.src.Net, m.src.Owns))
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
	case wallet.TxSelectedMsg:
		return m.walletTx(msg.Txid)
	case walletTxMsg:
		e := msg.entry
		return m.push(tabWallet, explorer.NewTxView(c, e.Tx, msg.blockHash, e.Height, m.src.Net, m.src.Owns))
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
	return tea.NewView(p.common.Styles.Row.Render(line) + strings.Repeat("\n", p.common.Height-1))
}
