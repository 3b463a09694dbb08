package lightnode

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// The header sync from several peers at once.
//
// A header names its parent, so a chain is fetched in order: each getheaders
// starts where the last answer ended, and one peer serves the whole stream.
// Checkpoints break the chain into ranges whose ends are known in advance:
// the range between two consecutive checkpoints can be asked for
// (getheaders from the first, hash_stop the second) before the headers
// below it are in. While the stream runs up to the first checkpoint, the
// other peers fetch the ranges above it, one range each at a time. Their
// headers are held as received, unchecked, until the chain reaches the
// start of their range; then they are validated like the stream's, in
// order. A range must end on its checkpoint: a peer that sends more headers
// than lie between the two is banned, and so is one whose headers fail the
// checks when they are validated; the range goes to another peer.
//
// Mainnet's checkpoints (btcd's list, to height 810,000) cover most of the
// chain; Config.Checkpoints adds more, for test chains.

// headHandOff is how long the chain waits at least for the peer holding the
// range it has reached before an idle peer takes that range over (four
// ping round trips when that is longer), as Bitcoin Core hands on the block
// that stalls its download window after two seconds. The slow peer is not
// punished; it takes ranges further ahead, where it holds nothing up.
const headHandOff = 2 * time.Second

// maxAheadHeaders bounds the headers held above the chain tip (about 110
// bytes each as decoded): a range is handed out only when its end is at
// most this far above the tip.
const maxAheadHeaders = 50_000

// anchor is a checkpoint a range starts or ends on.
type anchor struct {
	height int32
	hash   chainhash.Hash
}

// aheadRange is the part of the chain between two consecutive checkpoints:
// heights from.height+1 ... to.height.
type aheadRange struct {
	from, to anchor

	pc   *peerConn // fetching it now, if any
	src  *peerConn // sent what msgs holds
	msgs [][]*wire.BlockHeader
	last chainhash.Hash // the newest header held, from.hash before any
	got  int32          // headers held
	done bool           // msgs ends on to.hash
}

// reset forgets what the range holds, to fetch it again.
func (r *aheadRange) reset() {
	r.pc, r.src, r.msgs, r.last, r.got, r.done = nil, nil, nil, r.from.hash, 0, false
}

// planAhead splits the chain above the stream into checkpoint ranges when
// there are none yet. With one peer the ranges follow the stream on it;
// each peer that connects takes one. The first range starts on the first
// checkpoint more than one headers message above the tip, beyond what a
// getheaders already in flight may bring.
func (n *Node) planAhead(s *syncState) {
	if len(s.ahead) > 0 || len(s.peers) == 0 || s.planOff {
		return
	}
	floor := n.chain.tip().height + wire.MaxBlockHeadersPerMsg
	cps := n.params.Checkpoints
	if len(cps) < 2 || cps[len(cps)-2].Height <= floor {
		return // no range above: the common case once synced
	}
	for i := 1; i < len(cps); i++ {
		if cps[i-1].Height <= floor {
			continue
		}
		r := &aheadRange{
			from: anchor{cps[i-1].Height, *cps[i-1].Hash},
			to:   anchor{cps[i].Height, *cps[i].Hash},
		}
		r.reset()
		s.ahead = append(s.ahead, r)
	}
	if len(s.ahead) > 0 {
		n.log.Info("header sync split at checkpoints; idle peers fetch the ranges", "ranges", len(s.ahead),
			"from", s.ahead[0].from.height, "to", s.ahead[len(s.ahead)-1].to.height)
	}
}

// streamStop is where the stream from the tip ends: at the start of the
// first range not yet in the chain, or nowhere (nil).
func (s *syncState) streamStop() *chainhash.Hash {
	if len(s.ahead) == 0 {
		return nil
	}
	return &s.ahead[0].from.hash
}

