package lightnode

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/addrmgr"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/connmgr"
	"github.com/btcsuite/btcd/peer"
	"github.com/btcsuite/btcd/wire/v2"
)

// PeerInfo describes a connected or banned peer.
type PeerInfo struct {
	Addr      string
	UserAgent string
	Services  wire.ServiceFlag
	Height    int32 // best height the peer has told us about
	Ping      time.Duration
	// Transport is "v2" for a BIP324 encrypted connection, "v1" for a
	// plaintext one.
	Transport string
	// Filters reports whether the peer serves compact block filters
	// (BIP157, NODE_COMPACT_FILTERS).
	Filters bool
	// FeeFilter is the lowest fee rate the peer relays (BIP133), in sat/vB.
	FeeFilter     float64
	BytesSent     uint64
	BytesReceived uint64
	ConnectedAt   time.Time
	Banned        bool
	BanReason     string
	BannedUntil   time.Time
}

// peerConn is one outbound connection: the btcd peer and our bookkeeping.
// The fields under "sync state" belong to the sync goroutine.
type peerConn struct {
	node    *Node
	p       *peer.Peer
	connReq *connmgr.ConnReq
	addr    string
	pa      *peerAddr
	banKey  string
	v2      bool // a BIP324 handshake was attempted
	// upgrade: the peer advertised v2 on this v1 connection, which is
	// dropped to make a v2 one.
	upgrade atomic.Bool

	pending pendingSet // requests waiting for answers

	// feeFilter is the peer's BIP133 minimum fee rate, sat/kvB.
	feeFilter atomic.Int64

	pingMu    sync.Mutex
	pingNonce uint64
	pingSent  time.Time
	rtt       time.Duration

	// stalls counts requests in a row the peer left unanswered; any
	// answer resets it. Honest btcd and Core nodes ignore getheaders and
	// filter requests while they are catching up themselves, so a peer is
	// banned for stalling only after maxStalls of them.
	stalls atomic.Int32

	// sync state
	ready     bool      // handshake done
	requested time.Time // an unanswered getheaders was sent then
	// dupAllowed lets one headers message repeat the one before it: a
	// peer may announce a block and then answer our getheaders, already
	// in flight, with the same header.
	dupAllowed   bool
	caughtUp     bool // answered our locator with nothing new
	lastDigest   [2]chainhash.Hash
	lastCount    int
	unconnecting int
	dropping     bool // disconnect requested
	lastPing     time.Time
	// The checkpoint range pc fetches (ahead.go), if any; noAhead: it
	// failed to serve one and gets no more; staleAnswer: the answer on
	// its way is for a range since dropped.
	ahead       *aheadRange
	noAhead     bool
	staleAnswer bool
}

// banKey is what a ban applies to: the IP (a /64 for IPv6) on public
// addresses; IP and port on loopback and private ones, where several
// nodes share an address.
func banKey(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	ip := net.ParseIP(host)
	switch {
	case ip == nil:
		return addr
	case ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified():
		return addr
	case ip.To4() != nil:
		return ip.String()
	default:
		return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
	}
}

// Peer selection limits.
const (
	// minFilterPeers is how many connected peers serving compact filters
	// the node keeps when the network has them: filter headers are only
	// cross-checked between two or more.
	minFilterPeers = 2

	// maxPerNetGroup bounds outbound peers in one network group (/16 IPv4,
	// /32 IPv6) on public addresses, so that one provider cannot surround
	// us.
	maxPerNetGroup = 2

	// DefaultPeerSearchInterval is the first pause between searches for
	// more filter peers; it doubles up to maxPeerSearchInterval while the
	// searches find none.
	DefaultPeerSearchInterval = 30 * time.Second
	maxPeerSearchInterval     = 30 * time.Minute

	// replacedCooldown is how long a peer dropped to make room for a
	// filter peer is not dialled again; lowWorkCooldown the same for a
	// peer whose chain lacks the minimum work.
	replacedCooldown = 30 * time.Minute
	lowWorkCooldown  = 10 * time.Minute
)

