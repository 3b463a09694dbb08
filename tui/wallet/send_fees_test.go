package wallet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// feeSend is fakeSend with fee suggestions: it answers FeeEstimate with est
// or err and counts the calls.
type feeSend struct {
	*fakeSend
	est   fees.Estimate
	err   error
	calls int
}

func (f *feeSend) FeeEstimate(context.Context) (fees.Estimate, error) {
	f.calls++
	return f.est, f.err
}

// sampleBlock is a verified block at height whose other transactions weigh
// txWeight and pay fee satoshis.
func sampleBlock(height int32, txs int, txWeight int64, fee int64) fees.Block {
	return fees.Block{Height: height, TxCount: txs, Weight: txWeight + 800, CoinbaseWeight: 800,
		TxWeight: txWeight, Subsidy: 312_500_000, CoinbaseValue: 312_500_000 + btcutil.Amount(fee), Fees: btcutil.Amount(fee)}
}

// sampleEstimate is what package fees suggests from six blocks paying 2 to
// 9.2 sat/vB on average and two peers' feefilters.
func sampleEstimate() fees.Estimate {
	blocks := []fees.Block{
		sampleBlock(100, 2_400, 3_990_000, 2_394_000), // 2.4 sat/vB, full
		sampleBlock(99, 800, 1_200_000, 600_000),      // 2
		sampleBlock(98, 3_000, 3_996_000, 9_190_800),  // 9.2, full
		sampleBlock(97, 1_500, 2_000_000, 1_600_000),  // 3.2
		sampleBlock(96, 1, 0, 0),                      // only the coinbase
		sampleBlock(95, 2_000, 3_000_000, 3_000_000),  // 4
	}
	return fees.Suggest(blocks, []fees.PeerFloor{{Addr: "192.0.2.1:8333", Rate: 1}, {Addr: "192.0.2.2:8333", Rate: 1.5}})
}

func newFeeSend(t testing.TB) *feeSend {
	return &feeSend{fakeSend: newFakeSend(t), est: sampleEstimate()}
}

func TestSendFeeSuggestions(t *testing.T) {
	src := newFeeSend(t)
	m := NewSend(common.NewCommon(t.Context(), 120, 40), src, &chaincfg.RegressionNetParams)
	init := m.Init()
	// The estimate is asked for in a command: until it answers, the
	// form says it is on its way.
	if src.calls != 0 {
		t.Fatal("the estimate was read in Init itself, not in a command")
	}
	sendShows(t, m, "Fee suggestions (sat/vB) · a light client cannot see the mempool's fee market", "estimating…")
	sendRun(t, m, init)
	if src.calls != 1 {
		t.Fatalf("%d estimates read, want 1", src.calls)
	}
	sendShows(t, m,
		"low     1.5  the highest feefilter of 2 peers",
		"medium  3.2  the median average fee rate of the last 6 blocks (95–100) (the 5 blocks with transactions)",
		"high    9.2  the highest average fee rate of the last 6 blocks (95–100) (block 98)",
		"blocks 95–100 were 0.02%–99.9% full",
	)
	sendHides(t, m, "estimating…")
	// The default stays in the field: a suggestion is the user's pick.
	if got := m.fields[sendFieldFee].Value(); got != "2" {
		t.Errorf("fee field = %q, want the default 2", got)
	}
}

func TestSendPickFee(t *testing.T) {
	src := newFeeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "", "")
	m.press(t, "shift+tab") // back to the fee field
	if m.focus != sendFieldFee {
		t.Fatalf("focus on field %d, want the fee field", m.focus)
	}
	sendShows(t, m, "←/→ picks a suggestion: low 1.5 · medium 3.2 · high 9.2 sat/vB")
	steps := []struct {
		key  string
		want string
	}{
		{"right", "3.2"}, // from the default 2, the next above
		{"right", "9.2"},
		{"right", "9.2"}, // high is the end
		{"left", "3.2"},
		{"left", "1.5"},
		{"left", "1.5"}, // low is the end
	}
	for _, s := range steps {
		m.press(t, s.key)
		if got := m.fields[sendFieldFee].Value(); got != s.want {
			t.Fatalf("after %s the fee field is %q, want %q", s.key, got, s.want)
		}
	}
	sendShows(t, m, "▸ low     1.5")

	// A picked rate is the user's: a refresh with another default keeps it.
	src.rate = 7
	sendRun(t, m, m.Refresh())
	if got := m.fields[sendFieldFee].Value(); got != "1.5" {
		t.Errorf("a refresh replaced the picked rate with %q", got)
	}
	m.press(t, "enter")
	if len(src.reqs) != 1 || src.reqs[0].FeeRate != 1.5 {
		t.Fatalf("draft requests %+v, want one at 1.5 sat/vB", src.reqs)
	}

	// ← and → move the cursor in other fields, and pick nothing.
	m.press(t, "esc") // back to the form
	m.focusField(sendFieldAmount)
	m.press(t, "right")
	if got := m.fields[sendFieldFee].Value(); got != "1.5" {
		t.Errorf("→ in the amount field changed the fee to %q", got)
	}
}

