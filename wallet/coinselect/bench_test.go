package coinselect

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// benchCoins returns n coins of mixed types with values between 1,000 sat and
// 1 BTC, log-uniform, as a long-used wallet holds them.
func benchCoins(n int) []Coin {
	r := rand.New(rand.NewPCG(42, 42))
	coins := make([]Coin, n)
	for i := range coins {
		coins[i] = coin(i, logUniform(r, 1_000, btc), InputType(2+r.IntN(3)))
	}
	return coins
}

// BenchmarkSelect1000Coins measures a selection from 1,000 coins: a payment
// that branch and bound settles without change, one where it exhausts its
// tries and the fallback makes change, and a sweep.
func BenchmarkSelect1000Coins(b *testing.B) {
	coins := benchCoins(1000)
	total := sumCoins(coins)

	// Round coins (whole multiples of 0.01 BTC) that no set can fit to a
	// payment half-way between two multiples: branch and bound spends all
	// its tries, then the fallback makes change.
	r := rand.New(rand.NewPCG(7, 7))
	round := make([]Coin, 1000)
	for i := range round {
		round[i] = coin(i, (1+r.Int64N(100))*1_000_000, P2WPKH)
	}

	// A payment that a pair of coins matches exactly.
	exact := coins[10].Value + coins[20].Value -
		btcutil.Amount(specFee(5, EstimateVSize([]InputType{coins[10].Type, coins[20].Type}, []*wire.TxOut{pay(0)}, nil)))

	cases := []struct {
		name      string
		req       Request
		algorithm string
	}{
		{"changeless", Request{Coins: coins, Outputs: []*wire.TxOut{pay(int64(exact))}, FeeRateSatVB: 5, ChangeType: P2WPKH}, AlgorithmBnB},
		{"fallback", Request{Coins: round, Outputs: []*wire.TxOut{pay(123_500_000)}, FeeRateSatVB: 5, ChangeType: P2WPKH}, AlgorithmKnapsack},
		{"large-payment", Request{Coins: coins, Outputs: []*wire.TxOut{pay(total / 3), pay(12_345)}, FeeRateSatVB: 5, ChangeType: P2WPKH}, AlgorithmBnB},
		{"send-max", Request{Coins: coins, Outputs: []*wire.TxOut{pay(0)}, FeeRateSatVB: 5, SendMax: true}, AlgorithmSendMax},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Select(&tc.req); err != nil {
					b.Fatal(err)
				}
			}
			if res.Algorithm != tc.algorithm {
				b.Fatalf("algorithm %s, want %s", res.Algorithm, tc.algorithm)
			}
			b.ReportMetric(float64(len(res.Inputs)), "inputs")
		})
	}
}
