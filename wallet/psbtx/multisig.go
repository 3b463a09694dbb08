package psbtx

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// Multisig inputs and outputs.
//
// A seed signs a multisig coin (p2wsh or p2sh-p2wsh spending a BIP383
// multi() or sortedmulti() script) as one cosigner, with its BIP48 key
// m/48h/coin'/account'/script'/branch/index. It cannot know the other
// cosigners' keys from its own data, so it checks what the PSBT says about
// them against the PSBT itself:
//
//   - the coin's witness script is a multisig whose every key carries a key
//     origin (BIP32 derivation), and every key origin's key is in the
//     script: the script is the multi() the derivations imply;
//   - every cosigner's key is at the same branch and index, as a descriptor
//     derives them, and derives from the cosigner's account key when the
//     PSBT lists it (global xpub);
//   - its own key origin is a BIP48 path for the coin's script type and the
//     network, and its seed derives the recorded key there;
//   - an output that names its fingerprint pays the same policy as the
//     inputs it signs (the same threshold, the same cosigners, each key
//     checked against the cosigner's global xpub, its own against the seed),
//     or it is refused as false change.

// msScript is a parsed multisig script: OP_k <key>… OP_n OP_CHECKMULTISIG
// with compressed keys, in the script's order.
type msScript struct {
	m    int
	keys [][]byte
}

// parseMultisigScript parses a multisig script in the canonical form
// MultisigScript writes, or reports false.
func parseMultisigScript(s []byte) (*msScript, bool) {
	type op struct {
		code byte
		data []byte
	}
	var ops []op
	tok := txscript.MakeScriptTokenizer(0, s)
	for tok.Next() {
		ops = append(ops, op{tok.Opcode(), tok.Data()})
	}
	if tok.Err() != nil || len(ops) < 4 || ops[len(ops)-1].code != txscript.OP_CHECKMULTISIG {
		return nil, false
	}
	small := func(o op) int {
		switch {
		case o.code >= txscript.OP_1 && o.code <= txscript.OP_16:
			return int(o.code-txscript.OP_1) + 1
		case o.code == txscript.OP_DATA_1 && o.data[0] > 16 && o.data[0] <= 20:
			return int(o.data[0])
		}
		return 0
	}
	m, n := small(ops[0]), small(ops[len(ops)-2])
	keyOps := ops[1 : len(ops)-2]
	if m < 1 || n < m || n != len(keyOps) {
		return nil, false
	}
	ms := &msScript{m: m}
	b := txscript.NewScriptBuilder().AddInt64(int64(m))
	for _, o := range keyOps {
		if o.code != txscript.OP_DATA_33 {
			return nil, false
		}
		if _, err := btcec.ParsePubKey(o.data); err != nil {
			return nil, false
		}
		ms.keys = append(ms.keys, o.data)
		b.AddData(o.data)
	}
	canon, err := b.AddInt64(int64(n)).AddOp(txscript.OP_CHECKMULTISIG).Script()
	if err != nil || !bytes.Equal(canon, s) {
		return nil, false
	}
	return ms, true
}

// has reports whether key (33 bytes) is one of the script's keys.
func (ms *msScript) has(key []byte) bool {
	return slices.ContainsFunc(ms.keys, func(k []byte) bool { return bytes.Equal(k, key) })
}

// msCoin is a multisig coin or output: its witness script and whether it is
// nested in p2sh.
type msCoin struct {
	ws     []byte
	ms     *msScript
	nested bool
}

// kind names the coin's script type for messages.
func (c *msCoin) kind() string {
	if c.nested {
		return "p2sh-p2wsh"
	}
	return "p2wsh"
}

// bip48Script is the BIP48 script type step of the coin's kind.
func (c *msCoin) bip48Script() uint32 {
	if c.nested {
		return 1
	}
	return 2
}

