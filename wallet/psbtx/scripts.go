package psbtx

import (
	"crypto/sha256"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/txscript/v2"
)

// p2pkhScript returns OP_DUP OP_HASH160 <hash> OP_EQUALVERIFY OP_CHECKSIG.
func p2pkhScript(pkHash []byte) []byte {
	s := make([]byte, 0, 25)
	s = append(s, txscript.OP_DUP, txscript.OP_HASH160, txscript.OP_DATA_20)
	s = append(s, pkHash...)
	return append(s, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG)
}

// p2wpkhScript returns OP_0 <20-byte key hash>.
func p2wpkhScript(pkHash []byte) []byte {
	s := make([]byte, 0, 22)
	s = append(s, txscript.OP_0, txscript.OP_DATA_20)
	return append(s, pkHash...)
}

// p2shScript returns OP_HASH160 <hash160(redeem)> OP_EQUAL.
func p2shScript(redeem []byte) []byte {
	s := make([]byte, 0, 23)
	s = append(s, txscript.OP_HASH160, txscript.OP_DATA_20)
	s = append(s, address.Hash160(redeem)...)
	return append(s, txscript.OP_EQUAL)
}

// p2wshScript returns OP_0 <sha256(witnessScript)>.
func p2wshScript(witnessScript []byte) []byte {
	h := sha256.Sum256(witnessScript)
	s := make([]byte, 0, 34)
	s = append(s, txscript.OP_0, txscript.OP_DATA_32)
	return append(s, h[:]...)
}

// p2trScript returns OP_1 <x-only output key>.
func p2trScript(outputKey *btcec.PublicKey) []byte {
	s := make([]byte, 0, 34)
	s = append(s, txscript.OP_1, txscript.OP_DATA_32)
	return append(s, schnorr.SerializePubKey(outputKey)...)
}

// sameKey reports whether the serialized key b (33 or 65 bytes) is pub.
func sameKey(b []byte, pub *btcec.PublicKey) bool {
	k, err := btcec.ParsePubKey(b)
	return err == nil && k.IsEqual(pub)
}
