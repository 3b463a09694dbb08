package psbtx

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// bip174Vector is one PSBT of testdata/bip174_vectors.json, given both in
// hex and in base64 as in BIP174.
type bip174Vector struct {
	Description string `json:"description"`
	Hex         string `json:"hex"`
	Base64      string `json:"base64"`
}

// bip174Vectors is testdata/bip174_vectors.json: the test vectors of
// BIP174.
type bip174Vectors struct {
	Invalid        []bip174Vector          `json:"invalid"`
	Valid          []bip174Vector          `json:"valid"`
	SignerChecks   []bip174Vector          `json:"signer_checks"`
	Workflow       map[string]bip174Vector `json:"workflow"`
	ExtractedTx    string                  `json:"extracted_tx"`
	UnknownCombine map[string]bip174Vector `json:"unknown_combine"`
}

// loadJSON decodes testdata/name into v.
func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// loadBIP174 returns the BIP174 vectors.
func loadBIP174(t testing.TB) *bip174Vectors {
	t.Helper()
	var v bip174Vectors
	loadJSON(t, "bip174_vectors.json", &v)
	if len(v.Invalid) == 0 || len(v.Valid) == 0 {
		t.Fatal("no BIP174 vectors loaded")
	}
	return &v
}

// raw returns the vector's binary PSBT, checking that its hex and base64
// forms agree.
func (v bip174Vector) raw(t testing.TB) []byte {
	t.Helper()
	h, err := hex.DecodeString(v.Hex)
	if err != nil {
		t.Fatalf("%s: hex: %v", v.Description, err)
	}
	b, err := base64.StdEncoding.DecodeString(v.Base64)
	if err != nil {
		t.Fatalf("%s: base64: %v", v.Description, err)
	}
	if !bytes.Equal(h, b) {
		t.Fatalf("%s: the hex and base64 forms differ", v.Description)
	}
	return h
}

// mustParse parses the vector or fails the test.
func (v bip174Vector) mustParse(t testing.TB) *psbt.Packet {
	t.Helper()
	p, err := Parse(v.raw(t))
	if err != nil {
		t.Fatalf("%s: %v", v.Description, err)
	}
	return p
}

// TestBIP174Invalid checks that every invalid PSBT of BIP174 is refused
// with an error, in binary and in base64, and that nothing panics.
func TestBIP174Invalid(t *testing.T) {
	vecs := loadBIP174(t)
	for _, v := range vecs.Invalid {
		t.Run(v.Description, func(t *testing.T) {
			raw := v.raw(t)
			for name, data := range map[string][]byte{
				"binary": raw,
				"base64": []byte(v.Base64),
			} {
				p, err := Parse(data)
				if err == nil {
					t.Fatalf("%s: parsed an invalid PSBT: %+v",
						name, p)
				}
				if !IsErrorCode(err, ErrDamaged) &&
					!IsErrorCode(err, ErrNotPSBT) {
					t.Errorf("%s: error %q has an unexpected "+
						"code", name, err)
				}
			}
		})
	}
}

// TestBIP174InvalidMessages checks that the refusals say what is wrong.
func TestBIP174InvalidMessages(t *testing.T) {
	vecs := loadBIP174(t)
	want := map[string]string{
		"Network transaction, not PSBT format":                                  "not a PSBT",
		"PSBT missing outputs":                                                  "cut short in output 0",
		"PSBT where one input has a filled scriptSig in the unsigned tx":        "already carries a signature",
		"PSBT where inputs and outputs are provided but without an unsigned tx": "no unsigned transaction",
		"PSBT with duplicate keys in an input":                                  "appears twice in input 0",
		"PSBT with unsigned tx serialized with witness serialization format":    "unsigned transaction",
	}
	for _, v := range vecs.Invalid {
		w, ok := want[v.Description]
		if !ok {
			continue
		}
		_, err := Parse(v.raw(t))
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %v, want it to mention %q",
				v.Description, err, w)
		}
	}
}

