package verify

import (
	"bytes"
	"slices"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Block checks a full block a peer sent against the header we validated
// and asked for. It returns nil when the block is the one the header
// commits to, or an *Error naming the first rule it breaks:
//
//   - the block's header must hash to header's hash (ErrHeaderMismatch);
//   - it must hold between 1 and MaxTransactionsPerBlock transactions, the
//     first a coinbase and no other (ErrNoTransactions,
//     ErrTooManyTransactions, ErrFirstTxNotCoinbase, ErrMultipleCoinbases);
//   - the merkle root of the txids must equal header.MerkleRoot
//     (ErrBadMerkleRoot), the tree must not be mutated the CVE-2012-2459
//     way — checked exactly as Bitcoin Core's ComputeMerkleRoot does, for
//     every pair of siblings at every level (ErrMutatedMerkle) — and no
//     txid may appear twice (ErrDuplicateTx);
//   - when any transaction carries witness data, the coinbase must commit
//     to it as BIP141 says: an output holding the commitment, a coinbase
//     witness of exactly one 32-byte reserved value, and a commitment equal
//     to dSHA256(witness merkle root || reserved value)
//     (ErrUnexpectedWitness, ErrBadWitnessNonce, ErrBadWitnessCommitment).
//
// A block without any witness data is accepted whether or not its
// coinbase has a commitment output: the merkle root then already commits
// to every byte, and blocks mined before segwit activated may carry such
// an output without the reserved value. The flip side is that a peer can
// strip all witnesses from a segwit block and still pass; the txids,
// outputs and spent outpoints a wallet needs are unchanged by that.
//
// Block does no script, amount or weight validation: it establishes that
// the data is what the proof-of-work-checked header commits to, nothing
// more. Its work is linear in the block's size.
func Block(block *wire.MsgBlock, header *wire.BlockHeader) error {
	if block == nil || header == nil {
		return ruleError(ErrMissingData, "no block or no header to check it against")
	}
	want := header.BlockHash()
	if got := block.Header.BlockHash(); got != want {
		return ruleError(ErrHeaderMismatch,
			"the peer sent block %v when block %v was asked for", got, want)
	}

	txs := block.Transactions
	switch {
	case len(txs) == 0:
		return ruleError(ErrNoTransactions,
			"block %v has no transactions, not even a coinbase", want)
	case len(txs) > MaxTransactionsPerBlock:
		return ruleError(ErrTooManyTransactions,
			"block %v claims %d transactions, more than the %d a block can hold",
			want, len(txs), MaxTransactionsPerBlock)
	}
	for i, tx := range txs {
		if !wellFormedTx(tx) {
			return ruleError(ErrMissingData,
				"block %v: transaction %d is missing or lacks an input or output", want, i)
		}
	}
	if !blockchain.IsCoinBaseTx(txs[0]) {
		return ruleError(ErrFirstTxNotCoinbase,
			"block %v: the first transaction is not a coinbase", want)
	}
	for i, tx := range txs[1:] {
		if blockchain.IsCoinBaseTx(tx) {
			return ruleError(ErrMultipleCoinbases,
				"block %v: transaction %d is a second coinbase", want, i+1)
		}
	}

	// One scratch slice, with room for the odd-level duplicate, serves
	// the txid tree, the duplicate search and the witness tree in turn.
	txids := make([]chainhash.Hash, len(txs))
	for i, tx := range txs {
		txids[i] = tx.TxHash()
	}
	scratch := make([]chainhash.Hash, len(txs), len(txs)+1)
	copy(scratch, txids)
	root, mutated := merkleRoot(scratch)
	if root != header.MerkleRoot {
		return ruleError(ErrBadMerkleRoot,
			"block %v: the transactions' merkle root %v does not match the header's %v",
			want, root, header.MerkleRoot)
	}
	if mutated {
		return ruleError(ErrMutatedMerkle,
			"block %v: the transaction list repeats a subtree of the merkle tree "+
				"(CVE-2012-2459), so it is not the list the miner committed to", want)
	}

	copy(scratch, txids)
	slices.SortFunc(scratch, func(a, b chainhash.Hash) int { return bytes.Compare(a[:], b[:]) })
	for i := 1; i < len(scratch); i++ {
		if scratch[i] == scratch[i-1] {
			return ruleError(ErrDuplicateTx,
				"block %v: transaction %v appears twice", want, scratch[i])
		}
	}

	return checkWitnessCommitment(txs, scratch, &want)
}

// checkWitnessCommitment applies BIP141's commitment rule to txs, whose
// first element is known to be a coinbase. scratch must have length
// len(txs) and capacity for one more; it is overwritten.
func checkWitnessCommitment(txs []*wire.MsgTx, scratch []chainhash.Hash,
	blockHash *chainhash.Hash) error {

	hasWitness := false
	for _, tx := range txs {
		if tx.HasWitness() {
			hasWitness = true
			break
		}
	}
	if !hasWitness {
		return nil
	}

	coinbase := txs[0]
	commitment, found := blockchain.ExtractWitnessCommitment(btcutil.NewTx(coinbase))
	if !found {
		return ruleError(ErrUnexpectedWitness,
			"block %v carries witness data but its coinbase commits to none", blockHash)
	}
	reserved := coinbase.TxIn[0].Witness
	if len(reserved) != 1 || len(reserved[0]) != blockchain.CoinbaseWitnessDataLen {
		return ruleError(ErrBadWitnessNonce,
			"block %v: the coinbase witness must be one %d-byte reserved value",
			blockHash, blockchain.CoinbaseWitnessDataLen)
	}

	// The coinbase's wtxid counts as all zeroes.
	scratch[0] = chainhash.Hash{}
	for i, tx := range txs[1:] {
		scratch[i+1] = tx.WitnessHash()
	}
	witnessRoot, _ := merkleRoot(scratch)

	var preimage [2 * chainhash.HashSize]byte
	copy(preimage[:chainhash.HashSize], witnessRoot[:])
	copy(preimage[chainhash.HashSize:], reserved[0])
	computed := chainhash.DoubleHashH(preimage[:])
	if !bytes.Equal(computed[:], commitment) {
		return ruleError(ErrBadWitnessCommitment,
			"block %v: the witness data does not match the coinbase's witness commitment",
			blockHash)
	}
	return nil
}

// wellFormedTx reports whether tx and all its inputs and outputs are
// present. Decoded messages always are; the check keeps hand-built values
// from making btcd's serialization code panic.
func wellFormedTx(tx *wire.MsgTx) bool {
	if tx == nil {
		return false
	}
	for _, in := range tx.TxIn {
		if in == nil {
			return false
		}
	}
	for _, out := range tx.TxOut {
		if out == nil {
			return false
		}
	}
	return true
}
