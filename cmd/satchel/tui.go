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

	s := newAppSession(ctx, a, node, conf, events)
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
