package headerstore

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"
)

// benchChain is the size of the chain the read benchmarks and the "deep"
// Connect benchmark start from. Mainnet is about 900,000 headers; the default
// keeps a benchmark run short.
var benchChain = flag.Int("headerstore.benchchain", 200_000, "headers in the chain the benchmarks start from")

// benchBatch is the number of headers in a headers message.
const benchBatch = 2000

// benchStore returns a store holding n headers above genesis and the tip
// to extend from.
func benchStore(b *testing.B, n int) (Store, StoredHeader) {
	b.Helper()
	s := openStore(b, chainPath(b), &chaincfg.RegressionNetParams)
	bits := chaincfg.RegressionNetParams.PowLimitBits
	for s.Tip().Height < int32(n) {
		batch := extend(tipHeader(s), min(benchBatch, n-int(s.Tip().Height)), bits, 0)
		if err := s.Connect(s.Tip().Height, batch); err != nil {
			b.Fatal(err)
		}
	}
	return s, tipHeader(s)
}

// BenchmarkConnect measures appending one headers message (2,000 headers)
// in one transaction, including the fsync of the commit, on an empty chain
// and on one of -headerstore.benchchain headers, where the hash index no
// longer fits in a few pages.
func BenchmarkConnect(b *testing.B) {
	for _, start := range []int{0, *benchChain} {
		b.Run(fmt.Sprintf("chain=%d", start), func(b *testing.B) {
			s, tip := benchStore(b, start)
			bits := chaincfg.RegressionNetParams.PowLimitBits
			batch := extend(tip, benchBatch, bits, 1)
			n := 0
			for b.Loop() {
				if err := s.Connect(tip.Height, batch); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				tip = batch[len(batch)-1]
				batch = extend(tip, benchBatch, bits, 1)
				n += benchBatch
				b.StartTimer()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "headers/s")
		})
	}
}

// BenchmarkConnectReorg measures replacing the last 6 headers by 7 others,
// the common small reorganization.
func BenchmarkConnectReorg(b *testing.B) {
	s, tip := benchStore(b, 10_000)
	bits := chaincfg.RegressionNetParams.PowLimitBits
	branch := uint32(1)
	for b.Loop() {
		b.StopTimer()
		fork, err := s.HeaderByHeight(tip.Height - 6)
		if err != nil {
			b.Fatal(err)
		}
		headers := extend(*fork, 7, bits, branch)
		branch++
		b.StartTimer()
		if err := s.Connect(fork.Height, headers); err != nil {
			b.Fatal(err)
		}
		tip = headers[6]
	}
}

