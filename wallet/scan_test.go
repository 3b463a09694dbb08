package wallet

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// payment is a payment to the wallet in a test chain.
type payment struct {
	tx     *wire.MsgTx
	height int32
}

// TestScanFindsGrownWindowPayments runs the cases where a payment makes the
// look-ahead window grow and an address it newly covers was paid in the
// same transaction, the same block or an earlier block. A restore must find
// them all in one scan, and a second scan must change nothing.
func TestScanFindsGrownWindowPayments(t *testing.T) {
	cases := []struct {
		name string
		// blocks lists, block by block, the transactions and for each the
		// receive indices it pays.
		blocks [][][]uint32
	}{
		{"index 10 and 25 in one transaction, then 40", [][][]uint32{{{10, 25}}, {}, {{40}}}},
		{"index 28 in block N, index 10 in block N+1", [][][]uint32{{{28}}, {{10}}}},
		{"index 28, empty blocks, then index 10", [][][]uint32{{{28}}, {}, {}, {{10}}}},
		{"index 25 and 10 in two transactions of one block", [][][]uint32{{{25}, {10}}}},
		{"a chain back in time: 45, then 28, then 10", [][][]uint32{{{45}}, {{28}}, {{10}}}},
		{"index 10, 25 and 40 in one transaction", [][][]uint32{{{40, 25, 10}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChain()
			w, _ := newTestWallet(t)
			for range 5 {
				c.mine()
			}
			var want []int64
			var maxIndex uint32
			for _, block := range tc.blocks {
				var txs []*wire.MsgTx
				for _, indices := range block {
					var scripts [][]byte
					for _, i := range indices {
						scripts = append(scripts, script(t, w, ReceiveBranch, i))
						maxIndex = max(maxIndex, i)
					}
					tx := c.pay(scripts...)
					for _, o := range tx.TxOut {
						want = append(want, o.Value)
					}
					txs = append(txs, tx)
				}
				c.mine(txs...)
			}
			c.mine()
			scan(t, w, c)
			v := viewOf(t, w)
			if v.Balance.Confirmed != sum(want...) || len(v.Coins) != len(want) {
				t.Fatalf("balance %v with %d coins; want %v in %d coins", v.Balance.Confirmed, len(v.Coins), sum(want...), len(want))
			}
			if v.NextReceive != maxIndex+1 {
				t.Errorf("next receive index %d; want %d (one past the highest paid)", v.NextReceive, maxIndex+1)
			}
			scan(t, w, c)
			if again := viewOf(t, w); !slices.Equal(again.History, v.History) || again.Balance != v.Balance {
				t.Errorf("a second scan changed the wallet: %+v, then %+v", v, again)
			}
		})
	}
}

// TestScanFindsEveryPaymentInWindow is a property test: payments to
// addresses that each lie within the gap limit of an earlier paid address
// (so all are inside the rolling window once all are known), mined in random
// order, some in one transaction, some spent later, are all found by a
// fresh restore, whatever the scan's chunk size.
func TestScanFindsEveryPaymentInWindow(t *testing.T) {
	defer func(old int32) { scanChunk = old }(scanChunk)
	cases := 150
	if testing.Short() {
		cases = 30
	}
	for seed := range uint64(cases) {
		rng := rand.New(rand.NewPCG(seed, 42))
		chunk := []int32{1, 2, 5, 13, 2000}[seed%5]
		t.Run(fmt.Sprintf("seed%d/chunk%d", seed, chunk), func(t *testing.T) {
			scanChunk = chunk
			checkRandomRestore(t, rng)
		})
	}
}

func checkRandomRestore(t *testing.T, rng *rand.Rand) {
	c := newTestChain()
	w, _ := newTestWallet(t)
	const gap = DefaultGapLimit

	// The indices paid on each branch: each within the gap of the one
	// before (the first within the gap of nothing, so below 20).
	type target struct{ branch, index uint32 }
	var targets []target
	for _, branch := range []uint32{ReceiveBranch, ChangeBranch} {
		cur := -1
		for range rng.IntN(10) + (1 - int(branch)) {
			cur += 1 + rng.IntN(gap)
			targets = append(targets, target{branch, uint32(cur)})
			if rng.IntN(4) == 0 { // paid twice
				targets = append(targets, target{branch, uint32(cur)})
			}
		}
	}
	rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })

	// Group them into transactions of one to three outputs.
	var txs []*wire.MsgTx
	for len(targets) > 0 {
		n := min(len(targets), 1+rng.IntN(3))
		var scripts [][]byte
		for _, tg := range targets[:n] {
			scripts = append(scripts, script(t, w, tg.branch, tg.index))
		}
		targets = targets[n:]
		txs = append(txs, c.pay(scripts...))
	}

	// Mine them in random blocks after the birthday, with empty blocks
	// between, and spend some of the coins in later blocks.
	unspent := map[wire.OutPoint]int64{}
	var history []string
	var spendable []wire.OutPoint
	spends := map[chainhash.Hash]bool{}
	for range rng.IntN(4) {
		c.mine()
	}
	for len(txs) > 0 || len(spendable) > 0 {
		var block []*wire.MsgTx
		for len(txs) > 0 && rng.IntN(3) > 0 {
			block = append(block, txs[0])
			txs = txs[1:]
			if rng.IntN(3) > 0 {
				break
			}
		}
		if len(spendable) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(spendable))
			op := spendable[i]
			spendable = slices.Delete(spendable, i, i+1)
			sp := c.spend(unspent[op]-1000, op)
			spends[sp.TxHash()] = true
			block = append(block, sp)
			delete(unspent, op)
		}
		h := c.mine(block...)
		for _, tx := range block {
			id := tx.TxHash()
			history = append(history, fmt.Sprintf("%s@%d", id, h))
			if spends[id] {
				continue
			}
			for i, o := range tx.TxOut {
				op := wire.OutPoint{Hash: id, Index: uint32(i)}
				unspent[op] = o.Value
				if rng.IntN(4) == 0 {
					spendable = append(spendable, op)
				}
			}
		}
		if len(txs) == 0 && rng.IntN(2) == 0 {
			spendable = nil
		}
	}
	c.mine()

	scan(t, w, c)
	v := viewOf(t, w)
	var want []int64
	for _, val := range unspent {
		want = append(want, val)
	}
	var got []string
	hist, _ := w.History()
	for _, e := range hist {
		got = append(got, fmt.Sprintf("%s@%d", e.Txid, e.Height))
	}
	slices.Sort(got)
	slices.Sort(history)
	if !slices.Equal(got, history) {
		t.Errorf("history has %d transactions; want %d\n got  %v\n want %v", len(got), len(history), got, history)
	}
	if v.Balance.Confirmed != sum(want...) || len(v.Coins) != len(want) {
		t.Errorf("balance %v in %d coins; want %v in %d coins", v.Balance.Confirmed, len(v.Coins), sum(want...), len(want))
	}
}