func TestSendPickFeeFromInvalid(t *testing.T) {
	m := newSendPage(t, newFeeSend(t), &chaincfg.RegressionNetParams, 80, 24)
	m.focusField(sendFieldFee)
	m.press(t, "ctrl+u")
	m.typeIn(t, "fast")
	m.press(t, "left")
	if got := m.fields[sendFieldFee].Value(); got != "1.5" {
		t.Errorf("← on %q gave %q, want the low rate 1.5", "fast", got)
	}
	m.press(t, "ctrl+u")
	m.typeIn(t, "50")
	m.press(t, "left")
	if got := m.fields[sendFieldFee].Value(); got != "9.2" {
		t.Errorf("← on 50 gave %q, want the high rate 9.2", got)
	}
}

func TestSendFeeSuggestionsFail(t *testing.T) {
	src := newFeeSend(t)
	src.err = errors.New("block 100: no connected peer serves blocks")
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	sendShows(t, m, "No suggestions: block 100: no connected peer serves blocks. Type a rate, or press ctrl+r to try again.")
	m.focusField(sendFieldFee)
	m.press(t, "right")
	if got := m.fields[sendFieldFee].Value(); got != "2" {
		t.Errorf("→ without suggestions changed the fee to %q", got)
	}
	sendShows(t, m, "the default is 2")
	// Without suggestions ← moves the cursor, as in any field.
	m.press(t, "ctrl+u")
	m.typeIn(t, "25")
	m.press(t, "left")
	m.typeIn(t, "1")
	if got := m.fields[sendFieldFee].Value(); got != "215" {
		t.Errorf("typing after ← gave %q, want 215", got)
	}

	// ctrl+r tries again.
	src.err = nil
	m.press(t, "ctrl+r")
	if src.calls != 2 {
		t.Fatalf("%d estimates read, want 2", src.calls)
	}
	sendShows(t, m, "low     1.5")

	// A later failure keeps the last suggestions and says so.
	src.err = errors.New("the app runs without a node")
	m.press(t, "ctrl+r")
	sendShows(t, m, "low     1.5", "update failed: the app runs without a node")
}

func TestSendNoFeeSource(t *testing.T) {
	m := newSendPage(t, newFakeSend(t), &chaincfg.RegressionNetParams, 80, 24)
	sendHides(t, m, "Fee suggestions", "estimating")
	if cmd := m.estimate(); cmd != nil {
		t.Error("a source without estimates was asked for one")
	}
}

// TestSendFeeSuggestionsNoBlocks: on a chain of only the genesis block
// every suggestion is the relay floor, and the form says why.
func TestSendFeeSuggestionsNoBlocks(t *testing.T) {
	src := newFeeSend(t)
	src.est = fees.Suggest([]fees.Block{sampleBlock(0, 1, 0, 0)}, nil)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 120, 40)
	sendShows(t, m,
		"low     1  the default minimum relay fee: no peer sent a feefilter",
		"medium  1  no transactions besides the coinbase in block 0: the low rate",
		"block 0 was 0.02% full")
}

func TestSendFeeLinesFitTheRoom(t *testing.T) {
	m := newSendPage(t, newFeeSend(t), &chaincfg.RegressionNetParams, 80, 24)
	for room := 0; room <= 8; room++ {
		lines := m.feeLines(80, room)
		if len(lines) > room {
			t.Errorf("room %d: %d lines", room, len(lines))
		}
		if room > 0 && !strings.Contains(plain(lines[0]), mempoolNote) {
			t.Errorf("room %d: the first line is %q, not the note about the mempool", room, plain(lines[0]))
		}
	}
	// With room, sources are wrapped instead of cut.
	wide := strings.Join(m.feeLines(80, 20), "\n")
	if flat := strings.Join(strings.Fields(plain(wide)), " "); strings.Contains(flat, "…") || !strings.Contains(flat, "(block 98)") {
		t.Errorf("with room the sources are cut:\n%s", plain(wide))
	}
}

