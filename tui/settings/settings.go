package settings

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
)

// Settings are the values the page edits, as config.toml stores them.
type Settings struct {
	// Theme names the colour theme, one of the names New was given.
	Theme string
	// Units is UnitsBTC or UnitsSats.
	Units string
	// FeeRate is the fee rate send starts from, in sat/vB; 0 is not set.
	FeeRate float64
	// Peers are host:port addresses to connect to instead of finding
	// peers (the --connect list); empty means find peers.
	Peers []string
	// AutoLock locks the wallet after this long without a key press; 0
	// is never.
	AutoLock time.Duration
	// ExportDir is the folder the PSBT page exports to; "" is the current
	// directory.
	ExportDir string
}

// clone returns a copy that shares no memory with s.
func (s Settings) clone() Settings {
	s.Peers = slices.Clone(s.Peers)
	return s
}

// Saver writes the settings; the root's adapter writes config.toml. It is
// called from a tea.Cmd, never from Update, and never twice at once.
type Saver interface {
	Save(Settings) error
}

// ChangedMsg is emitted after settings were saved; the root applies the
// theme, units, fee rate and auto-lock at once.
type ChangedMsg struct {
	// Settings are the values that were saved.
	Settings Settings
}

// row is one setting in the list.
type row int

const (
	rowTheme row = iota
	rowUnits
	rowFeeRate
	rowPeers
	rowAutoLock
	rowExports
	rowCount
)

// rowNames are the labels of the rows.
var rowNames = [rowCount]string{"Theme", "Units", "Fee rate", "Peers", "Auto-lock", "Exports"}

// editor is what is open for the selected row.
type editor int

const (
	editNone editor = iota
	editTheme
	editText
)

// lastID numbers pages so that async results reach the page that asked.
var lastID atomic.Int64

// savedMsg carries the result of one save back to the page that asked.
type savedMsg struct {
	id       int64
	seq      uint64
	settings Settings
	err      error
}

// Model is the Settings page.
type Model struct {
	// KeyMap holds the page's own bindings; movement and enter come from
	// Common.
	KeyMap KeyMap

	common common.Common
	saver  Saver
	themes []string
	id     int64
	seq    uint64

	settings Settings
	cursor   row

	editor      editor
	themeCursor int
	themeOffset int
	input       textinput.Model
	inputErr    error
	inputNote   string // what a valid value means

	saving   bool // a save is running
	pending  bool // the settings changed while saving
	status   string
	statusOK bool
}

var _ common.Component = (*Model)(nil)

// New returns the Settings page showing current, offering themes (the
// built-in and user theme names, in the order to show) and saving through
// saver.
func New(c common.Common, current Settings, themes []string, saver Saver) *Model {
	s := current.clone()
	s.Units = normUnits(s.Units)
	if s.Theme == "" && len(themes) > 0 {
		s.Theme = themes[0]
	}
	return &Model{
		KeyMap:   DefaultKeyMap(),
		common:   c,
		saver:    saver,
		themes:   slices.Clone(themes),
		id:       lastID.Add(1),
		settings: s,
	}
}

// Init does nothing: the page starts from the settings it was given.
func (m *Model) Init() tea.Cmd { return nil }

// Settings returns the settings as the page holds them, saved or not.
func (m *Model) Settings() Settings { return m.settings.clone() }

// SetSize sets the size the page draws in.
func (m *Model) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.input.SetWidth(m.inputWidth())
	m.clampThemes()
}

// Capturing reports whether a text field has focus; the root then sends the
// page every key instead of treating q, digits, tab or ? as global.
func (m *Model) Capturing() bool { return m.editor == editText }

// ShortHelp returns the bindings for the help bar.
func (m *Model) ShortHelp() []key.Binding {
	k := m.common.KeyMap
	switch m.editor {
	case editText:
		return []key.Binding{m.KeyMap.Submit, m.KeyMap.Cancel}
	case editTheme:
		return []key.Binding{k.Up, k.Down, m.KeyMap.Submit, m.KeyMap.Cancel}
	}
	return []key.Binding{k.Up, k.Down, k.Enter, m.KeyMap.Next, m.KeyMap.Save}
}

