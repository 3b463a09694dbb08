package psbtx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TestTestWalletFingerprint pins the fixture: "abandon ×11 about" has the
// master fingerprint 73c5da0a every wallet shows for it.
func TestTestWalletFingerprint(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	if s.Fingerprint() != testFingerprint {
		t.Fatalf("fingerprint %08x, want %08x", s.Fingerprint(),
			testFingerprint)
	}
}

// TestSignFinalizeExtract signs, finalizes and extracts a PSBT spending a
// coin of each script type (with a change output back to the wallet),
// carried through base64 as between an online and an offline machine, and
// verifies the transaction with the script engine against the coin.
func TestSignFinalizeExtract(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	for _, kind := range allTypes {
		t.Run(kind.String(), func(t *testing.T) {
			c := newCoin(deriveKey(t, s, kind, 0, 0), 100000)
			change := deriveKey(t, s, kind, 1, 0)
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(60000, externalScript("shop")),
				wire.NewTxOut(38000, change.script))
			change.outputDerivation(&p.Outputs[1], testFingerprint)

			offline := airGap(t, p)
			n, err := signN(t, offline, s)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("signed %d inputs, want 1", n)
			}
			// Signing again adds nothing.
			before := encode(t, offline)
			if n, err := signN(t, offline, s); err != nil || n != 0 {
				t.Fatalf("second Sign: %d, %v", n, err)
			}
			if !bytes.Equal(before, encode(t, offline)) {
				t.Fatal("second Sign changed the PSBT")
			}

			online := airGap(t, offline)
			if err := Finalize(online); err != nil {
				t.Fatal(err)
			}
			tx, err := Extract(online)
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyTx(tx, []*coin{c}); err != nil {
				t.Fatalf("the signed transaction does not verify: %v",
					err)
			}
			if !sameTransaction(tx, p.UnsignedTx) {
				t.Fatal("the extracted transaction is not the " +
					"PSBT's")
			}

			// The check above can fail: a changed signature does
			// not verify.
			bad := tx.Copy()
			corruptSignature(bad.TxIn[0])
			if err := verifyTx(bad, []*coin{c}); err == nil {
				t.Fatal("a corrupted signature verified")
			}
		})
	}
}

// sameTransaction reports whether a signed transaction is the unsigned one
// with signatures: same version, inputs' outpoints and sequences, outputs
// and lock time.
func sameTransaction(signed, unsigned *wire.MsgTx) bool {
	stripped := signed.Copy()
	for _, in := range stripped.TxIn {
		in.SignatureScript = nil
		in.Witness = nil
	}
	return stripped.TxHash() == unsigned.TxHash()
}

// corruptSignature flips a bit inside the signature of a signed input.
func corruptSignature(in *wire.TxIn) {
	if len(in.Witness) > 0 {
		in.Witness[0][10] ^= 0x01
		return
	}
	in.SignatureScript[10] ^= 0x01
}

