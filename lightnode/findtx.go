package lightnode

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/headerstore"
)

// ErrTxNotFound is returned, wrapped with where FindTx looked, when FindTx
// looked everywhere it could and did not find the transaction.
var ErrTxNotFound = errors.New("transaction not found")

// FindTxOptions says where FindTx looks besides the block cache and the
// relay feed.
type FindTxOptions struct {
	// Block, when set, is the only place to look: the best-chain block
	// with this hash, fetched from a peer if it is not cached.
	Block *chainhash.Hash

	// PeerWait is how long to wait for a first peer when the network is
	// needed (to fetch Block, or to ask mempools). 0: don't wait.
	PeerWait time.Duration

	// Mempool also asks the connected peers' mempools (getdata), after the
	// block cache and the relay feed. Asking tells the peers which
	// transaction we are interested in.
	Mempool bool
}

// FoundTx is a transaction FindTx found, and where.
type FoundTx struct {
	Tx *wire.MsgTx

	// Block is the best-chain block holding it; nil when it is
	// unconfirmed.
	Block *headerstore.StoredHeader

	// Peer is, for an unconfirmed transaction, the peer that relayed or
	// served it.
	Peer string
}

// FindTx looks for a transaction, in this order:
//
//   - with opts.Block, only in that block (from the cache, or fetched and
//     verified like GetBlock);
//   - otherwise in the cached blocks of the best chain, through an index
//     of their txids that is built on the first call, so a search decodes
//     only the block that holds the transaction;
//   - then in the relay feed (RecentTx);
//   - then, with opts.Mempool, in the connected peers' mempools.
//
// A transaction in a cached block that a reorganization took off the best
// chain is not reported as confirmed. When the transaction is nowhere to
// be found the error wraps ErrTxNotFound and says where FindTx looked; when
// the network is needed and no peer connects within opts.PeerWait it wraps
// ErrNoPeers as well (with opts.Block, only ErrNoPeers: the block was not
// seen). FindTx is safe for concurrent use.
func (n *Node) FindTx(ctx context.Context, txid *chainhash.Hash, opts FindTxOptions) (*FoundTx, error) {
	if txid == nil {
		return nil, errors.New("lightnode: FindTx needs a txid")
	}
	if opts.Block != nil {
		return n.findInBlock(ctx, txid, opts.Block, opts.PeerWait)
	}
	found, indexed, err := n.findCached(txid)
	if err != nil || found != nil {
		return found, err
	}
	if s := n.feed.get(*txid); s != nil {
		return &FoundTx{Tx: s.Tx, Peer: s.Peer}, nil
	}
	where := fmt.Sprintf("the %d cached blocks or the relay feed", indexed)
	if !opts.Mempool {
		return nil, fmt.Errorf("%w: %s is not in %s", ErrTxNotFound, txid, where)
	}
	if err := n.WaitForPeer(ctx, opts.PeerWait); err != nil {
		if !errors.Is(err, ErrNoPeers) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s is not in %s, and no peer's mempool could be asked: %w",
			ErrTxNotFound, txid, where, err)
	}
	s, asked, err := n.mempoolTx(ctx, txid)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("%w: %s is not in %s, nor in the mempools of %d peers",
			ErrTxNotFound, txid, where, asked)
	}
	return &FoundTx{Tx: s.Tx, Peer: s.Peer}, nil
}

// findInBlock looks for txid in one best-chain block.
func (n *Node) findInBlock(ctx context.Context, txid, blockHash *chainhash.Hash, peerWait time.Duration) (*FoundTx, error) {
	hdr, err := n.store.HeaderByHash(blockHash)
	if errors.Is(err, headerstore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownBlock, blockHash)
	}
	if err != nil {
		return nil, err
	}
	block := n.cachedBlock(blockHash)
	if block == nil {
		if err := n.WaitForPeer(ctx, peerWait); err != nil {
			if errors.Is(err, ErrNoPeers) {
				return nil, fmt.Errorf("block %d is not cached and cannot be fetched: %w", hdr.Height, err)
			}
			return nil, err
		}
		if block, err = n.GetBlock(ctx, blockHash); err != nil {
			return nil, err
		}
	}
	for _, tx := range block.Transactions {
		if tx.TxHash() == *txid {
			return &FoundTx{Tx: tx, Block: hdr}, nil
		}
	}
	return nil, fmt.Errorf("%w: %s is not in block %d (%s)", ErrTxNotFound, txid, hdr.Height, blockHash)
}

// findCached looks for txid in the cached blocks of the best chain. It
// returns nil when none holds it, and how many blocks are indexed.
func (n *Node) findCached(txid *chainhash.Hash) (*FoundTx, int, error) {
	candidates, indexed, err := n.txIndex.lookup(n.store, txid)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the block cache: %w", err)
	}
	for i := range candidates {
		hash := &candidates[i]
		// A block off the best chain confirms nothing; it stays indexed
		// while it is cached, in case it wins again.
		hdr, err := n.store.HeaderByHash(hash)
		if errors.Is(err, headerstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		raw, err := n.store.Block(*hash)
		if errors.Is(err, headerstore.ErrNotFound) {
			n.txIndex.drop(*hash)
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		b, err := n.txIndex.decode(raw)
		if err != nil {
			continue
		}
		for _, tx := range b.Transactions {
			if tx.TxHash() == *txid {
				return &FoundTx{Tx: tx, Block: hdr}, indexed, nil
			}
		}
	}
	return nil, indexed, nil
}

// WaitForPeer blocks until a peer has completed its handshake, ctx ends, or
// the node stops (ErrStopped). After timeout without a peer it returns an
// error wrapping ErrNoPeers (and the last dial error, if any); a timeout
// of 0 only checks.
func (n *Node) WaitForPeer(ctx context.Context, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-n.quit:
			return ErrStopped
		default:
		}
		n.mu.Lock()
		peers, changed, dialErr := n.status.Peers, n.changed, n.lastDialErr
		n.mu.Unlock()
		if peers > 0 {
			return nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return noPeersError(timeout, dialErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-n.quit:
			return ErrStopped
		}
	}
}

// noPeersError is ErrNoPeers after waiting d, with the last dial error.
func noPeersError(d time.Duration, dialErr error) error {
	if dialErr != nil {
		return fmt.Errorf("%w in %v (last error: %w)", ErrNoPeers, d, dialErr)
	}
	return fmt.Errorf("%w in %v", ErrNoPeers, d)
}
