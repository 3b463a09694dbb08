package psbtx

import (
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TestSignOnlyOwnAccount checks that a taproot wallet leaves alone a p2wpkh
// input of the same seed: its key origin carries the wallet's fingerprint,
// but its path is not in the wallet's account, and its review does not call
// it the wallet's either.
func TestSignOnlyOwnAccount(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(90000, externalScript("a")))
	tr := accountOf(t, s, typeP2TR)
	res, err := Sign(p, s, netParams, WithAccounts(tr))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 0 || !noSignatures(p) {
		t.Fatalf("the taproot wallet signed the p2wpkh input: %+v", res)
	}
	want := "input 0: its key path m/84h/1h/0h/0/0 is not in this " +
		"wallet's account m/86h/1h/0h/*"
	if res.Explain() != want {
		t.Errorf("reason %q, want %q", res.Explain(), want)
	}
	r, err := ReviewPacket(p, netParams, nil, WithAccounts(tr))
	if err != nil {
		t.Fatal(err)
	}
	if r.Inputs[0].Ours {
		t.Error("the taproot wallet's review calls the p2wpkh input ours")
	}
	// The p2wpkh account signs it and calls it its own.
	wpkh := accountOf(t, s, typeP2WPKH)
	if r, _ := ReviewPacket(p, netParams, nil, WithAccounts(wpkh)); !r.Inputs[0].Ours {
		t.Error("the p2wpkh wallet's review does not call its input ours")
	}
	if res, err := Sign(p, s, netParams, WithAccounts(wpkh)); err != nil ||
		len(res.Signed) != 1 {
		t.Fatalf("p2wpkh account: %+v, %v", res, err)
	}
}

// TestSignReasons checks the reason Sign gives for each input it leaves
// unsigned.
func TestSignReasons(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	other := newTestSigner(t, otherMnemonic)
	tests := []struct {
		name  string
		setup func(t *testing.T, p *psbt.Packet)
		want  string
	}{{
		name: "no key origin",
		setup: func(t *testing.T, p *psbt.Packet) {
			p.Inputs[0].Bip32Derivation = nil
		},
		want: "input 0: it carries no key origin",
	}, {
		name: "another wallet's fingerprint",
		setup: func(t *testing.T, p *psbt.Packet) {
			k := deriveKey(t, other, typeP2WPKH, 0, 0)
			p.Inputs[0].Bip32Derivation = []*psbt.Bip32Derivation{
				NewBip32Derivation(other.Fingerprint(), k.pub, k.path)}
		},
		want: "input 0: its keys belong to another wallet (master " +
			"fingerprint " + hex8(other.Fingerprint()) + "; this " +
			"wallet's is 73c5da0a)",
	}, {
		name: "fingerprint with its bytes reversed",
		setup: func(t *testing.T, p *psbt.Packet) {
			// What satchel wrote before the byte-order fix.
			p.Inputs[0].Bip32Derivation[0].MasterKeyFingerprint =
				testFingerprint
		},
		want: "bytes reversed, as satchel before the fix wrote it",
	}, {
		name: "already signed",
		setup: func(t *testing.T, p *psbt.Packet) {
			if n, err := signN(t, p, s); err != nil || n != 1 {
				t.Fatalf("first Sign: %d, %v", n, err)
			}
		},
		want: "input 0: it is already signed by this wallet",
	}, {
		name: "finalized",
		setup: func(t *testing.T, p *psbt.Packet) {
			if n, err := signN(t, p, s); err != nil || n != 1 {
				t.Fatalf("first Sign: %d, %v", n, err)
			}
			if err := Finalize(p); err != nil {
				t.Fatal(err)
			}
		},
		want: "input 0: it is already finalized",
	}, {
		name: "a key the account does not derive",
		setup: func(t *testing.T, p *psbt.Packet) {
			k := deriveKey(t, other, typeP2WPKH, 0, 0)
			p.Inputs[0].Bip32Derivation[0].PubKey =
				k.pub.SerializeCompressed()
		},
		want: "input 0: the key it records at m/84h/1h/0h/0/0 is not " +
			"the one this wallet derives there",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
			p := buildPSBT(t, testFingerprint, []*coin{c},
				wire.NewTxOut(90000, externalScript("a")))
			tc.setup(t, p)
			res, err := Sign(p, s, netParams,
				WithAccounts(accountsOf(t, s)...))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signed) != 0 {
				t.Fatalf("signed %v", res.Signed)
			}
			if !strings.Contains(res.Explain(), tc.want) {
				t.Errorf("reason %q, want %q", res.Explain(), tc.want)
			}
		})
	}
}

