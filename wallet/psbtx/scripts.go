package psbtx

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/chainhash/v2"
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

// paysToKey reports whether script pays to pub alone in one of the forms a
// single-key wallet uses: p2pkh, p2wpkh, p2sh-p2wpkh or p2pk.
func paysToKey(script []byte, pub *btcec.PublicKey) bool {
	compressed := pub.SerializeCompressed()
	h := address.Hash160(compressed)
	wpkh := p2wpkhScript(h)
	p2pk := append(append([]byte{txscript.OP_DATA_33}, compressed...),
		txscript.OP_CHECKSIG)
	return bytes.Equal(script, p2pkhScript(h)) ||
		bytes.Equal(script, wpkh) ||
		bytes.Equal(script, p2shScript(wpkh)) ||
		bytes.Equal(script, p2pk)
}

// scriptCommitsToKey reports whether script is a p2sh, p2wsh or
// p2sh-p2wsh commitment to a redeem or witness script that pushes pub, as a
// multisig output does. redeem and witness are the scripts the PSBT gives.
func scriptCommitsToKey(script, redeem, witness []byte,
	pub *btcec.PublicKey) bool {

	switch {
	case len(witness) > 0:
		if !pushesKey(witness, pub) {
			return false
		}
		wsh := p2wshScript(witness)
		return bytes.Equal(script, wsh) ||
			bytes.Equal(script, p2shScript(wsh)) &&
				(len(redeem) == 0 || bytes.Equal(redeem, wsh))
	case len(redeem) > 0:
		return pushesKey(redeem, pub) &&
			bytes.Equal(script, p2shScript(redeem))
	}
	return false
}

// pushesKey reports whether script pushes pub (compressed or not) as data.
func pushesKey(script []byte, pub *btcec.PublicKey) bool {
	pushes, err := txscript.PushedData(script)
	if err != nil {
		return false
	}
	c, u := pub.SerializeCompressed(), pub.SerializeUncompressed()
	for _, d := range pushes {
		if bytes.Equal(d, c) || bytes.Equal(d, u) {
			return true
		}
	}
	return false
}

// sameKey reports whether the serialized key b (33 or 65 bytes) is pub.
func sameKey(b []byte, pub *btcec.PublicKey) bool {
	k, err := btcec.ParsePubKey(b)
	return err == nil && k.IsEqual(pub)
}

// maxTapTreeDepth is the deepest a leaf of a taproot script tree may be
// (BIP341: a control block holds at most 128 hashes).
const maxTapTreeDepth = 128

// tapNode is a node of a taproot tree being rebuilt, at a given depth.
type tapNode struct {
	depth int
	hash  chainhash.Hash
}

// tapTreeRoot rebuilds the merkle root of a taproot script tree from its
// PSBT_OUT_TAP_TREE serialization (BIP371): each leaf as <depth> <leaf
// version> <compact size script length> <script>, in depth-first order. It
// also returns the hash of every leaf.
func tapTreeRoot(tree []byte) ([]byte, []chainhash.Hash, error) {
	s := scanner{b: tree}
	var stack []tapNode
	var leaves []chainhash.Hash
	for s.off < len(s.b) {
		hdr, err := s.bytes(2)
		if err != nil {
			return nil, nil, errors.New("the taproot tree is cut short")
		}
		depth, version := int(hdr[0]), txscript.TapscriptLeafVersion(hdr[1])
		n, err := s.compactSize()
		if err != nil {
			return nil, nil, errors.New("the taproot tree is cut short")
		}
		script, err := s.bytes(n)
		if err != nil {
			return nil, nil, errors.New("the taproot tree is cut short")
		}
		if depth > maxTapTreeDepth {
			return nil, nil, fmt.Errorf("a taproot leaf is %d deep, "+
				"more than %d", depth, maxTapTreeDepth)
		}
		leaf := txscript.NewTapLeaf(version, script).TapHash()
		leaves = append(leaves, leaf)
		stack = append(stack, tapNode{depth: depth, hash: leaf})
		// Merge siblings while the two topmost nodes are at the same
		// depth: they are the two children of a branch one level up.
		for len(stack) >= 2 &&
			stack[len(stack)-1].depth == stack[len(stack)-2].depth {

			a, b := stack[len(stack)-2], stack[len(stack)-1]
			if a.depth == 0 {
				return nil, nil, errors.New("the taproot tree " +
					"has more than one root")
			}
			stack = stack[:len(stack)-2]
			stack = append(stack, tapNode{
				depth: a.depth - 1,
				hash:  tapBranch(a.hash, b.hash),
			})
		}
	}
	if len(stack) != 1 || stack[0].depth != 0 {
		return nil, nil, errors.New("the taproot tree is not a " +
			"complete binary tree")
	}
	root := stack[0].hash
	return root[:], leaves, nil
}

// tapBranch returns the BIP341 hash of a branch with children a and b.
func tapBranch(a, b chainhash.Hash) chainhash.Hash {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	return *chainhash.TaggedHash(chainhash.TagTapBranch, a[:], b[:])
}
