package lightnode

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"syscall"
)

var (
	// ErrNoPeers is returned by WaitSynced when no peer completed a
	// handshake in time.
	ErrNoPeers = errors.New("no peer could be reached")

	// ErrStopped is returned by calls on a node that is stopped.
	ErrStopped = errors.New("the light node is stopped")

	// errUnconnected means a headers message starts from a header we do not
	// know. Honest peers send such messages after a reorg we have not seen;
	// we answer with our locator and only punish repetition.
	errUnconnected = errors.New("headers do not connect to our chain")
)

// misbehaviour is an error that proves the peer broke the protocol or the
// consensus rules. The peer that caused it is banned.
type misbehaviour struct {
	reason string
	err    error
}

func (m *misbehaviour) Error() string {
	if m.err != nil {
		return fmt.Sprintf("%s: %v", m.reason, m.err)
	}
	return m.reason
}

func (m *misbehaviour) Unwrap() error { return m.err }

func misbehaved(reason string, err error) error {
	return &misbehaviour{reason: reason, err: err}
}

// isMisbehaviour reports whether err proves the peer misbehaved.
func isMisbehaviour(err error) bool {
	var m *misbehaviour
	return errors.As(err, &m)
}

// ErrLowChainWork is returned by WaitSynced when every peer that answered
// offers a best chain with less cumulative work than the network's minimum
// (Config.MinChainWork): a chain nobody spent real work on, which we refuse
// to follow.
var ErrLowChainWork = errors.New("peers offer a chain with less work than the minimum")

// lowWorkError names the minimum and the best chain the peers offered.
type lowWorkError struct {
	min    *big.Int
	best   *big.Int
	height int32
}

func (e *lowWorkError) Error() string {
	return fmt.Sprintf("%v (minimum 0x%x, best chain seen 0x%x at height %d); refusing to trust it",
		ErrLowChainWork, e.min, e.best, e.height)
}

func (e *lowWorkError) Unwrap() error { return ErrLowChainWork }

// DialError is a failed attempt to reach a peer, with the reason in words a
// person can act on: "connection refused", "timed out", "proxy refused:
// host unreachable", "cannot reach the proxy 127.0.0.1:9050: connection
// refused".
type DialError struct {
	Addr   string
	Reason string
	Err    error
}

func (e *DialError) Error() string { return e.Addr + ": " + e.Reason }

func (e *DialError) Unwrap() error { return e.Err }

// dialReason says in a few words why a dial failed.
func dialReason(err error) string {
	var pe *ProxyError
	var dnsErr *net.DNSError
	var nerr net.Error
	switch {
	case errors.As(err, &pe):
		return "proxy refused: " + pe.reply()
	case errors.Is(err, ErrProxyUnreachable):
		return err.Error()
	case errors.Is(err, errBanned), errors.Is(err, errCoolingDown):
		return err.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return "timed out"
	case errors.As(err, &dnsErr):
		return "cannot resolve " + dnsErr.Name
	}
	return err.Error()
}
