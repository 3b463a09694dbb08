package psbtx

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/satchelbtc/satchel/keystore"
)

// KeySource is what Sign and the change checks need from a wallet's keys:
// its master fingerprint and the public key at a BIP32 path. A
// *keystore.Signer is one.
type KeySource interface {
	// Fingerprint returns the master key fingerprint as a big-endian
	// uint32, as PSBT derivations store it.
	Fingerprint() uint32

	// PublicKey returns the public key at path.
	PublicKey(path []uint32) (*btcec.PublicKey, error)
}

// A *keystore.Signer is a KeySource.
var _ KeySource = (*keystore.Signer)(nil)

// sigKind is the kind of signature a signing job makes.
type sigKind int

// The kinds of signatures.
const (
	// sigECDSA is a DER ECDSA signature with its sighash byte, added as
	// a partial signature.
	sigECDSA sigKind = iota

	// sigSchnorr is a BIP340 signature, with a sighash byte unless
	// SIGHASH_DEFAULT, added as the taproot key-spend signature.
	sigSchnorr
)

// signJob is one signature Sign has planned: which key signs which digest,
// and what to add to the input once it is signed.
type signJob struct {
	input    int
	kind     sigKind
	path     []uint32
	pub      *btcec.PublicKey // the signing key (ECDSA)
	outKey   *btcec.PublicKey // the tweaked output key (Schnorr)
	digest   []byte
	hashType txscript.SigHashType
	root     []byte // taproot merkle root, nil for key-path-only outputs

	setRedeem  []byte      // a derived p2sh-p2wpkh redeem script to record
	setWitness *wire.TxOut // a witness UTXO to record for a segwit coin
}

// Sign adds this wallet's signatures to p and returns how many inputs it
// signed. An input is signed when one of its BIP32 derivations (or taproot
// BIP32 derivations) carries the signer's fingerprint and the key derived
// at that path is the one recorded and the one the coin pays to:
//
//   - p2pkh: ECDSA, SIGHASH_ALL, over the legacy sighash; the full previous
//     transaction (non-witness UTXO) is required and its txid is checked;
//   - p2sh-p2wpkh: ECDSA, SIGHASH_ALL, BIP143; the redeem script is taken
//     from the PSBT or derived from the key, and recorded;
//   - p2wpkh: ECDSA, SIGHASH_ALL, BIP143;
//   - p2tr key path: BIP340 Schnorr over the BIP341 sighash
//     (SIGHASH_DEFAULT, or SIGHASH_ALL when the input asks for it), with the
//     key tweaked for the input's merkle root (none for BIP86 outputs); every
//     input's coin must be known, as the sighash commits to all of them.
//
// Inputs already finalized, already signed by this wallet, or of other
// kinds (multisig, p2wsh, script paths) are left alone.
//
// Sign first checks the whole PSBT and returns an error, having changed
// nothing, when an output carries the signer's fingerprint (so it claims to
// be this wallet's change) but does not pay to the key derived at its path
// (ErrChangeMismatch), or when an input to sign is inconsistent (missing or
// mismatching UTXO, scripts that do not match the coin, a sighash type other
// than SIGHASH_ALL/DEFAULT). Every signature is verified before it is added,
// and either all planned signatures are added or none.
//
// net is the network the wallet is for; a global extended public key with
// the signer's fingerprint but another network's version is refused
// (ErrWrongNetwork).
func Sign(p *psbt.Packet, s *keystore.Signer, net *chaincfg.Params) (int,
	error) {

	if s == nil {
		return 0, newError(ErrSigning, nil, "cannot sign: no wallet "+
			"keys were given")
	}
	if err := checkPacket(p); err != nil {
		return 0, err
	}
	if net == nil {
		return 0, newError(ErrSigning, nil, "cannot sign: no network "+
			"was given")
	}
	if err := checkGlobalXPubs(p, s.Fingerprint(), net); err != nil {
		return 0, err
	}
	if err := checkChangeOutputs(p, s); err != nil {
		return 0, err
	}
	jobs, err := planSignatures(p, s)
	if err != nil {
		return 0, err
	}
	sigs := make([][]byte, len(jobs))
	for k, job := range jobs {
		sig, err := makeSignature(s, job)
		if err != nil {
			return 0, err
		}
		sigs[k] = sig
	}
	for k, job := range jobs {
		in := &p.Inputs[job.input]
		switch job.kind {
		case sigECDSA:
			in.PartialSigs = append(in.PartialSigs, &psbt.PartialSig{
				PubKey:    job.pub.SerializeCompressed(),
				Signature: sigs[k],
			})
		case sigSchnorr:
			in.TaprootKeySpendSig = sigs[k]
		}
		if job.setRedeem != nil && in.RedeemScript == nil {
			in.RedeemScript = job.setRedeem
		}
		if job.setWitness != nil && in.WitnessUtxo == nil {
			in.WitnessUtxo = job.setWitness
		}
	}
	return len(jobs), nil
}