// Errors of a dial the node refuses to make.
var (
	errBanned      = errors.New("banned")
	errCoolingDown = errors.New("not redialled yet")
	errNeedsProxy  = errors.New("an .onion address needs a Tor proxy (--proxy)")
)

// serviceSeeds are the services asked of DNS seeds, which filter on them
// (the "x49." prefix): full blocks, witnesses and compact filters.
const serviceSeeds = wire.SFNodeNetwork | wire.SFNodeWitness | wire.SFNodeCF

// startPeers starts the address book and the connection manager.
func (n *Node) startPeers() error {
	var getNewAddress func() (net.Addr, error)
	if len(n.cfg.ConnectPeers) == 0 {
		if n.book == nil {
			if n.cfg.DataDir == "" {
				return errors.New("lightnode: without ConnectPeers a DataDir or an AddrSource is needed")
			}
			n.addrMgr = addrmgr.New(n.cfg.DataDir, n.cfg.LookupIP)
			n.addrMgr.Start()
			n.book = addrManager{n.addrMgr}
		}
		if len(n.params.DNSSeeds) == 0 && n.cfg.AddrSource == nil {
			n.log.Warn("this network has no DNS seeds; give peers to connect to", "network", n.params.Name)
		}
		getNewAddress = n.newAddress
		n.seed()
	}
	cm, err := connmgr.New(&connmgr.Config{
		TargetOutbound:  uint32(n.cfg.MaxPeers),
		RetryDuration:   n.cfg.RetryDuration,
		OnConnection:    n.onConnection,
		OnDisconnection: func(*connmgr.ConnReq) {},
		GetNewAddress:   getNewAddress,
		Dial:            n.dial,
	})
	if err != nil {
		return err
	}
	n.connMgr = cm
	cm.Start()
	for _, a := range n.cfg.ConnectPeers {
		pa, err := parsePeerAddr(a)
		if err != nil {
			return fmt.Errorf("peer address %q: %w", a, err)
		}
		if !n.addWorker() {
			return ErrStopped
		}
		go func() {
			defer n.wg.Done()
			// Connect returns once connmgr stops; the dial gives up when
			// the node's context ends.
			cm.Connect(&connmgr.ConnReq{Addr: pa, Permanent: true})
		}()
	}
	return nil
}

// seed asks the DNS seeds for peers serving compact filters, unless the
// network has none: one lookup per seed, each on a goroutine under the
// node's WaitGroup that gives up when the node stops. With a proxy, the
// lookups go through it (Tor's RESOLVE extension); a proxy that cannot
// resolve leaves the address book and ConnectPeers.
func (n *Node) seed() {
	if len(n.params.DNSSeeds) == 0 || n.book == nil {
		return
	}
	port, _ := strconv.Atoi(n.params.DefaultPort)
	for _, s := range n.params.DNSSeeds {
		host := s.Host
		if s.HasFiltering {
			host = fmt.Sprintf("x%x.%s", uint64(serviceSeeds), s.Host)
		}
		if !n.addWorker() {
			return
		}
		go func() {
			defer n.wg.Done()
			ips, err := n.lookupIP(n.ctx, host)
			if err != nil {
				if n.ctx.Err() == nil {
					n.log.Info("DNS seed lookup failed", "seed", host, "err", err)
				}
				return
			}
			if n.ctx.Err() != nil || len(ips) == 0 {
				return
			}
			// Like Bitcoin Core, date seeded addresses 3 to 7 days back; a
			// filtering seed vouches for the services it was asked for,
			// and the handshake corrects what it got wrong.
			addrs := make([]*wire.NetAddressV2, len(ips))
			for i, ip := range ips {
				age := 3*24*time.Hour + time.Duration(mrand.Int64N(int64(4*24*time.Hour)))
				addrs[i] = wire.NetAddressV2FromBytes(time.Now().Add(-age), serviceSeeds, ip, uint16(port))
			}
			n.book.AddAddresses(addrs, nil)
		}()
	}
}

