package common

import "charm.land/lipgloss/v2"

// Styles is the placeholder style set for TUI pages until the themes package
// provides them. Pages take their styles from Common.Styles only, so swapping
// the source later touches no page.
type Styles struct {
	// TableHeader styles the column titles of a table or list.
	TableHeader lipgloss.Style
	// Row styles an ordinary row.
	Row lipgloss.Style
	// SelectedRow styles the row under the cursor.
	SelectedRow lipgloss.Style
	// Muted styles secondary text such as placeholders and unknown values.
	Muted lipgloss.Style
	// Footer styles the status line under a list.
	Footer lipgloss.Style
	// Error styles an error shown in place of content.
	Error lipgloss.Style
}

// DefaultStyles returns the built-in style set.
func DefaultStyles() *Styles {
	return &Styles{
		TableHeader: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12")),
		Row:         lipgloss.NewStyle(),
		SelectedRow: lipgloss.NewStyle().Bold(true).Reverse(true),
		Muted:       lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Footer:      lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Error:       lipgloss.NewStyle().Foreground(lipgloss.Color("9")),
	}
}
