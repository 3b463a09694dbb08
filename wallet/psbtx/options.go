package psbtx

import (
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Option tells Sign and ReviewPacket what they know of the wallet and how
// strict to be.
type Option func(*config)

// PrevTxSource returns the full transaction with the given txid from the
// wallet's own records, or nil when the wallet does not hold it. Whatever it
// returns is hashed and compared with the txid before it is believed.
type PrevTxSource func(txid chainhash.Hash) *wire.MsgTx

// config holds the settings of one Sign or ReviewPacket call.
type config struct {
	accounts []Account
	prevTxs  PrevTxSource
	limits   FeeLimits
	force    bool

	// net is the network of the call (set by Sign and ReviewPacket).
	net *chaincfg.Params
}

// newConfig applies opts.
func newConfig(opts []Option) *config {
	c := &config{limits: DefaultFeeLimits}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// WithAccounts names the wallet's accounts. Sign signs only inputs whose
// key origin belongs to one of them and whose coin is the account's script
// at that origin; ReviewPacket marks such inputs and outputs as the
// wallet's, and an output that claims one of their fingerprints without
// belonging to the account as fake change.
func WithAccounts(accts ...Account) Option {
	return func(c *config) { c.accounts = append(c.accounts, accts...) }
}

// WithPrevTxs gives the wallet's own records of previous transactions: an
// input whose previous transaction they hold has a proven amount even when
// the PSBT carries only its witness UTXO, and a PSBT that disagrees with
// them is refused.
func WithPrevTxs(src PrevTxSource) Option {
	return func(c *config) { c.prevTxs = src }
}

// WithFeeLimits replaces DefaultFeeLimits for Sign's fee check.
func WithFeeLimits(l FeeLimits) Option {
	return func(c *config) { c.limits = l }
}

// AllowAbsurdFee lets Sign sign a fee its limits call absurd, or one it
// cannot compute (an input of someone else without UTXO information), as
// --force does. A negative fee is refused all the same.
func AllowAbsurdFee() Option {
	return func(c *config) { c.force = true }
}

// prevTx returns the wallet's record of the transaction txid, checked
// against its hash, or nil.
func (c *config) prevTx(txid chainhash.Hash) *wire.MsgTx {
	if c.prevTxs == nil {
		return nil
	}
	tx := c.prevTxs(txid)
	if tx == nil || tx.TxHash() != txid {
		return nil
	}
	return tx
}
