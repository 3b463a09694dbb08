package psbtx

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/interop"
	"github.com/satchelbtc/satchel/keystore"
)

// thirdMnemonic is a third valid BIP39 mnemonic, for 2-of-3 tests.
const thirdMnemonic = "letter advice cage absurd amount doctor acoustic " +
	"avoid letter advice cage above"

// cosigner is one seed of a test multisig: its signer and BIP48 account
// key.
type cosigner struct {
	s    *keystore.Signer
	path []uint32 // m/48h/1h/0h/2h (or 1h for nested)
	xpub *hdkeychain.ExtendedKey
}

// msFixture is a k-of-n multisig of test seeds.
type msFixture struct {
	t      *testing.T
	k      int
	nested bool
	cos    []cosigner
}

func newMSFixture(t *testing.T, k int, nested bool, mnemonics ...string) *msFixture {
	t.Helper()
	f := &msFixture{t: t, k: k, nested: nested}
	script := uint32(2)
	if nested {
		script = 1
	}
	const h = hdkeychain.HardenedKeyStart
	for _, m := range mnemonics {
		s := newTestSigner(t, m)
		path := []uint32{48 + h, 1 + h, 0 + h, script + h}
		x, err := s.AccountXPub(path)
		if err != nil {
			t.Fatal(err)
		}
		f.cos = append(f.cos, cosigner{s: s, path: path, xpub: x})
	}
	return f
}

// keyAt returns cosigner c's key at branch/index.
func (f *msFixture) keyAt(c cosigner, branch, index uint32) *btcec.PublicKey {
	f.t.Helper()
	b, err := c.xpub.Derive(branch)
	if err != nil {
		f.t.Fatal(err)
	}
	k, err := b.Derive(index)
	if err != nil {
		f.t.Fatal(err)
	}
	pub, err := k.ECPubKey()
	if err != nil {
		f.t.Fatal(err)
	}
	return pub
}

// address is the multisig at branch/index: its sortedmulti witness script,
// redeem script (nested only), output script and key origins. keys, when
// given, replace the cosigners' keys in the script (a tampered script).
type msAddress struct {
	ws, redeem, script []byte
	derivs             []*psbt.Bip32Derivation
}

func (f *msFixture) address(k int, branch, index uint32, keys ...*btcec.PublicKey) msAddress {
	f.t.Helper()
	var a msAddress
	var ser [][]byte
	for i, c := range f.cos {
		pub := f.keyAt(c, branch, index)
		a.derivs = append(a.derivs, NewBip32Derivation(c.s.Fingerprint(), pub,
			append(slices.Clone(c.path), branch, index)))
		if i < len(keys) && keys[i] != nil {
			pub = keys[i]
		}
		ser = append(ser, pub.SerializeCompressed())
	}
	slices.SortFunc(ser, bytes.Compare)
	b := txscript.NewScriptBuilder().AddInt64(int64(k))
	for _, s := range ser {
		b.AddData(s)
	}
	ws, err := b.AddInt64(int64(len(ser))).AddOp(txscript.OP_CHECKMULTISIG).Script()
	if err != nil {
		f.t.Fatal(err)
	}
	a.ws = ws
	a.script = p2wshScript(ws)
	if f.nested {
		a.redeem = a.script
		a.script = p2shScript(a.redeem)
	}
	return a
}

// coin makes a previous transaction paying value to the multisig address.
func (f *msFixture) coin(a msAddress, value int64) *wire.MsgTx {
	seed := sha256.Sum256(a.script)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint((*chainhash.Hash)(&seed), 3), nil, nil))
	prev.AddTxOut(wire.NewTxOut(value, a.script))
	return prev
}

// psbt builds what a coordinator makes: spending a coin at receive/0 (the
// input a), paying 40,000 sat elsewhere and the rest less a 1,000 sat fee to
// change (nil: no change output), with global xpubs for every cosigner.
func (f *msFixture) psbt(in msAddress, change *msAddress) *psbt.Packet {
	f.t.Helper()
	prev := f.coin(in, 100_000)
	tx := wire.NewMsgTx(2)
	h := prev.TxHash()
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&h, 0), nil, nil))
	tx.AddTxOut(wire.NewTxOut(40_000, externalScript("payee")))
	if change != nil {
		tx.AddTxOut(wire.NewTxOut(59_000, change.script))
	}
	p, err := psbt.NewFromUnsignedTx(tx)
	if err != nil {
		f.t.Fatal(err)
	}
	pin := &p.Inputs[0]
	pin.NonWitnessUtxo = prev
	pin.WitnessUtxo = prev.TxOut[0]
	pin.WitnessScript = in.ws
	pin.RedeemScript = in.redeem
	pin.Bip32Derivation = copyDerivs(in.derivs)
	pin.SighashType = txscript.SigHashAll
	if change != nil {
		out := &p.Outputs[1]
		out.WitnessScript = change.ws
		out.RedeemScript = change.redeem
		out.Bip32Derivation = copyDerivs(change.derivs)
	}
	for _, c := range f.cos {
		p.XPubs = append(p.XPubs, NewGlobalXPub(c.s.Fingerprint(), c.path, c.xpub))
	}
	return p
}

