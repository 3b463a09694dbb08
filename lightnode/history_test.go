package lightnode

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// spendP2WPKH signs a transaction spending output index of prev, which pays
// key's P2WPKH script, to the given outputs.
func spendP2WPKH(t *testing.T, key *btcec.PrivateKey, prev *wire.MsgTx, index uint32, outs ...*wire.TxOut) *wire.MsgTx {
	t.Helper()
	prevOut := prev.TxOut[index]
	txid := prev.TxHash()
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&txid, index), nil, nil))
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(prevOut.PkScript, prevOut.Value)
	wit, err := txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, fetcher), 0, prevOut.Value,
		prevOut.PkScript, txscript.SigHashAll, key, true)
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].Witness = wit
	return tx
}

// TestScriptHistory pays a fresh key's script twice and spends one of the
// payments in the block that confirms it, and checks that ScriptHistory
// finds exactly those three transactions with the amounts they move.
func TestScriptHistory(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110) // coinbases 1..10 are spendable
	key := mustKey(t)
	script := regtest.KeyScript(key.PubKey())
	mining := regtest.KeyScript(btcd.MiningKey().PubKey())

	// Block 111: one output to the script.
	pay1 := btcd.Payment(btcd.CoinbaseCoin(1), 1, script)
	btcd.SendRaw(pay1)
	// Someone else's payment in the same block is not ours.
	btcd.SendRaw(btcd.Payment(btcd.CoinbaseCoin(3), 2, nil))
	btcd.Generate(1)

	// Block 112: two outputs to the script, and a spend of the second one
	// that sends change back to the script.
	pay2 := btcd.Payment(btcd.CoinbaseCoin(2), 2, script)
	btcd.SendRaw(pay2)
	const change = 100_000_000
	spent := pay2.TxOut[1].Value
	spend := spendP2WPKH(t, key, pay2, 1,
		wire.NewTxOut(change, script),
		wire.NewTxOut(spent-change-5_000, mining))
	btcd.SendRaw(spend)
	btcd.Generate(1)
	btcd.Generate(1)

	// Block 114: a spend of the first payment, made in block 111, so that
	// a scan from 113 finds it only when told the output is the script's.
	spend1 := spendP2WPKH(t, key, pay1, 0, wire.NewTxOut(pay1.TxOut[0].Value-5_000, mining))
	btcd.SendRaw(spend1)
	btcd.Generate(1)
	btcd.Generate(1)
	_, tip := btcd.BestBlock()

	n := startNode(t, t.TempDir(), btcd.P2PAddr())
	syncAll(t, n)

	type want struct {
		txid     chainhash.Hash
		height   int32
		received int64
		sent     int64
	}
	all := []want{
		{pay1.TxHash(), 111, pay1.TxOut[0].Value, 0},
		{pay2.TxHash(), 112, pay2.TxOut[0].Value + pay2.TxOut[1].Value, 0},
		{spend.TxHash(), 112, change, spent},
		{spend1.TxHash(), 114, 0, pay1.TxOut[0].Value},
	}
	tests := []struct {
		name     string
		from, to int32
		want     []want
	}{
		{"whole chain", 0, tip, all},
		// The spend in 114 of an output made before 112 is not seen.
		{"from the second payment", 112, tip, all[1:3]},
		{"before any payment", 0, 110, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls int
			var lastDone, lastTotal int32
			got, err := n.ScriptHistory(context.Background(), script, tt.from, tt.to, func(done, total int32) {
				calls++
				if done < lastDone {
					t.Errorf("progress went back from %d to %d", lastDone, done)
				}
				lastDone, lastTotal = done, total
			})
			if err != nil {
				t.Fatal(err)
			}
			if total := tt.to - tt.from + 1; calls < 2 || lastDone != total || lastTotal != total {
				t.Errorf("progress called %d times, last %d/%d; want it to reach %d/%d",
					calls, lastDone, lastTotal, total, total)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("found %d transactions, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Txid != w.txid || g.Height != w.height || g.Received != w.received || g.Sent != w.sent {
					t.Errorf("tx %d = %s at %d, received %d, sent %d; want %s at %d, received %d, sent %d",
						i, g.Txid, g.Height, g.Received, g.Sent, w.txid, w.height, w.received, w.sent)
				}
				if g.Tx == nil || g.Tx.TxHash() != w.txid {
					t.Errorf("tx %d does not carry the transaction itself", i)
				}
				if g.BlockHash != btcd.BlockHash(w.height) {
					t.Errorf("tx %d block hash %s, want %s", i, g.BlockHash, btcd.BlockHash(w.height))
				}
			}
		})
	}

	// A scan that continues one up to block 112, told the outputs that
	// scan left unspent, checks only the new filters and finds the spend
	// of the older payment with its amount.
	t.Run("continued", func(t *testing.T) {
		unspent := map[wire.OutPoint]int64{
			{Hash: pay1.TxHash(), Index: 0}:  pay1.TxOut[0].Value,
			{Hash: pay2.TxHash(), Index: 0}:  pay2.TxOut[0].Value,
			{Hash: spend.TxHash(), Index: 0}: change,
		}
		var lastTotal int32
		got, err := n.ScriptHistoryAfter(context.Background(), script, 113, tip, unspent,
			func(_, total int32) { lastTotal = total })
		if err != nil {
			t.Fatal(err)
		}
		if want := tip - 113 + 1; lastTotal != want {
			t.Errorf("the continued scan checked %d filters, want the %d new ones", lastTotal, want)
		}
		if len(got) != 1 || got[0].Txid != spend1.TxHash() || got[0].Height != 114 || got[0].Sent != pay1.TxOut[0].Value {
			t.Fatalf("continued scan found %+v, want the spend %s at 114 sending %d", got, spend1.TxHash(), pay1.TxOut[0].Value)
		}
		if len(unspent) != 3 {
			t.Error("the scan changed the caller's map")
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := n.ScriptHistory(ctx, script, 0, tip, nil); err == nil {
			t.Fatal("a cancelled scan returned no error")
		}
	})
	t.Run("empty script", func(t *testing.T) {
		if _, err := n.ScriptHistory(context.Background(), nil, 0, tip, nil); err == nil {
			t.Fatal("a scan for no script returned no error")
		}
	})
}