// makeSignature signs one planned job and verifies the signature.
func makeSignature(s *keystore.Signer, job signJob) ([]byte, error) {
	switch job.kind {
	case sigECDSA:
		sig, err := s.SignECDSA(job.path, job.digest)
		if err != nil {
			return nil, newError(ErrSigning, err, "cannot sign input "+
				"%d: %v", job.input, err)
		}
		if !sig.Verify(job.digest, job.pub) {
			return nil, newError(ErrSigning, nil, "cannot sign input "+
				"%d: the signature made with the key at %s does "+
				"not verify", job.input, formatPath(job.path))
		}
		return append(sig.Serialize(), byte(job.hashType)), nil
	default:
		sig, err := s.SignSchnorr(job.path, job.digest, job.root)
		if err != nil {
			return nil, newError(ErrSigning, err, "cannot sign input "+
				"%d: %v", job.input, err)
		}
		if !sig.Verify(job.digest, job.outKey) {
			return nil, newError(ErrSigning, nil, "cannot sign input "+
				"%d: the signature made with the key at %s does "+
				"not verify", job.input, formatPath(job.path))
		}
		b := sig.Serialize()
		if job.hashType != txscript.SigHashDefault {
			b = append(b, byte(job.hashType))
		}
		return b, nil
	}
}

// planSignatures works out which inputs this wallet signs and the digest of
// each, checking every input it will sign. It changes nothing.
func planSignatures(p *psbt.Packet, keys KeySource) ([]signJob, error) {
	fp := keys.Fingerprint()
	tx := p.UnsignedTx
	prevs, prevErrs := spentOutputs(p)
	var hashes *txscript.TxSigHashes
	sigHashes := func() *txscript.TxSigHashes {
		if hashes == nil {
			hashes = txscript.NewTxSigHashes(tx,
				prevOutFetcher(tx, prevs))
		}
		return hashes
	}

	dupA, dupB := duplicateInputs(tx)
	var jobs []signJob
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if isFinalized(in) || !hasOurDerivation(in, fp) {
			continue
		}
		if prevErrs[i] != nil {
			return nil, prevErrs[i]
		}
		prev := prevs[i]
		if prev == nil {
			return nil, newError(ErrMissingUTXO, nil, "input %d has "+
				"no UTXO information: the PSBT must carry the coin "+
				"it spends before it can be signed", i)
		}
		if err := checkInputScripts(p, i, prev); err != nil {
			return nil, err
		}
		if dupA >= 0 {
			return nil, newError(ErrInvalidPacket, nil, "inputs %d "+
				"and %d spend the same coin: the transaction is "+
				"invalid", dupA, dupB)
		}

		var job *signJob
		var err error
		switch txscript.GetScriptClass(prev.PkScript) {
		case txscript.PubKeyHashTy:
			job, err = planP2PKH(p, i, prev, keys)
		case txscript.ScriptHashTy:
			job, err = planP2SHP2WPKH(p, i, prev, keys, sigHashes)
		case txscript.WitnessV0PubKeyHashTy:
			job, err = planP2WPKH(p, i, prev, keys, sigHashes)
		case txscript.WitnessV1TaprootTy:
			job, err = planP2TR(p, i, prev, prevs, keys, sigHashes)
		}
		if err != nil {
			return nil, err
		}
		if job != nil {
			jobs = append(jobs, *job)
		}
	}
	return jobs, nil
}

// hasOurDerivation reports whether an input names a key of the wallet with
// fingerprint fp.
func hasOurDerivation(in *psbt.PInput, fp uint32) bool {
	for _, d := range in.Bip32Derivation {
		if d != nil && d.MasterKeyFingerprint == fp {
			return true
		}
	}
	for _, d := range in.TaprootBip32Derivation {
		if d != nil && d.MasterKeyFingerprint == fp {
			return true
		}
	}
	return false
}

