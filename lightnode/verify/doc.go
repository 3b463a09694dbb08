// Package verify holds the checks satchel's light node applies to data
// from peers it does not trust, before using any of it.
//
// Every check is a pure function of the data and of something the node
// already trusts: a header that passed proof-of-work and chain rules, or a
// block that passed Block. None does I/O, keeps state, or panics on any
// input, and each bounds its work and memory by the consensus limits
// (MaxTransactionsPerBlock, MaxFilterSize) rather than by what a peer
// claims. A failed check returns an *Error whose Code names the broken
// rule; the node bans the peer that sent the data, and IsErrorCode lets it
// tell the rules apart without reading text.
//
// The checks and how they fit together:
//
//   - Block checks a block fetched with getdata against its header: the
//     merkle root of its txids, the CVE-2012-2459 duplication trick,
//     duplicate txids, the coinbase, and the BIP141 witness commitment.
//   - MerkleBlock and MerkleBlockMatches walk a BIP37 partial merkle tree
//     against its header and return the transactions it proves; MatchedTx
//     then checks each transaction the peer sends for a match. Together
//     they close the 64-byte-transaction ambiguity as far as a merkle
//     proof allows (see MerkleBlockMatches).
//   - FilterHash and FilterHeader compute the BIP157 values the
//     filter-header chain is made of, so a filter can be checked against
//     the header chain peers agreed on.
//   - BasicFilter checks a BIP158 filter against a block that passed
//     Block: when peers disagree about a filter header, the node fetches
//     the block, and the peer whose filter lacks an element the block
//     proves is lying. BuildBasicFilter builds a filter when the spent
//     scripts are known (vectors, tests).
//
// The package builds on btcd: wire types, the blockchain package's
// witness-commitment helpers, and gcs/builder for filters. Written here are
// the parts btcd does not offer: Core's merkle mutation check, the BIP37
// tree walk, and strict filter decoding.
package verify
