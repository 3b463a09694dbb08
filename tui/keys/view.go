package keys

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

const (
	qrGap     = 2  // cells between the QR code and the panel beside it
	minPanelW = 34 // narrowest panel beside the QR code
	minPanelH = 5  // fewest panel lines worth drawing under the QR code
	labelW    = 13 // "Fingerprint  "
	fieldW    = 20 // "New password again  "
	bottomH   = 2  // the notice and footer lines
	maxNameW  = 24 // widest wallet name column
)

// layout is where the parts of the page go for one size.
type layout struct {
	details []string
	qr      *common.QRCode // nil when the code is not drawn
	beside  bool           // the code is left of the panel, else above it
	note    []string       // the "enlarge" note when the code does not fit
	panelW  int
	panelH  int
}

// layout places the account details at the top, then the QR code of the
// selected item with the panel (wallets or a password form) beside or below
// it; when the code does not fit, a note says so. It tries the better error
// correction level first.
func (m *Model) layout() layout {
	w, h := m.common.Width, m.common.Height
	l := layout{details: m.detailLines(w), panelW: w}
	avail := h - len(l.details) - 1 - bottomH
	if !m.hasAccount {
		l.panelH = max(avail, 0)
		return l
	}
	for i := range m.qrs[m.item] {
		c := &m.qrs[m.item][i]
		qrH := 1 + len(c.Lines) // with its title
		if c.Width+qrGap+minPanelW <= w && qrH <= avail {
			l.qr, l.beside = c, true
			l.panelW, l.panelH = w-c.Width-qrGap, avail
			return l
		}
		if c.Width <= w && qrH+1+minPanelH <= avail {
			l.qr = c
			l.panelH = avail - qrH - 1
			return l
		}
	}
	l.note = common.WordWrap(fmt.Sprintf("Enlarge the terminal to see the QR code of the %s (v: next).", m.item), w)
	l.panelH = max(avail-len(l.note)-1, 0)
	return l
}

// visibleWallets is how many wallet rows fit in the panel under its title.
func (m *Model) visibleWallets() int {
	return max(m.layout().panelH-1, 0)
}

// inputWidth is how many cells a password field shows.
func (m *Model) inputWidth() int {
	return max(min(m.common.Width-fieldW-4, 32), 4)
}

// View draws the account, the QR code, the wallets list or password form,
// a notice line and a footer: exactly Height lines of at most Width cells.
func (m *Model) View() tea.View { return tea.NewView(m.render()) }

func (m *Model) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.common.Styles
	if m.dlg != nil {
		return m.frame(m.dialogLines(w))
	}
	l := m.layout()
	body := append([]string(nil), l.details...)
	body = append(body, common.Fit("", w))

	// The panel's window keeps the selection on screen even before Update
	// clamped it for this size.
	_, offset := common.ClampCursor(m.cursor, m.offset, len(m.wallets), max(l.panelH-1, 0))
	switch {
	case l.qr != nil && l.beside:
		qr := m.qrLines(*l.qr)
		panel := m.panelLines(l.panelW, l.panelH, offset)
		for i := range max(len(qr), len(panel)) {
			left, right := strings.Repeat(" ", l.qr.Width), ""
			if i < len(qr) {
				left = qr[i]
			}
			if i < len(panel) {
				right = panel[i]
			}
			body = append(body, left+strings.Repeat(" ", qrGap)+right)
		}
	case l.qr != nil:
		for _, s := range m.qrLines(*l.qr) {
			body = append(body, s+strings.Repeat(" ", w-l.qr.Width))
		}
		body = append(body, common.Fit("", w))
		body = append(body, m.panelLines(w, l.panelH, offset)...)
	default:
		for _, s := range l.note {
			body = append(body, st.Muted.Render(common.Fit(s, w)))
		}
		if len(l.note) > 0 {
			body = append(body, common.Fit("", w))
		}
		body = append(body, m.panelLines(w, l.panelH, offset)...)
	}

	return m.frame(body)
}

