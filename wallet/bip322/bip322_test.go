package bip322

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

type vectors struct {
	PrivateKey    string `json:"private_key"`
	Address       string `json:"address"`
	MessageHashes []struct {
		Message string `json:"message"`
		Hash    string `json:"hash"`
	} `json:"message_hashes"`
	TxHashes []struct {
		Message string `json:"message"`
		ToSpend string `json:"to_spend"`
		ToSign  string `json:"to_sign"`
	} `json:"tx_hashes"`
	Signatures []struct {
		Address   string `json:"address"`
		Message   string `json:"message"`
		Signature string `json:"signature"`
		Valid     bool   `json:"valid"`
		Ours      bool   `json:"ours"`
	} `json:"signatures"`
	TaprootAddress string `json:"taproot_address"`
	LegacyAddress  string `json:"legacy_address"`
}

func loadVectors(t testing.TB) *vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

// keySigner is a KeySigner with one private key for every path.
type keySigner struct{ priv *btcec.PrivateKey }

func (k keySigner) PublicKey([]uint32) (*btcec.PublicKey, error) { return k.priv.PubKey(), nil }
func (k keySigner) SignECDSA(_ []uint32, d []byte) (*ecdsa.Signature, error) {
	return ecdsa.Sign(k.priv, d), nil
}
func (k keySigner) SignSchnorr(_ []uint32, d, root []byte) (*schnorr.Signature, error) {
	return schnorr.Sign(txscript.TweakTaprootPrivKey(*k.priv, root), d)
}

func vectorSigner(t *testing.T, v *vectors) keySigner {
	w, err := btcutil.DecodeWIF(v.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return keySigner{w.PrivKey}
}

func decode(t *testing.T, s string) address.Address {
	t.Helper()
	a, err := address.DecodeAddress(s, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMessageHash(t *testing.T) {
	for _, tc := range loadVectors(t).MessageHashes {
		h := MessageHash([]byte(tc.Message))
		if got := hex.EncodeToString(h[:]); got != tc.Hash {
			t.Errorf("MessageHash(%q) = %s, want %s", tc.Message, got, tc.Hash)
		}
	}
}

func TestTransactionHashes(t *testing.T) {
	v := loadVectors(t)
	script, _ := txscript.PayToAddrScript(decode(t, v.Address))
	for _, tc := range v.TxHashes {
		toSpend := ToSpend(script, []byte(tc.Message))
		if got := toSpend.TxHash().String(); got != tc.ToSpend {
			t.Errorf("%q: to_spend %s, want %s", tc.Message, got, tc.ToSpend)
		}
		if got := ToSign(toSpend).TxHash().String(); got != tc.ToSign {
			t.Errorf("%q: to_sign %s, want %s", tc.Message, got, tc.ToSign)
		}
	}
}

func TestVerifyVectors(t *testing.T) {
	for i, tc := range loadVectors(t).Signatures {
		err := Verify(decode(t, tc.Address), []byte(tc.Message), tc.Signature)
		if tc.Valid && err != nil {
			t.Errorf("vector %d: valid signature refused: %v", i, err)
		}
		if !tc.Valid && !errors.Is(err, ErrInvalid) {
			t.Errorf("vector %d: invalid signature gave %v", i, err)
		}
	}
}

// Our signatures are the BIP's, byte for byte: the vectors list two per
// message, and plain RFC 6979 nonces give the second.
func TestSignVectors(t *testing.T) {
	v := loadVectors(t)
	s := vectorSigner(t, v)
	for i, tc := range v.Signatures {
		if !tc.Ours {
			continue
		}
		got, err := Sign(decode(t, tc.Address), []byte(tc.Message), s, nil)
		if err != nil || got != tc.Signature {
			t.Errorf("vector %d: Sign = %s, %v\nwant %s", i, got, err, tc.Signature)
		}
	}
}

// Every address type signs and verifies; the signature does not verify
// for another message or another address.
func TestSignVerifyEveryType(t *testing.T) {
	v := loadVectors(t)
	s := vectorSigner(t, v)
	pub := s.priv.PubKey().SerializeCompressed()
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
		pkh, _ := address.NewAddressPubKeyHash(address.Hash160(pub), net)
		wpkh, _ := address.NewAddressWitnessPubKeyHash(address.Hash160(pub), net)
		redeem, _ := txscript.PayToAddrScript(wpkh)
		sh, _ := address.NewAddressScriptHash(redeem, net)
		tr, _ := address.NewAddressTaproot(schnorr.SerializePubKey(txscript.ComputeTaprootKeyNoScript(s.priv.PubKey())), net)
		if net == &chaincfg.MainNetParams && (pkh.EncodeAddress() != v.LegacyAddress || tr.EncodeAddress() != v.TaprootAddress) {
			t.Fatalf("addresses of the vector key: %s %s", pkh, tr)
		}
		other, _ := address.NewAddressWitnessPubKeyHash(make([]byte, 20), net)
		for _, a := range []address.Address{pkh, wpkh, sh, tr} {
			sig, err := Sign(a, []byte("Hello World"), s, nil)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			if err := Verify(a, []byte("Hello World"), sig); err != nil {
				t.Errorf("%s: own signature refused: %v", a, err)
			}
			if err := Verify(a, []byte("Hello World!"), sig); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: signature valid for another message: %v", a, err)
			}
			if err := Verify(other, []byte("Hello World"), sig); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: signature valid for another address: %v", a, err)
			}
			if _, ok := a.(*address.AddressPubKeyHash); ok {
				raw, _ := base64.StdEncoding.DecodeString(sig)
				if len(raw) != 65 {
					t.Errorf("P2PKH signature is %d bytes, want the 65 of the legacy format", len(raw))
				}
			}
		}
		// A key that does not pay the address is refused before signing.
		if _, err := Sign(other, []byte("x"), s, nil); err == nil {
			t.Error("signed for an address of another key")
		}
	}
}

// Some wallets sign segwit addresses in the legacy format (BIP137
// headers); those verify too.
func TestLegacyForSegwit(t *testing.T) {
	v := loadVectors(t)
	s := vectorSigner(t, v)
	wpkh := decode(t, v.Address)
	compact := ecdsa.SignCompact(s.priv, legacyHash([]byte("hi")), true)
	compact[0] += 8 // 31.. -> 39..: BIP137 P2WPKH
	if err := Verify(wpkh, []byte("hi"), base64.StdEncoding.EncodeToString(compact)); err != nil {
		t.Errorf("BIP137 P2WPKH signature refused: %v", err)
	}
}

func TestVerifyGarbage(t *testing.T) {
	a := decode(t, loadVectors(t).Address)
	for _, sig := range []string{"", "!!!", "AA==", base64.StdEncoding.EncodeToString(make([]byte, 65)), "AkcwRAIg"} {
		if err := Verify(a, []byte("x"), sig); !errors.Is(err, ErrInvalid) {
			t.Errorf("Verify(%q) = %v", sig, err)
		}
	}
}

// FuzzVerify: arbitrary signatures never panic and are never valid.
func FuzzVerify(f *testing.F) {
	v := loadVectors(f)
	for _, s := range v.Signatures {
		f.Add(s.Address, s.Message+"x", s.Signature)
	}
	f.Fuzz(func(t *testing.T, addr, msg, sig string) {
		a, err := address.DecodeAddress(addr, &chaincfg.MainNetParams)
		if err != nil {
			return
		}
		if Verify(a, []byte(msg), sig) == nil {
			t.Fatalf("a fuzzed signature verified: %s %q %s", addr, msg, sig)
		}
	})
}
