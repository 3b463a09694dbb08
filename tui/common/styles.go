package common

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
)

// DefaultStyles returns the default theme's styles in colour. NewCommon
// starts with them; the root model replaces them with the configured theme,
// built with NO_COLOR in mind (see themes.NewStyles), and shares one
// *themes.Styles with every page, so that a theme chosen on the Settings tab
// reaches every page at once. Pages draw only with these styles and never
// build colours of their own.
func DefaultStyles() *themes.Styles {
	return themes.NewStyles(themes.Builtin()[0], false)
}

// Span is a piece of a line drawn in one style.
type Span struct {
	Text  string
	Style lipgloss.Style
}

// Line draws spans side by side in exactly w cells. Text past w is cut,
// the cut marked with an ellipsis, and the rest of the line is filled with
// spaces in pad's style. Each span is rendered on its own, so that a style
// never runs into the next span: with a theme that has a background, the
// whole line, gaps included, is on it. A span whose text is styled already
// takes the zero Style, which leaves it as it is.
func Line(w int, pad lipgloss.Style, spans ...Span) string {
	if w <= 0 {
		return ""
	}
	var b strings.Builder
	left := w
	for _, s := range spans {
		if left == 0 {
			break
		}
		t := s.Text
		if tw := ansi.StringWidth(t); tw > left {
			t = ansi.Truncate(t, left, Ellipsis)
			left = 0
		} else {
			left -= tw
		}
		if t != "" {
			b.WriteString(s.Style.Render(t))
		}
	}
	if left > 0 {
		b.WriteString(pad.Render(strings.Repeat(" ", left)))
	}
	return b.String()
}

// InputStyles are the styles of a text field drawn with st: the prompt in
// InputPrompt while the field has the focus and muted when not, the hint in
// Placeholder. The cursor is a steady reversed cell, which shows without
// colour and keeps views the same from one frame to the next.
func InputStyles(st *themes.Styles) textinput.Styles {
	return textinput.Styles{
		Focused: textinput.StyleState{Text: st.Normal, Placeholder: st.Placeholder, Suggestion: st.Placeholder, Prompt: st.InputPrompt},
		Blurred: textinput.StyleState{Text: st.Normal, Placeholder: st.Placeholder, Suggestion: st.Placeholder, Prompt: st.Muted},
		Cursor:  textinput.CursorStyle{Shape: tea.CursorBlock},
	}
}

// InputView draws a text field with st's current styles. A field keeps the
// styles it was given when it was made, so pages draw through InputView to
// follow a theme changed since. It styles a copy and leaves in as it is.
func InputView(in textinput.Model, st *themes.Styles) string {
	in.SetStyles(InputStyles(st))
	return in.View()
}
