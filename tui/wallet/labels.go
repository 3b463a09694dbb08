package wallet

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/labels"
)

// Label key prefixes, to tell in the editor what a key names; the keys
// themselves are made by the wallet (core.TxLabelKey and the others).
const (
	txKeyPrefix     = string(labels.TypeTx) + ":"
	outputKeyPrefix = string(labels.TypeOutput) + ":"
	addrKeyPrefix   = string(labels.TypeAddr) + ":"
)

// LabelRequestedMsg is emitted when the user asks to edit a label from a
// list; the root model pushes a LabelEdit for Key, prefilled with Current.
type LabelRequestedMsg struct {
	// Key names the labelled record, such as "tx:<txid>" or
	// "output:<txid>:<vout>".
	Key string
	// Current is the label shown now; the editor starts from it.
	Current string
}

// LabelSavedMsg is emitted by a LabelEdit once the wallet has stored the
// label; an empty Label means the label was removed. The root model pops
// the editor, and pages showing labels re-read them.
type LabelSavedMsg struct {
	Key   string
	Label string
}

// LabelCancelledMsg is emitted by a LabelEdit when the user leaves it
// without saving; the root model pops the editor.
type LabelCancelledMsg struct{}

// LabelSetter stores labels; the wallet and CoinsSource implement it.
type LabelSetter interface {
	// SetLabel sets the label of key, or removes it when label is "".
	SetLabel(key, label string) error
}

// labelErrMsg carries a failed save back to the editor that asked.
type labelErrMsg struct {
	id  int64
	seq uint64
	err error
}

// LabelKeyMap holds the label editor's bindings. Every other key is typed
// into the field.
type LabelKeyMap struct {
	// Save stores the label and closes the editor.
	Save key.Binding
	// Cancel closes the editor without saving.
	Cancel key.Binding
}

// DefaultLabelKeyMap returns the default bindings. Each call returns a fresh
// value.
func DefaultLabelKeyMap() LabelKeyMap {
	return LabelKeyMap{
		Save:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save label")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// LabelEdit is a page with one text field that edits the label of one
// record. It takes every key but its own two while it is shown, so
// Capturing is always true.
type LabelEdit struct {
	// KeyMap holds the editor's bindings.
	KeyMap LabelKeyMap

	common common.Common
	src    LabelSetter
	key    string
	title  string
	id     int64
	seq    uint64

	input  textinput.Model
	saving bool
	err    error // why the last save failed, or why the text cannot be saved
}

var _ common.Component = (*LabelEdit)(nil)

// NewLabelEdit returns an editor for the label of key, starting from
// current. title heads the page; "" derives one from the key ("Label of
// coin", "Label of transaction"...). Saving calls src.SetLabel.
func NewLabelEdit(c common.Common, src LabelSetter, key, current, title string) *LabelEdit {
	if title == "" {
		title = labelTitle(key)
	}
	in := textinput.New()
	in.Prompt = fieldPrompt
	in.Placeholder = "no label"
	in.SetStyles(common.InputStyles(c.Styles))
	in.SetValue(current)
	in.Focus()
	m := &LabelEdit{
		KeyMap: DefaultLabelKeyMap(),
		common: c,
		src:    src,
		key:    key,
		title:  title,
		id:     lastID.Add(1),
		input:  in,
	}
	m.sizeInput()
	return m
}

// labelTitle names what a key labels.
func labelTitle(key string) string {
	switch {
	case strings.HasPrefix(key, txKeyPrefix):
		return "Label of transaction"
	case strings.HasPrefix(key, outputKeyPrefix):
		return "Label of coin"
	case strings.HasPrefix(key, addrKeyPrefix):
		return "Label of address"
	}
	return "Label"
}

// Init starts nothing; the field is ready.
func (m *LabelEdit) Init() tea.Cmd { return nil }

// Capturing reports that the editor takes text, so that the root does not
// treat q, digits, tab or ? as global keys.
func (m *LabelEdit) Capturing() bool { return true }

// Key returns the key of the record being labelled.
func (m *LabelEdit) Key() string { return m.key }

// Value returns the text in the field.
func (m *LabelEdit) Value() string { return m.input.Value() }

// SetSize sets the size the editor draws in.
func (m *LabelEdit) SetSize(width, height int) {
	m.common.SetSize(width, height)
	m.sizeInput()
}

func (m *LabelEdit) sizeInput() {
	// The prompt and the cursor cell after the text.
	m.input.SetWidth(max(m.common.Width-len(fieldPrompt)-1, 1))
}

// ShortHelp returns the bindings for the help bar.
func (m *LabelEdit) ShortHelp() []key.Binding {
	return []key.Binding{m.KeyMap.Save, m.KeyMap.Cancel}
}

// FullHelp returns the editor's bindings for the help overlay.
func (m *LabelEdit) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.KeyMap.Save, m.KeyMap.Cancel}}
}

// Update edits the text, saves on enter and cancels on esc.
func (m *LabelEdit) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case labelErrMsg:
		if msg.id == m.id && msg.seq == m.seq {
			m.saving = false
			m.err = fmt.Errorf("could not save the label: %w", msg.err)
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.saving {
			return m, nil
		}
		switch {
		case key.Matches(msg, m.KeyMap.Save):
			return m, m.save()
		case key.Matches(msg, m.KeyMap.Cancel):
			return m, func() tea.Msg { return LabelCancelledMsg{} }
		}
		m.err = nil
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	case tea.PasteMsg:
		if m.saving {
			return m, nil
		}
		m.err = nil
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	default:
		// The field's own messages, such as a clipboard paste.
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
}

// save checks the text and returns a command that stores it.
func (m *LabelEdit) save() tea.Cmd {
	label := strings.TrimSpace(m.input.Value())
	if n := utf8.RuneCountInString(label); n > labels.MaxLabelLength {
		m.err = fmt.Errorf("the label is %d characters long; shorten it to %d or fewer", n, labels.MaxLabelLength)
		return nil
	}
	if m.src == nil {
		m.err = fmt.Errorf("no wallet is open")
		return nil
	}
	m.seq++
	m.saving = true
	m.err = nil
	id, seq, src, k := m.id, m.seq, m.src, m.key
	return func() tea.Msg {
		if err := src.SetLabel(k, label); err != nil {
			return labelErrMsg{id: id, seq: seq, err: err}
		}
		return LabelSavedMsg{Key: k, Label: label}
	}
}

// View draws the title, what is labelled, the field and a hint or the
// error, exactly Height lines of at most Width cells.
func (m *LabelEdit) View() tea.View { return tea.NewView(m.render()) }

func (m *LabelEdit) render() string {
	w, h := m.common.Width, m.common.Height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.common.Styles
	lines := []string{st.Title.Render(common.Fit(m.title, w))}
	ref := m.key
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[i+1:]
	}
	for _, s := range common.HardWrap(ref, w) {
		lines = append(lines, st.Muted.Render(common.Fit(s, w)))
	}
	lines = append(lines, "", common.Fit(common.InputView(m.input, st), w))
	switch {
	case m.err != nil:
		for _, s := range common.WordWrap(m.err.Error(), w) {
			lines = append(lines, st.Error.Render(common.Fit(s, w)))
		}
	case m.saving:
		lines = append(lines, st.Muted.Render(common.Fit("Saving…", w)))
	default:
		n := utf8.RuneCountInString(m.input.Value())
		hint := fmt.Sprintf("enter save · esc cancel · an empty label removes it · %d/%d", n, labels.MaxLabelLength)
		for _, s := range common.WordWrap(hint, w) {
			lines = append(lines, st.Muted.Render(common.Fit(s, w)))
		}
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
