package lightnode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/addrmgr"
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/connmgr"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
)

// Defaults for the Config fields that have one.
const (
	DefaultMaxPeers       = 8
	DefaultStallTimeout   = 30 * time.Second
	DefaultBanDuration    = 24 * time.Hour
	DefaultDialTimeout    = 10 * time.Second
	DefaultRetryDuration  = 5 * time.Second
	defaultUserAgentName  = "satchel"
	defaultUserAgentVer   = "0.1.0"
	chainDBName           = "chain.db"
	minRetryDuration      = 100 * time.Millisecond
	stallCheckInterval    = time.Second
	pingInterval          = time.Minute
	maxUnconnectingHeader = 8
	// connectGrace is how long WaitSynced waits for the remaining
	// --connect peers once the connected ones are caught up.
	connectGrace = 3 * time.Second
)

// Config configures a Node.
type Config struct {
	// ChainParams is the network. Required.
	ChainParams *chaincfg.Params

	// DataDir is the network's data folder; chain.db and addrmgr's
	// peers.json live there. Required unless Store is set (then peers are
	// not remembered across runs).
	DataDir string

	// Store replaces chain.db (tests). Optional; the node does not close a
	// store it was given.
	Store headerstore.Store

	// ConnectPeers, when set, are the only peers the node connects to
	// (HOST:PORT). Otherwise peers come from DNS seeds and addr gossip.
	ConnectPeers []string

	// MaxPeers is the number of outbound peers (default 8).
	MaxPeers int

	// UserAgentName and UserAgentVersion go into our version message
	// (default "satchel" and the module version).
	UserAgentName    string
	UserAgentVersion string

	// Logger receives the node's log (default: discarded).
	Logger *slog.Logger

	// AddrSource is the address book peers are picked from when
	// ConnectPeers is empty. Optional: the default is btcd's addrmgr,
	// kept in DataDir and fed by DNS seeds and the peers' gossip.
	AddrSource AddrSource

	// Proxy is a SOCKS5 proxy (HOST:PORT) that carries every outbound
	// connection; the node never connects around it. Names and .onion
	// addresses are handed to it unresolved, each connection gets fresh
	// random credentials (Tor stream isolation), and DNS seeds are
	// resolved through it (Tor's RESOLVE extension) or not at all.
	// Optional.
	Proxy string

	// Dial opens TCP connections: to peers, or to the proxy when one is
	// set (default net.Dialer with a 10 s timeout).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// LookupIP resolves DNS seeds (default net.LookupIP, or through the
	// proxy when one is set).
	LookupIP func(host string) ([]net.IP, error)

	// MinChainWork is the cumulative work a peer's best chain must have
	// once it has sent all its headers; a peer offering less is
	// disconnected and others are tried. nil means the network's figure
	// (Bitcoin Core's nMinimumChainWork on mainnet, testnet3 and signet;
	// none elsewhere); zero means no minimum. Lower it only for private
	// or historical test chains.
	MinChainWork *big.Int

	// Checkpoints are added to the network's own, as btcd's
	// --addcheckpoint: the header at each height must have that hash, no
	// chain may fork below the newest one reached, and the ranges between
	// consecutive checkpoints are fetched from several peers at once. For
	// test chains: a wrong one makes every honest peer look hostile.
	Checkpoints []chaincfg.Checkpoint

	// DisableV2Transport turns BIP324 off. By default the node opens v2
	// encrypted connections to peers that advertise NODE_P2P_V2 (in the
	// address book, or in the version message of a v1 connection, which
	// is then made again with v2), falling back to v1 for a peer that
	// refuses.
	DisableV2Transport bool

	// PeerSearchInterval is the first pause between searches for more
	// peers serving compact filters while fewer than two are connected;
	// it doubles after each search up to 30 minutes (default 30 s).
	PeerSearchInterval time.Duration

	// StallTimeout is how long a peer may take to answer a request before
	// it is dropped (default 30 s).
	StallTimeout time.Duration

	// BanDuration is how long a misbehaving peer stays banned (default 24 h).
	BanDuration time.Duration

	// RetryDuration is the base delay before redialling a --connect peer
	// (default 5 s).
	RetryDuration time.Duration

	// TimeSource is the network-adjusted clock (default: btcd's median of
	// the peers' clocks).
	TimeSource blockchain.MedianTimeSource
}

