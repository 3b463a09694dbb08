package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// TestReorgSuite splits two btcd nodes, pays the wallet on the branch that
// will lose (including a payment that grows the look-ahead window and
// payments whose coins the winning branch double-spends), lets a longer
// branch win and checks that the reorganized wallet then holds exactly what
// a wallet restored from the same seed and synced from scratch holds:
// history, coins and balance.
func TestReorgSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts btcd nodes")
	}
	for _, depth := range []int32{1, 6, 100} {
		t.Run(fmt.Sprintf("depth%d", depth), func(t *testing.T) {
			testReorg(t, depth)
		})
	}
}

// reorgPayment is a payment to the wallet, or from it, mined on one branch.
type reorgPayment struct {
	name   string
	tx     *wire.MsgTx
	height int32 // the height it is mined at on its branch
}

func (p reorgPayment) txid() string { return p.tx.TxHash().String() }

func testReorg(t *testing.T, depth int32) {
	start := time.Now()
	const fork = 110 // the last block both branches share
	a := regtest.Start(t)
	b := regtest.Start(t)
	a.ConnectTo(b)

	c := newCLI(t)
	restoreAbandon(t, c)
	c.env["SATCHEL_CONNECT"] = a.P2PAddr()
	// The suite checks that the wallet shows exactly what a's mempool
	// holds after the reorg, which only the opt-in BIP37 query asks for;
	// by default sync learns of unconfirmed payments only from relays.
	c.env["SATCHEL_BIP37_MEMPOOL"] = "true"
	var addrs []addrEntry
	c.jsonOut(&addrs, "address", "list", "--count", "45")
	addr := func(i int) []byte { return scriptOf(t, addrs[i].Address) }

	// Shared history: one payment to index 5, so both wallets watch
	// indexes 0..25 before the split.
	a.Generate(105)
	shared := a.Payment(a.CoinbaseCoin(1), 1, addr(5))
	a.SendRaw(shared)
	a.Generate(fork - 105)
	b.WaitForHeight(fork, 30*time.Second)
	if a.BlockHash(fork) != b.BlockHash(fork) {
		t.Fatal("a and b do not share their history")
	}
	c.ok("sync")

	a.DisconnectFrom(b)

	// The wallet spends the shared coin; the spend reaches a's mempool now
	// and b's later, so it is mined on both branches at different heights.
	ext := a.MiningAddress()
	var sent struct {
		Txid string `json:"txid"`
		Fee  int64  `json:"fee"`
	}
	c.jsonOut(&sent, "send", "--to", ext, "--amount", "1btc", "--fee-rate", "2")
	sentTx := rawTx(t, a, sent.Txid)

	// Losing branch (a): heights fork+1 .. fork+depth.
	first, last := int32(fork+1), int32(fork+depth)
	mid := fork + (depth+1)/2
	both := a.Payment(a.CoinbaseCoin(5), 1, addr(2)) // mined on both branches
	losing := []reorgPayment{
		{"to index 24 (beyond the initial gap), double-spent", a.Payment(a.CoinbaseCoin(2), 1, addr(24)), first},
		{"three outputs to index 9, double-spent", a.Payment(a.CoinbaseCoin(3), 3, addr(9)), last},
		{"to index 7, not double-spent", a.Payment(a.CoinbaseCoin(6), 1, addr(7)), mid},
		{"on both branches", both, first},
		{"the wallet's spend", sentTx, first},
	}
	if depth >= 2 {
		// Index 40 is only watched once index 24, in an earlier block, is seen.
		losing = append(losing, reorgPayment{"to index 40 (grown window), double-spent",
			a.Payment(a.CoinbaseCoin(4), 1, addr(40)), last})
	}
	orphaned := []reorgPayment{losing[0], losing[1]}
	if depth >= 2 {
		orphaned = append(orphaned, losing[5])
	}
	back := losing[2]
	mineBranch(t, a, first, last, losing)
	c.ok("sync")
	hist := historyMap(t, c)
	for _, p := range losing {
		if h, ok := hist[p.txid()]; !ok || h.Height != p.height {
			t.Fatalf("before the reorg: payment %s: in history %v at height %d; want height %d", p.name, ok, h.Height, p.height)
		}
	}

	// Winning branch (b): heights fork+1 .. fork+depth+1, double-spending
	// the orphaned payments' coins in its first block.
	bLast := fork + depth + 1
	bMid := fork + (depth+2)/2
	var winning []reorgPayment
	for _, h := range []int32{2, 3, 4} {
		winning = append(winning, reorgPayment{fmt.Sprintf("double spend of coinbase %d", h),
			a.Payment(a.CoinbaseCoin(h), 2, nil), first})
	}
	doubleSpends := winning
	winning = append(winning, []reorgPayment{
		{"to index 3", a.Payment(a.CoinbaseCoin(7), 1, addr(3)), first},
		{"another payment to index 24", a.Payment(a.CoinbaseCoin(8), 2, addr(24)), bMid},
		{"on both branches", both, bLast},
		{"the wallet's spend", sentTx, bLast},
	}...)
	mineBranch(t, b, first, bLast, winning)
	winning = winning[len(doubleSpends):]

	a.ConnectTo(b)
	bTip, _ := b.BestBlock()
	a.WaitForHeight(bLast, 60*time.Second)
	if tip, h := a.BestBlock(); tip != bTip {
		t.Fatalf("a is at %s (height %d), not at b's tip %s", tip, h, bTip)
	}
	if a.BlockHash(first) != b.BlockHash(first) {
		t.Fatalf("a's block %d is not b's after the reorg", first)
	}

	var synced struct {
		Height int32 `json:"height"`
		Wallet struct {
			From    int32 `json:"scanned_from"`
			To      int32 `json:"scanned_to"`
			Removed int   `json:"txs_removed"`
		} `json:"wallet"`
	}
	syncStart := time.Now()
	c.jsonOut(&synced, "sync")
	t.Logf("depth %d: sync after the reorg took %v: scanned %d..%d, removed %d", depth,
		time.Since(syncStart).Round(time.Millisecond), synced.Wallet.From, synced.Wallet.To, synced.Wallet.Removed)
	if synced.Height != bLast || synced.Wallet.To != bLast {
		t.Fatalf("sync after the reorg: %+v; want height %d", synced, bLast)
	}
	// Every payment confirmed on a's branch lost its block.
	if synced.Wallet.Removed != len(losing) {
		t.Errorf("sync after the reorg removed %d transactions; want %d", synced.Wallet.Removed, len(losing))
	}

	// A wallet restored from the same seed and synced from scratch.
	clean := newCLI(t)
	restoreAbandon(t, clean)
	clean.env["SATCHEL_CONNECT"] = a.P2PAddr()
	clean.env["SATCHEL_BIP37_MEMPOOL"] = "true"
	clean.ok("sync")

	// History: the same entries in the same order; unconfirmed ones come
	// in the order each wallet first saw them, which differs between a
	// wallet that watched the reorg and one synced after it, so they are
	// compared as a set.
	byTxid := func(h histEntry) (int32, string) { return h.Height, h.Txid }
	gotHist := unconfirmedAsSet(historyList(t, c), byTxid)
	wantHist := unconfirmedAsSet(historyList(t, clean), byTxid)
	if !reflect.DeepEqual(gotHist, wantHist) {
		t.Errorf("history after the reorg differs from a clean sync:\nreorged: %s\nclean:   %s",
			dump(gotHist), dump(wantHist))
	}
	rawKey := func(m map[string]any) (int32, string) {
		h, _ := m["height"].(float64)
		return int32(h), fmt.Sprint(m["txid"])
	}
	gotFull := unconfirmedAsSet(rawJSON(t, c, "history"), rawKey)
	wantFull := unconfirmedAsSet(rawJSON(t, clean, "history"), rawKey)
	if !reflect.DeepEqual(gotFull, wantFull) {
		t.Errorf("history --json differs:\nreorged: %s\nclean:   %s", dump(gotFull), dump(wantFull))
	}
	// Coins, as a set and in the listed order.
	gotUTXOs, wantUTXOs := rawJSON(t, c, "utxos"), rawJSON(t, clean, "utxos")
	if !reflect.DeepEqual(sortedByKey(gotUTXOs), sortedByKey(wantUTXOs)) {
		t.Errorf("utxos after the reorg differ from a clean sync:\nreorged: %s\nclean:   %s",
			dump(gotUTXOs), dump(wantUTXOs))
	} else if !reflect.DeepEqual(gotUTXOs, wantUTXOs) {
		t.Errorf("utxos after the reorg are listed in another order than after a clean sync:\nreorged: %s\nclean:   %s",
			dump(gotUTXOs), dump(wantUTXOs))
	}
	var gotBal, wantBal map[string]any
	c.jsonOut(&gotBal, "balance")
	clean.jsonOut(&wantBal, "balance")
	if !reflect.DeepEqual(gotBal, wantBal) {
		t.Errorf("balance after the reorg %v; a clean sync gives %v", gotBal, wantBal)
	}

	// And both match the winning chain as we built it.
	// A payment of a's branch is never confirmed now. btcd v0.26 puts the
	// transactions of the blocks it disconnects back in its mempool, and
	// while it syncs the winning branch from a peer (not "current") it skips
	// evicting the ones the new blocks double-spend, so a's mempool may hold
	// even the double-spent payments. A light client cannot see that their
	// inputs are spent; it must show exactly what the peer relays: each
	// payment unconfirmed if and only if it is in a's mempool.
	hist = historyMap(t, c)
	wantUnconfirmed := int64(0)
	stale := 0
	for _, p := range append(slices.Clone(orphaned), back) {
		inPool := a.InMempool(p.tx.TxHash())
		h, ok := hist[p.txid()]
		if ok && h.Height > 0 {
			t.Errorf("orphaned payment %s (%s) is still confirmed at height %d", p.name, p.txid(), h.Height)
		} else if ok != inPool {
			t.Errorf("orphaned payment %s (%s): in a's mempool %v, in the history %v", p.name, p.txid(), inPool, ok)
		}
		if inPool {
			wantUnconfirmed += p.tx.TxOut[0].Value * int64(len(p.tx.TxOut))
			if p.name != back.name {
				stale++
			}
		}
	}
	for _, p := range winning {
		if h, ok := hist[p.txid()]; !ok || h.Height != p.height {
			t.Errorf("winning payment %s: in history %v at height %d; want height %d", p.name, ok, h.Height, p.height)
		}
	}
	if h := hist[sent.Txid]; h.Fee == nil || *h.Fee != sent.Fee || h.Amount != -(btc+sent.Fee) {
		t.Errorf("the wallet's spend in the history: %+v; want amount %d, fee %d", h, -(btc + sent.Fee), sent.Fee)
	}
	wantConfirmed := shared.TxOut[0].Value - btc - sent.Fee + both.TxOut[0].Value
	for _, p := range winning[:2] {
		for _, o := range p.tx.TxOut {
			wantConfirmed += o.Value
		}
	}
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	if bal.Confirmed != wantConfirmed || bal.Unconfirmed != wantUnconfirmed || bal.Immature != 0 {
		t.Errorf("balance %+v; want %d confirmed, %d unconfirmed", bal, wantConfirmed, wantUnconfirmed)
	}
	t.Logf("depth %d: %v in all; %d history entries, %d coins; %d of %d double-spent payments back in btcd's mempool",
		depth, time.Since(start).Round(time.Millisecond), len(gotHist), len(gotUTXOs), stale, len(orphaned))
}

