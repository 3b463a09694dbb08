package psbtx

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Finalize builds the final scriptSig and witness of every input that is
// signed enough (BIP174 input finalizer), using the psbt library's
// finalizer, which handles p2pkh, p2sh-p2wpkh, p2wpkh, taproot key and
// script paths and multisig in p2sh and p2wsh. Each finalized input is then
// run through the script engine against the coin it spends (when the PSBT
// carries it); an input whose signature does not verify is left as it was
// and reported with ErrBadSignature.
//
// Inputs that can be finalized are finalized even when others cannot. The
// error names every input that could not be: ErrNotFinalizable for one not
// signed or lacking signatures or scripts, ErrMissingUTXO or ErrUTXOMismatch
// when the coin it spends is unknown or inconsistent. Inputs already
// finalized are left alone.
func Finalize(p *psbt.Packet) error {
	if err := checkPacket(p); err != nil {
		return err
	}
	prevs, prevErrs := spentOutputs(p)
	var errs []error
	for i := range p.Inputs {
		if isFinalized(&p.Inputs[i]) {
			continue
		}
		if err := finalizeInput(p, i, prevs, prevErrs[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return joinErrors(errs)
}

// joinErrors returns nil, the only error, or one *Error with the first
// error's code whose description lists every error's description.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	var first *Error
	descs := make([]string, len(errs))
	for k, err := range errs {
		descs[k] = err.Error()
		if first == nil {
			errors.As(err, &first)
		}
	}
	code := ErrNotFinalizable
	if first != nil {
		code = first.Code
	}
	return &Error{
		Code:        code,
		Description: strings.Join(descs, "; "),
		Err:         errors.Join(errs...),
	}
}

// finalizeInput finalizes input i, which spends prevs[i] (prevErr is the
// error spentOutput gave for it), and verifies the result.
func finalizeInput(p *psbt.Packet, i int, prevs []*wire.TxOut,
	prevErr error) error {

	in := &p.Inputs[i]
	if prevErr != nil {
		return prevErr
	}
	prev := prevs[i]
	if prev == nil {
		return newError(ErrMissingUTXO, nil, "input %d cannot be "+
			"finalized: the PSBT does not carry the coin it spends", i)
	}
	if !hasSignatures(in) {
		return newError(ErrNotFinalizable, nil, "input %d cannot be "+
			"finalized: it is not signed yet", i)
	}
	if err := checkInputScripts(p, i, prev); err != nil {
		return err
	}

	saved := *in
	if c, ok := inputMultisig(in, prev); ok {
		have := signatureCount(in, c)
		if have < c.ms.m {
			return newError(ErrNotFinalizable, nil, "input %d cannot be "+
				"finalized: it has %d of %d signatures; %d more "+
				"cosigner%s must sign it (then combine the PSBTs)", i,
				have, c.ms.m, c.ms.m-have, pluralS(c.ms.m-have))
		}
		// The witness takes exactly the threshold's signatures, in the
		// order of their keys in the script; extra ones would make it
		// invalid.
		in.PartialSigs = multisigSignatures(in, c)
	}
	// The library finalizes an input as segwit exactly when it has a
	// witness UTXO, so give a segwit input one.
	if in.WitnessUtxo == nil && isSegwitCoin(prev.PkScript, in.RedeemScript) {
		in.WitnessUtxo = copyTxOut(prev)
	}
	if err := maybeFinalize(p, i); err != nil {
		p.Inputs[i] = saved
		return newError(ErrNotFinalizable, err, "input %d cannot be "+
			"finalized: %s", i, describeFinalizeError(err))
	}

	tx := p.UnsignedTx.Copy()
	if err := setFinal(tx, i, &p.Inputs[i]); err != nil {
		p.Inputs[i] = saved
		return newError(ErrNotFinalizable, err, "input %d cannot be "+
			"finalized: %v", i, err)
	}
	if err := verifyInput(tx, i, prevs); err != nil {
		p.Inputs[i] = saved
		return newError(ErrBadSignature, err, "input %d: its signature "+
			"does not verify against the coin it spends (%v)", i, err)
	}
	return nil
}

// multisigSignatures returns the first threshold partial signatures of a
// multisig input in the order of their keys in the witness script.
func multisigSignatures(in *psbt.PInput, c *msCoin) []*psbt.PartialSig {
	var out []*psbt.PartialSig
	for _, k := range c.ms.keys {
		for _, ps := range in.PartialSigs {
			if ps != nil && bytes.Equal(ps.PubKey, k) {
				out = append(out, ps)
				break
			}
		}
		if len(out) == c.ms.m {
			break
		}
	}
	return out
}

// pluralS returns "s" unless n is 1.
func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// maybeFinalize runs the library's finalizer on input i, turning a panic
// into an error.
func maybeFinalize(p *psbt.Packet, i int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the finalizer failed: %v", r)
		}
	}()
	ok, err := psbt.MaybeFinalize(p, i)
	if err != nil {
		return err
	}
	if !ok {
		return psbt.ErrNotFinalizable
	}
	return nil
}