// Node is a light node. Create it with New, then Start it.
type Node struct {
	cfg    Config
	params *chaincfg.Params
	log    *slog.Logger

	store     headerstore.Store
	ownsStore bool
	chain     *headerChain
	events    *eventHub
	addrMgr   *addrmgr.AddrManager // the default address book, if used
	book      AddrSource           // nil with ConnectPeers
	connMgr   *connmgr.ConnManager
	dialer    func(ctx context.Context, network, addr string) (net.Conn, error)
	lookup    func(host string) ([]net.IP, error) // DNS seeds; nil: the system resolver with a context
	minWork   *big.Int                            // nil: no minimum

	// dialMu guards the outbound bookkeeping below.
	dialMu   sync.Mutex
	outbound map[string]*peerAddr // address-book peers being dialled or connected
	cooldown map[string]cooldown  // peers not to dial for a while
	v1Only   map[string]bool      // peers that refused a v2 handshake
	v2Peers  map[string]bool      // peers that advertised NODE_P2P_V2

	// roundCancel ends the filter-header round in progress.
	roundMu     sync.Mutex
	roundCancel context.CancelFunc

	// msgs carries everything the sync goroutine handles.
	msgs chan any
	quit chan struct{}
	wg   sync.WaitGroup

	// ctx ends when the node stops; background downloads use it.
	ctx    context.Context
	cancel context.CancelFunc

	// filterKick wakes the filter-header goroutine; manualFilters (tests
	// and benchmarks) keeps that goroutine from starting.
	filterKick    chan struct{}
	manualFilters bool

	blockMu    sync.Mutex
	blockCalls map[chainhash.Hash]*blockCall

	// downloadEndHook, when set (tests), runs as a GetBlock download
	// goroutine ends.
	downloadEndHook func()

	// txIndex finds the cached block that holds a transaction (FindTx).
	txIndex *txIndex

	feed     *txFeed
	outMu    sync.Mutex
	outgoing map[chainhash.Hash]*outgoing

	started atomic.Bool
	stopped atomic.Bool

	// mu guards the fields below, written by the sync goroutine and read
	// by callers.
	mu           sync.Mutex
	status       Status
	conns        map[*peerConn]struct{} // every live connection
	settled      map[string]bool        // peers that connected, failed or left
	syncedCh     chan struct{}          // closed while synced
	changed      chan struct{}          // closed and replaced when the fields here change
	wokenSettled int                    // len(settled) when changed was last closed
	lastPeerTime time.Time              // last moment a peer was connected (or Start)
	// lastFilterPeerTime is the last moment a peer serving compact
	// filters was connected.
	lastFilterPeerTime time.Time
	lastDialErr        error
	lowWork            *lowWorkError // the best chain of the peers refused for low work
}

// Status is a snapshot of the node.
type Status struct {
	Height     int32
	Hash       chainhash.Hash
	PeerHeight int32 // best height a connected peer claims
	Peers      int   // peers with a completed handshake
	Synced     bool  // headers caught up with every peer
	// FilterHeight is the height the verified filter-header chain reaches
	// (-1 before the genesis filter header is stored).
	FilterHeight int32
	// FilterPeers is the number of connected peers serving compact block
	// filters. With one, filter headers cannot be cross-checked.
	FilterPeers int
	// DialError describes the last failed connection attempt
	// ("127.0.0.1:8333: connection refused"), or is empty.
	DialError string
}

// FilterCheckWarning is what the node says while only one connected peer
// serves compact filters: its filter headers are taken unchecked.
const FilterCheckWarning = "filter headers not cross-checked (1 filter peer)"

