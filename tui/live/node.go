package live

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/tui/explorer"
	tuinode "github.com/satchelbtc/satchel/tui/node"
	"github.com/satchelbtc/satchel/wallet"
)

// Headers shows the verified header chain to the blocks list, with the
// size and fees of the blocks already cached when Summaries is set.
type Headers struct {
	// Chain is the verified header chain, normally the node's Store.
	Chain headerstore.HeaderReader
	// Blocks is the block cache the summaries are read from, normally the
	// same Store; nil shows none.
	Blocks headerstore.BlockCache
	// Net is the network, whose subsidy schedule gives a block's fees.
	Net *chaincfg.Params
	// Summaries remembers cached blocks' figures; nil shows none.
	Summaries *BlockSummaries
}

func (s Headers) TipHeight() int32 { return s.Chain.Tip().Height }

func (s Headers) Headers(start int32, count int) ([]explorer.Row, error) {
	hs, err := s.Chain.Headers(start, count)
	if err != nil {
		return nil, err
	}
	rows := make([]explorer.Row, len(hs))
	for i, h := range hs {
		rows[i] = explorer.Row{Height: h.Height, Hash: h.Hash.String(), Time: h.Header.Timestamp, TxCount: -1}
		if s.Summaries != nil && s.Blocks != nil && s.Net != nil {
			rows[i].Block = s.Summaries.of(s.Blocks, s.Net, h.Hash, h.Height)
		}
	}
	return rows, nil
}

// Blocks fetches verified blocks for the block page.
type Blocks struct{ Node *lightnode.Node }

func (b Blocks) Block(ctx context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	return b.Node.GetBlock(ctx, &hash)
}

func (b Blocks) Header(height int32) (*wire.BlockHeader, error) {
	h, err := b.Node.Store().HeaderByHeight(height)
	if err != nil {
		return nil, err
	}
	return &h.Header, nil
}

// Status feeds the Node page and the status bar.
type Status struct {
	Node *lightnode.Node
	// Network names the chain; Proxy is the SOCKS5 proxy in use, if any.
	Network, Proxy string
	// LogFile is the log the page shows the end of.
	LogFile string
}

func (s Status) Status() tuinode.Status {
	st := s.Node.Status()
	return tuinode.Status{
		Network: s.Network, Height: st.Height, PeerHeight: st.PeerHeight,
		FilterHeight: st.FilterHeight, Synced: st.Synced, Peers: st.Peers, RelayFloor: s.Node.RelayFloor(),
		FilterPeers: st.FilterPeers, DialError: st.DialError, Proxy: s.Proxy,
	}
}

func (s Status) Peers() []tuinode.Peer {
	var out []tuinode.Peer
	for _, p := range s.Node.Peers() {
		out = append(out, tuinode.Peer{Addr: p.Addr, UserAgent: p.UserAgent, Services: lightnode.ServiceNames(p.Services),
			Height: p.Height, Ping: p.Ping, Transport: p.Transport})
	}
	bans, _ := s.Node.Store().Bans()
	for _, b := range bans {
		out = append(out, tuinode.Peer{Addr: b.Key, Banned: true, BanReason: b.Reason, BannedUntil: b.Until})
	}
	return out
}

// LogTail reads the last n lines of the log file.
func (s Status) LogTail(n int) []string {
	f, err := os.Open(s.LogFile)
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

// Search answers the explorer's searches from the node: heights and block
// hashes from the header chain, txids from the wallet, the blocks cached on
// disk and the mempool seen by the node, addresses by scanning compact
// filters.
type Search struct {
	Node *lightnode.Node
	// Wallet returns the open wallet, or nil.
	Wallet func() *wallet.Wallet
}

func (n Search) Lookup(ctx context.Context, query string) (explorer.SearchResult, error) {
	st := n.Node.Store()
	q := strings.ReplaceAll(strings.TrimSpace(query), ",", "")
	if h, err := strconv.ParseInt(q, 10, 32); err == nil {
		hdr, err := st.HeaderByHeight(int32(h))
		if err != nil {
			return explorer.SearchResult{}, fmt.Errorf("%w: no block at height %d (the tip is %d)", explorer.ErrNotFound, h, st.Tip().Height)
		}
		return explorer.SearchResult{Kind: explorer.ResultBlock, Height: hdr.Height, Hash: hdr.Hash}, nil
	}
	hash, err := chainhash.NewHashFromStr(q)
	if err != nil || len(q) != 64 {
		return explorer.SearchResult{}, fmt.Errorf("%w: %q is not a height, hash, txid or address", explorer.ErrNotFound, query)
	}
	if hdr, err := st.HeaderByHash(hash); err == nil {
		if best, err := st.HeaderByHeight(hdr.Height); err == nil && best.Hash == hdr.Hash {
			return explorer.SearchResult{Kind: explorer.ResultBlock, Height: hdr.Height, Hash: hdr.Hash}, nil
		}
	}
	if r, ok := n.walletTx(*hash); ok {
		return r, nil
	}
	// The cached blocks, the relay feed, then the peers' mempools.
	mctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	found, err := n.Node.FindTx(mctx, hash, lightnode.FindTxOptions{Mempool: true})
	if err == nil {
		r := explorer.SearchResult{Kind: explorer.ResultTx, Tx: found.Tx}
		if found.Block != nil {
			r.BlockHash, r.TxHeight = found.Block.Hash, found.Block.Height
		}
		return r, nil
	}
	if ctx.Err() != nil {
		return explorer.SearchResult{}, ctx.Err()
	}
	return explorer.SearchResult{}, fmt.Errorf("%w: no block or known transaction %s (a light node finds other transactions only in blocks it has fetched; open the block, or search for an address)", explorer.ErrNotFound, hash)
}

// walletTx finds txid among the open wallet's transactions.
func (n Search) walletTx(txid chainhash.Hash) (explorer.SearchResult, bool) {
	var w *wallet.Wallet
	if n.Wallet != nil {
		w = n.Wallet()
	}
	if w == nil {
		return explorer.SearchResult{}, false
	}
	hist, err := w.History()
	if err != nil {
		return explorer.SearchResult{}, false
	}
	for _, e := range hist {
		if e.Txid != txid || e.Tx == nil {
			continue
		}
		r := explorer.SearchResult{Kind: explorer.ResultTx, Tx: e.Tx, TxHeight: e.Height}
		if e.Height > 0 {
			if hdr, err := n.Node.Store().HeaderByHeight(e.Height); err == nil {
				r.BlockHash = hdr.Hash
			}
		}
		return r, true
	}
	return explorer.SearchResult{}, false
}

// Prover proves inclusion with a BIP37 merkle block from a peer.
type Prover struct{ Node *lightnode.Node }

func (p Prover) ProveInclusion(ctx context.Context, blockHash, txid chainhash.Hash) (string, int, error) {
	pr, err := p.Node.ProveInclusion(ctx, &blockHash, &txid)
	if err != nil {
		return "", 0, err
	}
	return pr.Peer, len(pr.MerkleBlock.Hashes), nil
}

// Interface checks: the adapters satisfy the pages' sources.
var (
	_ explorer.HeaderSource = Headers{}
	_ explorer.BlockSource  = Blocks{}
	_ tuinode.Source        = Status{}
	_ explorer.SearchSource = Search{}
	_ explorer.Prover       = Prover{}
)
