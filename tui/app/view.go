package app

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/tui/common"
)

// chromeLines is the tab bar and the status bar: the lines no page gets.
const chromeLines = 2

// barWidths are the widths the status bar tries for the sync progress bar,
// widest first; 0 leaves only the percentage.
var barWidths = []int{20, 10, 0}

// View draws the tab bar, the page on screen (or the help overlay over it)
// and the status bar, in the alternate screen, on the theme's background.
// It reads nothing.
func (m *Model) View() tea.View {
	// The theme's background goes on every cell, so that a terminal whose
	// own background differs shows no stripes between and after the spans.
	v := tea.NewView(m.common.Styles.Fill(m.render(), m.width))
	v.AltScreen = true
	return v
}

func (m *Model) render() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	w, h := m.pageSize()
	lines := make([]string, 0, m.height)
	lines = append(lines, m.tabBar())
	if h > 0 {
		body := m.top(m.active).View().Content
		switch {
		case m.copy.open():
			body = m.copyView(w, h)
		case m.help:
			body = m.helpView(w, h)
		}
		lines = append(lines, fixHeight(body, h)...)
	}
	if m.height > 1 {
		lines = append(lines, m.statusLine())
	}
	return strings.Join(lines, "\n")
}

// fixHeight splits s into exactly h lines.
func fixHeight(s string, h int) []string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

// tabBar is the first line: the tabs with their keys, and the help key on
// the right when it fits.
func (m *Model) tabBar() string {
	st := m.common.Styles
	var b strings.Builder
	for t := range numTabs {
		title := fmt.Sprintf("%d %s", t+1, tabNames[t])
		if t == m.active {
			b.WriteString(st.TabActive.Render(title))
		} else {
			b.WriteString(st.TabInactive.Render(title))
		}
	}
	bar := b.String()
	hint := st.Muted.Render(m.common.KeyMap.Help.Help().Key + " help ")
	if gap := m.width - lipgloss.Width(bar) - lipgloss.Width(hint); gap > 0 {
		return bar + st.Normal.Render(strings.Repeat(" ", gap)) + hint
	}
	return ansi.Truncate(bar, m.width, "")
}

// statusLine is the last line: network, tip, sync progress and peers, with
// the progress bar narrowed or left out when the width asks.
func (m *Model) statusLine() string {
	if m.notice != "" {
		text := ansi.Truncate(" "+m.notice, m.width, "…")
		return m.common.Styles.Error.Render(text + strings.Repeat(" ", max(m.width-ansi.StringWidth(text), 0)))
	}
	var text string
	if m.copy.flash != nil {
		text = " " + m.copy.flashText(m.width)
		if tw := ansi.StringWidth(text); tw > m.width {
			text = ansi.Truncate(text, m.width, "…")
		} else {
			text += strings.Repeat(" ", m.width-tw)
		}
		return m.common.Styles.StatusBar.Render(text)
	}
	for _, bw := range barWidths {
		text = " " + strings.Join(m.statusParts(bw), " · ") + " "
		if ansi.StringWidth(text) <= m.width {
			break
		}
	}
	if tw := ansi.StringWidth(text); tw > m.width {
		text = ansi.Truncate(text, m.width, "…")
	} else {
		text += strings.Repeat(" ", m.width-tw)
	}
	return m.common.Styles.StatusBar.Render(text)
}

// helpBindings returns the bindings of the page on screen and the global
// ones, as the help overlay lists them.
func (m *Model) helpBindings() (page, global []key.Binding) {
	k := m.common.KeyMap
	for _, group := range m.top(m.active).FullHelp() {
		page = append(page, group...)
	}
	if m.closesOnBack() {
		page = append(page, k.Back)
	}
	for t, b := range k.Tabs[:numTabs] {
		// Name the tab rather than its number.
		global = append(global, key.NewBinding(key.WithKeys(b.Keys()...),
			key.WithHelp(b.Help().Key, strings.ToLower(tabNames[t]))))
	}
	global = append(global, k.NextTab, k.PrevTab, k.Help)
	if m.src.Wallet != nil {
		global = append(global, k.Lock)
	}
	global = append(global, k.Quit, m.keys.Interrupt)
	return enabled(page), enabled(global)
}

// enabled drops disabled bindings and repeats.
func enabled(bs []key.Binding) []key.Binding {
	out := bs[:0:0]
	seen := map[string]bool{}
	for _, b := range bs {
		h := b.Help()
		id := h.Key + "\x00" + h.Desc
		if !b.Enabled() || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, b)
	}
	return out
}

// helpView draws the help overlay in a box in the middle of the page area,
// or as plain lines when the box does not fit.
func (m *Model) helpView(w, h int) string {
	st := m.common.Styles
	page, global := m.helpBindings()
	pageCol := m.helpColumn(tabNames[m.active], page)
	globalCol := m.helpColumn("Everywhere", global)
	// The keymap's rule goes under the title when the box still fits.
	for _, rule := range []bool{true, false} {
		head := []string{st.Title.Render("Keys") + "  " + st.Muted.Render("? or esc to close")}
		if rule {
			head = append(head, st.Muted.Render(common.KeyRule))
		}
		box := st.Dialog.Render(lipgloss.JoinVertical(lipgloss.Left, append(head, "",
			lipgloss.JoinHorizontal(lipgloss.Top, pageCol, "    ", globalCol))...))
		if lipgloss.Width(box) <= w && lipgloss.Height(box) <= h {
			return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
		}
	}
	// Without the box the two columns may still fit side by side.
	cols := lipgloss.JoinVertical(lipgloss.Left, st.Title.Render("Keys")+"  "+st.Muted.Render("? or esc to close"),
		lipgloss.JoinHorizontal(lipgloss.Top, pageCol, "    ", globalCol))
	if lipgloss.Width(cols) <= w && lipgloss.Height(cols) <= h {
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Top, cols)
	}
	// Or with the page's column cut to the room the global one leaves.
	if room := w - lipgloss.Width(globalCol) - 2; room >= 20 {
		cut := strings.Split(pageCol, "\n")
		for i, l := range cut {
			cut[i] = ansi.Truncate(l, room, "…")
		}
		cols = lipgloss.JoinVertical(lipgloss.Left, st.Title.Render("Keys")+"  "+st.Muted.Render("? or esc to close"),
			lipgloss.JoinHorizontal(lipgloss.Top, strings.Join(cut, "\n"), "  ", globalCol))
		if lipgloss.Width(cols) <= w && lipgloss.Height(cols) <= h {
			return lipgloss.Place(w, h, lipgloss.Left, lipgloss.Top, cols)
		}
	}
	lines := append(strings.Split(pageCol, "\n"), strings.Split(globalCol, "\n")...)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "")
	}
	return strings.Join(fixHeight(strings.Join(lines, "\n"), h), "\n")
}

// helpColumn lists bindings under a title, keys aligned.
func (m *Model) helpColumn(title string, bs []key.Binding) string {
	st := m.common.Styles
	keyW := 0
	for _, b := range bs {
		keyW = max(keyW, ansi.StringWidth(b.Help().Key))
	}
	lines := []string{st.Subtitle.Render(title)}
	if len(bs) == 0 {
		lines = append(lines, st.Muted.Render("no keys of its own"))
	}
	for _, b := range bs {
		h := b.Help()
		pad := strings.Repeat(" ", keyW-ansi.StringWidth(h.Key))
		lines = append(lines, st.HelpKey.Render(h.Key)+pad+"  "+st.HelpDesc.Render(h.Desc))
	}
	return strings.Join(lines, "\n")
}
