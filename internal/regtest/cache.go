package regtest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
)

// EnvBenchCache names an environment variable that, when set, is the
// folder CachedChain keeps its chains in, instead of satchel-bench in the
// user's cache folder.
const EnvBenchCache = "SATCHEL_BENCH_CACHE"

// cachedMaxAge is how old the tip of a cached chain may be before it is
// built again: btcd stops serving headers once its tip is 24 hours old,
// and a benchmark run must fit in what is left.
const cachedMaxAge = 20 * time.Hour

// ChainSpec describes a chain for CachedChain.
type ChainSpec struct {
	// Blocks is the number of blocks above genesis, one second apart and
	// ending at the time the chain is built.
	Blocks int

	// Nodes is the number of btcd processes that serve the chain, each
	// with a copy of it (default 1).
	Nodes int

	// FullBlocks is the number of blocks at the end of the chain whose
	// coinbase pays Outputs more scripts (BenchScript), so that their
	// compact filters are as large as mainnet's; every PayEvery-th of them
	// also pays WalletScript(height / PayEvery % 1000). Optional.
	FullBlocks, Outputs, PayEvery int
}

// key names the chain's folder in the cache.
func (s ChainSpec) key() string {
	k := fmt.Sprintf("blocks-%d-nodes-%d", s.Blocks, s.Nodes)
	if s.FullBlocks > 0 {
		k += fmt.Sprintf("-full-%d-%d-%d", s.FullBlocks, s.Outputs, s.PayEvery)
	}
	return k
}

// extra returns the additional coinbase scripts the spec puts in the block
// at height.
func (s ChainSpec) extra(height int32) [][]byte {
	if int(height) <= s.Blocks-s.FullBlocks {
		return nil
	}
	scripts := make([][]byte, 0, s.Outputs+1)
	if s.PayEvery > 0 && int(height)%s.PayEvery == 0 {
		scripts = append(scripts, WalletScript(int(height)/s.PayEvery%1000))
	}
	for i := range s.Outputs {
		scripts = append(scripts, BenchScript(height, i))
	}
	return scripts
}

// BenchScript returns the i-th made-up P2WPKH output script of the block at
// height in a CachedChain with FullBlocks.
func BenchScript(height int32, i int) []byte {
	return p2wpkhFrom("block", int64(height)<<32|int64(i))
}

// WalletScript returns the i-th script of the made-up wallet that a
// CachedChain with PayEvery pays now and then.
func WalletScript(i int) []byte {
	return p2wpkhFrom("wallet", int64(i))
}

// p2wpkhFrom derives a P2WPKH script from a label and a number.
func p2wpkhFrom(label string, n int64) []byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	sum := sha256.Sum256(append([]byte(label), buf[:]...))
	return append([]byte{0x00, 0x14}, sum[:20]...)
}

// cacheState is what a cached chain's state.json records.
type cacheState struct {
	Spec      ChainSpec
	Nodes     []cachedNode
	TipHash   string
	TipHeight int32
	TipTime   int64 // Unix seconds
	Built     time.Time
}

// cachedNode is one btcd process of a cached chain.
type cachedNode struct {
	Dir     string
	PID     int
	RPCAddr string
	P2PAddr string
}

// attached holds the cached chains this test process has checked already.
var attached struct {
	mu    sync.Mutex
	nodes map[string][]*node
}

// CachedChain returns spec.Nodes btcd regtest nodes serving the chain spec
// describes, for benchmarks. Unlike Start, it keeps the nodes running when
// the test ends and finds them again in later test processes, because a
// long chain takes minutes to build (1,000,000 blocks: about four) and btcd
// deletes a regtest chain when it restarts. The nodes live in the folder
// named by EnvBenchCache (default satchel-bench in the user's cache
// folder); a chain is built again when its tip is more than 20 hours old,
// when a node is gone or serves another tip. StopCachedChains (make
// bench-clean) ends them.
//
// The returned nodes must not be changed (no Generate, BuildChain,
// ConnectTo): other benchmarks expect the chain as built. Their Stop does
// not stop btcd.
func CachedChain(tb testing.TB, spec ChainSpec) []*Node {
	tb.Helper()
	if spec.Nodes <= 0 {
		spec.Nodes = 1
	}
	if spec.Blocks <= 0 || spec.FullBlocks > spec.Blocks || (spec.FullBlocks > 0) != (spec.Outputs > 0) {
		tb.Fatalf("regtest: CachedChain(%+v): bad spec", spec)
	}
	attached.mu.Lock()
	defer attached.mu.Unlock()
	nodes, ok := attached.nodes[spec.key()]
	if !ok {
		var err error
		if nodes, err = loadCachedChain(tb, spec); err != nil {
			tb.Fatalf("regtest: cached chain %s: %v", spec.key(), err)
		}
		if attached.nodes == nil {
			attached.nodes = make(map[string][]*node)
		}
		attached.nodes[spec.key()] = nodes
	}
	out := make([]*Node, len(nodes))
	for i, n := range nodes {
		out[i] = &Node{tb: tb, node: n}
	}
	return out
}

