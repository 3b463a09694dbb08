package live

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/explorer"
)

// countingSearch is Search counting the filters each address search
// checks, from its progress reports.
type countingSearch struct {
	Search
	mu     sync.Mutex
	totals []int32
}

func (c *countingSearch) AddressHistory(ctx context.Context, req explorer.AddressRequest,
	progress func(done, total int32)) (explorer.AddressScan, error) {
	var last int32
	scan, err := c.Search.AddressHistory(ctx, req, func(done, total int32) {
		last = total
		progress(done, total)
	})
	c.mu.Lock()
	c.totals = append(c.totals, last)
	c.mu.Unlock()
	return scan, err
}

func (c *countingSearch) lastTotal() int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.totals[len(c.totals)-1]
}

// runPage runs an address page's scan to its end, as the runtime would,
// and returns what it shows.
func runPage(t *testing.T, v *explorer.AddressView) string {
	t.Helper()
	queue := []tea.Cmd{v.Init()}
	for len(queue) > 0 {
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
			_, next := v.Update(msg)
			queue = append(queue, next)
		}
	}
	return ansi.Strip(v.View().Content)
}

// waitUntil polls cond, which reads the node's state, until it holds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAddressSearchNode searches an address on a real light node twice
// through one cache: the second search checks only the filters of the
// blocks mined since, finds the spend of the payment the first found, and
// shows a payment btcd relayed but did not mine as in the mempool.
func TestAddressSearchNode(t *testing.T) {
	btcd := regtest.Start(t, regtest.WithArgs("--trickleinterval=100ms"))
	btcd.Generate(110)
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	script := regtest.KeyScript(key.PubKey())
	addr, err := address.NewAddressWitnessPubKeyHash(address.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 1, script)
	btcd.SendRaw(pay)
	btcd.Generate(1) // 111

	n, err := lightnode.New(&lightnode.Config{ChainParams: &chaincfg.RegressionNetParams, DataDir: t.TempDir(),
		ConnectPeers: []string{btcd.P2PAddr()}, RetryDuration: 200 * time.Millisecond, StallTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	filtersAt := func(h int32) func() bool { return func() bool { return n.Status().FilterHeight >= h } }
	waitUntil(t, "filters up to 111", filtersAt(111))

	src := &countingSearch{Search: Search{Node: n}}
	cache := explorer.NewAddressCache()
	page := func() string {
		return runPage(t, explorer.NewAddressView(common.NewCommon(t.Context(), 120, 40), src,
			&chaincfg.RegressionNetParams, addr.EncodeAddress(), script, explorer.WithAddressCache(cache)))
	}
	got := page()
	if total := src.lastTotal(); total != 112 {
		t.Errorf("the first search checked %d filters, want 112 (blocks 0–111)", total)
	}
	if !strings.Contains(got, "scanned blocks 0–111") || !strings.Contains(got, "1 transaction · balance") {
		t.Fatalf("the first search does not show the payment:\n%s", got)
	}

	// Block 112 spends the payment; 113 and 114 are empty. Then a payment
	// is relayed and left unmined.
	spend := wire.NewMsgTx(2)
	spend.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: pay.TxHash()}, nil, nil))
	spend.AddTxOut(wire.NewTxOut(pay.TxOut[0].Value-5_000, regtest.KeyScript(btcd.MiningKey().PubKey())))
	fetcher := txscript.NewCannedPrevOutputFetcher(script, pay.TxOut[0].Value)
	wit, err := txscript.WitnessSignature(spend, txscript.NewTxSigHashes(spend, fetcher), 0, pay.TxOut[0].Value,
		script, txscript.SigHashAll, key, true)
	if err != nil {
		t.Fatal(err)
	}
	spend.TxIn[0].Witness = wit
	btcd.SendRaw(spend)
	btcd.Generate(3)
	waitUntil(t, "filters up to 114", filtersAt(114))
	relayed := btcd.Payment(btcd.CoinbaseCoin(2), 1, script)
	btcd.SendRaw(relayed)
	id := relayed.TxHash()
	waitUntil(t, "the relayed payment", func() bool { return n.RecentTx(&id) != nil })

	got = page()
	if total := src.lastTotal(); total != 3 {
		t.Errorf("the second search checked %d filters, want the 3 new blocks' (112–114)", total)
	}
	for _, want := range []string{
		"scanned blocks 0–114 (112–114 new; 0–111 from the last search)",
		"3 transactions, 1 unconfirmed",
		"mempool: 1 relayed",
		"mempool  " + id.String(),
		"112  " + spend.TxHash().String(),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the second search does not show %q:\n%s", want, got)
		}
	}
}
