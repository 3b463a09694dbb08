package lightnode

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
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
	banKey  string

	pending pendingSet // requests waiting for answers

	// feeFilter is the peer's BIP133 minimum fee rate, sat/kvB.
	feeFilter atomic.Int64

	pingMu    sync.Mutex
	pingNonce uint64
	pingSent  time.Time
	rtt       time.Duration

	// sync state
	ready        bool      // handshake done
	requested    time.Time // an unanswered getheaders was sent then
	caughtUp     bool      // answered our locator with nothing new
	lastDigest   [2]chainhash.Hash
	lastCount    int
	unconnecting int
	dropping     bool // disconnect requested
	lastPing     time.Time
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

// startPeers starts the address and connection managers.
func (n *Node) startPeers() error {
	var getNewAddress func() (net.Addr, error)
	if len(n.cfg.ConnectPeers) == 0 {
		if n.cfg.DataDir == "" {
			return errors.New("lightnode: without ConnectPeers a DataDir is needed for the address book")
		}
		if len(n.params.DNSSeeds) == 0 {
			n.log.Warn("this network has no DNS seeds; give peers to connect to", "network", n.params.Name)
		}
		n.addrMgr = addrmgr.New(n.cfg.DataDir, n.cfg.LookupIP)
		n.addrMgr.Start()
		getNewAddress = n.newAddress
		// Ask the seeds for peers that serve compact filters.
		go connmgr.SeedFromDNS(n.params, wire.SFNodeNetwork|wire.SFNodeWitness|wire.SFNodeCF, n.cfg.LookupIP,
			func(addrs []*wire.NetAddressV2) {
				if len(addrs) > 0 {
					n.addrMgr.AddAddresses(addrs, addrs[0])
				}
			})
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
		tcp, err := net.ResolveTCPAddr("tcp", a)
		if err != nil {
			return fmt.Errorf("peer address %q: %w", a, err)
		}
		go cm.Connect(&connmgr.ConnReq{Addr: tcp, Permanent: true})
	}
	return nil
}

// newAddress picks the next address from the address book for connmgr.
func (n *Node) newAddress() (net.Addr, error) {
	for tries := 0; tries < 100; tries++ {
		ka := n.addrMgr.GetAddress()
		if ka == nil {
			break
		}
		na := ka.NetAddress()
		addr := net.JoinHostPort(na.Addr.String(), fmt.Sprint(na.Port))
		if _, banned := n.store.IsBanned(banKey(addr)); banned {
			continue
		}
		if tries < 50 && fmt.Sprint(na.Port) != n.params.DefaultPort {
			continue
		}
		if na.Services != 0 && na.Services&wire.SFNodeNetwork == 0 {
			continue
		}
		// Prefer peers known to serve compact filters.
		if tries < 30 && na.Services&wire.SFNodeCF == 0 {
			continue
		}
		n.addrMgr.Attempt(na)
		return net.ResolveTCPAddr("tcp", addr)
	}
	return nil, errors.New("no usable peer address known yet")
}

// dial connects to a peer unless it is banned.
func (n *Node) dial(addr net.Addr) (net.Conn, error) {
	if b, banned := n.store.IsBanned(banKey(addr.String())); banned {
		n.settle(addr.String())
		return nil, fmt.Errorf("%s is banned until %s: %s", addr, b.Until.Format(time.RFC3339), b.Reason)
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultDialTimeout)
	defer cancel()
	go func() {
		select {
		case <-n.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	conn, err := n.cfg.Dial(ctx, "tcp", addr.String())
	if err != nil {
		n.settle(addr.String())
		n.mu.Lock()
		n.lastDialErr = err
		n.mu.Unlock()
		n.log.Debug("dial failed", "addr", addr, "err", err)
	}
	return conn, err
}

// onConnection runs the version handshake on a new connection.
func (n *Node) onConnection(req *connmgr.ConnReq, conn net.Conn) {
	pc := &peerConn{node: n, connReq: req, addr: req.Addr.String()}
	pc.banKey = banKey(pc.addr)
	p, err := peer.NewOutboundPeer(n.peerConfig(pc), pc.addr)
	if err != nil {
		n.log.Warn("cannot create peer", "addr", pc.addr, "err", err)
		conn.Close()
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
		n.send(peerDoneMsg{pc})
	}()
}

// peerConfig returns the btcd peer configuration for one connection; the
// listeners forward to the sync goroutine.
func (n *Node) peerConfig(pc *peerConn) *peer.Config {
	return &peer.Config{
		NewestBlock: func() (*chainhash.Hash, int32, error) {
			s := n.Status()
			return &s.Hash, s.Height, nil
		},
		UserAgentName:    n.cfg.UserAgentName,
		UserAgentVersion: n.cfg.UserAgentVersion,
		ChainParams:      n.params,
		// We serve no blocks (no NODE_NETWORK); witness support makes
		// peers fetch our transactions with their witnesses.
		Services:        wire.SFNodeWitness,
		DisableRelayTx:  false, // we want the relay feed
		TrickleInterval: time.Second,
		Listeners: peer.MessageListeners{
			OnVersion: func(p *peer.Peer, msg *wire.MsgVersion) *wire.MsgReject {
				if msg.Services&(wire.SFNodeNetwork|wire.SFNodeNetworkLimited) == 0 {
					return wire.NewMsgReject(msg.Command(), wire.RejectNonstandard,
						"satchel needs peers that serve blocks")
				}
				n.cfg.TimeSource.AddTimeSample(p.Addr(), msg.Timestamp)
				if n.addrMgr != nil {
					n.addrMgr.SetServices(p.NA(), msg.Services)
				}
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
				if n.addrMgr != nil && len(msg.AddrList) > 0 {
					n.addrMgr.AddAddresses(msg.AddrList, p.NA())
				}
			},
		},
	}
}

// addAddresses feeds gossiped addresses into the address book.
func (n *Node) addAddresses(p *peer.Peer, list []*wire.NetAddress) {
	if n.addrMgr == nil || len(list) == 0 {
		return
	}
	addrs := make([]*wire.NetAddressV2, 0, len(list))
	for _, na := range list {
		addrs = append(addrs, wire.NetAddressV2FromBytes(na.Timestamp, na.Services, na.IP, na.Port))
	}
	n.addrMgr.AddAddresses(addrs, p.NA())
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

// info describes the peer.
func (pc *peerConn) info() PeerInfo {
	pc.pingMu.Lock()
	rtt := pc.rtt
	pc.pingMu.Unlock()
	p := pc.p
	return PeerInfo{
		Addr:          pc.addr,
		UserAgent:     p.UserAgent(),
		Services:      p.Services(),
		Height:        p.LastBlock(),
		Ping:          rtt,
		FeeFilter:     float64(pc.feeFilter.Load()) / 1000,
		BytesSent:     p.BytesSent(),
		BytesReceived: p.BytesReceived(),
		ConnectedAt:   p.TimeConnected(),
	}
}
