package psbtx

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// spentOutput returns the output that input i spends, as the PSBT tells it,
// or nil when the PSBT carries neither a witness nor a non-witness UTXO for
// it. A non-witness UTXO is checked against the input's txid, and when both
// are given they must agree; otherwise an ErrUTXOMismatch error is returned.
func spentOutput(p *psbt.Packet, i int) (*wire.TxOut, error) {
	in := &p.Inputs[i]
	op := p.UnsignedTx.TxIn[i].PreviousOutPoint
	var full *wire.TxOut
	if prev := in.NonWitnessUtxo; prev != nil {
		if txid := prev.TxHash(); txid != op.Hash {
			return nil, newError(ErrUTXOMismatch, nil, "input %d: "+
				"its non-witness UTXO does not match the input's "+
				"txid (it is transaction %s, the input spends "+
				"one of %s)", i, txid, op.Hash)
		}
		if int64(op.Index) >= int64(len(prev.TxOut)) ||
			prev.TxOut[op.Index] == nil {

			return nil, newError(ErrUTXOMismatch, nil, "input %d "+
				"spends output %d of its previous transaction, "+
				"which has only %d outputs", i, op.Index,
				len(prev.TxOut))
		}
		full = prev.TxOut[op.Index]
	}
	switch {
	case in.WitnessUtxo != nil && full != nil:
		if !psbt.TxOutsEqual(in.WitnessUtxo, full) {
			return nil, newError(ErrUTXOMismatch, nil, "input %d: "+
				"its witness UTXO and non-witness UTXO disagree "+
				"about the coin it spends", i)
		}
		return full, nil
	case in.WitnessUtxo != nil:
		return in.WitnessUtxo, nil
	}
	return full, nil
}

// spentOutputs returns the output each input spends (nil where unknown) and
// the error spentOutput gave for each input (nil where none).
func spentOutputs(p *psbt.Packet) ([]*wire.TxOut, []error) {
	prevs := make([]*wire.TxOut, len(p.Inputs))
	errs := make([]error, len(p.Inputs))
	for i := range p.Inputs {
		prevs[i], errs[i] = spentOutput(p, i)
	}
	return prevs, errs
}

// checkInputScripts applies BIP174's signer checks to input i, which spends
// prev: a witness UTXO only for a segwit coin, a redeem script that hashes
// to a p2sh coin's script, a witness script that hashes to the witness
// program. Failures are ErrUTXOMismatch errors.
func checkInputScripts(p *psbt.Packet, i int, prev *wire.TxOut) error {
	in := &p.Inputs[i]
	script := prev.PkScript
	program := script
	if len(in.RedeemScript) > 0 {
		if !txscript.IsPayToScriptHash(script) {
			return newError(ErrUTXOMismatch, nil, "input %d has a "+
				"redeem script but spends a coin that is not "+
				"p2sh", i)
		}
		if !bytes.Equal(p2shScript(in.RedeemScript), script) {
			return newError(ErrUTXOMismatch, nil, "input %d: its "+
				"redeem script does not match the script of the "+
				"coin it spends", i)
		}
		program = in.RedeemScript
	}
	if in.WitnessUtxo != nil && !txscript.IsWitnessProgram(program) &&
		!(txscript.IsPayToScriptHash(program) &&
			len(in.RedeemScript) == 0) {

		return newError(ErrUTXOMismatch, nil, "input %d: a witness "+
			"UTXO is given for a coin that is not segwit", i)
	}
	if len(in.WitnessScript) > 0 &&
		!bytes.Equal(p2wshScript(in.WitnessScript), program) {

		return newError(ErrUTXOMismatch, nil, "input %d: its witness "+
			"script does not match the coin's witness program", i)
	}
	return nil
}

// isFinalized reports whether an input has its final scriptSig or witness.
func isFinalized(in *psbt.PInput) bool {
	return in.FinalScriptSig != nil || in.FinalScriptWitness != nil
}