// copyDerivs returns a deep copy of derivations, so that a test can tamper
// with one PSBT's.
func copyDerivs(ds []*psbt.Bip32Derivation) []*psbt.Bip32Derivation {
	var out []*psbt.Bip32Derivation
	for _, d := range ds {
		c := *d
		c.Bip32Path = slices.Clone(d.Bip32Path)
		c.PubKey = slices.Clone(d.PubKey)
		out = append(out, &c)
	}
	return out
}

// sign signs p as cosigner i, whose wallet is a single-key p2wpkh wallet.
func (f *msFixture) sign(p *psbt.Packet, i int) (*SignResult, error) {
	s := f.cos[i].s
	return Sign(p, s, netParams, WithAccounts(accountOf(f.t, s, typeP2WPKH)))
}

func TestMultisigSignCombineFinalize(t *testing.T) {
	for _, nested := range []bool{false, true} {
		name := "p2wsh"
		if nested {
			name = "p2sh-p2wsh"
		}
		t.Run(name, func(t *testing.T) {
			f := newMSFixture(t, 2, nested, testMnemonic, otherMnemonic, thirdMnemonic)
			recv, change := f.address(2, 0, 0), f.address(2, 1, 0)
			p := f.psbt(recv, &change)

			a, c := airGap(t, p), airGap(t, p)
			res, err := f.sign(a, 0)
			if err != nil || len(res.Signed) != 1 {
				t.Fatalf("signer 1: %v, %+v", err, res)
			}
			res, err = f.sign(c, 2)
			if err != nil || len(res.Signed) != 1 {
				t.Fatalf("signer 3: %v, %+v", err, res)
			}
			// Signing again adds nothing.
			if res, err := f.sign(a, 0); err != nil || len(res.Signed) != 0 ||
				res.Explain() != "input 0: it is already signed by this wallet" {
				t.Fatalf("second signature by signer 1: %v, %+v", err, res)
			}

			// A coordinator sees one of two signatures, and the change.
			r, err := ReviewPacket(a, netParams, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Inputs[0].Signatures != 1 || r.Inputs[0].Required != 2 || r.Complete {
				t.Errorf("review: %d of %d signatures, complete %v", r.Inputs[0].Signatures, r.Inputs[0].Required, r.Complete)
			}
			// Signer 1's review (its single-key account) marks the
			// multisig change as change, checked against the xpubs.
			r, err = ReviewPacket(a, netParams, nil, WithAccounts(accountOf(t, f.cos[0].s, typeP2WPKH)))
			if err != nil {
				t.Fatal(err)
			}
			if !r.Outputs[1].Change || r.Outputs[0].Change || len(r.Warnings) != 0 {
				t.Errorf("signer's review: outputs %+v, warnings %q", r.Outputs, r.Warnings)
			}
			if r.Sent != 40_000 {
				t.Errorf("sent = %d, want 40000", r.Sent)
			}

			err = Finalize(airGap(t, a))
			if !IsErrorCode(err, ErrNotFinalizable) || !strings.Contains(err.Error(), "it has 1 of 2 signatures; 1 more cosigner must sign it") {
				t.Fatalf("finalize with one signature: %v", err)
			}
			both, err := Combine(a, c)
			if err != nil {
				t.Fatal(err)
			}
			r, _ = ReviewPacket(both, netParams, nil)
			if r.Inputs[0].Signatures != 2 || !r.Complete {
				t.Errorf("combined review: %d of %d, complete %v", r.Inputs[0].Signatures, r.Inputs[0].Required, r.Complete)
			}
			if err := Finalize(both); err != nil {
				t.Fatal(err)
			}
			tx, err := Extract(both)
			if err != nil {
				t.Fatal(err)
			}
			prevs := []*wire.TxOut{both.Inputs[0].WitnessUtxo}
			if err := verifyInput(tx, 0, prevs); err != nil {
				t.Fatalf("the transaction does not verify: %v", err)
			}

			// All three signatures: the finalizer takes two, in the
			// script's order.
			b := airGap(t, p)
			if _, err := f.sign(b, 1); err != nil {
				t.Fatal(err)
			}
			all, err := Combine(a, b, c)
			if err != nil {
				t.Fatal(err)
			}
			if err := Finalize(all); err != nil {
				t.Fatalf("finalize with 3 of 2 signatures: %v", err)
			}
			if _, err := Extract(all); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMultisigPolicy checks the refusals: a key that is not the signer's, a
// script that is not the one the key origins imply, change to another
// policy.
func TestMultisigPolicy(t *testing.T) {
	f := newMSFixture(t, 2, false, testMnemonic, otherMnemonic, thirdMnemonic)
	outsider := newTestSigner(t, "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong")
	stranger := f.keyAt(cosigner{xpub: mustXPub(t, outsider)}, 0, 0)
	recv, change := f.address(2, 0, 0), f.address(2, 1, 0)

	skips := []struct {
		name   string
		psbt   func() *psbt.Packet
		signer *keystore.Signer
		want   string
	}{
		{"another wallet's multisig", func() *psbt.Packet { return f.psbt(recv, &change) }, outsider,
			"input 0: its keys belong to another wallet (master fingerprint 73c5da0a, " + hex8(f.cos[1].s.Fingerprint()) + ", " +
				hex8(f.cos[2].s.Fingerprint()) + "; this wallet's is " + hex8(outsider.Fingerprint()) + ")"},
		{"our fingerprint, not our key", func() *psbt.Packet {
			p := f.psbt(recv, &change)
			// The origin names signer 1's index 5 but records index 0's key.
			p.Inputs[0].Bip32Derivation[0].Bip32Path[5] = 5
			return p
		}, f.cos[0].s, "input 0: the key it records at m/48h/1h/0h/2h/0/5 is not the one this wallet derives there"},
		{"not a BIP48 path", func() *psbt.Packet {
			p := f.psbt(recv, &change)
			p.Inputs[0].Bip32Derivation[0].Bip32Path[3] = hdkeychain.HardenedKeyStart + 1
			return p
		}, f.cos[0].s, "input 0: its key path m/48h/1h/0h/1h/0/0 is not a BIP48 path for p2wsh on regtest (m/48h/1h/ACCOUNTh/2h/BRANCH/INDEX)"},
	}
	for _, tc := range skips {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.psbt()
			res, err := Sign(p, tc.signer, netParams, WithAccounts(accountOf(t, tc.signer, typeP2WPKH)))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signed) != 0 || res.Explain() != tc.want {
				t.Errorf("signed %v; reason %q\n want %q", res.Signed, res.Explain(), tc.want)
			}
		})
	}

	refusals := []struct {
		name string
		psbt func() *psbt.Packet
		code ErrorCode
		want string
	}{
		{"script has a key without origin", func() *psbt.Packet {
			bad := f.address(2, 0, 0, nil, nil, stranger)
			return f.psbt(bad, &change)
		}, ErrMultisigPolicy, "is not the multisig its key origins describe"},
		{"cosigner keys at different indexes", func() *psbt.Packet {
			p := f.psbt(recv, &change)
			// Cosigner 3's origin names index 1: the key is not its /0/1.
			p.Inputs[0].Bip32Derivation[2].Bip32Path[5] = 1
			return p
		}, ErrMultisigPolicy, "different addresses"},
		{"cosigner origin and xpub disagree", func() *psbt.Packet {
			p := f.psbt(recv, &change)
			p.XPubs[2] = NewGlobalXPub(f.cos[2].s.Fingerprint(), f.cos[2].path, mustXPub(t, outsider))
			return p
		}, ErrMultisigPolicy, "does not derive from the extended public key the PSBT lists for it"},
		{"change to a lower threshold", func() *psbt.Packet {
			low := f.address(1, 1, 0)
			return f.psbt(recv, &low)
		}, ErrChangeMismatch, "it pays a 1-of-3 p2wsh multisig, and the inputs are 2-of-3 p2wsh"},
		{"change with a key replaced", func() *psbt.Packet {
			bad := f.address(2, 1, 0, nil, stranger)
			return f.psbt(recv, &bad)
		}, ErrChangeMismatch, "has no key origin"},
		{"change to other cosigners", func() *psbt.Packet {
			g := newMSFixture(t, 2, false, testMnemonic, otherMnemonic, "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong")
			other := g.address(2, 1, 0)
			p := f.psbt(recv, &other)
			p.XPubs = append(p.XPubs, NewGlobalXPub(g.cos[2].s.Fingerprint(), g.cos[2].path, g.cos[2].xpub))
			return p
		}, ErrChangeMismatch, "are not the inputs'"},
		{"change without xpubs", func() *psbt.Packet {
			p := f.psbt(recv, &change)
			p.XPubs = nil
			return p
		}, ErrChangeMismatch, "does not list cosigner"},
		{"change to nested", func() *psbt.Packet {
			g := newMSFixture(t, 2, true, testMnemonic, otherMnemonic, thirdMnemonic)
			nested := g.address(2, 1, 0)
			p := f.psbt(recv, &nested)
			for _, c := range g.cos {
				p.XPubs = append(p.XPubs, NewGlobalXPub(c.s.Fingerprint(), c.path, c.xpub))
			}
			return p
		}, ErrChangeMismatch, "it pays a 2-of-3 p2sh-p2wsh multisig, and the inputs are 2-of-3 p2wsh"},
		{"amount not proven", func() *psbt.Packet {
			p := f.psbt(recv, &change)
			p.Inputs[0].NonWitnessUtxo = nil
			return p
		}, ErrUnprovenAmount, "only the PSBT states"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.psbt()
			before := encode(t, p)
			_, err := f.sign(p, 0)
			if !IsErrorCode(err, tc.code) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v (%v), want %v containing %q", err, codeOf(err), tc.code, tc.want)
			}
			if !bytes.Equal(before, encode(t, p)) {
				t.Error("a refused PSBT was changed")
			}
		})
	}
}