// TestScanDeepReorg lets a branch forked 300 blocks below the tip win, with
// the wallet paid on both branches: on the losing branch only near its tip,
// on the winning one just above the fork (beyond the 288 blocks an older
// satchel looked back). The wallet must then equal a clean scan of the
// winning chain.
func TestScanDeepReorg(t *testing.T) {
	for _, depth := range []int32{1, 6, 300, 1000} {
		t.Run(fmt.Sprintf("depth%d", depth), func(t *testing.T) {
			c := newTestChain()
			w, _ := newTestWallet(t)
			for range 20 {
				c.mine()
			}
			c.mine(c.pay(script(t, w, ReceiveBranch, 0))) // shared history
			for range 10 {
				c.mine()
			}
			fork := c.SyncedHeight()
			both := c.pay(script(t, w, ReceiveBranch, 2))

			// Losing branch: a payment on both branches, one only here near
			// the tip; the wallet scans it.
			losing := c.fork(fork)
			for losing.SyncedHeight() < fork+depth-1 {
				losing.mine()
			}
			losing.mine(both, losing.pay(script(t, w, ReceiveBranch, 3)))
			scan(t, w, losing)

			// Winning branch: one block longer, paying just above the fork
			// and again near its tip.
			winning := c.fork(fork)
			winning.mine(winning.pay(script(t, w, ReceiveBranch, 4)))
			winning.mine(both)
			for winning.SyncedHeight() < fork+depth {
				winning.mine()
			}
			winning.mine(winning.pay(script(t, w, ReceiveBranch, 5)))

			res := scan(t, w, winning)
			clean, _ := newTestWallet(t)
			scan(t, clean, winning)
			got, want := viewOf(t, w), viewOf(t, clean)
			if !slices.Equal(got.History, want.History) || !slices.Equal(got.Coins, want.Coins) || got.Balance != want.Balance {
				t.Fatalf("after a reorg %d deep the wallet differs from a clean scan:\n got  %+v\n want %+v", depth, got, want)
			}
			if res.TxsRemoved != 2 {
				t.Errorf("the reorg removed %d transactions; want 2", res.TxsRemoved)
			}
			if len(want.History) != 4 {
				t.Errorf("the winning chain's wallet has %d transactions; want 4", len(want.History))
			}
		})
	}
}

