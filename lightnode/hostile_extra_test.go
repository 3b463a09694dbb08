package lightnode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/lightnode/headerstore"
)

// retargetMiner mines headers with the bits the retarget rules require. It
// keeps its own header chain so that btcd's contextual check can tell it the
// expected difficulty of any branch.
type retargetMiner struct {
	t *testing.T
	c *headerChain
}

func newRetargetMiner(t *testing.T, p *chaincfg.Params) *retargetMiner {
	c, _ := newTestChain(t, p)
	return &retargetMiner{t: t, c: c}
}

// expectedBits asks btcd's contextual header check which difficulty a header
// on parent with timestamp ts must carry.
func (m *retargetMiner) expectedBits(parent *wire.BlockHeader, ts time.Time) uint32 {
	m.t.Helper()
	hash := parent.BlockHash()
	pn := m.c.lookup(&hash)
	if pn == nil {
		m.t.Fatalf("miner does not know parent %s", hash)
	}
	h := &wire.BlockHeader{Version: 0x20000000, PrevBlock: hash, Timestamp: ts, Bits: m.c.params.PowLimitBits}
	err := blockchain.CheckBlockHeaderContext(h, pn, blockchain.BFNone, m.c.ctx, true)
	var re blockchain.RuleError
	if err == nil {
		return h.Bits
	}
	if !errors.As(err, &re) || re.ErrorCode != blockchain.ErrUnexpectedDifficulty {
		m.t.Fatalf("unexpected header check failure: %v", err)
	}
	var got, want uint32
	if _, err := fmt.Sscanf(re.Description, "block difficulty of %d is not the expected value of %d", &got, &want); err != nil {
		m.t.Fatalf("cannot read the expected difficulty from %q: %v", re.Description, err)
	}
	return want
}

// extend mines n headers on parent, each gap after the previous header.
func (m *retargetMiner) extend(parent *wire.BlockHeader, n int, gap time.Duration, salt uint32) []*wire.BlockHeader {
	m.t.Helper()
	out := make([]*wire.BlockHeader, 0, n)
	for i := 0; i < n; i++ {
		ts := parent.Timestamp.Add(gap)
		h := &wire.BlockHeader{
			Version:   0x20000000,
			PrevBlock: parent.BlockHash(),
			Timestamp: ts,
			Bits:      m.expectedBits(parent, ts),
		}
		h.MerkleRoot[0], h.MerkleRoot[1], h.MerkleRoot[2] = byte(salt), byte(salt>>8), byte(i)
		mine(h, false)
		if _, err := m.c.process([]*wire.BlockHeader{h}); err != nil {
			m.t.Fatalf("miner rejected its own header %d: %v", i, err)
		}
		out = append(out, h)
		parent = h
	}
	return out
}

func chainWork(base *big.Int, hdrs []*wire.BlockHeader) *big.Int {
	w := new(big.Int).Set(base)
	for _, h := range hdrs {
		w.Add(w, blockchain.CalcWork(h.Bits))
	}
	return w
}

