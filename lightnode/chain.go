package lightnode

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
)

// minChainWork is the cumulative work below which a chain is not worth
// persisting past its last checkpoint: the figures Bitcoin Core ships as
// nMinimumChainWork (mainnet at block 824,000, testnet3 at 2,550,000,
// signet at 180,000). Networks without a figure persist every valid header.
var minChainWork = map[wire.BitcoinNet]*big.Int{
	wire.MainNet:              hexBig("63c4ebd298db40af57541800"),
	wire.TestNet3:             hexBig("c59b14e264ba6c15db9"),
	chaincfg.SigNetParams.Net: hexBig("206e86f08e8"),
}

func hexBig(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad constant " + s)
	}
	return n
}

// Limits on what a peer can make us hold in memory.
const (
	// maxBranchNodes bounds the side-branch headers kept in memory.
	maxBranchNodes = 100_000

	// maxPendingNodes bounds validated best-chain headers that are not yet
	// persisted because the chain has neither reached a checkpoint nor the
	// minimum chain work. Checkpoints are closer together than this.
	maxPendingNodes = 500_000

	// nodeCacheSize is the number of persisted headers kept decoded, enough
	// for a difficulty retarget window (2016) and some.
	nodeCacheSize = 4096

	// flushBatch is how many validated headers the sync may hold in memory
	// while the peer streams more, so that one store commit (and its
	// fsyncs) covers several headers messages.
	flushBatch = 4 * wire.MaxBlockHeadersPerMsg
)

// hnode is a validated header with its place in a chain. It implements
// blockchain.HeaderCtx. Nodes of the best chain have a nil parent and find
// their ancestors through the chain; side-branch nodes point to their
// parent, which is a branch node or a best-chain node.
type hnode struct {
	hdr    wire.BlockHeader
	hash   chainhash.Hash
	height int32
	work   *big.Int // cumulative
	parent *hnode
	chain  *headerChain
}

var _ blockchain.HeaderCtx = (*hnode)(nil)

func (n *hnode) Height() int32    { return n.height }
func (n *hnode) Bits() uint32     { return n.hdr.Bits }
func (n *hnode) Timestamp() int64 { return n.hdr.Timestamp.Unix() }

// Parent returns the node's parent, or nil for genesis.
func (n *hnode) Parent() blockchain.HeaderCtx {
	if p := n.ancestor(n.height - 1); p != nil {
		return p
	}
	return nil
}

// RelativeAncestorCtx returns the ancestor distance blocks back, or nil.
func (n *hnode) RelativeAncestorCtx(distance int32) blockchain.HeaderCtx {
	if a := n.ancestor(n.height - distance); a != nil {
		return a
	}
	return nil
}

// ancestor returns the node's ancestor at height h.
func (n *hnode) ancestor(h int32) *hnode {
	if h < 0 || h > n.height {
		return nil
	}
	x := n
	for x.height > h {
		if x.parent == nil {
			// x is on the best chain, and so are its ancestors.
			return x.chain.bestNode(h)
		}
		x = x.parent
	}
	return x
}

// chainCtx gives btcd's header checks what they need to know about the
// network and our best chain.
type chainCtx struct {
	c *headerChain
}

var _ blockchain.ChainCtx = chainCtx{}

func (x chainCtx) ChainParams() *chaincfg.Params { return x.c.params }

func (x chainCtx) BlocksPerRetarget() int32 {
	p := x.c.params
	return int32(p.TargetTimespan / p.TargetTimePerBlock)
}

func (x chainCtx) MinRetargetTimespan() int64 {
	p := x.c.params
	return int64(p.TargetTimespan/time.Second) / p.RetargetAdjustmentFactor
}

func (x chainCtx) MaxRetargetTimespan() int64 {
	p := x.c.params
	return int64(p.TargetTimespan/time.Second) * p.RetargetAdjustmentFactor
}

func (x chainCtx) VerifyCheckpoint(height int32, hash *chainhash.Hash) bool {
	cp, ok := x.c.checkpoints[height]
	return !ok || cp.IsEqual(hash)
}

