package wallet

import (
	"context"
	"errors"
	"fmt"
	"sort"

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

// scanChunk is how many blocks one step of a scan matches at once. When a
// payment grows the look-ahead window, the new addresses are matched
// against the step's filters again; a step is small enough for its filters
// to stay in the light node's filter cache, so that costs no download. A
// variable so that tests can make steps tiny.
var scanChunk int32 = 2000

// maxScanRestarts is how many times Scan starts over when the best chain
// changes under it before it gives up with errChainMoved.
const maxScanRestarts = 5

// errChainMoved reports that the best chain changed during a scan step.
var errChainMoved = errors.New("the best chain kept changing during the scan; sync again")

// noLate marks a branch of a scanPass with no late addresses.
const noLate = ^uint32(0)

// scanPass is a scan in progress, stored so that one interrupted by a
// crash or a cancel is finished by the next Scan. From is the first block
// of the pass (the birthday for a restore). Late[b] is the lowest address
// index of branch b that joined the watch list after the pass had matched
// blocks without it, or noLate; the pass ends by matching those addresses
// against every block from From (the sweep).
type scanPass struct {
	From int32
	Late [2]uint32
}

func (p *scanPass) hasLate() bool { return p.Late[0] != noLate || p.Late[1] != noLate }

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
	w.mu.RLock()
	r, ok := w.scripts[string(script)]
	w.mu.RUnlock()
	return r.branch, r.index, ok
}

// extendScripts derives every address up to the look-ahead window of each
// branch: the gap limit beyond the highest used or handed-out index. It
// reports whether new scripts were added.
func (w *Wallet) extendScripts(tx *bbolt.Tx) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
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
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make([][]byte, 0, len(w.scripts))
	for s := range w.scripts {
		out = append(out, []byte(s))
	}
	return out
}

// Scan brings the wallet up to the chain's synced height: it rolls back
// the transactions of blocks a reorganization took away (to the highest
// block it scanned that both chains share, at any depth), matches the
// wallet's scripts against the block filters from where it stopped (or its
// birthday), fetches the matching blocks and records the transactions that
// pay or spend it. Expired unconfirmed transactions are dropped on the way
// (see UnconfirmedExpiry).
//
// When a payment reaches an address near the end of the look-ahead window,
// the window grows. The new addresses are then looked for everywhere the
// scan has been: in the rest of the block at hand, in the filters of the
// current step again, and, for addresses that joined after the pass's
// first step, in one sweep over the whole pass at its end. So a restore
// finds every payment to an address within the gap limit of another paid
// address, in whatever order they were mined. progress, if set, receives
// the height being matched and the target height.
func (w *Wallet) Scan(ctx context.Context, c Chain, progress func(height, target int32)) (*ScanResult, error) {
	if w.readOnly {
		return nil, errors.New("the wallet is open read-only")
	}
	w.scanMu.Lock()
	defer w.scanMu.Unlock()
	res := &ScanResult{From: -1}
	for attempt := 0; ; attempt++ {
		err := w.scan(ctx, c, progress, res)
		if errors.Is(err, errChainMoved) && attempt < maxScanRestarts && ctx.Err() == nil {
			continue
		}
		return res, err
	}
}

