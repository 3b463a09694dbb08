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
// Next to the headers, the store keeps the BIP157 basic filter-header chain,
// one filter header per height from genesis up to at most the tip. The node
// appends to it with PutFilterHeaders once it has checked the filter headers
// against its peers; the store checks only that they continue the stored ones
// and belong to the blocks now on the best chain, which catches a
// reorganization between fetching and storing. Connect deletes the filter
// headers above its fork in the same transaction as the headers it replaces,
// so the filter headers never describe blocks that left the best chain.
//
// Two caches spare the network: verified BIP158 basic filters by height, and
// raw blocks by hash. Each is bounded by a byte budget (Config) and evicts
// the entries inserted first, in the same transaction as the insert. A cached
// filter is served only while its block is on the best chain, and Connect
// deletes those above the fork. A cached block is served by hash whether or
// not it is still on the best chain: the node checked it against its
// header's merkle root before caching it, and the store checks that the
// header hashes to the key.
//
// The same file records banned peers with their expiry, so that a peer that
// lied stays banned across restarts.
//
// # Parts
//
// store.go holds the public API (Store, Config, Open) and the policy around it:
// argument checks, the tip and filter tip cached in memory, locking, cache
// budgets, ban expiry. db.go holds every access to the bbolt database: the
// bucket layout, the fixed-width big-endian encodings, the dbFetchX/dbPutX
// helpers that run inside a transaction, and cache eviction. It also checks the bbolt file header before the file is
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
// Open likewise cuts the filter headers back to the longest run that starts
// at genesis, has no gap and ends at or below the tip (after any repair of
// the headers), and deletes cached filters above the tip. To find a gap
// anywhere it counts the filter headers, which walks the pages of their
// bucket without reading the entries: about 10 ms for the 900,000 of
// mainnet, against a tenth of a millisecond for the rest of Open (see
// BenchmarkOpenWithFilterHeaders). A file from before filter headers (format 1) is upgraded by the
// first writable Open; a read-only Open reads it as having none.
//
// # Performance
//
// Headers are keyed by height and appended in key order, so a Connect of a
// 2,000-header message writes a few dozen pages. The hash index is keyed by
// epoch (height / 4096) and hash, so that its new entries also stay within a
// few pages; a lookup by hash probes the epochs from the newest down, which
// finds recent blocks at once and old or unknown ones in a fraction of a
// millisecond on mainnet. Only the tip and the filter tip are cached in
// memory.
//
// Filter headers are appended by height like headers: a batch of 2,000
// costs about as much as a Connect of 2,000 headers. Cached filters are
// keyed by height too; each cache's eviction order lives in a bucket keyed
// by insertion sequence number, so evicting the oldest entry is a seek to
// its first key, and each cache's byte total is one record in meta.
//
// A file that is truncated, corrupt, not a satchel chain database, or made for
// another network is reported as ErrDamaged, never with a panic; deleting it
// makes satchel download the headers again.
package headerstore
