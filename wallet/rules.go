package wallet

import (
	"strconv"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/wallet/labels"
)

// Spendable reports whether the wallet spends the output on its own at tip:
// unspent, confirmed, mature (a coinbase output needs 100 confirmations)
// and not frozen. Coin control may still pick an unspent output that is
// not spendable by this rule (a frozen one, on purpose). Send, the coins
// page and the send form all use this one rule.
func (o *Output) Spendable(tip int32) bool {
	return o.SpentBy == nil && !o.Frozen && o.Height > 0 && o.Mature(tip)
}

// Label keys. A label is stored under its BIP329 type and reference,
// "type:ref"; these build the keys the wallet's pages and commands use.

// TxLabelKey returns the key of a transaction's label, "tx:<txid>".
func TxLabelKey(txid chainhash.Hash) string {
	return string(labels.TypeTx) + ":" + txid.String()
}

// OutputLabelKey returns the key of an output's label,
// "output:<txid>:<vout>".
func OutputLabelKey(op wire.OutPoint) string {
	return string(labels.TypeOutput) + ":" + op.Hash.String() + ":" +
		strconv.FormatUint(uint64(op.Index), 10)
}

// AddressLabelKey returns the key of an address's label, "addr:<address>".
func AddressLabelKey(addr string) string {
	return string(labels.TypeAddr) + ":" + addr
}