// lookupIP resolves a DNS seed: with Config.LookupIP when one was given
// (or the proxy's), otherwise with the system resolver, which gives up
// when ctx ends.
func (n *Node) lookupIP(ctx context.Context, host string) ([]net.IP, error) {
	if n.lookup != nil {
		return n.lookup(host)
	}
	return net.DefaultResolver.LookupIP(ctx, "ip", host)
}

// newAddress picks the next address from the address book for connmgr:
// never a banned or resting one or one already in use, at most
// maxPerNetGroup per network group, peers serving compact filters first
// while fewer than minFilterPeers are connected, then peers whose
// services are unknown.
func (n *Node) newAddress() (net.Addr, error) {
	n.dialMu.Lock()
	defer n.dialMu.Unlock()
	wantCF := n.filterPeersWanted()
	groups := map[string]int{}
	for _, pa := range n.outbound {
		if g := netGroup(pa.na); g != "" {
			groups[g]++
		}
	}
	now := time.Now()
	for tries := 0; tries < 200; tries++ {
		na := n.book.GetAddress()
		if na == nil || na.Addr == nil {
			break
		}
		pa := &peerAddr{host: na.Addr.String(), port: strconv.Itoa(int(na.Port)), na: na}
		key := pa.String()
		if _, busy := n.outbound[key]; busy {
			continue
		}
		if c, ok := n.cooldown[key]; ok && now.Before(c.until) {
			continue
		}
		if _, banned := n.store.IsBanned(banKey(key)); banned {
			continue
		}
		if isOnion(pa.host) && n.cfg.Proxy == "" {
			continue
		}
		if g := netGroup(na); g != "" && groups[g] >= maxPerNetGroup {
			continue
		}
		if tries < 50 && isPublic(na) && pa.port != n.params.DefaultPort {
			continue
		}
		if na.Services != 0 && na.Services&(wire.SFNodeNetwork|wire.SFNodeNetworkLimited) == 0 {
			continue
		}
		if wantCF {
			switch {
			case tries < 80 && na.Services&wire.SFNodeCF == 0:
				continue
			case tries < 150 && na.Services != 0 && na.Services&wire.SFNodeCF == 0:
				continue
			}
		}
		n.book.Attempt(na)
		n.outbound[key] = pa
		return pa, nil
	}
	return nil, errors.New("no usable peer address known yet")
}

// filterPeersWanted reports whether fewer than minFilterPeers connected or
// pending peers serve compact filters. Called with dialMu held.
func (n *Node) filterPeersWanted() bool {
	cf := 0
	for _, pa := range n.outbound {
		if pa.na != nil && pa.na.Services&wire.SFNodeCF != 0 {
			cf++
		}
	}
	return cf < minFilterPeers
}

// release frees an address-book slot once its connection attempt ended.
func (n *Node) release(addr string) {
	n.dialMu.Lock()
	delete(n.outbound, addr)
	n.dialMu.Unlock()
}

// rest keeps addr from being dialled again for d.
func (n *Node) rest(addr string, d time.Duration, reason string) {
	n.dialMu.Lock()
	n.cooldown[addr] = cooldown{until: time.Now().Add(d), reason: reason}
	for a, c := range n.cooldown {
		if time.Now().After(c.until) {
			delete(n.cooldown, a)
		}
	}
	n.dialMu.Unlock()
}

// cooldown is an address the node does not dial for a while.
type cooldown struct {
	until  time.Time
	reason string
}

// dial connects to a peer unless it is banned or resting, through the
// proxy when one is set (never around it).
func (n *Node) dial(addr net.Addr) (net.Conn, error) {
	// connmgr dials on goroutines of its own: register with the node's
	// WaitGroup so that Stop does not close the store under a dial.
	if !n.addWorker() {
		return nil, ErrStopped
	}
	defer n.wg.Done()
	a := addr.String()
	if b, banned := n.store.IsBanned(banKey(a)); banned {
		return nil, n.dialFailed(a, fmt.Errorf("%w until %s: %s", errBanned, b.Until.Format(time.RFC3339), b.Reason))
	}
	n.dialMu.Lock()
	c, resting := n.cooldown[a]
	n.dialMu.Unlock()
	if resting && time.Now().Before(c.until) {
		return nil, n.dialFailed(a, fmt.Errorf("%w until %s: %s", errCoolingDown, c.until.Format(time.RFC3339), c.reason))
	}
	if pa, ok := addr.(*peerAddr); ok && isOnion(pa.host) && n.cfg.Proxy == "" {
		return nil, n.dialFailed(a, errNeedsProxy)
	}
	ctx, cancel := context.WithTimeout(n.ctx, DefaultDialTimeout)
	defer cancel()
	conn, err := n.dialer(ctx, "tcp", a)
	if err != nil {
		return nil, n.dialFailed(a, err)
	}
	return conn, nil
}

