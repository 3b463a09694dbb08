package coinselect

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/wire/v2"
)

// logUniform returns a value between lo and hi whose logarithm is uniform,
// which mixes dust, ordinary and whale amounts the way real wallets do.
func logUniform(r *rand.Rand, lo, hi int64) int64 {
	v := int64(math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
	return min(max(v, lo), hi)
}

func randomType(r *rand.Rand) InputType {
	return InputType(1 + r.IntN(4))
}

// randomRequest builds a request from r: random coins, sometimes coin
// control, sometimes send-max, one to three outputs and a fee rate from
// 0.1 to 1000 sat/vB.
func randomRequest(r *rand.Rand, id *int) *Request {
	nextCoin := func(value int64) Coin {
		*id++
		return coin(*id, value, randomType(r))
	}
	req := &Request{
		FeeRateSatVB: math.Round(float64(logUniform(r, 100, 1_000_000))) / 1000,
		ChangeType:   randomType(r),
	}
	n := r.IntN(40)
	if r.IntN(10) == 0 {
		n = 300
	}
	var total int64
	for range n {
		c := nextCoin(logUniform(r, 1, 50*btc))
		total += int64(c.Value)
		req.Coins = append(req.Coins, c)
	}
	if r.IntN(3) == 0 {
		for range 1 + r.IntN(3) {
			c := nextCoin(logUniform(r, 1, 5*btc))
			if len(req.Coins) > 0 && r.IntN(2) == 0 {
				c = req.Coins[r.IntN(len(req.Coins))] // chosen and also offered
			}
			if !containsOutPoint(req.Required, c.OutPoint) {
				req.Required = append(req.Required, c)
				total += int64(c.Value)
			}
		}
		req.SpendOnlyRequired = r.IntN(3) == 0
	}
	req.SendMax = r.IntN(8) == 0
	nOut := 1 + r.IntN(3)
	if req.SendMax {
		nOut = 1
	}
	for range nOut {
		t := randomType(r)
		limit := int64(DefaultDustLimit(t.templateScript(), 0))
		v := logUniform(r, limit, max(total, limit+1))
		if r.IntN(4) == 0 {
			v = logUniform(r, limit, limit*100)
		}
		req.Outputs = append(req.Outputs, wire.NewTxOut(v, t.templateScript()))
	}
	return req
}

func containsOutPoint(coins []Coin, op wire.OutPoint) bool {
	for _, c := range coins {
		if c.OutPoint == op {
			return true
		}
	}
	return false
}

// spendable returns the coins a request lets Select spend: the required
// ones and, unless SpendOnlyRequired, every candidate whose value exceeds the
// fee of its input.
func spendable(req *Request) []Coin {
	coins := append([]Coin(nil), req.Required...)
	if req.SpendOnlyRequired {
		return coins
	}
	rate := specRate(req.FeeRateSatVB)
	for _, c := range req.Coins {
		if containsOutPoint(req.Required, c.OutPoint) {
			continue
		}
		if int64(c.Value)*4000 > rate*c.Type.spendWeight() {
			coins = append(coins, c)
		}
	}
	return coins
}

// checkFailure returns an error when Select refused a request it could
// have served.
func checkFailure(req *Request, err error) error {
	if !knownError(err) {
		return errors.New("undocumented error")
	}
	all := spendable(req)
	outputs := req.Outputs
	var outSum int64
	if !req.SendMax {
		outSum = sumOutputs(outputs)
	}
	w := EstimateWeight(types(all), outputs, nil)
	needed := outSum + specFee(req.FeeRateSatVB, weightToVSize(w))
	switch {
	case errors.Is(err, ErrInsufficientFunds):
		if req.SendMax {
			if len(all) > 0 && sumCoins(all) > needed {
				return errors.New("send-max reported insufficient funds, but the coins pay more than the fee")
			}
		} else if len(all) > 0 && sumCoins(all) >= needed {
			return errors.New("reported insufficient funds, but spending every usable coin pays")
		}
	case errors.Is(err, ErrTooLarge):
		if w <= MaxStandardTxWeight {
			return errors.New("reported too large, but spending every usable coin fits")
		}
	case errors.Is(err, ErrDustOutput):
		if !req.SendMax {
			return errors.New("dust reported although every output was above its limit")
		}
		if left := sumCoins(all) - needed; left >= int64(DefaultDustLimit(outputs[0].PkScript, 0)) {
			return errors.New("send-max reported dust, but leaves enough")
		}
	case errors.Is(err, ErrNoCoins):
		if len(req.Required) > 0 || (!req.SpendOnlyRequired && len(req.Coins) > 0) {
			return errors.New("reported no coins, but there are some")
		}
	default:
		return errors.New("a generated request was refused as invalid")
	}
	return nil
}

// checkMinimal returns an error when the fallback's result spends a coin it
// could do without: every selected (not required) input must be needed to
// pay, with change when the result has change.
func checkMinimal(req *Request, res *Result) error {
	outSum := sumOutputs(req.Outputs)
	for i, c := range res.Inputs {
		if containsOutPoint(req.Required, c.OutPoint) {
			continue
		}
		rest := append(append([]Coin(nil), res.Inputs[:i]...), res.Inputs[i+1:]...)
		var change *InputType
		floor := int64(0)
		if res.Change > 0 {
			change, floor = &req.ChangeType, specMinChange(req)
		}
		w := EstimateWeight(types(rest), req.Outputs, change)
		left := sumCoins(rest) - outSum - specFee(req.FeeRateSatVB, weightToVSize(w))
		if len(rest) > 0 && left >= floor && w <= MaxStandardTxWeight {
			return fmt.Errorf("input %s (%d sat) is not needed", c.OutPoint, c.Value)
		}
	}
	return nil
}

// TestSelectProperties runs Select on random coin sets and checks every
// result against the rules in check_test.go, and every refusal against an
// independent computation.
func TestSelectProperties(t *testing.T) {
	seen := make(map[string]int)
	for seed := uint64(1); seed <= 4; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5a7c4e1))
		id := 0
		for i := range 500 {
			req := randomRequest(r, &id)
			res, err := Select(req)
			if err != nil {
				if cerr := checkFailure(req, err); cerr != nil {
					t.Fatalf("seed %d case %d: %v: %v\nrequest: %+v", seed, i, err, cerr, req)
				}
				seen["error"]++
				continue
			}
			if cerr := checkResult(req, res); cerr != nil {
				t.Fatalf("seed %d case %d (%s): %v\nrequest: %+v\nresult: %+v", seed, i, res.Algorithm, cerr, req, res)
			}
			if res.Algorithm == AlgorithmKnapsack {
				if cerr := checkMinimal(req, res); cerr != nil {
					t.Fatalf("seed %d case %d: %v\nrequest: %+v\nresult: %+v", seed, i, cerr, req, res)
				}
			}
			seen[res.Algorithm]++
			if res.Change > 0 {
				seen["change"]++
			} else {
				seen["no change"]++
			}
		}
	}
	// The generator must reach every path, or the test proves little.
	for _, k := range []string{AlgorithmBnB, AlgorithmKnapsack, AlgorithmManual, AlgorithmSendMax, "error", "change", "no change"} {
		if seen[k] < 5 {
			t.Errorf("only %d results of kind %q; the generator does not cover it", seen[k], k)
		}
	}
	t.Logf("outcomes: %v", seen)
}

