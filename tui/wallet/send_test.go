package wallet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	core "github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// regAddr returns a regtest P2WPKH address made from one repeated byte.
func sendRegAddr(t testing.TB, b byte) string {
	t.Helper()
	a, err := address.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{b}, 20), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress()
}

// sendRegScript returns the output script of sendRegAddr(t, b).
func sendRegScript(t testing.TB, b byte) []byte {
	t.Helper()
	a, err := address.DecodeAddress(sendRegAddr(t, b), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeSend is a wallet in memory that drafts payments with a fixed size of
// 141 vB and records what the flow asks of it.
type fakeSend struct {
	t         testing.TB
	tip       int32
	coins     []*core.Output
	rate      float64
	unlocked  bool
	watchOnly bool
	password  string
	draftErr  error
	sendErr   error
	coinsErr  error
	// coinLabels are the wallet's labels by key; labelsErr fails their
	// read.
	coinLabels map[string]string
	labelsErr  error
	// negativeFee makes a forced draft's review show a negative fee, as
	// a broken draft would.
	negativeFee bool
	// threshold makes the wallet a multisig one: every input needs this
	// many signatures and carries none, as a watch-only coordinator's
	// draft does.
	threshold int

	reqs      []*core.SendRequest
	drafts    []*core.Draft // made, in order; nil for a refused request
	reviews   map[*core.Draft]*psbtx.Review
	passwords []string // passwords tried; "<nil>" when none was given
	labels    []string
	exported  []string
	sent      []*core.Draft
}

var (
	sendCoinA = wire.OutPoint{Hash: txid("coin a"), Index: 0}
	sendCoinB = wire.OutPoint{Hash: txid("coin b"), Index: 1}
	sendCoinC = wire.OutPoint{Hash: txid("coin c"), Index: 0}
	sendCoinD = wire.OutPoint{Hash: txid("coin d"), Index: 2}
	sendCoinE = wire.OutPoint{Hash: txid("coin e"), Index: 0}
	sendCoinF = wire.OutPoint{Hash: txid("coin f"), Index: 0}
)

// newFakeSend has 0.5 BTC spendable (coins A and B), a frozen coin, an
// unconfirmed one, a coinbase still maturing and a spent one.
func newFakeSend(t testing.TB) *fakeSend {
	spent := txid("spender")
	return &fakeSend{
		t:        t,
		tip:      200,
		rate:     2,
		password: "hunter2",
		coins: []*core.Output{
			{OutPoint: sendCoinB, Value: 20_000_000, Height: 150, Script: sendRegScript(t, 0xb0)},
			{OutPoint: sendCoinA, Value: 30_000_000, Height: 100, Script: sendRegScript(t, 0xa0)},
			{OutPoint: sendCoinC, Value: 10_000_000, Height: 120, Frozen: true, Script: sendRegScript(t, 0xc0)},
			{OutPoint: sendCoinD, Value: 5_000_000, Height: 0, Script: sendRegScript(t, 0xd0)},
			{OutPoint: sendCoinE, Value: 5_000_000_000, Height: 190, Coinbase: true, Script: sendRegScript(t, 0xe0)},
			{OutPoint: sendCoinF, Value: 7_000_000, Height: 90, SpentBy: &spent, Script: sendRegScript(t, 0xf0)},
		},
		coinLabels: map[string]string{
			core.OutputLabelKey(sendCoinA):  "salary",
			core.TxLabelKey(sendCoinB.Hash): "from Bob",
			core.OutputLabelKey(sendCoinC):  "exchange dust — do not merge",
		},
		reviews: map[*core.Draft]*psbtx.Review{},
	}
}

func (f *fakeSend) Balance() (core.Balance, int32, error) {
	return core.Balance{Confirmed: 60_000_000, Unconfirmed: 5_000_000, Immature: 5_000_000_000}, f.tip, f.coinsErr
}

func (f *fakeSend) Coins() ([]*core.Output, int32, error) { return f.coins, f.tip, f.coinsErr }

func (f *fakeSend) DefaultFeeRate() float64 { return f.rate }

func (f *fakeSend) Labels() (map[string]string, error) { return f.coinLabels, f.labelsErr }
func (f *fakeSend) Unlocked() bool                     { return f.unlocked }
func (f *fakeSend) WatchOnly() bool                    { return f.watchOnly }

func (f *fakeSend) coin(op wire.OutPoint) *core.Output {
	for _, o := range f.coins {
		if o.OutPoint == op {
			return o
		}
	}
	f.t.Fatalf("the flow asked for unknown coin %v", op)
	return nil
}

// Draft spends the chosen coins, or coins A and B, pays the recipient and
// sends the rest, less the fee, to change. It holds the fee to the limits
// the wallet's CreatePSBT applies (psbtx.DefaultFeeLimits) unless the
// request forces it.
func (f *fakeSend) Draft(req *core.SendRequest) (*core.Draft, error) {
	f.reqs = append(f.reqs, req)
	if f.draftErr != nil {
		return nil, f.draftErr
	}
	ops := req.Coins
	if len(ops) == 0 {
		ops = []wire.OutPoint{sendCoinA, sendCoinB}
	}
	const vsize = 141
	fee := btcutil.Amount(req.FeeRate * vsize)
	r := &psbtx.Review{Fee: int64(fee), FeeRate: float64(fee) / vsize, VSize: vsize, FeeProven: true}
	var total btcutil.Amount
	for _, op := range ops {
		o := f.coin(op)
		total += o.Value
		r.Inputs = append(r.Inputs, psbtx.ReviewInput{OutPoint: op, Value: int64(o.Value), Ours: true, Required: f.threshold})
	}
	pay := req.Recipients[0].Amount
	if req.SendMax {
		pay = total - fee
	}
	if !req.Force {
		if err := psbtx.DefaultFeeLimits.CheckFee(fee, vsize, pay); err != nil {
			f.drafts = append(f.drafts, nil)
			return nil, err
		}
	}
	if req.Force && f.negativeFee {
		r.Fee = -int64(fee)
	}
	r.Outputs = append(r.Outputs, psbtx.ReviewOutput{Value: int64(pay), Address: req.Recipients[0].Address.EncodeAddress()})
	d := &core.Draft{Fee: fee, FeeRate: r.FeeRate, VSize: vsize, ChangeIndex: -1}
	if change := total - pay - fee; change > 0 {
		r.Outputs = append(r.Outputs, psbtx.ReviewOutput{Value: int64(change), Address: sendRegAddr(f.t, 0xcc), Ours: true, Change: true})
		d.ChangeIndex = 1
	}
	f.reviews[d] = r
	f.drafts = append(f.drafts, d)
	return d, nil
}

func (f *fakeSend) Review(d *core.Draft) (*psbtx.Review, error) {
	r, ok := f.reviews[d]
	if !ok {
		return nil, errors.New("not a draft of this wallet")
	}
	return r, nil
}

func (f *fakeSend) SignAndBroadcast(_ context.Context, d *core.Draft, password []byte, label string) (string, error) {
	pw := "<nil>"
	if password != nil {
		pw = string(password)
	}
	f.passwords = append(f.passwords, pw)
	if !f.unlocked && pw != f.password {
		return "", fmt.Errorf("unlocking the wallet: %w", keystore.ErrWrongPassword)
	}
	if f.sendErr != nil {
		return "", f.sendErr
	}
	f.labels = append(f.labels, label)
	f.sent = append(f.sent, d)
	return txid("sent").String(), nil
}

func (f *fakeSend) ExportPSBT(d *core.Draft, path string) error {
	if _, ok := f.reviews[d]; !ok {
		return errors.New("not a draft of this wallet")
	}
	f.exported = append(f.exported, path)
	return nil
}

// sendRun executes cmd and feeds the flow's own results back, as the
// runtime would; it returns the first message meant for someone else.
func sendRun(t testing.TB, m *Send, cmd tea.Cmd) tea.Msg {
	t.Helper()
	var out tea.Msg
	var step func(cmd tea.Cmd, depth int)
	step = func(cmd tea.Cmd, depth int) {
		if cmd == nil {
			return
		}
		if depth > 10 {
			t.Fatal("the send flow keeps issuing commands")
		}
		switch msg := cmd().(type) {
		case sendLoadMsg, sendDraftMsg, sendSignedMsg, sendExportedMsg, sendFeesMsg:
			_, next := m.Update(msg)
			step(next, depth+1)
		case tea.BatchMsg:
			for _, c := range msg {
				step(c, depth+1)
			}
		case nil:
		default:
			if out == nil {
				out = msg
			}
		}
	}
	step(cmd, 0)
	return out
}

// sendKey returns the key press a user makes for name: a named key or one
// character.
func sendKey(name string) tea.KeyPressMsg {
	switch name {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+o":
		return tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	}
	return keyMsg(name)
}

// press sends the named keys, one after the other, and returns the first
// message meant for the root.
func (m *Send) press(t testing.TB, names ...string) tea.Msg {
	t.Helper()
	var out tea.Msg
	for _, n := range names {
		_, cmd := m.Update(sendKey(n))
		if msg := sendRun(t, m, cmd); msg != nil && out == nil {
			out = msg
		}
	}
	return out
}

// typeIn types s into the focused field, key by key.
func (m *Send) typeIn(t testing.TB, s string) {
	t.Helper()
	for _, r := range s {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		sendRun(t, m, cmd)
	}
}

func newSendPage(t testing.TB, src SendSource, net *chaincfg.Params, w, h int) *Send {
	t.Helper()
	m := NewSend(common.NewCommon(t.Context(), w, h), src, net)
	m.now = func() time.Time { return time.Unix(1_738_000_000, 0) }
	sendRun(t, m, m.Init())
	return m
}

// fillForm types a payment into the form: to, amount and, when not empty,
// a fee rate replacing the default and a label.
func sendFill(t testing.TB, m *Send, to, amt, fee, label string) {
	t.Helper()
	m.typeIn(t, to)
	m.press(t, "tab")
	m.typeIn(t, amt)
	m.press(t, "tab")
	if fee != "" {
		m.press(t, "ctrl+u")
		m.typeIn(t, fee)
	}
	m.press(t, "tab")
	m.typeIn(t, label)
}

func sendScreen(m *Send) string { return plain(m.View().Content) }

// sendShows checks that the screen shows each of wants, which may be
// wrapped over lines.
func sendShows(t *testing.T, m *Send, wants ...string) {
	t.Helper()
	v := sendScreen(m)
	flat := strings.Join(strings.Fields(v), " ")
	for _, w := range wants {
		if !strings.Contains(v, w) && !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("screen does not show %q:\n%s", w, v)
		}
	}
}

func sendHides(t *testing.T, m *Send, unwanted ...string) {
	t.Helper()
	v := sendScreen(m)
	for _, w := range unwanted {
		if strings.Contains(v, w) {
			t.Errorf("screen shows %q:\n%s", w, v)
		}
	}
}

// reviewPayment fills a valid regtest form and drafts it.
func sendReviewed(t *testing.T, src *fakeSend, w, h int) *Send {
	t.Helper()
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, w, h)
	sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "10", "coffee")
	if msg := m.press(t, "enter"); msg != nil {
		t.Fatalf("enter on a valid form emitted %#v", msg)
	}
	if m.state != sendStateReview {
		t.Fatalf("enter on a valid form did not show the review:\n%s", sendScreen(m))
	}
	return m
}

