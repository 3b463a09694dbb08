package common

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The text helpers below measure in terminal cells, not bytes or runes: a
// string may hold styles (ANSI sequences, which take no cells) and wide
// characters (two cells each), and every page lays out its lines with them
// so that a line never runs past the width it was given.

// Ellipsis marks where Fit and ShortID cut text.
const Ellipsis = "…"

// Fit cuts or pads s, which may hold styles, to exactly w cells. Text cut
// short ends in an ellipsis, so the user can tell it goes on; a width of 0
// or less gives "".
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, Ellipsis)
	}
	return s + strings.Repeat(" ", w-sw)
}

// PadLeft right-aligns s in w cells. It never cuts: s wider than w is
// returned whole.
func PadLeft(s string, w int) string {
	return strings.Repeat(" ", max(w-ansi.StringWidth(s), 0)) + s
}

// PadRight left-aligns s in w cells. It never cuts: s wider than w is
// returned whole.
func PadRight(s string, w int) string {
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

// ShortID fits an identifier (a txid, a block hash, an address) into w
// cells by cutting out its middle, keeping its start and its end: block
// hashes begin with zeros, so the end is what tells two of them apart.
// Below 5 cells there is no room for both ends and the start is kept.
func ShortID(id string, w int) string {
	n := ansi.StringWidth(id)
	switch {
	case n <= w:
		return id
	case w < 5:
		return ansi.Truncate(id, max(w, 0), "")
	}
	tail := (w - 1) / 2
	head := w - 1 - tail
	return ansi.Truncate(id, head, "") + Ellipsis + ansi.TruncateLeft(id, n-tail, "")
}

// WordWrap breaks prose into lines of at most w cells, at spaces where it
// can, cutting words longer than a line. Empty text, or a width of 0 or
// less, gives no lines.
func WordWrap(s string, w int) []string {
	if w <= 0 || s == "" {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// HardWrap breaks s, which has no spaces worth keeping (an address, an
// xpub, a URI), into lines of at most w cells, so that none of it is lost.
// A width of 0 or less gives no lines.
func HardWrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Hardwrap(s, w, false), "\n")
}

// FormatInt writes n with thousands separators: 845123 gives "845,123".
func FormatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	b.Grow(len(s) + len(digits)/3)
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
