package psbtx

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/keystore"
)

// KeySource is what Sign needs from a wallet's keys besides signing: its
// master fingerprint and the public key at a BIP32 path. A
// *keystore.Signer is one.
type KeySource interface {
	// Fingerprint returns the master key fingerprint as printed: its
	// four bytes read big-endian (0x73c5da0a for [73c5da0a/...]).
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

	setRedeem  []byte      // a derived p2sh-p2wpkh redeem script to record
	setWitness *wire.TxOut // a witness UTXO to record for a segwit coin

	policy *msPolicy // the policy of a multisig input, nil otherwise
}

// InputNote says why Sign left an input unsigned.
type InputNote struct {
	Input  int
	Reason string
}

// SignResult says what Sign did with each input.
type SignResult struct {
	// Signed lists the inputs this call signed, in order.
	Signed []int

	// Skipped lists the inputs left unsigned and why: already signed or
	// finalized, no key origin, another wallet's keys, a key path
	// outside the wallet's accounts.
	Skipped []InputNote
}

// Explain says why each skipped input was left alone, one clause per
// input: "input 0: its keys belong to another wallet (...); input 1: ...".
func (r *SignResult) Explain() string {
	var b strings.Builder
	for k, n := range r.Skipped {
		if k > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "input %d: %s", n.Input, n.Reason)
	}
	return b.String()
}

