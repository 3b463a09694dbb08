package wallet

import (
	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// formatAmount writes a in the chosen units; signed adds a "+" to positive
// amounts so incoming and outgoing read apart without colour.
func formatAmount(a btcutil.Amount, u Units, signed bool) string {
	var s string
	if u == UnitsSat {
		s = amount.FormatSat(a)
	} else {
		s = amount.FormatBTC(a)
	}
	if signed && a > 0 {
		s = "+" + s
	}
	return s
}
