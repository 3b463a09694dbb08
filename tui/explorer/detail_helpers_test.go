package explorer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// block546Hash is mainnet block 546, the first block with four
// transactions. testdata/block546.dat holds its raw bytes, taken from
// btcd's blockchain/testdata/blk_0_to_14131.dat (the 547th block of that
// bootstrap file).
const (
	block546Hash   = "000000005a4ded781e667e06ceefafb71410b511fe0d5adc3e5a27ecbec34ae6"
	block546Height = 546
)

// loadBlock546 reads mainnet block 546 and checks that it is the block.
func loadBlock546(t testing.TB) *wire.MsgBlock {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "block546.dat"))
	if err != nil {
		t.Fatal(err)
	}
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if got := b.BlockHash().String(); got != block546Hash {
		t.Fatalf("testdata/block546.dat is block %s, want %s", got, block546Hash)
	}
	return &b
}

// fakeBlockSource serves blocks by hash and headers by height and counts
// its reads.
type fakeBlockSource struct {
	blocks      map[chainhash.Hash]*wire.MsgBlock
	headers     map[int32]*wire.BlockHeader
	blockErr    error
	headerErr   error
	blockCalls  int
	headerCalls int
}

// newFakeBlockSource serves each block at the given heights.
func newFakeBlockSource(blocks map[int32]*wire.MsgBlock) *fakeBlockSource {
	f := &fakeBlockSource{blocks: map[chainhash.Hash]*wire.MsgBlock{}, headers: map[int32]*wire.BlockHeader{}}
	for h, b := range blocks {
		f.blocks[b.BlockHash()] = b
		hdr := b.Header
		f.headers[h] = &hdr
	}
	return f
}

func (f *fakeBlockSource) Block(_ context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	f.blockCalls++
	if f.blockErr != nil {
		return nil, f.blockErr
	}
	b, ok := f.blocks[hash]
	if !ok {
		return nil, errors.New("the block is not in the verified header chain")
	}
	return b, nil
}

func (f *fakeBlockSource) Header(height int32) (*wire.BlockHeader, error) {
	f.headerCalls++
	if f.headerErr != nil {
		return nil, f.headerErr
	}
	h, ok := f.headers[height]
	if !ok {
		return nil, errors.New("no header at that height")
	}
	return h, nil
}

// runDetail executes cmd as the Bubble Tea runtime would: batches are run
// one by one, the page's own results go back into its Update, and every
// other message is returned.
func runDetail(t testing.TB, m tea.Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100 {
			t.Fatal("page keeps issuing commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case blockHeaderMsg, blockLoadedMsg, blockMovedMsg, txInfoMsg, txLookupMsg,
			replaceOptionsMsg, replacePlanMsg, replaceSentMsg, replaceExportedMsg:
			_, next := m.Update(msg)
			queue = append(queue, next)
		default:
			out = append(out, msg)
		}
	}
	return out
}

// press sends a key to a page and runs what it returns.
func press(t testing.TB, m tea.Model, k string) []tea.Msg {
	t.Helper()
	_, cmd := m.Update(detailKey(k))
	return runDetail(t, m, cmd)
}

func detailKey(s string) tea.KeyPressMsg {
	switch s {
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	}
	return keyMsg(s)
}

// synthBlock builds a valid block (merkle root and all) of n transactions:
// a coinbase and n-1 spends of made-up outpoints.
func synthBlock(n int) *wire.MsgBlock {
	b := &wire.MsgBlock{Header: wire.BlockHeader{
		Version:   0x20000000,
		Timestamp: time.Date(2023, 7, 1, 12, 0, 0, 0, time.UTC),
		Bits:      0x17053894,
		Nonce:     42,
	}}
	for i := range n {
		tx := wire.NewMsgTx(2)
		prev := wire.OutPoint{Index: uint32(i)}
		prev.Hash[0], prev.Hash[1] = byte(i), byte(i>>8)
		if i == 0 {
			prev = wire.OutPoint{Index: wire.MaxPrevOutIndex}
		}
		tx.AddTxIn(wire.NewTxIn(&prev, []byte{0x51, byte(i), byte(i >> 8)}, nil))
		tx.AddTxOut(wire.NewTxOut(int64(i)*1000+546, []byte{0x51}))
		b.Transactions = append(b.Transactions, tx)
	}
	b.Header.MerkleRoot = testMerkleRoot(b.Transactions)
	return b
}

// testMerkleRoot is the textbook merkle root of the txids, duplicating
// the last hash of an odd level.
func testMerkleRoot(txs []*wire.MsgTx) chainhash.Hash {
	level := make([]chainhash.Hash, len(txs))
	for i, tx := range txs {
		level[i] = tx.TxHash()
	}
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := make([]chainhash.Hash, len(level)/2)
		for i := range next {
			var buf [64]byte
			copy(buf[:32], level[2*i][:])
			copy(buf[32:], level[2*i+1][:])
			next[i] = chainhash.DoubleHashH(buf[:])
		}
		level = next
	}
	return level[0]
}