// frame pads or cuts body to the page's height above the notice and
// footer lines.
func (m *Model) frame(body []string) string {
	w, h := m.common.Width, m.common.Height
	st := m.common.Styles
	bottom := []string{m.noticeLine(w), st.Muted.Render(common.Fit(m.footer(), w))}
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

// detailLines draws the open wallet's account in w cells. The xpub and
// descriptors are wrapped, never cut, because they are meant to be copied.
func (m *Model) detailLines(w int) []string {
	st := m.common.Styles
	var out []string
	title := func(s string) { out = append(out, st.Title.Render(common.Fit(s, w))) }
	prose := func(s string, isErr bool) {
		for _, line := range common.WordWrap(s, w) {
			if isErr {
				out = append(out, st.Error.Render(common.Fit(line, w)))
			} else {
				out = append(out, st.Muted.Render(common.Fit(line, w)))
			}
		}
	}
	switch {
	case !m.loaded:
		title("Keys")
		prose("Loading wallets…", false)
		return out
	case m.current == "":
		title("Keys")
		prose("No wallet is open. Choose one below and press enter.", false)
		return out
	case m.accountErr != nil:
		title(fmt.Sprintf("Wallet %q", m.current))
		prose("Could not read the account: "+m.accountErr.Error(), true)
		return out
	}
	a := m.account
	state := "locked"
	switch {
	case a.WatchOnly:
		state = "watch-only"
	case m.unlocked:
		state = "unlocked"
	}
	if a.Multisig != nil {
		state += " · multisig"
	}
	title(fmt.Sprintf("Wallet %q · %s", m.current, state))
	field := func(label, value string) {
		out = append(out, common.Line(w, st.Normal,
			common.Span{Text: common.Fit(label, labelW), Style: st.Muted}, common.Span{Text: value, Style: st.Normal}))
	}
	if a.Multisig != nil {
		return append(out, m.multisigLines(w)...)
	}
	field("Fingerprint", a.Fingerprint)
	field("Script type", a.ScriptType)
	field("Path", a.Path)
	long := func(label, value string) {
		out = append(out, st.Muted.Render(common.Fit(label, w)))
		for _, s := range common.HardWrap(value, w) {
			out = append(out, st.Normal.Render(common.Fit(s, w)))
		}
	}
	long("Xpub", a.Xpub)
	long("Receive descriptor", a.Receive)
	long("Change descriptor", a.Change)
	return out
}

// multisigLines draws a multisig wallet's policy in w cells: the
// threshold, each cosigner (fingerprint, origin path, key, and the wallet
// here that holds it, if any) and the descriptor of both chains. A key
// that does not fit on its cosigner's line is shortened there; the
// descriptor below, wrapped and never cut, holds every key in full.
func (m *Model) multisigLines(w int) []string {
	st := m.common.Styles
	ms := m.account.Multisig
	var out []string
	kind := "multi"
	if ms.Sorted {
		kind = "sortedmulti"
	}
	out = append(out, common.Line(w, st.Normal,
		common.Span{Text: common.Fit("Policy", labelW), Style: st.Muted},
		common.Span{Text: fmt.Sprintf("%d of %d", ms.Threshold, len(ms.Cosigners)), Style: st.Accent},
		common.Span{Text: fmt.Sprintf(" · %s · %s", kind, m.account.ScriptType), Style: st.Normal}))
	pathW := 0
	for _, c := range ms.Cosigners {
		pathW = max(pathW, len(c.Path))
	}
	// Full keys on lines of their own when they fit, else one shortened
	// line per cosigner.
	keyW := len(ms.Cosigners[0].Xpub)
	full := w >= 6+keyW
	ours := 0
	for i, c := range ms.Cosigners {
		holder := m.holder(c.Fingerprint)
		tag := ""
		if holder != "" {
			tag = fmt.Sprintf("ours: wallet %q", holder)
			ours++
		}
		head := fmt.Sprintf("  %d  %s  %s", i+1, c.Fingerprint, common.Fit(c.Path, pathW))
		spans := []common.Span{{Text: head, Style: st.Normal}}
		if full {
			if tag != "" {
				spans = append(spans, common.Span{Text: "  " + tag, Style: st.Success})
			}
			out = append(out, common.Line(w, st.Normal, spans...))
			for _, s := range common.HardWrap(c.Xpub, w-5) {
				out = append(out, st.Normal.Render(common.Fit("     "+s, w)))
			}
			continue
		}
		room := w - len(head) - 2
		if tag != "" {
			room -= len(tag) + 2
		}
		spans = append(spans, common.Span{Text: "  " + common.ShortID(c.Xpub, max(room, 12)), Style: st.Address})
		if tag != "" {
			spans = append(spans, common.Span{Text: "  " + tag, Style: st.Success})
		}
		out = append(out, common.Line(w, st.Normal, spans...))
	}
	note := "No wallet here holds one of these keys: this one watches and coordinates."
	if ours > 0 {
		note = "\"ours\": a seed wallet here has that master fingerprint."
	}
	if !full {
		note += " Keys in full in the descriptor."
	}
	for _, s := range common.WordWrap(note, w) {
		out = append(out, st.Muted.Render(common.Fit(s, w)))
	}
	out = append(out, st.Muted.Render(common.Fit("Descriptor (receive and change, <0;1>)", w)))
	for _, s := range common.HardWrap(ms.Descriptor, w) {
		out = append(out, st.Normal.Render(common.Fit(s, w)))
	}
	return out
}

// holder returns the name of a wallet here, other than the open one, that
// holds keys with the master fingerprint fp, or "".
func (m *Model) holder(fp string) string {
	for _, wi := range m.wallets {
		if wi.Name != m.current && !wi.WatchOnly && wi.Fingerprint == fp {
			return wi.Name
		}
	}
	return ""
}

// qrLines draws the code under its title, each line c.Width cells.
func (m *Model) qrLines(c common.QRCode) []string {
	out := []string{m.common.Styles.Subtitle.Render(common.Fit("QR: "+m.item.String(), c.Width))}
	for _, s := range c.Lines {
		out = append(out, m.common.Styles.QR.Render(s))
	}
	return out
}

// panelLines draws the password form when one is open, else the wallets
// list from offset, in at most h lines of exactly w cells.
func (m *Model) panelLines(w, h, offset int) []string {
	var out []string
	if m.form != formNone {
		out = m.formLines(w)
	} else {
		out = m.walletLines(w, h, offset)
	}
	if len(out) > h {
		out = out[:max(h, 0)]
	}
	return out
}

func (m *Model) formLines(w int) []string {
	st := m.common.Styles
	var out []string
	busy := func(s string) {
		out = append(out, common.Line(w, st.Normal, common.Span{Text: m.spinner()}, common.Span{Text: " " + s, Style: st.Normal}))
	}
	field := func(label string, i int) {
		out = append(out, common.Line(w, st.Normal,
			common.Span{Text: common.Fit(label, fieldW), Style: st.Normal},
			common.Span{Text: common.InputView(m.inputs[i], st)}))
	}
	if m.form == formUnlock {
		out = append(out, st.Subtitle.Render(common.Fit(fmt.Sprintf("Unlock %q", m.current), w)))
		field("Password", 0)
	} else {
		out = append(out, st.Subtitle.Render(common.Fit(fmt.Sprintf("Change the password of %q", m.current), w)))
		field("Current password", 0)
		field("New password", 1)
		field("New password again", 2)
	}
	switch {
	case m.busy && m.busyOp == opUnlock:
		busy("Unlocking… (esc cancels)")
	case m.busy:
		busy("Changing the password… (esc cancels)")
	case m.formErr != "":
		for _, s := range common.WordWrap(m.formErr, w) {
			out = append(out, st.Error.Render(common.Fit(s, w)))
		}
	case m.form == formUnlock:
		out = append(out, st.Muted.Render(common.Fit("enter unlocks · esc cancels", w)))
	default:
		out = append(out, st.Muted.Render(common.Fit("enter next field, then changes · esc cancels", w)))
	}
	return out
}

func (m *Model) walletLines(w, h, offset int) []string {
	st := m.common.Styles
	out := []string{st.Subtitle.Render(common.Fit(fmt.Sprintf("Wallets (%d)", len(m.wallets)), w))}
	switch {
	case m.walletsErr != nil:
		for _, s := range common.WordWrap("Could not list the wallets: "+m.walletsErr.Error(), w) {
			out = append(out, st.Error.Render(common.Fit(s, w)))
		}
		return out
	case m.loaded && len(m.wallets) == 0:
		for _, s := range common.WordWrap("No wallets on this network yet: create one with `satchel wallet create`.", w) {
			out = append(out, st.Muted.Render(common.Fit(s, w)))
		}
		return out
	}
	nameW, typeW := 4, 6
	for _, wi := range m.wallets {
		nameW = max(nameW, len([]rune(wi.Name)))
		typeW = max(typeW, len(wi.ScriptType))
	}
	nameW = min(nameW, maxNameW)
	// A narrow panel drops the fingerprint before it cuts the tags.
	showFP := 2+nameW+2+typeW+2+8+2+len("open, watch-only") <= w
	end := min(offset+max(h-1, 0), len(m.wallets))
	for i := offset; i < end; i++ {
		wi := m.wallets[i]
		mark := "  "
		if i == m.cursor {
			mark = "> "
		}
		var tags []string
		if wi.Name == m.current {
			tags = append(tags, "open")
		}
		if wi.WatchOnly {
			tags = append(tags, "watch-only")
		}
		row := mark + common.Fit(wi.Name, nameW) + "  " + common.Fit(wi.ScriptType, typeW) + "  "
		if showFP {
			row += common.Fit(wi.Fingerprint, 8) + "  "
		}
		row += strings.Join(tags, ", ")
		if i == m.cursor {
			out = append(out, st.Selected.Render(common.Fit(row, w)))
		} else {
			out = append(out, st.Normal.Render(common.Fit(row, w)))
		}
	}
	return out
}

// spinner draws the spinner in the theme's current muted style.
func (m *Model) spinner() string {
	sp := m.spin
	sp.Style = m.common.Styles.Muted
	return sp.View()
}

func (m *Model) noticeLine(w int) string {
	st := m.common.Styles
	if m.noticeErr {
		return st.Error.Render(common.Fit(m.notice, w))
	}
	return st.Muted.Render(common.Fit(m.notice, w))
}

func (m *Model) footer() string {
	switch {
	case m.dlg != nil:
		return m.dialogFooter()
	case m.busy:
		return "esc cancel"
	case m.form == formPassword:
		return "enter next/confirm · tab/↑/↓ move · esc cancel"
	case m.form == formUnlock:
		return "enter unlock · esc cancel"
	}
	if m.watchOnly() {
		return "v next QR · y copy · x verify a message · enter open wallet"
	}
	lock := m.lockKey().Help()
	pw := m.KeyMap.Password.Help()
	return "v next QR · y copy · " + lock.Key + " " + lock.Desc + " · " + pw.Key + " password · x message · enter open wallet"
}
