package wizard

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
)

// View draws the step shown and, on the last line, its keys. It is
// exactly Height lines of at most Width cells.
func (m *Model) View() tea.View { return tea.NewView(m.render()) }

func (m *Model) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	p := &page{w: w, st: m.common.Styles, focus: -1}
	m.body(p)
	lines := p.window(max(h-1, 1))
	if h > 1 {
		lines = lines[:min(len(lines), h-1)]
		for len(lines) < h-1 {
			lines = append(lines, common.Fit("", w))
		}
		lines = append(lines, m.common.Styles.Muted.Render(common.Fit(m.helpLine(), w)))
	} else {
		lines = lines[:min(len(lines), h)]
	}
	return strings.Join(lines, "\n")
}

// helpLine lists the keys of the step shown.
func (m *Model) helpLine() string {
	var parts []string
	for _, b := range m.ShortHelp() {
		h := b.Help()
		parts = append(parts, h.Key+" "+h.Desc)
	}
	return strings.Join(parts, " · ")
}

// page collects the lines of a step, each cut or padded to the width.
type page struct {
	w     int
	st    *themes.Styles
	out   []string
	focus int // the line of the focused field or selected entry, or -1
}

// mark records that the next line is the one the user works on, which
// must stay on screen when the page is taller than the terminal.
func (p *page) mark() { p.focus = len(p.out) }

// window returns at most h lines: all of them when they fit, else a run
// that keeps the marked line with as much as fits around it, favouring
// the lines after it (matches, messages).
func (p *page) window(h int) []string {
	if len(p.out) <= h || p.focus < 0 {
		return p.out
	}
	start := min(max(p.focus-h/3, 0), len(p.out)-h)
	return p.out[start : start+h]
}

// line adds s in style st.
func (p *page) line(st lipgloss.Style, s string) {
	p.out = append(p.out, st.Render(common.Fit(s, p.w)))
}

// text adds prose in style st, wrapped to the width.
func (p *page) text(st lipgloss.Style, s string) {
	for _, l := range strings.Split(ansi.Wrap(s, p.w, ""), "\n") {
		p.line(st, l)
	}
}

// indentedText adds prose in style st, wrapped to the width and indented
// by n spaces.
func (p *page) indentedText(st lipgloss.Style, n int, s string) {
	pad := strings.Repeat(" ", n)
	for _, l := range strings.Split(ansi.Wrap(s, max(p.w-n, 1), ""), "\n") {
		p.line(st, pad+l)
	}
}

// blank adds an empty line.
func (p *page) blank() { p.out = append(p.out, common.Fit("", p.w)) }

// field adds a labelled text field: the label padded to labelW, then the
// field, then mark (a check that passed), if any.
func (p *page) field(label string, labelW int, f textinput.Model, mark string) {
	p.out = append(p.out, common.Line(p.w, p.st.Normal,
		common.Span{Text: common.Fit(strings.Repeat(" ", fieldIndent)+label, labelW), Style: p.st.Normal},
		common.Span{Text: common.InputView(f, p.st)},
		common.Span{Text: mark, Style: p.st.Success}))
}

// indented adds a text field under its label, indented like the fields.
func (p *page) indented(f textinput.Model) {
	p.out = append(p.out, common.Line(p.w, p.st.Normal,
		common.Span{Text: strings.Repeat(" ", fieldIndent), Style: p.st.Normal},
		common.Span{Text: common.InputView(f, p.st)}))
}

// busy adds the spinner and what is being done.
func (m *Model) busy(p *page, s string) {
	sp := m.spin
	sp.Style = p.st.Muted
	p.out = append(p.out, common.Line(p.w, p.st.Normal, common.Span{Text: sp.View()}, common.Span{Text: " " + s, Style: p.st.Normal}))
}

// body draws the step shown.
func (m *Model) body(p *page) {
	switch m.step {
	case stepChoose:
		m.chooseView(p)
	case stepScript:
		m.scriptView(p)
	case stepCount:
		m.countView(p)
	case stepShow:
		m.showView(p)
	case stepVerify:
		m.verifyView(p)
	case stepWords:
		m.wordsView(p)
	case stepPassphrase:
		m.passphraseView(p)
	case stepBirthday:
		m.birthdayView(p)
	case stepDiscover:
		m.discoverView(p)
	case stepFound:
		m.foundView(p)
	case stepPassword:
		m.passwordView(p)
	case stepImport:
		m.importView(p)
	case stepWorking:
		m.workingView(p)
	case stepDone:
		p.line(p.st.Title, "Wallet ready")
		p.blank()
		p.line(p.st.Normal, "Opening the wallet…")
	}
}

// title draws a step's heading and the blank line under it.
func (m *Model) title(p *page, s string) {
	p.line(p.st.Title, s)
	p.blank()
}

// message draws the step's error, if any, after a blank line.
func (m *Model) message(p *page) {
	if m.msg != "" {
		p.blank()
		p.text(p.st.Error, m.msg)
	}
}