// multisigCoin recognizes a multisig coin from the script it pays, its
// redeem script and its witness script. It does not check the hashes
// (checkInputScripts does, for inputs).
func multisigCoin(pkScript, redeem, ws []byte) (*msCoin, bool) {
	if len(ws) == 0 {
		return nil, false
	}
	c := &msCoin{ws: ws}
	switch {
	case txscript.IsPayToWitnessScriptHash(pkScript) && len(redeem) == 0:
	case txscript.IsPayToScriptHash(pkScript) && txscript.IsPayToWitnessScriptHash(redeem):
		c.nested = true
	default:
		return nil, false
	}
	ms, ok := parseMultisigScript(ws)
	if !ok {
		return nil, false
	}
	c.ms = ms
	return c, true
}

// inputMultisig returns the multisig coin input i spends, if it is one.
func inputMultisig(in *psbt.PInput, prev *wire.TxOut) (*msCoin, bool) {
	if prev == nil {
		return nil, false
	}
	return multisigCoin(prev.PkScript, in.RedeemScript, in.WitnessScript)
}

// msPolicy is who can spend a multisig coin, as the PSBT describes it: the
// threshold, the number of keys, the script type, and the cosigners
// (master fingerprint and account path of each key's origin), with the
// branch and index all keys share.
type msPolicy struct {
	m, n      int
	nested    bool
	cosigners []string
	branch    uint32
	index     uint32
}

// same reports whether two policies are the same, wherever in the accounts
// they are.
func (a *msPolicy) same(b *msPolicy) bool {
	return a.m == b.m && a.n == b.n && a.nested == b.nested && slices.Equal(a.cosigners, b.cosigners)
}

// String describes a policy, e.g. "2-of-3 p2wsh".
func (a *msPolicy) String() string {
	kind := "p2wsh"
	if a.nested {
		kind = "p2sh-p2wsh"
	}
	return fmt.Sprintf("%d-of-%d %s", a.m, a.n, kind)
}

// cosignerID names a cosigner's account: its fingerprint and the path of
// its account key.
func cosignerID(fp uint32, account []uint32) string {
	return fmt.Sprintf("%08x%s", fp, strings.TrimPrefix(formatPath(account), "m"))
}

// globalXPubs maps cosigner accounts (cosignerID) to the extended public
// keys the PSBT lists for them.
type globalXPubs map[string]*hdkeychain.ExtendedKey

// packetXPubs reads the PSBT's global extended public keys; entries that do
// not decode are left out.
func packetXPubs(p *psbt.Packet) globalXPubs {
	out := globalXPubs{}
	for _, x := range p.XPubs {
		k, err := psbt.DecodeExtendedKey(slices.Clone(x.ExtendedKey))
		if err != nil || k.IsPrivate() {
			continue
		}
		out[cosignerID(fromPSBT(x.MasterKeyFingerprint), x.Bip32Path)] = k
	}
	return out
}