func TestSendWrongNetwork(t *testing.T) {
	src := newFakeSend(t)
	m := newSendPage(t, src, &chaincfg.MainNetParams, 80, 24)
	sendFill(t, m, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "0.001", "", "")
	sendShows(t, m, "is a testnet or signet address; this wallet is on mainnet")
	if msg := m.press(t, "enter"); msg != nil {
		t.Errorf("enter emitted %#v", msg)
	}
	if len(src.reqs) != 0 || m.state != sendStateForm || !m.Capturing() {
		t.Errorf("enter on a form in error drafted (%d requests) or left the form", len(src.reqs))
	}
	if m.focus != sendFieldTo {
		t.Errorf("enter left the focus on field %d, not on the address in error", m.focus)
	}

	// A regtest address is named as such, a mainnet one is accepted.
	m.press(t, "ctrl+u")
	m.typeIn(t, sendRegAddr(t, 1))
	sendShows(t, m, "is a regtest address; this wallet is on mainnet")
	m.press(t, "ctrl+u")
	m.typeIn(t, addrWPKH)
	sendShows(t, m, "pays "+addrWPKH)
	sendHides(t, m, "this wallet is on")
}

func TestSendFieldErrors(t *testing.T) {
	addr := sendRegAddr(t, 0xab)
	tests := []struct {
		name              string
		to, amt, fee      string
		want, wantMissing string
	}{
		{"amount above balance", addr, "1", "", "amount exceeds the spendable balance of 0.50000000 BTC", ""},
		{"dust", addr, "200 sat", "", "0.00000200 BTC is below the dust limit of 294 sat for this address", ""},
		{"not an amount", addr, "1,5", "", `amount "1,5" contains a comma`, "= "},
		{"zero fee", addr, "0.001", "0", "the fee rate must be more than 0 sat/vB", ""},
		{"fee rate beyond all bitcoin", addr, "0.001", "3e15", "3000000000000000 sat/vB is more than all the bitcoin there will ever be", ""},
		{"fee not a number", addr, "0.001", "fast", `fee rate "fast" is not a number`, ""},
		{"typo in address", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081", "0.001", "", "is not a valid bitcoin address", "pays"},
		{"valid", addr, "0.001", "12.5", "pays " + addr, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSend(t)
			m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
			sendFill(t, m, tt.to, tt.amt, tt.fee, "")
			sendShows(t, m, tt.want)
			if tt.wantMissing != "" {
				sendHides(t, m, tt.wantMissing)
			}
			m.press(t, "enter")
			if drafted := len(src.reqs) == 1; drafted != (tt.name == "valid") {
				t.Errorf("drafted %v", drafted)
			}
		})
	}
}

