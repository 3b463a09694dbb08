package regtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

const (
	// blockVersion is what BuildChain puts in headers: BIP9 version bits
	// with no deployment signalled, like a modern miner.
	blockVersion = 0x20000000

	// submitBatch is how many blocks go into one batched submitblock
	// request. btcd handles a batch's entries in order, one after another,
	// so a batch keeps the strict ordering dependent blocks need while
	// saving a connection and a round trip per block.
	submitBatch = 500

	// maxTimeAhead is how far past the clock btcd accepts a block's time.
	maxTimeAhead = 2 * time.Hour
)

// BuildChain appends count blocks to btcd's best chain, building and solving
// them here and handing them to btcd with submitblock. Block times are one
// second apart and end at the current time, so that the node serves headers
// to a syncing light node (btcd ignores getheaders while its tip is over a
// day old); when the tip is already newer than that allows, the new blocks
// follow one second after it. Each block holds one coinbase that pays the
// regtest subsidy to MiningAddress and carries its height (BIP34).
//
// Blocks reach btcd strictly in order, about 4,000-5,000 a second on two
// cores (100,000 in 20-25 s). BuildChain fails the test if btcd rejects a block or if its tip
// is not the last block built when it is done (for instance because a
// connected peer's longer chain won meanwhile).
func (n *Node) BuildChain(count int) {
	n.tb.Helper()
	if count < 0 {
		n.tb.Fatalf("regtest: BuildChain(%d): negative count", count)
	}
	if count == 0 {
		return
	}
	if err := n.buildChain(n.ctx, count); err != nil {
		n.tb.Fatalf("regtest: %s: BuildChain(%d): %v", n.p2pAddr, count, err)
	}
}

// chainTip is what building on btcd's best block needs to know about it.
type chainTip struct {
	hash       chainhash.Hash
	height     int32
	time       int64 // block timestamp, Unix seconds
	medianTime int64 // median time past, Unix seconds
}

// tip asks btcd for its best block.
func (n *node) tip(ctx context.Context) (chainTip, error) {
	raw, err := n.rpc.call(ctx, "getblockchaininfo")
	if err != nil {
		return chainTip{}, err
	}
	var info struct {
		BestBlockHash string `json:"bestblockhash"`
		MedianTime    int64  `json:"mediantime"`
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return chainTip{}, fmt.Errorf("decode getblockchaininfo: %w", err)
	}
	raw, err = n.rpc.call(ctx, "getblockheader", info.BestBlockHash, true)
	if err != nil {
		return chainTip{}, err
	}
	var hdr struct {
		Height int32 `json:"height"`
		Time   int64 `json:"time"`
	}
	if err := json.Unmarshal(raw, &hdr); err != nil {
		return chainTip{}, fmt.Errorf("decode getblockheader: %w", err)
	}
	hash, err := chainhash.NewHashFromStr(info.BestBlockHash)
	if err != nil {
		return chainTip{}, err
	}
	return chainTip{hash: *hash, height: hdr.Height, time: hdr.Time,
		medianTime: info.MedianTime}, nil
}

// submission is one batched submitblock request.
type submission struct {
	body   []byte
	first  int32 // height of the first block in the batch
	blocks int
	err    error // building the batch failed; nothing to submit
}

func (n *node) buildChain(ctx context.Context, count int) error {
	return buildChainOn(ctx, []*node{n}, count, nil)
}

// maxSubmitBytes bounds the blocks of one batched submitblock request, for
// chains of large blocks.
const maxSubmitBytes = 8 << 20

// buildChainOn builds count blocks on the tip of nodes[0] as BuildChain
// does and submits each batch to every node, so that all of them end up
// with the same chain; extra, when set, gives additional coinbase output
// scripts for the block at a height. The nodes must all have the same tip.
func buildChainOn(ctx context.Context, nodes []*node, count int, extra func(height int32) [][]byte) error {
	n := nodes[0]
	tip, err := n.tip(ctx)
	if err != nil {
		return err
	}
	b, err := newBlockBuilder(tip, count, time.Now(), n.miningScript)
	if err != nil {
		return err
	}
	b.extra = extra

	// Blocks are built and encoded on one goroutine while the previous
	// batch is in btcd's hands.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan submission, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		defer close(batches)
		for left := count; left > 0; {
			s := b.batch(min(left, submitBatch))
			left -= s.blocks
			select {
			case batches <- s:
			case <-ctx.Done():
				return
			}
			if s.err != nil {
				return
			}
		}
	})
	for s := range batches {
		err := s.err
		if err == nil {
			errs := make([]error, len(nodes))
			var sub sync.WaitGroup
			for i, m := range nodes {
				sub.Go(func() { errs[i] = m.submit(ctx, s) })
			}
			sub.Wait()
			err = errors.Join(errs...)
		}
		if err != nil {
			cancel()
			return err
		}
	}

	for _, m := range nodes {
		best, err := m.rpc.call(ctx, "getbestblockhash")
		if err != nil {
			return err
		}
		var bestHex string
		if err := json.Unmarshal(best, &bestHex); err != nil {
			return err
		}
		if want := b.prev.String(); bestHex != want {
			return fmt.Errorf("btcd %s's tip is %s, not the last block built (%s at height %d); "+
				"did a connected peer's chain win?", m.p2pAddr, bestHex, want, b.height-1)
		}
	}
	return nil
}