// FindPreviousCheckpoint returns the newest checkpoint our best chain has
// reached; headers may not fork below it.
func (x chainCtx) FindPreviousCheckpoint() (blockchain.HeaderCtx, error) {
	tip := x.c.tip().height
	cps := x.c.params.Checkpoints
	for i := len(cps) - 1; i >= 0; i-- {
		if cps[i].Height <= tip {
			if n := x.c.bestNode(cps[i].Height); n != nil {
				return n, nil
			}
			return nil, fmt.Errorf("checkpoint %d missing from the best chain", cps[i].Height)
		}
	}
	return nil, nil
}

// headerChain is the validated header tree: the best chain (persisted part
// in the store, newest part possibly pending in memory) and side branches in
// memory. It is owned by the sync goroutine and not safe for concurrent use.
type headerChain struct {
	params      *chaincfg.Params
	store       headerstore.HeaderStore
	timeSource  blockchain.MedianTimeSource
	ctx         chainCtx
	checkpoints map[int32]*chainhash.Hash
	minWork     *big.Int

	// stored is the persisted tip; pending continues it in memory.
	stored     *hnode
	pending    []*hnode
	pendingIdx map[chainhash.Hash]int32

	// branches holds side-branch nodes by hash.
	branches map[chainhash.Hash]*hnode

	// cache holds decoded persisted best-chain nodes by height modulo size.
	cache [nodeCacheSize]*hnode

	// Scratch space of process and flush, reused from message to message
	// so that syncing allocates per batch, not per header.
	hashes []chainhash.Hash
	raw    []byte
	work   workCache
	pow    powTarget
}

// workCache remembers the work of the last difficulty seen:
// blockchain.CalcWork divides big numbers and allocates, and the difficulty
// stays the same for runs of up to 2,016 blocks.
type workCache struct {
	bits uint32
	work *big.Int // shared: never modified
}

// of returns the work of a block with compact target bits.
func (w *workCache) of(bits uint32) *big.Int {
	if w.work == nil || w.bits != bits {
		w.bits, w.work = bits, blockchain.CalcWork(bits)
	}
	return w.work
}

// workWords is the number of big.Word in 256 bits, room for any chain
// work the store accepts.
const workWords = 256 / (32 << (^uint(0) >> 63))

// powTarget remembers the proof-of-work target of the last difficulty seen,
// as 32 big-endian bytes, so that a block hash computed once is compared
// without big numbers, and whether that target is valid at all.
type powTarget struct {
	bits   uint32
	ok     bool
	err    error // the target is not positive or above the limit
	target [chainhash.HashSize]byte
}

// check returns the errors btcd's checkProofOfWork gives a header with
// hash and compact target bits: a target that is not positive or above
// powLimit, or a hash above the target.
func (p *powTarget) check(hash *chainhash.Hash, bits uint32, powLimit *big.Int) error {
	if !p.ok || p.bits != bits {
		p.bits, p.ok, p.err = bits, true, nil
		switch t := blockchain.CompactToBig(bits); {
		case t.Sign() <= 0:
			p.err = blockchain.RuleError{ErrorCode: blockchain.ErrUnexpectedDifficulty,
				Description: fmt.Sprintf("block target difficulty of %064x is too low", t)}
		case t.Cmp(powLimit) > 0:
			p.err = blockchain.RuleError{ErrorCode: blockchain.ErrUnexpectedDifficulty,
				Description: fmt.Sprintf("block target difficulty of %064x is higher than max of %064x", t, powLimit)}
		default:
			t.FillBytes(p.target[:])
		}
	}
	if p.err != nil {
		return p.err
	}
	// The hash is a little-endian number: compare from its last byte.
	for i := range chainhash.HashSize {
		hb, tb := hash[chainhash.HashSize-1-i], p.target[i]
		if hb < tb {
			return nil
		}
		if hb > tb {
			return blockchain.RuleError{ErrorCode: blockchain.ErrHighHash,
				Description: fmt.Sprintf("block hash of %s is higher than the target of bits %08x", hash, bits)}
		}
	}
	return nil
}

// checkSanity runs the checks of btcd's CheckBlockHeaderSanity on a header
// whose hash is known, without allocating: proof of work, a timestamp of
// whole seconds, and one not more than two hours past the adjusted time.
// latest is the adjusted time plus the two hours btcd allows, read once a
// message.
func (c *headerChain) checkSanity(h *wire.BlockHeader, hash *chainhash.Hash, latest time.Time) error {
	if err := c.pow.check(hash, h.Bits, c.params.PowLimit); err != nil {
		return err
	}
	if h.Timestamp.Nanosecond() != 0 {
		return blockchain.RuleError{ErrorCode: blockchain.ErrInvalidTime,
			Description: fmt.Sprintf("block timestamp of %v has a higher precision than one second", h.Timestamp)}
	}
	if h.Timestamp.After(latest) {
		return blockchain.RuleError{ErrorCode: blockchain.ErrTimeTooNew,
			Description: fmt.Sprintf("block timestamp of %v is too far in the future", h.Timestamp)}
	}
	return nil
}

