package ur

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// vectors is testdata/vectors.json: the public vectors of the reference
// implementations and of the BCR documents.
type vectors struct {
	CRC32 []struct {
		Text  string `json:"text"`
		CRC32 string `json:"crc32"`
	} `json:"crc32"`
	Bytewords []struct {
		Hex      string `json:"hex"`
		Standard string `json:"standard"`
		URI      string `json:"uri"`
		Minimal  string `json:"minimal"`
	} `json:"bytewords"`
	BytewordsBad []struct {
		Minimal string `json:"minimal"`
		Why     string `json:"why"`
	} `json:"bytewords_bad"`
	RNGNextMod100      []uint64 `json:"rng_next_mod_100"`
	RNGCRCNextMod100   []uint64 `json:"rng_crc_seed_next_mod_100"`
	RNGNextInt110      []int    `json:"rng_next_int_1_10"`
	FindFragmentLength []struct {
		MessageLen int `json:"message_len"`
		Min        int `json:"min"`
		Max        int `json:"max"`
		Want       int `json:"want"`
	} `json:"find_fragment_length"`
	Partition1024       []string `json:"partition_1024"`
	ChooseDegree1024    []int    `json:"choose_degree_1024"`
	ChooseFragments1024 [][]int  `json:"choose_fragments_1024"`
	XOR                 struct {
		A     string `json:"a"`
		B     string `json:"b"`
		AXorB string `json:"a_xor_b"`
	} `json:"xor"`
	FountainEncoder struct {
		SeqLen     int      `json:"seq_len"`
		MessageLen int      `json:"message_len"`
		Checksum   uint32   `json:"checksum"`
		Data       []string `json:"data"`
	} `json:"fountain_encoder_256_30"`
	FountainEncoderCBOR []string `json:"fountain_encoder_cbor_256_30"`
	UREncoder           []string `json:"ur_encoder_bytes_256_30"`
	SinglePart          string   `json:"single_part_bytes_50"`
	ShortCRCPart        string   `json:"short_crc32_part"`
	CryptoPSBT8         []string `json:"crypto_psbt_8_parts"`
	CryptoPSBTMixed     struct {
		Parts []string `json:"parts"`
	} `json:"crypto_psbt_mixed_8044_100"`
	BCR005 struct {
		Single string `json:"single"`
		Part   string `json:"part"`
	} `json:"bcr_2020_005_examples"`
	HDKeys []struct {
		UR                string `json:"ur"`
		CBOR              string `json:"cbor"`
		Private           bool   `json:"private"`
		Path              string `json:"path"`
		ParentFingerprint uint32 `json:"parent_fingerprint"`
		Testnet           bool   `json:"testnet"`
	} `json:"bcr_2020_007_hdkey"`
	Outputs []struct {
		CBOR              string   `json:"cbor"`
		Unsupported       bool     `json:"unsupported"`
		Script            []uint64 `json:"script"`
		Origin            string   `json:"origin"`
		SourceFingerprint uint32   `json:"source_fingerprint"`
		Children          string   `json:"children"`
		// A multisig output: its threshold and its keys.
		Threshold int `json:"threshold"`
		Keys      []struct {
			Origin            string `json:"origin"`
			SourceFingerprint uint32 `json:"source_fingerprint"`
			Children          string `json:"children"`
		} `json:"keys"`
	} `json:"bcr_2020_010_output"`
	Account struct {
		CBOR    string `json:"cbor"`
		UR      string `json:"ur"`
		Outputs []struct {
			Script            []uint64 `json:"script"`
			Origin            string   `json:"origin"`
			Key               string   `json:"key"`
			ParentFingerprint uint32   `json:"parent_fingerprint"`
		} `json:"outputs"`
	} `json:"bcr_2020_015_account"`
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

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// makeMessage is the reference tests' message: bytes drawn from a
// generator seeded with seed.
func makeMessage(n int, seed string) []byte {
	x := newXoshiro([]byte(seed))
	out := make([]byte, n)
	for i := range out {
		out[i] = x.nextByte()
	}
	return out
}

func makeMessageUR(n int) *UR {
	return &UR{Type: "bytes", CBOR: EncodeCBOR(Bytes(makeMessage(n, "Wolf")))}
}

func TestCRC32(t *testing.T) {
	for _, tc := range loadVectors(t).CRC32 {
		if got := fmt.Sprintf("%08x", crc32.ChecksumIEEE([]byte(tc.Text))); got != tc.CRC32 {
			t.Errorf("crc32(%q) = %s, want %s", tc.Text, got, tc.CRC32)
		}
	}
}

func TestBytewords(t *testing.T) {
	v := loadVectors(t)
	for i, tc := range v.Bytewords {
		data := unhex(t, tc.Hex)
		for _, c := range []struct {
			style Style
			want  string
		}{{Standard, tc.Standard}, {URI, tc.URI}, {Minimal, tc.Minimal}} {
			if c.want == "" {
				continue
			}
			if got := EncodeBytewords(data, c.style); got != c.want {
				t.Errorf("vector %d style %d: encode = %q, want %q", i, c.style, got, c.want)
			}
			got, err := DecodeBytewords(strings.ToUpper(c.want), c.style)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("vector %d style %d: decode = %x, %v", i, c.style, got, err)
			}
		}
	}
	for _, tc := range v.BytewordsBad {
		if _, err := DecodeBytewords(tc.Minimal, Minimal); err == nil {
			t.Errorf("DecodeBytewords(%q) accepted it (%s)", tc.Minimal, tc.Why)
		}
	}
	if _, err := DecodeBytewords("able acid also lava zoom jade need echo wolf", Standard); err == nil {
		t.Error("a standard text with a bad checksum was accepted")
	}
}

