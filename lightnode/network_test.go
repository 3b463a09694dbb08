package lightnode

import (
	"context"
	"errors"
	"math/big"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// testBook is an address book the test fills, standing in for gossip and
// DNS seeds, which never carry loopback addresses.
type testBook struct {
	mu       sync.Mutex
	addrs    map[string]*wire.NetAddressV2
	services map[string]wire.ServiceFlag // learned in handshakes
	attempts []string
}

var _ AddrSource = (*testBook)(nil)

func newTestBook() *testBook {
	return &testBook{addrs: map[string]*wire.NetAddressV2{}, services: map[string]wire.ServiceFlag{}}
}

func bookKey(na *wire.NetAddressV2) string {
	return net.JoinHostPort(na.Addr.String(), strconv.Itoa(int(na.Port)))
}

// netAddr builds an address-book entry for HOST:PORT (an IP).
func netAddr(t testing.TB, hostport string, services wire.ServiceFlag) *wire.NetAddressV2 {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	ip := net.ParseIP(host)
	if ip4 := ip.To4(); ip4 != nil {
		ip = ip4
	}
	return wire.NetAddressV2FromBytes(time.Now(), services, ip, uint16(p))
}

func (b *testBook) add(nas ...*wire.NetAddressV2) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, na := range nas {
		b.addrs[bookKey(na)] = na
	}
}

func (b *testBook) AddAddresses(addrs []*wire.NetAddressV2, _ *wire.NetAddressV2) { b.add(addrs...) }

func (b *testBook) GetAddress() *wire.NetAddressV2 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.addrs) == 0 {
		return nil
	}
	i := rand.IntN(len(b.addrs))
	for _, na := range b.addrs {
		if i == 0 {
			return na
		}
		i--
	}
	return nil
}

func (b *testBook) Attempt(na *wire.NetAddressV2) {
	b.mu.Lock()
	b.attempts = append(b.attempts, bookKey(na))
	b.mu.Unlock()
}

func (b *testBook) SetServices(na *wire.NetAddressV2, s wire.ServiceFlag) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := bookKey(na)
	b.services[k] = s
	c := *na
	c.Services = s
	b.addrs[k] = &c
}

func (b *testBook) Good(*wire.NetAddressV2) {}
func (b *testBook) NeedMoreAddresses() bool { return false }

func (b *testBook) learned(addr string) (wire.ServiceFlag, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.services[addr]
	return s, ok
}

