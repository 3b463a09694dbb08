package wallet

// Fee suggestions on the send form: low, medium and high rates from what the
// node can verify (recent blocks' fees over their weight, the peers'
// feefilters; see lightnode/fees), each with where it comes from, and the
// keys that put one into the fee field. The estimate is read in a tea.Cmd,
// since it may fetch blocks from peers.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/tui/common"
)

// FeeSource gives the send form fee suggestions. A SendSource that also
// implements it gets them shown on the form; the app's adapter implements
// it with the light node (lightnode.Node.FeeEstimate).
type FeeSource interface {
	// FeeEstimate suggests fee rates from the recent verified blocks and
	// the peers' feefilters. It may fetch blocks from peers, so it is
	// called from a tea.Cmd; an error says why there is no estimate
	// (offline, no peers, still syncing).
	FeeEstimate(ctx context.Context) (fees.Estimate, error)
}

// mempoolNote is the form's one line about what the suggestions cannot
// know.
const mempoolNote = "a light client cannot see the mempool's fee market"

// feeStatus is the state of the fee suggestions.
type feeStatus struct {
	feeSrc  FeeSource // nil: the form shows no suggestions
	feeSeq  uint64
	feeBusy bool
	feeEst  *fees.Estimate // the last estimate, nil before one came
	feeErr  error          // why the last estimate failed
}

// sendFeesMsg carries an estimate back to the form that asked.
type sendFeesMsg struct {
	id  int64
	seq uint64
	est fees.Estimate
	err error
}

// estimate returns a command that asks for fee suggestions, unless the
// source has none or a request is out.
func (m *Send) estimate() tea.Cmd {
	if m.feeSrc == nil || m.feeBusy {
		return nil
	}
	m.feeSeq++
	m.feeBusy = true
	id, seq, src, ctx := m.id, m.feeSeq, m.feeSrc, m.common.Context()
	return func() tea.Msg {
		est, err := src.FeeEstimate(ctx)
		return sendFeesMsg{id: id, seq: seq, est: est, err: err}
	}
}

// applyFees takes an estimate in; a failure keeps the last good one.
func (m *Send) applyFees(msg sendFeesMsg) {
	m.feeBusy = false
	m.feeErr = msg.err
	if msg.err == nil {
		est := msg.est
		m.feeEst = &est
	}
}

// suggestedRates returns the distinct suggested rates, lowest first.
func (m *Send) suggestedRates() []float64 {
	if m.feeEst == nil {
		return nil
	}
	var rates []float64
	for _, s := range []fees.Suggestion{m.feeEst.Low, m.feeEst.Medium, m.feeEst.High} {
		if s.Rate > 0 && !slices.Contains(rates, s.Rate) {
			rates = append(rates, s.Rate)
		}
	}
	slices.Sort(rates)
	return rates
}

// pickFee puts the next suggestion above (dir > 0) or below (dir < 0) the
// rate in the fee field into it; a field without a valid rate gets the low
// one. It counts as the user's choice, so the default does not replace it.
func (m *Send) pickFee(dir int) {
	rates := m.suggestedRates()
	if len(rates) == 0 {
		return
	}
	const eps = 1e-9
	cur := m.feeRate
	pick := math.NaN()
	if dir > 0 {
		for _, r := range rates {
			if r > cur+eps {
				pick = r
				break
			}
		}
	} else {
		for i := len(rates) - 1; i >= 0; i-- {
			if rates[i] < cur-eps {
				pick = rates[i]
				break
			}
		}
	}
	if math.IsNaN(pick) {
		if cur > 0 {
			return // already at the end
		}
		pick = rates[0]
	}
	m.fields[sendFieldFee].SetValue(fees.FormatRate(pick))
	m.edited(sendFieldFee)
}

// feeHint is the line under the focused fee field while suggestions are
// known: the keys and the rates they pick.
func (m *Send) feeHint() string {
	e := m.feeEst
	return fmt.Sprintf("%s/%s picks a suggestion: low %s · medium %s · high %s sat/vB",
		m.KeyMap.LowerFee.Help().Key, m.KeyMap.HigherFee.Help().Key,
		fees.FormatRate(e.Low.Rate), fees.FormatRate(e.Medium.Rate), fees.FormatRate(e.High.Rate))
}

