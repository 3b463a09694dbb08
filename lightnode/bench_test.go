package lightnode

import (
	"context"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// BenchmarkHeaderSync syncs a 100,000-block regtest chain from a local btcd
// into a fresh chain.db, end to end: P2P, validation and storage. It reports
// headers/s, the CPU seconds of this process and its peak heap.
func BenchmarkHeaderSync(b *testing.B) {
	const blocks = 100_000
	btcd := regtest.Start(b)
	btcd.BuildChain(blocks)
	_, height := btcd.BestBlock()

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
