package app

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/settings"
)

// bgPages are the screens the background tests draw: keys from the start.
var bgPages = []struct {
	name string
	keys []string
}{
	{"wallet", nil},
	{"send", []string{"s"}},
	{"explorer", []string{"2"}},
	{"block", []string{"2", "enter"}},
	{"node", []string{"3"}},
	{"keys", []string{"4"}},
	{"settings", []string{"5"}},
	{"help", []string{"2", "?"}},
}

// Every cell of every line carries a background in colour, whatever the
// page and the size, so that a terminal whose own background differs from
// the theme's shows no stripes between spans, after short lines or on blank
// ones.
func TestBackgroundOnEveryCell(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, theme := range themes.Builtin()[:2] {
			for _, page := range bgPages {
				t.Run(fmt.Sprintf("%dx%d/%s/%s", size[0], size[1], theme.Name, page.name), func(t *testing.T) {
					hs := newHarness(t, size[0], size[1], setup{color: true})
					if theme.Name != themes.Builtin()[0].Name {
						s := hs.m.src.Settings.Current
						s.Theme = theme.Name
						hs.send(settings.ChangedMsg{Settings: s})
					}
					hs.press(page.keys...)
					frame := hs.m.View().Content
					lines := strings.Split(frame, "\n")
					if len(lines) != size[1] {
						t.Fatalf("%d lines; want %d", len(lines), size[1])
					}
					if line, col, ok := themes.MissingBackground(frame, size[0]); ok {
						t.Fatalf("line %d, column %d is on the terminal's background:\n%q\nscreen:\n%s",
							line, col, lines[line], hs.screen())
					}
				})
			}
		}
	}
}

// sgrSeq is one SGR escape sequence with its parameters.
var sgrSeq = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// Under NO_COLOR the same pages carry no colour escape: bold, underline
// and reverse video only, but for a QR code, which is light on black in
// every theme because a scanner needs it (themes.Styles.QR).
func TestNoColorHasNoColourEscapes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, page := range bgPages {
			hs := newHarness(t, size[0], size[1], setup{})
			hs.press(page.keys...)
			frame := hs.m.View().Content
			for _, m := range sgrSeq.FindAllStringSubmatch(frame, -1) {
				if m[1] == "38;2;255;255;255;48;2;0;0;0" {
					continue
				}
				for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
					n, _ := strconv.Atoi(p)
					if n >= 30 && n <= 49 && n != 39 || n >= 90 && n <= 107 || n == 58 {
						t.Fatalf("%dx%d %s: colour escape %q under NO_COLOR", size[0], size[1], page.name, m[0])
					}
				}
			}
		}
	}
}
