package wallet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"
)

// Chain is what the wallet needs from the light node: the verified chain,
// filter matching and blocks. Package lightnode provides it; cmd wires the
// two together.
type Chain interface {
	// SyncedHeight is the height to which headers and filter headers are
	// both verified.
	SyncedHeight() int32
	// BlockHeader returns the best chain's header at height.
	BlockHeader(height int32) (*wire.BlockHeader, error)
	// MatchScripts returns the heights in [start, end] whose filters match
	// any of scripts.
	MatchScripts(ctx context.Context, start, end int32, scripts [][]byte, progress func(height int32)) ([]int32, error)
	// GetBlock returns a verified block.
	GetBlock(ctx context.Context, hash *chainhash.Hash) (*wire.MsgBlock, error)
}

// reorgWindow is how far back the scan goes again when the block it
// stopped at is no longer in the best chain.
const reorgWindow = 288

// scriptRef locates one of our scripts.
type scriptRef struct {
	branch, index uint32
}

// ScanResult tells what a scan did.
type ScanResult struct {
	From, To      int32 // the heights scanned
	BlocksFetched int
	TxsFound      int
	TxsRemoved    int // dropped because a reorg took their block away
}

func errNoSuchOutput(op wire.OutPoint) error {
	return fmt.Errorf("%v is not an output of this wallet", op)
}

// scriptOwner finds which of our addresses a script pays.
func (w *Wallet) scriptOwner(script []byte) (uint32, uint32, bool) {
	r, ok := w.scripts[string(script)]
	return r.branch, r.index, ok
}

// extendScripts derives every address up to the look-ahead window of each
// branch: the gap limit beyond the highest used or handed-out index. It
// reports whether new scripts were added.
func (w *Wallet) extendScripts(tx *bbolt.Tx) (bool, error) {
	if w.scripts == nil {
		w.scripts = map[string]scriptRef{}
		w.window = map[uint32]uint32{}
	}
	grew := false
	for _, branch := range []uint32{ReceiveBranch, ChangeBranch} {
		want := max(dbFetchUsed(tx, 0, branch), dbFetchNextIndex(tx, 0, branch)) + w.meta.gapLimit
		for i := w.window[branch]; i < want; i++ {
			a, err := w.Address(branch, i)
			if err != nil {
				return false, err
			}
			w.scripts[string(a.Script)] = scriptRef{branch, i}
			grew = true
		}
		w.window[branch] = max(w.window[branch], want)
	}
	return grew, nil
}

// WatchScripts returns every script the wallet watches: its addresses up to
// the look-ahead window.
func (w *Wallet) WatchScripts() [][]byte { return w.watchScripts() }

// UnspentOutPoints lists the wallet's unspent outputs.
func (w *Wallet) UnspentOutPoints() []wire.OutPoint {
	utxos, _, _ := w.UTXOs()
	ops := make([]wire.OutPoint, len(utxos))
	for i, u := range utxos {
		ops[i] = u.OutPoint
	}
	return ops
}

// watchScripts returns every script the wallet watches.
func (w *Wallet) watchScripts() [][]byte {
	out := make([][]byte, 0, len(w.scripts))
	for s := range w.scripts {
		out = append(out, []byte(s))
	}
	return out
}

