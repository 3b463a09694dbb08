package wizard

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
	core "github.com/satchelbtc/satchel/wallet"
)

// birthdayLabelW is the width of the birthday field's label.
const birthdayLabelW = 12 // "  Birthday  "

// enterBirthday shows the birthday step, keeping what was typed.
func (m *Model) enterBirthday() {
	m.goTo(stepBirthday, 0)
	m.birthday.Focus()
	m.dateKnown = false
	m.recheckBirthday()
}

// askChain returns a command that reads how far the node's headers reach.
func (m *Model) askChain() tea.Cmd {
	id, src := m.id, m.src
	return func() tea.Msg {
		if src == nil {
			return chainMsg{id: id}
		}
		return chainMsg{id: id, info: src.Chain()}
	}
}

// birthdayKey handles the optional birthday: a height or a date, checked
// as it is typed.
func (m *Model) birthdayKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.common.KeyMap.Back):
		m.birthday.Blur()
		if m.action == actRestore {
			m.enterPassphrase()
			return nil
		}
		m.goTo(stepImport, 0)
		focus(m.watch[:], m.watchAt)
		m.recheckWatch()
	case key.Matches(msg, m.KeyMap.Select):
		m.recheckBirthday()
		if m.bdayErr != "" {
			return nil
		}
		m.birthday.Blur()
		if m.action == actRestore {
			m.enterScript()
			return nil
		}
		return m.startImport()
	default:
		cmd := m.edit(&m.birthday, msg)
		return tea.Batch(cmd, m.recheckBirthday())
	}
	return nil
}

// askDate returns a command that looks up the block the birthday date
// maps to, when the node has headers to look in.
func (m *Model) askDate() tea.Cmd {
	if m.bday.Date.IsZero() || m.src == nil || !m.chainKnown || !m.chain.Online {
		return nil
	}
	id, src, date := m.id, m.src, m.bday.Date
	return func() tea.Msg {
		h, found, err := src.DateHeight(date)
		if err != nil {
			found = false
		}
		return dateMsg{id: id, date: date, height: h, found: found}
	}
}

// recheckBirthday reads the birthday field: a height beyond the tip of
// synced headers, a date in the future or text that is neither is one
// message. A new date is looked up in the headers by the command it
// returns.
func (m *Model) recheckBirthday() tea.Cmd {
	m.bdayErr = ""
	b, err := core.ParseBirthday(m.birthday.Value(), m.now())
	if err != nil {
		m.bday, m.bdayErr = core.UnknownBirthday, capitalize(err.Error())+"."
		return nil
	}
	if b.Height >= 0 && m.chainKnown && m.chain.Online && m.chain.Synced && b.Height > m.chain.Height {
		m.bday = core.UnknownBirthday
		m.bdayErr = fmt.Sprintf("Block %s is beyond the tip of the chain (%s): give an earlier height, a date, or leave it empty.",
			common.FormatInt(int64(b.Height)), common.FormatInt(int64(m.chain.Height)))
		return nil
	}
	changed := !b.Date.Equal(m.bday.Date)
	m.bday = b
	if changed {
		m.dateKnown = false
		return m.askDate()
	}
	return nil
}

// birthdaySummary says where the first scan will start.
func (m *Model) birthdaySummary() string {
	b := m.bday
	switch {
	case b.Height > 1:
		return "✓ The scan starts at block " + common.FormatInt(int64(b.Height)) + "."
	case b.Height >= 0:
		return "✓ The scan starts at the first block."
	case !b.Date.IsZero():
		day := b.Date.Add(-core.BirthdayMargin).Format(core.BirthdayDateLayout)
		switch {
		case m.dateKnown && m.dateFound:
			return "✓ The scan starts at block " + common.FormatInt(int64(max(m.dateHeight, 1))) + ", the first block of " + day +
				": a day early, as block times can be a few hours off."
		case m.dateKnown:
			return "✓ The headers do not reach " + day + " yet: the scan starts at its first block once they do."
		}
		return "✓ The scan starts at the first block of " + day + ", a day early, as block times can be a few hours off."
	}
	return "Empty: the whole chain is scanned, from the first block."
}

// chainLine says how far the headers reach, for choosing a height.
func (m *Model) chainLine() string {
	switch {
	case !m.chainKnown:
		return ""
	case !m.chain.Online:
		return "Offline: the height is not checked against the chain."
	case m.chain.Height <= 0:
		return "The node has no headers yet; a date is looked up once they arrive."
	}
	s := "The headers reach block " + common.FormatInt(int64(m.chain.Height))
	if !m.chain.Time.IsZero() {
		s += " (" + m.chain.Time.UTC().Format(core.BirthdayDateLayout) + ")"
	}
	if !m.chain.Synced {
		s += " so far, still syncing; a date is looked up once they reach it"
	}
	return s + "."
}

func (m *Model) birthdayView(p *page) {
	m.title(p, m.flowName()+" · wallet birthday (optional)")
	p.text(p.st.Normal, "When was the wallet first used? The scan skips the blocks before it, which is much faster. "+
		"Give a block height or a date (YYYY-MM-DD).")
	p.text(p.st.Muted, "Don't know? Leave it empty: the whole chain is scanned. A birthday too late misses older payments.")
	p.blank()
	p.mark()
	p.field("Birthday", birthdayLabelW, m.birthday, "")
	p.blank()
	if m.bdayErr != "" {
		p.text(p.st.Error, "✗ "+m.bdayErr)
	} else if strings.HasPrefix(m.birthdaySummary(), "✓") {
		p.text(p.st.Success, m.birthdaySummary())
	} else {
		p.text(p.st.Muted, m.birthdaySummary())
	}
	if l := m.chainLine(); l != "" {
		p.text(p.st.Muted, l)
	}
	m.message(p)
}
