package verify

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
)

// minTransactionWeight is the weight of the smallest transaction consensus
// allows: 60 bytes without witness (one input and one output with empty
// scripts), each byte counting four times.
const minTransactionWeight = blockchain.WitnessScaleFactor * 60

// MaxTransactionsPerBlock is the most transactions a block can hold under
// the 4,000,000 weight limit. A block or merkleblock claiming more is
// rejected before any work proportional to the claim is done.
const MaxTransactionsPerBlock = blockchain.MaxBlockWeight / minTransactionWeight

// hashPair returns the merkle parent of two nodes: dSHA256(left || right).
func hashPair(left, right *chainhash.Hash) chainhash.Hash {
	var buf [2 * chainhash.HashSize]byte
	copy(buf[:chainhash.HashSize], left[:])
	copy(buf[chainhash.HashSize:], right[:])
	first := sha256.Sum256(buf[:])
	return chainhash.Hash(sha256.Sum256(first[:]))
}

// merkleRoot computes the merkle root of the leaves the way Bitcoin Core's
// ComputeMerkleRoot does, and reports whether the tree is mutated: whether
// at any level two nodes that are hashed together are equal. Equal siblings
// are exactly what the odd-level duplication rule produces, so a tree that
// has them can be re-encoded as a different leaf list with the same root
// (CVE-2012-2459). A valid block never has them, because its txids are
// unique.
//
// merkleRoot overwrites leaves, which needs capacity for one extra element.
// An empty leaf list yields the zero hash.
func merkleRoot(leaves []chainhash.Hash) (root chainhash.Hash, mutated bool) {
	level := leaves
	if len(level) == 0 {
		return chainhash.Hash{}, false
	}
	for len(level) > 1 {
		for i := 0; i+1 < len(level); i += 2 {
			if level[i] == level[i+1] {
				mutated = true
			}
		}
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		for i := 0; i < len(level)/2; i++ {
			level[i] = hashPair(&level[2*i], &level[2*i+1])
		}
		level = level[:len(level)/2]
	}
	return level[0], mutated
}

// couldBe64ByteTx reports whether the 64 bytes left || right parse as the
// witness-stripped serialization of a transaction that could appear in a
// block: version, exactly one input, exactly one output with an amount no
// larger than 21 million bitcoin, and locktime, with the two scripts
// together 4 bytes long. A merkle inner node whose children pass this test
// is indistinguishable, from hashes alone, from a real 64-byte
// transaction. Random hashes pass with probability about 2^-43.
func couldBe64ByteTx(left, right *chainhash.Hash) bool {
	var b [2 * chainhash.HashSize]byte
	copy(b[:chainhash.HashSize], left[:])
	copy(b[chainhash.HashSize:], right[:])

	// Layout: version[0:4] nIn[4] prevout[5:41] scriptSigLen[41]
	// scriptSig sequence(4) nOut value(8) pkScriptLen pkScript
	// locktime(4). Sixty bytes are fixed; the scripts share four.
	if b[4] != 1 {
		return false
	}
	sigLen := int(b[41])
	if sigLen > 4 {
		return false
	}
	nOut := 42 + sigLen + 4
	if b[nOut] != 1 {
		return false
	}
	value := binary.LittleEndian.Uint64(b[nOut+1 : nOut+9])
	if value > btcutil.MaxSatoshi {
		return false
	}
	pkLen := int(b[nOut+9])
	return sigLen+pkLen == 4
}
