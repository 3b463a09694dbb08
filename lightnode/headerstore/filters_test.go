package headerstore

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"go.etcd.io/bbolt"
)

// wantFilterTip fails the test unless the filter tip of s is at height and
// holds the fake filter header of block (the zero hash for height -1).
func wantFilterTip(t testing.TB, s Store, height int32, block chainhash.Hash) {
	t.Helper()
	h, fh := s.FilterTip()
	want := chainhash.Hash{}
	if height >= 0 {
		want = fakeFilterHeader(block)
	}
	if h != height || fh != want {
		t.Fatalf("FilterTip = %d %s, want %d %s", h, fh, height, want)
	}
}

func TestFilterHeaders(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 3000)
	s := openStore(t, path, &chaincfg.RegressionNetParams)

	wantFilterTip(t, s, -1, chainhash.Hash{})
	if _, err := s.FilterHeader(0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FilterHeader(0) with none stored = %v, want ErrNotFound", err)
	}
	if got, err := s.FilterHeaders(0, 10); err != nil || len(got) != 0 {
		t.Fatalf("FilterHeaders with none stored = %d, %v", len(got), err)
	}

	// A getcfheaders answer is up to 2,000 headers; the store takes any
	// batch size.
	putFilterHeaders(t, s, all[:2000], 2000)
	putFilterHeaders(t, s, all[2000:2500], 333)
	wantFilterTip(t, s, 2499, all[2499].Hash)

	before := fileDigest(t, path)
	if err := s.PutFilterHeaders(2500, nil, nil); err != nil {
		t.Fatalf("empty PutFilterHeaders: %v", err)
	}
	if fileDigest(t, path) != before {
		t.Fatal("an empty PutFilterHeaders wrote to chain.db")
	}

	check := func(t *testing.T, s Store) {
		t.Helper()
		wantFilterTip(t, s, 2499, all[2499].Hash)
		for _, h := range []int32{0, 1, 1999, 2000, 2001, 2498, 2499} {
			got, err := s.FilterHeader(h)
			if err != nil || got != fakeFilterHeader(all[h].Hash) {
				t.Fatalf("FilterHeader(%d) = %s, %v", h, got, err)
			}
		}
		for _, h := range []int32{-1, 2500, 3000, math.MaxInt32} {
			if _, err := s.FilterHeader(h); !errors.Is(err, ErrNotFound) {
				t.Fatalf("FilterHeader(%d) = %v, want ErrNotFound", h, err)
			}
		}
		rangeTests := []struct {
			name        string
			start       int32
			count       int
			first, want int
		}{
			{"from genesis", 0, 25, 0, 25},
			{"across batches", 1990, 20, 1990, 20},
			{"clipped at the filter tip", 2490, 100, 2490, 10},
			{"just the filter tip", 2499, 1, 2499, 1},
			{"above the filter tip", 2500, 10, 0, 0},
			{"above the header tip", 5000, 10, 0, 0},
			{"zero count", 10, 0, 0, 0},
			{"huge count", 2498, math.MaxInt, 2498, 2},
		}
		for _, tc := range rangeTests {
			t.Run("FilterHeaders/"+tc.name, func(t *testing.T) {
				got, err := s.FilterHeaders(tc.start, tc.count)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tc.want {
					t.Fatalf("got %d filter headers, want %d", len(got), tc.want)
				}
				for i := range got {
					if got[i] != fakeFilterHeader(all[tc.first+i].Hash) {
						t.Fatalf("filter header %d is wrong", tc.first+i)
					}
				}
			})
		}
		if _, err := s.FilterHeaders(-1, 5); !errors.Is(err, ErrNotFound) {
			t.Errorf("FilterHeaders(-1) = %v, want ErrNotFound", err)
		}
	}
	check(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Both kinds of reopen see the same, and opening does not write.
	before = fileDigest(t, path)
	s = openStore(t, path, &chaincfg.RegressionNetParams)
	check(t, s)
	s.Close()
	ro, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	check(t, ro)
	if fileDigest(t, path) != before {
		t.Fatal("reopening wrote to chain.db")
	}
}

