package settings

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

const (
	labelW = 12 // "Auto-lock   "
	markW  = 2  // "> " before the selected row, for terminals without colour
)

// applyNote says when changes take effect.
const applyNote = "Theme, units, fee rate, auto-lock, exports apply now; peers apply at next start."

// descriptions explain each row under the list.
var descriptions = [rowCount]string{
	"The colours of the TUI. ←/→ switches theme at once; enter picks from the list.",
	"How amounts are shown: BTC or sats. ←/→ or enter switches.",
	"The fee rate a new payment starts from, in sat/vB (more than 0, at most 1000). enter edits.",
	"Nodes to connect to instead of finding peers: host:port, comma-separated. enter edits.",
	"Lock the wallet after this long without a key press. ←/→ steps through never, 1m, 5m, 15m and 60m; enter types any delay of 30s or more.",
}

// value writes the setting of r as the list shows it.
func (m *Model) value(r row) string {
	s := m.settings
	switch r {
	case rowTheme:
		if len(m.themes) > 0 && !slices.Contains(m.themes, s.Theme) {
			return s.Theme + " (not found)"
		}
		return s.Theme
	case rowUnits:
		return unitsLabel(s.Units)
	case rowFeeRate:
		return formatFeeRate(s.FeeRate)
	case rowPeers:
		if len(s.Peers) == 0 {
			return "none: satchel finds peers"
		}
		return formatPeers(s.Peers)
	case rowAutoLock:
		return formatDuration(s.AutoLock)
	case rowExports:
		return formatExportDir(s.ExportDir)
	}
	return ""
}

// editorTitles head the text editor of each row.
var editorTitles = [rowCount]string{
	rowFeeRate:  "Fee rate, in sat/vB",
	rowPeers:    "Peers, host:port separated by commas (empty: find peers)",
	rowAutoLock: "Auto-lock after (never, or a delay like 90s, 5m or 1h)",
	rowExports:  "Folder for exported PSBTs (empty: the current folder)",
}

// topLines is the title and the list of settings.
func (m *Model) topLines(w int) []string {
	st := m.common.Styles
	out := []string{st.Title.Render(common.Fit("Settings", w)), common.Fit("", w)}
	for r := range rowCount {
		mark := "  "
		if r == m.cursor {
			mark = "> "
		}
		line := common.Fit(mark+common.Fit(rowNames[r], labelW)+m.value(r), w)
		if r == m.cursor {
			out = append(out, st.Selected.Render(line))
		} else {
			out = append(out, st.Normal.Render(line))
		}
	}
	out = append(out, common.Fit("", w))
	for _, s := range common.WordWrap(descriptions[m.cursor], w) {
		out = append(out, st.Muted.Render(common.Fit(s, w)))
	}
	return append(out, common.Fit("", w))
}

// bottomLines is the save status (wrapped, so an error is never cut), the
// note on when changes apply and the footer.
func (m *Model) bottomLines(w int) []string {
	st := m.common.Styles
	style := st.Success
	switch {
	case !m.statusOK:
		style = st.Error
	case m.saving:
		style = st.Muted
	}
	var out []string
	for _, s := range common.WordWrap(m.status, w) {
		out = append(out, style.Render(common.Fit(s, w)))
	}
	if len(out) == 0 {
		out = append(out, common.Fit("", w))
	}
	return append(out,
		st.Muted.Render(common.Fit(applyNote, w)),
		st.Muted.Render(common.Fit(m.footer(), w)),
	)
}

// visibleThemes is how many theme names fit in the theme list.
func (m *Model) visibleThemes() int {
	w := m.common.Width
	return max(m.common.Height-len(m.topLines(w))-len(m.bottomLines(w))-2, 1)
}

// inputWidth is how many cells the text field shows.
func (m *Model) inputWidth() int { return max(m.common.Width-3, 1) }

// View draws the settings, the editor that is open, the save status and a
// footer: exactly Height lines of at most Width cells.
func (m *Model) View() tea.View { return tea.NewView(m.render()) }

func (m *Model) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	body := append(m.topLines(w), m.editorLines(w)...)
	bottom := m.bottomLines(w)
	if h <= len(bottom) {
		return strings.Join(bottom[len(bottom)-h:], "\n")
	}
	bodyH := h - len(bottom)
	if len(body) > bodyH {
		body = body[:bodyH]
	}
	for len(body) < bodyH {
		body = append(body, common.Fit("", w))
	}
	return strings.Join(append(body, bottom...), "\n")
}

// editorLines draws the open editor, if any.
func (m *Model) editorLines(w int) []string {
	st := m.common.Styles
	var out []string
	switch m.editor {
	case editText:
		out = append(out, st.Subtitle.Render(common.Fit(editorTitles[m.cursor], w)))
		out = append(out, common.Line(w, st.Normal, common.Span{Text: common.InputView(m.input, st)}))
		if m.inputErr != nil {
			for _, s := range common.WordWrap(m.inputErr.Error(), w) {
				out = append(out, st.Error.Render(common.Fit(s, w)))
			}
		} else {
			for _, s := range common.WordWrap(m.inputNote, w) {
				out = append(out, st.Muted.Render(common.Fit(s, w)))
			}
		}
	case editTheme:
		out = append(out, st.Subtitle.Render(common.Fit("Choose a theme", w)))
		_, offset := common.ClampCursor(m.themeCursor, m.themeOffset, len(m.themes), m.visibleThemes())
		end := min(offset+m.visibleThemes(), len(m.themes))
		for i := offset; i < end; i++ {
			name := m.themes[i]
			if name == m.settings.Theme {
				name += " (current)"
			}
			if i == m.themeCursor {
				out = append(out, st.Selected.Render(common.Fit("> "+name, w)))
			} else {
				out = append(out, st.Normal.Render(common.Fit("  "+name, w)))
			}
		}
	}
	return out
}

func (m *Model) footer() string {
	switch m.editor {
	case editText:
		return "enter save · esc cancel"
	case editTheme:
		return "↑/↓ choose · enter apply · esc cancel"
	}
	return "↑/↓ select · enter edit · ←/→ change · s save again"
}
