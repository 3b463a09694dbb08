package common

import (
	"strings"
	"testing"
)

// TestRenderQR checks the drawn codes: every line as wide as the code,
// different texts give different codes, the quiet zone is light, and a
// text too long for any QR code is refused.
func TestRenderQR(t *testing.T) {
	const xpub = "tpubDDfG6grG3LSFSAH6fCSPqgrB8kXjUkEhkYrNDYKEv6iZ34j6Enj3TyHFdwhPwi5DWQLo6PHsboYbNSp8Lv98FetUsuJTtWiP2fZ6QQ5pC6t"
	c, ok := RenderQR(xpub, QRLevels[0])
	if !ok {
		t.Fatal("an xpub does not fit a QR code")
	}
	other, _ := RenderQR("bitcoin:bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx", QRLevels[0])
	if strings.Join(c.Lines, "\n") == strings.Join(other.Lines, "\n") {
		t.Fatal("two different texts drew the same code")
	}
	for i, l := range c.Lines {
		if n := len([]rune(l)); n != c.Width {
			t.Errorf("line %d is %d cells, want %d", i, n, c.Width)
		}
	}
	// A light module is drawn in the foreground: the quiet zone's first
	// row is the lower half of the first line, and the first column is
	// light all the way down.
	if strings.Trim(c.Lines[0], "█▄") != "" {
		t.Errorf("top quiet zone not light: %q", c.Lines[0])
	}
	for i, l := range c.Lines[1 : len(c.Lines)-1] {
		if r := []rune(l)[0]; r != '█' {
			t.Errorf("line %d starts with %q, not a light quiet zone", i, r)
		}
	}
	if _, ok := RenderQR(strings.Repeat("x", 5000), QRLevels[0]); ok {
		t.Error("a text too long for any QR code was drawn")
	}
	if RenderQRs("") != nil {
		t.Error("an empty text drew a code")
	}
}
