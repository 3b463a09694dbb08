// Package keys is the Keys tab of the TUI: the open wallet's account (its
// fingerprint, script type, derivation path, xpub and output descriptors)
// with a QR code of one of them, the wallets on this network, and the
// controls that lock, unlock and re-password the wallet's key store. A
// multisig wallet shows its policy instead of a key of its own: the
// threshold, each cosigner's fingerprint, origin and key (and the seed
// wallet here that holds it), and the <0;1> descriptor.
//
// The message dialog (x) signs a message with one of the wallet's
// addresses, as `satchel message sign` does (BIP322 simple signatures,
// the legacy format for P2PKH), after the password when the keys are
// locked, and shows the base64 signature in full with its QR code when it
// fits; it verifies a signature of any address with no keys and no
// network. A watch-only or multisig wallet only verifies.
//
// The page reads and changes the wallet only through Source, which the app
// adapts from the wallet and its key store. Every call runs in a tea.Cmd;
// its result carries the page's ID and a sequence number, so an answer
// meant for another page, or overtaken by a newer request, is dropped.
// Update and View never touch the source.
//
// The page emits SwitchWalletMsg when the user opens another wallet and
// LockChangedMsg after the key store was unlocked or locked; the root model
// reopens the app or updates its status bar. While a password field has
// focus, and while the message dialog is open, the page takes every key;
// the root asks Model.Capturing before treating a key as global.
package keys