// TestSignVariants covers inputs whose PSBT carries less than the creator
// of the fixture puts in: the signer fills in what it can derive.
func TestSignVariants(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	tests := []struct {
		name  string
		kind  scriptType
		strip func(in *psbt.PInput, c *coin)
	}{
		{"p2sh-p2wpkh without redeem script", typeP2SHP2WPKH,
			func(in *psbt.PInput, c *coin) { in.RedeemScript = nil }},
		{"p2sh-p2wpkh with only the previous transaction", typeP2SHP2WPKH,
			func(in *psbt.PInput, c *coin) {
				in.RedeemScript = nil
				in.WitnessUtxo = nil
			}},
		{"p2wpkh with only the previous transaction", typeP2WPKH,
			func(in *psbt.PInput, c *coin) {
				in.NonWitnessUtxo = c.prevTx
				in.WitnessUtxo = nil
			}},
		{"p2wpkh with both UTXOs", typeP2WPKH,
			func(in *psbt.PInput, c *coin) {
				in.NonWitnessUtxo = c.prevTx
			}},
		{"p2tr without internal key", typeP2TR,
			func(in *psbt.PInput, c *coin) {
				in.TaprootInternalKey = nil
			}},
		{"p2tr asking for SIGHASH_ALL", typeP2TR,
			func(in *psbt.PInput, c *coin) {
				in.SighashType = txscript.SigHashAll
			}},
		{"p2wpkh asking for SIGHASH_ALL", typeP2WPKH,
			func(in *psbt.PInput, c *coin) {
				in.SighashType = txscript.SigHashAll
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCoin(deriveKey(t, s, tc.kind, 0, 3), 50000)
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(49000, externalScript("x")))
			tc.strip(&p.Inputs[0], c)
			n, err := signN(t, p, s)
			if err != nil || n != 1 {
				t.Fatalf("Sign: %d, %v", n, err)
			}
			if err := Finalize(p); err != nil {
				t.Fatal(err)
			}
			tx, err := Extract(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyTx(tx, []*coin{c}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSignAllTypesTogether signs one PSBT with an input of each type: the
// taproot sighash commits to every input's coin, including the legacy one
// known only through its previous transaction.
func TestSignAllTypesTogether(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	var coins []*coin
	for k, kind := range allTypes {
		coins = append(coins, newCoin(deriveKey(t, s, kind, 0, uint32(k)),
			int64(10000*(k+1))))
	}
	p := buildPSBT(t, testFingerprint, coins,
		wire.NewTxOut(90000, externalScript("all")))
	q := airGap(t, p)
	if n, err := signN(t, q, s); err != nil || n != 4 {
		t.Fatalf("Sign: %d, %v", n, err)
	}
	if err := Finalize(q); err != nil {
		t.Fatal(err)
	}
	tx, err := Extract(q)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyTx(tx, coins); err != nil {
		t.Fatal(err)
	}
}

// TestSignOtherWallet checks that a wallet signs nothing of a PSBT that is
// not its own, and leaves it untouched.
func TestSignOtherWallet(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	other := newTestSigner(t, otherMnemonic)
	var coins []*coin
	for k, kind := range allTypes {
		coins = append(coins, newCoin(deriveKey(t, s, kind, 0, uint32(k)),
			20000))
	}
	p := buildPSBT(t, testFingerprint, coins,
		wire.NewTxOut(70000, externalScript("o")))
	before := encode(t, p)
	n, err := signN(t, p, other)
	if err != nil || n != 0 {
		t.Fatalf("Sign with another wallet: %d, %v", n, err)
	}
	if !bytes.Equal(before, encode(t, p)) {
		t.Fatal("Sign with another wallet changed the PSBT")
	}
	err = Finalize(p)
	if !IsErrorCode(err, ErrNotFinalizable) ||
		!strings.Contains(err.Error(), "input 0 cannot be finalized: "+
			"it is not signed yet") {
		t.Fatalf("Finalize: %v", err)
	}
	if _, err := Extract(p); !IsErrorCode(err, ErrIncomplete) {
		t.Fatalf("Extract: %v", err)
	}
}

// TestSignRefusesFakeChange checks that Sign refuses, changing nothing, a
// PSBT with an output that carries the wallet's fingerprint but does not
// pay to the key derived at its path, and accepts genuine change.
func TestSignRefusesFakeChange(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	other := newTestSigner(t, otherMnemonic)
	attacker := externalScript("attacker")
	tests := []struct {
		name  string
		setup func(p *psbt.Packet)
		ok    bool
	}{{
		name: "genuine p2wpkh change",
		setup: func(p *psbt.Packet) {
			k := deriveKey(t, s, typeP2WPKH, 1, 0)
			p.UnsignedTx.TxOut[1].PkScript = k.script
			k.outputDerivation(&p.Outputs[1], testFingerprint)
		},
		ok: true,
	}, {
		name: "genuine p2tr change",
		setup: func(p *psbt.Packet) {
			k := deriveKey(t, s, typeP2TR, 1, 0)
			p.UnsignedTx.TxOut[1].PkScript = k.script
			k.outputDerivation(&p.Outputs[1], testFingerprint)
		},
		ok: true,
	}, {
		name: "p2tr change described with a plain BIP32 derivation",
		setup: func(p *psbt.Packet) {
			k := deriveKey(t, s, typeP2TR, 1, 0)
			p.UnsignedTx.TxOut[1].PkScript = k.script
			p.Outputs[1].Bip32Derivation = []*psbt.Bip32Derivation{
				NewBip32Derivation(testFingerprint, k.pub, k.path)}
		},
		ok: true,
	}, {
		name: "change derivation on a script paying someone else",
		setup: func(p *psbt.Packet) {
			k := deriveKey(t, s, typeP2WPKH, 1, 0)
			k.outputDerivation(&p.Outputs[1], testFingerprint)
		},
	}, {
		name: "change derivation recording another key",
		setup: func(p *psbt.Packet) {
			k := deriveKey(t, other, typeP2WPKH, 1, 0)
			p.UnsignedTx.TxOut[1].PkScript = k.script
			k.outputDerivation(&p.Outputs[1], testFingerprint)
		},
	}, {
		name: "taproot change with another output key",
		setup: func(p *psbt.Packet) {
			k := deriveKey(t, s, typeP2TR, 1, 0)
			k.outputDerivation(&p.Outputs[1], testFingerprint)
			evil := deriveKey(t, other, typeP2TR, 1, 0)
			p.UnsignedTx.TxOut[1].PkScript = evil.script
		},
	}, {
		name: "taproot change with a script tree it does not commit to",
		setup: func(p *psbt.Packet) {
			k := deriveKey(t, s, typeP2TR, 1, 0)
			p.UnsignedTx.TxOut[1].PkScript = k.script
			k.outputDerivation(&p.Outputs[1], testFingerprint)
			// A tree with one leaf: depth 0, version 0xc0,
			// OP_TRUE. The output key has no tree.
			p.Outputs[1].TaprootTapTree = []byte{0, 0xc0, 1, 0x51}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(50000, externalScript("shop")),
				wire.NewTxOut(49000, attacker))
			tc.setup(p)
			r, err := ReviewPacket(p, netParams, nil,
				WithAccounts(accountsOf(t, s)...))
			if err != nil {
				t.Fatal(err)
			}
			warned := hasWarning(r, "output 1 claims to be change "+
				"but is not this wallet's")

			before := encode(t, p)
			n, err := signN(t, p, s)
			if tc.ok {
				if err != nil || n != 1 {
					t.Fatalf("Sign: %d, %v", n, err)
				}
				if warned {
					t.Errorf("review warns about genuine "+
						"change: %q", r.Warnings)
				}
				return
			}
			if !IsErrorCode(err, ErrChangeMismatch) || n != 0 {
				t.Fatalf("Sign: %d, %v; want ErrChangeMismatch", n,
					err)
			}
			if !strings.Contains(err.Error(), "output 1") {
				t.Errorf("the error does not name the output: %v",
					err)
			}
			if !bytes.Equal(before, encode(t, p)) || !noSignatures(p) {
				t.Fatal("a refused Sign changed the PSBT")
			}
			if !warned {
				t.Errorf("review does not warn: %q", r.Warnings)
			}
		})
	}
}

// TestSignRefusesInconsistentInputs checks that Sign refuses, changing
// nothing, an input of the wallet whose coin is missing, mismatched or not
// payable by the derived key, or that asks for another sighash type.
func TestSignRefusesInconsistentInputs(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	other := newTestSigner(t, otherMnemonic)
	tests := []struct {
		name  string
		kinds []scriptType
		setup func(p *psbt.Packet, coins []*coin)
		code  ErrorCode
	}{{
		name:  "p2pkh with a witness UTXO only",
		kinds: []scriptType{typeP2PKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			p.Inputs[0].NonWitnessUtxo = nil
			p.Inputs[0].WitnessUtxo = coins[0].txOut()
		},
		code: ErrUTXOMismatch,
	}, {
		name:  "p2pkh with the wrong previous transaction",
		kinds: []scriptType{typeP2PKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			wrong := coins[0].prevTx.Copy()
			wrong.LockTime = 99
			p.Inputs[0].NonWitnessUtxo = wrong
		},
		code: ErrUTXOMismatch,
	}, {
		name:  "p2pkh without any UTXO",
		kinds: []scriptType{typeP2PKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			p.Inputs[0].NonWitnessUtxo = nil
		},
		code: ErrMissingUTXO,
	}, {
		name:  "p2wpkh without any UTXO",
		kinds: []scriptType{typeP2WPKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			p.Inputs[0].WitnessUtxo = nil
			p.Inputs[0].NonWitnessUtxo = nil
		},
		code: ErrMissingUTXO,
	}, {
		name:  "p2wpkh whose two UTXOs disagree",
		kinds: []scriptType{typeP2WPKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			p.Inputs[0].NonWitnessUtxo = coins[0].prevTx
			p.Inputs[0].WitnessUtxo = wire.NewTxOut(1,
				coins[0].txOut().PkScript)
		},
		code: ErrUTXOMismatch,
	}, {
		name:  "p2tr next to an input without UTXO",
		kinds: []scriptType{typeP2TR, typeP2WPKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			// The second input is someone else's, without UTXO.
			p.Inputs[1] = psbt.PInput{}
		},
		code: ErrMissingUTXO,
	}, {
		name:  "p2wpkh asking for SIGHASH_NONE",
		kinds: []scriptType{typeP2WPKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			p.Inputs[0].SighashType = txscript.SigHashNone
		},
		code: ErrSighashType,
	}, {
		name:  "p2tr asking for SIGHASH_SINGLE",
		kinds: []scriptType{typeP2TR},
		setup: func(p *psbt.Packet, coins []*coin) {
			p.Inputs[0].SighashType = txscript.SigHashSingle
		},
		code: ErrSighashType,
	}, {
		name:  "p2wpkh coin paying another key than the derivation's",
		kinds: []scriptType{typeP2WPKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			evil := deriveKey(t, other, typeP2WPKH, 0, 0)
			out := wire.NewTxOut(coins[0].value, evil.script)
			p.Inputs[0].NonWitnessUtxo = nil
			p.Inputs[0].WitnessUtxo = out
		},
		code: ErrWrongKey,
	}, {
		name:  "p2tr coin paying another key than the derivation's",
		kinds: []scriptType{typeP2TR},
		setup: func(p *psbt.Packet, coins []*coin) {
			evil := deriveKey(t, other, typeP2TR, 0, 0)
			p.Inputs[0].WitnessUtxo = wire.NewTxOut(coins[0].value,
				evil.script)
		},
		code: ErrWrongKey,
	}, {
		name:  "p2sh-p2wpkh with a redeem script of another coin",
		kinds: []scriptType{typeP2SHP2WPKH},
		setup: func(p *psbt.Packet, coins []*coin) {
			p.Inputs[0].RedeemScript = externalScript("r")
		},
		code: ErrUTXOMismatch,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var coins []*coin
			for k, kind := range tc.kinds {
				coins = append(coins, newCoin(
					deriveKey(t, s, kind, 0, uint32(k)), 30000))
			}
			p := buildPSBT(t, testFingerprint, coins,
				wire.NewTxOut(20000, externalScript("y")))
			tc.setup(p, coins)
			before := encode(t, p)
			n, err := signN(t, p, s)
			if !IsErrorCode(err, tc.code) || n != 0 {
				t.Fatalf("Sign: %d, %v; want %v", n, err, tc.code)
			}
			if !strings.Contains(err.Error(), "input ") {
				t.Errorf("the error does not name the input: %v",
					err)
			}
			if !bytes.Equal(before, encode(t, p)) {
				t.Fatal("a refused Sign changed the PSBT")
			}
		})
	}
}

// TestCombinePartiallySigned has two wallets each sign their input of a
// shared PSBT, then combines, finalizes and extracts the transaction.
func TestCombinePartiallySigned(t *testing.T) {
	alice := newTestSigner(t, testMnemonic)
	bob := newTestSigner(t, otherMnemonic)
	ca := newCoin(deriveKey(t, alice, typeP2WPKH, 0, 0), 70000)
	cb := newCoin(deriveKey(t, bob, typeP2TR, 0, 0), 80000)
	p := buildPSBT(t, testFingerprint, []*coin{ca, cb},
		wire.NewTxOut(140000, externalScript("together")))
	cb.fill(&p.Inputs[1], bob.Fingerprint())

	pa, pb := airGap(t, p), airGap(t, p)
	if n, err := signN(t, pa, alice); err != nil || n != 1 {
		t.Fatalf("alice: %d, %v", n, err)
	}
	if n, err := signN(t, pb, bob); err != nil || n != 1 {
		t.Fatalf("bob: %d, %v", n, err)
	}

	// Each half alone cannot be finalized; the error names the input.
	half := airGap(t, pa)
	err := Finalize(half)
	if !IsErrorCode(err, ErrNotFinalizable) ||
		!strings.Contains(err.Error(), "input 1") {
		t.Fatalf("Finalize of alice's half: %v", err)
	}
	// ... but alice's input was finalized.
	if !isFinalized(&half.Inputs[0]) || isFinalized(&half.Inputs[1]) {
		t.Fatal("Finalize did not finalize what it could")
	}

	ab, err := Combine(pa, pb)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := Combine(pb, pa)
	if err != nil {
		t.Fatal(err)
	}
	if !sameBytes(t, ab, ba) {
		t.Error("Combine depends on the order of its arguments")
	}
	// A finalized half combines too.
	mixed, err := Combine(half, pb)
	if err != nil {
		t.Fatal(err)
	}

	for _, q := range []*psbt.Packet{ab, mixed} {
		if err := Finalize(q); err != nil {
			t.Fatal(err)
		}
		tx, err := Extract(q)
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyTx(tx, []*coin{ca, cb}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFinalizeRejectsBadSignature checks that a signature made for another
// transaction is caught by Finalize (the input stays unfinalized) and by
// the review.
func TestFinalizeRejectsBadSignature(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	for _, kind := range []scriptType{typeP2PKH, typeP2WPKH, typeP2TR} {
		t.Run(kind.String(), func(t *testing.T) {
			c := newCoin(deriveKey(t, s, kind, 0, 0), 100000)
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(90000, externalScript("a")))
			q := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(80000, externalScript("a")))
			if n, err := signN(t, q, s); err != nil || n != 1 {
				t.Fatalf("Sign: %d, %v", n, err)
			}
			// Move q's signature into p.
			p.Inputs[0].PartialSigs = q.Inputs[0].PartialSigs
			p.Inputs[0].TaprootKeySpendSig = q.Inputs[0].TaprootKeySpendSig

			r, err := ReviewPacket(p, netParams, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Complete || !hasWarning(r, "does not verify") {
				t.Errorf("review: complete %v, warnings %q",
					r.Complete, r.Warnings)
			}
			err = Finalize(p)
			if !IsErrorCode(err, ErrBadSignature) {
				t.Fatalf("Finalize: %v, want ErrBadSignature", err)
			}
			if isFinalized(&p.Inputs[0]) {
				t.Fatal("the input was finalized with a bad signature")
			}
		})
	}
}

// TestExtractRejectsBadFinalWitness checks that Extract verifies what it
// returns.
func TestExtractRejectsBadFinalWitness(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2TR, 0, 0), 100000)
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(90000, externalScript("a")))
	if _, err := signN(t, p, s); err != nil {
		t.Fatal(err)
	}
	if err := Finalize(p); err != nil {
		t.Fatal(err)
	}
	p.Inputs[0].FinalScriptWitness[5] ^= 1
	if _, err := Extract(p); !IsErrorCode(err, ErrBadSignature) {
		t.Fatalf("Extract: %v, want ErrBadSignature", err)
	}
}

// TestTaprootChangeWithTree checks that taproot "change" whose key also
// commits to a script tree is refused: this wallet's addresses are BIP86
// outputs without a tree, so the wallet would never see those coins.
func TestTaprootChangeWithTree(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
	k := deriveKey(t, s, typeP2TR, 1, 0)
	// Two leaves at depth 1: OP_TRUE and OP_2.
	tree := []byte{1, 0xc0, 1, 0x51, 1, 0xc0, 1, 0x52}
	root := txscript.AssembleTaprootScriptTree(
		txscript.NewBaseTapLeaf([]byte{0x51}),
		txscript.NewBaseTapLeaf([]byte{0x52})).RootNode.TapHash()
	script := p2trScript(txscript.ComputeTaprootOutputKey(k.pub, root[:]))
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(90000, script))
	k.outputDerivation(&p.Outputs[0], testFingerprint)
	p.Outputs[0].TaprootTapTree = tree
	if _, err := signN(t, p, s); !IsErrorCode(err, ErrChangeMismatch) {
		t.Fatalf("Sign: %v, want ErrChangeMismatch", err)
	}
	// The wallet's own address for that key, without the tree, is change.
	p.UnsignedTx.TxOut[0].PkScript = k.script
	if _, err := signN(t, p, s); !IsErrorCode(err, ErrChangeMismatch) {
		t.Fatalf("Sign with the tree still named: %v, want "+
			"ErrChangeMismatch", err)
	}
	p.Outputs[0].TaprootTapTree = nil
	// Everything goes back to the wallet: nothing is sent, so the fee is
	// more than the amount sent and needs --force.
	if _, err := signN(t, p, s); !IsErrorCode(err, ErrAbsurdFee) {
		t.Fatalf("Sign of a payment to itself: %v, want ErrAbsurdFee", err)
	}
	if n, err := signN(t, p, s, AllowAbsurdFee()); err != nil || n != 1 {
		t.Fatalf("Sign: %d, %v", n, err)
	}
}

// TestSignWrongNetwork checks that a PSBT listing the wallet's account key
// for another network is refused.
func TestSignWrongNetwork(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
	path := walletPath(typeP2WPKH, 0, 0)[:3]
	xpub, err := s.AccountXPub(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		version [4]byte
		code    ErrorCode
	}{
		{"regtest", netParams.HDPublicKeyID, -1},
		{"mainnet", chaincfg.MainNetParams.HDPublicKeyID, ErrWrongNetwork},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(90000, externalScript("a")))
			key := psbt.EncodeExtendedKey(xpub)
			copy(key[:4], tc.version[:])
			p.XPubs = []psbt.XPub{{ExtendedKey: key,
				MasterKeyFingerprint: toPSBT(testFingerprint),
				Bip32Path:            path}}
			p = airGap(t, p)
			n, err := signN(t, p, s)
			if tc.code < 0 {
				if err != nil || n != 1 {
					t.Fatalf("Sign: %d, %v", n, err)
				}
				return
			}
			if !IsErrorCode(err, tc.code) || n != 0 {
				t.Fatalf("Sign: %d, %v; want %v", n, err, tc.code)
			}
		})
	}
}

