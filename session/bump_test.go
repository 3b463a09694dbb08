package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
)

// openFunded starts btcd with 110 blocks, funds a new seed wallet with one
// confirmed coin and opens it on a synced light node.
func openFunded(t *testing.T) (*regtest.Node, *lightnode.Node, *session.Session, btcutil.Amount) {
	t.Helper()
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
	t.Cleanup(func() { s.Close() })
	if _, err := s.Scan(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return btcd, node, s, funded
}

// mine mines a block, waits for the node and scans it into the wallet.
func mine(t *testing.T, btcd *regtest.Node, n *lightnode.Node, s *session.Session) {
	t.Helper()
	sub := n.Subscribe()
	defer sub.Close()
	btcd.Generate(1)
	_, height := btcd.BestBlock()
	deadline := time.After(time.Minute)
	for st := n.Status(); st.Height < height || st.FilterHeight < height; st = n.Status() {
		select {
		case <-sub.Events():
		case <-deadline:
			t.Fatalf("the node is at %d (filters %d) a minute after btcd mined %d", st.Height, st.FilterHeight, height)
		}
	}
	if _, err := s.Scan(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// A fee bump replaces the payment in btcd's mempool, a cancel replaces the
// bump, and once mined the wallet holds exactly what it had less the
// cancel's fee: the recipient got nothing.
func TestBumpThenCancel(t *testing.T) {
	btcd, node, s, funded := openFunded(t)
	ctx := context.Background()
	d, err := s.Draft(&wallet.SendRequest{FeeRate: 2,
		Recipients: []wallet.Recipient{{Address: minerAddress(t, btcd), Amount: 1_000_000}}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Pay(ctx, d, session.PayOptions{Password: password, Label: "rent"})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := s.Bump(first.Txid, 2, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "replacing needs at least") {
		t.Fatalf("a bump at the same rate: %v", err)
	}
	bd, err := s.Bump(first.Txid, 10, session.BumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bumped, err := s.Pay(ctx, bd, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if btcd.InMempool(first.Txid) || !btcd.InMempool(bumped.Txid) || bumped.Fee <= first.Fee {
		t.Fatalf("bump: the original in the mempool %v, the bump %v, fees %v → %v",
			btcd.InMempool(first.Txid), btcd.InMempool(bumped.Txid), first.Fee, bumped.Fee)
	}
	if bal, _ := s.Wallet().Balance(); bal.Total != funded-1_000_000-bumped.Fee {
		t.Fatalf("balance after the bump %+v; want %v", bal, funded-1_000_000-bumped.Fee)
	}

	if _, err := s.Cancel(bumped.Txid, 10, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "raise the fee rate") {
		t.Fatalf("a cancel at the bump's rate: %v", err)
	}
	cd, err := s.Cancel(bumped.Txid, 20, session.BumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cd.Packet.UnsignedTx.TxOut) != 1 || cd.ChangeIndex != 0 {
		t.Fatalf("the cancel pays %d outputs (change at %d); want one, back to us", len(cd.Packet.UnsignedTx.TxOut), cd.ChangeIndex)
	}
	if ours, change := s.Wallet().Owns(cd.Packet.UnsignedTx.TxOut[0].PkScript); !ours || !change {
		t.Fatal("the cancel does not pay a change address of ours")
	}
	cancelled, err := s.Pay(ctx, cd, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if btcd.InMempool(bumped.Txid) || !btcd.InMempool(cancelled.Txid) || cancelled.Fee <= bumped.Fee {
		t.Fatalf("cancel: the bump in the mempool %v, the cancel %v, fees %v → %v",
			btcd.InMempool(bumped.Txid), btcd.InMempool(cancelled.Txid), bumped.Fee, cancelled.Fee)
	}
	mine(t, btcd, node, s)
	bal, _ := s.Wallet().Balance()
	if want := funded - cancelled.Fee; bal.Confirmed != want || bal.Total != want {
		t.Fatalf("balance after the cancel was mined %+v; want %v confirmed", bal, want)
	}
	hist, _ := s.Wallet().History()
	for _, e := range hist {
		if e.Txid == first.Txid || e.Txid == bumped.Txid {
			t.Fatalf("a replaced transaction %s is still in the history", e.Txid)
		}
	}
	if _, err := s.Bump(cancelled.Txid, 50, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "already confirmed") {
		t.Fatalf("a bump of a confirmed transaction: %v", err)
	}
	if _, err := s.Cancel(cancelled.Txid, 50, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "already confirmed") {
		t.Fatalf("a cancel of a confirmed transaction: %v", err)
	}
}

// payFromMiner spends a mature coinbase of btcd's mining key to outs plus
// change back to the key, paying fee; btcd takes it into its mempool.
func payFromMiner(t *testing.T, btcd *regtest.Node, height int32, fee int64, outs ...*wire.TxOut) *wire.MsgTx {
	t.Helper()
	c := btcd.CoinbaseCoin(height)
	key := btcd.MiningKey()
	own := regtest.KeyScript(key.PubKey())
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&c.OutPoint, nil, nil))
	rest := c.Value - fee
	for _, o := range outs {
		tx.AddTxOut(o)
		rest -= o.Value
	}
	tx.AddTxOut(wire.NewTxOut(rest, own))
	fetcher := txscript.NewCannedPrevOutputFetcher(own, c.Value)
	wit, err := txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher), 0, c.Value, own,
		txscript.SigHashAll, key, true)
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].Witness = wit
	btcd.SendRaw(tx)
	return tx
}

// An unconfirmed payment from someone else is sped up by a child: the
// parent's fee comes from the block its input is in once the node has
// fetched it (before that CPFP says the fee is unknown), btcd takes the
// child, and once both are mined the balance is exact. A rate not above
// the parent's, a confirmed parent and an output too small are refused.
func TestCPFPIncoming(t *testing.T) {
	btcd, node, s, funded := openFunded(t)
	ctx := context.Background()
	addr, err := s.Wallet().NewAddress(wallet.ReceiveBranch)
	if err != nil {
		t.Fatal(err)
	}
	const paid, parentFee = 5_000_000, 300
	parent := payFromMiner(t, btcd, 2, parentFee, wire.NewTxOut(paid, scriptOf(t, addr.Address)))
	if err := s.Wallet().AddUnconfirmed(parent); err != nil {
		t.Fatal(err)
	}
	pid := parent.TxHash()
	if _, err := s.CPFP(ctx, pid, 20, session.BumpOptions{}); !errors.Is(err, wallet.ErrParentFeeUnknown) {
		t.Fatalf("CPFP with the parent's input nowhere to be seen: %v", err)
	}
	// The node fetches the block of the coinbase the parent spends: now
	// the input's value is known.
	hash := btcd.BlockHash(2)
	if _, err := node.GetBlock(ctx, &hash); err != nil {
		t.Fatal(err)
	}
	if fee, err := s.ParentFee(ctx, pid); err != nil || fee != parentFee {
		t.Fatalf("the parent's fee from the fetched block: %v, %v; want %v", fee, err, btcutil.Amount(parentFee))
	}
	prate := float64(parentFee) / float64(wallet.TxVSize(parent))
	if _, err := s.CPFP(ctx, pid, prate, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "higher rate") {
		t.Fatalf("CPFP at the parent's own rate: %v", err)
	}

	d, err := s.CPFP(ctx, pid, 20, session.BumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	child := d.Packet.UnsignedTx
	if len(child.TxIn) != 1 || child.TxIn[0].PreviousOutPoint.Hash != pid || len(child.TxOut) != 1 {
		t.Fatalf("child %d inputs (first spends %s), %d outputs", len(child.TxIn), child.TxIn[0].PreviousOutPoint.Hash, len(child.TxOut))
	}
	pay, err := s.Pay(ctx, d.Draft, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if !btcd.InMempool(pid) || !btcd.InMempool(pay.Txid) {
		t.Fatalf("mempool: parent %v, child %v", btcd.InMempool(pid), btcd.InMempool(pay.Txid))
	}
	// The package pays at least the rate asked for, over the signed sizes.
	pkg := float64(parentFee+pay.Fee) / float64(wallet.TxVSize(parent)+wallet.TxVSize(pay.Tx))
	if pkg < 20 || pay.Fee != d.Fee {
		t.Fatalf("package rate %.2f sat/vB (child fee %v, drafted %v); want at least 20", pkg, pay.Fee, d.Fee)
	}
	mine(t, btcd, node, s)
	bal, _ := s.Wallet().Balance()
	if want := funded + paid - pay.Fee; bal.Confirmed != want || bal.Total != want {
		t.Fatalf("balance after both were mined %+v; want %v", bal, want)
	}
	if _, err := s.CPFP(ctx, pid, 50, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "already confirmed") {
		t.Fatalf("CPFP of a confirmed transaction: %v", err)
	}

	// 1,000 sat cannot pay for a child at 50 sat/vB.
	small := payFromMiner(t, btcd, 3, 500, wire.NewTxOut(1000, scriptOf(t, addr.Address)))
	if err := s.Wallet().AddUnconfirmed(small); err != nil {
		t.Fatal(err)
	}
	_, err = s.CPFP(ctx, small.TxHash(), 50, session.BumpOptions{ParentFee: 500})
	if err == nil || !strings.Contains(err.Error(), "too little") || !strings.Contains(err.Error(), "is needed") {
		t.Fatalf("CPFP of a 1,000-sat output at 50 sat/vB: %v", err)
	}
}

// Our own unconfirmed payment is sped up through its change: the wallet
// knows its fee, btcd takes the child, and once mined the balance is
// exact.
func TestCPFPOwnChange(t *testing.T) {
	btcd, node, s, funded := openFunded(t)
	ctx := context.Background()
	const sent = 3_000_000
	d, err := s.Draft(&wallet.SendRequest{FeeRate: 1, NoRBF: true,
		Recipients: []wallet.Recipient{{Address: minerAddress(t, btcd), Amount: sent}}})
	if err != nil {
		t.Fatal(err)
	}
	parent, err := s.Pay(ctx, d, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bump(parent.Txid, 5, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "replace-by-fee") {
		t.Fatalf("a bump of a payment without RBF: %v", err)
	}
	cd, err := s.CPFP(ctx, parent.Txid, 8, session.BumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cd.ParentFee != parent.Fee || cd.PackageFeeRate < 8 {
		t.Fatalf("CPFP draft: parent fee %v (paid %v), package %.2f sat/vB", cd.ParentFee, parent.Fee, cd.PackageFeeRate)
	}
	child, err := s.Pay(ctx, cd.Draft, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if !btcd.InMempool(parent.Txid) || !btcd.InMempool(child.Txid) {
		t.Fatalf("mempool: parent %v, child %v", btcd.InMempool(parent.Txid), btcd.InMempool(child.Txid))
	}
	mine(t, btcd, node, s)
	bal, _ := s.Wallet().Balance()
	if want := funded - sent - parent.Fee - child.Fee; bal.Confirmed != want || bal.Total != want {
		t.Fatalf("balance after both were mined %+v; want %v", bal, want)
	}
}

// A payment sped up by a child can still be bumped: the replacement pays
// for the child it evicts too (BIP125 rule 3), btcd takes it and drops
// both, the wallet forgets both, and once mined the balance is exact.
func TestBumpAfterCPFP(t *testing.T) {
	btcd, node, s, funded := openFunded(t)
	ctx := context.Background()
	const sent = 2_000_000
	d, err := s.Draft(&wallet.SendRequest{FeeRate: 1,
		Recipients: []wallet.Recipient{{Address: minerAddress(t, btcd), Amount: sent}}})
	if err != nil {
		t.Fatal(err)
	}
	parent, err := s.Pay(ctx, d, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	cd, err := s.CPFP(ctx, parent.Txid, 10, session.BumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	child, err := s.Pay(ctx, cd.Draft, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	// The parent alone at 10 sat/vB pays less than parent and child.
	if _, err := s.Bump(parent.Txid, 10, session.BumpOptions{}); err == nil || !strings.Contains(err.Error(), "replacing needs at least") {
		t.Fatalf("a bump that does not pay for the child: %v", err)
	}
	bd, err := s.Bump(parent.Txid, 25, session.BumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range bd.Packet.UnsignedTx.TxIn {
		if in.PreviousOutPoint.Hash == child.Txid {
			t.Fatal("the bump spends an output of the child it evicts")
		}
	}
	bumped, err := s.Pay(ctx, bd, session.PayOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if btcd.InMempool(parent.Txid) || btcd.InMempool(child.Txid) || !btcd.InMempool(bumped.Txid) {
		t.Fatalf("mempool: parent %v, child %v, bump %v", btcd.InMempool(parent.Txid), btcd.InMempool(child.Txid), btcd.InMempool(bumped.Txid))
	}
	hist, _ := s.Wallet().History()
	for _, e := range hist {
		if e.Txid == parent.Txid || e.Txid == child.Txid {
			t.Fatalf("the wallet still has %s after the bump evicted it", e.Txid)
		}
	}
	if bal, _ := s.Wallet().Balance(); bal.Total != funded-sent-bumped.Fee {
		t.Fatalf("balance after the bump %+v; want %v", bal, funded-sent-bumped.Fee)
	}
	mine(t, btcd, node, s)
	bal, _ := s.Wallet().Balance()
	if want := funded - sent - bumped.Fee; bal.Confirmed != want || bal.Total != want {
		t.Fatalf("balance after the bump was mined %+v; want %v", bal, want)
	}
}
