package coinselect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/v2"
)

var (
	// ErrInsufficientFunds is returned when the usable coins cannot pay for
	// the outputs and the fee. The error returned by Select is an
	// *InsufficientFundsError that wraps it and carries the amounts.
	ErrInsufficientFunds = errors.New("insufficient funds")

	// ErrDustOutput is returned when an output pays less than its dust
	// limit, including a send-max output that the fee would shrink below
	// it. It is wrapped with the output and the limit.
	ErrDustOutput = errors.New("output amount is below the dust limit")

	// ErrNoCoins is returned when there is no coin to spend at all: no
	// candidates and no required coins, or SpendOnlyRequired with no
	// required coins.
	ErrNoCoins = errors.New("no coins to spend")

	// ErrInvalidFeeRate is returned for a fee rate that is not a number
	// above 0 and at most MaxFeeRateSatVB. It is wrapped with the value.
	ErrInvalidFeeRate = errors.New("invalid fee rate")

	// ErrInvalidRequest is returned for a request that cannot describe a
	// transaction: no outputs, negative amounts, unknown script types,
	// the same coin twice. It is wrapped with what was wrong.
	ErrInvalidRequest = errors.New("invalid coin selection request")

	// ErrTooLarge is returned when paying the outputs would need so many
	// inputs (or such large outputs) that the transaction would exceed
	// MaxStandardTxWeight, so that no node would relay it.
	ErrTooLarge = errors.New("transaction would be too large to relay")
)

// InsufficientFundsError says how far the wallet's coins are from paying for
// a transaction. errors.Is(err, ErrInsufficientFunds) holds for it.
type InsufficientFundsError struct {
	// Available is the total value of the coins that could be spent: the
	// required coins and every candidate worth more than the fee to spend
	// it.
	Available btcutil.Amount

	// Needed is what the transaction would cost with all of those coins as
	// inputs and no change: the outputs plus the fee.
	Needed btcutil.Amount

	// Uneconomic is the value of candidate coins left out because spending
	// them at this fee rate costs more than they are worth.
	Uneconomic btcutil.Amount
}

// Error says what is missing and what the user can do about it.
func (e *InsufficientFundsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s available, %s needed for the payment and its fee",
		ErrInsufficientFunds, e.Available, e.Needed)
	if e.Uneconomic > 0 {
		fmt.Fprintf(&b, " (another %s is in coins worth less than the fee to spend them at this fee rate)",
			e.Uneconomic)
	}
	b.WriteString("; send less, lower the fee rate or add funds")
	return b.String()
}

// Unwrap lets errors.Is match ErrInsufficientFunds.
func (e *InsufficientFundsError) Unwrap() error {
	return ErrInsufficientFunds
}

// invalid wraps a detail into ErrInvalidRequest.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}
