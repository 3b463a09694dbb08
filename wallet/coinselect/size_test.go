package coinselect

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// testKey returns a deterministic private key for seed.
func testKey(seed uint64) *btcec.PrivateKey {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h := sha256.Sum256(b[:])
	k, _ := btcec.PrivKeyFromBytes(h[:])
	return k
}

// p2pkhScript, p2wpkhScript, ... build the output script of a key.
func p2pkhScript(pub *btcec.PublicKey) []byte {
	s := []byte{txscript.OP_DUP, txscript.OP_HASH160, txscript.OP_DATA_20}
	s = append(s, address.Hash160(pub.SerializeCompressed())...)
	return append(s, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG)
}

func p2wpkhScript(pub *btcec.PublicKey) []byte {
	s := []byte{txscript.OP_0, txscript.OP_DATA_20}
	return append(s, address.Hash160(pub.SerializeCompressed())...)
}

func p2shScript(redeem []byte) []byte {
	s := []byte{txscript.OP_HASH160, txscript.OP_DATA_20}
	s = append(s, address.Hash160(redeem)...)
	return append(s, txscript.OP_EQUAL)
}

func p2trScript(pub *btcec.PublicKey) []byte {
	s := []byte{txscript.OP_1, txscript.OP_DATA_32}
	return append(s, schnorr.SerializePubKey(txscript.ComputeTaprootKeyNoScript(pub))...)
}

// outputScript returns an output script of type t for key seed.
func outputScript(t InputType, seed uint64) []byte {
	pub := testKey(seed).PubKey()
	switch t {
	case P2PKH:
		return p2pkhScript(pub)
	case P2SHP2WPKH:
		return p2shScript(p2wpkhScript(pub))
	case P2WPKH:
		return p2wpkhScript(pub)
	default:
		return p2trScript(pub)
	}
}

// signedTx is a real transaction spending coins of the given types, signed
// and verified by btcd's script engine.
type signedTx struct {
	tx *wire.MsgTx
	// shortfall is how many weight units the tx's ECDSA signatures are
	// below the 72 bytes the estimate budgets for.
	shortfall int64
}

// buildSignedTx builds and signs a transaction spending one coin of each of
// inputs (keys derived from seed) to outputs. It fails the test when a
// signature does not verify.
func buildSignedTx(t *testing.T, seed uint64, inputs []InputType, outputs []*wire.TxOut) signedTx {
	t.Helper()
	const amount = 1_000_000
	tx := wire.NewMsgTx(2)
	prevOuts := make(map[wire.OutPoint]*wire.TxOut)
	keys := make([]*btcec.PrivateKey, len(inputs))
	scripts := make([][]byte, len(inputs))
	for i, typ := range inputs {
		keys[i] = testKey(seed*1000 + uint64(i))
		scripts[i] = outputScript(typ, seed*1000+uint64(i))
		op := wire.OutPoint{Hash: sha256.Sum256([]byte(fmt.Sprint("prev", seed, i))), Index: uint32(i)}
		prevOuts[op] = wire.NewTxOut(amount, scripts[i])
		tx.AddTxIn(wire.NewTxIn(&op, nil, nil))
	}
	for _, o := range outputs {
		tx.AddTxOut(o)
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevOuts)
	hashes := txscript.NewTxSigHashes(tx, fetcher)

	var shortfall int64
	for i, typ := range inputs {
		key := keys[i]
		switch typ {
		case P2PKH:
			sigScript, err := txscript.SignatureScript(tx, i, scripts[i], txscript.SigHashAll, key, true)
			if err != nil {
				t.Fatal(err)
			}
			tx.TxIn[i].SignatureScript = sigScript
			shortfall += 4 * int64(72-int(sigScript[0]))
		case P2WPKH, P2SHP2WPKH:
			program := p2wpkhScript(key.PubKey())
			wit, err := txscript.WitnessSignature(tx, hashes, i, amount, program, txscript.SigHashAll, key, true)
			if err != nil {
				t.Fatal(err)
			}
			tx.TxIn[i].Witness = wit
			shortfall += int64(72 - len(wit[0]))
			if typ == P2SHP2WPKH {
				tx.TxIn[i].SignatureScript = append([]byte{byte(len(program))}, program...)
			}
		case P2TR:
			wit, err := txscript.TaprootWitnessSignature(tx, hashes, i, amount, scripts[i], txscript.SigHashDefault, key)
			if err != nil {
				t.Fatal(err)
			}
			tx.TxIn[i].Witness = wit
		}
	}
	for i := range inputs {
		prev := prevOuts[tx.TxIn[i].PreviousOutPoint]
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, fetcher)
		if err != nil {
			t.Fatal(err)
		}
		if err := vm.Execute(); err != nil {
			t.Fatalf("input %d (%s) does not verify: %v", i, inputs[i], err)
		}
	}
	return signedTx{tx: tx, shortfall: shortfall}
}

func realWeight(tx *wire.MsgTx) int64 {
	return blockchain.GetTransactionWeight(btcutil.NewTx(tx))
}

// outs returns outputs of the given types.
func outs(types ...InputType) []*wire.TxOut {
	o := make([]*wire.TxOut, len(types))
	for i, t := range types {
		o[i] = wire.NewTxOut(50_000, outputScript(t, 9_000+uint64(i)))
	}
	return o
}

