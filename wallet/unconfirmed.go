package wallet

import (
	"fmt"

	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// consensusFlags are the script rules every block must follow today (P2SH,
// strict DER, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY, segwit with its
// NULLDUMMY rule, taproot). A spend that fails them can never be mined;
// one that fails only txscript.StandardVerifyFlags is merely not relayed.
const consensusFlags = txscript.ScriptBip16 | txscript.ScriptVerifyDERSignatures |
	txscript.ScriptVerifyCheckLockTimeVerify | txscript.ScriptVerifyCheckSequenceVerify |
	txscript.ScriptVerifyWitness | txscript.ScriptStrictMultiSig | txscript.ScriptVerifyTaproot

// verifySpends runs the script engine on every input of t that spends a coin
// of the wallet, against the coin's script and amount as the wallet knows
// them (from the transaction that created it, whose txid commits to both).
// Inputs that are not the wallet's are not checked: a light client cannot
// know their coins. It returns nil when t spends none of the wallet's coins.
func verifySpends(st *state, t *wire.MsgTx) error {
	prev := make(knownPrevOuts, len(t.TxIn))
	var ours []int
	unknown := 0
	for i, in := range t.TxIn {
		op := in.PreviousOutPoint
		if o, ok := st.outputs[op]; ok {
			prev[op] = wire.NewTxOut(int64(o.Value), o.Script)
			ours = append(ours, i)
		} else if r, ok := st.txs[op.Hash]; ok && int(op.Index) < len(r.Tx.TxOut) {
			prev[op] = r.Tx.TxOut[op.Index]
		} else {
			unknown++
		}
	}
	if len(ours) == 0 {
		return nil
	}
	hashes := txscript.NewTxSigHashes(t, prev)
	for _, i := range ours {
		op := t.TxIn[i].PreviousOutPoint
		coin := prev[op]
		if unknown > 0 && txscript.IsPayToTaproot(coin.PkScript) {
			// A taproot signature commits to every input's amount and
			// script; with some unknown it cannot be checked.
			return fmt.Errorf("%w: input %d spends %v with %d input(s) of unknown coins", ErrUnverifiableSpend, i, op, unknown)
		}
		err := runScript(t, i, coin, txscript.StandardVerifyFlags, hashes, prev)
		if err == nil {
			continue
		}
		if runScript(t, i, coin, consensusFlags, hashes, prev) == nil {
			return fmt.Errorf("%w: input %d spends %v: %v", ErrNonStandardSpend, i, op, err)
		}
		return fmt.Errorf("%w: input %d spends %v: %v", ErrForgedSpend, i, op, err)
	}
	return nil
}

// runScript executes input i of t against the coin it spends.
func runScript(t *wire.MsgTx, i int, coin *wire.TxOut, flags txscript.ScriptFlags,
	hashes *txscript.TxSigHashes, prev txscript.PrevOutputFetcher) error {

	vm, err := txscript.NewEngine(coin.PkScript, t, i, flags, nil, hashes, coin.Value, prev)
	if err != nil {
		return err
	}
	return vm.Execute()
}

// knownPrevOuts serves the coins the wallet knows to the script engine; an
// unknown one reads as an empty output (which only a taproot sighash would
// use, and verifySpends refuses that case first).
type knownPrevOuts map[wire.OutPoint]*wire.TxOut

var _ txscript.PrevOutputFetcher = knownPrevOuts(nil)

// FetchPrevOutput returns the output op names, or an empty one.
func (k knownPrevOuts) FetchPrevOutput(op wire.OutPoint) *wire.TxOut {
	if o, ok := k[op]; ok {
		return o
	}
	return &wire.TxOut{}
}

// conflictsConfirmed returns ErrConflictsConfirmed when t spends a coin that
// a confirmed transaction of the wallet already spends: nothing unconfirmed
// may take the place of a confirmed transaction.
func conflictsConfirmed(st *state, t *wire.MsgTx) error {
	spends := make(map[wire.OutPoint]bool, len(t.TxIn))
	for _, in := range t.TxIn {
		spends[in.PreviousOutPoint] = true
	}
	id := t.TxHash()
	for other, r := range st.txs {
		if other == id || r.Height <= 0 {
			continue
		}
		for _, in := range r.Tx.TxIn {
			if spends[in.PreviousOutPoint] {
				return fmt.Errorf("%w: %v is spent by %s in block %d", ErrConflictsConfirmed, in.PreviousOutPoint, other, r.Height)
			}
		}
	}
	return nil
}