func TestSendEmptyFormAsksForFields(t *testing.T) {
	m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 80, 24)
	sendHides(t, m, "enter the address")
	m.press(t, "enter")
	sendShows(t, m, "enter the address to pay", "enter an amount, or max")
	if got := m.fields[sendFieldFee].Value(); got != "2" {
		t.Errorf("fee rate field = %q, want the default 2", got)
	}
}

func TestSendDraftAndReview(t *testing.T) {
	src := newFakeSend(t)
	m := sendReviewed(t, src, 80, 24)
	req := src.reqs[0]
	if len(req.Recipients) != 1 || req.Recipients[0].Address.EncodeAddress() != sendRegAddr(t, 0xab) ||
		req.Recipients[0].Amount != 100_000 || req.FeeRate != 10 || req.SendMax || len(req.Coins) != 0 {
		t.Errorf("draft request = %+v", req)
	}
	sendShows(t, m,
		"Review payment",
		sendRegAddr(t, 0xab)+"          0.00100000 BTC",
		"0.49898590 BTC  change",
		"Spends  2 coins worth 0.50000000 BTC",
		"Fee     1,410 sat (0.00001410 BTC)",
		"Rate    10.0 sat/vB · 141 vB (estimated)",
		"Label   coffee",
		"s/enter send (sign & broadcast) · e export PSBT · esc edit",
	)
	if m.Capturing() {
		t.Error("the review captures keys without a text field")
	}

	// esc goes back to the form with its values.
	m.press(t, "esc")
	if m.state != sendStateForm || m.fields[sendFieldAmount].Value() != "0.001" || m.fields[sendFieldLabel].Value() != "coffee" {
		t.Errorf("esc on the review did not return to the filled form:\n%s", sendScreen(m))
	}
	if msg := m.press(t, "esc"); msg != (SendClosedMsg{}) {
		t.Errorf("esc on the form emitted %#v, want SendClosedMsg", msg)
	}
}

func TestSendDraftError(t *testing.T) {
	src := newFakeSend(t)
	src.draftErr = errors.New("insufficient funds: 0.5 BTC available, 0.6 BTC needed for the payment and its fee")
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendFill(t, m, sendRegAddr(t, 0xab), "0.49999", "", "")
	m.press(t, "enter")
	if m.state != sendStateForm {
		t.Fatalf("a failed draft left the form")
	}
	sendShows(t, m, "Could not prepare the payment: insufficient funds: 0.5 BTC available")
	// Editing clears the stale error.
	m.typeIn(t, "x")
	sendHides(t, m, "Could not prepare")
}

func TestSendPasswordFlow(t *testing.T) {
	src := newFakeSend(t)
	m := sendReviewed(t, src, 80, 24)
	m.press(t, "s")
	if !m.Capturing() {
		t.Fatal("s on a locked wallet did not ask for the password")
	}
	sendShows(t, m, "Wallet password (to sign)", "enter confirm · esc cancel")
	m.typeIn(t, "wrong")
	sendShows(t, m, "> *****")
	sendHides(t, m, "wrong")
	if msg := m.press(t, "enter"); msg != nil {
		t.Fatalf("a wrong password emitted %#v", msg)
	}
	sendShows(t, m, "Wrong password: enter it again", "Wallet password (to sign)")
	if !m.Capturing() {
		t.Fatal("a wrong password did not ask again")
	}
	m.typeIn(t, "hunter2")
	msg := m.press(t, "enter")
	want := SentMsg{Txid: txid("sent").String()}
	if msg != want {
		t.Fatalf("right password emitted %#v, want %#v", msg, want)
	}
	if !slices.Equal(src.passwords, []string{"wrong", "hunter2"}) || !slices.Equal(src.labels, []string{"coffee"}) {
		t.Errorf("passwords tried %q, labels %q", src.passwords, src.labels)
	}
	sendShows(t, m, "Sent "+want.Txid, "esc close")
	sendHides(t, m, "Wrong password")

	// Closing empties the form, so that the payment is not sent twice.
	if msg := m.press(t, "esc"); msg != (SendClosedMsg{}) {
		t.Errorf("esc after sending emitted %#v", msg)
	}
	if m.state != sendStateForm || m.fields[sendFieldTo].Value() != "" || m.fields[sendFieldFee].Value() != "2" {
		t.Errorf("the form was not reset after sending:\n%s", sendScreen(m))
	}
}

