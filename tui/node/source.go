package node

import "time"

// Status is the node's sync state as the Node page shows it.
type Status struct {
	// Network is the chain the node follows: mainnet, testnet, signet, ...
	Network string
	// Height is the height of the best header chain stored.
	Height int32
	// PeerHeight is the best height announced by the peers, 0 when no peer
	// has said yet.
	PeerHeight int32
	// FilterHeight is the height up to which BIP157 filter headers are
	// stored and checked.
	FilterHeight int32
	// Synced reports whether the node considers itself caught up.
	Synced bool
	// Peers is the number of connected peers.
	Peers int
	// RelayFloor is the lowest fee rate, in sat/vB, the connected peers
	// relay; 0 when unknown.
	RelayFloor float64
	// FilterPeers is the number of connected peers serving compact block
	// filters; with exactly one, its filter headers are not cross-checked.
	FilterPeers int
	// DialError says why the last connection attempt failed
	// ("127.0.0.1:8333: connection refused"); empty when none failed.
	DialError string
	// Proxy is the SOCKS5 proxy every connection goes through, if any.
	Proxy string
}

// Peer is one connected or banned peer.
type Peer struct {
	// Addr is host:port.
	Addr string
	// UserAgent is what the peer announced in its version message, e.g.
	// "/Satoshi:27.0.0/". It comes from the network and is shown only after
	// control characters are removed.
	UserAgent string
	// Services is the peer's service bits, already formatted by the app.
	Services string
	// Height is the best height the peer announced.
	Height int32
	// Ping is the last measured round trip; 0 when not measured yet.
	Ping time.Duration
	// Transport is "v2" for a BIP324 encrypted connection, "v1" for a
	// plaintext one, empty when unknown.
	Transport string
	// Banned peers are listed with their reason and expiry.
	Banned      bool
	BanReason   string
	BannedUntil time.Time
}

// Source gives the Node page read access to the light node. The app adapts
// lightnode to it. Methods are called from a tea.Cmd, never from Update or
// View, so they may block briefly (LogTail reads a file); they must be safe
// to call from a goroutine other than the node's.
type Source interface {
	// Status returns the current sync state.
	Status() Status
	// Peers returns the connected peers followed by the banned ones, in
	// the order the page should list them.
	Peers() []Peer
	// LogTail returns the last n lines of satchel.log, oldest first, or
	// fewer when the log is shorter.
	LogTail(n int) []string
}