// hasSignatures reports whether an input carries any signature, final or
// partial.
func hasSignatures(in *psbt.PInput) bool {
	return isFinalized(in) || len(in.PartialSigs) > 0 ||
		len(in.TaprootKeySpendSig) > 0 || len(in.TaprootScriptSpendSig) > 0
}

// isSegwitCoin reports whether a coin with script, spent with the given
// redeem script (if p2sh), is spent with a witness.
func isSegwitCoin(script, redeem []byte) bool {
	if txscript.IsPayToScriptHash(script) && len(redeem) > 0 {
		return txscript.IsWitnessProgram(redeem)
	}
	return txscript.IsWitnessProgram(script)
}

// prevOutFetcher returns a fetcher of the outputs the transaction's inputs
// spend. Unknown outputs are given as empty placeholders, which is enough
// for legacy and segwit v0 sighashes (they do not commit to the other
// inputs' coins); callers that compute taproot sighashes must check that
// every output is known.
func prevOutFetcher(tx *wire.MsgTx,
	prevs []*wire.TxOut) *txscript.MultiPrevOutFetcher {

	m := make(map[wire.OutPoint]*wire.TxOut, len(tx.TxIn))
	for i, in := range tx.TxIn {
		if prevs[i] != nil {
			m[in.PreviousOutPoint] = prevs[i]
		} else if _, ok := m[in.PreviousOutPoint]; !ok {
			m[in.PreviousOutPoint] = &wire.TxOut{}
		}
	}
	return txscript.NewMultiPrevOutFetcher(m)
}

// allKnown reports whether every input's spent output is known.
func allKnown(prevs []*wire.TxOut) bool {
	for _, p := range prevs {
		if p == nil {
			return false
		}
	}
	return true
}

// duplicateInputs returns the indexes of two inputs that spend the same
// coin, or -1, -1.
func duplicateInputs(tx *wire.MsgTx) (int, int) {
	seen := make(map[wire.OutPoint]int, len(tx.TxIn))
	for i, in := range tx.TxIn {
		if j, ok := seen[in.PreviousOutPoint]; ok {
			return j, i
		}
		seen[in.PreviousOutPoint] = i
	}
	return -1, -1
}

// parseWitness decodes a serialized witness stack (PSBT_IN_FINAL_
// SCRIPTWITNESS): a count and that many length-prefixed items.
func parseWitness(b []byte) (wire.TxWitness, error) {
	s := scanner{b: b}
	n, err := s.compactSize()
	if err != nil {
		return nil, errors.New("the final witness is cut short")
	}
	// Each item takes at least one byte.
	if n > uint64(len(b)) {
		return nil, errors.New("the final witness is cut short")
	}
	wit := make(wire.TxWitness, 0, n)
	for range n {
		size, err := s.compactSize()
		if err != nil {
			return nil, errors.New("the final witness is cut short")
		}
		item, err := s.bytes(size)
		if err != nil {
			return nil, errors.New("the final witness is cut short")
		}
		wit = append(wit, item)
	}
	if s.off != len(b) {
		return nil, errors.New("the final witness has extra bytes")
	}
	return wit, nil
}

// verifyInput runs the script engine with the standard verification flags on
// input i of tx, which must carry its final scriptSig and witness, against
// the coin it spends. It returns nil without checking when the input cannot
// be checked: its coin is unknown, or it is a taproot input and another
// input's coin is unknown.
func verifyInput(tx *wire.MsgTx, i int, prevs []*wire.TxOut) (err error) {
	prev := prevs[i]
	if prev == nil {
		return nil
	}
	if txscript.IsPayToTaproot(prev.PkScript) && !allKnown(prevs) {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the script engine failed: %v", r)
		}
	}()
	fetcher := prevOutFetcher(tx, prevs)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	vm, err := txscript.NewEngine(prev.PkScript, tx, i,
		txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
	if err != nil {
		return err
	}
	return vm.Execute()
}
