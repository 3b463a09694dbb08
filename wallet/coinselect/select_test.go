package coinselect

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

const btc = btcutil.SatoshiPerBitcoin

// coin returns a coin with a distinct outpoint per id.
func coin(id int, value int64, typ InputType) Coin {
	return Coin{
		OutPoint:      wire.OutPoint{Hash: sha256.Sum256([]byte(fmt.Sprint("coin", id))), Index: uint32(id % 7)},
		Value:         btcutil.Amount(value),
		Type:          typ,
		Confirmations: 6,
	}
}

// wpkhCoins returns P2WPKH coins of the given values, ids from 1.
func wpkhCoins(values ...int64) []Coin {
	c := make([]Coin, len(values))
	for i, v := range values {
		c[i] = coin(i+1, v, P2WPKH)
	}
	return c
}

// pay returns a P2WPKH output of value sat.
func pay(value int64) *wire.TxOut {
	return wire.NewTxOut(value, outputScript(P2WPKH, 4242))
}

func inputValues(res *Result) []int64 {
	v := make([]int64, len(res.Inputs))
	for i, c := range res.Inputs {
		v[i] = int64(c.Value)
	}
	slices.Sort(v)
	return v
}

func TestSelect(t *testing.T) {
	// Fees of P2WPKH transactions paying one P2WPKH output at 10 sat/vB:
	// 1 input 110 vB, 2 inputs 178 vB.
	const fee1in, fee2in = 1100, 1780

	tests := []struct {
		name string
		req  Request

		wantAlgorithm string
		wantInputs    []int64 // input values, sorted; nil: don't check
		wantChange    bool
		wantFee       int64 // 0: don't check
		wantErr       error
	}{
		{
			name: "bnb finds an exact match without change",
			req: Request{
				Coins:        wpkhCoins(1*btc, 2*btc, 3*btc, 5*btc),
				Outputs:      []*wire.TxOut{pay(4*btc - fee2in)},
				FeeRateSatVB: 10, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmBnB,
			wantInputs:    []int64{1 * btc, 3 * btc},
			wantFee:       fee2in,
		},
		{
			name: "bnb match within the cost of change gives the rest to the fee",
			req: Request{
				Coins:        wpkhCoins(1*btc, 2*btc, 3*btc, 5*btc),
				Outputs:      []*wire.TxOut{pay(2*btc - fee1in - 500)},
				FeeRateSatVB: 10, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmBnB,
			wantInputs:    []int64{2 * btc},
			wantFee:       fee1in + 500,
		},
		{
			name: "fallback makes change when nothing matches",
			req: Request{
				Coins:        wpkhCoins(1*btc, 2*btc, 3*btc, 5*btc),
				Outputs:      []*wire.TxOut{pay(btc / 2)},
				FeeRateSatVB: 10, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmKnapsack,
			wantInputs:    []int64{1 * btc},
			wantChange:    true,
			wantFee:       1410, // 141 vB: 1 input, 2 outputs
		},
		{
			name: "fallback combines coins when no single one is enough",
			req: Request{
				Coins:        wpkhCoins(1*btc, 2*btc, 3*btc, 5*btc),
				Outputs:      []*wire.TxOut{pay(10*btc + 1)},
				FeeRateSatVB: 10, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmKnapsack,
			wantInputs:    []int64{1 * btc, 2 * btc, 3 * btc, 5 * btc},
			wantChange:    true,
		},
		{
			name: "change below its worth is folded into the fee",
			req: Request{
				Required:     wpkhCoins(100_000),
				Outputs:      []*wire.TxOut{pay(100_000 - 110 - 500)},
				FeeRateSatVB: 1, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmManual,
			wantInputs:    []int64{100_000},
			wantFee:       610,
		},
		{
			name: "change below a custom dust limit is folded into the fee",
			req: Request{
				Required:     wpkhCoins(1_000_000),
				Outputs:      []*wire.TxOut{pay(990_000)},
				FeeRateSatVB: 1, ChangeType: P2WPKH,
				DustLimit: func([]byte, float64) btcutil.Amount { return 20_000 },
			},
			wantAlgorithm: AlgorithmManual,
			wantFee:       10_000,
		},
		{
			name: "change worth making is kept",
			req: Request{
				Required:     wpkhCoins(100_000),
				Outputs:      []*wire.TxOut{pay(90_000)},
				FeeRateSatVB: 1, ChangeType: P2TR,
			},
			wantAlgorithm: AlgorithmManual,
			wantChange:    true,
			wantFee:       153, // 1 p2wpkh in, p2wpkh + p2tr out: 610 WU = 153 vB
		},
		{
			name: "insufficient funds",
			req: Request{
				Coins:        wpkhCoins(1000, 2000),
				Outputs:      []*wire.TxOut{pay(10_000)},
				FeeRateSatVB: 1, ChangeType: P2WPKH,
			},
			wantErr: ErrInsufficientFunds,
		},
		{
			name: "required coins are always spent",
			req: Request{
				Coins:        wpkhCoins(5*btc, 1*btc),
				Required:     []Coin{coin(100, 50_000, P2PKH)},
				Outputs:      []*wire.TxOut{pay(btc / 10)},
				FeeRateSatVB: 20, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmKnapsack,
			wantInputs:    []int64{50_000, 1 * btc},
			wantChange:    true,
		},
		{
			name: "required coins that cost more than they bring are still spent",
			req: Request{
				Coins:        wpkhCoins(btc),
				Required:     []Coin{coin(100, 600, P2PKH)},
				Outputs:      []*wire.TxOut{pay(btc / 2)},
				FeeRateSatVB: 50, ChangeType: P2WPKH,
			},
			wantInputs: []int64{600, btc},
			wantChange: true,
		},
		{
			name: "required coins that pay for everything are enough",
			req: Request{
				Coins:        wpkhCoins(5*btc, 1*btc),
				Required:     []Coin{coin(100, 2*btc, P2WPKH)},
				Outputs:      []*wire.TxOut{pay(btc)},
				FeeRateSatVB: 5, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmManual,
			wantInputs:    []int64{2 * btc},
			wantChange:    true,
		},
		{
			name: "a required coin also offered as a candidate is spent once",
			req: Request{
				Coins:        wpkhCoins(3*btc, 1*btc),
				Required:     wpkhCoins(3 * btc),
				Outputs:      []*wire.TxOut{pay(3*btc + 1)},
				FeeRateSatVB: 5, ChangeType: P2WPKH,
			},
			wantInputs: []int64{1 * btc, 3 * btc},
			wantChange: true,
		},
		{
			name: "spend only required",
			req: Request{
				Coins:             wpkhCoins(5*btc, 1*btc),
				Required:          []Coin{coin(100, 40_000, P2TR), coin(101, 30_000, P2PKH)},
				SpendOnlyRequired: true,
				Outputs:           []*wire.TxOut{pay(50_000)},
				FeeRateSatVB:      3, ChangeType: P2TR,
			},
			wantAlgorithm: AlgorithmManual,
			wantInputs:    []int64{30_000, 40_000},
			wantChange:    true,
		},
		{
			name: "spend only required, not enough",
			req: Request{
				Coins:             wpkhCoins(5*btc, 1*btc),
				Required:          []Coin{coin(100, 40_000, P2WPKH)},
				SpendOnlyRequired: true,
				Outputs:           []*wire.TxOut{pay(50_000)},
				FeeRateSatVB:      3, ChangeType: P2TR,
			},
			wantErr: ErrInsufficientFunds,
		},
		{
			name: "send max sweeps every coin worth spending",
			req: Request{
				Coins:        append(wpkhCoins(1*btc, 2*btc, 600), coin(50, 3*btc, P2TR)),
				Outputs:      []*wire.TxOut{pay(0)},
				FeeRateSatVB: 10, SendMax: true,
			},
			wantAlgorithm: AlgorithmSendMax,
			wantInputs:    []int64{1 * btc, 2 * btc, 3 * btc}, // 600 sat would cost 680 to spend
		},
		{
			name: "send max of coin control spends only the chosen coins",
			req: Request{
				Coins:             wpkhCoins(1*btc, 2*btc),
				Required:          []Coin{coin(60, 50_000, P2PKH)},
				SpendOnlyRequired: true,
				Outputs:           []*wire.TxOut{pay(123)},
				FeeRateSatVB:      2, SendMax: true,
			},
			wantAlgorithm: AlgorithmSendMax,
			wantInputs:    []int64{50_000},
			wantFee:       2 * 189, // 1 p2pkh in, 1 p2wpkh out: 10 + 148 + 31 = 189 vB
		},
		{
			name: "send max leaving dust",
			req: Request{
				Coins:        wpkhCoins(1100 + 290),
				Outputs:      []*wire.TxOut{pay(0)},
				FeeRateSatVB: 10, SendMax: true,
			},
			wantErr: ErrDustOutput,
		},
		{
			name: "send max with nothing left after the fee",
			req: Request{
				Required:     wpkhCoins(1000),
				Outputs:      []*wire.TxOut{pay(0)},
				FeeRateSatVB: 10, SendMax: true,
			},
			wantErr: ErrInsufficientFunds,
		},
		{
			name: "dust output",
			req: Request{
				Coins:        wpkhCoins(btc),
				Outputs:      []*wire.TxOut{pay(293)},
				FeeRateSatVB: 1, ChangeType: P2WPKH,
			},
			wantErr: ErrDustOutput,
		},
		{
			name: "output at the dust limit",
			req: Request{
				Coins:        wpkhCoins(btc),
				Outputs:      []*wire.TxOut{pay(294)},
				FeeRateSatVB: 1, ChangeType: P2WPKH,
			},
			wantAlgorithm: AlgorithmKnapsack,
			wantChange:    true,
		},
		{
			name: "op_return output of zero value",
			req: Request{
				Coins:        wpkhCoins(100_000),
				Outputs:      []*wire.TxOut{pay(50_000), wire.NewTxOut(0, []byte{txscript.OP_RETURN, 0x02, 0xca, 0xfe})},
				FeeRateSatVB: 1, ChangeType: P2WPKH,
			},
			wantChange: true,
		},
		{
			name: "fractional fee rate",
			req: Request{
				Coins:        wpkhCoins(100_000),
				Outputs:      []*wire.TxOut{pay(50_000)},
				FeeRateSatVB: 1.5, ChangeType: P2WPKH,
			},
			wantChange: true,
			wantFee:    212, // 141 vB x 1.5 = 211.5, rounded up
		},
		{
			name: "too many inputs for a standard transaction",
			req: Request{
				Coins:        manyCoins(1000, 10_000, P2PKH),
				Outputs:      []*wire.TxOut{pay(9_000_000)},
				FeeRateSatVB: 1, ChangeType: P2WPKH,
			},
			wantErr: ErrTooLarge,
		},
		{
			name:    "no coins",
			req:     Request{Outputs: []*wire.TxOut{pay(10_000)}, FeeRateSatVB: 1, ChangeType: P2WPKH},
			wantErr: ErrNoCoins,
		},
		{
			name: "coin control with no coin chosen",
			req: Request{
				Coins: wpkhCoins(btc), SpendOnlyRequired: true,
				Outputs: []*wire.TxOut{pay(10_000)}, FeeRateSatVB: 1, ChangeType: P2WPKH,
			},
			wantErr: ErrNoCoins,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Select(&tc.req)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if !knownError(err) {
					t.Errorf("error %v breaks its contract", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			if err := checkResult(&tc.req, res); err != nil {
				t.Fatal(err)
			}
			if tc.wantAlgorithm != "" && res.Algorithm != tc.wantAlgorithm {
				t.Errorf("algorithm %q, want %q", res.Algorithm, tc.wantAlgorithm)
			}
			if tc.wantInputs != nil && !slices.Equal(inputValues(res), tc.wantInputs) {
				t.Errorf("inputs %v, want %v", inputValues(res), tc.wantInputs)
			}
			if (res.Change > 0) != tc.wantChange {
				t.Errorf("change %d, want change: %v", res.Change, tc.wantChange)
			}
			if tc.wantFee != 0 && int64(res.Fee) != tc.wantFee {
				t.Errorf("fee %d, want %d", res.Fee, tc.wantFee)
			}
		})
	}
}

func manyCoins(n int, value int64, typ InputType) []Coin {
	c := make([]Coin, n)
	for i := range c {
		c[i] = coin(i, value, typ)
	}
	return c
}

// TestSelectWasteMetric checks that branch and bound weighs inputs against
// the long-term fee rate: with two exact matches, one coin or two, it
// spends fewer inputs when fees are high and consolidates when they are low.
func TestSelectWasteMetric(t *testing.T) {
	const amount = 1_000_000
	tests := []struct {
		feeRate    int64
		wantInputs int
	}{
		{feeRate: 50, wantInputs: 1},
		{feeRate: 2, wantInputs: 2},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d sat/vB", tc.feeRate), func(t *testing.T) {
			// One input: 110 vB, two inputs: 178 vB (P2WPKH, one output).
			req := Request{
				Coins: wpkhCoins(
					amount+110*tc.feeRate,
					amount/2,
					amount/2+178*tc.feeRate,
				),
				Outputs:      []*wire.TxOut{pay(amount)},
				FeeRateSatVB: float64(tc.feeRate), ChangeType: P2WPKH,
			}
			res, err := Select(&req)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkResult(&req, res); err != nil {
				t.Fatal(err)
			}
			if res.Algorithm != AlgorithmBnB || res.Change != 0 {
				t.Fatalf("algorithm %s change %d, want an exact bnb match", res.Algorithm, res.Change)
			}
			if len(res.Inputs) != tc.wantInputs {
				t.Errorf("%d inputs, want %d", len(res.Inputs), tc.wantInputs)
			}
			if want := specFee(req.FeeRateSatVB, res.VSize); int64(res.Fee) != want {
				t.Errorf("fee %d, want exactly %d", res.Fee, want)
			}
		})
	}
}

// TestSelectDeterministic checks that the same coins, in any order, give
// the same transaction: a wallet that retries a payment must not pick other
// coins.
func TestSelectDeterministic(t *testing.T) {
	coins := manyCoins(200, 0, P2WPKH)
	for i := range coins {
		coins[i].Value = btcutil.Amount(10_000 + (i*7919)%50_000)
		coins[i].Type = InputType(1 + i%4)
	}
	req := Request{Coins: coins, Outputs: []*wire.TxOut{pay(1_234_567)}, FeeRateSatVB: 7.25, ChangeType: P2WPKH}
	first, err := Select(&req)
	if err != nil {
		t.Fatal(err)
	}
	for _, seed := range []int{1, 2, 3} {
		shuffled := slices.Clone(coins)
		for i := range shuffled {
			j := (i*seed*31 + 17) % len(shuffled)
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		}
		req.Coins = shuffled
		again, err := Select(&req)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(again.Inputs, first.Inputs) || again.Fee != first.Fee || again.Change != first.Change {
			t.Fatalf("shuffle %d: different selection (%d inputs, fee %d) than before (%d inputs, fee %d)",
				seed, len(again.Inputs), again.Fee, len(first.Inputs), first.Fee)
		}
	}
}

// TestSelectManyCoins selects from 1,000 small coins.
func TestSelectManyCoins(t *testing.T) {
	coins := manyCoins(1000, 0, P2WPKH)
	for i := range coins {
		coins[i].Value = btcutil.Amount(5_000 + (i*104729)%95_000)
		coins[i].Type = InputType(2 + i%3)
	}
	total := sumCoins(coins)
	for _, amount := range []int64{50_000, 1_000_000, total / 2, total * 9 / 10} {
		t.Run(fmt.Sprint(amount), func(t *testing.T) {
			req := Request{Coins: coins, Outputs: []*wire.TxOut{pay(amount)}, FeeRateSatVB: 3, ChangeType: P2TR}
			res, err := Select(&req)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkResult(&req, res); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSelectInsufficientFundsError checks that the error tells the user the
// amounts, in BTC.
func TestSelectInsufficientFundsError(t *testing.T) {
	req := Request{
		Coins:        append(wpkhCoins(1000, 2000), coin(9, 100, P2PKH)),
		Outputs:      []*wire.TxOut{pay(10_000)},
		FeeRateSatVB: 1, ChangeType: P2WPKH,
	}
	_, err := Select(&req)
	var ife *InsufficientFundsError
	if !errors.As(err, &ife) {
		t.Fatalf("err = %v, want an InsufficientFundsError", err)
	}
	// Two P2WPKH inputs, one output: 178 vB at 1 sat/vB.
	want := InsufficientFundsError{Available: 3000, Needed: 10_000 + 178, Uneconomic: 100}
	if *ife != want {
		t.Errorf("got %+v, want %+v", *ife, want)
	}
	for _, s := range []string{"0.00003000 BTC available", "0.00010178 BTC needed", "0.00000100 BTC"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q does not say %q", err, s)
		}
	}
}

// TestSelectInvalid checks that malformed requests are refused with the
// right error rather than mis-priced.
func TestSelectInvalid(t *testing.T) {
	valid := func() Request {
		return Request{Coins: wpkhCoins(btc), Outputs: []*wire.TxOut{pay(10_000)}, FeeRateSatVB: 2, ChangeType: P2WPKH}
	}
	tests := []struct {
		name    string
		edit    func(r *Request)
		wantErr error
	}{
		{"zero fee rate", func(r *Request) { r.FeeRateSatVB = 0 }, ErrInvalidFeeRate},
		{"negative fee rate", func(r *Request) { r.FeeRateSatVB = -1 }, ErrInvalidFeeRate},
		{"NaN fee rate", func(r *Request) { r.FeeRateSatVB = math.NaN() }, ErrInvalidFeeRate},
		{"infinite fee rate", func(r *Request) { r.FeeRateSatVB = math.Inf(1) }, ErrInvalidFeeRate},
		{"fee rate above the bound", func(r *Request) { r.FeeRateSatVB = MaxFeeRateSatVB + 0.5 }, ErrInvalidFeeRate},
		{"no outputs", func(r *Request) { r.Outputs = nil }, ErrInvalidRequest},
		{"nil output", func(r *Request) { r.Outputs = []*wire.TxOut{nil} }, ErrInvalidRequest},
		{"negative output", func(r *Request) { r.Outputs[0].Value = -1 }, ErrInvalidRequest},
		{"outputs above 21M BTC", func(r *Request) {
			r.Outputs = []*wire.TxOut{pay(btcutil.MaxSatoshi), pay(1000)}
		}, ErrInvalidRequest},
		{"unknown change type", func(r *Request) { r.ChangeType = 0 }, ErrInvalidRequest},
		{"unknown coin type", func(r *Request) { r.Coins[0].Type = 9 }, ErrInvalidRequest},
		{"negative coin", func(r *Request) { r.Coins[0].Value = -5 }, ErrInvalidRequest},
		{"coins above 21M BTC", func(r *Request) {
			r.Coins = []Coin{coin(1, btcutil.MaxSatoshi, P2WPKH), coin(2, 1, P2WPKH)}
		}, ErrInvalidRequest},
		{"coin listed twice", func(r *Request) { r.Coins = append(r.Coins, r.Coins[0]) }, ErrInvalidRequest},
		{"coin chosen twice", func(r *Request) { r.Required = []Coin{r.Coins[0], r.Coins[0]} }, ErrInvalidRequest},
		{"coin with two values", func(r *Request) {
			r.Required = []Coin{r.Coins[0]}
			r.Required[0].Value++
		}, ErrInvalidRequest},
		{"send max to two outputs", func(r *Request) {
			r.SendMax = true
			r.Outputs = append(r.Outputs, pay(1000))
		}, ErrInvalidRequest},
		{"outputs too large to relay", func(r *Request) {
			r.Outputs = []*wire.TxOut{wire.NewTxOut(1000, make([]byte, MaxStandardTxWeight/4))}
		}, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := valid()
			tc.edit(&req)
			res, err := Select(&req)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v (result %+v), want %v", err, res, tc.wantErr)
			}
		})
	}

	t.Run("nil request", func(t *testing.T) {
		if _, err := Select(nil); !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("highest fee rate accepted", func(t *testing.T) {
		req := valid()
		req.FeeRateSatVB = MaxFeeRateSatVB
		res, err := Select(&req)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkResult(&req, res); err != nil {
			t.Fatal(err)
		}
	})
}
