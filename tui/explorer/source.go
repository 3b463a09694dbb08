package explorer

import "time"

// Row is one block header as the blocks list shows it.
type Row struct {
	Height int32
	Hash   string
	Time   time.Time
	// TxCount is the number of transactions, or -1 when unknown (a header
	// alone does not say; it is known once the block has been fetched).
	TxCount int
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
