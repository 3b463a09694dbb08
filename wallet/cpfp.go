package wallet

import (
	"errors"
	"fmt"
	"math"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"

	"github.com/satchelbtc/satchel/wallet/coinselect"
)

// ErrParentFeeUnknown is returned by CPFP when the parent's fee is neither
// known to the wallet (some of its inputs are not ours) nor given: the
// child's fee depends on it. Find the values of the parent's inputs, or
// give the fee.
var ErrParentFeeUnknown = errors.New("the fee of the transaction to speed up is not known")

// UnknownFee stands for a fee that is not known, where a fee is asked for.
const UnknownFee btcutil.Amount = -1

// CPFPDraft is a child that pays for its parent: the unsigned child and the
// figures of the package the two make.
type CPFPDraft struct {
	*Draft
	Parent chainhash.Hash
	// ParentFee and ParentVSize are the parent's; ParentFeeRate its own
	// rate.
	ParentFee     btcutil.Amount
	ParentVSize   int64
	ParentFeeRate float64
	// PackageFeeRate is the fee of both over the size of both, in sat/vB:
	// what a miner weighing the two together sees.
	PackageFeeRate float64
}

// TxVSize returns a signed transaction's virtual size (BIP141).
func TxVSize(t *wire.MsgTx) int64 {
	weight := t.SerializeSizeStripped()*3 + t.SerializeSize()
	return int64((weight + 3) / 4)
}

// TxFee returns the fee of a transaction of the wallet when every input
// spends a coin of the wallet, so the wallet knows their values; ok is
// false otherwise (a payment from others) or for a transaction the wallet
// does not have.
func (w *Wallet) TxFee(txid chainhash.Hash) (fee btcutil.Amount, ok bool, err error) {
	err = w.withState(func(st *state, _ int32) {
		r, found := st.txs[txid]
		if !found || isCoinbase(r.Tx) {
			return
		}
		fee, ok = feeFromOutputs(st, r.Tx)
	})
	return fee, ok, err
}

// feeFromOutputs is t's fee when every input spends one of our outputs.
func feeFromOutputs(st *state, t *wire.MsgTx) (btcutil.Amount, bool) {
	var in, out btcutil.Amount
	for _, txIn := range t.TxIn {
		o, ok := st.outputs[txIn.PreviousOutPoint]
		if !ok {
			return 0, false
		}
		in += o.Value
	}
	for _, o := range t.TxOut {
		out += btcutil.Amount(o.Value)
	}
	return in - out, in >= out
}

