package wizard

import (
	"context"

	core "github.com/satchelbtc/satchel/wallet"
)

// Source writes the new wallet. The app adapts the keystore and wallet
// packages to it. Its methods are called from a tea.Cmd, never from Update
// or View, so they may block (the password KDF takes about a second).
type Source interface {
	// NewMnemonic returns new random BIP39 English words, words of them
	// (12 or 24).
	NewMnemonic(words int) (string, error)

	// Create makes the wallet from a mnemonic (new or restored), encrypted
	// with password. passphrase is the optional BIP39 passphrase. restored
	// says whether the words come from a backup, so the wallet scans from
	// the start (birthday unknown); for new words the implementation uses
	// the tip as the birthday.
	Create(ctx context.Context, mnemonic, passphrase string, st core.ScriptType, password []byte, restored bool) error

	// Import makes a watch-only wallet from descriptors (a multipath one,
	// or a receive and a change one) or from one extended public key, like
	// `satchel wallet import`: an xpub's SLIP-132 prefix picks its script
	// type (ypub/upub p2sh-p2wpkh, zpub/vpub p2wpkh) and xpub/tpub are
	// p2wpkh. Exactly one of descriptors and xpub is given. The wizard
	// passes a nil password, as watch-only wallets have none.
	Import(ctx context.Context, descriptors []string, xpub string, password []byte) error
}

// DoneMsg is emitted when the wallet has been written; the root model then
// opens it. WatchOnly says whether it was imported without keys.
type DoneMsg struct {
	WatchOnly bool
}

// mnemonicMsg carries new words back to the model that asked for them.
type mnemonicMsg struct {
	id       int64
	seq      uint64
	mnemonic string
	err      error
}

// resultMsg carries the outcome of Create or Import back to the model that
// started it.
type resultMsg struct {
	id        int64
	seq       uint64
	watchOnly bool
	err       error
}