// policyOf works out the policy of a multisig coin from its key origins,
// checking that the script is the multi() they imply: every script key has
// a key origin, every key origin's key is in the script, and all keys are at
// the same branch and index (at least two steps deep). Keys whose cosigner
// account has a global xpub must derive from it; with requireXPubs, every
// cosigner must have one. It returns a sentence saying what is wrong
// instead when it is not.
func policyOf(c *msCoin, derivs []*psbt.Bip32Derivation, xpubs globalXPubs, requireXPubs bool) (*msPolicy, string) {
	pol := &msPolicy{m: c.ms.m, n: len(c.ms.keys), nested: c.nested}
	first := true
	for _, key := range c.ms.keys {
		var d *psbt.Bip32Derivation
		for _, x := range derivs {
			if x != nil && bytes.Equal(x.PubKey, key) {
				d = x
				break
			}
		}
		if d == nil {
			return nil, fmt.Sprintf("key %x of its witness script has no key origin (BIP32 derivation), so the script is not the multisig its key origins describe", key)
		}
		path := d.Bip32Path
		if len(path) < 2 {
			return nil, fmt.Sprintf("the key origin %s of a cosigner is not a branch and index below an account key", formatPath(path))
		}
		branch, index := path[len(path)-2], path[len(path)-1]
		if first {
			pol.branch, pol.index, first = branch, index, false
		} else if branch != pol.branch || index != pol.index {
			return nil, fmt.Sprintf("its cosigners' keys are at different addresses (%s and …/%d/%d); a multisig descriptor derives every key at the same branch and index",
				formatPath(path), pol.branch, pol.index)
		}
		fp := Fingerprint(d)
		id := cosignerID(fp, path[:len(path)-2])
		if x, ok := xpubs[id]; ok {
			if !derivesKey(x, branch, index, key) {
				return nil, fmt.Sprintf("the key of cosigner %08x at %s does not derive from the extended public key the PSBT lists for it", fp, formatPath(path))
			}
		} else if requireXPubs {
			return nil, fmt.Sprintf("the PSBT does not list cosigner %08x's extended public key (global xpub) for %s, so its key there cannot be checked",
				fp, formatPath(path[:len(path)-2]))
		}
		pol.cosigners = append(pol.cosigners, id)
	}
	for _, x := range derivs {
		if x != nil && !c.ms.has(x.PubKey) {
			return nil, fmt.Sprintf("its key origin %08x at %s names a key that is not in the witness script", Fingerprint(x), formatPath(x.Bip32Path))
		}
	}
	slices.Sort(pol.cosigners)
	for k := 1; k < len(pol.cosigners); k++ {
		if pol.cosigners[k] == pol.cosigners[k-1] {
			return nil, fmt.Sprintf("two of its keys come from the same cosigner account %s", pol.cosigners[k])
		}
	}
	return pol, ""
}

// derivesKey reports whether x/branch/index is key.
func derivesKey(x *hdkeychain.ExtendedKey, branch, index uint32, key []byte) bool {
	b, err := x.Derive(branch)
	if err != nil {
		return false
	}
	k, err := b.Derive(index)
	if err != nil {
		return false
	}
	pub, err := k.ECPubKey()
	return err == nil && bytes.Equal(pub.SerializeCompressed(), key)
}

// isBIP48Path reports whether path is m/48h/coin'/account'/script'/branch/
// index for the network's coin type, the coin's script type step and
// branch 0 or 1.
func isBIP48Path(path []uint32, c *msCoin, net *chaincfg.Params) bool {
	const h = hdkeychain.HardenedKeyStart
	return len(path) == 6 && path[0] == 48+h && path[1] == net.HDCoinType+h &&
		path[2] >= h && path[3] == c.bip48Script()+h && path[4] <= 1 && path[5] < h
}

// bip48Shape writes the BIP48 path a coin's key should have, for messages.
func bip48Shape(c *msCoin, net *chaincfg.Params) string {
	return fmt.Sprintf("m/48h/%dh/ACCOUNTh/%dh/BRANCH/INDEX", net.HDCoinType, c.bip48Script())
}

// ourMultisigKey is one of this seed's keys in a multisig input or output.
type ourMultisigKey struct {
	path []uint32
	pub  *btcec.PublicKey
}

// ourMultisigKeys returns the key origins with the seed's fingerprint whose
// keys the seed derives at a BIP48 path of the coin's kind, and when there
// is none, a sentence saying why.
func ourMultisigKeys(c *msCoin, derivs []*psbt.Bip32Derivation, keys KeySource, net *chaincfg.Params) ([]ourMultisigKey, string) {
	var out []ourMultisigKey
	why := ""
	for _, d := range derivs {
		if d == nil || Fingerprint(d) != keys.Fingerprint() {
			continue
		}
		path := d.Bip32Path
		if !isBIP48Path(path, c, net) {
			if why == "" {
				why = fmt.Sprintf("its key path %s is not a BIP48 path for %s on %s (%s)", formatPath(path), c.kind(), net.Name, bip48Shape(c, net))
			}
			continue
		}
		pub, err := keys.PublicKey(path)
		if err != nil || !sameKey(d.PubKey, pub) {
			if why == "" {
				why = fmt.Sprintf("the key it records at %s is not the one this wallet derives there", formatPath(path))
			}
			continue
		}
		if !c.ms.has(pub.SerializeCompressed()) {
			if why == "" {
				why = fmt.Sprintf("this wallet's key at %s is not in the coin's witness script", formatPath(path))
			}
			continue
		}
		out = append(out, ourMultisigKey{path: path, pub: pub})
	}
	return out, why
}

