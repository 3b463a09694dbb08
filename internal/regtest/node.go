package regtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

const (
	// startTimeout bounds the wait for a new btcd to answer RPC.
	startTimeout = 60 * time.Second

	// logTailLines is how much of btcd's output a failure shows.
	logTailLines = 40

	gogc    = "100"
	rpcUser = "satchel"
	rpcPass = "regtest"
)

// params are the chain parameters of every node this package starts.
var params = &chaincfg.RegressionNetParams

// Option adjusts how Start runs btcd.
type Option func(*options)

type options struct {
	args       []string
	miningAddr string
}

// WithMiningAddress makes btcd mine to addr instead of the node's own key
// (btcd picks at random among several --miningaddr flags, so WithArgs
// cannot replace it). MiningKey then does not own the coinbases.
func WithMiningAddress(addr string) Option {
	return func(o *options) { o.miningAddr = addr }
}

// WithArgs passes extra command-line flags to btcd, after the ones Start
// sets, so they can also override them (for example "--debuglevel=debug" or
// "--txindex").
func WithArgs(args ...string) Option {
	return func(o *options) { o.args = append(o.args, args...) }
}

// Node is a running btcd regtest node owned by a test. Its methods report
// failures to the test through the testing.TB given to Start (or WithT) and
// must therefore run on that test's goroutine; Call returns errors instead
// and may be used from any goroutine.
type Node struct {
	tb testing.TB
	*node
}

// node is the state shared by every Node value bound to one btcd process.
type node struct {
	dir     string // temporary folder holding data, logs and output
	p2pAddr string
	rpcAddr string
	rpc     *rpcClient

	miningKey    *btcec.PrivateKey
	miningAddr   address.Address
	miningScript []byte
	// miningTo, when set, replaces miningAddr as btcd's --miningaddr.
	miningTo string

	// ctx ends when the node is stopped, cutting any RPC in flight.
	ctx    context.Context
	cancel context.CancelFunc

	mu   sync.Mutex // guards proc
	proc *process
}

// process is one run of the btcd binary.
type process struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	out    *os.File      // btcd's stdout and stderr
	exited chan struct{} // closed once cmd.Wait has returned
	err    error         // from cmd.Wait; read after exited is closed
}

// Start runs a new btcd regtest node in a fresh temporary folder on free
// 127.0.0.1 ports and returns once its RPC server answers. The node mines
// (Generate) to a fresh key of its own, see MiningAddress. A cleanup
// registered on tb kills the process and removes the folder; if the test has
// failed by then, the end of btcd's log is logged first. Start fails the test
// with the end of btcd's output when the node does not come up.
func Start(tb testing.TB, opts ...Option) *Node {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	bin, err := btcdPath()
	if err != nil {
		tb.Fatalf("regtest: find btcd: %v", err)
	}
	key, err := btcec.NewPrivateKey()
	if err != nil {
		tb.Fatalf("regtest: mining key: %v", err)
	}
	addr, err := address.NewAddressWitnessPubKeyHash(
		address.Hash160(key.PubKey().SerializeCompressed()), params)
	if err != nil {
		tb.Fatalf("regtest: mining address: %v", err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		tb.Fatalf("regtest: mining script: %v", err)
	}
	dir, err := os.MkdirTemp("", "satchel-regtest-")
	if err != nil {
		tb.Fatalf("regtest: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &Node{tb: tb, node: &node{
		dir:          dir,
		miningKey:    key,
		miningAddr:   addr,
		miningScript: script,
		miningTo:     o.miningAddr,
		ctx:          ctx,
		cancel:       cancel,
	}}
	startFailed := false // Start's own failure shows the log already
	tb.Cleanup(func() {
		if tb.Failed() && !startFailed {
			if tail := n.logTail(logTailLines); tail != "" {
				tb.Logf("regtest: end of btcd output (%s):\n%s", n.p2pAddr, tail)
			}
		}
		n.stop()
		if err := os.RemoveAll(dir); err != nil {
			tb.Errorf("regtest: remove %s: %v", dir, err)
		}
	})

	// Ports are picked by binding to port 0 and closing, so another process
	// may grab one before btcd binds it; one retry with new ports covers it.
	for attempt := 1; ; attempt++ {
		err := n.launch(bin, o.args)
		if err == nil {
			return n
		}
		tail := n.logTail(logTailLines)
		n.stopProcess()
		if attempt == 1 && strings.Contains(tail, "address already in use") {
			continue
		}
		startFailed = true
		tb.Fatalf("regtest: start btcd: %v\n--- end of btcd output ---\n%s", err, tail)
	}
}

// launch starts btcd on new ports and waits for its RPC server.
func (n *node) launch(bin string, extra []string) error {
	ports, err := freePorts(2)
	if err != nil {
		return fmt.Errorf("pick ports: %w", err)
	}
	n.rpcAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	n.p2pAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	n.rpc = newRPCClient(n.rpcAddr, rpcUser, rpcPass)

	args := []string{
		"--regtest",
		"--datadir=" + filepath.Join(n.dir, "data"),
		"--logdir=" + filepath.Join(n.dir, "logs"),
		"--rpcuser=" + rpcUser,
		"--rpcpass=" + rpcPass,
		"--rpclisten=" + n.rpcAddr,
		"--listen=" + n.p2pAddr,
		"--notls",
		"--nodnsseed",
		"--miningaddr=" + n.miningAddrFlag(),
		// An info line per submitted block costs BuildChain ~5% and buries
		// the interesting part of the log.
		"--debuglevel=RPCS=warn",
		// The default 250 MiB UTXO cache is preallocated at start: slow
		// (~0.1 s) and heavy when a test runs several nodes.
		"--utxocachemaxsize=32",
	}
	args = append(args, extra...)

	out, err := os.Create(filepath.Join(n.dir, "btcd.out"))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(n.ctx)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = n.dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr()
	if os.Getenv("GOGC") == "" {
		// btcd sets GOGC=10 unless told otherwise, to keep a mainnet node
		// small; a test node is small anyway and BuildChain is about 1.5
		// times as fast without the constant collections.
		cmd.Env = append(os.Environ(), "GOGC="+gogc)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		out.Close()
		return fmt.Errorf("run %s: %w", bin, err)
	}
	p := &process{cmd: cmd, cancel: cancel, out: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	n.mu.Lock()
	n.proc = p
	n.mu.Unlock()
	return n.waitRPC(p)
}

// waitRPC polls the RPC server until it answers, btcd exits or startTimeout
// passes.
func (n *node) waitRPC(p *process) error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(n.ctx, time.Second)
		_, err := n.rpc.call(ctx, "getblockcount")
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("btcd exited before its RPC server answered: %v", p.err)
		case <-deadline.C:
			return fmt.Errorf("btcd RPC on %s did not answer within %v: %w", n.rpcAddr, startTimeout, err)
		case <-tick.C:
		}
	}
}