// assignAhead hands the lowest ranges nobody is fetching to the idle peers
// that claim to have them, within maxAheadHeaders of the tip.
func (n *Node) assignAhead(s *syncState) {
	if len(s.ahead) == 0 {
		return
	}
	tip := n.chain.tip().height
	for pc := range s.peers {
		for i, r := range s.ahead {
			// The first range is validated as it comes: no bound.
			if i > 0 && r.to.height-tip > maxAheadHeaders {
				break
			}
			if r.pc == nil && !r.done && s.canTake(pc, r) {
				r.pc, pc.ahead = pc, r
				pc.requestRange(r)
				break
			}
		}
	}
}

// canTake says whether pc is free to fetch r: connected, not streaming,
// not fetching, not failed at ranges before, and claiming r's end.
func (s *syncState) canTake(pc *peerConn, r *aheadRange) bool {
	return !pc.dropping && pc != s.syncPeer && pc.ahead == nil && pc.requested.IsZero() && !pc.noAhead &&
		pc.p.LastBlock() >= r.to.height
}

// dropFetcher takes r from the peer fetching it, whose answer on its way
// is then ignored.
func (r *aheadRange) dropFetcher() {
	if r.pc != nil {
		r.pc.ahead = nil
		r.pc.staleAnswer = true
	}
}

// aheadServable says whether the first range is in hand, on its way or
// claimed by a peer that may still serve it.
func (n *Node) aheadServable(s *syncState) bool {
	r := s.ahead[0]
	if r.pc != nil || r.done || len(r.msgs) > 0 {
		return true
	}
	for pc := range s.peers {
		if !pc.dropping && !pc.noAhead && pc.p.LastBlock() >= r.to.height {
			return true
		}
	}
	return false
}

// requestRange asks pc for the next headers of r.
func (pc *peerConn) requestRange(r *aheadRange) {
	msg := wire.NewMsgGetHeaders()
	last := r.last
	_ = msg.AddBlockLocatorHash(&last)
	msg.HashStop = r.to.hash
	pc.requested = time.Now()
	pc.p.QueueMessage(msg, nil)
}

// releaseAhead takes pc's range back, dropping what pc sent of it unless
// the range is complete.
func (n *Node) releaseAhead(pc *peerConn) {
	r := pc.ahead
	if r == nil {
		return
	}
	pc.ahead = nil
	if r.done {
		r.pc = nil
		return
	}
	r.reset()
}

// handleAhead takes pc's answer for its range.
func (n *Node) handleAhead(s *syncState, pc *peerConn, hdrs []*wire.BlockHeader) {
	r := pc.ahead
	if len(hdrs) == 0 || hdrs[0].PrevBlock != r.last {
		// Not the headers after the range's last one: the peer is on
		// another chain or lacks this one. Others may serve the range.
		n.log.Info("peer does not serve a checkpoint range", "addr", pc.addr, "from", r.from.height,
			"to", r.to.height)
		n.releaseAhead(pc)
		pc.noAhead = true
		n.maybeStartSync(s)
		return
	}
	if r.got+int32(len(hdrs)) > r.to.height-r.from.height {
		n.releaseAhead(pc)
		n.ban(s, pc, fmt.Sprintf("sent more headers than lie between the checkpoints at %d and %d",
			r.from.height, r.to.height))
		return
	}
	last := hdrs[len(hdrs)-1].BlockHash()
	r.msgs = append(r.msgs, hdrs)
	r.src, r.last, r.got = pc, last, r.got+int32(len(hdrs))
	switch {
	case last == r.to.hash:
		r.done, r.pc, pc.ahead = true, nil, nil
	case len(hdrs) == wire.MaxBlockHeadersPerMsg:
		pc.requestRange(r)
	default:
		// A short answer that does not reach the checkpoint: the peer's
		// chain ends before it, or is another one.
		n.log.Info("peer stopped short of a checkpoint", "addr", pc.addr, "checkpoint", r.to.height,
			"got", r.got)
		n.releaseAhead(pc)
		pc.noAhead = true
	}
	n.drainAhead(s)
	n.maybeStartSync(s)
}