// dialFailed records a failed dial for WaitSynced, the status and the log,
// and returns it as a DialError.
func (n *Node) dialFailed(addr string, err error) error {
	de := &DialError{Addr: addr, Reason: dialReason(err), Err: err}
	n.settle(addr)
	n.release(addr)
	n.mu.Lock()
	n.lastDialErr = de
	n.status.DialError = de.Error()
	n.changedLocked()
	n.mu.Unlock()
	if n.ctx.Err() == nil {
		n.log.Info("cannot connect to peer", "addr", addr, "reason", de.Reason)
		n.events.publish(PeerDialFailed{Addr: addr, Reason: de.Reason})
	}
	return de
}

// useV2 decides whether to open a connection with a BIP324 handshake: with
// peers known to advertise NODE_P2P_V2 (from the address book, or from the
// version message of an earlier connection), unless v2 is turned off or
// the peer refused a v2 handshake before. A peer whose services are
// unknown gets v1: a v1-only btcd answers a v2 handshake with silence
// until its 30-second negotiation timeout one time in 128 (it takes the
// random key for a message header and waits for the payload it names).
func (n *Node) useV2(pa *peerAddr) bool {
	if n.cfg.DisableV2Transport {
		return false
	}
	n.dialMu.Lock()
	defer n.dialMu.Unlock()
	key := pa.String()
	if n.v1Only[key] {
		return false
	}
	return n.v2Peers[key] || pa.na != nil && pa.na.Services&wire.SFNodeP2PV2 != 0
}

// wantsUpgrade reports whether a v1 connection should be dropped and made
// again with v2 because the peer's version message advertises
// NODE_P2P_V2; it remembers the advertisement.
func (n *Node) wantsUpgrade(pc *peerConn, services wire.ServiceFlag) bool {
	if pc.v2 || n.cfg.DisableV2Transport || services&wire.SFNodeP2PV2 == 0 {
		return false
	}
	n.dialMu.Lock()
	defer n.dialMu.Unlock()
	if n.v1Only[pc.addr] {
		return false
	}
	n.v2Peers[pc.addr] = true
	return true
}

// onConnection runs the version handshake on a new connection.
func (n *Node) onConnection(req *connmgr.ConnReq, conn net.Conn) {
	pa, ok := req.Addr.(*peerAddr)
	if !ok {
		pa = &peerAddr{}
		pa.host, pa.port, _ = net.SplitHostPort(req.Addr.String())
	}
	pc := &peerConn{node: n, connReq: req, addr: pa.String(), pa: pa, v2: n.useV2(pa)}
	pc.banKey = banKey(pc.addr)
	p, err := peer.NewOutboundPeer(n.peerConfig(pc), pc.addr)
	if err != nil {
		n.log.Warn("cannot create peer", "addr", pc.addr, "err", err)
		conn.Close()
		n.release(pc.addr)
		n.connMgr.Disconnect(req.ID())
		return
	}
	pc.p = p
	p.AssociateConnection(conn)
	if !n.track(pc) {
		p.Disconnect()
		return
	}
	go func() {
		defer n.wg.Done()
		p.WaitForDisconnect()
		// A peer that hangs up on our v2 handshake at once speaks only
		// v1; one that advertised v2 on a v1 connection gets a v2 one:
		// either way, connect again at once.
		downgrade := pc.v2 && p.ShouldDowngradeToV1()
		n.send(peerDoneMsg{pc: pc, downgrade: downgrade, redial: downgrade || pc.upgrade.Load()})
	}()
}

