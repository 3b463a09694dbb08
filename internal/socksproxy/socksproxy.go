// Package socksproxy is a small SOCKS5 proxy (RFC 1928, with the
// username/password method of RFC 1929) for tests of the light node's
// proxy support. It listens on 127.0.0.1, forwards CONNECT requests, and
// records each request as it arrived — the address type and host exactly
// as the client sent them, and the credentials — so that a test can check
// that names were not resolved by the client and that every connection
// used its own credentials. It can also refuse every request with a reply
// code, or accept connections and never answer.
package socksproxy

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Address types of a request, as the client sent them.
const (
	IPv4   = 1
	Domain = 3
	IPv6   = 4
)

// Request is one CONNECT request the proxy received.
type Request struct {
	AddrType byte   // IPv4, Domain or IPv6
	Host     string // the name as sent, or the IP
	Port     int
	User     string // empty without username/password authentication
	Password string
}

// Target is Host:Port.
func (r Request) Target() string { return net.JoinHostPort(r.Host, strconv.Itoa(r.Port)) }

// Option changes how the proxy behaves.
type Option func(*Proxy)

// Refuse makes the proxy answer every CONNECT with the reply code (for
// example 4, host unreachable; 5, connection refused).
func Refuse(code byte) Option { return func(p *Proxy) { p.refuse = code } }

// Silent makes the proxy accept connections and never answer them.
func Silent() Option { return func(p *Proxy) { p.silent = true } }

// Proxy is a running SOCKS5 proxy on 127.0.0.1.
type Proxy struct {
	ln     net.Listener
	refuse byte
	silent bool

	mu    sync.Mutex
	reqs  []Request
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Start runs a proxy until the test ends.
func Start(tb testing.TB, opts ...Option) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("socksproxy: %v", err)
	}
	p := &Proxy{ln: ln, conns: map[net.Conn]struct{}{}}
	for _, o := range opts {
		o(p)
	}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.Close)
	return p
}

// Addr is the proxy's 127.0.0.1:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Requests returns the CONNECT requests received so far, in order.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.reqs...)
}

// Close stops the proxy and ends every connection through it.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.serve(c)
		}()
	}
}

// serve handles one client connection.
func (p *Proxy) serve(c net.Conn) {
	if p.silent {
		io.Copy(io.Discard, c)
		return
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	req, err := p.handshake(c)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.reqs = append(p.reqs, req)
	p.mu.Unlock()
	if p.refuse != 0 {
		c.Write([]byte{5, p.refuse, 0, IPv4, 0, 0, 0, 0, 0, 0})
		return
	}
	up, err := net.DialTimeout("tcp", req.Target(), 10*time.Second)
	if err != nil {
		c.Write([]byte{5, 5, 0, IPv4, 0, 0, 0, 0, 0, 0}) // connection refused
		return
	}
	if !p.track(up) {
		up.Close()
		return
	}
	defer p.untrack(up)
	c.Write([]byte{5, 0, 0, IPv4, 127, 0, 0, 1, 0, 0})
	c.SetDeadline(time.Time{})
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); up.Close(); done <- struct{}{} }()
	go func() { io.Copy(c, up); c.Close(); done <- struct{}{} }()
	<-done
	<-done
}

// handshake reads the greeting, the optional credentials and the request.
func (p *Proxy) handshake(c net.Conn) (Request, error) {
	var req Request
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != 5 {
		return req, errors.New("not SOCKS5")
	}
	methods := make([]byte, hdr[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return req, err
	}
	method := byte(0xff)
	for _, m := range methods {
		if m == 2 {
			method = 2
			break
		}
		if m == 0 {
			method = 0
		}
	}
	if _, err := c.Write([]byte{5, method}); err != nil || method == 0xff {
		return req, errors.New("no acceptable method")
	}
	if method == 2 {
		var v [2]byte
		if _, err := io.ReadFull(c, v[:]); err != nil {
			return req, err
		}
		user := make([]byte, v[1])
		if _, err := io.ReadFull(c, user); err != nil {
			return req, err
		}
		var l [1]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return req, err
		}
		pass := make([]byte, l[0])
		if _, err := io.ReadFull(c, pass); err != nil {
			return req, err
		}
		req.User, req.Password = string(user), string(pass)
		if _, err := c.Write([]byte{1, 0}); err != nil {
			return req, err
		}
	}
	var rh [4]byte
	if _, err := io.ReadFull(c, rh[:]); err != nil {
		return req, err
	}
	if rh[0] != 5 || rh[1] != 1 {
		c.Write([]byte{5, 7, 0, IPv4, 0, 0, 0, 0, 0, 0})
		return req, errors.New("not CONNECT")
	}
	req.AddrType = rh[3]
	switch rh[3] {
	case IPv4, IPv6:
		n := net.IPv4len
		if rh[3] == IPv6 {
			n = net.IPv6len
		}
		ip := make(net.IP, n)
		if _, err := io.ReadFull(c, ip); err != nil {
			return req, err
		}
		req.Host = ip.String()
	case Domain:
		var l [1]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return req, err
		}
		name := make([]byte, l[0])
		if _, err := io.ReadFull(c, name); err != nil {
			return req, err
		}
		req.Host = string(name)
	default:
		c.Write([]byte{5, 8, 0, IPv4, 0, 0, 0, 0, 0, 0})
		return req, errors.New("bad address type")
	}
	var port [2]byte
	if _, err := io.ReadFull(c, port[:]); err != nil {
		return req, err
	}
	req.Port = int(binary.BigEndian.Uint16(port[:]))
	return req, nil
}
