package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/satchelbtc/satchel/internal/regtest"
)

func TestNodeCommands(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(120)
	best, height := btcd.BestBlock()

	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()

	var synced struct {
		Height int32  `json:"height"`
		Hash   string `json:"hash"`
	}
	c.jsonOut(&synced, "sync")
	if synced.Height != height || synced.Hash != best.String() {
		t.Fatalf("sync --json %+v; btcd is at %d %s", synced, height, best)
	}

	// header by height and by hash, from the local chain only.
	var hdr struct {
		Hash       string `json:"hash"`
		Height     int32  `json:"height"`
		PrevHash   string `json:"prev_hash"`
		MerkleRoot string `json:"merkle_root"`
		Time       int64  `json:"time"`
		Bits       string `json:"bits"`
		Nonce      uint32 `json:"nonce"`
	}
	c.jsonOut(&hdr, "--offline", "header", "100")
	want := btcd.Header(btcd.BlockHash(100))
	if hdr.Hash != btcd.BlockHash(100).String() || hdr.Height != 100 || hdr.PrevHash != want.PrevBlock.String() ||
		hdr.MerkleRoot != want.MerkleRoot.String() || hdr.Time != want.Timestamp.Unix() || hdr.Nonce != want.Nonce ||
		hdr.Bits != "207fffff" {
		t.Fatalf("header 100: %+v; btcd says %+v", hdr, want)
	}
	var byHash struct {
		Height int32 `json:"height"`
	}
	c.jsonOut(&byHash, "--offline", "header", hdr.Hash)
	if byHash.Height != 100 {
		t.Fatalf("header by hash gave height %d", byHash.Height)
	}
	c.fails("no header at height 500", "--offline", "header", "500")
	c.fails("neither a block height", "--offline", "header", "tip")
	c.fails("not in the local best chain", "--offline", "header", strings.Repeat("ab", 32))

	var peers []struct {
		Addr      string  `json:"addr"`
		UserAgent string  `json:"user_agent"`
		Services  string  `json:"services"`
		Height    int32   `json:"height"`
		PingMS    float64 `json:"ping_ms"`
		Transport string  `json:"transport"`
		Filters   bool    `json:"filters"`
		Banned    bool    `json:"banned"`
	}
	c.jsonOut(&peers, "peers")
	if len(peers) != 1 || peers[0].Addr != btcd.P2PAddr() || !strings.Contains(peers[0].UserAgent, "btcd") ||
		!strings.Contains(peers[0].Services, "network") || peers[0].Height != height || peers[0].PingMS <= 0 || peers[0].Banned ||
		peers[0].Transport != "v1" || !peers[0].Filters {
		t.Fatalf("peers --json: %+v", peers)
	}

	var status struct {
		Height      int32  `json:"height"`
		Hash        string `json:"hash"`
		Peers       int    `json:"peers"`
		FilterPeers int    `json:"filter_peers"`
		Warning     string `json:"warning"`
	}
	c.jsonOut(&status, "node", "status")
	if status.Height != height || status.Hash != best.String() || status.Peers != 1 || status.FilterPeers != 1 ||
		status.Warning != "filter headers not cross-checked (1 filter peer)" {
		t.Fatalf("node status: %+v", status)
	}
	if out := c.ok("node", "status"); !regexp.MustCompile(`Filter peers +1: filter headers not cross-checked \(1 filter peer\)`).MatchString(out) {
		t.Fatalf("node status:\n%s", out)
	}
	c.jsonOut(&status, "--offline", "node", "status")
	if status.Height != height || status.Peers != 0 {
		t.Fatalf("node status --offline: %+v", status)
	}

	c.fails("--offline", "--offline", "sync")
	delete(c.env, "SATCHEL_CONNECT")
	c.fails("--connect", "sync")
}

func TestSyncWithoutReachablePeer(t *testing.T) {
	c := newCLI(t)
	c.fails("no peer could be reached in 1s (last error: 127.0.0.1:1: connection refused): check --connect",
		"--network", "regtest", "--connect", "127.0.0.1:1", "sync", "--peer-timeout", "1s")
	c.fails("--proxy \"http://127.0.0.1:8080\": use socks5://HOST:PORT", "--network", "regtest",
		"--proxy", "http://127.0.0.1:8080", "--connect", "127.0.0.1:1", "sync")
	c.fails("--min-chain-work \"xyz\": give the chain work in hex", "--network", "regtest",
		"--min-chain-work", "xyz", "--connect", "127.0.0.1:1", "sync")
	for _, bad := range []string{"100", "0:" + strings.Repeat("ab", 32), "x:" + strings.Repeat("ab", 32), "100:abcd"} {
		c.fails(fmt.Sprintf("--add-checkpoint %q: give HEIGHT:HASH", bad), "--network", "regtest",
			"--add-checkpoint", bad, "--connect", "127.0.0.1:1", "sync")
	}
	c.fails("two checkpoints at height 100", "--network", "regtest", "--connect", "127.0.0.1:1",
		"--add-checkpoint", "100:"+strings.Repeat("ab", 32), "--add-checkpoint", "100:"+strings.Repeat("cd", 32), "sync")
}

