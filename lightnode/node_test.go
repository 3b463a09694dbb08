package lightnode

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// startNode starts a light node on regtest connected to addrs.
func startNode(t testing.TB, dir string, addrs ...string) *Node {
	t.Helper()
	n, err := New(&Config{
		ChainParams:   &chaincfg.RegressionNetParams,
		DataDir:       dir,
		ConnectPeers:  addrs,
		RetryDuration: 200 * time.Millisecond,
		StallTimeout:  5 * time.Second,
		Logger:        testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n
}

// testLogger writes the node's log to stderr when SATCHEL_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("SATCHEL_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func waitSynced(t testing.TB, n *Node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.WaitSynced(ctx, 20*time.Second); err != nil {
		t.Fatalf("sync: %v (status %+v)", err, n.Status())
	}
}

// waitFor reads events until match returns true.
func waitFor(t testing.TB, sub *Subscription, what string, match func(Event) bool) Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription closed while waiting for %s", what)
			}
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestSyncFromBtcd(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(3000)
	want, wantHeight := btcd.BestBlock()

	dir := t.TempDir()
	n := startNode(t, dir, btcd.P2PAddr())
	sub := n.Subscribe()
	waitSynced(t, n)
	st := n.Status()
	if st.Height != wantHeight || st.Hash != want {
		t.Fatalf("synced to %d %s; btcd is at %d %s", st.Height, st.Hash, wantHeight, want)
	}
	for _, h := range []int32{1, 1500, 2999} {
		got, err := n.Store().HeaderByHeight(h)
		if err != nil || got.Hash != btcd.BlockHash(h) {
			t.Fatalf("header %d: %v", h, err)
		}
	}

	// A block mined while connected arrives as a new tip.
	mined := btcd.Generate(1)[0]
	waitFor(t, sub, "the new tip", func(ev Event) bool {
		tip, ok := ev.(NewTip)
		return ok && tip.Hash == mined && tip.Height == wantHeight+1
	})

	peers := n.Peers()
	if len(peers) != 1 || peers[0].Addr != btcd.P2PAddr() || peers[0].Height < wantHeight {
		t.Fatalf("peers %+v", peers)
	}
	syncAll(t, n) // filter headers too, so the restart has nothing to fetch
	n.Stop()

	// A restart resumes from the stored tip: nothing is downloaded again.
	n2, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: dir,
		ConnectPeers: []string{btcd.P2PAddr()}, RetryDuration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if st := n2.Status(); st.Height != wantHeight+1 || st.Hash != mined {
		t.Fatalf("reopened at %d %s; want %d %s", st.Height, st.Hash, wantHeight+1, mined)
	}
	if err := n2.Start(); err != nil {
		t.Fatal(err)
	}
	defer n2.Stop()
	syncAll(t, n2)
	peers = n2.Peers()
	if len(peers) != 1 {
		t.Fatalf("peers after restart: %+v", peers)
	}
	// 3,000 headers are 243 KB; a resumed sync exchanges a few hundred bytes.
	if got := peers[0].BytesReceived; got > 20_000 {
		t.Fatalf("the restarted node received %d bytes; it downloaded the chain again", got)
	}
}

// TestSyncedMeansStored syncs a chain that ends on a full headers message
// (4,000 blocks, two of 2,000): the last full message is held in memory for
// the next one, which is empty. Once the node says it is synced, the whole
// chain must be in the store, where the filter-header sync and the wallet
// read it; before, the held headers waited for the next tick, and the
// filter round started then stopped short of the tip.
func TestSyncedMeansStored(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(2 * 2000)
	want, wantHeight := btcd.BestBlock()

	n := startNode(t, t.TempDir(), btcd.P2PAddr())
	waitSynced(t, n)
	if tip := n.Store().Tip(); tip.Height != wantHeight || tip.Hash != want {
		t.Fatalf("synced, but the store ends at %d %s; btcd is at %d %s", tip.Height, tip.Hash, wantHeight, want)
	}
}

