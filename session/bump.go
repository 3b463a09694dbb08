package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/wallet"
)

// BumpOptions change how Bump, Cancel and CPFP build their transaction.
type BumpOptions struct {
	// Force allows a fee that looks like a mistake (see wallet.SendRequest).
	Force bool
	// ParentFee is the fee the parent pays, for CPFP, when the caller
	// knows it and the wallet does not (a payment from others); 0 means
	// not known: CPFP then looks for the parent's inputs in the wallet,
	// the node's relay feed and its cached blocks.
	ParentFee btcutil.Amount
}

// Bump builds a replacement (BIP125) of an unconfirmed payment of ours
// that pays the same recipients at feeRate sat/vB. Pay signs and
// broadcasts it, like any draft; the replaced payment then leaves the
// wallet.
func (s *Session) Bump(txid chainhash.Hash, feeRate float64, o BumpOptions) (*wallet.Draft, error) {
	return s.w.BumpFee(txid, feeRate, o.Force)
}

// Cancel builds a replacement (BIP125) of an unconfirmed payment of ours
// that pays everything back to a new address of ours: the recipients get
// nothing if it is mined first. It pays more than the original, in total
// and per vbyte.
func (s *Session) Cancel(txid chainhash.Hash, feeRate float64, o BumpOptions) (*wallet.Draft, error) {
	return s.w.CancelTx(txid, feeRate, o.Force)
}

// CPFP builds a child that spends our outputs of the unconfirmed
// transaction txid, paying enough that the two together pay feeRate. When
// the wallet does not know the parent's fee, it is o.ParentFee, or else
// worked out from the parent's inputs where the wallet, the node's relay
// feed or its cached blocks have them; failing that the error wraps
// wallet.ErrParentFeeUnknown.
func (s *Session) CPFP(ctx context.Context, txid chainhash.Hash, feeRate float64, o BumpOptions) (*wallet.CPFPDraft, error) {
	parentFee := wallet.UnknownFee
	if o.ParentFee > 0 {
		parentFee = o.ParentFee
	}
	d, err := s.w.CPFP(txid, feeRate, parentFee, o.Force)
	if !errors.Is(err, wallet.ErrParentFeeUnknown) || parentFee >= 0 {
		return d, err
	}
	fee, ferr := s.ParentFee(ctx, txid)
	if ferr != nil {
		return nil, fmt.Errorf("%w, and %v", err, ferr)
	}
	return s.w.CPFP(txid, feeRate, fee, o.Force)
}

// ParentFee returns the fee of the wallet's transaction txid: the wallet's
// own figure when all its inputs are ours, else the values of the outputs
// it spends as the wallet, the node's relay feed and its cached blocks know
// them. It fails, naming what is missing, when some are not known.
func (s *Session) ParentFee(ctx context.Context, txid chainhash.Hash) (btcutil.Amount, error) {
	if fee, ok, err := s.w.TxFee(txid); err != nil || ok {
		return fee, err
	}
	hist, err := s.w.History()
	if err != nil {
		return 0, err
	}
	var tx *wire.MsgTx
	known := map[chainhash.Hash]*wire.MsgTx{}
	for _, e := range hist {
		if e.Tx == nil {
			continue
		}
		known[e.Txid] = e.Tx
		if e.Txid == txid {
			tx = e.Tx
		}
	}
	if tx == nil {
		return 0, fmt.Errorf("transaction %s is not in this wallet", txid)
	}
	need := map[chainhash.Hash]bool{}
	for _, in := range tx.TxIn {
		if _, ok := known[in.PreviousOutPoint.Hash]; !ok {
			need[in.PreviousOutPoint.Hash] = true
		}
	}
	if node := s.cfg.Node; node != nil && len(need) > 0 {
		for id := range need {
			if seen := node.RecentTx(&id); seen != nil && seen.Tx != nil {
				known[id] = seen.Tx
				delete(need, id)
			}
		}
		if len(need) > 0 {
			node.Store().CachedBlocks(func(_ chainhash.Hash, raw []byte) bool {
				var b wire.MsgBlock
				if b.Deserialize(bytes.NewReader(raw)) != nil {
					return true
				}
				for _, t := range b.Transactions {
					if id := t.TxHash(); need[id] {
						known[id] = t
						delete(need, id)
					}
				}
				return len(need) > 0 && ctx.Err() == nil
			})
		}
	}
	var in, out btcutil.Amount
	missing := 0
	for _, txIn := range tx.TxIn {
		op := txIn.PreviousOutPoint
		prev, ok := known[op.Hash]
		if !ok || int(op.Index) >= len(prev.TxOut) {
			missing++
			continue
		}
		in += btcutil.Amount(prev.TxOut[op.Index].Value)
	}
	if missing > 0 {
		return 0, fmt.Errorf("the values of %d of its %d inputs are in no transaction the wallet or the node has seen", missing, len(tx.TxIn))
	}
	for _, o := range tx.TxOut {
		out += btcutil.Amount(o.Value)
	}
	if in < out {
		return 0, fmt.Errorf("its inputs add up to less than its outputs")
	}
	return in - out, nil
}
