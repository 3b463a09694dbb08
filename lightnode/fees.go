package lightnode

import (
	"context"

	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/fees"
)

// FeeEstimate fetches the count blocks ending at the best chain's tip (from
// the cache or from peers, each verified against its header as GetBlock
// does) and combines their fee rates with the feefilters of the connected
// peers into low / medium / high suggestions. See package fees for what
// they mean.
func (n *Node) FeeEstimate(ctx context.Context, count int) (fees.Estimate, error) {
	blocks, err := fees.Recent(ctx, bestBlocks{n}, n.store.Tip().Height, count, n.cfg.ChainParams)
	if err != nil {
		return fees.Estimate{}, err
	}
	return fees.Suggest(blocks, n.PeerFloors()), nil
}

// PeerFloors returns the BIP133 feefilters of the connected peers that sent
// one.
func (n *Node) PeerFloors() []fees.PeerFloor {
	var out []fees.PeerFloor
	for _, p := range n.Peers() {
		if p.FeeFilter > 0 {
			out = append(out, fees.PeerFloor{Addr: p.Addr, Rate: p.FeeFilter})
		}
	}
	return out
}

// bestBlocks reads the best chain's blocks by height for package fees.
type bestBlocks struct{ n *Node }

func (b bestBlocks) BlockAt(ctx context.Context, height int32) (*wire.MsgBlock, error) {
	hdr, err := b.n.store.HeaderByHeight(height)
	if err != nil {
		return nil, err
	}
	return b.n.GetBlock(ctx, &hdr.Hash)
}
