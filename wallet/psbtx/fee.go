package psbtx

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// FeeLimits are the bounds above which a fee is taken for a mistake: the
// wallet's send and the signer refuse it unless the person insists
// (--force). One set of rules serves both, so a PSBT signed here is held to
// what a payment made here would be.
type FeeLimits struct {
	// MaxFeeRate is the highest fee rate in sat/vB.
	MaxFeeRate float64

	// MaxFee, when above zero, caps the absolute fee in satoshis.
	MaxFee btcutil.Amount

	// NotAboveSent refuses a fee larger than the amount the transaction
	// sends (everything but change).
	NotAboveSent bool
}

// DefaultFeeLimits refuse a fee rate above 1,000 sat/vB and a fee larger
// than the amount sent.
var DefaultFeeLimits = FeeLimits{MaxFeeRate: highFeeRate, NotAboveSent: true}

// CheckFee returns an ErrAbsurdFee error when a fee of fee satoshis for a
// transaction of vsize vbytes that sends sent satoshis (outputs other than
// change) breaks the limits, and always for a negative fee. The message says
// by how much and how to go ahead anyway.
func (l FeeLimits) CheckFee(fee btcutil.Amount, vsize int64,
	sent btcutil.Amount) error {

	if fee < 0 {
		return newError(ErrNegativeFee, nil, "the outputs add up to %s "+
			"more than the inputs: this transaction can never be valid",
			amount.FormatBTC(-fee))
	}
	rate := 0.0
	if vsize > 0 {
		rate = float64(fee) / float64(vsize)
	}
	absurd := func(why string) error {
		return newError(ErrAbsurdFee, nil, "the fee looks like a "+
			"mistake: %s (%s for %s sent, %.1f sat/vB); use --force if "+
			"you mean it", why, amount.FormatBTC(fee),
			amount.FormatBTC(sent), rate)
	}
	switch {
	case l.MaxFeeRate > 0 && rate > l.MaxFeeRate:
		return absurd(fmt.Sprintf("above %s sat/vB",
			formatRate(l.MaxFeeRate)))
	case l.MaxFee > 0 && fee > l.MaxFee:
		return absurd(fmt.Sprintf("above the cap of %s",
			amount.FormatBTC(l.MaxFee)))
	case l.NotAboveSent && fee > sent:
		return absurd("more than the amount sent")
	}
	return nil
}

// formatRate writes a fee rate without trailing zeros, with thousands
// separated: 1,000 or 2.5.
func formatRate(r float64) string {
	if r == float64(int64(r)) {
		n := int64(r)
		s := fmt.Sprintf("%d", n)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return s
	}
	return fmt.Sprintf("%g", r)
}
