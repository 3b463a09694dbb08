package psbt

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	btcpsbt "github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// multisigPSBT is a PSBT spending a 2-of-2 P2WSH coin of 1 BTC (the fake
// wallet's, its change the same script) that one of the two keys signed.
func multisigPSBT(t *testing.T) (*signer, *btcpsbt.Packet) {
	t.Helper()
	var keys []*btcec.PrivateKey
	for _, b := range []byte{7, 8} {
		var seed [32]byte
		seed[31] = b
		k, _ := btcec.PrivKeyFromBytes(seed[:])
		keys = append(keys, k)
	}
	a, b := keys[0].PubKey().SerializeCompressed(), keys[1].PubKey().SerializeCompressed()
	if bytes.Compare(a, b) > 0 {
		a, b = b, a
	}
	ws, err := txscript.NewScriptBuilder().AddOp(txscript.OP_2).AddData(a).AddData(b).
		AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG).Script()
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(ws)
	addr, err := address.NewAddressWitnessScriptHash(h[:], net)
	if err != nil {
		t.Fatal(err)
	}
	script, _ := txscript.PayToAddrScript(addr)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{2}}, Sequence: 0xffffffff})
	prev.AddTxOut(wire.NewTxOut(100_000_000, script))
	s := &signer{key: keys[0], script: script, prev: prev}

	pay, _ := payScript(t)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prev.TxHash()}, Sequence: 0xfffffffd})
	tx.AddTxOut(wire.NewTxOut(30_000_000, pay))
	tx.AddTxOut(wire.NewTxOut(100_000_000-30_000_000-2_000, script))
	p, err := btcpsbt.NewFromUnsignedTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	p.Inputs[0].WitnessUtxo = prev.TxOut[0]
	p.Inputs[0].NonWitnessUtxo = prev
	p.Inputs[0].WitnessScript = ws
	fetcher := txscript.NewCannedPrevOutputFetcher(script, prev.TxOut[0].Value)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	sig, err := txscript.RawTxInWitnessSignature(tx, hashes, 0, prev.TxOut[0].Value, ws, txscript.SigHashAll, keys[0])
	if err != nil {
		t.Fatal(err)
	}
	p.Inputs[0].PartialSigs = []*btcpsbt.PartialSig{{PubKey: keys[0].PubKey().SerializeCompressed(), Signature: sig}}
	return s, p
}

// TestMultisigReview: a multisig input shows how many of its signatures
// are there, "1 of 2 sigs", and the PSBT is not complete.
func TestMultisigReview(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		s, p := multisigPSBT(t)
		path := writePSBTFile(t, t.TempDir(), "vault.psbt", p)
		m := newPage(t, &fakeWallet{s: s, watchOnly: true}, w, h)
		m.press(t, "o")
		m.typeIn(t, path)
		m.press(t, "enter")
		if m.review == nil {
			t.Fatalf("the PSBT did not open:\n%s", screen(m))
		}
		if in := m.review.Inputs[0]; in.Required != 2 || in.Signatures != 1 {
			t.Fatalf("review: %d of %d signatures", in.Signatures, in.Required)
		}
		shows(t, m, "ours, 1 of 2 sigs", "not complete")
		v := m.View().Content
		tuitest.AssertFits(t, v, w, h)
		if w == 80 {
			golden.RequireEqual(t, v)
		}
	}
}
