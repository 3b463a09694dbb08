package explorer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/tui/common"
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