// FullHelp returns the page's bindings for the help overlay.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.common.KeyMap
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.Enter},
		{m.KeyMap.Prev, m.KeyMap.Next, m.KeyMap.Save},
		{m.KeyMap.Submit, m.KeyMap.Cancel},
	}
}

// Update handles keys and save results.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case savedMsg:
		if msg.id == m.id && msg.seq == m.seq {
			return m, m.saved(msg)
		}
		return m, nil
	case tea.PasteMsg:
		if m.editor == editText {
			return m, m.updateInput(msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		switch m.editor {
		case editText:
			return m, m.textKey(msg)
		case editTheme:
			return m, m.themeKey(msg)
		}
		return m, m.browseKey(msg)
	}
	return m, nil
}

// browseKey handles a key while no editor is open.
func (m *Model) browseKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.common.KeyMap
	cursor, offset := int(m.cursor), 0
	if common.MoveCursor(msg, k, &cursor, &offset, int(rowCount), int(rowCount)) {
		m.cursor = row(min(max(cursor, 0), int(rowCount)-1))
		return nil
	}
	switch {
	case key.Matches(msg, k.Enter):
		return m.edit()
	case key.Matches(msg, m.KeyMap.Prev):
		return m.step(-1)
	case key.Matches(msg, m.KeyMap.Next):
		return m.step(1)
	case key.Matches(msg, m.KeyMap.Save):
		return m.save()
	}
	return nil
}

// step moves the selected setting to its previous or next choice and saves
// it. Fee rate and peers have no choices; they are typed.
func (m *Model) step(dir int) tea.Cmd {
	s := m.settings.clone()
	switch m.cursor {
	case rowTheme:
		if len(m.themes) == 0 {
			return nil
		}
		i := slices.Index(m.themes, s.Theme)
		if i < 0 && dir < 0 {
			i = 0
		}
		s.Theme = m.themes[(i+dir+len(m.themes))%len(m.themes)]
	case rowUnits:
		s.Units = otherUnits(s.Units)
	case rowAutoLock:
		s.AutoLock = stepAutoLock(s.AutoLock, dir)
	default:
		return nil
	}
	return m.commit(s)
}

func otherUnits(u string) string {
	if u == UnitsSats {
		return UnitsBTC
	}
	return UnitsSats
}

// edit opens the editor of the selected row; units have none and toggle.
func (m *Model) edit() tea.Cmd {
	switch m.cursor {
	case rowTheme:
		if len(m.themes) == 0 {
			m.setStatus("No themes to choose from.", false)
			return nil
		}
		m.editor = editTheme
		m.themeCursor = max(slices.Index(m.themes, m.settings.Theme), 0)
		m.clampThemes()
		return nil
	case rowUnits:
		return m.step(1)
	case rowFeeRate:
		v := ""
		if m.settings.FeeRate > 0 {
			v = strings.TrimSuffix(formatFeeRate(m.settings.FeeRate), " sat/vB")
		}
		return m.openText(v)
	case rowPeers:
		return m.openText(formatPeers(m.settings.Peers))
	case rowAutoLock:
		return m.openText(formatDuration(m.settings.AutoLock))
	case rowExports:
		return m.openText(m.settings.ExportDir)
	}
	return nil
}

// openText opens the text field with value, checked at once.
func (m *Model) openText(value string) tea.Cmd {
	m.editor = editText
	m.input = newInput(m.common.Styles, m.inputWidth())
	m.input.SetValue(value)
	m.input.CursorEnd()
	m.validate()
	return m.input.Focus()
}

// textKey handles a key while the text field has focus.
func (m *Model) textKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.KeyMap.Cancel):
		m.closeEditor()
		return nil
	case key.Matches(msg, m.KeyMap.Submit):
		s, err := m.parsed()
		if err != nil {
			m.inputErr = err // stays on screen; nothing is saved
			return nil
		}
		m.closeEditor()
		return m.commit(s)
	}
	return m.updateInput(msg)
}

func (m *Model) updateInput(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.validate()
	return cmd
}

