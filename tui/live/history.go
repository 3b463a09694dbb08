package live

import (
	"bytes"
	"context"
	"errors"
	"maps"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/tui/explorer"
)

// AddressHistory scans the filters of blocks req.From up to the filter tip
// for req.Script, continuing an earlier search when req says where it
// ended (and starting over when that block has left the best chain), and
// matches the relay feed's transactions against the script and its
// unspent outputs for the mempool part.
func (n Search) AddressHistory(ctx context.Context, req explorer.AddressRequest,
	progress func(done, total int32)) (explorer.AddressScan, error) {

	node := n.Node
	tip := node.Status().FilterHeight
	if tip <= 0 {
		return explorer.AddressScan{}, errors.New("the block filters are not synced yet; try again once the Node tab shows them caught up")
	}
	st := node.Store()
	from, unspent := req.From, req.Unspent
	if from > 0 {
		prev, err := st.HeaderByHeight(from - 1)
		if from-1 > tip || err != nil || prev.Hash != req.After {
			from, unspent = 0, nil
		}
	}
	have := make(map[wire.OutPoint]int64, len(unspent))
	for op, v := range unspent {
		have[op] = int64(v)
	}
	var found []lightnode.ScriptTx
	if from <= tip {
		var err error
		found, err = node.ScriptHistoryAfter(ctx, req.Script, from, tip, have, progress)
		if err != nil {
			return explorer.AddressScan{}, err
		}
	} else if progress != nil {
		progress(0, 0)
	}
	scan := explorer.AddressScan{From: from, To: tip}
	if hdr, err := st.HeaderByHeight(tip); err == nil {
		scan.ToHash = hdr.Hash
	}
	for _, t := range found {
		scan.Txs = append(scan.Txs, explorer.AddressTx{Txid: t.Txid, Height: t.Height, BlockHash: t.BlockHash,
			Received: btcutil.Amount(t.Received), Sent: btcutil.Amount(t.Sent), Tx: t.Tx})
	}
	// The outputs left unspent after the new blocks, for the mempool's
	// spends of them.
	left := maps.Clone(have)
	for _, t := range found {
		for _, in := range t.Tx.TxIn {
			delete(left, in.PreviousOutPoint)
		}
		addOutputs(left, t.Tx, req.Script)
	}
	var relayed []*wire.MsgTx
	for _, seen := range node.RecentTxs() {
		if seen.Tx != nil {
			relayed = append(relayed, seen.Tx)
		}
	}
	scan.Mempool = matchMempool(relayed, req.Script, left)
	return scan, nil
}

// addOutputs records tx's outputs that pay script in owned.
func addOutputs(owned map[wire.OutPoint]int64, tx *wire.MsgTx, script []byte) {
	txid := tx.TxHash()
	for i, o := range tx.TxOut {
		if bytes.Equal(o.PkScript, script) {
			owned[wire.OutPoint{Hash: txid, Index: uint32(i)}] = o.Value
		}
	}
}

// matchMempool returns the relayed transactions (oldest first) that pay
// script or spend one of owned, the outputs paying it that are unspent,
// with what each moves; a relayed spend of a relayed payment is found too.
// owned is changed.
func matchMempool(relayed []*wire.MsgTx, script []byte, owned map[wire.OutPoint]int64) []explorer.AddressTx {
	var out []explorer.AddressTx
	seen := map[chainhash.Hash]bool{}
	for _, tx := range relayed {
		txid := tx.TxHash()
		if seen[txid] {
			continue
		}
		seen[txid] = true
		var sent, received int64
		touched := false
		for _, in := range tx.TxIn {
			if v, ok := owned[in.PreviousOutPoint]; ok {
				sent += v
				touched = true
				delete(owned, in.PreviousOutPoint)
			}
		}
		for _, o := range tx.TxOut {
			if bytes.Equal(o.PkScript, script) {
				received += o.Value
				touched = true
			}
		}
		if !touched {
			continue
		}
		addOutputs(owned, tx, script)
		out = append(out, explorer.AddressTx{Txid: txid, Received: btcutil.Amount(received), Sent: btcutil.Amount(sent), Tx: tx})
	}
	return out
}