// redial opens a new connection for req after a v2 handshake failed or a
// v1 peer turned out to offer v2.
func (n *Node) redial(req *connmgr.ConnReq) {
	defer n.wg.Done()
	conn, err := n.dial(req.Addr)
	if err != nil {
		n.connMgr.Disconnect(req.ID())
		return
	}
	n.onConnection(req, conn)
}

// peerConfig returns the btcd peer configuration for one connection; the
// listeners forward to the sync goroutine.
func (n *Node) peerConfig(pc *peerConn) *peer.Config {
	// We serve no blocks (no NODE_NETWORK); witness support makes peers
	// fetch our transactions with their witnesses. btcd's peer attempts
	// BIP324 only when our own services include NODE_P2P_V2.
	services := wire.SFNodeWitness
	if pc.v2 {
		services |= wire.SFNodeP2PV2
	}
	return &peer.Config{
		NewestBlock: func() (*chainhash.Hash, int32, error) {
			s := n.Status()
			return &s.Hash, s.Height, nil
		},
		// Names and .onion addresses stay unresolved: the version
		// message names them as 0.0.0.0.
		HostToNetAddress: func(string, uint16, wire.ServiceFlag) (*wire.NetAddressV2, error) {
			return pc.pa.netAddress(), nil
		},
		UserAgentName:    n.cfg.UserAgentName,
		UserAgentVersion: n.cfg.UserAgentVersion,
		ChainParams:      n.params,
		Services:         services,
		UsingV2Conn:      pc.v2,
		Proxy:            n.cfg.Proxy,
		DisableRelayTx:   false, // we want the relay feed
		TrickleInterval:  time.Second,
		Listeners: peer.MessageListeners{
			OnVersion: func(p *peer.Peer, msg *wire.MsgVersion) *wire.MsgReject {
				if n.book != nil && pc.pa.na != nil {
					n.book.SetServices(pc.pa.na, msg.Services)
					// What newAddress counts from now on: a copy, since
					// address-book entries are shared and immutable.
					n.dialMu.Lock()
					na := *pc.pa.na
					na.Services = msg.Services
					pc.pa.na = &na
					n.dialMu.Unlock()
				}
				if n.wantsUpgrade(pc, msg.Services) {
					pc.upgrade.Store(true)
					return wire.NewMsgReject(msg.Command(), wire.RejectNonstandard,
						"reconnecting with the v2 transport")
				}
				if msg.Services&(wire.SFNodeNetwork|wire.SFNodeNetworkLimited) == 0 {
					return wire.NewMsgReject(msg.Command(), wire.RejectNonstandard,
						"satchel needs peers that serve blocks")
				}
				n.cfg.TimeSource.AddTimeSample(p.Addr(), msg.Timestamp)
				return nil
			},
			OnVerAck: func(p *peer.Peer, _ *wire.MsgVerAck) {
				n.send(peerReadyMsg{pc})
			},
			OnHeaders: func(p *peer.Peer, msg *wire.MsgHeaders) {
				n.send(headersMsg{pc, msg})
			},
			OnInv: func(p *peer.Peer, msg *wire.MsgInv) {
				n.onTxInv(p, msg)
				for _, iv := range msg.InvList {
					if iv.Type == wire.InvTypeBlock || iv.Type == wire.InvTypeWitnessBlock {
						n.send(invMsg{pc, msg})
						break
					}
				}
			},
			// btcd's peer package (v0.26.2) never dispatches cfcheckpt to
			// OnCFCheckpt, so it is caught where every message is read.
			// Read errors arrive here too: a malformed message (bad
			// checksum, oversized or undecodable payload, wrong network)
			// is a *wire.MessageError and earns a ban; EOF and reset
			// connections are a peer going away and do not.
			OnRead: func(p *peer.Peer, _ int, msg wire.Message, err error) {
				var me *wire.MessageError
				if errors.As(err, &me) {
					n.send(banRequest{pc: pc, reason: "sent a malformed message: " + me.Error(), d: n.cfg.BanDuration})
					return
				}
				if cp, ok := msg.(*wire.MsgCFCheckpt); ok && err == nil {
					pc.pending.deliver(cp)
				}
			},
			OnCFHeaders:   func(p *peer.Peer, msg *wire.MsgCFHeaders) { pc.pending.deliver(msg) },
			OnCFilter:     func(p *peer.Peer, msg *wire.MsgCFilter) { pc.pending.deliver(msg) },
			OnBlock:       func(p *peer.Peer, msg *wire.MsgBlock, _ []byte) { pc.pending.deliver(msg) },
			OnMerkleBlock: func(p *peer.Peer, msg *wire.MsgMerkleBlock) { pc.pending.deliver(msg) },
			OnNotFound:    func(p *peer.Peer, msg *wire.MsgNotFound) { pc.pending.deliver(msg) },
			OnTx: func(p *peer.Peer, msg *wire.MsgTx) {
				if !pc.pending.deliver(msg) {
					n.onTx(p, msg)
				}
			},
			OnGetData: func(p *peer.Peer, msg *wire.MsgGetData) { n.onGetData(p, msg) },
			OnFeeFilter: func(p *peer.Peer, msg *wire.MsgFeeFilter) {
				if msg.MinFee >= 0 {
					pc.feeFilter.Store(msg.MinFee)
				}
			},
			OnReject: func(p *peer.Peer, msg *wire.MsgReject) { n.onReject(p, msg) },
			OnPong: func(p *peer.Peer, msg *wire.MsgPong) {
				pc.gotPong(msg.Nonce)
			},
			OnAddr: func(p *peer.Peer, msg *wire.MsgAddr) {
				n.addAddresses(p, msg.AddrList)
			},
			OnAddrV2: func(p *peer.Peer, msg *wire.MsgAddrV2) {
				if n.book != nil && len(msg.AddrList) > 0 {
					n.book.AddAddresses(msg.AddrList, p.NA())
				}
			},
		},
	}
}