// eventually polls cond until it holds or a minute has passed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// With only peers that serve no compact filters in its address book, the
// node keeps looking; once the book learns of filter peers (as gossip
// would bring them), it drops non-filter peers to make room and ends with
// two filter peers. All are real btcd nodes with different services.
func TestFilterPeersFoundAfterNonFilterPeers(t *testing.T) {
	cf1 := regtest.Start(t)
	cf2 := regtest.Start(t, regtest.WithArgs("--v2transport"))
	plain := regtest.Start(t, regtest.WithArgs("--nocfilters"))
	noBloom := regtest.Start(t, regtest.WithArgs("--nocfilters", "--nopeerbloomfilters"))
	for _, o := range []*regtest.Node{cf2, plain, noBloom} {
		cf1.ConnectTo(o)
	}
	cf1.Generate(30)
	for _, o := range []*regtest.Node{cf2, plain, noBloom} {
		o.WaitForHeight(30, 30*time.Second)
	}

	book := newTestBook()
	// Like DNS seed answers without service bits: nothing is known yet.
	book.add(netAddr(t, plain.P2PAddr(), 0), netAddr(t, noBloom.P2PAddr(), 0))
	n, err := New(&Config{
		ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(), AddrSource: book,
		MaxPeers: 2, RetryDuration: 100 * time.Millisecond, PeerSearchInterval: 200 * time.Millisecond,
		Logger: testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := n.Subscribe()
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	eventually(t, "the handshakes with the non-filter peers", func() bool {
		_, a := book.learned(plain.P2PAddr())
		_, b := book.learned(noBloom.P2PAddr())
		return a && b
	})
	if s, _ := book.learned(plain.P2PAddr()); s&wire.SFNodeCF != 0 || s&wire.SFNodeBloom == 0 {
		t.Fatalf("services learned from the --nocfilters node: %v", s)
	}
	if st := n.Status(); st.FilterPeers != 0 {
		t.Fatalf("filter peers %d before any was known", st.FilterPeers)
	}

	book.add(netAddr(t, cf1.P2PAddr(), 0), netAddr(t, cf2.P2PAddr(), 0))
	eventually(t, "two filter peers", func() bool { return n.Status().FilterPeers == 2 })
	syncAll(t, n)
	peers := n.Peers()
	got := map[string]bool{}
	for _, p := range peers {
		got[p.Addr] = p.Filters
	}
	if len(peers) != 2 || !got[cf1.P2PAddr()] || !got[cf2.P2PAddr()] {
		t.Fatalf("peers %+v; want the two filter peers", peers)
	}
	// The non-filter peers left to make room, with the reason.
	replaced := map[string]bool{}
	for len(replaced) < 2 {
		ev := waitFor(t, sub, "the replaced peers", func(ev Event) bool {
			d, ok := ev.(PeerDisconnected)
			return ok && strings.Contains(d.Reason, "serves no compact block filters") && !d.Banned
		}).(PeerDisconnected)
		replaced[ev.Addr] = true
	}
	if !replaced[plain.P2PAddr()] || !replaced[noBloom.P2PAddr()] {
		t.Fatalf("replaced %v", replaced)
	}
}

// The address book never hands out more than two public addresses of one
// network group (/16 for IPv4, /32 for IPv6), prefers known filter peers
// while two are missing, and leaves loopback addresses unlimited.
func TestOutboundDiversity(t *testing.T) {
	book := newTestBook()
	const port = "18444"
	cf := wire.SFNodeNetwork | wire.SFNodeWitness | wire.SFNodeCF
	group := []string{"81.2.3.4", "81.2.5.6", "81.2.7.8", "81.2.9.10"}
	v6 := []string{"2a00:1450:4001::1", "2a00:1450:4002::1", "2a00:1450:4003::1"}
	for _, ip := range append(append([]string{}, group...), v6...) {
		book.add(netAddr(t, net.JoinHostPort(ip, port), cf))
	}
	book.add(netAddr(t, "95.1.1.1:"+port, wire.SFNodeNetwork|wire.SFNodeWitness))
	n, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(), AddrSource: book})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	picked := map[string]int{}
	var order []string
	for {
		a, err := n.newAddress()
		if err != nil {
			break
		}
		order = append(order, a.String())
		na := a.(*peerAddr).na
		picked[netGroup(na)]++
	}
	if picked["81.2.0.0"] != 2 || picked["2a00:1450::"] != 2 || len(order) != 5 {
		t.Fatalf("picked %v in order %v; want two per group and the non-filter peer", picked, order)
	}
	// The first two are filter peers, whatever the random order.
	for _, a := range order[:2] {
		if strings.HasPrefix(a, "95.") {
			t.Fatalf("a non-filter peer came before two filter peers: %v", order)
		}
	}
	// Releasing a slot in a full group lets the group's next address in.
	n.release(order[0])
	if a, err := n.newAddress(); err != nil || netGroup(a.(*peerAddr).na) != netGroup(netAddr(t, order[0], 0)) {
		t.Fatalf("after a release: %v, %v", a, err)
	}

	// Loopback addresses (tests, local nodes) have no group limit.
	local := newTestBook()
	for p := 20000; p < 20005; p++ {
		local.add(netAddr(t, "127.0.0.1:"+strconv.Itoa(p), cf))
	}
	n2, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(), AddrSource: local})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Stop()
	for i := range 5 {
		if _, err := n2.newAddress(); err != nil {
			t.Fatalf("loopback address %d: %v", i, err)
		}
	}
}

