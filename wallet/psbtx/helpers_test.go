package psbtx

import (
	"bytes"
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/keystore"
)

// netParams is the network of the test wallets.
var netParams = &chaincfg.RegressionNetParams

// The test wallets.
const (
	// testMnemonic is the BIP39 test mnemonic "abandon ×11 about".
	testMnemonic = "abandon abandon abandon abandon abandon abandon " +
		"abandon abandon abandon abandon abandon about"

	// testFingerprint is the master fingerprint of testMnemonic, as
	// every wallet shows it ([73c5da0a/84h/...]).
	testFingerprint = 0x73c5da0a

	// otherMnemonic is another valid BIP39 mnemonic.
	otherMnemonic = "legal winner thank year wave sausage worth useful " +
		"legal winner thank yellow"
)

// newTestSigner returns a Signer for a mnemonic on regtest, closed when the
// test ends.
func newTestSigner(t testing.TB, mnemonic string) *keystore.Signer {
	t.Helper()
	sec, err := keystore.NewSecret(mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	defer sec.Zero()
	s, err := keystore.NewSigner(sec, netParams)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// scriptType is a single-key script type a wallet account uses.
type scriptType int

// The script types.
const (
	typeP2PKH scriptType = iota
	typeP2SHP2WPKH
	typeP2WPKH
	typeP2TR
)

// allTypes lists the four script types.
var allTypes = []scriptType{typeP2PKH, typeP2SHP2WPKH, typeP2WPKH, typeP2TR}

// String names the type.
func (s scriptType) String() string {
	return [...]string{"p2pkh", "p2sh-p2wpkh", "p2wpkh", "p2tr"}[s]
}

// purpose is the BIP44/49/84/86 purpose of the type's account.
func (s scriptType) purpose() uint32 {
	return [...]uint32{44, 49, 84, 86}[s]
}

// walletPath returns m/purpose'/1'/0'/change/index.
func walletPath(s scriptType, change, index uint32) []uint32 {
	h := uint32(hdkeychain.HardenedKeyStart)
	return []uint32{s.purpose() + h, 1 + h, 0 + h, change, index}
}

// walletKey is a key of a test wallet and the script it receives on.
type walletKey struct {
	kind   scriptType
	path   []uint32
	pub    *btcec.PublicKey
	script []byte
	redeem []byte // p2sh-p2wpkh only
}

// deriveKey returns the key of signer s at m/purpose'/1'/0'/change/index
// for kind, and its script.
func deriveKey(t testing.TB, s *keystore.Signer, kind scriptType, change,
	index uint32) *walletKey {

	t.Helper()
	path := walletPath(kind, change, index)
	pub, err := s.PublicKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k := &walletKey{kind: kind, path: path, pub: pub}
	h := address.Hash160(pub.SerializeCompressed())
	switch kind {
	case typeP2PKH:
		k.script = p2pkhScript(h)
	case typeP2SHP2WPKH:
		k.redeem = p2wpkhScript(h)
		k.script = p2shScript(k.redeem)
	case typeP2WPKH:
		k.script = p2wpkhScript(h)
	case typeP2TR:
		k.script = p2trScript(txscript.ComputeTaprootKeyNoScript(pub))
	}
	return k
}

// outputDerivation records k in output o as a BIP32 or taproot derivation
// of the wallet with fingerprint fp.
func (k *walletKey) outputDerivation(o *psbt.POutput, fp uint32) {
	if k.kind == typeP2TR {
		o.TaprootInternalKey = schnorr.SerializePubKey(k.pub)
		o.TaprootBip32Derivation = append(o.TaprootBip32Derivation,
			NewTaprootBip32Derivation(fp, k.pub, k.path))
		return
	}
	if k.kind == typeP2SHP2WPKH {
		o.RedeemScript = k.redeem
	}
	o.Bip32Derivation = append(o.Bip32Derivation,
		NewBip32Derivation(fp, k.pub, k.path))
}

// coin is a fake unspent output paying to a wallet key: output 1 of prevTx.
type coin struct {
	key    *walletKey
	value  int64
	prevTx *wire.MsgTx
}

// newCoin makes a previous transaction paying value to k at output 1 (output
// 0 pays elsewhere, so that the index matters).
func newCoin(k *walletKey, value int64) *coin {
	seed := sha256.Sum256(append([]byte(k.kind.String()), k.script...))
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint((*chainhash.Hash)(&seed), 7),
		nil, nil))
	prev.AddTxOut(wire.NewTxOut(12345, externalScript("elsewhere")))
	prev.AddTxOut(wire.NewTxOut(value, k.script))
	return &coin{key: k, value: value, prevTx: prev}
}

// outPoint is the coin's outpoint.
func (c *coin) outPoint() *wire.OutPoint {
	h := c.prevTx.TxHash()
	return wire.NewOutPoint(&h, 1)
}

// txOut is the coin's output.
func (c *coin) txOut() *wire.TxOut { return c.prevTx.TxOut[1] }

