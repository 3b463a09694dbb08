package wallet

import (
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/satchelbtc/satchel/themes"
)

// amountField is the receive page's one-line text field for the amount. It
// predates the use of bubbles' textinput on the other pages and keeps that
// API's shape (Focus, Blur, Focused, Value, Update, View), so that a swap
// to textinput is mechanical.
type amountField struct {
	value   []rune
	pos     int
	focused bool
	limit   int
	width   int // cells for the value, after the prompt
}

const fieldPrompt = "> "

// cursorStyle is the cursor cell: reverse video, which needs no colour, as
// in the text fields of bubbles.
var cursorStyle = lipgloss.NewStyle().Reverse(true)

func newAmountField() amountField { return amountField{limit: 40, width: 24} }

func (f *amountField) Focus()       { f.focused = true }
func (f *amountField) Blur()        { f.focused = false }
func (f amountField) Focused() bool { return f.focused }
func (f amountField) Value() string { return string(f.value) }
func (f *amountField) SetValue(s string) {
	f.value = nil
	f.pos = 0
	f.insert(s)
}

// Update edits the value on key presses and pastes.
func (f *amountField) Update(msg tea.Msg) {
	if !f.focused {
		return
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.insert(msg.Content)
	case tea.KeyPressMsg:
		k := msg.Key()
		switch {
		case k.Code == tea.KeyBackspace:
			if f.pos > 0 {
				f.value = append(f.value[:f.pos-1], f.value[f.pos:]...)
				f.pos--
			}
		case k.Code == tea.KeyDelete:
			if f.pos < len(f.value) {
				f.value = append(f.value[:f.pos], f.value[f.pos+1:]...)
			}
		case k.Code == tea.KeyLeft:
			f.pos = max(f.pos-1, 0)
		case k.Code == tea.KeyRight:
			f.pos = min(f.pos+1, len(f.value))
		case k.Code == tea.KeyHome:
			f.pos = 0
		case k.Code == tea.KeyEnd:
			f.pos = len(f.value)
		case k.Code == 'u' && k.Mod == tea.ModCtrl:
			f.value, f.pos = nil, 0
		case k.Text != "" && k.Mod&^tea.ModShift == 0:
			f.insert(k.Text)
		}
	}
}

func (f *amountField) insert(s string) {
	for _, r := range s {
		if len(f.value) >= f.limit || !unicode.IsPrint(r) {
			continue
		}
		f.value = append(f.value[:f.pos], append([]rune{r}, f.value[f.pos:]...)...)
		f.pos++
	}
}

// View draws the prompt and the value with st, scrolled to keep the cursor
// in view, with the cursor as a reversed cell while focused; the prompt is
// styled as common.InputStyles styles a text field's.
func (f amountField) View(st *themes.Styles) string {
	if len(f.value) == 0 && !f.focused {
		return st.Muted.Render(fieldPrompt) + st.Placeholder.Render("none")
	}
	start := max(f.pos-f.width+1, 0)
	end := min(start+f.width, len(f.value))
	if !f.focused {
		return st.Muted.Render(fieldPrompt) + st.Normal.Render(string(f.value[start:end]))
	}
	s := string(f.value[start:f.pos])
	cur := " "
	if f.pos < len(f.value) {
		cur = string(f.value[f.pos])
	}
	rest := ""
	if f.pos+1 < end {
		rest = string(f.value[f.pos+1 : end])
	}
	return st.InputPrompt.Render(fieldPrompt) + st.Normal.Render(s) + cursorStyle.Render(cur) + st.Normal.Render(rest)
}