// item draws one entry of a list, marked when selected so that it shows
// without colour too.
func (m *Model) item(p *page, selected bool, s string) {
	if selected {
		p.mark()
		p.line(p.st.Selected, "> "+s)
		return
	}
	p.line(p.st.Normal, "  "+s)
}

// flowName names the chosen flow for headings.
func (m *Model) flowName() string {
	switch m.action {
	case actRestore:
		return "Restore"
	case actImport:
		return "Watch-only"
	case actMultisig:
		return "Multisig"
	}
	return "New wallet"
}

func (m *Model) chooseView(p *page) {
	m.title(p, "Set up a wallet on "+netName(m.net))
	p.text(p.st.Normal, "There is no wallet for "+netName(m.net)+" yet. How would you like to start?")
	p.blank()
	for i, a := range actions {
		m.item(p, i == m.cursor, a.title)
		p.line(p.st.Muted, "    "+a.hint)
	}
}

func (m *Model) scriptView(p *page) {
	m.title(p, m.flowName()+" · script type")
	off := m.scriptOffset()
	if m.action == actRestore {
		p.text(p.st.Normal, "Which kind of addresses did the old wallet use? Satchel can look for them, or pick one; you can restore again with another type.")
		p.blank()
		m.item(p, m.cursor == 0, discoverTitle)
		p.indentedText(p.st.Muted, 4, m.discoverHint())
	} else {
		p.text(p.st.Normal, "Which kind of addresses should the wallet use? If unsure, keep the default.")
		p.blank()
	}
	for i, c := range scriptChoices {
		name := c.name
		if i == 0 {
			name += " — default"
		}
		m.item(p, i+off == m.cursor, name)
		p.line(p.st.Muted, "    "+scriptHint(c.st, m.net))
	}
	m.message(p)
}

func (m *Model) countView(p *page) {
	m.title(p, "New wallet · number of words")
	p.text(p.st.Normal, "12 words hold 128 bits of randomness, more than anyone can guess; 24 words hold 256. Both are safe.")
	p.blank()
	for i, n := range wordCounts {
		m.item(p, i == m.cursor, fmt.Sprintf("%d words", n))
	}
	if m.generating {
		p.blank()
		p.line(p.st.Muted, "Making new words…")
	}
	m.message(p)
}

func (m *Model) showView(p *page) {
	m.title(p, "New wallet · your recovery words")
	p.text(p.st.Warning, fmt.Sprintf("Write these %d words down on paper, in order.", len(m.mnemonic)))
	p.text(p.st.Normal, "Anyone who sees them can take your coins; without them (or this wallet file and its password) the coins are lost. Keep them offline. They are shown only now.")
	p.blank()
	for _, l := range wordGrid(m.mnemonic, 1, p.w) {
		p.line(p.st.Normal, l)
	}
	p.blank()
	p.text(p.st.Normal, "Press enter when you have written them down; you will be asked for three of them.")
}

func (m *Model) verifyView(p *page) {
	m.title(p, "New wallet · check your words")
	p.text(p.st.Normal, "Type these words from your list, to be sure it is right.")
	p.blank()
	for i := range m.verify {
		label := fmt.Sprintf("Word %d", m.positions[i])
		mark := ""
		if m.verified[i] {
			mark = " ✓"
		}
		if i == m.verifyAt {
			p.mark()
		}
		p.field(label, wordLabelW, m.verify[i], mark)
	}
	p.blank()
	m.matchesLine(p, m.verify[m.verifyAt].Value())
	m.message(p)
}

// matchesLine lists the BIP39 words the typed prefix can become.
func (m *Model) matchesLine(p *page, prefix string) {
	ms, n := matches(prefix, maxMatches)
	switch {
	case normalizeWord(prefix) == "":
		p.line(p.st.Muted, "  Matches: type the first letters, tab completes.")
	case n == 0:
		p.line(p.st.Muted, "  Matches: none")
	default:
		s := "  Matches: " + strings.Join(ms, " ")
		if n > len(ms) {
			s += fmt.Sprintf(" … (%d in all)", n)
		}
		p.line(p.st.Normal, s)
	}
}