// feeLines draws the fee suggestions in at most room lines of w cells:
// where each comes from, how full the blocks were, and what a light client
// cannot see. Where room is short, sources are cut instead of wrapped, and
// the last lines are left out.
func (m *Send) feeLines(w, room int) []string {
	if m.feeSrc == nil || room <= 0 {
		return nil
	}
	st := m.common.Styles
	refresh := m.KeyMap.Refresh.Help().Key
	title := "Fee suggestions (sat/vB) · " + mempoolNote
	switch {
	case m.feeEst == nil && m.feeBusy:
		return []string{st.Subtitle.Render(common.Fit(title, w)),
			st.Muted.Render(common.Fit("  estimating… (reading recent blocks and the peers' feefilters)", w))}[:min(room, 2)]
	case m.feeEst == nil && m.feeErr != nil:
		out := []string{st.Subtitle.Render(common.Fit(title, w))}
		msg := "No suggestions: " + m.feeErr.Error() + ". Type a rate, or press " + refresh + " to try again."
		for _, l := range common.WordWrap(msg, w-2) {
			out = append(out, st.Warning.Render(common.Fit("  "+l, w)))
		}
		return out[:min(room, len(out))]
	case m.feeEst == nil:
		return nil
	}
	if m.feeBusy {
		title += " · updating…"
	}
	e := m.feeEst
	rows := []struct {
		name string
		s    fees.Suggestion
	}{{"low", e.Low}, {"medium", e.Medium}, {"high", e.High}}
	rateW := 0
	for _, r := range rows {
		rateW = max(rateW, len(fees.FormatRate(r.s.Rate)))
	}
	const nameW = len("medium")
	prefixW := 2 + nameW + 2 + rateW + 2
	build := func(wrap bool) []string {
		out := []string{st.Subtitle.Render(common.Fit(title, w))}
		if m.feeErr != nil {
			out = append(out, st.Warning.Render(common.Fit("  update failed: "+m.feeErr.Error()+"; these are from before ("+refresh+" tries again)", w)))
		}
		for _, r := range rows {
			mark := "  "
			if m.feeRate > 0 && math.Abs(m.feeRate-r.s.Rate) < 1e-9 {
				mark = "▸ "
			}
			head := mark + common.PadRight(r.name, nameW) + "  " + common.PadRight(fees.FormatRate(r.s.Rate), rateW) + "  "
			src := []string{r.s.From}
			if wrap {
				src = common.WordWrap(r.s.From, max(w-prefixW, 1))
			}
			for i, l := range src {
				p := head
				if i > 0 {
					p = strings.Repeat(" ", prefixW)
				}
				out = append(out, common.Line(w, st.Normal,
					common.Span{Text: p, Style: st.Normal}, common.Span{Text: l, Style: st.Muted}))
			}
		}
		if f := fullnessText(e.Blocks); f != "" {
			out = append(out, st.Muted.Render(common.Fit("  "+f, w)))
		}
		return out
	}
	out := build(true)
	if len(out) > room {
		out = build(false)
	}
	return out[:min(room, len(out))]
}

// fullnessText says how full the recent blocks were, "blocks 95–100 were
// 0.02%–3.1% full", so that the rates read right: a block that was not full
// took every transaction paying the relay floor.
func fullnessText(blocks []fees.Block) string {
	if len(blocks) == 0 {
		return ""
	}
	lo, hi := blocks[0], blocks[0]
	minH, maxH := blocks[0].Height, blocks[0].Height
	for _, b := range blocks {
		if b.Fullness() < lo.Fullness() {
			lo = b
		}
		if b.Fullness() > hi.Fullness() {
			hi = b
		}
		minH, maxH = min(minH, b.Height), max(maxH, b.Height)
	}
	if minH == maxH {
		return fmt.Sprintf("block %d was %s full", minH, percent(hi.Fullness()))
	}
	full := percent(lo.Fullness())
	if percent(hi.Fullness()) != full {
		full += "–" + percent(hi.Fullness())
	}
	return fmt.Sprintf("blocks %d–%d were %s full", minH, maxH, full)
}

// percent writes a block's share of the weight limit as satchel fees does:
// "0.02%", "99.8%".
func percent(f float64) string {
	if f < 0.1 {
		return fmt.Sprintf("%.2f%%", f*100)
	}
	return fmt.Sprintf("%.1f%%", f*100)
}
