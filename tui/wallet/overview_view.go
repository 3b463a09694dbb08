package wallet

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

const (
	markW      = 2 // "> " before the selected row, for terminals without colour
	gap        = "  "
	dateLayout = "2006-01-02 15:04"
	dayLayout  = "2006-01-02"
	fullTxidW  = 64
	minLabelW  = 12
)

// emptyHistory is shown in place of the history of a wallet without
// transactions.
const emptyHistory = "No transactions yet — receive some coins (r)"

// historyLayout is the column set for one width: narrow terminals drop the
// time of day, then shorten the txid.
type historyLayout struct {
	width   int
	dateW   int
	long    bool // date with time of day
	amountW int
	txidW   int
	labelW  int
}

func (m *Overview) layout() historyLayout {
	l := historyLayout{width: m.common.Width, dateW: len(dateLayout), long: true, amountW: m.amountW, txidW: 17}
	rest := func() int {
		return l.width - markW - l.dateW - len(gap) - l.amountW - len(gap) - l.txidW - len(gap)
	}
	if rest() < minLabelW {
		l.dateW, l.long = len("unconfirmed"), false
	}
	if r := rest(); r < minLabelW {
		l.txidW = max(l.txidW-(minLabelW-r), 9)
	}
	if r := rest(); r > minLabelW+fullTxidW-l.txidW+20 {
		// Wide terminals show the whole txid and still leave room for labels.
		l.txidW = fullTxidW
	}
	l.labelW = max(rest(), 0)
	return l
}

// View draws the balance block, the history and a footer, exactly Height
// lines of at most Width cells.
func (m *Overview) View() tea.View { return tea.NewView(m.render()) }

func (m *Overview) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.common.Styles
	lines := make([]string, 0, h)

	switch {
	case m.err != nil:
		msg := "Could not read the wallet: " + m.err.Error() + ". Press a key to try again."
		for _, s := range common.WordWrap(msg, w) {
			lines = append(lines, st.Error.Render(common.Fit(s, w)))
		}
	case !m.loaded:
		lines = append(lines, st.Muted.Render(common.Fit("Loading wallet…", w)))
	default:
		lines = append(lines, m.balanceLines(w)...)
		lines = append(lines, m.historyLines(w)...)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	if m.loaded && m.err == nil && h > headerLines+1 {
		lines[h-1] = st.Muted.Render(common.Fit(m.footer(), w))
	}
	return strings.Join(lines, "\n")
}

// balanceLines draws the headerLines lines of the balance block.
func (m *Overview) balanceLines(w int) []string {
	st := m.common.Styles
	asOf := "as of block " + common.FormatInt(int64(m.height))
	title := "Balance"
	title = title + strings.Repeat(" ", max(w-len(title)-len(asOf), 1)) + asOf
	rows := []struct {
		name string
		amt  string
	}{
		{"Confirmed", formatAmount(m.balance.Confirmed, m.units, false)},
		{"Unconfirmed", formatAmount(m.balance.Unconfirmed, m.units, false)},
		{"Immature", formatAmount(m.balance.Immature, m.units, false)},
		{"Total", formatAmount(m.balance.Total, m.units, false)},
	}
	amtW := 0
	for _, r := range rows {
		amtW = max(amtW, len(r.amt))
	}
	out := []string{st.Title.Render(common.Fit(title, w))}
	for _, r := range rows {
		s := "  " + common.Fit(r.name, len("Unconfirmed")) + "  " + common.PadLeft(r.amt, amtW)
		if r.name == "Total" {
			out = append(out, st.Accent.Render(common.Fit(s, w)))
			continue
		}
		out = append(out, st.Normal.Render(common.Fit(s, w)))
	}
	return append(out, "")
}

// historyLines draws the column titles and the visible rows, or the empty
// state.
func (m *Overview) historyLines(w int) []string {
	st := m.common.Styles
	if len(m.history) == 0 {
		return []string{st.Muted.Render(common.Fit(emptyHistory, w))}
	}
	l := m.layout()
	out := []string{st.TableHeader.Render(common.Fit(l.cells(false, "date", common.PadLeft("amount", l.amountW), "txid", "label"), w))}
	vis := m.visibleRows()
	for i := m.offset; i < min(m.offset+vis, len(m.history)); i++ {
		out = append(out, m.row(l, i))
	}
	return out
}

// row draws history entry i: the amount received or sent, the txid and the
// label each in its style, "unconfirmed" in place of the date of a payment
// not mined yet. The selected row is drawn in one style so its highlight is
// not broken by the amount's colour.
func (m *Overview) row(l historyLayout, i int) string {
	e := m.history[i]
	st := m.common.Styles
	date := "unconfirmed"
	if e.Height > 0 {
		layout := dayLayout
		if l.long {
			layout = dateLayout
		}
		date = e.BlockTime.In(m.loc).Format(layout)
	}
	amt := common.PadLeft(formatAmount(e.Amount, m.units, true), l.amountW)
	txid := common.ShortID(e.Txid.String(), l.txidW)
	label := e.Label
	if i == m.cursor {
		return st.Selected.Render(common.Fit(l.cells(true, date, amt, txid, label), l.width))
	}
	amtStyle := st.AmountPositive
	if e.Amount < 0 {
		amtStyle = st.AmountNegative
	}
	dateStyle := st.Normal
	if e.Height <= 0 {
		dateStyle = st.Unconfirmed
	}
	spans := []common.Span{
		{Text: "  ", Style: st.Normal},
		{Text: common.Fit(date, l.dateW), Style: dateStyle},
		{Text: gap, Style: st.Normal},
		{Text: common.Fit(amt, l.amountW), Style: amtStyle},
		{Text: gap, Style: st.Normal},
		{Text: common.Fit(txid, l.txidW), Style: st.Hash},
	}
	if l.labelW > 0 && label != "" {
		// The label is the last column: Line pads after it, so that an
		// underlined label (NO_COLOR) does not underline blanks.
		spans = append(spans, common.Span{Text: gap, Style: st.Normal}, common.Span{Text: label, Style: st.Label})
	}
	return common.Line(l.width, st.Normal, spans...)
}

// cells lays out one row in plain text, for the column titles and the
// selected row.
func (l historyLayout) cells(selected bool, date, amt, txid, label string) string {
	var b strings.Builder
	if selected {
		b.WriteString("> ")
	} else {
		b.WriteString("  ")
	}
	b.WriteString(common.Fit(date, l.dateW))
	b.WriteString(gap)
	b.WriteString(common.Fit(amt, l.amountW))
	b.WriteString(gap)
	b.WriteString(common.Fit(txid, l.txidW))
	if l.labelW > 0 {
		b.WriteString(gap)
		b.WriteString(common.Fit(label, l.labelW))
	}
	return b.String()
}

func (m *Overview) footer() string {
	n := len(m.history)
	if n == 0 {
		return "r receive · s send · c coins · u BTC/sats"
	}
	return "transaction " + common.FormatInt(int64(m.cursor+1)) + " of " + common.FormatInt(int64(n)) +
		" · r receive · s send · c coins · l label · u BTC/sats"
}
