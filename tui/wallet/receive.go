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

// GapSource lets the receive page warn before it hands out an address a
// wallet restored from the seed would not find. A Source that also
// implements it gets the warning; the app's adapter does.
type GapSource interface {
	// ReceiveGap returns the index NextAddress hands out next, one more
	// than the highest receive index that got a payment (0 when none
	// did), and the wallet's gap limit.
	ReceiveGap() (next, used, gapLimit uint32, err error)
	// ReceiveAddress returns the receive address at index, handed out
	// before, without handing out another.
	ReceiveAddress(index uint32) (string, error)
}

// gapWarning is where an address beyond the gap limit would stand.
type gapWarning struct {
	next, used, limit uint32
}

// addressMsg carries a newly handed-out address back to the page that
// asked, or the warning that the next one is beyond the gap limit.
type addressMsg struct {
	id    int64
	seq   uint64
	addr  address.Address
	index uint32
	gap   *gapWarning
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
	gap     *gapWarning // asking whether to hand out an address beyond the gap limit
	full    bool        // the address is shown alone, in full

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
func (m *Receive) Capturing() bool { return m.input.Focused() || m.gap != nil || m.full }

// URI returns the current payment request, or "" before an address is known.
func (m *Receive) URI() string { return m.uri }

// ShortHelp returns the bindings for the help bar.
func (m *Receive) ShortHelp() []key.Binding {
	k := m.KeyMap
	switch {
	case m.gap != nil:
		return []key.Binding{k.HandOut, k.KeepAddress}
	case m.full:
		return []key.Binding{k.CloseFull, copyHelp(k.Copy, "address")}
	case m.input.Focused():
		return []key.Binding{k.DoneAmount}
	case m.addr == nil:
		return []key.Binding{k.NewAddress}
	}
	return []key.Binding{k.NewAddress, k.EditAmount, k.FullAddress, copyHelp(k.Copy, "address")}
}

// FullHelp returns the bindings of what the page shows for the help
// overlay: the page, the warning about the gap limit or the address in
// full.
func (m *Receive) FullHelp() [][]key.Binding {
	k := m.KeyMap
	switch {
	case m.gap != nil:
		return [][]key.Binding{{k.HandOut, k.KeepAddress}}
	case m.full:
		return [][]key.Binding{{k.CloseFull, copyHelp(k.Copy, "address or payment request")}}
	}
	return [][]key.Binding{{k.NewAddress, k.EditAmount, k.DoneAmount, k.FullAddress,
		copyHelp(k.Copy, "address or payment request")}}
}

// Update edits the amount, asks for new addresses and applies their results.
func (m *Receive) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case addressMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.waiting = false
			m.err = msg.err
			m.gap = msg.gap
			if msg.err == nil && msg.gap == nil {
				m.addr, m.index = msg.addr, msg.index
			}
			m.rebuild()
		}
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case m.gap != nil:
			return m, m.gapKey(msg)
		case m.full:
			switch {
			case key.Matches(msg, m.KeyMap.CloseFull):
				m.full = false
			case key.Matches(msg, m.KeyMap.Copy):
				return m, m.copyCmd()
			}
			return m, nil
		}
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
		case key.Matches(msg, m.KeyMap.FullAddress) && m.addr != nil:
			m.full = true
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

// gapKey answers the warning about an address beyond the gap limit: hand
// it out anyway, or keep the last address (shown again when the page has
// none yet).
func (m *Receive) gapKey(msg tea.KeyPressMsg) tea.Cmd {
	g := m.gap
	switch {
	case key.Matches(msg, m.KeyMap.HandOut):
		m.gap = nil
		return m.handOut(true)
	case key.Matches(msg, m.KeyMap.KeepAddress):
		m.gap = nil
		if m.addr == nil && g.next > 0 {
			return m.show(g.next - 1)
		}
	}
	return nil
}

// fetch returns a command that hands out a new address, or warns first
// when it would be beyond the gap limit.
func (m *Receive) fetch() tea.Cmd { return m.handOut(false) }

// handOut returns a command that hands out a new address; unless anyway,
// it first checks the gap limit.
func (m *Receive) handOut(anyway bool) tea.Cmd {
	m.seq++
	m.waiting = true
	id, seq, src, net := m.id, m.seq, m.src, m.net
	return func() tea.Msg { return nextAddress(src, net, id, seq, anyway) }
}

// show returns a command that shows the receive address at index again.
func (m *Receive) show(index uint32) tea.Cmd {
	m.seq++
	m.waiting = true
	id, seq, src, net := m.id, m.seq, m.src, m.net
	return func() tea.Msg {
		msg := addressMsg{id: id, seq: seq, index: index}
		gs, ok := src.(GapSource)
		if !ok {
			msg.err = fmt.Errorf("the wallet cannot show address #%d again", index)
			return msg
		}
		s, err := gs.ReceiveAddress(index)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.addr, msg.err = decodeReceive(s, net)
		return msg
	}
}

// beyondGap returns the warning when the next receive address would have
// at least the gap limit of unused addresses before it, so that a wallet
// restored from the seed would stop looking before it.
func beyondGap(next, used, limit uint32) *gapWarning {
	if limit == 0 || next < used || next-used < limit {
		return nil
	}
	return &gapWarning{next: next, used: used, limit: limit}
}

func nextAddress(src Source, net *chaincfg.Params, id int64, seq uint64, anyway bool) addressMsg {
	msg := addressMsg{id: id, seq: seq}
	if src == nil || net == nil {
		msg.err = fmt.Errorf("no wallet is open")
		return msg
	}
	if gs, ok := src.(GapSource); ok && !anyway {
		next, used, limit, err := gs.ReceiveGap()
		if err != nil {
			msg.err = fmt.Errorf("checking the gap limit: %w", err)
			return msg
		}
		if msg.gap = beyondGap(next, used, limit); msg.gap != nil {
			return msg
		}
	}
	s, index, err := src.NextAddress()
	if err != nil {
		msg.err = err
		return msg
	}
	msg.index = index
	msg.addr, msg.err = decodeReceive(s, net)
	return msg
}

// decodeReceive checks that the wallet gave an address of net.
func decodeReceive(s string, net *chaincfg.Params) (address.Address, error) {
	a, err := address.DecodeAddress(s, net)
	if err != nil || !a.IsForNet(net) {
		return nil, fmt.Errorf("the wallet gave address %q, which is not a %s address", s, net.Name)
	}
	return a, nil
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
