package keystore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

const h = hdkeychain.HardenedKeyStart

// abandonMnemonic is the all-zero 128-bit entropy mnemonic used by the
// BIP84 and BIP86 test vectors.
const abandonMnemonic = "abandon abandon abandon abandon abandon abandon " +
	"abandon abandon abandon abandon abandon about"

// parseTestPath parses "m/0'/1" (with ' or h for hardened).
func parseTestPath(t testing.TB, s string) []uint32 {
	t.Helper()
	parts := strings.Split(s, "/")
	if parts[0] != "m" {
		t.Fatalf("bad path %q", s)
	}
	var path []uint32
	for _, p := range parts[1:] {
		var off uint32
		if strings.HasSuffix(p, "'") || strings.HasSuffix(p, "h") {
			off = h
			p = p[:len(p)-1]
		}
		n, err := strconv.ParseUint(p, 10, 31)
		if err != nil {
			t.Fatalf("bad path %q: %v", s, err)
		}
		path = append(path, uint32(n)+off)
	}
	return path
}

// TestBIP32Vectors derives BIP-0032 test vectors 1 to 3 from their seeds
// and compares the extended public and private keys.
func TestBIP32Vectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "bip32_vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			Name   string `json:"name"`
			Seed   string `json:"seed"`
			Chains []struct {
				Path string `json:"path"`
				XPub string `json:"xpub"`
				XPrv string `json:"xprv"`
			} `json:"chains"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) != 3 {
		t.Fatalf("got %d vectors, want 3", len(file.Vectors))
	}
	for _, v := range file.Vectors {
		seed, err := hex.DecodeString(v.Seed)
		if err != nil {
			t.Fatal(err)
		}
		s, err := newSignerFromSeed(seed, &chaincfg.MainNetParams)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v.Chains {
			t.Run(v.Name+" "+c.Path, func(t *testing.T) {
				path := parseTestPath(t, c.Path)
				xpub, err := s.AccountXPub(path)
				if err != nil {
					t.Fatal(err)
				}
				if xpub.IsPrivate() {
					t.Fatal("AccountXPub returned a private key")
				}
				if got := xpub.String(); got != c.XPub {
					t.Fatalf("xpub %s, want %s", got, c.XPub)
				}
				s.mu.RLock()
				xprv, err := s.derivePriv(path)
				s.mu.RUnlock()
				if err != nil {
					t.Fatal(err)
				}
				defer xprv.Zero()
				if got := xprv.String(); got != c.XPrv {
					t.Fatalf("xprv %s, want %s", got, c.XPrv)
				}
			})
		}
		s.Close()
	}
}

// TestFingerprint checks the master fingerprint against known values.
func TestFingerprint(t *testing.T) {
	seed, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	s, err := newSignerFromSeed(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// BIP-0032 vector 1: the identifier of m starts 3442193e.
	if fp := s.Fingerprint(); fp != 0x3442193e {
		t.Fatalf("fingerprint %08x, want 3442193e", fp)
	}

	signer := abandonSigner(t, &chaincfg.MainNetParams)
	// Seen in key origins of the BIP84/86 vectors: [73c5da0a/84h/0h/0h].
	if fp := signer.Fingerprint(); fp != 0x73c5da0a {
		t.Fatalf("fingerprint %08x, want 73c5da0a", fp)
	}
	signer.Close()
	if fp := signer.Fingerprint(); fp != 0x73c5da0a {
		t.Fatal("the fingerprint is not available after Close")
	}
}

// abandonSigner returns a Signer for the "abandon ... about" mnemonic
// without a passphrase.
func abandonSigner(t testing.TB, net *chaincfg.Params) *Signer {
	t.Helper()
	sec, err := NewSecret(abandonMnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	defer sec.Zero()
	s, err := NewSigner(sec, net)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBIP86Vector checks account xpub, internal key and output key of
// BIP-0086's test vector (mnemonic "abandon ... about").
func TestBIP86Vector(t *testing.T) {
	s := abandonSigner(t, &chaincfg.MainNetParams)
	defer s.Close()

	xpub, err := s.AccountXPub([]uint32{86 + h, 0 + h, 0 + h})
	if err != nil {
		t.Fatal(err)
	}
	const wantXPub = "xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxar" +
		"j2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ"
	if xpub.String() != wantXPub {
		t.Fatalf("account xpub %s, want %s", xpub, wantXPub)
	}

	internal, err := s.PublicKey([]uint32{86 + h, 0 + h, 0 + h, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	got := hex.EncodeToString(schnorr.SerializePubKey(internal))
	if got != "cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115" {
		t.Fatalf("internal key %s", got)
	}
	output := txscript.ComputeTaprootKeyNoScript(internal)
	got = hex.EncodeToString(schnorr.SerializePubKey(output))
	if got != "a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c" {
		t.Fatalf("output key %s", got)
	}
}

// TestAccountXPubNetwork checks that the extended public key carries the
// version bytes of the Signer's network.
func TestAccountXPubNetwork(t *testing.T) {
	tests := []struct {
		net    *chaincfg.Params
		prefix string
	}{
		{&chaincfg.MainNetParams, "xpub"},
		{&chaincfg.TestNet3Params, "tpub"},
		{&chaincfg.TestNet4Params, "tpub"},
		{&chaincfg.SigNetParams, "tpub"},
		{&chaincfg.RegressionNetParams, "tpub"},
	}
	for _, tc := range tests {
		t.Run(tc.net.Name, func(t *testing.T) {
			s := abandonSigner(t, tc.net)
			defer s.Close()
			xpub, err := s.AccountXPub([]uint32{84 + h, 1 + h, 0 + h})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(xpub.String(), tc.prefix) {
				t.Fatalf("got %s, want prefix %s", xpub, tc.prefix)
			}
		})
	}
}

// TestAccountXPubOutlivesSigner checks that an extended public key handed
// out stays intact when the Signer wipes its keys.
func TestAccountXPubOutlivesSigner(t *testing.T) {
	s := abandonSigner(t, &chaincfg.MainNetParams)
	for _, path := range [][]uint32{nil, {84 + h, 0 + h, 0 + h}} {
		xpub, err := s.AccountXPub(path)
		if err != nil {
			t.Fatal(err)
		}
		before := xpub.String()
		// Derive and sign more, then lock.
		if _, err := s.SignECDSA(path, make([]byte, 32)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if after := xpub.String(); after != before {
			t.Fatalf("xpub changed after Close: %s -> %s", before, after)
		}
		child, err := xpub.Derive(0)
		if err != nil {
			t.Fatalf("xpub unusable after Close: %v", err)
		}
		_ = child
		s = abandonSigner(t, &chaincfg.MainNetParams)
	}
	s.Close()
}

// TestSignECDSA checks that ECDSA signatures verify against the public key
// at the same path, are deterministic and use a low S.
func TestSignECDSA(t *testing.T) {
	s := abandonSigner(t, &chaincfg.MainNetParams)
	defer s.Close()

	for i, path := range [][]uint32{
		{84 + h, 0 + h, 0 + h, 0, 0},
		{84 + h, 0 + h, 0 + h, 1, 7},
		{44 + h, 0 + h, 0 + h, 0, 0},
		{},
	} {
		t.Run(formatPath(path), func(t *testing.T) {
			digest := sha256.Sum256([]byte(fmt.Sprintf("sighash %d", i)))
			sig, err := s.SignECDSA(path, digest[:])
			if err != nil {
				t.Fatal(err)
			}
			pub, err := s.PublicKey(path)
			if err != nil {
				t.Fatal(err)
			}
			if !sig.Verify(digest[:], pub) {
				t.Fatal("signature does not verify")
			}
			other := sha256.Sum256([]byte("another message"))
			if sig.Verify(other[:], pub) {
				t.Fatal("signature verifies for another digest")
			}
			if err := ecdsa.VerifyLowS(sig.Serialize()); err != nil {
				t.Fatalf("high S: %v", err)
			}
			again, err := s.SignECDSA(path, digest[:])
			if err != nil {
				t.Fatal(err)
			}
			if !again.IsEqual(sig) {
				t.Fatal("signing is not deterministic (RFC 6979)")
			}
		})
	}
}

// TestSignSchnorr checks that BIP340 signatures verify against the taproot
// output key: BIP86 (no scripts) and with a script tree's merkle root.
func TestSignSchnorr(t *testing.T) {
	s := abandonSigner(t, &chaincfg.MainNetParams)
	defer s.Close()

	path := []uint32{86 + h, 0 + h, 0 + h, 0, 3}
	internal, err := s.PublicKey(path)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("taproot sighash"))

	t.Run("BIP86 key path", func(t *testing.T) {
		sig, err := s.SignSchnorr(path, digest[:], nil)
		if err != nil {
			t.Fatal(err)
		}
		output := txscript.ComputeTaprootKeyNoScript(internal)
		if !sig.Verify(digest[:], output) {
			t.Fatal("signature does not verify against the output key")
		}
		if sig.Verify(digest[:], internal) {
			t.Fatal("signature verifies against the untweaked key")
		}
	})

	t.Run("with merkle root", func(t *testing.T) {
		root := sha256.Sum256([]byte("script tree"))
		sig, err := s.SignSchnorr(path, digest[:], root[:])
		if err != nil {
			t.Fatal(err)
		}
		output := txscript.ComputeTaprootOutputKey(internal, root[:])
		if !sig.Verify(digest[:], output) {
			t.Fatal("signature does not verify against the output key")
		}
		bip86 := txscript.ComputeTaprootKeyNoScript(internal)
		if sig.Verify(digest[:], bip86) {
			t.Fatal("the merkle root was ignored")
		}
	})
}

// TestSignerBadInput checks that malformed requests fail with an error.
func TestSignerBadInput(t *testing.T) {
	s := abandonSigner(t, &chaincfg.MainNetParams)
	defer s.Close()
	path := []uint32{84 + h, 0 + h, 0 + h, 0, 0}

	for _, n := range []int{0, 31, 33, 64} {
		if _, err := s.SignECDSA(path, make([]byte, n)); err == nil {
			t.Errorf("SignECDSA accepted a %d-byte digest", n)
		}
		if _, err := s.SignSchnorr(path, make([]byte, n), nil); err == nil {
			t.Errorf("SignSchnorr accepted a %d-byte digest", n)
		}
	}
	if _, err := s.SignSchnorr(path, make([]byte, 32),
		make([]byte, 31)); err == nil {
		t.Error("SignSchnorr accepted a 31-byte merkle root")
	}
	tooDeep := make([]uint32, 256)
	if _, err := s.PublicKey(tooDeep); err == nil {
		t.Error("a path deeper than 255 was accepted")
	}
	if _, err := NewSigner(nil, &chaincfg.MainNetParams); err == nil {
		t.Error("NewSigner accepted a nil secret")
	}
	sec, _ := NewSecret(abandonMnemonic, "")
	if _, err := NewSigner(sec, nil); err == nil {
		t.Error("NewSigner accepted a nil network")
	}
	sec.Zero()
	if _, err := NewSigner(sec, &chaincfg.MainNetParams); err == nil {
		t.Error("NewSigner accepted a wiped secret")
	}
}

// TestSignerClose checks that a closed Signer refuses to sign and says the
// wallet is locked.
func TestSignerClose(t *testing.T) {
	s := abandonSigner(t, &chaincfg.MainNetParams)
	s.Close()
	s.Close() // idempotent
	path := []uint32{84 + h, 0 + h, 0 + h}
	checks := map[string]error{}
	_, checks["SignECDSA"] = s.SignECDSA(path, make([]byte, 32))
	_, checks["SignSchnorr"] = s.SignSchnorr(path, make([]byte, 32), nil)
	_, checks["PublicKey"] = s.PublicKey(path)
	_, checks["AccountXPub"] = s.AccountXPub(path)
	for name, err := range checks {
		if err == nil || err.Error() != "the wallet is locked" {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

// TestSecretsAreNotPrinted checks that formatting a Secret or a Signer
// does not reveal key material.
func TestSecretsAreNotPrinted(t *testing.T) {
	sec, err := NewSecret(abandonMnemonic, "TREZOR")
	if err != nil {
		t.Fatal(err)
	}
	defer sec.Zero()
	s, err := NewSigner(sec, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		for _, v := range []any{sec, s, *sec} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "abandon") ||
				strings.Contains(out, "TREZOR") ||
				strings.Contains(out, "54524") || // hex of "TR"
				!strings.Contains(out, "redacted") {
				t.Errorf("%s of %T printed %q", verb, v, out)
			}
		}
	}
}

// TestSignerConcurrent signs from several goroutines while another locks
// the Signer; run with -race it checks the Signer's locking.
func TestSignerConcurrent(t *testing.T) {
	s := abandonSigner(t, &chaincfg.MainNetParams)
	digest := sha256.Sum256([]byte("concurrent"))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				path := []uint32{84 + h, 0 + h, 0 + h, 0, uint32(g*100 + i)}
				_, err := s.SignECDSA(path, digest[:])
				if err != nil && err.Error() != "the wallet is locked" {
					t.Error(err)
					return
				}
				if _, err := s.AccountXPub(path[:3]); err != nil &&
					err.Error() != "the wallet is locked" {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = s.SignSchnorr([]uint32{86 + h}, digest[:], nil)
		s.Close()
	}()
	wg.Wait()
	if _, err := s.PublicKey(nil); err == nil {
		t.Fatal("the Signer still works after Close")
	}
}
