package lightnode

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/lightnode/verify"
)

// Protocol limits for compact filters (BIP157).
const (
	maxCFHeadersPerMsg = 2000
	maxCFiltersPerMsg  = 1000
	cfCheckptInterval  = wire.CFCheckptInterval
)

// errNoFilterPeers is returned when no connected peer serves compact
// filters.
var errNoFilterPeers = errors.New("no connected peer serves compact block filters")

// kickFilters asks the filter goroutine to catch up with the header chain.
func (n *Node) kickFilters() {
	select {
	case n.filterKick <- struct{}{}:
	default:
	}
}

// restartFilterRound abandons the filter-header round in progress, if any;
// the filter goroutine starts a new one from the current header tip.
func (n *Node) restartFilterRound() {
	n.roundMu.Lock()
	if n.roundCancel != nil {
		n.roundCancel()
	}
	n.roundMu.Unlock()
}

// filterHandler keeps the filter-header chain in step with the header chain.
func (n *Node) filterHandler() {
	defer n.wg.Done()
	for {
		select {
		case <-n.filterKick:
			ctx, cancel := context.WithCancel(n.ctx)
			n.roundMu.Lock()
			n.roundCancel = cancel
			n.roundMu.Unlock()
			from, _ := n.store.FilterTip()
			err := n.syncFilterHeaders(ctx)
			if to, _ := n.store.FilterTip(); err == nil && to > from {
				n.log.Info("filter headers caught up", "height", to)
			}
			n.roundMu.Lock()
			n.roundCancel = nil
			n.roundMu.Unlock()
			cancel()
			switch {
			case errors.Is(err, context.Canceled) && n.ctx.Err() == nil:
				// The header tip moved: go again from the new one.
				n.kickFilters()
			case err != nil && !errors.Is(err, context.Canceled) &&
				!errors.Is(err, ErrStopped) && !errors.Is(err, errNoFilterPeers):
				n.log.Warn("filter header sync", "err", err)
			}
			n.publishFilterProgress()
		case <-n.quit:
			return
		}
	}
}

// publishFilterProgress refreshes the status and reports filter progress.
func (n *Node) publishFilterProgress() {
	h, _ := n.store.FilterTip()
	var changed bool
	n.setStatus(func(st *Status) {
		changed = st.FilterHeight != h
		st.FilterHeight = h
	})
	if changed {
		n.events.publish(FilterProgress{Height: h, HeaderHeight: n.store.Tip().Height})
	}
}

// syncFilterHeaders brings the filter-header chain up to the header tip. It
// returns when caught up, when no filter peer is left, or on ctx's end.
func (n *Node) syncFilterHeaders(ctx context.Context) error {
	for attempt := 0; attempt < 20; attempt++ {
		if err := n.ensureGenesisFilterHeader(); err != nil {
			return err
		}
		tip := n.store.Tip()
		if fh, _ := n.store.FilterTip(); fh >= tip.Height {
			return nil
		}
		peers := n.readyPeers(wire.SFNodeCF)
		if len(peers) == 0 {
			return errNoFilterPeers
		}
		err := n.filterRound(ctx, peers, tip)
		n.publishFilterProgress()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, context.Canceled), errors.Is(err, ErrStopped):
			return err
		default:
			// A peer was found lying or the chain moved: start over with
			// what is left.
			n.log.Info("filter header round restarted", "err", err)
		}
	}
	return errors.New("filter headers did not converge")
}

// ensureGenesisFilterHeader stores the genesis filter header, which we
// compute ourselves.
func (n *Node) ensureGenesisFilterHeader() error {
	if h, _ := n.store.FilterTip(); h >= 0 {
		return nil
	}
	filter, err := verify.BuildBasicFilter(n.params.GenesisBlock, nil)
	if err != nil {
		return err
	}
	hdr := verify.FilterHeader(filter, &chainhash.Hash{})
	return n.store.PutFilterHeaders(0, []chainhash.Hash{*n.params.GenesisHash}, []chainhash.Hash{hdr})
}