// describeFinalizeError turns a finalizer error into words.
func describeFinalizeError(err error) string {
	switch {
	case errors.Is(err, psbt.ErrNotFinalizable):
		return "it lacks signatures or scripts needed to complete it " +
			"(for example, a multisig input without enough " +
			"signatures, or a p2sh input without its redeem script)"
	case errors.Is(err, psbt.ErrInvalidSigHashFlags):
		return "a signature uses another sighash type than the input " +
			"asks for"
	case errors.Is(err, psbt.ErrUnsupportedScriptType):
		return "its script type is not supported, or it does not " +
			"have exactly the signatures its multisig script needs"
	}
	return err.Error()
}

// setFinal puts input i's final scriptSig and witness into tx.
func setFinal(tx *wire.MsgTx, i int, in *psbt.PInput) error {
	tx.TxIn[i].SignatureScript = bytes.Clone(in.FinalScriptSig)
	tx.TxIn[i].Witness = nil
	if in.FinalScriptWitness != nil {
		wit, err := parseWitness(in.FinalScriptWitness)
		if err != nil {
			return err
		}
		tx.TxIn[i].Witness = wit
	}
	return nil
}

// Extract returns the signed transaction of a PSBT whose every input is
// finalized (BIP174 transaction extractor), ready to broadcast. Each input
// whose coin the PSBT carries is checked with the script engine first, so a
// transaction with a bad signature is never returned (ErrBadSignature). A
// PSBT with an input not finalized gives ErrIncomplete. p is not modified.
func Extract(p *psbt.Packet) (*wire.MsgTx, error) {
	if err := checkPacket(p); err != nil {
		return nil, err
	}
	for i := range p.Inputs {
		if !isFinalized(&p.Inputs[i]) {
			return nil, newError(ErrIncomplete, nil, "input %d is not "+
				"finalized yet: sign it and finalize the PSBT "+
				"first", i)
		}
	}
	tx := p.UnsignedTx.Copy()
	for i := range p.Inputs {
		if err := setFinal(tx, i, &p.Inputs[i]); err != nil {
			return nil, damaged(err, "input %d: %v", i, err)
		}
	}
	prevs, prevErrs := spentOutputs(p)
	for i := range p.Inputs {
		if prevErrs[i] != nil {
			return nil, prevErrs[i]
		}
		if err := verifyInput(tx, i, prevs); err != nil {
			return nil, newError(ErrBadSignature, err, "input %d: its "+
				"signature does not verify against the coin it "+
				"spends (%v)", i, err)
		}
	}
	return tx, nil
}

// Combine merges PSBTs for the same transaction into a new PSBT holding
// every key-value pair of each (BIP174 combiner): signatures from several
// signers, UTXOs and derivations added by different updaters. The packets
// must share the same unsigned transaction (ErrDifferentTx), and must not
// disagree about a field that has a single value, such as the coin an input
// spends or its sighash type (ErrConflict). An input finalized in any packet
// is finalized in the result. Unknown fields are kept, sorted by key. The
// given packets are not modified.
func Combine(packets ...*psbt.Packet) (*psbt.Packet, error) {
	if len(packets) == 0 {
		return nil, newError(ErrInvalidPacket, nil, "no PSBTs to combine")
	}
	for k, p := range packets {
		if err := checkPacket(p); err != nil {
			return nil, newError(ErrInvalidPacket, err, "cannot combine "+
				"PSBT %d: %v", k+1, err)
		}
	}
	want, err := unsignedTxBytes(packets[0])
	if err != nil {
		return nil, err
	}
	for k, p := range packets[1:] {
		got, err := unsignedTxBytes(p)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(got, want) {
			return nil, newError(ErrDifferentTx, nil, "PSBT %d is for "+
				"another transaction (%s) than PSBT 1 (%s); only "+
				"PSBTs for the same transaction can be combined",
				k+2, p.UnsignedTx.TxHash(),
				packets[0].UnsignedTx.TxHash())
		}
	}

	out, err := clonePacket(packets[0])
	if err != nil {
		return nil, err
	}
	for _, p := range packets[1:] {
		if err := mergePacket(out, p); err != nil {
			return nil, err
		}
	}
	sortUnknowns(out)
	return out, nil
}

