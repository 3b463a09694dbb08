package lightnode

import (
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

// Each hostile peer sits beside an honest btcd: the node must end on
// btcd's chain, ban the liar with a reason, and keep btcd.
func TestHostilePeersAreBanned(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(200)
	want, _ := btcd.BestBlock()
	p := &chaincfg.RegressionNetParams
	genesis := &p.GenesisBlock.Header

	// honestHeaders returns btcd's headers 1..n.
	honestHeaders := func(n int) []*wire.BlockHeader {
		out := make([]*wire.BlockHeader, n)
		for i := range out {
			h := btcd.Header(btcd.BlockHash(int32(i + 1)))
			out[i] = &h
		}
		return out
	}
	honest := honestHeaders(20)

	answer := func(reply func(fp *fakePeer)) func(fp *fakePeer, msg wire.Message) {
		return func(fp *fakePeer, msg wire.Message) {
			if _, ok := msg.(*wire.MsgGetHeaders); ok {
				reply(fp)
			}
		}
	}
	cases := []struct {
		name      string
		reason    string
		setup     func(fp *fakePeer)
		stallTime time.Duration
	}{
		{"bad proof of work", "invalid header", func(fp *fakePeer) {
			h := nextHeader(p, genesis, 1)
			mine(h, true)
			fp.onMessage = answer(func(fp *fakePeer) { fp.write(headersMessage(h)) })
		}, 0},
		{"timestamp below median time past after valid headers", "invalid header", func(fp *fakePeer) {
			bad := *honest[19]
			bad.PrevBlock = honest[18].BlockHash()
			bad.Timestamp = honest[5].Timestamp
			mine(&bad, false)
			msg := headersMessage(append(append([]*wire.BlockHeader{}, honest[:19]...), &bad)...)
			fp.onMessage = answer(func(fp *fakePeer) { fp.write(msg) })
		}, 0},
		{"wrong difficulty bits", "invalid header", func(fp *fakePeer) {
			h := nextHeader(p, genesis, 1)
			h.Bits = 0x207ffffe
			mine(h, false)
			fp.onMessage = answer(func(fp *fakePeer) { fp.write(headersMessage(h)) })
		}, 0},
		{"a timestamp too far in the future", "invalid header", func(fp *fakePeer) {
			h := nextHeader(p, genesis, 1)
			h.Timestamp = time.Now().Add(3 * time.Hour).Truncate(time.Second)
			mine(h, false)
			fp.onMessage = answer(func(fp *fakePeer) { fp.write(headersMessage(h)) })
		}, 0},
		{"headers that do not chain", "do not chain", func(fp *fakePeer) {
			a, b := nextHeader(p, genesis, 1), nextHeader(p, genesis, 2)
			fp.onMessage = answer(func(fp *fakePeer) { fp.write(headersMessage(a, b)) })
		}, 0},
		{"headers that never connect", "do not connect", func(fp *fakePeer) {
			salt := byte(0)
			fp.onMessage = answer(func(fp *fakePeer) {
				salt++
				orphan := nextHeader(p, genesis, 1)
				orphan.PrevBlock = chainhash.Hash{salt, 2, 3}
				mine(orphan, false)
				fp.write(headersMessage(orphan))
			})
		}, 0},
		// One repeat is excused per getheaders (an announcement racing the
		// answer, see TestAnnouncementRacingAnswer); a third copy is not.
		{"a repeated headers message", "same headers message twice", func(fp *fakePeer) {
			h := nextHeader(p, genesis, 1)
			fp.onConnect = func(fp *fakePeer) {
				for range 3 {
					fp.write(headersMessage(h))
				}
			}
			fp.onMessage = answer(func(fp *fakePeer) { fp.write(wire.NewMsgHeaders()) })
		}, 0},
		{"a peer that never answers", "stalled", func(fp *fakePeer) {}, time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fp := newFakePeer(t, 1000)
			tc.setup(fp)
			fp.serve()
			stall := tc.stallTime
			if stall == 0 {
				stall = 30 * time.Second
			}
			n, err := New(&Config{
				ChainParams:   p,
				DataDir:       t.TempDir(),
				ConnectPeers:  []string{fp.addr(), btcd.P2PAddr()},
				RetryDuration: time.Hour, // a banned peer is not redialled in the test
				StallTimeout:  stall,
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Start(); err != nil {
				t.Fatal(err)
			}
			defer n.Stop()

			if !fp.disconnected(20 * time.Second) {
				t.Fatal("the hostile peer was not disconnected")
			}
			waitSynced(t, n)
			if st := n.Status(); st.Hash != want {
				t.Fatalf("ended on %s; honest tip is %s", st.Hash, want)
			}
			ban, banned := n.Store().IsBanned(banKey(fp.addr()))
			if !banned || !strings.Contains(ban.Reason, tc.reason) {
				t.Fatalf("ban %+v (banned %v); want a reason containing %q", ban, banned, tc.reason)
			}
			peers := n.Peers()
			if len(peers) != 1 || peers[0].Addr != btcd.P2PAddr() {
				t.Fatalf("peers %+v; want only the honest btcd", peers)
			}
		})
	}
}