// scan is one attempt of Scan. It returns errChainMoved when the best chain
// changed under a step; the state on disk is then consistent, and the next
// attempt rolls back what the change took away.
func (w *Wallet) scan(ctx context.Context, c Chain, progress func(height, target int32), res *ScanResult) error {
	target := c.SyncedHeight()
	res.To = target
	removed, err := w.rollback(c)
	res.TxsRemoved += removed
	if err != nil {
		return err
	}

	begin, err := w.scanStart(c, target)
	if err != nil {
		return err
	}
	var pass scanPass
	var pos int32
	resumed := false
	err = safeUpdate(w.db, func(tx *bbolt.Tx) error {
		if err := w.dropExpired(tx); err != nil {
			return err
		}
		pos = begin
		if cursor, ok := dbFetchCursor(tx); ok {
			pos, resumed = cursor.Height+1, true
		}
		var ok bool
		if pass, ok = dbFetchPass(tx); ok {
			pass.From = min(pass.From, pos)
		} else {
			pass = scanPass{From: pos, Late: [2]uint32{noLate, noLate}}
		}
		if _, err := w.extendScripts(tx); err != nil {
			return err
		}
		return dbPutPass(tx, pass)
	})
	if err != nil {
		return err
	}
	if res.From < 0 {
		res.From = pos
	}
	if !resumed && begin > target && target > 0 {
		// The whole chain so far is older than the birthday date: none
		// of it can hold the wallet's transactions. Recorded as scanned,
		// so that the scan goes on from the next block.
		hdr, err := c.BlockHeader(target)
		if err != nil {
			return err
		}
		if err := w.saveProgress(c, target, target, hdr.BlockHash(), &pass); err != nil {
			return err
		}
	}

	for pos <= target {
		end := min(pos+scanChunk-1, target)
		hdr, err := c.BlockHeader(end)
		if err != nil {
			return err
		}
		endHash := hdr.BlockHash()
		if err := w.scanStep(ctx, c, pos, end, target, &pass, progress, res); err != nil {
			return err
		}
		// Blocks below end are end's ancestors: if end is still the block
		// matched, so is every block of the step.
		if !chainHas(c, end, endHash) {
			return errChainMoved
		}
		if err := w.saveProgress(c, begin, end, endHash, &pass); err != nil {
			return err
		}
		pos = end + 1
	}

	// The sweep: addresses that joined after the pass began are matched
	// against the whole pass. What they find may grow the window again,
	// and the addresses that adds owe a sweep of their own.
	for pass.hasLate() {
		hdr, err := c.BlockHeader(target)
		if err != nil {
			return err
		}
		tipHash := hdr.BlockHash()
		heights, err := c.MatchScripts(ctx, pass.From, target, w.scriptsFrom(pass.Late), nil)
		if err != nil {
			return err
		}
		st, err := w.readState()
		if err != nil {
			return err
		}
		next := scanPass{From: pass.From, Late: [2]uint32{noLate, noLate}}
		for _, h := range heights {
			before := w.windowNow()
			grew, err := w.scanBlock(ctx, c, h, res, st)
			if err != nil {
				return err
			}
			if grew {
				// Stored at once, together with the debt being paid.
				w.noteLate(&next, before)
				w.noteLate(&pass, before)
				if err := safeUpdate(w.db, func(tx *bbolt.Tx) error { return dbPutPass(tx, pass) }); err != nil {
					return err
				}
			}
		}
		if !chainHas(c, target, tipHash) {
			return errChainMoved
		}
		pass = next
		if err := safeUpdate(w.db, func(tx *bbolt.Tx) error { return dbPutPass(tx, pass) }); err != nil {
			return err
		}
	}
	return safeUpdate(w.db, dbDeletePass)
}

// scanStart returns the first block a scan from scratch looks at: the
// birthday height, or the block a birthday date maps to in the chain up to
// target. While the headers do not reach the date, it is target+1: no
// block up to target can hold the wallet's transactions.
func (w *Wallet) scanStart(c Chain, target int32) (int32, error) {
	if w.meta.birthdayHeight >= 0 || w.meta.birthdayDate.IsZero() {
		return max(w.meta.birthdayHeight, 1), nil
	}
	h, found, err := HeightForTime(w.meta.birthdayDate, target, c.BlockHeader)
	if err != nil {
		return 0, err
	}
	if !found {
		return target + 1, nil
	}
	return max(h, 1), nil
}

// scanStep scans the blocks from..to of a pass: it matches every watched
// script against their filters and examines the matching blocks in height
// order. Whenever that grows the window, it matches the new scripts
// against the same filters and examines those blocks (again, for the ones
// already fetched), until the window stops growing.
func (w *Wallet) scanStep(ctx context.Context, c Chain, from, to, target int32, pass *scanPass,
	progress func(height, target int32), res *ScanResult) error {

	st, err := w.readState()
	if err != nil {
		return err
	}
	matched := w.windowNow()
	heights, err := c.MatchScripts(ctx, from, to, w.watchScripts(), func(h int32) {
		if progress != nil {
			progress(h, target)
		}
	})
	for err == nil {
		for _, h := range heights {
			grew, err := w.scanBlock(ctx, c, h, res, st)
			if err != nil {
				return err
			}
			if grew && from > pass.From {
				// The new scripts have not seen the pass's earlier steps.
				// The window on disk has grown already, so the debt is
				// stored at once: a crash must not forget it.
				w.noteLate(pass, matched)
				if err := safeUpdate(w.db, func(tx *bbolt.Tx) error { return dbPutPass(tx, *pass) }); err != nil {
					return err
				}
			}
		}
		if w.windowNow() == matched {
			return nil
		}
		scripts := w.scriptsFrom(matched)
		matched = w.windowNow()
		heights, err = c.MatchScripts(ctx, from, to, scripts, nil)
	}
	return err
}

