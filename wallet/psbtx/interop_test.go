package psbtx

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/interop"
)

// originJSON is a key origin as the JavaScript libraries read it.
type originJSON struct {
	Fingerprint string `json:"fingerprint"`
	Path        string `json:"path"`
	Taproot     bool   `json:"taproot"`
}

// sidesJSON are the key origins of every input and output.
type sidesJSON struct {
	Inputs  [][]originJSON `json:"inputs"`
	Outputs [][]originJSON `json:"outputs"`
}

// signedJSON is the answer of the signing operations.
type signedJSON struct {
	PSBT        string `json:"psbt"`
	Signed      int    `json:"signed"`
	Fingerprint string `json:"fingerprint"`
}

// fixturePSBT is a payment of the test wallet from a coin of kind, with
// change, as satchel's wallet writes it.
func fixturePSBT(t *testing.T, kind scriptType) (*coin, string) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, kind, 0, 4), 100000)
	change := deriveKey(t, s, kind, 1, 2)
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(60000, externalScript("shop")),
		wire.NewTxOut(38000, change.script))
	change.outputDerivation(&p.Outputs[1], testFingerprint)
	b64, err := EncodeBase64(p)
	if err != nil {
		t.Fatal(err)
	}
	return c, b64
}

// TestInteropKeyOrigins checks that @scure/btc-signer and bitcoinjs-lib
// read the key origins of satchel's PSBTs as satchel prints them: the
// master fingerprint 73c5da0a and the account paths.
func TestInteropKeyOrigins(t *testing.T) {
	interop.Require(t)
	for _, kind := range allTypes {
		t.Run(kind.String(), func(t *testing.T) {
			_, b64 := fixturePSBT(t, kind)
			var got struct {
				Scure     sidesJSON `json:"scure"`
				Bitcoinjs sidesJSON `json:"bitcoinjs"`
			}
			if e := interop.Node(t, "psbt.mjs", map[string]any{
				"op": "origins", "psbt": b64}, &got); e != "" {
				t.Fatal(e)
			}
			purpose := kind.purpose()
			wantIn := fmt.Sprintf("m/%dh/1h/0h/0/4", purpose)
			wantOut := fmt.Sprintf("m/%dh/1h/0h/1/2", purpose)
			for lib, sides := range map[string]sidesJSON{
				"@scure/btc-signer": got.Scure,
				"bitcoinjs-lib":     got.Bitcoinjs,
			} {
				in, out := sides.Inputs[0], sides.Outputs[1]
				if len(in) != 1 || in[0].Fingerprint != "73c5da0a" ||
					in[0].Path != wantIn {
					t.Errorf("%s reads input 0's origin as %+v, "+
						"want 73c5da0a %s", lib, in, wantIn)
				}
				if len(out) != 1 || out[0].Fingerprint != "73c5da0a" ||
					out[0].Path != wantOut {
					t.Errorf("%s reads the change's origin as %+v, "+
						"want 73c5da0a %s", lib, out, wantOut)
				}
			}
		})
	}
}