// A low-work chain presented as longer: an honest chain whose difficulty
// rose (fast blocks) against an attacker branch with more headers at the
// proof-of-work limit (slow blocks). The node keeps the honest tip, writes
// nothing of the attacker's branch, and switches only once the branch has
// strictly more work.
func TestChainLowWorkLongerBranch(t *testing.T) {
	p := testParams()
	genesis := &p.GenesisBlock.Header
	miner := newRetargetMiner(t, p)

	honest := miner.extend(genesis, 35, time.Minute, 0)
	// The difficulty really rose at each retarget.
	if honest[8].Bits != p.PowLimitBits || honest[9].Bits == p.PowLimitBits {
		t.Fatalf("bits around the first retarget: %08x %08x", honest[8].Bits, honest[9].Bits)
	}
	for i := 1; i < len(honest); i++ {
		if blockchain.CalcWork(honest[i].Bits).Cmp(blockchain.CalcWork(honest[i-1].Bits)) < 0 {
			t.Fatalf("difficulty fell at height %d", i+1)
		}
	}
	if w30, w1 := blockchain.CalcWork(honest[29].Bits), blockchain.CalcWork(honest[0].Bits); w30.Cmp(new(big.Int).Mul(w1, big.NewInt(32))) < 0 {
		t.Fatalf("work per block rose only from %v to %v", w1, w30)
	}

	// The attacker forks at height 5 and stays at the limit with slow blocks.
	const fork = 5
	attack := miner.extend(honest[fork-1], 60, 30*time.Minute, 1)
	for i, h := range attack {
		if h.Bits != p.PowLimitBits {
			t.Fatalf("attacker header %d has bits %08x", i, h.Bits)
		}
	}
	genesisWork := blockchain.CalcWork(genesis.Bits)
	honestWork := chainWork(genesisWork, honest)
	attackWork := chainWork(chainWork(genesisWork, honest[:fork]), attack)
	if len(attack)+fork <= len(honest) || attackWork.Cmp(honestWork) >= 0 {
		t.Fatalf("bad setup: attacker %d headers work %v; honest %d headers work %v",
			len(attack)+fork, attackWork, len(honest), honestWork)
	}

	c, st := newTestChain(t, p)
	if _, err := c.process(honest); err != nil {
		t.Fatal(err)
	}
	honestTip := honest[len(honest)-1].BlockHash()
	if c.tip().work.Cmp(honestWork) != 0 {
		t.Fatalf("honest tip work %v; want %v", c.tip().work, honestWork)
	}

	// In two messages, as a peer would send them, then all at once.
	for _, batch := range [][]*wire.BlockHeader{attack[:30], attack[30:], attack} {
		up, err := c.process(batch)
		if err != nil {
			t.Fatalf("a valid low-work branch was refused: %v", err)
		}
		if up.newTip || up.reorg || up.flushed != 0 {
			t.Fatalf("low-work branch changed the best chain: %+v", up)
		}
	}
	checkHonest := func() {
		t.Helper()
		if tip := st.Tip(); tip.Hash != honestTip || tip.Height != int32(len(honest)) || c.tip().hash != honestTip {
			t.Fatalf("tip %d %s; want the honest %d %s", tip.Height, tip.Hash, len(honest), honestTip)
		}
		for _, h := range attack {
			hash := h.BlockHash()
			if _, err := st.HeaderByHash(&hash); !errors.Is(err, headerstore.ErrNotFound) {
				t.Fatalf("attacker header %s is stored: %v", hash, err)
			}
		}
		for i, h := range honest {
			sh, err := st.HeaderByHeight(int32(i + 1))
			if err != nil || sh.Hash != h.BlockHash() {
				t.Fatalf("height %d: %v", i+1, err)
			}
		}
		if _, err := st.HeaderByHeight(int32(len(honest) + 1)); !errors.Is(err, headerstore.ErrNotFound) {
			t.Fatalf("a header above the honest tip is stored: %v", err)
		}
	}
	checkHonest()

	// A header claiming the limit's easy difficulty on the fast honest
	// chain is refused: the attacker cannot cheapen the honest branch.
	cheat := &wire.BlockHeader{Version: 0x20000000, PrevBlock: honestTip,
		Timestamp: honest[len(honest)-1].Timestamp.Add(time.Minute), Bits: p.PowLimitBits}
	mine(cheat, false)
	var re blockchain.RuleError
	if _, err := c.process([]*wire.BlockHeader{cheat}); !isMisbehaviour(err) || !errors.As(err, &re) || re.ErrorCode != blockchain.ErrUnexpectedDifficulty {
		t.Fatalf("minimum-difficulty header on the fast chain: %v", err)
	}
	checkHonest()

	// Extend the attacker one header at a time: equal work or less keeps
	// the honest chain; the first header with strictly more work reorgs.
	parent := attack[len(attack)-1]
	work := new(big.Int).Set(attackWork)
	var ext []*wire.BlockHeader
	for i := 0; ; i++ {
		if i > 10_000 {
			t.Fatal("the attacker never caught up")
		}
		h := miner.extend(parent, 1, 30*time.Minute, 2)[0]
		work.Add(work, blockchain.CalcWork(h.Bits))
		ext = append(ext, h)
		parent = h
		up, err := c.process([]*wire.BlockHeader{h})
		if err != nil {
			t.Fatal(err)
		}
		if work.Cmp(honestWork) <= 0 {
			if up.newTip {
				t.Fatalf("reorg to a branch with work %v <= %v", work, honestWork)
			}
			continue
		}
		if !up.newTip || !up.reorg || up.fork != fork || up.oldTip.hash != honestTip {
			t.Fatalf("branch with work %v > %v: update %+v", work, honestWork, up)
		}
		break
	}
	tip := st.Tip()
	if tip.Hash != ext[len(ext)-1].BlockHash() || tip.Work.Cmp(work) != 0 {
		t.Fatalf("after the reorg: tip %d %s work %v; want work %v", tip.Height, tip.Hash, tip.Work, work)
	}
	for _, h := range honest[fork:] {
		hash := h.BlockHash()
		if _, err := st.HeaderByHash(&hash); !errors.Is(err, headerstore.ErrNotFound) {
			t.Fatalf("replaced honest header %s still indexed: %v", hash, err)
		}
	}
	t.Logf("honest: %d headers, work %v; attacker needed %d headers to pass it",
		len(honest), honestWork, fork+len(attack)+len(ext))
}