// TestSignSkipsScriptPathKeys checks that a taproot input naming the
// wallet's key only in a script leaf is left alone: script paths are not
// signed.
func TestSignSkipsScriptPathKeys(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2TR, 0, 0), 100000)
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(90000, externalScript("a")))
	p.Inputs[0].TaprootInternalKey = nil
	p.Inputs[0].TaprootBip32Derivation[0].LeafHashes = [][]byte{
		make([]byte, 32)}
	if n, err := signN(t, p, s); err != nil || n != 0 {
		t.Fatalf("Sign: %d, %v", n, err)
	}
}

// TestSignLockedWallet checks that a closed signer signs nothing and says
// the wallet is locked.
func TestSignLockedWallet(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(90000, externalScript("a")))
	accts := accountsOf(t, s)
	s.Close()
	res, err := Sign(p, s, netParams, WithAccounts(accts...))
	n := 0
	if res != nil {
		n = len(res.Signed)
	}
	if !IsErrorCode(err, ErrSigning) || n != 0 || !noSignatures(p) {
		t.Fatalf("Sign: %d, %v", n, err)
	}
	if !strings.Contains(err.Error(), "locked") {
		t.Errorf("%q does not say the wallet is locked", err)
	}
	if _, err := Sign(p, nil, netParams); !IsErrorCode(err, ErrSigning) {
		t.Fatalf("nil signer: %v", err)
	}
}