// TestBranchAndBoundIsExhaustive plants a changeless solution in small coin
// sets and compares branch and bound with a brute-force search over every
// subset: whenever some subset pays without change and overshoots by less
// than the cost of change, Select must use branch and bound and waste no
// more than the best such subset.
func TestBranchAndBoundIsExhaustive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	found := 0
	for i := range 300 {
		n := 3 + r.IntN(10)
		coins := make([]Coin, n)
		for j := range coins {
			coins[j] = coin(j, logUniform(r, 2_000, 10_000_000), randomType(r))
		}
		req := &Request{
			Coins:        coins,
			FeeRateSatVB: float64(logUniform(r, 1_000, 200_000)) / 1000,
			ChangeType:   randomType(r),
		}
		rate := specRate(req.FeeRateSatVB)
		out := req.ChangeType.templateScript()

		// Plant: a random subset pays exactly, give or take a little.
		var planted []Coin
		for _, c := range coins {
			if r.IntN(2) == 0 {
				planted = append(planted, c)
			}
		}
		if len(planted) == 0 {
			planted = coins[:1]
		}
		probe := []*wire.TxOut{wire.NewTxOut(0, out)}
		value := sumCoins(planted) - specFee(req.FeeRateSatVB, EstimateVSize(types(planted), probe, nil)) - r.Int64N(200)
		if value < int64(DefaultDustLimit(out, 0)) {
			continue
		}
		req.Outputs = []*wire.TxOut{wire.NewTxOut(value, out)}

		changeCost := (rate*(outputWeight(len(out))) + 3999) / 4000
		changeCost += (longTermRate*req.ChangeType.spendWeight() + 3999) / 4000
		waste := func(sel []Coin) (int64, bool) {
			w := EstimateWeight(types(sel), req.Outputs, nil)
			excess := sumCoins(sel) - value - specFee(req.FeeRateSatVB, weightToVSize(w))
			// Branch and bound prunes on sums that leave out a few
			// set-wide weight units; keep clear of that margin.
			slack := (rate*int64(2+len(sel)+3))/4000 + 1
			if excess < 0 || excess > changeCost-slack {
				return 0, false
			}
			var wst int64
			for _, c := range sel {
				wst += (rate - longTermRate) * c.Type.spendWeight()
			}
			return wst + excess*4000, true
		}

		best := int64(math.MaxInt64)
		for mask := 1; mask < 1<<n; mask++ {
			var sel []Coin
			usable := true
			for j := range n {
				if mask&(1<<j) != 0 {
					if int64(coins[j].Value)*4000 <= rate*coins[j].Type.spendWeight() {
						usable = false
					}
					sel = append(sel, coins[j])
				}
			}
			if w, ok := waste(sel); ok && usable && w < best {
				best = w
			}
		}
		if best == math.MaxInt64 {
			continue
		}
		found++

		res, err := Select(req)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if cerr := checkResult(req, res); cerr != nil {
			t.Fatalf("case %d: %v", i, cerr)
		}
		if res.Algorithm != AlgorithmBnB {
			t.Fatalf("case %d: a changeless set exists but Select used %s", i, res.Algorithm)
		}
		var got int64
		for _, c := range res.Inputs {
			got += (rate - longTermRate) * c.Type.spendWeight()
		}
		got += (int64(res.Fee) - specFee(req.FeeRateSatVB, res.VSize)) * 4000
		if got > best {
			t.Fatalf("case %d: branch and bound wastes %d units, a subset wastes only %d", i, got, best)
		}
	}
	if found < 100 {
		t.Fatalf("only %d cases had a changeless solution", found)
	}
}
