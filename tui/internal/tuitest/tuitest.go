// Package tuitest holds checks the TUI packages' tests share: that a view
// fits the terminal it was drawn for, and that a view drawn without colour
// (NO_COLOR) holds none. Only tests import it.
package tuitest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// AssertFits fails t unless v is exactly h lines of at most w cells, which
// is what every page promises the root model.
func AssertFits(t testing.TB, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, want at most %d: %q", i, lw, w, ansi.Strip(l))
		}
	}
}

// sgr matches a Select Graphic Rendition sequence and captures its
// parameters.
var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// Colors returns the SGR sequences in s that set a colour (foreground,
// background or underline colour, basic, 256-colour or true colour); bold,
// underline, reverse and the like are not colour.
func Colors(s string) []string {
	var out []string
	for _, m := range sgr.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ";") {
			p, _, _ = strings.Cut(p, ":")
			n, err := strconv.Atoi(p)
			if err != nil {
				continue
			}
			if (n >= 30 && n <= 49) || n == 58 || n == 59 || (n >= 90 && n <= 107) {
				out = append(out, m[0])
				break
			}
		}
	}
	return out
}