func TestSendUnlockedSignsWithoutPassword(t *testing.T) {
	src := newFakeSend(t)
	src.unlocked = true
	m := sendReviewed(t, src, 80, 24)
	if msg := m.press(t, "enter"); msg != (SentMsg{Txid: txid("sent").String()}) {
		t.Fatalf("enter on the review of an unlocked wallet emitted %#v", msg)
	}
	if !slices.Equal(src.passwords, []string{"<nil>"}) {
		t.Errorf("passwords given %q, want none", src.passwords)
	}
}

func TestSendBroadcastErrorRetries(t *testing.T) {
	src := newFakeSend(t)
	src.unlocked = true
	src.sendErr = errors.New("no peer accepted the transaction")
	m := sendReviewed(t, src, 80, 24)
	m.press(t, "s")
	sendShows(t, m, "Could not send the payment: no peer accepted the transaction. Press s to try again.")
	src.sendErr = nil
	if msg := m.press(t, "s"); msg == nil {
		t.Fatal("s after a failed broadcast did not retry")
	}
}

// A payment the peers refuse says what to do about it, and sends the user
// back to the form rather than to a retry that would be refused again.
func TestSendRefusedByPeers(t *testing.T) {
	src := newFakeSend(t)
	src.unlocked = true
	src.sendErr = fmt.Errorf("broadcast: %w", &lightnode.RejectError{Code: lightnode.RejectFeeTooLow, MinFeeRate: 2.05,
		Peers: map[string]lightnode.PeerReject{"127.0.0.1:18444": {Reason: "min relay fee not met"}}})
	m := sendReviewed(t, src, 80, 24)
	m.press(t, "s")
	sendShows(t, m, "The peers refused the payment: fee too low for the peers: raise the fee rate (the peers want at least 2.1 sat/vB). Press esc to change it.")
	sendHides(t, m, "try again")
	m.press(t, "esc")
	if m.state != sendStateForm {
		t.Fatalf("esc after a refusal did not return to the form:\n%s", sendScreen(m))
	}
}

func TestSendWatchOnly(t *testing.T) {
	src := newFakeSend(t)
	src.watchOnly = true
	m := sendReviewed(t, src, 80, 24)
	sendShows(t, m, "This wallet is watch-only", "e export PSBT · esc edit")
	sendHides(t, m, "sign & broadcast")
	m.press(t, "s")
	m.press(t, "enter")
	if len(src.passwords) != 0 || m.Capturing() {
		t.Errorf("a watch-only wallet was asked to sign (%q)", src.passwords)
	}
}

func TestSendExport(t *testing.T) {
	src := newFakeSend(t)
	m := sendReviewed(t, src, 80, 24)
	m.press(t, "e")
	if !m.Capturing() {
		t.Fatal("e did not ask for a file name")
	}
	sendShows(t, m, "Save the PSBT as", "> payment-1738000000.psbt")
	m.press(t, "ctrl+u")
	m.typeIn(t, "/tmp/rent.psbt")
	m.press(t, "enter")
	if !slices.Equal(src.exported, []string{"/tmp/rent.psbt"}) {
		t.Fatalf("exported to %q", src.exported)
	}
	sendShows(t, m, "Wrote /tmp/rent.psbt")
	if m.Capturing() || len(src.sent) != 0 {
		t.Errorf("after exporting: capturing %v, sent %d", m.Capturing(), len(src.sent))
	}
	// The default path is offered.
	m.press(t, "e", "enter")
	if !slices.Equal(src.exported, []string{"/tmp/rent.psbt", "/tmp/rent.psbt"}) {
		t.Errorf("second export went to %q", src.exported)
	}
	// esc cancels the prompt, not the review.
	m.press(t, "e", "esc")
	if m.state != sendStateReview || m.Capturing() {
		t.Errorf("esc on the file name prompt left the review")
	}
}

// absurdReviewed fills a payment of amt at fee sat/vB that the wallet's
// fee limits refuse, and drafts it.
func absurdReviewed(t *testing.T, src *fakeSend, amt, fee string, w, h int) *Send {
	t.Helper()
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, w, h)
	sendFill(t, m, sendRegAddr(t, 0xab), amt, fee, "")
	m.press(t, "enter")
	return m
}

// lineWith returns the line of the raw view whose text holds s.
func lineWith(t *testing.T, m *Send, s string) string {
	t.Helper()
	for _, l := range strings.Split(m.View().Content, "\n") {
		if strings.Contains(plain(l), s) {
			return l
		}
	}
	t.Fatalf("no line shows %q:\n%s", s, sendScreen(m))
	return ""
}

