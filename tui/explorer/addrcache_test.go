package explorer

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// chainSearch is a SearchSource over a made-up chain that works as the
// node does: it checks one filter per block from req.From to the tip
// (counting them), finds a spend only of an output it saw paid in the
// scanned blocks or was told of in req.Unspent, and starts over from 0
// when block From-1 is no longer req.After.
type chainSearch struct {
	mu      sync.Mutex
	script  []byte
	tip     int32
	epoch   byte // changes the hashes of blocks from fork up: a reorg
	fork    int32
	blocks  map[int32][]*wire.MsgTx
	mempool []*wire.MsgTx
	checked []int32 // filters checked by each search
	reqs    []AddressRequest
}

func (c *chainSearch) hash(h int32) chainhash.Hash {
	e := byte(0)
	if h >= c.fork {
		e = c.epoch
	}
	return chainhash.Hash{byte(h), byte(h >> 8), byte(h >> 16), e}
}

func (c *chainSearch) Lookup(context.Context, string) (SearchResult, error) {
	return SearchResult{}, ErrNotFound
}

func (c *chainSearch) AddressHistory(_ context.Context, req AddressRequest, progress func(done, total int32)) (AddressScan, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, req)
	from, owned := req.From, map[wire.OutPoint]btcutil.Amount{}
	if from > 0 && c.hash(from-1) != req.After {
		from = 0
	} else {
		for op, v := range req.Unspent {
			owned[op] = v
		}
	}
	n := max(c.tip-from+1, 0)
	c.checked = append(c.checked, n)
	progress(n, n)
	scan := AddressScan{From: from, To: c.tip, ToHash: c.hash(c.tip)}
	walk := func(tx *wire.MsgTx, height int32) (AddressTx, bool) {
		t := AddressTx{Txid: tx.TxHash(), Height: height, Tx: tx}
		touched := false
		for _, in := range tx.TxIn {
			if v, ok := owned[in.PreviousOutPoint]; ok {
				t.Sent += v
				touched = true
			}
		}
		for i, o := range tx.TxOut {
			if bytes.Equal(o.PkScript, c.script) {
				t.Received += btcutil.Amount(o.Value)
				owned[wire.OutPoint{Hash: t.Txid, Index: uint32(i)}] = btcutil.Amount(o.Value)
				touched = true
			}
		}
		if height > 0 {
			t.BlockHash = c.hash(height)
		}
		return t, touched
	}
	for h := from; h <= c.tip; h++ {
		for _, tx := range c.blocks[h] {
			if t, ok := walk(tx, h); ok {
				scan.Txs = append(scan.Txs, t)
			}
		}
	}
	for _, tx := range c.mempool {
		if t, ok := walk(tx, 0); ok {
			scan.Mempool = append(scan.Mempool, t)
		}
	}
	return scan, nil
}

// payTx pays value to script from a made-up outpoint.
func payTx(prev wire.OutPoint, value int64, script []byte) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&prev, nil, nil))
	tx.AddTxOut(wire.NewTxOut(value, script))
	return tx
}

