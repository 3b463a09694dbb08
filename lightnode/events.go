package lightnode

import (
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Event is something the node reports to its subscribers: one of
// SyncProgress, NewTip, Reorg, PeerConnected or PeerDisconnected.
type Event interface {
	event()
}

// SyncProgress reports header sync: our best height against the best height
// our peers claim. Synced is true once every connected peer has confirmed it
// has nothing newer.
type SyncProgress struct {
	Height     int32
	PeerHeight int32
	Synced     bool
}

// NewTip reports a new best header.
type NewTip struct {
	Height int32
	Hash   chainhash.Hash
	Header wire.BlockHeader
}

// Reorg reports that the best chain switched branches: every header above
// ForkHeight on the old chain was replaced. A NewTip event follows.
type Reorg struct {
	ForkHeight int32
	OldHeight  int32
	OldTip     chainhash.Hash
	NewHeight  int32
	NewTip     chainhash.Hash
}

// PeerConnected reports a peer that completed the handshake.
type PeerConnected struct {
	Peer PeerInfo
}

// PeerDisconnected reports a peer that went away. Banned is set when we
// disconnected it for misbehaviour, with the reason.
type PeerDisconnected struct {
	Addr   string
	Reason string
	Banned bool
}

func (SyncProgress) event()     {}
func (NewTip) event()           {}
func (Reorg) event()            {}
func (PeerConnected) event()    {}
func (PeerDisconnected) event() {}

// subscriptionBuffer is how many events a subscriber may fall behind before
// new ones are dropped for it.
const subscriptionBuffer = 1024

// Subscription receives the node's events until it is closed.
type Subscription struct {
	ch      chan Event
	hub     *eventHub
	dropped atomic.Uint64
	once    sync.Once
}

// Events returns the channel the events arrive on. It is closed when the
// subscription or the node is closed.
func (s *Subscription) Events() <-chan Event { return s.ch }

// Dropped returns how many events were dropped because the subscriber fell
// more than 1024 events behind.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription.
func (s *Subscription) Close() {
	s.hub.remove(s)
}

// eventHub fans events out to subscribers without ever blocking the
// publisher: a subscriber whose buffer is full misses the event.
type eventHub struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

func newEventHub() *eventHub {
	return &eventHub{subs: make(map[*Subscription]struct{})}
}

func (h *eventHub) subscribe() *Subscription {
	s := &Subscription{ch: make(chan Event, subscriptionBuffer), hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.ch)
		return s
	}
	h.subs[s] = struct{}{}
	return s
}

func (h *eventHub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

func (h *eventHub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.ch <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// close ends every subscription.
func (h *eventHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		close(s.ch)
	}
}

// PeerDialFailed reports a failed attempt to connect to a peer, with the
// reason ("connection refused", "timed out", "proxy refused: ...").
type PeerDialFailed struct {
	Addr   string
	Reason string
}

func (PeerDialFailed) event() {}
