package lightnode

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/verify"
)

// mainnetHeaders reads the headers of real mainnet blocks 0–14131 that
// btcd's module ships in bootstrap format (magic, length, block).
func mainnetHeaders(t testing.TB) []*wire.BlockHeader {
	t.Helper()
	blocks := mainnetBlocks(t)
	hdrs := make([]*wire.BlockHeader, len(blocks))
	for i, b := range blocks {
		hdrs[i] = &b.Header
	}
	return hdrs
}

// mainnetBlocks reads the real mainnet blocks 0–14131.
func mainnetBlocks(t testing.TB) []*wire.MsgBlock {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/btcsuite/btcd").Output()
	if err != nil {
		t.Fatalf("locating the btcd module: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "blockchain", "testdata", "blk_0_to_14131.dat")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []*wire.MsgBlock
	r := bytes.NewReader(data)
	for {
		var frame [8]byte
		if _, err := io.ReadFull(r, frame[:]); err != nil {
			break
		}
		if wire.BitcoinNet(binary.LittleEndian.Uint32(frame[:4])) != wire.MainNet {
			break // zero padding at the end of the file
		}
		var b wire.MsgBlock
		if err := b.Deserialize(io.LimitReader(r, int64(binary.LittleEndian.Uint32(frame[4:])))); err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, &b)
	}
	if len(blocks) != 14132 {
		t.Fatalf("read %d blocks; want 14132", len(blocks))
	}
	return blocks
}

// The real mainnet headers validate from genesis under mainnet rules,
// pass the checkpoint at 11,111, and — the chain being far below the
// minimum chain work — are persisted only up to that checkpoint.
func TestMainnetHeaders(t *testing.T) {
	p := &chaincfg.MainNetParams
	hdrs := mainnetHeaders(t)
	if hdrs[0].BlockHash() != *p.GenesisHash {
		t.Fatal("the first block is not mainnet's genesis")
	}
	c, st := newTestChain(t, p)
	for i := 1; i < len(hdrs); i += wire.MaxBlockHeadersPerMsg {
		end := min(i+wire.MaxBlockHeadersPerMsg, len(hdrs))
		if _, err := c.process(hdrs[i:end]); err != nil {
			t.Fatalf("headers %d..%d: %v", i, end-1, err)
		}
	}
	if tip := c.tip(); tip.height != 14131 || tip.hash != hdrs[14131].BlockHash() {
		t.Fatalf("tip %d %s", tip.height, tip.hash)
	}
	if got := st.Tip(); got.Height != 11111 || got.Hash.String() != "0000000069e244f73d78e8fd29ba2fd2ed618bd6fa2ee92559f542fdb26e7c1d" {
		t.Fatalf("persisted tip %d %s; want the checkpoint at 11111", got.Height, got.Hash)
	}

	// A copy of the chain with one header changed fails at that header.
	t.Run("tampered", func(t *testing.T) {
		c, _ := newTestChain(t, p)
		bad := *hdrs[5000]
		bad.Nonce++
		tampered := append(append([]*wire.BlockHeader{}, hdrs[1:5000]...), &bad)
		_, err := c.process(tampered)
		var re blockchain.RuleError
		if !errors.As(err, &re) || re.ErrorCode != blockchain.ErrHighHash {
			t.Fatalf("got %v; want a proof-of-work failure", err)
		}
	})
}

// The basic filters of real mainnet blocks 0–14131, built from the blocks
// and the scripts their inputs spend, chain from the published genesis
// filter header; our filter and header code agrees with btcd's builder at
// every height, and every filter passes our block check.
func TestMainnetFilters(t *testing.T) {
	blocks := mainnetBlocks(t)
	scripts := map[wire.OutPoint][]byte{}
	var prevOurs, prevBtcd chainhash.Hash
	for height, b := range blocks {
		var spent [][]byte
		for i, tx := range b.Transactions {
			// Transactions may spend outputs of earlier ones in the block.
			for _, in := range tx.TxIn {
				if i == 0 {
					break
				}
				s, ok := scripts[in.PreviousOutPoint]
				if !ok {
					t.Fatalf("height %d spends unknown output %v", height, in.PreviousOutPoint)
				}
				spent = append(spent, s)
			}
			id := tx.TxHash()
			for i, out := range tx.TxOut {
				scripts[wire.OutPoint{Hash: id, Index: uint32(i)}] = out.PkScript
			}
		}

		theirs, err := builder.BuildBasicFilter(b, spent)
		if err != nil {
			t.Fatal(err)
		}
		theirBytes, _ := theirs.NBytes()
		if prevBtcd, err = builder.MakeHeaderForFilter(theirs, prevBtcd); err != nil {
			t.Fatal(err)
		}
		ours, err := verify.BuildBasicFilter(b, spent)
		if err != nil {
			t.Fatal(err)
		}
		prevOurs = verify.FilterHeader(ours, &prevOurs)
		if !bytes.Equal(ours, theirBytes) || prevOurs != prevBtcd {
			t.Fatalf("height %d: our filter or header differs from btcd's builder", height)
		}
		if err := verify.BasicFilter(ours, b); err != nil {
			t.Fatalf("height %d: our check rejects the true filter: %v", height, err)
		}
		if height == 0 {
			if hex.EncodeToString(ours) != "017fa880" ||
				hex.EncodeToString(prevOurs[:]) != "9f3c30f0c37fb977cf3e1a3173c631e8ff119ad3088b6f5b2bced0802139c202" {
				t.Fatalf("genesis filter %x, header %s", ours, prevOurs)
			}
		}
	}
}
