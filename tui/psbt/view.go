package psbt

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// ShortHelp returns the bindings that apply now.
func (m *Model) ShortHelp() []key.Binding {
	k := m.KeyMap
	switch {
	case m.prompt == promptOpen || m.prompt == promptCombine || m.prompt == promptExport:
		return []key.Binding{k.Confirm, k.Complete, k.Cancel}
	case m.prompt != promptNone:
		return []key.Binding{k.Confirm, k.Cancel}
	case m.qr != nil:
		return []key.Binding{m.qr.KeyMap.Faster, m.qr.KeyMap.Slower, m.qr.KeyMap.Density, m.qr.KeyMap.Pause, k.Close}
	case m.busy != "":
		return nil
	case m.packet == nil:
		return []key.Binding{k.Open, k.Close}
	}
	var out []key.Binding
	if m.canSign() {
		out = append(out, k.Sign)
	}
	if m.txid == "" {
		out = append(out, k.Combine)
	}
	if m.canFinalize() {
		out = append(out, k.Finalize)
	}
	if m.canBroadcast() {
		out = append(out, k.Broadcast)
	}
	return append(out, k.Export, k.QR, k.Copy, k.Open, k.Close)
}

// FullHelp returns the bindings for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	out := [][]key.Binding{m.ShortHelp()}
	if m.packet != nil && m.prompt == promptNone && m.qr == nil {
		k := m.common.KeyMap
		out = append(out, []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown})
	}
	return out
}

// hintNames are the short names of the actions on the hint line.
var hintNames = map[string]string{
	"o": "open", "S": "sign", "m": "combine", "t": "finalize", "b": "broadcast", "e": "export",
	"w": "QR", "y": "copy", "esc": "close", "enter": "confirm", "tab": "complete",
}

// View draws the page: the review of the open PSBT (or how to open one),
// and under it the field, progress or outcome of the last action and the
// keys that apply.
func (m *Model) View() tea.View {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return tea.NewView("")
	}
	if m.qr != nil {
		return tea.NewView(strings.Join(fitLines(strings.Split(m.qr.Render(), "\n"), w, h), "\n"))
	}
	st := m.common.Styles
	head := []string{st.Title.Render(common.Fit(m.titleText(w), w)), ""}
	foot := m.footLines(w)
	room := max(h-len(head)-len(foot), 0)
	body := m.bodyLines(w)
	off := min(m.offset, max(len(body)-room, 0))
	body = body[off:]
	if len(body) > room {
		body = body[:room]
		if room > 0 && off+room < len(m.bodyLines(w)) {
			body[room-1] = st.Muted.Render(common.Fit("  … more below: ↓/j or pgdn", w))
		}
	}
	lines := append(append(head, body...), make([]string, max(room-len(body), 0))...)
	lines = append(lines, foot...)
	return tea.NewView(strings.Join(fitLines(lines, w, h), "\n"))
}

// fitLines makes lines exactly h lines of at most w cells.
func fitLines(lines []string, w, h int) []string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = common.Fit(l, w)
	}
	return lines
}

