package common

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
)

func TestLine(t *testing.T) {
	st := themes.NewStyles(themes.Builtin()[0], false)
	bg := ";48;2;26;27;38" // the default theme's background, on every span
	tests := []struct {
		name  string
		w     int
		spans []Span
		want  string // without styles
	}{
		{"pads in the pad style", 10, []Span{{Text: "tx", Style: st.Hash}}, "tx        "},
		{"spans side by side", 10, []Span{{Text: "ab", Style: st.Normal}, {Text: "cd", Style: st.Hash}}, "abcd      "},
		{"cuts the span that overflows", 5, []Span{{Text: "abc", Style: st.Normal}, {Text: "defg", Style: st.Hash}}, "abcd…"},
		{"drops spans past the width", 3, []Span{{Text: "abc", Style: st.Normal}, {Text: "def", Style: st.Hash}}, "abc"},
		{"styled text kept", 6, []Span{{Text: st.Error.Render("err")}}, "err   "},
		{"no spans", 4, nil, "    "},
		{"zero width", 0, []Span{{Text: "abc"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Line(tt.w, st.Normal, tt.spans...)
			if plain := ansi.Strip(got); plain != tt.want {
				t.Errorf("Line = %q, want %q", plain, tt.want)
			}
			if n := ansi.StringWidth(got); n != tt.w {
				t.Errorf("Line is %d cells, want %d", n, tt.w)
			}
			// Every cell is drawn on the theme's background: no text
			// or padding outside a styled sequence.
			for _, part := range strings.Split(got, "\x1b[m") {
				if ansi.Strip(part) == "" {
					continue
				}
				if !strings.Contains(part, bg) {
					t.Errorf("part %q is not on the theme's background", part)
				}
			}
		})
	}
}

func TestInputView(t *testing.T) {
	dark := themes.NewStyles(themes.Builtin()[0], false)
	light := themes.NewStyles(themes.Builtin()[1], false)
	in := textinputWith(dark, "0.001")
	a, b := InputView(in, dark), InputView(in, light)
	if ansi.Strip(a) != ansi.Strip(b) || !strings.Contains(ansi.Strip(a), "> 0.001") {
		t.Fatalf("the text differs between themes or is lost: %q, %q", ansi.Strip(a), ansi.Strip(b))
	}
	if a == b {
		t.Error("InputView drew the field in the styles it was made with, not in the theme given")
	}
	if !strings.Contains(b, light.InputPrompt.Render("> ")) {
		t.Errorf("the focused prompt is not in the theme's InputPrompt style: %q", b)
	}
	if InputView(in, light) != b {
		t.Error("InputView changed the field it was given")
	}
}

// textinputWith is a focused field holding value, styled with st.
func textinputWith(st *themes.Styles, value string) textinput.Model {
	in := textinput.New()
	in.Prompt = "> "
	in.SetStyles(InputStyles(st))
	in.SetValue(value)
	in.Focus()
	return in
}
