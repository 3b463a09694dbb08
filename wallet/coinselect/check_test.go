package coinselect

import (
	"errors"
	"fmt"
	"math"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// This file holds the rules every Result must obey, checked from the
// outside: the property test, the fuzz target and the table tests all use
// them. They recompute sizes with EstimateVSize (tested against real
// transactions) and fees from the documented fee-rate rounding.

// specRate is the fee rate in msat/vB that Select applies for feeRate sat/vB:
// the documented rounding up to 0.001 sat/vB.
func specRate(feeRate float64) int64 {
	return max(int64(math.Ceil(feeRate*1000-1e-6)), 1)
}

// specFee is the fee for vsize vbytes at feeRate: rate times size, rounded
// up to a satoshi.
func specFee(feeRate float64, vsize int64) int64 {
	r := specRate(feeRate)
	return (r*vsize + 999) / 1000
}

// specMinChange is the smallest change output worth making: above the dust
// limit and worth more than spending it at the long-term fee rate costs.
func specMinChange(req *Request) int64 {
	dust := DefaultDustLimit
	if req.DustLimit != nil {
		dust = req.DustLimit
	}
	spendLater := (LongTermFeeRateSatVB*req.ChangeType.spendWeight() + 3) / 4
	return max(int64(dust(req.ChangeType.templateScript(), req.FeeRateSatVB)), spendLater+1)
}

func types(coins []Coin) []InputType {
	t := make([]InputType, len(coins))
	for i, c := range coins {
		t[i] = c.Type
	}
	return t
}

func sumCoins(coins []Coin) int64 {
	var s int64
	for _, c := range coins {
		s += int64(c.Value)
	}
	return s
}

func sumOutputs(outputs []*wire.TxOut) int64 {
	var s int64
	for _, o := range outputs {
		s += o.Value
	}
	return s
}

// checkResult returns an error describing the first rule res breaks.
func checkResult(req *Request, res *Result) error {
	if res == nil {
		return errors.New("nil result without error")
	}
	if len(res.Inputs) == 0 {
		return errors.New("no inputs")
	}

	// Inputs come from the request, once each, and include every
	// required coin.
	offered := make(map[wire.OutPoint]Coin)
	for _, c := range req.Coins {
		offered[c.OutPoint] = c
	}
	for _, c := range req.Required {
		offered[c.OutPoint] = c
	}
	used := make(map[wire.OutPoint]bool)
	for _, in := range res.Inputs {
		c, ok := offered[in.OutPoint]
		if !ok || c != in {
			return fmt.Errorf("input %s was not offered", in.OutPoint)
		}
		if used[in.OutPoint] {
			return fmt.Errorf("input %s spent twice", in.OutPoint)
		}
		used[in.OutPoint] = true
	}
	for _, c := range req.Required {
		if !used[c.OutPoint] {
			return fmt.Errorf("required coin %s not spent", c.OutPoint)
		}
	}
	if req.SpendOnlyRequired && len(res.Inputs) != len(req.Required) {
		return fmt.Errorf("SpendOnlyRequired, yet %d inputs for %d required coins", len(res.Inputs), len(req.Required))
	}

	in := sumCoins(res.Inputs)
	if req.SendMax {
		if res.Change != 0 {
			return errors.New("send-max made change")
		}
		if limit := DefaultDustLimit(req.Outputs[0].PkScript, 0); req.DustLimit == nil && int64(res.Amount) < int64(limit) {
			return fmt.Errorf("send-max amount %d is dust", res.Amount)
		}
	} else if int64(res.Amount) != sumOutputs(req.Outputs) {
		return fmt.Errorf("amount %d, outputs add up to %d", res.Amount, sumOutputs(req.Outputs))
	}
	if res.Fee < 0 || res.Change < 0 || res.Amount < 0 {
		return fmt.Errorf("negative amount: fee %d change %d amount %d", res.Fee, res.Change, res.Amount)
	}
	if got := in - int64(res.Amount) - int64(res.Change); got != int64(res.Fee) {
		return fmt.Errorf("fee %d, but inputs %d - amount %d - change %d = %d", res.Fee, in, res.Amount, res.Change, got)
	}

	var change *InputType
	if res.Change > 0 {
		change = &req.ChangeType
	}
	if v := EstimateVSize(types(res.Inputs), req.Outputs, change); v != res.VSize {
		return fmt.Errorf("VSize %d, estimate of the chosen transaction %d", res.VSize, v)
	}
	if res.VSize*4 > MaxStandardTxWeight+3 {
		return fmt.Errorf("VSize %d exceeds the standard limit", res.VSize)
	}
	if float64(res.Fee) < req.FeeRateSatVB*float64(res.VSize)-1 {
		return fmt.Errorf("fee %d below %.3f sat/vB x %d vB", res.Fee, req.FeeRateSatVB, res.VSize)
	}
	need := specFee(req.FeeRateSatVB, res.VSize)
	if int64(res.Fee) < need {
		return fmt.Errorf("fee %d below the %d that %d vB need", res.Fee, need, res.VSize)
	}

	if req.SendMax {
		if int64(res.Fee) != need {
			return fmt.Errorf("send-max fee %d, want exactly %d", res.Fee, need)
		}
		return nil
	}
	minChange := specMinChange(req)
	if res.Change > 0 {
		if int64(res.Change) < minChange {
			return fmt.Errorf("change %d below the %d worth making", res.Change, minChange)
		}
		if int64(res.Fee) != need {
			return fmt.Errorf("with change the fee should be exactly %d, got %d", need, res.Fee)
		}
	} else {
		// Without change, making change must not have been worth it.
		w := EstimateWeight(types(res.Inputs), req.Outputs, &req.ChangeType)
		if left := in - int64(res.Amount) - specFee(req.FeeRateSatVB, weightToVSize(w)); left >= minChange && w <= MaxStandardTxWeight {
			return fmt.Errorf("no change, yet %d sat could have come back as change", left)
		}
	}
	return nil
}

// knownError reports whether err is one Select documents.
func knownError(err error) bool {
	var ife *InsufficientFundsError
	if errors.As(err, &ife) {
		return errors.Is(err, ErrInsufficientFunds) && ife.Needed > ife.Available
	}
	for _, e := range []error{ErrInvalidFeeRate, ErrInvalidRequest, ErrDustOutput, ErrNoCoins, ErrTooLarge} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// sat is a readable way to write an amount in tests.
func sat(n int64) btcutil.Amount { return btcutil.Amount(n) }
