package tuitest

import (
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/satchelbtc/satchel/themes"
)

func TestColors(t *testing.T) {
	colour := themes.NewStyles(themes.Builtin()[0], false)
	plain := themes.NewStyles(themes.Builtin()[0], true)
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"plain text", "tx 1", false},
		{"bold, underline, reverse", plain.Selected.Render("a") + plain.TableHeader.Render("b") + plain.Title.Render("c"), false},
		{"every NO_COLOR style", plain.Error.Render("e") + plain.Label.Render("l") + plain.StatusBar.Render("s"), false},
		{"true colour", colour.Normal.Render("x"), true},
		{"basic colour", lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Render("x"), true},
		{"bright background", "\x1b[1;101mx\x1b[m", true},
		{"256 colours", "\x1b[38;5;208mx\x1b[m", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(Colors(tt.s)) > 0; got != tt.want {
				t.Errorf("Colors(%q) = %q, want colour %v", tt.s, Colors(tt.s), tt.want)
			}
		})
	}
}

// recorder is a testing.TB that counts failures instead of failing.
type recorder struct {
	testing.TB
	failures int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failures++ }

func TestAssertFits(t *testing.T) {
	styled := lipgloss.NewStyle().Bold(true).Render("abcd")
	tests := []struct {
		name     string
		v        string
		w, h     int
		failures int
	}{
		{"fits", "ab\ncd", 2, 2, 0},
		{"styles take no cells", styled + "\n", 4, 2, 0},
		{"too few lines", "ab", 2, 2, 1},
		{"too many lines", "a\nb\nc", 2, 2, 1},
		{"too wide", "abc\nd", 2, 2, 1},
		{"wide runes", "日本\n", 3, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			AssertFits(r, tt.v, tt.w, tt.h)
			if r.failures != tt.failures {
				t.Errorf("AssertFits(%q, %d, %d) failed %d times, want %d", tt.v, tt.w, tt.h, r.failures, tt.failures)
			}
		})
	}
}