// windowNow returns how many addresses of each branch are watched.
func (w *Wallet) windowNow() [2]uint32 {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return [2]uint32{w.window[ReceiveBranch], w.window[ChangeBranch]}
}

// scriptsFrom returns the watched scripts whose index on their branch b is
// at least from[b].
func (w *Wallet) scriptsFrom(from [2]uint32) [][]byte {
	w.mu.RLock()
	defer w.mu.RUnlock()
	var out [][]byte
	for s, r := range w.scripts {
		if r.index >= from[r.branch] {
			out = append(out, []byte(s))
		}
	}
	return out
}

// noteLate records in p that the addresses of each branch b from since[b]
// to the current window joined after blocks were matched without them.
func (w *Wallet) noteLate(p *scanPass, since [2]uint32) {
	now := w.windowNow()
	for b := range now {
		if now[b] > since[b] {
			p.Late[b] = min(p.Late[b], since[b])
		}
	}
}

// chainHas reports whether the best chain's block at height is hash.
func chainHas(c Chain, height int32, hash chainhash.Hash) bool {
	hdr, err := c.BlockHeader(height)
	return err == nil && hdr.BlockHash() == hash
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
// st to match. When they grow the look-ahead window, it goes through the
// block again with the new addresses, which may own outputs of the
// transactions just seen or of later ones in the block. It reports whether
// the window grew.
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
		if st.txid != uint64(tx.ID())-1 {
			// Something wrote to the wallet since st was read (a payment,
			// a relayed transaction, the scan's own progress): read it
			// again, so that no write is undone.
			fresh, err := w.loadState(tx)
			if err != nil {
				return err
			}
			*st = *fresh
		}
		defer func() { st.txid = uint64(tx.ID()) }()
		for {
			for i, t := range block.Transactions {
				if !w.relevant(st, t) {
					continue
				}
				id := t.TxHash()
				if old, ok := st.txs[id]; ok && old.Height == height && old.BlockHash == hash {
					// Seen before, perhaps with fewer addresses watched:
					// one of its outputs may have become ours.
					if err := w.markUsed(tx, t); err != nil {
						return err
					}
					continue
				}
				now := w.clock()
				r := &txRecord{Tx: t, Height: height, BlockHash: hash, BlockIndex: uint32(i),
					BlockTime: hdr.Timestamp, FirstSeen: now, LastSeen: now}
				// A mined transaction evicts unconfirmed ones spending the same
				// coins (a replaced payment, a double spend).
				evicted := conflicts(st, t)
				for _, id := range evicted {
					if err := dbDeleteTx(tx, id); err != nil {
						return err
					}
				}
				if err := dbPutTx(tx, r); err != nil {
					return err
				}
				res.TxsFound++
				if err := w.markUsed(tx, t); err != nil {
					return err
				}
				if len(evicted) > 0 {
					// An evicted transaction's outputs and spends must leave
					// no trace: replay (rare).
					fresh, err := w.loadState(tx)
					if err != nil {
						return err
					}
					*st = *fresh
					continue
				}
				st.txs[id] = r
				w.applyTx(st, r)
			}
			more, err := w.extendScripts(tx)
			if err != nil || !more {
				return err
			}
			grew = true
			// Outputs of stored transactions may now be ours: replay, then
			// look at the block again.
			fresh, err := w.loadState(tx)
			if err != nil {
				return err
			}
			*st = *fresh
		}
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

// saveProgress records, in one write transaction, that the scan has gone
// through the block at height (hash), with a locator of the blocks below
// it and the state of the pass.
func (w *Wallet) saveProgress(c Chain, floor, height int32, hash chainhash.Hash, pass *scanPass) error {
	loc := []scanCursor{{Height: height, Hash: hash}}
	for _, h := range locatorHeights(height, floor)[1:] {
		hdr, err := c.BlockHeader(h)
		if err != nil {
			return err
		}
		loc = append(loc, scanCursor{Height: h, Hash: hdr.BlockHash()})
	}
	return safeUpdate(w.db, func(tx *bbolt.Tx) error {
		if err := dbPutCursor(tx, loc[0]); err != nil {
			return err
		}
		if err := dbPutLocator(tx, loc); err != nil {
			return err
		}
		return dbPutPass(tx, *pass)
	})
}

// locatorHeights returns the heights a scan locator keeps for a scan that
// reached tip: tip and the nine blocks below it, then steps that double,
// and floor (the first block a scan looks at). After a reorganization d
// blocks deep, the highest of them still in the best chain is at most about
// 2d+10 blocks below the tip; the rollback goes back there.
func locatorHeights(tip, floor int32) []int32 {
	var out []int32
	step := int32(1)
	for h := tip; h > floor; h -= step {
		out = append(out, h)
		if len(out) >= 10 {
			step *= 2
		}
	}
	if tip >= floor {
		out = append(out, floor)
	}
	return out
}

// rollback undoes what a reorganization took away. When the block the scan
// stopped at is no longer in the best chain, it finds the highest block the
// wallet knows it scanned that still is — from the scan locator and the
// blocks of its transactions — drops every transaction whose block left
// the best chain and moves the cursor back to that block, at any depth.
// With no such block, the next scan starts again from the birthday.
func (w *Wallet) rollback(c Chain) (int, error) {
	removed := 0
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		cursor, ok := dbFetchCursor(tx)
		if !ok {
			return nil
		}
		var known []scanCursor
		for _, p := range dbFetchLocator(tx) {
			if p.Height <= cursor.Height {
				known = append(known, p)
			}
		}
		sort.Slice(known, func(i, j int) bool { return known[i].Height > known[j].Height })
		if cursor.Hash == (chainhash.Hash{}) {
			// Rescan set a height without a block: the best chain's block
			// there, unless the blocks below it have changed too.
			hdr, err := c.BlockHeader(cursor.Height)
			if err == nil && (len(known) == 0 || chainHas(c, known[0].Height, known[0].Hash)) {
				return dbPutCursor(tx, scanCursor{Height: cursor.Height, Hash: hdr.BlockHash()})
			}
		} else if chainHas(c, cursor.Height, cursor.Hash) {
			return nil
		}

		fork := int32(-1)
		for _, p := range known {
			if chainHas(c, p.Height, p.Hash) {
				fork = p.Height
				break
			}
		}
		var gone []chainhash.Hash
		err := dbForEachTx(tx, func(r *txRecord) error {
			switch {
			case r.Height <= 0:
			case !chainHas(c, r.Height, r.BlockHash):
				gone = append(gone, r.Tx.TxHash())
			case r.Height <= cursor.Height:
				// Its block is in both chains.
				fork = max(fork, r.Height)
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

		if fork < max(w.meta.birthdayHeight, 1) {
			// Nothing scanned is known to be shared: start again.
			if err := dbPutLocator(tx, nil); err != nil {
				return err
			}
			if err := dbDeletePass(tx); err != nil {
				return err
			}
			return dbDeleteCursor(tx)
		}
		var keep []scanCursor
		for _, p := range known {
			if p.Height <= fork {
				keep = append(keep, p)
			}
		}
		if err := dbPutLocator(tx, keep); err != nil {
			return err
		}
		if pass, ok := dbFetchPass(tx); ok && pass.From > fork+1 {
			pass.From = fork + 1
			if err := dbPutPass(tx, pass); err != nil {
				return err
			}
		}
		hdr, err := c.BlockHeader(fork)
		if err != nil {
			return err
		}
		return dbPutCursor(tx, scanCursor{Height: fork, Hash: hdr.BlockHash()})
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
		if err := dbDeletePass(tx); err != nil {
			return err
		}
		if from > 1 {
			var keep []scanCursor
			for _, p := range dbFetchLocator(tx) {
				if p.Height < from {
					keep = append(keep, p)
				}
			}
			if err := dbPutLocator(tx, keep); err != nil {
				return err
			}
			// No hash: the next scan takes the best chain's block there.
			return dbPutCursor(tx, scanCursor{Height: from - 1})
		}
		if err := dbPutLocator(tx, nil); err != nil {
			return err
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
