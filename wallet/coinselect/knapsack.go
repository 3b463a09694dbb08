package coinselect

import "math"

// knapsack is the fallback when branch and bound finds no changeless set.
// It returns the indices of the chosen candidates, or false when even all
// candidates do not pay.
//
// It follows the shape of Bitcoin Core's KnapsackSolver without its
// randomness, so that the same wallet and payment always give the same
// transaction:
//
//  1. Aim for the outputs, the fee, a change output and the smallest change
//     worth making. If no set reaches that, aim for outputs and fee alone
//     (the leftover then goes to the fee).
//  2. Greedy passes: take candidates largest first until the aim is met,
//     then drop every coin, smallest first, that the set can do without.
//     Pass k starts at the k-th largest coin, which finds sets that
//     overshoot less than the plain largest-first one.
//  3. The smallest single coin that meets the aim alone (Core's "lowest
//     larger") is a candidate too.
//  4. Of these sets, the one with the least waste wins (input cost beyond the
//     long-term fee rate, plus the cost of the change output or the excess
//     given to the fee), then the one with fewer inputs, then the one of
//     least value, which keeps large coins for large payments.
func (p *plan) knapsack() ([]int, bool) {
	for _, change := range []bool{true, false} {
		if sel, ok := p.knapsackFor(change); ok {
			return sel, true
		}
	}
	return nil, false
}

// knapsackFor runs the passes of knapsack for one aim: with change or
// without.
func (p *plan) knapsackFor(change bool) ([]int, bool) {
	cands := p.cands
	var (
		best      []int
		bestWaste = int64(math.MaxInt64)
		bestValue int64
	)
	consider := func(sel []int, t *tally) {
		var waste int64
		for _, i := range sel {
			waste += cands[i].waste
		}
		if change {
			waste += p.changeCost * unitsPerSat
		} else {
			waste += p.leftover(t, false) * unitsPerSat
		}
		value := t.value
		if waste < bestWaste || (waste == bestWaste &&
			(len(sel) < len(best) || (len(sel) == len(best) && value < bestValue))) {
			best, bestWaste, bestValue = append([]int(nil), sel...), waste, value
		}
	}

	sel := make([]int, 0, 16)
	for k := 0; k < min(len(cands), maxKnapsackPasses); k++ {
		t := p.requiredSum
		sel = sel[:0]
		met := false
		for i := k; i < len(cands); i++ {
			sel = append(sel, i)
			t.add(&cands[i])
			if met = p.pays(&t, change); met || p.weight(&t, change) > MaxStandardTxWeight {
				break
			}
		}
		if !met {
			break // skipping even more of the largest coins cannot help
		}
		// Drop what the set can do without, smallest coins first.
		for j := len(sel) - 1; j >= 0; j-- {
			c := &cands[sel[j]]
			t.remove(c)
			if p.pays(&t, change) {
				sel = append(sel[:j], sel[j+1:]...)
				continue
			}
			t.add(c)
		}
		consider(sel, &t)
	}

	// The smallest coin that pays on its own.
	for i := len(cands) - 1; i >= 0; i-- {
		t := p.requiredSum
		t.add(&cands[i])
		if p.pays(&t, change) {
			consider([]int{i}, &t)
			break
		}
	}
	return best, best != nil
}
