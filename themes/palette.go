package themes

import (
	"image/color"
	"math"
	"reflect"
	"strings"

	"charm.land/lipgloss/v2"
)

// DefaultName is the name of the palette used when no theme is configured and
// from which user themes inherit the colours they leave out.
const DefaultName = "default"

// Palette is a named set of colours from which [NewStyles] builds every style.
// The toml tags are the keys of a user theme file, where each colour is
// written as a "#rrggbb" string.
type Palette struct {
	// Name identifies the palette in the settings page and config file.
	Name string `toml:"name"`

	// Background and Foreground are the colours of ordinary text.
	Background color.Color `toml:"background"`
	Foreground color.Color `toml:"foreground"`
	// Muted is for secondary text: hints, descriptions, inactive tabs.
	Muted color.Color `toml:"muted"`
	// Accent draws the eye: titles, the active tab, prompts, focus.
	Accent color.Color `toml:"accent"`
	// Accent2 is a second accent for keys in help and for hashes.
	Accent2 color.Color `toml:"accent2"`
	// Success, Warning and Error mark confirmed/incoming, pending and failed
	// or outgoing things.
	Success color.Color `toml:"success"`
	Warning color.Color `toml:"warning"`
	Error   color.Color `toml:"error"`
	// Border is the colour of panel borders and separators.
	Border color.Color `toml:"border"`
	// Selection and SelectionText are the background and text of the selected
	// row; the status bar uses them too.
	Selection     color.Color `toml:"selection"`
	SelectionText color.Color `toml:"selection_text"`
}

// Builtin returns the palettes that ship with satchel, "default" first. Each
// call returns a new slice, which the caller may change.
func Builtin() []Palette {
	c := lipgloss.Color
	return []Palette{
		{
			// Dark, with bitcoin orange as the accent.
			Name:          DefaultName,
			Background:    c("#1a1b26"),
			Foreground:    c("#c0caf5"),
			Muted:         c("#7982a9"),
			Accent:        c("#f7931a"),
			Accent2:       c("#7aa2f7"),
			Success:       c("#9ece6a"),
			Warning:       c("#e0af68"),
			Error:         c("#f7768e"),
			Border:        c("#3b4261"),
			Selection:     c("#364a82"),
			SelectionText: c("#e6e9f7"),
		},
		{
			// For light terminals; every text colour is at least 4.5:1 on the
			// background.
			Name:          "light",
			Background:    c("#fafafa"),
			Foreground:    c("#24292f"),
			Muted:         c("#636c76"),
			Accent:        c("#b54708"),
			Accent2:       c("#0550ae"),
			Success:       c("#1a7f37"),
			Warning:       c("#8a5a00"),
			Error:         c("#cf222e"),
			Border:        c("#d0d7de"),
			Selection:     c("#0969da"),
			SelectionText: c("#ffffff"),
		},
		{
			// Black and white with bright accents; meets WCAG AA (4.5:1) for
			// every text colour, and AAA (7:1) for ordinary text.
			Name:          "high-contrast",
			Background:    c("#000000"),
			Foreground:    c("#ffffff"),
			Muted:         c("#c8c8c8"),
			Accent:        c("#ffaf00"),
			Accent2:       c("#5fd7ff"),
			Success:       c("#5fff5f"),
			Warning:       c("#ffff5f"),
			Error:         c("#ff6e6e"),
			Border:        c("#ffffff"),
			Selection:     c("#ffd700"),
			SelectionText: c("#000000"),
		},
		{
			// Ethan Schoonover's Solarized, dark variant.
			Name:          "solarized-dark",
			Background:    c("#002b36"),
			Foreground:    c("#93a1a1"),
			Muted:         c("#6c8088"),
			Accent:        c("#b58900"),
			Accent2:       c("#268bd2"),
			Success:       c("#859900"),
			Warning:       c("#cb4b16"),
			Error:         c("#dc322f"),
			Border:        c("#586e75"),
			Selection:     c("#0e4b5c"),
			SelectionText: c("#fdf6e3"),
		},
	}
}

// Find returns the palette called name, looking in user first and then in the
// built-in palettes, so that a user theme can replace a built-in one. Names
// are compared without regard to case. It reports false when no palette has
// that name; the caller then usually falls back to [DefaultName].
func Find(name string, user []Palette) (Palette, bool) {
	for _, list := range [][]Palette{user, Builtin()} {
		for _, p := range list {
			if strings.EqualFold(p.Name, name) {
				return p, true
			}
		}
	}
	return Palette{}, false
}

// ContrastRatio returns the WCAG 2 contrast ratio of two colours, from 1 (the
// same luminance) to 21 (black on white). WCAG AA asks for at least 4.5 for
// ordinary text; the settings page can use it to warn about unreadable user
// themes.
func ContrastRatio(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG 2 relative luminance of c, ignoring alpha.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	linear := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*linear(r) + 0.7152*linear(g) + 0.0722*linear(b)
}

// complete returns p with every unset colour taken from the default palette.
func (p Palette) complete() Palette {
	def := Builtin()[0]
	defColors := def.colors()
	for i, f := range p.colors() {
		if *f.c == nil {
			*f.c = *defColors[i].c
		}
	}
	return p
}

// colorField is one colour of a palette and its key in a theme file.
type colorField struct {
	key string
	c   *color.Color
}

// colors lists p's colours in declaration order, each with its TOML key, so
// that Load and complete need no list of their own to keep in step with
// Palette.
func (p *Palette) colors() []colorField {
	v := reflect.ValueOf(p).Elem()
	t := v.Type()
	colorType := reflect.TypeFor[color.Color]()
	var out []colorField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type != colorType {
			continue
		}
		out = append(out, colorField{key: f.Tag.Get("toml"), c: v.Field(i).Addr().Interface().(*color.Color)})
	}
	return out
}
