package psbtx

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// bip143Vector is one example of BIP143 (testdata/bip143_vectors.json).
type bip143Vector struct {
	Description string `json:"description"`
	UnsignedTx  string `json:"unsignedTx"`
	Spent       []struct {
		ScriptPubKey string `json:"scriptPubKey"`
		Amount       int64  `json:"amount"`
	} `json:"spent"`
	InputIndex   int    `json:"inputIndex"`
	RedeemScript string `json:"redeemScript"`
	HashType     uint32 `json:"hashType"`
	PrivateKey   string `json:"privateKey"`
	PublicKey    string `json:"publicKey"`
	HashPrevouts string `json:"hashPrevouts"`
	HashSequence string `json:"hashSequence"`
	HashOutputs  string `json:"hashOutputs"`
	SigHash      string `json:"sigHash"`
	Signature    string `json:"signature"`
	SignedTx     string `json:"signedTx"`
}

// mustHex decodes hex or fails the test.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return b
}

// mustTx decodes a hex transaction or fails the test.
func mustTx(t testing.TB, s string) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(1)
	if err := tx.Deserialize(bytes.NewReader(mustHex(t, s))); err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestBIP143 reproduces the native P2WPKH and P2SH-P2WPKH examples of
// BIP143: the sighash midstate, the sighash computed the way Sign computes
// it, the RFC 6979 signature, and the signed transaction built from the
// signature by Finalize and Extract, which must match the BIP's byte for
// byte and verify.
func TestBIP143(t *testing.T) {
	var file struct {
		Vectors []bip143Vector `json:"vectors"`
	}
	loadJSON(t, "bip143_vectors.json", &file)
	if len(file.Vectors) != 2 {
		t.Fatalf("%d vectors", len(file.Vectors))
	}
	for _, v := range file.Vectors {
		t.Run(v.Description, func(t *testing.T) {
			tx := mustTx(t, v.UnsignedTx)
			prevs := make([]*wire.TxOut, len(v.Spent))
			for i, s := range v.Spent {
				prevs[i] = wire.NewTxOut(s.Amount,
					mustHex(t, s.ScriptPubKey))
			}
			i := v.InputIndex
			hashes := txscript.NewTxSigHashes(tx,
				prevOutFetcher(tx, prevs))
			for name, pair := range map[string][2]string{
				"hashPrevouts": {v.HashPrevouts,
					hex.EncodeToString(hashes.HashPrevOutsV0[:])},
				"hashSequence": {v.HashSequence,
					hex.EncodeToString(hashes.HashSequenceV0[:])},
				"hashOutputs": {v.HashOutputs,
					hex.EncodeToString(hashes.HashOutputsV0[:])},
			} {
				if pair[0] != pair[1] {
					t.Errorf("%s %s, want %s", name, pair[1],
						pair[0])
				}
			}

			program := prevs[i].PkScript
			if v.RedeemScript != "" {
				program = mustHex(t, v.RedeemScript)
			}
			digest, err := segwitV0SigHash(tx, i, program,
				prevs[i].Value, hashes)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(digest) != v.SigHash {
				t.Fatalf("sighash %x, want %s", digest, v.SigHash)
			}

			priv, pub := btcec.PrivKeyFromBytes(mustHex(t, v.PrivateKey))
			if hex.EncodeToString(pub.SerializeCompressed()) != v.PublicKey {
				t.Fatal("public key differs")
			}
			sigBytes := mustHex(t, v.Signature)
			// The second example prints the sighash byte too.
			if len(sigBytes) == int(sigBytes[1])+3 {
				sigBytes = sigBytes[:len(sigBytes)-1]
			}
			sig := ecdsa.Sign(priv, digest)
			if !bytes.Equal(sig.Serialize(), sigBytes) {
				t.Errorf("RFC 6979 signature %x, want %x",
					sig.Serialize(), sigBytes)
			}

			// Build the signed transaction from a PSBT.
			p, err := psbt.NewFromUnsignedTx(tx)
			if err != nil {
				t.Fatal(err)
			}
			signed := mustTx(t, v.SignedTx)
			for k := range p.Inputs {
				if k != i {
					// Not segwit (P2PK): take its final
					// scriptSig from the signed transaction.
					p.Inputs[k].NonWitnessUtxo = nil
					p.Inputs[k].FinalScriptSig =
						signed.TxIn[k].SignatureScript
					continue
				}
				p.Inputs[k].WitnessUtxo = prevs[k]
				if v.RedeemScript != "" {
					p.Inputs[k].RedeemScript = program
				}
				p.Inputs[k].PartialSigs = []*psbt.PartialSig{{
					PubKey: pub.SerializeCompressed(),
					Signature: append(bytes.Clone(sigBytes),
						byte(v.HashType)),
				}}
			}
			p = airGap(t, p)
			if err := Finalize(p); err != nil {
				t.Fatal(err)
			}
			got, err := Extract(p)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := got.Serialize(&b); err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(b.Bytes()) != v.SignedTx {
				t.Fatalf("signed tx\n%x\nwant\n%s", b.Bytes(),
					v.SignedTx)
			}
			for k := range got.TxIn {
				if err := verifyInput(got, k, prevs); err != nil {
					t.Errorf("input %d does not verify: %v", k,
						err)
				}
			}
		})
	}
}