// New validates cfg and opens the header store. The node does no network
// I/O until Start.
func New(cfg *Config) (*Node, error) {
	if cfg == nil || cfg.ChainParams == nil {
		return nil, errors.New("lightnode: ChainParams is required")
	}
	if cfg.DataDir == "" && cfg.Store == nil {
		return nil, errors.New("lightnode: DataDir is required")
	}
	c := *cfg
	if c.MaxPeers <= 0 {
		c.MaxPeers = DefaultMaxPeers
	}
	if c.UserAgentName == "" {
		c.UserAgentName, c.UserAgentVersion = defaultUserAgentName, defaultUserAgentVer
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Dial == nil {
		d := &net.Dialer{Timeout: DefaultDialTimeout}
		c.Dial = d.DialContext
	}
	if c.Proxy != "" {
		if _, _, err := net.SplitHostPort(c.Proxy); err != nil {
			return nil, fmt.Errorf("proxy address %q: %w", c.Proxy, err)
		}
	}
	lookup := c.LookupIP // nil: the system resolver, cancelled on Stop
	if c.LookupIP == nil {
		c.LookupIP = net.LookupIP
		if c.Proxy != "" {
			proxy := c.Proxy
			c.LookupIP = func(host string) ([]net.IP, error) { return connmgr.TorLookupIP(host, proxy) }
			lookup = c.LookupIP
		}
	}
	if c.PeerSearchInterval <= 0 {
		c.PeerSearchInterval = DefaultPeerSearchInterval
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = DefaultStallTimeout
	}
	if c.BanDuration <= 0 {
		c.BanDuration = DefaultBanDuration
	}
	if c.RetryDuration <= 0 {
		c.RetryDuration = DefaultRetryDuration
	}
	if c.RetryDuration < minRetryDuration {
		c.RetryDuration = minRetryDuration
	}
	if c.TimeSource == nil {
		c.TimeSource = blockchain.NewMedianTime()
	}
	for _, addr := range c.ConnectPeers {
		pa, err := parsePeerAddr(addr)
		if err != nil {
			return nil, fmt.Errorf("peer address %q: %w", addr, err)
		}
		if isOnion(pa.host) && c.Proxy == "" {
			return nil, fmt.Errorf("peer address %q: %w", addr, errNeedsProxy)
		}
	}

	params, err := withCheckpoints(c.ChainParams, c.Checkpoints)
	if err != nil {
		return nil, err
	}
	n := &Node{
		cfg:        c,
		params:     params,
		log:        c.Logger,
		store:      c.Store,
		events:     newEventHub(),
		msgs:       make(chan any),
		quit:       make(chan struct{}),
		syncedCh:   make(chan struct{}),
		changed:    make(chan struct{}),
		conns:      make(map[*peerConn]struct{}),
		settled:    make(map[string]bool),
		filterKick: make(chan struct{}, 1),
		blockCalls: make(map[chainhash.Hash]*blockCall),
		txIndex:    newTxIndex(),
		feed:       newTxFeed(),
		outgoing:   make(map[chainhash.Hash]*outgoing),
		book:       c.AddrSource,
		outbound:   make(map[string]*peerAddr),
		cooldown:   make(map[string]cooldown),
		v1Only:     make(map[string]bool),
		v2Peers:    make(map[string]bool),
		dialer:     c.Dial,
		lookup:     lookup,
	}
	if c.Proxy != "" {
		n.dialer = (&socksDialer{proxy: c.Proxy, dial: c.Dial, isolate: true}).DialContext
	}
	switch {
	case c.MinChainWork == nil:
		n.minWork = minChainWork[c.ChainParams.Net]
	case c.MinChainWork.Sign() > 0:
		n.minWork = new(big.Int).Set(c.MinChainWork)
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	if n.store == nil {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return nil, err
		}
		st, err := headerstore.Open(&headerstore.Config{
			Path:   filepath.Join(c.DataDir, chainDBName),
			Params: c.ChainParams,
		})
		if err != nil {
			return nil, err
		}
		n.store, n.ownsStore = st, true
	}
	n.chain = newHeaderChain(n.params, n.store, c.TimeSource)
	n.chain.minWork = n.minWork
	tip := n.chain.tip()
	fh, _ := n.store.FilterTip()
	n.status = Status{Height: tip.height, Hash: tip.hash, FilterHeight: fh}
	return n, nil
}

// Start connects to peers and starts syncing headers.
func (n *Node) Start() error {
	if !n.started.CompareAndSwap(false, true) {
		return errors.New("lightnode: already started")
	}
	n.mu.Lock()
	n.lastPeerTime = time.Now()
	n.mu.Unlock()
	if err := n.startPeers(); err != nil {
		return err
	}
	n.wg.Add(1)
	go n.syncHandler()
	if !n.manualFilters {
		n.wg.Add(1)
		go n.filterHandler()
		n.kickFilters()
	}
	return nil
}

// Stop disconnects every peer, stops the goroutines and closes the store.
// It is safe to call more than once and on a node that was never started.
func (n *Node) Stop() error {
	if !n.stopped.CompareAndSwap(false, true) {
		return nil
	}
	n.cancel()
	n.mu.Lock()
	close(n.quit)
	conns := make([]*peerConn, 0, len(n.conns))
	for pc := range n.conns {
		conns = append(conns, pc)
	}
	n.mu.Unlock()
	if n.connMgr != nil {
		n.connMgr.Stop()
	}
	for _, pc := range conns {
		pc.p.Disconnect()
	}
	if n.connMgr != nil {
		n.connMgr.Wait()
	}
	n.wg.Wait()
	if n.addrMgr != nil {
		n.addrMgr.Stop()
	}
	n.events.close()
	if n.ownsStore {
		return n.store.Close()
	}
	return nil
}

// Subscribe returns a subscription to the node's events.
func (n *Node) Subscribe() *Subscription {
	return n.events.subscribe()
}

// Status returns a snapshot of the node's state.
func (n *Node) Status() Status {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.status
}

// Store returns the header store, for reading stored headers.
func (n *Node) Store() headerstore.Store { return n.store }

// WaitSynced blocks until the node has caught up with its peers, ctx ends,
// or the node has had no peer for connectTimeout (at the start or after
// losing them all); then it returns an error wrapping ErrNoPeers. It waits
// on the node's status changes, with no polling.
func (n *Node) WaitSynced(ctx context.Context, connectTimeout time.Duration) error {
	start := time.Now()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		n.mu.Lock()
		synced, peers, since, dialErr := n.status.Synced, n.status.Peers, n.lastPeerTime, n.lastDialErr
		settled, lowWork, changed := len(n.settled), n.lowWork, n.changed
		n.mu.Unlock()
		now := time.Now()
		connect := len(n.cfg.ConnectPeers)
		// Every --connect peer answered and was refused for low work (or
		// could not be reached): nothing more will come.
		if peers == 0 && lowWork != nil && (now.Sub(since) > connectTimeout ||
			connect > 0 && settled >= connect) {
			return lowWork
		}
		if peers == 0 && now.Sub(since) > connectTimeout {
			return noPeersError(connectTimeout, dialErr)
		}
		var wake time.Time
		switch {
		case synced:
			// With explicit peers, give each a chance to connect before
			// calling the node caught up with "its peers".
			if peers >= connect || settled >= connect || now.Sub(start) > connectGrace {
				return nil
			}
			wake = start.Add(connectGrace)
		case peers == 0:
			wake = since.Add(connectTimeout)
		}
		if !wake.IsZero() {
			// Just past the moment, as the checks above are strict.
			timer.Reset(wake.Sub(now) + time.Millisecond)
		} else {
			timer.Stop()
		}
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			return ctx.Err()
		case <-n.quit:
			return ErrStopped
		}
	}
}