// mineBranch mines the blocks from..to on n, one at a time, submitting each
// payment just before the block at its height.
func mineBranch(t *testing.T, n *regtest.Node, from, to int32, payments []reorgPayment) {
	t.Helper()
	for h := from; h <= to; {
		var here []reorgPayment
		for _, p := range payments {
			if p.height == h {
				here = append(here, p)
			}
		}
		if len(here) == 0 {
			// Mine the run of empty blocks up to the next payment at once.
			next := to + 1
			for _, p := range payments {
				if p.height > h && p.height < next {
					next = p.height
				}
			}
			n.Generate(int(next - h))
			h = next
			continue
		}
		for _, p := range here {
			id := p.tx.TxHash()
			if !n.InMempool(id) {
				n.SendRaw(p.tx)
			}
		}
		hash := n.Generate(1)[0]
		block := n.Block(h)
		if block.BlockHash() != hash {
			t.Fatalf("block %d is not the one just mined", h)
		}
		for _, p := range here {
			if !slices.ContainsFunc(block.Transactions, func(tx *wire.MsgTx) bool { return tx.TxHash() == p.tx.TxHash() }) {
				t.Fatalf("payment %s is not in block %d", p.name, h)
			}
		}
		h++
	}
	if _, h := n.BestBlock(); h != to {
		t.Fatalf("branch ends at %d; want %d", h, to)
	}
}

