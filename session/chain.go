package session

import (
	"context"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
)

// NodeChain gives the wallet what it needs from the light node: verified
// headers, filters and blocks up to the height both are synced to.
func NodeChain(n *lightnode.Node) wallet.Chain { return nodeChain{n} }

type nodeChain struct{ n *lightnode.Node }

func (c nodeChain) SyncedHeight() int32 {
	fh, _ := c.n.Store().FilterTip()
	return min(c.n.Store().Tip().Height, fh)
}

func (c nodeChain) BlockHeader(height int32) (*wire.BlockHeader, error) {
	h, err := c.n.Store().HeaderByHeight(height)
	if err != nil {
		return nil, err
	}
	return &h.Header, nil
}

func (c nodeChain) MatchScripts(ctx context.Context, start, end int32, scripts [][]byte, progress func(int32)) ([]int32, error) {
	return c.n.MatchScripts(ctx, start, end, scripts, progress)
}

func (c nodeChain) GetBlock(ctx context.Context, hash *chainhash.Hash) (*wire.MsgBlock, error) {
	return c.n.GetBlock(ctx, hash)
}