// cacheRoot returns the folder of the cached chains.
func cacheRoot() (string, error) {
	if d := os.Getenv(EnvBenchCache); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "satchel-bench"), nil
}

// loadCachedChain attaches to the cached chain of spec, building it first
// when it is missing or stale. Another test process doing the same waits
// for it.
func loadCachedChain(tb testing.TB, spec ChainSpec) ([]*node, error) {
	root, err := cacheRoot()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, spec.key())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	ctx := context.Background()
	if st, err := readCacheState(dir); err == nil {
		nodes, why := attachCached(ctx, st)
		if why == "" {
			tb.Logf("regtest: using the cached chain in %s (%d blocks, built %s)",
				dir, st.TipHeight, st.Built.Format(time.DateTime))
			return nodes, nil
		}
		tb.Logf("regtest: building the chain in %s again: %s", dir, why)
		stopCached(st)
	} else if !errors.Is(err, os.ErrNotExist) {
		tb.Logf("regtest: building the chain in %s again: %v", dir, err)
	}
	start := time.Now()
	nodes, st, err := buildCached(ctx, dir, spec)
	if err != nil {
		return nil, err
	}
	tb.Logf("regtest: built %d blocks on %d btcd nodes in %s in %v",
		st.TipHeight, len(nodes), dir, time.Since(start).Round(time.Second))
	return nodes, nil
}

// readCacheState reads the state.json of a cached chain.
func readCacheState(dir string) (*cacheState, error) {
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return nil, err
	}
	var st cacheState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("state.json: %w", err)
	}
	return &st, nil
}

// attachCached connects to the nodes of a cached chain, or says why they
// cannot serve it any more.
func attachCached(ctx context.Context, st *cacheState) ([]*node, string) {
	if age := time.Since(time.Unix(st.TipTime, 0)); age > cachedMaxAge {
		return nil, fmt.Sprintf("its tip is %v old", age.Round(time.Minute))
	}
	nodes := make([]*node, len(st.Nodes))
	for i, cn := range st.Nodes {
		n := cachedNodeOf(cn)
		raw, err := n.rpc.call(ctx, "getbestblockhash")
		var best string
		if err == nil {
			err = json.Unmarshal(raw, &best)
		}
		if err != nil {
			return nil, fmt.Sprintf("node %s does not answer (%v)", cn.RPCAddr, err)
		}
		if best != st.TipHash {
			return nil, fmt.Sprintf("node %s has tip %s, not %s", cn.RPCAddr, best, st.TipHash)
		}
		nodes[i] = n
	}
	return nodes, ""
}

// cachedNodeOf returns a node that talks to a running cached btcd.
func cachedNodeOf(cn cachedNode) *node {
	ctx, cancel := context.WithCancel(context.Background())
	return &node{dir: cn.Dir, p2pAddr: cn.P2PAddr, rpcAddr: cn.RPCAddr,
		rpc: newRPCClient(cn.RPCAddr, rpcUser, rpcPass), ctx: ctx, cancel: cancel}
}