// CPFP builds a child that spends the wallet's unspent outputs of the
// unconfirmed transaction parent (a payment to us, or our own change) to a
// new change address of ours, with a fee that brings parent and child
// together to feeRate sat/vB: feeRate × (parent's vsize + child's vsize) −
// the parent's fee. The parent's fee is the wallet's when all its inputs
// are ours, else parentFee; with neither the error wraps
// ErrParentFeeUnknown. It refuses a confirmed parent, a rate not above the
// parent's own, and outputs too small to pay the fee (saying how much is
// needed).
func (w *Wallet) CPFP(parent chainhash.Hash, feeRate float64, parentFee btcutil.Amount, force bool) (*CPFPDraft, error) {
	if !(feeRate > 0) {
		return nil, fmt.Errorf("a fee rate of %v sat/vB cannot speed anything up: give a rate above 0", feeRate)
	}
	var draft *CPFPDraft
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		r, ok := st.txs[parent]
		switch {
		case !ok:
			return fmt.Errorf("transaction %s is not in this wallet", parent)
		case r.Height > 0:
			return fmt.Errorf("transaction %s is already confirmed at height %d: it needs no help", parent, r.Height)
		}
		if fee, known := feeFromOutputs(st, r.Tx); known {
			parentFee = fee
		}
		if parentFee < 0 {
			return fmt.Errorf("%w: %s spends coins that are not this wallet's", ErrParentFeeUnknown, parent)
		}
		pvsize := TxVSize(r.Tx)
		prate := float64(parentFee) / float64(pvsize)
		if feeRate <= prate {
			return fmt.Errorf("transaction %s already pays %.1f sat/vB: a child helps only at a higher rate, raise the fee rate above %.1f",
				parent, prate, prate)
		}
		c, _ := dbFetchCursor(tx)
		var coins []coinselect.Coin
		var sum btcutil.Amount
		frozen := 0
		for i := range r.Tx.TxOut {
			o, ok := st.outputs[wire.OutPoint{Hash: parent, Index: uint32(i)}]
			switch {
			case !ok:
				continue
			case o.SpentBy != nil:
				continue
			case o.Frozen:
				frozen++
				continue
			}
			coins = append(coins, coinselect.Coin{OutPoint: o.OutPoint, Value: o.Value, Type: w.coinType()})
			sum += o.Value
		}
		if len(coins) == 0 {
			if frozen > 0 {
				return fmt.Errorf("this wallet's outputs of %s are frozen: unfreeze one to spend it in a child", parent)
			}
			return fmt.Errorf("transaction %s pays this wallet nothing it has not spent yet: there is no output for a child to spend", parent)
		}
		// A fresh change address receives everything less the child's fee.
		next := dbFetchNextIndex(tx, 0, ChangeBranch)
		change, err := w.Address(ChangeBranch, next)
		if err != nil {
			return err
		}
		res, err := sweepSize(coins, change.Script)
		if err != nil {
			return err
		}
		childFee := btcutil.Amount(math.Ceil(feeRate*float64(pvsize+res.VSize)-1e-6)) - parentFee
		// The child must still pay the relay minimum for its own size.
		childFee = max(childFee, btcutil.Amount(math.Ceil(MinRelayFeeRate*float64(res.VSize))))
		dust := coinselect.DefaultDustLimit(change.Script, feeRate)
		if sum-childFee < dust {
			return fmt.Errorf("this wallet's outputs of %s hold %s, too little to pay for both at %.1f sat/vB: "+
				"the child's fee is %s and its output needs at least %s, so %s is needed; lower the fee rate",
				parent, sum, feeRate, childFee, dust, childFee+dust)
		}
		sreq := &SendRequest{FeeRate: feeRate, Force: force}
		if err := checkFee(sreq, childFee, res.VSize, sum); err != nil {
			return err
		}
		d, err := w.sweepDraft(tx, st, coins, sum-childFee, childFee, res.VSize, sreq, c.Height)
		if err != nil {
			return err
		}
		draft = &CPFPDraft{Draft: d, Parent: parent, ParentFee: parentFee, ParentVSize: pvsize, ParentFeeRate: prate,
			PackageFeeRate: float64(parentFee+childFee) / float64(pvsize+res.VSize)}
		return nil
	})
	return draft, err
}

// CancelTx builds a replacement for an unconfirmed payment of ours that
// pays everything its inputs hold back to a new change address of ours
// (BIP125): the same inputs, no recipient, a fee at feeRate that is higher
// than the original's both in total and per vbyte, by at least the relay
// fee for the replacement's own size (rules 3 and 4). The original must
// signal RBF and every input must be ours.
func (w *Wallet) CancelTx(txid chainhash.Hash, feeRate float64, force bool) (*Draft, error) {
	if !(feeRate > 0) {
		return nil, fmt.Errorf("a fee rate of %v sat/vB cannot replace anything: give a rate above 0", feeRate)
	}
	var draft *Draft
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		orig, err := w.replaceable(st, txid)
		if err != nil {
			return err
		}
		var coins []coinselect.Coin
		var sum btcutil.Amount
		for _, in := range orig.Tx.TxIn {
			o := st.outputs[in.PreviousOutPoint]
			coins = append(coins, coinselect.Coin{OutPoint: o.OutPoint, Value: o.Value, Type: w.coinType()})
			sum += o.Value
		}
		oldFee, _ := feeFromOutputs(st, orig.Tx)
		oldRate := float64(oldFee) / float64(TxVSize(orig.Tx))
		// BIP125 rule 3: the replacement also pays for the children it
		// evicts (a CPFP child, say).
		oldFee += descendantFees(st, txid)
		next := dbFetchNextIndex(tx, 0, ChangeBranch)
		change, err := w.Address(ChangeBranch, next)
		if err != nil {
			return err
		}
		res, err := sweepSize(coins, change.Script)
		if err != nil {
			return err
		}
		fee := btcutil.Amount(math.Ceil(feeRate*float64(res.VSize) - 1e-6))
		minFee := oldFee + btcutil.Amount(math.Ceil(MinRelayFeeRate*float64(res.VSize)))
		if fee < minFee || float64(fee)/float64(res.VSize) <= oldRate {
			need := max(float64(minFee)/float64(res.VSize), oldRate)
			return fmt.Errorf("a fee rate of %.1f sat/vB pays %s, but cancelling needs more than the old fee (%s, %.1f sat/vB) "+
				"plus %v sat/vB of its own size, at least %s: raise the fee rate to %.1f or more",
				feeRate, fee, oldFee, oldRate, MinRelayFeeRate, minFee, math.Ceil(need*10+0.001)/10)
		}
		dust := coinselect.DefaultDustLimit(change.Script, feeRate)
		if sum-fee < dust {
			return fmt.Errorf("the inputs of %s hold %s: at %.1f sat/vB the fee of %s leaves less than the %s an output needs; lower the fee rate",
				txid, sum, feeRate, fee, dust)
		}
		sreq := &SendRequest{FeeRate: feeRate, Force: force}
		if err := checkFee(sreq, fee, res.VSize, sum); err != nil {
			return err
		}
		draft, err = w.sweepDraft(tx, st, coins, sum-fee, fee, res.VSize, sreq, scannedHeight(tx))
		return err
	})
	return draft, err
}