// chainUpdate describes what a batch of headers changed.
type chainUpdate struct {
	added   int   // new headers accepted (best chain or side branch)
	newTip  bool  // the best chain changed
	reorg   bool  // ... by switching branches
	fork    int32 // with reorg: the height of the common ancestor
	oldTip  *hnode
	flushed int  // headers written to the store
	held    bool // headers left in memory until more arrive (processSync)
}

func newHeaderChain(params *chaincfg.Params, store headerstore.HeaderStore, ts blockchain.MedianTimeSource) *headerChain {
	c := &headerChain{
		params:      params,
		store:       store,
		timeSource:  ts,
		checkpoints: make(map[int32]*chainhash.Hash, len(params.Checkpoints)),
		minWork:     minChainWork[params.Net],
		pendingIdx:  make(map[chainhash.Hash]int32),
		branches:    make(map[chainhash.Hash]*hnode),
	}
	c.ctx = chainCtx{c}
	for _, cp := range params.Checkpoints {
		c.checkpoints[cp.Height] = cp.Hash
	}
	c.loadStoredTip()
	return c
}

// loadStoredTip reads the persisted tip into a node.
func (c *headerChain) loadStoredTip() {
	t := c.store.Tip()
	c.stored = &hnode{hdr: t.Header, hash: t.Hash, height: t.Height, work: t.Work, chain: c}
	c.cache = [nodeCacheSize]*hnode{}
	c.cache[t.Height%nodeCacheSize] = c.stored
}

// tip returns the best node.
func (c *headerChain) tip() *hnode {
	if n := len(c.pending); n > 0 {
		return c.pending[n-1]
	}
	return c.stored
}

// bestNode returns the best chain's node at height h, or nil.
func (c *headerChain) bestNode(h int32) *hnode {
	if h < 0 {
		return nil
	}
	if h > c.stored.height {
		i := int(h - c.stored.height - 1)
		if i < len(c.pending) {
			return c.pending[i]
		}
		return nil
	}
	if n := c.cache[h%nodeCacheSize]; n != nil && n.height == h {
		return n
	}
	sh, err := c.store.HeaderByHeight(h)
	if err != nil {
		return nil
	}
	n := &hnode{hdr: sh.Header, hash: sh.Hash, height: h, work: sh.Work, chain: c}
	c.cache[h%nodeCacheSize] = n
	return n
}

// lookup finds a known header by hash: on the best chain or a side branch.
func (c *headerChain) lookup(hash *chainhash.Hash) *hnode {
	if n, ok := c.branches[*hash]; ok {
		return n
	}
	if h, ok := c.pendingIdx[*hash]; ok {
		return c.bestNode(h)
	}
	if sh, err := c.store.HeaderByHash(hash); err == nil {
		return c.bestNode(sh.Height)
	}
	return nil
}

// locator returns a block locator from node: ten steps back one by one,
// then doubling, ending with genesis.
func (c *headerChain) locator(from *hnode) blockchain.BlockLocator {
	loc := make(blockchain.BlockLocator, 0, 32)
	step := int32(1)
	for h := from.height; ; {
		n := from.ancestor(h)
		if n == nil {
			break
		}
		hash := n.hash
		loc = append(loc, &hash)
		if h == 0 {
			break
		}
		if len(loc) >= 10 {
			step *= 2
		}
		h -= step
		if h < 0 {
			h = 0
		}
	}
	return loc
}

// process validates a headers message and connects it. It returns a
// misbehaviour error when the message breaks a rule, errUnconnected when it
// does not start from a known header, and other errors for local failures.
func (c *headerChain) process(headers []*wire.BlockHeader) (*chainUpdate, error) {
	return c.processSync(headers, false)
}