// TestSendAbsurdFee checks that a fee the wallet's limits refuse (above
// 1,000 sat/vB, or more than the amount sent) is neither refused outright
// nor signed without asking: the review shows the payment with the fee
// warning in the error style, and nothing can be signed or exported until
// f accepts the fee, as --force does on the command line.
func TestSendAbsurdFee(t *testing.T) {
	tests := []struct {
		name, amt, fee string
		formWarns      bool // the fee field warns before enter
		wantFee        string
	}{
		{"rate above 1,000 sat/vB", "0.001", "5000", true, "Fee     705,000 sat (0.00705000 BTC)"},
		{"fee above the amount sent", "500 sat", "10", false, "Fee     1,410 sat (0.00001410 BTC)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeSend(t)
			src.unlocked = true
			m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
			sendFill(t, m, sendRegAddr(t, 0xab), tt.amt, tt.fee, "")
			if warned := strings.Contains(sendScreen(m), "very likely a mistake: the review asks to confirm it"); warned != tt.formWarns {
				t.Errorf("fee field warns %v, want %v:\n%s", warned, tt.formWarns, sendScreen(m))
			}
			if m.errs[sendFieldFee] != "" {
				t.Fatalf("the form refuses the fee outright: %q", m.errs[sendFieldFee])
			}
			m.press(t, "enter")
			if m.state != sendStateReview {
				t.Fatalf("an absurd fee did not reach the review:\n%s", sendScreen(m))
			}
			if len(src.reqs) != 2 || src.reqs[0].Force || !src.reqs[1].Force {
				t.Fatalf("draft requests %+v: want one within the limits, then one forced to show the fee", src.reqs)
			}
			sendShows(t, m, tt.wantFee, "This fee looks like a mistake, so the wallet did not make the payment",
				"at most 1,000 sat/vB, and no more than the amount sent",
				"F build it anyway · esc edit")
			sendHides(t, m, "sign & broadcast", "export PSBT")
			st := m.common.Styles
			if l := lineWith(t, m, "This fee looks like a mistake"); l != st.Error.Render(plain(l)) {
				t.Errorf("the fee warning is not in the error style: %q", l)
			}

			// Nothing leaves the review before the fee is accepted.
			for _, k := range []string{"s", "enter", "e"} {
				if msg := m.press(t, k); msg != nil || m.Capturing() {
					t.Errorf("%s before f emitted %#v or opened a prompt", k, msg)
				}
			}
			if len(src.sent) != 0 || len(src.exported) != 0 {
				t.Fatalf("signed %d, exported %d before the fee was accepted", len(src.sent), len(src.exported))
			}

			m.press(t, "F")
			sendShows(t, m, "you chose to pay it", "s/enter send (sign & broadcast) · e export PSBT · esc edit")
			if l := lineWith(t, m, "you chose to pay it"); l != st.Error.Render(plain(l)) {
				t.Errorf("the accepted fee's warning is not in the error style: %q", l)
			}
			if msg := m.press(t, "s"); msg != (SentMsg{Txid: txid("sent").String()}) {
				t.Fatalf("s after f emitted %#v", msg)
			}
			if len(src.sent) != 1 || len(src.reqs) != 2 {
				t.Fatalf("sent %d drafts after %d requests", len(src.sent), len(src.reqs))
			}
			if src.drafts[0] != nil || src.sent[0] != src.drafts[1] {
				t.Error("the payment signed is not the forced draft the review showed")
			}
		})
	}
}

// TestSendAbsurdFeeEditAndWatchOnly checks that esc on the fee question
// goes back to the form with nothing accepted, and that a watch-only
// wallet is asked too before it exports.
func TestSendAbsurdFeeEditAndWatchOnly(t *testing.T) {
	src := newFakeSend(t)
	m := absurdReviewed(t, src, "0.001", "5000", 80, 24)
	m.press(t, "esc")
	if m.state != sendStateForm || m.feeForced || m.feeRefusal != nil {
		t.Fatalf("esc on the fee question: state %v, forced %v", m.state, m.feeForced)
	}
	m.press(t, "enter")
	sendShows(t, m, "F build it anyway")

	src = newFakeSend(t)
	src.watchOnly = true
	m = absurdReviewed(t, src, "0.001", "5000", 80, 24)
	sendShows(t, m, "F build it anyway · esc edit")
	sendHides(t, m, "This wallet is watch-only")
	m.press(t, "e")
	if m.Capturing() {
		t.Fatal("e before F asked where to export")
	}
	m.press(t, "F")
	sendShows(t, m, "e export PSBT · esc edit", "This wallet is watch-only")
	m.press(t, "e", "enter")
	if len(src.exported) != 1 {
		t.Errorf("exported %q after F", src.exported)
	}
}

// TestSendNegativeFeeNeverForced checks that a draft whose fee comes out
// negative is never offered for signing, forced or not.
func TestSendNegativeFeeNeverForced(t *testing.T) {
	src := newFakeSend(t)
	src.negativeFee = true
	m := absurdReviewed(t, src, "0.001", "5000", 80, 24)
	if m.state != sendStateForm {
		t.Fatalf("a forced draft with a negative fee was reviewed:\n%s", sendScreen(m))
	}
	sendShows(t, m, "Could not prepare the payment: the fee looks like a mistake")
	m.press(t, "F")
	if m.state != sendStateForm || len(src.sent) != 0 {
		t.Error("F on the form forced the payment")
	}
}

func TestSendBIP21(t *testing.T) {
	src := newFakeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	addr := sendRegAddr(t, 0xab)
	m.Update(tea.PasteMsg{Content: "bitcoin:" + addr + "?amount=0.0015&label=Coffee%20beans&message=order%2042"})
	if got := m.fields[sendFieldAmount].Value(); got != "0.0015" {
		t.Errorf("amount field = %q, want 0.0015", got)
	}
	if got := m.fields[sendFieldLabel].Value(); got != "Coffee beans" {
		t.Errorf("label field = %q", got)
	}
	sendShows(t, m, "pays "+addr+" · order 42", "0.00150000 BTC = 150,000 sat")
	m.press(t, "enter")
	if len(src.reqs) != 1 || src.reqs[0].Recipients[0].Amount != 150_000 || src.reqs[0].FeeRate != 2 {
		t.Fatalf("draft requests %+v", src.reqs)
	}
}

func TestSendMax(t *testing.T) {
	src := newFakeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendFill(t, m, sendRegAddr(t, 0xab), "MAX", "", "")
	sendShows(t, m, "everything spendable, less the fee")
	m.press(t, "enter")
	if len(src.reqs) != 1 || !src.reqs[0].SendMax {
		t.Fatalf("max did not draft a send-max payment: %+v", src.reqs)
	}
	sendShows(t, m, "0.49999718 BTC")
	sendHides(t, m, "change")
}

