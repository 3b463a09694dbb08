package lightnode

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/addrmgr"
	"github.com/btcsuite/btcd/wire/v2"
)

// AddrSource is the address book the node picks peers from when it is not
// given ConnectPeers. The default is btcd's addrmgr, saved as peers.json in
// DataDir and fed by DNS seeds and the peers' addr/addrv2 gossip; tests
// pass their own, because addrmgr (like every node) ignores loopback
// addresses. Implementations must be safe for concurrent use.
type AddrSource interface {
	// AddAddresses records addresses learned from src: a peer's gossip or,
	// with src nil, a DNS seed. Their Services say what they are known to
	// offer (0 when nothing is known).
	AddAddresses(addrs []*wire.NetAddressV2, src *wire.NetAddressV2)
	// GetAddress returns a known address to consider dialling, chosen at
	// random, or nil when the book is empty.
	GetAddress() *wire.NetAddressV2
	// Attempt records that na is being dialled.
	Attempt(na *wire.NetAddressV2)
	// SetServices records the services na announced in its version
	// message, which are more trustworthy than what gossip said.
	SetServices(na *wire.NetAddressV2, services wire.ServiceFlag)
	// Good records a completed handshake with na.
	Good(na *wire.NetAddressV2)
	// NeedMoreAddresses reports whether the book would like more
	// addresses; the node then asks its peers (getaddr) and the DNS seeds.
	NeedMoreAddresses() bool
}

// addrManager adapts btcd's addrmgr to AddrSource.
type addrManager struct{ m *addrmgr.AddrManager }

var _ AddrSource = addrManager{}

func (a addrManager) AddAddresses(addrs []*wire.NetAddressV2, src *wire.NetAddressV2) {
	if len(addrs) == 0 {
		return
	}
	if src == nil {
		src = addrs[0]
	}
	a.m.AddAddresses(addrs, src)
}

func (a addrManager) GetAddress() *wire.NetAddressV2 {
	if ka := a.m.GetAddress(); ka != nil {
		return ka.NetAddress()
	}
	return nil
}

func (a addrManager) Attempt(na *wire.NetAddressV2) { a.m.Attempt(na) }
func (a addrManager) SetServices(na *wire.NetAddressV2, s wire.ServiceFlag) {
	a.m.SetServices(na, s)
}
func (a addrManager) Good(na *wire.NetAddressV2) { a.m.Good(na) }
func (a addrManager) NeedMoreAddresses() bool    { return a.m.NeedMoreAddresses() }

// peerAddr is what the node hands connmgr: a HOST:PORT that may be a name
// or an .onion address (kept unresolved so a proxy can resolve it), with
// the address-book entry it came from, if any.
type peerAddr struct {
	host string
	port string
	na   *wire.NetAddressV2 // nil for ConnectPeers
}

var _ net.Addr = (*peerAddr)(nil)

func (a *peerAddr) Network() string { return "tcp" }
func (a *peerAddr) String() string  { return net.JoinHostPort(a.host, a.port) }

// parsePeerAddr splits HOST:PORT without resolving the host.
func parsePeerAddr(s string) (*peerAddr, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return nil, err
	}
	if host == "" {
		return nil, errors.New("no host")
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
		return nil, errors.New("bad port")
	}
	return &peerAddr{host: host, port: port}, nil
}

// isOnion reports whether host is a Tor onion service.
func isOnion(host string) bool {
	return strings.HasSuffix(strings.ToLower(host), ".onion")
}

// netAddress is the address-book form of a, for the version message and
// addrmgr: the entry itself, an IP, or the unroutable 0.0.0.0 for a name
// we must not resolve.
func (a *peerAddr) netAddress() *wire.NetAddressV2 {
	if a.na != nil {
		return a.na
	}
	port, _ := strconv.ParseUint(a.port, 10, 16)
	ip := net.ParseIP(a.host)
	if ip == nil {
		ip = net.IPv4zero
	}
	if ip4 := ip.To4(); ip4 != nil {
		ip = ip4
	}
	return wire.NetAddressV2FromBytes(time.Now(), 0, ip, uint16(port))
}

// netGroup is the network group that outbound diversity counts: the /16
// of a public IPv4 address, the /32 of a public IPv6 one (addrmgr's
// GroupKey, as Bitcoin Core does), a slice of the onion key space; "" for
// loopback, private and named addresses, which are not limited.
func netGroup(na *wire.NetAddressV2) string {
	if na == nil || na.Addr == nil {
		return ""
	}
	if !na.IsTorV3() && !addrmgr.IsRoutable(na) {
		return ""
	}
	return addrmgr.GroupKey(na)
}

// isPublic reports whether na is a routable address (not loopback or
// private).
func isPublic(na *wire.NetAddressV2) bool {
	return na != nil && na.Addr != nil && addrmgr.IsRoutable(na)
}
