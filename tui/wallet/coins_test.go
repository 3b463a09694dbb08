package wallet

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	core "github.com/satchelbtc/satchel/wallet"
)

// addrPKH is a mainnet P2PKH address (the bitcoin wiki's example).
const addrPKH = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"

// labelCall records one SetLabel.
type labelCall struct{ key, label string }

// freezeCall records one SetFrozen.
type freezeCall struct {
	op     wire.OutPoint
	frozen bool
}

// fakeCoins is a wallet's coins and labels in memory that records writes.
type fakeCoins struct {
	outs      []*core.Output
	tip       int32
	labels    map[string]string
	err       error // returned by Coins
	freezeErr error // returned by SetFrozen
	labelErr  error // returned by SetLabel
	freezes   []freezeCall
	sets      []labelCall
	reads     int
}

func (f *fakeCoins) Coins() ([]*core.Output, int32, error) {
	f.reads++
	if f.err != nil {
		return nil, 0, f.err
	}
	out := make([]*core.Output, len(f.outs))
	for i, o := range f.outs {
		c := *o
		out[i] = &c
	}
	return out, f.tip, nil
}

func (f *fakeCoins) Labels() (map[string]string, error) {
	return maps.Clone(f.labels), nil
}

func (f *fakeCoins) SetFrozen(op wire.OutPoint, frozen bool) error {
	f.freezes = append(f.freezes, freezeCall{op, frozen})
	if f.freezeErr != nil {
		return f.freezeErr
	}
	for _, o := range f.outs {
		if o.OutPoint == op {
			o.Frozen = frozen
			return nil
		}
	}
	return fmt.Errorf("output %v is not the wallet's", op)
}

func (f *fakeCoins) SetLabel(key, label string) error {
	f.sets = append(f.sets, labelCall{key, label})
	if f.labelErr != nil {
		return f.labelErr
	}
	if f.labels == nil {
		f.labels = map[string]string{}
	}
	if label == "" {
		delete(f.labels, key)
	} else {
		f.labels[key] = label
	}
	return nil
}