// filterRound fetches checkpoints from every filter peer, settles any
// disagreement, then downloads filter headers up to tip.
func (n *Node) filterRound(ctx context.Context, peers []*peerConn, tip headerstore.Tip) error {
	cps := make(map[*peerConn][]chainhash.Hash, len(peers))
	for _, pc := range peers {
		cp, err := n.fetchCheckpoints(ctx, pc, tip)
		if err != nil {
			n.reportPeer(pc, err)
			continue
		}
		cps[pc] = cp
	}
	if len(cps) == 0 {
		return errNoFilterPeers
	}
	// Compare every peer's checkpoints with the first one's.
	var ref *peerConn
	for pc := range cps {
		ref = pc
		break
	}
	for pc, cp := range cps {
		if i := firstDifference(cps[ref], cp); i >= 0 {
			lo := int32(i)*cfCheckptInterval + 1
			if err := n.settleDispute(ctx, ref, pc, lo, lo+cfCheckptInterval-1); err != nil {
				return err
			}
			return errors.New("filter checkpoints disagreed")
		}
	}
	agreed := cps[ref]

	// Ranges covered by agreed checkpoints, in batches that end on one.
	order := make([]*peerConn, 0, len(cps))
	for pc := range cps {
		order = append(order, pc)
	}
	if err := n.fetchCheckpointed(ctx, order, agreed); err != nil {
		return err
	}

	// The tail after the last checkpoint has nothing to check against:
	// every peer must agree on it before it is stored.
	fh, _ := n.store.FilterTip()
	if fh >= tip.Height {
		return nil
	}
	start, end := fh+1, tip.Height
	var (
		refHdrs   []chainhash.Hash
		refHashes []chainhash.Hash
		refPeer   *peerConn
	)
	for _, pc := range order {
		hdrs, hashes, err := n.fetchFilterHeaders(ctx, pc, start, end)
		if err != nil {
			n.reportPeer(pc, err)
			continue
		}
		if refPeer == nil {
			refPeer, refHdrs, refHashes = pc, hdrs, hashes
			continue
		}
		if i := firstDifference(refHdrs, hdrs); i >= 0 {
			if err := n.settleDispute(ctx, refPeer, pc, start, end); err != nil {
				return err
			}
			return errors.New("filter headers disagreed")
		}
	}
	if refPeer == nil {
		return errNoFilterPeers
	}
	return n.store.PutFilterHeaders(start, refHashes, refHdrs)
}

// cfPipelineDepth is how many getcfheaders requests each peer has
// outstanding during the checkpointed part of a filter-header sync.
const cfPipelineDepth = 2

// cfRange is a batch of filter headers, heights start..end.
type cfRange struct{ start, end int32 }

// cfResult is the answer for one cfRange.
type cfResult struct {
	pc     *peerConn
	hdrs   []chainhash.Hash
	hashes []chainhash.Hash
	err    error
}

