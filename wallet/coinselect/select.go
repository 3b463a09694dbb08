package coinselect

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

const (
	// MaxFeeRateSatVB is the highest fee rate Select accepts. It only bounds
	// the arithmetic; whether a fee is absurd is for the caller to judge.
	MaxFeeRateSatVB = 10_000

	// LongTermFeeRateSatVB is the fee rate at which the wallet expects to be
	// able to spend coins in the long run. Branch and bound uses it to
	// judge waste: spending a coin now at a rate above it costs more than
	// spending it later, so high-rate selections prefer fewer inputs and
	// low-rate ones consolidate. It also prices spending a change output
	// later. Bitcoin Core's wallet uses the same 10 sat/vB by default for its
	// consolidation and discard fee rates.
	LongTermFeeRateSatVB = 10

	// MaxCoins bounds the number of coins in a request, which keeps every
	// sum in this package far from int64 overflow.
	MaxCoins = 10_000_000
)

// The values of Result.Algorithm.
const (
	// AlgorithmBnB marks an input set found by branch and bound: it pays
	// the outputs and fee closely enough that no change output is made.
	AlgorithmBnB = "bnb"

	// AlgorithmKnapsack marks an input set found by the fallback search,
	// usually with change.
	AlgorithmKnapsack = "knapsack"

	// AlgorithmSendMax marks a sweep of every usable coin into one output.
	AlgorithmSendMax = "send-max"

	// AlgorithmManual marks an input set made of the required coins alone,
	// because the user asked for exactly those or because they already pay
	// for everything.
	AlgorithmManual = "manual"
)

const (
	// maxTries bounds the branch-and-bound search, as Bitcoin Core does.
	maxTries = 100_000

	// maxKnapsackPasses bounds the number of greedy passes of the fallback.
	maxKnapsackPasses = 32

	// msatPerSat converts the fee rate, which is kept in millisatoshis per
	// vbyte (the same number as satoshis per 1000 vbytes), to satoshis.
	msatPerSat = 1000

	// unitsPerSat is the resolution of effective values. A fee rate in
	// msat/vB times a weight in WU is a fee in quarter-millisatoshis, so
	// keeping effective values in that unit makes them exact integers,
	// without per-input rounding.
	unitsPerSat = msatPerSat * witnessScaleFactor

	// longTermRate is LongTermFeeRateSatVB in msat/vB.
	longTermRate = LongTermFeeRateSatVB * msatPerSat

	// maxFee is where fee arithmetic saturates: more than all bitcoin, yet
	// far enough from the int64 limit that sums with amounts cannot wrap.
	maxFee = 1 << 62
)

// Coin is an unspent output the wallet can spend.
type Coin struct {
	// OutPoint identifies the output.
	OutPoint wire.OutPoint

	// Value is the output's amount.
	Value btcutil.Amount

	// Type is the output's script type, which decides the size of the
	// input that spends it.
	Type InputType

	// Confirmations is the coin's depth in the chain, 0 when unconfirmed.
	// Selection does not filter on it (the caller decides which coins are
	// eligible); among otherwise equal coins the deeper one is preferred.
	Confirmations int32
}

// Request describes a payment to choose inputs for. Outputs and
// FeeRateSatVB are always required, ChangeType unless SendMax is set.
type Request struct {
	// Coins are the candidate coins. Frozen coins must already be removed.
	// A coin that costs more to spend than it is worth at FeeRateSatVB is
	// left out. A coin also listed in Required is spent once.
	Coins []Coin

	// Required are coins the user chose (coin control). They are always
	// spent, even when they cost more than they bring.
	Required []Coin

	// SpendOnlyRequired forbids adding coins beyond Required.
	SpendOnlyRequired bool

	// Outputs are the recipients. Their scripts decide their size; their
	// values must each reach the output's dust limit. With SendMax there
	// must be exactly one output and its Value is ignored.
	Outputs []*wire.TxOut

	// FeeRateSatVB is the fee rate in satoshis per virtual byte, above 0 and
	// at most MaxFeeRateSatVB. Fractions are honoured to 0.001 sat/vB,
	// rounding up.
	FeeRateSatVB float64

	// ChangeType is the script type of the wallet's change output, which
	// decides the change output's size, its dust limit and what spending it
	// later will cost.
	ChangeType InputType

	// SendMax sweeps every usable coin (Required and Coins, or Required
	// alone with SpendOnlyRequired) into Outputs[0], paying the coins'
	// total minus the fee. No change is made.
	SendMax bool

	// DustLimit optionally returns the dust limit of an output script at
	// the given fee rate. It defaults to DefaultDustLimit.
	DustLimit func(pkScript []byte, feeRateSatVB float64) btcutil.Amount
}