// bip341KeyPath is the keyPathSpending part of BIP341's wallet test vectors
// (testdata/bip341_keypath_vectors.json).
type bip341KeyPath struct {
	Given struct {
		RawUnsignedTx string `json:"rawUnsignedTx"`
		UtxosSpent    []struct {
			ScriptPubKey string `json:"scriptPubKey"`
			AmountSats   int64  `json:"amountSats"`
		} `json:"utxosSpent"`
	} `json:"given"`
	Intermediary struct {
		HashAmounts       string `json:"hashAmounts"`
		HashOutputs       string `json:"hashOutputs"`
		HashPrevouts      string `json:"hashPrevouts"`
		HashScriptPubkeys string `json:"hashScriptPubkeys"`
		HashSequences     string `json:"hashSequences"`
	} `json:"intermediary"`
	InputSpending []struct {
		Given struct {
			TxinIndex       int     `json:"txinIndex"`
			InternalPrivkey string  `json:"internalPrivkey"`
			MerkleRoot      *string `json:"merkleRoot"`
			HashType        uint32  `json:"hashType"`
		} `json:"given"`
		Intermediary struct {
			InternalPubkey string `json:"internalPubkey"`
			Tweak          string `json:"tweak"`
			TweakedPrivkey string `json:"tweakedPrivkey"`
			SigHash        string `json:"sigHash"`
		} `json:"intermediary"`
		Expected struct {
			Witness []string `json:"witness"`
		} `json:"expected"`
	} `json:"inputSpending"`
}

// TestBIP341KeyPathSigHash reproduces the key-path spending vectors of
// BIP341: the sighash midstate, every input's sighash (all sighash types)
// computed the way Sign computes it, the tweaked private key, and checks
// the expected witness signature against the tweaked key.
func TestBIP341KeyPathSigHash(t *testing.T) {
	var v bip341KeyPath
	loadJSON(t, "bip341_keypath_vectors.json", &v)
	if len(v.InputSpending) != 7 {
		t.Fatalf("%d input vectors", len(v.InputSpending))
	}
	tx := mustTx(t, v.Given.RawUnsignedTx)
	prevs := make([]*wire.TxOut, len(v.Given.UtxosSpent))
	for i, u := range v.Given.UtxosSpent {
		prevs[i] = wire.NewTxOut(u.AmountSats, mustHex(t, u.ScriptPubKey))
	}
	hashes := txscript.NewTxSigHashes(tx, prevOutFetcher(tx, prevs))
	for name, pair := range map[string][2]string{
		"hashAmounts": {v.Intermediary.HashAmounts,
			hex.EncodeToString(hashes.HashInputAmountsV1[:])},
		"hashOutputs": {v.Intermediary.HashOutputs,
			hex.EncodeToString(hashes.HashOutputsV1[:])},
		"hashPrevouts": {v.Intermediary.HashPrevouts,
			hex.EncodeToString(hashes.HashPrevOutsV1[:])},
		"hashScriptPubkeys": {v.Intermediary.HashScriptPubkeys,
			hex.EncodeToString(hashes.HashInputScriptsV1[:])},
		"hashSequences": {v.Intermediary.HashSequences,
			hex.EncodeToString(hashes.HashSequenceV1[:])},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s %s, want %s", name, pair[1], pair[0])
		}
	}

	for _, in := range v.InputSpending {
		g := in.Given
		t.Run("input "+itoa(g.TxinIndex), func(t *testing.T) {
			hashType := txscript.SigHashType(g.HashType)
			// Without the shared midstate, as for a lone input...
			digest, err := taprootSigHash(tx, g.TxinIndex, prevs, nil,
				hashType)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(digest) != in.Intermediary.SigHash {
				t.Fatalf("sighash %x, want %s", digest,
					in.Intermediary.SigHash)
			}
			// ... and with it.
			digest, err = taprootSigHash(tx, g.TxinIndex, prevs,
				hashes, hashType)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(digest) != in.Intermediary.SigHash {
				t.Fatalf("sighash with midstate %x", digest)
			}

			priv, pub := btcec.PrivKeyFromBytes(
				mustHex(t, g.InternalPrivkey))
			if hex.EncodeToString(schnorr.SerializePubKey(pub)) !=
				in.Intermediary.InternalPubkey {
				t.Fatal("internal public key differs")
			}
			var root []byte
			if g.MerkleRoot != nil {
				root = mustHex(t, *g.MerkleRoot)
			}
			tweaked := txscript.TweakTaprootPrivKey(*priv, root)
			if hex.EncodeToString(tweaked.Serialize()) !=
				in.Intermediary.TweakedPrivkey {
				t.Fatalf("tweaked private key %x, want %s",
					tweaked.Serialize(),
					in.Intermediary.TweakedPrivkey)
			}
			outKey := txscript.ComputeTaprootOutputKey(pub, root)
			if !bytes.Equal(p2trScript(outKey),
				prevs[g.TxinIndex].PkScript) {
				t.Fatal("the tweaked key is not the coin's")
			}

			w := mustHex(t, in.Expected.Witness[0])
			wantLen := 64
			if hashType != txscript.SigHashDefault {
				wantLen = 65
				if w[64] != byte(hashType) {
					t.Fatalf("witness sighash byte %x", w[64])
				}
			}
			if len(w) != wantLen {
				t.Fatalf("witness of %d bytes", len(w))
			}
			sig, err := schnorr.ParseSignature(w[:64])
			if err != nil {
				t.Fatal(err)
			}
			if !sig.Verify(digest, outKey) {
				t.Fatal("the BIP's signature does not verify")
			}
			// A signature of ours over the digest verifies too.
			mine, err := schnorr.Sign(tweaked, digest)
			if err != nil || !mine.Verify(digest, outKey) {
				t.Fatalf("own signature: %v", err)
			}
		})
	}
}
