package explorer

import (
	"context"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Row is one block header as the blocks list shows it.
type Row struct {
	Height int32
	Hash   string
	Time   time.Time
	// TxCount is the number of transactions, or -1 when unknown (a header
	// alone does not say; it is known once the block has been fetched).
	TxCount int
	// Block holds the figures of a block already fetched (cached); nil
	// when the block has not been. The list never fetches blocks.
	Block *BlockSummary
}

// BlockSummary is what a fetched block adds to its row: its transaction
// count, size and fees (the coinbase's outputs minus the subsidy).
type BlockSummary struct {
	TxCount int
	Size    int
	Fees    btcutil.Amount
}

// HeaderSource gives the blocks list read access to the best chain. The app
// adapts lightnode's header store to it. Calls are made from a tea.Cmd,
// never from Update or View, so they may block briefly on storage.
type HeaderSource interface {
	// TipHeight returns the height of the best chain's tip: 0 when only the
	// genesis block is known, -1 when no header is stored at all.
	TipHeight() int32
	// Headers returns up to count headers with heights start, start+1, ...
	// in ascending order. Fewer rows than asked mean the chain ends.
	Headers(start int32, count int) ([]Row, error)
}

// TxInfoSource tells the transaction page what a transaction's own bytes
// do not: the tip (for confirmations), the outputs its inputs spend where
// they are known, and the wallet's label and fee. The app adapts the node
// and the open wallet to it. Calls are made from a tea.Cmd.
type TxInfoSource interface {
	// TxInfo gathers what is known about tx. It never fails as a whole: an
	// input whose output is not known is left out of Prevouts.
	TxInfo(ctx context.Context, tx *wire.MsgTx) TxInfo
	// LookupTx finds a transaction by txid where the node or the wallet
	// knows it (the wallet, fetched blocks, the relay feed, peers'
	// mempools); it returns an error wrapping ErrNotFound otherwise.
	LookupTx(ctx context.Context, txid chainhash.Hash) (TxRef, error)
}

// TxInfo is what a TxInfoSource knows about one transaction.
type TxInfo struct {
	// Tip is the best chain's height; -1 when unknown.
	Tip int32
	// Prevouts are the outputs the inputs spend, by outpoint, for those
	// that are known.
	Prevouts map[wire.OutPoint]Prevout
	// Label is the wallet's label of the transaction, if any.
	Label string
	// WalletFee is the fee the wallet recorded for the transaction; -1
	// when it has none.
	WalletFee btcutil.Amount
}

// Prevout is an output an input spends, and where it was found.
type Prevout struct {
	Value    btcutil.Amount
	PkScript []byte
	// From says where the output was found: "wallet", "block 812,345",
	// "relayed".
	From string
	// Tx is the transaction that made the output, when at hand, so the
	// page can open it; Height and BlockHash place it (zero when
	// unconfirmed).
	Tx        *wire.MsgTx
	Height    int32
	BlockHash chainhash.Hash
}

// TxRef is a transaction and where it is: the block hash and height, zero
// for an unconfirmed one.
type TxRef struct {
	Tx        *wire.MsgTx
	BlockHash chainhash.Hash
	Height    int32
}
