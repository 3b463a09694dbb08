package verify

import (
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Match is one transaction a BIP37 merkleblock proves to be in its block.
type Match struct {
	// TxID is the matched transaction's id.
	TxID chainhash.Hash

	// Index is the transaction's position in the block; 0 is the
	// coinbase.
	Index uint32
}

// MerkleBlock verifies the partial merkle tree of a BIP37 merkleblock
// against the header we validated and returns the matched txids in tree
// (block) order. See MerkleBlockMatches for the rules and for what the
// check can and cannot establish.
func MerkleBlock(mb *wire.MsgMerkleBlock, header *wire.BlockHeader) ([]chainhash.Hash, error) {
	matches, err := MerkleBlockMatches(mb, header)
	if err != nil {
		return nil, err
	}
	txids := make([]chainhash.Hash, len(matches))
	for i, m := range matches {
		txids[i] = m.TxID
	}
	return txids, nil
}

// MerkleBlockMatches is MerkleBlock returning each match with its position
// in the block, which MatchedTx needs.
//
// It rejects, with an *Error:
//
//   - a header other than ours (ErrHeaderMismatch);
//   - zero transactions or more than MaxTransactionsPerBlock
//     (ErrNoTransactions, ErrTooManyTransactions);
//   - more hashes than transactions (ErrTooManyHashes);
//   - a tree walk that runs out of hashes or flag bits (ErrHashesMissing,
//     ErrFlagsMissing), or ends with hashes, whole flag bytes, or set
//     padding bits in the last flag byte left over (ErrHashesUnused,
//     ErrFlagsUnused): the encoding must be exactly the one the tree's
//     shape produces;
//   - a computed root other than header.MerkleRoot (ErrBadMerkleRoot);
//   - two equal siblings anywhere in the walked tree, the CVE-2012-2459
//     duplication (ErrMutatedMerkle), as Bitcoin Core does;
//   - an inner node on a walked path whose two children, read as 64
//     bytes, parse as a transaction that could be in a block
//     (ErrAmbiguousTree).
//
// The 64-byte transaction ambiguity: a merkle inner node is
// dSHA256(left || right) over 64 bytes, exactly like the txid of a
// 64-byte transaction, so hashes alone cannot say which one a node is.
// The tree's height comes only from TotalTransactions, and the walk uses
// that height; hashes and flags must then fit the shape exactly. What
// this catches and what it cannot:
//
//   - A forged leaf placed under a real 64-byte transaction (claiming a
//     deeper tree, with the transaction's two halves as children) is
//     caught: the walk holds both children of every inner node on the
//     path to a match, and their concatenation is that transaction, which
//     parses. This is the dangerous direction, since the forged leaf can
//     be the txid of any transaction the attacker wrote.
//   - An inner node passed off as a matched 64-byte transaction (claiming
//     a shallower tree) cannot be caught from the merkleblock: the walk
//     never sees the node's children. MatchedTx closes it once the
//     transaction itself arrives, by refusing 64-byte transactions and by
//     requiring that a match at index 0 be a coinbase and no other match
//     be one; a coinbase proof pins the real depth, because no inner
//     node's preimage is a coinbase.
//   - A TotalTransactions that disagrees with the real block but stays
//     self-consistent is otherwise undetectable here; the depth is only
//     known for sure from a coinbase match or the full block.
//
// Work is bounded by the tree size for MaxTransactionsPerBlock leaves
// (under 34,000 nodes) whatever the peer sends.
func MerkleBlockMatches(mb *wire.MsgMerkleBlock, header *wire.BlockHeader) ([]Match, error) {
	if mb == nil || header == nil {
		return nil, ruleError(ErrMissingData, "no merkleblock or no header to check it against")
	}
	want := header.BlockHash()
	if got := mb.Header.BlockHash(); got != want {
		return nil, ruleError(ErrHeaderMismatch,
			"the peer sent a merkleblock for block %v when block %v was asked for", got, want)
	}

	n := mb.Transactions
	switch {
	case n == 0:
		return nil, ruleError(ErrNoTransactions,
			"merkleblock %v claims no transactions, not even a coinbase", want)
	case n > MaxTransactionsPerBlock:
		return nil, ruleError(ErrTooManyTransactions,
			"merkleblock %v claims %d transactions, more than the %d a block can hold",
			want, n, MaxTransactionsPerBlock)
	case uint64(len(mb.Hashes)) > uint64(n):
		return nil, ruleError(ErrTooManyHashes,
			"merkleblock %v carries %d hashes for only %d transactions",
			want, len(mb.Hashes), n)
	case uint64(len(mb.Flags))*8 < uint64(len(mb.Hashes)):
		// Every hash is a node, and every node takes a flag bit.
		return nil, ruleError(ErrFlagsMissing,
			"merkleblock %v carries %d hashes but only %d flag bits",
			want, len(mb.Hashes), len(mb.Flags)*8)
	}
	for i, h := range mb.Hashes {
		if h == nil {
			return nil, ruleError(ErrMissingData, "merkleblock %v: hash %d is missing", want, i)
		}
	}

	var height uint
	for treeWidth(n, height) > 1 {
		height++
	}
	w := treeWalk{
		numTx:     n,
		hashes:    mb.Hashes,
		flags:     mb.Flags,
		blockHash: &want,
	}
	root := w.walk(height, 0)
	if w.err != nil {
		return nil, w.err
	}

	if w.hashesUsed != len(mb.Hashes) {
		return nil, ruleError(ErrHashesUnused,
			"merkleblock %v: %d of its %d hashes are not part of the tree",
			want, len(mb.Hashes)-w.hashesUsed, len(mb.Hashes))
	}
	if usedBytes := (w.bitsUsed + 7) / 8; usedBytes != len(mb.Flags) {
		return nil, ruleError(ErrFlagsUnused,
			"merkleblock %v: the tree uses %d flag bytes but %d were sent",
			want, usedBytes, len(mb.Flags))
	}
	if rest := w.bitsUsed % 8; rest != 0 && mb.Flags[len(mb.Flags)-1]>>rest != 0 {
		return nil, ruleError(ErrFlagsUnused,
			"merkleblock %v: flag bits past the end of the tree are set", want)
	}
	if root != header.MerkleRoot {
		return nil, ruleError(ErrBadMerkleRoot,
			"merkleblock %v: the partial tree's root %v does not match the header's %v",
			want, root, header.MerkleRoot)
	}
	return w.matches, nil
}

// MatchedTx checks a transaction a peer sent to go with a verified
// merkleblock match: it must hash to the matched txid, a coinbase exactly
// when the match is at index 0, and not be 64 bytes long without its
// witness. The last two rules are what MerkleBlockMatches cannot check
// alone; see its documentation.
//
// Transactions of exactly 64 stripped bytes are valid in blocks but
// non-standard (Bitcoin Core does not relay them), so ErrAmbiguousTx on a
// real one is possible but practically never seen.
func MatchedTx(tx *wire.MsgTx, m Match) error {
	if !wellFormedTx(tx) {
		return ruleError(ErrMissingData, "no complete transaction for match %v", m.TxID)
	}
	if got := tx.TxHash(); got != m.TxID {
		return ruleError(ErrTxMismatch,
			"the peer sent transaction %v for the matched transaction %v", got, m.TxID)
	}
	if size := tx.SerializeSizeStripped(); size == 2*chainhash.HashSize {
		return ruleError(ErrAmbiguousTx,
			"matched transaction %v is 64 bytes long, so the merkle proof cannot tell it "+
				"from an inner node of the tree; it is not accepted on a merkle proof", m.TxID)
	}
	isCoinbase := blockchain.IsCoinBaseTx(tx)
	switch {
	case m.Index == 0 && !isCoinbase:
		return ruleError(ErrTxMismatch,
			"transaction %v is matched as the block's first transaction but is not a coinbase",
			m.TxID)
	case m.Index != 0 && isCoinbase:
		return ruleError(ErrTxMismatch,
			"transaction %v is a coinbase but is matched at position %d", m.TxID, m.Index)
	}
	return nil
}

// treeWidth is the number of nodes at height h (leaves are height 0) of a
// merkle tree over n leaves.
func treeWidth(n uint32, h uint) uint32 {
	return uint32((uint64(n) + (1 << h) - 1) >> h)
}

// treeWalk holds the state of one depth-first walk of a BIP37 partial
// merkle tree. The walk stops at the first error, which it keeps in err.
type treeWalk struct {
	numTx     uint32
	hashes    []*chainhash.Hash
	flags     []byte
	blockHash *chainhash.Hash

	bitsUsed   int
	hashesUsed int
	matches    []Match
	err        *Error
}

// walk returns the hash of the node at (height, pos), consuming flag bits
// and hashes in BIP37 order. Its recursion depth is the tree height, at
// most 15 for MaxTransactionsPerBlock.
func (w *treeWalk) walk(height uint, pos uint32) chainhash.Hash {
	if w.err != nil {
		return chainhash.Hash{}
	}
	if w.bitsUsed >= len(w.flags)*8 {
		w.err = ruleError(ErrFlagsMissing,
			"merkleblock %v: the flag bits run out before the tree is complete", w.blockHash)
		return chainhash.Hash{}
	}
	parentOfMatch := w.flags[w.bitsUsed/8]>>(w.bitsUsed%8)&1 == 1
	w.bitsUsed++

	if height == 0 || !parentOfMatch {
		if w.hashesUsed >= len(w.hashes) {
			w.err = ruleError(ErrHashesMissing,
				"merkleblock %v: the hashes run out before the tree is complete", w.blockHash)
			return chainhash.Hash{}
		}
		h := *w.hashes[w.hashesUsed]
		w.hashesUsed++
		if height == 0 && parentOfMatch {
			w.matches = append(w.matches, Match{TxID: h, Index: pos})
		}
		return h
	}

	left := w.walk(height-1, pos*2)
	right := left
	if pos*2+1 < treeWidth(w.numTx, height-1) {
		right = w.walk(height-1, pos*2+1)
		if w.err == nil && right == left {
			w.err = ruleError(ErrMutatedMerkle,
				"merkleblock %v: two sibling nodes of the tree are equal (CVE-2012-2459)",
				w.blockHash)
		}
	}
	if w.err != nil {
		return chainhash.Hash{}
	}
	if couldBe64ByteTx(&left, &right) {
		w.err = ruleError(ErrAmbiguousTree,
			"merkleblock %v: an inner node of the tree could also be a 64-byte "+
				"transaction, so the proof is ambiguous", w.blockHash)
		return chainhash.Hash{}
	}
	return hashPair(&left, &right)
}
