package lightnode

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2/bloom"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/peer"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Bounds of the transaction relay feed.
const (
	feedMaxTxs        = 5000
	feedMaxBytes      = 32 << 20
	maxTxRequests     = 2000
	txRequestLifetime = time.Minute
)

// TxSeen reports a transaction a peer relayed to us: an unconfirmed
// payment, or just traffic for the live feed.
type TxSeen struct {
	Tx   *wire.MsgTx
	Txid chainhash.Hash
	Peer string
	Time time.Time
}

func (TxSeen) event() {}

// FilterProgress reports filter-header sync: filter headers reach Height
// while block headers reach HeaderHeight.
type FilterProgress struct {
	Height       int32
	HeaderHeight int32
}

func (FilterProgress) event() {}

// txFeed remembers recently relayed transactions within fixed bounds.
type txFeed struct {
	mu        sync.Mutex
	byID      map[chainhash.Hash]*list.Element
	order     *list.List // of *TxSeen, oldest at the front
	bytes     int
	requested map[chainhash.Hash]time.Time
}

func newTxFeed() *txFeed {
	return &txFeed{byID: map[chainhash.Hash]*list.Element{}, order: list.New(), requested: map[chainhash.Hash]time.Time{}}
}

// wants reports whether an announced txid should be fetched, and marks it
// requested.
func (f *txFeed) wants(id chainhash.Hash) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.byID[id]; ok {
		return false
	}
	now := time.Now()
	if t, ok := f.requested[id]; ok && now.Sub(t) < txRequestLifetime {
		return false
	}
	if len(f.requested) >= maxTxRequests {
		for k, t := range f.requested {
			if now.Sub(t) >= txRequestLifetime {
				delete(f.requested, k)
			}
		}
		if len(f.requested) >= maxTxRequests {
			return false
		}
	}
	f.requested[id] = now
	return true
}

// add records a relayed transaction; it reports false for one already
// known.
func (f *txFeed) add(s *TxSeen) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.requested, s.Txid)
	if _, ok := f.byID[s.Txid]; ok {
		return false
	}
	f.byID[s.Txid] = f.order.PushBack(s)
	f.bytes += s.Tx.SerializeSize()
	for f.order.Len() > feedMaxTxs || f.bytes > feedMaxBytes {
		old := f.order.Remove(f.order.Front()).(*TxSeen)
		delete(f.byID, old.Txid)
		f.bytes -= old.Tx.SerializeSize()
	}
	return true
}

// all returns every transaction in the feed, oldest first.
func (f *txFeed) all() []*TxSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*TxSeen, 0, f.order.Len())
	for e := f.order.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*TxSeen))
	}
	return out
}

func (f *txFeed) get(id chainhash.Hash) *TxSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.byID[id]; ok {
		return e.Value.(*TxSeen)
	}
	return nil
}

// RecentTx returns a transaction from the relay feed, or nil.
func (n *Node) RecentTx(txid *chainhash.Hash) *TxSeen {
	return n.feed.get(*txid)
}

// onTxInv fetches announced transactions we have not seen.
func (n *Node) onTxInv(p *peer.Peer, msg *wire.MsgInv) {
	gd := wire.NewMsgGetData()
	for _, iv := range msg.InvList {
		if iv.Type != wire.InvTypeTx && iv.Type != wire.InvTypeWitnessTx {
			continue
		}
		if n.isOutgoing(iv.Hash) {
			n.noteAnnounced(iv.Hash, p.Addr())
			continue
		}
		if n.feed.wants(iv.Hash) {
			gd.AddInvVect(wire.NewInvVect(wire.InvTypeWitnessTx, &iv.Hash))
		}
	}
	if len(gd.InvList) > 0 {
		p.QueueMessage(gd, nil)
	}
}

// onTx handles a transaction no request was waiting for: relay traffic.
func (n *Node) onTx(p *peer.Peer, tx *wire.MsgTx) {
	s := &TxSeen{Tx: tx, Txid: tx.TxHash(), Peer: p.Addr(), Time: time.Now()}
	if n.isOutgoing(s.Txid) {
		n.noteAnnounced(s.Txid, p.Addr())
		return
	}
	if n.feed.add(s) {
		n.events.publish(*s)
	}
}

// outgoing is a transaction we broadcast.
type outgoing struct {
	tx        *wire.MsgTx
	fetched   map[string]bool
	announced map[string]bool
	rejected  map[string]PeerReject
	changed   chan struct{}
}

func (n *Node) isOutgoing(id chainhash.Hash) bool {
	n.outMu.Lock()
	defer n.outMu.Unlock()
	_, ok := n.outgoing[id]
	return ok
}

// update changes an outgoing transaction's record and wakes its waiter.
func (n *Node) updateOutgoing(id chainhash.Hash, fn func(o *outgoing)) *wire.MsgTx {
	n.outMu.Lock()
	defer n.outMu.Unlock()
	o, ok := n.outgoing[id]
	if !ok {
		return nil
	}
	fn(o)
	select {
	case o.changed <- struct{}{}:
	default:
	}
	return o.tx
}