func TestPutFilterHeadersRejectsWithoutWriting(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 100)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	bits := chaincfg.RegressionNetParams.PowLimitBits

	// On an empty filter-header chain only genesis can come first.
	hashes, fhs := filterBatch(all[1:5])
	wantErr(t, s.PutFilterHeaders(1, hashes, fhs), ErrNotChained)

	putFilterHeaders(t, s, all[:50], 2000)
	side := extend(all[52], 20, bits, 1) // a branch from 52: heights 53..72

	type batch struct {
		start       int32
		blockHashes []chainhash.Hash
		headers     []chainhash.Hash
	}
	of := func(start int32, headers []StoredHeader) batch {
		hashes, fhs := filterBatch(headers)
		return batch{start, hashes, fhs}
	}
	tests := []struct {
		name  string
		batch batch
		want  error
	}{
		{"gap after the filter tip", of(51, all[51:60]), ErrNotChained},
		{"overlaps the filter tip", of(49, all[49:60]), ErrNotChained},
		{"starts again at genesis", of(0, all[:60]), ErrNotChained},
		{"negative start", of(-1, all[:60]), ErrNotChained},
		{"beyond the header tip", batch{50, append(slices.Clone(of(50, all[50:]).blockHashes), all[100].Hash),
			append(slices.Clone(of(50, all[50:]).headers), fakeFilterHeader(all[100].Hash))}, ErrNotChained},
		{"blocks of a side branch", of(50, append(slices.Clone(all[50:53]), side[:10]...)), ErrNotChained},
		{"last block of a side branch", of(50, append(slices.Clone(all[50:53]), side[0])), ErrNotChained},
		{"blocks shifted by one height", batch{50, of(51, all[51:61]).blockHashes, of(51, all[51:61]).headers}, ErrNotChained},
		{"fewer block hashes than headers", batch{50, of(50, all[50:59]).blockHashes, of(50, all[50:60]).headers}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fileDigest(t, path)
			err := s.PutFilterHeaders(tc.batch.start, tc.batch.blockHashes, tc.batch.headers)
			if err == nil {
				t.Fatal("PutFilterHeaders succeeded")
			}
			if tc.want != nil {
				wantErr(t, err, tc.want)
			}
			if fileDigest(t, path) != before {
				t.Fatal("a rejected PutFilterHeaders changed chain.db")
			}
			wantFilterTip(t, s, 49, all[49].Hash)
			if _, err := s.FilterHeader(50); !errors.Is(err, ErrNotFound) {
				t.Fatalf("FilterHeader(50) = %v, want ErrNotFound", err)
			}
		})
	}

	// The real continuation, up to the header tip, is still accepted.
	putFilterHeaders(t, s, all[50:], 2000)
	wantFilterTip(t, s, 100, all[100].Hash)
}

