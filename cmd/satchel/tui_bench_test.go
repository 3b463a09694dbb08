package main

import (
	"context"
	"flag"
	"math/big"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/tui/live"
	tuinode "github.com/satchelbtc/satchel/tui/node"
)

// benchHeaders is the chain the TUI benchmarks open: about mainnet's size.
var benchHeaders = flag.Int("tui.headers", 1_000_000, "headers in the chain the TUI benchmarks open")

// writeBenchChain stores n headers above regtest's genesis in a chain.db
// under dir, one second apart and ending now, and returns its path.
func writeBenchChain(tb testing.TB, dir string, n int) string {
	tb.Helper()
	params := &chaincfg.RegressionNetParams
	path := filepath.Join(dir, "regtest", "chain.db")
	st, err := headerstore.Open(&headerstore.Config{Path: path, Params: params})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	tip := st.Tip()
	prev := headerstore.StoredHeader{Header: tip.Header, Hash: tip.Hash, Height: tip.Height, Work: tip.Work}
	start := time.Now().Add(-time.Duration(n) * time.Second).Truncate(time.Second)
	work := blockchain.CalcWork(params.PowLimitBits)
	const batch = 2000
	for prev.Height < int32(n) {
		hs := make([]headerstore.StoredHeader, min(batch, n-int(prev.Height)))
		for i := range hs {
			h := wire.BlockHeader{
				Version:   0x20000000,
				PrevBlock: prev.Hash,
				Timestamp: start.Add(time.Duration(prev.Height+1) * time.Second),
				Bits:      params.PowLimitBits,
			}
			h.MerkleRoot = chainhash.DoubleHashH([]byte{byte(prev.Height), byte(prev.Height >> 8), byte(prev.Height >> 16)})
			hs[i] = headerstore.StoredHeader{Header: h, Hash: h.BlockHash(), Height: prev.Height + 1,
				Work: new(big.Int).Add(prev.Work, work)}
			prev = hs[i]
		}
		if err := st.Connect(hs[0].Height-1, hs); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}

// idleNode is a node page source with nothing to report.
type idleNode struct{ height int32 }

func (n idleNode) Status() tuinode.Status {
	return tuinode.Status{Network: "regtest", Height: n.height, PeerHeight: n.height, Synced: true}
}
func (idleNode) Peers() []tuinode.Peer { return nil }
func (idleNode) LogTail(int) []string  { return nil }

// settle runs cmd and the commands its messages lead to, as the Bubble Tea
// runtime would, feeding every message to m.
func settle(tb testing.TB, m tea.Model, cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			tb.Fatal("commands do not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// BenchmarkFirstFrame measures what a user waits for between starting the
// app on a chain of -tui.headers headers and seeing the explorer's newest
// blocks: opening chain.db, building the app, its first reads and the first
// frame. Target: under 150 ms. It reports the heap the app holds then.
func BenchmarkFirstFrame(b *testing.B) {
	path := writeBenchChain(b, b.TempDir(), *benchHeaders)
	tipLine := func(v string) bool { return strings.Contains(v, commas(*benchHeaders)) }
	styles := themes.NewStyles(themes.Builtin()[0], false)
	var heap uint64
	for b.Loop() {
		st, err := headerstore.Open(&headerstore.Config{Path: path, Params: &chaincfg.RegressionNetParams})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		m := tuiapp.New(ctx, tuiapp.Sources{Headers: live.Headers{Chain: st}, Node: idleNode{st.Tip().Height},
			Net: &chaincfg.RegressionNetParams}, styles, tuiapp.WithInterval(0))
		settle(b, m, m.Init())
		settle(b, m, func() tea.Msg { return tea.WindowSizeMsg{Width: 120, Height: 40} })
		settle(b, m, func() tea.Msg { return tea.KeyPressMsg{Code: '2', Text: "2"} })
		if v := ansi.Strip(m.View().Content); !tipLine(v) {
			b.Fatalf("the first frame does not show the tip:\n%s", v)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapInuse)
		cancel()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/first-frame")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
}

// BenchmarkExplorerFrame measures one frame of the app on the explorer tab,
// scrolled into a chain of -tui.headers headers read from chain.db. Target:
// under 2 ms.
func BenchmarkExplorerFrame(b *testing.B) {
	path := writeBenchChain(b, b.TempDir(), *benchHeaders)
	st, err := headerstore.Open(&headerstore.Config{Path: path, Params: &chaincfg.RegressionNetParams})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m := tuiapp.New(b.Context(), tuiapp.Sources{Headers: live.Headers{Chain: st}, Node: idleNode{st.Tip().Height},
		Net: &chaincfg.RegressionNetParams}, themes.NewStyles(themes.Builtin()[0], false), tuiapp.WithInterval(0))
	settle(b, m, m.Init())
	settle(b, m, func() tea.Msg { return tea.WindowSizeMsg{Width: 120, Height: 40} })
	for _, k := range []tea.KeyPressMsg{{Code: '2', Text: "2"}, {Code: tea.KeyPgDown}, {Code: tea.KeyPgDown}} {
		settle(b, m, func() tea.Msg { return k })
	}
	for b.Loop() {
		_ = m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/frame")
}

// commas writes n with thousands separators, as the explorer shows heights.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
