package session

import (
	"context"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
)

// DiscoverProgress is how far DiscoverScriptTypes has come: waiting for
// the node (Syncing), then matching filters up to Target.
type DiscoverProgress struct {
	Syncing        bool
	Height, Target int32
}

// DiscoverScriptTypes finds which script types the seed of secret used
// before a restore: it waits for node to sync headers and filter headers
// (giving up after peerTimeout without a peer), then looks at the first
// addresses of each single-key type from the birthday on (see
// wallet.DiscoverScriptTypes). A birthday date is looked up in the
// header chain. Offline (node nil) it returns ErrOffline. progress, if
// set, is called from the calling goroutine.
func DiscoverScriptTypes(ctx context.Context, node *lightnode.Node, net *chaincfg.Params, secret *keystore.Secret,
	birthday wallet.Birthday, peerTimeout time.Duration, progress func(DiscoverProgress)) ([]wallet.ScriptUse, error) {

	if node == nil {
		return nil, ErrOffline
	}
	if peerTimeout <= 0 {
		peerTimeout = DefaultPeerTimeout
	}
	accounts, err := wallet.SeedAccounts(secret, net)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(DiscoverProgress{Syncing: true})
	}
	if err := node.WaitSynced(ctx, peerTimeout); err != nil {
		return nil, fmt.Errorf("the node is not synced: %w", err)
	}
	if err := node.WaitFiltersSynced(ctx, peerTimeout); err != nil {
		return nil, fmt.Errorf("the block filters are not synced: %w", err)
	}
	chain := NodeChain(node)
	from := max(birthday.Height, 1)
	if birthday.Height < 0 && !birthday.Date.IsZero() {
		h, found, err := wallet.HeightForTime(birthday.Date, chain.SyncedHeight(), chain.BlockHeader)
		if err != nil {
			return nil, err
		}
		if !found {
			h = chain.SyncedHeight() + 1 // the chain is older than the date
		}
		from = max(h, 1)
	}
	var report func(height, target int32)
	if progress != nil {
		report = func(h, t int32) { progress(DiscoverProgress{Height: h, Target: t}) }
	}
	return wallet.DiscoverScriptTypes(ctx, chain, accounts, net, from, report)
}
