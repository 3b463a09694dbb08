package keys

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// fit cuts or pads s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

// hardWrap breaks s, which has no spaces worth keeping (an xpub, a
// descriptor), into lines of at most w cells, so that none of it is lost.
func hardWrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Hardwrap(s, w, false), "\n")
}

// wordWrap breaks prose into lines of at most w cells, cutting words longer
// than a line.
func wordWrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}
