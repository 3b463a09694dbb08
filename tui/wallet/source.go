package wallet

import (
	"github.com/btcsuite/btcd/chainhash/v2"

	core "github.com/satchelbtc/satchel/wallet"
)

// Source gives the wallet pages access to one open wallet. The app adapts
// wallet.Wallet to it. Calls are made from a tea.Cmd, never from Update or
// View, so they may block on storage.
type Source interface {
	// Balance returns the wallet's balance and the block height the wallet
	// has scanned to.
	Balance() (core.Balance, int32, error)
	// History returns the wallet's transactions, in any order.
	History() ([]core.HistoryEntry, error)
	// NextAddress hands out a new receive address (it is marked as used, so
	// the next call returns another) and its index on the receive chain.
	NextAddress() (addr string, index uint32, err error)
}

// Units is how amounts are shown.
type Units int

const (
	// UnitsBTC shows amounts in bitcoin with 8 decimal places.
	UnitsBTC Units = iota
	// UnitsSat shows amounts in satoshis with thousands separators.
	UnitsSat
)

// String names the unit as the Settings tab shows it.
func (u Units) String() string {
	if u == UnitsSat {
		return "sats"
	}
	return "BTC"
}

// TxSelectedMsg is emitted when the user opens a transaction from the
// history; the root model routes it to the transaction page.
type TxSelectedMsg struct {
	Txid chainhash.Hash
}

// ReceiveRequestedMsg is emitted when the user asks to receive coins from the
// overview; the root model shows the receive page.
type ReceiveRequestedMsg struct{}

// SendRequestedMsg is emitted when the user asks to pay from the overview;
// the root model shows the send page.
type SendRequestedMsg struct{}

// CoinsRequestedMsg is emitted when the user asks for the wallet's coins
// from the overview; the root model shows the coins page.
type CoinsRequestedMsg struct{}

// PSBTRequestedMsg is emitted when the user asks for the PSBT page from the
// overview; the root model shows it.
type PSBTRequestedMsg struct{}