// processSync is process for the header sync: with more (the peer has more
// headers to send after these), the new best-chain headers may stay in
// memory until flushBatch of them are pending, and up.held says so. A held
// header is lost in a crash and fetched again; the store never holds
// anything unvalidated. flush writes held headers out.
func (c *headerChain) processSync(headers []*wire.BlockHeader, more bool) (*chainUpdate, error) {
	up := &chainUpdate{}
	if len(headers) == 0 {
		return up, nil
	}
	c.hashes = slices.Grow(c.hashes[:0], len(headers))[:len(headers)]
	hashes := c.hashes
	var rec [wire.MaxBlockHeaderPayload]byte
	for i, h := range headers {
		// BlockHash would allocate a hasher a header.
		headerstore.PutHeader(rec[:], h)
		hashes[i] = chainhash.DoubleHashH(rec[:])
		if i > 0 && h.PrevBlock != hashes[i-1] {
			return nil, misbehaved("sent headers that do not chain", fmt.Errorf(
				"header %d (%s) does not follow header %d", i, hashes[i], i-1))
		}
	}
	parent := c.lookup(&headers[0].PrevBlock)
	if parent == nil {
		return nil, errUnconnected
	}
	// Skip what we know already.
	i := 0
	for ; i < len(headers); i++ {
		n := c.lookup(&hashes[i])
		if n == nil {
			break
		}
		parent = n
	}
	if i == len(headers) {
		return up, nil
	}

	// The new nodes and their chain work live in two slabs, one allocation
	// each per message. The checkpoint below which no header may fork is
	// the newest one the best chain has reached, the same for the whole
	// message.
	count := len(headers) - i
	nodes := make([]*hnode, 0, count)
	slab := make([]hnode, count)
	works := make([]big.Int, count)
	words := make([]big.Word, count*workWords)
	prevCheckpoint := c.prevCheckpointHeight()
	past := newPastTimes(parent)
	latest := c.timeSource.AdjustedTime().Add(blockchain.MaxTimeOffsetSeconds * time.Second)
	for k := 0; i < len(headers); i, k = i+1, k+1 {
		h := headers[i]
		height := parent.height + 1
		if err := c.checkHeader(h, &hashes[i], parent, &past, latest, prevCheckpoint); err != nil {
			return nil, misbehaved("sent an invalid header", fmt.Errorf("%s at height %d: %w", hashes[i], height, err))
		}
		n := &slab[k]
		*n = hnode{
			hdr:    *h,
			hash:   hashes[i],
			height: height,
			work:   works[k].SetBits(words[k*workWords:k*workWords:(k+1)*workWords]).Add(parent.work, c.work.of(h.Bits)),
			parent: parent,
			chain:  c,
		}
		nodes = append(nodes, n)
		parent = n
		past.push(h.Timestamp.Unix())
	}
	up.added = len(nodes)

	last := nodes[len(nodes)-1]
	tip := c.tip()
	if last.work.Cmp(tip.work) <= 0 {
		// A side branch, not (yet) heavier than ours: keep it in memory
		// so that its continuation can be judged.
		if len(c.branches)+len(nodes) > maxBranchNodes {
			return nil, misbehaved("sent a long chain with less work than ours", nil)
		}
		for _, n := range nodes {
			c.branches[n.hash] = n
		}
		return up, nil
	}

	// The new best chain: gather the branch nodes between the fork and the
	// new headers.
	var branch []*hnode
	fork := nodes[0].parent
	for {
		if b, ok := c.branches[fork.hash]; !ok || b != fork {
			break
		}
		branch = append(branch, fork)
		fork = fork.parent
	}
	for l, r := 0, len(branch)-1; l < r; l, r = l+1, r-1 {
		branch[l], branch[r] = branch[r], branch[l]
	}
	nodes = append(branch, nodes...)

	up.newTip = true
	up.oldTip = tip
	up.fork = fork.height
	up.reorg = fork.height < tip.height
	if err := c.setBest(fork.height, nodes); err != nil {
		return nil, err
	}
	if up.reorg {
		// Side branches may hang off headers that just left the best
		// chain; forget them rather than keep stale links.
		clear(c.branches)
	} else {
		for _, n := range branch {
			delete(c.branches, n.hash)
		}
	}
	if more && len(c.pending) < flushBatch {
		up.held = true
		return up, nil
	}
	flushed, err := c.flush(false)
	up.flushed = flushed
	return up, err
}

