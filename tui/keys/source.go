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
	// Addresses lists the open wallet's addresses a message can be signed
	// with: the receive addresses handed out so far (at least the first)
	// and the used change addresses.
	Addresses() ([]AddressInfo, error)
	// SignMessage signs message with the key of address, one of the open
	// wallet's, as `satchel message sign` does (BIP322 simple for segwit
	// and taproot, legacy for P2PKH), and returns the base64 signature. It
	// uses the held keys, or keys unlocked from password for this call
	// only; a wrong password gives an error that wraps
	// keystore.ErrWrongPassword.
	SignMessage(ctx context.Context, address, message string, password []byte) (string, error)
	// VerifyMessage checks that signature proves the key of address, any
	// address of the network, signed message. It needs no keys and no
	// network. It returns nil when the signature is valid, an error that
	// wraps bip322.ErrInvalid when it is not, and another error when the
	// address cannot be read or is of a kind no signature can be checked
	// for.
	VerifyMessage(address, message, signature string) error
}

// AddressInfo is one of the open wallet's addresses, as the message dialog
// offers it.
type AddressInfo struct {
	// Address is the encoded address.
	Address string
	// Change is true for an address of the change chain.
	Change bool
	// Index is the address's index on its chain.
	Index uint32
	// Used is true when a payment to the address was seen.
	Used bool
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
	// Multisig is the policy of a multisig wallet, nil for a single-key
	// one. A multisig wallet has no Fingerprint, Path or Xpub of its own.
	Multisig *Multisig
}

// Multisig is a multisig wallet's policy: Threshold of the Cosigners must
// sign.
type Multisig struct {
	// Threshold is how many signatures a payment needs.
	Threshold int
	// Sorted is true for sortedmulti(), false for multi().
	Sorted bool
	// Cosigners are the keys, in the descriptor's order.
	Cosigners []Cosigner
	// Descriptor is the policy as one BIP389 descriptor of both chains
	// (/<0;1>/*), with its checksum.
	Descriptor string
}

// Cosigner is one key of a multisig wallet.
type Cosigner struct {
	// Fingerprint is the cosigner's master key fingerprint in hex.
	Fingerprint string
	// Path is the key's derivation path from that master key, such as
	// "m/48'/1'/0'/2'"; "m" when the descriptor gave no origin.
	Path string
	// Xpub is the cosigner's account key.
	Xpub string
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