// failingChain is a testChain that fails like a node losing its peers in
// the middle of a scan: filters from height failFrom on, or the block at
// height failBlock, are out of reach.
type failingChain struct {
	*testChain
	failFrom, failBlock int32
}

func (f failingChain) MatchScripts(ctx context.Context, start, end int32, scripts [][]byte, progress func(int32)) ([]int32, error) {
	if f.failFrom > 0 && end >= f.failFrom {
		return nil, errors.New("no peer serves filters")
	}
	return f.testChain.MatchScripts(ctx, start, end, scripts, progress)
}

func (f failingChain) GetBlock(ctx context.Context, hash *chainhash.Hash) (*wire.MsgBlock, error) {
	if h, ok := f.byHash[*hash]; ok && h == f.failBlock {
		return nil, errors.New("no peer serves blocks")
	}
	return f.testChain.GetBlock(ctx, hash)
}

// TestScanResumesInterruptedPass: a restore that stops after index 10 grew
// the window over index 28, paid in an earlier step, owes a sweep of the
// whole pass; the next scan does it, whether the first one stopped after
// that step or within it.
func TestScanResumesInterruptedPass(t *testing.T) {
	defer func(old int32) { scanChunk = old }(scanChunk)
	scanChunk = 10
	for _, tc := range []struct {
		name      string
		fail      failingChain
		stoppedAt int32
	}{
		{"after the step", failingChain{failFrom: 31}, 30},
		{"within the step", failingChain{failBlock: 25}, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChain()
			w, _ := newTestWallet(t)
			for c.SyncedHeight() < 5 {
				c.mine()
			}
			early := c.pay(script(t, w, ReceiveBranch, 28))
			c.mine(early) // height 6
			for c.SyncedHeight() < 22 {
				c.mine()
			}
			later := c.pay(script(t, w, ReceiveBranch, 10))
			c.mine(later) // height 23
			c.mine()
			other := c.pay(script(t, w, ReceiveBranch, 0))
			c.mine(other) // height 25
			for c.SyncedHeight() < 45 {
				c.mine()
			}
			fail := tc.fail
			fail.testChain = c
			if _, err := w.Scan(context.Background(), fail, nil); err == nil {
				t.Fatal("a scan that lost its peers did not fail")
			}
			if h := w.ScanHeight(); h != tc.stoppedAt {
				t.Fatalf("the interrupted scan stopped at %d; want %d", h, tc.stoppedAt)
			}
			scan(t, w, c)
			want := sum(early.TxOut[0].Value, later.TxOut[0].Value, other.TxOut[0].Value)
			if v := viewOf(t, w); v.Balance.Confirmed != want || v.NextReceive != 29 {
				t.Fatalf("after the resumed scan: %+v; want %v confirmed and next index 29", v, want)
			}
		})
	}
}

// TestRescan: forgetting everything, or everything from a height, and
// scanning again gives the same wallet.
func TestRescan(t *testing.T) {
	c := newTestChain()
	w, _ := newTestWallet(t)
	for i := range uint32(30) {
		if i%3 == 0 {
			c.mine(c.pay(script(t, w, ReceiveBranch, i)))
		} else {
			c.mine()
		}
	}
	scan(t, w, c)
	want := viewOf(t, w)
	for _, from := range []int32{-1, 1, 2, 15, 29} {
		if err := w.Rescan(from); err != nil {
			t.Fatal(err)
		}
		res := scan(t, w, c)
		if got := viewOf(t, w); !slices.Equal(got.History, want.History) || got.Balance != want.Balance {
			t.Errorf("rescan from %d: %+v; want %+v", from, got, want)
		}
		if wantFrom := max(from, 1); res.From != wantFrom {
			t.Errorf("rescan from %d scanned from %d; want %d", from, res.From, wantFrom)
		}
	}
}
