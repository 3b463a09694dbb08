package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
)

// discoverTitle names the restore list's first entry.
const discoverTitle = "Find the types I used"

// discoverHint says what the discovery entry does, or why it cannot.
func (m *Model) discoverHint() string {
	if m.chainKnown && !m.chain.Online {
		return "Needs the network, and satchel runs --offline: pick the type below."
	}
	from := "from the first block"
	if m.bday.Known() {
		from = "from the birthday"
	}
	return fmt.Sprintf("Look for payments to the first %d receive and %d change addresses of all four types, %s.",
		core.DiscoverReceive, core.DiscoverChange, from)
}

// startDiscover looks for the types the seed used in a goroutine that
// sends its progress to the model through a channel, read one message at
// a time by a command (see waitDiscover); esc cancels it.
func (m *Model) startDiscover() tea.Cmd {
	if m.chainKnown && !m.chain.Online {
		m.msg = "Satchel is offline, so the types cannot be looked up: pick the type the old wallet used."
		return nil
	}
	mnemonic, err := keystore.NormalizeMnemonic(strings.Join(m.words, " "))
	if err != nil {
		m.msg = capitalize(err.Error()) + "."
		return nil
	}
	m.seq++
	m.goTo(stepDiscover, 0)
	m.progress = session.DiscoverProgress{Syncing: true}
	ctx, cancel := context.WithCancel(m.common.Context())
	m.cancel = cancel
	id, seq, src, pass, bday := m.id, m.seq, m.src, m.phrase[0].Value(), m.bday
	events := make(chan discoverMsg, 1)
	done := make(chan discoverMsg, 1)
	run := func() {
		if src == nil {
			done <- discoverMsg{id: id, seq: seq, done: true, err: errNoSource}
			return
		}
		uses, err := src.Discover(ctx, mnemonic, pass, bday, func(p session.DiscoverProgress) {
			select {
			case events <- discoverMsg{id: id, seq: seq, progress: p}:
			default: // the screen is behind: it gets a later one
			}
		})
		done <- discoverMsg{id: id, seq: seq, done: true, uses: uses, err: err}
	}
	wait := waitDiscover(events, done)
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(m.common.Styles.Muted))
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		go run()
		return wait()
	})
}

// waitDiscover returns a command that reads the next message of a
// discovery; the model issues it again after each progress message.
func waitDiscover(events, done <-chan discoverMsg) func() tea.Msg {
	return func() tea.Msg {
		select {
		case msg := <-events:
			msg.next = waitDiscover(events, done)
			return msg
		case msg := <-done:
			return msg
		}
	}
}

// discovered applies news from the discovery: progress, or its result,
// which shows the types found (preselected) or, on failure, says why and
// goes back to picking by hand.
func (m *Model) discovered(msg discoverMsg) tea.Cmd {
	if !msg.done {
		m.progress = msg.progress
		return msg.next
	}
	m.cancel()
	m.cancel = nil
	if msg.err != nil {
		m.enterScript()
		m.cursor = 0
		switch {
		case errors.Is(msg.err, session.ErrOffline):
			m.msg = "Satchel is offline, so the types cannot be looked up: pick the type the old wallet used."
		case errors.Is(msg.err, context.Canceled):
			m.msg = "Stopped: pick the type by hand, or look again."
		default:
			m.msg = "Could not look for the types: " + msg.err.Error() + ". Pick the type by hand, or look again."
		}
		return nil
	}
	m.found = m.found[:0]
	for _, c := range scriptChoices {
		for _, u := range msg.uses {
			if u.Type == c.st {
				m.found = append(m.found, u)
			}
		}
	}
	m.picked = make([]bool, len(m.found))
	first := -1
	for i, u := range m.found {
		m.picked[i] = u.Used()
		if first < 0 && u.Used() {
			first = i
		}
	}
	m.discovering = true
	m.goTo(stepFound, max(first, 0))
	m.renames()
	return nil
}

// discoverKey handles the progress screen: esc stops.
func (m *Model) discoverKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.common.KeyMap.Back) && m.cancel != nil {
		m.cancel() // the result (context.Canceled) goes back to the list
	}
	return nil
}

// foundKey handles the types found: space keeps or drops one, enter goes
// on with the kept ones, esc picks by hand.
func (m *Model) foundKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.moveList(msg, len(m.found)) {
		return nil
	}
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		m.discovering = false
		m.enterScript()
	case key.Matches(msg, m.KeyMap.Toggle):
		if m.cursor < len(m.picked) {
			m.picked[m.cursor] = !m.picked[m.cursor]
			m.msg = ""
			m.renames()
		}
	case key.Matches(msg, m.KeyMap.Select):
		if len(m.chosenTypes()) == 0 {
			m.msg = "Keep at least one type with space, or press esc to pick one by hand."
			return nil
		}
		m.enterPassword()
	}
	return nil
}

