package explorer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// The regtest blocks in testdata were mined by btcd (internal/regtest):
// block 1's coinbase pays the mining key 50 BTC; at height 161, past
// regtest's first halving (150 blocks), block 161 holds a payment that
// spends it to two outputs and pays a 10,000-sat fee, so its coinbase
// pays 25.00010000 BTC.
const (
	regtestFeeHeight = 161
	regtestFee       = 10_000
)

// loadRegtestBlock reads testdata/regtest<height>.dat.
func loadRegtestBlock(t testing.TB, height int) *wire.MsgBlock {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "regtest"+itoa(height)+".dat"))
	if err != nil {
		t.Fatal(err)
	}
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	return &b
}

func itoa(n int) string { return common.FormatInt(int64(n)) }

// newRegtestBlockView loads block 161 on a regtest page.
func newRegtestBlockView(t testing.TB, w, h int, opts ...BlockOption) (*BlockView, *fakeBlockSource) {
	t.Helper()
	b := loadRegtestBlock(t, regtestFeeHeight)
	src := newFakeBlockSource(map[int32]*wire.MsgBlock{regtestFeeHeight: b})
	opts = append([]BlockOption{WithBlockNetwork(&chaincfg.RegressionNetParams)}, opts...)
	v := NewBlockView(common.NewCommon(t.Context(), w, h), src, regtestFeeHeight, b.BlockHash(), opts...)
	runDetail(t, v, v.Init())
	return v, src
}

// TestBlockViewFees checks the fee figures of a block with a fee-paying
// transaction, to the satoshi, in both units.
func TestBlockViewFees(t *testing.T) {
	b := loadRegtestBlock(t, regtestFeeHeight)
	pay := b.Transactions[1]
	weight := pay.SerializeSizeStripped()*3 + pay.SerializeSize()
	rate := float64(regtestFee) / (float64(weight) / 4)
	rateText := fees.FormatRate(rate)
	tests := []struct {
		name  string
		w, h  int
		units Units
		want  []string
	}{
		{"80x24", 80, 24, UnitsBTC, []string{
			"Block 161 · 2 transactions",
			"size         " + itoa(b.SerializeSize()) + " B · " + itoa(b.SerializeSizeStripped()*3+b.SerializeSize()) + " WU",
			"fees         0.00010000 BTC · " + rateText + " sat/vB avg",
			"subsidy      25.00000000 BTC · coinbase pays 25.00010000 BTC",
			"coinbase     /P2SH/btcd/",
		}},
		{"120x40_sats", 120, 40, UnitsSat, []string{
			"fees         10,000 sat · " + rateText + " sat/vB avg",
			"subsidy      2,500,000,000 sat · coinbase pays 2,500,010,000 sat",
			"2,500,010,000 sat",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newRegtestBlockView(t, tt.w, tt.h, WithBlockUnits(tt.units))
			got := blockContent(v)
			tuitest.AssertFits(t, got, tt.w, tt.h)
			text := ansi.Strip(got)
			for _, s := range tt.want {
				if !strings.Contains(text, s) {
					t.Errorf("view does not show %q:\n%s", s, text)
				}
			}
			golden.RequireEqual(t, got)
		})
	}
}

// TestBlockViewMove checks [ and ]: the previous and next blocks of the
// best chain, and a clear word at either end.
func TestBlockViewMove(t *testing.T) {
	b546 := loadBlock546(t)
	b1, b161 := loadRegtestBlock(t, 1), loadRegtestBlock(t, regtestFeeHeight)
	// The fake chain needs no links: only heights and hashes matter here.
	src := newFakeBlockSource(map[int32]*wire.MsgBlock{0: b1, 1: b546, 2: b161})
	v := NewBlockView(common.NewCommon(t.Context(), 80, 24), src, 1, b546.BlockHash(),
		WithBlockNetwork(&chaincfg.RegressionNetParams))
	runDetail(t, v, v.Init())
	step := func(k string, height int32, title string) {
		t.Helper()
		press(t, v, k)
		text := ansi.Strip(blockContent(v))
		if v.Height() != height || !strings.Contains(text, title) {
			t.Fatalf("after %s: height %d, want %d showing %q:\n%s", k, v.Height(), height, title, text)
		}
	}
	press(t, v, "j")
	step("]", 2, "Block 2 · 2 transactions")
	if v.Hash() != b161.BlockHash() || v.cursor != 0 {
		t.Errorf("] opened %s with the cursor at %d", v.Hash(), v.cursor)
	}
	// At height 2 the subsidy is 50 BTC: this coinbase claims less, so
	// no fees show.
	if text := ansi.Strip(blockContent(v)); !strings.Contains(text, "coinbase pays 25.00010000 BTC") ||
		!strings.Contains(text, "fees         0.00000000 BTC") {
		t.Errorf("the next block's figures are not shown:\n%s", text)
	}
	step("]", 2, "no block above 2 yet: this is the tip")
	step("[", 1, "Block 1 · 4 transactions")
	step("[", 0, "Block 0 · 1 transaction")
	step("[", 0, "this is the genesis block")
	if !strings.Contains(ansi.Strip(blockContent(v)), "verified ✓") {
		t.Errorf("the page left its block after [ at the genesis block")
	}
	var help []string
	for _, k := range v.ShortHelp() {
		help = append(help, k.Help().Key+" "+k.Help().Desc)
	}
	if h := strings.Join(help, ", "); !strings.Contains(h, "[ previous block") || !strings.Contains(h, "] next block") {
		t.Errorf("help bar: %s", h)
	}
}

