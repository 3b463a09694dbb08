package ur

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// formatComponents writes a key path as 44h/0h/0h, with * for a wildcard.
func formatComponents(p *Keypath) string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, c := range p.Components {
		s := strconv.Itoa(int(c.Index))
		if c.Wildcard {
			s = "*"
		}
		if c.Hardened {
			s += "h"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "/")
}

func TestHDKeyVectors(t *testing.T) {
	for i, tc := range loadVectors(t).HDKeys {
		u, err := Parse(tc.UR)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(u.CBOR) != tc.CBOR {
			t.Fatalf("vector %d: the UR does not carry the published CBOR", i)
		}
		v, err := DecodeCBOR(u.CBOR)
		if err != nil {
			t.Fatal(err)
		}
		k, err := hdKeyFromValue(v)
		if tc.Private {
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("vector %d: a private master key gave %v, want ErrUnsupported", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		if got := formatComponents(k.Origin); got != tc.Path || k.ParentFingerprint != tc.ParentFingerprint || k.Testnet != tc.Testnet {
			t.Errorf("vector %d: path %s fp %d testnet %v", i, got, k.ParentFingerprint, k.Testnet)
		}
		// Written back, the key is the published CBOR byte for byte.
		if got := hex.EncodeToString(EncodeCBOR(k.value())); got != tc.CBOR {
			t.Errorf("vector %d: re-encoded as %s", i, got)
		}
	}
}

func TestOutputVectors(t *testing.T) {
	for i, tc := range loadVectors(t).Outputs {
		a, err := DecodeAccount(&UR{Type: TypeCryptoOutput, CBOR: unhex(t, tc.CBOR)})
		if tc.Unsupported {
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("vector %d: got %v, want ErrUnsupported", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		o := a.Outputs[0]
		if tc.Threshold > 0 {
			// BCR-2020-010's wsh(multi(1,xpub…/1/0/*,xpub…/0/0/*)).
			if !slices.Equal(o.Script, tc.Script) || o.Multi == nil || o.Multi.Threshold != tc.Threshold ||
				o.Multi.Sorted || len(o.Multi.Keys) != len(tc.Keys) {
				t.Fatalf("vector %d: %+v", i, o)
			}
			for j, want := range tc.Keys {
				k := o.Multi.Keys[j]
				if formatComponents(k.Origin) != want.Origin || k.Origin.SourceFingerprint != want.SourceFingerprint ||
					formatComponents(k.Children) != want.Children {
					t.Errorf("vector %d key %d: origin %s/%d children %s", i, j, formatComponents(k.Origin),
						k.Origin.SourceFingerprint, formatComponents(k.Children))
				}
			}
		} else if !slices.Equal(o.Script, tc.Script) || formatComponents(o.Key.Origin) != tc.Origin ||
			a.MasterFingerprint != tc.SourceFingerprint || formatComponents(o.Key.Children) != tc.Children {
			t.Errorf("vector %d: %+v", i, o)
		}
		if got := hex.EncodeToString(o.UR().CBOR); got != tc.CBOR {
			t.Errorf("vector %d: re-encoded as %s", i, got)
		}
	}
}

func TestAccountVector(t *testing.T) {
	v := loadVectors(t).Account
	u, err := Parse(v.UR)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(u.CBOR) != v.CBOR {
		t.Fatal("the UR does not carry the published CBOR")
	}
	a, err := DecodeAccount(u)
	if err != nil {
		t.Fatal(err)
	}
	if a.MasterFingerprint != 934670036 || len(a.Outputs) != len(v.Outputs) {
		t.Fatalf("fingerprint %d, %d outputs", a.MasterFingerprint, len(a.Outputs))
	}
	for i, want := range v.Outputs {
		o := a.Outputs[i]
		if !slices.Equal(o.Script, want.Script) || formatComponents(o.Key.Origin) != want.Origin ||
			hex.EncodeToString(o.Key.KeyData) != want.Key || o.Key.ParentFingerprint != want.ParentFingerprint {
			t.Errorf("output %d: %+v", i, o)
		}
	}
	if got := a.UR().String(); got != v.UR {
		t.Errorf("re-encoded as\n%s\nwant\n%s", got, v.UR)
	}
}

func TestPSBTRoundTrip(t *testing.T) {
	p := []byte("psbt\xff\x01\x00")
	u := NewPSBT(p)
	back, err := DecodePSBT(u)
	if err != nil || !bytes.Equal(back, p) {
		t.Fatalf("%x %v", back, err)
	}
	if _, err := DecodePSBT(&UR{Type: "psbt", CBOR: EncodeCBOR(Bytes(p))}); err != nil {
		t.Errorf("ur:psbt refused: %v", err)
	}
	if _, err := DecodePSBT(&UR{Type: "bytes", CBOR: u.CBOR}); err == nil {
		t.Error("ur:bytes accepted as a PSBT")
	}
	if _, err := DecodePSBT(&UR{Type: TypeCryptoPSBT, CBOR: EncodeCBOR(Text("psbt"))}); err == nil {
		t.Error("a text string accepted as a PSBT")
	}
}

func TestKeypathPair(t *testing.T) {
	p := &Keypath{Components: []PathComponent{{Pair: true, Index: 0, Internal: 1}, {Wildcard: true}}, Depth: -1}
	back, err := keypathFromValue(Tag(TagKeypath, p.value()))
	if err != nil || len(back.Components) != 2 || !back.Components[0].Pair || back.Components[0].Internal != 1 || !back.Components[1].Wildcard {
		t.Fatalf("%+v %v", back, err)
	}
}