// fetchCheckpointed downloads the filter headers from the filter tip up to
// the last agreed checkpoint in batches of up to 2,000 that end on a
// checkpoint, spread over peers (batch i from peers[i % len(peers)]) with
// cfPipelineDepth requests outstanding at each. Every batch but the first
// follows a checkpoint, so each can be chained and checked on its own;
// batches are stored in order as they come.
func (n *Node) fetchCheckpointed(ctx context.Context, peers []*peerConn, agreed []chainhash.Hash) error {
	lastCP := int32(len(agreed)) * cfCheckptInterval
	fh, prev := n.store.FilterTip()
	var ranges []cfRange
	for start := fh + 1; start <= lastCP; {
		end := min(start+maxCFHeadersPerMsg-1, lastCP)
		end -= end % cfCheckptInterval // lastCP is a checkpoint, so end >= start
		ranges = append(ranges, cfRange{start, end})
		start = end + 1
	}
	if len(ranges) == 0 {
		return nil
	}

	// Requests still out when a batch fails are cancelled and waited for.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	results := make([]chan cfResult, len(ranges))
	launch := func(i int) {
		results[i] = make(chan cfResult, 1)
		r, pc := ranges[i], peers[i%len(peers)]
		after := prev // the stored filter tip, for the first batch
		if i > 0 {
			after = agreed[(r.start-1)/cfCheckptInterval-1]
		}
		wg.Go(func() {
			hdrs, hashes, err := n.fetchFilterHeadersAfter(ctx, pc, r.start, r.end, after)
			results[i] <- cfResult{pc, hdrs, hashes, err}
		})
	}
	depth := cfPipelineDepth * len(peers)
	for i := range min(depth, len(ranges)) {
		launch(i)
	}
	for i, r := range ranges {
		res := <-results[i]
		if next := i + depth; next < len(ranges) {
			launch(next)
		}
		err := res.err
		if err == nil {
			first := (r.start + cfCheckptInterval - 1) / cfCheckptInterval * cfCheckptInterval
			for h := first; h <= r.end; h += cfCheckptInterval {
				if res.hdrs[h-r.start] != agreed[h/cfCheckptInterval-1] {
					err = misbehaved("sent filter headers that contradict the agreed checkpoints", nil)
					break
				}
			}
		}
		if err != nil {
			n.reportPeer(res.pc, err)
			return err
		}
		if err := n.store.PutFilterHeaders(r.start, res.hashes, res.hdrs); err != nil {
			return err
		}
		n.publishFilterProgress()
	}
	return nil
}

func firstDifference(a, b []chainhash.Hash) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// fetchCheckpoints asks pc for the filter headers at every 1,000th block up
// to tip.
func (n *Node) fetchCheckpoints(ctx context.Context, pc *peerConn, tip headerstore.Tip) ([]chainhash.Hash, error) {
	var got *wire.MsgCFCheckpt
	err := n.request(ctx, pc, wire.NewMsgGetCFCheckpt(wire.GCSFilterRegular, &tip.Hash),
		func(m wire.Message) (bool, bool, error) {
			cp, ok := m.(*wire.MsgCFCheckpt)
			if !ok || cp.StopHash != tip.Hash || cp.FilterType != wire.GCSFilterRegular {
				return false, false, nil
			}
			got = cp
			return true, true, nil
		})
	if err != nil {
		return nil, err
	}
	if want := int(tip.Height / cfCheckptInterval); len(got.FilterHeaders) != want {
		return nil, misbehaved("sent a wrong number of filter checkpoints",
			fmt.Errorf("%d for height %d, want %d", len(got.FilterHeaders), tip.Height, want))
	}
	out := make([]chainhash.Hash, len(got.FilterHeaders))
	for i, h := range got.FilterHeaders {
		out[i] = *h
	}
	return out, nil
}

// fetchFilterHeaders asks pc for the filter headers of heights start..end
// and chains them onto our stored filter header at start-1. It returns the
// headers and the block hashes they belong to.
func (n *Node) fetchFilterHeaders(ctx context.Context, pc *peerConn, start, end int32) ([]chainhash.Hash, []chainhash.Hash, error) {
	prev, err := n.store.FilterHeader(start - 1)
	if err != nil {
		return nil, nil, err
	}
	return n.fetchFilterHeadersAfter(ctx, pc, start, end, prev)
}

