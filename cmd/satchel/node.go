package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/lightnode/headerstore"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// defaultPeerTimeout is how long a command waits for a first peer.
const defaultPeerTimeout = 30 * time.Second

// peerTimeoutUsage is the help of every command's --peer-timeout.
const peerTimeoutUsage = "How long to wait for peers before giving up"

// errOffline is returned by commands that need the network under --offline.
var errOffline = errors.New("this command needs the network, but --offline is set")

// startNode opens chain.db and starts the light node with the global flags.
func (a *app) startNode() (*lightnode.Node, error) {
	if a.flags.offline {
		return nil, errOffline
	}
	if len(a.flags.connect) == 0 && len(a.net.DNSSeeds) == 0 {
		return nil, fmt.Errorf("%s has no DNS seeds: give a peer with --connect HOST:PORT", networkName(a.net))
	}
	dir, err := a.networkDir()
	if err != nil {
		return nil, err
	}
	proxy, err := proxyAddr(a.flags.proxy)
	if err != nil {
		return nil, err
	}
	minWork, err := parseChainWork(a.flags.minChainWork)
	if err != nil {
		return nil, err
	}
	checkpoints, err := parseCheckpoints(a.flags.checkpoints)
	if err != nil {
		return nil, err
	}
	node, err := lightnode.New(&lightnode.Config{
		Checkpoints:        checkpoints,
		ChainParams:        a.net,
		DataDir:            dir,
		ConnectPeers:       a.flags.connect,
		Proxy:              proxy,
		MinChainWork:       minWork,
		DisableV2Transport: !a.flags.v2transport,
		Logger:             a.logger(),
		UserAgentName:      "satchel",
		UserAgentVersion:   strings.TrimPrefix(version, "v"),
	})
	if err != nil {
		return nil, err
	}
	if err := node.Start(); err != nil {
		node.Stop()
		return nil, err
	}
	return node, nil
}

// proxyAddr turns --proxy socks5://HOST:PORT into HOST:PORT; "" is no
// proxy.
func proxyAddr(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(s, "socks5://")
	if !ok {
		rest, ok = strings.CutPrefix(s, "socks5h://")
	}
	if !ok {
		return "", fmt.Errorf("--proxy %q: use socks5://HOST:PORT (Tor listens on socks5://127.0.0.1:9050)", s)
	}
	host, port, err := net.SplitHostPort(strings.TrimSuffix(rest, "/"))
	if p, perr := strconv.ParseUint(port, 10, 16); err != nil || host == "" || perr != nil || p == 0 {
		return "", fmt.Errorf("--proxy %q: use socks5://HOST:PORT (Tor listens on socks5://127.0.0.1:9050)", s)
	}
	return net.JoinHostPort(host, port), nil
}

// parseChainWork reads --min-chain-work: hex, with or without 0x. "" keeps
// the network's figure (nil); 0 means no minimum.
func parseChainWork(s string) (*big.Int, error) {
	if s == "" {
		return nil, nil
	}
	w, ok := new(big.Int).SetString(strings.TrimPrefix(strings.ToLower(s), "0x"), 16)
	if !ok || w.Sign() < 0 || w.BitLen() > 256 {
		return nil, fmt.Errorf("--min-chain-work %q: give the chain work in hex, such as 0x100 (0 for none)", s)
	}
	return w, nil
}

// parseCheckpoints reads --add-checkpoint HEIGHT:HASH values.
func parseCheckpoints(values []string) ([]chaincfg.Checkpoint, error) {
	var cps []chaincfg.Checkpoint
	for _, v := range values {
		h, hash, ok := strings.Cut(v, ":")
		height, err := strconv.ParseInt(h, 10, 32)
		if ok && err == nil && height > 0 {
			var block *chainhash.Hash
			if block, err = chainhash.NewHashFromStr(hash); err == nil && len(hash) == 2*chainhash.HashSize {
				cps = append(cps, chaincfg.Checkpoint{Height: int32(height), Hash: block})
				continue
			}
		}
		return nil, fmt.Errorf("--add-checkpoint %q: give HEIGHT:HASH, a height above 0 and the block's 64-digit hash", v)
	}
	return cps, nil
}