// The node speaks BIP324 with a peer that offers it (learnt from its
// version message on a first v1 connection), v1 with one that does not,
// falls back to v1 with a peer that offers v2 but fails its handshake,
// and speaks v1 only when told.
func TestV2Transport(t *testing.T) {
	v2 := regtest.Start(t, regtest.WithArgs("--v2transport"))
	v1 := regtest.Start(t)
	v2.ConnectTo(v1)
	v2.Generate(20)
	v1.WaitForHeight(20, 30*time.Second)

	n := startNode(t, t.TempDir(), v2.P2PAddr(), v1.P2PAddr())
	syncAll(t, n)
	// Synced is not "both connected": a connection attempt that fails is
	// retried, and the sync may finish with the other peer first (seen
	// once in CI on the loaded machine: the v2 node missing from Peers
	// right after syncAll). Wait for both.
	transports := map[string]string{}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		clear(transports)
		for _, p := range n.Peers() {
			transports[p.Addr] = p.Transport
		}
		if len(transports) == 2 || time.Now().After(deadline) {
			break
		}
	}
	if transports[v2.P2PAddr()] != "v2" || transports[v1.P2PAddr()] != "v1" {
		t.Fatalf("transports %v; want v2 with the --v2transport node and v1 with the other", transports)
	}

	// A peer that advertises v2 but speaks only v1: a v1 connection that
	// learns of v2, a v2 attempt it hangs up on, and v1 for good.
	liar := newFakePeer(t, 0)
	liar.services |= wire.SFNodeP2PV2
	liar.onMessage = func(fp *fakePeer, msg wire.Message) {
		if _, ok := msg.(*wire.MsgGetHeaders); ok {
			fp.write(wire.NewMsgHeaders())
		}
	}
	liar.serve()
	n2 := startNode(t, t.TempDir(), liar.addr())
	waitSynced(t, n2)
	if p := n2.Peers(); len(p) != 1 || p[0].Transport != "v1" || liar.accepts.Load() != 3 {
		t.Fatalf("peers %+v after %d connections; want v1 after the third", p, liar.accepts.Load())
	}

	off, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(),
		ConnectPeers: []string{v2.P2PAddr()}, DisableV2Transport: true, RetryDuration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := off.Start(); err != nil {
		t.Fatal(err)
	}
	defer off.Stop()
	waitSynced(t, off)
	if p := off.Peers(); len(p) != 1 || p[0].Transport != "v1" {
		t.Fatalf("with v2 off: %+v", p)
	}
}

// regtestWork is the chain work of height+1 regtest blocks (genesis
// included): each has work 2.
func regtestWork(height int) *big.Int { return big.NewInt(2 * int64(height+1)) }

// A peer whose whole chain lacks the minimum chain work is dropped (not
// banned) and the others are used; with no other, WaitSynced ends at once
// with an error naming the minimum and the best chain seen.
func TestMinimumChainWork(t *testing.T) {
	low := regtest.Start(t)
	low.Generate(20)
	high := regtest.Start(t)
	high.Generate(150)
	minWork := big.NewInt(0x100) // 127 regtest blocks

	start := func(t *testing.T, peers ...string) *Node {
		n, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(),
			ConnectPeers: peers, MinChainWork: minWork, RetryDuration: 100 * time.Millisecond, Logger: testLogger()})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Stop() })
		return n
	}

	t.Run("only a low-work peer", func(t *testing.T) {
		n := start(t, low.P2PAddr())
		err := n.WaitSynced(context.Background(), time.Minute)
		want := "peers offer a chain with less work than the minimum (minimum 0x100, best chain seen 0x2a at height 20); refusing to trust it"
		if !errors.Is(err, ErrLowChainWork) || err.Error() != want {
			t.Fatalf("got %v; want %q", err, want)
		}
		if _, banned := n.Store().IsBanned(banKey(low.P2PAddr())); banned {
			t.Fatal("a peer that is merely behind was banned")
		}
		// Nothing below the minimum reached the disk.
		if tip := n.Store().Tip(); tip.Height != 0 {
			t.Fatalf("stored tip %d; want genesis", tip.Height)
		}
	})

	t.Run("a low-work peer beside a good one", func(t *testing.T) {
		n := start(t, low.P2PAddr(), high.P2PAddr())
		sub := n.Subscribe()
		waitSynced(t, n)
		want, height := high.BestBlock()
		if st := n.Status(); st.Hash != want || st.Height != height {
			t.Fatalf("synced to %d %s; want %d %s", st.Height, st.Hash, height, want)
		}
		if tip := n.Store().Tip(); tip.Work.Cmp(regtestWork(int(height))) != 0 {
			t.Fatalf("stored work %v", tip.Work)
		}
		waitFor(t, sub, "the low-work peer's refusal", func(ev Event) bool {
			d, ok := ev.(PeerDisconnected)
			return ok && d.Addr == low.P2PAddr() && strings.Contains(d.Reason, "less work than the minimum")
		})
		if p := n.Peers(); len(p) != 1 || p[0].Addr != high.P2PAddr() {
			t.Fatalf("peers %+v", p)
		}
	})
}

