package explorer

import (
	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// Units chooses how the explorer's pages write amounts; the root sets them
// from the Settings tab, as for the wallet's pages.
type Units int

const (
	// UnitsBTC writes amounts in bitcoin with eight decimals.
	UnitsBTC Units = iota
	// UnitsSat writes amounts in satoshis with thousands separators.
	UnitsSat
)

// format writes a in u.
func (u Units) format(a btcutil.Amount) string {
	if u == UnitsSat {
		return amount.FormatSat(a)
	}
	return amount.FormatBTC(a)
}