func coinScript(t testing.TB, addr string) []byte {
	t.Helper()
	a, err := address.DecodeAddress(addr, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func coinOP(s string, vout uint32) wire.OutPoint { return wire.OutPoint{Hash: txid(s), Index: vout} }

// sampleCoins has, oldest first: a frozen coin with its own label, a coin
// labelled through its transaction, one with its own label, a coinbase coin
// still maturing and an unconfirmed coin without a label. Coins returns
// them out of order.
func sampleCoins(t testing.TB) *fakeCoins {
	return &fakeCoins{
		tip: 845_123,
		outs: []*core.Output{
			{OutPoint: coinOP("d", 0), Value: 50_000, Script: coinScript(t, addrWPKH)},
			{OutPoint: coinOP("b", 1), Value: 23_456_789, Script: coinScript(t, addrTR), Height: 845_050},
			{OutPoint: coinOP("c", 0), Value: 625_000_000, Script: coinScript(t, addrPKH), Height: 845_100, Coinbase: true},
			{OutPoint: coinOP("a", 0), Value: 200_000_000, Script: coinScript(t, addrWPKH), Height: 845_000},
			{OutPoint: coinOP("e", 2), Value: 1_000_000, Script: coinScript(t, addrTR), Height: 844_000, Frozen: true},
		},
		labels: map[string]string{
			"tx:" + txid("a").String():          "salary",
			"output:" + coinOP("b", 1).String(): "change from rent",
			"output:" + coinOP("e", 2).String(): "exchange dust — do not merge",
		},
	}
}

// runC executes cmd and feeds the coins page's and the label editor's own
// results back, as the runtime would; it returns the first message meant for
// someone else.
func runC(t testing.TB, m tea.Model, cmd tea.Cmd) tea.Msg {
	t.Helper()
	for i := 0; cmd != nil; i++ {
		if i > 10 {
			t.Fatal("page keeps issuing commands")
		}
		msg := cmd()
		switch msg.(type) {
		case coinsMsg, labelErrMsg:
			_, cmd = m.Update(msg)
		default:
			return msg
		}
	}
	return nil
}

func sendC(t testing.TB, m tea.Model, msg tea.Msg) tea.Msg {
	t.Helper()
	_, cmd := m.Update(msg)
	return runC(t, m, cmd)
}

func pressC(t testing.TB, m tea.Model, keys ...string) tea.Msg {
	t.Helper()
	var last tea.Msg
	for _, k := range keys {
		last = sendC(t, m, keyMsg(k))
	}
	return last
}

func typeC(t testing.TB, m tea.Model, s string) {
	t.Helper()
	for _, r := range s {
		if msg := sendC(t, m, keyMsg(string(r))); msg != nil {
			t.Fatalf("typing %q emitted %#v", r, msg)
		}
	}
}

func newCoins(t testing.TB, src CoinsSource, w, h int, opts ...Option) *Coins {
	t.Helper()
	m := NewCoins(common.NewCommon(t.Context(), w, h), src, &chaincfg.MainNetParams, opts...)
	runC(t, m, m.Init())
	return m
}

// coinLine returns the table row of the coin at o, as the user sees it.
func coinLine(t *testing.T, v string, o wire.OutPoint) string {
	t.Helper()
	want := shortOutPoint(o, 9)
	for _, l := range strings.Split(plain(v), "\n") {
		if strings.Contains(l, want) {
			return l
		}
	}
	t.Fatalf("no row for %s:\n%s", want, plain(v))
	return ""
}

func TestCoinsView(t *testing.T) {
	tests := []struct {
		name string
		src  func(testing.TB) *fakeCoins
		w, h int
		keys []string
	}{
		{"list_80x24", sampleCoins, 80, 24, nil},
		{"list_120x40", sampleCoins, 120, 40, []string{"j"}},
		{"sats_80x24", sampleCoins, 80, 24, []string{"u", "G"}},
		{"empty_80x24", func(testing.TB) *fakeCoins { return &fakeCoins{tip: 845_123} }, 80, 24, nil},
		{"small_60x12", sampleCoins, 60, 12, []string{"G"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newCoins(t, tt.src(t), tt.w, tt.h)
			pressC(t, m, tt.keys...)
			v := m.View().Content
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

func TestCoinsContent(t *testing.T) {
	m := newCoins(t, sampleCoins(t), 80, 24)
	v := plain(m.View().Content)
	for _, want := range []string{
		"as of block 845,123",
		"5 coins · total 8.49506789 BTC · spendable 2.23456789 BTC · 1 frozen",
		"coin 1 of 5 · oldest first · f unfreeze · l label",
		"outpoint  " + coinOP("e", 2).String(),
		"address   " + addrTR,
		"label     exchange dust — do not merge",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("coins page does not show %q:\n%s", want, v)
		}
	}
	// Oldest first, unconfirmed last; each row with its amount, its
	// confirmations and what keeps it from being spent.
	rows := []struct {
		op    wire.OutPoint
		cells []string
	}{
		{coinOP("e", 2), []string{"> ", "0.01000000 BTC", "1,124", "frozen", "exchange dust"}},
		{coinOP("a", 0), []string{"2.00000000 BTC", "124", "salary"}},
		{coinOP("b", 1), []string{"0.23456789 BTC", "74", "change from"}},
		{coinOP("c", 0), []string{"6.25000000 BTC", "24", "immature"}},
		{coinOP("d", 0), []string{"0.00050000 BTC", "unconfirmed"}},
	}
	prev := -1
	for _, r := range rows {
		line := coinLine(t, v, r.op)
		for _, c := range r.cells {
			if !strings.Contains(line, c) {
				t.Errorf("row of %v is %q, want it to show %q", r.op, line, c)
			}
		}
		if i := strings.Index(v, line); i < prev {
			t.Errorf("row of %v is out of order:\n%s", r.op, v)
		} else {
			prev = i
		}
	}
	if l := coinLine(t, v, coinOP("a", 0)); strings.Contains(l, "frozen") {
		t.Errorf("a coin that is not frozen is marked: %q", l)
	}

	// An inherited label says where it comes from.
	pressC(t, m, "j")
	if v := plain(m.View().Content); !strings.Contains(v, "label     salary (from the transaction)") {
		t.Errorf("inherited label not explained:\n%s", v)
	}
	pressC(t, m, "u")
	if v := plain(m.View().Content); !strings.Contains(v, "200,000,000 sat") || !strings.Contains(v, "spendable 223,456,789 sat") {
		t.Errorf("u did not switch to sats:\n%s", v)
	}
}

func TestCoinsUnitsOption(t *testing.T) {
	m := newCoins(t, sampleCoins(t), 80, 24, WithUnits(UnitsSat))
	if m.Units() != UnitsSat || !strings.Contains(plain(m.View().Content), "total 849,506,789 sat") {
		t.Errorf("WithUnits(UnitsSat) not applied:\n%s", plain(m.View().Content))
	}
}

func TestCoinsFreeze(t *testing.T) {
	src := sampleCoins(t)
	m := newCoins(t, src, 80, 24)
	pressC(t, m, "j") // a: 2 BTC, spendable
	reads := src.reads
	if msg := pressC(t, m, "f"); msg != nil {
		t.Fatalf("f emitted %#v", msg)
	}
	if want := []freezeCall{{coinOP("a", 0), true}}; !slices.Equal(src.freezes, want) {
		t.Fatalf("SetFrozen calls = %v, want %v", src.freezes, want)
	}
	if src.reads != reads+1 {
		t.Errorf("f did not re-read the coins")
	}
	v := plain(m.View().Content)
	if l := coinLine(t, v, coinOP("a", 0)); !strings.Contains(l, "frozen") || !strings.HasPrefix(l, "> ") {
		t.Errorf("frozen coin not marked, or the selection moved: %q", l)
	}
	if !strings.Contains(v, "spendable 0.23456789 BTC · 2 frozen") || !strings.Contains(v, "f unfreeze") {
		t.Errorf("spendable total did not drop:\n%s", v)
	}

	// f again unfreezes it.
	pressC(t, m, "f")
	if got := src.freezes[len(src.freezes)-1]; got != (freezeCall{coinOP("a", 0), false}) {
		t.Errorf("second f called SetFrozen%v, want unfreeze", got)
	}
	v = plain(m.View().Content)
	if l := coinLine(t, v, coinOP("a", 0)); strings.Contains(l, "frozen") {
		t.Errorf("unfrozen coin still marked: %q", l)
	}
	if !strings.Contains(v, "spendable 2.23456789 BTC · 1 frozen") {
		t.Errorf("spendable total did not come back:\n%s", v)
	}
}

func TestCoinsFreezeError(t *testing.T) {
	src := sampleCoins(t)
	src.freezeErr = errors.New("the wallet is open read-only")
	m := newCoins(t, src, 80, 24)
	pressC(t, m, "j", "f")
	v := plain(m.View().Content)
	want := "could not freeze coin " + shortOutPoint(coinOP("a", 0), 9) + ": the wallet is open read-only"
	if !strings.Contains(v, want) {
		t.Errorf("freeze error not shown; want %q:\n%s", want, v)
	}
	if !strings.Contains(v, "spendable 2.23456789 BTC") {
		t.Errorf("the coins are gone after a failed freeze:\n%s", v)
	}
	pressC(t, m, "j")
	if strings.Contains(plain(m.View().Content), "could not freeze") {
		t.Errorf("the error stayed after the next key")
	}
}

// TestCoinsLabel edits a coin's label the way the root does it: l asks for
// an editor, the editor saves, and the saved message reaches the page.
func TestCoinsLabel(t *testing.T) {
	src := sampleCoins(t)
	c := common.NewCommon(t.Context(), 80, 24)
	m := newCoins(t, src, 80, 24)
	pressC(t, m, "G") // d: unconfirmed, no label
	msg := pressC(t, m, "l")
	req, ok := msg.(LabelRequestedMsg)
	key := "output:" + txid("d").String() + ":0"
	if !ok || req != (LabelRequestedMsg{Key: key, Current: ""}) {
		t.Fatalf("l emitted %#v, want a request for %q", msg, key)
	}

	ed := NewLabelEdit(c, src, req.Key, req.Current, "")
	typeC(t, ed, "coffee refund")
	saved := pressC(t, ed, "enter")
	if want := []labelCall{{key, "coffee refund"}}; !slices.Equal(src.sets, want) {
		t.Fatalf("SetLabel calls = %v, want %v", src.sets, want)
	}
	if saved != (LabelSavedMsg{Key: key, Label: "coffee refund"}) {
		t.Fatalf("enter emitted %#v", saved)
	}
	sendC(t, m, saved)
	v := plain(m.View().Content)
	if l := coinLine(t, v, coinOP("d", 0)); !strings.Contains(l, "coffee refund") {
		t.Errorf("table does not show the new label: %q", l)
	}
	if !strings.Contains(v, "label     coffee refund") {
		t.Errorf("detail does not show the new label:\n%s", v)
	}

	// An inherited label is the starting text; clearing it removes the
	// coin's own label only.
	pressC(t, m, "g", "j") // a: "salary" from its transaction
	req = pressC(t, m, "l").(LabelRequestedMsg)
	if req.Current != "salary" || req.Key != "output:"+coinOP("a", 0).String() {
		t.Fatalf("l on an inherited label asked for %#v", req)
	}
	ed = NewLabelEdit(c, src, req.Key, req.Current, "")
	if ed.Value() != "salary" {
		t.Fatalf("editor starts with %q, want the current label", ed.Value())
	}
	sendC(t, ed, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	if got := pressC(t, ed, "enter"); got != (LabelSavedMsg{Key: req.Key, Label: ""}) {
		t.Fatalf("saving an empty label emitted %#v", got)
	}
}

func TestCoinsEmpty(t *testing.T) {
	m := newCoins(t, &fakeCoins{tip: 7}, 80, 24)
	v := plain(m.View().Content)
	if !strings.Contains(v, emptyCoins) {
		t.Errorf("empty state missing:\n%s", v)
	}
	for _, k := range []string{"f", "l", "enter", "j"} {
		if msg := pressC(t, m, k); msg != nil {
			t.Errorf("%s on an empty list emitted %#v", k, msg)
		}
	}
}

func TestCoinsRefresh(t *testing.T) {
	src := sampleCoins(t)
	m := newCoins(t, src, 80, 24)
	pressC(t, m, "j", "j") // b
	src.outs = append(src.outs, &core.Output{OutPoint: coinOP("f", 0), Value: 5, Script: coinScript(t, addrPKH), Height: 800_000})
	src.tip++
	sendC(t, m, RefreshMsg{})
	v := plain(m.View().Content)
	if !strings.Contains(v, "6 coins") || !strings.Contains(v, "as of block 845,124") {
		t.Errorf("RefreshMsg did not re-read:\n%s", v)
	}
	if o, _ := m.Selected(); o.OutPoint != coinOP("b", 1) {
		t.Errorf("refresh moved the selection to %v", o.OutPoint)
	}
	src.tip++
	pressC(t, m, "ctrl+r")
	if !strings.Contains(plain(m.View().Content), "as of block 845,125") {
		t.Errorf("ctrl+r did not re-read")
	}
}

// TestCoinsStaleResults checks that results for another page, results
// overtaken by a newer read, and a refresh during a freeze are handled.
func TestCoinsStaleResults(t *testing.T) {
	src := sampleCoins(t)
	m := newCoins(t, src, 80, 24)
	other := newCoins(t, &fakeCoins{tip: 1}, 80, 24)
	m.Update(other.Refresh()())
	if v := plain(m.View().Content); !strings.Contains(v, "5 coins") {
		t.Fatalf("another page's read was applied:\n%s", v)
	}
	old, newer := m.Refresh(), m.Refresh()
	src.tip = 900_000
	m.Update(newer())
	src.tip = 1
	m.Update(old())
	if v := plain(m.View().Content); !strings.Contains(v, "as of block 900,000") {
		t.Errorf("an outdated read replaced the newest:\n%s", v)
	}

	// A refresh asked for while a freeze is under way is read after it.
	_, freeze := m.Update(keyMsg("f"))
	if cmd := m.Refresh(); cmd != nil {
		t.Fatal("refresh during a freeze read at once, and could overtake it")
	}
	_, again := m.Update(freeze())
	if again == nil {
		t.Fatal("the refresh asked for during the freeze was dropped")
	}
	src.tip = 900_001
	m.Update(again())
	if v := plain(m.View().Content); !strings.Contains(v, "as of block 900,001") {
		t.Errorf("deferred refresh not applied:\n%s", v)
	}
}

func TestCoinsErrors(t *testing.T) {
	src := sampleCoins(t)
	src.err = errors.New("wallet.db: database not open")
	m := newCoins(t, src, 80, 24)
	v := plain(m.View().Content)
	if !strings.Contains(strings.Join(strings.Fields(v), " "), "Could not read the coins: coins: wallet.db: database not open. Press ctrl+r to try again.") {
		t.Fatalf("error not shown:\n%s", v)
	}
	if msg := pressC(t, m, "f"); msg != nil || len(src.freezes) != 0 {
		t.Errorf("f acted on a list that failed to load")
	}
	src.err = nil
	pressC(t, m, "ctrl+r")
	if v := plain(m.View().Content); !strings.Contains(v, "5 coins") {
		t.Errorf("ctrl+r did not retry:\n%s", v)
	}
	if v := plain(NewCoins(common.NewCommon(t.Context(), 80, 24), nil, nil).View().Content); !strings.Contains(v, "Loading coins…") {
		t.Errorf("a page before its first read does not say it is loading:\n%s", v)
	}
	nilSrc := newCoins(t, nil, 80, 24)
	if v := plain(nilSrc.View().Content); !strings.Contains(v, "no wallet is open") {
		t.Errorf("a page without a wallet does not say so:\n%s", v)
	}
}

// TestCoinsScrolls checks that a long list draws one screen and keeps the
// selection visible.
func TestCoinsScrolls(t *testing.T) {
	src := &fakeCoins{tip: 900_000}
	script := coinScript(t, addrWPKH)
	for i := range 10_000 {
		src.outs = append(src.outs, &core.Output{OutPoint: coinOP(fmt.Sprint(i), uint32(i%3)), Value: btcutil.Amount(i + 1), Script: script, Height: int32(800_000 + i)})
	}
	m := newCoins(t, src, 80, 24)
	pressC(t, m, "pgdown", "pgdown", "pgdown")
	v := plain(m.View().Content)
	tuitest.AssertFits(t, v, 80, 24)
	sel, _ := m.Selected()
	if l := coinLine(t, v, sel.OutPoint); !strings.HasPrefix(l, "> ") {
		t.Errorf("selected row not marked: %q", l)
	}
	vis := m.visibleRows()
	if want := fmt.Sprintf("coin %d of 10,000", 3*vis+1); !strings.Contains(v, want) {
		t.Errorf("footer does not say %q:\n%s", want, v)
	}
	pressC(t, m, "G")
	if !strings.Contains(plain(m.View().Content), "coin 10,000 of 10,000") {
		t.Errorf("G did not reach the last coin")
	}
}

func TestLabelEditView(t *testing.T) {
	tests := []struct {
		name, key, current, title string
		w, h                      int
		typed                     string
	}{
		{"coin_80x24", "output:" + coinOP("b", 1).String(), "change from rent", "", 80, 24, " — May"},
		{"tx_120x40", "tx:" + txid("a").String(), "", "", 120, 40, "salary"},
		{"title_80x24", "addr:" + addrTR, "donations", "Label of the donation address", 80, 24, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewLabelEdit(common.NewCommon(t.Context(), tt.w, tt.h), &fakeCoins{}, tt.key, tt.current, tt.title)
			typeC(t, m, tt.typed)
			v := m.View().Content
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

func TestLabelEdit(t *testing.T) {
	key := "tx:" + txid("a").String()
	newEdit := func(src *fakeCoins) *LabelEdit {
		return NewLabelEdit(common.NewCommon(t.Context(), 80, 24), src, key, "rent", "")
	}

	t.Run("shows what is labelled", func(t *testing.T) {
		v := plain(newEdit(&fakeCoins{}).View().Content)
		for _, want := range []string{"Label of transaction", txid("a").String(), "> rent", "enter save · esc cancel"} {
			if !strings.Contains(v, want) {
				t.Errorf("editor does not show %q:\n%s", want, v)
			}
		}
	})

	t.Run("global keys are text", func(t *testing.T) {
		src := &fakeCoins{}
		m := newEdit(src)
		if !m.Capturing() {
			t.Fatal("editor does not capture keys")
		}
		typeC(t, m, " q1?")
		if got := pressC(t, m, "enter"); got != (LabelSavedMsg{Key: key, Label: "rent q1?"}) {
			t.Errorf("enter emitted %#v", got)
		}
	})

	t.Run("esc cancels", func(t *testing.T) {
		src := &fakeCoins{}
		m := newEdit(src)
		typeC(t, m, "x")
		if got := pressC(t, m, "esc"); got != (LabelCancelledMsg{}) {
			t.Errorf("esc emitted %#v", got)
		}
		if len(src.sets) != 0 {
			t.Errorf("esc saved %v", src.sets)
		}
	})

	t.Run("spaces trimmed", func(t *testing.T) {
		src := &fakeCoins{}
		m := newEdit(src)
		sendC(t, m, tea.PasteMsg{Content: "  "})
		pressC(t, m, "enter")
		if want := []labelCall{{key, "rent"}}; !slices.Equal(src.sets, want) {
			t.Errorf("SetLabel calls = %v, want %v", src.sets, want)
		}
	})

	t.Run("save error stays open", func(t *testing.T) {
		src := &fakeCoins{labelErr: errors.New("the wallet is open read-only")}
		m := newEdit(src)
		if got := pressC(t, m, "enter"); got != nil {
			t.Fatalf("a failed save emitted %#v", got)
		}
		v := plain(m.View().Content)
		if !strings.Contains(v, "could not save the label: the wallet is open read-only") {
			t.Errorf("save error not shown:\n%s", v)
		}
		if m.Value() != "rent" {
			t.Errorf("the text was lost: %q", m.Value())
		}
		src.labelErr = nil
		if got := pressC(t, m, "enter"); got != (LabelSavedMsg{Key: key, Label: "rent"}) {
			t.Errorf("retry emitted %#v", got)
		}
	})

	t.Run("too long", func(t *testing.T) {
		src := &fakeCoins{}
		m := newEdit(src)
		sendC(t, m, tea.PasteMsg{Content: strings.Repeat("é", 300)})
		if got := pressC(t, m, "enter"); got != nil || len(src.sets) != 0 {
			t.Fatalf("a 304-character label was saved: %#v %v", got, src.sets)
		}
		v := strings.Join(strings.Fields(plain(m.View().Content)), " ")
		if !strings.Contains(v, "the label is 304 characters long; shorten it to 255 or fewer") {
			t.Errorf("length error not shown:\n%s", v)
		}
	})
}

// TestLabelRequestFromOverview checks that l on the history asks to label
// the selected transaction.
func TestLabelRequestFromOverview(t *testing.T) {
	m := newOverview(t, sampleWallet(), 80, 24)
	want := LabelRequestedMsg{Key: "tx:" + txid("d").String(), Current: "coffee refund"}
	if got := send(t, m, keyMsg("l")); got != want {
		t.Errorf("l emitted %#v, want %#v", got, want)
	}
	send(t, m, keyMsg("j")) // c, without a label
	want = LabelRequestedMsg{Key: "tx:" + txid("c").String(), Current: ""}
	if got := send(t, m, keyMsg("l")); got != want {
		t.Errorf("l emitted %#v, want %#v", got, want)
	}
	empty := newOverview(t, &fakeSource{height: 1}, 80, 24)
	if got := send(t, empty, keyMsg("l")); got != nil {
		t.Errorf("l on an empty history emitted %#v", got)
	}
	if !slices.ContainsFunc(m.FullHelp(), func(g []key.Binding) bool { return slices.Contains(bindingDescs(g), "label") }) {
		t.Errorf("the overview's help does not list l")
	}
}

// TestCoinsNoColour checks that with colourless styles (NO_COLOR) the pages
// print no colour and still say what colour would have said.
func TestCoinsNoColour(t *testing.T) {
	c := common.NewCommon(t.Context(), 80, 24)
	c.Styles = themes.NewStyles(themes.Builtin()[0], true)
	m := NewCoins(c, sampleCoins(t), &chaincfg.MainNetParams)
	runC(t, m, m.Init())
	v := m.View().Content
	if colours := tuitest.Colors(v); len(colours) > 0 {
		t.Errorf("coins page prints colour %q with colourless styles: %q", colours, v)
	}
	if l := coinLine(t, v, coinOP("e", 2)); !strings.HasPrefix(l, "> ") || !strings.Contains(l, "frozen") {
		t.Errorf("selection or frozen mark missing without colour: %q", l)
	}
	ed := NewLabelEdit(c, &fakeCoins{}, "tx:"+txid("a").String(), "rent", "")
	if v := ed.View().Content; len(tuitest.Colors(v)) > 0 {
		t.Errorf("label editor prints colour with colourless styles: %q", v)
	}
}

// TestCoinsKeyMap checks that the coins page's and the editor's bindings
// have help text and that the coins page's do not clash with the shared
// ones.
func TestCoinsKeyMap(t *testing.T) {
	shared := map[string]bool{}
	for _, g := range common.DefaultKeyMap().FullHelp() {
		for _, b := range g {
			for _, k := range b.Keys() {
				shared[k] = true
			}
		}
	}
	km := DefaultCoinsKeyMap()
	for _, b := range []key.Binding{km.Freeze, km.Label, km.Refresh, km.Units} {
		if b.Help().Desc == "" || len(b.Keys()) == 0 {
			t.Errorf("binding %v has no keys or help", b.Keys())
		}
		for _, k := range b.Keys() {
			if shared[k] {
				t.Errorf("coins binding %q uses a shared key", k)
			}
		}
	}
	m := newCoins(t, sampleCoins(t), 80, 24)
	var listed []string
	for _, g := range m.FullHelp() {
		listed = append(listed, bindingDescs(g)...)
	}
	for _, want := range []string{"freeze/unfreeze", "label", "refresh", "BTC/sats"} {
		if !slices.Contains(listed, want) {
			t.Errorf("coins help does not list %q", want)
		}
	}
	lk := DefaultLabelKeyMap()
	for _, b := range []key.Binding{lk.Save, lk.Cancel} {
		if b.Help().Desc == "" || len(b.Keys()) == 0 {
			t.Errorf("editor binding %v has no keys or help", b.Keys())
		}
	}
}

func bindingDescs(bs []key.Binding) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Help().Desc
	}
	return out
}
