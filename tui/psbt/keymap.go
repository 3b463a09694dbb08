package psbt

import "charm.land/bubbles/v2/key"

// KeyMap holds the PSBT page's bindings, on top of the shared
// common.KeyMap (movement, enter, esc). The letters follow the app's rule
// (common.KeyMap): e exports as on the send review; S is a capital because
// it puts the wallet's keys to use. Confirm, Cancel and Complete are only
// matched while a field is open, which takes every key.
type KeyMap struct {
	// Open asks for a file, pasted base64 or QR parts.
	Open key.Binding
	// Sign signs the wallet's inputs (a password is asked when the
	// wallet is locked).
	Sign key.Binding
	// Combine merges another copy of the PSBT, signed elsewhere.
	Combine key.Binding
	// Finalize makes the final scripts and witnesses of a complete PSBT.
	Finalize key.Binding
	// Broadcast finalizes and sends the transaction (online only).
	Broadcast key.Binding
	// Export writes the PSBT to the export folder.
	Export key.Binding
	// QR shows the PSBT as an animated QR code for a signing device.
	QR key.Binding
	// Copy copies the PSBT as base64 text.
	Copy key.Binding
	// Close forgets the PSBT shown, or leaves the page when none is.
	Close key.Binding
	// Confirm submits the open field; Cancel closes it.
	Confirm key.Binding
	Cancel  key.Binding
	// Complete completes the file name typed in the path field.
	Complete key.Binding
}

// DefaultKeyMap returns the default bindings. Each call returns a fresh
// value.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Open:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open a PSBT (file, base64, QR)")),
		Sign:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "sign with the wallet's keys")),
		Combine:   key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "merge another copy (combine)")),
		Finalize:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "finalize into a transaction")),
		Broadcast: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "broadcast")),
		Export:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export PSBT")),
		QR:        key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "show as animated QR")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy as base64")),
		Close:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		Confirm:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Complete:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete the file name")),
	}
}