// fakeTxInfo answers TxInfo with a fixed value and LookupTx from a map,
// counting the lookups.
type fakeTxInfo struct {
	info    TxInfo
	txs     map[chainhash.Hash]TxRef
	lookups []chainhash.Hash
}

func (f *fakeTxInfo) TxInfo(context.Context, *wire.MsgTx) TxInfo { return f.info }

func (f *fakeTxInfo) LookupTx(_ context.Context, txid chainhash.Hash) (TxRef, error) {
	f.lookups = append(f.lookups, txid)
	if r, ok := f.txs[txid]; ok {
		return r, nil
	}
	return TxRef{}, fmt.Errorf("%w: no block or known transaction %s", ErrNotFound, txid)
}

// regtestPayment returns block 161's payment, block 1's coinbase it spends
// and a TxInfo that knows that coinbase (as a wallet or a fetched block
// would), with the tip at height 170.
func regtestPayment(t testing.TB) (*wire.MsgTx, *wire.MsgTx, *fakeTxInfo) {
	t.Helper()
	b1, b161 := loadRegtestBlock(t, 1), loadRegtestBlock(t, regtestFeeHeight)
	pay, cb := b161.Transactions[1], b1.Transactions[0]
	op := pay.TxIn[0].PreviousOutPoint
	if op.Hash != cb.TxHash() || op.Index != 0 {
		t.Fatalf("block 161's payment spends %v, not block 1's coinbase", op)
	}
	src := &fakeTxInfo{info: TxInfo{Tip: 170, Label: "rent for March", WalletFee: -1, Prevouts: map[wire.OutPoint]Prevout{
		op: {Value: btcutil.Amount(cb.TxOut[0].Value), PkScript: cb.TxOut[0].PkScript, From: "block 1",
			Tx: cb, Height: 1, BlockHash: b1.BlockHash()},
	}}}
	return pay, cb, src
}

func newInfoTxView(t testing.TB, tx *wire.MsgTx, src TxInfoSource, w, h int, owns func([]byte) bool, opts ...TxOption) *TxView {
	t.Helper()
	b161 := loadRegtestBlock(t, regtestFeeHeight)
	opts = append([]TxOption{WithTxInfo(src)}, opts...)
	v := NewTxView(common.NewCommon(t.Context(), w, h), tx, b161.BlockHash(), regtestFeeHeight,
		&chaincfg.RegressionNetParams, owns, opts...)
	runDetail(t, v, v.Init())
	return v
}

// TestTxViewFee checks the transaction page of a fee-paying payment whose
// input is known: fee and rate to the satoshi, confirmations, label, the
// input's value and address marked ours, in both units.
func TestTxViewFee(t *testing.T) {
	pay, cb, src := regtestPayment(t)
	mine := ownsScript(cb.TxOut[0].PkScript) // the mining key: input and both outputs
	rate := fees.FormatRate(float64(regtestFee) / (float64(pay.SerializeSizeStripped()*3+pay.SerializeSize()) / 4))
	tests := []struct {
		name  string
		w, h  int
		units Units
		want  []string
	}{
		{"80x24", 80, 24, UnitsBTC, []string{
			"height       161 · 10 confirmations", "label        rent for March",
			"fee          0.00010000 BTC · " + rate + " sat/vB", "RBF          no",
			"total in     50.00000000 BTC", "total out    49.99990000 BTC",
			"> #0         " + cb.TxHash().String() + ":0",
			"value    50.00000000 BTC  p2wpkh · from block 1  ours",
			"address  " + regtestAddr(t, cb.TxOut[0].PkScript),
		}},
		{"120x40_sats", 120, 40, UnitsSat, []string{
			"fee          10,000 sat · " + rate + " sat/vB", "total in     5,000,000,000 sat",
			"value    5,000,000,000 sat  p2wpkh · from block 1  ours", "2,499,995,000 sat  p2wpkh  ours",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newInfoTxView(t, pay, src, tt.w, tt.h, mine, WithTxUnits(tt.units))
			got := txContent(v)
			tuitest.AssertFits(t, got, tt.w, tt.h)
			text := ansi.Strip(got)
			for _, s := range tt.want {
				if !strings.Contains(text, s) {
					t.Errorf("view does not show %q:\n%s", s, text)
				}
			}
			golden.RequireEqual(t, got)
		})
	}
}

