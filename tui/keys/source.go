package keys

import "context"

// Source gives the Keys page access to the wallets of one network and to the
// open wallet's key store. The app adapts the wallet and keystore packages
// to it. Calls are made from a tea.Cmd, never from Update or View, so they
// may block: Unlock and ChangePassword run a key derivation that takes about
// a second.
type Source interface {
	// Wallets lists the wallets on this network.
	Wallets() ([]WalletInfo, error)
	// Current returns the name of the open wallet, or "" when none is open.
	Current() string
	// Account describes the open wallet's account.
	Account() (Account, error)
	// Unlocked reports whether the open wallet's keys are unlocked.
	Unlocked() bool
	// Unlock opens the key store with password. A wrong password gives an
	// error that wraps keystore.ErrWrongPassword.
	Unlock(ctx context.Context, password []byte) error
	// Lock forgets the unlocked keys.
	Lock()
	// ChangePassword re-encrypts the key store under newPassword. A wrong
	// old password gives an error that wraps keystore.ErrWrongPassword.
	ChangePassword(ctx context.Context, old, newPassword []byte) error
}

// WalletInfo describes one wallet in the wallets list.
type WalletInfo struct {
	// Name is the wallet's name, as SwitchWalletMsg carries it.
	Name string
	// WatchOnly is true for a wallet that holds no private keys.
	WatchOnly bool
	// ScriptType names the wallet's output type, such as "p2wpkh".
	ScriptType string
	// Fingerprint is the master key fingerprint in hex.
	Fingerprint string
}

// Account is what the page shows of the open wallet.
type Account struct {
	// Name is the wallet's name.
	Name string
	// Fingerprint is the master key fingerprint in hex.
	Fingerprint string
	// ScriptType names the output type, such as "p2wpkh".
	ScriptType string
	// Path is the account's derivation path, such as "m/84'/0'/0'".
	Path string
	// Xpub is the account's extended public key.
	Xpub string
	// Receive and Change are the output descriptors of the receive and
	// change chains, with their checksums.
	Receive, Change string
	// WatchOnly is true for a wallet that holds no private keys.
	WatchOnly bool
}

// SwitchWalletMsg is emitted when the user opens another wallet from the
// list; the root model reopens the app on that wallet.
type SwitchWalletMsg struct {
	// Name is the wallet to open.
	Name string
}

// LockChangedMsg is emitted after the page unlocked or locked the wallet, so
// that the root model updates its status bar.
type LockChangedMsg struct {
	// Unlocked is the new state of the key store.
	Unlocked bool
}