// TestSyncWithCheckpoints syncs from two btcd nodes with --add-checkpoint:
// the headers between the checkpoints come from both, and the sync ends on
// btcd's tip with its filter headers.
func TestSyncWithCheckpoints(t *testing.T) {
	a := regtest.Start(t)
	b := regtest.Start(t)
	a.ConnectTo(b)
	a.Generate(5000)
	b.WaitForHeight(5000, 60*time.Second)
	want, _ := a.BestBlock()

	c := newCLI(t)
	args := []string{"--network", "regtest", "--connect", a.P2PAddr(), "--connect", b.P2PAddr()}
	for _, h := range []int32{2500, 3500, 4500} {
		args = append(args, "--add-checkpoint", fmt.Sprintf("%d:%s", h, a.BlockHash(h)))
	}
	var res struct {
		Height       int32  `json:"height"`
		Hash         string `json:"hash"`
		FilterHeight int32  `json:"filter_height"`
	}
	c.jsonOut(&res, append(args, "sync")...)
	if res.Height != 5000 || res.Hash != want.String() || res.FilterHeight != 5000 {
		t.Fatalf("sync ended at %+v; btcd is at 5000 %s", res, want)
	}
	log, err := os.ReadFile(filepath.Join(c.dataDir, "regtest", "satchel.log"))
	if err != nil || !strings.Contains(string(log), "header sync split at checkpoints; idle peers fetch the ranges") {
		t.Fatalf("the log does not show the ranges fetched from several peers (%v):\n%s", err, log)
	}
}

// block, tx and broadcast against a btcd with a block of payments.
func TestChainCommands(t *testing.T) {
	btcd := regtest.Start(t, regtest.WithArgs("--trickleinterval=100ms"))
	btcd.Generate(110)
	paid := btcd.Payment(btcd.CoinbaseCoin(1), 3, nil)
	btcd.SendRaw(paid)
	blockHash := btcd.Generate(1)[0]
	btcd.Generate(2)
	_, tip := btcd.BestBlock()

	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.env["SATCHEL_CONNECT"] = btcd.P2PAddr()

	var synced struct {
		Height       int32 `json:"height"`
		FilterHeight int32 `json:"filter_height"`
	}
	c.jsonOut(&synced, "sync")
	if synced.Height != tip || synced.FilterHeight != tip {
		t.Fatalf("sync --json %+v; want height and filter_height %d", synced, tip)
	}
	var hdr struct {
		FilterHeader string `json:"filter_header"`
	}
	c.jsonOut(&hdr, "--offline", "header", "111")
	raw, err := btcd.Call("getcfilterheader", blockHash.String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Trim(string(raw), `"`); hdr.FilterHeader != want {
		t.Fatalf("filter_header %q; btcd says %s", hdr.FilterHeader, want)
	}

	var block struct {
		Hash       string   `json:"hash"`
		Height     int32    `json:"height"`
		MerkleRoot string   `json:"merkle_root"`
		TxCount    int      `json:"tx_count"`
		Txids      []string `json:"txids"`
	}
	c.jsonOut(&block, "block", "111")
	if block.Hash != blockHash.String() || block.TxCount != 2 || len(block.Txids) != 2 || block.Txids[1] != paid.TxHash().String() {
		t.Fatalf("block --json %+v", block)
	}

	var tx struct {
		Txid      string `json:"txid"`
		BlockHash string `json:"block_hash"`
		Inputs    []struct {
			Txid string `json:"txid"`
			Vout uint32 `json:"vout"`
		} `json:"inputs"`
		Outputs []struct {
			Value   int64  `json:"value"`
			Address string `json:"address"`
			Script  string `json:"script"`
		} `json:"outputs"`
	}
	// The block is cached by `block`, so `tx` finds it there.
	c.jsonOut(&tx, "tx", paid.TxHash().String())
	if tx.Txid != paid.TxHash().String() || tx.BlockHash != blockHash.String() || len(tx.Inputs) != 1 ||
		tx.Inputs[0].Txid != paid.TxIn[0].PreviousOutPoint.Hash.String() || len(tx.Outputs) != 3 ||
		tx.Outputs[0].Value != paid.TxOut[0].Value || !strings.HasPrefix(tx.Outputs[0].Address, "bcrt1q") {
		t.Fatalf("tx --json %+v", tx)
	}

	// broadcast, then find it unconfirmed.
	fresh := btcd.Payment(btcd.CoinbaseCoin(2), 2, nil)
	var bc struct {
		Txid     string   `json:"txid"`
		Accepted []string `json:"accepted"`
	}
	c.jsonOut(&bc, "broadcast", regtest.TxHex(fresh))
	if bc.Txid != fresh.TxHash().String() || len(bc.Accepted) != 1 || !btcd.InMempool(fresh.TxHash()) {
		t.Fatalf("broadcast --json %+v", bc)
	}
	out := c.ok("tx", fresh.TxHash().String())
	if !strings.Contains(out, "unconfirmed") {
		t.Fatalf("tx of a mempool transaction: %q", out)
	}
	// The same coin again is refused, saying what to do.
	c.fails("an input is already spent by another unconfirmed transaction", "broadcast", regtest.TxHex(btcd.Payment(btcd.CoinbaseCoin(2), 3, nil)))
	c.fails("not a valid transaction", "broadcast", "deadbeef")
	c.fails("neither a readable file nor transaction hex", "broadcast", "/no/such/file")
	c.fails("not a transaction id", "tx", "1234")
	c.fails("no header at height 999", "block", "999")
}
