package lightnode

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// benchChain returns a local btcd serving the cached 100,000-block chain
// that cmd/satchel's BenchmarkSync uses too, and its height.
func benchChain(b *testing.B) (*regtest.Node, int32) {
	btcd := regtest.CachedChain(b, regtest.ChainSpec{Blocks: 100_000, Nodes: 2})[0]
	_, height := btcd.BestBlock()
	return btcd, height
}

// BenchmarkHeaderSync syncs a 100,000-block regtest chain from a local btcd
// into a fresh chain.db, end to end: P2P, validation and storage. It reports
// headers/s, the CPU seconds of this process and its peak heap.
func BenchmarkHeaderSync(b *testing.B) {
	btcd, height := benchChain(b)

	b.ResetTimer()
	var cpu time.Duration
	var peak uint64
	for i := 0; i < b.N; i++ {
		n, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: b.TempDir(),
			ConnectPeers: []string{btcd.P2PAddr()}})
		if err != nil {
			b.Fatal(err)
		}
		stopSampler, peakHeap := sampleHeap()
		before := cpuTime()
		if err := n.Start(); err != nil {
			b.Fatal(err)
		}
		if err := n.WaitSynced(context.Background(), 30*time.Second); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - before
		stopSampler()
		peak = max(peak, *peakHeap)
		if got := n.Status().Height; got != height {
			b.Fatalf("synced to %d; want %d", got, height)
		}
		n.Stop()
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(height)/secs, "headers/s")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// cpuTime is the user+system CPU time of this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleHeap records the highest live heap until stopped.
func sampleHeap() (stop func(), peak *uint64) {
	var max uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > max {
				max = ms.HeapAlloc
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }, &max
}

// BenchmarkMatchScripts matches 100 and 1,000 wallet scripts against
// mainnet-sized basic filters (2,500 elements, about 5 KB each) on all
// cores, as a wallet scan does. Reported: filters/s and filters/s per core.
func BenchmarkMatchScripts(b *testing.B) {
	const nFilters = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	randScript := func() []byte {
		s := make([]byte, 22)
		s[0], s[1] = 0, 20
		for i := 2; i < len(s); i++ {
			s[i] = byte(rng.Uint32())
		}
		return s
	}
	filters := make([]*gcs.Filter, nFilters)
	hashes := make([]chainhash.Hash, nFilters)
	for i := range filters {
		hashes[i] = chainhash.Hash{byte(i), byte(i >> 8), 7}
		elems := make([][]byte, 2500)
		for j := range elems {
			elems[j] = randScript()
		}
		f, err := gcs.BuildGCSFilter(builder.DefaultP, builder.DefaultM, builder.DeriveKey(&hashes[i]), elems)
		if err != nil {
			b.Fatal(err)
		}
		filters[i] = f
	}
	for _, n := range []int{100, 1000} {
		scripts := make([][]byte, n)
		for i := range scripts {
			scripts[i] = randScript()
		}
		b.Run(fmt.Sprintf("scripts=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				m := newMatcher(scripts, runtime.NumCPU())
				for j, f := range filters {
					m.add(context.Background(), int32(j), hashes[j], f)
				}
				m.wait()
			}
			perSec := float64(nFilters*b.N) / b.Elapsed().Seconds()
			b.ReportMetric(perSec, "filters/s")
			b.ReportMetric(perSec/float64(runtime.NumCPU()), "filters/s/core")
		})
	}
}

// BenchmarkFilterHeaderSync syncs the filter headers of a 100,000-block
// regtest chain from a local btcd (block headers are synced first and not
// timed).
func BenchmarkFilterHeaderSync(b *testing.B) {
	btcd, height := benchChain(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n, err := New(&Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: b.TempDir(),
			ConnectPeers: []string{btcd.P2PAddr()}})
		if err != nil {
			b.Fatal(err)
		}
		n.manualFilters = true // filter headers are synced below, timed
		if err := n.Start(); err != nil {
			b.Fatal(err)
		}
		if err := n.WaitSynced(context.Background(), 30*time.Second); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := n.syncFilterHeaders(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if fh, _ := n.Store().FilterTip(); fh != height {
			b.Fatalf("filter headers at %d; want %d", fh, height)
		}
		n.Stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(height)*float64(b.N)/b.Elapsed().Seconds(), "filter-headers/s")
}
