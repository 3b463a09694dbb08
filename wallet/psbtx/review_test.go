package psbtx

import (
	"bytes"
	"math"
	"testing"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// ownScripts returns an Ownership knowing the receive keys (change false)
// and change keys (change true) given.
func ownScripts(receive, change []*walletKey) Ownership {
	return func(script []byte) (bool, bool) {
		for _, k := range change {
			if bytes.Equal(k.script, script) {
				return true, true
			}
		}
		for _, k := range receive {
			if bytes.Equal(k.script, script) {
				return true, false
			}
		}
		return false, false
	}
}

// reviewFixture is a payment from two coins of the test wallet (p2wpkh and
// p2tr) to a shop, with change and a dust output.
type reviewFixture struct {
	coins  []*coin
	change *walletKey
	own    Ownership
	p      *psbt.Packet
}

// newReviewFixture builds the fixture: 100000 + 50000 sat in; 60000 to the
// shop, 80000 change, 100 sat of dust to someone: 9900 sat of fee.
func newReviewFixture(t *testing.T) *reviewFixture {
	s := newTestSigner(t, testMnemonic)
	a := deriveKey(t, s, typeP2WPKH, 0, 0)
	b := deriveKey(t, s, typeP2TR, 0, 0)
	change := deriveKey(t, s, typeP2WPKH, 1, 0)
	coins := []*coin{newCoin(a, 100000), newCoin(b, 50000)}
	p := buildPSBT(t, testFingerprint, coins,
		wire.NewTxOut(60000, externalScript("shop")),
		wire.NewTxOut(80000, change.script),
		wire.NewTxOut(100, externalScript("dust")))
	change.outputDerivation(&p.Outputs[1], testFingerprint)
	return &reviewFixture{
		coins:  coins,
		change: change,
		own:    ownScripts([]*walletKey{a, b}, []*walletKey{change}),
		p:      p,
	}
}

// TestReviewNumbers checks the amounts, flags, fee, estimated size and fee
// rate, and warnings of an unsigned PSBT, then the exact size once signed.
func TestReviewNumbers(t *testing.T) {
	f := newReviewFixture(t)
	r, err := ReviewPacket(f.p, netParams, f.own)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Inputs) != 2 || len(r.Outputs) != 3 {
		t.Fatalf("%d inputs, %d outputs", len(r.Inputs), len(r.Outputs))
	}
	for i, want := range []int64{100000, 50000} {
		in := r.Inputs[i]
		if in.Value != want || !in.Ours || in.Signed ||
			in.OutPoint != *f.coins[i].outPoint() {
			t.Errorf("input %d: %+v", i, in)
		}
	}
	if r.Inputs[0].Address[:6] != "bcrt1q" || r.Inputs[1].Address[:6] != "bcrt1p" {
		t.Errorf("input addresses %q, %q", r.Inputs[0].Address,
			r.Inputs[1].Address)
	}
	wantOut := []struct {
		value        int64
		ours, change bool
	}{{60000, false, false}, {80000, true, true}, {100, false, false}}
	for j, w := range wantOut {
		o := r.Outputs[j]
		if o.Value != w.value || o.Ours != w.ours || o.Change != w.change ||
			!bytes.Equal(o.Script, f.p.UnsignedTx.TxOut[j].PkScript) {
			t.Errorf("output %d: %+v", j, o)
		}
	}
	if r.Fee != 9900 {
		t.Errorf("fee %d, want 9900", r.Fee)
	}
	// 10 bytes of version, locktime and counts, 2 inputs of 41 bytes,
	// 3 p2wpkh outputs of 31 bytes: 185 bytes, 740 weight units; the
	// witnesses: marker and flag 2, p2wpkh 108, taproot key path 66.
	// 916 weight units: 229 vbytes.
	if r.VSize != 229 {
		t.Errorf("vsize %d, want 229", r.VSize)
	}
	if math.Abs(r.FeeRate-9900.0/229) > 1e-9 {
		t.Errorf("fee rate %f", r.FeeRate)
	}
	if r.Complete {
		t.Error("an unsigned PSBT is complete")
	}
	if !hasWarning(r, "output 2 is dust") || len(r.Warnings) != 1 {
		t.Errorf("warnings %q", r.Warnings)
	}

	s := newTestSigner(t, testMnemonic)
	if n, err := signN(t, f.p, s); err != nil || n != 2 {
		t.Fatalf("Sign: %d, %v", n, err)
	}
	r, err = ReviewPacket(f.p, netParams, f.own)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Complete || !r.Inputs[0].Signed || !r.Inputs[1].Signed {
		t.Fatalf("signed PSBT: complete %v, inputs %+v", r.Complete,
			r.Inputs)
	}
	if err := Finalize(f.p); err != nil {
		t.Fatal(err)
	}
	tx, err := Extract(f.p)
	if err != nil {
		t.Fatal(err)
	}
	actual := (txWeight(tx) + 3) / 4
	if r.VSize != actual || actual > 229 || actual < 228 {
		t.Errorf("vsize %d once signed, actual %d, estimate 229",
			r.VSize, actual)
	}
}

