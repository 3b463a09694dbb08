package wallet

import (
	"sort"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"
)

// CoinbaseMaturity is how many confirmations a coinbase output needs before
// it can be spent.
const CoinbaseMaturity = 100

// UnconfirmedExpiry is how long an unconfirmed transaction counts after the
// wallet last saw it: broadcast it, or had it relayed by a peer. After that,
// if it was neither mined nor seen again, the wallet forgets it: the coins
// it spends are spendable again, the payment it makes is gone. Fourteen
// days is how long Bitcoin Core keeps a transaction in its mempool by
// default (-mempoolexpiry), so the network has most likely forgotten it
// too. A confirmed transaction never expires.
const UnconfirmedExpiry = 14 * 24 * time.Hour

// clock returns the current time (tests set w.now).
func (w *Wallet) clock() time.Time {
	if w.now != nil {
		return w.now()
	}
	return time.Now()
}

// expired reports whether an unconfirmed record has outlived
// UnconfirmedExpiry.
func (w *Wallet) expired(r *txRecord) bool {
	return r.Height == 0 && w.clock().Sub(r.LastSeen) > UnconfirmedExpiry
}

// dropExpired deletes the expired unconfirmed records.
func (w *Wallet) dropExpired(tx *bbolt.Tx) error {
	var ids []chainhash.Hash
	err := dbForEachTx(tx, func(r *txRecord) error {
		if w.expired(r) {
			ids = append(ids, r.Tx.TxHash())
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := dbDeleteTx(tx, id); err != nil {
			return err
		}
	}
	return nil
}

// Output is a wallet output: paid to one of our addresses.
type Output struct {
	OutPoint  wire.OutPoint
	Value     btcutil.Amount
	Script    []byte
	Branch    uint32
	Index     uint32
	Height    int32 // 0 while unconfirmed
	Coinbase  bool
	SpentBy   *chainhash.Hash
	Frozen    bool
	BlockTime time.Time
}

// Confirmations returns the output's confirmations at tip height.
func (o *Output) Confirmations(tip int32) int32 {
	if o.Height <= 0 || tip < o.Height {
		return 0
	}
	return tip - o.Height + 1
}

// Mature reports whether the output can be spent at tip height.
func (o *Output) Mature(tip int32) bool {
	return !o.Coinbase || o.Confirmations(tip) >= CoinbaseMaturity
}

// Balance is the wallet's money in four views. Confirmed is spendable now;
// Unconfirmed is in transactions not yet mined; Immature is coinbase
// output still maturing; Total is their sum.
type Balance struct {
	Confirmed   btcutil.Amount
	Unconfirmed btcutil.Amount
	Immature    btcutil.Amount
	Total       btcutil.Amount
}

// HistoryEntry is one transaction as the wallet sees it.
type HistoryEntry struct {
	Txid      chainhash.Hash
	Height    int32 // 0 when unconfirmed
	BlockTime time.Time
	// Amount is the net effect on the wallet, negative when spending.
	Amount btcutil.Amount
	// Fee is known when every input is ours; -1 otherwise.
	Fee   btcutil.Amount
	Label string
	Tx    *wire.MsgTx
}

// state is the wallet's view derived from its stored transactions.
type state struct {
	txs     map[chainhash.Hash]*txRecord
	outputs map[wire.OutPoint]*Output
	order   []*txRecord // by height (unconfirmed last), then block position

	// txid is the bbolt transaction the state was read in: a write
	// transaction that finds another one committed since (its own ID is
	// not txid+1) must read the state again.
	txid uint64
}

// loadState replays every stored transaction in chain order. Expired
// unconfirmed ones are left out, so every view agrees on them even before a
// scan deletes them.
func (w *Wallet) loadState(tx *bbolt.Tx) (*state, error) {
	st := &state{txs: map[chainhash.Hash]*txRecord{}, outputs: map[wire.OutPoint]*Output{}, txid: uint64(tx.ID())}
	err := dbForEachTx(tx, func(r *txRecord) error {
		if w.expired(r) {
			return nil
		}
		st.txs[r.Tx.TxHash()] = r
		st.order = append(st.order, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(st.order, func(i, j int) bool {
		a, b := st.order[i], st.order[j]
		ha, hb := a.Height, b.Height
		if ha == 0 {
			ha = 1 << 30
		}
		if hb == 0 {
			hb = 1 << 30
		}
		if ha != hb {
			return ha < hb
		}
		if a.BlockIndex != b.BlockIndex {
			return a.BlockIndex < b.BlockIndex
		}
		return a.FirstSeen.Before(b.FirstSeen)
	})
	for _, r := range st.order {
		w.applyTx(st, r)
	}
	dbForEachFrozen(tx, func(op wire.OutPoint) {
		if o, ok := st.outputs[op]; ok {
			o.Frozen = true
		}
	})
	return st, nil
}

// applyTx adds a transaction's outputs to us and marks the ones it spends.
func (w *Wallet) applyTx(st *state, r *txRecord) {
	id := r.Tx.TxHash()
	for _, in := range r.Tx.TxIn {
		if o, ok := st.outputs[in.PreviousOutPoint]; ok {
			o.SpentBy = &id
		}
	}
	for i, out := range r.Tx.TxOut {
		branch, index, ok := w.scriptOwner(out.PkScript)
		if !ok {
			continue
		}
		st.outputs[wire.OutPoint{Hash: id, Index: uint32(i)}] = &Output{
			OutPoint: wire.OutPoint{Hash: id, Index: uint32(i)},
			Value:    btcutil.Amount(out.Value),
			Script:   out.PkScript,
			Branch:   branch, Index: index,
			Height:    r.Height,
			Coinbase:  isCoinbase(r.Tx),
			BlockTime: r.BlockTime,
		}
	}
}

func isCoinbase(tx *wire.MsgTx) bool {
	return len(tx.TxIn) == 1 && tx.TxIn[0].PreviousOutPoint.Index == wire.MaxPrevOutIndex &&
		tx.TxIn[0].PreviousOutPoint.Hash == chainhash.Hash{}
}

// relevant reports whether a transaction pays us or spends our outputs.
func (w *Wallet) relevant(st *state, tx *wire.MsgTx) bool {
	for _, out := range tx.TxOut {
		if _, _, ok := w.scriptOwner(out.PkScript); ok {
			return true
		}
	}
	for _, in := range tx.TxIn {
		if _, ok := st.outputs[in.PreviousOutPoint]; ok {
			return true
		}
	}
	return false
}

// Balance returns the wallet's balance at tip height (the height the wallet
// last scanned to).
func (w *Wallet) Balance() (Balance, error) {
	var b Balance
	err := w.withState(func(st *state, tip int32) {
		for _, o := range st.outputs {
			if o.SpentBy != nil {
				continue
			}
			switch {
			case o.Height == 0:
				b.Unconfirmed += o.Value
			case !o.Mature(tip):
				b.Immature += o.Value
			default:
				b.Confirmed += o.Value
			}
		}
		b.Total = b.Confirmed + b.Unconfirmed + b.Immature
	})
	return b, err
}

// UTXOs returns the unspent outputs, oldest first.
func (w *Wallet) UTXOs() ([]*Output, int32, error) {
	var out []*Output
	var tipHeight int32
	err := w.withState(func(st *state, tip int32) {
		tipHeight = tip
		for _, o := range st.outputs {
			if o.SpentBy == nil {
				out = append(out, o)
			}
		}
	})
	sort.Slice(out, func(i, j int) bool {
		hi, hj := out[i].Height, out[j].Height
		if hi == 0 {
			hi = 1 << 30
		}
		if hj == 0 {
			hj = 1 << 30
		}
		if hi != hj {
			return hi < hj
		}
		if out[i].OutPoint.Hash != out[j].OutPoint.Hash {
			return out[i].OutPoint.Hash.String() < out[j].OutPoint.Hash.String()
		}
		return out[i].OutPoint.Index < out[j].OutPoint.Index
	})
	return out, tipHeight, err
}

// History returns the wallet's transactions, newest first.
func (w *Wallet) History() ([]HistoryEntry, error) {
	var hist []HistoryEntry
	err := safeView(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		// Every output any of our transactions created, spent or not.
		all := st.outputs
		for i := len(st.order) - 1; i >= 0; i-- {
			r := st.order[i]
			id := r.Tx.TxHash()
			e := HistoryEntry{Txid: id, Height: r.Height, BlockTime: r.BlockTime, Fee: -1, Tx: r.Tx,
				Label: dbFetchLabel(tx, TxLabelKey(id))}
			var in, ours btcutil.Amount
			allOurs := !isCoinbase(r.Tx)
			for _, txIn := range r.Tx.TxIn {
				if o, ok := all[txIn.PreviousOutPoint]; ok {
					in += o.Value
				} else {
					allOurs = false
				}
			}
			var outTotal btcutil.Amount
			for i, out := range r.Tx.TxOut {
				outTotal += btcutil.Amount(out.Value)
				if _, ok := all[wire.OutPoint{Hash: id, Index: uint32(i)}]; ok {
					ours += btcutil.Amount(out.Value)
				}
			}
			e.Amount = ours - in
			if allOurs {
				e.Fee = in - outTotal
			}
			hist = append(hist, e)
		}
		return nil
	})
	return hist, err
}

// withState loads the state in a read transaction.
func (w *Wallet) withState(fn func(st *state, tip int32)) error {
	return safeView(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		c, _ := dbFetchCursor(tx)
		fn(st, c.Height)
		return nil
	})
}

// SetFrozen freezes or unfreezes an output: frozen coins are never spent
// by automatic coin selection.
func (w *Wallet) SetFrozen(op wire.OutPoint, frozen bool) error {
	return safeUpdate(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		if _, ok := st.outputs[op]; !ok {
			return errNoSuchOutput(op)
		}
		return dbSetFrozen(tx, op, frozen)
	})
}

// SetLabel sets (or with "" removes) the label of a BIP329 reference such
// as "tx:<txid>", "addr:<address>" or "output:<txid>:<vout>".
func (w *Wallet) SetLabel(key, label string) error {
	return safeUpdate(w.db, func(tx *bbolt.Tx) error { return dbPutLabel(tx, key, label) })
}

// Labels returns every label by key.
func (w *Wallet) Labels() (map[string]string, error) {
	out := map[string]string{}
	err := safeView(w.db, func(tx *bbolt.Tx) error {
		dbForEachLabel(tx, func(k, v string) { out[k] = v })
		return nil
	})
	return out, err
}

// UsedScripts returns the scripts that have received coins, spent or not.
func (w *Wallet) UsedScripts() (map[string]bool, error) {
	used := map[string]bool{}
	err := w.withState(func(st *state, _ int32) {
		for _, o := range st.outputs {
			used[string(o.Script)] = true
		}
	})
	return used, err
}

// ImportLabels stores labels (by "type:ref", "" removes) and freezes or
// unfreezes outputs (by spendable) in one write transaction. Outputs that
// are not the wallet's are skipped; it returns how many flags applied.
func (w *Wallet) ImportLabels(labels map[string]string, spendable map[wire.OutPoint]bool) (int, error) {
	applied := 0
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		for k, v := range labels {
			if err := dbPutLabel(tx, k, v); err != nil {
				return err
			}
		}
		if len(spendable) == 0 {
			return nil
		}
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		for op, ok := range spendable {
			if _, ours := st.outputs[op]; !ours {
				continue
			}
			if err := dbSetFrozen(tx, op, !ok); err != nil {
				return err
			}
			applied++
		}
		return nil
	})
	return applied, err
}
