package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/lightnode/headerstore"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/tui/explorer"
	tuinode "github.com/satchelbtc/satchel/tui/node"
	"github.com/satchelbtc/satchel/wallet"
)

// walletScanned tells the TUI that the background scan changed the wallet.
type walletScanned struct{}

// runTUI opens the interactive app on the chosen network and wallet. The
// node syncs in the background; once it is caught up the wallet is scanned
// and the pages refresh. Without a wallet the app opens on the first-run
// wizard.
func (a *app) runTUI(ctx context.Context) error {
	if a.term == nil {
		return errors.New("the interactive app needs a terminal; see 'satchel --help' for the commands")
	}
	if a.flags.offline {
		return errors.New("the interactive app needs the network; drop --offline (signing offline works with 'satchel --offline psbt sign')")
	}
	conf, err := a.loadConfig()
	if err != nil {
		return err
	}
	styles, themeNames, err := a.themeStyles(conf.Theme)
	if err != nil {
		return err
	}
	node, err := a.startNode()
	if err != nil {
		return err
	}
	defer node.Stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	events := make(chan any, 64)
	sub := node.Subscribe()
	go func() {
		for ev := range sub.Events() {
			select {
			case events <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()

	s := newSession(ctx, a, node, conf, events)
	defer s.close()
	src, err := s.sources(themeNames)
	if err != nil {
		return err
	}
	autoLock, _ := conf.autoLock()
	_, err = tea.NewProgram(tuiapp.New(ctx, src, styles, tuiapp.WithUnits(unitsOf(conf.Units)),
		tuiapp.WithAutoLock(autoLock))).Run()
	return err
}

// scanInBackground waits for the node to catch up, scans the wallet, and
// tells the TUI; it does so again whenever the chain moves on, until ctx
// ends.
func (a *app) scanInBackground(ctx context.Context, node *lightnode.Node, lw *lockedWallet, events chan<- any) {
	sub := node.Subscribe()
	defer sub.Close()
	// Relayed wallet transactions are recorded as they arrive, until this
	// loop ends (with ctx, or on a failed scan).
	ctx, cancel := context.WithCancel(ctx)
	relay := node.Subscribe()
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		a.watchRelay(ctx, relay, lw, events)
	}()
	defer func() {
		cancel()
		<-relayDone
		relay.Close()
	}()
	for {
		if err := node.WaitSynced(ctx, defaultPeerTimeout); err != nil {
			return
		}
		if err := node.WaitFiltersSynced(ctx, defaultPeerTimeout); err != nil {
			return
		}
		lw.mu.Lock()
		_, err := lw.w.Scan(ctx, nodeChain{node}, nil)
		if err == nil {
			a.collectUnconfirmed(ctx, node, lw.w)
		}
		lw.mu.Unlock()
		if err != nil {
			if ctx.Err() == nil {
				a.logger().Warn("wallet scan", "err", err)
			}
			return
		}
		select {
		case events <- walletScanned{}:
		case <-ctx.Done():
			return
		}
		// Scan again when a block arrives or the chain reorganizes.
		if !waitForTip(ctx, sub) {
			return
		}
	}
}

// watchRelay records, as they arrive, the relayed transactions that pay
// the wallet or spend its coins, and tells the TUI. The node fetched them
// because a peer announced them; the wallet matches them here, so no peer
// learns which addresses are ours.
func (a *app) watchRelay(ctx context.Context, sub *lightnode.Subscription, lw *lockedWallet, events chan<- any) {
	for {
		var seen lightnode.TxSeen
		select {
		case ev, ok := <-sub.Events():
			if !ok {
				return
			}
			var is bool
			if seen, is = ev.(lightnode.TxSeen); !is {
				continue
			}
		case <-ctx.Done():
			return
		}
		lw.mu.Lock()
		ours := touchesWallet(lw.w, seen.Tx)
		if ours {
			if err := lw.w.AddUnconfirmed(seen.Tx); err != nil {
				a.logger().Warn("cannot record unconfirmed transaction", "txid", seen.Txid, "err", err)
			}
		}
		lw.mu.Unlock()
		if !ours {
			continue
		}
		a.logger().Info("unconfirmed wallet transaction relayed", "txid", seen.Txid, "peer", seen.Peer)
		select {
		case events <- walletScanned{}:
		case <-ctx.Done():
			return
		}
	}
}

// touchesWallet reports whether tx pays one of w's addresses or spends one
// of its coins.
func touchesWallet(w *wallet.Wallet, tx *wire.MsgTx) bool {
	for _, out := range tx.TxOut {
		if ours, _ := w.Owns(out.PkScript); ours {
			return true
		}
	}
	coins := map[wire.OutPoint]bool{}
	for _, op := range w.UnspentOutPoints() {
		coins[op] = true
	}
	for _, in := range tx.TxIn {
		if coins[in.PreviousOutPoint] {
			return true
		}
	}
	return false
}

// waitForTip waits for an event that changes the best chain; false when
// ctx ends or the subscription closes. Tips announced during the scan that
// just ended were covered by it, so they are dropped first.
func waitForTip(ctx context.Context, sub *lightnode.Subscription) bool {
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

// storeHeaders shows the verified header chain to the blocks list.
type storeHeaders struct{ st headerstore.Store }

func (s storeHeaders) TipHeight() int32 { return s.st.Tip().Height }

func (s storeHeaders) Headers(start int32, count int) ([]explorer.Row, error) {
	hs, err := s.st.Headers(start, count)
	if err != nil {
		return nil, err
	}
	rows := make([]explorer.Row, len(hs))
	for i, h := range hs {
		rows[i] = explorer.Row{Height: h.Height, Hash: h.Hash.String(), Time: h.Header.Timestamp, TxCount: -1}
	}
	return rows, nil
}

// nodeBlocks fetches verified blocks for the block page.
type nodeBlocks struct{ n *lightnode.Node }

func (b nodeBlocks) Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	return b.n.GetBlock(ctx, &hash)
}

func (b nodeBlocks) Header(height int32) (*wire.BlockHeader, error) {
	h, err := b.n.Store().HeaderByHeight(height)
	if err != nil {
		return nil, err
	}
	return &h.Header, nil
}

// nodeStatus feeds the Node page and the status bar.
type nodeStatus struct {
	a *app
	n *lightnode.Node
}

func (s nodeStatus) Status() tuinode.Status {
	st := s.n.Status()
	return tuinode.Status{
		Network: networkName(s.a.net), Height: st.Height, PeerHeight: st.PeerHeight,
		FilterHeight: st.FilterHeight, Synced: st.Synced, Peers: st.Peers, RelayFloor: s.n.RelayFloor(),
		FilterPeers: st.FilterPeers, DialError: st.DialError, Proxy: s.a.flags.proxy,
	}
}

func (s nodeStatus) Peers() []tuinode.Peer {
	var out []tuinode.Peer
	for _, p := range s.n.Peers() {
		out = append(out, tuinode.Peer{Addr: p.Addr, UserAgent: p.UserAgent, Services: serviceNames(p.Services),
			Height: p.Height, Ping: p.Ping, Transport: p.Transport})
	}
	bans, _ := s.n.Store().Bans()
	for _, b := range bans {
		out = append(out, tuinode.Peer{Addr: b.Key, Banned: true, BanReason: b.Reason, BannedUntil: b.Until})
	}
	return out
}

// LogTail reads the last n lines of the network's log file.
func (s nodeStatus) LogTail(n int) []string {
	dir, err := s.a.networkDir()
	if err != nil {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, "satchel.log"))
	if err != nil {
		return nil
	}
	defer f.Close()
	const tail = 64 << 10
	if info, err := f.Stat(); err == nil && info.Size() > tail {
		f.Seek(info.Size()-tail, io.SeekStart)
	}
	data, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(bytes.ToValidUTF8(data, nil)), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