// setBest makes nodes (heights fork+1...) the best chain above fork.
func (c *headerChain) setBest(fork int32, nodes []*hnode) error {
	if fork < c.stored.height {
		// The new chain replaces persisted headers: write it at once. It
		// has more work than a chain that was already persisted.
		if err := c.store.Connect(fork, toStored(nodes)); err != nil {
			return fmt.Errorf("cannot store headers: %w", err)
		}
		c.pending = c.pending[:0]
		clear(c.pendingIdx)
		c.loadStoredTip()
		return nil
	}
	keep := int(fork - c.stored.height)
	for _, n := range c.pending[keep:] {
		delete(c.pendingIdx, n.hash)
	}
	c.pending = c.pending[:keep]
	if len(c.pending)+len(nodes) > maxPendingNodes {
		return misbehaved("sent a long chain that never reaches a checkpoint or the minimum chain work", nil)
	}
	c.pending = slices.Grow(c.pending, len(nodes))
	for _, n := range nodes {
		n.parent = nil
		c.pending = append(c.pending, n)
		c.pendingIdx[n.hash] = n.height
	}
	return nil
}

// flush persists the pending headers that are safe to keep: all of them once
// the chain has the network's minimum work, else those up to the newest
// checkpoint among them. With force, everything pending is written.
func (c *headerChain) flush(force bool) (int, error) {
	if len(c.pending) == 0 {
		return 0, nil
	}
	k := 0
	if force || c.minWork == nil || c.tip().work.Cmp(c.minWork) >= 0 {
		k = len(c.pending)
	} else {
		for i := len(c.pending) - 1; i >= 0; i-- {
			if _, ok := c.checkpoints[c.pending[i].height]; ok {
				k = i + 1
				break
			}
		}
	}
	if k == 0 {
		return 0, nil
	}
	batch := c.pending[:k]
	c.raw = slices.Grow(c.raw[:0], k*wire.MaxBlockHeaderPayload)[:k*wire.MaxBlockHeaderPayload]
	c.hashes = slices.Grow(c.hashes[:0], k)[:k]
	for i, n := range batch {
		headerstore.PutHeader(c.raw[i*wire.MaxBlockHeaderPayload:], &n.hdr)
		c.hashes[i] = n.hash
	}
	if err := c.store.ConnectRaw(c.stored.height, c.raw, c.hashes); err != nil {
		return 0, fmt.Errorf("cannot store headers: %w", err)
	}
	if k == len(c.pending) {
		clear(c.pendingIdx)
	}
	for _, n := range batch {
		if k < len(c.pending) {
			delete(c.pendingIdx, n.hash)
		}
		c.cache[n.height%nodeCacheSize] = n
	}
	c.stored = batch[k-1]
	c.pending = append(c.pending[:0], c.pending[k:]...)
	return k, nil
}

// checkHeader runs btcd's consensus checks of a header that follows parent,
// with its hash computed once: the sanity checks (proof of work against the
// hash, timestamp) and the contextual ones (difficulty, median time,
// version), then the checkpoints: a header at a checkpoint height must be
// the checkpoint, and none may be below prevCheckpoint, the newest
// checkpoint the best chain has reached (-1 for none). past holds the
// timestamps of parent and its ten ancestors; latest is the newest
// timestamp allowed.
func (c *headerChain) checkHeader(h *wire.BlockHeader, hash *chainhash.Hash, parent *hnode, past *pastTimes,
	latest time.Time, prevCheckpoint int32) error {
	if err := c.checkSanity(h, hash, latest); err != nil {
		return err
	}
	if err := c.checkContext(h, parent, past); err != nil {
		return err
	}
	height := parent.height + 1
	if !c.ctx.VerifyCheckpoint(height, hash) {
		return blockchain.RuleError{ErrorCode: blockchain.ErrBadCheckpoint,
			Description: fmt.Sprintf("block at height %d does not match checkpoint hash", height)}
	}
	if height < prevCheckpoint {
		return blockchain.RuleError{ErrorCode: blockchain.ErrForkTooOld,
			Description: fmt.Sprintf("block at height %d forks the main chain before the previous checkpoint at height %d",
				height, prevCheckpoint)}
	}
	return nil
}

// prevCheckpointHeight returns the height of the newest checkpoint at or
// below the tip, or -1. The best chain holds it: a header at a checkpoint
// height is accepted only if it is the checkpoint.
func (c *headerChain) prevCheckpointHeight() int32 {
	tip := c.tip().height
	cps := c.params.Checkpoints
	for i := len(cps) - 1; i >= 0; i-- {
		if cps[i].Height <= tip {
			return cps[i].Height
		}
	}
	return -1
}

