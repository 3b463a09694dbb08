package explorer

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/tui/common"
)

const (
	labelW          = 13 // "merkle root  "
	detailTime      = "2006-01-02 15:04:05 UTC"
	pairW           = 34 // where the second field of a paired line starts
	pairMinW        = 56 // narrower terminals show paired fields on lines of their own
	verifiedMark    = "verified ✓ merkle root"
	loadingMark     = "loading…"
	blockFailPrefix = "Could not load the block: "
)

// View draws the header fields, the load state and the visible part of the
// transaction list. It reads nothing from the source.
func (v *BlockView) View() tea.View {
	return tea.NewView(v.render())
}

func (v *BlockView) render() string {
	w, h := v.common.Width, v.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := v.common.Styles
	bottom := v.search.lines(w, st)
	if len(bottom) == 0 {
		bottom = []string{st.Muted.Render(common.Fit(v.footer(), w))}
	}
	bottom = bottom[max(len(bottom)-h, 0):]
	top := v.topLines()
	if len(top) > h-len(bottom) {
		top = top[:h-len(bottom)]
	}
	lines := make([]string, 0, h)
	lines = append(lines, top...)
	if vis := v.visibleRows(); vis > 0 && v.state == stateLoaded {
		l := v.txLayout()
		for i := range min(vis, len(v.rows)-v.offset) {
			idx := v.offset + i
			r := v.rows[idx]
			line := common.Fit(l.line(idx == v.cursor, common.FormatInt(int64(idx)), common.ShortID(r.hash, l.hashW), r.inOut, v.units.format(r.total)), w)
			if idx == v.cursor {
				lines = append(lines, st.Selected.Render(line))
			} else {
				lines = append(lines, st.Normal.Render(line))
			}
		}
	}
	for len(lines) < h-len(bottom) {
		lines = append(lines, "")
	}
	lines = append(lines, bottom...)
	return strings.Join(lines, "\n")
}

// topLines returns the styled lines above the transaction rows: the title,
// the header fields, the load state and, once loaded, the column titles.
func (v *BlockView) topLines() []string {
	w := v.common.Width
	st := v.common.Styles
	hdr := v.header
	valueW := max(w-labelW, 1)

	field := func(label, value string) string {
		return st.Normal.Render(common.Fit(padTo(label, labelW)+value, w))
	}
	hash := func(label, value string) string {
		return common.Line(w, st.Normal,
			common.Span{Text: padTo(label, labelW), Style: st.Normal},
			common.Span{Text: common.ShortID(value, valueW), Style: st.Hash})
	}
	hashField := func(label string, get func() chainhash.Hash) string {
		if hdr == nil {
			return field(label, unknownValue)
		}
		return hash(label, get().String())
	}

	title := "Block " + common.FormatInt(int64(v.height))
	if v.state == stateLoaded {
		title += " · " + plural(len(v.rows), "transaction")
	}
	out := []string{
		st.Title.Render(common.Fit(title, w)),
		hash("hash", v.hash.String()),
		hashField("previous", func() chainhash.Hash { return hdr.PrevBlock }),
		hashField("merkle root", func() chainhash.Hash { return hdr.MerkleRoot }),
	}
	tm, ver, bits, nonce := unknownValue, unknownValue, unknownValue, unknownValue
	if hdr != nil {
		tm = hdr.Timestamp.UTC().Format(detailTime)
		ver = fmt.Sprintf("0x%08x", uint32(hdr.Version))
		bits = fmt.Sprintf("%08x", hdr.Bits)
		nonce = common.FormatInt(int64(hdr.Nonce))
	}
	out = append(out, field("time", tm))
	height := common.FormatInt(int64(v.height))
	if w >= pairMinW {
		out = append(out,
			field("height", padTo(height, pairW-labelW)+padTo("version", 9)+ver),
			field("bits", padTo(bits, pairW-labelW)+padTo("nonce", 9)+nonce))
	} else {
		out = append(out, field("height", height), field("version", ver), field("bits", bits), field("nonce", nonce))
	}
	out = append(out, v.statusLines(valueW)...)
	out = append(out, v.statsLines()...)

	if v.state == stateLoaded {
		l := v.txLayout()
		out = append(out, "", st.TableHeader.Render(common.Fit(l.line(false, "#", "txid", "in→out", "output total"), w)))
	}
	return out
}

