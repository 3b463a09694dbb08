package interop_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/interop"
	"github.com/satchelbtc/satchel/internal/vectors"
	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/bip322"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// call runs one operation of js/qr.mjs and decodes its answer into resp.
func call(t *testing.T, req map[string]any, resp any) {
	t.Helper()
	if e := interop.Node(t, "qr.mjs", req, resp); e != "" {
		t.Fatalf("node %s: %s", req["op"], e)
	}
}

// testPSBTs are real PSBTs: the valid ones of BIP174's vectors and one of
// 40 inputs and outputs, about 4 KB, that takes many parts.
func testPSBTs(t *testing.T) [][]byte {
	out := vectors.BIP174Valid(t)
	rng := rand.New(rand.NewPCG(7, 8))
	var ins []*wire.OutPoint
	var outs []*wire.TxOut
	for i := range 40 {
		var h chainhash.Hash
		for j := range h {
			h[j] = byte(rng.Uint32())
		}
		ins = append(ins, &wire.OutPoint{Hash: h, Index: uint32(i)})
		prog := make([]byte, 20)
		for j := range prog {
			prog[j] = byte(rng.Uint32())
		}
		outs = append(outs, wire.NewTxOut(int64(1000+i), append([]byte{0, 20}, prog...)))
	}
	p, err := psbt.New(ins, outs, 2, 0, make([]uint32, len(ins)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Inputs {
		p.Inputs[i].WitnessUtxo = outs[i]
	}
	var buf bytes.Buffer
	if err := p.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return append(out, buf.Bytes())
}

// shuffle shuffles parts and repeats a few, as a camera delivers them.
func shuffle(rng *rand.Rand, parts []string) []string {
	out := append([]string(nil), parts...)
	for range len(parts)/3 + 1 {
		out = append(out, parts[rng.IntN(len(parts))])
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// UR both ways with @ngraveio/bc-ur: the same parts byte for byte, and
// each side decodes the other's parts shuffled, repeated, and (multi-part)
// with some of the pure fragments left out so that mixed parts must be
// solved.
func TestURInterop(t *testing.T) {
	interop.Require(t)
	rng := rand.New(rand.NewPCG(1, 1))
	type urCase struct {
		name   string
		raw    []byte
		typ    string
		seqLen int
		ours   []string
	}
	// Leave out a third of the pure fragments, shuffle, repeat some.
	drop := func(c urCase, parts []string) []string {
		var kept []string
		for k, p := range parts {
			if c.seqLen > 1 && k < c.seqLen && k%3 == 0 {
				continue
			}
			kept = append(kept, p)
		}
		return shuffle(rng, kept)
	}
	var cases []urCase
	var reqs []map[string]any
	for i, raw := range testPSBTs(t) {
		for _, frag := range []int{30, 100, 5000} {
			for _, typ := range []string{ur.TypeCryptoPSBT, ur.TypePSBT} {
				u := ur.NewPSBT(raw)
				u.Type = typ
				e, err := ur.NewEncoder(u, frag)
				if err != nil {
					t.Fatal(err)
				}
				c := urCase{name: fmt.Sprintf("psbt %d (%d bytes) fragment %d %s", i, len(raw), frag, typ),
					raw: raw, typ: typ, seqLen: e.SeqLen(), ours: make([]string, e.SeqLen()*3)}
				for k := range c.ours {
					c.ours[k] = e.NextPart()
				}
				cases = append(cases, c)
				reqs = append(reqs,
					map[string]any{"op": "ur_encode", "type": typ, "psbt_hex": hex.EncodeToString(raw),
						"max_fragment": frag, "count": len(c.ours)},
					map[string]any{"op": "ur_decode", "parts": drop(c, c.ours)})
			}
		}
	}

	// One Node process for all of them.
	var answers []struct {
		Parts    []string `json:"parts"`
		SeqLen   int      `json:"seq_len"`
		Complete bool     `json:"complete"`
		Failure  string   `json:"failure"`
		Type     string   `json:"type"`
		PSBTHex  string   `json:"psbt_hex"`
	}
	call(t, map[string]any{"op": "batch", "requests": reqs}, &answers)
	if len(answers) != len(reqs) {
		t.Fatalf("%d answers to %d requests", len(answers), len(reqs))
	}
	for i, c := range cases {
		theirs, dec := answers[2*i], answers[2*i+1]
		if theirs.SeqLen != c.seqLen || strings.Join(theirs.Parts, "\n") != strings.Join(c.ours, "\n") {
			t.Errorf("%s: bc-ur's parts differ from ours:\n%s\n%s", c.name, theirs.Parts[0], c.ours[0])
		}
		if !dec.Complete || dec.Failure != "" || dec.Type != c.typ || dec.PSBTHex != hex.EncodeToString(c.raw) {
			t.Errorf("%s: bc-ur did not decode our parts: complete %v, type %q, failure %q",
				c.name, dec.Complete, dec.Type, dec.Failure)
		}
		d := ur.NewDecoder()
		for _, p := range drop(c, theirs.Parts) {
			if _, err := d.Receive(p); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		if !d.Complete() {
			t.Fatalf("%s: our decoder did not finish bc-ur's parts: %v", c.name, d.Progress())
		}
		got, err := ur.DecodePSBT(d.Result())
		if err != nil || !bytes.Equal(got, c.raw) {
			t.Errorf("%s: decoded %x, %v", c.name, got, err)
		}
	}
}

// BBQr both ways with Node's zlib, whose inflater is limited to BBQr's
// 1 KiB window: our deflate must stay within it, and we must inflate what
// zlib makes at level 9.
func TestBBQrInterop(t *testing.T) {
	interop.Require(t)
	rng := rand.New(rand.NewPCG(2, 2))
	for i, raw := range testPSBTs(t) {
		for _, enc := range []bbqr.Encoding{bbqr.Zlib, bbqr.Base32, bbqr.Hex} {
			s, err := bbqr.Split(raw, bbqr.PSBT, bbqr.WithEncoding(enc), bbqr.WithVersions(5, 12))
			if err != nil {
				t.Fatal(err)
			}
			var joined struct {
				Complete bool   `json:"complete"`
				Encoding string `json:"encoding"`
				FileType string `json:"file_type"`
				Hex      string `json:"hex"`
			}
			call(t, map[string]any{"op": "bbqr_join", "parts": shuffle(rng, s.Parts)}, &joined)
			if !joined.Complete || joined.FileType != "P" || joined.Hex != hex.EncodeToString(raw) {
				t.Errorf("psbt %d %c: zlib side did not read our %d parts: %+v", i, enc, len(s.Parts), joined.Complete)
			}
		}
		var split struct {
			Parts []string `json:"parts"`
		}
		call(t, map[string]any{"op": "bbqr_split", "hex": hex.EncodeToString(raw), "file_type": "P", "part_chars": 400}, &split)
		j := bbqr.NewJoiner()
		for _, p := range shuffle(rng, split.Parts) {
			if _, err := j.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		ft, got, err := j.Result()
		if err != nil || ft != bbqr.PSBT || !bytes.Equal(got, raw) {
			t.Errorf("psbt %d: we did not read zlib's parts: %v", i, err)
		}
	}
}

// keySigner signs with one private key for every path.
type keySigner struct{ priv *btcec.PrivateKey }

func (k keySigner) PublicKey([]uint32) (*btcec.PublicKey, error) { return k.priv.PubKey(), nil }
func (k keySigner) SignECDSA(_ []uint32, d []byte) (*ecdsa.Signature, error) {
	return ecdsa.Sign(k.priv, d), nil
}
func (k keySigner) SignSchnorr(_ []uint32, d, root []byte) (*schnorr.Signature, error) {
	return schnorr.Sign(txscript.TweakTaprootPrivKey(*k.priv, root), d)
}

// BIP322 both ways with bip322-js, for every address type satchel signs
// with, on mainnet and testnet.
func TestBIP322Interop(t *testing.T) {
	interop.Require(t)
	wifs := []string{"L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k"}
	for range 3 {
		k, _ := btcec.NewPrivateKey()
		w, _ := btcutil.NewWIF(k, &chaincfg.MainNetParams, true)
		wifs = append(wifs, w.String())
	}
	messages := []string{"", "Hello World", "I own this address: ünïcödé, newline\nand all."}
	var cases []bip322Case
	var reqs []map[string]any
	for _, wifText := range wifs {
		w, err := btcutil.DecodeWIF(wifText)
		if err != nil {
			t.Fatal(err)
		}
		for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params} {
			netWIF, _ := btcutil.NewWIF(w.PrivKey, net, true)
			pub := w.PrivKey.PubKey().SerializeCompressed()
			pkh, _ := address.NewAddressPubKeyHash(address.Hash160(pub), net)
			wpkh, _ := address.NewAddressWitnessPubKeyHash(address.Hash160(pub), net)
			redeem, _ := txscript.PayToAddrScript(wpkh)
			sh, _ := address.NewAddressScriptHash(redeem, net)
			tr, _ := address.NewAddressTaproot(schnorr.SerializePubKey(txscript.ComputeTaprootKeyNoScript(w.PrivKey.PubKey())), net)
			for _, addr := range []address.Address{wpkh, sh, tr, pkh} {
				for _, msg := range messages {
					ours, err := bip322.Sign(addr, []byte(msg), keySigner{w.PrivKey}, nil)
					if err != nil {
						t.Fatal(err)
					}
					cases = append(cases, bip322Case{addr, msg, ours})
					a := addr.EncodeAddress()
					reqs = append(reqs,
						map[string]any{"op": "bip322_verify", "address": a, "message": msg, "signature": ours},
						map[string]any{"op": "bip322_verify", "address": a, "message": msg + ".", "signature": ours},
						map[string]any{"op": "bip322_sign", "wif": netWIF.String(), "address": a, "message": msg})
				}
			}
		}
	}

	// One Node process for all of them: bip322-js takes a while to load.
	var answers []struct {
		Valid     bool   `json:"valid"`
		Failure   string `json:"failure"`
		Signature string `json:"signature"`
	}
	call(t, map[string]any{"op": "batch", "requests": reqs}, &answers)
	if len(answers) != len(reqs) {
		t.Fatalf("%d answers to %d requests", len(answers), len(reqs))
	}
	for i, c := range cases {
		name := fmt.Sprintf("%s %q", c.addr.EncodeAddress(), c.msg)
		verified, other, signed := answers[3*i], answers[3*i+1], answers[3*i+2]
		if !verified.Valid {
			t.Errorf("%s: bip322-js refused our signature %s: %s", name, c.ours, verified.Failure)
		}
		if other.Valid {
			t.Errorf("%s: bip322-js accepted our signature for another message", name)
		}
		if err := bip322.Verify(c.addr, []byte(c.msg), signed.Signature); err != nil {
			t.Errorf("%s: we refused bip322-js's signature %s: %v", name, signed.Signature, err)
		}
		if err := bip322.Verify(c.addr, []byte(c.msg+"."), signed.Signature); !errors.Is(err, bip322.ErrInvalid) {
			t.Errorf("%s: we accepted bip322-js's signature for another message", name)
		}
	}
}

// bip322Case is one signature of ours that bip322-js checks.
type bip322Case struct {
	addr address.Address
	msg  string
	ours string
}
