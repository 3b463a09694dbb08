package regtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

// Daemon is a btcd regtest node run by a program rather than a test: the
// demo (internal/demo) uses it. It runs like a Node (the pinned btcd, a
// fresh temporary folder, free 127.0.0.1 ports), but its methods return
// errors instead of failing a test, and its owner ends it with Close, which
// also removes the folder.
type Daemon struct {
	n *node
}

// BTCDPath returns the btcd executable that Start and Launch run:
// $SATCHEL_BTCD, or the tool pinned in go.mod, which `go tool -n btcd`
// builds into the Go build cache on first use (10-25 s) and finds in about
// 0.1 s after that. The module is found from the working directory. A
// program may call it before Launch to tell its user about that build.
func BTCDPath() (string, error) {
	return btcdPath()
}

// Launch starts a btcd regtest node as Start does and returns once its RPC
// server answers. WithMiningAddress and WithArgs apply as for Start; btcd
// mines (Generate) to a fresh key of the node's own otherwise. Ending ctx
// kills btcd; Close must still be called to remove its folder. When btcd does
// not come up, the error ends with the last lines of its output and nothing
// is left behind.
func Launch(ctx context.Context, opts ...Option) (*Daemon, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	bin, err := btcdPath()
	if err != nil {
		return nil, fmt.Errorf("find btcd: %w", err)
	}
	key, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, fmt.Errorf("mining key: %w", err)
	}
	addr, err := address.NewAddressWitnessPubKeyHash(
		address.Hash160(key.PubKey().SerializeCompressed()), params)
	if err != nil {
		return nil, fmt.Errorf("mining address: %w", err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("mining script: %w", err)
	}
	dir, err := os.MkdirTemp("", "satchel-regtest-")
	if err != nil {
		return nil, err
	}
	nctx, cancel := context.WithCancel(ctx)
	d := &Daemon{n: &node{
		dir:          dir,
		miningKey:    key,
		miningAddr:   addr,
		miningScript: script,
		miningTo:     o.miningAddr,
		ctx:          nctx,
		cancel:       cancel,
	}}
	// As in Start: a port taken between picking and binding gets one retry.
	for attempt := 1; ; attempt++ {
		err := d.n.launch(bin, o.args)
		if err == nil {
			return d, nil
		}
		tail := d.n.logTail(logTailLines)
		d.n.stopProcess()
		if attempt == 1 && ctx.Err() == nil && strings.Contains(tail, "address already in use") {
			continue
		}
		d.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("start btcd: %w\n--- end of btcd output ---\n%s", err, tail)
	}
}

// P2PAddr returns the "127.0.0.1:port" btcd accepts peers on.
func (d *Daemon) P2PAddr() string { return d.n.p2pAddr }

// RPCAddr returns the "127.0.0.1:port" of btcd's JSON-RPC server (plain
// HTTP, basic auth).
func (d *Daemon) RPCAddr() string { return d.n.rpcAddr }

// Call sends one JSON-RPC request to btcd and returns its result. An error
// answered by btcd is an *RPCError.
func (d *Daemon) Call(method string, params ...any) (json.RawMessage, error) {
	return d.n.rpc.call(d.n.ctx, method, params...)
}

// Generate mines count blocks with btcd's `generate` RPC, paying the
// mining address (or one of the --miningaddr flags given WithArgs, which btcd
// picks at random per block), and returns their hashes in order. The block
// times run ahead of the clock; see the package documentation.
func (d *Daemon) Generate(count int) ([]chainhash.Hash, error) {
	raw, err := d.Call("generate", count)
	if err != nil {
		return nil, err
	}
	var hexes []string
	if err := json.Unmarshal(raw, &hexes); err != nil {
		return nil, fmt.Errorf("decode generate result %.200s: %w", raw, err)
	}
	if len(hexes) != count {
		return nil, fmt.Errorf("generate %d made %d blocks", count, len(hexes))
	}
	hashes := make([]chainhash.Hash, len(hexes))
	for i, s := range hexes {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			return nil, fmt.Errorf("generate: bad block hash %q: %w", s, err)
		}
		hashes[i] = *h
	}
	return hashes, nil
}

// BuildChain appends count blocks to btcd's best chain, spacing apart and
// ending at the current time, their coinbases paying the payTo addresses in
// turn (the mining address when there are none). Generate's blocks crowd
// around the clock and run ahead of it; these look like a chain that grew
// over time (300 blocks ten minutes apart span two days) while its tip
// stays recent enough for btcd to serve headers. The first block must come
// after the tip's time, so BuildChain suits a young chain: it fails when
// the tip is newer than that.
func (d *Daemon) BuildChain(count int, spacing time.Duration, payTo ...string) error {
	if count < 0 {
		return fmt.Errorf("BuildChain(%d): negative count", count)
	}
	if count == 0 {
		return nil
	}
	step := max(int64(spacing/time.Second), 1)
	if len(payTo) == 0 {
		payTo = []string{d.n.miningAddrFlag()}
	}
	scripts := make([][]byte, len(payTo))
	for i, s := range payTo {
		addr, err := address.DecodeAddress(s, params)
		if err != nil {
			return fmt.Errorf("BuildChain: pay to %q: %w", s, err)
		}
		if scripts[i], err = txscript.PayToAddrScript(addr); err != nil {
			return fmt.Errorf("BuildChain: pay to %q: %w", s, err)
		}
	}
	ctx := d.n.ctx
	tip, err := d.n.tip(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	start := now.Unix() - int64(count-1)*step
	if start <= max(tip.time, tip.medianTime) {
		return fmt.Errorf("BuildChain: the tip (time %s) is too recent for %d blocks %v apart ending now",
			time.Unix(tip.time, 0).UTC().Format(time.DateTime), count, time.Duration(step)*time.Second)
	}
	b, err := newBlockBuilder(tip, count, now, scripts[0])
	if err != nil {
		return err
	}
	// One block per request: the builder's batches space blocks one
	// second apart, and a few hundred requests on loopback take well under
	// a second.
	for i := range count {
		b.time = start + int64(i)*step
		b.script = scripts[i%len(scripts)]
		s := b.batch(1)
		if s.err == nil {
			s.err = d.n.submit(ctx, s)
		}
		if s.err != nil {
			return s.err
		}
	}
	return nil
}

// LogTail returns up to lines last lines of btcd's output, for an error
// message.
func (d *Daemon) LogTail(lines int) string { return d.n.logTail(lines) }

// Close kills btcd, waits for it to exit and removes its folder. It may be
// called more than once.
func (d *Daemon) Close() error {
	d.n.stop()
	return os.RemoveAll(d.n.dir)
}
