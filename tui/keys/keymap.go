package keys

import "charm.land/bubbles/v2/key"

// KeyMap holds the Keys page's bindings, on top of the shared
// common.KeyMap (movement and enter). CycleQR, Unlock, Lock, Password and
// Message are free in the shared map; Submit, Cancel, NextField and PrevField are
// only matched while a password form or the message dialog is open, which
// takes every key.
type KeyMap struct {
	// CycleQR shows the QR code of the next item: xpub, receive
	// descriptor, change descriptor.
	CycleQR key.Binding
	// Copy copies the item whose QR code is shown.
	Copy key.Binding
	// Unlock asks for the password and unlocks the key store; Lock locks
	// it. They share a key (capital: it acts on the keys), and the help
	// shows the one that applies.
	Unlock key.Binding
	Lock   key.Binding
	// Password changes the key store's password.
	Password key.Binding
	// Message opens the message dialog: sign a message with one of the
	// wallet's addresses, or verify a signature (BIP322).
	Message key.Binding
	// Submit moves to the next password field, or submits the form from
	// the last one.
	Submit key.Binding
	// Cancel closes the password form, or stops an unlock under way.
	Cancel key.Binding
	// NextField and PrevField move between the fields of the change
	// password form.
	NextField key.Binding
	PrevField key.Binding
	// NextInput and PrevInput move between the rows of the message
	// dialog; Mode switches it between signing and verifying on its first
	// row, and PickAddress puts the wallet's next or previous address in
	// its address field.
	NextInput   key.Binding
	PrevInput   key.Binding
	Mode        key.Binding
	PickAddress key.Binding
}

// DefaultKeyMap returns the default bindings. Each call returns a fresh
// value.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		CycleQR:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "next QR code")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy the xpub or descriptor shown")),
		Unlock:    key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "unlock")),
		Lock:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "lock")),
		Password:  key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "change password")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Message:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "sign/verify a message")),
		NextInput: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next row")),
		PrevInput: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous row")),
		Mode:      key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "sign or verify (first row)")),
		PickAddress: key.NewBinding(key.WithKeys("up", "down"),
			key.WithHelp("↑/↓", "pick one of the wallet's addresses")),
	}
}
