package lightnode

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/v2/bloom"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/lightnode/verify"
)

// ErrUnknownBlock is returned for a block hash that is not in our verified
// header chain.
var ErrUnknownBlock = errors.New("the block is not in the verified header chain")

// blockCall is one block download that concurrent callers share.
type blockCall struct {
	done  chan struct{}
	block *wire.MsgBlock
	err   error
}

// GetBlock returns the block with the given hash, which must be in the
// verified header chain. The block comes from the cache or from peers, and
// is checked against its header (merkle root, CVE-2012-2459 malleation,
// witness commitment) before it is returned or cached. A peer that sends a
// wrong block is banned and the next one is asked; concurrent requests for
// one block share a download.
func (n *Node) GetBlock(ctx context.Context, hash *chainhash.Hash) (*wire.MsgBlock, error) {
	hdr, err := n.store.HeaderByHash(hash)
	if errors.Is(err, headerstore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownBlock, hash)
	}
	if err != nil {
		return nil, err
	}
	if b := n.cachedBlock(hash); b != nil {
		return b, nil
	}

	n.blockMu.Lock()
	call, ok := n.blockCalls[*hash]
	if !ok {
		// The download runs under the node's WaitGroup, so Stop waits for
		// it before closing the store; n.ctx ends it on Stop.
		if !n.addWorker() {
			n.blockMu.Unlock()
			return nil, ErrStopped
		}
		call = &blockCall{done: make(chan struct{})}
		n.blockCalls[*hash] = call
		go func() {
			defer n.wg.Done()
			call.block, call.err = n.downloadBlock(n.ctx, &hdr.Header)
			if n.downloadEndHook != nil {
				n.downloadEndHook()
			}
			n.blockMu.Lock()
			delete(n.blockCalls, *hash)
			n.blockMu.Unlock()
			close(call.done)
		}()
	}
	n.blockMu.Unlock()
	select {
	case <-call.done:
		return call.block, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-n.quit:
		return nil, ErrStopped
	}
}

// cachedBlock returns the cached block with the given hash, or nil when
// it is not cached (or its cache entry cannot be decoded).
func (n *Node) cachedBlock(hash *chainhash.Hash) *wire.MsgBlock {
	raw, err := n.store.Block(*hash)
	if err != nil {
		return nil
	}
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil
	}
	return &b
}

// downloadBlock asks peers in turn until one sends the right block.
func (n *Node) downloadBlock(ctx context.Context, header *wire.BlockHeader) (*wire.MsgBlock, error) {
	hash := header.BlockHash()
	lastErr := errors.New("no peer had the block")
	tried := map[*peerConn]bool{}
	for attempt := 0; attempt < 8; attempt++ {
		var pc *peerConn
		for _, p := range n.readyPeers(wire.SFNodeNetwork) {
			if !tried[p] {
				pc = p
				break
			}
		}
		if pc == nil {
			if len(tried) == 0 {
				return nil, errors.New("no connected peer serves blocks")
			}
			break
		}
		tried[pc] = true
		block, err := n.blockFrom(ctx, pc, header)
		if err != nil {
			lastErr = err
			n.reportPeer(pc, err)
			if errors.Is(err, context.Canceled) || errors.Is(err, ErrStopped) {
				return nil, err
			}
			continue
		}
		var buf bytes.Buffer
		if err := block.Serialize(&buf); err == nil {
			if err := n.store.PutBlock(hash, buf.Bytes()); err != nil {
				n.log.Warn("cannot cache block", "hash", hash, "err", err)
			} else {
				n.txIndex.add(n.store, hash, block)
			}
		}
		return block, nil
	}
	return nil, fmt.Errorf("block %s: %w", hash, lastErr)
}

// blockFrom asks one peer for a block and checks it against header.
func (n *Node) blockFrom(ctx context.Context, pc *peerConn, header *wire.BlockHeader) (*wire.MsgBlock, error) {
	hash := header.BlockHash()
	var block *wire.MsgBlock
	gd := wire.NewMsgGetData()
	gd.AddInvVect(wire.NewInvVect(wire.InvTypeWitnessBlock, &hash))
	err := n.request(ctx, pc, gd, func(m wire.Message) (bool, bool, error) {
		switch m := m.(type) {
		case *wire.MsgBlock:
			if m.Header.BlockHash() != hash {
				return false, false, nil
			}
			block = m
			return true, true, nil
		case *wire.MsgNotFound:
			for _, iv := range m.InvList {
				if iv.Hash == hash {
					return true, true, errNotFound
				}
			}
		}
		return false, false, nil
	})
	if err != nil {
		return nil, err
	}
	if verr := verify.Block(block, header); verr != nil {
		return nil, misbehaved("sent a block that does not match its header", verr)
	}
	return block, nil
}

// InclusionProof is a verified BIP37 proof that a transaction is in a
// block.
type InclusionProof struct {
	BlockHash   chainhash.Hash
	Txid        chainhash.Hash
	MerkleBlock *wire.MsgMerkleBlock
	Peer        string
}

// ErrNotIncluded is returned when a peer's merkle block shows the
// transaction is not in the block.
var ErrNotIncluded = errors.New("the transaction is not in that block")

// ProveInclusion asks a peer that serves BIP37 for a merkle block of
// blockHash filtered on txid and verifies the partial merkle tree against
// our header. A peer sending a malformed tree is banned.
func (n *Node) ProveInclusion(ctx context.Context, blockHash, txid *chainhash.Hash) (*InclusionProof, error) {
	hdr, err := n.store.HeaderByHash(blockHash)
	if errors.Is(err, headerstore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownBlock, blockHash)
	}
	if err != nil {
		return nil, err
	}
	peers := n.readyPeers(wire.SFNodeBloom | wire.SFNodeNetwork)
	if len(peers) == 0 {
		return nil, errors.New("no connected peer serves merkle blocks (BIP37)")
	}
	var lastErr error
	for _, pc := range peers {
		f := bloom.NewFilter(1, 0, 0.000001, wire.BloomUpdateNone)
		f.AddHash(txid)
		pc.p.QueueMessage(f.MsgFilterLoad(), nil)
		var mb *wire.MsgMerkleBlock
		gd := wire.NewMsgGetData()
		gd.AddInvVect(wire.NewInvVect(wire.InvTypeFilteredBlock, blockHash))
		err := n.request(ctx, pc, gd, func(m wire.Message) (bool, bool, error) {
			switch m := m.(type) {
			case *wire.MsgMerkleBlock:
				if m.Header.BlockHash() != *blockHash {
					return false, false, nil
				}
				mb = m
				return true, true, nil
			case *wire.MsgNotFound:
				for _, iv := range m.InvList {
					if iv.Hash == *blockHash {
						return true, true, errNotFound
					}
				}
			}
			return false, false, nil
		})
		pc.p.QueueMessage(wire.NewMsgFilterClear(), nil)
		if err == nil {
			var matched []chainhash.Hash
			matched, err = verify.MerkleBlock(mb, &hdr.Header)
			if err != nil {
				err = misbehaved("sent an invalid merkle block", err)
			} else {
				for _, m := range matched {
					if m == *txid {
						return &InclusionProof{BlockHash: *blockHash, Txid: *txid, MerkleBlock: mb, Peer: pc.addr}, nil
					}
				}
				return nil, fmt.Errorf("%w (according to %s)", ErrNotIncluded, pc.addr)
			}
		}
		lastErr = err
		n.reportPeer(pc, err)
	}
	return nil, lastErr
}
