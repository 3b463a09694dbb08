package wallet

// The send flow: a form (recipient, amount, fee rate, label) validated as
// the user types, an optional coin control list, and a review of the drafted
// PSBT from which the user signs and broadcasts or exports it
// (send_review.go). Every call to the SendSource runs in a tea.Cmd; results
// carry the page's ID and a sequence number per kind of request, so results
// for another page or overtaken by a newer request are dropped.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
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
	// Edit returns from the review to the form, keeping its values.
	Edit key.Binding
	// Confirm and Cancel answer a prompt (password, file name).
	Confirm key.Binding
	Cancel  key.Binding
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
		Sign:        key.NewBinding(key.WithKeys("s", "enter"), key.WithHelp("s/enter", "sign & broadcast")),
		Export:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export PSBT")),
		Edit:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "edit")),
		Confirm:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
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
		coins   []*core.Output
		feeRate float64
		err     error
	}
	sendDraftMsg struct {
		id        int64
		seq       uint64
		draft     *core.Draft
		review    *psbtx.Review
		unlocked  bool
		watchOnly bool
		err       error
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
	coins        []*core.Output // unspent, largest first
	spendable    btcutil.Amount // what automatic selection may spend
	defaultRate  float64
	chosen       map[wire.OutPoint]bool
	coinCursor   int
	coinOffset   int
	coinNote     string
	drafting     bool
	draftErr     error
	reviewStatus // the review screen's state, in send_review.go
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
	plainStyle := lipgloss.NewStyle()
	state := textinput.StyleState{
		Text:        plainStyle,
		Placeholder: m.common.Styles.Muted,
		Suggestion:  m.common.Styles.Muted,
		Prompt:      plainStyle,
	}
	ti.SetStyles(textinput.Styles{Focused: state, Blurred: state, Cursor: textinput.CursorStyle{Blink: false}})
	return ti
}

// Init reads the wallet's coins and the default fee rate.
func (m *Send) Init() tea.Cmd { return m.load() }

// Refresh re-reads the coins; the app calls it when the wallet changes.
func (m *Send) Refresh() tea.Cmd { return m.load() }

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

// FullHelp returns every binding of the flow for the help overlay.
func (m *Send) FullHelp() [][]key.Binding {
	k, c := m.KeyMap, m.common.KeyMap
	return [][]key.Binding{
		{k.NextField, k.PrevField, k.Review, k.CoinControl, k.Close},
		{c.Up, c.Down, k.ToggleCoin, k.DoneCoins},
		{k.Sign, k.Export, k.Edit, k.Confirm, k.Cancel},
	}
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
	id, seq, src := m.id, m.loadSeq, m.src
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
		msg.coins, msg.tip, msg.err = src.Coins()
		return msg
	}
}

// applyLoad takes a coin read in: the list drops spent coins and chosen
// coins that are gone, and the default fee rate fills an untouched field.
func (m *Send) applyLoad(msg sendLoadMsg) {
	if msg.feeRate > 0 {
		m.defaultRate = msg.feeRate
		if !m.feeTouched && m.fields[sendFieldFee].Value() == "" {
			m.fields[sendFieldFee].SetValue(formatRate(msg.feeRate))
		}
	}
	m.loadErr = msg.err
	if msg.err != nil {
		m.validate()
		return
	}
	m.loaded = true
	m.balance, m.tip = msg.balance, msg.tip
	m.coins = m.coins[:0]
	m.spendable = 0
	present := map[wire.OutPoint]bool{}
	for _, o := range msg.coins {
		if o == nil || o.SpentBy != nil {
			continue
		}
		m.coins = append(m.coins, o)
		present[o.OutPoint] = true
		if autoSpendable(o, msg.tip) {
			m.spendable += o.Value
		}
	}
	slices.SortStableFunc(m.coins, func(a, b *core.Output) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return cmp.Compare(a.OutPoint.String(), b.OutPoint.String())
	})
	for op := range m.chosen {
		if !present[op] {
			delete(m.chosen, op)
		}
	}
	m.clampCoins()
	m.validate()
}