// fill sets what a creator of the wallet with fingerprint fp puts in the
// input spending c, as the wallet's own CreatePSBT does: the full previous
// transaction for every coin but taproot (which proves the amount), the
// witness UTXO for segwit coins, the redeem script and the key origin.
func (c *coin) fill(in *psbt.PInput, fp uint32) {
	k := c.key
	switch k.kind {
	case typeP2PKH:
		in.NonWitnessUtxo = c.prevTx
	case typeP2SHP2WPKH:
		in.NonWitnessUtxo = c.prevTx
		in.WitnessUtxo = c.txOut()
		in.RedeemScript = k.redeem
	case typeP2WPKH:
		in.NonWitnessUtxo = c.prevTx
		in.WitnessUtxo = c.txOut()
	default:
		in.WitnessUtxo = c.txOut()
	}
	if k.kind == typeP2TR {
		in.TaprootInternalKey = schnorr.SerializePubKey(k.pub)
		in.TaprootBip32Derivation = []*psbt.TaprootBip32Derivation{
			NewTaprootBip32Derivation(fp, k.pub, k.path)}
		return
	}
	in.Bip32Derivation = []*psbt.Bip32Derivation{
		NewBip32Derivation(fp, k.pub, k.path)}
}

// accountsOf returns the four single-key accounts of s on regtest
// (m/44h/1h/0h p2pkh, m/49h/1h/0h p2sh-p2wpkh, m/84h/1h/0h p2wpkh,
// m/86h/1h/0h p2tr), as a wallet describes them to Sign.
func accountsOf(t testing.TB, s *keystore.Signer) []Account {
	t.Helper()
	var accts []Account
	for _, kind := range allTypes {
		path := walletPath(kind, 0, 0)[:3]
		xpub, err := s.AccountXPub(path)
		if err != nil {
			t.Fatal(err)
		}
		accts = append(accts, Account{
			Fingerprint: s.Fingerprint(),
			Path:        path,
			Key:         xpub,
			Script:      accountScript(xpub, kind),
		})
	}
	return accts
}

// accountOf returns the account of s for one script type.
func accountOf(t testing.TB, s *keystore.Signer, kind scriptType) Account {
	return accountsOf(t, s)[kind]
}

// accountScript returns the Script function of an account of kind whose
// extended public key is xpub.
func accountScript(xpub *hdkeychain.ExtendedKey,
	kind scriptType) func(branch, index uint32) ([]byte, error) {

	return func(branch, index uint32) ([]byte, error) {
		b, err := xpub.Derive(branch)
		if err != nil {
			return nil, err
		}
		c, err := b.Derive(index)
		if err != nil {
			return nil, err
		}
		pub, err := c.ECPubKey()
		if err != nil {
			return nil, err
		}
		h := address.Hash160(pub.SerializeCompressed())
		switch kind {
		case typeP2PKH:
			return p2pkhScript(h), nil
		case typeP2SHP2WPKH:
			return p2shScript(p2wpkhScript(h)), nil
		case typeP2WPKH:
			return p2wpkhScript(h), nil
		}
		return p2trScript(txscript.ComputeTaprootKeyNoScript(pub)), nil
	}
}

// signN signs p with s and its four accounts, plus opts, and returns how
// many inputs it signed.
func signN(t testing.TB, p *psbt.Packet, s *keystore.Signer,
	opts ...Option) (int, error) {

	t.Helper()
	res, err := Sign(p, s, netParams,
		append([]Option{WithAccounts(accountsOf(t, s)...)}, opts...)...)
	if err != nil {
		return 0, err
	}
	return len(res.Signed), nil
}

// externalScript returns a p2wpkh script of a key no test wallet has.
func externalScript(label string) []byte {
	h := sha256.Sum256([]byte(label))
	return p2wpkhScript(h[:20])
}

// buildPSBT returns a PSBT spending coins (each filled by fp's creator) to
// outs.
func buildPSBT(t testing.TB, fp uint32, coins []*coin,
	outs ...*wire.TxOut) *psbt.Packet {

	t.Helper()
	tx := wire.NewMsgTx(2)
	for _, c := range coins {
		tx.AddTxIn(wire.NewTxIn(c.outPoint(), nil, nil))
	}
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	p, err := psbt.NewFromUnsignedTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range coins {
		c.fill(&p.Inputs[i], fp)
	}
	return p
}

// airGap sends p through its base64 encoding, as when it is carried to an
// offline signer and back.
func airGap(t testing.TB, p *psbt.Packet) *psbt.Packet {
	t.Helper()
	s, err := EncodeBase64(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// encode returns p's binary encoding.
func encode(t testing.TB, p *psbt.Packet) []byte {
	t.Helper()
	b, err := EncodeBinary(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// verifyTx runs the script engine with the standard flags on every input of
// tx against the coins it spends, in order.
func verifyTx(tx *wire.MsgTx, coins []*coin) error {
	prevs := make(map[wire.OutPoint]*wire.TxOut)
	for _, c := range coins {
		prevs[*c.outPoint()] = c.txOut()
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevs)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, c := range coins {
		vm, err := txscript.NewEngine(c.txOut().PkScript, tx, i,
			txscript.StandardVerifyFlags, nil, hashes, c.value,
			fetcher)
		if err != nil {
			return err
		}
		if err := vm.Execute(); err != nil {
			return err
		}
	}
	return nil
}

// hasWarning reports whether a warning of r contains s.
func hasWarning(r *Review, s string) bool {
	for _, w := range r.Warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// itoa formats an int.
func itoa(i int) string { return strconv.Itoa(i) }

// noSignatures reports whether no input of p carries a signature.
func noSignatures(p *psbt.Packet) bool {
	for i := range p.Inputs {
		if hasSignatures(&p.Inputs[i]) {
			return false
		}
	}
	return true
}

// sameBytes reports whether two packets encode identically.
func sameBytes(t testing.TB, a, b *psbt.Packet) bool {
	t.Helper()
	return bytes.Equal(encode(t, a), encode(t, b))
}