// signatureCount returns how many of a multisig input's keys have signed
// it (partial signatures by keys of the script).
func signatureCount(in *psbt.PInput, c *msCoin) int {
	n := 0
	for _, k := range c.ms.keys {
		for _, ps := range in.PartialSigs {
			if ps != nil && bytes.Equal(ps.PubKey, k) {
				n++
				break
			}
		}
	}
	return n
}

// planMultisig plans the signatures of multisig input i, which spends prev,
// by this seed's keys. It returns the jobs, or a note saying why the input
// is left alone, or an error when the PSBT is inconsistent.
func planMultisig(p *psbt.Packet, i int, prev *wire.TxOut, c *msCoin, keys KeySource,
	cfg *config, net *chaincfg.Params, hashes func() *txscript.TxSigHashes) ([]signJob, string, error) {

	in := &p.Inputs[i]
	mine, why := ourMultisigKeys(c, in.Bip32Derivation, keys, net)
	if len(mine) == 0 {
		if why == "" {
			_, why = matchOrigins(origins(in.Bip32Derivation, in.TaprootBip32Derivation), cfg.accounts)
		}
		return nil, why, nil
	}
	if err := checkInputScripts(p, i, prev); err != nil {
		return nil, "", err
	}
	pol, why := policyOf(c, in.Bip32Derivation, packetXPubs(p), false)
	if pol == nil {
		return nil, "", newError(ErrMultisigPolicy, nil, "input %d spends a %d-of-%d %s coin, but %s; refusing to sign",
			i, c.ms.m, len(c.ms.keys), c.kind(), why)
	}
	proof, err := amountProof(p, i, prev, cfg)
	if err != nil {
		return nil, "", err
	}
	if !proof.Proven() {
		return nil, "", unprovenError(i, prev)
	}
	if err := checkSighashECDSA(in, i); err != nil {
		return nil, "", err
	}
	var jobs []signJob
	for _, k := range mine {
		if signedBy(in, k.pub) {
			continue
		}
		digest, err := segwitV0SigHash(p.UnsignedTx, i, c.ws, prev.Value, hashes())
		if err != nil {
			return nil, "", newError(ErrSigning, err, "input %d: cannot compute its sighash: %v", i, err)
		}
		jobs = append(jobs, signJob{input: i, kind: sigECDSA, path: k.path, pub: k.pub,
			digest: digest, hashType: txscript.SigHashAll, setWitness: copyTxOut(prev), policy: pol})
	}
	if len(jobs) == 0 {
		return nil, "it is already signed by this wallet", nil
	}
	return jobs, "", nil
}

// msOutputs checks outputs that claim to be a multisig of this wallet's:
// the policies of the inputs being signed (or reviewed), the seed's keys
// when signing (nil when reviewing), the network and the PSBT's global
// xpubs.
type msOutputs struct {
	policies []*msPolicy
	keys     KeySource
	fp       uint32
	net      *chaincfg.Params
	xpubs    globalXPubs
}