// Result is a chosen set of inputs and what the transaction built from them
// pays. Fee always equals the inputs' total minus Amount minus Change.
type Result struct {
	// Inputs are the coins to spend: the required coins first, in the order
	// given, then the selected ones.
	Inputs []Coin

	// Amount is what the recipient outputs receive together. With SendMax
	// it is the value to put into the single output.
	Amount btcutil.Amount

	// Change is the value of the change output, 0 when there is none.
	Change btcutil.Amount

	// Fee is the transaction fee. It covers FeeRateSatVB times VSize, and
	// is larger when a change output too small to be worth making was
	// given to the fee instead.
	Fee btcutil.Amount

	// VSize is the estimated virtual size of the signed transaction,
	// including the change output when there is one.
	VSize int64

	// Algorithm says how the inputs were chosen: AlgorithmBnB,
	// AlgorithmKnapsack, AlgorithmSendMax or AlgorithmManual.
	Algorithm string
}

// candidate is a coin with its cost at the request's fee rate.
type candidate struct {
	coin   Coin
	weight int64 // weight of the input spending it (WU)
	legacy bool  // spending it puts nothing in the witness

	// eff is the coin's effective value, in units of 1/unitsPerSat sat:
	// its value minus the fee its input adds.
	eff int64

	// waste is the fee its input adds now minus what it would add at the
	// long-term fee rate, in the same units.
	waste int64
}

// tally sums the inputs of a selection; with the outputs it fixes the
// transaction's size and fee.
type tally struct {
	n      int64 // inputs
	legacy int64 // inputs without witness data
	weight int64 // their weight, WU
	value  int64 // their value, sat
}

func (t *tally) add(c *candidate) {
	t.n++
	t.weight += c.weight
	t.value += int64(c.coin.Value)
	if c.legacy {
		t.legacy++
	}
}

func (t *tally) remove(c *candidate) {
	t.n--
	t.weight -= c.weight
	t.value -= int64(c.coin.Value)
	if c.legacy {
		t.legacy--
	}
}

// plan is a validated request with everything the searches need, in
// integer satoshis and weight units.
type plan struct {
	req  *Request
	rate int64 // fee rate, msat/vB

	outSum    int64 // paid to the recipients, sat (0 with SendMax)
	nOut      int64
	outWeight int64

	changeWeight int64 // weight of the change output
	changeCost   int64 // cost of making change now and spending it later, sat
	minChange    int64 // smallest change output worth making, sat

	required    []*candidate // in request order
	requiredSum tally
	requiredEff int64       // effective value of the required coins, units
	cands       []candidate // usable candidates, best first
	uneconomic  int64       // value of candidates left out, sat

	dust func(pkScript []byte) int64
}

// Select chooses the inputs that pay for req, and the change and fee that
// follow. Required coins come first; then branch and bound looks for a set
// of coins that pays the outputs and fee with so little left over that no
// change is worth making; failing that, a deterministic knapsack search
// picks coins and makes change. SendMax sweeps all usable coins instead.
//
// Errors wrap ErrInvalidFeeRate, ErrInvalidRequest, ErrDustOutput,
// ErrNoCoins, ErrTooLarge, or are an *InsufficientFundsError.
func Select(req *Request) (*Result, error) {
	p, err := newPlan(req)
	if err != nil {
		return nil, err
	}
	if req.SendMax {
		return p.sendMax()
	}
	if req.SpendOnlyRequired || p.pays(&p.requiredSum, false) {
		return p.finish(p.requiredSum, nil, AlgorithmManual)
	}
	if sel, ok := p.branchAndBound(); ok {
		return p.finish(p.tallyOf(sel), sel, AlgorithmBnB)
	}
	if sel, ok := p.knapsack(); ok {
		return p.finish(p.tallyOf(sel), sel, AlgorithmKnapsack)
	}
	return nil, p.failure()
}

