package wallet

// The send flow: a form (recipient, amount, fee rate, label) validated as
// the user types (send_validate.go), an optional coin control list
// (send_coins.go), and a review of the drafted PSBT from which the user
// signs and broadcasts or exports it (send_review.go); send_view.go draws
// the form and the coin list. This file holds the model, its keys and its
// commands. Every call to the SendSource runs in a tea.Cmd; results carry the
// page's ID and a sequence number per kind of request, so results for
// another page or overtaken by a newer request are dropped.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/amount"
	"github.com/satchelbtc/satchel/wallet/bip21"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// SendSource is what the send flow needs from the wallet and node. The app
// adapts wallet.Wallet and the node to it. Calls are made from a tea.Cmd,
// never from Update or View, so they may block.
type SendSource interface {
	// Balance returns the wallet's balance and the height it has scanned
	// to, as Source.Balance does.
	Balance() (core.Balance, int32, error)
	// Coins returns the wallet's unspent outputs, frozen ones included,
	// and the tip height.
	Coins() ([]*core.Output, int32, error)
	// Draft builds an unsigned payment (wallet.CreatePSBT); the
	// implementation fills req.TipHeight.
	Draft(req *core.SendRequest) (*core.Draft, error)
	// Review says what a draft pays: outputs marked ours or change, the
	// fee, fee rate, size and warnings.
	Review(d *core.Draft) (*psbtx.Review, error)
	// Unlocked reports whether the wallet's signer is held, so that
	// signing needs no password.
	Unlocked() bool
	// WatchOnly reports whether the wallet has no keys to sign with.
	WatchOnly() bool
	// SignAndBroadcast signs the draft and hands it to the network,
	// saving label with the transaction. password is nil when Unlocked;
	// a wrong one gives an error wrapping keystore.ErrWrongPassword.
	SignAndBroadcast(ctx context.Context, d *core.Draft, password []byte, label string) (txid string, err error)
	// ExportPSBT writes the draft as a binary BIP174 file, mode 0600.
	ExportPSBT(d *core.Draft, path string) error
	// DefaultFeeRate is the fee rate from the settings, in sat/vB.
	DefaultFeeRate() float64
	// Labels returns every label by key, as CoinsSource.Labels does, so
	// that coin control and the review name the coins.
	Labels() (map[string]string, error)
}

// SendClosedMsg is emitted when the user leaves the send flow (esc on the
// form, or closing it after a payment was sent); the root shows the page
// under it.
type SendClosedMsg struct{}

// SentMsg is emitted once a payment was signed and broadcast; the root
// refreshes the wallet.
type SentMsg struct {
	Txid string
}

// SendKeyMap holds the bindings of the send flow. Each state uses a subset;
// bindings of different states may share keys.
type SendKeyMap struct {
	// NextField and PrevField move between the form's fields.
	NextField key.Binding
	PrevField key.Binding
	// Review drafts the payment and shows what it pays.
	Review key.Binding
	// CoinControl opens the list of coins to choose from.
	CoinControl key.Binding
	// Close leaves the form (or the flow, once a payment was sent).
	Close key.Binding
	// ToggleCoin chooses or unchooses the coin under the cursor.
	ToggleCoin key.Binding
	// DoneCoins returns from coin control to the form.
	DoneCoins key.Binding
	// Sign signs and broadcasts the reviewed payment.
	Sign key.Binding
	// Export writes the reviewed payment as a PSBT file.
	Export key.Binding
	// Force accepts a fee the wallet's limits call absurd (see
	// psbtx.FeeLimits), as --force does on the command line; until then
	// the payment can be neither signed nor exported.
	Force key.Binding
	// Edit returns from the review to the form, keeping its values.
	Edit key.Binding
	// Confirm and Cancel answer a prompt (password, file name).
	Confirm key.Binding
	Cancel  key.Binding
	// LowerFee and HigherFee put the next lower or higher fee suggestion
	// into the fee field while it is focused.
	LowerFee  key.Binding
	HigherFee key.Binding
	// Refresh re-reads the coins and the fee suggestions.
	Refresh key.Binding
}