// On regtest every header has the same work, so "longer but less work"
// cannot be built against btcd. What regtest allows: a peer that claims a
// far higher chain but serves a valid, shorter fork. The node must end on
// btcd's chain with none of the fork's headers indexed.
func TestHostileClaimsLongerChain(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(120)
	want, _ := btcd.BestBlock()
	p := &chaincfg.RegressionNetParams

	fork := buildChain(p, &p.GenesisBlock.Header, 80, 77)
	fp := newFakePeer(t, 100_000)
	served := make(chan struct{}, 100)
	fp.onMessage = func(fp *fakePeer, msg wire.Message) {
		if _, ok := msg.(*wire.MsgGetHeaders); ok {
			fp.write(headersMessage(fork...))
			served <- struct{}{}
		}
	}
	fp.serve()
	n, err := New(&Config{
		ChainParams:   p,
		DataDir:       t.TempDir(),
		ConnectPeers:  []string{fp.addr(), btcd.P2PAddr()},
		RetryDuration: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	select {
	case <-served:
	case <-time.After(20 * time.Second):
		t.Fatal("the node never asked the peer claiming the longer chain")
	}
	waitSynced(t, n)
	deadline := time.Now().Add(20 * time.Second)
	for n.Status().Hash != want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if st := n.Status(); st.Hash != want {
		t.Fatalf("ended on %s (height %d); honest tip is %s", st.Hash, st.Height, want)
	}
	for _, h := range fork {
		hash := h.BlockHash()
		if _, err := n.Store().HeaderByHash(&hash); !errors.Is(err, headerstore.ErrNotFound) {
			t.Fatalf("the fake's header %s is indexed: %v", hash, err)
		}
	}
}

// rawMessage frames payload as a message with the given header fields.
func rawMessage(magic wire.BitcoinNet, command string, length uint32, checksum []byte, payload []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint32(magic))
	var cmd [wire.CommandSize]byte
	copy(cmd[:], command)
	b.Write(cmd[:])
	binary.Write(&b, binary.LittleEndian, length)
	b.Write(checksum[:4])
	b.Write(payload)
	return b.Bytes()
}

func (fp *fakePeer) writeRaw(b []byte) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	fp.conn.Write(b)
}

