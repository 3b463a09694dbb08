// Package session is a running wallet: one open wallet file, the lock on
// its signing keys, and, when online, the light node it follows. The CLI's
// commands and the interactive app both work through it, so that opening,
// unlocking, scanning, collecting unconfirmed payments and paying (draft →
// review → sign → broadcast → record) exist once.
//
// A Session is safe for concurrent use. The wallet underneath is too (see
// wallet.Wallet): a background scan holds no lock across blocks, so reads,
// signing and ownership checks never wait for a scan, and the signer's lock
// is separate from the wallet's, so unlocking never waits for one either.
//
// The background loop started by Start runs under the session's WaitGroup;
// Close stops it, locks the signer and closes the wallet.
//
// Layering: session sits between the user interfaces (cmd/satchel and the
// app's adapters) and the libraries (wallet, lightnode, keystore). It adapts
// the light node to wallet.Chain; nothing below it imports it.
package session