// TestBIP174ValidRoundTrip checks that every valid PSBT of BIP174 parses
// from binary, base64 and hex, and encodes back to the same bytes.
func TestBIP174ValidRoundTrip(t *testing.T) {
	vecs := loadBIP174(t)
	all := append(append([]bip174Vector{}, vecs.Valid...),
		vecs.SignerChecks...)
	for _, v := range vecs.Workflow {
		all = append(all, v)
	}
	for _, v := range vecs.UnknownCombine {
		all = append(all, v)
	}
	for _, v := range all {
		t.Run(v.Description, func(t *testing.T) {
			raw := v.raw(t)
			for name, data := range map[string][]byte{
				"binary": raw,
				"base64": []byte(v.Base64),
				"hex":    []byte(v.Hex),
				"wrapped base64": []byte("\n  " +
					wrap(v.Base64, 64) + "\r\n"),
			} {
				p, err := Parse(data)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				bin, err := EncodeBinary(p)
				if err != nil {
					t.Fatalf("%s: encode: %v", name, err)
				}
				if !sameRecords(t, bin, raw) {
					t.Errorf("%s: the round trip lost or "+
						"changed a field", name)
				}
				b64, err := EncodeBase64(p)
				if err != nil {
					t.Fatalf("%s: encode: %v", name, err)
				}
				if b64 != base64.StdEncoding.EncodeToString(bin) {
					t.Errorf("%s: base64 and binary encodings "+
						"differ", name)
				}
				// Encoding is stable.
				if again := encode(t, mustParseBytes(t, bin)); !bytes.Equal(again, bin) {
					t.Errorf("%s: encoding is not stable", name)
				}
			}
		})
	}
}

// mustParseBytes parses a binary PSBT or fails the test.
func mustParseBytes(t testing.TB, b []byte) *psbt.Packet {
	t.Helper()
	p, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mapRecords returns the key-value records of every map of a binary PSBT,
// each map's records sorted, so that two encodings can be compared without
// regard to the order of keys within a map (BIP174 prescribes none; Bitcoin
// Core sorts partial signatures by key id, the psbt library by key).
func mapRecords(t testing.TB, raw []byte) [][]string {
	t.Helper()
	if _, err := checkFraming(raw); err != nil {
		t.Fatal(err)
	}
	p := mustParseBytes(t, raw)
	s := scanner{b: raw, off: len(psbtMagic)}
	n := 1 + len(p.Inputs) + len(p.Outputs)
	maps := make([][]string, n)
	for k := range n {
		recs, err := s.readMap("map")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			maps[k] = append(maps[k], string(r.raw))
		}
		slices.Sort(maps[k])
	}
	return maps
}

// sameRecords reports whether two binary PSBTs hold the same key-value
// records in each map.
func sameRecords(t testing.TB, a, b []byte) bool {
	t.Helper()
	return reflect.DeepEqual(mapRecords(t, a), mapRecords(t, b))
}

