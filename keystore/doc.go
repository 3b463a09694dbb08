// Package keystore holds a wallet's secret: it reads and makes BIP39
// mnemonics, keeps the secret encrypted in the wallet's bbolt file, and
// signs with BIP32 keys derived from it once it is unlocked.
//
// # Parts
//
// Mnemonics (mnemonic.go). NewMnemonic makes a new English mnemonic from
// crypto/rand; NormalizeMnemonic reads one as a person typed it (any case,
// any white space, Unicode NFKD) and says precisely what is wrong with it:
// a *WordCountError, a *WordError naming the position of an unknown word
// with suggestions, or ErrBadChecksum.
//
// Secrets (secret.go). A Secret is the BIP39 entropy plus the optional
// passphrase. It is what is encrypted at rest; the 64-byte seed is derived
// from it only to build a Signer and is wiped right after.
//
// Records (record.go, kdf.go). A Secret is sealed into a record: a header
// (magic, format version, KDF id and argon2id parameters, salt, wallet id,
// nonce) followed by the XChaCha20-Poly1305 ciphertext, with the whole
// header as associated data. The password is stretched with argon2id
// (DefaultKDFParams: 256 MiB, 3 passes, 4 threads). A record's header is
// checked strictly, including bounds on the KDF parameters, before the KDF
// runs, so a damaged file gives an error wrapping ErrCorrupt rather than a
// huge allocation or a panic. A wrong password and a tampered record both
// give ErrWrongPassword.
//
// Storage (store.go, db.go). The record lives under the key "secret" of the
// bucket "keystore" in the wallet's bbolt file; db.go holds all bbolt
// access. Create stores a new record inside the caller's write transaction.
// Open returns a Store for one wallet id after checking the header; Unlock
// and Secret only read the file, so a wrong password changes nothing on
// disk; ChangePassword writes the re-encrypted record in one transaction,
// so the file holds the old record or the new one, never neither. A file
// without a record belongs to a watch-only wallet (ErrNoKeystore).
//
// Signing (signer.go). A Signer, from Store.Unlock or NewSigner, holds the
// BIP32 master key for one network. It hands out the master fingerprint,
// extended public keys and public keys, and signs 32-byte digests with
// ECDSA (RFC 6979, low S) or BIP340 Schnorr with the BIP341 taproot tweak.
// Private keys never leave it; Close wipes the master key.
//
// Public data such as fingerprints, xpubs and descriptors is not stored
// here: the wallet package keeps it in clear so a locked wallet can still
// sync and show balances.
//
// Go cannot guarantee that secrets leave memory (strings are immutable and
// the garbage collector may copy), so the package wipes the byte slices it
// owns as soon as it is done with them, and nothing more is promised.
package keystore
