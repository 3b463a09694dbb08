package lightnode

import (
	"errors"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
)

// testParams is regtest with difficulty retargeting every 10 blocks, so
// retarget rules can be exercised with cheap proof of work.
func testParams() *chaincfg.Params {
	p := chaincfg.RegressionNetParams
	p.PoWNoRetargeting = false
	p.TargetTimespan = 10 * p.TargetTimePerBlock
	p.Checkpoints = nil
	return &p
}

// spacing between test blocks: twice the target, so the difficulty stays at
// the proof-of-work limit across retargets.
func spacing(p *chaincfg.Params) time.Duration { return 2 * p.TargetTimePerBlock }

// mine finds a nonce that satisfies (or, with bad, fails) the header's own
// target.
func mine(h *wire.BlockHeader, bad bool) {
	target := blockchain.CompactToBig(h.Bits)
	for nonce := uint32(0); ; nonce++ {
		h.Nonce = nonce
		hash := h.BlockHash()
		ok := blockchain.HashToBig(&hash).Cmp(target) <= 0
		if ok != bad {
			return
		}
	}
}

// nextHeader builds a valid header on parent.
func nextHeader(p *chaincfg.Params, parent *wire.BlockHeader, salt uint32) *wire.BlockHeader {
	h := &wire.BlockHeader{
		Version:   0x20000000,
		PrevBlock: parent.BlockHash(),
		Timestamp: parent.Timestamp.Add(spacing(p)),
		Bits:      p.PowLimitBits,
	}
	h.MerkleRoot[0], h.MerkleRoot[1] = byte(salt), byte(salt>>8)
	mine(h, false)
	return h
}

// buildChain makes n valid headers on parent.
func buildChain(p *chaincfg.Params, parent *wire.BlockHeader, n int, salt uint32) []*wire.BlockHeader {
	out := make([]*wire.BlockHeader, 0, n)
	for i := 0; i < n; i++ {
		h := nextHeader(p, parent, salt)
		out = append(out, h)
		parent = h
	}
	return out
}