func TestSendCoinControl(t *testing.T) {
	src := newFakeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendFill(t, m, sendRegAddr(t, 0xab), "0.15", "", "")
	m.press(t, "ctrl+o")
	if m.state != sendStateCoins || m.Capturing() {
		t.Fatalf("ctrl+o did not open coin control")
	}
	// Oldest first as on the Coins page, the spent coin left out: A,
	// C (frozen), B, E (immature), D (unconfirmed).
	sendShows(t, m, "50.00000000 BTC", "frozen", "immature", "unconfirmed")
	sendHides(t, m, "0.07000000 BTC")
	m.press(t, "j", "j", "j", "space")
	sendShows(t, m, "cannot be spent until it has 100 confirmations")
	m.press(t, "k", "space", "k", "space") // B and the frozen C
	sendShows(t, m, "2 of 5 chosen · 0.30000000 BTC")
	m.press(t, "enter")
	if m.state != sendStateForm {
		t.Fatal("enter did not return to the form")
	}
	sendShows(t, m, "chosen coins 0.30000000 BTC", "Coins: 2 chosen coins, 0.30000000 BTC")

	// The chosen total bounds the amount.
	m.press(t, "shift+tab", "shift+tab", "ctrl+u")
	m.typeIn(t, "0.4")
	sendShows(t, m, "amount exceeds the chosen coins' total of 0.30000000 BTC")
	m.press(t, "ctrl+u")
	m.typeIn(t, "0.25")
	m.press(t, "enter")
	if len(src.reqs) != 1 || !slices.Equal(src.reqs[0].Coins, []wire.OutPoint{sendCoinC, sendCoinB}) {
		t.Fatalf("draft requests %+v, want coins C and B", src.reqs)
	}
	sendShows(t, m, "Spends  2 coins worth 0.30000000 BTC")
}

func TestSendStaleResults(t *testing.T) {
	src := newFakeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "", "")
	_, draft := m.Update(sendKey("enter"))
	if !strings.Contains(sendScreen(m), "Preparing the payment…") {
		t.Errorf("no progress line while drafting:\n%s", sendScreen(m))
	}
	// The user edits the amount before the draft comes back: the old
	// draft must not be reviewed.
	m.typeIn(t, "5")
	sendRun(t, m, draft)
	if m.state != sendStateForm {
		t.Fatalf("a draft of the old form was reviewed")
	}

	// Another page's results are ignored.
	other := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 80, 24)
	sendFill(t, other, sendRegAddr(t, 0xab), "0.002", "", "")
	_, cmd := other.Update(sendKey("enter"))
	m.Update(cmd())
	if m.state != sendStateForm {
		t.Errorf("another page's draft was applied")
	}
}

func TestSendCoinsError(t *testing.T) {
	src := newFakeSend(t)
	src.coinsErr = errors.New("wallet.db: database not open")
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendShows(t, m, "Could not read the wallet's coins: wallet.db: database not open")
	src.coinsErr = nil
	sendRun(t, m, m.Refresh())
	sendShows(t, m, "spendable 0.50000000 BTC")
}

func TestSendUnits(t *testing.T) {
	m := NewSend(common.NewCommon(t.Context(), 80, 24), newFakeSend(t), &chaincfg.RegressionNetParams, WithSendUnits(UnitsSat))
	sendRun(t, m, m.Init())
	sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "", "")
	sendShows(t, m, "spendable 50,000,000 sat", "100,000 sat = 0.00100000 BTC")
	m.SetUnits(UnitsBTC)
	sendShows(t, m, "spendable 0.50000000 BTC")
}

