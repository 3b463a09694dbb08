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
