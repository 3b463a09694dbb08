package psbtx

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// updateSeeds rewrites the FuzzParse seed corpus from the BIP174 vectors:
// go test ./wallet/psbtx/ -run TestFuzzParseSeeds -args -update-seeds
var updateSeeds = flag.Bool("update-seeds", false,
	"rewrite testdata/fuzz/FuzzParse from the BIP174 vectors")

// FuzzParse feeds Parse arbitrary bytes: it must never panic, must return
// only *Error values, and whatever it accepts must encode, parse again to
// the same encoding, and go through the other entry points without a
// panic. The seeds (testdata/fuzz/FuzzParse) are every BIP174 vector, in
// binary and base64.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		bin, err := EncodeBinary(p)
		if err != nil {
			t.Fatalf("a parsed PSBT cannot be encoded: %v", err)
		}
		q, err := Parse(bin)
		if err != nil {
			t.Fatalf("an encoded PSBT does not parse: %v", err)
		}
		again, err := EncodeBinary(q)
		if err != nil {
			t.Fatalf("second encoding: %v", err)
		}
		if !bytes.Equal(bin, again) {
			t.Fatalf("encoding is not stable:\n%x\n%x", bin, again)
		}
		if _, err := ReviewPacket(q, netParams, nil); err != nil {
			t.Fatalf("review of a parsed PSBT: %v", err)
		}
		if _, err := Combine(p, q); err != nil {
			t.Fatalf("combining a PSBT with itself: %v", err)
		}
		_ = Finalize(q)
		_, _ = Extract(q)
	})
}

// TestFuzzParseSeeds checks that the seed corpus holds every BIP174 vector,
// and rewrites it with -update-seeds.
func TestFuzzParseSeeds(t *testing.T) {
	vecs := loadBIP174(t)
	seeds := map[string][]byte{}
	add := func(kind string, k int, v bip174Vector) {
		raw := v.raw(t)
		seeds[fmt.Sprintf("bip174-%s-%02d-bin", kind, k)] = raw
		seeds[fmt.Sprintf("bip174-%s-%02d-b64", kind, k)] =
			[]byte(base64.StdEncoding.EncodeToString(raw))
	}
	for k, v := range vecs.Invalid {
		add("invalid", k, v)
	}
	for k, v := range vecs.Valid {
		add("valid", k, v)
	}
	for k, v := range vecs.SignerChecks {
		add("signer", k, v)
	}
	for _, name := range []string{"creator", "updater",
		"updater_sighash", "signer1", "signer2", "combined",
		"finalized"} {
		add(name, 0, vecs.Workflow[name])
	}
	for _, name := range []string{"a", "b", "combined"} {
		add("unknown-"+name, 0, vecs.UnknownCombine[name])
	}

	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	for name, data := range seeds {
		path := filepath.Join(dir, name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("seed %s is missing (run with -update-seeds): %v",
				name, err)
		}
		if string(got) != want {
			t.Errorf("seed %s is stale (run with -update-seeds)", name)
		}
	}
}