// TestTaprootChangeInLeaf checks change whose taproot output names the
// wallet's key in a script leaf (another key is the internal key): refused
// whether or not the leaf is in the tree, since this wallet's addresses are
// key-path outputs and it would not see those coins.
func TestTaprootChangeInLeaf(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	other := newTestSigner(t, otherMnemonic)
	c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
	k := deriveKey(t, s, typeP2TR, 1, 0)
	internal := deriveKey(t, other, typeP2TR, 1, 0)
	xonly := schnorr.SerializePubKey(k.pub)
	leafScript := append(append([]byte{txscript.OP_DATA_32}, xonly...),
		txscript.OP_CHECKSIG)
	tree := append([]byte{0, 0xc0, byte(len(leafScript))}, leafScript...)
	leaf := txscript.NewBaseTapLeaf(leafScript).TapHash()
	script := p2trScript(txscript.ComputeTaprootOutputKey(internal.pub,
		leaf[:]))
	for _, tc := range []struct {
		name string
		leaf []byte
	}{
		{"leaf in the tree", leaf[:]},
		{"leaf not in the tree", make([]byte, 32)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(90000, script))
			out := &p.Outputs[0]
			out.TaprootInternalKey = schnorr.SerializePubKey(internal.pub)
			out.TaprootTapTree = tree
			d := NewTaprootBip32Derivation(testFingerprint, k.pub, k.path)
			d.LeafHashes = [][]byte{tc.leaf}
			out.TaprootBip32Derivation = []*psbt.TaprootBip32Derivation{d}
			_, err := signN(t, p, s)
			if !IsErrorCode(err, ErrChangeMismatch) {
				t.Fatalf("Sign: %v, want ErrChangeMismatch", err)
			}
		})
	}
}