// ecdsaKey returns the first of the input's BIP32 derivations with the
// wallet's fingerprint whose derived key is the recorded one and satisfies
// match, with its path. When derivations name the wallet but none matches,
// it returns an ErrWrongKey error; when the input is already signed by the
// key it returns nil.
func ecdsaKey(in *psbt.PInput, i int, keys KeySource,
	match func(*btcec.PublicKey) bool) (*btcec.PublicKey, []uint32, error) {

	fp := keys.Fingerprint()
	var named []string
	for _, d := range in.Bip32Derivation {
		if d == nil || d.MasterKeyFingerprint != fp {
			continue
		}
		pub, err := keys.PublicKey(d.Bip32Path)
		if err != nil {
			return nil, nil, newError(ErrSigning, err, "input %d: "+
				"cannot derive the key at %s: %v", i,
				formatPath(d.Bip32Path), err)
		}
		if !sameKey(d.PubKey, pub) {
			// The derivation is someone else's key that happens to
			// share our fingerprint, or bogus: not ours to sign.
			continue
		}
		if !match(pub) {
			named = append(named, formatPath(d.Bip32Path))
			continue
		}
		for _, ps := range in.PartialSigs {
			if ps != nil && sameKey(ps.PubKey, pub) {
				return nil, nil, nil
			}
		}
		return pub, d.Bip32Path, nil
	}
	if len(named) > 0 {
		return nil, nil, newError(ErrWrongKey, nil, "input %d: the key "+
			"this wallet derives at %s does not match the script of "+
			"the coin it spends", i, strings.Join(named, ", "))
	}
	return nil, nil, nil
}

// checkSighashECDSA reports an ErrSighashType error unless input i asks for
// no particular sighash type or for SIGHASH_ALL.
func checkSighashECDSA(in *psbt.PInput, i int) error {
	if in.SighashType != 0 && in.SighashType != txscript.SigHashAll {
		return newError(ErrSighashType, nil, "input %d asks for "+
			"sighash type %s; this wallet signs only with "+
			"SIGHASH_ALL", i, sighashName(in.SighashType))
	}
	return nil
}

// planP2PKH plans the signature of a p2pkh input.
func planP2PKH(p *psbt.Packet, i int, prev *wire.TxOut,
	keys KeySource) (*signJob, error) {

	in := &p.Inputs[i]
	if in.NonWitnessUtxo == nil {
		return nil, newError(ErrMissingUTXO, nil, "input %d spends a "+
			"legacy (p2pkh) coin: signing it needs the full previous "+
			"transaction (non-witness UTXO), which the PSBT lacks", i)
	}
	if err := checkSighashECDSA(in, i); err != nil {
		return nil, err
	}
	pub, path, err := ecdsaKey(in, i, keys, func(k *btcec.PublicKey) bool {
		h := address.Hash160(k.SerializeCompressed())
		return bytes.Equal(prev.PkScript, p2pkhScript(h))
	})
	if pub == nil || err != nil {
		return nil, err
	}
	digest, err := txscript.CalcSignatureHash(prev.PkScript,
		txscript.SigHashAll, p.UnsignedTx, i)
	if err != nil {
		return nil, newError(ErrSigning, err, "input %d: cannot "+
			"compute its sighash: %v", i, err)
	}
	return &signJob{input: i, kind: sigECDSA, path: path, pub: pub,
		digest: digest, hashType: txscript.SigHashAll}, nil
}