// hex8 writes a fingerprint as eight hex digits.
func hex8(fp uint32) string {
	b := FingerprintBytes(fp)
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 8)
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

// feeAttack builds the two PSBTs of the segwit v0 fee attack on two p2wpkh
// coins of the wallet of 1 BTC each: each PSBT carries only witness UTXOs
// and says the other coin holds 0.5 BTC, so that both show a fee of 11,000
// sat while the transaction they combine into pays 0.50011 BTC.
func feeAttack(t *testing.T) (a, b *psbt.Packet, coins []*coin) {
	s := newTestSigner(t, testMnemonic)
	coins = []*coin{
		newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), btcutil.SatoshiPerBitcoin),
		newCoin(deriveKey(t, s, typeP2WPKH, 0, 1), btcutil.SatoshiPerBitcoin),
	}
	lie := func(liar int) *psbt.Packet {
		p := buildPSBT(t, testFingerprint, coins,
			wire.NewTxOut(149989000, externalScript("attacker")))
		for i := range p.Inputs {
			p.Inputs[i].NonWitnessUtxo = nil
		}
		p.Inputs[liar].WitnessUtxo = wire.NewTxOut(
			btcutil.SatoshiPerBitcoin/2, coins[liar].key.script)
		return p
	}
	return lie(1), lie(0), coins
}

// TestSegwitFeeAttack checks that the segwit v0 fee attack fails: neither
// lying PSBT is signed without proof of its amounts; the wallet's records
// expose the lie; with the full previous transactions the lie cannot even
// be told.
func TestSegwitFeeAttack(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	a, b, coins := feeAttack(t)
	for name, p := range map[string]*psbt.Packet{"first": a, "second": b} {
		r, err := ReviewPacket(p, netParams, nil,
			WithAccounts(accountsOf(t, s)...))
		if err != nil {
			t.Fatal(err)
		}
		if r.Fee != 11000 || r.FeeProven || r.Inputs[0].Proof.Proven() {
			t.Errorf("%s PSBT's review: fee %d, proven %v, input 0 %v",
				name, r.Fee, r.FeeProven, r.Inputs[0].Proof)
		}
		if !hasWarning(r, "input 0: its amount (1.00000000 BTC) is not proven") &&
			!hasWarning(r, "input 0: its amount (0.50000000 BTC) is not proven") {
			t.Errorf("%s PSBT's review does not warn: %q", name,
				r.Warnings)
		}
		before := encode(t, p)
		_, err = signN(t, p, s)
		if !IsErrorCode(err, ErrUnprovenAmount) ||
			!strings.Contains(err.Error(), "input 0") {
			t.Fatalf("%s PSBT: Sign: %v, want ErrUnprovenAmount naming "+
				"input 0", name, err)
		}
		if string(before) != string(encode(t, p)) {
			t.Fatalf("a refused Sign changed the %s PSBT", name)
		}
	}

	// The wallet's records hold both previous transactions: the lie is
	// caught, the honest inputs are proven.
	records := WithPrevTxs(func(txid chainhash.Hash) *wire.MsgTx {
		for _, c := range coins {
			if c.prevTx.TxHash() == txid {
				return c.prevTx
			}
		}
		return nil
	})
	if _, err := signN(t, a, s, records); !IsErrorCode(err, ErrUTXOMismatch) ||
		!strings.Contains(err.Error(), "input 1") {
		t.Fatalf("Sign with the wallet's records: %v, want "+
			"ErrUTXOMismatch naming input 1", err)
	}
	honest := buildPSBT(t, testFingerprint, coins,
		wire.NewTxOut(199989000, externalScript("shop")))
	for i := range honest.Inputs {
		honest.Inputs[i].NonWitnessUtxo = nil
	}
	r, err := ReviewPacket(honest, netParams, nil, records)
	if err != nil {
		t.Fatal(err)
	}
	if !r.FeeProven || r.Inputs[1].Proof != ProvenByWallet {
		t.Errorf("honest PSBT with the records: proven %v, proofs %v %v",
			r.FeeProven, r.Inputs[0].Proof, r.Inputs[1].Proof)
	}
	if n, err := signN(t, honest, s, records); err != nil || n != 2 {
		t.Fatalf("honest PSBT with the records: %d, %v", n, err)
	}

	// With the previous transaction in the PSBT, a lie is an error.
	c := buildPSBT(t, testFingerprint, coins,
		wire.NewTxOut(149989000, externalScript("attacker")))
	c.Inputs[1].WitnessUtxo = wire.NewTxOut(btcutil.SatoshiPerBitcoin/2,
		coins[1].key.script)
	if _, err := signN(t, c, s); !IsErrorCode(err, ErrUTXOMismatch) {
		t.Fatalf("Sign of a lie next to the previous transaction: %v", err)
	}
}

