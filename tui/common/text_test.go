package common

import (
	"math"
	"slices"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// styled is "tx 1" in bold red: eight bytes of escapes that take no cells.
var styled = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("1")).Render("tx 1")

func TestFit(t *testing.T) {
	tests := []struct {
		name string
		s    string
		w    int
		want string // without styles
	}{
		{"pads", "abc", 5, "abc  "},
		{"exact", "abcde", 5, "abcde"},
		{"cuts with an ellipsis", "abcdef", 5, "abcd…"},
		{"one cell", "abcdef", 1, "…"},
		{"zero width", "abc", 0, ""},
		{"negative width", "abc", -3, ""},
		{"empty", "", 3, "   "},
		{"styles take no cells", styled, 6, "tx 1  "},
		{"styled cut", styled, 3, "tx…"},
		{"wide runes", "日本語", 5, "日本…"},
		{"wide runes padded", "日本", 6, "日本  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fit(tt.s, tt.w)
			if plain := ansi.Strip(got); plain != tt.want {
				t.Errorf("Fit(%q, %d) = %q, want %q", tt.s, tt.w, plain, tt.want)
			}
			if n := ansi.StringWidth(got); n != max(tt.w, 0) {
				t.Errorf("Fit(%q, %d) is %d cells wide", tt.s, tt.w, n)
			}
		})
	}
}

func TestPad(t *testing.T) {
	tests := []struct {
		name        string
		s           string
		w           int
		left, right string
	}{
		{"pads", "42", 5, "   42", "42   "},
		{"exact", "12345", 5, "12345", "12345"},
		{"never cuts", "123456", 5, "123456", "123456"},
		{"zero width", "ab", 0, "ab", "ab"},
		{"negative width", "ab", -1, "ab", "ab"},
		{"wide runes", "日本", 6, "  日本", "日本  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PadLeft(tt.s, tt.w); got != tt.left {
				t.Errorf("PadLeft(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.left)
			}
			if got := PadRight(tt.s, tt.w); got != tt.right {
				t.Errorf("PadRight(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.right)
			}
		})
	}
	// Styles take no cells.
	if got := ansi.StringWidth(PadLeft(styled, 6)); got != 6 {
		t.Errorf("PadLeft of a styled string is %d cells, want 6", got)
	}
}

func TestShortID(t *testing.T) {
	const txid = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
	tests := []struct {
		name string
		id   string
		w    int
		want string
	}{
		{"fits", "abcdef", 6, "abcdef"},
		{"wider than the id", "abcdef", 64, "abcdef"},
		{"txid in 17", txid, 17, "4a5e1e4b…fdeda33b"},
		{"odd split keeps more of the start", txid, 10, "4a5e1…a33b"},
		{"five cells", txid, 5, "4a…3b"},
		{"too narrow for both ends", txid, 4, "4a5e"},
		{"zero width", txid, 0, ""},
		{"negative width", txid, -2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ShortID(tt.id, tt.w)
			if got != tt.want {
				t.Errorf("ShortID(%q, %d) = %q, want %q", tt.id, tt.w, got, tt.want)
			}
			if n := ansi.StringWidth(got); n > max(tt.w, 0) && n > ansi.StringWidth(tt.id) {
				t.Errorf("ShortID(%q, %d) is %d cells wide", tt.id, tt.w, n)
			}
		})
	}
}

func TestWordWrap(t *testing.T) {
	tests := []struct {
		name string
		s    string
		w    int
		want []string
	}{
		{"fits", "fee rate", 20, []string{"fee rate"}},
		{"breaks at spaces", "the fee rate must be more than 0", 12, []string{"the fee rate", "must be more", "than 0"}},
		{"cuts a long word", "bcrt1qabcdefghij", 6, []string{"bcrt1q", "abcdef", "ghij"}},
		{"empty", "", 10, nil},
		{"zero width", "abc", 0, nil},
		{"negative width", "abc", -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WordWrap(tt.s, tt.w)
			if !slices.Equal(got, tt.want) {
				t.Errorf("WordWrap(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
			}
			for _, l := range got {
				if ansi.StringWidth(l) > tt.w {
					t.Errorf("line %q is wider than %d", l, tt.w)
				}
			}
		})
	}
}

func TestHardWrap(t *testing.T) {
	tests := []struct {
		name string
		s    string
		w    int
		want []string
	}{
		{"fits", "bcrt1q", 6, []string{"bcrt1q"}},
		{"cuts anywhere", "bitcoin:bcrt1q?amount=1", 8, []string{"bitcoin:", "bcrt1q?a", "mount=1"}},
		{"drops a space at a break", "a b c d", 3, []string{"a b", "c d"}},
		{"zero width", "abc", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HardWrap(tt.s, tt.w); !slices.Equal(got, tt.want) {
				t.Errorf("HardWrap(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
			}
		})
	}
}

func TestFormatInt(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{7, "7"},
		{999, "999"},
		{1000, "1,000"},
		{845123, "845,123"},
		{1234567, "1,234,567"},
		{-1, "-1"},
		{-1000, "-1,000"},
		{-123456, "-123,456"},
		{math.MaxInt64, "9,223,372,036,854,775,807"},
		{math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatInt(tt.n); got != tt.want {
				t.Errorf("FormatInt(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
