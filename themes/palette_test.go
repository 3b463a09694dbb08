package themes

import (
	"image/color"
	"math"
	"testing"
)

func TestBuiltin(t *testing.T) {
	pals := Builtin()
	if pals[0].Name != DefaultName {
		t.Errorf("first builtin is %q, want %q", pals[0].Name, DefaultName)
	}
	seen := make(map[string]bool)
	for _, p := range pals {
		if seen[p.Name] {
			t.Errorf("two builtins are called %q", p.Name)
		}
		seen[p.Name] = true
	}
	for _, want := range []string{"default", "light", "high-contrast", "solarized-dark"} {
		if !seen[want] {
			t.Errorf("no builtin %q", want)
		}
	}

	for _, p := range pals {
		t.Run(p.Name, func(t *testing.T) {
			for _, f := range p.colors() {
				if *f.c == nil {
					t.Fatalf("%s is not set", f.key)
				}
				if _, _, _, a := (*f.c).RGBA(); a != 0xffff {
					t.Errorf("%s is not opaque", f.key)
				}
			}
			// Every palette must be readable, not only the high-contrast one.
			checkContrast(t, p, 4.5, []pair{
				{"foreground", p.Foreground, p.Background},
				{"selection_text/selection", p.SelectionText, p.Selection},
			})
			checkContrast(t, p, 3, []pair{
				{"muted", p.Muted, p.Background},
				{"accent", p.Accent, p.Background},
				{"accent2", p.Accent2, p.Background},
				{"success", p.Success, p.Background},
				{"warning", p.Warning, p.Background},
				{"error", p.Error, p.Background},
				{"active tab (background on accent)", p.Background, p.Accent},
			})
		})
	}
}

func TestHighContrastMeetsWCAGAA(t *testing.T) {
	p, ok := Find("high-contrast", nil)
	if !ok {
		t.Fatal("no high-contrast palette")
	}
	checkContrast(t, p, 7, []pair{{"foreground", p.Foreground, p.Background}})
	checkContrast(t, p, 4.5, []pair{
		{"accent", p.Accent, p.Background},
		{"accent2", p.Accent2, p.Background},
		{"muted", p.Muted, p.Background},
		{"success", p.Success, p.Background},
		{"warning", p.Warning, p.Background},
		{"error", p.Error, p.Background},
		{"selection_text/selection", p.SelectionText, p.Selection},
		{"active tab (background on accent)", p.Background, p.Accent},
	})
}

type pair struct {
	name   string
	fg, bg color.Color
}

func checkContrast(t *testing.T, p Palette, min float64, pairs []pair) {
	t.Helper()
	for _, c := range pairs {
		if r := ContrastRatio(c.fg, c.bg); r < min {
			t.Errorf("%s: %s contrast %.2f:1, want at least %.1f:1", p.Name, c.name, r, min)
		}
	}
}

func TestContrastRatio(t *testing.T) {
	black := color.RGBA{A: 0xff}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	tests := []struct {
		name string
		a, b color.Color
		want float64
	}{
		{"black on white", black, white, 21},
		{"white on black", white, black, 21},
		{"same colour", white, white, 1},
		// WebAIM's checker gives 4.48:1 for #777777 on white: just failing AA.
		{"grey on white", color.RGBA{0x77, 0x77, 0x77, 0xff}, white, 4.48},
		// and 3.99:1 for pure red on white.
		{"red on white", color.RGBA{0xff, 0, 0, 0xff}, white, 3.998},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContrastRatio(tt.a, tt.b); math.Abs(got-tt.want) > 0.01 {
				t.Errorf("ContrastRatio = %.3f, want %.3f", got, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	mine := Palette{Name: "mine", Accent: color.RGBA{1, 2, 3, 0xff}}
	myLight := Palette{Name: "light", Accent: color.RGBA{4, 5, 6, 0xff}}
	user := []Palette{mine, myLight}
	tests := []struct {
		name   string
		find   string
		user   []Palette
		want   Palette
		wantOK bool
	}{
		{"builtin", "solarized-dark", nil, Builtin()[3], true},
		{"any case", "High-Contrast", nil, Builtin()[2], true},
		{"user theme", "mine", user, mine, true},
		{"user theme replaces builtin", "light", user, myLight, true},
		{"builtin still found with user themes", "default", user, Builtin()[0], true},
		{"unknown", "nope", user, Palette{}, false},
		{"empty name", "", user, Palette{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Find(tt.find, tt.user)
			if ok != tt.wantOK || !samePalette(got, tt.want) {
				t.Errorf("Find(%q) = %v, %v; want %v, %v", tt.find, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// samePalette compares palettes by name and RGBA values, whatever concrete
// colour types they hold.
func samePalette(a, b Palette) bool {
	if a.Name != b.Name {
		return false
	}
	ac, bc := a.colors(), b.colors()
	for i := range ac {
		if (*ac[i].c == nil) != (*bc[i].c == nil) {
			return false
		}
		if *ac[i].c != nil && !sameColor(*ac[i].c, *bc[i].c) {
			return false
		}
	}
	return true
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
