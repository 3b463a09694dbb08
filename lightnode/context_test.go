package lightnode

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TestCheckContextMatchesBtcd compares checkContext, with the median-time
// window carried along the chain as the sync does, against btcd's
// CheckBlockHeaderContext on random chains of several networks: the same
// headers must pass, and the same ones fail with the same rule error.
func TestCheckContextMatchesBtcd(t *testing.T) {
	low := func(p chaincfg.Params, retarget int) *chaincfg.Params {
		p.BIP0034Height, p.BIP0066Height, p.BIP0065Height = 30, 60, 90
		p.TargetTimespan = time.Duration(retarget) * p.TargetTimePerBlock
		p.Checkpoints = nil
		return &p
	}
	nets := []struct {
		name   string
		params *chaincfg.Params
	}{
		{"regtest", low(chaincfg.RegressionNetParams, 2016)},
		{"mainnet", low(chaincfg.MainNetParams, 16)},
		{"testnet3", low(chaincfg.TestNet3Params, 16)},
		{"testnet4", low(chaincfg.TestNet4Params, 16)},
		{"signet", low(chaincfg.SigNetParams, 16)},
		{"retargeting regtest", testParams()},
	}
	for _, net := range nets {
		t.Run(net.name, func(t *testing.T) {
			p := net.params
			rng := rand.New(rand.NewPCG(1, uint64(len(net.name))))
			c := &headerChain{params: p}
			c.ctx = chainCtx{c}
			root := &hnode{hdr: p.GenesisBlock.Header, work: new(big.Int), chain: c}
			past := newPastTimes(root)
			parent := root
			var failures int
			for height := int32(1); height < 300; height++ {
				if got, want := past, newPastTimes(parent); got.median() != want.median() ||
					!got.median().Equal(blockchain.CalcPastMedianTime(parent)) {
					t.Fatalf("height %d: window median %v, rebuilt %v, btcd %v",
						height, got.median(), want.median(), blockchain.CalcPastMedianTime(parent))
				}
				median := blockchain.CalcPastMedianTime(parent).Unix()
				times := []int64{median - 1, median, median + 1, parent.Timestamp() + 600,
					parent.Timestamp() + 25*60, parent.Timestamp() + int64(rng.IntN(3000)) - 1500}
				bits := []uint32{expectedBits(t, c, parent, parent.Timestamp()+600), parent.hdr.Bits, p.PowLimitBits, 0x1d00ffff, 0x1b0404cb}
				versions := []int32{1, 2, 3, 4, 0x20000000}
				for _, ts := range times {
					for _, b := range bits {
						for _, v := range versions {
							h := &wire.BlockHeader{Version: v, PrevBlock: parent.hash, Timestamp: time.Unix(ts, 0), Bits: b}
							got := c.checkContext(h, parent, &past)
							want := blockchain.CheckBlockHeaderContext(h, parent, blockchain.BFNone, c.ctx, true)
							if fmt.Sprint(got) != fmt.Sprint(want) || ruleCode(got) != ruleCode(want) {
								t.Fatalf("height %d, time %d, bits %08x, version %d: got %v; btcd says %v",
									height, ts, b, v, got, want)
							}
							if got != nil {
								failures++
							}
						}
					}
				}
				// Continue the chain with a header btcd accepts, some older than
				// their parent.
				next := wire.BlockHeader{Version: 0x20000000, PrevBlock: parent.hash, Timestamp: time.Unix(parent.Timestamp()+int64(rng.IntN(1800))-300, 0)}
				if !next.Timestamp.After(time.Unix(median, 0)) {
					next.Timestamp = time.Unix(median+1, 0)
				}
				next.Bits = expectedBits(t, c, parent, next.Timestamp.Unix())
				if err := blockchain.CheckBlockHeaderContext(&next, parent, blockchain.BFNone, c.ctx, true); err != nil {
					t.Fatalf("height %d: no header to continue with: %v", height, err)
				}
				n := &hnode{hdr: next, hash: next.BlockHash(), height: height, work: new(big.Int), parent: parent, chain: c}
				// A window rebuilt at a message's first header and then
				// carried along, as the sync does from message to message.
				fresh := newPastTimes(parent)
				fresh.push(next.Timestamp.Unix())
				if want := blockchain.CalcPastMedianTime(n); !fresh.median().Equal(want) {
					t.Fatalf("height %d: window rebuilt at the parent and pushed gives %v; btcd %v", height, fresh.median(), want)
				}
				parent = n
				past.push(next.Timestamp.Unix())
			}
			if failures == 0 {
				t.Fatal("no header failed: the test checks nothing")
			}
		})
	}
}

// expectedBits returns the difficulty btcd expects after parent, read from
// its error for a header of other bits with timestamp ts.
func expectedBits(t *testing.T, c *headerChain, parent *hnode, ts int64) uint32 {
	t.Helper()
	h := &wire.BlockHeader{Version: 0x20000000, Timestamp: time.Unix(ts, 0), Bits: 1}
	err := blockchain.CheckBlockHeaderContext(h, parent, blockchain.BFNone, c.ctx, true)
	var got, want uint32
	if err == nil || ruleCode(err) != blockchain.ErrUnexpectedDifficulty {
		t.Fatalf("bits 1 after height %d: %v", parent.height, err)
	}
	if _, err := fmt.Sscanf(err.Error(), "block difficulty of %d is not the expected value of %d", &got, &want); err != nil {
		t.Fatal(err)
	}
	return want
}

func ruleCode(err error) blockchain.ErrorCode {
	if re, ok := err.(blockchain.RuleError); ok {
		return re.ErrorCode
	}
	return -1
}

// TestPastTimesNoAlloc: the median-time window costs no allocation a header.
func TestPastTimesNoAlloc(t *testing.T) {
	var p pastTimes
	ts := int64(1_700_000_000)
	if n := testing.AllocsPerRun(100, func() {
		ts += 7
		p.push(ts % 1000)
		_ = p.median()
	}); n != 0 {
		t.Fatalf("%v allocations a header", n)
	}
}
