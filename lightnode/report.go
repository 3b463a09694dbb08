package lightnode

import (
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
)

// ReportInvalidTx tells the node that a relayed transaction broke the
// consensus rules when a caller checked it (the wallet runs the script
// engine on spends of its own coins, which the node cannot). The peer that
// relayed it is banned for BanDuration like any other liar, and the
// transaction leaves the relay feed. The ban is stored before
// ReportInvalidTx returns; if the peer is still connected, it is also
// disconnected.
func (n *Node) ReportInvalidTx(s TxSeen, reason string) error {
	n.feed.forget(s.Txid)
	why := fmt.Sprintf("relayed invalid transaction %s: %s", s.Txid, reason)
	if err := n.store.Ban(banKey(s.Peer), time.Now().Add(n.cfg.BanDuration), why); err != nil {
		return fmt.Errorf("cannot store the ban of %s: %w", s.Peer, err)
	}
	for _, pc := range n.readyPeers(0) {
		if pc.addr == s.Peer {
			n.send(banRequest{pc: pc, reason: why, d: n.cfg.BanDuration})
		}
	}
	return nil
}

// forget drops a transaction from the feed.
func (f *txFeed) forget(id chainhash.Hash) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.byID[id]; ok {
		old := f.order.Remove(e).(*TxSeen)
		delete(f.byID, id)
		f.bytes -= old.Tx.SerializeSize()
	}
}