// WithT returns a view of the same btcd node that reports failures to tb,
// for handing a node started in a parent test to a subtest.
func (n *Node) WithT(tb testing.TB) *Node {
	return &Node{tb: tb, node: n.node}
}

// P2PAddr returns the "127.0.0.1:port" btcd accepts peers on.
func (n *Node) P2PAddr() string { return n.p2pAddr }

// RPCAddr returns the "127.0.0.1:port" of btcd's JSON-RPC server (plain
// HTTP, basic auth).
func (n *Node) RPCAddr() string { return n.rpcAddr }

// MiningAddress returns the P2WPKH regtest address that Generate and
// BuildChain pay their coinbases to.
func (n *Node) MiningAddress() string { return n.miningAddr.EncodeAddress() }

// MiningKey returns the private key of MiningAddress, for tests that spend
// mined coins (coinbases mature after 100 blocks).
func (n *Node) MiningKey() *btcec.PrivateKey { return n.miningKey }

// Stop kills btcd and waits for it to exit. The test's cleanup calls it
// anyway; calling it earlier simulates a peer going away. A stopped node
// cannot be started again (btcd would delete its chain).
func (n *Node) Stop() {
	n.stop()
}

// stop ends the node for good: RPCs in flight are cut and the process killed.
func (n *node) stop() {
	n.cancel()
	n.stopProcess()
	if n.rpc != nil {
		n.rpc.close()
	}
}

// stopProcess kills the current btcd process, if any, and waits for it.
func (n *node) stopProcess() {
	n.mu.Lock()
	p := n.proc
	n.proc = nil
	n.mu.Unlock()
	if p == nil {
		return
	}
	p.cancel() // exec.CommandContext kills the process
	<-p.exited
	p.out.Close()
}

// logTail returns up to lines last lines of btcd's output.
func (n *node) logTail(lines int) string {
	f, err := os.Open(filepath.Join(n.dir, "btcd.out"))
	if err != nil {
		return ""
	}
	defer f.Close()
	const window = 16 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > window {
		if _, err := f.Seek(-window, io.SeekEnd); err != nil {
			return ""
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// freePorts returns count distinct ports that were free on 127.0.0.1 a
// moment ago.
func freePorts(count int) ([]int, error) {
	ports := make([]int, 0, count)
	var errs []error
	for range count {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			errs = append(errs, err)
			break
		}
		defer l.Close() // hold every port until all are picked
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, errors.Join(errs...)
}

// miningAddrFlag is the address btcd mines to.
func (n *node) miningAddrFlag() string {
	if n.miningTo != "" {
		return n.miningTo
	}
	return n.miningAddr.EncodeAddress()
}
