package live

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/explorer"
	"github.com/satchelbtc/satchel/wallet"
)

// maxSummaries bounds the block summaries a BlockSummaries remembers.
const maxSummaries = 4096

// BlockSummaries remembers the figures of cached blocks for the blocks
// list, so a block is decoded once, not on every read of its row. It is
// safe for concurrent use.
type BlockSummaries struct {
	mu sync.Mutex
	m  map[chainhash.Hash]explorer.BlockSummary
}

// NewBlockSummaries returns an empty memo.
func NewBlockSummaries() *BlockSummaries {
	return &BlockSummaries{m: make(map[chainhash.Hash]explorer.BlockSummary)}
}

// of returns the summary of the block with the given hash at height when
// the store has cached the block; it never fetches one.
func (b *BlockSummaries) of(st headerstore.BlockCache, net *chaincfg.Params, hash chainhash.Hash, height int32) *explorer.BlockSummary {
	b.mu.Lock()
	s, ok := b.m[hash]
	b.mu.Unlock()
	if ok {
		return &s
	}
	raw, err := st.Block(hash)
	if err != nil {
		return nil
	}
	var blk wire.MsgBlock
	if blk.Deserialize(bytes.NewReader(raw)) != nil {
		return nil
	}
	stats, err := fees.Stats(&blk, height, net)
	if err != nil {
		return nil
	}
	s = explorer.BlockSummary{TxCount: stats.TxCount, Size: stats.Size, Fees: stats.Fees}
	b.mu.Lock()
	if len(b.m) >= maxSummaries {
		for k := range b.m { // drop any one: the store still has the block
			delete(b.m, k)
			break
		}
	}
	b.m[hash] = s
	b.mu.Unlock()
	return &s
}

// TxInfo tells the transaction page what the node and the open wallet
// know about a transaction: the tip, the outputs its inputs spend (from
// the wallet, the relay feed and the blocks cached on disk), and the
// wallet's label and fee.
type TxInfo struct {
	Node *lightnode.Node
	// Wallet returns the open wallet, or nil.
	Wallet func() *wallet.Wallet
}

func (s TxInfo) TxInfo(ctx context.Context, tx *wire.MsgTx) explorer.TxInfo {
	st := s.Node.Store()
	info := explorer.TxInfo{Tip: st.Tip().Height, WalletFee: -1, Prevouts: map[wire.OutPoint]explorer.Prevout{}}
	need := map[chainhash.Hash][]wire.OutPoint{}
	for _, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if op.Index == wire.MaxPrevOutIndex && op.Hash == (chainhash.Hash{}) {
			continue // coinbase
		}
		need[op.Hash] = append(need[op.Hash], op)
	}
	found := func(prev *wire.MsgTx, from string, height int32, block chainhash.Hash) {
		for _, op := range need[prev.TxHash()] {
			if int(op.Index) < len(prev.TxOut) {
				out := prev.TxOut[op.Index]
				info.Prevouts[op] = explorer.Prevout{Value: btcutil.Amount(out.Value), PkScript: out.PkScript,
					From: from, Tx: prev, Height: height, BlockHash: block}
			}
		}
		delete(need, prev.TxHash())
	}

	var w *wallet.Wallet
	if s.Wallet != nil {
		w = s.Wallet()
	}
	if w != nil {
		if hist, err := w.History(); err == nil {
			txid := tx.TxHash()
			for _, e := range hist {
				if e.Tx == nil {
					continue
				}
				if e.Txid == txid {
					info.Label, info.WalletFee = e.Label, e.Fee
				}
				if _, ok := need[e.Txid]; ok {
					var block chainhash.Hash
					if e.Height > 0 {
						if hdr, err := st.HeaderByHeight(e.Height); err == nil {
							block = hdr.Hash
						}
					}
					found(e.Tx, "wallet", e.Height, block)
				}
			}
		}
	}
	for id := range need {
		if seen := s.Node.RecentTx(&id); seen != nil && seen.Tx != nil {
			found(seen.Tx, "relayed", 0, chainhash.Hash{})
		}
	}
	if len(need) > 0 && ctx.Err() == nil {
		st.CachedBlocks(func(hash chainhash.Hash, raw []byte) bool {
			var b wire.MsgBlock
			if b.Deserialize(bytes.NewReader(raw)) != nil {
				return true
			}
			height, from := int32(0), "a fetched block"
			if hdr, err := st.HeaderByHash(&hash); err == nil {
				height, from = hdr.Height, "block "+common.FormatInt(int64(hdr.Height))
			}
			for _, t := range b.Transactions {
				if _, ok := need[t.TxHash()]; ok {
					found(t, from, height, hash)
				}
			}
			return len(need) > 0 && ctx.Err() == nil
		})
	}
	return info
}

// LookupTx finds a transaction as the explorer's search does.
func (s TxInfo) LookupTx(ctx context.Context, txid chainhash.Hash) (explorer.TxRef, error) {
	r, err := Search{Node: s.Node, Wallet: s.Wallet}.Lookup(ctx, txid.String())
	if err != nil {
		return explorer.TxRef{}, err
	}
	if r.Kind != explorer.ResultTx || r.Tx == nil {
		return explorer.TxRef{}, fmt.Errorf("%w: no transaction %s", explorer.ErrNotFound, txid)
	}
	return explorer.TxRef{Tx: r.Tx, BlockHash: r.BlockHash, Height: r.TxHeight}, nil
}

var _ explorer.TxInfoSource = TxInfo{}
