package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
)

// ErrOffline is returned for what needs the light node in a session
// without one.
var ErrOffline = errors.New("no network")

// mempoolWait is how long a scan listens for the peers' matching
// unconfirmed transactions after a BIP37 mempool query, and mempoolQuiet
// how long without a new one ends it early.
const (
	mempoolWait  = 3 * time.Second
	mempoolQuiet = 500 * time.Millisecond
)

// Scan brings the wallet up to the node's synced height, then records the
// wallet's unconfirmed transactions the peers relayed. progress, when set,
// is called as blocks are matched. The caller waits for the node to sync
// first (lightnode.Node.WaitSynced and WaitFiltersSynced).
func (s *Session) Scan(ctx context.Context, progress func(height, target int32)) (*wallet.ScanResult, error) {
	node := s.cfg.Node
	if node == nil {
		return nil, ErrOffline
	}
	res, err := s.w.Scan(ctx, NodeChain(node), progress)
	if err != nil {
		return res, fmt.Errorf("wallet scan: %w", err)
	}
	s.log.Info("wallet scanned", "from", res.From, "to", res.To, "blocks", res.BlocksFetched,
		"txs", res.TxsFound, "removed", res.TxsRemoved)
	s.CollectUnconfirmed(ctx)
	return res, nil
}

// CollectUnconfirmed records the wallet's unconfirmed transactions that the
// peers relayed while connected: the node fetched every announced
// transaction and the wallet matches them itself, so no peer learns which
// addresses are ours. With Config.BIP37Mempool it also asks the peers for
// their mempools and listens briefly. The wallet checks every spend of its
// coins first; a peer that relayed a forged one is banned.
func (s *Session) CollectUnconfirmed(ctx context.Context) {
	node := s.cfg.Node
	if node == nil {
		return
	}
	sub := node.Subscribe()
	defer sub.Close()
	for _, seen := range node.RecentTxs() {
		s.record(seen)
	}
	if !s.cfg.BIP37Mempool || node.RequestMempool(s.w.WatchScripts(), s.w.UnspentOutPoints()) == 0 {
		return
	}
	deadline := time.NewTimer(mempoolWait)
	defer deadline.Stop()
	quiet := time.NewTimer(mempoolQuiet)
	defer quiet.Stop()
	for {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				return
			}
			if seen, is := ev.(lightnode.TxSeen); is {
				s.record(&seen)
				quiet.Reset(mempoolQuiet)
			}
		case <-quiet.C:
			return
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// record adds a relayed transaction to the wallet when it is the wallet's,
// and bans the peer that relayed a forged spend of the wallet's coins. It
// reports whether the wallet took it.
func (s *Session) record(seen *lightnode.TxSeen) bool {
	if seen.Tx == nil || !s.touchesWallet(seen.Tx) {
		return false
	}
	err := s.w.AddUnconfirmed(seen.Tx)
	if err == nil {
		return true
	}
	s.log.Warn("unconfirmed transaction not recorded", "txid", seen.Txid, "peer", seen.Peer, "err", err)
	if errors.Is(err, wallet.ErrForgedSpend) {
		if err := s.cfg.Node.ReportInvalidTx(*seen, err.Error()); err != nil {
			s.log.Error("cannot ban peer", "peer", seen.Peer, "err", err)
		}
	}
	return false
}

// touchesWallet reports whether tx pays one of the wallet's addresses or
// spends one of its coins.
func (s *Session) touchesWallet(tx *wire.MsgTx) bool {
	for _, out := range tx.TxOut {
		if ours, _ := s.w.Owns(out.PkScript); ours {
			return true
		}
	}
	coins := map[wire.OutPoint]bool{}
	for _, op := range s.w.UnspentOutPoints() {
		coins[op] = true
	}
	for _, in := range tx.TxIn {
		if coins[in.PreviousOutPoint] {
			return true
		}
	}
	return false
}

// Start runs the background loop until Stop or Close: it waits for the
// node to catch up, scans, and scans again whenever the chain moves on,
// and records the wallet's relayed transactions as they arrive. changed is
// called (from the loop's goroutines) after each scan and each recorded
// transaction; it must not block for long. Start does nothing offline or
// when the loop already runs. A failed scan ends the loop, after logging.
func (s *Session) Start(ctx context.Context, changed func()) {
	node := s.cfg.Node
	if node == nil {
		return
	}
	s.loopMu.Lock()
	defer s.loopMu.Unlock()
	if s.stopLoop != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	s.stopLoop = cancel
	// Subscribed before the goroutines start, so that nothing announced
	// from now on is missed.
	tips, relay := node.Subscribe(), node.Subscribe()
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		defer tips.Close()
		// The relay watch ends with the scan loop.
		defer cancel()
		s.scanLoop(ctx, tips, changed)
	}()
	go func() {
		defer s.wg.Done()
		defer relay.Close()
		s.watchRelay(ctx, relay, changed)
	}()
}

// Stop ends the background loop and waits for it.
func (s *Session) Stop() {
	s.loopMu.Lock()
	stop := s.stopLoop
	s.stopLoop = nil
	s.loopMu.Unlock()
	if stop != nil {
		stop()
	}
	s.wg.Wait()
}

func (s *Session) scanLoop(ctx context.Context, tips *lightnode.Subscription, changed func()) {
	node := s.cfg.Node
	for {
		err := node.WaitSynced(ctx, s.cfg.PeerTimeout)
		if err == nil {
			err = node.WaitFiltersSynced(ctx, s.cfg.PeerTimeout)
		}
		if err == nil {
			_, err = s.Scan(ctx, nil)
		}
		switch {
		case ctx.Err() != nil || errors.Is(err, lightnode.ErrStopped):
			return
		case err != nil:
			// No peer, no filters or a failed scan: try again when
			// the chain moves, rather than stop following it.
			s.log.Warn("wallet scan", "err", err)
		default:
			changed()
		}
		if !s.waitForTip(ctx, tips, err == nil) {
			return
		}
	}
}

// watchRelay records the wallet's relayed transactions as they arrive.
func (s *Session) watchRelay(ctx context.Context, sub *lightnode.Subscription, changed func()) {
	for {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				return
			}
			seen, is := ev.(lightnode.TxSeen)
			if !is || !s.record(&seen) {
				continue
			}
			s.log.Info("unconfirmed wallet transaction relayed", "txid", seen.Txid, "peer", seen.Peer)
			changed()
		case <-ctx.Done():
			return
		}
	}
}

// waitForTip waits until the chain has moved past what the wallet was
// scanned to: after a good scan, at once when it already has (a tip
// announced while that scan ran, which the drain below would otherwise
// lose), else for an event that changes the best chain. After a failure it
// always waits for such an event, so that a lasting failure does not spin.
// It returns false when ctx ends or the subscription closes.
func (s *Session) waitForTip(ctx context.Context, sub *lightnode.Subscription, scanned bool) bool {
	for drained := false; !drained; {
		select {
		case _, ok := <-sub.Events():
			if !ok {
				return false
			}
		default:
			drained = true
		}
	}
	if scanned && s.cfg.Node.Store().Tip().Height > s.w.ScanHeight() {
		return ctx.Err() == nil
	}
	for {
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				return false
			}
			switch ev.(type) {
			case lightnode.NewTip, lightnode.Reorg:
				return true
			}
		case <-ctx.Done():
			return false
		}
	}
}