// chosenTypes are the types to write wallets for: the kept ones after
// discovery, else the one picked.
func (m *Model) chosenTypes() []core.ScriptType {
	if !m.discovering || m.action != actRestore {
		return []core.ScriptType{scriptChoices[m.script].st}
	}
	var out []core.ScriptType
	for i, u := range m.found {
		if m.picked[i] {
			out = append(out, u.Type)
		}
	}
	return out
}

// renames asks the source what the kept types' wallets will be called.
func (m *Model) renames() {
	m.names = nil
	if types := m.chosenTypes(); len(types) > 0 && m.src != nil {
		m.names = m.src.WalletNames(types)
	}
}

// nameOf returns the wallet name of found[i] when it is kept.
func (m *Model) nameOf(i int) string {
	n := 0
	for j := range m.found {
		if !m.picked[j] {
			continue
		}
		if j == i {
			if n < len(m.names) {
				return m.names[n]
			}
			return ""
		}
		n++
	}
	return ""
}

func (m *Model) discoverView(p *page) {
	m.title(p, "Restore · finding the types you used")
	p.text(p.st.Normal, fmt.Sprintf("Looking for payments to the first %d receive and %d change addresses of each type in the verified block filters. "+
		"Only the matching blocks are downloaded.", core.DiscoverReceive, core.DiscoverChange))
	p.blank()
	pr := m.progress
	if pr.Syncing || pr.Target <= 0 {
		m.busy(p, "Waiting for the node to sync headers and filters…")
		return
	}
	p.line(p.st.Normal, "Blocks "+common.FormatInt(int64(pr.Height))+" of "+common.FormatInt(int64(pr.Target)))
	p.mark()
	p.out = append(p.out, progressBar(p, pr.Height, pr.Target))
}

// progressBar draws done of total as a bar the page's width with the
// percentage after it, in characters that need no colour: █ done, ░ to do.
func progressBar(p *page, done, total int32) string {
	const pctW = len(" 100%")
	barW := p.w - pctW
	if barW < 3 {
		return common.Line(p.w, p.st.Normal)
	}
	frac := 0.0
	if total > 0 {
		frac = min(max(float64(done)/float64(total), 0), 1)
	}
	filled := int(frac * float64(barW))
	pct := common.FormatInt(int64(frac*100)) + "%"
	return common.Line(p.w, p.st.Normal,
		common.Span{Text: strings.Repeat("█", filled), Style: p.st.ProgressFilled},
		common.Span{Text: strings.Repeat("░", barW-filled), Style: p.st.ProgressEmpty},
		common.Span{Text: " " + common.PadLeft(pct, pctW-1), Style: p.st.Normal})
}

func (m *Model) foundView(p *page) {
	m.title(p, "Restore · the types you used")
	used := 0
	for _, u := range m.found {
		if u.Used() {
			used++
		}
	}
	switch used {
	case 0:
		p.text(p.st.Warning, "No payments to the first addresses of any type were found. The wallet may be newer than the chain "+
			"the node has, or older than the birthday. Keep a type with space, or press esc to pick one by hand.")
	case 1:
		p.text(p.st.Normal, "One type has payments; it is kept. Press enter to go on.")
	default:
		p.text(p.st.Normal, fmt.Sprintf("%d types have payments; each kept type becomes a wallet of its own. Space keeps or drops one.", used))
	}
	p.blank()
	for i, u := range m.found {
		box := "[ ] "
		if m.picked[i] {
			box = "[x] "
		}
		m.item(p, i == m.cursor, box+scriptName(u.Type))
		p.indentedText(p.st.Muted, 6, m.useText(u, i))
	}
	m.message(p)
}

// useText describes what was found for found[i] and the wallet it makes.
func (m *Model) useText(u core.ScriptUse, i int) string {
	s := "no payments"
	if u.Used() {
		s = fmt.Sprintf("%d payment%s, %s, first in block %s", u.Payments, plural(u.Payments),
			formatBTC(u.Received), common.FormatInt(int64(u.FirstHeight)))
	}
	if name := m.nameOf(i); name != "" {
		s += " → wallet " + name
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// formatBTC writes an amount in bitcoin, without trailing zeros.
func formatBTC(a btcutil.Amount) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.8f", a.ToBTC()), "0"), ".")
	return s + " BTC"
}