// newPlan validates req and prices its coins.
func newPlan(req *Request) (*plan, error) {
	if req == nil {
		return nil, invalid("no request")
	}
	fr := req.FeeRateSatVB
	if !(fr > 0) || fr > MaxFeeRateSatVB {
		return nil, fmt.Errorf("%w: %v sat/vB; use a rate above 0 and at most %d sat/vB",
			ErrInvalidFeeRate, fr, MaxFeeRateSatVB)
	}
	// Rounding up keeps the fee at or above the rate asked for; the small
	// allowance absorbs binary noise such as 1.1*1000 = 1100.0000000000002.
	rate := max(int64(math.Ceil(fr*msatPerSat-1e-6)), 1)

	p := &plan{req: req, rate: rate}
	dustFn := req.DustLimit
	if dustFn == nil {
		dustFn = DefaultDustLimit
	}
	p.dust = func(pkScript []byte) int64 {
		return min(max(int64(dustFn(pkScript, fr)), 0), btcutil.MaxSatoshi)
	}

	if err := p.addOutputs(req); err != nil {
		return nil, err
	}
	if !req.SendMax {
		if !req.ChangeType.valid() {
			return nil, invalid("change type %d is unknown; use P2PKH, P2SHP2WPKH, P2WPKH or P2TR",
				int(req.ChangeType))
		}
		p.priceChange(req.ChangeType)
	}
	if err := p.addCoins(req); err != nil {
		return nil, err
	}
	return p, nil
}

// addOutputs validates the recipients and sums their value and weight.
func (p *plan) addOutputs(req *Request) error {
	switch {
	case len(req.Outputs) == 0:
		return invalid("no outputs; add a recipient")
	case req.SendMax && len(req.Outputs) != 1:
		return invalid("send-max pays a single output, but %d were given", len(req.Outputs))
	}
	p.nOut = int64(len(req.Outputs))
	for i, o := range req.Outputs {
		if o == nil {
			return invalid("output %d is missing", i)
		}
		p.outWeight += outputWeight(len(o.PkScript))
		if p.outWeight > MaxStandardTxWeight {
			return fmt.Errorf("%w: the outputs alone weigh more than %d WU; pay fewer recipients at once",
				ErrTooLarge, MaxStandardTxWeight)
		}
		if req.SendMax {
			continue
		}
		if o.Value < 0 || o.Value > btcutil.MaxSatoshi {
			return invalid("output %d has an impossible amount of %d sat", i, o.Value)
		}
		p.outSum += o.Value
		if p.outSum > btcutil.MaxSatoshi {
			return invalid("the outputs add up to more than 21 million BTC")
		}
		if limit := p.dust(o.PkScript); o.Value < limit {
			return fmt.Errorf("%w: output %d pays %s, less than the %s that its kind of address needs; send at least that much",
				ErrDustOutput, i, btcutil.Amount(o.Value), btcutil.Amount(limit))
		}
	}
	return nil
}

// priceChange works out what a change output of type t costs and the
// smallest change worth making.
func (p *plan) priceChange(t InputType) {
	p.changeWeight = outputWeight(t.outputScriptLen())
	// A change output may also grow the output count's compact size.
	grow := witnessScaleFactor * (compactSizeLen(uint64(p.nOut+1)) - compactSizeLen(uint64(p.nOut)))
	makeNow := ceilDiv(p.rate*(p.changeWeight+grow), unitsPerSat)
	spendLater := ceilDiv(longTermRate*t.spendWeight(), unitsPerSat)
	p.changeCost = makeNow + spendLater
	// Change must not be dust, and must be worth more than it will cost to
	// spend (Bitcoin Core's min_viable_change); otherwise it goes to the fee.
	p.minChange = max(p.dust(t.templateScript()), spendLater+1)
}

