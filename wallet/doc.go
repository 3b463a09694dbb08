// Package wallet holds satchel's view of one wallet: its account (script type,
// key origin and extended public key), the output descriptors that describe
// it, address derivation for the receive and change chains, and the wallet's
// state on disk.
//
// A wallet lives in one bbolt file, <datadir>/<network>/wallets/<name>.db. The
// file holds two kinds of data side by side:
//
//   - public data written by this package in clear (the account's xpub and key
//     origin, the next address indices, the birthday), so that a locked wallet
//     can still derive addresses, sync and show balances; and
//   - for wallets that can sign, the encrypted secret managed by package
//     keystore in a bucket of its own. This package never sees the password
//     or the decrypted secret except to hand them to keystore.
//
// Watch-only wallets are created from descriptors or an extended public key
// and have no keystore bucket at all, so they never ask for a password.
//
// The key and descriptor part of the package (ScriptType, ParsePath,
// ParseDescriptor, ParseExtendedKey, Descriptor.Derive) is pure and has no
// storage; Wallet ties it to a file.
package wallet
