package main

import (
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
)

type balanceOut struct {
	Confirmed   int64 `json:"confirmed"`
	Unconfirmed int64 `json:"unconfirmed"`
	Immature    int64 `json:"immature"`
	Total       int64 `json:"total"`
}

type historyOut struct {
	Txid   string `json:"txid"`
	Height int32  `json:"height"`
	Amount int64  `json:"amount"`
	Fee    *int64 `json:"fee"`
}

// restoreAbandon makes the "abandon … about" wallet on regtest.
func restoreAbandon(t *testing.T, c *cli) {
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.ok("wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic), "--birthday", "1")
}

// walletAddr returns the wallet's receive address at index.
func walletAddr(t *testing.T, c *cli, index int) string {
	var list []addrEntry
	c.jsonOut(&list, "address", "list", "--count", "30")
	return list[index].Address
}

func scriptOf(t *testing.T, addr string) []byte {
	a, err := address.DecodeAddress(addr, &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := txscript.PayToAddrScript(a)
	return s
}

func TestWalletSeesCoinbaseMaturity(t *testing.T) {
	c := newCLI(t)
	restoreAbandon(t, c)
	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, c, 0)))
	btcd.Generate(101)
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	c.ok("sync")

	var bal balanceOut
	c.jsonOut(&bal, "balance")
	// At height 101 the coinbases of blocks 1 and 2 have 100 confirmations.
	const coin = 50_0000_0000
	if bal.Confirmed != 2*coin || bal.Immature != 99*coin || bal.Unconfirmed != 0 || bal.Total != 101*coin {
		t.Fatalf("balance %+v", bal)
	}
	var hist []historyOut
	c.jsonOut(&hist, "history")
	if len(hist) != 101 || hist[0].Height != 101 || hist[0].Amount != coin || hist[0].Fee != nil {
		t.Fatalf("history: %d entries, newest %+v", len(hist), hist[0])
	}
	// Ten more blocks mature ten more coinbases.
	btcd.Generate(10)
	c.ok("sync")
	c.jsonOut(&bal, "balance")
	if bal.Confirmed != 12*coin || bal.Immature != 99*coin {
		t.Fatalf("balance after 10 blocks %+v", bal)
	}
}

func TestWalletScanFollowsGapAndReorg(t *testing.T) {
	a := regtest.Start(t)
	b := regtest.Start(t)
	a.ConnectTo(b)
	a.Generate(110)
	b.WaitForHeight(110, 30*time.Second)

	c := newCLI(t)
	restoreAbandon(t, c)
	c.env["SATCHEL_CONNECT"] = a.P2PAddr()

	// Index 5, then index 24: only visible once the window grows past 5.
	p1 := a.Payment(a.CoinbaseCoin(1), 1, scriptOf(t, walletAddr(t, c, 5)))
	a.SendRaw(p1)
	a.Generate(1)
	p2 := a.Payment(a.CoinbaseCoin(2), 1, scriptOf(t, walletAddr(t, c, 24)))
	a.SendRaw(p2)
	a.Generate(1)
	b.WaitForHeight(112, 30*time.Second)
	c.ok("sync")
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	want := p1.TxOut[0].Value + p2.TxOut[0].Value
	if bal.Confirmed != want || bal.Total != want {
		t.Fatalf("balance %+v; want %d confirmed", bal, want)
	}
	var listed []addrEntry
	c.jsonOut(&listed, "address", "list", "--count", "26")
	for i, e := range listed {
		if want := i == 5 || i == 24; *e.Used != want {
			t.Fatalf("address %d used=%v; want %v", i, *e.Used, want)
		}
	}
	var next addrEntry
	c.jsonOut(&next, "address", "new")
	if next.Index != 25 {
		t.Fatalf("address new gave index %d after index 24 was paid; want 25", next.Index)
	}

	// A payment mined only on a, which then loses to b's longer branch.
	a.DisconnectFrom(b)
	p3 := a.Payment(a.CoinbaseCoin(3), 1, scriptOf(t, walletAddr(t, c, 2)))
	a.SendRaw(p3)
	a.Generate(1)
	c.ok("sync")
	c.jsonOut(&bal, "balance")
	if bal.Total != want+p3.TxOut[0].Value {
		t.Fatalf("balance with the payment on a's branch %+v", bal)
	}
	// b's branch spends the same coin elsewhere, so the payment cannot
	// come back from the mempool either.
	b.SendRaw(a.Payment(a.CoinbaseCoin(3), 2, nil))
	b.Generate(3)
	a.ConnectTo(b)
	_, bh := b.BestBlock()
	a.WaitForHeight(bh, 30*time.Second)
	if best, _ := a.BestBlock(); best != b.BlockHash(bh) {
		t.Fatal("a did not reorganize to b's chain")
	}
	var synced struct {
		Wallet struct {
			Removed int `json:"txs_removed"`
		} `json:"wallet"`
	}
	c.jsonOut(&synced, "sync")
	c.jsonOut(&bal, "balance")
	// The payment leaves the confirmed state exactly. (btcd may put it back
	// in its mempool even though b's branch double-spends its input; a
	// light client cannot see that input, so it would then show as
	// unconfirmed, as the peer reports.)
	if bal.Confirmed != want || synced.Wallet.Removed != 1 {
		t.Fatalf("after the reorg: balance %+v, removed %d; want %d confirmed and 1 removed", bal, synced.Wallet.Removed, want)
	}
	var hist []historyOut
	c.jsonOut(&hist, "history")
	for _, h := range hist {
		if h.Txid == p3.TxHash().String() && h.Height != 0 {
			t.Fatalf("the orphaned payment is still confirmed at height %d", h.Height)
		}
	}
}

