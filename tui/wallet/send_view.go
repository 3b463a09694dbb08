package wallet

// Drawing the send flow: the form, the coin control list and the frame with
// the key line; the review is drawn in send_review.go.

import (
	"fmt"
	"math"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
)

// View draws the screen of the flow that is shown, exactly Height lines of
// at most Width cells.
func (m *Send) View() tea.View { return tea.NewView(m.render()) }

func (m *Send) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	var body []string
	switch m.state {
	case sendStateCoins:
		body = m.coinLines(w)
	case sendStateReview:
		body = m.reviewLines(w)
	default:
		body = m.formLines(w)
	}
	return sendFrame(body, m.footer(), m.common.Styles, w, h)
}

// sendFrame cuts or pads body to leave the last line for the footer.
func sendFrame(body []string, footer string, st *themes.Styles, w, h int) string {
	if len(body) > h-1 {
		body = body[:max(h-1, 0)]
	}
	for len(body) < h-1 {
		body = append(body, "")
	}
	if h > 1 {
		body = append(body, st.Muted.Render(common.Fit(footer, w)))
	} else {
		body = body[:h]
	}
	return strings.Join(body, "\n")
}

// footer lists the keys of the screen shown.
func (m *Send) footer() string {
	var parts []string
	for _, b := range m.ShortHelp() {
		if b.Enabled() {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(parts, " · ")
}

// formLines draws the form.
func (m *Send) formLines(w int) []string {
	st := m.common.Styles
	out := []string{st.Title.Render(common.Fit(titleRight("Send", m.availableText(), w), w))}
	if m.loadErr != nil {
		out = append(out, st.Error.Render(common.Fit("Could not read the wallet's coins: "+m.loadErr.Error(), w)))
	} else {
		out = append(out, "")
	}
	for i := range m.fields {
		title := st.Normal.Render(common.Fit("  "+sendFieldTitles[i], w))
		if i == m.focus {
			title = st.Accent.Render(common.Fit("▸ "+sendFieldTitles[i], w))
		}
		out = append(out, title, common.Line(w, st.Normal, common.Span{Text: common.InputView(m.fields[i], st)}))
		if e := m.errs[i]; e != "" {
			lines := common.WordWrap(e, w-2)
			if len(lines) > 2 {
				lines = []string{lines[0], common.Fit(lines[1]+" "+lines[2], w-2)}
			}
			for _, l := range lines {
				out = append(out, st.Error.Render(common.Fit("  "+l, w)))
			}
		} else {
			style := st.Muted
			if i == sendFieldFee && m.absurdFeeRate() {
				style = st.Warning
			}
			out = append(out, style.Render(common.Fit("  "+m.hint(i), w)))
		}
	}
	out = append(out, "", st.Normal.Render(common.Fit(m.coinsSummary(), w)))
	switch {
	case m.drafting:
		out = append(out, st.Muted.Render(common.Fit("Preparing the payment…", w)))
	case m.draftErr != nil:
		for _, l := range common.WordWrap("Could not prepare the payment: "+m.draftErr.Error(), w) {
			out = append(out, st.Error.Render(common.Fit(l, w)))
		}
	}
	// The suggestions come last, after a blank line; they give that line
	// up rather than be cut, and are cut rather than push out the rest.
	room := m.common.Height - 1 - len(out)
	switch all := m.feeLines(w, math.MaxInt); {
	case len(all) == 0:
	case len(all) < room:
		out = append(append(out, ""), all...)
	case len(all) == room:
		out = append(out, all...)
	default:
		cut := m.feeLines(w, room)
		if len(cut) < room {
			out = append(out, "")
		}
		out = append(out, cut...)
	}
	return out
}

// titleRight writes left and right on one line of w cells, dropping right
// when they do not both fit.
func titleRight(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if right == "" || gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// availableText is what the payment may spend, for the title line.
func (m *Send) availableText() string {
	avail, chosen, known := m.available()
	switch {
	case !known && m.loadErr == nil:
		return "reading coins…"
	case !known:
		return ""
	case chosen:
		return "chosen coins " + formatAmount(avail, m.units, false)
	}
	return "spendable " + formatAmount(avail, m.units, false)
}

// hint is the muted line under field i when it has no error.
func (m *Send) hint(i int) string {
	switch i {
	case sendFieldTo:
		if m.addr != nil {
			s := "pays " + m.addr.EncodeAddress()
			if m.uriMessage != "" {
				s += " · " + m.uriMessage
			}
			return s
		}
		return "a " + m.net.Name + " address, or a bitcoin: URI with amount and label"
	case sendFieldAmount:
		switch {
		case m.sendMax:
			return "everything spendable, less the fee"
		case m.amt > 0:
			other := UnitsSat
			if m.units == UnitsSat {
				other = UnitsBTC
			}
			return formatAmount(m.amt, m.units, false) + " = " + formatAmount(m.amt, other, false)
		}
		return "e.g. 0.001, 0.5 btc, 50000 sat, or max for everything"
	case sendFieldFee:
		if m.absurdFeeRate() {
			return fmt.Sprintf("above %s sat/vB, very likely a mistake: the review asks to confirm it",
				common.FormatInt(core.AbsurdFeeRateSatVB))
		}
		if m.focus == sendFieldFee && len(m.suggestedRates()) > 0 {
			return m.feeHint()
		}
		if m.defaultRate > 0 {
			return "satoshis per virtual byte; the default is " + formatRate(m.defaultRate)
		}
		return "satoshis per virtual byte"
	}
	return "saved with the transaction"
}

// coinsSummary says which coins the payment spends.
func (m *Send) coinsSummary() string {
	k := m.KeyMap.CoinControl.Help().Key
	n := len(m.chosen)
	if n == 0 {
		return "Coins: chosen automatically (" + k + " to choose)"
	}
	avail, _, _ := m.available()
	s := "coins"
	if n == 1 {
		s = "coin"
	}
	return fmt.Sprintf("Coins: %d chosen %s, %s (%s to change)", n, s, formatAmount(avail, m.units, false), k)
}

// coinRow draws coin i of the coin control list as the Coins page draws
// its rows, with a box that says whether it is chosen.
func (m *Send) coinRow(l coinsLayout, i int) string {
	c := m.coins[i]
	sel, box := "  ", "[ ] "
	if i == m.coinCursor {
		sel = "> "
	}
	if m.chosen[c.out.OutPoint] {
		box = "[x] "
	}
	return coinRowLine(m.common.Styles, l, c, m.units, sel+box, i == m.coinCursor, false)
}

// coinLines draws the coin control list.
func (m *Send) coinLines(w int) []string {
	st := m.common.Styles
	avail, _, _ := m.available()
	right := "automatic selection"
	if n := len(m.chosen); n > 0 {
		right = fmt.Sprintf("%d of %d chosen · %s", n, len(m.coins), formatAmount(avail, m.units, false))
	}
	out := []string{st.Title.Render(common.Fit(titleRight("Coin control", right, w), w))}
	switch {
	case m.coinNote != "":
		out = append(out, st.Error.Render(common.Fit(m.coinNote, w)))
	case len(m.chosen) == 0:
		out = append(out, st.Muted.Render(common.Fit("No coin chosen: the wallet picks spendable ones; frozen coins can be chosen here.", w)))
	default:
		out = append(out, st.Muted.Render(common.Fit("Only the chosen coins are spent.", w)))
	}
	switch {
	case m.loadErr != nil && !m.loaded:
		return append(out, st.Error.Render(common.Fit("Could not read the wallet's coins: "+m.loadErr.Error(), w)))
	case !m.loaded:
		return append(out, st.Muted.Render(common.Fit("Reading coins…", w)))
	case len(m.coins) == 0:
		return append(out, st.Muted.Render(common.Fit("The wallet has no coins.", w)))
	}
	if m.labelErr != nil {
		out = append(out, st.Warning.Render(common.Fit("Labels could not be read: "+m.labelErr.Error(), w)))
	}
	const mark = len("> [x] ")
	l := layoutCoins(w, mark, m.coinWidths)
	head := l.cells(gap, strings.Repeat(" ", mark), common.Fit("outpoint", l.opW), common.Fit("address", l.addrW),
		common.PadLeft("amount", l.amountW), common.PadLeft("confs", l.confW), common.Fit("state", l.stateW), common.Fit("label", l.labelW))
	out = append(out, st.TableHeader.Render(common.Fit(head, w)))
	for i := m.coinOffset; i < min(m.coinOffset+m.coinRows(), len(m.coins)); i++ {
		out = append(out, m.coinRow(l, i))
	}
	if m.coinDetailShown() && m.coinCursor < len(m.coins) {
		for len(out) < m.common.Height-1-coinsDetail {
			out = append(out, "")
		}
		out = append(out, "")
		out = append(out, coinDetailLines(st, m.coins[m.coinCursor], w, "none")...)
	}
	return out
}
