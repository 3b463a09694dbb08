package lightnode

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/wire/v2"
)

// RejectCode names why the peers refused a transaction, grouped by what
// the sender can do about it. The values are stable: they appear in the
// CLI's --json errors.
type RejectCode string

// The reasons a broadcast can be refused.
const (
	// RejectFeeTooLow: the fee rate is under the peers' minimum relay fee
	// (btcd: "under the required amount", "insufficient priority", "rate
	// limiter"; Core: "min relay fee not met", "mempool min fee not met").
	RejectFeeTooLow RejectCode = "fee_too_low"
	// RejectReplacementFee: the transaction conflicts with an unconfirmed
	// one that signals RBF but does not pay enough more to replace it
	// (BIP125 rules 3 and 4).
	RejectReplacementFee RejectCode = "replacement_fee_too_low"
	// RejectAlreadyKnown: the peers already hold it in their mempool.
	RejectAlreadyKnown RejectCode = "already_in_mempool"
	// RejectAlreadyConfirmed: it is already in a block.
	RejectAlreadyConfirmed RejectCode = "already_confirmed"
	// RejectConflict: an input is already spent by another unconfirmed
	// transaction that cannot be replaced.
	RejectConflict RejectCode = "input_spent_in_mempool"
	// RejectInputsSpent: an input is unknown or already spent in a block.
	RejectInputsSpent RejectCode = "input_missing_or_spent"
	// RejectNonFinal: its locktime or a sequence lock is still in the
	// future.
	RejectNonFinal RejectCode = "non_final"
	// RejectDust: an output is too small to be worth relaying.
	RejectDust RejectCode = "dust"
	// RejectChainTooLong: it has too many unconfirmed ancestors or
	// descendants.
	RejectChainTooLong RejectCode = "mempool_chain_too_long"
	// RejectImmature: it spends a coinbase output that is not yet 100
	// blocks deep.
	RejectImmature RejectCode = "immature_coinbase"
	// RejectBadSignature: a signature or script does not verify.
	RejectBadSignature RejectCode = "bad_signature"
	// RejectNonStandard: valid, but outside the peers' relay policy.
	RejectNonStandard RejectCode = "non_standard"
	// RejectInvalid: it breaks a consensus rule.
	RejectInvalid RejectCode = "invalid"
	// RejectOther: a reason this package does not know.
	RejectOther RejectCode = "rejected"
)

// defaultMinRelayFeeRate is the minimum relay fee rate (sat/vB) of btcd
// and Bitcoin Core unless configured otherwise; named when a peer refuses
// a fee without saying how much it wants.
const defaultMinRelayFeeRate = 1.0

// PeerReject is what one peer said when it refused a transaction: the
// reject message's code and its reason text, as sent.
type PeerReject struct {
	Code   wire.RejectCode
	Reason string
}

// RejectError is the error Broadcast returns when every peer that answered
// refused the transaction. Its message says in plain words what went wrong
// and what to do; what the peers said is kept in Peers (PeerSaid joins
// it). It wraps ErrRejected, and errors.As finds it through any %w chain.
type RejectError struct {
	// Code is the reason most peers gave.
	Code RejectCode
	// MinFeeRate is the fee rate (sat/vB) the peers asked for, when the
	// reason is a fee and it is known; 0 otherwise.
	MinFeeRate float64
	// Peers maps each refusing peer's address to what it said.
	Peers map[string]PeerReject
}

// Error is the problem and what to do, as one sentence.
func (e *RejectError) Error() string { return e.Problem() + ": " + e.Action() }

// Unwrap makes errors.Is(err, ErrRejected) hold.
func (e *RejectError) Unwrap() error { return ErrRejected }

// Problem says what the peers objected to.
func (e *RejectError) Problem() string {
	switch e.Code {
	case RejectFeeTooLow:
		return "fee too low for the peers"
	case RejectReplacementFee:
		return "the fee is too low to replace the unconfirmed transaction that spends the same coins"
	case RejectAlreadyKnown:
		return "the peers already have this transaction"
	case RejectAlreadyConfirmed:
		return "this transaction is already in a block"
	case RejectConflict:
		return "an input is already spent by another unconfirmed transaction"
	case RejectInputsSpent:
		return "an input is already spent or does not exist"
	case RejectNonFinal:
		return "the transaction is not final yet (its locktime or a sequence lock is in the future)"
	case RejectDust:
		return "an output is too small for the peers to relay (dust)"
	case RejectChainTooLong:
		return "too many unconfirmed transactions depend on each other (the mempool chain is too long)"
	case RejectImmature:
		return "it spends a coinbase output that is less than 100 blocks deep"
	case RejectBadSignature:
		return "a signature does not verify"
	case RejectNonStandard:
		return "the peers do not relay this kind of transaction (non-standard: " + e.firstReason() + ")"
	case RejectInvalid:
		return "the peers say the transaction is invalid (" + e.firstReason() + ")"
	}
	return "the peers refused the transaction (peer said: " + e.firstReason() + ")"
}

