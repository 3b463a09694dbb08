package psbtx

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/psbt/v2"
)

// TestParseNotPSBT checks that data that is not a PSBT at all is told
// apart, with the common mix-ups named.
func TestParseNotPSBT(t *testing.T) {
	rawTxHex := loadBIP174(t).Invalid[0].Hex
	rawTx, _ := hex.DecodeString(rawTxHex)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the input is empty"},
		{"white space", []byte(" \n\t"), "not a PSBT"},
		{"text", []byte("hello world"), "magic bytes"},
		{"raw transaction hex", []byte(rawTxHex + "\n"),
			"raw transaction in hex"},
		{"binary raw transaction", rawTx, "binary raw transaction"},
		{"magic without separator", []byte("psbt\x00rest"), "not a PSBT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if !IsErrorCode(err, ErrNotPSBT) {
				t.Fatalf("got %v, want ErrNotPSBT", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q does not mention %q", err, tc.want)
			}
		})
	}
}

// validRaw returns the binary form of BIP174's PSBT with one P2SH-P2WSH
// input and one signature.
func validRaw(t testing.TB) []byte {
	t.Helper()
	return loadBIP174(t).Valid[4].raw(t)
}

// globalEnd returns the offset of the separator ending the global map.
func globalEnd(t testing.TB, raw []byte) int {
	t.Helper()
	s := scanner{b: raw, off: len(psbtMagic)}
	if _, err := s.readMap("global"); err != nil {
		t.Fatal(err)
	}
	return s.off - 1
}

// insert returns raw with rec inserted at off.
func insert(raw []byte, off int, rec []byte) []byte {
	out := append([]byte{}, raw[:off]...)
	out = append(out, rec...)
	return append(out, raw[off:]...)
}

// TestParseDamaged checks that broken PSBTs are refused with ErrDamaged and
// a message saying what is wrong.
func TestParseDamaged(t *testing.T) {
	raw := validRaw(t)
	b64 := base64.StdEncoding.EncodeToString(raw)
	end := globalEnd(t, raw)
	// An input section: the first byte after the global separator.
	in0 := end + 1
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", raw[:len(raw)-1], "cut short in output 0"},
		{"trailing byte", append(append([]byte{}, raw...), 0),
			"1 bytes of unexpected data"},
		{"bad base64", []byte("cHNidP8!" + b64[8:]), "base64"},
		{"cut base64", []byte(b64[:len(b64)/2+1]), "the PSBT is damaged"},
		{"bad hex", []byte(hex.EncodeToString(raw) + "z"), "hex"},
		{"duplicate unknown key", insert(raw, in0,
			[]byte{2, 0xf0, 1, 1, 0xaa, 2, 0xf0, 1, 1, 0xbb}),
			"appears twice in input 0"},
		{"non-minimal key length", insert(raw, in0,
			[]byte{0xfd, 2, 0, 0xf0, 1, 1, 0xaa}),
			"not minimally encoded"},
		{"no unsigned transaction", append(append([]byte{}, psbtMagic...),
			0), "no unsigned transaction"},
		{"too large", append(append([]byte{}, psbtMagic...),
			make([]byte, MaxSize)...), "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if !IsErrorCode(err, ErrDamaged) {
				t.Fatalf("got %v, want ErrDamaged", err)
			}
			if !strings.HasPrefix(err.Error(), "the PSBT is damaged: ") ||
				!strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q does not mention %q", err, tc.want)
			}
		})
	}
}

// TestParseEveryPrefix checks that no truncation of a PSBT parses or
// panics.
func TestParseEveryPrefix(t *testing.T) {
	raw := validRaw(t)
	for n := range len(raw) {
		if _, err := Parse(raw[:n]); err == nil {
			t.Fatalf("a PSBT cut to %d bytes parsed", n)
		}
	}
}