// unsignedTxBytes returns the serialization of p's unsigned transaction.
func unsignedTxBytes(p *psbt.Packet) ([]byte, error) {
	var b bytes.Buffer
	if err := p.UnsignedTx.SerializeNoWitness(&b); err != nil {
		return nil, newError(ErrInvalidPacket, err, "cannot encode the "+
			"unsigned transaction: %v", err)
	}
	return b.Bytes(), nil
}

// clonePacket returns a deep copy of p, made by encoding and decoding it.
func clonePacket(p *psbt.Packet) (*psbt.Packet, error) {
	b, err := EncodeBinary(p)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b)
	if err != nil {
		return nil, newError(ErrInvalidPacket, err, "cannot copy the "+
			"PSBT: %v", err)
	}
	return c, nil
}

// mergePacket adds the fields of src to dst, which has the same unsigned
// transaction.
func mergePacket(dst, src *psbt.Packet) error {
	for _, x := range src.XPubs {
		found := false
		for _, y := range dst.XPubs {
			if bytes.Equal(x.ExtendedKey, y.ExtendedKey) {
				found = true
				break
			}
		}
		if !found {
			dst.XPubs = append(dst.XPubs, x)
		}
	}
	dst.Unknowns = mergeUnknowns(dst.Unknowns, src.Unknowns)
	for i := range src.Inputs {
		if err := mergeInput(&dst.Inputs[i], &src.Inputs[i], i); err != nil {
			return err
		}
	}
	for j := range src.Outputs {
		if err := mergeOutput(&dst.Outputs[j], &src.Outputs[j], j); err != nil {
			return err
		}
	}
	return nil
}

// mergeBytes merges a single-valued field: dst takes src's value when it has
// none; two different values are a conflict, described by what.
func mergeBytes(dst *[]byte, src []byte, what func() error) error {
	switch {
	case src == nil:
	case *dst == nil:
		*dst = bytes.Clone(src)
	case !bytes.Equal(*dst, src):
		return what()
	}
	return nil
}

// mergeInput adds the fields of input src to dst.
func mergeInput(dst, src *psbt.PInput, i int) error {
	conflict := func(field string) func() error {
		return func() error {
			return newError(ErrConflict, nil, "input %d: the PSBTs "+
				"disagree about its %s", i, field)
		}
	}
	if src.NonWitnessUtxo != nil {
		switch {
		case dst.NonWitnessUtxo == nil:
			dst.NonWitnessUtxo = src.NonWitnessUtxo.Copy()
		case dst.NonWitnessUtxo.TxHash() != src.NonWitnessUtxo.TxHash():
			return conflict("previous transaction")()
		}
	}
	if src.WitnessUtxo != nil {
		switch {
		case dst.WitnessUtxo == nil:
			dst.WitnessUtxo = copyTxOut(src.WitnessUtxo)
		case !psbt.TxOutsEqual(dst.WitnessUtxo, src.WitnessUtxo):
			return conflict("witness UTXO")()
		}
	}
	if src.SighashType != 0 {
		switch {
		case dst.SighashType == 0:
			dst.SighashType = src.SighashType
		case dst.SighashType != src.SighashType:
			return conflict("sighash type")()
		}
	}
	if isFinalized(src) && !isFinalized(dst) {
		dst.FinalScriptSig = bytes.Clone(src.FinalScriptSig)
		dst.FinalScriptWitness = bytes.Clone(src.FinalScriptWitness)
	}
	for _, err := range []error{
		mergeBytes(&dst.RedeemScript, src.RedeemScript,
			conflict("redeem script")),
		mergeBytes(&dst.WitnessScript, src.WitnessScript,
			conflict("witness script")),
		mergeBytes(&dst.TaprootInternalKey, src.TaprootInternalKey,
			conflict("taproot internal key")),
		mergeBytes(&dst.TaprootMerkleRoot, src.TaprootMerkleRoot,
			conflict("taproot merkle root")),
	} {
		if err != nil {
			return err
		}
	}
	if dst.TaprootKeySpendSig == nil && src.TaprootKeySpendSig != nil {
		dst.TaprootKeySpendSig = bytes.Clone(src.TaprootKeySpendSig)
	}
	for _, s := range src.PartialSigs {
		if s == nil || containsFunc(dst.PartialSigs, func(d *psbt.PartialSig) bool {
			return bytes.Equal(d.PubKey, s.PubKey)
		}) {
			continue
		}
		c := *s
		dst.PartialSigs = append(dst.PartialSigs, &c)
	}
	dst.Bip32Derivation = mergeBip32(dst.Bip32Derivation,
		src.Bip32Derivation)
	dst.TaprootBip32Derivation = mergeTaprootBip32(
		dst.TaprootBip32Derivation, src.TaprootBip32Derivation)
	for _, s := range src.TaprootScriptSpendSig {
		if s == nil || containsFunc(dst.TaprootScriptSpendSig,
			func(d *psbt.TaprootScriptSpendSig) bool {
				return d.EqualKey(s)
			}) {
			continue
		}
		c := *s
		dst.TaprootScriptSpendSig = append(dst.TaprootScriptSpendSig, &c)
	}
	for _, s := range src.TaprootLeafScript {
		if s == nil || containsFunc(dst.TaprootLeafScript,
			func(d *psbt.TaprootTapLeafScript) bool {
				return bytes.Equal(d.ControlBlock, s.ControlBlock)
			}) {
			continue
		}
		c := *s
		dst.TaprootLeafScript = append(dst.TaprootLeafScript, &c)
	}
	dst.Unknowns = mergeUnknowns(dst.Unknowns, src.Unknowns)
	return nil
}

