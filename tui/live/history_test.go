package live

import (
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

func tx(prev wire.OutPoint, value int64, script []byte) *wire.MsgTx {
	t := wire.NewMsgTx(2)
	t.AddTxIn(wire.NewTxIn(&prev, nil, nil))
	t.AddTxOut(wire.NewTxOut(value, script))
	return t
}

// TestMatchMempool: of the relayed transactions, those paying the script
// and those spending its unspent outputs (confirmed, or made by an earlier
// relayed one) are the address's mempool, with what they move.
func TestMatchMempool(t *testing.T) {
	script, other := []byte{0x00, 0x14, 1}, []byte{0x00, 0x14, 2}
	confirmed := wire.OutPoint{Hash: chainhash.Hash{7}, Index: 1}
	pay := tx(wire.OutPoint{Hash: chainhash.Hash{1}}, 5_000, script)
	spendConfirmed := tx(confirmed, 90_000, other)
	spendRelayed := tx(wire.OutPoint{Hash: pay.TxHash()}, 4_000, other)
	unrelated := tx(wire.OutPoint{Hash: chainhash.Hash{3}}, 1_000, other)
	owned := map[wire.OutPoint]int64{confirmed: 100_000}
	got := matchMempool([]*wire.MsgTx{pay, unrelated, spendConfirmed, spendRelayed, pay}, script, owned)
	want := []struct {
		tx             *wire.MsgTx
		received, sent int64
	}{{pay, 5_000, 0}, {spendConfirmed, 0, 100_000}, {spendRelayed, 0, 5_000}}
	if len(got) != len(want) {
		t.Fatalf("matched %d transactions, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Txid != w.tx.TxHash() || int64(g.Received) != w.received || int64(g.Sent) != w.sent || g.Height != 0 {
			t.Errorf("match %d = %s received %d sent %d, want %s received %d sent %d",
				i, g.Txid, g.Received, g.Sent, w.tx.TxHash(), w.received, w.sent)
		}
	}
}
