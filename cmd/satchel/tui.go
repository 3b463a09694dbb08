package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/tui/explorer"
	tuinode "github.com/satchelbtc/satchel/tui/node"
	"github.com/satchelbtc/satchel/wallet"
)

// walletScanned tells the TUI that the background scan changed the wallet.
type walletScanned struct{}

// runTUI opens the interactive app on the chosen network and wallet. The
// node syncs in the background; once it is caught up the wallet is scanned
// and the pages refresh.
func (a *app) runTUI(ctx context.Context) error {
	if a.term == nil {
		return errors.New("the interactive app needs a terminal; see 'satchel --help' for the commands")
	}
	if a.flags.offline {
		return errors.New("the interactive app needs the network for now; drop --offline (signing offline works with 'satchel --offline psbt sign')")
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

	src := tuiapp.Sources{
		Headers: storeHeaders{node.Store()},
		Blocks:  nodeBlocks{node},
		Node:    nodeStatus{a: a, n: node},
		Net:     a.net,
		Events:  events,
	}
	if a.walletExists() {
		w, err := a.openWallet()
		if err != nil {
			return err
		}
		defer w.Close()
		lw := &lockedWallet{w: w}
		src.Wallet = lw
		// Owns runs inside Update, which must not wait for a scan in
		// progress: while one runs, outputs are simply not marked ours.
		src.Owns = func(script []byte) bool {
			if !lw.mu.TryLock() {
				return false
			}
			defer lw.mu.Unlock()
			ours, _ := w.Owns(script)
			return ours
		}
		go a.scanInBackground(ctx, node, lw, events)
	}

	styles := themes.NewStyles(themes.Builtin()[0], themes.NoColor(a.getenv))
	_, err = tea.NewProgram(tuiapp.New(ctx, src, styles)).Run()
	return err
}

// scanInBackground waits for the node to catch up, scans the wallet, and
// tells the TUI.
func (a *app) scanInBackground(ctx context.Context, node *lightnode.Node, lw *lockedWallet, events chan<- any) {
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
		a.logger().Warn("wallet scan", "err", err)
		return
	}
	select {
	case events <- walletScanned{}:
	case <-ctx.Done():
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
	}
}

func (s nodeStatus) Peers() []tuinode.Peer {
	var out []tuinode.Peer
	for _, p := range s.n.Peers() {
		out = append(out, tuinode.Peer{Addr: p.Addr, UserAgent: p.UserAgent, Services: serviceNames(p.Services),
			Height: p.Height, Ping: p.Ping})
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

// lockedWallet serializes the TUI's wallet calls with the background scan:
// a Wallet is for one goroutine at a time.
type lockedWallet struct {
	mu sync.Mutex
	w  *wallet.Wallet
}

func (l *lockedWallet) Balance() (wallet.Balance, int32, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := l.w.Balance()
	return b, l.w.ScanHeight(), err
}

func (l *lockedWallet) History() ([]wallet.HistoryEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.History()
}

func (l *lockedWallet) NextAddress() (string, uint32, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, err := l.w.NewAddress(wallet.ReceiveBranch)
	if err != nil {
		return "", 0, err
	}
	return a.Address.EncodeAddress(), a.Index, nil
}