func TestReorgRemovesFiltersAboveFork(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 100)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	bits := chaincfg.RegressionNetParams.PowLimitBits

	putFilterHeaders(t, s, all, 2000)
	hashes, filters := filtersOf(all, 300)
	if err := s.PutFilters(0, hashes, filters); err != nil {
		t.Fatal(err)
	}
	orphan, orphanRaw := fakeBlock(t, &all[95].Header, 5000)
	if err := s.PutBlock(orphan, orphanRaw); err != nil {
		t.Fatal(err)
	}

	// Headers reorganize 10 blocks deep onto a longer branch.
	const fork = 90
	branch := extend(all[fork], 15, bits, 1)
	if err := s.Connect(fork, branch); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T, s Store) {
		t.Helper()
		wantFilterTip(t, s, fork, all[fork].Hash)
		for h := int32(fork + 1); h <= 105; h++ {
			if _, err := s.FilterHeader(h); !errors.Is(err, ErrNotFound) {
				t.Fatalf("FilterHeader(%d) above the fork = %v, want ErrNotFound", h, err)
			}
			if _, _, err := s.Filter(h); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Filter(%d) above the fork = %v, want ErrNotFound", h, err)
			}
		}
		for _, h := range []int32{0, 50, fork} {
			got, err := s.FilterHeader(h)
			if err != nil || got != fakeFilterHeader(all[h].Hash) {
				t.Fatalf("FilterHeader(%d) below the fork = %s, %v", h, got, err)
			}
			block, f, err := s.Filter(h)
			if err != nil || block != all[h].Hash || !bytes.Equal(f, filters[h]) {
				t.Fatalf("Filter(%d) below the fork = %s, %v", h, block, err)
			}
		}
		// The block cache is keyed by hash and keeps the orphan.
		if raw, err := s.Block(orphan); err != nil || !bytes.Equal(raw, orphanRaw) {
			t.Fatalf("orphaned block left the cache: %v", err)
		}
	}
	check(t, s)

	// Filter headers and filters of the old branch no longer fit; those of
	// the new one do.
	oldHashes, oldFhs := filterBatch(all[fork+1 : fork+6])
	wantErr(t, s.PutFilterHeaders(fork+1, oldHashes, oldFhs), ErrNotChained)
	oldFilterHashes, oldFilters := filtersOf(all[fork+1:fork+6], 300)
	if err := s.PutFilters(fork+1, oldFilterHashes, oldFilters); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Filter(fork + 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a filter of the old branch was cached: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cs := rawCache(t, path, filterCache)
	if hs := heightsOf(t, cs.keys); len(hs) != fork+1 || slices.Max(hs) != fork {
		t.Fatalf("filter cache holds heights %v after the reorg", hs)
	}
	if n := rawFilterHeaderCount(t, path); n != fork+1 {
		t.Fatalf("%d filter headers in the file, want %d", n, fork+1)
	}
	s = openStore(t, path, &chaincfg.RegressionNetParams)
	check(t, s)

	// A reorganization to a shorter chain leaves the filter tip at the fork
	// too.
	putFilterHeaders(t, s, branch, 2000)
	wantFilterTip(t, s, 105, branch[14].Hash)
	short := extend(branch[2], 1, chaincfg.MainNetParams.PowLimitBits, 2) // height 94, more work
	if err := s.Connect(93, short); err != nil {
		t.Fatal(err)
	}
	wantFilterTip(t, s, 93, branch[2].Hash)
	if tip := s.Tip(); tip.Height != 94 {
		t.Fatalf("tip = %d, want 94", tip.Height)
	}
}