// A payment waiting in the peer's mempool before sync connects is not
// asked for by default: no wallet script goes to the peer (a relay between
// satchel and btcd records every message satchel sends). With
// --bip37-mempool, the privacy trade-off, sync loads a bloom filter, asks
// for the mempool and shows the payment; once mined, every sync shows it.
func TestUnconfirmedIncomingPayment(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	c := newCLI(t)
	restoreAbandon(t, c)
	relay := startRecordingRelay(t, btcd.P2PAddr())
	c.env["SATCHEL_CONNECT"] = relay.addr()
	c.env["SATCHEL_V2TRANSPORT"] = "false" // plaintext, so the relay can read it
	pay := btcd.Payment(btcd.CoinbaseCoin(1), 1, scriptOf(t, walletAddr(t, c, 3)))
	btcd.SendRaw(pay)

	c.ok("sync")
	var bal balanceOut
	c.jsonOut(&bal, "balance")
	if bal.Unconfirmed != 0 || bal.Confirmed != 0 {
		t.Fatalf("by default: %+v; the payment was in the mempool before sync connected", bal)
	}
	for _, cmd := range []string{wire.CmdFilterLoad, wire.CmdFilterAdd, wire.CmdMemPool} {
		if relay.sent(cmd) > 0 {
			t.Fatalf("by default satchel sent %q to the peer (commands %v)", cmd, relay.commands())
		}
	}
	if relay.sent(wire.CmdGetCFilters) == 0 {
		t.Fatalf("the wallet scan fetched no filters through the relay (commands %v)", relay.commands())
	}

	c.ok("--bip37-mempool", "sync")
	if relay.sent(wire.CmdFilterLoad) != 1 || relay.sent(wire.CmdMemPool) != 1 {
		t.Fatalf("--bip37-mempool sent filterload %d, mempool %d times", relay.sent(wire.CmdFilterLoad), relay.sent(wire.CmdMemPool))
	}
	c.jsonOut(&bal, "balance")
	if bal.Unconfirmed != pay.TxOut[0].Value || bal.Confirmed != 0 {
		t.Fatalf("with --bip37-mempool: %+v", bal)
	}
	var hist []historyOut
	c.jsonOut(&hist, "history")
	if len(hist) != 1 || hist[0].Height != 0 || hist[0].Amount != pay.TxOut[0].Value {
		t.Fatalf("history %+v", hist)
	}
	btcd.Generate(1)
	c.ok("sync")
	c.jsonOut(&bal, "balance")
	if bal.Unconfirmed != 0 || bal.Confirmed != pay.TxOut[0].Value {
		t.Fatalf("after mining: %+v", bal)
	}
}