// titleText is the title, with the PSBT's name and where the page stands.
func (m *Model) titleText(w int) string {
	left := "PSBT"
	if m.name != "" {
		left += " · " + m.name
	}
	right := "online"
	if m.cfg.bc == nil {
		right = "offline signer: nothing leaves this machine"
	}
	gap := w - len([]rune(left)) - len([]rune(right))
	if gap < 2 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// bodyHeight is how many lines the review gets.
func (m *Model) bodyHeight() int {
	return max(m.common.Height-2-len(m.footLines(m.common.Width)), 1)
}

// amountText writes a in the page's units.
func (m *Model) amountText(v int64) string {
	if v < 0 {
		return "unknown"
	}
	if m.cfg.sats {
		return amount.FormatSat(btcutil.Amount(v))
	}
	return amount.FormatBTC(btcutil.Amount(v))
}

// exportDirText is the export folder, absolute.
func (m *Model) exportDirText() string { return m.exportAbs }

// bodyLines is the review, or how to open a PSBT.
func (m *Model) bodyLines(w int) []string {
	st := m.common.Styles
	wrap := func(out []string, s string, style func(...string) string, indent string) []string {
		for _, l := range common.WordWrap(s, w-len(indent)) {
			out = append(out, style(common.Fit(indent+l, w)))
		}
		return out
	}
	if m.packet == nil {
		var out []string
		out = wrap(out, "Open a PSBT to see exactly what it pays, sign it with this wallet's keys and export it.", st.Normal.Render, "")
		out = append(out, "")
		out = wrap(out, "o (or enter) asks for it: type a file name (tab completes it; relative names start in the current folder), "+
			"or paste its base64 text, or paste the parts of its animated QR code (ur:… or B$…), in any order.", st.Muted.Render, "")
		out = append(out, "")
		out = wrap(out, "Exports go to "+m.exportDirText()+" (Settings changes the folder).", st.Muted.Render, "")
		if m.watchOnly {
			out = append(out, "")
			out = wrap(out, "This wallet is watch-only: it can review and pass PSBTs on, but not sign them.", st.Warning.Render, "")
		}
		return out
	}
	r := m.review
	if r == nil {
		return []string{st.Muted.Render(common.Fit("No review.", w))}
	}
	amtW := len("amount")
	for _, in := range r.Inputs {
		amtW = max(amtW, len(m.amountText(in.Value)))
	}
	for _, o := range r.Outputs {
		amtW = max(amtW, len(m.amountText(o.Value)))
	}
	markW := len("ours, signed")
	for _, in := range r.Inputs {
		if in.Required > 1 {
			// A multisig input shows its signature count instead.
			markW = max(markW, len(fmt.Sprintf("ours, %d of %d sigs", in.Signatures, in.Required)))
		}
	}
	proofW := len("previous transaction")
	addrW := max(w-2-1-markW-1-amtW-2-proofW, 10)
	if addrW < 20 {
		// Narrow: drop the proof column's width to a short word.
		proofW = len("NOT PROVEN")
		addrW = max(w-2-1-markW-1-amtW-2-proofW, 8)
	}
	row := func(addr, mark, amt, proof string) string {
		return "  " + common.Fit(addr, addrW) + " " + common.Fit(mark, markW) + " " + common.PadLeft(amt, amtW) + "  " + common.Fit(proof, proofW)
	}
	var out []string
	out = append(out, st.TableHeader.Render(common.Fit(row(fmt.Sprintf("Spends %d coin%s", len(r.Inputs), plural(len(r.Inputs))), "", "amount", "amount proven by"), w)))
	n := st.Normal
	for _, in := range r.Inputs {
		what := in.Address
		if what == "" {
			what = in.OutPoint.String()
		}
		var marks []string
		if in.Ours {
			marks = append(marks, "ours")
		}
		switch {
		case in.Required > 1:
			marks = append(marks, fmt.Sprintf("%d of %d sigs", in.Signatures, in.Required))
		case in.Signed:
			marks = append(marks, "signed")
		}
		proof, pst := in.Proof.String(), st.Success
		if !in.Proof.Proven() {
			proof, pst = "NOT PROVEN", st.Warning
		}
		out = append(out, common.Line(w, n,
			common.Span{Text: "  ", Style: n},
			common.Span{Text: common.Fit(common.ShortID(what, addrW), addrW), Style: st.Address},
			common.Span{Text: " ", Style: n},
			common.Span{Text: common.Fit(strings.Join(marks, ", "), markW), Style: st.Accent},
			common.Span{Text: " " + common.PadLeft(m.amountText(in.Value), amtW) + "  ", Style: n},
			common.Span{Text: common.Fit(proof, proofW), Style: pst}))
	}
	out = append(out, st.TableHeader.Render(common.Fit(row(fmt.Sprintf("Pays %d output%s", len(r.Outputs), plural(len(r.Outputs))), "", "amount", ""), w)))
	for _, o := range r.Outputs {
		mark := ""
		switch {
		case o.Change:
			mark = "change"
		case o.Ours:
			mark = "ours"
		}
		out = append(out, common.Line(w, n,
			common.Span{Text: "  ", Style: n},
			common.Span{Text: common.Fit(common.ShortID(o.Address, addrW), addrW), Style: st.Address},
			common.Span{Text: " ", Style: n},
			common.Span{Text: common.Fit(mark, markW), Style: st.Accent},
			common.Span{Text: " " + common.PadLeft(m.amountText(o.Value), amtW), Style: n}))
	}
	out = append(out, "")
	field := func(name string, spans ...common.Span) {
		out = append(out, common.Line(w, n, append([]common.Span{{Text: fmt.Sprintf("%-8s ", name), Style: n}}, spans...)...))
	}
	text := func(s string) common.Span { return common.Span{Text: s, Style: n} }
	if r.Fee >= 0 {
		proof := common.Span{Text: " · every amount proven", Style: st.Success}
		if !r.FeeProven {
			proof = common.Span{Text: " · NOT PROVEN: an amount comes only from the PSBT", Style: st.Warning}
		}
		field("Fee", text(amount.FormatSat(btcutil.Amount(r.Fee))+" ("+amount.FormatBTC(btcutil.Amount(r.Fee))+")"), proof)
		size := common.FormatInt(r.VSize) + " vB"
		if !r.Complete {
			size += " (estimated)"
		}
		field("Rate", text(fmt.Sprintf("%.1f sat/vB · %s", r.FeeRate, size)))
	} else {
		field("Fee", common.Span{Text: "unknown: the value of an input is missing", Style: st.Warning})
	}
	field("Signed", m.stateSpan())
	for _, s := range r.Warnings {
		out = wrap(out, "! "+s, st.Error.Render, "")
	}
	if res := m.signed; res != nil && (len(res.Skipped) > 0 || len(res.Signed) > 0) {
		if len(res.Signed) == 0 {
			out = wrap(out, "Nothing was signed:", st.Error.Render, "")
		}
		for _, s := range res.Skipped {
			out = wrap(out, fmt.Sprintf("Not signed: input %d: %s", s.Input, s.Reason), st.Warning.Render, "")
		}
	}
	switch {
	case m.txid != "":
	case m.watchOnly && !r.Complete:
		out = wrap(out, "This wallet is watch-only: export the PSBT (e) or show its QR code (w) and sign it where the keys are.", st.Muted.Render, "")
	case r.Complete && m.cfg.bc == nil:
		out = wrap(out, "Complete. Export it (e) or show its QR code (w), and broadcast it from an online machine.", st.Muted.Render, "")
	}
	return out
}

// stateSpan says how far signing is.
func (m *Model) stateSpan() common.Span {
	st := m.common.Styles
	r := m.review
	signed := 0
	for _, in := range r.Inputs {
		if in.Signed {
			signed++
		}
	}
	text := fmt.Sprintf("%d of %d input%s", signed, len(r.Inputs), plural(len(r.Inputs)))
	switch {
	case m.txid != "":
		return common.Span{Text: text + " · broadcast", Style: st.Success}
	case m.final:
		return common.Span{Text: text + " · finalized, ready to broadcast", Style: st.Success}
	case r.Complete:
		return common.Span{Text: text + " · complete", Style: st.Success}
	}
	return common.Span{Text: text + " · not complete", Style: st.Warning}
}

// footLines are the field, the progress or outcome of the last action and
// the hint line.
func (m *Model) footLines(w int) []string {
	st := m.common.Styles
	var out []string
	wrap := func(s string, style func(...string) string) {
		lines := common.WordWrap(s, w)
		if len(lines) > 4 {
			lines = append(lines[:3], lines[3]+"…")
		}
		for _, l := range lines {
			out = append(out, style(common.Fit(l, w)))
		}
	}
	if m.err != "" {
		wrap(m.err, st.Error.Render)
	}
	switch {
	case m.prompt != promptNone:
		out = append(out, st.Subtitle.Render(common.Fit(m.promptTitle(), w)),
			common.Line(w, st.Normal, common.Span{Text: common.InputView(m.input, st)}))
		if m.joiner != nil && m.joiner.Started() {
			out = append(out, st.Accent.Render(common.Fit("QR parts: "+m.joiner.Progress()+" · paste or type the next", w)))
		} else if len(m.candidates) > 0 {
			out = append(out, st.Muted.Render(common.Fit(strings.Join(m.candidates, "  "), w)))
		}
	case m.busy != "":
		out = append(out, st.Muted.Render(common.Fit(m.busy, w)))
	case m.txid != "":
		out = append(out, common.Line(w, st.Normal, common.Span{Text: "Broadcast ", Style: st.Success},
			common.Span{Text: m.txid, Style: st.Hash}))
	case m.notice != "":
		wrap(m.notice, st.Success.Render)
	}
	var hints []string
	for _, b := range m.ShortHelp() {
		name := hintNames[b.Help().Key]
		if d := b.Help().Desc; d == "cancel" {
			name = d
		}
		if name == "" {
			name = b.Help().Desc
		}
		hints = append(hints, b.Help().Key+" "+name)
	}
	if m.qr == nil {
		out = append(out, st.Muted.Render(common.Fit(strings.Join(hints, " · "), w)))
	}
	return out
}

// promptTitle is the question above the field.
func (m *Model) promptTitle() string {
	switch m.prompt {
	case promptPassword:
		return "Wallet password (to sign)"
	case promptExport:
		return "Export as (in " + m.exportDirText() + "; .psbt is binary, else base64)"
	case promptCombine:
		return "Combine with: a file, base64 or QR parts of another copy"
	}
	return "Open a PSBT: a file, base64 or QR parts"
}