func TestFilterCache(t *testing.T) {
	const filterLen = 500
	budget := 10 * filterEntrySize(filterLen)
	path := chainPath(t)
	all := regtestChain(t, path, 200)
	cfg := &Config{Path: path, Params: &chaincfg.RegressionNetParams, FilterCacheBytes: budget}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	put := func(t *testing.T, s Store, from, to int) {
		t.Helper()
		hashes, filters := filtersOf(all[from:to], filterLen)
		if err := s.PutFilters(int32(from), hashes, filters); err != nil {
			t.Fatalf("PutFilters(%d..%d): %v", from, to-1, err)
		}
	}
	cached := func(t *testing.T, s Store, heights ...int) {
		t.Helper()
		for _, h := range heights {
			block, f, err := s.Filter(int32(h))
			if err != nil || block != all[h].Hash || !bytes.Equal(f, fakeFilter(all[h].Hash, filterLen)) {
				t.Fatalf("Filter(%d) = %v, want the cached filter", h, err)
			}
		}
	}
	evicted := func(t *testing.T, s Store, heights ...int) {
		t.Helper()
		for _, h := range heights {
			if _, _, err := s.Filter(int32(h)); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Filter(%d) = %v, want ErrNotFound", h, err)
			}
		}
	}

	// Insertion order, not height, decides: a wallet rescan from its
	// birthday caches low heights after high ones.
	put(t, s, 150, 156) // 6 filters
	put(t, s, 10, 14)   // 4 more: exactly the budget
	cached(t, s, 150, 155, 10, 13)
	put(t, s, 14, 17) // 3 more: the 3 oldest go
	evicted(t, s, 150, 151, 152)
	cached(t, s, 153, 154, 155, 10, 16)

	// The returned filter is the caller's to change.
	_, f, err := s.Filter(16)
	if err != nil {
		t.Fatal(err)
	}
	f[0] ^= 0xff
	cached(t, s, 16)

	// A filter already cached for the same block is not stored again, nor
	// does it become newer.
	before := fileDigest(t, path)
	put(t, s, 153, 154)
	if fileDigest(t, path) != before {
		t.Fatal("caching a cached filter again wrote to chain.db")
	}

	// A batch larger than the budget leaves its newest filters; a filter
	// larger than the whole budget is skipped, not cached.
	put(t, s, 20, 40)
	evicted(t, s, 153, 10, 16, 20, 29)
	cached(t, s, 30, 35, 39)
	huge := bytes.Repeat([]byte{1}, int(budget))
	hashes := []chainhash.Hash{all[40].Hash, all[41].Hash}
	if err := s.PutFilters(40, hashes, [][]byte{huge, fakeFilter(all[41].Hash, filterLen)}); err != nil {
		t.Fatal(err)
	}
	evicted(t, s, 40, 30)
	cached(t, s, 31, 41)

	// Mismatched arguments are refused.
	if err := s.PutFilters(50, hashes, [][]byte{{1}}); err == nil {
		t.Fatal("PutFilters with 2 hashes for 1 filter succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	cs := rawCache(t, path, filterCache)
	if cs.total > budget {
		t.Fatalf("filter cache holds %d bytes, budget %d", cs.total, budget)
	}
	want := []int32{31, 32, 33, 34, 35, 36, 37, 38, 39, 41}
	if got := heightsOf(t, cs.keys); !slices.Equal(got, want) {
		t.Fatalf("filter cache holds %v (oldest first), want %v", got, want)
	}

	// The cache, its order and its total survive a restart.
	s, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cached(t, s, 31, 39, 41)
	put(t, s, 60, 62)
	evicted(t, s, 31, 32)
	cached(t, s, 33, 60, 61)
}

func TestBlockCache(t *testing.T) {
	const blockLen = 10_000
	budget := 3 * blockEntrySize(blockLen)
	path := chainPath(t)
	all := regtestChain(t, path, 20)
	cfg := &Config{Path: path, Params: &chaincfg.RegressionNetParams, BlockCacheBytes: budget}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([]chainhash.Hash, len(all))
	raws := make([][]byte, len(all))
	for i := range all {
		hashes[i], raws[i] = fakeBlock(t, &all[i].Header, blockLen)
	}
	put := func(t *testing.T, s Store, heights ...int) {
		t.Helper()
		for _, h := range heights {
			if err := s.PutBlock(hashes[h], raws[h]); err != nil {
				t.Fatalf("PutBlock(%d): %v", h, err)
			}
		}
	}
	cached := func(t *testing.T, s Store, heights ...int) {
		t.Helper()
		for _, h := range heights {
			if raw, err := s.Block(hashes[h]); err != nil || !bytes.Equal(raw, raws[h]) {
				t.Fatalf("Block(%d) = %v, want the cached block", h, err)
			}
		}
	}
	evicted := func(t *testing.T, s Store, heights ...int) {
		t.Helper()
		for _, h := range heights {
			if _, err := s.Block(hashes[h]); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Block(%d) = %v, want ErrNotFound", h, err)
			}
		}
	}

	put(t, s, 5, 1, 7)
	cached(t, s, 5, 1, 7)
	put(t, s, 2, 3)
	evicted(t, s, 5, 1)
	cached(t, s, 7, 2, 3)

	// The returned block is the caller's to change.
	raw, err := s.Block(hashes[3])
	if err != nil {
		t.Fatal(err)
	}
	raw[100] ^= 0xff
	cached(t, s, 3)

	// A block cached already is neither written again nor made newer.
	before := fileDigest(t, path)
	put(t, s, 7)
	if fileDigest(t, path) != before {
		t.Fatal("caching a cached block again wrote to chain.db")
	}

	// A block larger than the whole budget is not cached and evicts
	// nothing.
	bigHash, bigRaw := fakeBlock(t, &all[10].Header, int(budget))
	if err := s.PutBlock(bigHash, bigRaw); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Block(bigHash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a block over the budget was cached: %v", err)
	}
	cached(t, s, 7, 2, 3)

	// A block that does not hash to its key is refused.
	if err := s.PutBlock(hashes[4], raws[5]); err == nil {
		t.Fatal("PutBlock under the wrong hash succeeded")
	}
	if err := s.PutBlock(hashes[4], raws[4][:79]); err == nil {
		t.Fatal("PutBlock of 79 bytes succeeded")
	}
	evicted(t, s, 4, 5)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	cs := rawCache(t, path, blockCache)
	if cs.total > budget || len(cs.keys) != 3 {
		t.Fatalf("block cache holds %d blocks, %d bytes; budget %d", len(cs.keys), cs.total, budget)
	}
	for i, h := range []int{7, 2, 3} {
		if !bytes.Equal(cs.keys[i], hashes[h][:]) {
			t.Fatalf("block %d of the cache is not block %d", i, h)
		}
	}

	// The cache and its order survive a restart.
	s, err = Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cached(t, s, 7, 2, 3)
	put(t, s, 9)
	evicted(t, s, 7)
	cached(t, s, 2, 3, 9)

	// CachedBlocks walks the cache newest first, hands out copies, and
	// stops when asked to.
	var walked []chainhash.Hash
	err = s.CachedBlocks(func(hash chainhash.Hash, raw []byte) bool {
		walked = append(walked, hash)
		if h := slices.Index(hashes, hash); h < 0 || !bytes.Equal(raw, raws[h]) {
			t.Errorf("CachedBlocks gave block %s with the wrong bytes", hash)
		}
		raw[100] ^= 0xff
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []chainhash.Hash{hashes[9], hashes[3], hashes[2]}; !slices.Equal(walked, want) {
		t.Fatalf("CachedBlocks walked %v, want %v", walked, want)
	}
	cached(t, s, 2, 3, 9)
	walked = walked[:0]
	if err := s.CachedBlocks(func(hash chainhash.Hash, _ []byte) bool {
		walked = append(walked, hash)
		return false
	}); err != nil || len(walked) != 1 {
		t.Fatalf("CachedBlocks went on after false: %d blocks, %v", len(walked), err)
	}
}

func TestCachesDisabled(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 20)
	cfg := &Config{Path: path, Params: &chaincfg.RegressionNetParams, FilterCacheBytes: -1, BlockCacheBytes: -1}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := fileDigest(t, path)
	hashes, filters := filtersOf(all, 100)
	if err := s.PutFilters(0, hashes, filters); err != nil {
		t.Fatal(err)
	}
	blockHash, raw := fakeBlock(t, &all[3].Header, 1000)
	if err := s.PutBlock(blockHash, raw); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Filter(3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Filter with the cache disabled = %v, want ErrNotFound", err)
	}
	if _, err := s.Block(blockHash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Block with the cache disabled = %v, want ErrNotFound", err)
	}
	if fileDigest(t, path) != before {
		t.Fatal("disabled caches wrote to chain.db")
	}
	// Filter headers are not a cache: they are stored all the same.
	putFilterHeaders(t, s, all, 2000)
	s.Close()
	for _, b := range [][]byte{filtersBucket, filterSeqBucket, blocksBucket, blockSeqBucket} {
		if n := rawKeyCount(t, path, b); n != 0 {
			t.Fatalf("bucket %s holds %d keys", b, n)
		}
	}
}

func TestOpenTrimsLoweredBudget(t *testing.T) {
	path := chainPath(t)
	all := regtestChain(t, path, 50)
	s := openStore(t, path, &chaincfg.RegressionNetParams)
	if b := s.(*boltStore); b.filterBudget != DefaultFilterCacheBytes || b.blockBudget != DefaultBlockCacheBytes {
		t.Fatalf("budgets %d, %d; want the defaults", b.filterBudget, b.blockBudget)
	}
	hashes, filters := filtersOf(all, 1000)
	if err := s.PutFilters(0, hashes, filters); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := s.PutBlock(fakeBlock(t, &all[i].Header, 2000)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	// A read-only Open cannot trim, and still reads.
	filterBudget, blockBudget := 5*filterEntrySize(1000), 2*blockEntrySize(2000)
	before := fileDigest(t, path)
	ro, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true,
		FilterCacheBytes: filterBudget, BlockCacheBytes: blockBudget})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ro.Filter(0); err != nil {
		t.Fatalf("read-only Filter(0): %v", err)
	}
	ro.Close()
	if fileDigest(t, path) != before {
		t.Fatal("a read-only Open wrote to chain.db")
	}

	s, err = Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams,
		FilterCacheBytes: filterBudget, BlockCacheBytes: blockBudget})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Filter(45); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Filter(45) after lowering the budget = %v, want ErrNotFound", err)
	}
	if _, _, err := s.Filter(46); err != nil {
		t.Fatalf("Filter(46) after lowering the budget = %v", err)
	}
	s.Close()
	fcs, bcs := rawCache(t, path, filterCache), rawCache(t, path, blockCache)
	if got := heightsOf(t, fcs.keys); fcs.total > filterBudget || !slices.Equal(got, []int32{46, 47, 48, 49, 50}) {
		t.Fatalf("filter cache holds %v, %d bytes", got, fcs.total)
	}
	if len(bcs.keys) != 2 || bcs.total > blockBudget {
		t.Fatalf("block cache holds %d blocks, %d bytes", len(bcs.keys), bcs.total)
	}

	// Disabling a cache empties it.
	s, err = Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, FilterCacheBytes: -1, BlockCacheBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if fcs, bcs := rawCache(t, path, filterCache), rawCache(t, path, blockCache); len(fcs.keys)+len(bcs.keys) != 0 || fcs.total+bcs.total != 0 {
		t.Fatalf("disabled caches hold %d filters and %d blocks", len(fcs.keys), len(bcs.keys))
	}
}