func TestSendView(t *testing.T) {
	tests := []struct {
		name  string
		w, h  int
		setup func(t *testing.T) *Send
	}{
		{"form_80x24", 80, 24, func(t *testing.T) *Send {
			m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 80, 24)
			sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "10", "coffee")
			return m
		}},
		{"form_120x40", 120, 40, func(t *testing.T) *Send {
			m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 120, 40)
			sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "10", "coffee")
			return m
		}},
		{"form_errors_80x24", 80, 24, func(t *testing.T) *Send {
			m := newSendPage(t, newFakeSend(t), &chaincfg.MainNetParams, 80, 24)
			sendFill(t, m, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "2", "0", "")
			m.press(t, "enter")
			return m
		}},
		{"coins_80x24", 80, 24, func(t *testing.T) *Send {
			m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 80, 24)
			m.press(t, "ctrl+o", "j", "space")
			return m
		}},
		{"coins_120x40", 120, 40, func(t *testing.T) *Send {
			m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 120, 40)
			m.press(t, "ctrl+o", "j", "space")
			return m
		}},
		{"form_fees_80x24", 80, 24, func(t *testing.T) *Send {
			m := newSendPage(t, newFeeSend(t), &chaincfg.RegressionNetParams, 80, 24)
			sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "", "coffee")
			m.press(t, "shift+tab", "right")
			return m
		}},
		{"form_fees_120x40", 120, 40, func(t *testing.T) *Send {
			m := newSendPage(t, newFeeSend(t), &chaincfg.RegressionNetParams, 120, 40)
			sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "", "coffee")
			m.press(t, "shift+tab", "right")
			return m
		}},
		{"form_fees_estimating_80x24", 80, 24, func(t *testing.T) *Send {
			m := NewSend(common.NewCommon(t.Context(), 80, 24), newFeeSend(t), &chaincfg.RegressionNetParams)
			_ = m.Init() // the estimate is still out
			sendRun(t, m, m.load())
			return m
		}},
		{"form_fees_failed_80x24", 80, 24, func(t *testing.T) *Send {
			src := newFeeSend(t)
			src.err = errors.New("the node is still syncing headers (block 1,200 of 870,000)")
			return newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
		}},
		{"review_coins_80x24", 80, 24, func(t *testing.T) *Send {
			return frozenReviewed(t, 80, 24)
		}},
		{"review_coins_120x40", 120, 40, func(t *testing.T) *Send {
			return frozenReviewed(t, 120, 40)
		}},
		{"review_80x24", 80, 24, func(t *testing.T) *Send {
			return sendReviewed(t, newFakeSend(t), 80, 24)
		}},
		{"review_120x40", 120, 40, func(t *testing.T) *Send {
			return sendReviewed(t, newFakeSend(t), 120, 40)
		}},
		{"review_password_80x24", 80, 24, func(t *testing.T) *Send {
			m := sendReviewed(t, newFakeSend(t), 80, 24)
			m.press(t, "s")
			m.typeIn(t, "nope")
			m.press(t, "enter")
			return m
		}},
		{"review_watchonly_80x24", 80, 24, func(t *testing.T) *Send {
			src := newFakeSend(t)
			src.watchOnly = true
			return sendReviewed(t, src, 80, 24)
		}},
		{"review_multisig_80x24", 80, 24, func(t *testing.T) *Send {
			return sendReviewed(t, newMultisigSend(t), 80, 24)
		}},
		{"review_multisig_120x40", 120, 40, func(t *testing.T) *Send {
			return sendReviewed(t, newMultisigSend(t), 120, 40)
		}},
		{"review_absurd_fee_80x24", 80, 24, func(t *testing.T) *Send {
			return absurdReviewed(t, newFakeSend(t), "0.001", "5000", 80, 24)
		}},
		{"review_absurd_fee_120x40", 120, 40, func(t *testing.T) *Send {
			return absurdReviewed(t, newFakeSend(t), "0.001", "5000", 120, 40)
		}},
		{"review_fee_forced_80x24", 80, 24, func(t *testing.T) *Send {
			m := absurdReviewed(t, newFakeSend(t), "500 sat", "10", 80, 24)
			m.press(t, "F")
			return m
		}},
		{"form_absurd_fee_80x24", 80, 24, func(t *testing.T) *Send {
			m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 80, 24)
			sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "5000", "")
			return m
		}},
		{"review_sent_120x40", 120, 40, func(t *testing.T) *Send {
			src := newFakeSend(t)
			src.unlocked = true
			m := sendReviewed(t, src, 120, 40)
			m.press(t, "s")
			return m
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.setup(t).View().Content
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

// frozenReviewed reviews a payment from coins A and the frozen C, chosen in
// coin control.
func frozenReviewed(t *testing.T, w, h int) *Send {
	t.Helper()
	m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, w, h)
	sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "10", "coffee")
	m.press(t, "ctrl+o", "space", "j", "space", "enter", "enter")
	if m.state != sendStateReview {
		t.Fatalf("no review:\n%s", sendScreen(m))
	}
	return m
}

// TestSendSmallTerminals checks that every screen fits sizes down to a
// few lines without panicking.
func TestSendSmallTerminals(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {40, 10}, {20, 3}, {1, 1}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			src := newFakeSend(t)
			m := sendReviewed(t, src, w, h)
			tuitest.AssertFits(t, m.View().Content, w, h)
			m.press(t, "esc", "ctrl+o")
			tuitest.AssertFits(t, m.View().Content, w, h)
			m.press(t, "enter")
			tuitest.AssertFits(t, m.View().Content, w, h)
		})
	}
}

// TestSendKeyMapHelp checks that every binding of the flow has keys and
// help text, and that no two bindings of one screen share a key.
func TestSendKeyMapHelp(t *testing.T) {
	k := DefaultSendKeyMap()
	c := common.DefaultKeyMap()
	screens := map[string][]struct {
		name string
		keys []string
		help string
	}{}
	add := func(screen, name string, keys []string, help string) {
		screens[screen] = append(screens[screen], struct {
			name string
			keys []string
			help string
		}{name, keys, help})
	}
	add("form", "next field", k.NextField.Keys(), k.NextField.Help().Desc)
	add("form", "previous field", k.PrevField.Keys(), k.PrevField.Help().Desc)
	add("form", "review", k.Review.Keys(), k.Review.Help().Desc)
	add("form", "coin control", k.CoinControl.Keys(), k.CoinControl.Help().Desc)
	add("form", "close", k.Close.Keys(), k.Close.Help().Desc)
	add("coins", "up", c.Up.Keys(), c.Up.Help().Desc)
	add("coins", "down", c.Down.Keys(), c.Down.Help().Desc)
	add("coins", "toggle", k.ToggleCoin.Keys(), k.ToggleCoin.Help().Desc)
	add("coins", "done", k.DoneCoins.Keys(), k.DoneCoins.Help().Desc)
	add("review", "force", k.Force.Keys(), k.Force.Help().Desc)
	add("review", "sign", k.Sign.Keys(), k.Sign.Help().Desc)
	add("review", "export", k.Export.Keys(), k.Export.Help().Desc)
	add("review", "edit", k.Edit.Keys(), k.Edit.Help().Desc)
	add("prompt", "confirm", k.Confirm.Keys(), k.Confirm.Help().Desc)
	add("prompt", "cancel", k.Cancel.Keys(), k.Cancel.Help().Desc)
	for screen, bindings := range screens {
		seen := map[string]string{}
		for _, b := range bindings {
			if len(b.keys) == 0 || b.help == "" {
				t.Errorf("%s: %s has no keys or help", screen, b.name)
			}
			for _, key := range b.keys {
				if prev, ok := seen[key]; ok {
					t.Errorf("%s: %q is bound to %s and %s", screen, key, prev, b.name)
				}
				seen[key] = b.name
			}
		}
	}
	// The overlay lists the keys of the screen shown, and all of them
	// over the three screens.
	m := NewSend(common.NewCommon(t.Context(), 80, 24), newFakeSend(t), &chaincfg.RegressionNetParams)
	n := 0
	for _, st := range []sendState{sendStateForm, sendStateCoins, sendStateReview} {
		m.state = st
		for _, g := range m.FullHelp() {
			n += len(g)
		}
	}
	if n != 18 {
		t.Errorf("help overlay lists %d bindings over the screens, want 18", n)
	}
}

