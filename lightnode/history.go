package lightnode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// historyFetchWindow is how many matching blocks ScriptHistory downloads at
// once: enough to keep a few peers busy, few enough that a scan of a busy
// script never holds more than a handful of full blocks in memory.
const historyFetchWindow = 4

// ScriptTx is a transaction that pays to or spends from a script, as found
// by ScriptHistory.
type ScriptTx struct {
	Txid      chainhash.Hash
	Height    int32
	BlockHash chainhash.Hash
	// Received is the sum of the transaction's outputs that pay the
	// script, in satoshis.
	Received int64
	// Sent is the sum of the outputs paying the script that the
	// transaction spends, in satoshis. Only outputs created inside the
	// scanned range are known, so a spend of an older output counts 0.
	Sent int64
	Tx   *wire.MsgTx
}

// ScriptHistory returns, in chain order, the transactions of the blocks at
// heights from..to that pay to script or spend an output paying script. It
// matches script against the verified compact filters of the range (on all
// cores, see MatchScripts), then downloads each matching block with
// GetBlock, which checks it against its header, and walks the blocks in
// height order, remembering the outputs that pay script so that a later
// spend of one of them is seen. Filters give false positives; blocks
// without a relevant transaction are skipped.
//
// progress, if set, is called often from the calling goroutine with the
// number of filters matched so far and the total (to-from+1). The filter
// headers must cover to; ctx cancels the scan and the downloads.
func (n *Node) ScriptHistory(ctx context.Context, script []byte, from, to int32,
	progress func(done, total int32)) ([]ScriptTx, error) {
	return n.ScriptHistoryAfter(ctx, script, from, to, nil, progress)
}

// ScriptHistoryAfter is ScriptHistory for a scan that continues an earlier
// one up to block from-1: unspent are the outputs paying script that the
// earlier scan left unspent, with their values in satoshis, so that a
// spend of one of them in from..to is found, with the amount it sends.
// The map is not changed.
func (n *Node) ScriptHistoryAfter(ctx context.Context, script []byte, from, to int32,
	unspent map[wire.OutPoint]int64, progress func(done, total int32)) ([]ScriptTx, error) {

	if len(script) == 0 {
		return nil, errors.New("no script to look for")
	}
	from = max(from, 0)
	if to < from {
		return nil, nil
	}
	total := to - from + 1
	var onHeight func(int32)
	if progress != nil {
		progress(0, total)
		onHeight = func(h int32) { progress(h-from+1, total) }
	}
	heights, err := n.MatchScripts(ctx, from, to, [][]byte{script}, onHeight)
	if err != nil {
		return nil, fmt.Errorf("matching filters: %w", err)
	}
	// Cached filters and blocks are served without looking at ctx.
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	w := historyWalker{script: script, owned: make(map[wire.OutPoint]int64, len(unspent))}
	maps.Copy(w.owned, unspent)
	for len(heights) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch := heights[:min(historyFetchWindow, len(heights))]
		heights = heights[len(batch):]
		blocks, hashes, err := n.fetchBlocksAt(ctx, batch)
		if err != nil {
			return nil, err
		}
		for i, b := range blocks {
			w.walk(b, batch[i], hashes[i])
		}
	}
	return w.found, nil
}

// fetchBlocksAt downloads the best-chain blocks at heights concurrently
// and returns them, with their hashes, in the order of heights.
func (n *Node) fetchBlocksAt(ctx context.Context, heights []int32) ([]*wire.MsgBlock, []chainhash.Hash, error) {
	hashes := make([]chainhash.Hash, len(heights))
	for i, h := range heights {
		sh, err := n.store.HeaderByHeight(h)
		if err != nil {
			return nil, nil, fmt.Errorf("header at height %d: %w", h, err)
		}
		hashes[i] = sh.Hash
	}
	blocks := make([]*wire.MsgBlock, len(heights))
	errs := make([]error, len(heights))
	var wg sync.WaitGroup
	for i := range heights {
		wg.Go(func() {
			blocks[i], errs[i] = n.GetBlock(ctx, &hashes[i])
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, nil, fmt.Errorf("block %s at height %d: %w", hashes[i], heights[i], err)
		}
	}
	return blocks, hashes, nil
}

// historyWalker collects the transactions touching one script, block by
// block in height order.
type historyWalker struct {
	script []byte
	owned  map[wire.OutPoint]int64 // unspent outputs paying script, by outpoint
	found  []ScriptTx
}

// walk looks at every transaction of block in order, so that a spend of an
// output created earlier in the same block is seen too.
func (w *historyWalker) walk(block *wire.MsgBlock, height int32, hash chainhash.Hash) {
	for _, tx := range block.Transactions {
		var received, sent int64
		touched := false
		for _, in := range tx.TxIn {
			if v, ok := w.owned[in.PreviousOutPoint]; ok {
				sent += v
				touched = true
				delete(w.owned, in.PreviousOutPoint)
			}
		}
		txid := tx.TxHash()
		for i, out := range tx.TxOut {
			if bytes.Equal(out.PkScript, w.script) {
				received += out.Value
				touched = true
				w.owned[wire.OutPoint{Hash: txid, Index: uint32(i)}] = out.Value
			}
		}
		if touched {
			w.found = append(w.found, ScriptTx{
				Txid: txid, Height: height, BlockHash: hash,
				Received: received, Sent: sent, Tx: tx,
			})
		}
	}
}