func TestXoshiro(t *testing.T) {
	v := loadVectors(t)
	x := newXoshiro([]byte("Wolf"))
	for i, want := range v.RNGNextMod100 {
		if got := x.next() % 100; got != want {
			t.Fatalf("next() %% 100 number %d = %d, want %d", i, got, want)
		}
	}
	// Seeded with the CRC-32 of "Wolf", big-endian, as the reference does.
	x = newXoshiro([]byte{0x59, 0x8c, 0x84, 0xdc})
	for i, want := range v.RNGCRCNextMod100 {
		if got := x.next() % 100; got != want {
			t.Fatalf("crc seed: next() %% 100 number %d = %d, want %d", i, got, want)
		}
	}
	x = newXoshiro([]byte("Wolf"))
	for i, want := range v.RNGNextInt110 {
		if got := x.nextInt(1, 10); got != want {
			t.Fatalf("nextInt(1, 10) number %d = %d, want %d", i, got, want)
		}
	}
}

func TestFragments(t *testing.T) {
	v := loadVectors(t)
	for _, tc := range v.FindFragmentLength {
		if got := fragmentLength(tc.MessageLen, tc.Min, tc.Max); got != tc.Want {
			t.Errorf("fragmentLength(%d, %d, %d) = %d, want %d", tc.MessageLen, tc.Min, tc.Max, got, tc.Want)
		}
	}
	msg := makeMessage(1024, "Wolf")
	fl := fragmentLength(len(msg), 10, 100)
	frags := partition(msg, fl)
	if len(frags) != len(v.Partition1024) {
		t.Fatalf("%d fragments, want %d", len(frags), len(v.Partition1024))
	}
	for i, f := range frags {
		if got := hex.EncodeToString(f); got != v.Partition1024[i] {
			t.Errorf("fragment %d = %s, want %s", i, got, v.Partition1024[i])
		}
	}
	for nonce := 1; nonce <= len(v.ChooseDegree1024); nonce++ {
		x := newXoshiro([]byte(fmt.Sprintf("Wolf-%d", nonce)))
		if got, want := chooseDegree(len(frags), x), v.ChooseDegree1024[nonce-1]; got != want {
			t.Errorf("degree for nonce %d = %d, want %d", nonce, got, want)
		}
	}
	sum := crc32.ChecksumIEEE(msg)
	for i, want := range v.ChooseFragments1024 {
		if got := chooseFragments(uint32(i+1), len(frags), sum); !slices.Equal(got, want) {
			t.Errorf("fragments of part %d = %v, want %v", i+1, got, want)
		}
	}
	a, b := unhex(t, v.XOR.A), unhex(t, v.XOR.B)
	c := bytes.Clone(a)
	xorInto(c, b)
	if hex.EncodeToString(c) != v.XOR.AXorB {
		t.Errorf("xor = %x, want %s", c, v.XOR.AXorB)
	}
}

func TestFountainEncoder(t *testing.T) {
	v := loadVectors(t)
	e := newFountainEncoder(makeMessage(256, "Wolf"), 30, DefaultMinFragmentLen, 0)
	fe := v.FountainEncoder
	for i, want := range fe.Data {
		p := e.nextPart()
		if int(p.seqNum) != i+1 || p.seqLen != fe.SeqLen || p.messageLen != fe.MessageLen || p.checksum != fe.Checksum {
			t.Fatalf("part %d header = %d %d %d %d", i+1, p.seqNum, p.seqLen, p.messageLen, p.checksum)
		}
		if got := hex.EncodeToString(p.data); got != want {
			t.Errorf("part %d data = %s, want %s", i+1, got, want)
		}
		if got := hex.EncodeToString(p.cbor()); got != v.FountainEncoderCBOR[i] {
			t.Errorf("part %d cbor = %s, want %s", i+1, got, v.FountainEncoderCBOR[i])
		}
		back, err := parsePart(p.cbor())
		if err != nil || back.seqNum != p.seqNum || !bytes.Equal(back.data, p.data) {
			t.Errorf("part %d does not parse back: %v", i+1, err)
		}
	}
}