func regtestAddr(t testing.TB, script []byte) string {
	t.Helper()
	_, addrs, _, err := txscript.ExtractPkScriptAddrs(script, &chaincfg.RegressionNetParams)
	if err != nil || len(addrs) != 1 {
		t.Fatalf("script %x: %v", script, err)
	}
	return addrs[0].EncodeAddress()
}

// TestTxViewFeeUnknown checks that a fee the page cannot know is said to
// be unknown, never guessed, and that the wallet's recorded fee fills in.
func TestTxViewFeeUnknown(t *testing.T) {
	pay, _, src := regtestPayment(t)
	src.info.Prevouts = nil
	v := newInfoTxView(t, pay, src, 80, 24, nil)
	text := ansi.Strip(txContent(v))
	for _, s := range []string{"fee          unknown: this light node does not know the value of input #0",
		"value    unknown (not in the wallet"} {
		if !strings.Contains(text, s) {
			t.Errorf("view does not show %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "sat/vB") || strings.Contains(text, "total in") {
		t.Errorf("a fee or input total is shown without the input's value:\n%s", text)
	}

	src.info.WalletFee = regtestFee
	v = newInfoTxView(t, pay, src, 80, 24, nil)
	if text := ansi.Strip(txContent(v)); !strings.Contains(text, "fee          0.00010000 BTC · ") {
		t.Errorf("the wallet's fee is not shown:\n%s", text)
	}
	if fee, ok, _ := TxFee(pay, TxInfo{WalletFee: -1}); ok {
		t.Errorf("TxFee without inputs = %d", fee)
	}
}

// TestTxViewOpenInput checks enter on an input: the spent transaction
// opens at once when known, is looked up otherwise, and a failed lookup is
// said in the footer.
func TestTxViewOpenInput(t *testing.T) {
	pay, cb, src := regtestPayment(t)
	v := newInfoTxView(t, pay, src, 80, 24, nil)
	msgs := press(t, v, "enter")
	if len(msgs) != 1 {
		t.Fatalf("enter emitted %v", msgs)
	}
	sel, ok := msgs[0].(TxSelectedMsg)
	if !ok || sel.Txid != cb.TxHash() || sel.Tx != cb || sel.Height != 1 || len(src.lookups) != 0 {
		t.Fatalf("enter emitted %+v (lookups %v)", msgs[0], src.lookups)
	}

	// Unknown to TxInfo: looked up, and found.
	src.info.Prevouts = nil
	src.txs = map[chainhash.Hash]TxRef{cb.TxHash(): {Tx: cb, Height: 1}}
	v = newInfoTxView(t, pay, src, 80, 24, nil)
	msgs = press(t, v, "enter")
	if len(msgs) != 1 || msgs[0].(TxSelectedMsg).Tx != cb || len(src.lookups) != 1 {
		t.Fatalf("enter on an unknown input emitted %v (lookups %v)", msgs, src.lookups)
	}

	// Not found anywhere: the footer says so and nothing opens; the
	// input's witness names the address the coin paid, and enter again
	// searches it (which fetches the block holding the transaction).
	src.txs = nil
	msgs = press(t, v, "enter")
	if text := ansi.Strip(txContent(v)); len(msgs) != 0 || !strings.Contains(text, "tx "+cb.TxHash().String()[:6]+"…") ||
		!strings.Contains(text, "is in no fetched block · enter: find it by the address it paid") {
		t.Fatalf("a failed lookup emitted %v:\n%s", msgs, text)
	}
	tuitest.AssertFits(t, txContent(v), 80, 24)
	msgs = press(t, v, "enter")
	if len(msgs) != 1 {
		t.Fatalf("enter after a failed lookup emitted %v", msgs)
	}
	if as, ok := msgs[0].(AddressSearchMsg); !ok || !bytes.Equal(as.Script, cb.TxOut[pay.TxIn[0].PreviousOutPoint.Index].PkScript) {
		t.Fatalf("enter after a failed lookup emitted %+v; want a search for the coin's script %x", msgs[0],
			cb.TxOut[pay.TxIn[0].PreviousOutPoint.Index].PkScript)
	}

	// i moves the selection through the inputs and scrolls to it.
	tx := segwitTx(t)
	v = NewTxView(common.NewCommon(t.Context(), 80, 12), tx, chainhash.Hash{}, 0, &chaincfg.MainNetParams, nil,
		WithTxInfo(&fakeTxInfo{info: TxInfo{Tip: -1, WalletFee: -1}}))
	runDetail(t, v, v.Init())
	press(t, v, "i")
	text := ansi.Strip(txContent(v))
	if v.sel != 1 || !strings.Contains(text, "> #1 ") {
		t.Fatalf("i did not select input 1 on screen:\n%s", text)
	}
	press(t, v, "I")
	press(t, v, "I")
	if v.sel != 1 {
		t.Errorf("I twice from input 1 of 2 selected %d, want 1 (wrapping)", v.sel)
	}
}