// BenchmarkHeaderByHeight measures random lookups by height.
func BenchmarkHeaderByHeight(b *testing.B) {
	s, _ := benchStore(b, *benchChain)
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := s.HeaderByHeight(rng.Int32N(int32(*benchChain))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeaderByHash measures lookups by hash of headers near the tip
// (found in the first epoch probed), near genesis (found in the last), and of
// unknown hashes (every epoch probed).
func BenchmarkHeaderByHash(b *testing.B) {
	s, tip := benchStore(b, *benchChain)
	near, err := s.Headers(tip.Height-999, 1000)
	if err != nil {
		b.Fatal(err)
	}
	old, err := s.Headers(0, 1000)
	if err != nil {
		b.Fatal(err)
	}
	unknown := extend(tip, 1000, 0x207fffff, 99)
	for _, tc := range []struct {
		name    string
		headers []StoredHeader
		found   bool
	}{{"recent", near, true}, {"old", old, true}, {"unknown", unknown, false}} {
		b.Run(tc.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				_, err := s.HeaderByHash(&tc.headers[rng.IntN(len(tc.headers))].Hash)
				if (err == nil) != tc.found {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHeaders measures reading a range of 2,000 headers.
func BenchmarkHeaders(b *testing.B) {
	s, _ := benchStore(b, *benchChain)
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		got, err := s.Headers(rng.Int32N(int32(*benchChain-benchBatch)), benchBatch)
		if err != nil || len(got) != benchBatch {
			b.Fatal(err)
		}
	}
}

// BenchmarkLocator measures building the block locator for getheaders.
func BenchmarkLocator(b *testing.B) {
	s, _ := benchStore(b, *benchChain)
	for b.Loop() {
		if loc := s.Locator(); len(loc) < 20 {
			b.Fatalf("locator has %d hashes", len(loc))
		}
	}
}

// BenchmarkOpen measures opening an existing chain: the file check, the
// bbolt open and the tip check.
func BenchmarkOpen(b *testing.B) {
	s, _ := benchStore(b, *benchChain)
	path := s.(*boltStore).db.path
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// headerFeed hands out consecutive best-chain headers of a benchmark store,
// connecting more, with the timer stopped, whenever it runs short, so that
// the filter benchmarks always have blocks to store filters for.
type headerFeed struct {
	b       *testing.B
	s       Store
	last    StoredHeader   // the tip of s
	headers []StoredHeader // connected headers not handed out yet
}

// newHeaderFeed returns a feed over a new store opened with cfg (Path and
// Params are filled in), starting at genesis.
func newHeaderFeed(b *testing.B, cfg Config) *headerFeed {
	b.Helper()
	cfg.Path, cfg.Params = chainPath(b), &chaincfg.RegressionNetParams
	s, err := Open(&cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	genesis := tipHeader(s)
	return &headerFeed{b: b, s: s, last: genesis, headers: []StoredHeader{genesis}}
}

// next returns the next n headers.
func (f *headerFeed) next(n int) []StoredHeader {
	if len(f.headers) < n {
		f.b.StopTimer()
		more := extend(f.last, max(20_000, n), chaincfg.RegressionNetParams.PowLimitBits, 0)
		for i := 0; i < len(more); i += benchBatch {
			batch := more[i:min(i+benchBatch, len(more))]
			if err := f.s.Connect(batch[0].Height-1, batch); err != nil {
				f.b.Fatal(err)
			}
		}
		f.last = more[len(more)-1]
		f.headers = append(f.headers, more...)
		f.b.StartTimer()
	}
	out := f.headers[:n:n]
	f.headers = f.headers[n:]
	return out
}

// BenchmarkPutFilterHeaders measures storing one cfheaders message (2,000
// filter headers) in one transaction, including the fsync of the commit and
// the check against the stored block hashes, from genesis and on top of
// -headerstore.benchchain filter headers.
func BenchmarkPutFilterHeaders(b *testing.B) {
	for _, start := range []int{0, *benchChain} {
		b.Run(fmt.Sprintf("chain=%d", start), func(b *testing.B) {
			f := newHeaderFeed(b, Config{})
			for range start / benchBatch {
				batch := f.next(benchBatch)
				hashes, fhs := filterBatch(batch)
				if err := f.s.PutFilterHeaders(batch[0].Height, hashes, fhs); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			n := 0
			for b.Loop() {
				b.StopTimer()
				batch := f.next(benchBatch)
				hashes, fhs := filterBatch(batch)
				b.StartTimer()
				if err := f.s.PutFilterHeaders(batch[0].Height, hashes, fhs); err != nil {
					b.Fatal(err)
				}
				n += benchBatch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "filter-headers/s")
		})
	}
}

// BenchmarkPutFilters measures caching 1,000 filters of 500 bytes (a
// cfilters run on a quiet chain) in one transaction, with a cache that
// still has room and with one that evicts 1,000 old filters each time.
func BenchmarkPutFilters(b *testing.B) {
	const batch, size = 1000, 500
	for _, tc := range []struct {
		name   string
		budget int64
	}{{"fits", 0}, {"evicting", 4 * batch * filterEntrySize(size)}} {
		b.Run(tc.name, func(b *testing.B) {
			f := newHeaderFeed(b, Config{FilterCacheBytes: tc.budget})
			b.SetBytes(batch * size)
			n := 0
			for b.Loop() {
				b.StopTimer()
				headers := f.next(batch)
				hashes, filters := filtersOf(headers, size)
				b.StartTimer()
				if err := f.s.PutFilters(headers[0].Height, hashes, filters); err != nil {
					b.Fatal(err)
				}
				n += batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "filters/s")
		})
	}
}

// BenchmarkFilter measures reading a cached filter of 500 bytes, with the
// check that its block is still on the best chain.
func BenchmarkFilter(b *testing.B) {
	const n = 10_000
	f := newHeaderFeed(b, Config{})
	headers := f.next(n)
	hashes, filters := filtersOf(headers, 500)
	if err := f.s.PutFilters(0, hashes, filters); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, _, err := f.s.Filter(rng.Int32N(n)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutBlock measures caching a 1.5 MB block in one transaction; past
// the first 85 blocks each one evicts an old one.
func BenchmarkPutBlock(b *testing.B) {
	const size = 1_500_000
	f := newHeaderFeed(b, Config{})
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		h := f.next(1)[0]
		hash, raw := fakeBlock(b, &h.Header, size)
		b.StartTimer()
		if err := f.s.PutBlock(hash, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenWithFilterHeaders measures opening a chain with
// -headerstore.benchchain headers and as many filter headers, including the
// filter-header consistency check.
func BenchmarkOpenWithFilterHeaders(b *testing.B) {
	f := newHeaderFeed(b, Config{})
	for range *benchChain / benchBatch {
		batch := f.next(benchBatch)
		hashes, fhs := filterBatch(batch)
		if err := f.s.PutFilterHeaders(batch[0].Height, hashes, fhs); err != nil {
			b.Fatal(err)
		}
	}
	path := f.s.(*boltStore).db.path
	if err := f.s.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams})
		if err != nil {
			b.Fatal(err)
		}
		if h, _ := s.FilterTip(); h != int32(*benchChain-1) {
			b.Fatalf("filter tip %d", h)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