// addCoins validates the coins, prices them and sorts the candidates.
func (p *plan) addCoins(req *Request) error {
	if len(req.Coins)+len(req.Required) > MaxCoins {
		return invalid("more than %d coins", MaxCoins)
	}
	if len(req.Required) == 0 {
		if req.SpendOnlyRequired {
			return fmt.Errorf("%w: coin control is on but no coin was chosen; choose the coins to spend", ErrNoCoins)
		}
		if len(req.Coins) == 0 {
			return fmt.Errorf("%w: the wallet has no spendable coins; receive some bitcoin or unfreeze coins first", ErrNoCoins)
		}
	}

	var total int64
	check := func(c *Coin) error {
		if !c.Type.valid() {
			return invalid("coin %s has an unknown script type %d", c.OutPoint, int(c.Type))
		}
		if c.Value < 0 || c.Value > btcutil.MaxSatoshi {
			return invalid("coin %s has an impossible value of %d sat", c.OutPoint, int64(c.Value))
		}
		total += int64(c.Value)
		if total > btcutil.MaxSatoshi {
			return invalid("the coins add up to more than 21 million BTC; check the coin values")
		}
		return nil
	}

	chosen := make(map[wire.OutPoint]Coin, len(req.Required))
	p.required = make([]*candidate, 0, len(req.Required))
	for i := range req.Required {
		c := &req.Required[i]
		if _, dup := chosen[c.OutPoint]; dup {
			return invalid("coin %s is chosen twice", c.OutPoint)
		}
		chosen[c.OutPoint] = *c
		if err := check(c); err != nil {
			return err
		}
		cand := p.price(c)
		p.required = append(p.required, &cand)
		p.requiredSum.add(&cand)
		p.requiredEff += cand.eff
	}

	seen := make(map[wire.OutPoint]struct{}, len(req.Coins))
	p.cands = make([]candidate, 0, len(req.Coins))
	for i := range req.Coins {
		c := &req.Coins[i]
		if r, ok := chosen[c.OutPoint]; ok {
			if r.Value != c.Value || r.Type != c.Type {
				return invalid("coin %s is given twice with different values or script types", c.OutPoint)
			}
			continue // chosen and offered: it is spent once, as a required coin
		}
		if _, dup := seen[c.OutPoint]; dup {
			return invalid("coin %s is listed twice", c.OutPoint)
		}
		seen[c.OutPoint] = struct{}{}
		if err := check(c); err != nil {
			return err
		}
		cand := p.price(c)
		if cand.eff <= 0 {
			p.uneconomic += int64(c.Value)
			continue
		}
		p.cands = append(p.cands, cand)
	}

	slices.SortFunc(p.cands, compareCandidates)
	return nil
}

// price returns c with its input's weight and costs at the plan's rate.
func (p *plan) price(c *Coin) candidate {
	w := c.Type.spendWeight()
	return candidate{
		coin:   *c,
		weight: w,
		legacy: !c.Type.segwit(),
		eff:    int64(c.Value)*unitsPerSat - p.rate*w,
		waste:  (p.rate - longTermRate) * w,
	}
}

// compareCandidates orders candidates best first: by effective value, then
// smaller inputs, deeper coins, and finally by outpoint so that the order,
// and with it every selection, is deterministic.
func compareCandidates(a, b candidate) int {
	if c := cmp.Compare(b.eff, a.eff); c != 0 {
		return c
	}
	if c := cmp.Compare(a.weight, b.weight); c != 0 {
		return c
	}
	if c := cmp.Compare(b.coin.Confirmations, a.coin.Confirmations); c != 0 {
		return c
	}
	if c := bytes.Compare(a.coin.OutPoint.Hash[:], b.coin.OutPoint.Hash[:]); c != 0 {
		return c
	}
	return cmp.Compare(a.coin.OutPoint.Index, b.coin.OutPoint.Index)
}

// tallyOf returns the required coins plus the candidates at indices sel.
func (p *plan) tallyOf(sel []int) tally {
	t := p.requiredSum
	for _, i := range sel {
		t.add(&p.cands[i])
	}
	return t
}

// weight returns the weight of the transaction spending t, with or without
// a change output.
func (p *plan) weight(t *tally, change bool) int64 {
	nOut, ow := p.nOut, p.outWeight
	if change {
		nOut++
		ow += p.changeWeight
	}
	return txWeight(t.n, t.legacy, t.weight, nOut, ow)
}

// fee returns the fee for a transaction of weight w: the rate times the
// virtual size, rounded up to a whole satoshi.
func (p *plan) fee(w int64) int64 {
	vsize := weightToVSize(w)
	if vsize > (maxFee-msatPerSat)/p.rate {
		return maxFee
	}
	return ceilDiv(p.rate*vsize, msatPerSat)
}

// leftover returns what the inputs of t leave after the outputs and the
// fee, with or without a change output. With a change output that is the
// change.
func (p *plan) leftover(t *tally, change bool) int64 {
	return t.value - p.outSum - p.fee(p.weight(t, change))
}

// pays reports whether t pays for the transaction: without change, that the
// inputs cover outputs and fee; with change, that a change output worth
// making is left over too. The transaction must also stay relayable.
func (p *plan) pays(t *tally, change bool) bool {
	if t.n == 0 || p.weight(t, change) > MaxStandardTxWeight {
		return false
	}
	if change {
		return p.leftover(t, true) >= p.minChange
	}
	return p.leftover(t, false) >= 0
}

