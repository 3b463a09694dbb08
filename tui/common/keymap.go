package common

import "charm.land/bubbles/v2/key"

// KeyRule is the keymap's rule in a line, as the help overlay shows it.
const KeyRule = "one key, one meaning · capitals act on keys or skip a check"

// KeyMap holds the key bindings shared by all pages. Pages match keys with
// key.Matches against these bindings and never against raw strings, so that
// a user's remapping (later, from config) reaches every page.
//
// The rule every page's keys follow (tui/app's tests check it):
//   - a letter, a ctrl+letter or a sign means one thing in the whole app:
//     u is always BTC/sats, p always proves, f always freezes, y always
//     copies;
//   - capitals act on the keys or skip a safety check: L unlocks and locks,
//     P changes the password, S signs a PSBT with them, B, X and C bump,
//     cancel or speed up (CPFP) a payment and sign it, F builds a payment
//     whose fee looks absurd;
//   - ctrl+ combinations act on the page as a whole (ctrl+l locks the
//     wallet, ctrl+o opens coin control, ctrl+r refreshes, ctrl+s saves);
//   - enter, esc, tab, space, backspace and the arrows take their meaning
//     from where the cursor is (open, confirm, back, next field, ...);
//   - an action that does not apply is not shown (no "unlock" while
//     unlocked).
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Enter    key.Binding
	Back     key.Binding
	Search   key.Binding
	// Copy copies what the page shows (a txid, an address, a PSBT) to the
	// clipboard; pages give it a help text naming what they copy.
	Copy key.Binding
	Help key.Binding
	Lock key.Binding
	Quit key.Binding

	// Tabs selects a tab directly: Tabs[0] is key 1, Tabs[4] is key 5.
	Tabs    [5]key.Binding
	NextTab key.Binding
	PrevTab key.Binding
}

// DefaultKeyMap returns the default bindings. Each call returns a fresh value,
// so a page that disables a binding does not affect another page.
func DefaultKeyMap() KeyMap {
	km := KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Search:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Copy:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Lock:     key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "lock wallet")),
		Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		NextTab:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous tab")),
	}
	for i := range km.Tabs {
		k := string(rune('1' + i))
		km.Tabs[i] = key.NewBinding(key.WithKeys(k), key.WithHelp(k, "tab "+k))
	}
	return km
}

// ShortHelp returns the bindings for the one-line help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit}
}

// FullHelp returns every shared binding, grouped for the help overlay.
func (k KeyMap) FullHelp() [][]key.Binding {
	tabs := append([]key.Binding{k.NextTab, k.PrevTab}, k.Tabs[:]...)
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Enter, k.Back, k.Search},
		tabs,
		{k.Help, k.Lock, k.Quit},
	}
}