// DefaultSendKeyMap returns the default bindings of the send flow. Coin
// control is ctrl+o because ctrl+u clears a text field.
func DefaultSendKeyMap() SendKeyMap {
	return SendKeyMap{
		NextField:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Review:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "review")),
		CoinControl: key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "coin control")),
		Close:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		ToggleCoin:  key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "choose coin")),
		DoneCoins:   key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "done")),
		Sign:        key.NewBinding(key.WithKeys("s", "enter"), key.WithHelp("s/enter", "send (sign & broadcast)")),
		Export:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export PSBT")),
		Force:       key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "build it anyway")),
		Edit:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "edit")),
		Confirm:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		LowerFee:    key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "lower fee suggestion")),
		HigherFee:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "higher fee suggestion")),
		Refresh:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh coins and fees")),
	}
}

// SendOption changes how NewSend builds a Send.
type SendOption func(*Send)

// WithSendUnits sets the units amounts are shown in; the default is BTC.
func WithSendUnits(u Units) SendOption {
	return func(m *Send) { m.units = u }
}

// The form's fields, in tab order.
const (
	sendFieldTo = iota
	sendFieldAmount
	sendFieldFee
	sendFieldLabel
	sendFieldCount
)

var sendFieldTitles = [sendFieldCount]string{
	"To — address or bitcoin: URI",
	"Amount",
	"Fee rate (sat/vB)",
	"Label (optional)",
}

// sendState is which screen of the flow is shown.
type sendState int

const (
	sendStateForm sendState = iota
	sendStateCoins
	sendStateReview
)

// Results of the flow's commands.
type (
	sendLoadMsg struct {
		id      int64
		seq     uint64
		balance core.Balance
		tip     int32
		coins   []coin
		feeRate float64
		err     error
		// labelErr is why the labels could not be read; the coins are
		// listed without them.
		labelErr error
	}
	sendDraftMsg struct {
		id        int64
		seq       uint64
		draft     *core.Draft
		review    *psbtx.Review
		unlocked  bool
		watchOnly bool
		err       error
		// feeRefusal is the wallet's refusal of the fee (ErrAbsurdFee);
		// draft is then the same payment drafted with Force, for the
		// review to show before the user accepts the fee.
		feeRefusal error
	}
	sendSignedMsg struct {
		id   int64
		seq  uint64
		txid string
		err  error
	}
	sendExportedMsg struct {
		id   int64
		seq  uint64
		path string
		err  error
	}
)

// Send is the Wallet tab's send flow: the payment form, coin control and the
// review from which the payment is signed and broadcast or exported.
type Send struct {
	// KeyMap holds the flow's own bindings; list movement comes from
	// Common.
	KeyMap SendKeyMap

	common common.Common
	src    SendSource
	net    *chaincfg.Params
	units  Units
	now    func() time.Time
	id     int64
	// One sequence per kind of request, so that a coin read does not
	// drop a draft and the other way round.
	loadSeq, draftSeq, actSeq uint64

	state sendState

	// The form.
	fields     [sendFieldCount]textinput.Model
	focus      int
	feeTouched bool   // the user typed a fee rate: the default must not replace it
	lastURI    string // the payment request whose amount and label were applied
	tried      bool   // enter was pressed: empty required fields are errors now
	addr       address.Address
	uriMessage string
	amt        btcutil.Amount
	sendMax    bool
	feeRate    float64
	errs       [sendFieldCount]string

	// The wallet as of the last read.
	loaded       bool
	loadErr      error
	balance      core.Balance
	tip          int32
	coins        []coin // unspent, oldest first as on the Coins page
	coinWidths   coinWidths
	labelErr     error
	spendable    btcutil.Amount // what automatic selection may spend
	defaultRate  float64
	chosen       map[wire.OutPoint]bool
	coinCursor   int
	coinOffset   int
	coinNote     string
	drafting     bool
	draftErr     error
	reviewStatus // the review screen's state, in send_review.go
	feeStatus    // the fee suggestions, in send_fees.go
}

var _ common.Component = (*Send)(nil)

// NewSend returns the send flow for a wallet on net. Its Init command reads
// the wallet's coins and the default fee rate.
func NewSend(c common.Common, src SendSource, net *chaincfg.Params, opts ...SendOption) *Send {
	m := &Send{
		KeyMap: DefaultSendKeyMap(),
		common: c,
		src:    src,
		net:    net,
		now:    time.Now,
		id:     lastID.Add(1),
		chosen: map[wire.OutPoint]bool{},
	}
	for _, o := range opts {
		o(m)
	}
	m.feeSrc, _ = src.(FeeSource)
	// Without a source of suggestions there is nothing to pick.
	m.KeyMap.LowerFee.SetEnabled(m.feeSrc != nil)
	m.KeyMap.HigherFee.SetEnabled(m.feeSrc != nil)
	placeholders := [sendFieldCount]string{
		"address or bitcoin: payment request",
		"0.001, 50000 sat or max",
		"",
		"for your records",
	}
	limits := [sendFieldCount]int{2000, 40, 20, 200}
	for i := range m.fields {
		m.fields[i] = m.newInput(placeholders[i], limits[i])
	}
	m.fields[sendFieldTo].Focus()
	m.input = m.newInput("", 500)
	m.SetSize(c.Width, c.Height)
	return m
}

