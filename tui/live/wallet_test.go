package live_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/tui/live"
	"github.com/satchelbtc/satchel/wallet"
)

const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

var net = &chaincfg.RegressionNetParams

// newWallet writes the "abandon … about" seed wallet in a temporary folder
// and returns the folder.
func newWallet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	secret, err := keystore.NewSecret(mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	defer secret.Zero()
	w, err := wallet.Create(wallet.FilePath(dir, "default"), net, &wallet.CreateConfig{Secret: secret,
		Password: []byte("pw"), KeystoreOptions: []keystore.Option{keystore.WithKDFParams(keystore.KDFParams{Memory: 64, Time: 1, Threads: 1})}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestWalletFeeEstimateAndGap runs the adapter on a real wallet and light
// node against btcd: a payment to receive address #3 of five handed out
// makes the gap "next 5, used 4"; the fee estimate's medium rate is the one
// block with a payment's fee over its virtual size, worked out here from
// the transaction; without a node there is no estimate, and it says so.
func TestWalletFeeEstimateAndGap(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	dir := newWallet(t)

	offline, err := session.Open(dir, "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	lw := &live.Wallet{Session: offline}
	for i := range 5 {
		if _, idx, err := lw.NextAddress(); err != nil || idx != uint32(i) {
			t.Fatalf("address %d: index %d, %v", i, idx, err)
		}
	}
	if next, used, limit, err := lw.ReceiveGap(); err != nil || next != 5 || used != 0 || limit != wallet.DefaultGapLimit {
		t.Fatalf("gap before any payment: next %d, used %d, limit %d, %v; want 5, 0, %d", next, used, limit, err, wallet.DefaultGapLimit)
	}
	if _, err := lw.FeeEstimate(context.Background()); err == nil || !strings.Contains(err.Error(), "without a node") {
		t.Errorf("an estimate without a node: %v", err)
	}
	third, err := offline.Wallet().Address(wallet.ReceiveBranch, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := lw.ReceiveAddress(3); err != nil || got != third.Address.EncodeAddress() {
		t.Errorf("ReceiveAddress(3) = %q, %v; want %s", got, err, third.Address.EncodeAddress())
	}
	offline.Close()

	script, err := txscript.PayToAddrScript(third.Address)
	if err != nil {
		t.Fatal(err)
	}
	coin := btcd.CoinbaseCoin(1)
	pay := btcd.Payment(coin, 1, script)
	btcd.SendRaw(pay)
	btcd.Generate(1)

	node, err := lightnode.New(&lightnode.Config{ChainParams: net, DataDir: t.TempDir(), ConnectPeers: []string{btcd.P2PAddr()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Stop() })
	ctx := context.Background()
	if err := node.WaitSynced(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := node.WaitFiltersSynced(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(dir, "default", session.Config{Net: net, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Scan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	lw = &live.Wallet{Session: s}
	if next, used, _, err := lw.ReceiveGap(); err != nil || next != 5 || used != 4 {
		t.Errorf("gap after paying #3: next %d, used %d, %v; want 5, 4", next, used, err)
	}

	est, err := lw.FeeEstimate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out int64
	for _, o := range pay.TxOut {
		out += o.Value
	}
	weight := int64(pay.SerializeSizeStripped()*3 + pay.SerializeSize())
	rate := float64(coin.Value-out) / (float64(weight) / 4)
	if want := math.Ceil(rate*10) / 10; est.Medium.Rate != want || est.High.Rate != want {
		t.Errorf("medium %v, high %v; the block with the payment pays %.3f sat/vB (want %v)", est.Medium.Rate, est.High.Rate, rate, want)
	}
	if len(est.Blocks) != 6 || est.Blocks[0].Height != 111 {
		t.Errorf("blocks %+v; want the 6 up to the tip 111", est.Blocks)
	}
	if !strings.Contains(est.Medium.From, "(the 1 block with transactions)") || est.Low.Rate < 1 {
		t.Errorf("low %+v, medium %+v", est.Low, est.Medium)
	}
}
