package lightnode

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// headersRequest is a getheaders a chainServer answered: the height after
// which it asked, and the height of its hash_stop (-1 for none).
type headersRequest struct{ from, stop int32 }

// chainServer is a fake peer's script that serves a chain of headers as a
// node does: getheaders from the first locator hash it knows, up to 2,000
// headers or the hash_stop. Answers wait for gate to close; alter, when
// set, may change what a request gets.
type chainServer struct {
	chain []*wire.BlockHeader // [0] is the genesis header
	index map[chainhash.Hash]int32
	gate  chan struct{}
	alter func(req headersRequest, hdrs []*wire.BlockHeader) []*wire.BlockHeader
	hold  func(req headersRequest) // runs before each answer, when set

	mu   sync.Mutex
	reqs []headersRequest
}

func newChainServer(chain []*wire.BlockHeader, gate chan struct{}) *chainServer {
	cs := &chainServer{chain: chain, index: make(map[chainhash.Hash]int32, len(chain)), gate: gate}
	for i, h := range chain {
		cs.index[h.BlockHash()] = int32(i)
	}
	return cs
}

func (cs *chainServer) onMessage(fp *fakePeer, msg wire.Message) {
	gh, ok := msg.(*wire.MsgGetHeaders)
	if !ok {
		return
	}
	if cs.gate != nil {
		<-cs.gate
	}
	req := headersRequest{from: -1, stop: -1}
	for _, h := range gh.BlockLocatorHashes {
		if i, ok := cs.index[*h]; ok {
			req.from = i
			break
		}
	}
	if i, ok := cs.index[gh.HashStop]; ok {
		req.stop = i
	}
	if cs.hold != nil {
		cs.hold(req)
	}
	cs.mu.Lock()
	cs.reqs = append(cs.reqs, req)
	cs.mu.Unlock()
	var hdrs []*wire.BlockHeader
	if req.from >= 0 {
		end := min(int(req.from)+wire.MaxBlockHeadersPerMsg, len(cs.chain)-1)
		if req.stop > req.from {
			end = min(end, int(req.stop))
		}
		hdrs = cs.chain[req.from+1 : end+1]
	}
	if cs.alter != nil {
		hdrs = cs.alter(req, hdrs)
	}
	fp.write(headersMessage(hdrs...))
}

func (cs *chainServer) requests() []headersRequest {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]headersRequest(nil), cs.reqs...)
}

// aheadChain is a regtest chain of 6,500 headers with checkpoints at
// 2,500, 3,500, 4,500 and 5,500: the stream runs to 2,500, three ranges
// lie between the checkpoints and a tail of 1,000 follows.
func aheadChain(t *testing.T) ([]*wire.BlockHeader, []chaincfg.Checkpoint) {
	t.Helper()
	p := &chaincfg.RegressionNetParams
	genesis := p.GenesisBlock.Header
	chain := append([]*wire.BlockHeader{&genesis}, buildChain(p, &genesis, 6500, 7)...)
	var cps []chaincfg.Checkpoint
	for _, h := range []int32{2500, 3500, 4500, 5500} {
		hash := chain[h].BlockHash()
		cps = append(cps, chaincfg.Checkpoint{Height: h, Hash: &hash})
	}
	return chain, cps
}

// startAheadNode starts a node with the checkpoints on first and second,
// so that first is the stream's peer and second the first one free for a
// range: second's connection is accepted only once first is connected,
// and no answer leaves first before both are.
func startAheadNode(t *testing.T, cps []chaincfg.Checkpoint, first, second *fakePeer, gate chan struct{}) *Node {
	t.Helper()
	return startAheadNodeStall(t, cps, first, second, gate, 30*time.Second)
}