// openChain opens chain.db for reading, without the network.
func (a *app) openChain() (headerstore.Store, error) {
	dir, err := a.networkDir()
	if err != nil {
		return nil, err
	}
	st, err := headerstore.Open(&headerstore.Config{
		Path:   filepath.Join(dir, "chain.db"),
		Params: a.net,
	})
	return st, err
}

func newSyncCommand(a *app) *cobra.Command {
	var peerTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Sync headers and filters, then scan the wallet",
		Long: `Bring the local chain and the wallet up to date, in three steps:

1. headers: connect to peers (--connect, or the DNS seeds), download every
   block header and check it (proof of work, difficulty, timestamps,
   checkpoints), keeping the chain with the most work;
2. block filters (BIP157/158): download the filter headers and check that
   the peers agree on them;
3. wallet: if the --wallet wallet exists, match its addresses against the
   block filters since its last scan (or its birthday), fetch and verify
   the blocks that match, and ask the peers for unconfirmed payments.

Returns once caught up with the connected peers. Progress goes to stderr
when it is a terminal. No password is needed.`,
		Example: "  satchel sync\n  satchel --network regtest --connect 127.0.0.1:18444 sync",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runSync(cmd.Context(), peerTimeout)
		},
	}
	cmd.Flags().DurationVar(&peerTimeout, "peer-timeout", defaultPeerTimeout, peerTimeoutUsage)
	return cmd
}

// runSync syncs headers and filter headers, then scans the --wallet wallet
// if it exists.
func (a *app) runSync(ctx context.Context, peerTimeout time.Duration) error {
	node, err := a.startNode()
	if err != nil {
		return err
	}
	defer node.Stop()
	stopProgress := a.showProgress(node)
	err = node.WaitSynced(ctx, peerTimeout)
	if err == nil {
		err = node.WaitFiltersSynced(ctx, peerTimeout)
	}
	stopProgress()
	st := node.Status()
	switch {
	case errors.Is(err, lightnode.ErrNoPeers) && a.flags.proxy != "":
		return fmt.Errorf("%v: check --proxy, --connect and your network", err)
	case errors.Is(err, lightnode.ErrNoPeers):
		return fmt.Errorf("%v: check --connect and your network", err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted at height %d", st.Height)
	case err != nil:
		return err
	}
	out := map[string]any{"height": st.Height, "hash": st.Hash.String(), "filter_height": st.FilterHeight}
	var scanned string
	if a.walletExists() {
		res, bal, err := a.scanWallet(ctx, node)
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("wallet scan interrupted")
		}
		if err != nil {
			return err
		}
		out["wallet"] = map[string]any{
			"name": a.flags.walletName, "scanned_from": res.From, "scanned_to": res.To,
			"blocks_fetched": res.BlocksFetched, "txs_found": res.TxsFound, "txs_removed": res.TxsRemoved,
			"balance": balanceJSON(bal),
		}
		scanned = fmt.Sprintf("Wallet %q: %s confirmed, %s total (%d new transaction%s).\n",
			a.flags.walletName, amount.FormatBTC(bal.Confirmed), amount.FormatBTC(bal.Total),
			res.TxsFound, plural(res.TxsFound))
	}
	if a.flags.json {
		return a.printJSON(out)
	}
	a.printf("Synced to height %d (%s) with %d peer%s; filter headers verified to %d.\n",
		st.Height, st.Hash, st.Peers, plural(st.Peers), st.FilterHeight)
	if st.FilterPeers == 1 {
		fmt.Fprintf(a.stderr, "warning: %s\n", lightnode.FilterCheckWarning)
	}
	a.printf("%s", scanned)
	return nil
}

