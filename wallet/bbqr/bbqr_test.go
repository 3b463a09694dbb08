package bbqr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

type vectors struct {
	SizeTable []struct {
		Version         int `json:"version"`
		Chars           int `json:"chars"`
		HexPayloadBytes int `json:"hex_payload_bytes"`
	} `json:"size_table"`
	ExampleHeaders struct {
		FileLen   int      `json:"file_len"`
		PartBytes int      `json:"part_bytes"`
		Headers   []string `json:"headers"`
		PartLens  []int    `json:"part_lens"`
		Version   int      `json:"version"`
	} `json:"example_headers"`
	RealScan struct {
		File     string   `json:"file"`
		FileType string   `json:"file_type"`
		Contains []string `json:"contains"`
	} `json:"real_scan"`
	Base36 [][2]any `json:"base36"`
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

func realScan(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/" + loadVectors(t).RealScan.File)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

// The spec's size table: characters per version, and the bytes of hex data
// a part carries after the header.
func TestSizeTable(t *testing.T) {
	for _, r := range loadVectors(t).SizeTable {
		if got := Capacity(r.Version); got != r.Chars {
			t.Errorf("version %d holds %d characters, want %d", r.Version, got, r.Chars)
		}
		if got := (Capacity(r.Version) - HeaderLen) / 2; got != r.HexPayloadBytes {
			t.Errorf("version %d: %d hex bytes a part, want %d", r.Version, got, r.HexPayloadBytes)
		}
	}
}

// The spec's example: 2150 bytes of PSBT in hex, 1000 bytes a part, are
// B$HP0300, B$HP0301 and B$HP0302 in version 27 codes.
func TestExampleHeaders(t *testing.T) {
	ex := loadVectors(t).ExampleHeaders
	data := bytes.Repeat([]byte{0xa5}, ex.FileLen)
	s, err := Split(data, PSBT, WithEncoding(Hex), WithPartBytes(ex.PartBytes))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Parts) != len(ex.Headers) || s.Version != ex.Version {
		t.Fatalf("%d parts at version %d", len(s.Parts), s.Version)
	}
	for i, p := range s.Parts {
		if p[:HeaderLen] != ex.Headers[i] || len(p) != ex.PartLens[i] {
			t.Errorf("part %d: header %s, %d characters", i, p[:HeaderLen], len(p))
		}
	}
}

func TestBase36(t *testing.T) {
	for _, tc := range loadVectors(t).Base36 {
		n, s := int(tc[0].(float64)), tc[1].(string)
		if got := int2base36(n); got != s {
			t.Errorf("int2base36(%d) = %s", n, got)
		}
		if got, ok := base36ToInt(s); !ok || got != n {
			t.Errorf("base36ToInt(%s) = %d", s, got)
		}
	}
}

// The real scan from the BBQr repository: zlib-compressed text whose parts
// came in out of order and repeated.
func TestRealScan(t *testing.T) {
	v := loadVectors(t).RealScan
	j := NewJoiner()
	dups := 0
	for _, p := range realScan(t) {
		isNew, err := j.Add(p)
		if err != nil {
			t.Fatal(err)
		}
		if !isNew {
			dups++
		}
	}
	if have, total := j.Progress(); have != total || dups != 1 {
		t.Fatalf("%d of %d parts, %d duplicates", have, total, dups)
	}
	ft, data, err := j.Result()
	if err != nil {
		t.Fatal(err)
	}
	if string(ft) != v.FileType {
		t.Errorf("file type %c, want %s", ft, v.FileType)
	}
	for _, w := range v.Contains {
		if !bytes.Contains(data, []byte(w)) {
			t.Errorf("the text lacks %q", w)
		}
	}
	// Split again, it joins back to the same text.
	s, err := Split(data, Unicode, WithEncoding(Zlib))
	if err != nil {
		t.Fatal(err)
	}
	j2 := NewJoiner()
	for _, p := range s.Parts {
		j2.Add(p)
	}
	if _, back, err := j2.Result(); err != nil || !bytes.Equal(back, data) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := bytes.Repeat([]byte("psbt \x00\x01 the same input script again and again "), 200)
	random := make([]byte, 5000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	for _, data := range [][]byte{text[:1], text[:7], text, random[:999], random} {
		for _, enc := range []Encoding{0, Hex, Base32, Zlib} {
			for _, opt := range []Option{WithVersions(5, 40), WithVersions(1, 5), WithPartBytes(100)} {
				name := fmt.Sprintf("%d/%c", len(data), max(byte(enc), '0'))
				s, err := Split(data, PSBT, WithEncoding(enc), opt)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, p := range s.Parts {
					if len(p) > Capacity(s.Version) {
						t.Fatalf("%s: a part of %d characters does not fit version %d", name, len(p), s.Version)
					}
				}
				parts := append([]string(nil), s.Parts...)
				parts = append(parts, parts[rng.IntN(len(parts))])
				rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
				j := NewJoiner()
				for _, p := range parts {
					if _, err := j.Add(strings.ToLower(p)); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				}
				ft, back, err := j.Result()
				if err != nil || ft != PSBT || !bytes.Equal(back, data) {
					t.Fatalf("%s: %v", name, err)
				}
			}
		}
	}
	// Text that repeats is sent deflated, random bytes are not.
	if s, _ := Split(text, PSBT); s.Encoding != Zlib || len(s.Parts) != 1 {
		t.Errorf("repetitive text: encoding %c in %d parts", s.Encoding, len(s.Parts))
	}
	if s, _ := Split(random, PSBT); s.Encoding != Base32 {
		t.Errorf("random data: encoding %c", s.Encoding)
	}
}

// Deflate matches never reach further back than the 1 KiB window.
func TestDeflateWindow(t *testing.T) {
	data := append(bytes.Repeat([]byte{'x'}, 10), make([]byte, 3000)...)
	copy(data[2000:], "xxxxxxxxxx") // the only earlier copy is 2000 back
	z := deflateLZ(data)
	back, err := inflate(z)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatal(err)
	}
	if len(deflateLZ(bytes.Repeat([]byte("abc"), 1000))) > 100 {
		t.Error("a repeated pattern did not compress")
	}
}

func TestJoinerErrors(t *testing.T) {
	s, _ := Split(bytes.Repeat([]byte{1, 2, 3}, 2000), PSBT, WithEncoding(Base32), WithPartBytes(500))
	j := NewJoiner()
	if _, err := j.Add(s.Parts[0]); err != nil {
		t.Fatal(err)
	}
	other, _ := Split([]byte("other"), Transaction)
	for name, bad := range map[string]string{
		"empty":          "",
		"no header":      "hello world",
		"bad encoding":   "B$QP0100AAAA",
		"bad type":       "B$2Q0100AAAA",
		"index >= total": "B$2P0202AAAAAAAA",
		"zero total":     "B$2P0000AAAAAAAA",
		"no data":        "B$2P0201",
		"bad base32":     "B$2P0201AAAA1AAA",
		"other series":   other.Parts[0],
		"changed part":   s.Parts[0][:HeaderLen] + strings.Repeat("A", len(s.Parts[0])-HeaderLen),
	} {
		if _, err := j.Add(bad); err == nil {
			t.Errorf("%s: %q was accepted", name, bad)
		}
	}
	if have, _ := j.Progress(); have != 1 {
		t.Errorf("bad parts changed the progress: %d", have)
	}
	if _, _, err := j.Result(); err == nil {
		t.Error("an incomplete series gave a result")
	}
	// A deflate bomb is refused, not inflated.
	bomb := compress(make([]byte, MaxFileLen+10))
	bs, _ := Split([]byte("x"), Binary)
	bs.Parts = nil
	text := b32.EncodeToString(bomb)
	jb := NewJoiner()
	per := 4000
	n := (len(text) + per - 1) / per
	for i := range n {
		jb.Add("B$ZB" + int2base36(n) + int2base36(i) + text[i*per:min((i+1)*per, len(text))])
	}
	if _, _, err := jb.Result(); err == nil {
		t.Error("a file inflating beyond the limit was accepted")
	}
}

// FuzzJoiner feeds arbitrary parts to a joiner: it never panics, and what it
// joins decodes or fails with an error.
func FuzzJoiner(f *testing.F) {
	scan := realScan(f)
	f.Add(scan[6], scan[0])
	f.Add("B$HP0200ABCD", "B$HP0201EF")
	f.Add("B$2T0100AAAAAAAA", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		j := NewJoiner()
		j.Add(a)
		j.Add(b)
		if j.Complete() {
			_, _, _ = j.Result()
		}
	})
}