// fetchFilterHeadersAfter is fetchFilterHeaders with the filter header at
// start-1 given: stored, or an agreed checkpoint.
func (n *Node) fetchFilterHeadersAfter(ctx context.Context, pc *peerConn, start, end int32, prev chainhash.Hash) ([]chainhash.Hash, []chainhash.Hash, error) {
	blocks, err := n.store.BlockHashes(start, int(end-start+1))
	if err != nil {
		return nil, nil, err
	}
	if len(blocks) != int(end-start+1) {
		return nil, nil, errors.New("the header chain changed")
	}
	stop := blocks[len(blocks)-1]
	var got *wire.MsgCFHeaders
	err = n.request(ctx, pc, wire.NewMsgGetCFHeaders(wire.GCSFilterRegular, uint32(start), &stop),
		func(m wire.Message) (bool, bool, error) {
			cf, ok := m.(*wire.MsgCFHeaders)
			if !ok || cf.StopHash != stop || cf.FilterType != wire.GCSFilterRegular {
				return false, false, nil
			}
			got = cf
			return true, true, nil
		})
	if err != nil {
		return nil, nil, err
	}
	if len(got.FilterHashes) != len(blocks) {
		return nil, nil, misbehaved("sent a wrong number of filter headers",
			fmt.Errorf("%d for %d blocks", len(got.FilterHashes), len(blocks)))
	}
	if got.PrevFilterHeader != prev {
		return nil, nil, misbehaved("sent filter headers that do not follow ours",
			fmt.Errorf("previous header %s, ours %s at height %d", got.PrevFilterHeader, prev, start-1))
	}
	hdrs := make([]chainhash.Hash, len(blocks))
	var pair [2 * chainhash.HashSize]byte
	for i, fh := range got.FilterHashes {
		copy(pair[:], fh[:])
		copy(pair[chainhash.HashSize:], prev[:])
		hdrs[i] = chainhash.DoubleHashH(pair[:])
		prev = hdrs[i]
	}
	return hdrs, blocks, nil
}

// settleDispute finds out which of a and b lies about the filter headers of
// heights lo..hi (they agree up to lo-1): it finds the first height where
// they differ, fetches that block and both peers' filters for it, and bans
// the peer whose filter does not fit the block or its own headers.
func (n *Node) settleDispute(ctx context.Context, a, b *peerConn, lo, hi int32) error {
	if tip := n.store.Tip().Height; hi > tip {
		hi = tip
	}
	ha, hashes, errA := n.fetchFilterHeaders(ctx, a, lo, hi)
	hb, _, errB := n.fetchFilterHeaders(ctx, b, lo, hi)
	if errA != nil || errB != nil {
		if errA != nil {
			n.reportPeer(a, errA)
		}
		if errB != nil {
			n.reportPeer(b, errB)
		}
		return fmt.Errorf("settling filter headers: %v / %v", errA, errB)
	}
	i := firstDifference(ha, hb)
	if i < 0 {
		return nil // they agree now
	}
	height := lo + int32(i)
	block, err := n.GetBlock(ctx, &hashes[i])
	if err != nil {
		return fmt.Errorf("settling filter headers at %d: %w", height, err)
	}
	prevA, prevB := prevHeader(ha, i, lo, n), prevHeader(hb, i, lo, n)
	// judge returns proof that pc lied (strong), or only evidence (weak):
	// a filter missing a spent script we reconstructed from the input may
	// still be right if the spend was non-standard.
	judge := func(pc *peerConn, claimed, prev chainhash.Hash) (strong, weak error) {
		f, err := n.fetchFilter(ctx, pc, height, hashes[i])
		if err != nil {
			return err, nil
		}
		if verify.FilterHeader(f, &prev) != claimed {
			return misbehaved("sent a filter that does not match its own filter header", nil), nil
		}
		if err := verify.BasicFilter(f, block); err != nil {
			bad := misbehaved("sent a filter that does not match the block", err)
			if verify.IsErrorCode(err, verify.ErrFilterMissingSpentScript) {
				return nil, bad
			}
			return bad, nil
		}
		return nil, nil
	}
	strongA, weakA := judge(a, ha[i], prevA)
	strongB, weakB := judge(b, hb[i], prevB)
	errA, errB = strongA, strongB
	if errA == nil && weakA != nil && strongB == nil && weakB == nil {
		errA = weakA
	}
	if errB == nil && weakB != nil && strongA == nil && weakA == nil {
		errB = weakB
	}
	n.reportPeer(a, errA)
	n.reportPeer(b, errB)
	if errA == nil && errB == nil {
		// Both filters hold everything we can check; we cannot tell
		// which is wrong. Keep the first peer, drop the other without a
		// ban.
		n.log.Warn("filter dispute undecided", "height", height, "kept", a.addr, "dropped", b.addr)
		n.send(dropRequest{b})
	}
	n.log.Info("filter dispute settled", "height", height, "a", a.addr, "a_err", errA, "b", b.addr, "b_err", errB)
	return nil
}

