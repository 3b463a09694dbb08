package wallet

import (
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// fundedWallet returns a wallet that scanned a chain paying its receive
// index 3 one coin, and that coin.
func fundedWallet(t *testing.T) (*Wallet, testKeys, *testChain, *Output) {
	t.Helper()
	c := newTestChain()
	w, keys := newTestWallet(t)
	c.mine()
	c.mine(c.pay(script(t, w, ReceiveBranch, 3)))
	c.mine()
	scan(t, w, c)
	utxos, _, err := w.UTXOs()
	if err != nil || len(utxos) != 1 {
		t.Fatalf("funded wallet: %d coins (%v)", len(utxos), err)
	}
	return w, keys, c, utxos[0]
}

// signedSpend returns a transaction spending coins to outs, each input
// signed by the wallet's key for it, then changed by forge (if set) before
// the witness is attached.
func signedSpend(t *testing.T, k testKeys, coins []*Output, outs []*wire.TxOut,
	forge func(i int, tx *wire.MsgTx, h *txscript.TxSigHashes, c *Output) wire.TxWitness) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(2)
	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	for _, c := range coins {
		tx.AddTxIn(wire.NewTxIn(&c.OutPoint, nil, nil))
		fetcher.AddPrevOut(c.OutPoint, wire.NewTxOut(int64(c.Value), c.Script))
	}
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	wits := make([]wire.TxWitness, len(coins))
	for i, c := range coins {
		if forge != nil {
			wits[i] = forge(i, tx, hashes, c)
			continue
		}
		wit, err := txscript.WitnessSignature(tx, hashes, i, int64(c.Value), c.Script, txscript.SigHashAll,
			k.key(t, c.Branch, c.Index), true)
		if err != nil {
			t.Fatal(err)
		}
		wits[i] = wit
	}
	for i := range wits {
		tx.TxIn[i].Witness = wits[i]
	}
	return tx
}

// highS re-encodes a DER signature (with its sighash byte) with S replaced
// by N-S: still valid by consensus, but not standard (BIP146 LOW_S).
func highS(t *testing.T, sig []byte) []byte {
	t.Helper()
	der, hashType := sig[:len(sig)-1], sig[len(sig)-1]
	rLen := int(der[3])
	r := der[4 : 4+rLen]
	s := new(big.Int).SetBytes(der[4+rLen+2:])
	s.Sub(btcec.S256().N, s)
	sb := s.Bytes()
	if sb[0]&0x80 != 0 {
		sb = append([]byte{0}, sb...)
	}
	out := []byte{0x30, byte(4 + len(r) + len(sb)), 0x02, byte(len(r))}
	out = append(out, r...)
	out = append(out, 0x02, byte(len(sb)))
	out = append(out, sb...)
	return append(out, hashType)
}