// newInput returns a text field drawn with the page's styles and a steady
// cursor, so that views do not change with time.
func (m *Send) newInput(placeholder string, limit int) textinput.Model {
	ti := textinput.New()
	ti.Placeholder = placeholder
	ti.CharLimit = limit
	ti.SetStyles(common.InputStyles(m.common.Styles))
	return ti
}

// Init reads the wallet's coins and the default fee rate, and asks the
// node for fee suggestions.
func (m *Send) Init() tea.Cmd { return tea.Batch(m.load(), m.estimate()) }

// Refresh re-reads the coins and the fee suggestions; the app calls it when
// the send form is opened again, and a RefreshMsg does the same.
func (m *Send) Refresh() tea.Cmd { return tea.Batch(m.load(), m.estimate()) }

// SetSize sets the size the flow draws in.
func (m *Send) SetSize(width, height int) {
	m.common.SetSize(width, height)
	w := max(width-len(fieldPrompt)-1, 1)
	for i := range m.fields {
		m.fields[i].SetWidth(w)
	}
	m.input.SetWidth(w)
	m.clampCoins()
}

// Units returns the units amounts are shown in.
func (m *Send) Units() Units { return m.units }

// SetUnits sets the units amounts are shown in, for the Settings tab.
func (m *Send) SetUnits(u Units) {
	m.units = u
	m.coinWidths = measureCoins(m.coins, m.units)
	m.validate()
}

// Capturing reports whether a text field has the keys: always on the form,
// and on the review while it asks for a password or a file name. The root
// then sends every key here instead of treating q, digits or tab as global.
func (m *Send) Capturing() bool {
	switch m.state {
	case sendStateForm:
		return true
	case sendStateReview:
		return m.prompt != sendPromptNone
	}
	return false
}

// Reset empties the form and the review, keeping the default fee rate.
func (m *Send) Reset() {
	for i := range m.fields {
		m.fields[i].Reset()
		m.fields[i].Blur()
	}
	m.fields[sendFieldTo].Focus()
	m.focus = 0
	m.feeTouched, m.tried, m.lastURI = false, false, ""
	if m.defaultRate > 0 {
		m.fields[sendFieldFee].SetValue(formatRate(m.defaultRate))
	}
	clear(m.chosen)
	m.state = sendStateForm
	m.drafting, m.draftErr = false, nil
	m.draftSeq++
	m.clearReview()
	m.validate()
}

// ShortHelp returns the bindings for the help bar of the current screen.
func (m *Send) ShortHelp() []key.Binding {
	k, c := m.KeyMap, m.common.KeyMap
	switch m.state {
	case sendStateCoins:
		return []key.Binding{c.Up, c.Down, k.ToggleCoin, k.DoneCoins}
	case sendStateReview:
		return m.reviewHelp()
	}
	return []key.Binding{k.NextField, k.Review, k.CoinControl, k.Close}
}

// FullHelp returns the bindings of the screen shown for the help overlay,
// so that it fits 80×24.
func (m *Send) FullHelp() [][]key.Binding {
	k, c := m.KeyMap, m.common.KeyMap
	switch m.state {
	case sendStateCoins:
		return [][]key.Binding{{c.Up, c.Down, k.ToggleCoin, k.DoneCoins}}
	case sendStateReview:
		return [][]key.Binding{{k.Force, k.Sign, k.Export, k.Edit, k.Confirm, k.Cancel}}
	}
	return [][]key.Binding{{k.NextField, k.PrevField, k.Review, k.CoinControl, k.Close}, {k.LowerFee, k.HigherFee, k.Refresh}}
}

