package lightnode

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/lightnode/verify"
)

// honestData reads what an honest peer would serve from btcd's RPC.
type honestData struct {
	t      testing.TB
	btcd   *regtest.Node
	height map[chainhash.Hash]int32
}

func newHonestData(t testing.TB, btcd *regtest.Node) *honestData {
	_, tip := btcd.BestBlock()
	d := &honestData{t: t, btcd: btcd, height: map[chainhash.Hash]int32{}}
	for h := int32(0); h <= tip; h++ {
		d.height[btcd.BlockHash(h)] = h
	}
	return d
}

func (d *honestData) rpcHex(method string, args ...any) []byte {
	raw, err := d.btcd.Call(method, args...)
	if err != nil {
		d.t.Fatal(err)
	}
	var s string
	json.Unmarshal(raw, &s)
	b, _ := hex.DecodeString(s)
	return b
}

func (d *honestData) filter(hash chainhash.Hash) []byte {
	return d.rpcHex("getcfilter", hash.String(), 0)
}

func (d *honestData) filterHeader(hash chainhash.Hash) chainhash.Hash {
	raw, err := d.btcd.Call("getcfilterheader", hash.String(), 0)
	if err != nil {
		d.t.Fatal(err)
	}
	var s string
	json.Unmarshal(raw, &s)
	h, _ := chainhash.NewHashFromStr(s)
	return *h
}

// serveFilters answers getcfcheckpt, getcfheaders and getcfilters honestly,
// except where the hooks change the answer.
func (d *honestData) serveFilters(fp *fakePeer, msg wire.Message, lieHashes bool) {
	switch m := msg.(type) {
	case *wire.MsgGetHeaders:
		fp.write(wire.NewMsgHeaders())
	case *wire.MsgGetCFCheckpt:
		cp := wire.NewMsgCFCheckpt(wire.GCSFilterRegular, &m.StopHash, 0)
		for h := int32(1000); h <= d.height[m.StopHash]; h += 1000 {
			fh := d.filterHeader(d.btcd.BlockHash(h))
			cp.AddCFHeader(&fh)
		}
		fp.write(cp)
	case *wire.MsgGetCFHeaders:
		start := int32(m.StartHeight)
		resp := &wire.MsgCFHeaders{FilterType: wire.GCSFilterRegular, StopHash: m.StopHash,
			PrevFilterHeader: d.filterHeader(d.btcd.BlockHash(start - 1))}
		for h := start; h <= d.height[m.StopHash]; h++ {
			fh := verify.FilterHash(d.filter(d.btcd.BlockHash(h)))
			if lieHashes {
				fh = chainhash.Hash{byte(h), 0xba, 0xd}
			}
			resp.AddCFHash(&fh)
		}
		fp.write(resp)
	case *wire.MsgGetData:
		for _, iv := range m.InvList {
			if iv.Type == wire.InvTypeWitnessBlock || iv.Type == wire.InvTypeBlock {
				var b wire.MsgBlock
				b.Deserialize(bytes.NewReader(d.rpcHex("getblock", iv.Hash.String(), 0)))
				fp.write(&b)
			}
		}
	case *wire.MsgGetCFilters:
		for h := int32(m.StartHeight); h <= d.height[m.StopHash]; h++ {
			hash := d.btcd.BlockHash(h)
			fp.write(wire.NewMsgCFilter(wire.GCSFilterRegular, &hash, d.filter(hash)))
		}
	}
}

// peerConnFor finds the node's connection to addr.
func peerConnFor(t testing.TB, n *Node, addr string) *peerConn {
	for _, pc := range n.readyPeers(0) {
		if pc.addr == addr {
			return pc
		}
	}
	t.Fatalf("no connection to %s", addr)
	return nil
}