func TestRepairFilterTip(t *testing.T) {
	setFilterTip := func(t *testing.T, path string, v []byte) {
		rawUpdate(t, path, func(tx *bbolt.Tx) error { return tx.Bucket(metaBucket).Put(metaFilterTipKey, v) })
	}
	editFilters := func(t *testing.T, path string, fn func(b []byte) []byte) {
		_, fp := flatPaths(path)
		editFlatFile(t, fp, fn)
	}
	tests := []struct {
		name       string
		edit       func(t *testing.T, path string, all []StoredHeader)
		wantTip    int32 // header tip
		wantFilter int32 // filter tip
	}{
		{"filter tip record beyond the header tip", func(t *testing.T, path string, all []StoredHeader) {
			editFilters(t, path, func(b []byte) []byte {
				for h := int32(81); h <= 103; h++ {
					fh := fakeFilterHeader(chainhash.Hash{byte(h)})
					if h <= 100 {
						fh = fakeFilterHeader(all[h].Hash)
					}
					b = append(b, fh[:]...)
				}
				return b
			})
			setFilterTip(t, path, encodeFilterTip(filterTip{103, fakeFilterHeader(chainhash.Hash{103})}))
		}, 100, 100},
		{"filter headers that were not committed", func(t *testing.T, path string, all []StoredHeader) {
			editFilters(t, path, func(b []byte) []byte {
				for h := 81; h <= 90; h++ {
					fh := fakeFilterHeader(all[h].Hash)
					b = append(b, fh[:]...)
				}
				return b
			})
		}, 100, 80},
		{"filter headers file cut short", func(t *testing.T, path string, _ []StoredHeader) {
			editFilters(t, path, func(b []byte) []byte { return b[:60*filterHeaderLen+5] })
		}, 100, 59},
		{"filter tip record disagrees with the file", func(t *testing.T, path string, _ []StoredHeader) {
			editFilters(t, path, func(b []byte) []byte {
				b[80*filterHeaderLen] ^= 1
				return b
			})
		}, 100, -1},
		{"filter tip record garbled", func(t *testing.T, path string, _ []StoredHeader) {
			setFilterTip(t, path, []byte{1, 2, 3})
		}, 100, -1},
		{"header chain cut below the filter tip", func(t *testing.T, path string, _ []StoredHeader) {
			hp, _ := flatPaths(path)
			editFlatFile(t, hp, func(b []byte) []byte { return b[:61*headerLen] })
		}, 60, 60},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := chainPath(t)
			all := regtestChain(t, path, 100)
			s := openStore(t, path, &chaincfg.RegressionNetParams)
			putFilterHeaders(t, s, all[:81], 2000)
			hashes, filters := filtersOf(all, 50)
			if err := s.PutFilters(0, hashes, filters); err != nil {
				t.Fatal(err)
			}
			s.Close()
			tc.edit(t, path, all)
			before := fileDigest(t, path)

			check := func(t *testing.T, s Store) {
				t.Helper()
				if tip := s.Tip(); tip.Height != tc.wantTip {
					t.Fatalf("tip = %d, want %d", tip.Height, tc.wantTip)
				}
				wantFilterTip(t, s, tc.wantFilter, all[max(tc.wantFilter, 0)].Hash)
				got, err := s.FilterHeaders(0, 1000)
				if err != nil || len(got) != int(tc.wantFilter)+1 {
					t.Fatalf("FilterHeaders(0, 1000) = %d headers, %v", len(got), err)
				}
				for i := range got {
					if got[i] != fakeFilterHeader(all[i].Hash) {
						t.Fatalf("filter header %d is wrong", i)
					}
				}
				if _, err := s.FilterHeader(tc.wantFilter + 1); !errors.Is(err, ErrNotFound) {
					t.Fatalf("FilterHeader above the repaired filter tip = %v", err)
				}
				if _, _, err := s.Filter(tc.wantTip + 1); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Filter above the tip = %v", err)
				}
			}

			// Read-only: repaired in memory, file untouched.
			ro, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
			if err != nil {
				t.Fatalf("read-only Open: %v", err)
			}
			check(t, ro)
			ro.Close()
			if fileDigest(t, path) != before {
				t.Fatal("read-only repair wrote to the file")
			}

			s = openStore(t, path, &chaincfg.RegressionNetParams)
			check(t, s)
			// The filter-header chain grows again from its repaired tip.
			putFilterHeaders(t, s, all[tc.wantFilter+1:tc.wantTip+1], 2000)
			wantFilterTip(t, s, tc.wantTip, all[tc.wantTip].Hash)
			s.Close()
			if n := rawFilterHeaderCount(t, path); n != int(tc.wantTip)+1 {
				t.Fatalf("%d filter headers in the file, want %d", n, tc.wantTip+1)
			}
			if hs := heightsOf(t, rawCache(t, path, filterCache).keys); slices.Max(hs) != tc.wantTip {
				t.Fatalf("cached filters up to %d, header tip %d", slices.Max(hs), tc.wantTip)
			}
			fixed := fileDigest(t, path)
			openStore(t, path, &chaincfg.RegressionNetParams).Close()
			if fileDigest(t, path) != fixed {
				t.Fatal("the repaired file was repaired again")
			}
		})
	}
}