// Update handles keys and pastes for the screen shown and applies the
// results of the flow's commands.
func (m *Send) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case sendLoadMsg:
		if msg.id == m.id && msg.seq == m.loadSeq {
			m.applyLoad(msg)
		}
	case sendDraftMsg:
		if msg.id == m.id && msg.seq == m.draftSeq && m.drafting {
			m.applyDraft(msg)
		}
	case sendSignedMsg:
		if msg.id == m.id && msg.seq == m.actSeq {
			return m, m.applySigned(msg)
		}
	case sendExportedMsg:
		if msg.id == m.id && msg.seq == m.actSeq {
			m.applyExported(msg)
		}
	case sendFeesMsg:
		if msg.id == m.id && msg.seq == m.feeSeq {
			m.applyFees(msg)
		}
	case RefreshMsg:
		// The wallet or the chain changed: new coins, new blocks.
		return m, m.Refresh()
	case tea.KeyPressMsg:
		switch m.state {
		case sendStateCoins:
			return m, m.coinsKey(msg)
		case sendStateReview:
			return m, m.reviewKey(msg)
		}
		return m, m.formKey(msg)
	default:
		// Pastes, and the clipboard read that ctrl+v starts, go to the
		// focused text field.
		switch {
		case m.state == sendStateForm:
			return m, m.editField(msg)
		case m.state == sendStateReview && m.prompt != sendPromptNone:
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

// formKey handles a key on the form.
func (m *Send) formKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	switch {
	case key.Matches(msg, k.Close):
		m.cancelDraft()
		return func() tea.Msg { return SendClosedMsg{} }
	case key.Matches(msg, k.NextField):
		m.focusField((m.focus + 1) % sendFieldCount)
	case key.Matches(msg, k.PrevField):
		m.focusField((m.focus + sendFieldCount - 1) % sendFieldCount)
	case key.Matches(msg, k.CoinControl):
		m.state = sendStateCoins
		m.coinNote = ""
		m.clampCoins()
	case key.Matches(msg, k.Review):
		return m.submit()
	case key.Matches(msg, k.Refresh):
		return m.Refresh()
	// With suggestions, ← and → in the fee field pick one; without, they
	// move the cursor as in any field.
	case m.focus == sendFieldFee && len(m.suggestedRates()) > 0 && key.Matches(msg, k.LowerFee):
		m.pickFee(-1)
	case m.focus == sendFieldFee && len(m.suggestedRates()) > 0 && key.Matches(msg, k.HigherFee):
		m.pickFee(+1)
	default:
		return m.editField(msg)
	}
	return nil
}

// editField gives msg to the focused field and revalidates when its value
// changed.
func (m *Send) editField(msg tea.Msg) tea.Cmd {
	f := &m.fields[m.focus]
	before := f.Value()
	var cmd tea.Cmd
	*f, cmd = f.Update(msg)
	if f.Value() != before {
		m.edited(m.focus)
	}
	return cmd
}

// edited reacts to a change of field i: a payment request fills the amount
// and label, and an answer to an older form is no longer wanted.
func (m *Send) edited(i int) {
	if i == sendFieldFee {
		m.feeTouched = true
	}
	m.cancelDraft()
	m.draftErr = nil
	if i == sendFieldTo {
		m.applyRequest()
	}
	m.validate()
}

// applyRequest copies the amount and label of a BIP21 request typed or
// pasted into the To field, once per request.
func (m *Send) applyRequest() {
	s := strings.TrimSpace(m.fields[sendFieldTo].Value())
	if s == m.lastURI {
		return
	}
	u, err := bip21.Parse(s, m.net)
	if err != nil {
		return
	}
	m.lastURI = s
	if u.Amount > 0 {
		m.fields[sendFieldAmount].SetValue(amount.FormatDecimal(u.Amount))
	}
	if u.Label != "" {
		m.fields[sendFieldLabel].SetValue(u.Label)
	}
}

func (m *Send) focusField(i int) {
	m.fields[m.focus].Blur()
	m.focus = i
	m.fields[i].Focus()
}

func (m *Send) cancelDraft() {
	if m.drafting {
		m.drafting = false
		m.draftSeq++
	}
}

// submit drafts the payment when the form is valid; otherwise it shows
// what is missing and moves to the first field in error.
func (m *Send) submit() tea.Cmd {
	if m.drafting {
		return nil
	}
	m.tried = true
	m.validate()
	for i, e := range m.errs {
		if e != "" {
			m.focusField(i)
			return nil
		}
	}
	return m.startDraft()
}

