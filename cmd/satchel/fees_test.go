package main

import (
	"strings"
	"testing"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/lightnode/fees"
)

// TestFeesCommand runs `satchel fees` against btcd after a block with one
// payment paying 10,000 sat: the fees and rate of that block come from its
// coinbase, to the satoshi, and the suggestions say where they come from.
func TestFeesCommand(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(160)
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 1, nil)
	btcd.SendRaw(pay)
	btcd.Generate(1)

	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()

	var got feesJSON
	c.jsonOut(&got, "fees")
	if len(got.Blocks) != fees.DefaultBlocks || got.Blocks[0].Height != 161 || got.Blocks[5].Height != 156 {
		t.Fatalf("fees --json blocks: %+v", got.Blocks)
	}
	b := got.Blocks[0]
	vsize := float64(fees.TxWeight(pay)) / 4
	if b.TxCount != 2 || b.Fees != 10_000 || b.Subsidy != 25_0000_0000 || b.FeeRate == nil || *b.FeeRate != 10_000/vsize {
		t.Errorf("block 161: %+v (payment %v vB)", b, vsize)
	}
	if b.Hash != btcd.BlockHash(161).String() || b.Fullness != float64(b.Weight)/4_000_000 {
		t.Errorf("block 161: hash %s, fullness %v of weight %d", b.Hash, b.Fullness, b.Weight)
	}
	if e := got.Blocks[1]; e.TxCount != 1 || e.Fees != 0 || e.FeeRate != nil {
		t.Errorf("block 160 (coinbase only): %+v", e)
	}
	// btcd sends no feefilter, so the floor is the default relay fee.
	if got.RelayFloor != 0 || got.Low.FeeRate != 1 || !strings.Contains(got.Low.Source, "no peer sent a feefilter") {
		t.Errorf("low: %+v, floor %v", got.Low, got.RelayFloor)
	}
	// One block of six paid fees: it is both the median and the highest.
	want := float64(int(10_000/vsize*10)+1) / 10
	if got.Medium.FeeRate != want || got.High.FeeRate != want || !strings.Contains(got.High.Source, "block 161") ||
		!strings.Contains(got.Medium.Source, "the 1 block with transactions") {
		t.Errorf("medium %+v high %+v, want %v", got.Medium, got.High, want)
	}
	if !strings.Contains(got.Note, "cannot see the mempool") {
		t.Errorf("note: %q", got.Note)
	}

	out := c.ok("fees", "--blocks", "2")
	for _, s := range []string{"low", "1 sat/vB", "medium", "high", "161", "10,000 sat", "160", "No peer sent a feefilter",
		"A light client cannot see the mempool's fee market"} {
		if !strings.Contains(out, s) {
			t.Errorf("fees output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "159") {
		t.Errorf("--blocks 2 shows block 159:\n%s", out)
	}
	c.fails("give 1 to 144 blocks", "fees", "--blocks", "0")
}