// autoSpendable mirrors the wallet's automatic coin selection: confirmed,
// mature and not frozen.
func autoSpendable(o *core.Output, tip int32) bool {
	return o.SpentBy == nil && !o.Frozen && o.Height > 0 && o.Mature(tip)
}

// available returns what the payment may spend: the chosen coins, or the
// spendable balance; known is false before the coins were read.
func (m *Send) available() (total btcutil.Amount, chosen, known bool) {
	if len(m.chosen) > 0 {
		for _, o := range m.coins {
			if m.chosen[o.OutPoint] {
				total += o.Value
			}
		}
		return total, true, true
	}
	return m.spendable, false, m.loaded
}

// chosenCoins returns the chosen coins in list order.
func (m *Send) chosenCoins() []wire.OutPoint {
	var ops []wire.OutPoint
	for _, o := range m.coins {
		if m.chosen[o.OutPoint] {
			ops = append(ops, o.OutPoint)
		}
	}
	return ops
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

func draftPayment(src SendSource, req *core.SendRequest, id int64, seq uint64) sendDraftMsg {
	msg := sendDraftMsg{id: id, seq: seq}
	if src == nil {
		msg.err = fmt.Errorf("no wallet is open")
		return msg
	}
	d, err := src.Draft(req)
	if err != nil {
		msg.err = err
		return msg
	}
	r, err := src.Review(d)
	if err != nil {
		msg.err = fmt.Errorf("the drafted payment cannot be reviewed: %w", err)
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
	m.state = sendStateReview
}

// validate checks every field as typed, keeping the parsed values and one
// message per field. Empty required fields are errors only after enter.
func (m *Send) validate() {
	m.errs = [sendFieldCount]string{}
	m.checkTo()
	m.checkAmount()
	m.checkFee()
}

func (m *Send) checkTo() {
	m.addr, m.uriMessage = nil, ""
	s := strings.TrimSpace(m.fields[sendFieldTo].Value())
	if s == "" {
		if m.tried {
			m.errs[sendFieldTo] = "enter the address to pay, or paste a bitcoin: payment request"
		}
		return
	}
	u, err := bip21.Parse(s, m.net)
	if err != nil {
		if bip21.IsErrorCode(err, bip21.ErrWrongNetwork) {
			m.errs[sendFieldTo] = wrongNetwork(s, m.net)
			return
		}
		m.errs[sendFieldTo] = err.Error()
		return
	}
	m.addr, m.uriMessage = u.Address, u.Message
}

func (m *Send) checkAmount() {
	m.amt, m.sendMax = 0, false
	s := strings.TrimSpace(m.fields[sendFieldAmount].Value())
	avail, chosen, known := m.available()
	of := "the spendable balance of " + formatAmount(avail, m.units, false)
	if chosen {
		of = "the chosen coins' total of " + formatAmount(avail, m.units, false)
	}
	switch {
	case s == "":
		if m.tried {
			m.errs[sendFieldAmount] = "enter an amount, or max to send everything"
		}
		return
	case strings.EqualFold(s, "max"):
		m.sendMax = true
		if known && avail == 0 {
			m.errs[sendFieldAmount] = "there is nothing to send: " + of
		}
		return
	}
	a, err := amount.Parse(s)
	switch {
	case err != nil:
		m.errs[sendFieldAmount] = err.Error()
	case known && a > avail:
		m.errs[sendFieldAmount] = "amount exceeds " + of
	case a < dustLimit(m.addr):
		m.errs[sendFieldAmount] = fmt.Sprintf("%s is below the dust limit of %s for this address: nodes would not relay the payment",
			formatAmount(a, m.units, false), amount.FormatSat(dustLimit(m.addr)))
	default:
		m.amt = a
	}
}

func (m *Send) checkFee() {
	m.feeRate = 0
	s := strings.TrimSpace(m.fields[sendFieldFee].Value())
	if len(s) >= len("sat/vb") && strings.EqualFold(s[len(s)-len("sat/vb"):], "sat/vb") {
		s = strings.TrimSpace(s[:len(s)-len("sat/vb")])
	}
	if s == "" {
		if m.tried {
			m.errs[sendFieldFee] = "enter a fee rate in sat/vB, like 2 or 12.5"
		}
		return
	}
	r, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(r) || math.IsInf(r, 0):
		m.errs[sendFieldFee] = fmt.Sprintf("fee rate %q is not a number: enter sat/vB, like 2 or 12.5", s)
	case r <= 0:
		m.errs[sendFieldFee] = "the fee rate must be more than 0 sat/vB"
	case r > core.AbsurdFeeRateSatVB:
		m.errs[sendFieldFee] = fmt.Sprintf("%s sat/vB is an absurd fee rate: at most %s sat/vB",
			formatRate(r), common.FormatInt(core.AbsurdFeeRateSatVB))
	default:
		m.feeRate = r
	}
}

// wrongNetwork explains an address of another network by its encoding:
// bech32 prefixes tell mainnet, testnet/signet ("tb") and regtest apart,
// while the base58 prefixes of all test networks are the same.
func wrongNetwork(s string, net *chaincfg.Params) string {
	a := s
	if len(a) > len(bip21.Scheme) && strings.EqualFold(a[:len(bip21.Scheme)+1], bip21.Scheme+":") {
		a = a[len(bip21.Scheme)+1:]
	}
	a, _, _ = strings.Cut(a, "?")
	kind := ""
	lower := strings.ToLower(a)
	if i := strings.LastIndexByte(lower, '1'); i > 0 && chaincfg.IsBech32SegwitPrefix(lower[:i+1]) {
		switch lower[:i] {
		case chaincfg.MainNetParams.Bech32HRPSegwit:
			kind = "mainnet"
		case chaincfg.TestNet3Params.Bech32HRPSegwit:
			kind = "testnet or signet"
		case chaincfg.RegressionNetParams.Bech32HRPSegwit:
			kind = "regtest"
		}
	}
	if kind == "" {
		for _, p := range []struct {
			params *chaincfg.Params
			name   string
		}{{&chaincfg.MainNetParams, "mainnet"}, {&chaincfg.TestNet3Params, "testnet, signet or regtest"}} {
			if d, err := address.DecodeAddress(a, p.params); err == nil && d.IsForNet(p.params) {
				kind = p.name
				break
			}
		}
	}
	if kind == "" {
		return fmt.Sprintf("%s is not an address of %s, the network of this wallet", common.ShortID(a, 16), net.Name)
	}
	return fmt.Sprintf("%s is a %s address; this wallet is on %s", common.ShortID(a, 24), kind, net.Name)
}

// dustLimit is the smallest amount an output to a may carry and still be
// relayed (Bitcoin Core's dust rule at 3 sat/vB); without an address it is
// the lowest limit of any standard output.
func dustLimit(a address.Address) btcutil.Amount {
	const relayRate = 3
	if a == nil {
		return 294
	}
	script, err := txscript.PayToAddrScript(a)
	if err != nil {
		return 546
	}
	size := 8 + int64(wire.VarIntSerializeSize(uint64(len(script)))) + int64(len(script))
	if txscript.IsWitnessProgram(script) {
		size += 32 + 4 + 1 + 107/4 + 4
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return btcutil.Amount(size * relayRate)
}

// formatRate writes a fee rate without trailing zeros.
func formatRate(r float64) string {
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// coinsKey handles a key on the coin control list.
func (m *Send) coinsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	switch {
	case key.Matches(msg, k.DoneCoins), key.Matches(msg, k.CoinControl):
		m.state = sendStateForm
		m.validate()
	case key.Matches(msg, k.ToggleCoin):
		if m.coinCursor < len(m.coins) {
			o := m.coins[m.coinCursor]
			switch {
			case m.chosen[o.OutPoint]:
				delete(m.chosen, o.OutPoint)
			case !o.Mature(m.tip):
				m.coinNote = "That coin is newly mined and cannot be spent until it has 100 confirmations."
				return nil
			default:
				m.chosen[o.OutPoint] = true
			}
			m.coinNote = ""
			m.cancelDraft()
			m.validate()
		}
	case common.MoveCursor(msg, m.common.KeyMap, &m.coinCursor, &m.coinOffset, len(m.coins), m.coinRows()):
		m.clampCoins()
	}
	return nil
}

// coinHeaderLines is the height above the coin rows: title, note, column
// titles.
const coinHeaderLines = 3

func (m *Send) coinRows() int { return max(m.common.Height-coinHeaderLines-1, 0) }

func (m *Send) clampCoins() {
	m.coinCursor, m.coinOffset = common.ClampCursor(m.coinCursor, m.coinOffset, len(m.coins), m.coinRows())
}

// View draws the screen of the flow that is shown, exactly Height lines of
// at most Width cells.
func (m *Send) View() tea.View { return tea.NewView(m.render()) }

func (m *Send) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	var body []string
	switch m.state {
	case sendStateCoins:
		body = m.coinLines(w)
	case sendStateReview:
		body = m.reviewLines(w)
	default:
		body = m.formLines(w)
	}
	return sendFrame(body, m.footer(), m.common.Styles, w, h)
}

// sendFrame cuts or pads body to leave the last line for the footer.
func sendFrame(body []string, footer string, st *common.Styles, w, h int) string {
	if len(body) > h-1 {
		body = body[:max(h-1, 0)]
	}
	for len(body) < h-1 {
		body = append(body, "")
	}
	if h > 1 {
		body = append(body, st.Footer.Render(common.Fit(footer, w)))
	} else {
		body = body[:h]
	}
	return strings.Join(body, "\n")
}

// footer lists the keys of the screen shown.
func (m *Send) footer() string {
	var parts []string
	for _, b := range m.ShortHelp() {
		if b.Enabled() {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(parts, " · ")
}

// formLines draws the form.
func (m *Send) formLines(w int) []string {
	st := m.common.Styles
	out := []string{st.TableHeader.Render(common.Fit(titleRight("Send", m.availableText(), w), w))}
	if m.loadErr != nil {
		out = append(out, st.Error.Render(common.Fit("Could not read the wallet's coins: "+m.loadErr.Error(), w)))
	} else {
		out = append(out, "")
	}
	for i := range m.fields {
		title := "  " + sendFieldTitles[i]
		if i == m.focus {
			title = st.TableHeader.Render(common.Fit("▸ "+sendFieldTitles[i], w))
		}
		out = append(out, common.Fit(title, w), common.Fit(m.fields[i].View(), w))
		if e := m.errs[i]; e != "" {
			lines := common.WordWrap(e, w-2)
			if len(lines) > 2 {
				lines = []string{lines[0], common.Fit(lines[1]+" "+lines[2], w-2)}
			}
			for _, l := range lines {
				out = append(out, st.Error.Render(common.Fit("  "+l, w)))
			}
		} else {
			out = append(out, st.Muted.Render(common.Fit("  "+m.hint(i), w)))
		}
	}
	out = append(out, "", common.Fit(m.coinsSummary(), w))
	switch {
	case m.drafting:
		out = append(out, st.Muted.Render(common.Fit("Preparing the payment…", w)))
	case m.draftErr != nil:
		for _, l := range common.WordWrap("Could not prepare the payment: "+m.draftErr.Error(), w) {
			out = append(out, st.Error.Render(common.Fit(l, w)))
		}
	}
	return out
}

// titleRight writes left and right on one line of w cells, dropping right
// when they do not both fit.
func titleRight(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if right == "" || gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// availableText is what the payment may spend, for the title line.
func (m *Send) availableText() string {
	avail, chosen, known := m.available()
	switch {
	case !known && m.loadErr == nil:
		return "reading coins…"
	case !known:
		return ""
	case chosen:
		return "chosen coins " + formatAmount(avail, m.units, false)
	}
	return "spendable " + formatAmount(avail, m.units, false)
}

// hint is the muted line under field i when it has no error.
func (m *Send) hint(i int) string {
	switch i {
	case sendFieldTo:
		if m.addr != nil {
			s := "pays " + m.addr.EncodeAddress()
			if m.uriMessage != "" {
				s += " · " + m.uriMessage
			}
			return s
		}
		return "a " + m.net.Name + " address, or a bitcoin: URI with amount and label"
	case sendFieldAmount:
		switch {
		case m.sendMax:
			return "everything spendable, less the fee"
		case m.amt > 0:
			other := UnitsSat
			if m.units == UnitsSat {
				other = UnitsBTC
			}
			return formatAmount(m.amt, m.units, false) + " = " + formatAmount(m.amt, other, false)
		}
		return "e.g. 0.001, 0.5 btc, 50000 sat, or max for everything"
	case sendFieldFee:
		if m.defaultRate > 0 {
			return "satoshis per virtual byte; the default is " + formatRate(m.defaultRate)
		}
		return "satoshis per virtual byte"
	}
	return "saved with the transaction"
}

// coinsSummary says which coins the payment spends.
func (m *Send) coinsSummary() string {
	k := m.KeyMap.CoinControl.Help().Key
	n := len(m.chosen)
	if n == 0 {
		return "Coins: chosen automatically (" + k + " to choose)"
	}
	avail, _, _ := m.available()
	s := "coins"
	if n == 1 {
		s = "coin"
	}
	return fmt.Sprintf("Coins: %d chosen %s, %s (%s to change)", n, s, formatAmount(avail, m.units, false), k)
}

// coinLines draws the coin control list.
func (m *Send) coinLines(w int) []string {
	st := m.common.Styles
	avail, _, _ := m.available()
	right := "automatic selection"
	if n := len(m.chosen); n > 0 {
		right = fmt.Sprintf("%d of %d chosen · %s", n, len(m.coins), formatAmount(avail, m.units, false))
	}
	out := []string{st.TableHeader.Render(common.Fit(titleRight("Coin control", right, w), w))}
	switch {
	case m.coinNote != "":
		out = append(out, st.Error.Render(common.Fit(m.coinNote, w)))
	case len(m.chosen) == 0:
		out = append(out, st.Muted.Render(common.Fit("No coin chosen: the wallet picks from the spendable ones. Frozen coins can be chosen here.", w)))
	default:
		out = append(out, st.Muted.Render(common.Fit("Only the chosen coins are spent.", w)))
	}
	switch {
	case m.loadErr != nil && !m.loaded:
		return append(out, st.Error.Render(common.Fit("Could not read the wallet's coins: "+m.loadErr.Error(), w)))
	case !m.loaded:
		return append(out, st.Muted.Render(common.Fit("Reading coins…", w)))
	case len(m.coins) == 0:
		return append(out, st.Muted.Render(common.Fit("The wallet has no coins.", w)))
	}
	amtW := len("amount")
	for _, o := range m.coins {
		amtW = max(amtW, len(formatAmount(o.Value, m.units, false)))
	}
	const confW = len("unconfirmed")
	row := func(sel, box, amt, conf, coin, flags string) string {
		return sel + box + " " + common.PadLeft(amt, amtW) + "  " + common.PadLeft(conf, confW) + "  " + coin + "  " + flags
	}
	coinW := max(w-2-3-1-amtW-2-confW-2-2-len("immature"), 13)
	out = append(out, st.TableHeader.Render(common.Fit(row("  ", "   ", "amount", "confs", common.Fit("coin", coinW), ""), w)))
	for i := m.coinOffset; i < min(m.coinOffset+m.coinRows(), len(m.coins)); i++ {
		o := m.coins[i]
		box := "[ ]"
		if m.chosen[o.OutPoint] {
			box = "[x]"
		}
		conf := "unconfirmed"
		if c := o.Confirmations(m.tip); c > 0 {
			conf = common.FormatInt(int64(c))
		}
		var flags []string
		if o.Frozen {
			flags = append(flags, "frozen")
		}
		if !o.Mature(m.tip) {
			flags = append(flags, "immature")
		}
		vout := ":" + strconv.FormatUint(uint64(o.OutPoint.Index), 10)
		coin := common.Fit(common.ShortID(o.OutPoint.Hash.String(), max(coinW-len(vout), 5))+vout, coinW)
		amt := formatAmount(o.Value, m.units, false)
		if i == m.coinCursor {
			out = append(out, st.SelectedRow.Render(common.Fit(row("> ", box, amt, conf, coin, strings.Join(flags, " ")), w)))
			continue
		}
		out = append(out, common.Fit(row("  ", box, amt, conf, coin, strings.Join(flags, " ")), w))
	}
	return out
}