// submit posts one batch and checks that btcd accepted every block.
func (n *node) submit(ctx context.Context, s submission) error {
	raw, err := n.rpc.post(ctx, s.body)
	if err != nil {
		return fmt.Errorf("submitblock of heights %d-%d: %w", s.first, s.first+int32(s.blocks)-1, err)
	}
	var replies []rpcResponse
	if err := json.Unmarshal(raw, &replies); err != nil {
		return fmt.Errorf("decode submitblock replies %.200q: %w", raw, err)
	}
	if len(replies) != s.blocks {
		return fmt.Errorf("submitblock of %d blocks got %d replies", s.blocks, len(replies))
	}
	for i, r := range replies {
		height := s.first + int32(i)
		if r.Error != nil {
			return fmt.Errorf("submitblock at height %d: %w", height, r.Error)
		}
		// btcd answers null for an accepted block and a string saying why
		// otherwise.
		if !bytes.Equal(r.Result, []byte("null")) && len(r.Result) != 0 {
			var why string
			if err := json.Unmarshal(r.Result, &why); err != nil {
				why = string(r.Result)
			}
			return fmt.Errorf("btcd refused the block at height %d: %s", height, why)
		}
	}
	return nil
}

// blockBuilder makes a chain of solved one-transaction blocks.
type blockBuilder struct {
	prev   chainhash.Hash // hash of the block to build on
	height int32          // height of the next block
	time   int64          // timestamp of the next block, Unix seconds
	script []byte         // coinbase output script
	tag    [8]byte        // random, so two runs never build the same block
	target *big.Int       // proof-of-work target of every block
	raw    bytes.Buffer   // scratch for one serialized block

	// extra, when set, returns more coinbase output scripts for the block
	// at a height; they carry no value.
	extra func(height int32) [][]byte
}

// newBlockBuilder prepares count blocks on tip that end at now, or follow
// the tip's time when it is newer. Timestamps must also exceed the tip's
// median time past or btcd rejects the first block.
func newBlockBuilder(tip chainTip, count int, now time.Time, script []byte) (*blockBuilder, error) {
	start := max(now.Unix()-int64(count)+1, tip.time+1, tip.medianTime+1)
	if ahead := time.Duration(start+int64(count)-1-now.Unix()) * time.Second; ahead > maxTimeAhead {
		return nil, fmt.Errorf("the tip (time %s) is ahead of the clock and %d more blocks "+
			"one second apart would end %v in the future; btcd refuses blocks over %v ahead",
			time.Unix(tip.time, 0).UTC().Format(time.DateTime), count, ahead, maxTimeAhead)
	}
	b := &blockBuilder{
		prev:   tip.hash,
		height: tip.height + 1,
		time:   start,
		script: script,
		target: blockchain.CompactToBig(params.PowLimitBits),
	}
	if _, err := rand.Read(b.tag[:]); err != nil {
		return nil, err
	}
	return b, nil
}

// next builds and solves the next block and moves the builder past it.
func (b *blockBuilder) next() (*wire.MsgBlock, error) {
	sigScript, err := txscript.NewScriptBuilder().
		AddInt64(int64(b.height)).
		AddData(b.tag[:]).
		Script()
	if err != nil {
		return nil, err
	}
	coinbase := wire.NewMsgTx(1)
	coinbase.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, wire.MaxPrevOutIndex),
		sigScript, nil))
	coinbase.AddTxOut(wire.NewTxOut(blockchain.CalcBlockSubsidy(b.height, params), b.script))
	if b.extra != nil {
		for _, script := range b.extra(b.height) {
			coinbase.AddTxOut(wire.NewTxOut(0, script))
		}
	}

	block := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version:    blockVersion,
			PrevBlock:  b.prev,
			MerkleRoot: coinbase.TxHash(), // the root of a one-leaf tree
			Timestamp:  time.Unix(b.time, 0),
			Bits:       params.PowLimitBits,
		},
		Transactions: []*wire.MsgTx{coinbase},
	}
	hash, err := solve(&block.Header, b.target)
	if err != nil {
		return nil, fmt.Errorf("block at height %d: %w", b.height, err)
	}
	b.prev = hash
	b.height++
	b.time++
	return block, nil
}

// batch builds up to size blocks, fewer when they are large, into one
// batched submitblock request.
func (b *blockBuilder) batch(size int) submission {
	s := submission{first: b.height}
	var body bytes.Buffer
	body.Grow(size * 560)
	body.WriteByte('[')
	for i := range size {
		if body.Len() > maxSubmitBytes {
			break
		}
		s.blocks++
		if i > 0 {
			body.WriteByte(',')
		}
		height := b.height
		block, err := b.next()
		if err == nil {
			b.raw.Reset()
			err = block.Serialize(&b.raw)
		}
		if err != nil {
			return submission{first: height, err: fmt.Errorf("build block at height %d: %w", height, err)}
		}
		body.WriteString(`{"jsonrpc":"1.0","id":`)
		body.WriteString(strconv.Itoa(int(height)))
		body.WriteString(`,"method":"submitblock","params":["`)
		body.Write(hex.AppendEncode(body.AvailableBuffer(), b.raw.Bytes()))
		body.WriteString(`"]}`)
	}
	body.WriteByte(']')
	s.body = body.Bytes()
	return s
}

// errNoSolution is returned if no nonce meets the target, which against
// regtest's limit (about one hash in two succeeds) does not happen.
var errNoSolution = errors.New("no nonce solves the block")

// solve finds a nonce for which the header's hash meets target and returns
// that hash.
func solve(h *wire.BlockHeader, target *big.Int) (chainhash.Hash, error) {
	for nonce := uint32(0); ; nonce++ {
		h.Nonce = nonce
		hash := h.BlockHash()
		if blockchain.HashToBig(&hash).Cmp(target) <= 0 {
			return hash, nil
		}
		if nonce == ^uint32(0) {
			return chainhash.Hash{}, errNoSolution
		}
	}
}
