package lightnode

import (
	"errors"
	"fmt"
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