func prevHeader(hdrs []chainhash.Hash, i int, lo int32, n *Node) chainhash.Hash {
	if i > 0 {
		return hdrs[i-1]
	}
	h, _ := n.store.FilterHeader(lo - 1)
	return h
}

// dropRequest asks the sync goroutine to disconnect a peer without a ban.
type dropRequest struct{ pc *peerConn }

// fetchFilter asks pc for the basic filter of one block.
func (n *Node) fetchFilter(ctx context.Context, pc *peerConn, height int32, hash chainhash.Hash) ([]byte, error) {
	var data []byte
	err := n.request(ctx, pc, wire.NewMsgGetCFilters(wire.GCSFilterRegular, uint32(height), &hash),
		func(m wire.Message) (bool, bool, error) {
			f, ok := m.(*wire.MsgCFilter)
			if !ok || f.BlockHash != hash || f.FilterType != wire.GCSFilterRegular {
				return false, false, nil
			}
			data = f.Data
			return true, true, nil
		})
	return data, err
}

// FilterFunc receives one verified basic filter.
type FilterFunc func(height int32, blockHash chainhash.Hash, filter *gcs.Filter) error

// Filters calls fn for the verified basic filter of every block from start
// to end, in height order. Filters come from the on-disk cache or from
// peers, and each is checked against the filter-header chain before use; a
// peer whose filter does not match is banned and another is asked. The
// filter headers must already cover end.
func (n *Node) Filters(ctx context.Context, start, end int32, fn FilterFunc) error {
	if fh, _ := n.store.FilterTip(); end > fh {
		return fmt.Errorf("filter headers reach height %d, not %d: sync first", fh, end)
	}
	for h := start; h <= end; {
		// Serve what the cache has.
		if hash, data, err := n.store.Filter(h); err == nil {
			f, err := gcs.FromNBytes(builder.DefaultP, builder.DefaultM, data)
			if err != nil {
				return err
			}
			if err := fn(h, hash, f); err != nil {
				return err
			}
			h++
			continue
		}
		batchEnd := min(h+maxCFiltersPerMsg-1, end)
		got, err := n.fetchFilterBatch(ctx, h, batchEnd)
		if err != nil {
			return err
		}
		for i, item := range got {
			f, err := gcs.FromNBytes(builder.DefaultP, builder.DefaultM, item.data)
			if err != nil {
				return err
			}
			if err := fn(h+int32(i), item.hash, f); err != nil {
				return err
			}
		}
		h += int32(len(got))
	}
	return nil
}

type filterItem struct {
	hash chainhash.Hash
	data []byte
}

// fetchFilterBatch downloads and verifies the filters of start..end from
// one peer after another until one answers truthfully, and caches them.
func (n *Node) fetchFilterBatch(ctx context.Context, start, end int32) ([]filterItem, error) {
	blocks, err := n.store.BlockHashes(start, int(end-start+1))
	if err != nil {
		return nil, err
	}
	// fhdrs[i] is the filter header before blocks[i]; genesis follows zero.
	var fhdrs []chainhash.Hash
	if start == 0 {
		fhdrs = append(fhdrs, chainhash.Hash{})
		rest, err := n.store.FilterHeaders(0, len(blocks))
		if err != nil {
			return nil, err
		}
		fhdrs = append(fhdrs, rest...)
	} else if fhdrs, err = n.store.FilterHeaders(start-1, len(blocks)+1); err != nil {
		return nil, err
	}
	if len(fhdrs) != len(blocks)+1 {
		return nil, errors.New("the filter headers changed")
	}
	for attempt := 0; attempt < 8; attempt++ {
		peers := n.readyPeers(wire.SFNodeCF)
		if len(peers) == 0 {
			return nil, errNoFilterPeers
		}
		pc := peers[attempt%len(peers)]
		items, err := n.filtersFrom(ctx, pc, start, blocks, fhdrs)
		if err != nil {
			n.reportPeer(pc, err)
			if errors.Is(err, context.Canceled) || errors.Is(err, ErrStopped) {
				return nil, err
			}
			continue
		}
		hashes := make([]chainhash.Hash, len(items))
		datas := make([][]byte, len(items))
		for i, it := range items {
			hashes[i], datas[i] = it.hash, it.data
		}
		if err := n.store.PutFilters(start, hashes, datas); err != nil {
			n.log.Warn("cannot cache filters", "err", err)
		}
		return items, nil
	}
	return nil, errors.New("no peer sent filters that match the filter headers")
}

