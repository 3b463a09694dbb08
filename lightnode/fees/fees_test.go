package fees

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

func TestSubsidy(t *testing.T) {
	tests := []struct {
		name   string
		height int32
		params *chaincfg.Params
		want   btcutil.Amount
	}{
		{"mainnet genesis", 0, &chaincfg.MainNetParams, 50_0000_0000},
		{"mainnet last 50", 209_999, &chaincfg.MainNetParams, 50_0000_0000},
		{"mainnet first halving", 210_000, &chaincfg.MainNetParams, 25_0000_0000},
		{"mainnet 2024", 840_000, &chaincfg.MainNetParams, 3_1250_0000},
		{"mainnet 33rd halving", 33 * 210_000, &chaincfg.MainNetParams, 0},
		{"mainnet 32nd halving", 32 * 210_000, &chaincfg.MainNetParams, 1},
		{"regtest 149", 149, &chaincfg.RegressionNetParams, 50_0000_0000},
		{"regtest 150", 150, &chaincfg.RegressionNetParams, 25_0000_0000},
		{"regtest 64 halvings", 64 * 150, &chaincfg.RegressionNetParams, 0},
		{"regtest far", 1 << 30, &chaincfg.RegressionNetParams, 0},
		{"negative height", -1, &chaincfg.MainNetParams, 0},
	}
	for _, tt := range tests {
		if got := Subsidy(tt.height, tt.params); got != tt.want {
			t.Errorf("%s: Subsidy(%d) = %d, want %d", tt.name, tt.height, got, tt.want)
		}
	}
}

func TestPrintableText(t *testing.T) {
	tests := []struct {
		script []byte
		want   string
	}{
		{nil, ""},
		{[]byte{0x03, 0xa0, 0x86, 0x01, 0x08, 1, 2, 3, 4, 5, 6, 7, 8}, ""},
		// A pushed height (3 bytes) then a tag: the height's bytes are
		// not text.
		{append([]byte{0x03, 0x40, 0x0d, 0x03, 0x0b}, "/Foundry USA Pool #dropgold/"...), "/Foundry USA Pool #dropgold/"},
		// Short runs are noise from binary pushes.
		{append([]byte("ab\x00"), "/slush/\x01\x02mined by me"...), "/slush/ mined by me"},
		{[]byte("The Times 03/Jan/2009 Chancellor"), "The Times 03/Jan/2009 Chancellor"},
	}
	for _, tt := range tests {
		if got := PrintableText(tt.script); got != tt.want {
			t.Errorf("PrintableText(%x) = %q, want %q", tt.script, got, tt.want)
		}
	}
}

// testBlock is a block with a coinbase paying coinbaseValue and n other
// one-input transactions, each with a witness.
func testBlock(coinbaseValue int64, n int) *wire.MsgBlock {
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, wire.MaxPrevOutIndex), []byte("\x01\x07/test miner/"), nil))
	cb.AddTxOut(wire.NewTxOut(coinbaseValue, []byte{0x51}))
	b := &wire.MsgBlock{Transactions: []*wire.MsgTx{cb}}
	for i := range n {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{byte(i + 1)}, 0), nil, [][]byte{make([]byte, 72), make([]byte, 33)}))
		tx.AddTxOut(wire.NewTxOut(1000, make([]byte, 22)))
		b.Transactions = append(b.Transactions, tx)
	}
	return b
}