// startAheadNodeStall is startAheadNode with the given stall timeout.
func startAheadNodeStall(t *testing.T, cps []chaincfg.Checkpoint, first, second *fakePeer, gate chan struct{},
	stall time.Duration) *Node {
	t.Helper()
	n, err := New(&Config{
		ChainParams:   &chaincfg.RegressionNetParams,
		DataDir:       t.TempDir(),
		ConnectPeers:  []string{first.addr(), second.addr()},
		Checkpoints:   cps,
		RetryDuration: time.Hour, // a banned peer is not dialled again in the test
		StallTimeout:  stall,
		Logger:        testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := n.Subscribe()
	first.serve()
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	connected := func(fp *fakePeer) func(Event) bool {
		return func(ev Event) bool {
			c, ok := ev.(PeerConnected)
			return ok && c.Peer.Addr == fp.addr()
		}
	}
	waitFor(t, sub, "the first peer", connected(first))
	second.serve()
	waitFor(t, sub, "the second peer", connected(second))
	close(gate)
	return n
}

// checkSyncedTo checks that n synced to the end of chain and stored it.
func checkSyncedTo(t *testing.T, n *Node, chain []*wire.BlockHeader) {
	t.Helper()
	waitSynced(t, n)
	tipHeight := int32(len(chain) - 1)
	if tip := n.Store().Tip(); tip.Height != tipHeight || tip.Hash != chain[tipHeight].BlockHash() {
		t.Fatalf("synced to %d %s; the chain ends at %d %s", tip.Height, tip.Hash, tipHeight, chain[tipHeight].BlockHash())
	}
	for _, h := range []int32{1, 2500, 2501, 3000, 3501, 4999, 5500, 6000} {
		got, err := n.Store().HeaderByHeight(h)
		if err != nil || got.Hash != chain[h].BlockHash() {
			t.Fatalf("header %d: %+v %v; want %s", h, got, err, chain[h].BlockHash())
		}
	}
}

func TestHeadersBetweenCheckpointsFromTwoPeers(t *testing.T) {
	chain, cps := aheadChain(t)
	gate := make(chan struct{})
	a, b := newChainServer(chain, gate), newChainServer(chain, nil)
	fa, fb := newFakePeer(t, 6500), newFakePeer(t, 6500)
	fa.onMessage, fb.onMessage = a.onMessage, b.onMessage
	n := startAheadNode(t, cps, fa, fb, gate)
	checkSyncedTo(t, n, chain)

	// The stream starts at genesis on the first peer and stops at the
	// first checkpoint; the second peer, idle, fetches the first range at
	// once; each range is asked for from its start to its end; the tail
	// after the last checkpoint is streamed.
	ra, rb := a.requests(), b.requests()
	t.Logf("getheaders answered (after height, stop height): first peer %v, second %v", ra, rb)
	if len(ra) == 0 || ra[0].from != 0 {
		t.Fatalf("first peer's requests %v; want the stream from genesis first", ra)
	}
	if !containsRequest(ra, headersRequest{2000, 2500}) {
		t.Fatalf("first peer's requests %v; want the stream to stop at the checkpoint 2500", ra)
	}
	if len(rb) == 0 || rb[0] != (headersRequest{2500, 3500}) {
		t.Fatalf("second peer's requests %v; want the range 2500-3500 first", rb)
	}
	all := append(ra, rb...)
	for _, want := range []headersRequest{{2500, 3500}, {3500, 4500}, {4500, 5500}} {
		if !containsRequest(all, want) {
			t.Fatalf("requests %v; nobody asked for the range %d-%d", all, want.from, want.stop)
		}
	}
	if !containsRequest(all, headersRequest{5500, -1}) {
		t.Fatalf("requests %v; want the tail streamed from the last checkpoint", all)
	}
	for _, r := range all {
		if r.from > 0 && r.from < 2000 {
			t.Fatalf("requests %v; headers below the first checkpoint were asked for twice", all)
		}
	}
}

func containsRequest(reqs []headersRequest, want headersRequest) bool {
	for _, r := range reqs {
		if r == want {
			return true
		}
	}
	return false
}

// TestBadCheckpointRange: a peer that answers a checkpoint range with
// headers that cannot be that range is banned, and the other peer's
// headers carry the sync to the tip.
func TestBadCheckpointRange(t *testing.T) {
	chain, cps := aheadChain(t)
	p := &chaincfg.RegressionNetParams
	cases := []struct {
		name   string
		reason string
		alter  func(req headersRequest, hdrs []*wire.BlockHeader) []*wire.BlockHeader
	}{
		// Found as the headers arrive: a range of 1,000 cannot take 2,000.
		{"more headers than the range holds", "more headers than lie between the checkpoints", func(req headersRequest, hdrs []*wire.BlockHeader) []*wire.BlockHeader {
			if req.stop < 0 {
				return hdrs
			}
			return buildChain(p, chain[req.from], wire.MaxBlockHeadersPerMsg, 9)
		}},
		// Found when the chain reaches the range: it ends on the checkpoint
		// but its middle does not chain.
		{"a range that does not chain inside", "do not chain", func(req headersRequest, hdrs []*wire.BlockHeader) []*wire.BlockHeader {
			if req.stop < 0 || req.from != 2500 {
				return hdrs
			}
			out := append([]*wire.BlockHeader(nil), hdrs...)
			out[500] = nextHeader(p, chain[0], 3)
			return out
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gate := make(chan struct{})
			honest, hostile := newChainServer(chain, gate), newChainServer(chain, nil)
			hostile.alter = tc.alter
			fh, fx := newFakePeer(t, 6500), newFakePeer(t, 6500)
			fh.onMessage, fx.onMessage = honest.onMessage, hostile.onMessage
			n := startAheadNode(t, cps, fh, fx, gate)
			checkSyncedTo(t, n, chain)
			if !fx.disconnected(20 * time.Second) {
				t.Fatal("the hostile peer was not disconnected")
			}
			ban, banned := n.Store().IsBanned(banKey(fx.addr()))
			if !banned || !strings.Contains(ban.Reason, tc.reason) {
				t.Fatalf("ban %+v (banned %v); want a reason containing %q", ban, banned, tc.reason)
			}
		})
	}
}

// TestCheckpointsMerged: extra checkpoints join the network's in height
// order; a second hash for a height is refused.
func TestCheckpointsMerged(t *testing.T) {
	main := &chaincfg.MainNetParams
	h := chainhash.Hash{1}
	p, err := withCheckpoints(main, []chaincfg.Checkpoint{{Height: 5, Hash: &h}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Checkpoints) != len(main.Checkpoints)+1 || p.Checkpoints[0].Height != 5 || p.Checkpoints[1] != main.Checkpoints[0] {
		t.Fatalf("merged %v", p.Checkpoints[:2])
	}
	if len(main.Checkpoints) > 0 && main.Checkpoints[0].Height == 5 {
		t.Fatal("the network's own list changed")
	}
	first := main.Checkpoints[0]
	if _, err := withCheckpoints(main, []chaincfg.Checkpoint{{Height: first.Height, Hash: &h}}); err == nil ||
		!strings.Contains(err.Error(), "two checkpoints") {
		t.Fatalf("a second hash for height %d: %v", first.Height, err)
	}
	if got, err := withCheckpoints(main, []chaincfg.Checkpoint{first}); err != nil || len(got.Checkpoints) != len(main.Checkpoints) {
		t.Fatalf("the network's own checkpoint again: %v %v", err, len(got.Checkpoints))
	}
}

// TestRangePeerLeaves: a peer that hangs up while it holds a checkpoint
// range hands it back; the other peer fetches it and the sync ends on the
// tip.
func TestRangePeerLeaves(t *testing.T) {
	chain, cps := aheadChain(t)
	gate := make(chan struct{})
	honest, leaving := newChainServer(chain, gate), newChainServer(chain, nil)
	fh, fl := newFakePeer(t, 6500), newFakePeer(t, 6500)
	fh.onMessage = honest.onMessage
	fl.onMessage = func(fp *fakePeer, msg wire.Message) {
		if gh, ok := msg.(*wire.MsgGetHeaders); ok && gh.HashStop != (chainhash.Hash{}) {
			fp.mu.Lock()
			fp.conn.Close()
			fp.mu.Unlock()
			return
		}
		leaving.onMessage(fp, msg)
	}
	n := startAheadNode(t, cps, fh, fl, gate)
	checkSyncedTo(t, n, chain)
	if !containsRequest(honest.requests(), headersRequest{2500, 3500}) {
		t.Fatalf("requests %v; the honest peer never fetched the range the other one dropped", honest.requests())
	}
	if _, banned := n.Store().IsBanned(banKey(fl.addr())); banned {
		t.Fatal("a peer that hung up was banned")
	}
}

// TestBadRangeFromAGonePeer: a peer sends a range that ends on its
// checkpoint but does not chain inside, and hangs up before the chain
// reaches it. The range is found bad when it is validated, the peer is
// banned all the same, and the range comes from the other peer.
func TestBadRangeFromAGonePeer(t *testing.T) {
	chain, cps := aheadChain(t)
	p := &chaincfg.RegressionNetParams
	gate := make(chan struct{})
	honest, hostile := newChainServer(chain, gate), newChainServer(chain, nil)
	hostile.alter = func(req headersRequest, hdrs []*wire.BlockHeader) []*wire.BlockHeader {
		if req.from != 2500 {
			return hdrs
		}
		out := append([]*wire.BlockHeader(nil), hdrs...)
		out[500] = nextHeader(p, chain[0], 3)
		return out
	}
	fh, fx := newFakePeer(t, 6500), newFakePeer(t, 6500)
	fh.onMessage = honest.onMessage
	fx.onMessage = func(fp *fakePeer, msg wire.Message) {
		hostile.onMessage(fp, msg)
		if len(hostile.requests()) > 0 {
			fp.mu.Lock()
			fp.conn.Close()
			fp.mu.Unlock()
		}
	}
	// The stream reaches the bad range only once the node has seen the
	// hostile peer go.
	nodes := make(chan *Node, 1)
	honest.hold = func(req headersRequest) {
		if req.from != 2000 {
			return
		}
		n := <-nodes
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			gone := true
			for _, pi := range n.Peers() {
				gone = gone && pi.Addr != fx.addr()
			}
			if gone {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Error("the node did not notice the hostile peer leave")
	}
	n := startAheadNode(t, cps, fh, fx, gate)
	nodes <- n
	checkSyncedTo(t, n, chain)
	ban, banned := n.Store().IsBanned(banKey(fx.addr()))
	if !banned || !strings.Contains(ban.Reason, "do not chain") {
		t.Fatalf("ban %+v (banned %v); want the gone peer banned for headers that do not chain", ban, banned)
	}
}

// TestSlowRangePeerHandsOff: the peer holding the range the chain has
// reached does not answer; long before the stall timeout (an hour here)
// the idle peer takes the range over and the sync ends on the tip. The
// slow peer's answer, when it finally comes, is harmless, and the slow
// peer is neither banned nor dropped.
func TestSlowRangePeerHandsOff(t *testing.T) {
	chain, cps := aheadChain(t)
	gate := make(chan struct{})
	honest, slow := newChainServer(chain, gate), newChainServer(chain, nil)
	first := headersRequest{2500, 3500}
	taken := make(chan struct{})
	var once sync.Once
	honest.hold = func(req headersRequest) {
		if req == first {
			once.Do(func() { close(taken) })
		}
	}
	slow.hold = func(req headersRequest) {
		if req == first {
			<-taken // answer only once the other peer has the range
		}
	}
	fh, fs := newFakePeer(t, 6500), newFakePeer(t, 6500)
	fh.onMessage, fs.onMessage = honest.onMessage, slow.onMessage
	n := startAheadNodeStall(t, cps, fh, fs, gate, time.Hour)
	checkSyncedTo(t, n, chain)
	if rs := slow.requests(); len(rs) == 0 || rs[0] != first {
		t.Fatalf("slow peer's requests %v; want the range %v first", rs, first)
	}
	if _, banned := n.Store().IsBanned(banKey(fs.addr())); banned {
		t.Fatal("the slow peer was banned")
	}
	if len(n.Peers()) != 2 {
		t.Fatalf("peers %+v; the slow peer was dropped", n.Peers())
	}
}
