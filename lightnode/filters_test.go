package lightnode

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// btcdFilterHeader asks btcd for its basic filter header of a block.
func btcdFilterHeader(t testing.TB, btcd *regtest.Node, hash chainhash.Hash) string {
	raw, err := btcd.Call("getcfilterheader", hash.String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

func syncAll(t testing.TB, n *Node) {
	t.Helper()
	waitSynced(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.WaitFiltersSynced(ctx, 20*time.Second); err != nil {
		t.Fatalf("filter sync: %v (status %+v)", err, n.Status())
	}
}

// One btcd with a few thousand blocks and blocks full of our payments
// serves every check of the filter, block, proof, broadcast and relay code.
func TestFiltersBlocksProofsBroadcast(t *testing.T) {
	// A short trickle interval makes btcd relay transactions promptly.
	btcd := regtest.Start(t, regtest.WithArgs("--trickleinterval=100ms"))
	btcd.Generate(2400)
	// A block with several transactions: three payments from coinbases.
	var paid []*wire.MsgTx
	script := regtest.KeyScript(btcd.MiningKey().PubKey())
	for h := int32(1); h <= 3; h++ {
		tx := btcd.Payment(btcd.CoinbaseCoin(h), 3, nil)
		btcd.SendRaw(tx)
		paid = append(paid, tx)
	}
	blockHash := btcd.Generate(1)[0]
	_, tipHeight := btcd.BestBlock()
	btcd.Generate(10)

	n := startNode(t, t.TempDir(), btcd.P2PAddr())
	sub := n.Subscribe()
	syncAll(t, n)
	st := n.Status()
	if st.FilterHeight != st.Height {
		t.Fatalf("filter headers at %d, headers at %d", st.FilterHeight, st.Height)
	}

	t.Run("filter headers equal btcd's", func(t *testing.T) {
		for _, h := range []int32{0, 1, 999, 1000, 1001, 2000, tipHeight, st.Height} {
			ours, err := n.Store().FilterHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			if want := btcdFilterHeader(t, btcd, btcd.BlockHash(h)); ours.String() != want {
				t.Fatalf("filter header %d: ours %s, btcd %s", h, ours, want)
			}
		}
	})

	t.Run("block with several transactions", func(t *testing.T) {
		block, err := n.GetBlock(context.Background(), &blockHash)
		if err != nil {
			t.Fatal(err)
		}
		if len(block.Transactions) != 4 {
			t.Fatalf("block has %d transactions; want coinbase + 3", len(block.Transactions))
		}
		inBlock := map[chainhash.Hash]bool{}
		for _, tx := range block.Transactions {
			inBlock[tx.TxHash()] = true
		}
		for _, tx := range paid {
			if !inBlock[tx.TxHash()] {
				t.Fatalf("payment %s is not in the fetched block", tx.TxHash())
			}
		}
		// The second call is served from the cache.
		before := n.Peers()[0].BytesReceived
		if _, err := n.GetBlock(context.Background(), &blockHash); err != nil {
			t.Fatal(err)
		}
		if after := n.Peers()[0].BytesReceived; after-before > 1000 {
			t.Fatalf("the cached block was downloaded again (%d bytes)", after-before)
		}
		unknown := chainhash.Hash{9}
		if _, err := n.GetBlock(context.Background(), &unknown); !errors.Is(err, ErrUnknownBlock) {
			t.Fatalf("unknown block: %v", err)
		}
	})

	t.Run("merkle block proof", func(t *testing.T) {
		id := paid[1].TxHash()
		proof, err := n.ProveInclusion(context.Background(), &blockHash, &id)
		if err != nil {
			t.Fatal(err)
		}
		if proof.Txid != id || proof.MerkleBlock.Transactions != 4 {
			t.Fatalf("proof %+v", proof)
		}
		other := btcd.BlockHash(tipHeight - 1)
		if _, err := n.ProveInclusion(context.Background(), &other, &id); !errors.Is(err, ErrNotIncluded) {
			t.Fatalf("proof against the wrong block: %v", err)
		}
	})

	t.Run("filters match our script", func(t *testing.T) {
		var last int32
		heights, err := n.MatchScripts(context.Background(), 0, st.Height, [][]byte{script}, func(h int32) { last = h })
		if err != nil {
			t.Fatal(err)
		}
		// The mining key's script is in every coinbase, and in our block.
		if len(heights) != int(st.Height) || last != st.Height {
			t.Fatalf("matched %d heights (last progress %d); want every block 1..%d", len(heights), last, st.Height)
		}
		other := regtest.KeyScript(mustKey(t).PubKey())
		heights, err = n.MatchScripts(context.Background(), 0, st.Height, [][]byte{other}, nil)
		if err != nil || len(heights) > 2 {
			t.Fatalf("an unused script matched %d blocks (%v)", len(heights), err)
		}
	})

	t.Run("broadcast reaches btcd's mempool", func(t *testing.T) {
		tx := btcd.Payment(btcd.CoinbaseCoin(10), 2, nil)
		res, err := n.Broadcast(context.Background(), tx, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Accepted) != 1 || res.Accepted[0] != btcd.P2PAddr() || !btcd.InMempool(tx.TxHash()) {
			t.Fatalf("broadcast result %+v; in mempool: %v", res, btcd.InMempool(tx.TxHash()))
		}
		// A double spend of the same coin (the first does not signal RBF)
		// is refused with a reason a person can act on.
		dup := btcd.Payment(btcd.CoinbaseCoin(10), 3, nil)
		_, err = n.Broadcast(context.Background(), dup, 5*time.Second)
		var re *RejectError
		if !errors.Is(err, ErrRejected) || !errors.As(err, &re) || re.Code != RejectConflict ||
			!strings.Contains(err.Error(), "an input is already spent") || !strings.Contains(re.PeerSaid(), "already spent in mempool") {
			t.Fatalf("double spend: %v", err)
		}
	})

	t.Run("relay feed", func(t *testing.T) {
		tx := btcd.Payment(btcd.CoinbaseCoin(11), 1, nil)
		btcd.SendRaw(tx)
		ev := waitFor(t, sub, "the relayed transaction", func(ev Event) bool {
			s, ok := ev.(TxSeen)
			return ok && s.Txid == tx.TxHash()
		}).(TxSeen)
		if ev.Peer != btcd.P2PAddr() || n.RecentTx(&ev.Txid) == nil {
			t.Fatalf("relay event %+v", ev)
		}
		got, err := n.MempoolTx(context.Background(), &ev.Txid)
		if err != nil || got.Tx.TxHash() != tx.TxHash() {
			t.Fatalf("mempool tx: %v", err)
		}
	})
}

func mustKey(t testing.TB) *btcec.PrivateKey {
	k, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
