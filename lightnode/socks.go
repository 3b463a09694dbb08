package lightnode

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// A SOCKS5 client (RFC 1928) with username/password authentication (RFC
// 1929), enough to reach peers through Tor or any SOCKS5 proxy. It is ours
// rather than golang.org/x/net/proxy because the node must tell a proxy
// that refuses a destination from a proxy that cannot be reached, and
// x/net reports both as untyped strings.

// SOCKS5 protocol constants.
const (
	socksVersion      = 5
	socksAuthNone     = 0x00
	socksAuthUserPass = 0x02
	socksNoAcceptable = 0xff
	socksCmdConnect   = 0x01
	socksAddrIPv4     = 0x01
	socksAddrDomain   = 0x03
	socksAddrIPv6     = 0x04
	socksUserPassVer  = 0x01
)

// ErrProxyUnreachable wraps every failure to open a connection to the
// SOCKS5 proxy itself or to complete its handshake. With a proxy set, the
// node never falls back to a direct connection.
var ErrProxyUnreachable = errors.New("cannot reach the proxy")

// ProxyError is a SOCKS5 proxy's refusal to connect to a destination: the
// proxy is up, the destination is not reachable through it.
type ProxyError struct {
	Proxy  string
	Target string
	// Code is the SOCKS5 reply code (RFC 1928 section 6).
	Code byte
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("proxy %s refused %s: %s", e.Proxy, e.Target, e.reply())
}

// reply describes the reply code.
func (e *ProxyError) reply() string {
	switch e.Code {
	case 1:
		return "general failure"
	case 2:
		return "connection not allowed by its rules"
	case 3:
		return "network unreachable"
	case 4:
		return "host unreachable"
	case 5:
		return "connection refused"
	case 6:
		return "TTL expired"
	case 7:
		return "command not supported"
	case 8:
		return "address type not supported"
	}
	return "reply code " + strconv.Itoa(int(e.Code))
}

// socksDialer opens connections through a SOCKS5 proxy.
type socksDialer struct {
	proxy string // HOST:PORT of the proxy
	// dial opens the TCP connection to the proxy.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// isolate sends fresh random credentials with every connection, which
	// makes Tor (IsolateSOCKSAuth, on by default) use a separate circuit
	// for each peer.
	isolate bool
}

// DialContext connects to target (HOST:PORT) through the proxy. The host
// goes to the proxy as it is: a name (or .onion address) is resolved by the
// proxy, never here.
func (d *socksDialer) DialContext(ctx context.Context, network, target string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(target)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return nil, fmt.Errorf("bad port in %q", target)
	}
	if len(host) > 255 {
		return nil, fmt.Errorf("host name too long: %q", host)
	}
	conn, err := d.dial(ctx, "tcp", d.proxy)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrProxyUnreachable, d.proxy, dialReason(err))
	}
	// The handshake obeys ctx: its deadline, and its end closes the socket.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	err = d.handshake(conn, host, uint16(port))
	if !stop() || ctx.Err() != nil {
		conn.Close()
		return nil, fmt.Errorf("%w %s: handshake %s", ErrProxyUnreachable, d.proxy, dialReason(ctx.Err()))
	}
	if err != nil {
		conn.Close()
		var pe *ProxyError
		if errors.As(err, &pe) {
			pe.Proxy, pe.Target = d.proxy, target
			return nil, pe
		}
		return nil, fmt.Errorf("%w %s: %s", ErrProxyUnreachable, d.proxy, dialReason(err))
	}
	conn.SetDeadline(time.Time{})
	return conn, nil
}

// handshake runs the SOCKS5 greeting, authentication and CONNECT.
func (d *socksDialer) handshake(conn net.Conn, host string, port uint16) error {
	methods := []byte{socksAuthNone}
	var user, pass string
	if d.isolate {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		user, pass = hex.EncodeToString(b[:8]), hex.EncodeToString(b[8:])
		methods = []byte{socksAuthUserPass, socksAuthNone}
	}
	if _, err := conn.Write(append([]byte{socksVersion, byte(len(methods))}, methods...)); err != nil {
		return err
	}
	var sel [2]byte
	if _, err := io.ReadFull(conn, sel[:]); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if sel[0] != socksVersion {
		return fmt.Errorf("not a SOCKS5 proxy (version %d)", sel[0])
	}
	switch sel[1] {
	case socksAuthNone:
	case socksAuthUserPass:
		if user == "" {
			return errors.New("the proxy wants a password")
		}
		msg := []byte{socksUserPassVer, byte(len(user))}
		msg = append(msg, user...)
		msg = append(msg, byte(len(pass)))
		msg = append(msg, pass...)
		if _, err := conn.Write(msg); err != nil {
			return err
		}
		var st [2]byte
		if _, err := io.ReadFull(conn, st[:]); err != nil {
			return fmt.Errorf("authentication: %w", err)
		}
		if st[1] != 0 {
			return errors.New("the proxy refused our credentials")
		}
	case socksNoAcceptable:
		return errors.New("the proxy accepts none of our authentication methods")
	default:
		return fmt.Errorf("the proxy chose unknown authentication method %d", sel[1])
	}

	req := []byte{socksVersion, socksCmdConnect, 0}
	if ip := net.ParseIP(host); ip != nil {
		if ip4 := ip.To4(); ip4 != nil {
			req = append(append(req, socksAddrIPv4), ip4...)
		} else {
			req = append(append(req, socksAddrIPv6), ip.To16()...)
		}
	} else {
		req = append(append(req, socksAddrDomain, byte(len(host))), host...)
	}
	req = append(req, byte(port>>8), byte(port))
	if _, err := conn.Write(req); err != nil {
		return err
	}
	var rep [4]byte
	if _, err := io.ReadFull(conn, rep[:]); err != nil {
		return fmt.Errorf("connect reply: %w", err)
	}
	if rep[0] != socksVersion {
		return fmt.Errorf("bad reply version %d", rep[0])
	}
	if rep[1] != 0 {
		return &ProxyError{Code: rep[1]}
	}
	// Skip the bound address.
	var skip int
	switch rep[3] {
	case socksAddrIPv4:
		skip = net.IPv4len
	case socksAddrIPv6:
		skip = net.IPv6len
	case socksAddrDomain:
		var l [1]byte
		if _, err := io.ReadFull(conn, l[:]); err != nil {
			return err
		}
		skip = int(l[0])
	default:
		return fmt.Errorf("bad address type %d in the reply", rep[3])
	}
	_, err := io.ReadFull(conn, make([]byte, skip+2))
	return err
}
