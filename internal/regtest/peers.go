package regtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// peerTimeout bounds how long ConnectTo and DisconnectFrom wait for both
// nodes to agree on the new state.
const peerTimeout = 30 * time.Second

// peerInfo is the part of a getpeerinfo entry this package reads.
type peerInfo struct {
	ID        int32  `json:"id"`
	Addr      string `json:"addr"`
	AddrLocal string `json:"addrlocal"`
	Inbound   bool   `json:"inbound"`
}

// peers returns btcd's connected peers (those past the version handshake).
func (n *node) peers(ctx context.Context) ([]peerInfo, error) {
	raw, err := n.rpc.call(ctx, "getpeerinfo")
	if err != nil {
		return nil, err
	}
	var ps []peerInfo
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, fmt.Errorf("decode getpeerinfo: %w", err)
	}
	return ps, nil
}

// outboundTo returns n's connections that it opened to addr.
func outboundTo(ps []peerInfo, addr string) []peerInfo {
	var out []peerInfo
	for _, p := range ps {
		if !p.Inbound && p.Addr == addr {
			out = append(out, p)
		}
	}
	return out
}

// hasPeerAt reports whether any of ps is connected from one of addrs.
func hasPeerAt(ps []peerInfo, addrs []string) bool {
	return slices.ContainsFunc(ps, func(p peerInfo) bool { return slices.Contains(addrs, p.Addr) })
}

// linked reports whether a and b have a connection that both list, opened by
// either. The side that accepted a connection lists it under the address of
// the opener's end of the socket.
func linked(ctx context.Context, a, b *node) (bool, error) {
	as, err := a.peers(ctx)
	if err != nil {
		return false, err
	}
	bs, err := b.peers(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range outboundTo(as, b.p2pAddr) {
		if hasPeerAt(bs, []string{p.AddrLocal}) {
			return true, nil
		}
	}
	for _, p := range outboundTo(bs, a.p2pAddr) {
		if hasPeerAt(as, []string{p.AddrLocal}) {
			return true, nil
		}
	}
	return false, nil
}

// ConnectTo makes n open a P2P connection to other (btcd's `node connect
// <addr> temp`) and waits until both nodes list each other as peers, after
// which they relay blocks and the one behind syncs from the one ahead (or
// reorganizes to it). Connecting nodes that are already connected, in
// either direction, is a no-op.
//
// The connection is temporary on purpose: btcd v0.26 redials a permanent
// peer five seconds after `node remove`, which would silently join chains a
// test split with DisconnectFrom.
func (n *Node) ConnectTo(other *Node) {
	n.tb.Helper()
	if n.node == other.node {
		n.tb.Fatalf("regtest: %s: ConnectTo itself", n.p2pAddr)
	}
	ctx, cancel := context.WithTimeout(n.ctx, peerTimeout)
	defer cancel()

	if ok, err := linked(ctx, n.node, other.node); err == nil && ok {
		return
	}
	_, connErr := n.rpc.call(ctx, "node", "connect", other.p2pAddr, "temp")
	err := poll(ctx, func() (bool, error) { return linked(ctx, n.node, other.node) })
	if err != nil {
		if connErr != nil {
			err = fmt.Errorf("%w; node connect said: %v", err, connErr)
		}
		n.tb.Fatalf("regtest: %s: connect to %s: %v", n.p2pAddr, other.p2pAddr, err)
	}
}

// DisconnectFrom closes every P2P connection between n and other, whichever
// side opened it (`node disconnect`, or `node remove` for a permanent peer
// made through Call), and waits until neither lists the other. Blocks mined
// on one afterwards stay there until ConnectTo. A permanent connection made
// through Call comes back after five seconds; see ConnectTo.
func (n *Node) DisconnectFrom(other *Node) {
	n.tb.Helper()
	ctx, cancel := context.WithTimeout(n.ctx, peerTimeout)
	defer cancel()

	// Addresses each side is seen from by the other: its listening address
	// for connections it accepted, the local end of connections it opened.
	nAddrs := []string{n.p2pAddr}
	otherAddrs := []string{other.p2pAddr}
	for _, side := range []struct {
		from, to *node
		addrs    *[]string
	}{{n.node, other.node, &nAddrs}, {other.node, n.node, &otherAddrs}} {
		ps, err := side.from.peers(ctx)
		if err != nil {
			n.tb.Fatalf("regtest: disconnect %s from %s: %v", n.p2pAddr, other.p2pAddr, err)
		}
		for _, p := range outboundTo(ps, side.to.p2pAddr) {
			*side.addrs = append(*side.addrs, p.AddrLocal)
			if err := side.from.dropPeer(ctx, p.ID); err != nil {
				n.tb.Fatalf("regtest: %s: drop peer %s: %v", side.from.p2pAddr, p.Addr, err)
			}
		}
	}

	err := poll(ctx, func() (bool, error) {
		mine, err := n.peers(ctx)
		if err != nil {
			return false, err
		}
		theirs, err := other.peers(ctx)
		if err != nil {
			return false, err
		}
		return !hasPeerAt(mine, otherAddrs) && !hasPeerAt(theirs, nAddrs), nil
	})
	if err != nil {
		n.tb.Fatalf("regtest: disconnect %s from %s: %v", n.p2pAddr, other.p2pAddr, err)
	}
}

// dropPeer closes an outbound connection without btcd redialling it:
// `node disconnect` for a temporary peer; a permanent one refuses that and
// needs `node remove`.
func (n *node) dropPeer(ctx context.Context, id int32) error {
	target := strconv.Itoa(int(id))
	_, err := n.rpc.call(ctx, "node", "disconnect", target)
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) {
		_, err = n.rpc.call(ctx, "node", "remove", target)
	}
	return err
}
