package lightnode

import (
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TestReportInvalidTx: a peer relays a transaction; when the caller reports
// it invalid, the peer is banned with a reason naming the transaction and
// disconnected, and the transaction leaves the relay feed.
func TestReportInvalidTx(t *testing.T) {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{1}}, nil, wire.TxWitness{{0x30}, {0x02}}))
	tx.AddTxOut(wire.NewTxOut(1000, []byte{0x51}))
	id := tx.TxHash()

	fp := newFakePeer(t, 0)
	fp.onConnect = func(fp *fakePeer) {
		inv := wire.NewMsgInv()
		inv.AddInvVect(wire.NewInvVect(wire.InvTypeTx, &id))
		fp.write(inv)
	}
	fp.onMessage = func(fp *fakePeer, msg wire.Message) {
		switch m := msg.(type) {
		case *wire.MsgGetHeaders:
			fp.write(wire.NewMsgHeaders())
		case *wire.MsgGetData:
			for _, iv := range m.InvList {
				if iv.Hash == id {
					fp.write(tx)
				}
			}
		}
	}
	fp.serve()

	n, err := New(&Config{
		ChainParams:   &chaincfg.RegressionNetParams,
		DataDir:       t.TempDir(),
		ConnectPeers:  []string{fp.addr()},
		RetryDuration: time.Hour,
		Logger:        testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := n.Subscribe()
	defer sub.Close()
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	seen := waitFor(t, sub, "the relayed transaction", func(ev Event) bool {
		s, ok := ev.(TxSeen)
		return ok && s.Txid == id
	}).(TxSeen)
	if seen.Peer != fp.addr() || n.RecentTx(&id) == nil {
		t.Fatalf("relayed %+v; in the feed: %v", seen, n.RecentTx(&id) != nil)
	}

	if err := n.ReportInvalidTx(seen, "input 0: signature is not valid"); err != nil {
		t.Fatal(err)
	}
	ban, banned := n.Store().IsBanned(banKey(fp.addr()))
	if !banned || !strings.Contains(ban.Reason, id.String()) || !strings.Contains(ban.Reason, "signature is not valid") {
		t.Fatalf("ban %+v (banned %v); want a reason naming the transaction and the problem", ban, banned)
	}
	if !fp.disconnected(20 * time.Second) {
		t.Fatal("the peer that relayed an invalid transaction is still connected")
	}
	if n.RecentTx(&id) != nil {
		t.Error("the invalid transaction is still in the relay feed")
	}
}