// Garbage and oversized messages beside an honest btcd: the node syncs
// from btcd, disconnects the sender and bans it as malformed.
func TestHostileMalformedMessages(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(150)
	want, _ := btcd.BestBlock()
	p := &chaincfg.RegressionNetParams
	checksum := func(b []byte) []byte { return chainhash.DoubleHashB(b)[:4] }

	// A headers payload that frames correctly but does not decode: one
	// header of random bytes followed by a non-zero transaction count.
	badHeaders := []byte{1}
	for i := 0; i < 80; i++ {
		badHeaders = append(badHeaders, byte(i*37+11))
	}
	badHeaders = append(badHeaders, 7)
	trailing := []byte{0, 0xde, 0xad, 0xbe, 0xef} // zero headers, then junk
	tooMany := []byte{0xfd, 0xd1, 0x07}           // 2001 headers

	cases := []struct {
		name   string
		raw    []byte
		reason string
	}{
		{"bad checksum", rawMessage(p.Net, "headers", 1, []byte{1, 2, 3, 4}, []byte{0}), "checksum"},
		{"undecodable headers payload", rawMessage(p.Net, "headers", uint32(len(badHeaders)), checksum(badHeaders), badHeaders), "transactions"},
		{"trailing bytes after a valid payload", rawMessage(p.Net, "headers", uint32(len(trailing)), checksum(trailing), trailing), "extra bytes"},
		{"too many headers", rawMessage(p.Net, "headers", uint32(len(tooMany)), checksum(tooMany), tooMany), "too many block headers"},
		{"payload above the 32 MiB limit", rawMessage(p.Net, "headers", wire.MaxMessagePayload+1, []byte{0, 0, 0, 0}, nil), "too large"},
		// btcd reads and discards the declared payload before failing, so
		// the fake sends it in full.
		{"payload above the headers limit", rawMessage(p.Net, "headers", 200_000, []byte{0, 0, 0, 0}, make([]byte, 200_000)), "exceeds max length"},
		{"another network's magic", rawMessage(wire.MainNet, "headers", 1, checksum([]byte{0}), []byte{0}), "other network"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fp := newFakePeer(t, 1)
			fp.onConnect = func(fp *fakePeer) { fp.writeRaw(tc.raw) }
			fp.serve()
			n, err := New(&Config{
				ChainParams:   p,
				DataDir:       t.TempDir(),
				ConnectPeers:  []string{fp.addr(), btcd.P2PAddr()},
				RetryDuration: time.Hour,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Start(); err != nil {
				t.Fatal(err)
			}
			defer n.Stop()
			if !fp.disconnected(20 * time.Second) {
				t.Fatal("the peer was not disconnected")
			}
			waitSynced(t, n)
			if st := n.Status(); st.Hash != want {
				t.Fatalf("ended on %s; honest tip is %s", st.Hash, want)
			}
			var ban headerstore.Ban
			var banned bool
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if ban, banned = n.Store().IsBanned(banKey(fp.addr())); banned {
					break
				}
			}
			if !banned || !strings.HasPrefix(ban.Reason, "sent a malformed message: ") || !strings.Contains(ban.Reason, tc.reason) {
				t.Fatalf("ban %+v (banned %v); want a malformed-message reason containing %q", ban, banned, tc.reason)
			}
			peers := n.Peers()
			if len(peers) != 1 || peers[0].Addr != btcd.P2PAddr() {
				t.Fatalf("peers %+v; want only the honest btcd", peers)
			}
		})
	}

	// A peer that simply hangs up, or cuts a message short, is gone but
	// not banned: that is what an honest peer going away looks like.
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"hang-up after the handshake", nil},
		{"connection cut mid-payload", rawMessage(p.Net, "headers", 81, []byte{0, 0, 0, 0}, []byte{1, 2, 3})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fp := newFakePeer(t, 1)
			fp.onConnect = func(fp *fakePeer) {
				if tc.raw != nil {
					fp.writeRaw(tc.raw)
				}
				fp.conn.Close()
			}
			fp.serve()
			n, err := New(&Config{
				ChainParams:   p,
				DataDir:       t.TempDir(),
				ConnectPeers:  []string{fp.addr(), btcd.P2PAddr()},
				RetryDuration: time.Hour,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Start(); err != nil {
				t.Fatal(err)
			}
			defer n.Stop()
			if !fp.disconnected(20 * time.Second) {
				t.Fatal("the peer did not go away")
			}
			waitSynced(t, n)
			if st := n.Status(); st.Hash != want {
				t.Fatalf("ended on %s; honest tip is %s", st.Hash, want)
			}
			time.Sleep(200 * time.Millisecond)
			if ban, banned := n.Store().IsBanned(banKey(fp.addr())); banned {
				t.Fatalf("a peer that went away was banned: %+v", ban)
			}
		})
	}
}

// A peer that sends one full headers message and then hangs up leaves
// the node holding those headers in memory (the sync writes several
// messages at once): they must still reach the store, which is what the
// filter-header sync and the wallet read.
func TestHeldHeadersStoredWhenPeerLeaves(t *testing.T) {
	p := &chaincfg.RegressionNetParams
	hdrs := buildChain(p, &p.GenesisBlock.Header, wire.MaxBlockHeadersPerMsg, 5)
	fp := newFakePeer(t, int32(len(hdrs))+1000)
	fp.onMessage = func(fp *fakePeer, msg wire.Message) {
		if _, ok := msg.(*wire.MsgGetHeaders); ok {
			fp.write(headersMessage(hdrs...))
			// Let the message go out before hanging up.
			time.Sleep(200 * time.Millisecond)
			fp.conn.Close()
		}
	}
	fp.serve()
	n, err := New(&Config{ChainParams: p, DataDir: t.TempDir(), ConnectPeers: []string{fp.addr()},
		RetryDuration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	want := int32(len(hdrs))
	deadline := time.Now().Add(30 * time.Second)
	for n.Store().Tip().Height != want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if tip := n.Store().Tip(); tip.Height != want || tip.Hash != hdrs[want-1].BlockHash() {
		t.Fatalf("store tip %d %s; the peer sent %d headers ending in %s (status height %d)",
			tip.Height, tip.Hash, want, hdrs[want-1].BlockHash(), n.Status().Height)
	}
}
