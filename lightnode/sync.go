package lightnode

import (
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Messages for the sync goroutine.
type (
	peerReadyMsg struct{ pc *peerConn }
	peerDoneMsg  struct {
		pc *peerConn
		// redial: connect again at once instead of reporting the peer
		// gone, with v1 after a refused v2 handshake (downgrade) or with
		// v2 after the peer advertised it on v1.
		redial    bool
		downgrade bool
	}
	headersMsg struct {
		pc  *peerConn
		msg *wire.MsgHeaders
	}
	invMsg struct {
		pc  *peerConn
		msg *wire.MsgInv
	}
	peersQuery struct{ reply chan []PeerInfo }
)

// send hands m to the sync goroutine unless the node is stopping.
func (n *Node) send(m any) {
	select {
	case n.msgs <- m:
	case <-n.quit:
	}
}

// syncState is the sync goroutine's own state.
type syncState struct {
	peers    map[*peerConn]struct{} // handshake done
	syncPeer *peerConn              // the peer we are fetching from, if any

	// ahead are the checkpoint ranges above the stream that the other
	// peers fetch (ahead.go), lowest first; empty when there are none.
	ahead []*aheadRange
	// planOff: no peer served the ranges; no new ones until a peer
	// connects.
	planOff bool

	// The search for filter peers: when to look next and the back-off.
	nextSearch time.Time
	searchWait time.Duration
}

// syncHandler owns the header chain and every peer's sync state. It is the
// only goroutine that touches them.
func (n *Node) syncHandler() {
	defer n.wg.Done()
	s := &syncState{peers: make(map[*peerConn]struct{})}
	ticker := time.NewTicker(stallCheckInterval)
	defer ticker.Stop()
	for {
		select {
		case m := <-n.msgs:
			switch m := m.(type) {
			case peerReadyMsg:
				n.handlePeerReady(s, m.pc)
			case peerDoneMsg:
				n.handlePeerDone(s, m.pc, m.redial, m.downgrade)
			case headersMsg:
				n.handleHeaders(s, m.pc, m.msg)
			case invMsg:
				n.handleInv(s, m.pc, m.msg)
			case peerQuery:
				var pcs []*peerConn
				for pc := range s.peers {
					if !pc.dropping && pc.p.Services()&m.services == m.services {
						pcs = append(pcs, pc)
					}
				}
				m.reply <- pcs
			case banRequest:
				if _, ok := s.peers[m.pc]; ok && !m.pc.dropping {
					n.banFor(s, m.pc, m.reason, m.d)
				}
			case stallReport:
				if _, ok := s.peers[m.pc]; ok && !m.pc.dropping {
					n.handleStall(s, m.pc, m.what)
				}
			case dropRequest:
				if _, ok := s.peers[m.pc]; ok && !m.pc.dropping {
					n.drop(s, m.pc)
				}
			case peersQuery:
				infos := make([]PeerInfo, 0, len(s.peers))
				for pc := range s.peers {
					infos = append(infos, pc.info())
				}
				m.reply <- infos
			}
		case <-ticker.C:
			n.handleTick(s)
		case <-n.quit:
			n.flushHeld(s)
			return
		}
	}
}

// flushHeld writes out the headers the sync holds in memory (see
// headerChain.processSync) and reports the tip they make.
func (n *Node) flushHeld(s *syncState) {
	k, err := n.chain.flush(false)
	if err != nil {
		n.log.Error("cannot store headers", "err", err)
		return
	}
	if k > 0 {
		n.publishTip(&chainUpdate{newTip: true, flushed: k})
		n.updateStatus(s)
	}
}

func (n *Node) handlePeerReady(s *syncState, pc *peerConn) {
	if pc.dropping {
		return
	}
	pc.ready = true
	s.peers[pc] = struct{}{}
	s.planOff = false // it may serve checkpoint ranges
	p := pc.p
	if p.ProtocolVersion() >= wire.SendHeadersVersion {
		p.QueueMessage(wire.NewMsgSendHeaders(), nil)
	}
	if n.book != nil && pc.pa.na != nil {
		n.book.Good(pc.pa.na)
		if n.book.NeedMoreAddresses() {
			p.QueueMessage(wire.NewMsgGetAddr(), nil)
		}
	}
	pc.sendPing()
	pc.lastPing = time.Now()
	info := pc.info()
	n.log.Info("peer connected", "addr", pc.addr, "user_agent", p.UserAgent(), "height", p.LastBlock(),
		"transport", info.Transport, "filters", info.Filters)
	n.events.publish(PeerConnected{Peer: info})
	n.maybeStartSync(s)
	// The peer is settled in the same step that counts it, so no wait
	// sees it settled but not yet among the peers.
	n.updateStatus(s, pc.addr)
}

func (n *Node) handlePeerDone(s *syncState, pc *peerConn, redial, downgrade bool) {
	n.forget(pc)
	if redial && !pc.ready && !pc.dropping {
		if downgrade {
			n.log.Info("peer refused the v2 transport; connecting with v1", "addr", pc.addr)
			n.dialMu.Lock()
			n.v1Only[pc.addr] = true
			n.dialMu.Unlock()
		} else {
			n.log.Info("peer offers the v2 transport; connecting again with it", "addr", pc.addr)
		}
		n.wg.Add(1)
		go n.redial(pc.connReq)
		return
	}
	n.settle(pc.addr)
	n.release(pc.addr)
	if _, ok := s.peers[pc]; ok {
		delete(s.peers, pc)
		if !pc.dropping {
			n.log.Info("peer disconnected", "addr", pc.addr)
			n.events.publish(PeerDisconnected{Addr: pc.addr, Reason: "disconnected"})
		}
	}
	busy := pc.ahead != nil || s.syncPeer == pc
	n.releaseAhead(pc)
	if s.syncPeer == pc {
		s.syncPeer = nil
	}
	if busy {
		n.maybeStartSync(s)
	}
	n.connMgr.Disconnect(pc.connReq.ID())
	n.updateStatus(s)
}

// maybeStartSync picks the next peer to ask for headers: the one claiming
// the most blocks among those that have not yet told us they have nothing
// newer than our tip.
func (n *Node) maybeStartSync(s *syncState) {
	n.planAhead(s)
	defer n.assignAhead(s)
	if s.syncPeer != nil {
		return
	}
	if len(s.ahead) > 0 && n.chain.tip().height >= s.ahead[0].from.height {
		if n.aheadServable(s) {
			// The chain has reached the ranges: they carry it on.
			return
		}
		n.log.Info("no peer serves the next checkpoint range; one peer streams the headers",
			"from", s.ahead[0].from.height)
		s.ahead, s.planOff = nil, true
	}
	var best *peerConn
	for pc := range s.peers {
		if pc.dropping || pc.caughtUp || pc.ahead != nil {
			continue
		}
		if best == nil || pc.p.LastBlock() > best.p.LastBlock() {
			best = pc
		}
	}
	if best == nil {
		return
	}
	s.syncPeer = best
	best.requestHeadersTo(n.chain.locator(n.chain.tip()), s.streamStop())
}

// requestHeaders sends getheaders unless an earlier one is unanswered: a
// peer answers each identical request identically, and a repeated answer
// counts as misbehaviour.
func (pc *peerConn) requestHeaders(loc blockchain.BlockLocator) {
	pc.requestHeadersTo(loc, nil)
}

// requestHeadersTo is requestHeaders with an end: the peer sends nothing
// after the header stop, when it is not nil.
func (pc *peerConn) requestHeadersTo(loc blockchain.BlockLocator, stop *chainhash.Hash) {
	if !pc.requested.IsZero() || pc.dropping {
		return
	}
	msg := wire.NewMsgGetHeaders()
	for _, h := range loc {
		if err := msg.AddBlockLocatorHash(h); err != nil {
			break
		}
	}
	if stop != nil {
		msg.HashStop = *stop
	}
	pc.requested = time.Now()
	pc.dupAllowed = true
	pc.p.QueueMessage(msg, nil)
}

func (n *Node) handleHeaders(s *syncState, pc *peerConn, msg *wire.MsgHeaders) {
	if !pc.ready || pc.dropping {
		return
	}
	requested := pc.requested
	solicited := !requested.IsZero()
	pc.requested = time.Time{}
	if solicited {
		pc.stalls.Store(0)
	}
	hdrs := msg.Headers
	switch {
	case solicited && pc.staleAnswer:
		// The answer for a range dropped while it was on its way.
		pc.staleAnswer = false
		n.maybeStartSync(s)
		return
	case solicited && pc.ahead != nil:
		if len(hdrs) > 0 && hdrs[0].PrevBlock != pc.ahead.last {
			// Not the answer (an announcement): it is still to come.
			pc.requested = requested
			return
		}
		n.handleAhead(s, pc, hdrs)
		return
	}
	full := len(hdrs) == wire.MaxBlockHeadersPerMsg

	var last chainhash.Hash
	if len(hdrs) > 0 {
		last = hdrs[len(hdrs)-1].BlockHash()
		digest := [2]chainhash.Hash{hdrs[0].PrevBlock, last}
		if digest == pc.lastDigest && len(hdrs) == pc.lastCount {
			// An announcement and the answer to a getheaders already on
			// its way can carry the same headers; each getheaders we
			// send excuses one repeat. More is a peer wasting our time.
			if !pc.dupAllowed {
				n.ban(s, pc, "sent the same headers message twice")
				return
			}
			pc.dupAllowed = false
			if !solicited {
				return
			}
		}
		pc.lastDigest, pc.lastCount = digest, len(hdrs)
	}

	// The stream from the tip ends where the checkpoint ranges start.
	var stop *chainhash.Hash
	if pc == s.syncPeer {
		stop = s.streamStop()
	}
	atStop := stop != nil && len(hdrs) > 0 && last == *stop

	// Ask for the next batch before checking this one, so the link does
	// not idle while we validate and store.
	if full && solicited && !atStop {
		pc.requestHeadersTo(blockchain.BlockLocator{&last}, stop)
	}

	up, err := n.chain.processSync(hdrs, (full && solicited) || atStop)
	switch {
	case isMisbehaviour(err):
		n.ban(s, pc, err.Error())
		return
	case errors.Is(err, errUnconnected):
		pc.unconnecting++
		if pc.unconnecting > maxUnconnectingHeader {
			n.ban(s, pc, "keeps sending headers that do not connect to the chain")
			return
		}
		pc.caughtUp = false
		pc.requestHeaders(n.chain.locator(n.chain.tip()))
		return
	case err != nil:
		n.log.Error("cannot process headers", "addr", pc.addr, "err", err)
		n.drop(s, pc)
		return
	}
	if up.added > 0 {
		pc.unconnecting = 0
	}
	if len(hdrs) > 0 {
		if node := n.chain.lookup(&last); node != nil && node.height > pc.p.LastBlock() {
			pc.p.UpdateLastBlockHeight(node.height)
		}
	}
	n.reportTip(s, up)
	if atStop {
		// The ranges above carry the chain on; the peer fetches one.
		s.syncPeer = nil
		n.drainAhead(s)
		n.maybeStartSync(s)
		n.updateStatus(s)
		return
	}
	if !full && solicited {
		// The peer has sent everything it has after our locator. Its best
		// chain ends at the last header it sent or, when it sent none, at
		// or below our tip.
		best := n.chain.tip()
		if len(hdrs) > 0 {
			if node := n.chain.lookup(&last); node != nil {
				best = node
			}
		}
		if n.minWork != nil && best.work.Cmp(n.minWork) < 0 {
			n.refuseLowWork(s, pc, best)
			return
		}
		pc.caughtUp = true
		if s.syncPeer == pc {
			s.syncPeer = nil
			// The stream is over: what it left held is written before the
			// node can call itself synced, so the filter round that starts
			// then covers the whole chain (a chain that ends on a full
			// message leaves its last one held).
			n.flushHeld(s)
		}
	}
	n.maybeStartSync(s)
	n.updateStatus(s)
}

// reportTip tells of the new best chain processSync made, if any. Status
// has the new tip before a subscriber hears of it; held headers are
// reported when they are stored.
func (n *Node) reportTip(s *syncState, up *chainUpdate) {
	if up.newTip && (!up.held || up.reorg) {
		n.updateStatus(s)
		n.publishTip(up)
	}
}

// refuseLowWork disconnects a peer whose whole chain lacks the minimum
// chain work. It is not banned: it may be honest and behind (a node still
// syncing), but it is not dialled again for a while.
func (n *Node) refuseLowWork(s *syncState, pc *peerConn, best *hnode) {
	reason := fmt.Sprintf("offers a chain with less work than the minimum (0x%x at height %d, minimum 0x%x)",
		best.work, best.height, n.minWork)
	n.mu.Lock()
	if n.lowWork == nil || best.work.Cmp(n.lowWork.best) > 0 {
		n.lowWork = &lowWorkError{min: n.minWork, best: best.work, height: best.height}
	}
	n.mu.Unlock()
	n.log.Warn("peer refused", "addr", pc.addr, "reason", reason)
	n.rest(pc.addr, lowWorkCooldown, reason)
	n.events.publish(PeerDisconnected{Addr: pc.addr, Reason: reason})
	n.drop(s, pc)
}

func (n *Node) handleInv(s *syncState, pc *peerConn, msg *wire.MsgInv) {
	if !pc.ready || pc.dropping {
		return
	}
	for _, iv := range msg.InvList {
		if iv.Type != wire.InvTypeBlock && iv.Type != wire.InvTypeWitnessBlock {
			continue
		}
		if n.chain.lookup(&iv.Hash) == nil {
			pc.caughtUp = false
			pc.requestHeaders(n.chain.locator(n.chain.tip()))
			n.updateStatus(s)
			return
		}
	}
}

// handleTick asks stalling peers again (and in the end drops them), keeps
// ping times fresh and looks for filter peers.
func (n *Node) handleTick(s *syncState) {
	now := time.Now()
	for pc := range s.peers {
		if pc.dropping {
			continue
		}
		if !pc.requested.IsZero() && now.Sub(pc.requested) > n.cfg.StallTimeout {
			pc.requested = time.Time{}
			pc.staleAnswer = false
			// A checkpoint range it held up goes to another peer.
			ranged := pc.ahead != nil
			n.releaseAhead(pc)
			n.handleStall(s, pc, "getheaders")
			if !pc.dropping && !ranged {
				var stop *chainhash.Hash
				if pc == s.syncPeer {
					stop = s.streamStop()
				}
				pc.requestHeadersTo(n.chain.locator(n.chain.tip()), stop)
			}
			continue
		}
		if now.Sub(pc.lastPing) > pingInterval {
			pc.sendPing()
			pc.lastPing = now
		}
	}
	n.searchFilterPeers(s, now)
	if len(s.ahead) > 0 {
		n.handOffHead(s, now)
		n.maybeStartSync(s)
	}
	if s.syncPeer == nil {
		// No stream is going to top the held headers up.
		n.flushHeld(s)
	}
}

// maxStalls is how many requests in a row a peer may leave unanswered
// before it is banned for stalling.
const maxStalls = 3

// stallReport tells the sync goroutine that a peer left a request
// unanswered.
type stallReport struct {
	pc   *peerConn
	what string
}

// handleStall counts an unanswered request and bans the peer at maxStalls.
// A node that is catching up ignores requests without a word (btcd answers
// neither getheaders nor filter requests until it is current), so one
// silence proves nothing.
func (n *Node) handleStall(s *syncState, pc *peerConn, what string) {
	k := pc.stalls.Add(1)
	n.log.Info("peer did not answer", "addr", pc.addr, "request", what, "times", k)
	if k >= maxStalls {
		n.banFor(s, pc, fmt.Sprintf("stalled: no answer to %s in %v, %d times in a row", what, n.cfg.StallTimeout, k),
			10*n.cfg.StallTimeout)
	}
}

// searchFilterPeers keeps minFilterPeers peers serving compact filters
// connected when the address book can offer them: while fewer are
// connected, it makes room by dropping a peer that serves none (when all
// outbound slots are taken) and asks the peers and the DNS seeds for more
// addresses, with a doubling back-off while nothing is found. ConnectPeers
// are the user's choice and are never replaced.
func (n *Node) searchFilterPeers(s *syncState, now time.Time) {
	if n.book == nil {
		return
	}
	cf := 0
	var spare *peerConn
	for pc := range s.peers {
		switch {
		case pc.dropping:
		case pc.p.Services()&wire.SFNodeCF != 0:
			cf++
		case spare == nil || pc.p.TimeConnected().Before(spare.p.TimeConnected()):
			spare = pc
		}
	}
	if cf >= minFilterPeers {
		s.searchWait = 0
		return
	}
	if now.Before(s.nextSearch) {
		return
	}
	if s.searchWait == 0 {
		s.searchWait = n.cfg.PeerSearchInterval
	} else {
		s.searchWait = min(2*s.searchWait, maxPeerSearchInterval)
	}
	s.nextSearch = now.Add(s.searchWait)
	n.dialMu.Lock()
	dialing := len(n.outbound)
	n.dialMu.Unlock()
	n.log.Info("looking for peers that serve compact filters", "filter_peers", cf, "peers", len(s.peers),
		"next", s.searchWait)
	if spare != nil && max(dialing, len(s.peers)) >= n.cfg.MaxPeers {
		reason := "replaced: serves no compact block filters"
		n.log.Info("peer dropped", "addr", spare.addr, "reason", reason)
		n.rest(spare.addr, replacedCooldown, reason)
		n.events.publish(PeerDisconnected{Addr: spare.addr, Reason: reason})
		n.drop(s, spare)
	}
	for pc := range s.peers {
		if !pc.dropping {
			pc.p.QueueMessage(wire.NewMsgGetAddr(), nil)
		}
	}
	n.seed()
}

// ban disconnects a misbehaving peer and bans it for BanDuration.
func (n *Node) ban(s *syncState, pc *peerConn, reason string) {
	n.banFor(s, pc, reason, n.cfg.BanDuration)
}

func (n *Node) banFor(s *syncState, pc *peerConn, reason string, d time.Duration) {
	n.storeBan(pc, reason, d)
	n.events.publish(PeerDisconnected{Addr: pc.addr, Reason: reason, Banned: true})
	n.drop(s, pc)
}

// storeBan records and logs a ban of pc for d.
func (n *Node) storeBan(pc *peerConn, reason string, d time.Duration) {
	until := time.Now().Add(d)
	if err := n.store.Ban(pc.banKey, until, reason); err != nil {
		n.log.Error("cannot store ban", "addr", pc.addr, "err", err)
	}
	n.log.Warn("peer banned", "addr", pc.addr, "reason", reason, "until", until.Format(time.RFC3339))
}

// drop disconnects a peer; handlePeerDone cleans up when it is gone.
func (n *Node) drop(s *syncState, pc *peerConn) {
	pc.dropping = true
	pc.caughtUp = false
	delete(s.peers, pc)
	busy := pc.ahead != nil
	n.releaseAhead(pc)
	if s.syncPeer == pc {
		s.syncPeer = nil
		n.flushHeld(s)
		n.maybeStartSync(s)
	} else if busy {
		n.maybeStartSync(s)
	}
	pc.p.Disconnect()
	n.updateStatus(s)
}

// publishTip reports a new best chain.
func (n *Node) publishTip(up *chainUpdate) {
	tip := n.chain.tip()
	// Filter requests for the old tip may go unanswered (a peer that has
	// moved on ignores them while it catches up) or be moot: start the
	// filter round again from the new tip.
	n.restartFilterRound()
	if up.reorg {
		n.log.Info("reorganized", "fork", up.fork, "old_tip", up.oldTip.hash, "old_height", up.oldTip.height,
			"new_tip", tip.hash, "new_height", tip.height)
		n.events.publish(Reorg{
			ForkHeight: up.fork,
			OldHeight:  up.oldTip.height, OldTip: up.oldTip.hash,
			NewHeight: tip.height, NewTip: tip.hash,
		})
	}
	n.events.publish(NewTip{Height: tip.height, Hash: tip.hash, Header: tip.hdr})
}

// updateStatus refreshes the status snapshot and reports progress when it
// changed.
func (n *Node) updateStatus(s *syncState, settle ...string) {
	tip := n.chain.tip()
	var peerHeight int32
	filterPeers := 0
	synced := len(s.peers) > 0 && s.syncPeer == nil
	for pc := range s.peers {
		if h := pc.p.LastBlock(); h > peerHeight {
			peerHeight = h
		}
		if pc.p.Services()&wire.SFNodeCF != 0 {
			filterPeers++
		}
		if !pc.caughtUp {
			synced = false
		}
	}
	var changed, caughtUp bool
	n.setStatus(func(st *Status) {
		for _, addr := range settle {
			n.settled[addr] = true // setStatus holds n.mu
		}
		changed = tip.height != st.Height || peerHeight != st.PeerHeight || synced != st.Synced ||
			len(s.peers) != st.Peers || filterPeers != st.FilterPeers
		caughtUp = synced && !st.Synced
		st.Height, st.Hash, st.PeerHeight, st.Peers, st.Synced = tip.height, tip.hash, peerHeight, len(s.peers), synced
		st.FilterPeers = filterPeers
	})
	if caughtUp {
		n.log.Info("headers caught up", "height", tip.height, "peers", len(s.peers))
	}
	if changed {
		n.events.publish(SyncProgress{Height: tip.height, PeerHeight: peerHeight, Synced: synced})
	}
	if synced {
		n.kickFilters()
	}
}

// Peers returns the connected peers. It returns nil when the node is not
// running.
func (n *Node) Peers() []PeerInfo {
	if !n.started.Load() {
		return nil
	}
	q := peersQuery{reply: make(chan []PeerInfo, 1)}
	select {
	case n.msgs <- q:
	case <-n.quit:
		return nil
	}
	select {
	case infos := <-q.reply:
		return infos
	case <-n.quit:
		return nil
	}
}