// drainAhead validates the held headers of the ranges the chain has
// reached, in order, and drops ranges the chain has passed.
func (n *Node) drainAhead(s *syncState) {
	for len(s.ahead) > 0 {
		r := s.ahead[0]
		tip := n.chain.tip()
		if tip.height >= r.to.height {
			// The chain has it already (a reorg, or a peer's stream).
			r.dropFetcher()
			n.popAhead(s)
			continue
		}
		if tip.height < r.from.height {
			return
		}
		msgs := r.msgs
		r.msgs = nil // nothing validated stays referenced
		for i, hdrs := range msgs {
			msgs[i] = nil
			up, err := n.chain.processSync(hdrs, true)
			if err != nil {
				src := r.src
				r.dropFetcher()
				r.reset()
				if isMisbehaviour(err) {
					n.banSource(s, src, err.Error())
				} else {
					n.log.Error("cannot process headers", "addr", src.addr, "err", err)
				}
				break
			}
			n.reportTip(s, up)
		}
		if !r.done {
			return
		}
		n.popAhead(s)
	}
}

// popAhead drops the first range, leaving no reference to it behind.
func (n *Node) popAhead(s *syncState) {
	s.ahead[0] = nil
	s.ahead = s.ahead[1:]
	if len(s.ahead) == 0 {
		s.ahead = nil
	}
}

// handOffHead gives the range the chain waits for to an idle peer when the
// peer holding it has been slow to answer (headHandOff). What that peer
// sent of it is in the chain already; the new one goes on from there, and
// the late answer, when it comes, is taken for what it is worth: headers
// the chain has, or the next ones.
func (n *Node) handOffHead(s *syncState, now time.Time) {
	if len(s.ahead) == 0 {
		return
	}
	r := s.ahead[0]
	slow := r.pc
	if slow == nil || slow.requested.IsZero() || len(r.msgs) > 0 || n.chain.tip().height < r.from.height {
		return
	}
	waited := now.Sub(slow.requested)
	if waited < max(headHandOff, 4*slow.pingRTT()) {
		return
	}
	for pc := range s.peers {
		if !s.canTake(pc, r) { // slow itself is busy with r
			continue
		}
		n.log.Info("peer holds up the header sync; another takes its range", "addr", slow.addr,
			"waited", waited.Round(time.Millisecond), "to", pc.addr, "tip", n.chain.tip().height, "checkpoint", r.to.height)
		slow.ahead, slow.requested = nil, time.Time{}
		r.pc, pc.ahead = pc, r
		pc.requestRange(r)
		return
	}
}

// banSource bans the peer that sent headers found invalid later, when it
// may be gone already.
func (n *Node) banSource(s *syncState, pc *peerConn, reason string) {
	if _, ok := s.peers[pc]; ok && !pc.dropping {
		n.ban(s, pc, reason)
		return
	}
	n.storeBan(pc, reason, n.cfg.BanDuration)
}

// withCheckpoints returns params with extra checkpoints merged into the
// network's, in height order, or params itself when there are none. Two
// hashes for one height are an error.
func withCheckpoints(params *chaincfg.Params, extra []chaincfg.Checkpoint) (*chaincfg.Params, error) {
	if len(extra) == 0 {
		return params, nil
	}
	byHeight := make(map[int32]*chainhash.Hash, len(params.Checkpoints)+len(extra))
	for _, cp := range slices.Concat(params.Checkpoints, extra) {
		if cp.Hash == nil || cp.Height <= 0 {
			return nil, fmt.Errorf("checkpoint at height %d: a height above 0 and a hash are needed", cp.Height)
		}
		if h, ok := byHeight[cp.Height]; ok && *h != *cp.Hash {
			return nil, fmt.Errorf("two checkpoints at height %d: %s and %s", cp.Height, h, cp.Hash)
		}
		byHeight[cp.Height] = cp.Hash
	}
	p := *params
	p.Checkpoints = make([]chaincfg.Checkpoint, 0, len(byHeight))
	for height, hash := range byHeight {
		p.Checkpoints = append(p.Checkpoints, chaincfg.Checkpoint{Height: height, Hash: hash})
	}
	slices.SortFunc(p.Checkpoints, func(a, b chaincfg.Checkpoint) int { return cmp.Compare(a.Height, b.Height) })
	return &p, nil
}
