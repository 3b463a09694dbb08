package lightnode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// mainnetHeaders reads the headers of real mainnet blocks 0–14131 that
// btcd's module ships in bootstrap format (magic, length, block).
func mainnetHeaders(t testing.TB) []*wire.BlockHeader {
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
	var hdrs []*wire.BlockHeader
	r := bytes.NewReader(data)
	for {
		var frame [8]byte
		if _, err := io.ReadFull(r, frame[:]); err != nil {
			break
		}
		if wire.BitcoinNet(binary.LittleEndian.Uint32(frame[:4])) != wire.MainNet {
			break // zero padding at the end of the file
		}
		size := int64(binary.LittleEndian.Uint32(frame[4:]))
		var h wire.BlockHeader
		if err := h.Deserialize(r); err != nil {
			t.Fatal(err)
		}
		hdrs = append(hdrs, &h)
		r.Seek(size-80, io.SeekCurrent)
	}
	if len(hdrs) != 14132 {
		t.Fatalf("read %d headers; want 14132", len(hdrs))
	}
	return hdrs
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
