package wallet

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

const (
	qrGap      = 2  // cells between the QR code and the text beside it
	minTextW   = 30 // narrowest text column beside the QR code
	amountHint = "e.g. 0.001, 0.5 btc or 50000 sat"
)

// View draws the address, amount and request, with the QR code beside or
// below them when it fits; otherwise a line says to enlarge the terminal.
// It is exactly Height lines of at most Width cells.
func (m *Receive) View() tea.View { return tea.NewView(m.render()) }

func (m *Receive) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := m.layoutLines(w, h)
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Receive) layoutLines(w, h int) []string {
	if m.addr == nil {
		return m.textLines(w)
	}
	for _, c := range m.qrs {
		// Beside: the QR code on the left, the text on the right.
		if tw := w - c.Width - qrGap; tw >= minTextW && len(c.Lines) <= h {
			if text := m.textLines(tw); len(text) <= h {
				st := m.common.Styles
				out := make([]string, max(len(text), len(c.Lines)))
				for i := range out {
					q := st.Normal.Render(strings.Repeat(" ", c.Width))
					if i < len(c.Lines) {
						q = st.QR.Render(c.Lines[i])
					}
					t := ""
					if i < len(text) {
						t = text[i]
					}
					out[i] = q + st.Normal.Render(strings.Repeat(" ", qrGap)) + t
				}
				return out
			}
		}
		// Below the text.
		if c.Width <= w {
			if text := m.textLines(w); len(text)+1+len(c.Lines) <= h {
				out := append(text, "")
				for _, l := range c.Lines {
					out = append(out, m.common.Styles.QR.Render(l))
				}
				return out
			}
		}
	}
	// No room for the code: say so right under the address, which the
	// user still needs.
	text := m.textLines(w)
	n := min(1+len(common.HardWrap(m.addr.EncodeAddress(), w)), len(text))
	out := append([]string(nil), text[:n]...)
	for _, s := range common.WordWrap(enlargeQR, w) {
		out = append(out, m.common.Styles.Muted.Render(common.Fit(s, w)))
	}
	return append(out, text[n:]...)
}

// textLines draws everything but the QR code in a column w cells wide, each
// line exactly w cells.
func (m *Receive) textLines(w int) []string {
	st := m.common.Styles
	var out []string
	add := func(s string) { out = append(out, st.Normal.Render(common.Fit(s, w))) }
	addr := func(s string) { out = append(out, st.Address.Render(common.Fit(s, w))) }
	title := func(s string) { out = append(out, st.Title.Render(common.Fit(s, w))) }
	section := func(s string) { out = append(out, st.Subtitle.Render(common.Fit(s, w))) }

	switch {
	case m.err != nil:
		title("Receive")
		for _, s := range common.WordWrap("Could not get a receive address: "+m.err.Error()+". Press n to try again.", w) {
			out = append(out, st.Error.Render(common.Fit(s, w)))
		}
		return out
	case m.addr == nil:
		title("Receive")
		out = append(out, st.Muted.Render(common.Fit("Getting a receive address…", w)))
		return out
	}

	title("Receive address #" + common.FormatInt(int64(m.index)))
	for _, s := range common.HardWrap(m.addr.EncodeAddress(), w) {
		addr(s)
	}
	add("")
	if m.input.Focused() {
		section("Amount (enter when done)")
	} else {
		section("Amount (a to edit)")
	}
	out = append(out, common.Line(w, st.Normal, common.Span{Text: m.input.View(st)}))
	if m.amtErr != nil {
		for _, s := range common.WordWrap(m.amtErr.Error(), w) {
			out = append(out, st.Error.Render(common.Fit(s, w)))
		}
	} else {
		for _, s := range common.WordWrap(amountHint, w) {
			out = append(out, st.Muted.Render(common.Fit(s, w)))
		}
	}
	add("")
	section("Payment request (BIP21)")
	for _, s := range common.HardWrap(m.uri, w) {
		addr(s)
	}
	add("")
	out = append(out, st.Muted.Render(common.Fit("n new address · a amount", w)))
	return out
}
