package session_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

var (
	net      = &chaincfg.RegressionNetParams
	password = []byte("correct horse")
	fastKDF  = keystore.WithKDFParams(keystore.KDFParams{Memory: 64, Time: 1, Threads: 1})
)

// newWallet writes a seed wallet (or, with watchOnly, one from the same
// seed's account key) in a temporary folder and returns its folder.
func newWallet(t *testing.T, watchOnly bool) string {
	t.Helper()
	dir := t.TempDir()
	secret, err := keystore.NewSecret(mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	defer secret.Zero()
	cfg := &wallet.CreateConfig{Secret: secret, Password: password, BirthdayHeight: 0,
		KeystoreOptions: []keystore.Option{fastKDF}}
	path := wallet.FilePath(dir, "default")
	w, err := wallet.Create(path, net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !watchOnly {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	info, err := w.Info()
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	wdir := t.TempDir()
	wo, err := wallet.Create(wallet.FilePath(wdir, "default"), net,
		&wallet.CreateConfig{Receive: info.Receive, Change: info.Change, BirthdayHeight: 0})
	if err != nil {
		t.Fatal(err)
	}
	wo.Close()
	return wdir
}

// startNode runs a light node against btcd and waits for it to sync.
func startNode(t *testing.T, btcd *regtest.Node) *lightnode.Node {
	t.Helper()
	node, err := lightnode.New(&lightnode.Config{ChainParams: net, DataDir: t.TempDir(),
		ConnectPeers: []string{btcd.P2PAddr()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Stop() })
	waitSynced(t, node)
	return node
}

func waitSynced(t *testing.T, node *lightnode.Node) {
	t.Helper()
	ctx := context.Background()
	if err := node.WaitSynced(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := node.WaitFiltersSynced(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
}

func scriptOf(t *testing.T, a address.Address) []byte {
	t.Helper()
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fund pays the wallet's first receive address from a coinbase of btcd
// and mines it; it returns the amount.
func fund(t *testing.T, btcd *regtest.Node, s *session.Session) btcutil.Amount {
	t.Helper()
	addr, err := s.Wallet().NewAddress(wallet.ReceiveBranch)
	if err != nil {
		t.Fatal(err)
	}
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 1, scriptOf(t, addr.Address))
	btcd.SendRaw(pay)
	btcd.Generate(1)
	return btcutil.Amount(pay.TxOut[0].Value)
}

// minerAddress is an address of btcd's mining key, to pay to.
func minerAddress(t *testing.T, btcd *regtest.Node) address.Address {
	t.Helper()
	a, err := address.DecodeAddress(btcd.MiningAddress(), net)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A payment goes draft → review → sign → broadcast → record: btcd takes
// it, and the wallet shows it at once, exact to the satoshi. A wrong
// password loses nothing and records nothing.
func TestPay(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	dir := newWallet(t, false)
	s, err := session.Open(dir, "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	funded := fund(t, btcd, s)
	s.Close()

	node := startNode(t, btcd)
	s, err = session.Open(dir, "default", session.Config{Net: net, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Scan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	bal, _ := s.Wallet().Balance()
	if bal.Confirmed != funded {
		t.Fatalf("balance %+v after the scan; want %v confirmed", bal, funded)
	}

	const sent = 1_000_000
	d, err := s.Draft(&wallet.SendRequest{FeeRate: 2,
		Recipients: []wallet.Recipient{{Address: minerAddress(t, btcd), Amount: sent}}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Packet.UnsignedTx.LockTime != uint32(node.Store().Tip().Height) {
		t.Errorf("locktime %d; want the node's tip %d", d.Packet.UnsignedTx.LockTime, node.Store().Tip().Height)
	}
	rev, err := s.Review(d.Packet)
	if err != nil || rev.Fee != int64(d.Fee) {
		t.Fatalf("review fee %v (%v); the draft's is %v", rev.Fee, err, d.Fee)
	}

	if _, err := s.Pay(ctx, d, session.PayOptions{Password: []byte("wrong")}); !errors.Is(err, keystore.ErrWrongPassword) {
		t.Fatalf("pay with a wrong password: %v", err)
	}
	if after, _ := s.Wallet().Balance(); after != bal {
		t.Fatalf("a failed payment changed the balance from %+v to %+v", bal, after)
	}

	pay, err := s.Pay(ctx, d, session.PayOptions{Password: password, Label: "rent"})
	if err != nil {
		t.Fatal(err)
	}
	if !btcd.InMempool(pay.Txid) {
		t.Fatalf("btcd does not have payment %s", pay.Txid)
	}
	after, _ := s.Wallet().Balance()
	if want := funded - sent - d.Fee; after.Total != want || after.Confirmed != 0 {
		t.Fatalf("balance after paying %+v; want %v total, nothing confirmed", after, want)
	}
	if labels, _ := s.Wallet().Labels(); labels[wallet.TxLabelKey(pay.Txid)] != "rent" {
		t.Errorf("the payment's label is %q", labels[wallet.TxLabelKey(pay.Txid)])
	}
}

// A watch-only session refuses what needs keys, and an offline one what
// needs the network, each with its own error.
func TestRefusals(t *testing.T) {
	wo, err := session.Open(newWallet(t, true), "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	defer wo.Close()
	if err := wo.Unlock(password); !errors.Is(err, session.ErrWatchOnly) {
		t.Errorf("unlock of a watch-only wallet: %v", err)
	}
	if err := wo.ChangePassword(password, []byte("new")); !errors.Is(err, session.ErrWatchOnly) {
		t.Errorf("password change of a watch-only wallet: %v", err)
	}
	if _, err := wo.Pay(context.Background(), &wallet.Draft{}, session.PayOptions{}); !errors.Is(err, session.ErrWatchOnly) {
		t.Errorf("pay from a watch-only wallet: %v", err)
	}
	if _, err := wo.Scan(context.Background(), nil); !errors.Is(err, session.ErrOffline) {
		t.Errorf("offline scan: %v", err)
	}
	if _, err := session.Open(t.TempDir(), "default", session.Config{Net: net}); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("open of a missing wallet: %v", err)
	}
	if _, err := session.Open(t.TempDir(), "../x", session.Config{Net: net}); err == nil {
		t.Error("a wallet name with a path in it was accepted")
	}
}

// Unlock and Lock hold and drop the keys; signing then needs no password.
// A wrong password leaves the session locked.
func TestLock(t *testing.T) {
	s, err := session.Open(newWallet(t, false), "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Unlock([]byte("wrong")); !errors.Is(err, keystore.ErrWrongPassword) || s.Unlocked() {
		t.Fatalf("unlock with a wrong password: %v, unlocked %v", err, s.Unlocked())
	}
	if err := s.Unlock(password); err != nil || !s.Unlocked() {
		t.Fatalf("unlock: %v, unlocked %v", err, s.Unlocked())
	}
	s.Lock()
	if s.Unlocked() {
		t.Fatal("still unlocked after Lock")
	}
	if err := s.ChangePassword([]byte("wrong"), []byte("new")); !errors.Is(err, keystore.ErrWrongPassword) {
		t.Fatalf("password change with a wrong old password: %v", err)
	}
	if err := s.ChangePassword(password, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock([]byte("new")); err != nil {
		t.Fatalf("unlock with the new password: %v", err)
	}
}

// The background loop scans on every new tip while the user reads the
// balance, checks ownership, unlocks and locks — concurrently, under -race
// — and sees each block's payment; Close stops the loop and returns.
func TestBackgroundLoop(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	dir := newWallet(t, false)
	node := startNode(t, btcd)
	s, err := session.Open(dir, "default", session.Config{Net: net, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	changed := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Start(ctx, func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	s.Start(ctx, func() { t.Error("a second Start ran a second loop") })

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			s.Wallet().Balance()
			s.Wallet().Owns([]byte{0, 20, 1})
			s.Unlocked()
			if err := s.Unlock(password); err != nil {
				t.Error(err)
				return
			}
			s.Lock()
		}
	})

	var want btcutil.Amount
	for i := range 3 {
		addr, err := s.Wallet().NewAddress(wallet.ReceiveBranch)
		if err != nil {
			t.Fatal(err)
		}
		pay := btcd.Payment(btcd.CoinbaseCoin(int32(i+1)), 1, scriptOf(t, addr.Address))
		btcd.SendRaw(pay)
		btcd.Generate(1)
		want += btcutil.Amount(pay.TxOut[0].Value)
		deadline := time.After(time.Minute)
		for {
			bal, _ := s.Wallet().Balance()
			if bal.Confirmed == want {
				break
			}
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("block %d: balance %+v; want %v confirmed", i, bal, want)
			}
		}
	}
	close(stop)
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	if s.Unlocked() {
		t.Error("Close left the keys unlocked")
	}
}

// A PSBT signed and finalized outside Pay (as the app's PSBT page does
// with a file) is broadcast by Broadcast: btcd takes it and the wallet
// shows it at once. Offline, Broadcast says so and records nothing.
func TestBroadcastSigned(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	dir := newWallet(t, false)
	s, err := session.Open(dir, "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	funded := fund(t, btcd, s)
	s.Close()

	node := startNode(t, btcd)
	s, err = session.Open(dir, "default", session.Config{Net: net, Node: node})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Scan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	const sent = 2_000_000
	d, err := s.Draft(&wallet.SendRequest{FeeRate: 3,
		Recipients: []wallet.Recipient{{Address: minerAddress(t, btcd), Amount: sent}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Sign(d.Packet, password, wallet.SignOptions{})
	if err != nil || len(res.Signed) != 1 {
		t.Fatalf("sign: %+v, %v", res, err)
	}
	if err := psbtx.Finalize(d.Packet); err != nil {
		t.Fatal(err)
	}
	tx, err := psbtx.Extract(d.Packet)
	if err != nil {
		t.Fatal(err)
	}

	offline, err := session.Open(newWallet(t, false), "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	defer offline.Close()
	if _, err := offline.Broadcast(ctx, tx); !errors.Is(err, session.ErrOffline) {
		t.Fatalf("offline broadcast: %v", err)
	}

	br, err := s.Broadcast(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	if br.Txid != tx.TxHash() || !btcd.InMempool(tx.TxHash()) {
		t.Fatalf("broadcast %s; btcd has it: %v", br.Txid, btcd.InMempool(tx.TxHash()))
	}
	after, _ := s.Wallet().Balance()
	if want := funded - sent - d.Fee; after.Total != want || after.Confirmed != 0 {
		t.Fatalf("balance after broadcasting %+v; want %v total, nothing confirmed", after, want)
	}
}