// A peer may announce a block (headers, as asked with sendheaders) while
// our getheaders is on its way, and then answer it with the same header.
// That is honest and must not cost the peer a ban; a third copy does (see
// TestHostilePeersAreBanned).
func TestAnnouncementRacingAnswer(t *testing.T) {
	p := &chaincfg.RegressionNetParams
	chain := buildChain(p, &p.GenesisBlock.Header, 11, 7)
	fp := newFakePeer(t, 10)
	var mu sync.Mutex
	asked := 0
	fp.onMessage = func(fp *fakePeer, msg wire.Message) {
		if _, ok := msg.(*wire.MsgGetHeaders); !ok {
			return
		}
		mu.Lock()
		asked++
		k := asked
		mu.Unlock()
		switch k {
		case 1:
			fp.write(headersMessage(chain[:10]...))
			// Block 11 is found: announce it by inv, which makes the
			// node ask with getheaders.
			inv := wire.NewMsgInv()
			hash := chain[10].BlockHash()
			inv.AddInvVect(wire.NewInvVect(wire.InvTypeBlock, &hash))
			fp.write(inv)
		case 2:
			// The headers announcement, sent before the peer read our
			// getheaders, then the answer to it: the same message.
			fp.write(headersMessage(chain[10]))
			fp.write(headersMessage(chain[10]))
		}
	}
	fp.serve()
	n := startNode(t, t.TempDir(), fp.addr())
	want := chain[10].BlockHash()
	eventually(t, "block 11", func() bool { return n.Status().Hash == want })
	// The node asks again only if the peer was dropped; give a ban the
	// time to land, then check it did not.
	waitSynced(t, n)
	if ban, banned := n.Store().IsBanned(banKey(fp.addr())); banned {
		t.Fatalf("the honest peer was banned: %s", ban.Reason)
	}
	if peers := n.Peers(); len(peers) != 1 {
		t.Fatalf("peers %+v; the honest peer was dropped", peers)
	}
}

// btcd ignores getheaders and filter requests while it is catching up with
// a peer ahead of it. Such silence must not get an honest node banned: the
// request is asked again and answered once it is current.
func TestHonestPeerCatchingUpIsNotBanned(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(50)
	n, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(),
		ConnectPeers: []string{btcd.P2PAddr()}, StallTimeout: 2 * time.Second,
		RetryDuration: 200 * time.Millisecond, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	syncAll(t, n)

	// A peer claiming far more blocks makes btcd its sync peer; it never
	// sends them, so btcd is not current until it goes away.
	ahead := newFakePeer(t, 1000)
	syncing := make(chan struct{})
	var once sync.Once
	ahead.onMessage = func(_ *fakePeer, msg wire.Message) {
		// btcd asks its new sync peer for headers once it has made it
		// its sync peer: from then on it is not current.
		if _, ok := msg.(*wire.MsgGetHeaders); ok {
			once.Do(func() { close(syncing) })
		}
	}
	ahead.serve()
	if _, err := btcd.Call("node", "connect", ahead.addr(), "temp"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-syncing:
	case <-time.After(30 * time.Second):
		t.Fatal("btcd did not start syncing from the peer ahead of it")
	}

	pc := peerConnFor(t, n, btcd.P2PAddr())
	done := make(chan error, 1)
	var got int
	go func() {
		done <- n.Filters(context.Background(), 1, 50, func(int32, chainhash.Hash, *gcs.Filter) error { got++; return nil })
	}()
	eventually(t, "btcd to ignore a filter request", func() bool { return pc.stalls.Load() >= 1 })
	if _, err := btcd.Call("node", "disconnect", ahead.addr()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil || got != 50 {
		t.Fatalf("filters once btcd is current: %d, %v", got, err)
	}
	if ban, banned := n.Store().IsBanned(banKey(btcd.P2PAddr())); banned {
		t.Fatalf("the honest node was banned: %s", ban.Reason)
	}
}
