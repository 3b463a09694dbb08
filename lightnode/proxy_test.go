package lightnode

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/internal/socksproxy"
)

// dialLog records every TCP connection the node opens itself.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (l *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	l.mu.Lock()
	l.addrs = append(l.addrs, addr)
	l.mu.Unlock()
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (l *dialLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.addrs...)
}

func proxyNode(t *testing.T, proxy string, log *dialLog, peers ...string) *Node {
	t.Helper()
	n, err := New(&Config{
		ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(), ConnectPeers: peers,
		Proxy: proxy, Dial: log.dial, RetryDuration: 200 * time.Millisecond, Logger: testLogger(),
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

// btcdPort is the port of a regtest node's P2P address.
func btcdPort(t *testing.T, btcd *regtest.Node) string {
	_, port, err := net.SplitHostPort(btcd.P2PAddr())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// Through a SOCKS5 proxy the node syncs headers and filters from a peer
// given by name; the name reaches the proxy unresolved, each connection
// carries its own random credentials, and the node opens no connection
// but to the proxy.
func TestSyncThroughProxy(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(120)
	proxy := socksproxy.Start(t)
	var log dialLog
	n := proxyNode(t, proxy.Addr(), &log, "localhost:"+btcdPort(t, btcd))
	syncAll(t, n)
	want, height := btcd.BestBlock()
	if st := n.Status(); st.Hash != want || st.FilterHeight != height {
		t.Fatalf("status %+v; btcd is at %d %s", st, height, want)
	}
	for _, a := range log.all() {
		if a != proxy.Addr() {
			t.Fatalf("the node dialled %s directly (proxy %s)", a, proxy.Addr())
		}
	}
	reqs := proxy.Requests()
	if len(reqs) == 0 {
		t.Fatal("the proxy saw no request")
	}
	creds := map[string]bool{}
	for _, r := range reqs {
		if r.AddrType != socksproxy.Domain || r.Host != "localhost" {
			t.Fatalf("request %+v: the peer's name should reach the proxy unresolved", r)
		}
		if r.User == "" || r.Password == "" || creds[r.User+":"+r.Password] {
			t.Fatalf("request %+v: want fresh random credentials for every connection (seen %v)", r, creds)
		}
		creds[r.User+":"+r.Password] = true
	}
	// btcd serves v1 only and does not advertise v2.
	if p := n.Peers(); len(p) != 1 || p[0].Transport != "v1" || !p[0].Filters {
		t.Fatalf("peers %+v; want one v1 filter peer", p)
	}
}

// With the proxy down, the node says so and never connects around it.
func TestProxyDown(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(10)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	var log dialLog
	n := proxyNode(t, dead, &log, btcd.P2PAddr())
	err = n.WaitSynced(context.Background(), 2*time.Second)
	if !errors.Is(err, ErrNoPeers) || !strings.Contains(err.Error(), "cannot reach the proxy "+dead+": connection refused") {
		t.Fatalf("with the proxy down: %v", err)
	}
	if st := n.Status(); !strings.Contains(st.DialError, "cannot reach the proxy") {
		t.Fatalf("status dial error %q", st.DialError)
	}
	for _, a := range log.all() {
		if a != dead {
			t.Fatalf("the node dialled %s around the dead proxy", a)
		}
	}
	var peers []map[string]any
	raw, err := btcd.Call("getpeerinfo")
	if err != nil {
		t.Fatal(err)
	}
	if s := string(raw); s != "[]" && s != "null" {
		t.Fatalf("btcd has peers although the proxy is down: %s (%v)", s, peers)
	}
}

// A proxy that refuses the destination (Tor cannot reach an onion service)
// is told apart from one that is down; an .onion address goes to the
// proxy as a name.
func TestProxyRefuses(t *testing.T) {
	proxy := socksproxy.Start(t, socksproxy.Refuse(4))
	const onion = "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion:8333"
	var log dialLog
	n := proxyNode(t, proxy.Addr(), &log, onion)
	err := n.WaitSynced(context.Background(), 2*time.Second)
	if !errors.Is(err, ErrNoPeers) || !strings.Contains(err.Error(), onion+": proxy refused: host unreachable") {
		t.Fatalf("with the proxy refusing: %v", err)
	}
	reqs := proxy.Requests()
	if len(reqs) == 0 || reqs[0].AddrType != socksproxy.Domain || reqs[0].Target() != onion {
		t.Fatalf("proxy requests %+v; want the onion address as a name", reqs)
	}
	// Without a proxy an onion address is refused at once.
	_, err = New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(), ConnectPeers: []string{onion}})
	if !errors.Is(err, errNeedsProxy) {
		t.Fatalf("onion without a proxy: %v", err)
	}
}

// A proxy that never answers the handshake times out instead of hanging.
func TestProxySilent(t *testing.T) {
	proxy := socksproxy.Start(t, socksproxy.Silent())
	d := &socksDialer{proxy: proxy.Addr(), dial: (&net.Dialer{}).DialContext, isolate: true}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := d.DialContext(ctx, "tcp", "127.0.0.1:1")
	// Under load the deadline may pass while connecting to the proxy
	// rather than in its handshake; either way the dial ends, timed out.
	if !errors.Is(err, ErrProxyUnreachable) || !strings.HasPrefix(dialReason(err), "cannot reach the proxy "+proxy.Addr()+": ") ||
		!strings.HasSuffix(dialReason(err), "timed out") {
		t.Fatalf("silent proxy: %v (%q)", err, dialReason(err))
	}
}
