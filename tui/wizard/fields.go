package wizard

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
)

// Label widths: the text before a field, so that fields line up.
const (
	wordLabelW   = 10 // "  Word 24 "
	secretLabelW = 20 // "  Repeat passphrase "
	fieldIndent  = 2
)

// newField returns a one-line text field styled from st. The cursor is a
// reversed cell that does not blink, so it shows without colour and views
// are stable. masked fields show * for each character.
func newField(st *themes.Styles, masked bool, limit int) textinput.Model {
	f := textinput.New()
	f.Prompt = "> "
	f.CharLimit = limit
	if masked {
		f.EchoMode = textinput.EchoPassword
		f.EchoCharacter = '*'
	}
	f.SetStyles(common.InputStyles(st))
	km := textinput.DefaultKeyMap()
	// Terminals deliver pastes as tea.PasteMsg; reading the clipboard
	// would be I/O behind the user's back. Completion is the wizard's own
	// (see complete), shown as a list rather than grey text, which a
	// colourless terminal could not tell from typed text.
	km.Paste = key.Binding{}
	km.AcceptSuggestion = key.Binding{}
	km.NextSuggestion = key.Binding{}
	km.PrevSuggestion = key.Binding{}
	f.KeyMap = km
	return f
}

// sizeFields fits the fields to the width: the value scrolls inside.
func (m *Model) sizeFields() {
	w := m.common.Width
	const prompt = 3 // "> " and the cursor cell after the value
	set := func(f *textinput.Model, label int) { f.SetWidth(max(w-label-prompt, 4)) }
	set(&m.entry, wordLabelW)
	for i := range m.verify {
		// Room for the " ✓" after a word that was right.
		set(&m.verify[i], wordLabelW+2)
	}
	for i := range m.phrase {
		set(&m.phrase[i], secretLabelW)
	}
	for i := range m.password {
		set(&m.password[i], secretLabelW)
	}
	for i := range m.watch {
		set(&m.watch[i], fieldIndent)
	}
}

// focus gives the focus to fields[i] and takes it from the others.
func focus(fields []textinput.Model, i int) {
	for j := range fields {
		if j == i {
			fields[j].Focus()
		} else {
			fields[j].Blur()
		}
	}
}

// blurAll takes the focus from every field.
func blurAll(fields []textinput.Model) {
	for j := range fields {
		fields[j].Blur()
	}
}

// resetAll empties fields.
func resetAll(fields []textinput.Model) {
	for j := range fields {
		fields[j].Reset()
	}
}

// edit sends msg to f unless it is the completion key, which only word
// fields use.
func (m *Model) edit(f *textinput.Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.KeyMap.Complete) {
		return nil
	}
	var cmd tea.Cmd
	*f, cmd = f.Update(msg)
	return cmd
}

// complete replaces the word in f by the first BIP39 word it starts.
func complete(f *textinput.Model) {
	if ms, _ := matches(f.Value(), 1); len(ms) > 0 {
		f.SetValue(ms[0])
		f.CursorEnd()
	}
}