// oldChain returns a copy of testdata/chain-v2.db, written by the satchel
// of format 2: 300 regtest headers from extend, filter headers up to 250,
// filters cached for 200..204, the block of header 150 and a ban of
// 203.0.113.9 until 2300. It also returns the headers.
func oldChain(t *testing.T) (string, []StoredHeader) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "chain-v2.db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	path := chainPath(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	genesis := chaincfg.RegressionNetParams.GenesisBlock.Header
	g := StoredHeader{Header: genesis, Hash: genesis.BlockHash(), Work: blockchain.CalcWork(genesis.Bits)}
	return path, append([]StoredHeader{g}, extend(g, 300, chaincfg.RegressionNetParams.PowLimitBits, 0)...)
}

func TestOpenMigratesOldFormats(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(tx *bbolt.Tx) error
		wantFilter int32
	}{
		{"format 2", func(*bbolt.Tx) error { return nil }, 250},
		{"format 1", func(tx *bbolt.Tx) error {
			// Format 1 had no filter headers and no caches.
			for _, b := range [][]byte{oldFilterHeadersBucket, filtersBucket, filterSeqBucket, blocksBucket, blockSeqBucket} {
				if err := tx.DeleteBucket(b); err != nil {
					return err
				}
			}
			for _, k := range [][]byte{metaFilterBytesKey, metaBlockBytesKey} {
				if err := tx.Bucket(metaBucket).Delete(k); err != nil {
					return err
				}
			}
			v := make([]byte, 4)
			binary.BigEndian.PutUint32(v, 1)
			return tx.Bucket(metaBucket).Put(metaVersionKey, v)
		}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, all := oldChain(t)
			rawUpdate(t, path, tc.edit)
			before := fileDigest(t, path)

			// A reader cannot convert it, and leaves it alone.
			_, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams, ReadOnly: true})
			wantErr(t, err, ErrReadOnly)
			if fileDigest(t, path) != before {
				t.Fatal("a read-only Open changed the old file")
			}

			// A writer converts it, once, keeping everything.
			s := openStore(t, path, &chaincfg.RegressionNetParams)
			check := func(t *testing.T, s Store) {
				t.Helper()
				if tip := s.Tip(); tip.Height != 300 || tip.Hash != all[300].Hash || tip.Work.Cmp(all[300].Work) != 0 {
					t.Fatalf("tip = %d %s", tip.Height, tip.Hash)
				}
				for _, h := range []int32{0, 1, 150, 255, 256, 257, 299, 300} {
					got, err := s.HeaderByHash(&all[h].Hash)
					if err != nil {
						t.Fatalf("HeaderByHash(%d): %v", h, err)
					}
					sameHeader(t, got, &all[h])
				}
				wantFilterTip(t, s, tc.wantFilter, all[max(tc.wantFilter, 0)].Hash)
				if got, err := s.FilterHeaders(0, 1000); err != nil || len(got) != int(tc.wantFilter)+1 {
					t.Fatalf("FilterHeaders = %d, %v", len(got), err)
				}
				if _, ok := s.IsBanned("203.0.113.9"); !ok {
					t.Fatal("the ban did not survive the migration")
				}
				if tc.wantFilter < 0 {
					return
				}
				if block, f, err := s.Filter(202); err != nil || block != all[202].Hash || !bytes.Equal(f, fakeFilter(all[202].Hash, 100)) {
					t.Fatalf("cached filter 202: %v", err)
				}
				hash, raw := fakeBlock(t, &all[150].Header, 1000)
				if got, err := s.Block(hash); err != nil || !bytes.Equal(got, raw) {
					t.Fatalf("cached block: %v", err)
				}
			}
			check(t, s)
			// It goes on as a new file would.
			putFilterHeaders(t, s, all[tc.wantFilter+1:], 2000)
			more := extend(all[300], 10, chaincfg.RegressionNetParams.PowLimitBits, 0)
			connectAll(t, s, more, 2000)
			if err := s.Connect(300, more[:5]); err != nil {
				t.Fatal(err)
			}
			s.Close()

			path2, _ := oldChain(t)
			rawUpdate(t, path2, tc.edit)
			oldSize := fileSize(t, path2)
			openStore(t, path2, &chaincfg.RegressionNetParams).Close()
			if size := fileSize(t, path2); size >= oldSize {
				t.Fatalf("chain.db has %d bytes after the migration, %d before: not compacted", size, oldSize)
			}
			migrated := fileDigest(t, path2)
			s = openStore(t, path2, &chaincfg.RegressionNetParams)
			check(t, s)
			s.Close()
			if fileDigest(t, path2) != migrated {
				t.Fatal("the migrated file was migrated again")
			}
			rawUpdate(t, path2, func(tx *bbolt.Tx) error {
				if v := tx.Bucket(metaBucket).Get(metaVersionKey); binary.BigEndian.Uint32(v) != dbVersion {
					t.Errorf("format version %d after the migration, want %d", binary.BigEndian.Uint32(v), dbVersion)
				}
				for _, b := range [][]byte{oldHeadersBucket, oldHashIndexBucket, oldFilterHeadersBucket} {
					if tx.Bucket(b) != nil {
						t.Errorf("bucket %s is still there", b)
					}
				}
				return nil
			})
		})
	}
}