// TestReviewEstimateByType checks that the size estimated before signing is
// never below the signed size and at most one vbyte above, for each type.
func TestReviewEstimateByType(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	for _, kind := range allTypes {
		t.Run(kind.String(), func(t *testing.T) {
			c := newCoin(deriveKey(t, s, kind, 0, 0), 100000)
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(90000, externalScript("a")))
			r, err := ReviewPacket(p, netParams, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := signN(t, p, s); err != nil {
				t.Fatal(err)
			}
			if err := Finalize(p); err != nil {
				t.Fatal(err)
			}
			tx, err := Extract(p)
			if err != nil {
				t.Fatal(err)
			}
			actual := (txWeight(tx) + 3) / 4
			if r.VSize < actual || r.VSize > actual+1 {
				t.Errorf("estimate %d vbytes, actual %d", r.VSize,
					actual)
			}
		})
	}
}

// TestReviewWarnings checks the warnings a person must see.
func TestReviewWarnings(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *reviewFixture)
		opts   func(*testing.T) []Option
		want   string
		check  func(t *testing.T, r *Review)
	}{{
		name: "missing UTXO",
		change: func(f *reviewFixture) {
			f.p.Inputs[1].WitnessUtxo = nil
		},
		want: "input 1 has no UTXO information: its value and fee " +
			"cannot be checked",
		check: func(t *testing.T, r *Review) {
			if r.Fee != -1 || r.FeeRate != -1 ||
				r.Inputs[1].Value != -1 || r.Inputs[1].Ours {
				t.Errorf("fee %d, rate %f, input %+v", r.Fee,
					r.FeeRate, r.Inputs[1])
			}
		},
	}, {
		name: "fee rate above 1000 sat/vB",
		change: func(f *reviewFixture) {
			in := f.p.Inputs[0].WitnessUtxo
			f.p.Inputs[0].NonWitnessUtxo = nil
			f.p.Inputs[0].WitnessUtxo = wire.NewTxOut(1000000,
				in.PkScript)
		},
		want: "above 1,000 sat/vB",
		check: func(t *testing.T, r *Review) {
			if r.Fee != 909900 || r.FeeRate <= 1000 {
				t.Errorf("fee %d, rate %f", r.Fee, r.FeeRate)
			}
		},
	}, {
		name: "outputs above inputs",
		change: func(f *reviewFixture) {
			f.p.UnsignedTx.TxOut[1].Value = 90000
		},
		want: "can never be valid",
		check: func(t *testing.T, r *Review) {
			if r.Fee != -100 {
				t.Errorf("fee %d", r.Fee)
			}
		},
	}, {
		name: "fake change",
		change: func(f *reviewFixture) {
			f.p.UnsignedTx.TxOut[1].PkScript = externalScript("evil")
		},
		want: "output 1 claims to be change but does not derive from " +
			"this wallet's key",
	}, {
		name: "fake change with the wallet's accounts given",
		change: func(f *reviewFixture) {
			f.p.UnsignedTx.TxOut[1].PkScript = externalScript("evil")
			f.own = nil
		},
		opts: func(t *testing.T) []Option {
			s := newTestSigner(t, testMnemonic)
			return []Option{WithAccounts(accountsOf(t, s)...)}
		},
		want: "output 1 claims to be change but is not this wallet's",
	}, {
		name: "non-witness UTXO of another transaction",
		change: func(f *reviewFixture) {
			wrong := f.coins[0].prevTx.Copy()
			wrong.LockTime = 1
			f.p.Inputs[0].NonWitnessUtxo = wrong
		},
		want: "non-witness UTXO does not match the input's txid",
		check: func(t *testing.T, r *Review) {
			if r.Inputs[0].Value != -1 || r.Fee != -1 {
				t.Errorf("input %+v, fee %d", r.Inputs[0], r.Fee)
			}
		},
	}, {
		name: "SIGHASH_NONE",
		change: func(f *reviewFixture) {
			f.p.Inputs[0].SighashType = 2
		},
		want: "input 0 asks for sighash type SIGHASH_NONE",
	}, {
		name: "same coin twice",
		change: func(f *reviewFixture) {
			f.p.UnsignedTx.TxIn[1].PreviousOutPoint =
				f.p.UnsignedTx.TxIn[0].PreviousOutPoint
		},
		want: "inputs 0 and 1 spend the same coin",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newReviewFixture(t)
			tc.change(f)
			var opts []Option
			if tc.opts != nil {
				opts = tc.opts(t)
			}
			r, err := ReviewPacket(f.p, netParams, f.own, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(r, tc.want) {
				t.Fatalf("no warning %q in %q", tc.want, r.Warnings)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
	// Without the fixture's changes, only the dust warning.
	f := newReviewFixture(t)
	s := newTestSigner(t, testMnemonic)
	r, err := ReviewPacket(f.p, netParams, f.own,
		WithAccounts(accountsOf(t, s)...))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) != 1 {
		t.Errorf("warnings %q", r.Warnings)
	}
}

// TestReviewInvalidPacket checks that unusable packets give errors.
func TestReviewInvalidPacket(t *testing.T) {
	f := newReviewFixture(t)
	if _, err := ReviewPacket(nil, netParams, nil); !IsErrorCode(err, ErrInvalidPacket) {
		t.Errorf("nil packet: %v", err)
	}
	if _, err := ReviewPacket(f.p, nil, nil); !IsErrorCode(err, ErrInvalidPacket) {
		t.Errorf("nil network: %v", err)
	}
	f.p.Outputs = f.p.Outputs[:1]
	if _, err := ReviewPacket(f.p, netParams, nil); !IsErrorCode(err, ErrInvalidPacket) {
		t.Errorf("missing output section: %v", err)
	}
}

// TestDustThreshold pins the dust limits to Bitcoin Core's.
func TestDustThreshold(t *testing.T) {
	h := make([]byte, 20)
	tests := map[string]struct {
		script []byte
		want   int64
	}{
		"p2pkh":     {p2pkhScript(h), 546},
		"p2sh":      {p2shScript([]byte{0x51}), 540},
		"p2wpkh":    {p2wpkhScript(h), 294},
		"p2wsh":     {p2wshScript([]byte{0x51}), 330},
		"p2tr":      {append([]byte{0x51, 0x20}, make([]byte, 32)...), 330},
		"op_return": {[]byte{0x6a, 0x01, 0x00}, 0},
	}
	for name, tc := range tests {
		if got := dustThreshold(tc.script); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
}
