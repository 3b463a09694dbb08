package wallet

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/amount"
	"github.com/satchelbtc/satchel/wallet/bip21"
)

// enlargeQR replaces the QR code when the terminal is too small for it.
const enlargeQR = "Enlarge the terminal to see the QR code."

// addressMsg carries a newly handed-out address back to the page that asked.
type addressMsg struct {
	id    int64
	seq   uint64
	addr  address.Address
	index uint32
	err   error
}

// Receive is the receive page: a fresh address, an optional amount, the
// BIP21 request built from them and its QR code.
type Receive struct {
	// KeyMap holds the page's own bindings.
	KeyMap KeyMap

	common common.Common
	src    Source
	net    *chaincfg.Params
	id     int64
	seq    uint64

	waiting bool
	addr    address.Address
	index   uint32
	err     error

	input  amountField
	amount btcutil.Amount // 0 when none or invalid
	amtErr error

	uri string
	qrs []common.QRCode // the request at falling error correction levels
}

var _ common.Component = (*Receive)(nil)

// NewReceive returns the receive page; addresses are checked against net.
// Its Init command hands out an address, so build it once per wallet.
func NewReceive(c common.Common, src Source, net *chaincfg.Params) *Receive {
	in := newAmountField()
	return &Receive{
		KeyMap: DefaultKeyMap(),
		common: c,
		src:    src,
		net:    net,
		id:     lastID.Add(1),
		input:  in,
	}
}

// Init hands out the first address.
func (m *Receive) Init() tea.Cmd { return m.fetch() }

// SetSize sets the size the page draws in.
func (m *Receive) SetSize(width, height int) { m.common.SetSize(width, height) }

// Capturing reports whether the amount field takes keys; the root then
// sends it every key instead of treating 1–5, q or tab as global.
func (m *Receive) Capturing() bool { return m.input.Focused() }

// URI returns the current payment request, or "" before an address is known.
func (m *Receive) URI() string { return m.uri }

// ShortHelp returns the bindings for the help bar.
func (m *Receive) ShortHelp() []key.Binding {
	if m.input.Focused() {
		return []key.Binding{m.KeyMap.DoneAmount}
	}
	return []key.Binding{m.KeyMap.NewAddress, m.KeyMap.EditAmount, copyHelp(m.KeyMap.Copy, "address")}
}

// FullHelp returns the page's bindings for the help overlay.
func (m *Receive) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.KeyMap.NewAddress, m.KeyMap.EditAmount, m.KeyMap.DoneAmount,
		copyHelp(m.KeyMap.Copy, "address or payment request")}}
}

// Update edits the amount, asks for new addresses and applies their results.
func (m *Receive) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case addressMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.waiting = false
			m.err = msg.err
			if msg.err == nil {
				m.addr, m.index = msg.addr, msg.index
			}
			m.rebuild()
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.input.Focused() {
			if key.Matches(msg, m.KeyMap.DoneAmount) {
				m.input.Blur()
				return m, nil
			}
			m.input.Update(msg)
			m.parseAmount()
			return m, nil
		}
		switch {
		case key.Matches(msg, m.KeyMap.NewAddress):
			if m.waiting {
				return m, nil
			}
			return m, m.fetch()
		case key.Matches(msg, m.KeyMap.EditAmount):
			m.input.Focus()
			return m, nil
		case key.Matches(msg, m.KeyMap.Copy):
			return m, m.copyCmd()
		}
		return m, nil
	case tea.PasteMsg:
		if m.input.Focused() {
			m.input.Update(msg)
			m.parseAmount()
		}
	}
	return m, nil
}

// fetch returns a command that hands out a new address.
func (m *Receive) fetch() tea.Cmd {
	m.seq++
	m.waiting = true
	id, seq, src, net := m.id, m.seq, m.src, m.net
	return func() tea.Msg { return nextAddress(src, net, id, seq) }
}

func nextAddress(src Source, net *chaincfg.Params, id int64, seq uint64) addressMsg {
	msg := addressMsg{id: id, seq: seq}
	if src == nil || net == nil {
		msg.err = fmt.Errorf("no wallet is open")
		return msg
	}
	s, index, err := src.NextAddress()
	if err != nil {
		msg.err = err
		return msg
	}
	a, err := address.DecodeAddress(s, net)
	if err != nil || !a.IsForNet(net) {
		msg.err = fmt.Errorf("the wallet gave address %q, which is not a %s address", s, net.Name)
		return msg
	}
	msg.addr, msg.index = a, index
	return msg
}

// parseAmount validates the field as the user types; an empty field asks
// for no amount.
func (m *Receive) parseAmount() {
	m.amount, m.amtErr = 0, nil
	if strings.TrimSpace(m.input.Value()) != "" {
		a, err := amount.Parse(m.input.Value())
		if err != nil {
			m.amtErr = err
		} else {
			m.amount = a
		}
	}
	m.rebuild()
}

// rebuild makes the URI and its QR codes from the address and amount. It
// runs in Update, so View only lays out.
func (m *Receive) rebuild() {
	m.uri, m.qrs = "", nil
	if m.addr == nil {
		return
	}
	u := bip21.URI{Address: m.addr, Amount: m.amount}
	m.uri = u.String()
	m.qrs = common.RenderQRs(m.uri)
}