func newTestChain(t *testing.T, p *chaincfg.Params) (*headerChain, headerstore.Store) {
	t.Helper()
	st, err := headerstore.Open(&headerstore.Config{Path: filepath.Join(t.TempDir(), "chain.db"), Params: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newHeaderChain(p, st, blockchain.NewMedianTime()), st
}

func TestChainAcceptsValidHeaders(t *testing.T) {
	p := testParams()
	c, st := newTestChain(t, p)
	hdrs := buildChain(p, &p.GenesisBlock.Header, 35, 0)
	up, err := c.process(hdrs)
	if err != nil {
		t.Fatal(err)
	}
	if !up.newTip || up.reorg || up.added != 35 || up.flushed != 35 {
		t.Fatalf("update %+v", up)
	}
	if tip := st.Tip(); tip.Height != 35 || tip.Hash != hdrs[34].BlockHash() {
		t.Fatalf("stored tip %d %s", tip.Height, tip.Hash)
	}
	// The same message again adds nothing.
	up, err = c.process(hdrs)
	if err != nil || up.added != 0 || up.newTip {
		t.Fatalf("repeat: %+v %v", up, err)
	}
}

// Each crafted header is rejected as misbehaviour, and the chain is
// unchanged afterwards.
func TestChainRejectsInvalidHeaders(t *testing.T) {
	p := testParams()
	honest := buildChain(p, &p.GenesisBlock.Header, 30, 0)

	cases := []struct {
		name  string
		build func(p *chaincfg.Params) []*wire.BlockHeader
		rule  blockchain.ErrorCode // 0 when the failure is not a btcd rule
	}{
		{"bad proof of work", func(p *chaincfg.Params) []*wire.BlockHeader {
			h := nextHeader(p, honest[24], 7)
			mine(h, true)
			return []*wire.BlockHeader{h}
		}, blockchain.ErrHighHash},
		{"target above the proof-of-work limit", func(p *chaincfg.Params) []*wire.BlockHeader {
			h := nextHeader(p, honest[24], 7)
			h.Bits = 0x2100ffff
			mine(h, false)
			return []*wire.BlockHeader{h}
		}, blockchain.ErrUnexpectedDifficulty},
		{"negative target", func(p *chaincfg.Params) []*wire.BlockHeader {
			h := nextHeader(p, honest[24], 7)
			h.Bits = 0x20800000 | 0x7fff
			return []*wire.BlockHeader{h}
		}, blockchain.ErrUnexpectedDifficulty},
		{"wrong bits at a retarget", func(p *chaincfg.Params) []*wire.BlockHeader {
			// Height 30 is a retarget height (every 10 blocks).
			h := nextHeader(p, honest[28], 7)
			h.Bits = 0x207ffffe
			mine(h, false)
			return []*wire.BlockHeader{h}
		}, blockchain.ErrUnexpectedDifficulty},
		{"wrong bits between retargets", func(p *chaincfg.Params) []*wire.BlockHeader {
			h := nextHeader(p, honest[24], 7)
			h.Bits = 0x207ffffe
			mine(h, false)
			return []*wire.BlockHeader{h}
		}, blockchain.ErrUnexpectedDifficulty},
		{"timestamp at median time past", func(p *chaincfg.Params) []*wire.BlockHeader {
			h := nextHeader(p, honest[24], 7)
			// The median of the last 11 timestamps (blocks 15..25).
			h.Timestamp = honest[19].Timestamp
			mine(h, false)
			return []*wire.BlockHeader{h}
		}, blockchain.ErrTimeTooOld},
		{"timestamp below median time past", func(p *chaincfg.Params) []*wire.BlockHeader {
			h := nextHeader(p, honest[24], 7)
			h.Timestamp = honest[10].Timestamp
			mine(h, false)
			return []*wire.BlockHeader{h}
		}, blockchain.ErrTimeTooOld},
		{"too far in the future", func(p *chaincfg.Params) []*wire.BlockHeader {
			h := nextHeader(p, honest[24], 7)
			h.Timestamp = time.Now().Add(3 * time.Hour).Truncate(time.Second)
			mine(h, false)
			return []*wire.BlockHeader{h}
		}, blockchain.ErrTimeTooNew},
		{"checkpoint mismatch", func(p *chaincfg.Params) []*wire.BlockHeader {
			// A fork at the checkpointed height 20.
			return buildChain(p, honest[18], 3, 9)
		}, blockchain.ErrBadCheckpoint},
		{"fork below the previous checkpoint", func(p *chaincfg.Params) []*wire.BlockHeader {
			// The chain has passed the checkpoint at 20; a branch from 10
			// may not grow below it.
			return buildChain(p, honest[9], 3, 9)
		}, blockchain.ErrForkTooOld},
		{"headers that do not chain", func(p *chaincfg.Params) []*wire.BlockHeader {
			a := nextHeader(p, honest[24], 7)
			b := nextHeader(p, honest[24], 8)
			return []*wire.BlockHeader{a, b}
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := testParams()
			hash20 := honest[19].BlockHash()
			p.Checkpoints = []chaincfg.Checkpoint{{Height: 20, Hash: &hash20}}
			c, st := newTestChain(t, p)
			if _, err := c.process(honest[:25]); err != nil {
				t.Fatal(err)
			}
			if tc.name == "wrong bits at a retarget" {
				if _, err := c.process(honest[25:29]); err != nil {
					t.Fatal(err)
				}
			}
			before := st.Tip()
			_, err := c.process(tc.build(p))
			if !isMisbehaviour(err) {
				t.Fatalf("got %v; want misbehaviour", err)
			}
			var re blockchain.RuleError
			if tc.rule != 0 && (!errors.As(err, &re) || re.ErrorCode != tc.rule) {
				t.Fatalf("got %v; want rule %v", err, tc.rule)
			}
			if after := st.Tip(); after.Hash != before.Hash || c.tip().hash != before.Hash {
				t.Fatalf("tip moved from %s to %s", before.Hash, after.Hash)
			}
			// The honest continuation is still accepted.
			if _, err := c.process(honest[c.tip().height:]); err != nil {
				t.Fatalf("honest headers after the bad ones: %v", err)
			}
			if c.tip().hash != honest[29].BlockHash() {
				t.Fatalf("honest chain not accepted")
			}
		})
	}
}

func TestChainUnconnectedHeaders(t *testing.T) {
	p := testParams()
	c, _ := newTestChain(t, p)
	hdrs := buildChain(p, &p.GenesisBlock.Header, 10, 0)
	if _, err := c.process(hdrs[5:]); !errors.Is(err, errUnconnected) {
		t.Fatalf("got %v; want errUnconnected", err)
	}
}

// A side branch is held in memory until it has more work, then replaces
// the stored chain exactly above the fork.
func TestChainReorg(t *testing.T) {
	p := testParams()
	c, st := newTestChain(t, p)
	main := buildChain(p, &p.GenesisBlock.Header, 20, 0)
	if _, err := c.process(main); err != nil {
		t.Fatal(err)
	}
	side := buildChain(p, main[11], 8, 1) // heights 13..20: equal work
	up, err := c.process(side)
	if err != nil || up.newTip || up.added != 8 {
		t.Fatalf("equal-work branch: %+v %v", up, err)
	}
	if st.Tip().Hash != main[19].BlockHash() {
		t.Fatal("an equal-work branch replaced the first-seen chain")
	}
	more := buildChain(p, side[7], 2, 1) // heights 21..22
	up, err = c.process(more)
	if err != nil {
		t.Fatal(err)
	}
	if !up.reorg || up.fork != 12 || up.oldTip.height != 20 {
		t.Fatalf("reorg update %+v", up)
	}
	tip := st.Tip()
	if tip.Height != 22 || tip.Hash != more[1].BlockHash() {
		t.Fatalf("tip %d %s", tip.Height, tip.Hash)
	}
	for i, h := range side {
		got, err := st.HeaderByHeight(int32(13 + i))
		if err != nil || got.Hash != h.BlockHash() {
			t.Fatalf("height %d: %v", 13+i, err)
		}
	}
	old := main[15].BlockHash()
	if _, err := st.HeaderByHash(&old); !errors.Is(err, headerstore.ErrNotFound) {
		t.Fatalf("a replaced header is still indexed: %v", err)
	}
	wantWork := new(big.Int).Set(blockchain.CalcWork(p.GenesisBlock.Header.Bits))
	for i := 0; i < 22; i++ {
		wantWork.Add(wantWork, blockchain.CalcWork(p.PowLimitBits))
	}
	if tip.Work.Cmp(wantWork) != 0 {
		t.Fatalf("tip work %v; want %v", tip.Work, wantWork)
	}
}

// Without the minimum chain work, headers are persisted only up to the
// newest checkpoint they reach.
func TestChainPersistsOnlyAtCheckpointsBelowMinWork(t *testing.T) {
	p := testParams()
	honest := buildChain(p, &p.GenesisBlock.Header, 30, 0)
	h20 := honest[19].BlockHash()
	p.Checkpoints = []chaincfg.Checkpoint{{Height: 20, Hash: &h20}}
	c, st := newTestChain(t, p)
	c.minWork = new(big.Int).Lsh(big.NewInt(1), 200)
	up, err := c.process(honest[:15])
	if err != nil || up.flushed != 0 || st.Tip().Height != 0 || c.tip().height != 15 {
		t.Fatalf("below the checkpoint: %+v %v, stored %d", up, err, st.Tip().Height)
	}
	up, err = c.process(honest[15:25])
	if err != nil || st.Tip().Height != 20 || c.tip().height != 25 {
		t.Fatalf("past the checkpoint: %+v %v, stored %d", up, err, st.Tip().Height)
	}
	c.minWork = big.NewInt(0)
	if _, err := c.process(honest[25:]); err != nil || st.Tip().Height != 30 {
		t.Fatalf("with minimum work: %v, stored %d", err, st.Tip().Height)
	}
}

func TestLocator(t *testing.T) {
	p := testParams()
	c, _ := newTestChain(t, p)
	if _, err := c.process(buildChain(p, &p.GenesisBlock.Header, 100, 0)); err != nil {
		t.Fatal(err)
	}
	loc := c.locator(c.tip())
	var heights []int32
	for _, h := range loc {
		heights = append(heights, c.lookup(h).height)
	}
	want := []int32{100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 89, 85, 77, 61, 29, 0}
	if len(heights) != len(want) {
		t.Fatalf("locator heights %v; want %v", heights, want)
	}
	for i := range want {
		if heights[i] != want[i] {
			t.Fatalf("locator heights %v; want %v", heights, want)
		}
	}
	if *loc[len(loc)-1] != *p.GenesisHash {
		t.Fatal("locator does not end with genesis")
	}
}

// TestPowTargetFollowsBits checks the cached target against btcd's own
// comparison for hashes around the targets of several difficulties, in an
// order that switches the cache back and forth.
func TestPowTargetFollowsBits(t *testing.T) {
	limit := chaincfg.MainNetParams.PowLimit
	var p powTarget
	for _, bits := range []uint32{0x1d00ffff, 0x1b0404cb, 0x1d00ffff, 0x170331db, 0x1b0404cb} {
		target := blockchain.CompactToBig(bits)
		for _, delta := range []int64{-1, 0, 1} {
			n := new(big.Int).Add(target, big.NewInt(delta))
			var hash chainhash.Hash
			b := n.FillBytes(make([]byte, chainhash.HashSize))
			for i := range b {
				hash[i] = b[len(b)-1-i]
			}
			err := p.check(&hash, bits, limit)
			if want := delta > 0; (err != nil) != want {
				t.Fatalf("bits %08x, target%+d: %v, want error %v", bits, delta, err, want)
			}
		}
	}
}