// fileSize returns the size of the file at path.
func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

func TestFilterRecordRoundTrip(t *testing.T) {
	block := chainhash.DoubleHashH([]byte("block"))
	tests := []struct {
		name   string
		filter []byte
	}{
		{"empty", []byte{}},
		{"one byte", []byte{0}},
		{"typical", fakeFilter(block, 500)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := newFilterRecord(&block, tc.filter)
			if int64(len(rec)) != filterEntrySize(len(tc.filter))-heightLen-seqLen-heightLen {
				t.Fatalf("record has %d bytes", len(rec))
			}
			gotBlock, gotFilter, err := decodeFilterRecord(rec)
			if err != nil || gotBlock != block || !bytes.Equal(gotFilter, tc.filter) {
				t.Fatalf("got %s %x, %v", gotBlock, gotFilter, err)
			}
		})
	}
	if _, _, err := decodeFilterRecord(make([]byte, filterRecordHdrLen-1)); err == nil {
		t.Fatal("decoded a short filter record")
	}
	raw := []byte("a block")
	if got, err := decodeBlockRecord(newBlockRecord(raw)); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("block record round trip = %q, %v", got, err)
	}
	if _, err := decodeBlockRecord(make([]byte, seqLen)); err == nil {
		t.Fatal("decoded an empty block record")
	}
	for _, total := range []int64{0, 1, DefaultFilterCacheBytes, math.MaxInt64} {
		if got, err := decodeTotal(encodeTotal(total)); err != nil || got != total {
			t.Fatalf("total %d round trip = %d, %v", total, got, err)
		}
	}
	if _, err := decodeTotal([]byte{1, 2}); err == nil {
		t.Fatal("decoded a short total")
	}
}
