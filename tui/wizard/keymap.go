package wizard

import "charm.land/bubbles/v2/key"

// KeyMap holds the wizard's own bindings. Movement (up, down) and esc
// (back) come from the shared common.KeyMap.
type KeyMap struct {
	// Select chooses the item under the cursor, or continues from a text
	// field.
	Select key.Binding
	// Complete completes the word being typed to the first BIP39 word it
	// starts.
	Complete key.Binding
	// NextWord takes the typed word and starts the next one (restore).
	NextWord key.Binding
	// EditPrevious takes the previous word back into the field when the
	// field is empty (restore).
	EditPrevious key.Binding
	// Toggle keeps or drops the script type under the cursor (restore,
	// after discovery).
	Toggle key.Binding
}

// DefaultKeyMap returns the default bindings. Each call returns a fresh
// value.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Select:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Complete:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		NextWord:     key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "next word")),
		EditPrevious: key.NewBinding(key.WithKeys("backspace"), key.WithHelp("backspace", "edit last")),
		Toggle:       key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "keep/drop type")),
	}
}