// TestRelayedSpendMustVerify feeds AddUnconfirmed spends of the wallet's
// coin as a peer could relay them. Only a spend whose input passes the
// script engine against the coin's script and amount may change the wallet;
// a forged one leaves balance and history as they were and says so with
// ErrForgedSpend (for which the caller penalizes the peer).
func TestRelayedSpendMustVerify(t *testing.T) {
	other, _ := btcec.NewPrivateKey()
	cases := []struct {
		name    string
		forge   func(t *testing.T, k testKeys, i int, tx *wire.MsgTx, h *txscript.TxSigHashes, c *Output) wire.TxWitness
		wantErr error // nil: accepted
	}{
		{"signed by the coin's key", nil, nil},
		{"signed by another key, with the coin's public key", func(t *testing.T, k testKeys, i int, tx *wire.MsgTx, h *txscript.TxSigHashes, c *Output) wire.TxWitness {
			sig, err := txscript.RawTxInWitnessSignature(tx, h, i, int64(c.Value), c.Script, txscript.SigHashAll, other)
			if err != nil {
				t.Fatal(err)
			}
			return wire.TxWitness{sig, k.key(t, c.Branch, c.Index).PubKey().SerializeCompressed()}
		}, ErrForgedSpend},
		{"signed over another amount", func(t *testing.T, k testKeys, i int, tx *wire.MsgTx, h *txscript.TxSigHashes, c *Output) wire.TxWitness {
			wit, err := txscript.WitnessSignature(tx, h, i, int64(c.Value)+1, c.Script, txscript.SigHashAll, k.key(t, c.Branch, c.Index), true)
			if err != nil {
				t.Fatal(err)
			}
			return wit
		}, ErrForgedSpend},
		{"no witness", func(*testing.T, testKeys, int, *wire.MsgTx, *txscript.TxSigHashes, *Output) wire.TxWitness {
			return nil
		}, ErrForgedSpend},
		{"a garbage witness", func(*testing.T, testKeys, int, *wire.MsgTx, *txscript.TxSigHashes, *Output) wire.TxWitness {
			return wire.TxWitness{{0x30, 0x01}, {0x02}}
		}, ErrForgedSpend},
		{"a valid but high-S signature", func(t *testing.T, k testKeys, i int, tx *wire.MsgTx, h *txscript.TxSigHashes, c *Output) wire.TxWitness {
			wit, err := txscript.WitnessSignature(tx, h, i, int64(c.Value), c.Script, txscript.SigHashAll, k.key(t, c.Branch, c.Index), true)
			if err != nil {
				t.Fatal(err)
			}
			return wire.TxWitness{highS(t, wit[0]), wit[1]}
		}, ErrNonStandardSpend},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, keys, _, coin := fundedWallet(t)
			before := viewOf(t, w)
			var forge func(int, *wire.MsgTx, *txscript.TxSigHashes, *Output) wire.TxWitness
			if tc.forge != nil {
				forge = func(i int, tx *wire.MsgTx, h *txscript.TxSigHashes, c *Output) wire.TxWitness {
					return tc.forge(t, keys, i, tx, h, c)
				}
			}
			tx := signedSpend(t, keys, []*Output{coin}, []*wire.TxOut{wire.NewTxOut(int64(coin.Value)-500, externalScript(1))}, forge)
			err := w.AddUnconfirmed(tx)
			after := viewOf(t, w)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("a properly signed spend was refused: %v", err)
				}
				if after.Balance.Confirmed != 0 || len(after.History) != 2 {
					t.Fatalf("after a valid spend: %+v", after)
				}
				return
			}
			if !slices.Equal(after.History, before.History) || !slices.Equal(after.Coins, before.Coins) || after.Balance != before.Balance {
				t.Errorf("a spend %s changed the wallet:\n before %+v\n after  %+v", tc.name, before, after)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("AddUnconfirmed: %v; want %v", err, tc.wantErr)
			}
			if tc.wantErr == ErrNonStandardSpend && errors.Is(err, ErrForgedSpend) {
				t.Errorf("a spend valid by consensus is reported as forged: %v", err)
			}
		})
	}
}

// TestForgedSpendDoesNotEvictPayment: a forged double spend of a coin must
// not push out the wallet's own unconfirmed payment spending it.
func TestForgedSpendDoesNotEvictPayment(t *testing.T) {
	w, keys, _, coin := fundedWallet(t)
	mine := signedSpend(t, keys, []*Output{coin}, []*wire.TxOut{wire.NewTxOut(int64(coin.Value)-500, externalScript(1))}, nil)
	if err := w.AddUnconfirmed(mine); err != nil {
		t.Fatal(err)
	}
	before := viewOf(t, w)
	forged := signedSpend(t, keys, []*Output{coin}, []*wire.TxOut{wire.NewTxOut(int64(coin.Value)-900, externalScript(2))},
		func(int, *wire.MsgTx, *txscript.TxSigHashes, *Output) wire.TxWitness { return nil })
	if err := w.AddUnconfirmed(forged); !errors.Is(err, ErrForgedSpend) {
		t.Errorf("forged double spend: %v; want ErrForgedSpend", err)
	}
	if after := viewOf(t, w); !slices.Equal(after.History, before.History) {
		t.Errorf("a forged double spend replaced the wallet's payment:\n before %v\n after  %v", before.History, after.History)
	}
}

