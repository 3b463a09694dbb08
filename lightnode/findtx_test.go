package lightnode

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// findTx calls FindTx with a generous deadline.
func findTx(t testing.TB, n *Node, txid chainhash.Hash, opts FindTxOptions) (*FoundTx, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return n.FindTx(ctx, &txid, opts)
}

// One btcd serves every place FindTx looks: a given block, the cached
// blocks, the relay feed and the peer's mempool.
func TestFindTx(t *testing.T) {
	btcd := regtest.Start(t, regtest.WithArgs("--trickleinterval=100ms"))
	btcd.Generate(120)
	pay := func(h int32) *wire.MsgTx {
		tx := btcd.Payment(btcd.CoinbaseCoin(h), 2, nil)
		btcd.SendRaw(tx)
		return tx
	}
	inA := []*wire.MsgTx{pay(1), pay(2), pay(3)}
	blockA := btcd.Generate(1)[0]
	inB := []*wire.MsgTx{pay(4), pay(5)}
	blockB := btcd.Generate(1)[0]
	blockC := btcd.Generate(1)[0]
	// In btcd's mempool before we connect: it is never announced to us.
	unannounced := pay(6)

	n := startNode(t, t.TempDir(), btcd.P2PAddr())
	sub := n.Subscribe()
	syncAll(t, n)
	heightA := int32(121)

	t.Run("in a given block", func(t *testing.T) {
		got, err := findTx(t, n, inA[1].TxHash(), FindTxOptions{Block: &blockA, PeerWait: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if got.Tx.TxHash() != inA[1].TxHash() || got.Block == nil || got.Block.Hash != blockA ||
			got.Block.Height != heightA || got.Peer != "" {
			t.Fatalf("found %+v", got)
		}
		_, err = findTx(t, n, inB[0].TxHash(), FindTxOptions{Block: &blockA})
		if !errors.Is(err, ErrTxNotFound) || !strings.Contains(err.Error(), "not in block 121") {
			t.Fatalf("a transaction of another block: %v", err)
		}
		unknown := chainhash.Hash{7}
		if _, err := findTx(t, n, inA[0].TxHash(), FindTxOptions{Block: &unknown}); !errors.Is(err, ErrUnknownBlock) {
			t.Fatalf("an unknown block: %v", err)
		}
	})

	t.Run("in the cached blocks, decoding only the one that holds it", func(t *testing.T) {
		// Block A was cached by the previous subtest; B is cached now.
		if _, err := n.GetBlock(context.Background(), &blockB); err != nil {
			t.Fatal(err)
		}
		got, err := findTx(t, n, inB[1].TxHash(), FindTxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Block == nil || got.Block.Hash != blockB || got.Block.Height != heightA+1 {
			t.Fatalf("found %+v", got)
		}
		// The index is built: each search decodes the holding block only.
		before := n.txIndex.decodes.Load()
		got, err = findTx(t, n, inA[2].TxHash(), FindTxOptions{})
		if err != nil || got.Block.Hash != blockA {
			t.Fatalf("found %+v, %v", got, err)
		}
		if d := n.txIndex.decodes.Load() - before; d != 1 {
			t.Fatalf("a search among 2 cached blocks decoded %d blocks; want 1", d)
		}
		// A block downloaded later joins the index without a decode.
		c, err := n.GetBlock(context.Background(), &blockC)
		if err != nil {
			t.Fatal(err)
		}
		before = n.txIndex.decodes.Load()
		got, err = findTx(t, n, c.Transactions[0].TxHash(), FindTxOptions{})
		if err != nil || got.Block.Hash != blockC {
			t.Fatalf("the coinbase of a block fetched later: %+v, %v", got, err)
		}
		if d := n.txIndex.decodes.Load() - before; d != 1 {
			t.Fatalf("the search decoded %d blocks; want 1", d)
		}
		// A miss decodes nothing and says where it looked.
		before = n.txIndex.decodes.Load()
		_, err = findTx(t, n, chainhash.Hash{1, 2, 3}, FindTxOptions{})
		if !errors.Is(err, ErrTxNotFound) || !strings.Contains(err.Error(), "the 3 cached blocks or the relay feed") {
			t.Fatalf("an unknown transaction: %v", err)
		}
		if d := n.txIndex.decodes.Load() - before; d != 0 {
			t.Fatalf("a miss decoded %d blocks", d)
		}
	})

	t.Run("in a peer's mempool", func(t *testing.T) {
		id := unannounced.TxHash()
		_, err := findTx(t, n, id, FindTxOptions{})
		if !errors.Is(err, ErrTxNotFound) {
			t.Fatalf("without Mempool: %v", err)
		}
		got, err := findTx(t, n, id, FindTxOptions{Mempool: true, PeerWait: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if got.Tx.TxHash() != id || got.Block != nil || got.Peer != btcd.P2PAddr() {
			t.Fatalf("found %+v", got)
		}
		_, err = findTx(t, n, chainhash.Hash{4, 5, 6}, FindTxOptions{Mempool: true})
		if !errors.Is(err, ErrTxNotFound) || !strings.Contains(err.Error(), "nor in the mempools of 1 peers") {
			t.Fatalf("a transaction no mempool has: %v", err)
		}
	})

	t.Run("in the relay feed", func(t *testing.T) {
		tx := pay(7)
		waitFor(t, sub, "the relayed transaction", func(ev Event) bool {
			s, ok := ev.(TxSeen)
			return ok && s.Txid == tx.TxHash()
		})
		got, err := findTx(t, n, tx.TxHash(), FindTxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Tx.TxHash() != tx.TxHash() || got.Block != nil || got.Peer != btcd.P2PAddr() {
			t.Fatalf("found %+v", got)
		}
	})
}

// With no peer, the mempool cannot be asked and the error says so.
func TestFindTxWithoutPeers(t *testing.T) {
	n, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(),
		ConnectPeers: []string{"127.0.0.1:1"}, RetryDuration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	_, err = findTx(t, n, chainhash.Hash{1}, FindTxOptions{Mempool: true, PeerWait: 300 * time.Millisecond})
	if !errors.Is(err, ErrTxNotFound) || !errors.Is(err, ErrNoPeers) {
		t.Fatalf("got %v; want ErrTxNotFound and ErrNoPeers", err)
	}
	if err := n.WaitForPeer(context.Background(), 0); !errors.Is(err, ErrNoPeers) {
		t.Fatalf("WaitForPeer: %v", err)
	}
	n.Stop()
	if err := n.WaitForPeer(context.Background(), time.Minute); !errors.Is(err, ErrStopped) {
		t.Fatalf("WaitForPeer on a stopped node: %v", err)
	}
}

// A cached block that a reorganization took off the best chain does not
// confirm its transactions; the block of the winning branch does.
func TestFindTxAfterReorg(t *testing.T) {
	a := regtest.Start(t)
	b := regtest.Start(t)
	a.ConnectTo(b)
	a.Generate(110)
	b.WaitForHeight(110, 30*time.Second)

	n := startNode(t, t.TempDir(), a.P2PAddr())
	sub := n.Subscribe()
	waitSynced(t, n)

	a.DisconnectFrom(b)
	tx := a.Payment(a.CoinbaseCoin(1), 1, nil)
	a.SendRaw(tx)
	stale := a.Generate(1)[0]
	waitFor(t, sub, "the short branch", func(ev Event) bool {
		tip, ok := ev.(NewTip)
		return ok && tip.Hash == stale
	})
	if _, err := n.GetBlock(context.Background(), &stale); err != nil {
		t.Fatal(err)
	}
	got, err := findTx(t, n, tx.TxHash(), FindTxOptions{})
	if err != nil || got.Block == nil || got.Block.Hash != stale {
		t.Fatalf("before the reorg: %+v, %v", got, err)
	}

	// b confirms the same transaction on a longer branch.
	b.SendRaw(tx)
	winner := b.Generate(3)
	a.ConnectTo(b)
	waitFor(t, sub, "the heavier tip", func(ev Event) bool {
		tip, ok := ev.(NewTip)
		return ok && tip.Hash == winner[2]
	})
	got, err = findTx(t, n, tx.TxHash(), FindTxOptions{})
	if err == nil && got.Block != nil {
		t.Fatalf("after the reorg the stale block %s still confirms it: %+v", stale, got.Block)
	}
	if err != nil && !errors.Is(err, ErrTxNotFound) {
		t.Fatal(err)
	}
	if _, err := n.GetBlock(context.Background(), &winner[0]); err != nil {
		t.Fatal(err)
	}
	got, err = findTx(t, n, tx.TxHash(), FindTxOptions{})
	if err != nil || got.Block == nil || got.Block.Hash != winner[0] || got.Block.Height != 111 {
		t.Fatalf("in the winning branch's block: %+v, %v", got, err)
	}
}

// Stop while a block download waits for a peer that never answers: Stop
// returns, the download has ended by then, and GetBlock reports the stop.
func TestStopDuringBlockDownload(t *testing.T) {
	p := &chaincfg.RegressionNetParams
	chain := buildChain(p, &p.GenesisBlock.Header, 10, 3)
	fp := newFakePeer(t, 10)
	asked := make(chan struct{})
	var once, headers sync.Once
	fp.onMessage = func(fp *fakePeer, msg wire.Message) {
		switch msg.(type) {
		case *wire.MsgGetHeaders:
			sent := false
			headers.Do(func() { fp.write(headersMessage(chain...)); sent = true })
			if !sent {
				fp.write(headersMessage())
			}
		case *wire.MsgGetData:
			once.Do(func() { close(asked) }) // and never answer
		}
	}
	fp.serve()
	n := startNode(t, t.TempDir(), fp.addr())
	waitSynced(t, n)

	// The download lingers as it ends, for a while if Stop would not wait
	// for it: Stop must return after it all the same.
	stopped := make(chan struct{})
	n.downloadEndHook = func() {
		select {
		case <-stopped:
		case <-time.After(time.Second):
		}
	}
	hash := chain[4].BlockHash()
	res := make(chan error, 1)
	go func() {
		_, err := n.GetBlock(context.Background(), &hash)
		res <- err
	}()
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		t.Fatal("the node never asked for the block")
	}
	n.blockMu.Lock()
	call := n.blockCalls[hash]
	n.blockMu.Unlock()
	if call == nil {
		t.Fatal("no download in flight")
	}
	err := n.Stop()
	close(stopped)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-call.done:
	default:
		t.Fatal("Stop returned (and closed the store) while the download was still running")
	}
	if err := <-res; !errors.Is(err, ErrStopped) && !errors.Is(err, context.Canceled) {
		t.Fatalf("GetBlock after Stop: %v", err)
	}
	if _, err := n.GetBlock(context.Background(), &hash); err == nil {
		t.Fatal("GetBlock on a stopped node succeeded")
	}
}