func TestStats(t *testing.T) {
	b := testBlock(50_0000_0000+12_345, 2)
	s, err := Stats(b, 10, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if s.Fees != 12_345 || s.Subsidy != 50_0000_0000 || s.CoinbaseValue != 50_0000_0000+12_345 {
		t.Errorf("fees %d subsidy %d coinbase %d", s.Fees, s.Subsidy, s.CoinbaseValue)
	}
	if s.TxCount != 3 || s.Size != b.SerializeSize() {
		t.Errorf("tx count %d size %d", s.TxCount, s.Size)
	}
	// Weight adds up: header and count (non-witness, ×4) plus every
	// transaction's weight.
	var sum int64
	for _, tx := range b.Transactions {
		sum += TxWeight(tx)
	}
	if want := int64(4*(80+1)) + sum; s.Weight != want {
		t.Errorf("weight %d, want %d", s.Weight, want)
	}
	if s.TxWeight != sum-s.CoinbaseWeight {
		t.Errorf("tx weight %d, want %d", s.TxWeight, sum-s.CoinbaseWeight)
	}
	rate, ok := s.FeeRate()
	if want := 12_345 / (float64(s.TxWeight) / 4); !ok || rate != want {
		t.Errorf("fee rate %v %v, want %v", rate, ok, want)
	}
	if s.CoinbaseText != "/test miner/" {
		t.Errorf("coinbase text %q", s.CoinbaseText)
	}

	// A coinbase claiming less than the subsidy paid no fees we can see.
	under, err := Stats(testBlock(1000, 1), 10, &chaincfg.RegressionNetParams)
	if err != nil || under.Fees != 0 {
		t.Errorf("underclaiming coinbase: fees %d, %v", under.Fees, err)
	}
	// A block of only its coinbase has no fee rate.
	if _, ok := mustStats(t, testBlock(50_0000_0000, 0), 1).FeeRate(); ok {
		t.Error("a coinbase-only block has a fee rate")
	}
	if _, err := Stats(&wire.MsgBlock{}, 1, &chaincfg.RegressionNetParams); !errors.Is(err, ErrNoCoinbase) {
		t.Errorf("empty block: %v", err)
	}
	bad := testBlock(btcutil.MaxSatoshi, 0)
	bad.Transactions[0].AddTxOut(wire.NewTxOut(1, nil))
	if _, err := Stats(bad, 1, &chaincfg.RegressionNetParams); err == nil {
		t.Error("a coinbase paying over 21M BTC passed")
	}
}

func mustStats(t *testing.T, b *wire.MsgBlock, height int32) Block {
	t.Helper()
	s, err := Stats(b, height, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rated is a block with the given fee rate over 1,000 vB of transactions.
func rated(height int32, rate float64) Block {
	return Block{Height: height, TxCount: 2, TxWeight: 4000, Fees: btcutil.Amount(rate * 1000), Weight: 4000 + 800}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		name              string
		blocks            []Block
		peers             []PeerFloor
		low, medium, high float64
		lowFrom, medFrom  string
		highFrom          string
	}{
		{"no data", nil, nil, 1, 1, 1, "no peer sent a feefilter", "no recent block", "no recent block"},
		{"odd count", []Block{rated(6, 3), rated(5, 12.34), rated(4, 5)}, []PeerFloor{{"a", 2}, {"b", 1}},
			2, 5, 12.4, "highest feefilter of 2 peers", "median average fee rate of the last 3 blocks (4–6)",
			"(block 5)"},
		{"even count", []Block{rated(2, 4), rated(1, 6)}, nil,
			1, 5, 6, "default minimum relay fee", "median", "(block 1)"},
		{"floor above blocks", []Block{rated(2, 1.5), rated(1, 2)}, []PeerFloor{{"a", 10}},
			10, 10, 10, "1 peer", "raised to the low rate", "raised to the medium rate"},
		{"floor below default", nil, []PeerFloor{{"a", 0.1}}, 1, 1, 1, "raised to the default minimum relay fee", "", ""},
		{"empty blocks", []Block{{Height: 3, TxCount: 1}, {Height: 2, TxCount: 1}}, nil,
			1, 1, 1, "", "no transactions besides the coinbase in the last 2 blocks (2–3)", ""},
		{"some empty", []Block{{Height: 3, TxCount: 1}, rated(2, 7)}, nil,
			1, 7, 7, "", "(the 1 block with transactions)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Suggest(tt.blocks, tt.peers)
			if e.Low.Rate != tt.low || e.Medium.Rate != tt.medium || e.High.Rate != tt.high {
				t.Errorf("rates %v / %v / %v, want %v / %v / %v", e.Low.Rate, e.Medium.Rate, e.High.Rate, tt.low, tt.medium, tt.high)
			}
			for _, c := range []struct{ got, want string }{{e.Low.From, tt.lowFrom}, {e.Medium.From, tt.medFrom}, {e.High.From, tt.highFrom}} {
				if !strings.Contains(c.got, c.want) {
					t.Errorf("source %q does not say %q", c.got, c.want)
				}
			}
		})
	}
}

func TestFormatRate(t *testing.T) {
	for r, want := range map[float64]string{1: "1", 2.5: "2.5", 13.371: "13.37", 0.004: "0"} {
		if got := FormatRate(r); got != want {
			t.Errorf("FormatRate(%v) = %q, want %q", r, got, want)
		}
	}
}

// fetcher serves blocks by height.
type fetcher map[int32]*wire.MsgBlock

func (f fetcher) BlockAt(_ context.Context, h int32) (*wire.MsgBlock, error) {
	if b, ok := f[h]; ok {
		return b, nil
	}
	return nil, errors.New("not found")
}

func TestRecent(t *testing.T) {
	f := fetcher{0: testBlock(50_0000_0000, 0), 1: testBlock(50_0000_0000+1, 1), 2: testBlock(50_0000_0000+2, 1)}
	got, err := Recent(t.Context(), f, 2, 6, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Height != 2 || got[2].Height != 0 || got[0].Fees != 2 {
		t.Errorf("Recent = %+v", got)
	}
	if _, err := Recent(t.Context(), f, 3, 2, &chaincfg.RegressionNetParams); err == nil || !strings.Contains(err.Error(), "block 3") {
		t.Errorf("missing block: %v", err)
	}
}
