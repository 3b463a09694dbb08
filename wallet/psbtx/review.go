package psbtx

import (
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
	"github.com/satchelbtc/satchel/wallet/coinselect"
)

// Ownership tells whether a script is the wallet's and, if so, whether it is
// one of its change scripts (internal chain). The wallet package implements
// it from its derived scripts; nil means "nothing is ours".
type Ownership func(script []byte) (ours, change bool)

// ReviewInput is what a person needs to know about one input.
type ReviewInput struct {
	// OutPoint is the coin the input spends.
	OutPoint wire.OutPoint

	// Value is the coin's amount in satoshis, or -1 when the PSBT does
	// not carry the coin (or carries inconsistent data about it).
	Value int64

	// Address is the coin's address, a description of its script
	// ("non-standard script") or "" when the coin is unknown.
	Address string

	// Ours is true when the Ownership says the coin's script is the
	// wallet's.
	Ours bool

	// Signed is true when the input carries a signature, final or
	// partial.
	Signed bool

	// Signatures is how many signatures the input carries (all it needs
	// once finalized), and Required how many it needs: the threshold of a
	// multisig input, 1 for other inputs whose coin is known, 0 when the
	// coin is unknown.
	Signatures int
	Required   int

	// Proof says what proves Value (see AmountProof).
	Proof AmountProof
}

// ReviewOutput is what a person needs to know about one output.
type ReviewOutput struct {
	// Value is the amount in satoshis.
	Value int64

	// Address is the output's address, or a description of its script
	// when it has none ("OP_RETURN data", "non-standard script").
	Address string

	// Script is the output script.
	Script []byte

	// Ours is true when the Ownership says the script is the wallet's.
	Ours bool

	// Change is true when the script is the wallet's change.
	Change bool
}

// Review is the summary of a PSBT shown before signing or broadcasting:
// what it spends, what it pays, the fee, and anything suspicious.
type Review struct {
	// Inputs and Outputs follow the transaction's order.
	Inputs  []ReviewInput
	Outputs []ReviewOutput

	// Fee is the inputs' total minus the outputs' total, in satoshis,
	// or -1 when an input's value is unknown. It is negative otherwise
	// only for a transaction that can never be valid (Warnings says so).
	Fee int64

	// FeeProven is true when every input's amount is proven (see
	// AmountProof), so that Fee cannot be a lie of the PSBT's.
	FeeProven bool

	// Sent is the total of the outputs that are not the wallet's change,
	// in satoshis: what the fee limits compare the fee with.
	Sent int64

	// FeeRate is Fee per virtual byte (sat/vB), or -1 when Fee is
	// unknown.
	FeeRate float64

	// VSize is the transaction's virtual size in vbytes: exact when
	// Complete, otherwise estimated from the inputs' script types with
	// signatures of the largest size.
	VSize int64

	// Complete is true when every input is finalized or signed enough to
	// be, so that the signed transaction can be extracted.
	Complete bool

	// Warnings are sentences for the person reviewing: missing UTXO
	// information, dust, absurd fees, change that is not the wallet's,
	// inconsistent scripts.
	Warnings []string
}

// Thresholds of the fee warnings.
const (
	// highFeeRate is the fee rate (sat/vB) above which a fee is almost
	// certainly a mistake.
	highFeeRate = 1000

	// minRelayFeeRate is the lowest fee rate (sat/vB) nodes relay by
	// default.
	minRelayFeeRate = 1
)

