package wallet

import "charm.land/bubbles/v2/key"

// KeyMap holds the bindings of the wallet pages, on top of the shared
// common.KeyMap (movement, enter, esc). None of these keys is bound in the
// shared map, so they can be matched without conflicts.
type KeyMap struct {
	// Units switches amounts between BTC and sats on the overview.
	Units key.Binding
	// Receive asks for the receive page from the overview.
	Receive key.Binding
	// NewAddress hands out another receive address.
	NewAddress key.Binding
	// EditAmount focuses the amount field of the receive page.
	EditAmount key.Binding
	// DoneAmount leaves the amount field, keeping what was typed.
	DoneAmount key.Binding
	// Label edits the label of the selected transaction or coin.
	Label key.Binding
	// Send asks for the send page from the overview.
	Send key.Binding
	// Coins asks for the coins page from the overview.
	Coins key.Binding
	// PSBT asks for the PSBT page (open, review, sign, broadcast a PSBT)
	// from the overview.
	PSBT key.Binding
	// FullAddress shows the receive address alone, in groups of four
	// characters, for a terminal too narrow for it on one line; CloseFull
	// goes back.
	FullAddress key.Binding
	CloseFull   key.Binding
	// HandOut hands out an address beyond the gap limit once the receive
	// page warned about it; KeepAddress declines and keeps the last one.
	HandOut     key.Binding
	KeepAddress key.Binding
	// Copy copies the selected txid or the address shown.
	Copy key.Binding
}

// DefaultKeyMap returns the default bindings. Each call returns a fresh
// value.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Units:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "BTC/sats")),
		Receive:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "receive")),
		NewAddress:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new address")),
		EditAmount:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "edit amount")),
		DoneAmount:  key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "done")),
		Label:       key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "label")),
		Send:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send")),
		Coins:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "coins")),
		PSBT:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open a PSBT")),
		FullAddress: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "address in full")),
		CloseFull:   key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc", "back")),
		HandOut:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "hand it out anyway")),
		KeepAddress: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "keep the last address")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
	}
}