// statsLines are the figures of the loaded block: size and weight, fees
// and their average rate with the subsidy, and the coinbase's text.
func (v *BlockView) statsLines() []string {
	w := v.common.Width
	st := v.common.Styles
	field := func(label, value string) string {
		return st.Normal.Render(common.Fit(padTo(label, labelW)+value, w))
	}
	if v.state != stateLoaded {
		return []string{field("size", unknownValue), field("fees", unknownValue), field("subsidy", unknownValue),
			field("coinbase", unknownValue)}
	}
	s := v.stats
	size := formatBytes(s.Size) + " · " + common.FormatInt(s.Weight) + " WU · " + percent(s.Fullness()) + " full"
	fee := v.units.format(s.Fees)
	if r, ok := s.FeeRate(); ok {
		fee += " · " + fees.FormatRate(r) + " sat/vB avg"
	}
	subsidy := v.units.format(s.Subsidy) + " · coinbase pays " + v.units.format(s.CoinbaseValue)
	text := s.CoinbaseText
	if text == "" {
		text = "(no text)"
	}
	return []string{field("size", size), field("fees", fee), field("subsidy", subsidy), field("coinbase", text)}
}

// formatBytes writes a size in bytes with thousands separators.
func formatBytes(n int) string { return common.FormatInt(int64(n)) + " B" }

// percent writes a share as a percentage, with more decimals when small:
// "0.03%", "12.5%".
func percent(f float64) string {
	if f < 0.1 {
		return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

// statusLines says whether the block is loading, verified or failed; an
// error wraps onto as many as three lines.
func (v *BlockView) statusLines(valueW int) []string {
	w := v.common.Width
	st := v.common.Styles
	label := padTo("status", labelW)
	switch v.state {
	case stateLoaded:
		return []string{common.Line(w, st.Normal,
			common.Span{Text: label, Style: st.Normal}, common.Span{Text: verifiedMark, Style: st.Success})}
	case stateFailed:
		msg := blockFailPrefix + v.err.Error() + ". Press enter to try again."
		wrapped := strings.Split(ansi.Wrap(msg, valueW, ""), "\n")
		if len(wrapped) > 3 {
			wrapped = wrapped[:3]
			wrapped[2] = ansi.Truncate(wrapped[2], valueW-1, "") + "…"
		}
		out := make([]string, len(wrapped))
		for i, s := range wrapped {
			if i > 0 {
				label = strings.Repeat(" ", labelW)
			}
			out[i] = st.Error.Render(common.Fit(label+s, w))
		}
		return out
	}
	s := label + loadingMark
	if v.headerErr != nil {
		s += " (header: " + v.headerErr.Error() + ")"
	}
	return []string{st.Muted.Render(common.Fit(s, w))}
}

// visibleRows is how many transactions fit under the header fields and
// above the footer.
func (v *BlockView) visibleRows() int {
	if v.state != stateLoaded {
		return 0
	}
	return max(v.common.Height-len(v.topLines())-1-v.search.extraLines(v.common.Width), 0)
}

func (v *BlockView) footer() string {
	if v.notice != "" {
		return v.notice
	}
	switch v.state {
	case stateLoading:
		return "loading block…"
	case stateFailed:
		return "block unavailable"
	}
	return "tx " + common.FormatInt(int64(v.cursor)+1) + " of " + common.FormatInt(int64(len(v.rows)))
}

// txLayout is the column set of the transaction list for one width:
// narrow terminals drop the in→out column and shorten the txid.
type txLayout struct {
	cols      txCols
	total     int // width of the output total column
	hashW     int
	showInOut bool
}

func (v *BlockView) txLayout() txLayout {
	l := txLayout{cols: v.cols, showInOut: true}
	l.total = l.cols.totalBTC
	if v.units == UnitsSat {
		l.total = l.cols.totalSat
	}
	hash := v.common.Width - (markW + l.cols.index + colGap + colGap + l.cols.inOut + colGap + l.total)
	if hash < 20 {
		l.showInOut = false
		hash += l.cols.inOut + colGap
	}
	l.hashW = min(max(hash, 4), fullHashW)
	return l
}

// line lays out one transaction row; numbers are right-aligned.
func (l txLayout) line(selected bool, idx, hash, inOut, total string) string {
	var b strings.Builder
	if selected {
		b.WriteString("> ")
	} else {
		b.WriteString("  ")
	}
	b.WriteString(common.PadLeft(idx, l.cols.index))
	b.WriteString("  ")
	b.WriteString(common.PadRight(hash, l.hashW))
	if l.showInOut {
		b.WriteString("  ")
		b.WriteString(common.PadLeft(inOut, l.cols.inOut))
	}
	b.WriteString("  ")
	b.WriteString(common.PadLeft(total, l.total))
	return b.String()
}

// unknownValue stands for a header field not read yet.
const unknownValue = "…"

// padTo pads s with spaces to w cells; longer strings are kept whole.
func padTo(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s + " "
}

// plural writes n with its noun: "1 transaction", "2,104 transactions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return common.FormatInt(int64(n)) + " " + noun + "s"
}
