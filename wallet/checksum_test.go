package wallet

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checksumVectors is the layout of testdata/bip380_checksums.json.
type checksumVectors struct {
	Valid      []checksumVector `json:"valid"`
	NoChecksum []checksumVector `json:"no_checksum"`
	Invalid    []checksumVector `json:"invalid"`
}

type checksumVector struct {
	Source     string `json:"source"`
	Name       string `json:"name"`
	Descriptor string `json:"descriptor"`
}

func loadChecksumVectors(t *testing.T) checksumVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "bip380_checksums.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v checksumVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Valid) == 0 || len(v.Invalid) == 0 {
		t.Fatal("no checksum vectors")
	}
	return v
}

func TestDescriptorChecksumVectors(t *testing.T) {
	v := loadChecksumVectors(t)
	for _, tc := range v.Valid {
		t.Run("valid/"+tc.Name, func(t *testing.T) {
			body, sum, _ := strings.Cut(tc.Descriptor, "#")
			got, err := DescriptorChecksum(body)
			if err != nil {
				t.Fatalf("DescriptorChecksum: %v", err)
			}
			if got != sum {
				t.Errorf("DescriptorChecksum(%q) = %q, want %q", body, got, sum)
			}
			if b, err := splitChecksum(tc.Descriptor); err != nil || b != body {
				t.Errorf("splitChecksum = %q, %v; want %q", b, err, body)
			}
		})
	}
	for _, tc := range v.NoChecksum {
		t.Run("none/"+tc.Name, func(t *testing.T) {
			if b, err := splitChecksum(tc.Descriptor); err != nil || b != tc.Descriptor {
				t.Errorf("splitChecksum = %q, %v; want %q", b, err, tc.Descriptor)
			}
		})
	}
	for _, tc := range v.Invalid {
		t.Run("invalid/"+tc.Name, func(t *testing.T) {
			b, err := splitChecksum(tc.Descriptor)
			if err == nil {
				t.Fatalf("splitChecksum(%q) = %q, want an error", tc.Descriptor, b)
			}
			if !errors.Is(err, ErrInvalidDescriptor) {
				t.Errorf("error %v does not wrap ErrInvalidDescriptor", err)
			}
		})
	}
}

func TestDescriptorChecksumErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		checksum bool // wraps ErrDescriptorChecksum
	}{
		{"missing", "raw(deadbeef)#", "the descriptor checksum after '#' must be 8 characters, not 0", true},
		{"too long", "raw(deadbeef)#89f8spxmx", "the descriptor checksum after '#' must be 8 characters, not 9", true},
		{"too short", "raw(deadbeef)#89f8spx", "the descriptor checksum after '#' must be 8 characters, not 7", true},
		{"payload typo", "raw(deedbeef)#89f8spxm", "the descriptor checksum does not match: found #89f8spxm, expected #xj8ljs75; check the descriptor for typos", true},
		{"two hashes", "raw(deedbeef)##9f8spxm", "the descriptor has more than one '#'; only one checksum may follow it", true},
		{"non-ascii", "raw(Ü)#00000000", "character 5 'Ü' is not allowed in a descriptor", false},
		{"control", "raw(\x01)", "character 5 (U+0001) is not allowed in a descriptor", false},
		{"invalid utf-8", "raw(\xff)", "character 5 (U+FFFD) is not allowed in a descriptor", false},
		{"newline inside", "raw(de\nad)", "character 7 (U+000A) is not allowed in a descriptor", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := splitChecksum(tc.in)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidDescriptor) {
				t.Error("error does not wrap ErrInvalidDescriptor")
			}
			if got := errors.Is(err, ErrDescriptorChecksum); got != tc.checksum {
				t.Errorf("errors.Is(err, ErrDescriptorChecksum) = %v, want %v", got, tc.checksum)
			}
		})
	}
}

func TestDescriptorChecksumRefusesChecksum(t *testing.T) {
	_, err := DescriptorChecksum("raw(deadbeef)#89f8spxm")
	if !errors.Is(err, ErrInvalidDescriptor) {
		t.Fatalf("DescriptorChecksum with '#' = %v, want ErrInvalidDescriptor", err)
	}
	if _, err := DescriptorChecksum("raw(Ü)"); !errors.Is(err, ErrInvalidDescriptor) {
		t.Fatalf("DescriptorChecksum with Ü = %v, want ErrInvalidDescriptor", err)
	}
}

// TestDescriptorChecksumDetectsOneError checks the BIP380 promise that any
// single substitution within the first character group is detected.
func TestDescriptorChecksumDetectsOneError(t *testing.T) {
	const body = "wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8PhqNiUtx8QX2SvC9nrHu81fT41fvDUnhMjEzQgXnQjKEu3oaqMSzhSrHMxyyoEAmUHQbY/0/*)"
	want, err := DescriptorChecksum(body)
	if err != nil {
		t.Fatal(err)
	}
	group := descriptorCharset[:32]
	for i := 0; i < len(body); i++ {
		for j := 0; j < len(group); j++ {
			if group[j] == body[i] {
				continue
			}
			typo := body[:i] + string(group[j]) + body[i+1:]
			if got, _ := DescriptorChecksum(typo); got == want {
				t.Fatalf("changing character %d to %q keeps the checksum %s", i+1, group[j], want)
			}
		}
	}
}