// Action says what to do about it.
func (e *RejectError) Action() string {
	switch e.Code {
	case RejectFeeTooLow:
		return "raise the fee rate (the peers want at least " + formatFeeRate(e.minFeeRate()) + " sat/vB)"
	case RejectReplacementFee:
		return "raise the fee rate (the peers want at least " + formatFeeRate(e.minFeeRate()) + " sat/vB), or wait for the other one to confirm"
	case RejectAlreadyKnown:
		return "it was sent before; nothing to do but wait for it to confirm"
	case RejectAlreadyConfirmed:
		return "nothing to send: it is in a block already; the wallet shows it once it has synced (satchel sync)"
	case RejectConflict:
		return "the wallet may be out of date: let it sync (satchel sync) and build the payment again; to speed up a payment of your own, bump it instead"
	case RejectInputsSpent:
		return "the wallet may be out of date: let it sync (satchel sync) and build the payment again"
	case RejectNonFinal:
		return "wait until that time or height has passed, then broadcast it again"
	case RejectDust:
		return "raise that amount, or leave the output out"
	case RejectChainTooLong:
		return "wait for some of them to confirm, then send again"
	case RejectImmature:
		return "wait until it has 100 confirmations"
	case RejectBadSignature:
		return "sign it again with the right keys (the PSBT may describe other coins)"
	case RejectNonStandard:
		return "build it with standard outputs and scripts, or have a miner include it directly"
	case RejectInvalid:
		return "the transaction can never be mined; build a new one"
	}
	return "check the transaction and try again"
}

// PeerSaid joins what each peer said, "addr: reason; addr: reason", in
// address order.
func (e *RejectError) PeerSaid() string {
	var parts []string
	for _, a := range e.addrs() {
		parts = append(parts, a+": "+e.Peers[a].Reason)
	}
	return strings.Join(parts, "; ")
}