func TestHostileFilterAndBlockPeers(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(300)
	// A block with three transactions, for the malleation case.
	for h := int32(1); h <= 2; h++ {
		btcd.SendRaw(btcd.Payment(btcd.CoinbaseCoin(h), 1, nil))
	}
	target := btcd.Generate(1)[0]
	btcd.Generate(5)
	honest := newHonestData(t, btcd)
	_, tip := btcd.BestBlock()
	var honestBlock wire.MsgBlock
	if err := honestBlock.Deserialize(bytes.NewReader(honest.rpcHex("getblock", target.String(), 0))); err != nil {
		t.Fatal(err)
	}
	if len(honestBlock.Transactions) != 3 {
		t.Fatalf("test block has %d transactions; want 3", len(honestBlock.Transactions))
	}

	start := func(t *testing.T, fp *fakePeer, stall time.Duration) *Node {
		fp.services |= wire.SFNodeCF
		fp.serve()
		n, err := New(&Config{ChainParams: fp.params, DataDir: t.TempDir(),
			ConnectPeers: []string{fp.addr(), btcd.P2PAddr()}, RetryDuration: time.Hour,
			StallTimeout: stall, Logger: testLogger()})
		if err != nil {
			t.Fatal(err)
		}
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Stop() })
		return n
	}
	assertBanned := func(t *testing.T, n *Node, fp *fakePeer, reason string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ban, ok := n.Store().IsBanned(banKey(fp.addr()))
			if ok && strings.Contains(ban.Reason, reason) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("ban %+v (%v); want a reason containing %q", ban, ok, reason)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	assertHonestFilters := func(t *testing.T, n *Node) {
		t.Helper()
		syncAll(t, n)
		for _, h := range []int32{1, 150, tip} {
			got, _ := n.Store().FilterHeader(h)
			if want := honest.filterHeader(btcd.BlockHash(h)); got != want {
				t.Fatalf("filter header %d: %s; btcd has %s", h, got, want)
			}
		}
	}

	blockCases := []struct {
		name   string
		tamper func(b *wire.MsgBlock)
		code   verify.ErrorCode
	}{
		{"a block with a wrong merkle root", func(b *wire.MsgBlock) {
			b.Transactions[1].LockTime++
		}, verify.ErrBadMerkleRoot},
		{"a CVE-2012-2459 block", func(b *wire.MsgBlock) {
			b.Transactions = append(b.Transactions, b.Transactions[2])
		}, verify.ErrMutatedMerkle},
	}
	for _, tc := range blockCases {
		t.Run(tc.name, func(t *testing.T) {
			fp := newFakePeer(t, 0)
			fp.onMessage = func(fp *fakePeer, msg wire.Message) {
				if gd, ok := msg.(*wire.MsgGetData); ok && gd.InvList[0].Hash == target {
					bad := honestBlock.Copy()
					tc.tamper(bad)
					fp.write(bad)
					return
				}
				honest.serveFilters(fp, msg, false)
			}
			n := start(t, fp, 30*time.Second)
			syncAll(t, n)
			hdr, _ := n.Store().HeaderByHash(&target)
			_, err := n.blockFrom(context.Background(), peerConnFor(t, n, fp.addr()), &hdr.Header)
			if !isMisbehaviour(err) || !verify.IsErrorCode(err, tc.code) {
				t.Fatalf("the bad block gave %v; want misbehaviour with %v", err, tc.code)
			}
			n.reportPeer(peerConnFor(t, n, fp.addr()), err)
			assertBanned(t, n, fp, "does not match its header")
			block, err := n.GetBlock(context.Background(), &target)
			if err != nil || block.Transactions[1].TxHash() != honestBlock.Transactions[1].TxHash() {
				t.Fatalf("honest block after the ban: %v", err)
			}
		})
	}

	t.Run("a filter that does not match its header", func(t *testing.T) {
		fp := newFakePeer(t, 0)
		fp.onMessage = func(fp *fakePeer, msg wire.Message) {
			if m, ok := msg.(*wire.MsgGetCFilters); ok {
				for h := int32(m.StartHeight); h <= honest.height[m.StopHash]; h++ {
					hash := btcd.BlockHash(h)
					fp.write(wire.NewMsgCFilter(wire.GCSFilterRegular, &hash, []byte{1, 2, 3}))
				}
				return
			}
			honest.serveFilters(fp, msg, false)
		}
		n := start(t, fp, 30*time.Second)
		assertHonestFilters(t, n)
		blocks, _ := n.Store().BlockHashes(100, 10)
		fhdrs, _ := n.Store().FilterHeaders(99, 11)
		_, err := n.filtersFrom(context.Background(), peerConnFor(t, n, fp.addr()), 100, blocks, fhdrs)
		if !isMisbehaviour(err) {
			t.Fatalf("bad filter gave %v", err)
		}
		n.reportPeer(peerConnFor(t, n, fp.addr()), err)
		assertBanned(t, n, fp, "does not match its filter header")
		var got int
		err = n.Filters(context.Background(), 100, 109, func(int32, chainhash.Hash, *gcs.Filter) error { got++; return nil })
		if err != nil || got != 10 {
			t.Fatalf("honest filters after the ban: %d, %v", got, err)
		}
	})

	t.Run("filter headers that disagree with the honest peer", func(t *testing.T) {
		fp := newFakePeer(t, 0)
		fp.onMessage = func(fp *fakePeer, msg wire.Message) { honest.serveFilters(fp, msg, true) }
		n := start(t, fp, 30*time.Second)
		assertHonestFilters(t, n)
		assertBanned(t, n, fp, "filter")
	})

	t.Run("a peer that never answers", func(t *testing.T) {
		fp := newFakePeer(t, 0)
		fp.onMessage = func(fp *fakePeer, msg wire.Message) {
			if _, ok := msg.(*wire.MsgGetHeaders); ok {
				fp.write(wire.NewMsgHeaders())
			}
		}
		n := start(t, fp, time.Second)
		assertHonestFilters(t, n)
		// One silence proves nothing (a node catching up ignores filter
		// requests); each new block starts a round that asks it again,
		// and the third silence in a row earns the ban.
		sub := n.Subscribe()
		defer sub.Close()
		for range maxStalls {
			if _, banned := n.Store().IsBanned(banKey(fp.addr())); banned {
				break
			}
			mined := btcd.WithT(t).Generate(1)[0]
			waitFor(t, sub, "the new block", func(ev Event) bool { tip, ok := ev.(NewTip); return ok && tip.Hash == mined })
			syncAll(t, n)
		}
		assertBanned(t, n, fp, "stalled")
	})
}