// mustXPub returns s's BIP48 p2wsh account key on regtest.
func mustXPub(t *testing.T, s *keystore.Signer) *hdkeychain.ExtendedKey {
	t.Helper()
	const h = hdkeychain.HardenedKeyStart
	x, err := s.AccountXPub([]uint32{48 + h, 1 + h, h, 2 + h})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// codeOf returns the code of a psbtx error, for messages.
func codeOf(err error) ErrorCode {
	for c := ErrNotPSBT; c <= ErrMultisigPolicy; c++ {
		if IsErrorCode(err, c) {
			return c
		}
	}
	return -1
}

func TestParseMultisigScript(t *testing.T) {
	f := newMSFixture(t, 2, false, testMnemonic, otherMnemonic, thirdMnemonic)
	a := f.address(2, 0, 0)
	ms, ok := parseMultisigScript(a.ws)
	if !ok || ms.m != 2 || len(ms.keys) != 3 {
		t.Fatalf("parse = %+v %v", ms, ok)
	}
	bad := [][]byte{
		nil,
		a.ws[:len(a.ws)-1],
		append(slices.Clone(a.ws), txscript.OP_NOP),
		append([]byte{txscript.OP_4}, a.ws[1:]...),                                                // threshold above n
		append(append([]byte{}, a.ws[:len(a.ws)-2]...), txscript.OP_2, txscript.OP_CHECKMULTISIG), // n wrong
	}
	for i, s := range bad {
		if _, ok := parseMultisigScript(s); ok {
			t.Errorf("bad script %d parsed", i)
		}
	}
}

// TestMultisigInteropBitcoinjs has bitcoinjs-lib sign, as the second
// cosigner, a 2-of-3 PSBT satchel's first cosigner signed: the combined PSBT
// finalizes and verifies, so the PSBT's scripts and key origins are what
// another implementation expects. @scure/btc-signer also signs as the third
// cosigner.
func TestMultisigInteropBitcoinjs(t *testing.T) {
	for _, nested := range []bool{false, true} {
		t.Run(map[bool]string{false: "p2wsh", true: "p2sh-p2wsh"}[nested], func(t *testing.T) {
			f := newMSFixture(t, 2, nested, testMnemonic, otherMnemonic, thirdMnemonic)
			change := f.address(2, 1, 0)
			p := f.psbt(f.address(2, 0, 0), &change)
			b64, err := EncodeBase64(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.sign(p, 0); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				lib      string
				mnemonic string
				cosigner int
			}{{"bitcoinjs", otherMnemonic, 1}, {"scure", thirdMnemonic, 2}} {
				var got struct {
					PSBT string `json:"psbt"`
				}
				if e := interop.Node(t, "psbt.mjs", map[string]any{
					"op": "sign_" + tc.lib, "psbt": b64, "mnemonic": tc.mnemonic}, &got); e != "" {
					t.Fatalf("%s cannot sign satchel's multisig PSBT: %s", tc.lib, e)
				}
				theirs, err := Parse([]byte(got.PSBT))
				if err != nil {
					t.Fatal(err)
				}
				want := f.keyAt(f.cos[tc.cosigner], 0, 0).SerializeCompressed()
				if len(theirs.Inputs[0].PartialSigs) != 1 || !bytes.Equal(theirs.Inputs[0].PartialSigs[0].PubKey, want) {
					t.Fatalf("%s signed with %+v", tc.lib, theirs.Inputs[0].PartialSigs)
				}
				both, err := Combine(p, theirs)
				if err != nil {
					t.Fatal(err)
				}
				if err := Finalize(both); err != nil {
					t.Fatalf("satchel + %s: %v", tc.lib, err)
				}
				if _, err := Extract(both); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
