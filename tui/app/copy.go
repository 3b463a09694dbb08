package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/tui/common"
)

// copyState is the root's side of copying: whether the terminal is
// expected to take OSC 52, the chooser a page with several things to copy
// opens, the text shown for selecting, and the flash that names the last
// copy in the status line.
//
// A terminal that drops OSC 52 cannot say so. So a copy is sent and named
// in the status line, and y pressed again right after it shows the text to
// select by hand; where the environment says there is no clipboard at all
// (TERM=linux, dumb), the text is shown at once.
type copyState struct {
	clip common.Clipboard
	term string // TERM, for the text shown when there is no clipboard

	choose []common.CopyItem // the chooser's items; nil when closed
	cursor int

	show    *common.CopyItem // shown for selecting; nil when closed
	showWhy string
	showOff int // first line of the text shown

	flash *common.CopyItem // the last copy, until the next key
}

// open reports whether an overlay takes the keys.
func (c *copyState) open() bool { return c.choose != nil || c.show != nil }

// applyEnv reads the terminal's kind from the program's environment.
func (c *copyState) applyEnv(env tea.EnvMsg) {
	c.term = env.Getenv("TERM")
	c.clip = common.ClipboardFor(env.Getenv)
}

// startCopy copies a page's only item, or opens the chooser for several.
func (m *Model) startCopy(msg common.CopyMsg) tea.Cmd {
	switch len(msg.Items) {
	case 0:
		return nil
	case 1:
		return m.copyItem(msg.Items[0])
	}
	m.copy.choose, m.copy.cursor, m.copy.show = msg.Items, 0, nil
	return nil
}

// copyItem sends it to the clipboard with OSC 52 and names it in the
// status line, or shows it for selecting where there is no clipboard.
func (m *Model) copyItem(it common.CopyItem) tea.Cmd {
	m.copy.choose = nil
	if m.copy.clip == common.ClipboardNone {
		term := m.copy.term
		if term == "" {
			term = "not set"
		}
		m.copy.showText(it, "This terminal (TERM="+term+") has no clipboard satchel can reach: select the text above and copy it with the terminal.")
		return nil
	}
	m.copy.flash = &it
	return tea.SetClipboard(it.Text)
}

// showText opens the overlay that shows it whole, for selecting.
func (c *copyState) showText(it common.CopyItem, why string) {
	c.choose, c.show, c.showWhy, c.showOff = nil, &it, why, 0
}

// flashText is what the status line says after a copy, in w cells.
func (c *copyState) flashText(w int) string {
	it := c.flash
	k := "y"
	short := common.ShortID(it.Text, 13)
	if c.clip == common.ClipboardTmux {
		return "sent the " + it.What + " " + short + " to tmux (OSC 52, needs set-clipboard on) · " + k + " shows it"
	}
	long := "copied the " + it.What + " " + short + " to the clipboard (OSC 52) · nothing pasted? " + k + " shows it"
	if ansi.StringWidth(long)+2 <= w {
		return long
	}
	return "copied the " + it.What + " " + short + " (OSC 52) · nothing pasted? " + k + " shows it"
}

// copyKey handles the keys while an overlay is open: in the chooser ↑/↓
// choose and y or enter copies; esc closes either overlay, and ↑/↓
// scroll a long text.
func (m *Model) copyKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	c := &m.copy
	if c.show != nil {
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Enter), key.Matches(msg, k.Copy), key.Matches(msg, k.Quit):
			c.show = nil
		case key.Matches(msg, k.Up):
			c.showOff--
		case key.Matches(msg, k.Down):
			c.showOff++
		}
		if c.show != nil {
			text, _, room := c.showLayout(m.pageSize())
			c.showOff = min(max(c.showOff, 0), max(len(text)-room, 0))
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
		c.choose = nil
	case key.Matches(msg, k.Copy), key.Matches(msg, k.Enter):
		return m.copyItem(c.choose[c.cursor])
	case key.Matches(msg, k.Up):
		c.cursor = (c.cursor + len(c.choose) - 1) % len(c.choose)
	case key.Matches(msg, k.Down):
		c.cursor = (c.cursor + 1) % len(c.choose)
	}
	return nil
}

// copyView draws the open overlay in the page area.
func (m *Model) copyView(w, h int) string {
	if m.copy.show != nil {
		return m.showView(w, h)
	}
	st := m.common.Styles
	k := m.common.KeyMap
	c := &m.copy
	lines := []string{st.Title.Render(common.Fit("Copy which?", w)), ""}
	whatW := 0
	for _, it := range c.choose {
		whatW = max(whatW, ansi.StringWidth(it.What))
	}
	// The list scrolls to keep the cursor on the page.
	rows := max(h-4, 1)
	first := max(c.cursor-rows+1, 0)
	for i, it := range c.choose[first:min(first+rows, len(c.choose))] {
		i += first
		mark := "  "
		if i == c.cursor {
			mark = "> "
		}
		text := mark + common.PadRight(it.What, whatW) + "  "
		text += common.ShortID(it.Text, max(w-ansi.StringWidth(text), 0))
		if i == c.cursor {
			lines = append(lines, st.Selected.Render(common.Fit(text, w)))
		} else {
			lines = append(lines, st.Normal.Render(common.Fit(text, w)))
		}
	}
	lines = append(lines, "", st.Muted.Render(common.Fit(k.Up.Help().Key+" "+k.Down.Help().Key+" choose · "+
		k.Copy.Help().Key+" or "+k.Enter.Help().Key+" copy · "+k.Back.Help().Key+" cancel", w)))
	return strings.Join(fixHeight(strings.Join(lines, "\n"), h), "\n")
}

// showView draws the text whole, cut into lines of the page's width with
// nothing before or after it on a line, so that a selection holds only
// the text; a text taller than the page scrolls with ↑/↓.
func (m *Model) showView(w, h int) string {
	st := m.common.Styles
	k := m.common.KeyMap
	c := &m.copy
	text, whyLines, room := c.showLayout(w, h)
	off := min(max(c.showOff, 0), max(len(text)-room, 0))
	hint := k.Back.Help().Key + " closes"
	if len(text) > room {
		last := min(off+room, len(text))
		hint = k.Up.Help().Key + " " + k.Down.Help().Key + " scroll (lines " + common.FormatInt(int64(off+1)) + "–" +
			common.FormatInt(int64(last)) + " of " + common.FormatInt(int64(len(text))) + ") · " + hint
		text = text[off:last]
	}
	lines := []string{st.Title.Render(common.Fit("Select the "+c.show.What+" to copy it", w)), ""}
	for _, l := range text {
		lines = append(lines, st.Normal.Render(l))
	}
	lines = append(lines, "")
	for _, l := range whyLines {
		lines = append(lines, st.Muted.Render(common.Fit(l, w)))
	}
	lines = append(lines, st.Muted.Render(common.Fit(hint, w)))
	return strings.Join(fixHeight(strings.Join(lines, "\n"), h), "\n")
}

// showLayout cuts the shown text and the reason under it into lines of w
// cells and says how many text lines fit in h.
func (c *copyState) showLayout(w, h int) (text, why []string, room int) {
	reason := c.showWhy
	if reason == "" {
		reason = "If nothing was pasted, the terminal did not take the copy (OSC 52): select the text above with the mouse instead."
	}
	why = common.WordWrap(reason, w)
	text = common.HardWrap(c.show.Text, w)
	return text, why, max(h-4-len(why), 1) // title, blank, blank, hint
}