// wrap breaks s into lines of n characters, as e-mail and editors do.
func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteByte('\n')
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// TestBIP174SignerChecks checks that the PSBTs BIP174 says a signer must
// refuse parse, are flagged by the signer checks on the right input, and
// are flagged by the review.
func TestBIP174SignerChecks(t *testing.T) {
	vecs := loadBIP174(t)
	wantInput := []int{0, 0, 1, 1}
	if len(vecs.SignerChecks) != len(wantInput) {
		t.Fatalf("%d signer-check vectors, want %d",
			len(vecs.SignerChecks), len(wantInput))
	}
	for k, v := range vecs.SignerChecks {
		t.Run(v.Description, func(t *testing.T) {
			p := v.mustParse(t)
			var failed []int
			for i := range p.Inputs {
				prev, err := spentOutput(p, i)
				if err == nil && prev != nil {
					err = checkInputScripts(p, i, prev)
				}
				if err != nil {
					if !IsErrorCode(err, ErrUTXOMismatch) {
						t.Errorf("input %d: code of %v", i, err)
					}
					failed = append(failed, i)
				}
			}
			if len(failed) != 1 || failed[0] != wantInput[k] {
				t.Fatalf("inputs failing the checks: %v, want [%d]",
					failed, wantInput[k])
			}
			r, err := ReviewPacket(p, netParams, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(r, "input "+itoa(wantInput[k])) {
				t.Errorf("no warning about input %d: %q",
					wantInput[k], r.Warnings)
			}
			if err := Finalize(p); !IsErrorCode(err, ErrUTXOMismatch) &&
				!IsErrorCode(err, ErrNotFinalizable) {
				t.Errorf("Finalize: %v", err)
			}
		})
	}
}

// TestBIP174Workflow replays the combiner, finalizer and extractor steps of
// BIP174's example with Combine, Finalize and Extract.
func TestBIP174Workflow(t *testing.T) {
	vecs := loadBIP174(t)
	wf := vecs.Workflow
	signer1 := wf["signer1"].mustParse(t)
	signer2 := wf["signer2"].mustParse(t)

	combined, err := Combine(signer1, signer2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := EncodeBinary(combined)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRecords(t, got, wf["combined"].raw(t)) {
		t.Fatalf("combined PSBT differs from BIP174's:\n got %x",
			got)
	}
	// Combining does not touch its arguments.
	if b, _ := EncodeBinary(signer1); !bytes.Equal(b, wf["signer1"].raw(t)) {
		t.Error("Combine modified its first argument")
	}

	// Both inputs lack a signature in each signer's PSBT: the review
	// says it is incomplete, without calling the signatures bad.
	r, err := ReviewPacket(signer1, netParams, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete || !r.Inputs[0].Signed || hasWarning(r, "verify") {
		t.Errorf("review of a half-signed PSBT: complete %v, "+
			"warnings %q", r.Complete, r.Warnings)
	}
	if err := Finalize(signer1); !IsErrorCode(err, ErrNotFinalizable) {
		t.Errorf("Finalize of a half-signed PSBT: %v", err)
	}

	if err := Finalize(combined); err != nil {
		t.Fatal(err)
	}
	got, err = EncodeBinary(combined)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wf["finalized"].raw(t)) {
		t.Fatalf("finalized PSBT differs from BIP174's:\n got %x", got)
	}

	tx, err := Extract(combined)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(b.Bytes()) != vecs.ExtractedTx {
		t.Fatalf("extracted tx differs from BIP174's:\n got %x",
			b.Bytes())
	}

	r, err = ReviewPacket(wf["combined"].mustParse(t), netParams, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Complete || r.VSize != (txWeight(tx)+3)/4 {
		t.Errorf("review of the combined PSBT: complete %v, vsize %d",
			r.Complete, r.VSize)
	}
	// 0.5 + 2 BTC in, 1.4999 + 1 BTC out.
	if r.Fee != 50000000+200000000-149990000-100000000 {
		t.Errorf("fee %d, want 10000", r.Fee)
	}
}

// TestBIP174CombineUnknowns replays BIP174's combiner example with unknown
// key-value pairs: the result holds both sets, in lexicographic order.
func TestBIP174CombineUnknowns(t *testing.T) {
	vecs := loadBIP174(t)
	u := vecs.UnknownCombine
	got, err := Combine(u["a"].mustParse(t), u["b"].mustParse(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := EncodeBinary(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, u["combined"].raw(t)) {
		t.Fatalf("combined PSBT differs from BIP174's:\n got %x", b)
	}
}

// TestCombineDifferentTx checks that PSBTs for different transactions are
// not combined.
func TestCombineDifferentTx(t *testing.T) {
	vecs := loadBIP174(t)
	_, err := Combine(vecs.Workflow["signer1"].mustParse(t),
		vecs.Valid[0].mustParse(t))
	if !IsErrorCode(err, ErrDifferentTx) {
		t.Fatalf("got %v, want ErrDifferentTx", err)
	}
	if _, err := Combine(); !IsErrorCode(err, ErrInvalidPacket) {
		t.Fatalf("Combine(): %v", err)
	}
}

// TestCombineConflict checks that PSBTs disagreeing about an input's coin
// are not combined.
func TestCombineConflict(t *testing.T) {
	vecs := loadBIP174(t)
	a := vecs.Workflow["updater"].mustParse(t)
	b := vecs.Workflow["updater"].mustParse(t)
	b.Inputs[1].WitnessUtxo = wire.NewTxOut(1, b.Inputs[1].WitnessUtxo.PkScript)
	if _, err := Combine(a, b); !IsErrorCode(err, ErrConflict) {
		t.Fatalf("got %v, want ErrConflict", err)
	}
	c := vecs.Workflow["updater_sighash"].mustParse(t)
	c.Inputs[0].SighashType = 3
	if _, err := Combine(c, vecs.Workflow["updater_sighash"].mustParse(t)); !IsErrorCode(err, ErrConflict) {
		t.Fatalf("got %v, want ErrConflict", err)
	}
}
