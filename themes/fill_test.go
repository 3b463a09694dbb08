package themes

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Fill leaves no cell on the terminal's own background: not the gaps
// between styled spans, not the end of a short line, not a blank line, not
// the rest of a line after a span with its own background; and it keeps
// the text and the spans' own backgrounds as they were.
func TestFill(t *testing.T) {
	for _, p := range Builtin() {
		t.Run(p.Name, func(t *testing.T) {
			st := NewStyles(p, false)
			frame := strings.Join([]string{
				st.Title.Render("Wallet") + " plain " + st.Muted.Render("muted"),
				"",
				st.Selected.Render("selected row"),
				"\x1b[31mred\x1b[49m after 49 \x1b[0;1m after reset;bold \x1b[48;5;3mown\x1b[38:2::1:2:3m still own",
				"wide: 币 " + lipgloss.NewStyle().Underline(true).Render("u"),
			}, "\n")
			if _, _, ok := MissingBackground(frame, 40); !ok {
				t.Fatal("the unpainted frame has a background everywhere; the test cannot fail")
			}
			out := st.Fill(frame, 40)
			if line, col, ok := MissingBackground(out, 40); ok {
				t.Fatalf("line %d, column %d has no background:\n%q", line, col, strings.Split(out, "\n")[line])
			}
			if got, want := stripLines(out), stripLines(frame); got != want {
				t.Fatalf("the text changed:\n%s\nwant\n%s", got, want)
			}
			in := strings.Split(frame, "\n")
			for i, l := range strings.Split(out, "\n") {
				if w, want := ansi.StringWidth(l), max(40, ansi.StringWidth(in[i])); w != want {
					t.Errorf("line %d is %d cells wide; want %d", i, w, want)
				}
			}
			sel := st.Selected.Render("selected row")
			if !strings.Contains(out, sel) {
				t.Errorf("the selection's own background was lost: %q", out)
			}
		})
	}
}

// stripLines is the frame's text without escapes or trailing spaces.
func stripLines(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// Without colour nothing is added: no escape, no padding.
func TestFillNoColor(t *testing.T) {
	st := NewStyles(Builtin()[0], true)
	frame := st.Title.Render("Wallet") + "\n\nplain"
	if got := st.Fill(frame, 80); got != frame {
		t.Fatalf("Fill without colour changed the frame: %q", got)
	}
}

// BenchmarkFill measures painting a busy 120×40 frame: a styled span every
// few cells on every line.
func BenchmarkFill(b *testing.B) {
	st := NewStyles(Builtin()[0], false)
	var line strings.Builder
	for line.Len() < 600 {
		line.WriteString(st.Muted.Render("block") + " " + st.Hash.Render("00ab12cd") + " ")
	}
	lines := make([]string, 40)
	for i := range lines {
		lines[i] = ansi.Truncate(line.String(), 110, "")
	}
	frame := strings.Join(lines, "\n")
	for b.Loop() {
		_ = st.Fill(frame, 120)
	}
}