// ReviewPacket summarizes p for a person about to sign or broadcast it:
// each input's coin and value and what proves the value, each output's
// address and whether it is the wallet's (change), the fee and fee rate,
// whether the PSBT is complete, and warnings. own says which scripts are
// the wallet's (nil: none); WithAccounts adds the inputs and outputs whose
// key origins verifiably belong to the wallet's accounts, and checks the
// outputs that claim to; WithPrevTxs proves amounts from the wallet's
// records. net is used to write addresses. p is not modified.
//
// An error is returned only when p itself is unusable (ErrInvalidPacket);
// everything wrong with its content is a warning.
func ReviewPacket(p *psbt.Packet, net *chaincfg.Params, own Ownership,
	opts ...Option) (*Review, error) {

	if err := checkPacket(p); err != nil {
		return nil, err
	}
	if net == nil {
		return nil, newError(ErrInvalidPacket, nil, "cannot review the "+
			"PSBT: no network was given")
	}
	cfg := newConfig(opts)
	cfg.net = net
	if own == nil {
		own = func([]byte) (bool, bool) { return false, false }
	}

	r := &Review{FeeProven: true}
	prevs, prevErrs := spentOutputs(p)
	var ourFPs []uint32
	var sumIn int64
	feeKnown := true
	for i, txIn := range p.UnsignedTx.TxIn {
		in := &p.Inputs[i]
		ri := ReviewInput{
			OutPoint: txIn.PreviousOutPoint,
			Value:    -1,
			Signed:   hasSignatures(in),
		}
		prev := prevs[i]
		switch {
		case prevErrs[i] != nil:
			r.warn("%v: its value cannot be trusted", prevErrs[i])
			prev = nil
		case prev == nil:
			r.warn("input %d has no UTXO information: its value and "+
				"fee cannot be checked", i)
		default:
			if err := checkInputScripts(p, i, prev); err != nil {
				r.warn("%v", err)
			}
			proof, err := amountProof(p, i, prev, cfg)
			if err != nil {
				r.warn("%v", err)
				prev = nil
			}
			ri.Proof = proof
		}
		ri.Signatures, ri.Required = signatureCounts(in, prev)
		if prev != nil {
			ri.Value = prev.Value
			ri.Address = describeScript(prev.PkScript, net)
			ri.Ours, _ = own(prev.PkScript)
			if !ri.Ours && len(cfg.accounts) > 0 {
				mine, _ := matchOrigins(origins(in.Bip32Derivation,
					in.TaprootBip32Derivation), cfg.accounts)
				_, err := coinKey(i, prev, mine)
				ri.Ours = len(mine) > 0 && err == nil
			}
			sumIn += prev.Value
			if ri.Ours {
				ourFPs = appendFingerprints(ourFPs, in)
			}
			if !ri.Proof.Proven() {
				r.warn("input %d: its amount (%s) is not proven: only "+
					"the PSBT's witness UTXO states it, and a %s "+
					"signature does not commit to the other inputs' "+
					"amounts", i, amount.FormatBTC(btcutil.Amount(prev.Value)),
					coinKind(prev.PkScript))
			}
		} else {
			feeKnown = false
		}
		if !ri.Proof.Proven() {
			r.FeeProven = false
		}
		switch in.SighashType {
		case txscript.SigHashDefault, txscript.SigHashAll:
		default:
			r.warn("input %d asks for sighash type %s, which lets "+
				"others change the transaction after it is signed",
				i, sighashName(in.SighashType))
		}
		r.Inputs = append(r.Inputs, ri)
	}
	if a, b := duplicateInputs(p.UnsignedTx); a >= 0 {
		r.warn("inputs %d and %d spend the same coin: the transaction "+
			"is invalid", a, b)
	}
	if len(p.UnsignedTx.TxIn) == 0 {
		r.warn("the transaction has no inputs")
	}
	if len(p.UnsignedTx.TxOut) == 0 {
		r.warn("the transaction has no outputs")
	}

	var ms *msOutputs
	if len(cfg.accounts) > 0 {
		xpubs := packetXPubs(p)
		fp := cfg.accounts[0].Fingerprint
		ms = &msOutputs{fp: fp, net: net, xpubs: xpubs,
			policies: reviewPolicies(p, prevs, fp, xpubs)}
	}
	var sumOut int64
	for j, txOut := range p.UnsignedTx.TxOut {
		ro := ReviewOutput{
			Value:   txOut.Value,
			Address: describeScript(txOut.PkScript, net),
			Script:  slices.Clone(txOut.PkScript),
		}
		ro.Ours, ro.Change = own(txOut.PkScript)
		ro.Change = ro.Change && ro.Ours
		sumOut += txOut.Value
		switch {
		case txOut.Value < 0 || txOut.Value > btcutil.MaxSatoshi:
			r.warn("output %d has an impossible amount (%d sat)", j,
				txOut.Value)
		case txOut.Value < dustThreshold(txOut.PkScript):
			r.warn("output %d is dust: %d sat is less than it would "+
				"cost to spend it, and nodes will not relay the "+
				"transaction", j, txOut.Value)
		}
		if len(cfg.accounts) > 0 {
			key, err := checkOutput(p, j, cfg.accounts, ms)
			switch {
			case err != nil:
				ro.Ours, ro.Change = false, false
				r.warn("output %d claims to be change but is not "+
					"this wallet's (%v): it may pay someone else", j,
					err)
			case key != nil:
				ro.Ours = true
				ro.Change = key.branch == ChangeBranch
			}
		} else if !ro.Ours && claims(&p.Outputs[j], ourFPs) {
			r.warn("output %d claims to be change but does not "+
				"derive from this wallet's key: it may pay someone "+
				"else", j)
		}
		if !ro.Change {
			r.Sent += txOut.Value
		}
		r.Outputs = append(r.Outputs, ro)
	}

	weight, approx := r.completeness(p, prevs)
	r.VSize = (weight + 3) / 4
	r.Fee, r.FeeRate = -1, -1
	if feeKnown {
		r.Fee = sumIn - sumOut
		if r.VSize > 0 {
			r.FeeRate = float64(r.Fee) / float64(r.VSize)
		}
		switch {
		case r.Fee < 0:
			r.warn("the outputs add up to more than the inputs (%d "+
				"sat more): this transaction can never be valid",
				-r.Fee)
		case r.FeeRate > highFeeRate:
			r.warn("the fee rate is %.1f sat/vB, above 1,000 sat/vB: "+
				"the fee of %d sat is very likely a mistake",
				r.FeeRate, r.Fee)
		case r.FeeRate < minRelayFeeRate && r.VSize > 0:
			r.warn("the fee rate is %.2f sat/vB, below 1 sat/vB: "+
				"nodes will not relay this transaction", r.FeeRate)
		}
	}
	if len(approx) > 0 && !r.Complete {
		r.warn("the size and fee rate are estimates: the script type "+
			"of input %d is unknown", approx[0])
	}
	return r, nil
}