// TestAddressSearchCache searches one address four times through one
// cache: the second search checks only the ten new blocks' filters, finds
// the spend of the output the first one found, and lists the relayed
// payment from the mempool; the third has no block to check; after a
// reorg the fourth starts over.
func TestAddressSearchCache(t *testing.T) {
	net := &chaincfg.MainNetParams
	addr, script := p2wpkh(t, net, 9)
	_, other := p2wpkh(t, net, 10)
	pay := payTx(wire.OutPoint{Hash: chainhash.Hash{1}}, 100_000_000, script)
	spend := payTx(wire.OutPoint{Hash: pay.TxHash()}, 99_990_000, other)
	relayed := payTx(wire.OutPoint{Hash: chainhash.Hash{2}}, 5_000, script)
	src := &chainSearch{script: script, tip: 1_000, blocks: map[int32][]*wire.MsgTx{100: {pay}}}
	cache := NewAddressCache()
	search := func(t *testing.T, w, h int) string {
		t.Helper()
		v := NewAddressView(common.NewCommon(t.Context(), w, h), src, net, addr, script, WithAddressCache(cache))
		drive(t, v, v.Init())
		got := viewOf(v)
		tuitest.AssertFits(t, got, w, h)
		return ansi.Strip(got)
	}
	checked := func() int32 {
		src.mu.Lock()
		defer src.mu.Unlock()
		return src.checked[len(src.checked)-1]
	}

	got := search(t, 80, 24)
	if n := checked(); n != 1_001 {
		t.Fatalf("the first search checked %d filters, want 1,001", n)
	}
	for _, want := range []string{"scanned blocks 0–1,000", "1 transaction · balance 1.00000000 BTC", "mempool: none relayed"} {
		if !strings.Contains(got, want) {
			t.Errorf("the first search does not show %q:\n%s", want, got)
		}
	}

	// Ten blocks later, one spending the payment, and a payment relayed.
	src.tip = 1_010
	src.blocks[1_005] = []*wire.MsgTx{spend}
	src.mempool = []*wire.MsgTx{relayed}
	v := NewAddressView(common.NewCommon(t.Context(), 80, 24), src, net, addr, script, WithAddressCache(cache))
	drive(t, v, v.Init())
	if n := checked(); n != 10 {
		t.Fatalf("the search after ten new blocks checked %d filters, want 10", n)
	}
	req := src.reqs[len(src.reqs)-1]
	if req.From != 1_001 || req.After != src.hash(1_000) || req.Unspent[wire.OutPoint{Hash: pay.TxHash()}] != 100_000_000 {
		t.Errorf("the search asked from %d after %s with unspent %v; want 1,001 after block 1,000 with the payment",
			req.From, req.After, req.Unspent)
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(sizeName(sz), func(t *testing.T) {
			v.SetSize(sz[0], sz[1])
			styled := viewOf(v)
			tuitest.AssertFits(t, styled, sz[0], sz[1])
			got := ansi.Strip(styled)
			for _, want := range []string{
				"scanned blocks 0–1,010 (1,001–1,010 new; 0–1,000 from the last search)",
				"3 transactions, 1 unconfirmed · balance 0.00005000 BTC",
				"mempool: 1 relayed",
			} {
				if !strings.Contains(got, want) {
					t.Errorf("the second search does not show %q:\n%s", want, got)
				}
			}
			lines := strings.Split(got, "\n")
			for i, want := range []string{"mempool", "1,005", "100"} {
				row := strings.TrimPrefix(lines[addrTopLines+i], ">")
				if f := strings.Fields(row); len(f) < 2 || f[0] != want {
					t.Errorf("row %d is %q, want height %s", i, lines[addrTopLines+i], want)
				}
			}
			golden.RequireEqual(t, got)
		})
	}

	got = search(t, 80, 24)
	if n := checked(); n != 0 {
		t.Errorf("a search with no new block checked %d filters", n)
	}
	if !strings.Contains(got, "scanned blocks 0–1,010 (all from the last search; no new block)") ||
		!strings.Contains(got, "3 transactions") {
		t.Errorf("the search with no new block does not say so or lost the history:\n%s", got)
	}

	// A reorg replaces blocks 1,005 up (the spend is gone) and adds one.
	src.epoch, src.fork, src.tip = 1, 1_005, 1_011
	delete(src.blocks, 1_005)
	got = search(t, 80, 24)
	if n := checked(); n != 1_012 {
		t.Errorf("the search after a reorg checked %d filters, want all 1,012", n)
	}
	if !strings.Contains(got, "scanned blocks 0–1,011 (again from 0: the chain changed since the last search)") ||
		!strings.Contains(got, "2 transactions, 1 unconfirmed · balance 1.00005000 BTC") {
		t.Errorf("the search after a reorg does not start over:\n%s", got)
	}
}

func sizeName(sz [2]int) string {
	return common.FormatInt(int64(sz[0])) + "x" + common.FormatInt(int64(sz[1]))
}

// TestSearchSlashClearsFailedQuery: after a query fails, / empties the
// field and its error, so the next query is typed from scratch; the line
// stays open.
func TestSearchSlashClearsFailedQuery(t *testing.T) {
	const tip = 845_123
	f, _, _ := searchChain(t, tip)
	m := New(common.NewCommon(t.Context(), 80, 24), &fakeSource{tip: tip}, WithClock(fixedClock(tip)),
		WithSearch(f, &chaincfg.MainNetParams))
	drive(t, m, m.Init())
	for _, q := range []string{"999999", "not-a-thing"} {
		hit(t, m, "/")
		typeText(t, m, q)
		hit(t, m, "enter")
		v := ansi.Strip(viewOf(m))
		if !strings.Contains(v, "/ "+q) || strings.Contains(v, searchHint) {
			t.Fatalf("the failed query %q is not shown with its error:\n%s", q, v)
		}
		hit(t, m, "/")
		v = ansi.Strip(viewOf(m))
		if strings.Contains(v, q) || !strings.Contains(v, searchHint) || !m.Capturing() {
			t.Fatalf("/ after the failed query %q did not clear it and its error:\n%s", q, v)
		}
		typeText(t, m, "845123")
		if msgs := hit(t, m, "enter"); len(msgs) != 1 {
			t.Fatalf("the query typed after / found %v, want the tip", msgs)
		}
	}
}
