package wallet

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// pausingChain is a Chain whose first GetBlock waits until the test lets
// it go, so that the test can use the wallet while a scan is under way.
type pausingChain struct {
	Chain
	once    sync.Once
	reached chan struct{} // closed when the scan is inside GetBlock
	release chan struct{} // closed by the test to let it go on
}

func (c *pausingChain) GetBlock(ctx context.Context, hash *chainhash.Hash) (*wire.MsgBlock, error) {
	c.once.Do(func() {
		close(c.reached)
		<-c.release
	})
	return c.Chain.GetBlock(ctx, hash)
}

// TestUseDuringScan checks the concurrency contract: while a scan is in
// the middle of a block, balance reads, Owns, labels and a payment of ours
// go through without waiting for it and without a wrong answer. The scan
// then goes on from what was written meanwhile: a block further on mines a
// double spend of the coin that payment spent, and the payment must give
// way to it as it would had it been recorded before the scan (the scan
// reads the wallet again instead of writing over it from what it read at
// the start). Run with -race.
func TestUseDuringScan(t *testing.T) {
	w, keys, chain, coin := fundedWallet(t)
	// Our payment, broadcast while the scan runs, and the conflicting
	// spend of the same coin that a later block holds.
	ours := signedSpend(t, keys, []*Output{coin},
		[]*wire.TxOut{wire.NewTxOut(int64(coin.Value)-500, script(t, w, ChangeBranch, 0))}, nil)
	other := signedSpend(t, keys, []*Output{coin},
		[]*wire.TxOut{wire.NewTxOut(int64(coin.Value)-900, externalScript(99))}, nil)
	chain.mine(other)
	for i := uint32(0); i < 3; i++ {
		chain.mine(chain.pay(script(t, w, ReceiveBranch, i)))
	}
	before, err := w.Balance()
	if err != nil {
		t.Fatal(err)
	}

	pc := &pausingChain{Chain: chain, reached: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := w.Scan(context.Background(), pc, nil)
		done <- err
	}()
	<-pc.reached

	// The scan is inside a block: none of these may wait for it.
	if b, err := w.Balance(); err != nil || b != before {
		t.Fatalf("balance during the scan: %+v, %v; want %+v", b, err, before)
	}
	if mine, _ := w.Owns(coin.Script); !mine {
		t.Fatal("Owns says an address of the wallet is not its own during a scan")
	}
	if err := w.SetLabel(AddressLabelKey("x"), "during the scan"); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordSent(ours); err != nil {
		t.Fatal(err)
	}
	close(pc.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	got := viewOf(t, w)
	for _, h := range got.History {
		if strings.HasPrefix(h, ours.TxHash().String()) {
			t.Fatalf("the payment the mined double spend replaced is still in the history")
		}
	}
	b := got.Balance
	if b.Unconfirmed != 0 || b.Confirmed != got.Balance.Total {
		t.Fatalf("balance after the scan: %+v (the replaced payment's change must be gone)", b)
	}
	labels, err := w.Labels()
	if err != nil || labels[AddressLabelKey("x")] != "during the scan" {
		t.Fatalf("the label written during the scan: %v, %v", labels, err)
	}
}