// TestInteropOthersSignSatchelPSBTs has @scure/btc-signer (all four script
// types) and bitcoinjs-lib (all but taproot) sign satchel's PSBTs with the
// HD key of the wallet's mnemonic, which they match by the master
// fingerprint of the key origins; satchel then finalizes their signatures
// and the script engine accepts the transaction.
func TestInteropOthersSignSatchelPSBTs(t *testing.T) {
	interop.Require(t)
	for _, lib := range []string{"scure", "bitcoinjs"} {
		for _, kind := range allTypes {
			if lib == "bitcoinjs" && kind == typeP2TR {
				continue
			}
			t.Run(lib+"/"+kind.String(), func(t *testing.T) {
				c, b64 := fixturePSBT(t, kind)
				var got signedJSON
				if e := interop.Node(t, "psbt.mjs", map[string]any{
					"op": "sign_" + lib, "psbt": b64,
					"mnemonic": testMnemonic}, &got); e != "" {
					t.Fatalf("%s cannot sign satchel's PSBT: %s", lib,
						e)
				}
				if got.Fingerprint != "73c5da0a" {
					t.Fatalf("%s's master fingerprint is %s", lib,
						got.Fingerprint)
				}
				p, err := Parse([]byte(got.PSBT))
				if err != nil {
					t.Fatal(err)
				}
				if err := Finalize(p); err != nil {
					t.Fatalf("finalizing %s's signature: %v", lib, err)
				}
				tx, err := Extract(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := verifyTx(tx, []*coin{c}); err != nil {
					t.Fatalf("%s's signature does not verify: %v",
						lib, err)
				}
			})
		}
	}
}

// TestInteropSatchelSignsScurePSBTs has @scure/btc-signer build PSBTs with
// its own key origins for the wallet's coins; satchel recognizes them as
// its own, signs them, and @scure/btc-signer finalizes satchel's signature
// into the same transaction the script engine accepts.
func TestInteropSatchelSignsScurePSBTs(t *testing.T) {
	interop.Require(t)
	s := newTestSigner(t, testMnemonic)
	for _, kind := range allTypes {
		t.Run(kind.String(), func(t *testing.T) {
			c := newCoin(deriveKey(t, s, kind, 0, 7), 100000)
			change := deriveKey(t, s, kind, 1, 0)
			var prev bytes.Buffer
			if err := c.prevTx.Serialize(&prev); err != nil {
				t.Fatal(err)
			}
			in := map[string]any{
				"txid": c.outPoint().Hash.String(), "vout": 1,
				"amount": c.value, "script": hex.EncodeToString(c.key.script),
				"path": formatPath(c.key.path), "type": kind.String(),
			}
			if kind != typeP2TR {
				in["prevTx"] = hex.EncodeToString(prev.Bytes())
			}
			var made signedJSON
			if e := interop.Node(t, "psbt.mjs", map[string]any{
				"op": "create_scure", "mnemonic": testMnemonic,
				"inputs": []any{in},
				"outputs": []any{
					map[string]any{"script": hex.EncodeToString(
						externalScript("shop")), "amount": 60000},
					map[string]any{"script": hex.EncodeToString(
						change.script), "amount": 38000,
						"path": formatPath(change.path),
						"type": kind.String()},
				}}, &made); e != "" {
				t.Fatal(e)
			}
			p, err := Parse([]byte(made.PSBT))
			if err != nil {
				t.Fatalf("satchel cannot read @scure/btc-signer's "+
					"PSBT: %v", err)
			}
			r, err := ReviewPacket(p, netParams, nil,
				WithAccounts(accountsOf(t, s)...))
			if err != nil {
				t.Fatal(err)
			}
			if !r.Inputs[0].Ours || !r.Outputs[1].Change ||
				r.Outputs[0].Ours || r.Fee != 2000 {
				t.Fatalf("review of @scure/btc-signer's PSBT: inputs "+
					"%+v, outputs %+v, fee %d, warnings %q", r.Inputs,
					r.Outputs, r.Fee, r.Warnings)
			}
			n, err := signN(t, p, s)
			if err != nil || n != 1 {
				t.Fatalf("Sign: %d, %v", n, err)
			}
			b64, err := EncodeBase64(p)
			if err != nil {
				t.Fatal(err)
			}
			var fin struct {
				Hex string `json:"hex"`
			}
			if e := interop.Node(t, "psbt.mjs", map[string]any{
				"op": "finalize_scure", "psbt": b64}, &fin); e != "" {
				t.Fatalf("@scure/btc-signer cannot finalize satchel's "+
					"signature: %s", e)
			}
			raw, err := hex.DecodeString(fin.Hex)
			if err != nil {
				t.Fatal(err)
			}
			var tx wire.MsgTx
			if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
				t.Fatal(err)
			}
			if err := verifyTx(&tx, []*coin{c}); err != nil {
				t.Fatalf("the transaction does not verify: %v", err)
			}
		})
	}
}