func toStored(nodes []*hnode) []headerstore.StoredHeader {
	out := make([]headerstore.StoredHeader, len(nodes))
	for i, n := range nodes {
		out[i] = headerstore.StoredHeader{Header: n.hdr, Hash: n.hash, Height: n.height, Work: n.work}
	}
	return out
}

// medianTimeBlocks is the number of headers whose median timestamp a new
// header must exceed: btcd's and Bitcoin Core's eleven.
const medianTimeBlocks = 11

// pastTimes holds the timestamps of a header and of up to ten of its
// ancestors (fewer near genesis), the window of btcd's CalcPastMedianTime,
// as a ring: a header's window is its parent's with the oldest replaced.
type pastTimes struct {
	ts   [medianTimeBlocks]int64
	n    int // timestamps held
	next int // the slot the next push overwrites once full
}

// newPastTimes fills the window of node from node and its ancestors,
// stopping where an ancestor is unknown, as CalcPastMedianTime does.
func newPastTimes(node *hnode) pastTimes {
	var newestFirst [medianTimeBlocks]int64
	n := 0
	for x := node; x != nil && n < medianTimeBlocks; x = x.ancestor(x.height - 1) {
		newestFirst[n] = x.Timestamp()
		n++
	}
	// Oldest first, so that the next push replaces the oldest.
	var p pastTimes
	for i := n - 1; i >= 0; i-- {
		p.push(newestFirst[i])
	}
	return p
}

// push adds the timestamp of the next header, dropping the oldest once the
// window is full.
func (p *pastTimes) push(t int64) {
	p.ts[p.next] = t
	p.next = (p.next + 1) % medianTimeBlocks
	if p.n < medianTimeBlocks {
		p.n++
	}
}

// median returns what btcd's CalcPastMedianTime returns for the window: the
// element at n/2 of the sorted timestamps (for an even count, the upper of
// the middle two, as consensus has it).
func (p *pastTimes) median() time.Time {
	ts := p.ts
	w := ts[:p.n]
	for i := 1; i < len(w); i++ {
		for j := i; j > 0 && w[j] < w[j-1]; j-- {
			w[j], w[j-1] = w[j-1], w[j]
		}
	}
	return time.Unix(w[p.n/2], 0)
}

// checkContext runs the checks of btcd's CheckBlockHeaderContext (without
// its checkpoint check) on a header that follows parent, with the same
// rules and errors: the difficulty, a timestamp after the median of past,
// and the version. Where the expected difficulty is the parent's or the
// network's fixed one (every height but a retarget, on networks without
// the minimum-difficulty exception), it does so itself without allocating;
// elsewhere it calls btcd.
func (c *headerChain) checkContext(h *wire.BlockHeader, parent *hnode, past *pastTimes) error {
	p := c.params
	height := parent.height + 1
	retarget := height%c.ctx.BlocksPerRetarget() == 0
	var want uint32
	switch {
	case p.EnforceBIP94 && retarget:
		return blockchain.CheckBlockHeaderContext(h, parent, blockchain.BFNone, c.ctx, true)
	case p.PoWNoRetargeting:
		want = p.PowLimitBits
	case !p.ReduceMinDifficulty && !retarget:
		want = parent.hdr.Bits
	default:
		return blockchain.CheckBlockHeaderContext(h, parent, blockchain.BFNone, c.ctx, true)
	}
	if h.Bits != want {
		return blockchain.RuleError{ErrorCode: blockchain.ErrUnexpectedDifficulty,
			Description: fmt.Sprintf("block difficulty of %d is not the expected value of %d", h.Bits, want)}
	}
	if median := past.median(); !h.Timestamp.After(median) {
		return blockchain.RuleError{ErrorCode: blockchain.ErrTimeTooOld,
			Description: fmt.Sprintf("block timestamp of %v is not after expected %v", h.Timestamp, median)}
	}
	if h.Version < 2 && height >= p.BIP0034Height ||
		h.Version < 3 && height >= p.BIP0066Height ||
		h.Version < 4 && height >= p.BIP0065Height {
		return blockchain.RuleError{ErrorCode: blockchain.ErrBlockVersionTooOld,
			Description: fmt.Sprintf("new blocks with version %d are no longer valid", h.Version)}
	}
	return nil
}