// load returns a command that reads the coins and the default fee rate.
func (m *Send) load() tea.Cmd {
	m.loadSeq++
	id, seq, src, net := m.id, m.loadSeq, m.src, m.net
	return func() tea.Msg {
		msg := sendLoadMsg{id: id, seq: seq}
		if src == nil {
			msg.err = fmt.Errorf("no wallet is open")
			return msg
		}
		msg.feeRate = src.DefaultFeeRate()
		if msg.balance, _, msg.err = src.Balance(); msg.err != nil {
			return msg
		}
		outs, tip, err := src.Coins()
		if err != nil {
			msg.err = err
			return msg
		}
		lbls, err := src.Labels()
		if err != nil {
			lbls, msg.labelErr = nil, err
		}
		msg.coins, msg.tip = buildCoins(outs, tip, lbls, net), tip
		return msg
	}
}

// applyLoad takes a coin read in: the list drops chosen coins that are
// gone, and the default fee rate fills the fee field unless the user typed
// or picked a rate, so that a rate changed in Settings reaches the form.
func (m *Send) applyLoad(msg sendLoadMsg) {
	if msg.feeRate > 0 {
		m.defaultRate = msg.feeRate
		if !m.feeTouched {
			m.fields[sendFieldFee].SetValue(formatRate(msg.feeRate))
		}
	}
	m.loadErr = msg.err
	if msg.err != nil {
		m.validate()
		return
	}
	m.loaded = true
	m.labelErr = msg.labelErr
	m.balance, m.tip = msg.balance, msg.tip
	m.coins = msg.coins
	m.coinWidths = measureCoins(m.coins, m.units)
	m.spendable = 0
	present := map[wire.OutPoint]bool{}
	for _, c := range m.coins {
		present[c.out.OutPoint] = true
		if c.spendable() {
			m.spendable += c.out.Value
		}
	}
	for op := range m.chosen {
		if !present[op] {
			delete(m.chosen, op)
		}
	}
	m.clampCoins()
	m.validate()
}

// startDraft returns a command that drafts the payment and reviews it.
func (m *Send) startDraft() tea.Cmd {
	m.draftSeq++
	m.drafting, m.draftErr = true, nil
	req := &core.SendRequest{
		Recipients: []core.Recipient{{Address: m.addr, Amount: m.amt}},
		FeeRate:    m.feeRate,
		SendMax:    m.sendMax,
		Coins:      m.chosenCoins(),
	}
	if m.sendMax {
		req.Recipients[0].Amount = 0
	}
	id, seq, src := m.id, m.draftSeq, m.src
	return func() tea.Msg { return draftPayment(src, req, id, seq) }
}

// draftPayment drafts and reviews the payment req asks for. When the wallet
// refuses its fee as absurd, it drafts the same payment again with Force, so
// that the review can show what that fee is before the user accepts it; a
// fee that is negative, or that cannot be known, is never accepted.
func draftPayment(src SendSource, req *core.SendRequest, id int64, seq uint64) sendDraftMsg {
	msg := sendDraftMsg{id: id, seq: seq}
	if src == nil {
		msg.err = fmt.Errorf("no wallet is open")
		return msg
	}
	d, err := src.Draft(req)
	if psbtx.IsErrorCode(err, psbtx.ErrAbsurdFee) && !req.Force {
		forced := *req
		forced.Force = true
		msg.feeRefusal = err
		d, err = src.Draft(&forced)
	}
	if err != nil {
		msg.err = err
		return msg
	}
	r, err := src.Review(d)
	if err != nil {
		msg.err = fmt.Errorf("the drafted payment cannot be reviewed: %w", err)
		return msg
	}
	if msg.feeRefusal != nil && r.Fee < 0 {
		msg.err = msg.feeRefusal
		return msg
	}
	msg.draft, msg.review = d, r
	msg.unlocked, msg.watchOnly = src.Unlocked(), src.WatchOnly()
	return msg
}

// applyDraft shows the review of a drafted payment, or the reason it could
// not be drafted under the form.
func (m *Send) applyDraft(msg sendDraftMsg) {
	m.drafting = false
	if msg.err != nil {
		m.draftErr = msg.err
		return
	}
	m.clearReview()
	m.draft, m.review = msg.draft, msg.review
	m.unlocked, m.watchOnly = msg.unlocked, msg.watchOnly
	m.feeRefusal = msg.feeRefusal
	m.state = sendStateReview
}
