package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are the lipgloss styles the TUI draws with, built from one palette
// by [NewStyles]. Every page takes them from its common context and never
// builds colours of its own, so that a theme change or NO_COLOR reaches every
// screen. Callers may copy a style and add layout (width, alignment), but
// should not add colours. Every field is drawn by some page; a style no page
// needs does not belong here.
type Styles struct {
	// Palette is the palette the styles were built from, for components that
	// need raw colours (progress bars, charts).
	Palette Palette
	// NoColor reports whether the styles use no colour at all.
	NoColor bool

	// Title heads a page; Subtitle heads a section within it.
	Title    lipgloss.Style
	Subtitle lipgloss.Style
	// Normal is ordinary text; Muted is secondary text (hints, timestamps).
	Normal lipgloss.Style
	Muted  lipgloss.Style
	// Accent draws attention to a word without implying good or bad: the
	// focused field, a total, an "ours" mark.
	Accent lipgloss.Style
	// Success, Warning and Error colour messages and states.
	Success lipgloss.Style
	Warning lipgloss.Style
	Error   lipgloss.Style

	// Dialog is a box drawn over the page: the help overlay.
	Dialog lipgloss.Style

	// Selected is the row under the cursor in a list or table.
	Selected lipgloss.Style

	// StatusBar is the bar at the bottom of the screen.
	StatusBar lipgloss.Style

	// TabActive and TabInactive are the tab titles at the top.
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style

	// HelpKey and HelpDesc draw the keys and what they do in the help
	// overlay.
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style

	// TableHeader is the header row of tables (history, coins, blocks, peers).
	TableHeader lipgloss.Style

	// AmountPositive and AmountNegative are amounts received and sent. The
	// sign must be in the text too, since without colour it is the only
	// difference. Other amounts are Normal text.
	AmountPositive lipgloss.Style
	AmountNegative lipgloss.Style

	// Address is a bitcoin address; Hash a txid or block hash; Label a
	// user's BIP329 label.
	Address lipgloss.Style
	Hash    lipgloss.Style
	Label   lipgloss.Style

	// Confirmed and Unconfirmed mark a transaction's or a coin's state.
	Confirmed   lipgloss.Style
	Unconfirmed lipgloss.Style

	// InputPrompt is the prompt before a text input; Placeholder the hint
	// shown in an empty input.
	InputPrompt lipgloss.Style
	Placeholder lipgloss.Style

	// ProgressFilled and ProgressEmpty draw the two parts of a progress bar
	// (sync progress); callers use different glyphs for them so that the bar
	// reads without colour.
	ProgressFilled lipgloss.Style
	ProgressEmpty  lipgloss.Style

	// QR draws a QR code: light modules (drawn as blocks) on black, the
	// same in every theme and without colour too, because a scanner needs
	// light on dark whatever the terminal's own colours are. It is the one
	// style NO_COLOR leaves in colour: its colours are the code, not
	// decoration.
	QR lipgloss.Style
}

// qrStyle is Styles.QR in every theme.
var qrStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#000000"))

// NewStyles builds the styles for p. Colours p leaves unset come from the
// default palette. With noColor (see [NoColor]) the styles carry no colour at
// all: emphasis is bold or underline, and selection, the active tab and the
// status bar are in reverse video. Both kinds have the same padding and
// border sizes, so a view's layout does not depend on noColor.
func NewStyles(p Palette, noColor bool) *Styles {
	p = p.complete()
	if noColor {
		return plainStyles(p)
	}
	return colorStyles(p)
}

// NoColor reports whether the user asked for output without colour: the
// NO_COLOR environment variable is set and not empty (https://no-color.org).
// Pass os.Getenv; tests pass a fake.
func NoColor(getenv func(string) string) bool {
	return getenv("NO_COLOR") != ""
}

func colorStyles(p Palette) *Styles {
	base := lipgloss.NewStyle().Foreground(p.Foreground).Background(p.Background)
	fg := func(c color.Color) lipgloss.Style { return base.Foreground(c) }
	selection := lipgloss.NewStyle().Foreground(p.SelectionText).Background(p.Selection)
	panel := func(b lipgloss.Border, c color.Color) lipgloss.Style {
		return base.Border(b).BorderForeground(c).BorderBackground(p.Background).Padding(0, 1)
	}
	return &Styles{
		Palette: p,

		Title:    fg(p.Accent).Bold(true),
		Subtitle: fg(p.Accent2).Bold(true),
		Normal:   base,
		Muted:    fg(p.Muted),
		Accent:   fg(p.Accent),
		Success:  fg(p.Success),
		Warning:  fg(p.Warning),
		Error:    fg(p.Error).Bold(true),

		Dialog: panel(lipgloss.DoubleBorder(), p.Accent).Padding(1, 2),

		Selected: selection.Bold(true),

		StatusBar: selection,

		TabActive:   lipgloss.NewStyle().Foreground(p.Background).Background(p.Accent).Bold(true).Padding(0, 1),
		TabInactive: fg(p.Muted).Padding(0, 1),

		HelpKey:  fg(p.Accent2).Bold(true),
		HelpDesc: fg(p.Muted),

		TableHeader: fg(p.Accent).Bold(true).Underline(true),

		AmountPositive: fg(p.Success),
		AmountNegative: fg(p.Error),

		Address: fg(p.Accent2),
		Hash:    fg(p.Accent2),
		Label:   fg(p.Warning).Italic(true),

		Confirmed:   fg(p.Success),
		Unconfirmed: fg(p.Warning),

		InputPrompt: fg(p.Accent).Bold(true),
		Placeholder: fg(p.Muted),

		ProgressFilled: fg(p.Accent),
		ProgressEmpty:  fg(p.Border),

		QR: qrStyle,
	}
}

// plainStyles mirrors colorStyles without any colour; keep the two in step
// (the tests compare their layout).
func plainStyles(p Palette) *Styles {
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	reverse := plain.Reverse(true)
	panel := func(b lipgloss.Border) lipgloss.Style { return plain.Border(b).Padding(0, 1) }
	return &Styles{
		Palette: p,
		NoColor: true,

		Title:    bold,
		Subtitle: bold,
		Normal:   plain,
		Muted:    plain,
		Accent:   bold,
		Success:  plain,
		Warning:  bold,
		Error:    bold,

		Dialog: panel(lipgloss.DoubleBorder()).Padding(1, 2),

		Selected: reverse.Bold(true),

		StatusBar: reverse,

		TabActive:   reverse.Bold(true).Padding(0, 1),
		TabInactive: plain.Padding(0, 1),

		HelpKey:  bold,
		HelpDesc: plain,

		TableHeader: bold.Underline(true),

		AmountPositive: plain,
		AmountNegative: plain,

		Address: plain,
		Hash:    plain,
		Label:   plain.Underline(true),

		Confirmed:   plain,
		Unconfirmed: bold,

		InputPrompt: bold,
		Placeholder: plain,

		ProgressFilled: plain,
		ProgressEmpty:  plain,

		QR: qrStyle,
	}
}
