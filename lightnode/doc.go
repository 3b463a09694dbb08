// Package lightnode is satchel's light Bitcoin node: it talks the P2P
// protocol to full nodes and believes nothing it cannot check.
//
// The parts and how they meet:
//   - Node (node.go) is the service: New(cfg) validates the Config, Start
//     launches the connection manager and one sync goroutine, Stop ends
//     both. Callers read state through methods that ask the sync goroutine
//     (Peers, Status) or the header store (Tip, HeaderByHeight), and follow
//     changes through Subscribe.
//   - Peers (peers.go) are btcd peer.Peer values dialled by btcd's connmgr,
//     from --connect addresses or from an AddrSource (addrbook.go; by
//     default addrmgr fed by DNS seeds and addr/addrv2 gossip, whose
//     service bits the handshakes correct). The node keeps two peers that
//     serve compact filters when the book has them, replacing others and
//     searching again with a back-off, and allows at most two outbound
//     peers per network group. Connections use BIP324 (v2) with peers
//     that offer it and fall back to v1; with a Proxy every connection
//     goes through SOCKS5 (socks.go), names unresolved, with fresh
//     credentials each. A peer's messages are forwarded to the sync
//     goroutine, which alone owns the chain and the per-peer bookkeeping.
//   - The header chain (chain.go) validates every header with btcd's
//     blockchain rules — proof of work, difficulty retargeting (including
//     testnet's minimum-difficulty rule), median time past, future time,
//     checkpoints — keeps the heaviest chain, follows reorgs, and keeps
//     side branches in memory until they win. Headers reach the disk
//     (package headerstore, chain.db) only once the chain has passed a
//     checkpoint or carries the network's minimum chain work, so a peer
//     feeding cheap headers cannot fill the disk. While a peer streams
//     full messages, up to four of them are held and written in one
//     commit; the held headers are written when the stream ends (before
//     the node calls itself synced), when the peer leaves, and on the next
//     tick without a sync peer.
//   - The sync manager (sync.go) streams headers from one peer with block
//     locators, pipelines the next request before checking a batch,
//     probes the other peers, and meanwhile has the idle peers fetch the
//     ranges between checkpoints above the stream (ahead.go: getheaders
//     with hash_stop; held unchecked, at most 50,000 headers ahead of the
//     tip, and validated in order once the chain reaches them; a peer
//     slow to answer for the range the chain has reached hands it to an
//     idle peer after two seconds, as Bitcoin Core does; mainnet's
//     checkpoints cover the chain to 810,000, Config.Checkpoints adds
//     more). It bans a peer that sends an invalid header, a range with
//     more headers than lie between its checkpoints,
//     headers that do not chain, a message repeated beyond the one an
//     announcement racing our request explains, or leaves three requests
//     in a row unanswered (one silence is honest: a node catching up
//     ignores requests). A peer whose whole chain lacks the minimum chain
//     work is disconnected without a ban, and WaitSynced reports
//     ErrLowChainWork when no other is left.
//   - Events (events.go) — sync progress, new tip, reorg, peer up and down,
//     failed dials — go to every subscriber without ever blocking the node.
//   - The relay feed (relay.go) fetches the transactions peers announce;
//     wallets match them locally. No wallet script goes to a peer unless
//     the caller chooses RequestMempool (a BIP37 bloom filter).
//   - Broadcast (relay.go) announces a transaction, serves it to the peers
//     that ask and asks them for it back; when every peer that answered
//     refused it, broadcasterr.go turns their reject messages into a
//     *RejectError: a RejectCode, a sentence saying what to do, and what
//     the peers said. Its decodeReject is the one place that reads a
//     peer's reject text.
//   - Lookups (findtx.go, txindex.go): FindTx finds a transaction in a
//     given block, the cached blocks of the best chain (through an
//     in-memory txid index built on first use and fed by every block
//     GetBlock caches, so a search decodes only the block that holds it),
//     the relay feed, and on request the peers' mempools.
//   - Every goroutine the node starts runs under its WaitGroup and ends
//     when it stops; the waits (WaitSynced, WaitFiltersSynced,
//     WaitForPeer) sleep on a channel closed whenever the status changes.
//
// lightnode imports nothing else of satchel's.
package lightnode
