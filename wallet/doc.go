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
// Scan keeps the wallet's transactions in step with the light node's
// verified chain (the Chain interface). It matches every watched address —
// up to the gap limit past the highest used or handed-out index of each
// branch — against the block filters, a step of blocks at a time, and
// records what the matching blocks pay to or spend from the wallet. When a
// payment grows the window, the new addresses are looked for in the rest
// of the block, in the step's filters again, and, if they joined after the
// pass's first step, in a sweep over the whole pass at its end; the pass is
// stored, so one cut short is finished by the next Scan. A locator of the
// blocks it went through lets Scan roll a reorganization of any depth back
// to a block both chains share.
//
// Unconfirmed transactions enter through AddUnconfirmed, from the wallet's
// own broadcasts and from the peers' relay. A spend of a coin of the wallet
// is recorded only after the script engine accepts each such input
// against the coin's script and amount (ErrForgedSpend names a lie to
// punish); nothing unconfirmed replaces a confirmed transaction; and an
// unconfirmed transaction neither mined nor seen again for
// UnconfirmedExpiry (14 days, Bitcoin Core's mempool expiry) no longer
// counts and is deleted by the next scan.
//
// The key and descriptor part of the package (ScriptType, ParsePath,
// ParseDescriptor, ParseExtendedKey, Descriptor.Derive) is pure and has no
// storage; Wallet ties it to a file.
package wallet