// signatureCounts returns how many signatures an input carries and how many
// it needs (see ReviewInput.Signatures).
func signatureCounts(in *psbt.PInput, prev *wire.TxOut) (int, int) {
	if prev == nil {
		if hasSignatures(in) {
			return 1, 0
		}
		return 0, 0
	}
	if c, ok := inputMultisig(in, prev); ok {
		if isFinalized(in) {
			return c.ms.m, c.ms.m
		}
		return signatureCount(in, c), c.ms.m
	}
	if m, ok := finalizedMultisig(in, prev); ok {
		return m, m
	}
	if hasSignatures(in) {
		return 1, 1
	}
	return 0, 1
}

// finalizedMultisig returns the threshold of a finalized multisig input,
// read from the witness script at the end of its final witness.
func finalizedMultisig(in *psbt.PInput, prev *wire.TxOut) (int, bool) {
	if len(in.FinalScriptWitness) == 0 || !(txscript.IsPayToWitnessScriptHash(prev.PkScript) ||
		txscript.IsPayToScriptHash(prev.PkScript)) {
		return 0, false
	}
	wit, err := parseWitness(in.FinalScriptWitness)
	if err != nil || len(wit) < 2 {
		return 0, false
	}
	ms, ok := parseMultisigScript(wit[len(wit)-1])
	if !ok {
		return 0, false
	}
	return ms.m, true
}

// CheckFee applies the fee limits to the reviewed fee, as Sign does: an
// error when the fee is negative or breaks the limits; nil when it is
// unknown.
func (r *Review) CheckFee(l FeeLimits) error {
	if r.Fee == -1 && r.FeeRate == -1 {
		return nil
	}
	return l.CheckFee(btcutil.Amount(r.Fee), r.VSize, btcutil.Amount(r.Sent))
}

