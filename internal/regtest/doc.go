// Package regtest starts real btcd nodes on the regression test network for
// integration tests and benchmarks of the light node, the CLI and the wallet.
//
// A test calls Start, which runs the btcd binary pinned as a tool in go.mod
// (found with `go tool -n btcd`, which builds it into the Go build cache the
// first time, 10-25 s, and answers in ~0.1 s after that; SATCHEL_BTCD names
// another binary) in a fresh temporary directory on free 127.0.0.1 ports,
// waits until its JSON-RPC server answers and registers a cleanup that kills
// the process and removes the directory. The returned Node drives btcd over
// JSON-RPC (Call, Generate, BuildChain, ConnectTo, ...) and reports failures
// to the test through the testing.TB it was started with, so its methods
// must be called from that test's goroutine (use WithT to hand a node to a
// subtest).
//
// Traps this package works around, worth knowing when writing tests:
//
//   - btcd deletes a regtest block database whenever it starts. A node can
//     never be restarted to keep its chain; to split and join chains, keep
//     the processes running and use ConnectTo and DisconnectFrom, which drive
//     btcd's `node` RPC.
//   - btcd does not answer getheaders while its tip is more than 24 hours
//     old, so a chain for a syncing light node must end near the wall clock.
//   - The `generate` RPC (Generate) mines thousands of blocks a second but
//     gives every block at least median-time-past + 1, so timestamps run
//     ahead of the clock (ten blocks end ~3 s ahead) and near 43,000 blocks
//     mining stalls. Once a tip is in the future, later blocks must follow it.
//   - BuildChain therefore builds blocks itself: one second apart and ending
//     at the current time (or one second after the tip if that is newer),
//     each with a BIP34 coinbase paying the regtest subsidy to the node's
//     mining address, solved against regtest's proof-of-work limit (about two
//     hashes per block) and submitted in order with batched `submitblock`
//     calls. Ordering is strict: btcd keeps at most 100 orphan blocks, so
//     concurrent out-of-order submission loses blocks.
//   - btcd v0.26 redials a permanent peer (`node connect <addr> perm`,
//     `addnode`) five seconds after `node remove`, so ConnectTo makes
//     temporary connections, which `node disconnect` ends for good.
//   - btcd runs its garbage collector at GOGC=10 unless GOGC is set; Start
//     sets GOGC=100 for it, which makes BuildChain about 1.5 times as fast.
//   - All traffic stays on 127.0.0.1. btcd bans misbehaving peers by address,
//     and on loopback every peer shares one IP; a light node that misbehaves
//     towards a test node may find itself unable to reconnect.
package regtest