func (m *Model) wordsView(p *page) {
	m.title(p, "Restore · recovery words")
	p.text(p.st.Normal, "Type your recovery words in order, space or enter after each, or paste the whole phrase.")
	p.blank()
	if len(m.words) > 0 {
		for _, l := range wordGrid(m.words, 1, p.w) {
			p.line(p.st.Normal, l)
		}
		p.blank()
	}
	if len(m.words) < maxWords {
		p.mark()
		p.field(fmt.Sprintf("Word %d", len(m.words)+1), wordLabelW, m.entry, "")
		m.matchesLine(p, m.entry.Value())
	}
	p.blank()
	switch {
	case m.msg != "":
		p.text(p.st.Error, m.msg)
	case m.flag != "":
		p.text(p.st.Error, m.flag)
	case m.check == checkNone:
		p.line(p.st.Muted, "12, 15, 18, 21 or 24 words.")
	case m.check == checkCount:
		p.line(p.st.Muted, fmt.Sprintf("%d words so far; a phrase has 12, 15, 18, 21 or 24 words.", len(m.words)))
	case m.check == checkBad:
		p.line(p.st.Error, fmt.Sprintf("✗ %d words: checksum does not match — a word is wrong", len(m.words)))
	case m.check == checkOK:
		p.line(p.st.Success, fmt.Sprintf("%d words: checksum ok ✓", len(m.words)))
		p.text(p.st.Muted, "Press enter on the empty field to go on, or type more words.")
	}
	if len(m.pending) > 0 {
		p.line(p.st.Muted, fmt.Sprintf("%d more pasted words wait until this one is fixed.", len(m.pending)))
	}
}

func (m *Model) passphraseView(p *page) {
	m.title(p, m.flowName()+" · passphrase (optional)")
	p.text(p.st.Normal, "A BIP39 passphrase is an extra secret added to the words: the same words with another passphrase open a different, empty wallet.")
	if m.action == actCreate {
		p.text(p.st.Muted, "Leave it empty unless you want one; if you set one, you need it with the words to restore.")
	} else {
		p.text(p.st.Muted, "Leave it empty if the wallet had none.")
	}
	p.blank()
	p.mark()
	p.field("Passphrase", secretLabelW, m.phrase[0], "")
	if m.phraseFields() == 2 {
		if m.phraseAt == 1 {
			p.mark()
		}
		p.field("Repeat passphrase", secretLabelW, m.phrase[1], "")
	}
	m.message(p)
}

func (m *Model) passwordView(p *page) {
	m.title(p, m.flowName()+" · wallet password")
	p.text(p.st.Normal, "The password encrypts the keys in the wallet file on this computer; signing asks for it. It is not a backup: the words are.")
	p.blank()
	p.mark()
	p.field("Password", secretLabelW, m.password[0], "")
	if m.passwordAt == 1 {
		p.mark()
	}
	p.field("Repeat password", secretLabelW, m.password[1], "")
	if m.weak != "" {
		p.blank()
		p.text(p.st.Warning, "⚠ Weak: "+m.weak)
		p.text(p.st.Normal, "Anyone who gets a copy of the wallet file can try it. Use it anyway? Enter uses it; esc chooses another.")
	}
	m.message(p)
}

func (m *Model) importView(p *page) {
	if m.action == actMultisig {
		m.multisigView(p)
		return
	}
	m.title(p, "Watch-only · descriptor or extended public key")
	keys := "xpub, ypub or zpub"
	if m.net != nil && m.net.Name != chaincfg.MainNetParams.Name {
		keys = "tpub, upub or vpub"
	}
	p.text(p.st.Normal, "Paste an output descriptor or an extended public key ("+keys+"). A watch-only wallet shows addresses and balances and makes PSBTs for another device to sign; it holds no keys, so it has no password.")
	p.blank()
	p.line(p.st.Normal, "Descriptor or key")
	p.mark()
	p.indented(m.watch[0])
	switch {
	case m.watchErr != "":
		p.text(p.st.Error, m.watchErr)
	case m.watchIn.ok():
		p.text(p.st.Success, "✓ "+capitalize(m.watchIn.summary()))
	default:
		p.blank()
	}
	m.changeField(p)
	p.blank()
	p.text(p.st.Muted, "A bare key is watched as native SegWit (p2wpkh) unless its prefix says otherwise (ypub/upub, zpub/vpub); for another type give a descriptor such as tr("+strings.SplitN(keys, ",", 2)[0]+"…/<0;1>/*).")
	m.message(p)
}

func (m *Model) workingView(p *page) {
	m.title(p, m.flowName())
	if m.action == actImport || m.action == actMultisig {
		m.busy(p, "Writing the watch-only wallet…")
		return
	}
	m.busy(p, "Encrypting the wallet…")
	p.line(p.st.Muted, "  This takes a moment.")
}

// netName names the network as the --network flag does.
func netName(net *chaincfg.Params) string {
	switch {
	case net == nil:
		return "this network"
	case net.Name == chaincfg.TestNet3Params.Name:
		return "testnet"
	}
	return net.Name
}

// changeField draws the optional change descriptor's field of the
// watch-only and multisig imports, once the receive descriptor is good
// and has no change branch of its own.
func (m *Model) changeField(p *page) {
	if !m.watchIn.ok() || !m.watchIn.needsChange() {
		return
	}
	p.blank()
	p.line(p.st.Normal, "Change descriptor (optional, …/1/*)")
	if m.watchAt == 1 {
		p.mark()
	}
	p.indented(m.watch[1])
	if m.changeErr != "" {
		p.text(p.st.Error, m.changeErr)
	}
}