// TestUnconfirmedExpiry: an unconfirmed transaction that is neither mined
// nor seen again for UnconfirmedExpiry stops counting: the coin it spends
// is back, the payment it makes is gone. Seeing it again restarts the
// clock; a scan drops it from the file.
func TestUnconfirmedExpiry(t *testing.T) {
	w, keys, c, coin := fundedWallet(t)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	w.now = func() time.Time { return now }
	day := 24 * time.Hour

	spend := signedSpend(t, keys, []*Output{coin}, []*wire.TxOut{wire.NewTxOut(int64(coin.Value)-500, externalScript(1))}, nil)
	if err := w.AddUnconfirmed(spend); err != nil {
		t.Fatal(err)
	}
	incoming := c.pay(script(t, w, ReceiveBranch, 7))
	if err := w.AddUnconfirmed(incoming); err != nil {
		t.Fatal(err)
	}
	check := func(when string, wantConfirmed, wantUnconfirmed int64, wantTxs int) {
		t.Helper()
		v := viewOf(t, w)
		if v.Balance.Confirmed != sum(wantConfirmed) || v.Balance.Unconfirmed != sum(wantUnconfirmed) || len(v.History) != wantTxs {
			t.Errorf("%s: balance %+v with %d transactions; want %d confirmed, %d unconfirmed, %d transactions",
				when, v.Balance, len(v.History), wantConfirmed, wantUnconfirmed, wantTxs)
		}
	}
	pay := incoming.TxOut[0].Value
	check("at once", 0, pay, 3)
	now = t0.Add(13 * day)
	check("after 13 days", 0, pay, 3)
	// The spend is relayed again; the incoming payment is not.
	if err := w.AddUnconfirmed(spend); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(14*day + time.Second)
	check("14 days after the payment was last seen", 0, 0, 2)
	now = t0.Add(27 * day)
	check("14 days after the spend was last seen", 0, 0, 2)
	now = t0.Add(27*day + time.Second)
	check("after both expired", int64(coin.Value), 0, 1)

	// A scan removes expired records; seeing one again brings it back.
	scan(t, w, c)
	check("after a scan", int64(coin.Value), 0, 1)
	if err := w.AddUnconfirmed(spend); err != nil {
		t.Fatal(err)
	}
	check("seen again", 0, 0, 2)
}

// TestUnconfirmedNeverEvictsConfirmed: a confirmed spend stays in the
// history, with its coins, whatever unconfirmed transaction arrives: a
// validly signed double spend of its input, or itself relayed again.
func TestUnconfirmedNeverEvictsConfirmed(t *testing.T) {
	w, keys, c, coin := fundedWallet(t)
	change := script(t, w, ChangeBranch, 0)
	confirmed := signedSpend(t, keys, []*Output{coin},
		[]*wire.TxOut{wire.NewTxOut(20_000, externalScript(1)), wire.NewTxOut(int64(coin.Value)-25_000, change)}, nil)
	// Before it is mined, the wallet knows an unconfirmed double spend;
	// mining the other one evicts it.
	early := signedSpend(t, keys, []*Output{coin}, []*wire.TxOut{wire.NewTxOut(int64(coin.Value)-700, externalScript(3))}, nil)
	if err := w.AddUnconfirmed(early); err != nil {
		t.Fatal(err)
	}
	h := c.mine(confirmed)
	c.mine()
	scan(t, w, c)
	before := viewOf(t, w)
	want := []string{coin.OutPoint.Hash.String(), confirmed.TxHash().String()}
	if len(before.History) != 2 || before.Balance.Confirmed != sum(int64(coin.Value)-25_000) {
		t.Fatalf("after the spend was mined: %+v; want history %v", before, want)
	}

	conflict := signedSpend(t, keys, []*Output{coin}, []*wire.TxOut{wire.NewTxOut(int64(coin.Value)-1000, script(t, w, ReceiveBranch, 5))}, nil)
	if err := w.AddUnconfirmed(conflict); !errors.Is(err, ErrConflictsConfirmed) {
		t.Errorf("an unconfirmed double spend of a confirmed spend: %v; want ErrConflictsConfirmed", err)
	}
	if err := w.AddUnconfirmed(confirmed); err != nil {
		t.Errorf("the confirmed spend relayed again: %v", err)
	}
	after := viewOf(t, w)
	if !slices.Equal(after.History, before.History) || !slices.Equal(after.Coins, before.Coins) || after.Balance != before.Balance {
		t.Errorf("unconfirmed transactions changed the confirmed history:\n before %+v\n after  %+v", before, after)
	}
	hist, _ := w.History()
	for _, e := range hist {
		if e.Txid == confirmed.TxHash() && e.Height != h {
			t.Errorf("the confirmed spend is at height %d; want %d", e.Height, h)
		}
	}
}