func TestFullnessText(t *testing.T) {
	if got := fullnessText(nil); got != "" {
		t.Errorf("no blocks: %q", got)
	}
	one := []fees.Block{{Height: 7, Weight: 2_000_000}}
	if got := fullnessText(one); got != "block 7 was 50.0% full" {
		t.Errorf("one block: %q", got)
	}
	same := []fees.Block{{Height: 9, Weight: 1_000}, {Height: 8, Weight: 1_000}}
	if got := fullnessText(same); got != "blocks 8–9 were 0.03% full" {
		t.Errorf("two equal blocks: %q", got)
	}
}

// TestSendDefaultFeeRateFollowsSettings: a new default fee rate replaces
// the old one in an untouched fee field when the form is read again, and
// never a rate the user typed; a reset form starts from the new default.
func TestSendDefaultFeeRateFollowsSettings(t *testing.T) {
	src := newFakeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	if got := m.fields[sendFieldFee].Value(); got != "2" {
		t.Fatalf("fee field = %q, want the default 2", got)
	}
	src.rate = 7
	sendRun(t, m, m.Refresh())
	if got := m.fields[sendFieldFee].Value(); got != "7" {
		t.Errorf("after the default became 7 the fee field is %q", got)
	}
	sendShows(t, m, "the default is 7")

	m.focusField(sendFieldFee)
	m.press(t, "ctrl+u")
	m.typeIn(t, "12")
	src.rate = 9
	sendRun(t, m, m.Refresh())
	if got := m.fields[sendFieldFee].Value(); got != "12" {
		t.Errorf("a new default replaced the typed rate: %q", got)
	}
	m.Reset()
	if got := m.fields[sendFieldFee].Value(); got != "9" {
		t.Errorf("a reset form holds %q, want the default 9", got)
	}
}

// TestSendRefreshMsg: when the wallet or the chain changes, the form reads
// the coins and the suggestions again.
func TestSendRefreshMsg(t *testing.T) {
	src := newFeeSend(t)
	m := newSendPage(t, src, &chaincfg.RegressionNetParams, 80, 24)
	src.coins = src.coins[:1]
	src.est.Low.Rate = 4
	_, cmd := m.Update(RefreshMsg{})
	sendRun(t, m, cmd)
	if src.calls != 2 || len(m.coins) != 1 {
		t.Errorf("after a RefreshMsg: %d estimates read, %d coins listed; want 2 and 1", src.calls, len(m.coins))
	}
	sendShows(t, m, "low     4  ")
}

// TestSendAndReceiveNoColour: the new screens print no colour with the
// colourless styles (NO_COLOR), and say in words what colour would.
func TestSendAndReceiveNoColour(t *testing.T) {
	c := common.NewCommon(t.Context(), 80, 24)
	c.Styles = themes.NewStyles(themes.Builtin()[0], true)
	m := NewSend(c, newFeeSend(t), &chaincfg.RegressionNetParams)
	sendRun(t, m, m.Init())
	sendFill(t, m, sendRegAddr(t, 0xab), "0.001", "10", "coffee")
	screens := map[string]string{"form": m.View().Content}
	m.press(t, "ctrl+o", "space", "j", "space")
	screens["coin control"] = m.View().Content
	m.press(t, "enter", "enter")
	screens["review"] = m.View().Content
	if !strings.Contains(plain(screens["review"]), "frozen") {
		t.Errorf("the review does not say in words that a coin is frozen:\n%s", plain(screens["review"]))
	}
	g := &gapWallet{fakeSource: sampleWallet(), limit: 20}
	g.next = 20
	r := NewReceive(c, g, &chaincfg.MainNetParams)
	run(t, r, r.Init())
	screens["gap warning"] = r.View().Content
	for name, v := range screens {
		if colours := tuitest.Colors(v); len(colours) > 0 {
			t.Errorf("%s prints colour %q with colourless styles", name, colours)
		}
	}
}
