package coinselect

import "math"

// branchAndBound searches the candidates for a set that, together with the
// required coins, pays the outputs and the fee without change and leaves at
// most the cost of a change output over. It returns the indices of the
// chosen candidates, or false when no such set exists or none was found
// within maxTries steps.
//
// This is Mark Erhardt's branch-and-bound algorithm ("An Evaluation of Coin
// Selection Strategies", 2016) as Bitcoin Core's SelectCoinsBnB implements
// it. Candidates are sorted by effective value, largest first, and the
// search walks a binary tree depth first: at each coin it first tries
// including it, then excluding it. A branch is cut when even all remaining
// coins cannot reach the target, when the selection overshoots the target
// by more than the cost of change (a change output would then be better),
// or, when the fee rate is above the long-term rate, when the inputs alone
// already waste more than the best solution found. Among the solutions in
// the window the one with the least waste wins, where waste is what the
// inputs cost now beyond what they would cost at the long-term fee rate, plus
// the excess given to the fee. An excluded coin equal to its predecessor is
// not tried again, which prunes symmetric branches.
//
// The sums the search prunes on are effective values, exact to the quarter
// millisatoshi. They leave out the few weight units that depend on the whole
// set (segwit marker, empty witnesses of legacy inputs, larger input count,
// rounding to vbytes), so they are a lower bound on what the transaction
// needs; a set is accepted only after the exact fee check.
func (p *plan) branchAndBound() ([]int, bool) {
	cands := p.cands
	// Weight of the transaction's outputs and overhead, with at least one
	// input and no change; the inputs' weight is inside effective values.
	baseWeight := txWeight(1, 1, 0, p.nOut, p.outWeight)
	target := p.outSum*unitsPerSat + p.rate*baseWeight - p.requiredEff
	window := p.changeCost * unitsPerSat

	var avail int64
	for i := range cands {
		avail += cands[i].eff
	}
	if avail < target {
		return nil, false
	}
	highRate := p.rate > longTermRate

	t := p.requiredSum
	var (
		curr, currWaste int64
		sel             = make([]int, 0, 16)
		best            []int
		bestWaste       = int64(math.MaxInt64)
	)
	for try, i := 0, 0; try < maxTries; try, i = try+1, i+1 {
		backtrack := false
		switch {
		case curr+avail < target, // the rest cannot reach the target
			curr > target+window,                      // overshot: change would be better
			highRate && currWaste > bestWaste,         // already worse than the best
			p.weight(&t, false) > MaxStandardTxWeight: // no longer relayable
			backtrack = true
		case curr >= target:
			if excess := p.leftover(&t, false); excess >= 0 {
				if w := currWaste + excess*unitsPerSat; w <= bestWaste {
					best, bestWaste = append(best[:0], sel...), w
				}
				backtrack = true
			}
			// Short of the exact fee by the set-wide weight: keep adding.
		}
		if !backtrack && i >= len(cands) {
			backtrack = true
		}

		if backtrack {
			if len(sel) == 0 {
				break // every branch has been walked
			}
			last := sel[len(sel)-1]
			// Coins skipped after the last included one become available
			// again before we try the branch that excludes it.
			for i--; i > last; i-- {
				avail += cands[i].eff
			}
			c := &cands[last]
			curr -= c.eff
			currWaste -= c.waste
			t.remove(c)
			sel = sel[:len(sel)-1]
			continue
		}

		c := &cands[i]
		avail -= c.eff
		// Excluding a coin and then including its twin gives the same sets
		// as the branch already walked; skip the twin.
		if len(sel) == 0 || sel[len(sel)-1] == i-1 ||
			c.eff != cands[i-1].eff || c.weight != cands[i-1].weight {
			sel = append(sel, i)
			curr += c.eff
			currWaste += c.waste
			t.add(c)
		}
	}
	return best, best != nil
}
