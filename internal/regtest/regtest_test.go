package regtest

import (
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
)

// TestChain checks the two ways of making blocks: BuildChain produces a
// chain a light node can sync from (ending now, paying our address) and
// Generate extends it.
func TestChain(t *testing.T) {
	n := Start(t)

	if _, h := n.BestBlock(); h != 0 {
		t.Fatalf("new node at height %d, want 0", h)
	}

	n.BuildChain(2000)
	tip, height := n.BestBlock()
	if height != 2000 {
		t.Fatalf("height after BuildChain(2000) = %d, want 2000", height)
	}
	// btcd serves headers only while its tip is recent, so the chain must
	// end at the wall clock, not 2000 s away from it.
	hdr := n.Header(tip)
	if d := time.Since(hdr.Timestamp); d < -5*time.Second || d > 5*time.Second {
		t.Errorf("tip time %v is %v away from now, want within 5s", hdr.Timestamp, d)
	}
	prev := n.Header(n.BlockHash(1999))
	if hdr.PrevBlock != n.BlockHash(1999) || hdr.Timestamp.Sub(prev.Timestamp) != time.Second {
		t.Errorf("tip does not follow block 1999 by one second: prev %s at %v, tip at %v",
			hdr.PrevBlock, prev.Timestamp, hdr.Timestamp)
	}

	// The coinbase pays the halved regtest subsidy to the mining address.
	checkCoinbase(t, n, 151)

	hashes := n.Generate(10)
	tip, height = n.BestBlock()
	if len(hashes) != 10 || height != 2010 || tip != hashes[9] {
		t.Fatalf("after Generate(10): %d hashes, tip %s at %d; want 10, last hash at 2010",
			len(hashes), tip, height)
	}
	if got := n.BlockHash(2005); got != hashes[4] {
		t.Errorf("block 2005 = %s, want generated %s", got, hashes[4])
	}

	// Generate leaves its tip ahead of the clock; BuildChain must then
	// follow it one second at a time rather than make btcd reject a block.
	genTime := n.Header(tip).Timestamp
	n.BuildChain(5)
	tip, height = n.BestBlock()
	if height != 2015 {
		t.Fatalf("height after BuildChain(5) = %d, want 2015", height)
	}
	if got := n.Header(tip).Timestamp; got.Sub(genTime) != 5*time.Second {
		t.Errorf("BuildChain after Generate ends at %v, want %v", got, genTime.Add(5*time.Second))
	}
}

// checkCoinbase fails the test unless the block at height pays exactly the
// subsidy to the node's mining address.
func checkCoinbase(t *testing.T, n *Node, height int32) {
	t.Helper()
	raw, err := n.Call("getblock", n.BlockHash(height).String(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var block struct {
		Tx []struct { // btcd names them "rawtx" at verbosity 2
			Vout []struct {
				Value        float64 `json:"value"`
				ScriptPubKey struct {
					Address string `json:"address"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		} `json:"rawtx"`
	}
	if err := json.Unmarshal(raw, &block); err != nil {
		t.Fatal(err)
	}
	if len(block.Tx) != 1 || len(block.Tx[0].Vout) != 1 {
		t.Fatalf("block %d: want one coinbase with one output, got %s", height, raw)
	}
	out := block.Tx[0].Vout[0]
	want := btcutil.Amount(blockchain.CalcBlockSubsidy(height, params))
	got, err := btcutil.NewAmount(out.Value)
	if err != nil || got != want || out.ScriptPubKey.Address != n.MiningAddress() {
		t.Errorf("block %d pays %v to %s, want %v to %s", height, out.Value,
			out.ScriptPubKey.Address, want, n.MiningAddress())
	}
	if want != 25*btcutil.SatoshiPerBitcoin {
		t.Errorf("subsidy at %d = %v; regtest halves every 150 blocks", height, want)
	}
}

// TestFork splits two nodes, grows a different chain on each and joins them
// again: the longer chain must win on both, as a light node test of reorgs
// needs.
func TestFork(t *testing.T) {
	a := Start(t)
	b := Start(t)

	a.BuildChain(200)
	b.ConnectTo(a)
	b.WaitForHeight(200, 20*time.Second)
	if got, want := b.BlockHash(200), a.BlockHash(200); got != want {
		t.Fatalf("b synced to %s, want a's %s", got, want)
	}
	a.ConnectTo(b) // already connected the other way: a no-op
	raw, err := a.Call("getpeerinfo")
	if err != nil {
		t.Fatal(err)
	}
	var peers []json.RawMessage
	if err := json.Unmarshal(raw, &peers); err != nil || len(peers) != 1 {
		t.Fatalf("a has peers %s after connecting twice, want one connection", raw)
	}

	a.DisconnectFrom(b)
	a.BuildChain(5) // a: 205
	// Had a's blocks reached b, b's own blocks would not be its tip and
	// BuildChain would fail.
	b.BuildChain(2) // b: 202, a different branch
	if aHash, bHash := a.BlockHash(201), b.BlockHash(201); aHash == bHash {
		t.Fatalf("split nodes built the same block 201 %s", aHash)
	}
	if _, h := b.BestBlock(); h != 202 {
		t.Fatalf("b at height %d after the split, want 202", h)
	}

	a.ConnectTo(b)
	b.WaitForHeight(205, 20*time.Second)
	aTip, aHeight := a.BestBlock()
	bTip, bHeight := b.BestBlock()
	if aTip != bTip || aHeight != 205 || bHeight != 205 {
		t.Fatalf("after reconnecting: a at %d %s, b at %d %s; want both on a's 205",
			aHeight, aTip, bHeight, bTip)
	}
	if got, want := b.BlockHash(201), a.BlockHash(201); got != want {
		t.Errorf("b kept its block 201 %s, want a's %s after the reorg", got, want)
	}
}

// TestStopLeavesNothing checks that a stopped node leaves no goroutine
// behind in the test process, since every package's integration tests start
// nodes.
func TestStopLeavesNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	n := Start(t)
	n.BuildChain(10)
	n.Generate(1)
	n.Stop()
	if _, err := n.Call("getblockcount"); err == nil {
		t.Error("a stopped node still answers RPC")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before Start, %d after Stop:\n%s",
				before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkBuildChain measures BuildChain on a fresh node; b.N is the chain
// length (so ns/op is per block), e.g. -benchtime=100000x for a 100,000-block
// chain.
func BenchmarkBuildChain(b *testing.B) {
	n := Start(b)
	b.ResetTimer()
	n.BuildChain(b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}
