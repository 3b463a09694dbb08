package wallet

import (
	"fmt"
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
	switch {
	case m.gap != nil:
		return m.gapLines(w)
	case m.addr == nil:
		return m.textLines(w)
	case m.full:
		return m.fullLines(w)
	}
	addrW := len(m.addr.EncodeAddress())
	// First look for a layout that shows the address whole, then for
	// any that shows the code.
	for _, whole := range []bool{true, false} {
		for _, c := range m.qrs {
			tw := w - c.Width - qrGap
			beside := tw >= minTextW && len(c.Lines) <= h
			// Beside: the QR code on the left, the text on the right.
			if beside && (!whole || addrW <= tw) {
				if text := m.textLines(tw); len(text) <= h {
					return m.besideQR(c, text, nil)
				}
			}
			// The title and address above, the rest beside the code.
			if beside && whole && addrW > tw && addrW <= w {
				head, body := m.headLines(w), m.bodyLines(tw, false)
				if len(head)+max(len(body), len(c.Lines)) <= h {
					return m.besideQR(c, body, head)
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
	}
	// No room for the code: say so right under the address, which the
	// user still needs.
	text := m.textLines(w)
	n := min(len(m.headLines(w)), len(text))
	out := append([]string(nil), text[:n]...)
	for _, s := range common.WordWrap(enlargeQR, w) {
		out = append(out, m.common.Styles.Muted.Render(common.Fit(s, w)))
	}
	return append(out, text[n:]...)
}

// besideQR draws the QR code c with text on its right, under head.
func (m *Receive) besideQR(c common.QRCode, text, head []string) []string {
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
	return append(append([]string(nil), head...), out...)
}

// textLines draws everything but the QR code in a column w cells wide, each
// line exactly w cells.
func (m *Receive) textLines(w int) []string {
	st := m.common.Styles
	switch {
	case m.err != nil:
		out := []string{st.Title.Render(common.Fit("Receive", w))}
		for _, s := range common.WordWrap("Could not get a receive address: "+m.err.Error()+". Press "+m.KeyMap.NewAddress.Help().Key+" to try again.", w) {
			out = append(out, st.Error.Render(common.Fit(s, w)))
		}
		return out
	case m.addr == nil:
		return []string{st.Title.Render(common.Fit("Receive", w)),
			st.Muted.Render(common.Fit("Getting a receive address…", w))}
	}
	return append(m.headLines(w), m.bodyLines(w, len(m.addr.EncodeAddress()) > w)...)
}

// headLines draws the title and the address, on one line: shortened in the
// middle when it does not fit, the whole of it a key away.
func (m *Receive) headLines(w int) []string {
	st := m.common.Styles
	return []string{
		st.Title.Render(common.Fit("Receive address #"+common.FormatInt(int64(m.index)), w)),
		st.Address.Render(common.Fit(common.ShortID(m.addr.EncodeAddress(), w), w)),
	}
}

// bodyLines draws what follows the address: the amount, the request and
// the keys; shortened says the address above was cut.
func (m *Receive) bodyLines(w int, shortened bool) []string {
	st := m.common.Styles
	var out []string
	add := func(s string) { out = append(out, st.Normal.Render(common.Fit(s, w))) }
	addr := func(s string) { out = append(out, st.Address.Render(common.Fit(s, w))) }
	section := func(s string) { out = append(out, st.Subtitle.Render(common.Fit(s, w))) }

	if shortened {
		out = append(out, st.Muted.Render(common.Fit(m.KeyMap.FullAddress.Help().Key+" shows the address in full", w)))
	} else {
		add("")
	}
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
	for _, l := range uriLines(m.uri, m.addr.EncodeAddress(), w) {
		addr(l)
	}
	add("")
	k := m.KeyMap
	out = append(out, st.Muted.Render(common.Fit(k.NewAddress.Help().Key+" new address · "+k.EditAmount.Help().Key+" amount", w)))
	return out
}

// uriLines lays a payment request out in lines of w cells without breaking
// its address: one line when it fits, else the scheme, the address and the
// parameters as many to a line as fit. An address wider than w is shortened
// in the middle; long parameters are wrapped.
func uriLines(uri, addr string, w int) []string {
	if len(uri) <= w {
		return []string{uri}
	}
	scheme, rest, ok := strings.Cut(uri, addr)
	if !ok {
		return common.HardWrap(uri, w)
	}
	parts := []string{scheme, common.ShortID(addr, w)}
	if rest != "" {
		parts = append(parts, common.HardWrap(rest, w)...)
	}
	var lines []string
	for _, p := range parts {
		if n := len(lines); n > 0 && len(lines[n-1])+len(p) <= w {
			lines[n-1] += p
			continue
		}
		lines = append(lines, p)
	}
	return lines
}

// fullLines draws the address alone: in groups of four characters,
// wrapped between groups, so that it can be read out and compared, and
// whole when it fits.
func (m *Receive) fullLines(w int) []string {
	st := m.common.Styles
	a := m.addr.EncodeAddress()
	out := []string{st.Title.Render(common.Fit("Receive address #"+common.FormatInt(int64(m.index))+" in full", w)), ""}
	for _, l := range addressGroups(a, w) {
		out = append(out, st.Address.Render(common.Fit(l, w)))
	}
	if len(a) <= w {
		out = append(out, "", st.Address.Render(common.Fit(a, w)))
	}
	if m.amount > 0 {
		out = append(out, "", st.Normal.Render(common.Fit("Amount "+formatAmount(m.amount, UnitsBTC, false), w)))
	}
	out = append(out, "", st.Muted.Render(common.Fit(m.KeyMap.CloseFull.Help().Key+" back", w)))
	return out
}

// addressGroups splits a into groups of four characters, as many to a
// line of w cells as fit; a line narrower than a group gets one group.
func addressGroups(a string, w int) []string {
	var groups []string
	for len(a) > 4 {
		groups = append(groups, a[:4])
		a = a[4:]
	}
	if a != "" {
		groups = append(groups, a)
	}
	var lines []string
	line := ""
	for _, g := range groups {
		switch {
		case line == "":
			line = g
		case len(line)+1+len(g) <= w:
			line += " " + g
		default:
			lines = append(lines, line)
			line = g
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// gapLines asks whether to hand out an address beyond the gap limit, and
// says why it matters.
func (m *Receive) gapLines(w int) []string {
	st := m.common.Styles
	g := m.gap
	out := []string{st.Title.Render(common.Fit("Receive", w)), ""}
	out = append(out, st.Warning.Render(common.Fit(fmt.Sprintf("! Address #%d is beyond the gap limit", g.next), w)), "")
	for _, l := range common.WordWrap(gapText(g), w) {
		out = append(out, st.Normal.Render(common.Fit(l, w)))
	}
	keep := m.KeyMap.KeepAddress.Help().Key + " keep #" + common.FormatInt(int64(m.index))
	if m.addr == nil {
		keep = m.KeyMap.KeepAddress.Help().Key + " show #" + common.FormatInt(int64(g.next-1)) + " again"
	}
	out = append(out, "", st.Accent.Render(common.Fit(m.KeyMap.HandOut.Help().Key+" hand out #"+common.FormatInt(int64(g.next))+" anyway · "+keep, w)))
	return out
}

// gapText explains the gap warning with the wallet's figures.
func gapText(g *gapWarning) string {
	n := func(i uint32) string { return "#" + common.FormatInt(int64(i)) }
	unused := g.next - g.used
	var s string
	switch {
	case unused == 1:
		s = fmt.Sprintf("Address %s was handed out and has not received a payment yet.", n(g.next-1))
	case g.used == 0:
		s = fmt.Sprintf("Addresses %s–%s were handed out and none of them has received a payment yet.", n(0), n(g.next-1))
	default:
		s = fmt.Sprintf("Addresses %s–%s were handed out after %s, the last one paid, and none of them has received a payment yet.",
			n(g.used), n(g.next-1), n(g.used-1))
	}
	limit := common.FormatInt(int64(g.limit))
	if g.used == 0 {
		s += fmt.Sprintf(" A wallet restored from this seed with a gap limit of %s looks at the first %s addresses only,", limit, limit)
	} else {
		s += fmt.Sprintf(" A wallet restored from this seed with a gap limit of %s looks %s addresses past the last one paid,", limit, limit)
	}
	return s + fmt.Sprintf(" so it would not find payments to %s unless one of those is paid first. This wallet itself will see them.", n(g.next))
}
