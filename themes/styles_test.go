package themes

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// styleFields returns every lipgloss.Style field of s by name, so that a
// style added to Styles is tested without changing the tests.
func styleFields(t *testing.T, s *Styles) map[string]lipgloss.Style {
	t.Helper()
	out := make(map[string]lipgloss.Style)
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		if st, ok := v.Field(i).Interface().(lipgloss.Style); ok {
			out[v.Type().Field(i).Name] = st
		}
	}
	if len(out) < 20 {
		t.Fatalf("found only %d styles in Styles", len(out))
	}
	return out
}

// sgrParams returns the parameters of every SGR sequence (ESC [ ... m) in s,
// each as its leading number: "38:2::1:2:3" gives 38.
func sgrParams(t *testing.T, s string) []int {
	t.Helper()
	var out []int
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		end := strings.IndexFunc(s, func(r rune) bool { return r >= 0x40 && r <= 0x7e })
		if end < 0 {
			t.Fatalf("unterminated escape sequence in %q", s)
		}
		if s[end] == 'm' {
			for _, p := range strings.Split(s[:end], ";") {
				p, _, _ = strings.Cut(p, ":")
				if p == "" {
					p = "0"
				}
				n, err := strconv.Atoi(p)
				if err != nil {
					t.Fatalf("bad SGR parameter %q", p)
				}
				out = append(out, n)
			}
		}
		s = s[end+1:]
	}
}

// stripSGR removes every CSI sequence (ESC [ ... final byte) from s.
func stripSGR(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i])
		s = s[i+2:]
		end := strings.IndexFunc(s, func(r rune) bool { return r >= 0x40 && r <= 0x7e })
		if end < 0 {
			return b.String()
		}
		s = s[end+1:]
	}
}

// isColorParam reports whether an SGR parameter sets a colour: 30–49 (basic,
// 256 and true colour foreground/background), 58/59 (underline colour),
// 90–107 (bright colours).
func isColorParam(n int) bool {
	return (n >= 30 && n <= 49) || n == 58 || n == 59 || (n >= 90 && n <= 107)
}

func TestEveryBuiltinRenders(t *testing.T) {
	for _, p := range Builtin() {
		t.Run(p.Name, func(t *testing.T) {
			s := NewStyles(p, false)
			if s.NoColor || s.Palette.Name != p.Name {
				t.Errorf("Styles.NoColor = %v, Palette = %q", s.NoColor, s.Palette.Name)
			}
			for name, st := range styleFields(t, s) {
				out := st.Render("tx 1")
				if !strings.Contains(stripSGR(out), "tx 1") {
					t.Errorf("%s: %q lost the text", name, out)
				}
				hasColor := false
				for _, n := range sgrParams(t, out) {
					hasColor = hasColor || isColorParam(n)
				}
				if !hasColor {
					t.Errorf("%s: %q has no colour", name, out)
				}
			}
			if s.Selected.Render("x") == s.Normal.Render("x") {
				t.Error("Selected looks like Normal")
			}
			if s.TabActive.Render("x") == s.TabInactive.Render("x") {
				t.Error("TabActive looks like TabInactive")
			}
		})
	}
}