// buildCached starts the nodes of a chain in dir, detached from this
// process, builds the chain on all of them and records it in state.json.
func buildCached(ctx context.Context, dir string, spec ChainSpec) ([]*node, *cacheState, error) {
	bin, err := btcdPath()
	if err != nil {
		return nil, nil, fmt.Errorf("find btcd: %w", err)
	}
	key, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, nil, err
	}
	st := &cacheState{Spec: spec}
	var nodes []*node
	fail := func(err error) ([]*node, *cacheState, error) {
		stopCached(st)
		return nil, nil, err
	}
	for i := range spec.Nodes {
		cn := cachedNode{Dir: filepath.Join(dir, "node"+strconv.Itoa(i))}
		if err := os.RemoveAll(cn.Dir); err != nil {
			return fail(err)
		}
		if err := os.MkdirAll(cn.Dir, 0o700); err != nil {
			return fail(err)
		}
		pid, rpcAddr, p2pAddr, err := launchDetached(bin, cn.Dir)
		if err != nil {
			return fail(err)
		}
		cn.PID, cn.RPCAddr, cn.P2PAddr = pid, rpcAddr, p2pAddr
		st.Nodes = append(st.Nodes, cn)
		n := cachedNodeOf(cn)
		n.miningKey = key
		n.miningScript = KeyScript(key.PubKey())
		nodes = append(nodes, n)
	}
	if err := buildChainOn(ctx, nodes, spec.Blocks, spec.extra); err != nil {
		return fail(err)
	}
	tip, err := nodes[0].tip(ctx)
	if err != nil {
		return fail(err)
	}
	st.TipHash, st.TipHeight, st.TipTime, st.Built = tip.hash.String(), tip.height, tip.time, time.Now()
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), b, 0o600); err != nil {
		return fail(err)
	}
	return nodes, st, nil
}

// launchDetached starts btcd in dir on new ports, in a session of its own
// so that it outlives this process, and waits until its RPC server answers.
func launchDetached(bin, dir string) (pid int, rpcAddr, p2pAddr string, err error) {
	ports, err := freePorts(2)
	if err != nil {
		return 0, "", "", fmt.Errorf("pick ports: %w", err)
	}
	rpcAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	p2pAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	out, err := os.Create(filepath.Join(dir, "btcd.out"))
	if err != nil {
		return 0, "", "", err
	}
	defer out.Close()
	cmd := exec.Command(bin,
		"--regtest",
		"--datadir="+filepath.Join(dir, "data"),
		"--logdir="+filepath.Join(dir, "logs"),
		"--rpcuser="+rpcUser, "--rpcpass="+rpcPass,
		"--rpclisten="+rpcAddr, "--listen="+p2pAddr,
		"--notls", "--nodnsseed",
		"--debuglevel=RPCS=warn",
		"--utxocachemaxsize=32",
		// Benchmarks connect over and over from 127.0.0.1, and a light
		// node that gets something wrong must not lock the others out.
		"--nobanning",
	)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = detachedProcAttr()
	if os.Getenv("GOGC") == "" {
		cmd.Env = append(os.Environ(), "GOGC="+gogc)
	}
	if err := cmd.Start(); err != nil {
		return 0, "", "", fmt.Errorf("run %s: %w", bin, err)
	}
	p := &process{cmd: cmd, cancel: func() {}, out: out, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	n := &node{dir: dir, rpcAddr: rpcAddr, p2pAddr: p2pAddr, rpc: newRPCClient(rpcAddr, rpcUser, rpcPass),
		ctx: context.Background()}
	if err := n.waitRPC(p); err != nil {
		_ = cmd.Process.Kill()
		return 0, "", "", fmt.Errorf("%w\n--- end of btcd output ---\n%s", err, n.logTail(logTailLines))
	}
	return cmd.Process.Pid, rpcAddr, p2pAddr, nil
}

// stopCached stops the nodes of a cached chain: with the stop RPC, then,
// on Linux, by killing the recorded process if it is still the btcd of that
// folder.
func stopCached(st *cacheState) {
	for _, cn := range st.Nodes {
		n := cachedNodeOf(cn)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = n.rpc.call(ctx, "stop")
		cancel()
		killIfOurs(cn.PID, cn.Dir)
	}
}

// StopCachedChains stops the btcd nodes of every cached chain and deletes
// the chains. It reports what it stopped to log.
func StopCachedChains(log func(format string, args ...any)) error {
	root, err := cacheRoot()
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !e.IsDir() {
			continue
		}
		unlock, err := lockDir(dir)
		if err != nil {
			return err
		}
		if st, err := readCacheState(dir); err == nil {
			stopCached(st)
			log("stopped %d btcd nodes of %s", len(st.Nodes), dir)
		}
		err = os.RemoveAll(dir)
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// CachedChainNodes returns the P2P addresses of the nodes of each cached
// chain, by folder name, for tools outside the tests.
func CachedChainNodes() (map[string][]string, error) {
	root, err := cacheRoot()
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	out := make(map[string][]string)
	for _, e := range entries {
		st, err := readCacheState(filepath.Join(root, e.Name()))
		if err != nil {
			continue
		}
		for _, cn := range st.Nodes {
			out[e.Name()] = append(out[e.Name()], cn.P2PAddr)
		}
	}
	return out, nil
}