// planP2SHP2WPKH plans the signature of a p2sh-wrapped p2wpkh input. Other
// p2sh inputs are not signed.
func planP2SHP2WPKH(p *psbt.Packet, i int, prev *wire.TxOut,
	keys KeySource, hashes func() *txscript.TxSigHashes) (*signJob, error) {

	in := &p.Inputs[i]
	if len(in.RedeemScript) > 0 &&
		!txscript.IsPayToWitnessPubKeyHash(in.RedeemScript) {
		return nil, nil
	}
	var redeem []byte
	pub, path, err := ecdsaKey(in, i, keys, func(k *btcec.PublicKey) bool {
		wpkh := p2wpkhScript(address.Hash160(k.SerializeCompressed()))
		if bytes.Equal(prev.PkScript, p2shScript(wpkh)) {
			redeem = wpkh
			return true
		}
		return false
	})
	if pub == nil || err != nil {
		return nil, err
	}
	if err := checkSighashECDSA(in, i); err != nil {
		return nil, err
	}
	digest, err := segwitV0SigHash(p.UnsignedTx, i, redeem, prev.Value,
		hashes())
	if err != nil {
		return nil, newError(ErrSigning, err, "input %d: cannot "+
			"compute its sighash: %v", i, err)
	}
	return &signJob{input: i, kind: sigECDSA, path: path, pub: pub,
		digest: digest, hashType: txscript.SigHashAll,
		setRedeem: redeem, setWitness: copyTxOut(prev)}, nil
}

// planP2WPKH plans the signature of a native p2wpkh input.
func planP2WPKH(p *psbt.Packet, i int, prev *wire.TxOut,
	keys KeySource, hashes func() *txscript.TxSigHashes) (*signJob, error) {

	in := &p.Inputs[i]
	pub, path, err := ecdsaKey(in, i, keys, func(k *btcec.PublicKey) bool {
		h := address.Hash160(k.SerializeCompressed())
		return bytes.Equal(prev.PkScript, p2wpkhScript(h))
	})
	if pub == nil || err != nil {
		return nil, err
	}
	if err := checkSighashECDSA(in, i); err != nil {
		return nil, err
	}
	digest, err := segwitV0SigHash(p.UnsignedTx, i, prev.PkScript,
		prev.Value, hashes())
	if err != nil {
		return nil, newError(ErrSigning, err, "input %d: cannot "+
			"compute its sighash: %v", i, err)
	}
	return &signJob{input: i, kind: sigECDSA, path: path, pub: pub,
		digest: digest, hashType: txscript.SigHashAll,
		setWitness: copyTxOut(prev)}, nil
}

// planP2TR plans the key-path signature of a taproot input.
func planP2TR(p *psbt.Packet, i int, prev *wire.TxOut, prevs []*wire.TxOut,
	keys KeySource, hashes func() *txscript.TxSigHashes) (*signJob, error) {

	in := &p.Inputs[i]
	if len(in.TaprootKeySpendSig) > 0 {
		return nil, nil
	}
	fp := keys.Fingerprint()
	var named []string
	for _, d := range in.TaprootBip32Derivation {
		if d == nil || d.MasterKeyFingerprint != fp {
			continue
		}
		pub, err := keys.PublicKey(d.Bip32Path)
		if err != nil {
			return nil, newError(ErrSigning, err, "input %d: cannot "+
				"derive the key at %s: %v", i,
				formatPath(d.Bip32Path), err)
		}
		xonly := schnorr.SerializePubKey(pub)
		if !bytes.Equal(xonly, d.XOnlyPubKey) {
			continue
		}
		isInternal := bytes.Equal(in.TaprootInternalKey, xonly)
		if len(in.TaprootInternalKey) > 0 && !isInternal ||
			len(d.LeafHashes) > 0 && !isInternal {
			// Our key is in a script leaf, not the internal key:
			// script-path spending is not supported.
			continue
		}
		root := in.TaprootMerkleRoot
		if len(root) != 0 && len(root) != 32 {
			return nil, newError(ErrUTXOMismatch, nil, "input %d: its "+
				"taproot merkle root is %d bytes, not 32", i,
				len(root))
		}
		if len(root) == 0 {
			root = nil
		}
		outKey := txscript.ComputeTaprootOutputKey(pub, root)
		if !bytes.Equal(prev.PkScript, p2trScript(outKey)) {
			named = append(named, formatPath(d.Bip32Path))
			continue
		}
		hashType := txscript.SigHashDefault
		switch in.SighashType {
		case txscript.SigHashDefault, txscript.SigHashAll:
			hashType = in.SighashType
		default:
			return nil, newError(ErrSighashType, nil, "input %d "+
				"asks for sighash type %s; this wallet signs "+
				"taproot inputs only with SIGHASH_DEFAULT or "+
				"SIGHASH_ALL", i, sighashName(in.SighashType))
		}
		for j, other := range prevs {
			if other == nil {
				return nil, newError(ErrMissingUTXO, nil, "input "+
					"%d has no UTXO information, and signing "+
					"the taproot input %d needs the value and "+
					"script of every input's coin", j, i)
			}
		}
		digest, err := taprootSigHash(p.UnsignedTx, i, prevs, hashes(),
			hashType)
		if err != nil {
			return nil, newError(ErrSigning, err, "input %d: cannot "+
				"compute its sighash: %v", i, err)
		}
		return &signJob{input: i, kind: sigSchnorr, path: d.Bip32Path,
			outKey: outKey, digest: digest, hashType: hashType,
			root: root, setWitness: copyTxOut(prev)}, nil
	}
	if len(named) > 0 {
		return nil, newError(ErrWrongKey, nil, "input %d: the key this "+
			"wallet derives at %s does not match the taproot coin it "+
			"spends", i, strings.Join(named, ", "))
	}
	return nil, nil
}

