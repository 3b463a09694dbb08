package lightnode

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/wire/v2"
)

// Each refusal btcd (mempool/mempool.go, policy.go) or Bitcoin Core sends
// turns into the sentence a person can act on, with the fee rate the peers
// want when they said it.
func TestDecodeReject(t *testing.T) {
	const id = "9f2c0e0c2e4e1b9a6a3f6d1d8c9b7a6e5f4d3c2b1a0918273645546372819aab"
	const vsize = 141
	tests := []struct {
		name   string
		code   wire.RejectCode
		reason string
		want   RejectCode
		rate   float64
		says   string
	}{
		{"btcd min relay fee", wire.RejectInsufficientFee,
			"transaction " + id + " has 70 fees which is under the required amount of 141",
			RejectFeeTooLow, 1, "fee too low for the peers: raise the fee rate (the peers want at least 1.0 sat/vB)"},
		{"btcd priority", wire.RejectInsufficientFee,
			"transaction " + id + " has insufficient priority (2.8e+07 <= 5.76e+07)",
			RejectFeeTooLow, 0, "raise the fee rate (the peers want at least 1.0 sat/vB)"},
		{"btcd rate limiter", wire.RejectInsufficientFee,
			"transaction " + id + " has been rejected by the rate limiter due to low fees",
			RejectFeeTooLow, 0, "fee too low for the peers"},
		{"core min relay fee", wire.RejectInsufficientFee, "min relay fee not met, 100 < 282",
			RejectFeeTooLow, 2, "at least 2.0 sat/vB"},
		{"core mempool min fee", wire.RejectInsufficientFee, "mempool min fee not met",
			RejectFeeTooLow, 0, "at least 1.0 sat/vB"},
		{"btcd rbf rate (rule 4)", wire.RejectInsufficientFee,
			id + ": replacement transaction has an insufficient fee rate: needs more than 2000, has 2000",
			RejectReplacementFee, 2.1, "too low to replace the unconfirmed transaction that spends the same coins: raise the fee rate (the peers want at least 2.1 sat/vB)"},
		{"btcd rbf absolute (rule 3)", wire.RejectInsufficientFee,
			id + ": replacement transaction has an insufficient absolute fee: needs 423, has 300",
			RejectReplacementFee, 3, "at least 3.0 sat/vB"},
		{"core rbf", wire.RejectInsufficientFee, "insufficient fee", RejectReplacementFee, 0, "replace"},
		{"btcd in mempool", wire.RejectDuplicate, "already have transaction in mempool " + id,
			RejectAlreadyKnown, 0, "the peers already have this transaction"},
		{"core already known", wire.RejectDuplicate, "txn-already-known", RejectAlreadyKnown, 0, "wait for it to confirm"},
		{"btcd in a block", wire.RejectDuplicate, "transaction already exists in blockchain",
			RejectAlreadyConfirmed, 0, "already in a block"},
		{"btcd double spend", wire.RejectDuplicate,
			"output already spent in mempool: output=" + id + ":0, tx=" + id,
			RejectConflict, 0, "an input is already spent by another unconfirmed transaction: the wallet may be out of date: let it sync (satchel sync) and build the payment again"},
		{"core conflict", wire.RejectDuplicate, "txn-mempool-conflict", RejectConflict, 0, "let it sync (satchel sync)"},
		{"btcd orphan", wire.RejectDuplicate,
			"orphan transaction " + id + " references outputs of unknown or fully-spent transaction " + id,
			RejectInputsSpent, 0, "an input is already spent or does not exist: the wallet may be out of date: let it sync (satchel sync) and build the payment again"},
		{"btcd missing output", wire.RejectInvalid,
			"output " + id + ":1 referenced from transaction " + id + ":0 either does not exist or has already been spent",
			RejectInputsSpent, 0, "let it sync (satchel sync)"},
		{"core missing inputs", wire.RejectInvalid, "bad-txns-inputs-missingorspent", RejectInputsSpent, 0, "let it sync (satchel sync)"},
		{"btcd non-final", wire.RejectNonstandard,
			"transaction " + id + " is not standard: transaction is not finalized", RejectNonFinal, 0, "locktime"},
		{"btcd sequence lock", wire.RejectNonstandard, "transaction's sequence locks on inputs not met",
			RejectNonFinal, 0, "not final yet"},
		{"core non-final", wire.RejectNonstandard, "non-final", RejectNonFinal, 0, "not final yet"},
		{"btcd dust", wire.RejectDust,
			"transaction " + id + " is not standard: transaction output 1: payment is dust: 100",
			RejectDust, 0, "an output is too small for the peers to relay (dust): raise that amount, or leave the output out"},
		{"core dust", wire.RejectNonstandard, "dust", RejectDust, 0, "dust"},
		{"core chain", wire.RejectNonstandard, "too-long-mempool-chain", RejectChainTooLong, 0, "wait for some of them to confirm"},
		{"btcd immature", wire.RejectInvalid,
			"tried to spend coinbase transaction output " + id + ":0 from height 5 at height 50 before required maturity of 100 blocks",
			RejectImmature, 0, "100 confirmations"},
		{"btcd bad signature", wire.RejectInvalid,
			"failed to validate input " + id + ":0 which references output " + id + ":0 - signature not empty on failed checksig",
			RejectBadSignature, 0, "sign it again"},
		{"core bad signature", wire.RejectInvalid,
			"mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)",
			RejectBadSignature, 0, "sign it again"},
		{"btcd non-standard script", wire.RejectNonstandard,
			"transaction " + id + " is not standard: transaction output 0: non-standard script form",
			RejectNonStandard, 0, "non-standard: transaction " + id + " is not standard: transaction output 0: non-standard script form"},
		{"btcd version", wire.RejectNonstandard,
			"transaction " + id + " is not standard: transaction version 4 is not in the valid range of 1-3",
			RejectNonStandard, 0, "standard outputs"},
		{"btcd coinbase", wire.RejectInvalid, "transaction is an individual coinbase " + id, RejectInvalid, 0, "can never be mined"},
		{"unknown", wire.RejectCode(0x99), "whatever it was", RejectOther, 0, "(peer said: whatever it was)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decodeReject(tt.code, tt.reason, vsize)
			if d.code != tt.want || d.minFeeRate != tt.rate && tt.rate != 0 {
				t.Fatalf("decoded %+v; want %s at %v sat/vB", d, tt.want, tt.rate)
			}
			peers := map[string]PeerReject{"127.0.0.1:18444": {Code: tt.code, Reason: tt.reason}}
			var err error = newRejectError(peers, vsize)
			if !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("says %q; want it to contain %q", err, tt.says)
			}
			wrapped := fmt.Errorf("broadcast: %w", err)
			var re *RejectError
			if !errors.As(wrapped, &re) || re.Code != tt.want || !errors.Is(wrapped, ErrRejected) {
				t.Fatalf("errors.As/Is through a wrap: %v %v", re, errors.Is(wrapped, ErrRejected))
			}
			if re.PeerSaid() != "127.0.0.1:18444: "+tt.reason {
				t.Fatalf("peer said %q", re.PeerSaid())
			}
		})
	}
}

// Several peers: the reason most of them gave wins, a tie goes to the more
// specific one, and the highest fee any of them asked for is named.
func TestRejectErrorSeveralPeers(t *testing.T) {
	e := newRejectError(map[string]PeerReject{
		"a:1": {wire.RejectInsufficientFee, "transaction x has 100 fees which is under the required amount of 141"},
		"b:1": {wire.RejectInsufficientFee, "transaction x has 100 fees which is under the required amount of 300"},
		"c:1": {wire.RejectDuplicate, "already have transaction in mempool x"},
	}, 100)
	if e.Code != RejectFeeTooLow || e.MinFeeRate != 3 {
		t.Fatalf("%+v", e)
	}
	if !strings.Contains(e.Error(), "at least 3.0 sat/vB") {
		t.Fatal(e)
	}
	tie := newRejectError(map[string]PeerReject{
		"a:1": {wire.RejectDuplicate, "already have transaction in mempool x"},
		"b:1": {wire.RejectDuplicate, "output already spent in mempool: output=x:0, tx=y"},
	}, 100)
	if tie.Code != RejectConflict {
		t.Fatalf("tie went to %s", tie.Code)
	}
}
