// Package bip322 signs and verifies messages with Bitcoin addresses: the
// generic signed message format of BIP322 for segwit and taproot addresses
// ("simple" signatures: a witness stack, base64), and the legacy "Bitcoin
// Signed Message" format for P2PKH addresses, which BIP322 keeps for them.
//
// A BIP322 signature is a spend of a virtual output: to_spend commits to
// the message hash and pays the address's script; to_sign spends it. The
// verifier builds both and runs the script interpreter of txscript over
// to_sign, so no wallet and no chain are needed. The signer gets its keys
// from a KeySigner (keystore.Signer is one), which never hands out private
// keys.
//
// The package imports nothing of satchel's.
package bip322

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// tag is the BIP340 tag of the message hash.
const tag = "BIP0322-signed-message"

// legacyMagic prefixes a message in the legacy format.
const legacyMagic = "Bitcoin Signed Message:\n"

// ErrInvalid is wrapped by every error of Verify that means the signature
// does not prove the address signed the message (as opposed to a bad
// address or an unsupported kind of address).
var ErrInvalid = errors.New("invalid signature")

// ErrUnsupported is returned for addresses this package cannot sign for.
var ErrUnsupported = errors.New("unsupported address type")

// KeySigner signs digests with the key at a derivation path.
// keystore.Signer implements it.
type KeySigner interface {
	PublicKey(path []uint32) (*btcec.PublicKey, error)
	SignECDSA(path []uint32, digest []byte) (*ecdsa.Signature, error)
	SignSchnorr(path []uint32, digest []byte, merkleRoot []byte) (*schnorr.Signature, error)
}

// MessageHash returns the BIP322 hash of a message: SHA-256 tagged with
// "BIP0322-signed-message".
func MessageHash(msg []byte) chainhash.Hash {
	return *chainhash.TaggedHash([]byte(tag), msg)
}

// ToSpend returns the virtual transaction whose only output, paying
// challenge (the address's script), a signature spends.
func ToSpend(challenge, msg []byte) *wire.MsgTx {
	h := MessageHash(msg)
	sigScript, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(h[:]).Script()
	tx := wire.NewMsgTx(0)
	tx.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Index: 0xffffffff},
		SignatureScript:  sigScript,
		Sequence:         0,
	})
	tx.AddTxOut(&wire.TxOut{Value: 0, PkScript: challenge})
	return tx
}

// ToSign returns the unsigned virtual transaction that spends toSpend's
// output to an OP_RETURN.
func ToSign(toSpend *wire.MsgTx) *wire.MsgTx {
	tx := wire.NewMsgTx(0)
	tx.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Hash: toSpend.TxHash(), Index: 0},
		Sequence:         0,
	})
	tx.AddTxOut(&wire.TxOut{Value: 0, PkScript: []byte{txscript.OP_RETURN}})
	return tx
}

// Sign signs msg with the key at path, which must be the key of addr, and
// returns the base64 signature: legacy for a P2PKH address, BIP322 simple
// for P2WPKH, P2SH-P2WPKH and P2TR (key path, BIP86: no script tree).
func Sign(addr address.Address, msg []byte, s KeySigner, path []uint32) (string, error) {
	pub, err := s.PublicKey(path)
	if err != nil {
		return "", err
	}
	compressed := pub.SerializeCompressed()
	net := chainParamsOf(addr)
	switch a := addr.(type) {
	case *address.AddressPubKeyHash:
		if !bytes.Equal(a.Hash160()[:], address.Hash160(compressed)) {
			return "", errNotKey(addr)
		}
		return signLegacy(msg, s, path, pub)
	case *address.AddressWitnessPubKeyHash:
		if !bytes.Equal(a.WitnessProgram(), address.Hash160(compressed)) {
			return "", errNotKey(addr)
		}
		return signWitnessV0(addr, msg, s, path, compressed, nil)
	case *address.AddressScriptHash:
		wpkh, err := address.NewAddressWitnessPubKeyHash(address.Hash160(compressed), net)
		if err != nil {
			return "", err
		}
		redeem, _ := txscript.PayToAddrScript(wpkh)
		if !bytes.Equal(a.Hash160()[:], address.Hash160(redeem)) {
			return "", fmt.Errorf("%w: %s is not the P2SH-P2WPKH address of this key "+
				"(other P2SH scripts cannot be signed)", ErrUnsupported, addr.EncodeAddress())
		}
		return signWitnessV0(addr, msg, s, path, compressed, redeem)
	case *address.AddressTaproot:
		out := txscript.ComputeTaprootKeyNoScript(pub)
		if !bytes.Equal(a.WitnessProgram(), schnorr.SerializePubKey(out)) {
			return "", errNotKey(addr)
		}
		return signTaproot(addr, msg, s, path)
	}
	return "", fmt.Errorf("%w: %s (sign with a P2PKH, P2WPKH, P2SH-P2WPKH or P2TR address)",
		ErrUnsupported, addr.EncodeAddress())
}

func errNotKey(addr address.Address) error {
	return fmt.Errorf("the key found for %s does not pay it", addr.EncodeAddress())
}