// showProgress draws sync progress on stderr while it is a terminal. The
// returned func stops it.
func (a *app) showProgress(node *lightnode.Node) func() {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	sub := node.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := time.Time{}
		for ev := range sub.Events() {
			var what string
			var have, want int32
			switch p := ev.(type) {
			case lightnode.SyncProgress:
				what, have, want = "headers", p.Height, max(p.PeerHeight, p.Height)
			case lightnode.FilterProgress:
				what, have, want = "filter headers", p.Height, max(p.HeaderHeight, p.Height)
			default:
				continue
			}
			if time.Since(last) < 100*time.Millisecond && have < want {
				continue
			}
			last = time.Now()
			pct := 100.0
			if want > 0 {
				pct = 100 * float64(have) / float64(want)
			}
			fmt.Fprintf(f, "\r\033[K%s %d / %d (%.1f%%)", what, have, want, pct)
		}
	}()
	return func() {
		sub.Close()
		<-done
		fmt.Fprint(f, "\r\033[K")
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// headerJSON is `header --json`.
type headerJSON struct {
	Hash       string `json:"hash"`
	Height     int32  `json:"height"`
	Version    int32  `json:"version"`
	PrevHash   string `json:"prev_hash"`
	MerkleRoot string `json:"merkle_root"`
	Time       int64  `json:"time"`
	Bits       string `json:"bits"`
	Nonce      uint32 `json:"nonce"`
	Work       string `json:"chain_work"`
	FilterHdr  string `json:"filter_header,omitempty"`
}

func newHeaderCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "header HEIGHT|HASH",
		Short: "Show a block header from the local chain",
		Long: `Show a block header of the best chain, by height or hash, from the
headers 'satchel sync' verified, with its filter header once filters are
synced. Works offline.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			st, err := a.openChain()
			if err != nil {
				return err
			}
			defer st.Close()
			h, err := lookupHeader(st, args[0])
			if err != nil {
				return err
			}
			j := headerJSON{
				Hash: h.Hash.String(), Height: h.Height, Version: h.Header.Version,
				PrevHash: h.Header.PrevBlock.String(), MerkleRoot: h.Header.MerkleRoot.String(),
				Time: h.Header.Timestamp.Unix(), Bits: fmt.Sprintf("%08x", h.Header.Bits),
				Nonce: h.Header.Nonce, Work: hex.EncodeToString(h.Work.Bytes()),
			}
			if fh, err := st.FilterHeader(h.Height); err == nil {
				j.FilterHdr = fh.String()
			}
			if a.flags.json {
				return a.printJSON(j)
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "Hash\t%s\n", j.Hash)
			fmt.Fprintf(tw, "Height\t%d\n", j.Height)
			fmt.Fprintf(tw, "Previous\t%s\n", j.PrevHash)
			fmt.Fprintf(tw, "Merkle root\t%s\n", j.MerkleRoot)
			fmt.Fprintf(tw, "Time\t%s (%d)\n", h.Header.Timestamp.UTC().Format(time.DateTime+" MST"), j.Time)
			fmt.Fprintf(tw, "Bits\t%s\n", j.Bits)
			fmt.Fprintf(tw, "Nonce\t%d\n", j.Nonce)
			fmt.Fprintf(tw, "Version\t0x%08x\n", uint32(j.Version))
			fmt.Fprintf(tw, "Chain work\t0x%s\n", j.Work)
			if j.FilterHdr != "" {
				fmt.Fprintf(tw, "Filter header\t%s\n", j.FilterHdr)
			}
			return tw.Flush()
		},
	}
}

// lookupHeader finds a header by height or hash.
func lookupHeader(st headerstore.HeaderReader, arg string) (*headerstore.StoredHeader, error) {
	tip := st.Tip()
	notSynced := fmt.Sprintf("the local chain ends at height %d; run 'satchel sync'", tip.Height)
	if len(arg) == 64 {
		hash, err := chainhash.NewHashFromStr(arg)
		if err != nil {
			return nil, fmt.Errorf("%q is not a block hash", arg)
		}
		h, err := st.HeaderByHash(hash)
		if errors.Is(err, headerstore.ErrNotFound) {
			return nil, fmt.Errorf("block %s is not in the local best chain (%s)", arg, notSynced)
		}
		return h, err
	}
	height, err := strconv.ParseInt(arg, 10, 32)
	if err != nil || height < 0 {
		return nil, fmt.Errorf("%q is neither a block height nor a 64-character block hash", arg)
	}
	h, err := st.HeaderByHeight(int32(height))
	if errors.Is(err, headerstore.ErrNotFound) {
		return nil, fmt.Errorf("no header at height %d: %s", height, notSynced)
	}
	return h, err
}

// peerJSON is one entry of `peers --json`.
type peerJSON struct {
	Addr      string  `json:"addr"`
	UserAgent string  `json:"user_agent"`
	Services  string  `json:"services"`
	Height    int32   `json:"height"`
	PingMS    float64 `json:"ping_ms"`
	Transport string  `json:"transport,omitempty"`
	Filters   bool    `json:"filters"`
	Banned    bool    `json:"banned"`
	BanReason string  `json:"ban_reason,omitempty"`
	BanUntil  string  `json:"ban_until,omitempty"`
}

// waitForPeers waits until every --connect peer (or, without --connect, at
// least one peer) is connected and has answered a ping, or timeout.
func waitForPeers(ctx context.Context, node *lightnode.Node, want int, timeout time.Duration) []lightnode.PeerInfo {
	deadline := time.Now().Add(timeout)
	var peers []lightnode.PeerInfo
	for {
		peers = node.Peers()
		pinged := 0
		for _, p := range peers {
			if p.Ping > 0 {
				pinged++
			}
		}
		if (len(peers) >= want && pinged == len(peers)) || time.Now().After(deadline) {
			return peers
		}
		select {
		case <-ctx.Done():
			return peers
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func newPeersCommand(a *app) *cobra.Command {
	var peerTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "peers",
		Short: "List the connected peers and the banned ones",
		Long: `Connect to the network, wait for the peers (up to --peer-timeout), then
list them (address, user agent, services, height, ping), followed by the
banned ones with the reason and the time the ban ends.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			node, err := a.startNode()
			if err != nil {
				return err
			}
			defer node.Stop()
			want := len(a.flags.connect)
			if want == 0 {
				want = 1
			}
			peers := waitForPeers(cmd.Context(), node, want, peerTimeout)
			bans, err := node.Store().Bans()
			if err != nil {
				return err
			}
			sort.Slice(peers, func(i, j int) bool { return peers[i].Addr < peers[j].Addr })
			out := make([]peerJSON, 0, len(peers)+len(bans))
			for _, p := range peers {
				out = append(out, peerJSON{
					Addr: p.Addr, UserAgent: p.UserAgent, Services: lightnode.ServiceNames(p.Services),
					Height: p.Height, PingMS: float64(p.Ping.Microseconds()) / 1000,
					Transport: p.Transport, Filters: p.Filters,
				})
			}
			for _, b := range bans {
				out = append(out, peerJSON{Addr: b.Key, Banned: true, BanReason: b.Reason,
					BanUntil: b.Until.UTC().Format(time.RFC3339)})
			}
			if a.flags.json {
				return a.printJSON(out)
			}
			if len(out) == 0 {
				if d := node.Status().DialError; d != "" {
					return fmt.Errorf("no peer connected within %v (last error: %s)", peerTimeout, d)
				}
				return fmt.Errorf("no peer connected within %v", peerTimeout)
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ADDRESS\tAGENT\tSERVICES\tHEIGHT\tPING\tTRANSPORT")
			for _, p := range out {
				if p.Banned {
					fmt.Fprintf(tw, "%s\tbanned until %s\t%s\t\t\t\n", p.Addr, p.BanUntil, p.BanReason)
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.1f ms\t%s\n", p.Addr, p.UserAgent, p.Services, p.Height, p.PingMS, p.Transport)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().DurationVar(&peerTimeout, "peer-timeout", 10*time.Second, peerTimeoutUsage)
	return cmd
}

func newNodeCommand(a *app) *cobra.Command {
	cmd := newGroupCommand("node", "Inspect the light node")
	var peerTimeout time.Duration
	status := &cobra.Command{
		Use:   "status",
		Short: "Show the local chain tip and the peers' view",
		Long: `Show the verified local chain tip and how far the filter headers are
verified. Unless --offline, connect to peers first and also show how many
answered, the best height they claim and their relay fee floor.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			j := map[string]any{}
			var tip headerstore.Tip
			var filterTip headerstore.FilterHeaderStore
			peers, peerHeight, filterPeers := 0, int32(0), 0
			var floor float64
			var dialErr string
			if a.flags.offline {
				st, err := a.openChain()
				if err != nil {
					return err
				}
				defer st.Close()
				tip, filterTip = st.Tip(), st
			} else {
				node, err := a.startNode()
				if err != nil {
					return err
				}
				defer node.Stop()
				want := max(len(a.flags.connect), 1)
				ps := waitForPeers(cmd.Context(), node, want, peerTimeout)
				peers = len(ps)
				for _, p := range ps {
					peerHeight = max(peerHeight, p.Height)
					floor = max(floor, p.FeeFilter)
					if p.Filters {
						filterPeers++
					}
				}
				if peers == 0 {
					dialErr = node.Status().DialError
				}
				tip, filterTip = node.Store().Tip(), node.Store()
			}
			j["network"] = networkName(a.net)
			fh, _ := filterTip.FilterTip()
			j["height"] = tip.Height
			j["filter_height"] = fh
			j["hash"] = tip.Hash.String()
			j["time"] = tip.Header.Timestamp.Unix()
			j["peers"] = peers
			j["filter_peers"] = filterPeers
			j["peer_height"] = peerHeight
			j["relay_fee_floor"] = floor
			if !a.flags.offline && filterPeers == 1 {
				j["warning"] = lightnode.FilterCheckWarning
			}
			if dialErr != "" {
				j["dial_error"] = dialErr
			}
			if a.flags.json {
				return a.printJSON(j)
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "Network\t%s\n", networkName(a.net))
			fmt.Fprintf(tw, "Tip\t%d %s\n", tip.Height, tip.Hash)
			fmt.Fprintf(tw, "Tip time\t%s\n", tip.Header.Timestamp.UTC().Format(time.DateTime+" MST"))
			fmt.Fprintf(tw, "Filter headers\tverified to %d\n", fh)
			if a.flags.offline {
				fmt.Fprintf(tw, "Peers\t(offline)\n")
			} else {
				fmt.Fprintf(tw, "Peers\t%d (best claimed height %d)\n", peers, peerHeight)
				switch filterPeers {
				case 1:
					fmt.Fprintf(tw, "Filter peers\t1: %s\n", lightnode.FilterCheckWarning)
				default:
					fmt.Fprintf(tw, "Filter peers\t%d\n", filterPeers)
				}
				if dialErr != "" {
					fmt.Fprintf(tw, "Last dial error\t%s\n", dialErr)
				}
				fmt.Fprintf(tw, "Relay fee floor\t%.1f sat/vB (the peers' feefilter)\n", floor)
			}
			return tw.Flush()
		},
	}
	status.Flags().DurationVar(&peerTimeout, "peer-timeout", 10*time.Second, peerTimeoutUsage)
	cmd.AddCommand(status)
	return cmd
}
