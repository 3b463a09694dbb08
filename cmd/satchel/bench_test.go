package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
)

// BenchmarkWalletScan scans 10,000 blocks of filters for a wallet watching
// 1,000 scripts (gap limit 500 on both branches), end to end: filters from a
// local btcd, verified against their headers, matched on all cores.
func BenchmarkWalletScan(b *testing.B) {
	const blocks = 10_000
	net := &chaincfg.RegressionNetParams
	btcd := regtest.Start(b)
	btcd.BuildChain(blocks)

	dir := b.TempDir()
	node, err := lightnode.New(&lightnode.Config{ChainParams: net, DataDir: dir, ConnectPeers: []string{btcd.P2PAddr()}})
	if err != nil {
		b.Fatal(err)
	}
	if err := node.Start(); err != nil {
		b.Fatal(err)
	}
	defer node.Stop()
	ctx := context.Background()
	if err := node.WaitSynced(ctx, 30*time.Second); err != nil {
		b.Fatal(err)
	}
	if err := node.WaitFiltersSynced(ctx, 30*time.Second); err != nil {
		b.Fatal(err)
	}

	secret, err := keystore.NewSecret(abandonMnemonic, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w, err := wallet.Create(filepath.Join(b.TempDir(), "w.db"), net, &wallet.CreateConfig{
			Secret: secret, Password: []byte("pw"), GapLimit: 500, BirthdayHeight: 1,
			KeystoreOptions: []keystore.Option{keystore.WithKDFParams(fastKDF)},
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := w.Scan(ctx, session.NodeChain(node), nil)
		b.StopTimer()
		if err != nil || res.To != blocks {
			b.Fatalf("scan: %+v %v", res, err)
		}
		w.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(blocks)*float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}