// finish turns a selection into a Result, making change when it is worth
// it and giving the leftover to the fee otherwise.
func (p *plan) finish(t tally, sel []int, algorithm string) (*Result, error) {
	inputs := make([]Coin, 0, len(p.required)+len(sel))
	for _, r := range p.required {
		inputs = append(inputs, r.coin)
	}
	for _, i := range sel {
		inputs = append(inputs, p.cands[i].coin)
	}
	res := &Result{Inputs: inputs, Amount: btcutil.Amount(p.outSum), Algorithm: algorithm}

	if p.pays(&t, true) {
		w := p.weight(&t, true)
		res.Change = btcutil.Amount(p.leftover(&t, true))
		res.Fee = btcutil.Amount(p.fee(w))
		res.VSize = weightToVSize(w)
		return res, nil
	}
	w := p.weight(&t, false)
	if t.n > 0 && w > MaxStandardTxWeight {
		return nil, tooLarge(t.n, w)
	}
	if !p.pays(&t, false) {
		return nil, &InsufficientFundsError{
			Available: btcutil.Amount(t.value),
			Needed:    btcutil.Amount(p.outSum + p.fee(w)),
		}
	}
	res.Fee = btcutil.Amount(t.value - p.outSum)
	res.VSize = weightToVSize(w)
	return res, nil
}

// sendMax sweeps every usable coin into the single output.
func (p *plan) sendMax() (*Result, error) {
	t := p.requiredSum
	inputs := make([]Coin, 0, len(p.required)+len(p.cands))
	for _, r := range p.required {
		inputs = append(inputs, r.coin)
	}
	if !p.req.SpendOnlyRequired {
		for i := range p.cands {
			t.add(&p.cands[i])
			inputs = append(inputs, p.cands[i].coin)
		}
	}
	script := p.req.Outputs[0].PkScript
	limit := p.dust(script)
	w := p.weight(&t, false)
	fee := p.fee(w)
	if t.n == 0 {
		return nil, &InsufficientFundsError{
			Needed:     btcutil.Amount(fee + max(limit, 1)),
			Uneconomic: btcutil.Amount(p.uneconomic),
		}
	}
	if w > MaxStandardTxWeight {
		return nil, tooLarge(t.n, w)
	}
	amount := t.value - fee
	if amount <= 0 {
		return nil, &InsufficientFundsError{
			Available:  btcutil.Amount(t.value),
			Needed:     btcutil.Amount(fee + max(limit, 1)),
			Uneconomic: btcutil.Amount(p.uneconomic),
		}
	}
	if amount < limit {
		return nil, fmt.Errorf("%w: sending everything leaves %s after the fee of %s, less than the %s the address needs; lower the fee rate or add funds",
			ErrDustOutput, btcutil.Amount(amount), btcutil.Amount(fee), btcutil.Amount(limit))
	}
	return &Result{
		Inputs:    inputs,
		Amount:    btcutil.Amount(amount),
		Fee:       btcutil.Amount(fee),
		VSize:     weightToVSize(w),
		Algorithm: AlgorithmSendMax,
	}, nil
}

// failure explains why no selection pays: not enough money, or enough only
// in so many coins that the transaction would be too large.
func (p *plan) failure() error {
	t := p.requiredSum
	for i := range p.cands {
		t.add(&p.cands[i])
	}
	w := p.weight(&t, false)
	needed := p.outSum + p.fee(w)
	if t.n > 0 && t.value >= needed && w > MaxStandardTxWeight {
		return tooLarge(t.n, w)
	}
	return &InsufficientFundsError{
		Available:  btcutil.Amount(t.value),
		Needed:     btcutil.Amount(needed),
		Uneconomic: btcutil.Amount(p.uneconomic),
	}
}

// tooLarge builds the ErrTooLarge error for a transaction of n inputs.
func tooLarge(n, weight int64) error {
	return fmt.Errorf("%w: it would need %d inputs and weigh %d WU, over the limit of %d; consolidate small coins first or send less",
		ErrTooLarge, n, weight, MaxStandardTxWeight)
}

// ceilDiv returns a/b rounded up, for a >= 0 and b > 0.
func ceilDiv(a, b int64) int64 {
	return a/b + min(a%b, 1)
}