// Sign adds this wallet's signatures to p and says which inputs it signed
// and why it left the others alone. An input is signed only when the
// wallet can verify that it is its own and what it spends:
//
//   - one of its key origins (BIP32 or taproot BIP32 derivations) belongs
//     to one of the wallet's accounts (WithAccounts, required): the
//     account's fingerprint, a path inside the account, the key the
//     account derives there;
//   - the coin it spends pays exactly the account's script at that path;
//   - the coin's amount is proven (see AmountProof): by the full previous
//     transaction in the PSBT or in the wallet's records (WithPrevTxs) for
//     segwit v0 and legacy coins, whose signatures do not commit to the
//     amounts of the other inputs; a taproot coin's amount, which every
//     taproot signature commits to, is still checked against the wallet's
//     records where it has them.
//
// Signatures: ECDSA with SIGHASH_ALL for p2pkh (legacy sighash), p2sh-p2wpkh
// and p2wpkh (BIP143); BIP340 Schnorr key-path signatures for BIP86 p2tr
// (SIGHASH_DEFAULT, or SIGHASH_ALL when the input asks for it).
//
// Sign first checks the whole PSBT and returns an error, having changed
// nothing, when: an output claims to be this wallet's (a key origin with its
// fingerprint) but is not the account's script at that path
// (ErrChangeMismatch); an input to sign is inconsistent (missing or
// mismatching UTXO, a coin that does not pay the derived key, a sighash
// type other than SIGHASH_ALL/DEFAULT); an amount is unproven
// (ErrUnprovenAmount); the fee is negative (ErrNegativeFee), cannot be
// computed, or breaks the fee limits (ErrAbsurdFee; see WithFeeLimits and
// AllowAbsurdFee). Every signature is verified before it is added, and
// either all planned signatures are added or none.
//
// net is the network the wallet is for; a global extended public key with
// the signer's fingerprint but another network's version is refused
// (ErrWrongNetwork).
func Sign(p *psbt.Packet, s *keystore.Signer, net *chaincfg.Params,
	opts ...Option) (*SignResult, error) {

	if s == nil {
		return nil, newError(ErrSigning, nil, "cannot sign: no wallet "+
			"keys were given")
	}
	if err := checkPacket(p); err != nil {
		return nil, err
	}
	if net == nil {
		return nil, newError(ErrSigning, nil, "cannot sign: no network "+
			"was given")
	}
	cfg := newConfig(opts)
	cfg.net = net
	accts, err := signerAccounts(cfg.accounts, s)
	if err != nil {
		return nil, err
	}
	cfg.accounts = accts
	if err := checkGlobalXPubs(p, s.Fingerprint(), net); err != nil {
		return nil, err
	}
	jobs, notes, err := planSignatures(p, s, cfg)
	if err != nil {
		return nil, err
	}
	res := &SignResult{Skipped: notes}
	if len(jobs) == 0 {
		return res, nil
	}
	ms := &msOutputs{keys: s, fp: s.Fingerprint(), net: net, xpubs: packetXPubs(p)}
	for _, job := range jobs {
		if job.policy != nil {
			ms.policies = append(ms.policies, job.policy)
		}
	}
	change, err := checkOutputs(p, cfg.accounts, ms)
	if err != nil {
		return nil, err
	}
	if err := checkSignFee(p, change, cfg); err != nil {
		return nil, err
	}
	sigs := make([][]byte, len(jobs))
	for k, job := range jobs {
		sig, err := makeSignature(s, job)
		if err != nil {
			return nil, err
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
		res.Signed = append(res.Signed, job.input)
	}
	return res, nil
}

// signerAccounts returns the accounts of accts that the signer's seed
// holds. It fails when none is given, or when none has the signer's
// fingerprint: the wallet's public data does not belong to its seed.
func signerAccounts(accts []Account, s KeySource) ([]Account, error) {
	if len(accts) == 0 {
		return nil, newError(ErrSigning, nil, "cannot sign: the "+
			"wallet's accounts were not given")
	}
	var own []Account
	for _, a := range accts {
		if a.Fingerprint == s.Fingerprint() {
			own = append(own, a)
		}
	}
	if len(own) == 0 {
		return nil, newError(ErrSigning, nil, "cannot sign: the keys "+
			"have master fingerprint %08x but the wallet's accounts "+
			"name %s", s.Fingerprint(), walletFingerprints(accts))
	}
	return own, nil
}

// checkSignFee refuses a negative fee always, and a fee that cannot be
// computed or breaks the limits unless the config allows it. change marks
// the outputs that are the wallet's change.
func checkSignFee(p *psbt.Packet, change []bool, cfg *config) error {
	prevs, _ := spentOutputs(p)
	var in, out, sent int64
	for i, prev := range prevs {
		if prev == nil {
			if cfg.force {
				return nil
			}
			return newError(ErrMissingUTXO, nil, "input %d has no UTXO "+
				"information, so the fee cannot be checked; refusing "+
				"to sign (use --force to sign an unchecked fee)", i)
		}
		in += prev.Value
	}
	for j, o := range p.UnsignedTx.TxOut {
		out += o.Value
		if !change[j] {
			sent += o.Value
		}
	}
	fee := btcutil.Amount(in - out)
	if fee < 0 || !cfg.force {
		weight, _ := estimateWeight(p, prevs)
		return cfg.limits.CheckFee(fee, (weight+3)/4,
			btcutil.Amount(sent))
	}
	return nil
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
		sig, err := s.SignSchnorr(job.path, job.digest, nil)
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
// each, checking every input it will sign, and says why it leaves the
// others. It changes nothing.
func planSignatures(p *psbt.Packet, keys KeySource, cfg *config) ([]signJob,
	[]InputNote, error) {

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
	var (
		jobs  []signJob
		notes []InputNote
	)
	skip := func(i int, why string) {
		notes = append(notes, InputNote{Input: i, Reason: why})
	}
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if isFinalized(in) {
			skip(i, "it is already finalized")
			continue
		}
		if c, ok := inputMultisig(in, prevs[i]); ok && prevErrs[i] == nil {
			js, why, err := planMultisig(p, i, prevs[i], c, keys, cfg, cfg.net, sigHashes)
			switch {
			case err != nil:
				return nil, nil, err
			case why != "":
				skip(i, why)
				continue
			case dupA >= 0:
				return nil, nil, newError(ErrInvalidPacket, nil, "inputs "+
					"%d and %d spend the same coin: the transaction is "+
					"invalid", dupA, dupB)
			}
			jobs = append(jobs, js...)
			continue
		}
		mine, why := matchOrigins(origins(in.Bip32Derivation,
			in.TaprootBip32Derivation), cfg.accounts)
		if len(mine) == 0 {
			skip(i, why)
			continue
		}
		if prevErrs[i] != nil {
			return nil, nil, prevErrs[i]
		}
		prev := prevs[i]
		if prev == nil {
			return nil, nil, newError(ErrMissingUTXO, nil, "input %d "+
				"has no UTXO information: the PSBT must carry the "+
				"coin it spends before it can be signed", i)
		}
		if err := checkInputScripts(p, i, prev); err != nil {
			return nil, nil, err
		}
		if dupA >= 0 {
			return nil, nil, newError(ErrInvalidPacket, nil, "inputs "+
				"%d and %d spend the same coin: the transaction is "+
				"invalid", dupA, dupB)
		}
		key, err := coinKey(i, prev, mine)
		if err != nil {
			return nil, nil, err
		}
		proof, err := amountProof(p, i, prev, cfg)
		if err != nil {
			return nil, nil, err
		}
		if !proof.Proven() {
			return nil, nil, unprovenError(i, prev)
		}
		// The seed must derive the key the account's public data names.
		seedKey, err := keys.PublicKey(key.path)
		if err != nil {
			return nil, nil, newError(ErrSigning, err, "input %d: "+
				"cannot derive the key at %s: %v", i,
				formatPath(key.path), err)
		}
		if !seedKey.IsEqual(key.pub) {
			return nil, nil, newError(ErrSigning, nil, "input %d: the "+
				"wallet's account key does not match its seed at %s: "+
				"the wallet file's public data was changed; refusing "+
				"to sign", i, formatPath(key.path))
		}
		if signedBy(in, key.pub) {
			skip(i, "it is already signed by this wallet")
			continue
		}

		var job *signJob
		switch txscript.GetScriptClass(prev.PkScript) {
		case txscript.PubKeyHashTy:
			job, err = planP2PKH(p, i, prev, key)
		case txscript.ScriptHashTy:
			job, err = planP2SHP2WPKH(p, i, prev, key, sigHashes)
		case txscript.WitnessV0PubKeyHashTy:
			job, err = planP2WPKH(p, i, prev, key, sigHashes)
		case txscript.WitnessV1TaprootTy:
			job, err = planP2TR(p, i, prev, prevs, key, sigHashes)
		default:
			skip(i, fmt.Sprintf("it spends a %s coin, which this "+
				"wallet does not sign", coinKind(prev.PkScript)))
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		jobs = append(jobs, *job)
	}
	return jobs, notes, nil
}

// coinKey returns the key among mine whose account script is the coin's.
// When none is, the input names this wallet's key but spends someone
// else's coin: an ErrWrongKey error.
func coinKey(i int, prev *wire.TxOut, mine []accountKey) (*accountKey,
	error) {

	var paths []string
	for k := range mine {
		script, err := mine[k].script()
		if err == nil && bytes.Equal(script, prev.PkScript) {
			return &mine[k], nil
		}
		paths = append(paths, formatPath(mine[k].path))
	}
	return nil, newError(ErrWrongKey, nil, "input %d: the coin it spends "+
		"is not this wallet's address for the key at %s", i,
		joinUnique(paths))
}

// signedBy reports whether an input already carries a signature by pub (or
// a taproot key-path signature).
func signedBy(in *psbt.PInput, pub *btcec.PublicKey) bool {
	if len(in.TaprootKeySpendSig) > 0 {
		return true
	}
	for _, ps := range in.PartialSigs {
		if ps != nil && sameKey(ps.PubKey, pub) {
			return true
		}
	}
	return false
}

// coinKind names the type of a coin's script for messages.
func coinKind(script []byte) string {
	switch txscript.GetScriptClass(script) {
	case txscript.PubKeyHashTy:
		return "legacy (p2pkh)"
	case txscript.ScriptHashTy:
		return "p2sh"
	case txscript.WitnessV0PubKeyHashTy:
		return "segwit v0 (p2wpkh)"
	case txscript.WitnessV0ScriptHashTy:
		return "segwit v0 (p2wsh)"
	case txscript.WitnessV1TaprootTy:
		return "taproot"
	case txscript.MultiSigTy:
		return "bare multisig"
	case txscript.PubKeyTy:
		return "pay-to-pubkey"
	}
	return "non-standard"
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
	key *accountKey) (*signJob, error) {

	in := &p.Inputs[i]
	if in.NonWitnessUtxo == nil {
		return nil, newError(ErrMissingUTXO, nil, "input %d spends a "+
			"legacy (p2pkh) coin: signing it needs the full previous "+
			"transaction (non-witness UTXO), which the PSBT lacks", i)
	}
	if err := checkSighashECDSA(in, i); err != nil {
		return nil, err
	}
	digest, err := txscript.CalcSignatureHash(prev.PkScript,
		txscript.SigHashAll, p.UnsignedTx, i)
	if err != nil {
		return nil, newError(ErrSigning, err, "input %d: cannot "+
			"compute its sighash: %v", i, err)
	}
	return &signJob{input: i, kind: sigECDSA, path: key.path,
		pub: key.pub, digest: digest, hashType: txscript.SigHashAll}, nil
}

// planP2SHP2WPKH plans the signature of a p2sh-wrapped p2wpkh input.
func planP2SHP2WPKH(p *psbt.Packet, i int, prev *wire.TxOut,
	key *accountKey, hashes func() *txscript.TxSigHashes) (*signJob, error) {

	in := &p.Inputs[i]
	redeem := p2wpkhScript(address.Hash160(key.pub.SerializeCompressed()))
	if !bytes.Equal(prev.PkScript, p2shScript(redeem)) {
		return nil, newError(ErrWrongKey, nil, "input %d: the coin it "+
			"spends is not the p2sh-p2wpkh address of the key at %s",
			i, formatPath(key.path))
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
	return &signJob{input: i, kind: sigECDSA, path: key.path,
		pub: key.pub, digest: digest, hashType: txscript.SigHashAll,
		setRedeem: redeem, setWitness: copyTxOut(prev)}, nil
}

// planP2WPKH plans the signature of a native p2wpkh input.
func planP2WPKH(p *psbt.Packet, i int, prev *wire.TxOut,
	key *accountKey, hashes func() *txscript.TxSigHashes) (*signJob, error) {

	in := &p.Inputs[i]
	if err := checkSighashECDSA(in, i); err != nil {
		return nil, err
	}
	digest, err := segwitV0SigHash(p.UnsignedTx, i, prev.PkScript,
		prev.Value, hashes())
	if err != nil {
		return nil, newError(ErrSigning, err, "input %d: cannot "+
			"compute its sighash: %v", i, err)
	}
	return &signJob{input: i, kind: sigECDSA, path: key.path,
		pub: key.pub, digest: digest, hashType: txscript.SigHashAll,
		setWitness: copyTxOut(prev)}, nil
}

// planP2TR plans the key-path signature of a BIP86 taproot input: the
// coin's output key is the account key tweaked without a script tree.
func planP2TR(p *psbt.Packet, i int, prev *wire.TxOut, prevs []*wire.TxOut,
	key *accountKey, hashes func() *txscript.TxSigHashes) (*signJob, error) {

	in := &p.Inputs[i]
	xonly := schnorr.SerializePubKey(key.pub)
	if len(in.TaprootInternalKey) > 0 &&
		!bytes.Equal(in.TaprootInternalKey, xonly) {

		return nil, newError(ErrUTXOMismatch, nil, "input %d: its "+
			"taproot internal key is not the key at %s that the coin "+
			"pays", i, formatPath(key.path))
	}
	if len(in.TaprootMerkleRoot) > 0 {
		return nil, newError(ErrUTXOMismatch, nil, "input %d: it names "+
			"a taproot script tree, but the coin it spends commits to "+
			"none", i)
	}
	outKey := txscript.ComputeTaprootKeyNoScript(key.pub)
	hashType := txscript.SigHashDefault
	switch in.SighashType {
	case txscript.SigHashDefault, txscript.SigHashAll:
		hashType = in.SighashType
	default:
		return nil, newError(ErrSighashType, nil, "input %d asks for "+
			"sighash type %s; this wallet signs taproot inputs only "+
			"with SIGHASH_DEFAULT or SIGHASH_ALL", i,
			sighashName(in.SighashType))
	}
	for j, other := range prevs {
		if other == nil {
			return nil, newError(ErrMissingUTXO, nil, "input %d has "+
				"no UTXO information, and signing the taproot "+
				"input %d needs the value and script of every "+
				"input's coin", j, i)
		}
	}
	digest, err := taprootSigHash(p.UnsignedTx, i, prevs, hashes(),
		hashType)
	if err != nil {
		return nil, newError(ErrSigning, err, "input %d: cannot "+
			"compute its sighash: %v", i, err)
	}
	return &signJob{input: i, kind: sigSchnorr, path: key.path,
		outKey: outKey, digest: digest, hashType: hashType,
		setWitness: copyTxOut(prev)}, nil
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
		if fromPSBT(x.MasterKeyFingerprint) != fp || len(x.ExtendedKey) < 4 {
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

// checkOutputs returns an ErrChangeMismatch error when an output claims to
// be the wallet's (a key origin with the fingerprint of one of accts) but
// is not: its path is outside the account, the key it records is not the
// account's, or its script is not the account's address for that key.
// Otherwise it returns which outputs are the wallet's change (branch 1).
// ms, when not nil, checks outputs that claim to be a multisig of the
// wallet's.
func checkOutputs(p *psbt.Packet, accts []Account, ms *msOutputs) ([]bool, error) {
	change := make([]bool, len(p.Outputs))
	for j := range p.Outputs {
		k, err := checkOutput(p, j, accts, ms)
		if err != nil {
			return nil, err
		}
		change[j] = k != nil && k.branch == ChangeBranch
	}
	return change, nil
}

// ChangeBranch is the branch of an account's change addresses.
const ChangeBranch = 1

// checkOutput is checkOutputs for output j: it returns the account key the
// output verifiably pays, nil when it claims none of the accounts, or an
// ErrChangeMismatch error.
func checkOutput(p *psbt.Packet, j int, accts []Account, ms *msOutputs) (*accountKey,
	error) {

	out := &p.Outputs[j]
	script := p.UnsignedTx.TxOut[j].PkScript
	os := origins(out.Bip32Derivation, out.TaprootBip32Derivation)
	var claimed []origin
	for _, o := range os {
		for _, a := range accts {
			if a.Fingerprint == o.fp {
				claimed = append(claimed, o)
				break
			}
		}
	}
	if len(claimed) == 0 {
		return nil, nil
	}
	mismatch := func(path []uint32, why string) error {
		return newError(ErrChangeMismatch, nil, "output %d claims to "+
			"be this wallet's (key at %s) but %s; refusing to sign",
			j, formatPath(path), why)
	}
	keys, why := matchOrigins(claimed, accts)
	if len(keys) == 0 {
		if ms != nil {
			if k, handled, err := ms.check(p, j); handled {
				return k, err
			}
		}
		return nil, mismatch(claimed[0].path, why)
	}
	for k := range keys {
		want, err := keys[k].script()
		if err == nil && bytes.Equal(want, script) {
			if len(out.TaprootTapTree) > 0 {
				return nil, mismatch(keys[k].path, "it carries a "+
					"taproot script tree this wallet's addresses "+
					"do not have")
			}
			return &keys[k], nil
		}
	}
	return nil, mismatch(keys[0].path, "its script is not this "+
		"wallet's address for that key")
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