func (e *RejectError) addrs() []string {
	addrs := make([]string, 0, len(e.Peers))
	for a := range e.Peers {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	return addrs
}

// firstReason is the reason text of the first peer whose reason decodes to
// e.Code, for the codes whose detail only the peer knows.
func (e *RejectError) firstReason() string {
	for _, a := range e.addrs() {
		if r := e.Peers[a]; decodeReject(r.Code, r.Reason, 0).code == e.Code {
			return r.Reason
		}
	}
	return ""
}

func (e *RejectError) minFeeRate() float64 {
	if e.MinFeeRate > 0 {
		return e.MinFeeRate
	}
	return defaultMinRelayFeeRate
}

// formatFeeRate prints a fee rate with one decimal, rounded up, so that
// paying the rate shown is always enough.
func formatFeeRate(r float64) string {
	return strconv.FormatFloat(math.Ceil(r*10-1e-9)/10, 'f', 1, 64)
}

// newRejectError sums up the refusals of a transaction of vsize virtual
// bytes: the reason most peers gave (ties go to the more specific one),
// and the highest fee rate any of them asked for.
func newRejectError(peers map[string]PeerReject, vsize int64) *RejectError {
	e := &RejectError{Code: RejectOther, Peers: peers}
	count := map[RejectCode]int{}
	rates := map[RejectCode]float64{}
	for _, r := range peers {
		d := decodeReject(r.Code, r.Reason, vsize)
		count[d.code]++
		rates[d.code] = max(rates[d.code], d.minFeeRate)
	}
	best := -1
	for _, c := range rejectOrder {
		if n := count[c]; n > best && n > 0 {
			e.Code, best = c, n
		}
	}
	e.MinFeeRate = rates[e.Code]
	return e
}

// rejectOrder lists the codes from the most to the least specific.
var rejectOrder = []RejectCode{
	RejectReplacementFee, RejectFeeTooLow, RejectDust, RejectConflict, RejectInputsSpent,
	RejectNonFinal, RejectImmature, RejectChainTooLong, RejectBadSignature,
	RejectAlreadyConfirmed, RejectAlreadyKnown, RejectNonStandard, RejectInvalid, RejectOther,
}

// decodedReject is one peer's refusal in our terms.
type decodedReject struct {
	code RejectCode
	// minFeeRate is the fee rate (sat/vB) the peer asked for, when it said.
	minFeeRate float64
}

// Numbers in btcd's fee refusals.
var (
	// "transaction X has 100 fees which is under the required amount of 141"
	reUnderRequired = regexp.MustCompile(`under the required amount of (\d+)`)
	// "replacement transaction has an insufficient fee rate: needs more
	// than 2000, has 1000" (sat/kvB)
	reReplacementRate = regexp.MustCompile(`insufficient fee rate: needs more than (\d+)`)
	// "replacement transaction has an insufficient absolute fee: needs
	// 3000, has 2000" (sat)
	reReplacementFee = regexp.MustCompile(`insufficient absolute fee: needs (\d+)`)
	// Bitcoin Core: "mempool min fee not met, 100 < 141"
	reCoreMinFee = regexp.MustCompile(`fee not met, (\d+) < (\d+)`)
)

// decodeReject maps what a peer said about a transaction of vsize virtual
// bytes (0 when unknown) to a RejectCode. It knows btcd's mempool rule
// errors (mempool/mempool.go, policy.go) and Bitcoin Core's reject
// reasons. It is the one place that reads a peer's reject text: everything
// else uses the code it returns.
func decodeReject(code wire.RejectCode, reason string, vsize int64) decodedReject {
	r := strings.ToLower(reason)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(r, s) {
				return true
			}
		}
		return false
	}
	perVByte := func(re *regexp.Regexp, group int) float64 {
		m := re.FindStringSubmatch(r)
		if m == nil || vsize <= 0 {
			return 0
		}
		sat, err := strconv.ParseInt(m[group], 10, 64)
		if err != nil {
			return 0
		}
		return float64(sat) / float64(vsize)
	}
	switch {
	// Replacements (BIP125 rules 3 and 4), before the plain fee checks.
	case has("insufficient fee rate"):
		rate := 0.0
		if m := reReplacementRate.FindStringSubmatch(r); m != nil {
			if perKvB, err := strconv.ParseInt(m[1], 10, 64); err == nil {
				// "More than" the old rate: the next 0.1 sat/vB above it.
				rate = math.Floor(float64(perKvB)/100+1) / 10
			}
		}
		return decodedReject{RejectReplacementFee, rate}
	case has("insufficient absolute fee"):
		return decodedReject{RejectReplacementFee, perVByte(reReplacementFee, 1)}
	case r == "insufficient fee" || has("replacement-adds-unconfirmed", "too many potential replacements",
		"evicts more transactions than permitted"):
		return decodedReject{RejectReplacementFee, 0}

	case has("under the required amount"):
		return decodedReject{RejectFeeTooLow, perVByte(reUnderRequired, 1)}
	case has("fee not met"):
		return decodedReject{RejectFeeTooLow, perVByte(reCoreMinFee, 2)}
	case has("insufficient priority", "rate limiter due to low fees", "min relay fee", "mempool full",
		"insufficient fee"):
		return decodedReject{RejectFeeTooLow, 0}

	case has("already have transaction", "txn-already-in-mempool", "txn-already-known",
		"txn-same-nonwitness-data-in-mempool"):
		return decodedReject{RejectAlreadyKnown, 0}
	case has("already exists in blockchain", "already in block chain", "txn-already-confirmed"):
		return decodedReject{RejectAlreadyConfirmed, 0}
	case has("already spent in mempool", "txn-mempool-conflict"):
		return decodedReject{RejectConflict, 0}
	case has("unknown or fully-spent", "missing-inputs", "missingorspent", "bad-txns-inputs-spent",
		"does not exist or has already been spent", "which is already spent"):
		return decodedReject{RejectInputsSpent, 0}
	case has("premature-spend-of-coinbase", "immature", "before required maturity"):
		return decodedReject{RejectImmature, 0}
	case has("not finalized", "non-final", "sequence locks", "non-bip68-final", "locktime"):
		return decodedReject{RejectNonFinal, 0}
	case code == wire.RejectDust || has("dust"):
		return decodedReject{RejectDust, 0}
	case has("too-long-mempool-chain", "too many descendants", "too many unconfirmed ancestors",
		"exceeds ancestor", "exceeds descendant"):
		return decodedReject{RejectChainTooLong, 0}
	case has("script-verify-flag", "failed to validate input", "signature", "script", "witness"):
		if code == wire.RejectNonstandard && !has("failed to validate input", "mandatory-script-verify") {
			return decodedReject{RejectNonStandard, 0}
		}
		return decodedReject{RejectBadSignature, 0}
	case code == wire.RejectInsufficientFee:
		return decodedReject{RejectFeeTooLow, 0}
	case code == wire.RejectDuplicate:
		return decodedReject{RejectAlreadyKnown, 0}
	case code == wire.RejectNonstandard:
		return decodedReject{RejectNonStandard, 0}
	case code == wire.RejectInvalid || code == wire.RejectMalformed:
		return decodedReject{RejectInvalid, 0}
	}
	return decodedReject{RejectOther, 0}
}

// txVSize is a transaction's virtual size: its weight over four, rounded
// up.
func txVSize(tx *wire.MsgTx) int64 {
	weight := tx.SerializeSizeStripped()*3 + tx.SerializeSize()
	return int64((weight + 3) / 4)
}

// String spells the code as it appears in --json errors.
func (c RejectCode) String() string { return string(c) }

var _ fmt.Stringer = RejectCode("")
