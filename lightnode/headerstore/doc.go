// Package headerstore keeps the best header chain of one Bitcoin network on
// disk, in <datadir>/<network>/chain.db and two flat files next to it (see
// Files), so that the light node can restart where it stopped, build block
// locators, and answer explorer queries without asking a peer.
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
// # Interfaces
//
// Open returns a Store, the union of one interface per thing the file holds,
// so that code can say which part it uses:
//
//   - HeaderStore: the best header chain; HeaderReader is its read side (Tip,
//     headers by height or hash, block hashes, the locator) and Connect and
//     ConnectRaw write it.
//   - FilterHeaderStore: the BIP157 filter-header chain (FilterTip,
//     FilterHeader, FilterHeaders, PutFilterHeaders).
//   - FilterCache: the cached BIP158 filters (PutFilters, Filter).
//   - BlockCache: the cached raw blocks (PutBlock, Block, CachedBlocks).
//   - BanStore: the peer bans (Ban, Unban, Bans, IsBanned).
//
// All of them are implemented by the same object over the same file and are
// safe for concurrent use. Every write, whichever part it belongs to, is
// serialized with the others, and a Connect also cuts the filter headers and
// the cached filters above its fork, so the parts are never out of step.
//
// # Parts
//
// store.go holds the public API (Store and its parts, Config, Open) and the
// policy around it: argument checks, the tip and filter tip cached in
// memory, locking, cache budgets, ban expiry. db.go holds every access to
// the bbolt database: the bucket layout, the fixed-width big-endian
// encodings, the dbFetchX/dbPutX helpers that run inside a transaction, and
// cache eviction. It also checks the bbolt file header before the file is
// memory-mapped, because bbolt would otherwise crash the whole process with
// SIGBUS on a truncated file instead of returning an error.
//
// # Files
//
// The headers and the filter headers live in two append-only flat files
// next to chain.db, chain.headers (80 bytes a height) and
// chain.filterheaders (32 bytes a height), read and written with pread and
// pwrite so that they stay out of the process's memory. chain.db (bbolt)
// keeps what makes them usable: the tips, a hash index of 5 bytes a header,
// the chain work every 256 headers, and the bans and caches. In all about
// 121 bytes a header (see TestStorageBytesPerHeader); the layout is
// described in db.go.
//
// # Crash safety
//
// An extension writes its headers past the committed end of the headers
// file, syncs it, then commits the new tip (and hash index entries) in one
// bbolt transaction; records past the tip are never read and are cut off by
// the next Open. A reorganization overwrites committed records, so it
// commits the new tip together with a redo record holding the new headers
// first, then writes them into the file, cuts both files at the new tips,
// syncs and deletes the record; an Open that finds the record copies the
// headers again (see TestReorgFlatFiles, which stops a reorganization at each
// of those steps). Filter headers are appended the same way as headers. So
// a process killed at any moment leaves either the old or the new chain.
//
// If the tip record and the files disagree anyway (a hand-edited or partly
// restored file), Open repairs the chain down to the last height that is
// stored contiguously, is in the hash index and chains back to genesis,
// rather than refusing to start. To stay fast on a full chain, Open checks
// the tip, the header below it, the tip's hash index entry and the chain
// work from the last work record, not every header; a hole deeper down is
// reported as ErrDamaged when it is read. The filter tip is checked against
// the filter-headers file and cut back to at most the header tip. Files of
// formats 1 and 2, which kept every header in bbolt, are migrated by the
// first writable Open; a read-only Open refuses them.
//
// # Performance
//
// A Connect of a batch of headers (the sync writes up to 8,000 at once) is
// one pwrite, one fsync and a bbolt commit that rewrites the newest hash
// index epoch or two; headers are
// decoded only when read, and only the tip and the filter tip are kept in
// memory. A lookup by hash binary-searches the epochs from the newest down,
// which finds recent blocks at once and old or unknown ones in tens of
// microseconds. Cached filters are keyed by height; each cache's eviction
// order lives in a bucket keyed by insertion sequence number, so evicting
// the oldest entry is a seek to its first key, and each cache's byte total
// is one record in meta.
//
// A file that is truncated, corrupt, not a satchel chain database, or made for
// another network is reported as ErrDamaged, never with a panic; deleting it
// makes satchel download the headers again.
package headerstore