func TestUREncoder(t *testing.T) {
	v := loadVectors(t)
	e, err := NewEncoder(makeMessageUR(256), 30)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range v.UREncoder {
		if got := e.NextPart(); got != want {
			t.Errorf("part %d = %s\nwant %s", i+1, got, want)
		}
	}
	single := makeMessageUR(50)
	if got := single.String(); got != v.SinglePart {
		t.Errorf("single part = %s, want %s", got, v.SinglePart)
	}
	e, err = NewEncoder(single, 1000)
	if err != nil || !e.SinglePart() || e.NextPart() != v.SinglePart {
		t.Errorf("an encoder of a short message does not give the single part: %v", err)
	}
	back, err := Parse(strings.ToUpper(v.SinglePart))
	if err != nil || back.Type != "bytes" || !bytes.Equal(back.CBOR, single.CBOR) {
		t.Errorf("Parse(single part) = %+v, %v", back, err)
	}
}

// The decoder completes from the published parts, in any order, with
// duplicates, and from mixed parts alone.
func TestURDecoderVectors(t *testing.T) {
	v := loadVectors(t)
	t.Run("bytes in order", func(t *testing.T) {
		d := NewDecoder()
		for _, p := range v.UREncoder[:9] {
			if _, err := d.Receive(p); err != nil {
				t.Fatal(err)
			}
		}
		if !d.Complete() || !bytes.Equal(d.Result().CBOR, makeMessageUR(256).CBOR) {
			t.Fatalf("not complete after the 9 fragments: %v", d.Progress())
		}
	})
	t.Run("bytes mixed parts only", func(t *testing.T) {
		d := NewDecoder()
		for _, p := range v.UREncoder[9:] {
			if _, err := d.Receive(p); err != nil {
				t.Fatal(err)
			}
		}
		if d.Complete() && !bytes.Equal(d.Result().CBOR, makeMessageUR(256).CBOR) {
			t.Fatal("wrong message")
		}
	})
	t.Run("crypto-psbt shuffled", func(t *testing.T) {
		parts := slices.Clone(v.CryptoPSBT8)
		parts = append(parts, parts[3], parts[0])
		d := NewDecoder()
		for _, p := range parts {
			if _, err := d.Receive(p); err != nil {
				t.Fatal(err)
			}
		}
		if !d.Complete() || d.Result().Type != TypeCryptoPSBT {
			t.Fatalf("not complete: %v", d.Progress())
		}
		psbt, err := DecodePSBT(d.Result())
		if err != nil || !bytes.HasPrefix(psbt, []byte("psbt\xff")) {
			t.Fatalf("DecodePSBT = %x, %v", psbt, err)
		}
	})
	t.Run("crypto-psbt mixed from 8044", func(t *testing.T) {
		d := NewDecoder()
		for _, p := range v.CryptoPSBTMixed.Parts {
			if _, err := d.Receive(p); err != nil {
				t.Fatal(err)
			}
		}
		if !d.Complete() {
			t.Fatalf("not complete: %v", d.Progress())
		}
		psbt, err := DecodePSBT(d.Result())
		if err != nil || !bytes.HasPrefix(psbt, []byte("psbt\xff")) {
			t.Fatalf("DecodePSBT = %x, %v", psbt, err)
		}
		// Our encoder, started where the reference's was, writes the same
		// parts.
		e, err := NewEncoder(d.Result(), 100, WithFirstSeqNum(8044))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, p := range v.CryptoPSBTMixed.Parts {
			want[strings.ToLower(p)] = true
		}
		for range 36 {
			delete(want, e.NextPart())
		}
		if len(want) != 0 {
			t.Errorf("%d published parts were not reproduced: %v", len(want), want)
		}
	})
	t.Run("short crc32", func(t *testing.T) {
		if _, err := NewDecoder().Receive(v.ShortCRCPart); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("BCR-2020-005 examples", func(t *testing.T) {
		u, err := Parse(v.BCR005.Single)
		if err != nil || u.Type != "bytes" {
			t.Fatalf("%+v %v", u, err)
		}
		if _, err := NewDecoder().Receive(v.BCR005.Part); err != nil {
			t.Fatal(err)
		}
	})
}

// Round trips of messages of many sizes, parts shuffled, duplicated and
// partly lost, complete exactly once and give the message back.
func TestURRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{1, 9, 10, 11, 100, 257, 1000, 4321, 32767} {
		for _, frag := range []int{10, 30, 100, 1000} {
			if size/frag > 1000 {
				continue // thousands of fragments: slow, and no PSBT needs them
			}
			t.Run(fmt.Sprintf("%d/%d", size, frag), func(t *testing.T) {
				u := &UR{Type: "bytes", CBOR: EncodeCBOR(Bytes(makeMessage(size, "Krux")))}
				e, err := NewEncoder(u, frag)
				if err != nil {
					t.Fatal(err)
				}
				d := NewDecoder()
				var pool []string
				for n := 0; !d.Complete(); n++ {
					if n > 20*e.SeqLen()+100 {
						t.Fatalf("not complete after %d parts: %v", n, d.Progress())
					}
					pool = append(pool, e.NextPart())
					if rng.IntN(4) == 0 { // lose one in four
						continue
					}
					p := pool[rng.IntN(len(pool))] // an old one or the new one
					if _, err := d.Receive(p); err != nil {
						t.Fatal(err)
					}
				}
				if !bytes.Equal(d.Result().CBOR, u.CBOR) {
					t.Fatal("wrong message")
				}
				if pr := d.Progress(); pr.Solved != pr.Fragments || pr.String() != fmt.Sprintf("%d of %d parts", pr.Received, pr.Received) {
					t.Errorf("progress when complete: %+v %q", pr, pr)
				}
			})
		}
	}
}

func TestDecoderProgressAndErrors(t *testing.T) {
	u := &UR{Type: "crypto-psbt", CBOR: EncodeCBOR(Bytes(makeMessage(500, "Wolf")))}
	e, _ := NewEncoder(u, 50)
	parts := e.Parts()
	d := NewDecoder()
	d.Receive(parts[0])
	d.Receive(parts[2])
	if isNew, _ := d.Receive(parts[2]); isNew {
		t.Error("a duplicate counted as new")
	}
	if got := d.Progress().String(); got != fmt.Sprintf("2 of ~%d parts", len(parts)) {
		t.Errorf("progress = %q", got)
	}
	other, _ := NewEncoder(&UR{Type: "crypto-psbt", CBOR: EncodeCBOR(Bytes(makeMessage(400, "Other")))}, 50)
	if _, err := d.Receive(other.NextPart()); err == nil {
		t.Error("a part of another message was accepted")
	}
	if _, err := d.Receive(strings.Replace(parts[1], "crypto-psbt", "bytes", 1)); err == nil {
		t.Error("a part of another type was accepted")
	}
	for _, bad := range []string{"", "hello", "ur:", "ur:bytes", "ur:Bytes!/aeae", "ur:bytes/0-3/aeadaolazmjendeoti",
		"ur:bytes/1-3/aeadaolazmjendeoti", "ur:bytes/x/y/z/w", parts[1][:len(parts[1])-2]} {
		if _, err := d.Receive(bad); err == nil {
			t.Errorf("Receive(%q) accepted it", bad)
		}
	}
	if d.Progress().Received != 2 {
		t.Errorf("bad parts changed the progress: %+v", d.Progress())
	}
}

func TestCBOR(t *testing.T) {
	for _, tc := range []struct {
		v    Value
		want string
	}{
		{Uint(0), "00"}, {Uint(23), "17"}, {Uint(24), "1818"}, {Uint(255), "18ff"}, {Uint(256), "190100"},
		{Uint(65536), "1a00010000"}, {Uint(0x102030405), "1b0000000102030405"},
		{Bytes(nil), "40"}, {Bytes([]byte("a")), "4161"}, {Array(), "80"},
		{Map(Pair{Uint(2), Bool(true)}, Pair{Uint(1), Bool(false)}), "a201f402f5"},
		{Tag(304, Map()), "d90130a0"}, {Text("é"), "62c3a9"},
	} {
		got := EncodeCBOR(tc.v)
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("EncodeCBOR(%+v) = %x, want %s", tc.v, got, tc.want)
		}
		back, err := DecodeCBOR(got)
		if err != nil || !bytes.Equal(EncodeCBOR(back), got) {
			t.Errorf("DecodeCBOR(%x) = %+v, %v", got, back, err)
		}
	}
	for _, bad := range []string{"", "18", "5f", "9f", "f97e00", "fb3ff0000000000000", "5a00000010", "9a00001000", "0000", "62c3"} {
		if _, err := DecodeCBOR(unhex(t, bad)); err == nil {
			t.Errorf("DecodeCBOR(%s) accepted it", bad)
		}
	}
}