// segwitV0SigHash returns the BIP143 SIGHASH_ALL digest of input i of tx,
// which spends value satoshis locked by the witness program program (a
// p2wpkh program is turned into its p2pkh script code).
func segwitV0SigHash(tx *wire.MsgTx, i int, program []byte, value int64,
	hashes *txscript.TxSigHashes) ([]byte, error) {

	return txscript.CalcWitnessSigHash(program, hashes, txscript.SigHashAll,
		tx, i, value)
}

// taprootSigHash returns the BIP341 key-path sighash of input i of tx,
// whose inputs spend prevs (all known). hashes may be nil.
func taprootSigHash(tx *wire.MsgTx, i int, prevs []*wire.TxOut,
	hashes *txscript.TxSigHashes, hashType txscript.SigHashType) ([]byte,
	error) {

	fetcher := prevOutFetcher(tx, prevs)
	if hashes == nil {
		hashes = txscript.NewTxSigHashes(tx, fetcher)
	}
	return txscript.CalcTaprootSignatureHash(hashes, hashType, tx, i,
		fetcher)
}

// copyTxOut returns a copy of out that shares no memory with it.
func copyTxOut(out *wire.TxOut) *wire.TxOut {
	return wire.NewTxOut(out.Value, bytes.Clone(out.PkScript))
}

// checkGlobalXPubs refuses a PSBT whose global extended public keys carry
// the wallet's fingerprint but are encoded for another network than net.
func checkGlobalXPubs(p *psbt.Packet, fp uint32, net *chaincfg.Params) error {
	for _, x := range p.XPubs {
		if x.MasterKeyFingerprint != fp || len(x.ExtendedKey) < 4 {
			continue
		}
		var version [4]byte
		copy(version[:], x.ExtendedKey[:4])
		if version != net.HDPublicKeyID {
			return newError(ErrWrongNetwork, nil, "the PSBT lists "+
				"an extended key of this wallet (path %s) for "+
				"another network than %s; refusing to sign",
				formatPath(x.Bip32Path), net.Name)
		}
	}
	return nil
}

// checkChangeOutputs returns an ErrChangeMismatch error when an output
// carries the wallet's fingerprint in a BIP32 or taproot BIP32 derivation
// but the key derived at that path is not the one recorded, or the output's
// script does not pay to it.
func checkChangeOutputs(p *psbt.Packet, keys KeySource) error {
	fp := keys.Fingerprint()
	for j := range p.Outputs {
		if err := checkChangeOutput(p, j, keys, fp); err != nil {
			return err
		}
	}
	return nil
}