// TestParseLenientText checks the text forms people paste: unpadded
// base64, hex in capitals, a byte order mark.
func TestParseLenientText(t *testing.T) {
	raw := validRaw(t)
	for name, text := range map[string]string{
		"unpadded": strings.TrimRight(
			base64.StdEncoding.EncodeToString(raw), "="),
		"upper-case hex": strings.ToUpper(hex.EncodeToString(raw)),
		"byte order mark": "\ufeff" +
			base64.StdEncoding.EncodeToString(raw),
	} {
		p, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(encode(t, p), raw) {
			t.Errorf("%s: round trip differs", name)
		}
	}
}

// TestParseVersion checks that version 0 is read and later versions are
// refused as unsupported.
func TestParseVersion(t *testing.T) {
	raw := validRaw(t)
	end := globalEnd(t, raw)
	v0 := insert(raw, end, []byte{1, 0xfb, 4, 0, 0, 0, 0})
	p, err := Parse(v0)
	if err != nil {
		t.Fatalf("version 0: %v", err)
	}
	if !sameRecords(t, encode(t, p), v0) {
		t.Error("version 0: the version field was lost")
	}
	v2 := insert(raw, end, []byte{1, 0xfb, 4, 2, 0, 0, 0})
	_, err = Parse(v2)
	if !IsErrorCode(err, ErrUnsupported) ||
		!strings.Contains(err.Error(), "version 2") {
		t.Fatalf("version 2: %v", err)
	}
}

// TestParseFieldOrder checks that a global map whose unsigned transaction
// is not first is read (BIP174 does not order fields) and written in the
// canonical order.
func TestParseFieldOrder(t *testing.T) {
	raw := validRaw(t)
	unknown := []byte{2, 0xf0, 7, 1, 0x42}
	moved := insert(raw, len(psbtMagic), unknown)
	p, err := Parse(moved)
	if err != nil {
		t.Fatal(err)
	}
	out := encode(t, p)
	if !bytes.Equal(out, insert(raw, globalEnd(t, raw), unknown)) {
		t.Errorf("encoded %x", out)
	}
}

// TestParseWideKeyType checks that a field type the psbt library would
// truncate is refused rather than corrupted.
func TestParseWideKeyType(t *testing.T) {
	raw := validRaw(t)
	// Key type 0x0101 (compact size fd 01 01) in the global map: the
	// library would read it as an extended public key (type 1).
	rec := []byte{3, 0xfd, 0x01, 0x01, 1, 0}
	_, err := Parse(insert(raw, globalEnd(t, raw), rec))
	if !IsErrorCode(err, ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
}

// TestEncodeInvalidPacket checks that packets that cannot be encoded give
// errors rather than panics.
func TestEncodeInvalidPacket(t *testing.T) {
	good := loadBIP174(t).Valid[4].mustParse(t)
	noTx := *good
	noTx.UnsignedTx = nil
	fewer := *good
	fewer.Inputs = nil
	nilSig := loadBIP174(t).Valid[4].mustParse(t)
	nilSig.Inputs[0].PartialSigs = append(nilSig.Inputs[0].PartialSigs, nil)
	for name, p := range map[string]*psbt.Packet{
		"nil":             nil,
		"no transaction":  &noTx,
		"missing inputs":  &fewer,
		"nil partial sig": nilSig,
	} {
		if _, err := EncodeBinary(p); !IsErrorCode(err, ErrInvalidPacket) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := EncodeBase64(p); err == nil {
			t.Errorf("%s: base64 encoded", name)
		}
	}
}

// TestEncodeDoesNotModify checks that encoding leaves the packet as it was,
// even though the psbt library sorts fields while writing them: BIP174's
// combined PSBT lists input 1's signatures in Bitcoin Core's order.
func TestEncodeDoesNotModify(t *testing.T) {
	p := loadBIP174(t).Workflow["combined"].mustParse(t)
	first := p.Inputs[1].PartialSigs[0].PubKey
	if _, err := EncodeBinary(p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Inputs[1].PartialSigs[0].PubKey, first) {
		t.Fatal("EncodeBinary reordered the packet's signatures")
	}
}