// mergeOutput adds the fields of output src to dst.
func mergeOutput(dst, src *psbt.POutput, j int) error {
	conflict := func(field string) func() error {
		return func() error {
			return newError(ErrConflict, nil, "output %d: the PSBTs "+
				"disagree about its %s", j, field)
		}
	}
	for _, err := range []error{
		mergeBytes(&dst.RedeemScript, src.RedeemScript,
			conflict("redeem script")),
		mergeBytes(&dst.WitnessScript, src.WitnessScript,
			conflict("witness script")),
		mergeBytes(&dst.TaprootInternalKey, src.TaprootInternalKey,
			conflict("taproot internal key")),
		mergeBytes(&dst.TaprootTapTree, src.TaprootTapTree,
			conflict("taproot tree")),
	} {
		if err != nil {
			return err
		}
	}
	dst.Bip32Derivation = mergeBip32(dst.Bip32Derivation,
		src.Bip32Derivation)
	dst.TaprootBip32Derivation = mergeTaprootBip32(
		dst.TaprootBip32Derivation, src.TaprootBip32Derivation)
	dst.Unknowns = mergeUnknowns(dst.Unknowns, src.Unknowns)
	return nil
}

// mergeBip32 adds the derivations of src whose keys dst lacks.
func mergeBip32(dst, src []*psbt.Bip32Derivation) []*psbt.Bip32Derivation {
	for _, s := range src {
		if s == nil || containsFunc(dst, func(d *psbt.Bip32Derivation) bool {
			return bytes.Equal(d.PubKey, s.PubKey)
		}) {
			continue
		}
		c := *s
		dst = append(dst, &c)
	}
	return dst
}

// mergeTaprootBip32 adds the taproot derivations of src whose keys dst
// lacks.
func mergeTaprootBip32(dst,
	src []*psbt.TaprootBip32Derivation) []*psbt.TaprootBip32Derivation {

	for _, s := range src {
		if s == nil || containsFunc(dst,
			func(d *psbt.TaprootBip32Derivation) bool {
				return bytes.Equal(d.XOnlyPubKey, s.XOnlyPubKey)
			}) {
			continue
		}
		c := *s
		dst = append(dst, &c)
	}
	return dst
}

// mergeUnknowns adds the unknown fields of src whose keys dst lacks.
func mergeUnknowns(dst, src []*psbt.Unknown) []*psbt.Unknown {
	for _, s := range src {
		if s == nil || containsFunc(dst, func(d *psbt.Unknown) bool {
			return bytes.Equal(d.Key, s.Key)
		}) {
			continue
		}
		dst = append(dst, &psbt.Unknown{
			Key:   bytes.Clone(s.Key),
			Value: bytes.Clone(s.Value),
		})
	}
	return dst
}

// containsFunc reports whether some non-nil element of s satisfies f.
func containsFunc[T any](s []*T, f func(*T) bool) bool {
	for _, e := range s {
		if e != nil && f(e) {
			return true
		}
	}
	return false
}

// sortUnknowns sorts the unknown fields of every map by key, the order
// BIP174's combiner vector expects.
func sortUnknowns(p *psbt.Packet) {
	sortByKey(p.Unknowns)
	for i := range p.Inputs {
		sortByKey(p.Inputs[i].Unknowns)
	}
	for j := range p.Outputs {
		sortByKey(p.Outputs[j].Unknowns)
	}
}

// sortByKey sorts unknown fields by key.
func sortByKey(u []*psbt.Unknown) {
	slices.SortStableFunc(u, func(a, b *psbt.Unknown) int {
		return bytes.Compare(a.Key, b.Key)
	})
}