func (n *Node) noteAnnounced(id chainhash.Hash, addr string) {
	n.updateOutgoing(id, func(o *outgoing) { o.announced[addr] = true })
}

// onGetData serves our own transactions to the peers we announced them to.
func (n *Node) onGetData(p *peer.Peer, msg *wire.MsgGetData) {
	nf := wire.NewMsgNotFound()
	for _, iv := range msg.InvList {
		if iv.Type != wire.InvTypeTx && iv.Type != wire.InvTypeWitnessTx {
			nf.AddInvVect(iv)
			continue
		}
		n.outMu.Lock()
		o := n.outgoing[iv.Hash]
		n.outMu.Unlock()
		if o == nil {
			nf.AddInvVect(iv)
			continue
		}
		enc := wire.BaseEncoding
		if iv.Type == wire.InvTypeWitnessTx {
			enc = wire.WitnessEncoding
		}
		// Queued before it counts as fetched: Broadcast then asks the
		// peer for it back, and that request must follow the
		// transaction on the wire, or the peer answers "not found"
		// before it has seen it, and its reject comes too late.
		p.QueueMessageWithEncoding(o.tx, nil, enc)
		n.updateOutgoing(iv.Hash, func(o *outgoing) { o.fetched[p.Addr()] = true })
	}
	if len(nf.InvList) > 0 {
		p.QueueMessage(nf, nil)
	}
}

// onReject records a peer's rejection of one of our transactions.
func (n *Node) onReject(p *peer.Peer, msg *wire.MsgReject) {
	if msg.Cmd != wire.CmdTx {
		return
	}
	r := PeerReject{Code: msg.Code, Reason: msg.Reason}
	if r.Reason == "" {
		r.Reason = msg.Code.String()
	}
	n.updateOutgoing(msg.Hash, func(o *outgoing) { o.rejected[p.Addr()] = r })
}

// BroadcastResult tells what happened to a broadcast transaction.
type BroadcastResult struct {
	Txid chainhash.Hash
	// SentTo are the peers that fetched the transaction from us.
	SentTo []string
	// Accepted are the peers that have it in their mempool: they returned
	// it when asked, or announced it back. A peer that had it before the
	// broadcast is among them without being in SentTo.
	Accepted []string
	// Rejected maps a peer to the reason it gave for refusing it, as it
	// said it.
	Rejected map[string]string
}

// ErrRejected is wrapped by the *RejectError Broadcast returns when every
// peer that answered refused the transaction.
var ErrRejected = errors.New("the transaction was rejected")

// Broadcast announces tx to every connected peer, serves it to those that
// ask, and then checks whether they accepted it: a peer that refuses it
// says why; a peer that accepted it returns it from its mempool. It waits
// up to wait for the peers to fetch it. When every peer that answered
// refused it, the error is a *RejectError saying what to do.
func (n *Node) Broadcast(ctx context.Context, tx *wire.MsgTx, wait time.Duration) (*BroadcastResult, error) {
	peers := n.readyPeers(0)
	if len(peers) == 0 {
		return nil, errors.New("no peer connected to broadcast to")
	}
	id := tx.TxHash()
	o := &outgoing{tx: tx, fetched: map[string]bool{}, announced: map[string]bool{},
		rejected: map[string]PeerReject{}, changed: make(chan struct{}, 1)}
	n.outMu.Lock()
	n.outgoing[id] = o
	n.outMu.Unlock()

	inv := wire.NewMsgInv()
	inv.AddInvVect(wire.NewInvVect(wire.InvTypeTx, &id))
	for _, pc := range peers {
		pc.p.QueueMessage(inv, nil)
	}

	// Wait until every peer has fetched or refused it, or wait is over.
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for done := false; !done; {
		n.outMu.Lock()
		done = len(o.fetched)+len(o.rejected) >= len(peers)
		n.outMu.Unlock()
		if done {
			break
		}
		select {
		case <-o.changed:
		case <-deadline.C:
			done = true
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-n.quit:
			return nil, ErrStopped
		}
	}

	// Ask each peer that did not refuse it for it back: only a peer that
	// kept it in its mempool can answer, and a peer that never fetched it
	// may have had it already (a broadcast repeated). A rejection may
	// arrive meanwhile.
	res := &BroadcastResult{Txid: id, Rejected: map[string]string{}}
	for _, pc := range peers {
		n.outMu.Lock()
		_, rejected := o.rejected[pc.addr]
		n.outMu.Unlock()
		if rejected {
			continue
		}
		if _, err := n.fetchTx(ctx, pc, id); err == nil {
			n.outMu.Lock()
			o.announced[pc.addr] = true
			n.outMu.Unlock()
		}
	}
	n.outMu.Lock()
	defer n.outMu.Unlock()
	for a := range o.fetched {
		res.SentTo = append(res.SentTo, a)
	}
	for a := range o.announced {
		if _, ok := o.rejected[a]; !ok {
			res.Accepted = append(res.Accepted, a)
		}
	}
	refused := make(map[string]PeerReject, len(o.rejected))
	for a, r := range o.rejected {
		res.Rejected[a] = r.Reason
		refused[a] = r
	}
	sort.Strings(res.SentTo)
	sort.Strings(res.Accepted)
	if len(res.Accepted) == 0 && len(refused) > 0 {
		return res, newRejectError(refused, txVSize(tx))
	}
	return res, nil
}