// parsed returns the settings with the text field's value in place.
func (m *Model) parsed() (Settings, error) {
	s := m.settings.clone()
	var err error
	switch m.cursor {
	case rowFeeRate:
		s.FeeRate, err = parseFeeRate(m.input.Value())
	case rowPeers:
		s.Peers, err = parsePeers(m.input.Value())
	case rowAutoLock:
		s.AutoLock, err = parseAutoLock(m.input.Value())
	case rowExports:
		s.ExportDir, err = parseExportDir(m.input.Value())
	default:
		err = errors.New("this setting is not typed")
	}
	return s, err
}

// validate checks the text field as it is typed and says what a valid value
// means.
func (m *Model) validate() {
	s, err := m.parsed()
	m.inputErr, m.inputNote = err, ""
	if err != nil {
		return
	}
	switch m.cursor {
	case rowFeeRate:
		m.inputNote = "Send starts from " + formatFeeRate(s.FeeRate) + "."
	case rowPeers:
		m.inputNote = peersSummary(s.Peers) + "."
	case rowAutoLock:
		if s.AutoLock == 0 {
			m.inputNote = "The wallet stays unlocked until you lock it."
		} else {
			m.inputNote = "Locks after " + formatDuration(s.AutoLock) + " without a key press."
		}
	case rowExports:
		m.inputNote = "PSBTs are exported to " + formatExportDir(s.ExportDir) + "."
	}
}

func peersSummary(peers []string) string {
	switch len(peers) {
	case 0:
		return "No peers given: satchel finds peers itself"
	case 1:
		return "Connects only to " + peers[0]
	}
	return "Connects only to these " + strconv.Itoa(len(peers)) + " peers"
}

// themeKey handles a key while the theme list is open.
func (m *Model) themeKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.KeyMap.Cancel):
		m.closeEditor()
		return nil
	case key.Matches(msg, m.KeyMap.Submit):
		s := m.settings.clone()
		s.Theme = m.themes[m.themeCursor]
		m.closeEditor()
		return m.commit(s)
	case common.MoveCursor(msg, m.common.KeyMap, &m.themeCursor, &m.themeOffset, len(m.themes), m.visibleThemes()):
		m.clampThemes()
	}
	return nil
}

func (m *Model) clampThemes() {
	m.themeCursor, m.themeOffset = common.ClampCursor(m.themeCursor, m.themeOffset, len(m.themes), m.visibleThemes())
}

func (m *Model) closeEditor() {
	m.input.Blur()
	m.editor, m.inputErr, m.inputNote = editNone, nil, ""
}

// commit takes new settings in and saves them.
func (m *Model) commit(s Settings) tea.Cmd {
	m.settings = s
	return m.save()
}

// save writes the settings in a command. While a save runs, another one
// waits for it, so the file always ends with the newest settings.
func (m *Model) save() tea.Cmd {
	if m.saving {
		m.pending = true
		return nil
	}
	m.saving, m.pending = true, false
	m.setStatus("Saving…", true)
	m.seq++
	id, seq, saver, s := m.id, m.seq, m.saver, m.settings.clone()
	return func() tea.Msg {
		msg := savedMsg{id: id, seq: seq, settings: s}
		if saver == nil {
			msg.err = errors.New("there is no config file to write")
		} else {
			msg.err = saver.Save(s.clone())
		}
		return msg
	}
}

// saved applies a save's result: ChangedMsg on success, the error
// otherwise, then the save that waited, if any.
func (m *Model) saved(msg savedMsg) tea.Cmd {
	m.saving = false
	var cmds []tea.Cmd
	if msg.err != nil {
		m.setStatus("Could not save the settings: "+msg.err.Error()+". Press "+m.KeyMap.Save.Help().Key+" to try again.", false)
	} else {
		m.setStatus("Saved to config.toml.", true)
		changed := ChangedMsg{Settings: msg.settings}
		cmds = append(cmds, func() tea.Msg { return changed })
	}
	if m.pending {
		cmds = append(cmds, m.save())
	}
	return tea.Batch(cmds...)
}

func (m *Model) setStatus(s string, ok bool) { m.status, m.statusOK = s, ok }

// newInput returns a text field styled from st only, so that it has no
// colour when the styles have none, with a steady cursor.
func newInput(st *themes.Styles, width int) textinput.Model {
	in := textinput.New()
	in.Prompt = "> "
	in.CharLimit = 2048
	in.SetWidth(width)
	in.SetStyles(common.InputStyles(st))
	return in
}
