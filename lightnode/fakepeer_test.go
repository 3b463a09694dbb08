package lightnode

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// fakePeer is a scripted peer on 127.0.0.1: it completes the version
// handshake, answers pings, and hands every other message to its script.
type fakePeer struct {
	t        testing.TB
	ln       net.Listener
	params   *chaincfg.Params
	height   int32
	services wire.ServiceFlag

	// onConnect runs after the handshake; onMessage for each message.
	onConnect func(fp *fakePeer)
	onMessage func(fp *fakePeer, msg wire.Message)

	mu      sync.Mutex
	conn    net.Conn
	closed  chan struct{}
	accepts atomic.Int32
}

func newFakePeer(t testing.TB, height int32) *fakePeer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fp := &fakePeer{t: t, ln: ln, params: &chaincfg.RegressionNetParams, height: height,
		services: wire.SFNodeNetwork | wire.SFNodeWitness, closed: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	return fp
}

func (fp *fakePeer) addr() string { return fp.ln.Addr().String() }

// serve accepts connections until one completes the version handshake,
// then runs the script on it. Like a node that speaks only v1, it hangs up
// on a BIP324 handshake (which it cannot parse); a connection the node
// drops during the handshake is not counted either. accepts counts every
// connection.
func (fp *fakePeer) serve() {
	go func() {
		defer close(fp.closed)
		var conn net.Conn
		for conn == nil {
			c, err := fp.ln.Accept()
			if err != nil {
				return
			}
			fp.accepts.Add(1)
			fp.mu.Lock()
			fp.conn = c
			fp.mu.Unlock()
			if fp.handshake() {
				conn = c
			} else {
				c.Close()
			}
		}
		defer conn.Close()
		if fp.onConnect != nil {
			fp.onConnect(fp)
		}
		for {
			msg, err := fp.read()
			if err != nil {
				return
			}
			if ping, ok := msg.(*wire.MsgPing); ok {
				fp.write(wire.NewMsgPong(ping.Nonce))
				continue
			}
			if fp.onMessage != nil {
				fp.onMessage(fp, msg)
			}
		}
	}()
}

// handshake answers the node's version and waits for its verack.
func (fp *fakePeer) handshake() bool {
	if _, err := fp.read(); err != nil { // their version
		return false
	}
	me := wire.NewNetAddressIPPort(net.IPv4(127, 0, 0, 1), 0, wire.SFNodeNetwork)
	ver := wire.NewMsgVersion(me, me, 42, fp.height)
	ver.Services = fp.services
	ver.UserAgent = "/fakepeer:0.1/"
	fp.write(ver)
	fp.write(wire.NewMsgVerAck())
	for {
		msg, err := fp.read()
		if err != nil {
			return false
		}
		if _, ok := msg.(*wire.MsgVerAck); ok {
			return true
		}
	}
}

func (fp *fakePeer) read() (wire.Message, error) {
	fp.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	_, msg, _, err := wire.ReadMessageWithEncodingN(fp.conn, wire.ProtocolVersion, fp.params.Net, wire.WitnessEncoding)
	return msg, err
}

func (fp *fakePeer) write(msg wire.Message) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	wire.WriteMessageWithEncodingN(fp.conn, msg, wire.ProtocolVersion, fp.params.Net, wire.WitnessEncoding)
}

// disconnected reports whether the node hung up within d.
func (fp *fakePeer) disconnected(d time.Duration) bool {
	select {
	case <-fp.closed:
		return true
	case <-time.After(d):
		return false
	}
}

func headersMessage(hdrs ...*wire.BlockHeader) *wire.MsgHeaders {
	m := wire.NewMsgHeaders()
	for _, h := range hdrs {
		m.AddBlockHeader(h)
	}
	return m
}