// check checks output j, which names the wallet's fingerprint. handled is
// false when the output is not a multisig at all (the single-key rules then
// apply). A multisig output is this wallet's change when it pays the policy
// of an input being signed, with this wallet's key at a BIP48 path (derived
// from the seed when signing) and every cosigner's key checked against its
// global xpub.
func (c *msOutputs) check(p *psbt.Packet, j int) (key *accountKey, handled bool, err error) {
	out := &p.Outputs[j]
	script := p.UnsignedTx.TxOut[j].PkScript
	coin, ok := multisigCoin(script, out.RedeemScript, out.WitnessScript)
	if !ok {
		return nil, false, nil
	}
	var ourPath []uint32
	for _, d := range out.Bip32Derivation {
		if d != nil && Fingerprint(d) == c.fp {
			ourPath = d.Bip32Path
			break
		}
	}
	mismatch := func(why string, args ...any) (*accountKey, bool, error) {
		return nil, true, newError(ErrChangeMismatch, nil, "output %d claims to be this wallet's multisig change "+
			"(key at %s) but %s; refusing to sign", j, formatPath(ourPath), fmt.Sprintf(why, args...))
	}
	want := p2wshScript(coin.ws)
	if coin.nested {
		if !bytes.Equal(out.RedeemScript, want) {
			return mismatch("its redeem script is not the p2wsh of its witness script")
		}
		want = p2shScript(out.RedeemScript)
	}
	if !bytes.Equal(script, want) {
		return mismatch("its script is not the %s of its witness script", coin.kind())
	}
	pol, why := policyOf(coin, out.Bip32Derivation, c.xpubs, true)
	if pol == nil {
		return mismatch("%s", why)
	}
	if !isBIP48Path(ourPath, coin, c.net) {
		return mismatch("that is not a BIP48 path for %s on %s (%s)", coin.kind(), c.net.Name, bip48Shape(coin, c.net))
	}
	if c.keys != nil {
		pub, err := c.keys.PublicKey(ourPath)
		if err != nil || !coin.ms.has(pub.SerializeCompressed()) {
			return mismatch("the key there is not the one this wallet derives")
		}
	}
	if len(c.policies) == 0 {
		return mismatch("none of the inputs is a multisig of this wallet's to compare it with")
	}
	for _, in := range c.policies {
		if in.same(pol) {
			return &accountKey{path: ourPath, branch: pol.branch, index: pol.index}, true, nil
		}
	}
	in := c.policies[0]
	switch {
	case in.m != pol.m || in.n != pol.n:
		return mismatch("it pays a %s multisig, and the inputs are %s", pol, in)
	case in.nested != pol.nested:
		return mismatch("it pays a %s multisig, and the inputs are %s", pol, in)
	}
	return mismatch("its cosigners (%s) are not the inputs' (%s)", strings.Join(pol.cosigners, ", "), strings.Join(in.cosigners, ", "))
}

// reviewPolicies returns the policies of the PSBT's multisig inputs that
// name fingerprint fp and are consistent (for a review, without the seed).
func reviewPolicies(p *psbt.Packet, prevs []*wire.TxOut, fp uint32, xpubs globalXPubs) []*msPolicy {
	var out []*msPolicy
	for i := range p.Inputs {
		in := &p.Inputs[i]
		c, ok := inputMultisig(in, prevs[i])
		if !ok || !slices.ContainsFunc(in.Bip32Derivation, func(d *psbt.Bip32Derivation) bool {
			return d != nil && Fingerprint(d) == fp
		}) {
			continue
		}
		if pol, _ := policyOf(c, in.Bip32Derivation, xpubs, false); pol != nil {
			out = append(out, pol)
		}
	}
	return out
}

// unprovenError is the refusal to sign input i, whose amount only the PSBT
// states.
func unprovenError(i int, prev *wire.TxOut) error {
	return newError(ErrUnprovenAmount, nil, "input %d "+
		"spends a %s coin whose amount (%s) only the PSBT "+
		"states: its signature would not commit to the other "+
		"inputs' amounts, so a false amount could hide a much "+
		"larger fee. Add its previous transaction (non-witness "+
		"UTXO) to the PSBT, or sync this wallet so its records "+
		"hold it; refusing to sign", i, coinKind(prev.PkScript),
		amount.FormatBTC(btcutil.Amount(prev.Value)))
}
