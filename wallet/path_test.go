package wallet

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
)

func TestParsePath(t *testing.T) {
	const h = hdkeychain.HardenedKeyStart
	tests := []struct {
		in     string
		want   []uint32
		format string
	}{
		{"m", []uint32{}, "m"},
		{"M", []uint32{}, "m"},
		{"m/84h/0'/0H", []uint32{84 + h, h, h}, "m/84h/0h/0h"},
		{"84h/0h/0h", []uint32{84 + h, h, h}, "m/84h/0h/0h"},
		{"m/44'/1'/0'/0/7", []uint32{44 + h, 1 + h, h, 0, 7}, "m/44h/1h/0h/0/7"},
		{"0", []uint32{0}, "m/0"},
		{"m/2147483647", []uint32{h - 1}, "m/2147483647"},
		{"m/2147483647h", []uint32{^uint32(0)}, "m/2147483647h"},
		{"m/007", []uint32{7}, "m/7"},
		{"  m/1/2  ", []uint32{1, 2}, "m/1/2"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePath(tc.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tc.in, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ParsePath(%q) = %v, want %v", tc.in, got, tc.want)
			}
			if f := FormatPath(got); f != tc.format {
				t.Errorf("FormatPath = %q, want %q", f, tc.format)
			}
			again, err := ParsePath(FormatPath(got))
			if err != nil || !slices.Equal(again, got) {
				t.Errorf("round trip gave %v, %v", again, err)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "invalid derivation path: the path is empty; write m for the master key or a path like m/84h/0h/0h"},
		{"m/", `invalid derivation path "m/": step 1 is empty (look for a doubled or trailing '/')`},
		{"m//0", `invalid derivation path "m//0": step 1 is empty (look for a doubled or trailing '/')`},
		{"m/84h/", `invalid derivation path "m/84h/": step 2 is empty (look for a doubled or trailing '/')`},
		{"/84h", `invalid derivation path "/84h": step 1 is empty (look for a doubled or trailing '/')`},
		{"m/84x", `invalid derivation path "m/84x": step 1 "84x" is not a number (steps look like 7, or 84h when hardened)`},
		{"m/-1", `invalid derivation path "m/-1": step 1 "-1" is not a number (steps look like 7, or 84h when hardened)`},
		{"m/+1", `invalid derivation path "m/+1": step 1 "+1" is not a number (steps look like 7, or 84h when hardened)`},
		{"m/0hh", `invalid derivation path "m/0hh": step 1 "0hh" is not a number (steps look like 7, or 84h when hardened)`},
		{"m/h", `invalid derivation path "m/h": step 1 "h" has no number`},
		{"m/1 /2", `invalid derivation path "m/1 /2": step 1 "1 " is not a number (steps look like 7, or 84h when hardened)`},
		{"m/2147483648", `invalid derivation path "m/2147483648": step 1 "2147483648" is too large (the largest step is 2147483647)`},
		{"m/99999999999999999999h", `invalid derivation path "m/99999999999999999999h": step 1 "99999999999999999999h" is too large (the largest step is 2147483647)`},
		{"m/1/2/3/4/5/6/7/8/9/10/x", `invalid derivation path "m/1/2/3/4/5/6/7/8/9/10/x": step 11 "x" is not a number (steps look like 7, or 84h when hardened)`},
		{"m/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21/22/23/24/x", `invalid derivation path "m/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21/22/23/24…": step 25 "x" is not a number (steps look like 7, or 84h when hardened)`},
		{"m/m", `invalid derivation path "m/m": step 1 "m" is not a number (steps look like 7, or 84h when hardened)`},
		{"m" + strings.Repeat("/0", 256), "invalid derivation path: it has 256 steps but BIP32 allows at most 255"},
	}
	for _, tc := range tests {
		t.Run(shorten(tc.in), func(t *testing.T) {
			got, err := ParsePath(tc.in)
			if err == nil {
				t.Fatalf("ParsePath(%q) = %v, want an error", tc.in, got)
			}
			if !errors.Is(err, ErrInvalidPath) {
				t.Errorf("error %v does not wrap ErrInvalidPath", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
		})
	}
}

func TestFormatPathEmpty(t *testing.T) {
	if got := FormatPath(nil); got != "m" {
		t.Errorf("FormatPath(nil) = %q, want m", got)
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"m", "m/84h/0'/0H", "84h/0h/0h", "m/2147483647h", "m//", "m/-1", "m/4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidPath) {
				t.Fatalf("ParsePath(%q) error %v does not wrap ErrInvalidPath", s, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParsePath(%q) error has several lines: %q", s, err)
			}
			return
		}
		f := FormatPath(p)
		again, err := ParsePath(f)
		if err != nil {
			t.Fatalf("ParsePath(FormatPath(%v)) = %q: %v", p, f, err)
		}
		if !slices.Equal(again, p) {
			t.Fatalf("round trip of %q: %v became %v", s, p, again)
		}
	})
}
