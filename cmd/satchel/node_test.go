package main

import (
	"strings"
	"testing"

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
		Banned    bool    `json:"banned"`
	}
	c.jsonOut(&peers, "peers")
	if len(peers) != 1 || peers[0].Addr != btcd.P2PAddr() || !strings.Contains(peers[0].UserAgent, "btcd") ||
		!strings.Contains(peers[0].Services, "network") || peers[0].Height != height || peers[0].PingMS <= 0 || peers[0].Banned {
		t.Fatalf("peers --json: %+v", peers)
	}

	var status struct {
		Height int32  `json:"height"`
		Hash   string `json:"hash"`
		Peers  int    `json:"peers"`
	}
	c.jsonOut(&status, "node", "status")
	if status.Height != height || status.Hash != best.String() || status.Peers != 1 {
		t.Fatalf("node status: %+v", status)
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
	c.fails("no peer could be reached", "--network", "regtest", "--connect", "127.0.0.1:1", "sync", "--peer-timeout", "1s")
}