// setStatus updates the status snapshot and wakes the waits (WaitSynced,
// WaitFiltersSynced, WaitForPeer) when it changes.
func (n *Node) setStatus(update func(*Status)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	old := n.status
	update(&n.status)
	// The moment the last peer left counts as a moment with a peer: the
	// connect timeout runs from there.
	if n.status.Peers > 0 || old.Peers > 0 {
		n.lastPeerTime = time.Now()
	}
	if n.status.FilterPeers > 0 || old.FilterPeers > 0 {
		n.lastFilterPeerTime = time.Now()
	}
	switch {
	case n.status.Synced && !old.Synced:
		close(n.syncedCh)
	case !n.status.Synced && old.Synced:
		n.syncedCh = make(chan struct{})
	}
	if n.status != old || len(n.settled) != n.wokenSettled {
		n.wokenSettled = len(n.settled)
		n.changedLocked()
	}
}

// changedLocked wakes every wait on the state guarded by n.mu. The caller
// holds n.mu.
func (n *Node) changedLocked() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// track registers a live connection; it fails once the node is stopping.
func (n *Node) track(pc *peerConn) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	select {
	case <-n.quit:
		return false
	default:
	}
	n.conns[pc] = struct{}{}
	n.wg.Add(1) // for the goroutine that waits for the disconnect
	return true
}

// addWorker adds a goroutine to the node's WaitGroup, which Stop waits
// for; it fails once the node is stopping. The goroutine calls n.wg.Done
// and must end when n.quit closes (or n.ctx ends).
func (n *Node) addWorker() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	select {
	case <-n.quit:
		return false
	default:
	}
	n.wg.Add(1)
	return true
}

// forget removes a connection that ended.
func (n *Node) forget(pc *peerConn) {
	n.mu.Lock()
	delete(n.conns, pc)
	n.mu.Unlock()
}

// WaitFiltersSynced blocks until the filter-header chain reaches the header
// tip and headers are synced, ctx ends, or no peer serving compact filters
// has been connected for connectTimeout. It waits on the node's status
// changes, with no polling.
func (n *Node) WaitFiltersSynced(ctx context.Context, connectTimeout time.Duration) error {
	start := time.Now()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		n.mu.Lock()
		st, lastCF, changed := n.status, n.lastFilterPeerTime, n.changed
		n.mu.Unlock()
		if st.Synced && st.FilterHeight >= st.Height {
			return nil
		}
		timer.Stop()
		if st.FilterPeers == 0 {
			now, since := time.Now(), start
			if lastCF.After(since) {
				since = lastCF
			}
			if now.Sub(since) > connectTimeout {
				return fmt.Errorf("%w in %v", errNoFilterPeers, connectTimeout)
			}
			timer.Reset(since.Add(connectTimeout).Sub(now) + time.Millisecond)
		}
		select {
		case <-changed:
		case <-timer.C:
		case <-ctx.Done():
			return ctx.Err()
		case <-n.quit:
			return ErrStopped
		}
	}
}

// settle records that a peer's connection attempt came to an end: a
// handshake, a failed dial or a disconnect.
func (n *Node) settle(addr string) {
	// No wake-up here: the status update that follows wakes the waits.
	// A handshaken peer is settled by updateStatus itself, in the same
	// step that counts it, so no wait sees it settled but not counted.
	n.mu.Lock()
	n.settled[addr] = true
	n.mu.Unlock()
}
