package lightnode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
)

// txIndex maps the txids of the cached blocks to those blocks, so a lookup
// decodes only the block that holds the transaction. It lives in memory:
// the first lookup builds it by decoding each cached block once, and every
// block the node downloads and caches is added as it arrives.
//
// To stay small it keys each transaction by the first 8 bytes of its txid
// and names blocks by a small number (an index into blocks). Prefixes may
// collide and a block may have been evicted from the cache or reorganized
// away, so a hit is a candidate only: the caller confirms it by decoding
// the block. A block the store no longer has drops out (see drop and
// prune). It is safe for concurrent use.
type txIndex struct {
	mu    sync.Mutex
	built bool

	blocks []chainhash.Hash          // block number → hash; zero: a free number
	keys   [][]uint64                // block number → the txid keys of its transactions
	free   []uint32                  // block numbers to reuse
	nums   map[chainhash.Hash]uint32 // hash → block number
	order  []chainhash.Hash          // indexed blocks, the one cached first at the front
	first  map[uint64]uint32         // txid key → a block holding it
	more   map[uint64][]uint32       // txid key → further blocks, rare

	// decodes counts the raw blocks decoded for the index: while building
	// it and to confirm a hit (tests and benchmarks read it).
	decodes atomic.Int64
}

func newTxIndex() *txIndex {
	return &txIndex{
		nums:  map[chainhash.Hash]uint32{},
		first: map[uint64]uint32{},
		more:  map[uint64][]uint32{},
	}
}

// txKey is the index key of a txid.
func txKey(txid *chainhash.Hash) uint64 {
	return binary.LittleEndian.Uint64(txid[:8])
}

// decode decodes a raw cached block, counting it.
func (x *txIndex) decode(raw []byte) (*wire.MsgBlock, error) {
	x.decodes.Add(1)
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	return &b, nil
}

// build indexes every cached block unless that is done. The caller holds
// x.mu.
func (x *txIndex) buildLocked(st headerstore.BlockCache) error {
	if x.built {
		return nil
	}
	type cached struct {
		hash  chainhash.Hash
		txids []chainhash.Hash
	}
	var newestFirst []cached
	err := st.CachedBlocks(func(hash chainhash.Hash, raw []byte) bool {
		b, err := x.decode(raw)
		if err != nil {
			return true // a damaged entry: GetBlock downloads it again
		}
		newestFirst = append(newestFirst, cached{hash, blockTxids(b)})
		return true
	})
	if err != nil {
		return err
	}
	for i := len(newestFirst) - 1; i >= 0; i-- {
		x.addLocked(newestFirst[i].hash, newestFirst[i].txids)
	}
	x.built = true
	return nil
}

// blockTxids returns the txids of a block's transactions.
func blockTxids(b *wire.MsgBlock) []chainhash.Hash {
	ids := make([]chainhash.Hash, len(b.Transactions))
	for i, tx := range b.Transactions {
		ids[i] = tx.TxHash()
	}
	return ids
}

// add indexes a block that was just cached, once the index is built
// (before that, building it will find the block in the store), and drops
// the blocks the store evicted to make room for it.
func (x *txIndex) add(st headerstore.BlockCache, hash chainhash.Hash, b *wire.MsgBlock) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.built {
		return
	}
	if _, ok := x.nums[hash]; ok {
		return
	}
	x.addLocked(hash, blockTxids(b))
	x.pruneLocked(st)
}

// addLocked indexes one block. The caller holds x.mu.
func (x *txIndex) addLocked(hash chainhash.Hash, txids []chainhash.Hash) {
	if _, ok := x.nums[hash]; ok {
		return
	}
	var num uint32
	if k := len(x.free); k > 0 {
		num, x.free = x.free[k-1], x.free[:k-1]
	} else {
		num = uint32(len(x.blocks))
		x.blocks = append(x.blocks, chainhash.Hash{})
		x.keys = append(x.keys, nil)
	}
	keys := make([]uint64, len(txids))
	for i := range txids {
		k := txKey(&txids[i])
		keys[i] = k
		if _, ok := x.first[k]; ok {
			x.more[k] = append(x.more[k], num)
		} else {
			x.first[k] = num
		}
	}
	x.blocks[num], x.keys[num] = hash, keys
	x.nums[hash] = num
	x.order = append(x.order, hash)
}

// drop removes a block the store no longer has.
func (x *txIndex) drop(hash chainhash.Hash) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.dropLocked(hash)
}

// dropLocked removes a block from the index. The caller holds x.mu.
func (x *txIndex) dropLocked(hash chainhash.Hash) {
	num, ok := x.nums[hash]
	if !ok {
		return
	}
	for _, k := range x.keys[num] {
		if x.first[k] != num {
			rest := slices.DeleteFunc(x.more[k], func(m uint32) bool { return m == num })
			if len(rest) == 0 {
				delete(x.more, k)
			} else {
				x.more[k] = rest
			}
			continue
		}
		if rest := x.more[k]; len(rest) > 0 {
			x.first[k] = rest[0]
			if len(rest) == 1 {
				delete(x.more, k)
			} else {
				x.more[k] = rest[1:]
			}
		} else {
			delete(x.first, k)
		}
	}
	x.blocks[num], x.keys[num] = chainhash.Hash{}, nil
	x.free = append(x.free, num)
	delete(x.nums, hash)
	if i := slices.Index(x.order, hash); i >= 0 {
		x.order = slices.Delete(x.order, i, i+1)
	}
}

// pruneLocked drops the oldest indexed blocks that the store has evicted.
// The store evicts the blocks cached first, so it stops at the first
// oldest block still cached. The caller holds x.mu.
func (x *txIndex) pruneLocked(st headerstore.BlockCache) {
	for len(x.order) > 0 {
		oldest := x.order[0]
		_, err := st.Block(oldest)
		if !errors.Is(err, headerstore.ErrNotFound) {
			return
		}
		x.dropLocked(oldest)
	}
}

// lookup returns the indexed blocks that may hold txid, building the index
// first if need be, and the number of blocks indexed.
func (x *txIndex) lookup(st headerstore.BlockCache, txid *chainhash.Hash) ([]chainhash.Hash, int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.buildLocked(st); err != nil {
		return nil, 0, err
	}
	k := txKey(txid)
	num, ok := x.first[k]
	if !ok {
		return nil, len(x.nums), nil
	}
	out := []chainhash.Hash{x.blocks[num]}
	for _, m := range x.more[k] {
		out = append(out, x.blocks[m])
	}
	return out, len(x.nums), nil
}
