package explorer

import (
	"bytes"
	"slices"
	"sync"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// maxCachedAddresses bounds the addresses an AddressCache remembers; the
// least recently searched one is dropped first.
const maxCachedAddresses = 32

// AddressCache remembers the confirmed history of the addresses searched,
// and up to which block, so that searching one again scans only the blocks
// that came since. The root model keeps one for the app's life and hands
// it to every address page. It is safe for concurrent use.
type AddressCache struct {
	mu      sync.Mutex
	entries map[string]*addrEntry // by output script
	order   []string              // least recently used first
}

// addrEntry is one address's confirmed history up to block to.
type addrEntry struct {
	txs    []AddressTx // chain order
	to     int32
	toHash chainhash.Hash
}

// NewAddressCache returns an empty cache.
func NewAddressCache() *AddressCache {
	return &AddressCache{entries: map[string]*addrEntry{}}
}

// request is the AddressRequest that continues the cached scan of script,
// or scans the whole chain when there is none.
func (c *AddressCache) request(script []byte) AddressRequest {
	req := AddressRequest{Script: slices.Clone(script)}
	if c == nil {
		return req
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(script)]
	if !ok {
		return req
	}
	req.From, req.After, req.Unspent = e.to+1, e.toHash, unspentOutputs(e.txs, script)
	return req
}

// unspentOutputs are the outputs paying script that txs (in chain order)
// create and do not spend.
func unspentOutputs(txs []AddressTx, script []byte) map[wire.OutPoint]btcutil.Amount {
	out := map[wire.OutPoint]btcutil.Amount{}
	for _, t := range txs {
		if t.Tx == nil {
			continue
		}
		for _, in := range t.Tx.TxIn {
			delete(out, in.PreviousOutPoint)
		}
		for i, o := range t.Tx.TxOut {
			if bytes.Equal(o.PkScript, script) {
				out[wire.OutPoint{Hash: t.Txid, Index: uint32(i)}] = btcutil.Amount(o.Value)
			}
		}
	}
	return out
}

// addrResult is a scan merged with what the cache held before it.
type addrResult struct {
	confirmed  []AddressTx // the whole confirmed history, chain order
	from, to   int32       // all the blocks the history covers
	newFrom    int32       // the first block this scan checked
	cachedTo   int32       // the last block known from before; -1 for none
	startedOff bool        // the cache was dropped: the chain changed
}

// store merges scan, the answer to req, into the cache and returns the
// whole history.
func (c *AddressCache) store(req AddressRequest, scan AddressScan) addrResult {
	res := addrResult{from: 0, to: scan.To, newFrom: scan.From, cachedTo: -1}
	if c == nil {
		res.confirmed = scan.Txs
		return res
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := string(req.Script)
	e, ok := c.entries[key]
	switch {
	case !ok || scan.From == 0:
		res.startedOff = ok && req.From > 0
		e = &addrEntry{txs: slices.Clone(scan.Txs)}
	case scan.From == e.to+1:
		res.cachedTo = e.to
		e.txs = append(slices.Clone(e.txs), scan.Txs...)
	default:
		// An answer that does not continue the entry: keep only it.
		res.newFrom = scan.From
		e = &addrEntry{txs: slices.Clone(scan.Txs)}
		res.from = scan.From
	}
	if scan.To >= scan.From || !ok {
		e.to, e.toHash = scan.To, scan.ToHash
	}
	res.to = e.to
	c.entries[key] = e
	c.order = slices.DeleteFunc(c.order, func(k string) bool { return k == key })
	c.order = append(c.order, key)
	for len(c.order) > maxCachedAddresses {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	res.confirmed = slices.Clone(e.txs)
	return res
}