// rawTx fetches a transaction from btcd's mempool.
func rawTx(t *testing.T, n *regtest.Node, txid string) *wire.MsgTx {
	t.Helper()
	raw, err := n.Call("getrawtransaction", txid, 0)
	if err != nil {
		t.Fatalf("getrawtransaction %s: %v", txid, err)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	if tx.TxHash().String() != txid {
		t.Fatalf("getrawtransaction %s returned %s", txid, tx.TxHash())
	}
	return &tx
}

// histEntry is the part of a history entry that must survive a reorg
// exactly.
type histEntry struct {
	Txid   string
	Height int32
	Amount int64
	Fee    int64 // -1: unknown
}

func historyList(t *testing.T, c *cli) []histEntry {
	t.Helper()
	var hist []historyOut
	c.jsonOut(&hist, "history")
	out := make([]histEntry, len(hist))
	for i, h := range hist {
		out[i] = histEntry{Txid: h.Txid, Height: h.Height, Amount: h.Amount, Fee: -1}
		if h.Fee != nil {
			out[i].Fee = *h.Fee
		}
	}
	return out
}

func historyMap(t *testing.T, c *cli) map[string]historyOut {
	t.Helper()
	var hist []historyOut
	c.jsonOut(&hist, "history")
	m := make(map[string]historyOut, len(hist))
	for _, h := range hist {
		if _, dup := m[h.Txid]; dup {
			t.Fatalf("transaction %s is twice in the history", h.Txid)
		}
		m[h.Txid] = h
	}
	return m
}

// rawJSON runs a command with --json and decodes its list output generically.
func rawJSON(t *testing.T, c *cli, args ...string) []map[string]any {
	t.Helper()
	var out []map[string]any
	c.jsonOut(&out, args...)
	return out
}

// unconfirmedAsSet sorts the unconfirmed (height 0) entries of a history
// by txid among themselves, leaving the confirmed ones where they are.
func unconfirmedAsSet[T any](list []T, key func(T) (height int32, txid string)) []T {
	out := slices.Clone(list)
	var idx []int
	var unconf []T
	for i, e := range out {
		if h, _ := key(e); h == 0 {
			idx = append(idx, i)
			unconf = append(unconf, e)
		}
	}
	slices.SortFunc(unconf, func(x, y T) int {
		_, a := key(x)
		_, b := key(y)
		return strings.Compare(a, b)
	})
	for k, i := range idx {
		out[i] = unconf[k]
	}
	return out
}

// sortedByKey orders entries by txid and vout.
func sortedByKey(list []map[string]any) []map[string]any {
	out := slices.Clone(list)
	slices.SortFunc(out, func(x, y map[string]any) int {
		return strings.Compare(fmt.Sprint(x["txid"], ":", x["vout"]), fmt.Sprint(y["txid"], ":", y["vout"]))
	})
	return out
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
