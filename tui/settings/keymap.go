package settings

import "charm.land/bubbles/v2/key"

// KeyMap holds the Settings page's bindings, on top of the shared
// common.KeyMap (movement and enter, which edits the selected setting).
// Prev, Next and Save are free in the shared map; Submit and Cancel are
// only matched while a value is being edited.
type KeyMap struct {
	// Prev and Next step the selected setting through its choices (theme,
	// units, auto-lock presets) and save it.
	Prev key.Binding
	Next key.Binding
	// Save writes the settings again, for instance after a failed save.
	Save key.Binding
	// Submit saves the value being edited.
	Submit key.Binding
	// Cancel leaves the editor without saving.
	Cancel key.Binding
}

// DefaultKeyMap returns the default bindings. Each call returns a fresh
// value.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Prev:   key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous choice")),
		Next:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next choice")),
		Save:   key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save again")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}
