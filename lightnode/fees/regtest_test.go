package fees

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// TestStatsRegtest checks the arithmetic on blocks a real btcd mined: one
// with only its coinbase and one with a payment paying a 10,000-sat fee,
// past regtest's first halving (150 blocks), against btcd's own size and
// weight.
func TestStatsRegtest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd")
	}
	btcd := regtest.Start(t)
	btcd.Generate(160)
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 2, nil)
	btcd.SendRaw(pay)
	btcd.Generate(1)
	_, tip := btcd.BestBlock()
	if tip != 161 {
		t.Fatalf("tip %d, want 161", tip)
	}

	for _, tc := range []struct {
		height  int32
		txs     int
		fees    int64
		subsidy int64
	}{
		{100, 1, 0, 50_0000_0000},
		{161, 2, 10_000, 25_0000_0000},
	} {
		b := btcd.Block(tc.height)
		s, err := Stats(b, tc.height, &chaincfg.RegressionNetParams)
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			Size   int   `json:"size"`
			Weight int64 `json:"weight"`
		}
		raw, err := btcd.Call("getblock", btcd.BlockHash(tc.height).String(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &info); err != nil {
			t.Fatal(err)
		}
		if s.TxCount != tc.txs || int64(s.Fees) != tc.fees || int64(s.Subsidy) != tc.subsidy {
			t.Errorf("block %d: %d txs, fees %d, subsidy %d; want %d, %d, %d",
				tc.height, s.TxCount, s.Fees, s.Subsidy, tc.txs, tc.fees, tc.subsidy)
		}
		if int64(s.CoinbaseValue) != tc.fees+tc.subsidy {
			t.Errorf("block %d: coinbase pays %d, want %d", tc.height, s.CoinbaseValue, tc.fees+tc.subsidy)
		}
		if s.Size != info.Size || s.Weight != info.Weight {
			t.Errorf("block %d: size %d weight %d; btcd says %d and %d", tc.height, s.Size, s.Weight, info.Size, info.Weight)
		}
		if !strings.Contains(s.CoinbaseText, "btcd") {
			t.Errorf("block %d: coinbase text %q does not name btcd", tc.height, s.CoinbaseText)
		}
		rate, ok := s.FeeRate()
		if tc.txs == 1 {
			if ok {
				t.Errorf("block %d has only a coinbase but a fee rate %v", tc.height, rate)
			}
			continue
		}
		// The payment is the block's only other transaction: the rate is
		// its fee over its own virtual size.
		if s.TxWeight != TxWeight(pay) {
			t.Errorf("block %d: tx weight %d, the payment weighs %d", tc.height, s.TxWeight, TxWeight(pay))
		}
		if want := 10_000 / (float64(TxWeight(pay)) / 4); !ok || rate != want {
			t.Errorf("block %d: fee rate %v, want %v", tc.height, rate, want)
		}
	}
}