// Scan brings the wallet up to the chain's synced height: it rolls back
// transactions a reorg took away, matches the wallet's scripts against the
// block filters from where it stopped (or its birthday), fetches the
// matching blocks and records the transactions that pay or spend it. When
// a payment reaches an address near the end of the look-ahead window, the
// window grows and the scan continues with the new addresses. progress, if
// set, receives the height being matched and the target height.
func (w *Wallet) Scan(ctx context.Context, c Chain, progress func(height, target int32)) (*ScanResult, error) {
	if w.readOnly {
		return nil, errors.New("the wallet is open read-only")
	}
	target := c.SyncedHeight()
	res := &ScanResult{To: target}
	removed, err := w.rollback(c)
	if err != nil {
		return nil, err
	}
	res.TxsRemoved = removed

	var cursor scanCursor
	var have bool
	err = safeUpdate(w.db, func(tx *bbolt.Tx) error {
		cursor, have = dbFetchCursor(tx)
		_, err := w.extendScripts(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	start := cursor.Height + 1
	if !have {
		start = max(w.meta.birthdayHeight, 1)
	}
	res.From = start
	for start <= target {
		// The state is replayed once per pass, not per block: scanBlock
		// keeps it up to date. A new pass follows a grown window, whose new
		// addresses may own outputs of transactions already stored.
		st, err := w.readState()
		if err != nil {
			return res, err
		}
		heights, err := c.MatchScripts(ctx, start, target, w.watchScripts(), func(h int32) {
			if progress != nil {
				progress(h, target)
			}
		})
		if err != nil {
			return res, err
		}
		next := target + 1
		for _, h := range heights {
			grew, err := w.scanBlock(ctx, c, h, res, st)
			if err != nil {
				return res, err
			}
			if grew {
				// New addresses: look again from the next block on.
				next = h + 1
				break
			}
		}
		if err := w.saveCursor(c, next-1); err != nil {
			return res, err
		}
		start = next
	}
	return res, nil
}

// readState replays the stored transactions in a read transaction.
func (w *Wallet) readState() (*state, error) {
	var st *state
	err := safeView(w.db, func(tx *bbolt.Tx) error {
		var err error
		st, err = w.loadState(tx)
		return err
	})
	return st, err
}

// scanBlock fetches one block, records our transactions in it and updates
// st to match. It reports whether the look-ahead window grew.
func (w *Wallet) scanBlock(ctx context.Context, c Chain, height int32, res *ScanResult, st *state) (bool, error) {
	hdr, err := c.BlockHeader(height)
	if err != nil {
		return false, err
	}
	hash := hdr.BlockHash()
	block, err := c.GetBlock(ctx, &hash)
	if err != nil {
		return false, fmt.Errorf("block %d: %w", height, err)
	}
	res.BlocksFetched++
	var grew bool
	err = safeUpdate(w.db, func(tx *bbolt.Tx) error {
		evicted := false
		for i, t := range block.Transactions {
			if !w.relevant(st, t) {
				continue
			}
			r := &txRecord{Tx: t, Height: height, BlockHash: hash, BlockIndex: uint32(i),
				BlockTime: hdr.Timestamp, FirstSeen: time.Now()}
			if old, ok := st.txs[t.TxHash()]; ok && old.Height == height {
				continue
			}
			// A mined transaction evicts unconfirmed ones spending the same
			// coins (a replaced payment, a double spend).
			for _, id := range conflicts(st, t) {
				if err := dbDeleteTx(tx, id); err != nil {
					return err
				}
				delete(st.txs, id)
				evicted = true
			}
			if err := dbPutTx(tx, r); err != nil {
				return err
			}
			st.txs[t.TxHash()] = r
			w.applyTx(st, r)
			res.TxsFound++
			if err := w.markUsed(tx, t); err != nil {
				return err
			}
			if evicted {
				// An evicted transaction's outputs and spends must leave no
				// trace: replay (rare).
				fresh, err := w.loadState(tx)
				if err != nil {
					return err
				}
				*st = *fresh
				evicted = false
			}
		}
		var err error
		grew, err = w.extendScripts(tx)
		return err
	})
	return grew, err
}

// markUsed records the highest address index that received coins.
func (w *Wallet) markUsed(tx *bbolt.Tx, t *wire.MsgTx) error {
	for _, out := range t.TxOut {
		branch, index, ok := w.scriptOwner(out.PkScript)
		if !ok {
			continue
		}
		if index+1 > dbFetchUsed(tx, 0, branch) {
			if err := dbPutUsed(tx, 0, branch, index+1); err != nil {
				return err
			}
		}
		// Never hand out an address that already received coins.
		if index+1 > dbFetchNextIndex(tx, 0, branch) {
			if err := dbPutNextIndex(tx, 0, branch, index+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// saveCursor records that the wallet has scanned up to height.
func (w *Wallet) saveCursor(c Chain, height int32) error {
	hdr, err := c.BlockHeader(height)
	if err != nil {
		return err
	}
	return safeUpdate(w.db, func(tx *bbolt.Tx) error {
		return dbPutCursor(tx, scanCursor{Height: height, Hash: hdr.BlockHash()})
	})
}

// rollback drops the transactions whose block left the best chain and
// moves the cursor back before them.
func (w *Wallet) rollback(c Chain) (int, error) {
	removed := 0
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		cursor, ok := dbFetchCursor(tx)
		if !ok {
			return nil
		}
		inChain := func(height int32, hash chainhash.Hash) bool {
			hdr, err := c.BlockHeader(height)
			return err == nil && hdr.BlockHash() == hash
		}
		if inChain(cursor.Height, cursor.Hash) {
			return nil
		}
		lowest := cursor.Height - reorgWindow
		var gone []chainhash.Hash
		err := dbForEachTx(tx, func(r *txRecord) error {
			if r.Height > 0 && !inChain(r.Height, r.BlockHash) {
				gone = append(gone, r.Tx.TxHash())
				lowest = min(lowest, r.Height-1)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range gone {
			if err := dbDeleteTx(tx, id); err != nil {
				return err
			}
		}
		removed = len(gone)
		if lowest < 1 {
			return dbDeleteCursor(tx)
		}
		hdr, err := c.BlockHeader(lowest)
		if err != nil {
			return err
		}
		return dbPutCursor(tx, scanCursor{Height: lowest, Hash: hdr.BlockHash()})
	})
	return removed, err
}

// Rescan forgets every confirmed transaction and the scan cursor, so the
// next Scan starts again from the birthday (or from height from, if >= 0).
func (w *Wallet) Rescan(from int32) error {
	return safeUpdate(w.db, func(tx *bbolt.Tx) error {
		var ids []chainhash.Hash
		dbForEachTx(tx, func(r *txRecord) error {
			if r.Height > 0 && (from < 0 || r.Height >= from) {
				ids = append(ids, r.Tx.TxHash())
			}
			return nil
		})
		for _, id := range ids {
			if err := dbDeleteTx(tx, id); err != nil {
				return err
			}
		}
		if from > 1 {
			// An unknown hash: the next scan treats it as a reorg and
			// looks back another reorgWindow blocks, which is harmless.
			return dbPutCursor(tx, scanCursor{Height: from - 1})
		}
		return dbDeleteCursor(tx)
	})
}

// ScanHeight returns the height the wallet has scanned to, or -1.
func (w *Wallet) ScanHeight() int32 {
	h := int32(-1)
	safeView(w.db, func(tx *bbolt.Tx) error {
		if c, ok := dbFetchCursor(tx); ok {
			h = c.Height
		}
		return nil
	})
	return h
}