// chainParamsOf returns a network the address is valid for; only its
// prefixes matter to the addresses built from it.
func chainParamsOf(addr address.Address) *chaincfg.Params {
	for _, p := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params,
		&chaincfg.RegressionNetParams, &chaincfg.SigNetParams} {
		if addr.IsForNet(p) {
			return p
		}
	}
	return &chaincfg.MainNetParams
}

// virtualTxs returns to_spend and the unsigned to_sign for addr and msg.
func virtualTxs(addr address.Address, msg []byte) (toSpend, toSign *wire.MsgTx, script []byte, err error) {
	script, err = txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %s", ErrUnsupported, addr.EncodeAddress())
	}
	toSpend = ToSpend(script, msg)
	return toSpend, ToSign(toSpend), script, nil
}

func signWitnessV0(addr address.Address, msg []byte, s KeySigner, path []uint32, pub, redeem []byte) (string, error) {
	_, toSign, script, err := virtualTxs(addr, msg)
	if err != nil {
		return "", err
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(script, 0)
	hashes := txscript.NewTxSigHashes(toSign, fetcher)
	pkh, _ := address.NewAddressPubKeyHash(address.Hash160(pub), chainParamsOf(addr))
	scriptCode, _ := txscript.PayToAddrScript(pkh)
	digest, err := txscript.CalcWitnessSigHash(scriptCode, hashes, txscript.SigHashAll, toSign, 0, 0)
	if err != nil {
		return "", err
	}
	sig, err := s.SignECDSA(path, digest)
	if err != nil {
		return "", err
	}
	return encodeWitness(wire.TxWitness{append(sig.Serialize(), byte(txscript.SigHashAll)), pub}), nil
}

func signTaproot(addr address.Address, msg []byte, s KeySigner, path []uint32) (string, error) {
	_, toSign, script, err := virtualTxs(addr, msg)
	if err != nil {
		return "", err
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(script, 0)
	hashes := txscript.NewTxSigHashes(toSign, fetcher)
	// SIGHASH_ALL, written out, as BIP322 requires and its vector uses.
	digest, err := txscript.CalcTaprootSignatureHash(hashes, txscript.SigHashAll, toSign, 0, fetcher)
	if err != nil {
		return "", err
	}
	sig, err := s.SignSchnorr(path, digest, nil)
	if err != nil {
		return "", err
	}
	return encodeWitness(wire.TxWitness{append(sig.Serialize(), byte(txscript.SigHashAll))}), nil
}

// legacyHash is the digest of the legacy format.
func legacyHash(msg []byte) []byte {
	var b bytes.Buffer
	_ = wire.WriteVarString(&b, 0, legacyMagic)
	_ = wire.WriteVarBytes(&b, 0, msg)
	return chainhash.DoubleHashB(b.Bytes())
}

// signLegacy makes the 65-byte recoverable signature of the legacy format
// from a plain ECDSA signature, finding the recovery id by trying each.
func signLegacy(msg []byte, s KeySigner, path []uint32, pub *btcec.PublicKey) (string, error) {
	h := legacyHash(msg)
	sig, err := s.SignECDSA(path, h)
	if err != nil {
		return "", err
	}
	r, sv := sig.R(), sig.S()
	compact := make([]byte, 65)
	r.PutBytesUnchecked(compact[1:33])
	sv.PutBytesUnchecked(compact[33:65])
	for recID := byte(0); recID < 4; recID++ {
		compact[0] = 27 + 4 + recID // compressed key
		got, _, err := ecdsa.RecoverCompact(compact, h)
		if err == nil && got.IsEqual(pub) {
			return base64.StdEncoding.EncodeToString(compact), nil
		}
	}
	return "", errors.New("cannot make a recoverable signature with this key")
}

// encodeWitness writes a witness stack in consensus encoding, base64.
func encodeWitness(w wire.TxWitness) string {
	var b bytes.Buffer
	_ = wire.WriteVarInt(&b, 0, uint64(len(w)))
	for _, item := range w {
		_ = wire.WriteVarBytes(&b, 0, item)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// decodeWitness reads a consensus-encoded witness stack that fills data
// exactly.
func decodeWitness(data []byte) (wire.TxWitness, error) {
	r := bytes.NewReader(data)
	n, err := wire.ReadVarInt(r, 0)
	if err != nil || n == 0 || n > 1000 {
		return nil, errors.New("not a witness stack")
	}
	w := make(wire.TxWitness, 0, n)
	for range n {
		item, err := wire.ReadVarBytes(r, 0, 10000, "witness item")
		if err != nil {
			return nil, errors.New("not a witness stack")
		}
		w = append(w, item)
	}
	if r.Len() != 0 {
		return nil, errors.New("bytes follow the witness stack")
	}
	return w, nil
}

// Verify checks that sig, base64, is a signature of msg by addr: a legacy
// signature for a P2PKH address (also accepted for P2WPKH and P2SH-P2WPKH,
// which some wallets write), else a BIP322 simple or full signature. It
// returns nil when valid; an error that wraps ErrInvalid when not.
func Verify(addr address.Address, msg []byte, sig string) error {
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) == 0 {
		return fmt.Errorf("%w: the signature is not base64", ErrInvalid)
	}
	if _, ok := addr.(*address.AddressPubKeyHash); ok {
		if len(raw) == 65 {
			return verifyLegacy(addr, msg, raw)
		}
		return verifyFull(addr, msg, raw)
	}
	w, werr := decodeWitness(raw)
	if werr != nil {
		if len(raw) == 65 {
			return verifyLegacy(addr, msg, raw)
		}
		return verifyFull(addr, msg, raw)
	}
	_, toSign, script, err := virtualTxs(addr, msg)
	if err != nil {
		return err
	}
	toSign.TxIn[0].Witness = w
	if _, ok := addr.(*address.AddressScriptHash); ok {
		// A simple signature carries only the witness: the redeem
		// script is the witness program of its last item.
		last := w[len(w)-1]
		var redeem []byte
		if len(w) == 2 && len(last) == 33 {
			redeem = append([]byte{txscript.OP_0, 20}, address.Hash160(last)...)
		} else {
			h := chainhash.HashB(last)
			redeem = append([]byte{txscript.OP_0, 32}, h...)
		}
		toSign.TxIn[0].SignatureScript, _ = txscript.NewScriptBuilder().AddData(redeem).Script()
	}
	return runScript(script, toSign)
}

// verifyFull checks a full signature: the to_sign transaction itself.
func verifyFull(addr address.Address, msg []byte, raw []byte) error {
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return fmt.Errorf("%w: the signature is neither a witness, a transaction nor a legacy signature", ErrInvalid)
	}
	toSpend, want, script, err := virtualTxs(addr, msg)
	if err != nil {
		return err
	}
	switch {
	case tx.Version != 0 && tx.Version != 2:
		return fmt.Errorf("%w: to_sign has version %d", ErrInvalid, tx.Version)
	case len(tx.TxIn) != 1:
		return fmt.Errorf("%w: proofs of funds (several inputs) are not supported", ErrInvalid)
	case tx.TxIn[0].PreviousOutPoint != (wire.OutPoint{Hash: toSpend.TxHash(), Index: 0}):
		return fmt.Errorf("%w: the signature is for another message or address", ErrInvalid)
	case len(tx.TxOut) != 1 || tx.TxOut[0].Value != 0 || !bytes.Equal(tx.TxOut[0].PkScript, want.TxOut[0].PkScript):
		return fmt.Errorf("%w: to_sign must have one empty OP_RETURN output", ErrInvalid)
	}
	return runScript(script, &tx)
}

// runScript runs the interpreter over to_sign's first input spending the
// zero-value output paying script, with the standard rules (low S, strict
// encoding, null fail, minimal data, clean stack, minimal if).
func runScript(script []byte, toSign *wire.MsgTx) error {
	fetcher := txscript.NewCannedPrevOutputFetcher(script, 0)
	hashes := txscript.NewTxSigHashes(toSign, fetcher)
	vm, err := txscript.NewEngine(script, toSign, 0, txscript.StandardVerifyFlags, nil, hashes, 0, fetcher)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := vm.Execute(); err != nil {
		return fmt.Errorf("%w: it was not made by this address's key for this message (%v)", ErrInvalid, err)
	}
	return nil
}

// verifyLegacy checks a 65-byte recoverable signature: the key it recovers
// must pay addr.
func verifyLegacy(addr address.Address, msg []byte, raw []byte) error {
	if raw[0] >= 35 && raw[0] <= 42 {
		// BIP137 headers for segwit keys (35-38 P2SH-P2WPKH, 39-42
		// P2WPKH): the same recovery ids, compressed.
		raw = append([]byte{31 + (raw[0]-35)%4}, raw[1:]...)
	}
	pub, compressed, err := ecdsa.RecoverCompact(raw, legacyHash(msg))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var key []byte
	if compressed {
		key = pub.SerializeCompressed()
	} else {
		key = pub.SerializeUncompressed()
	}
	net := chainParamsOf(addr)
	var got address.Address
	switch addr.(type) {
	case *address.AddressPubKeyHash:
		got, err = address.NewAddressPubKeyHash(address.Hash160(key), net)
	case *address.AddressWitnessPubKeyHash:
		if compressed {
			got, err = address.NewAddressWitnessPubKeyHash(address.Hash160(key), net)
		}
	case *address.AddressScriptHash:
		if compressed {
			redeem := append([]byte{txscript.OP_0, 20}, address.Hash160(key)...)
			got, err = address.NewAddressScriptHash(redeem, net)
		}
	default:
		return fmt.Errorf("%w: a legacy signature cannot sign for %s", ErrInvalid, addr.EncodeAddress())
	}
	if err != nil || got == nil || got.EncodeAddress() != addr.EncodeAddress() {
		return fmt.Errorf("%w: it was made by another key", ErrInvalid)
	}
	return nil
}
