// Package headerstore keeps the best header chain of one Bitcoin network on
// disk, in <datadir>/<network>/chain.db, so that the light node can restart
// where it stopped, build block locators, and answer explorer queries without
// asking a peer.
//
// Only the best chain is stored: one header per height from the genesis block
// to the tip, each with the cumulative chain work up to and including it. Side
// branches live in memory in the node until they carry more work; the node
// then calls Connect with the fork height and the winning branch, and the
// store replaces everything above the fork in a single transaction. Connect
// rejects, without writing anything, headers that do not chain onto the fork
// point, but it does not check proof of work or difficulty: that is the
// node's job before it persists anything.
//
// The same file records banned peers with their expiry, so that a peer that
// lied stays banned across restarts.
//
// # Parts
//
// store.go holds the public API (Store, Config, Open) and the policy around it:
// argument checks, the tip cached in memory, locking, ban expiry. db.go holds
// every access to the bbolt database: the bucket layout, the fixed-width
// big-endian encodings, and the dbFetchX/dbPutX helpers that run inside a
// transaction. It also checks the bbolt file header before the file is
// memory-mapped, because bbolt would otherwise crash the whole process with
// SIGBUS on a truncated file instead of returning an error.
//
// # Crash safety
//
// Every change is one bbolt transaction, and the tip record is written in the
// same transaction as the headers it points at, so a process killed at any
// moment leaves either the old or the new chain on disk. If the tip record and
// the headers disagree anyway (a hand-edited or partly restored file), Open
// repairs the chain down to the last height that is stored contiguously and
// chains back to genesis, rather than refusing to start. To stay fast on a
// full chain, Open checks the tip, the header below it and the tip's hash
// index entry, not every header; a hole deeper down is reported as ErrDamaged
// when it is read.
//
// # Performance
//
// Headers are keyed by height and appended in key order, so a Connect of a
// 2,000-header message writes a few dozen pages. The hash index is keyed by
// epoch (height / 4096) and hash, so that its new entries also stay within a
// few pages; a lookup by hash probes the epochs from the newest down, which
// finds recent blocks at once and old or unknown ones in a fraction of a
// millisecond on mainnet. Only the tip is cached in memory.
//
// A file that is truncated, corrupt, not a satchel chain database, or made for
// another network is reported as ErrDamaged, never with a panic; deleting it
// makes satchel download the headers again.
package headerstore
