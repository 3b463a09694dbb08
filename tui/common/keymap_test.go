package common

import (
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func press(code rune, text string, mod tea.KeyMod) tea.KeyPressMsg {
	return tea.KeyPressMsg{Code: code, Text: text, Mod: mod}
}

// TestDefaultKeyMapMatches checks that the keys a user presses reach the
// intended binding.
func TestDefaultKeyMapMatches(t *testing.T) {
	km := DefaultKeyMap()
	tests := []struct {
		name string
		msg  tea.KeyPressMsg
		want key.Binding
	}{
		{"j", press('j', "j", 0), km.Down},
		{"down", press(tea.KeyDown, "", 0), km.Down},
		{"k", press('k', "k", 0), km.Up},
		{"up", press(tea.KeyUp, "", 0), km.Up},
		{"g", press('g', "g", 0), km.Top},
		{"G", press('g', "G", tea.ModShift), km.Bottom},
		{"pgup", press(tea.KeyPgUp, "", 0), km.PageUp},
		{"pgdown", press(tea.KeyPgDown, "", 0), km.PageDown},
		{"enter", press(tea.KeyEnter, "", 0), km.Enter},
		{"esc", press(tea.KeyEscape, "", 0), km.Back},
		{"/", press('/', "/", 0), km.Search},
		{"?", press('?', "?", tea.ModShift), km.Help},
		{"ctrl+l", press('l', "", tea.ModCtrl), km.Lock},
		{"q", press('q', "q", 0), km.Quit},
		{"ctrl+c", press('c', "", tea.ModCtrl), km.Quit},
		{"1", press('1', "1", 0), km.Tabs[0]},
		{"5", press('5', "5", 0), km.Tabs[4]},
		{"tab", press(tea.KeyTab, "", 0), km.NextTab},
		{"shift+tab", press(tea.KeyTab, "", tea.ModShift), km.PrevTab},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !key.Matches(tt.msg, tt.want) {
				t.Fatalf("key %q does not match binding %v", tt.msg.String(), tt.want.Keys())
			}
		})
	}
}

// TestDefaultKeyMapHelpAndConflicts checks that every shared binding is shown
// in the help overlay with help text and that no key is bound twice.
func TestDefaultKeyMapHelpAndConflicts(t *testing.T) {
	km := DefaultKeyMap()
	seen := map[string]string{}
	n := 0
	for _, group := range km.FullHelp() {
		for _, b := range group {
			n++
			h := b.Help()
			if h.Key == "" || h.Desc == "" || len(b.Keys()) == 0 {
				t.Errorf("binding %v has no keys or no help text (%q, %q)", b.Keys(), h.Key, h.Desc)
			}
			for _, k := range b.Keys() {
				if prev, ok := seen[k]; ok {
					t.Errorf("key %q bound to both %q and %q", k, prev, h.Desc)
				}
				seen[k] = h.Desc
			}
		}
	}
	// 12 single bindings + 5 number tabs + next/previous tab.
	if want := 19; n != want {
		t.Errorf("help overlay lists %d bindings, want %d (a binding is missing from FullHelp)", n, want)
	}
}

func TestCommonSize(t *testing.T) {
	c := NewCommon(nil, 80, 24)
	if c.Context() == nil || c.Styles == nil {
		t.Fatal("NewCommon left the context or styles nil")
	}
	c.SetSize(120, 40)
	if c.Width != 120 || c.Height != 40 {
		t.Fatalf("size = %dx%d, want 120x40", c.Width, c.Height)
	}
}