// checkChangeOutput is checkChangeOutputs for output j.
func checkChangeOutput(p *psbt.Packet, j int, keys KeySource,
	fp uint32) error {

	out := &p.Outputs[j]
	script := p.UnsignedTx.TxOut[j].PkScript
	mismatch := func(path []uint32, why string) error {
		return newError(ErrChangeMismatch, nil, "output %d claims to "+
			"be change to this wallet (key at %s) but %s; refusing "+
			"to sign", j, formatPath(path), why)
	}
	for _, d := range out.Bip32Derivation {
		if d == nil || d.MasterKeyFingerprint != fp {
			continue
		}
		pub, err := keys.PublicKey(d.Bip32Path)
		if err != nil {
			return newError(ErrSigning, err, "output %d: cannot "+
				"derive the key at %s: %v", j,
				formatPath(d.Bip32Path), err)
		}
		if !sameKey(d.PubKey, pub) {
			return mismatch(d.Bip32Path, "the key it records is not "+
				"the one this wallet derives there")
		}
		if !paysToKey(script, pub) && !scriptCommitsToKey(script,
			out.RedeemScript, out.WitnessScript, pub) &&
			!(txscript.IsPayToTaproot(script) &&
				taprootOutputMismatch(out, script,
					schnorr.SerializePubKey(pub), nil) == "") {

			return mismatch(d.Bip32Path, "its script does not pay "+
				"to that key")
		}
	}
	for _, d := range out.TaprootBip32Derivation {
		if d == nil || d.MasterKeyFingerprint != fp {
			continue
		}
		pub, err := keys.PublicKey(d.Bip32Path)
		if err != nil {
			return newError(ErrSigning, err, "output %d: cannot "+
				"derive the key at %s: %v", j,
				formatPath(d.Bip32Path), err)
		}
		xonly := schnorr.SerializePubKey(pub)
		if !bytes.Equal(xonly, d.XOnlyPubKey) {
			return mismatch(d.Bip32Path, "the key it records is not "+
				"the one this wallet derives there")
		}
		if why := taprootOutputMismatch(out, script, xonly,
			d.LeafHashes); why != "" {

			return mismatch(d.Bip32Path, why)
		}
	}
	return nil
}

// taprootOutputMismatch says why a taproot output does not commit to the
// wallet's x-only key xonly, used as the internal key (no leaf hashes) or in
// the listed script leaves, or returns "" when it does.
func taprootOutputMismatch(out *psbt.POutput, script, xonly []byte,
	leafHashes [][]byte) string {

	internal := out.TaprootInternalKey
	if len(leafHashes) == 0 {
		if len(internal) > 0 && !bytes.Equal(internal, xonly) {
			return "its taproot internal key is another key"
		}
		internal = xonly
	}
	if len(internal) == 0 {
		return "it does not say its taproot internal key"
	}
	internalKey, err := schnorr.ParsePubKey(internal)
	if err != nil {
		return "its taproot internal key is invalid"
	}
	var root []byte
	if len(out.TaprootTapTree) > 0 {
		r, leaves, err := tapTreeRoot(out.TaprootTapTree)
		if err != nil {
			return "its taproot script tree is malformed (" +
				err.Error() + ")"
		}
		root = r
		for _, lh := range leafHashes {
			found := false
			for _, l := range leaves {
				if bytes.Equal(l[:], lh) {
					found = true
					break
				}
			}
			if !found {
				return "a script leaf it names is not in its " +
					"taproot tree"
			}
		}
	} else if len(leafHashes) > 0 {
		return "it names script leaves but has no taproot tree"
	}
	if !bytes.Equal(script, p2trScript(
		txscript.ComputeTaprootOutputKey(internalKey, root))) {

		return "its script does not pay to that taproot key"
	}
	return ""
}

// sighashName names a sighash type for messages.
func sighashName(t txscript.SigHashType) string {
	names := map[txscript.SigHashType]string{
		txscript.SigHashDefault: "SIGHASH_DEFAULT",
		txscript.SigHashAll:     "SIGHASH_ALL",
		txscript.SigHashNone:    "SIGHASH_NONE",
		txscript.SigHashSingle:  "SIGHASH_SINGLE",
		txscript.SigHashAll | txscript.SigHashAnyOneCanPay: "" +
			"SIGHASH_ALL|ANYONECANPAY",
		txscript.SigHashNone | txscript.SigHashAnyOneCanPay: "" +
			"SIGHASH_NONE|ANYONECANPAY",
		txscript.SigHashSingle | txscript.SigHashAnyOneCanPay: "" +
			"SIGHASH_SINGLE|ANYONECANPAY",
	}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("0x%x", uint32(t))
}

// formatPath writes a derivation path as "m/84h/0h/0h/0/5" for messages.
func formatPath(path []uint32) string {
	var b strings.Builder
	b.WriteString("m")
	for _, idx := range path {
		b.WriteByte('/')
		if idx >= hdkeychain.HardenedKeyStart {
			b.WriteString(strconv.FormatUint(
				uint64(idx-hdkeychain.HardenedKeyStart), 10))
			b.WriteByte('h')
		} else {
			b.WriteString(strconv.FormatUint(uint64(idx), 10))
		}
	}
	return b.String()
}