// scannedHeight is the height the wallet has scanned to, for a locktime.
func scannedHeight(tx *bbolt.Tx) int32 {
	cur, _ := dbFetchCursor(tx)
	return cur.Height
}

// replaceable returns the unconfirmed transaction txid when the wallet may
// replace it: it signals RBF and every input is ours.
func (w *Wallet) replaceable(st *state, txid chainhash.Hash) (*txRecord, error) {
	orig, ok := st.txs[txid]
	switch {
	case !ok:
		return nil, fmt.Errorf("transaction %s is not in this wallet", txid)
	case orig.Height > 0:
		return nil, fmt.Errorf("transaction %s is already confirmed at height %d: it can no longer be replaced", txid, orig.Height)
	}
	signals := false
	for _, in := range orig.Tx.TxIn {
		if in.Sequence < wire.MaxTxInSequenceNum-1 {
			signals = true
		}
		if _, ok := st.outputs[in.PreviousOutPoint]; !ok {
			return nil, fmt.Errorf("input %v of %s is not ours: only our own payments can be replaced", in.PreviousOutPoint, txid)
		}
	}
	if !signals {
		return nil, fmt.Errorf("transaction %s does not signal replace-by-fee (BIP125), so peers will not take a replacement", txid)
	}
	return orig, nil
}

// Replaceable reports whether the wallet can replace the unconfirmed
// transaction txid (bump its fee or cancel it), and why not.
func (w *Wallet) Replaceable(txid chainhash.Hash) error {
	var rerr error
	err := w.withState(func(st *state, _ int32) {
		_, rerr = w.replaceable(st, txid)
	})
	if err != nil {
		return err
	}
	return rerr
}

// sweepSize returns the size of a transaction spending coins to one output
// paying script.
func sweepSize(coins []coinselect.Coin, script []byte) (*coinselect.Result, error) {
	return coinselect.Select(&coinselect.Request{Required: coins, SpendOnlyRequired: true, SendMax: true,
		FeeRateSatVB: MinRelayFeeRate, Outputs: []*wire.TxOut{wire.NewTxOut(0, script)},
		DustLimit: func([]byte, float64) btcutil.Amount { return 0 }})
}

// sweepDraft builds a draft spending coins to the next change address with
// value, at the given fee and size: the one output is the draft's change.
func (w *Wallet) sweepDraft(tx *bbolt.Tx, st *state, coins []coinselect.Coin, value, fee btcutil.Amount, vsize int64,
	sreq *SendRequest, tip int32) (*Draft, error) {

	res := &coinselect.Result{Inputs: coins, Change: value, Fee: fee, VSize: vsize, Algorithm: coinselect.AlgorithmManual}
	return w.buildDraft(tx, st, &coinselect.Request{}, res, sreq, tip)
}

// withDescendants returns ids and every unconfirmed transaction of the
// wallet that spends an output of one of them, recursively.
func withDescendants(st *state, ids []chainhash.Hash) []chainhash.Hash {
	seen := map[chainhash.Hash]bool{}
	out := append([]chainhash.Hash(nil), ids...)
	for _, id := range ids {
		seen[id] = true
	}
	for i := 0; i < len(out); i++ {
		parent := out[i]
		for id, r := range st.txs {
			if seen[id] || r.Height > 0 {
				continue
			}
			for _, in := range r.Tx.TxIn {
				if in.PreviousOutPoint.Hash == parent {
					seen[id] = true
					out = append(out, id)
					break
				}
			}
		}
	}
	return out
}

// descendantFees is the fee the unconfirmed descendants of txid pay, as far
// as the wallet knows them: a replacement of txid evicts them and must pay
// for them too.
func descendantFees(st *state, txid chainhash.Hash) btcutil.Amount {
	var sum btcutil.Amount
	for _, id := range withDescendants(st, []chainhash.Hash{txid})[1:] {
		if fee, ok := feeFromOutputs(st, st.txs[id].Tx); ok {
			sum += fee
		}
	}
	return sum
}
