package lightnode

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/btcsuite/btcd/wire/v2"
)

// Errors of a request to one peer. The caller decides what they mean for
// the peer: a stall is punished, a vanished peer is not.
var (
	errStalled  = errors.New("the peer did not answer in time")
	errPeerGone = errors.New("the peer disconnected")
	errNotFound = errors.New("the peer does not have it")
)

// matcher looks at a message the peer sent. It reports whether the message
// belongs to its request (consumed), whether the request is complete, and an
// error when the answer proves the peer wrong.
type matcher func(msg wire.Message) (consumed, done bool, err error)

// pendingReq is a request waiting for its answer.
type pendingReq struct {
	match matcher
	done  chan struct{}
	err   error
}

// pendingSet holds a peer's requests in the order they were sent.
type pendingSet struct {
	mu   sync.Mutex
	reqs []*pendingReq
}

// deliver offers msg to the pending requests, oldest first. It runs on the
// peer's input goroutine, so answers are seen in the order they arrive.
func (ps *pendingSet) deliver(msg wire.Message) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for i, r := range ps.reqs {
		consumed, done, err := r.match(msg)
		if !consumed {
			continue
		}
		if done || err != nil {
			r.err = err
			close(r.done)
			ps.reqs = append(ps.reqs[:i], ps.reqs[i+1:]...)
		}
		return true
	}
	return false
}

func (ps *pendingSet) add(r *pendingReq) {
	ps.mu.Lock()
	ps.reqs = append(ps.reqs, r)
	ps.mu.Unlock()
}

func (ps *pendingSet) remove(r *pendingReq) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for i, x := range ps.reqs {
		if x == r {
			ps.reqs = append(ps.reqs[:i], ps.reqs[i+1:]...)
			return
		}
	}
}

// request sends msg to pc and waits until match completes, the peer stalls
// (StallTimeout since the request or the last consumed message), the peer
// goes away, or ctx ends.
func (n *Node) request(ctx context.Context, pc *peerConn, msg wire.Message, match matcher) error {
	progress := make(chan struct{}, 1)
	r := &pendingReq{
		match: func(m wire.Message) (bool, bool, error) {
			consumed, done, err := match(m)
			if consumed {
				select {
				case progress <- struct{}{}:
				default:
				}
			}
			return consumed, done, err
		},
		done: make(chan struct{}),
	}
	pc.pending.add(r)
	defer pc.pending.remove(r)
	pc.p.QueueMessage(msg, nil)
	timer := time.NewTimer(n.cfg.StallTimeout)
	defer timer.Stop()
	for {
		select {
		case <-r.done:
			if r.err == nil {
				pc.stalls.Store(0)
			}
			return r.err
		case <-progress:
			timer.Reset(n.cfg.StallTimeout)
		case <-timer.C:
			return &stallError{cmd: msg.Command()}
		case <-pc.p.Done():
			return errPeerGone
		case <-ctx.Done():
			return ctx.Err()
		case <-n.quit:
			return ErrStopped
		}
	}
}

// peerQuery asks the sync goroutine for the ready peers that have all the
// given services.
type peerQuery struct {
	services wire.ServiceFlag
	reply    chan []*peerConn
}

// readyPeers returns connected peers offering services.
func (n *Node) readyPeers(services wire.ServiceFlag) []*peerConn {
	q := peerQuery{services: services, reply: make(chan []*peerConn, 1)}
	select {
	case n.msgs <- q:
	case <-n.quit:
		return nil
	}
	select {
	case pcs := <-q.reply:
		return pcs
	case <-n.quit:
		return nil
	}
}

// banRequest asks the sync goroutine to ban a peer found lying by another
// goroutine.
type banRequest struct {
	pc     *peerConn
	reason string
	d      time.Duration
}

// stallError is a request the peer left unanswered for StallTimeout.
type stallError struct{ cmd string }

func (e *stallError) Error() string        { return fmt.Sprintf("%v (%s)", errStalled, e.cmd) }
func (e *stallError) Is(target error) bool { return target == errStalled }

// reportPeer bans pc for misbehaviour, or counts a stall (the sync
// goroutine bans a peer that stalls maxStalls times in a row).
func (n *Node) reportPeer(pc *peerConn, err error) {
	var se *stallError
	switch {
	case isMisbehaviour(err):
		n.send(banRequest{pc: pc, reason: err.Error(), d: n.cfg.BanDuration})
	case errors.As(err, &se):
		n.send(stallReport{pc: pc, what: se.cmd})
	}
}