// TestSendCoinControlColumns: coin control shows each coin's label,
// address and confirmations, and lists the coins in the order of the Coins
// page, with the same sort.
func TestSendCoinControlColumns(t *testing.T) {
	src := newFakeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 120, 40)
	m.press(t, "ctrl+o")
	for _, want := range []struct {
		op    wire.OutPoint
		texts []string
	}{
		{sendCoinA, []string{"0.30000000 BTC", "101", "salary", sendRegAddr(t, 0xa0)[:16]}},
		{sendCoinB, []string{"0.20000000 BTC", "51", "from Bob", sendRegAddr(t, 0xb0)[:16]}},
		{sendCoinC, []string{"0.10000000 BTC", "81", "frozen", "exchange dust", sendRegAddr(t, 0xc0)[:16]}},
		{sendCoinD, []string{"0.05000000 BTC", "unconfirmed", sendRegAddr(t, 0xd0)[:16]}},
	} {
		line := lineWith(t, m, shortOutPoint(want.op, 13))
		for _, s := range want.texts {
			if !strings.Contains(line, s) {
				t.Errorf("the row of %v lacks %q: %q", want.op, s, line)
			}
		}
	}
	// The lines under the list show the coin under the cursor in full.
	sendShows(t, m, "outpoint  "+sendCoinA.String(), "address   "+sendRegAddr(t, 0xa0), "label     salary")

	// The Coins page lists the same outputs in the same order.
	page := NewCoins(common.NewCommon(t.Context(), 120, 40), &fakeCoins{outs: src.coins, tip: src.tip}, &chaincfg.RegressionNetParams)
	runC(t, page, page.Init())
	var want, got []wire.OutPoint
	for _, c := range page.coins {
		want = append(want, c.out.OutPoint)
	}
	for _, c := range m.coins {
		got = append(got, c.out.OutPoint)
	}
	if !slices.Equal(got, want) || len(got) != 5 {
		t.Errorf("coin control lists %v, the Coins page %v", got, want)
	}
}

// TestSendCoinControlLabelsError lists the coins without labels when the
// labels cannot be read, and says so.
func TestSendCoinControlLabelsError(t *testing.T) {
	src := newFakeSend(t)
	src.labelsErr = errors.New("wallet.db: labels bucket missing")
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	m.press(t, "ctrl+o")
	sendShows(t, m, "Labels could not be read: wallet.db: labels bucket missing", "0.30000000 BTC")
	sendHides(t, m, "salary")
}

// TestSendReviewNamesCoins: the review lists the coins it spends with
// their amounts and labels, and warns when one of them is frozen.
func TestSendReviewNamesCoins(t *testing.T) {
	m := sendReviewed(t, newFakeSend(t), 80, 24)
	sendShows(t, m, shortOutPoint(sendCoinA, 9)+"    0.30000000 BTC  salary", shortOutPoint(sendCoinB, 9)+"    0.20000000 BTC  from Bob")
	sendHides(t, m, "frozen")

	m = frozenReviewed(t, 80, 24)
	sendShows(t, m,
		shortOutPoint(sendCoinC, 9)+"    0.10000000 BTC  frozen  exchange dust — do not merge",
		"! This payment spends frozen coin "+shortOutPoint(sendCoinC, 9)+", which you chose in coin control")
}

// TestSendReviewManyCoins keeps the fee and the keys on screen when the
// coins do not fit, and says how many are left out.
func TestSendReviewManyCoins(t *testing.T) {
	src := newFakeSend(t)
	for i := range 30 {
		op := wire.OutPoint{Hash: txid(fmt.Sprint("many ", i))}
		src.coins = append(src.coins, &core.Output{OutPoint: op, Value: 1_000_000, Height: 10, Script: sendRegScript(t, 0x11)})
	}
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "10", "")
	m.press(t, "ctrl+o")
	for range 30 {
		m.press(t, "space", "j")
	}
	m.press(t, "enter", "enter")
	v := m.View().Content
	tuitest.AssertFits(t, v, 80, 24)
	sendShows(t, m, "Spends  30 coins worth 0.30000000 BTC", "more coins", "Fee     ", "s/enter send")
}

// newMultisigSend is a watch-only 2-of-3 coordinator.
func newMultisigSend(t testing.TB) *fakeSend {
	src := newFakeSend(t)
	src.watchOnly, src.threshold = true, 2
	return src
}

// A watch-only multisig wallet's review counts each coin's signatures
// against the threshold and says how many cosigners must sign the exported
// PSBT; e exports it. A single-key wallet's review shows no count.
func TestSendReviewMultisig(t *testing.T) {
	src := newMultisigSend(t)
	m := sendReviewed(t, src, 80, 24)
	if got := strings.Count(sendScreen(m), "0 of 2 signatures"); got != 2 {
		t.Errorf("%d coins show 0 of 2 signatures, want both:\n%s", got, sendScreen(m))
	}
	sendShows(t, m, "needs 2 cosigners to sign it", "Export the PSBT (e)")
	sendHides(t, m, "s sign", "cannot sign")
	m.press(t, "e", "enter")
	if len(src.exported) != 1 {
		t.Fatalf("exported %v", src.exported)
	}
	sendShows(t, m, "Wrote payment-", "needs 2 cosigners")

	// One signature of two already there: one cosigner to go.
	src = newMultisigSend(t)
	m = sendReviewed(t, src, 120, 40)
	for i := range m.review.Inputs {
		m.review.Inputs[i].Signatures = 1
	}
	sendShows(t, m, "1 of 2 signatures", "needs 1 cosigner to sign it")

	single := sendReviewed(t, newFakeSend(t), 80, 24)
	sendHides(t, single, "signatures", "cosigner")
}