// fetchTx asks pc for a transaction from its mempool.
func (n *Node) fetchTx(ctx context.Context, pc *peerConn, id chainhash.Hash) (*wire.MsgTx, error) {
	var got *wire.MsgTx
	gd := wire.NewMsgGetData()
	gd.AddInvVect(wire.NewInvVect(wire.InvTypeWitnessTx, &id))
	err := n.request(ctx, pc, gd, func(m wire.Message) (bool, bool, error) {
		switch m := m.(type) {
		case *wire.MsgTx:
			if m.TxHash() != id {
				return false, false, nil
			}
			got = m
			return true, true, nil
		case *wire.MsgNotFound:
			for _, iv := range m.InvList {
				if iv.Hash == id {
					return true, true, errNotFound
				}
			}
		}
		return false, false, nil
	})
	return got, err
}

// MempoolTx looks for an unconfirmed transaction: in the relay feed, then
// in each connected peer's mempool.
func (n *Node) MempoolTx(ctx context.Context, txid *chainhash.Hash) (*TxSeen, error) {
	if s := n.feed.get(*txid); s != nil {
		return s, nil
	}
	s, _, err := n.mempoolTx(ctx, txid)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("transaction %s: %w", txid, errNotFound)
	}
	return s, nil
}

// mempoolTx asks each connected peer for txid from its mempool, until one
// has it. It returns nil when none has, and how many peers were asked; an
// error only when ctx ends or the node stops.
func (n *Node) mempoolTx(ctx context.Context, txid *chainhash.Hash) (*TxSeen, int, error) {
	asked := 0
	for _, pc := range n.readyPeers(0) {
		asked++
		tx, err := n.fetchTx(ctx, pc, *txid)
		if err == nil {
			return &TxSeen{Tx: tx, Txid: *txid, Peer: pc.addr, Time: time.Now()}, asked, nil
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrStopped) {
			return nil, asked, err
		}
	}
	return nil, asked, nil
}

// mempoolFalsePositive is the false-positive rate of RequestMempool's bloom
// filter. It is high on purpose: each element of every transaction (output
// pushes, spent outpoints) matches with this chance, so a peer testing the
// UTXO set against the filter finds about one unrelated script per
// thousand, which buries the wallet's few dozen; the price is roughly one
// unrelated mempool transaction in two hundred.
const mempoolFalsePositive = 0.001

// RequestMempool asks each peer that serves BIP37 for the unconfirmed
// transactions that pay one of scripts or spend one of outpoints: it loads
// a bloom filter of them and sends `mempool`. Matching transactions arrive
// on the relay feed as TxSeen events; the filter stays loaded, so the peer
// relays only matching transactions from then on. It returns how many
// peers were asked.
//
// This is a privacy trade-off the caller must choose: the filter tells the
// peers which scripts are probably the wallet's, however high its
// false-positive rate, and peers that compare filters across connections
// learn more. Without it, unconfirmed payments come only from the relay
// feed (transactions announced while connected, fetched and matched
// locally) and from blocks.
func (n *Node) RequestMempool(scripts [][]byte, outpoints []wire.OutPoint) int {
	peers := n.readyPeers(wire.SFNodeBloom)
	if len(peers) == 0 {
		return 0
	}
	// One filter, with one random tweak, for every peer: distinct filters
	// of the same set would let colluding peers intersect them.
	var tweak [4]byte
	rand.Read(tweak[:])
	f := bloom.NewFilter(uint32(len(scripts)+len(outpoints)+1), binary.LittleEndian.Uint32(tweak[:]),
		mempoolFalsePositive, wire.BloomUpdateAll)
	for _, s := range scripts {
		// BIP37 matches the data pushed by an output script (the key or
		// script hash), not the script itself.
		pushes, err := txscript.PushedData(s)
		if err != nil {
			continue
		}
		for _, p := range pushes {
			f.Add(p)
		}
	}
	for i := range outpoints {
		f.AddOutPoint(&outpoints[i])
	}
	load := f.MsgFilterLoad()
	for _, pc := range peers {
		pc.p.QueueMessage(load, nil)
		pc.p.QueueMessage(wire.NewMsgMemPool(), nil)
	}
	n.log.Info("asked peers for unconfirmed wallet transactions with a bloom filter (BIP37)", "peers", len(peers))
	return len(peers)
}

// RecentTxs returns the transactions of the relay feed, oldest first: what
// peers announced while connected (inv, then getdata). A wallet matches
// them against its own scripts to find unconfirmed payments without telling
// any peer what it looks for.
func (n *Node) RecentTxs() []*TxSeen {
	return n.feed.all()
}

// RelayFloor returns the highest minimum fee rate (sat/vB) among the
// connected peers' BIP133 feefilters: a transaction paying less may not
// be relayed by all of them. 0 when no peer has said.
func (n *Node) RelayFloor() float64 {
	var floor float64
	for _, p := range n.Peers() {
		floor = max(floor, p.FeeFilter)
	}
	return floor
}