// filtersFrom asks one peer for the filters of blocks (from height start)
// and checks each against the filter headers: fhdrs[i] precedes blocks[i].
func (n *Node) filtersFrom(ctx context.Context, pc *peerConn, start int32, blocks []chainhash.Hash, fhdrs []chainhash.Hash) ([]filterItem, error) {
	stop := blocks[len(blocks)-1]
	items := make([]filterItem, 0, len(blocks))
	err := n.request(ctx, pc, wire.NewMsgGetCFilters(wire.GCSFilterRegular, uint32(start), &stop),
		func(m wire.Message) (bool, bool, error) {
			f, ok := m.(*wire.MsgCFilter)
			if !ok || f.FilterType != wire.GCSFilterRegular || len(items) >= len(blocks) ||
				f.BlockHash != blocks[len(items)] {
				return false, false, nil
			}
			i := len(items)
			if verify.FilterHeader(f.Data, &fhdrs[i]) != fhdrs[i+1] {
				return true, true, misbehaved("sent a filter that does not match its filter header",
					fmt.Errorf("block %s at height %d", f.BlockHash, start+int32(i)))
			}
			items = append(items, filterItem{hash: f.BlockHash, data: f.Data})
			return true, len(items) == len(blocks), nil
		})
	return items, err
}

// MatchScripts returns, in order, the heights from start to end whose basic
// filter matches any of scripts. Matching is spread over all cores while
// filters are fetched; progress, if set, is called with the last height
// handed to the matchers.
func (n *Node) MatchScripts(ctx context.Context, start, end int32, scripts [][]byte, progress func(height int32)) ([]int32, error) {
	if len(scripts) == 0 || end < start {
		return nil, nil
	}
	m := newMatcher(scripts, runtime.NumCPU())
	err := n.Filters(ctx, start, end, func(h int32, hash chainhash.Hash, f *gcs.Filter) error {
		if err := m.add(ctx, h, hash, f); err != nil {
			return err
		}
		if progress != nil {
			progress(h)
		}
		return nil
	})
	matches, merr := m.wait()
	if err == nil {
		err = merr
	}
	return matches, err
}

// scriptMatcher matches filters against a set of scripts on several goroutines.
type scriptMatcher struct {
	scripts [][]byte
	jobs    chan matchJob
	wg      sync.WaitGroup
	mu      sync.Mutex
	matches []int32
	err     error
}

type matchJob struct {
	height int32
	hash   chainhash.Hash
	filter *gcs.Filter
}

func newMatcher(scripts [][]byte, workers int) *scriptMatcher {
	m := &scriptMatcher{scripts: scripts, jobs: make(chan matchJob, 256)}
	for range max(workers, 1) {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			var scratch []uint64
			for j := range m.jobs {
				key := builder.DeriveKey(&j.hash)
				ok, err := matchAny(j.filter, &key, m.scripts, &scratch)
				if err != nil || ok {
					m.mu.Lock()
					if err != nil && m.err == nil {
						m.err = err
					}
					if ok {
						m.matches = append(m.matches, j.height)
					}
					m.mu.Unlock()
				}
			}
		}()
	}
	return m
}

// add queues one filter.
func (m *scriptMatcher) add(ctx context.Context, height int32, hash chainhash.Hash, f *gcs.Filter) error {
	select {
	case m.jobs <- matchJob{height, hash, f}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait finishes matching and returns the matching heights in order.
func (m *scriptMatcher) wait() ([]int32, error) {
	close(m.jobs)
	m.wg.Wait()
	slices.Sort(m.matches)
	return m.matches, m.err
}