// TestSignFeeLimits checks the fee rules Sign shares with send: a fee rate
// above 1,000 sat/vB, a fee above the amount sent or above a cap is refused
// unless allowed; a negative fee always.
func TestSignFeeLimits(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	build := func(in, out int64) *psbt.Packet {
		c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), in)
		return buildPSBT(t, testFingerprint, []*coin{c},
			wire.NewTxOut(out, externalScript("shop")))
	}
	tests := []struct {
		name    string
		in, out int64
		opts    []Option
		code    ErrorCode
		want    string
	}{
		{"fine", 100000, 99000, nil, -1, ""},
		{"above 1,000 sat/vB", 1000000, 800000, nil, ErrAbsurdFee,
			"above 1,000 sat/vB"},
		{"more than sent", 100000, 40000, nil, ErrAbsurdFee,
			"more than the amount sent"},
		{"above the cap", 100000, 90000,
			[]Option{WithFeeLimits(FeeLimits{MaxFeeRate: 1000,
				MaxFee: 5000})}, ErrAbsurdFee, "above the cap of 0.00005000 BTC"},
		{"allowed", 1000000, 800000, []Option{AllowAbsurdFee()}, -1, ""},
		{"negative, allowed or not", 100000, 100001,
			[]Option{AllowAbsurdFee()}, ErrNegativeFee, "can never be valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := build(tc.in, tc.out)
			n, err := signN(t, p, s, tc.opts...)
			if tc.code < 0 {
				if err != nil || n != 1 {
					t.Fatalf("Sign: %d, %v", n, err)
				}
				return
			}
			if !IsErrorCode(err, tc.code) || !strings.Contains(err.Error(),
				tc.want) || !noSignatures(p) {
				t.Fatalf("Sign: %v, want %v %q", err, tc.code, tc.want)
			}
			r, err := ReviewPacket(p, netParams, nil,
				WithAccounts(accountsOf(t, s)...))
			if err != nil {
				t.Fatal(err)
			}
			limits := DefaultFeeLimits
			for _, o := range tc.opts {
				cfg := newConfig([]Option{o})
				limits = cfg.limits
			}
			if tc.code != ErrNegativeFee && r.CheckFee(limits) == nil {
				t.Error("the review's CheckFee accepts the fee")
			}
		})
	}
}

// TestSignTaprootAgainstRecords checks that a taproot coin's amount, which
// its signature commits to, is still compared with the wallet's records.
func TestSignTaprootAgainstRecords(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2TR, 0, 0), 100000)
	records := WithPrevTxs(func(txid chainhash.Hash) *wire.MsgTx {
		if txid == c.prevTx.TxHash() {
			return c.prevTx
		}
		return nil
	})
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(90000, externalScript("a")))
	r, err := ReviewPacket(p, netParams, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Inputs[0].Proof != CommittedByTaproot || !r.FeeProven {
		t.Errorf("taproot input: proof %v", r.Inputs[0].Proof)
	}
	p.Inputs[0].WitnessUtxo = wire.NewTxOut(99000, c.key.script)
	if _, err := signN(t, p, s, records); !IsErrorCode(err, ErrUTXOMismatch) {
		t.Fatalf("Sign: %v, want ErrUTXOMismatch", err)
	}
	p.Inputs[0].WitnessUtxo = c.txOut()
	if n, err := signN(t, p, s, records); err != nil || n != 1 {
		t.Fatalf("Sign: %d, %v", n, err)
	}
}

// TestReviewProofs checks what the review says proves each amount.
func TestReviewProofs(t *testing.T) {
	s := newTestSigner(t, testMnemonic)
	c := newCoin(deriveKey(t, s, typeP2WPKH, 0, 0), 100000)
	p := buildPSBT(t, testFingerprint, []*coin{c},
		wire.NewTxOut(90000, externalScript("a")))
	check := func(want AmountProof, opts ...Option) {
		t.Helper()
		r, err := ReviewPacket(p, netParams, nil, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if r.Inputs[0].Proof != want || r.FeeProven != want.Proven() {
			t.Errorf("proof %v (fee proven %v), want %v",
				r.Inputs[0].Proof, r.FeeProven, want)
		}
	}
	check(ProvenByPrevTx)
	p.Inputs[0].NonWitnessUtxo = nil
	check(Unproven)
	check(ProvenByWallet, WithPrevTxs(func(chainhash.Hash) *wire.MsgTx {
		return c.prevTx
	}))
	// Records of another transaction prove nothing.
	check(Unproven, WithPrevTxs(func(chainhash.Hash) *wire.MsgTx {
		return wire.NewMsgTx(2)
	}))
}