// warn adds a warning.
func (r *Review) warn(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// claims reports whether an output carries one of the fingerprints fps in a
// BIP32 or taproot BIP32 derivation.
func claims(out *psbt.POutput, fps []uint32) bool {
	for _, o := range origins(out.Bip32Derivation,
		out.TaprootBip32Derivation) {
		if slices.Contains(fps, o.fp) {
			return true
		}
	}
	return false
}

// appendFingerprints adds the fingerprints of the input's derivations to fps.
func appendFingerprints(fps []uint32, in *psbt.PInput) []uint32 {
	for _, o := range origins(in.Bip32Derivation,
		in.TaprootBip32Derivation) {
		if !slices.Contains(fps, o.fp) {
			fps = append(fps, o.fp)
		}
	}
	return fps
}

// completeness sets r.Complete by finalizing a copy of p, warns about
// signatures that do not verify, and returns the transaction's weight:
// exact when complete, estimated otherwise, with the inputs whose script
// type had to be guessed.
func (r *Review) completeness(p *psbt.Packet,
	prevs []*wire.TxOut) (int64, []int) {

	c, err := clonePacket(p)
	if err != nil {
		return estimateWeight(p, prevs)
	}
	cPrevs, cErrs := spentOutputs(c)
	for i := range c.Inputs {
		if isFinalized(&c.Inputs[i]) || !hasSignatures(&c.Inputs[i]) {
			continue
		}
		err := finalizeInput(c, i, cPrevs, cErrs[i])
		if IsErrorCode(err, ErrBadSignature) {
			r.warn("%v", err)
		}
	}
	tx, err := Extract(c)
	switch {
	case err == nil:
		r.Complete = true
		return txWeight(tx), nil
	case IsErrorCode(err, ErrBadSignature):
		r.warn("%v", err)
	}
	return estimateWeight(p, prevs)
}

// txWeight returns the BIP141 weight of tx.
func txWeight(tx *wire.MsgTx) int64 {
	return int64(tx.SerializeSizeStripped()*3 + tx.SerializeSize())
}

// Sizes used to estimate the witness and scriptSig of unsigned inputs.
const (
	// ecdsaSigSize is the largest DER signature with a low S (71 bytes)
	// plus its sighash byte.
	ecdsaSigSize = 72

	// pubKeySize is a compressed public key.
	pubKeySize = 33

	// schnorrSigSize is a BIP340 signature with SIGHASH_DEFAULT.
	schnorrSigSize = 64

	// outPointSeqSize is an input's outpoint (36) and sequence (4).
	outPointSeqSize = 40
)

// estimateWeight estimates the weight of p's transaction once every input
// is signed, from the spent coins' script types (signatures of the largest
// size). It returns the inputs whose type had to be guessed.
func estimateWeight(p *psbt.Packet, prevs []*wire.TxOut) (int64, []int) {
	tx := p.UnsignedTx
	base := int64(4+4) + varIntSize(len(tx.TxIn)) + varIntSize(len(tx.TxOut))
	for _, out := range tx.TxOut {
		base += 8 + varIntSize(len(out.PkScript)) + int64(len(out.PkScript))
	}
	var wit int64
	segwit := false
	var approx []int
	for i := range tx.TxIn {
		sigLen, witLen, ok := inputSizes(&p.Inputs[i], prevs[i])
		if !ok {
			approx = append(approx, i)
		}
		base += outPointSeqSize + varIntSize(int(sigLen)) + sigLen
		if witLen > 0 {
			segwit = true
			wit += witLen
		} else {
			wit++ // an empty witness is one byte: its item count
		}
	}
	weight := base * 4
	if segwit {
		weight += 2 + wit // marker, flag and the witnesses
	}
	return weight, approx
}

// inputSizes returns the size of an input's scriptSig and of its serialized
// witness (0 for none) once signed, and whether its script type is known.
func inputSizes(in *psbt.PInput, prev *wire.TxOut) (int64, int64, bool) {
	if isFinalized(in) {
		return int64(len(in.FinalScriptSig)),
			int64(len(in.FinalScriptWitness)), true
	}
	const (
		p2pkhSig  = 1 + ecdsaSigSize + 1 + pubKeySize
		wpkhWit   = 1 + 1 + ecdsaSigSize + 1 + pubKeySize
		nestedSig = 1 + 22
	)
	trWit := int64(1 + 1 + schnorrSigSize)
	if in.SighashType != txscript.SigHashDefault {
		trWit++
	}
	if prev == nil {
		// Guess from what the PSBT says about the input.
		switch {
		case len(in.TaprootBip32Derivation) > 0 ||
			len(in.TaprootInternalKey) > 0:
			return 0, trWit, false
		case len(in.RedeemScript) > 0 &&
			txscript.IsPayToWitnessPubKeyHash(in.RedeemScript):
			return nestedSig, wpkhWit, false
		}
		return 0, wpkhWit, false
	}
	script := prev.PkScript
	switch txscript.GetScriptClass(script) {
	case txscript.PubKeyHashTy:
		return p2pkhSig, 0, true
	case txscript.PubKeyTy:
		return 1 + ecdsaSigSize, 0, true
	case txscript.WitnessV0PubKeyHashTy:
		return 0, wpkhWit, true
	case txscript.WitnessV1TaprootTy:
		return 0, trWit, true
	case txscript.WitnessV0ScriptHashTy:
		if w, ok := multisigWitnessSize(in.WitnessScript); ok {
			return 0, w, true
		}
	case txscript.ScriptHashTy:
		redeem := in.RedeemScript
		switch {
		case txscript.IsPayToWitnessPubKeyHash(redeem):
			return nestedSig, wpkhWit, true
		case txscript.IsPayToWitnessScriptHash(redeem):
			if w, ok := multisigWitnessSize(in.WitnessScript); ok {
				return 1 + 34, w, true
			}
		default:
			if m, ok := multisigM(redeem); ok {
				return 1 + m*(1+ecdsaSigSize) +
					pushSize(len(redeem)), 0, true
			}
		}
		return nestedSig, wpkhWit, false
	}
	return p2pkhSig, 0, false
}

// multisigM returns the number of signatures a multisig script needs.
func multisigM(script []byte) (int64, bool) {
	if ok, err := txscript.IsMultisigScript(script); err != nil || !ok {
		return 0, false
	}
	_, m, err := txscript.CalcMultiSigStats(script)
	if err != nil {
		return 0, false
	}
	return int64(m), true
}

// multisigWitnessSize returns the size of the witness spending a multisig
// witness script: the item count, the empty dummy, the signatures and the
// script.
func multisigWitnessSize(ws []byte) (int64, bool) {
	m, ok := multisigM(ws)
	if !ok {
		return 0, false
	}
	return 1 + 1 + m*(1+ecdsaSigSize) + varIntSize(len(ws)) +
		int64(len(ws)), true
}

// pushSize returns the size of the script push of n bytes of data.
func pushSize(n int) int64 {
	switch {
	case n < txscript.OP_PUSHDATA1:
		return 1 + int64(n)
	case n <= 0xff:
		return 2 + int64(n)
	case n <= 0xffff:
		return 3 + int64(n)
	}
	return 5 + int64(n)
}

// varIntSize returns the size of n as a compact size integer.
func varIntSize(n int) int64 {
	return int64(wire.VarIntSerializeSize(uint64(n)))
}

// dustThreshold returns the smallest amount an output with script may carry
// without being dust: coinselect's rule, Bitcoin Core's default relay policy
// (546 sat for p2pkh, 294 for p2wpkh, 330 for p2tr; none for OP_RETURN).
func dustThreshold(script []byte) int64 {
	return int64(coinselect.DefaultDustLimit(script, 0))
}

// describeScript returns a script's address on net, or what kind of script
// it is when it has no address.
func describeScript(script []byte, net *chaincfg.Params) string {
	class, addrs, _, err := txscript.ExtractPkScriptAddrs(script, net)
	switch class {
	case txscript.NullDataTy:
		return "OP_RETURN data"
	case txscript.PubKeyTy:
		return "pay-to-pubkey"
	case txscript.MultiSigTy:
		return "bare multisig"
	}
	if err == nil && len(addrs) == 1 {
		return addrs[0].EncodeAddress()
	}
	return "non-standard script"
}