func TestNoColorStyles(t *testing.T) {
	for _, p := range append(Builtin(), Palette{Name: "empty"}) {
		t.Run(p.Name, func(t *testing.T) {
			s := NewStyles(p, true)
			if !s.NoColor {
				t.Error("Styles.NoColor = false")
			}
			for name, st := range styleFields(t, s) {
				if name == "QR" {
					continue // a QR code's colours are its data (see TestQRStyle)
				}
				out := st.Render("tx 1\nline 2")
				if !strings.Contains(stripSGR(out), "tx 1") {
					t.Errorf("%s: %q lost the text", name, out)
				}
				for _, bad := range []string{"38;", "48;", "38:", "48:", "58;", "58:"} {
					if strings.Contains(out, bad) {
						t.Errorf("%s: %q contains colour code %q", name, out, bad)
					}
				}
				for _, n := range sgrParams(t, out) {
					if isColorParam(n) {
						t.Errorf("%s: %q has colour parameter %d", name, out, n)
						break
					}
				}
			}

			// Without colour, emphasis must still show where it matters.
			for _, tt := range []struct {
				name  string
				style lipgloss.Style
				want  int // SGR parameter: 1 bold, 4 underline, 7 reverse
			}{
				{"Selected", s.Selected, 7},
				{"StatusBar", s.StatusBar, 7},
				{"TabActive", s.TabActive, 7},
				{"Title", s.Title, 1},
				{"Error", s.Error, 1},
				{"HelpKey", s.HelpKey, 1},
				{"TableHeader", s.TableHeader, 4},
			} {
				params := sgrParams(t, tt.style.Render("x"))
				found := false
				for _, n := range params {
					found = found || n == tt.want
				}
				if !found {
					t.Errorf("%s: SGR %v, want %d among them", tt.name, params, tt.want)
				}
			}
			if s.Selected.Render("x") == s.Normal.Render("x") {
				t.Error("Selected looks like Normal")
			}
			if s.TabActive.Render("x") == s.TabInactive.Render("x") {
				t.Error("TabActive looks like TabInactive")
			}
		})
	}
}

// TestNoColorKeepsLayout checks that a view laid out with colour has the same
// size without it, so NO_COLOR cannot break a screen that fits 80×24.
func TestNoColorKeepsLayout(t *testing.T) {
	for _, p := range Builtin() {
		t.Run(p.Name, func(t *testing.T) {
			colored := styleFields(t, NewStyles(p, false))
			plain := styleFields(t, NewStyles(p, true))
			for name, st := range colored {
				a, b := st.Render("tx 1\nline 2"), plain[name].Render("tx 1\nline 2")
				if lipgloss.Width(a) != lipgloss.Width(b) || lipgloss.Height(a) != lipgloss.Height(b) {
					t.Errorf("%s: %dx%d with colour, %dx%d without", name,
						lipgloss.Width(a), lipgloss.Height(a), lipgloss.Width(b), lipgloss.Height(b))
				}
			}
		})
	}
}

// TestQRStyle checks that QR codes are drawn light on black in every theme,
// with and without colour, so that a scanner reads their light modules as
// light whatever the terminal's own colours.
func TestQRStyle(t *testing.T) {
	for _, p := range Builtin() {
		for _, noColor := range []bool{false, true} {
			s := NewStyles(p, noColor)
			fg, bg := s.QR.GetForeground(), s.QR.GetBackground()
			if fg == nil || bg == nil {
				t.Fatalf("%s (no colour %v): QR has no foreground or background", p.Name, noColor)
			}
			if r := ContrastRatio(fg, bg); r < 20.9 || luminance(fg) < luminance(bg) {
				t.Errorf("%s (no colour %v): QR modules contrast %.1f:1, or dark on light", p.Name, noColor, r)
			}
		}
	}
}

func TestNewStylesFillsMissingColors(t *testing.T) {
	s := NewStyles(Palette{Name: "partial", Accent: Builtin()[1].Accent}, false)
	def := Builtin()[0]
	if !sameColor(s.Palette.Accent, Builtin()[1].Accent) {
		t.Error("the palette's own accent was replaced")
	}
	if !sameColor(s.Palette.Background, def.Background) || !sameColor(s.Palette.Error, def.Error) {
		t.Error("unset colours were not taken from the default palette")
	}
	if out := s.Normal.Render("x"); !strings.Contains(out, "48;2;") {
		t.Errorf("Normal = %q, want a background colour", out)
	}
}

func TestNoColor(t *testing.T) {
	tests := []struct {
		name  string
		value string
		set   bool
		want  bool
	}{
		{"unset", "", false, false},
		{"empty", "", true, false},
		{"1", "1", true, true},
		// no-color.org: any non-empty value, even "0" or "false".
		{"0", "0", true, true},
		{"false", "false", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "NO_COLOR" && tt.set {
					return tt.value
				}
				if k != "NO_COLOR" {
					return "ignored"
				}
				return ""
			}
			if got := NoColor(getenv); got != tt.want {
				t.Errorf("NoColor = %v, want %v", got, tt.want)
			}
		})
	}
}