// addAddresses feeds gossiped addresses into the address book.
func (n *Node) addAddresses(p *peer.Peer, list []*wire.NetAddress) {
	if n.book == nil || len(list) == 0 {
		return
	}
	addrs := make([]*wire.NetAddressV2, 0, len(list))
	for _, na := range list {
		addrs = append(addrs, wire.NetAddressV2FromBytes(na.Timestamp, na.Services, na.IP, na.Port))
	}
	n.book.AddAddresses(addrs, p.NA())
}

// sendPing measures the round trip with our own nonce.
func (pc *peerConn) sendPing() {
	var b [8]byte
	rand.Read(b[:])
	nonce := binary.LittleEndian.Uint64(b[:])
	pc.pingMu.Lock()
	pc.pingNonce, pc.pingSent = nonce, time.Now()
	pc.pingMu.Unlock()
	pc.p.QueueMessage(wire.NewMsgPing(nonce), nil)
}

func (pc *peerConn) gotPong(nonce uint64) {
	pc.pingMu.Lock()
	defer pc.pingMu.Unlock()
	if nonce == pc.pingNonce && !pc.pingSent.IsZero() {
		pc.rtt = time.Since(pc.pingSent)
		pc.pingNonce = 0
	}
}

// pingRTT is the peer's last measured ping round trip (0 before one).
func (pc *peerConn) pingRTT() time.Duration {
	pc.pingMu.Lock()
	defer pc.pingMu.Unlock()
	return pc.rtt
}

// info describes the peer.
func (pc *peerConn) info() PeerInfo {
	rtt := pc.pingRTT()
	p := pc.p
	transport := "v1"
	if p.StatsSnapshot().V2Connection {
		transport = "v2"
	}
	return PeerInfo{
		Addr:          pc.addr,
		UserAgent:     p.UserAgent(),
		Services:      p.Services(),
		Height:        p.LastBlock(),
		Ping:          rtt,
		Transport:     transport,
		Filters:       p.Services()&wire.SFNodeCF != 0,
		FeeFilter:     float64(pc.feeFilter.Load()) / 1000,
		BytesSent:     p.BytesSent(),
		BytesReceived: p.BytesReceived(),
		ConnectedAt:   p.TimeConnected(),
	}
}