func TestReorgAcrossBtcdNodes(t *testing.T) {
	a := regtest.Start(t)
	b := regtest.Start(t)
	a.ConnectTo(b)
	a.Generate(50)
	b.WaitForHeight(50, 30*time.Second)

	n := startNode(t, t.TempDir(), a.P2PAddr())
	sub := n.Subscribe()
	waitSynced(t, n)

	// Split the nodes and mine a short branch on a (which we follow) and a
	// longer one on b.
	a.DisconnectFrom(b)
	shortTip := a.Generate(2)[1]
	waitFor(t, sub, "the short branch", func(ev Event) bool {
		tip, ok := ev.(NewTip)
		return ok && tip.Hash == shortTip
	})
	b.Generate(5)
	longTip, longHeight := b.BestBlock()

	// Joining them makes a reorganize to b's heavier branch, and so must we.
	a.ConnectTo(b)
	ev := waitFor(t, sub, "the reorg", func(ev Event) bool { _, ok := ev.(Reorg); return ok }).(Reorg)
	if ev.ForkHeight != 50 || ev.OldTip != shortTip || ev.OldHeight != 52 {
		t.Fatalf("reorg event %+v", ev)
	}
	waitFor(t, sub, "the heavier tip", func(ev Event) bool {
		tip, ok := ev.(NewTip)
		return ok && tip.Hash == longTip
	})
	st := n.Status()
	if st.Hash != longTip || st.Height != longHeight {
		t.Fatalf("after the reorg: %d %s; want %d %s", st.Height, st.Hash, longHeight, longTip)
	}
	// The stored chain is b's chain, and the short branch is gone.
	for h := int32(51); h <= longHeight; h++ {
		got, err := n.Store().HeaderByHeight(h)
		if err != nil || got.Hash != b.BlockHash(h) {
			t.Fatalf("height %d after the reorg: %v", h, err)
		}
	}
	if _, err := n.Store().HeaderByHash(&shortTip); err == nil {
		t.Fatal("the orphaned tip is still in the best chain index")
	}
	// Filter headers follow the winning branch.
	syncAll(t, n)
	for h := int32(50); h <= longHeight; h++ {
		got, err := n.Store().FilterHeader(h)
		if err != nil || got.String() != btcdFilterHeader(t, b, b.BlockHash(h)) {
			t.Fatalf("filter header %d after the reorg: %s (%v)", h, got, err)
		}
	}
}

// Concurrent requests for one block share a single download.
func TestGetBlockCoalesces(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(120)
	for h := int32(1); h <= 5; h++ {
		btcd.SendRaw(btcd.Payment(btcd.CoinbaseCoin(h), 50, nil))
	}
	hash := btcd.Generate(1)[0]
	n := startNode(t, t.TempDir(), btcd.P2PAddr())
	syncAll(t, n)
	size := btcd.Block(121).SerializeSize()
	before := n.Peers()[0].BytesReceived
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := n.GetBlock(context.Background(), &hash)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := n.Peers()[0].BytesReceived - before; got > uint64(size)*3/2 {
		t.Fatalf("8 concurrent requests for a %d-byte block received %d bytes", size, got)
	}
}

func TestNoPeerReachable(t *testing.T) {
	n, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(),
		ConnectPeers: []string{"127.0.0.1:1"}, RetryDuration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sub := n.Subscribe()
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	err = n.WaitSynced(context.Background(), time.Second)
	if err == nil || !errors.Is(err, ErrNoPeers) {
		t.Fatalf("got %v; want ErrNoPeers", err)
	}
	// The reason reaches the error, the status and the subscribers.
	var de *DialError
	if !errors.As(err, &de) || de.Reason != "connection refused" ||
		!strings.HasSuffix(err.Error(), "(last error: 127.0.0.1:1: connection refused)") {
		t.Fatalf("error %q; want the dial error's reason", err)
	}
	if st := n.Status(); st.DialError != "127.0.0.1:1: connection refused" {
		t.Fatalf("status dial error %q", st.DialError)
	}
	waitFor(t, sub, "the dial failure", func(ev Event) bool {
		f, ok := ev.(PeerDialFailed)
		return ok && f.Addr == "127.0.0.1:1" && f.Reason == "connection refused"
	})
}
