package psbtx

import (
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// AmountProof says what proves the amount of the coin an input spends.
//
// A segwit v0 signature (BIP143) commits to the amount of its own input
// only, and a legacy one to none. A PSBT that states a wrong amount for one
// of several inputs therefore gets valid signatures all the same, and two
// PSBTs for one transaction, each lying about the other input, combine into
// a valid transaction whose fee is not the one either review showed. Only
// the full previous transaction, whose hash is the txid the input spends,
// or the wallet's own record of it, proves the amount.
type AmountProof int

// The proofs of an amount.
const (
	// Unproven means only the PSBT's witness UTXO states the amount, or
	// the coin is unknown.
	Unproven AmountProof = iota

	// ProvenByPrevTx means the PSBT carries the full previous transaction
	// (non-witness UTXO), which hashes to the input's txid.
	ProvenByPrevTx

	// ProvenByWallet means the wallet's records hold the previous
	// transaction, and the PSBT agrees with them.
	ProvenByWallet

	// CommittedByTaproot means the coin is a taproot output: every
	// taproot signature commits to the amount and script of every input
	// (BIP341), so a wrong amount makes the transaction invalid instead of
	// raising its fee.
	CommittedByTaproot
)

// Proven reports whether the amount can be trusted.
func (a AmountProof) Proven() bool { return a != Unproven }

// String says what proves the amount, for a review.
func (a AmountProof) String() string {
	switch a {
	case ProvenByPrevTx:
		return "previous transaction"
	case ProvenByWallet:
		return "wallet records"
	case CommittedByTaproot:
		return "taproot commitment"
	}
	return "not proven"
}

// Key returns a short name for JSON: "prev_tx", "wallet", "taproot" or
// "none".
func (a AmountProof) Key() string {
	switch a {
	case ProvenByPrevTx:
		return "prev_tx"
	case ProvenByWallet:
		return "wallet"
	case CommittedByTaproot:
		return "taproot"
	}
	return "none"
}

// amountProof says what proves the amount of input i, which spends prev as
// the PSBT tells it (nil when unknown). It returns an ErrUTXOMismatch error
// when the wallet's records of the previous transaction disagree with the
// PSBT.
func amountProof(p *psbt.Packet, i int, prev *wire.TxOut,
	c *config) (AmountProof, error) {

	if prev == nil {
		return Unproven, nil
	}
	op := p.UnsignedTx.TxIn[i].PreviousOutPoint
	if rec := c.prevTx(op.Hash); rec != nil {
		if int64(op.Index) >= int64(len(rec.TxOut)) {
			return Unproven, newError(ErrUTXOMismatch, nil, "input %d "+
				"spends output %d of transaction %s, which the "+
				"wallet's records show with only %d outputs", i,
				op.Index, op.Hash, len(rec.TxOut))
		}
		if !psbt.TxOutsEqual(rec.TxOut[op.Index], prev) {
			return Unproven, newError(ErrUTXOMismatch, nil, "input %d: "+
				"the PSBT says its coin is %s to another script "+
				"or amount than the wallet's records of transaction "+
				"%s (%s); refusing to trust it", i,
				amount.FormatBTC(btcutil.Amount(prev.Value)), op.Hash,
				amount.FormatBTC(btcutil.Amount(rec.TxOut[op.Index].Value)))
		}
		if p.Inputs[i].NonWitnessUtxo != nil {
			return ProvenByPrevTx, nil
		}
		return ProvenByWallet, nil
	}
	switch {
	case p.Inputs[i].NonWitnessUtxo != nil:
		// spentOutput checked its hash against the txid.
		return ProvenByPrevTx, nil
	case txscript.IsPayToTaproot(prev.PkScript):
		return CommittedByTaproot, nil
	}
	return Unproven, nil
}