// TestEstimateVSizeRealTransactions checks the estimate against real
// signed transactions measured by btcd. Where ECDSA is involved, the key is
// varied until every signature has its full 72 bytes (a high R), which is
// the case the estimate budgets for; the estimate must then be exact.
func TestEstimateVSizeRealTransactions(t *testing.T) {
	tests := []struct {
		name      string
		inputs    []InputType
		outputs   []*wire.TxOut
		wantVSize int64
	}{
		{"1-in-2-out p2wpkh", []InputType{P2WPKH}, outs(P2WPKH, P2WPKH), 141},
		{"1-in-1-out p2tr key path", []InputType{P2TR}, outs(P2TR), 111},
		{"2-in-2-out p2wpkh", []InputType{P2WPKH, P2WPKH}, outs(P2WPKH, P2WPKH), 209},
		{"1-in-2-out p2pkh", []InputType{P2PKH}, outs(P2PKH, P2PKH), 226},
		{"1-in-2-out p2sh-p2wpkh", []InputType{P2SHP2WPKH}, outs(P2SHP2WPKH, P2SHP2WPKH), 166},
		{"2-in-2-out p2tr", []InputType{P2TR, P2TR}, outs(P2TR, P2TR), 212},
		{"p2pkh and p2wpkh mixed", []InputType{P2PKH, P2WPKH}, outs(P2WPKH, P2WPKH), 289},
		{"all four types", []InputType{P2PKH, P2SHP2WPKH, P2WPKH, P2TR}, outs(P2TR, P2WPKH, P2PKH), 484},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tx signedTx
			for seed := uint64(1); ; seed++ {
				tx = buildSignedTx(t, seed, tc.inputs, tc.outputs)
				if tx.shortfall == 0 {
					break
				}
				if seed == 200 {
					t.Fatal("no seed gives full-length signatures")
				}
			}
			gotWeight := realWeight(tx.tx)
			if est := EstimateWeight(tc.inputs, tc.outputs, nil); est != gotWeight {
				t.Errorf("EstimateWeight = %d, real signed tx weighs %d", est, gotWeight)
			}
			gotVSize := weightToVSize(gotWeight)
			if gotVSize != tc.wantVSize {
				t.Errorf("real signed tx is %d vB, want %d", gotVSize, tc.wantVSize)
			}
			if est := EstimateVSize(tc.inputs, tc.outputs, nil); est != gotVSize {
				t.Errorf("EstimateVSize = %d, real signed tx is %d vB", est, gotVSize)
			}
		})
	}
}

// TestEstimateIsUpperBound signs many transactions with whatever signature
// lengths the keys give and checks that the estimate never undercounts and
// overcounts exactly by the bytes short signatures save.
func TestEstimateIsUpperBound(t *testing.T) {
	types := []InputType{P2PKH, P2SHP2WPKH, P2WPKH, P2TR}
	for seed := uint64(1); seed <= 40; seed++ {
		n := 1 + int(seed%4)
		inputs := make([]InputType, n)
		for i := range inputs {
			inputs[i] = types[(int(seed)+i*int(seed/4))%4]
		}
		outputs := outs(types[seed%4], types[(seed/2)%4])
		tx := buildSignedTx(t, seed, inputs, outputs)
		real := realWeight(tx.tx)
		est := EstimateWeight(inputs, outputs, nil)
		if est-real != tx.shortfall {
			t.Errorf("seed %d %v: estimate %d WU, real %d WU, short signatures explain %d",
				seed, inputs, est, real, tx.shortfall)
		}
	}
}

// TestEstimateChangeOutput checks that a change output of each type adds
// exactly the weight of a real output of that type.
func TestEstimateChangeOutput(t *testing.T) {
	for _, ct := range []InputType{P2PKH, P2SHP2WPKH, P2WPKH, P2TR} {
		t.Run(ct.String(), func(t *testing.T) {
			inputs := []InputType{P2WPKH}
			payment := outs(P2TR)
			withReal := append(outs(P2TR), wire.NewTxOut(1000, outputScript(ct, 77)))
			if got, want := EstimateWeight(inputs, payment, &ct), EstimateWeight(inputs, withReal, nil); got != want {
				t.Errorf("with %s change: %d WU, with a real %s output: %d WU", ct, got, ct, want)
			}
			if got, want := len(ct.templateScript()), len(outputScript(ct, 77)); got != want {
				t.Errorf("template script is %d bytes, real one %d", got, want)
			}
		})
	}
}

// TestEstimateCountsGrow checks the compact-size counts: 253 outputs need a
// three-byte count.
func TestEstimateCountsGrow(t *testing.T) {
	o := make([]*wire.TxOut, 253)
	for i := range o {
		o[i] = wire.NewTxOut(1000, outputScript(P2WPKH, 1))
	}
	tx := wire.NewMsgTx(2)
	// A P2PKH input's scriptSig: a 72-byte signature and a 33-byte key,
	// each with its push opcode.
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{}, make([]byte, 1+72+1+33), nil))
	for _, out := range o {
		tx.AddTxOut(out)
	}
	if got, want := EstimateWeight([]InputType{P2PKH}, o, nil), realWeight(tx); got != want {
		t.Errorf("253 outputs: estimate %d WU, serialized %d WU", got, want)
	}
}

// TestDefaultDustLimit checks the thresholds nodes use.
func TestDefaultDustLimit(t *testing.T) {
	tests := []struct {
		name   string
		script []byte
		want   btcutil.Amount
	}{
		{"p2pkh", outputScript(P2PKH, 1), 546},
		{"p2sh", outputScript(P2SHP2WPKH, 1), 540},
		{"p2wpkh", outputScript(P2WPKH, 1), 294},
		{"p2tr", outputScript(P2TR, 1), 330},
		{"p2wsh", append([]byte{txscript.OP_0, txscript.OP_DATA_32}, make([]byte, 32)...), 330},
		{"op_return", []byte{txscript.OP_RETURN, 0x01, 0x00}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DefaultDustLimit(tc.script, 25); got != tc.want {
				t.Errorf("DefaultDustLimit = %d, want %d", got, tc.want)
			}
		})
	}
}
