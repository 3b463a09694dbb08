package ur

import (
	"bytes"
	"testing"
)

// FuzzDecoder feeds arbitrary text to a decoder: it must never panic, and a
// completed result must be a message whose checksum the parts carried.
func FuzzDecoder(f *testing.F) {
	v := loadVectors(f)
	for _, p := range v.UREncoder {
		f.Add(p, v.UREncoder[0])
	}
	for _, p := range v.CryptoPSBTMixed.Parts {
		f.Add(p, v.CryptoPSBTMixed.Parts[0])
	}
	f.Add(v.SinglePart, "ur:bytes/1-1/aeae")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := NewDecoder()
		d.Receive(a)
		d.Receive(b)
		d.Receive(a)
		_ = d.Progress().String()
		if d.Complete() {
			if _, err := DecodeCBOR(d.Result().CBOR); err == nil {
				_, _ = DecodePSBT(d.Result())
				_, _ = DecodeAccount(d.Result())
			}
		}
	})
}

// FuzzCBOR checks that whatever DecodeCBOR accepts encodes back to a value
// that decodes the same.
func FuzzCBOR(f *testing.F) {
	v := loadVectors(f)
	f.Add(unhex(f, v.Account.CBOR))
	for _, o := range v.Outputs {
		f.Add(unhex(f, o.CBOR))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		val, err := DecodeCBOR(data)
		if err != nil {
			return
		}
		enc := EncodeCBOR(val)
		back, err := DecodeCBOR(enc)
		if err != nil {
			t.Fatalf("re-encoded %x does not decode: %v", enc, err)
		}
		if !bytes.Equal(EncodeCBOR(back), enc) {
			t.Fatalf("encoding is not stable for %x", data)
		}
		_, _ = accountFromValue(val)
		_, _ = outputFromValue(val)
	})
}

// FuzzBytewords checks that minimal Bytewords decoding never panics and
// that what it accepts encodes back to the same letters.
func FuzzBytewords(f *testing.F) {
	f.Add("aeadaolazmjendeoti")
	f.Add("jzfdihjzjzjldwcxktjljpjzieatjpgele")
	f.Fuzz(func(t *testing.T, s string) {
		data, err := DecodeBytewords(s, Minimal)
		if err != nil {
			return
		}
		if got := EncodeBytewords(data, Minimal); got != string(bytes.ToLower([]byte(s))) {
			t.Fatalf("%q decodes to %x, which encodes to %q", s, data, got)
		}
	})
}
