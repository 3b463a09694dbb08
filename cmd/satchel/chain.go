package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/amount"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// blockJSON is `block --json`.
type blockJSON struct {
	Hash       string   `json:"hash"`
	Height     int32    `json:"height"`
	MerkleRoot string   `json:"merkle_root"`
	Time       int64    `json:"time"`
	TxCount    int      `json:"tx_count"`
	Size       int      `json:"size"`
	Weight     int64    `json:"weight"`
	Verified   bool     `json:"verified"`
	Txids      []string `json:"txids"`
}

func newBlockCommand(a *app) *cobra.Command {
	var peerTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "block HEIGHT|HASH",
		Short: "Fetch a block from peers and verify it",
		Long: `Fetch a block of the verified header chain ('satchel sync' first) from
peers, or from the local cache, and check it against its header: merkle
root, the CVE-2012-2459 duplicate-transaction trick, and the segwit
witness commitment. A peer that sends a wrong block is banned. Lists the
block's transactions.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			node, err := a.startNode()
			if err != nil {
				return err
			}
			defer node.Stop()
			h, err := lookupHeader(node.Store(), args[0])
			if err != nil {
				return err
			}
			if err := node.WaitForPeer(cmd.Context(), peerTimeout); err != nil {
				return err
			}
			block, err := node.GetBlock(cmd.Context(), &h.Hash)
			if err != nil {
				return err
			}
			j := blockJSON{
				Hash: h.Hash.String(), Height: h.Height, MerkleRoot: h.Header.MerkleRoot.String(),
				Time: h.Header.Timestamp.Unix(), TxCount: len(block.Transactions),
				Size: block.SerializeSize(), Weight: blockchain.GetBlockWeight(btcutilBlock(block)),
				Verified: true,
			}
			for _, tx := range block.Transactions {
				j.Txids = append(j.Txids, tx.TxHash().String())
			}
			if a.flags.json {
				return a.printJSON(j)
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "Block\t%d %s\n", j.Height, j.Hash)
			fmt.Fprintf(tw, "Time\t%s\n", h.Header.Timestamp.UTC().Format(time.DateTime+" MST"))
			fmt.Fprintf(tw, "Merkle root\t%s (verified)\n", j.MerkleRoot)
			fmt.Fprintf(tw, "Size\t%d bytes, weight %d\n", j.Size, j.Weight)
			fmt.Fprintf(tw, "Transactions\t%d\n", j.TxCount)
			tw.Flush()
			for i, id := range j.Txids {
				a.printf("%6d  %s\n", i, id)
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&peerTimeout, "peer-timeout", defaultPeerTimeout, peerTimeoutUsage)
	return cmd
}

// txJSON is `tx --json`.
type txJSON struct {
	Txid      string      `json:"txid"`
	Wtxid     string      `json:"wtxid"`
	BlockHash string      `json:"block_hash,omitempty"`
	Height    *int32      `json:"block_height,omitempty"`
	Size      int         `json:"size"`
	VSize     int64       `json:"vsize"`
	Version   int32       `json:"version"`
	LockTime  uint32      `json:"locktime"`
	Inputs    []txInJSON  `json:"inputs"`
	Outputs   []txOutJSON `json:"outputs"`
	Source    string      `json:"source"`
}

type txInJSON struct {
	Txid     string   `json:"txid"`
	Vout     uint32   `json:"vout"`
	Sequence uint32   `json:"sequence"`
	Script   string   `json:"script_sig,omitempty"`
	Witness  []string `json:"witness,omitempty"`
}

type txOutJSON struct {
	Value   int64  `json:"value"`
	Address string `json:"address,omitempty"`
	Script  string `json:"script"`
	Type    string `json:"type"`
}

func newTxCommand(a *app) *cobra.Command {
	var (
		blockArg    string
		peerTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "tx TXID",
		Short: "Show a transaction from a block or a mempool",
		Long: `Show a transaction's inputs and outputs: from the block given by --block
(fetched and verified), from the blocks cached locally, or, if it is
unconfirmed, from the connected peers' mempools. A light node keeps no
index of old transactions: for a confirmed one that is not cached, give
--block.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			txid, err := chainhash.NewHashFromStr(args[0])
			if err != nil || len(args[0]) != 64 {
				return fmt.Errorf("%q is not a transaction id (64 hex characters)", args[0])
			}
			node, err := a.startNode()
			if err != nil {
				return err
			}
			defer node.Stop()
			opts := lightnode.FindTxOptions{PeerWait: peerTimeout, Mempool: true}
			if blockArg != "" {
				h, err := lookupHeader(node.Store(), blockArg)
				if err != nil {
					return err
				}
				opts.Block, opts.Mempool = &h.Hash, false
			}
			found, err := node.FindTx(cmd.Context(), txid, opts)
			if errors.Is(err, lightnode.ErrTxNotFound) && blockArg == "" {
				return fmt.Errorf("%w; give --block HEIGHT if it is confirmed", err)
			}
			if err != nil {
				return err
			}
			j := describeTx(found.Tx, a)
			j.Source = "block"
			if found.Block != nil {
				j.BlockHash = found.Block.Hash.String()
				j.Height = &found.Block.Height
			} else {
				j.Source = "mempool of " + found.Peer
			}
			if a.flags.json {
				return a.printJSON(j)
			}
			printTx(a, j)
			return nil
		},
	}
	cmd.Flags().StringVar(&blockArg, "block", "", "Height or hash of the block that holds the transaction")
	cmd.Flags().DurationVar(&peerTimeout, "peer-timeout", defaultPeerTimeout, peerTimeoutUsage)
	return cmd
}

// describeTx decodes a transaction for output.
func describeTx(tx *wire.MsgTx, a *app) txJSON {
	j := txJSON{
		Txid: tx.TxHash().String(), Wtxid: tx.WitnessHash().String(),
		Size: tx.SerializeSize(), VSize: (blockchain.GetTransactionWeight(btcutilTx(tx)) + 3) / 4,
		Version: tx.Version, LockTime: tx.LockTime,
	}
	for _, in := range tx.TxIn {
		ij := txInJSON{Txid: in.PreviousOutPoint.Hash.String(), Vout: in.PreviousOutPoint.Index,
			Sequence: in.Sequence, Script: hex.EncodeToString(in.SignatureScript)}
		for _, w := range in.Witness {
			ij.Witness = append(ij.Witness, hex.EncodeToString(w))
		}
		j.Inputs = append(j.Inputs, ij)
	}
	for _, out := range tx.TxOut {
		oj := txOutJSON{Value: out.Value, Script: hex.EncodeToString(out.PkScript)}
		class, addrs, _, _ := txscript.ExtractPkScriptAddrs(out.PkScript, a.net)
		oj.Type = class.String()
		if len(addrs) == 1 && class != txscript.PubKeyTy {
			oj.Address = addrs[0].EncodeAddress()
		}
		j.Outputs = append(j.Outputs, oj)
	}
	return j
}

func printTx(a *app, j txJSON) {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Txid\t%s\n", j.Txid)
	if j.Height != nil {
		fmt.Fprintf(tw, "Block\t%d %s\n", *j.Height, j.BlockHash)
	} else {
		fmt.Fprintf(tw, "Status\tunconfirmed (%s)\n", j.Source)
	}
	fmt.Fprintf(tw, "Size\t%d bytes, %d vbytes\n", j.Size, j.VSize)
	tw.Flush()
	a.printf("\nInputs\n")
	for i, in := range j.Inputs {
		if in.Vout == wire.MaxPrevOutIndex && strings.Trim(in.Txid, "0") == "" {
			a.printf("%4d  coinbase\n", i)
			continue
		}
		a.printf("%4d  %s:%d\n", i, in.Txid, in.Vout)
	}
	a.printf("\nOutputs\n")
	for i, out := range j.Outputs {
		addr := out.Address
		if addr == "" {
			addr = out.Type
		}
		a.printf("%4d  %s  %s\n", i, amount.FormatBTC(btcutil.Amount(out.Value)), addr)
	}
}

func newBroadcastCommand(a *app) *cobra.Command {
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "broadcast FILE|HEX",
		Short: "Send a signed transaction to the network",
		Long: `Announce a signed transaction to the connected peers, serve it to those
that ask, and report what they did with it: accepted into their mempool
(checked by asking for it back) or rejected with a reason. Give it as hex,
or as a file holding hex, raw bytes or a fully signed PSBT (binary or
base64), which is finalized first. A transaction that pays or spends the
--wallet wallet is recorded there as unconfirmed.`,
		Example: "  satchel broadcast signed.psbt\n  satchel broadcast 0200000001...",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tx, err := readTx(args[0])
			if err != nil {
				return err
			}
			res, err := a.broadcastTx(cmd, tx, wait)
			if err != nil {
				return err
			}
			if a.walletExists() {
				if w, err := a.openWallet(); err == nil {
					w.RecordSent(tx)
					w.Close()
				}
			}
			if a.flags.json {
				return a.printJSON(map[string]any{
					"txid": res.Txid.String(), "sent_to": nonNil(res.SentTo),
					"accepted": nonNil(res.Accepted), "rejected": res.Rejected,
				})
			}
			if len(res.Accepted) > 0 {
				a.printf("%s\naccepted by %s\n", res.Txid, strings.Join(res.Accepted, ", "))
			} else {
				a.printf("%s\nsent to %s; none confirmed having it in its mempool yet\n", res.Txid, strings.Join(res.SentTo, ", "))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 10*time.Second, waitUsage)
	return cmd
}

// waitUsage is the help of --wait, on every command that broadcasts.
const waitUsage = "How long to wait for peers to fetch the transaction"

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// broadcastTx starts the node, waits for the peers and broadcasts tx. It
// fails when no peer takes it.
func (a *app) broadcastTx(cmd *cobra.Command, tx *wire.MsgTx, wait time.Duration) (*lightnode.BroadcastResult, error) {
	node, err := a.startNode()
	if err != nil {
		return nil, err
	}
	defer node.Stop()
	if err := node.WaitForPeer(cmd.Context(), defaultPeerTimeout); err != nil {
		return nil, err
	}
	// Give the other --connect peers a moment to finish their handshake.
	waitForPeers(cmd.Context(), node, max(len(a.flags.connect), 1), 3*time.Second)
	if floor := node.RelayFloor(); floor > 0 {
		if rate := feeRateOf(tx, a); rate >= 0 && rate < floor {
			fmt.Fprintf(a.stderr, "warning: the fee rate %.1f sat/vB is below the peers' relay floor of %.1f sat/vB\n", rate, floor)
		}
	}
	res, err := node.Broadcast(cmd.Context(), tx, wait)
	var refused *lightnode.RejectError
	if errors.As(err, &refused) {
		a.logger().Warn("broadcast refused", "txid", tx.TxHash(), "code", refused.Code, "peer_said", refused.PeerSaid())
	}
	if err != nil {
		return nil, err
	}
	a.logger().Info("broadcast", "txid", res.Txid, "accepted", len(res.Accepted))
	if len(res.SentTo) == 0 && len(res.Accepted) == 0 {
		return nil, fmt.Errorf("no peer asked for transaction %s within %v and none has it (a peer does not ask again for one it refused before): change the transaction, its fee for example, or try other peers", res.Txid, wait)
	}
	return res, nil
}

// readTx reads a transaction given as hex or as a file holding hex or raw
// bytes.
func readTx(arg string) (*wire.MsgTx, error) {
	data := []byte(strings.TrimSpace(arg))
	if b, err := os.ReadFile(arg); err == nil {
		data = b
	} else if !isHex(string(data)) {
		return nil, fmt.Errorf("%q is neither a readable file nor transaction hex: %v", arg, unwrapPathError(err))
	}
	// A finalized PSBT (binary or base64) is accepted too.
	if trimmed := bytes.TrimSpace(data); bytes.HasPrefix(trimmed, []byte("psbt\xff")) || bytes.HasPrefix(trimmed, []byte("cHNidP")) {
		p, err := psbtx.Parse(trimmed)
		if err != nil {
			return nil, err
		}
		if err := psbtx.Finalize(p); err != nil {
			return nil, err
		}
		return psbtx.Extract(p)
	}
	if s := strings.TrimSpace(string(data)); isHex(s) {
		raw, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("bad transaction hex: %v", err)
		}
		data = raw
	}
	var tx wire.MsgTx
	r := bytes.NewReader(data)
	if err := tx.Deserialize(r); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errors.New("not a valid transaction: the data ends too early")
		}
		return nil, fmt.Errorf("not a valid transaction: %v", err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("not a valid transaction: %d bytes left over", r.Len())
	}
	if len(tx.TxIn) == 0 || len(tx.TxOut) == 0 {
		return nil, errors.New("not a valid transaction: no inputs or no outputs")
	}
	return &tx, nil
}

func isHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

func btcutilBlock(b *wire.MsgBlock) *btcutil.Block { return btcutil.NewBlock(b) }
func btcutilTx(tx *wire.MsgTx) *btcutil.Tx         { return btcutil.NewTx(tx) }

// feeRateOf returns a transaction's fee rate when the wallet knows every
// input's value, else -1.
func feeRateOf(tx *wire.MsgTx, a *app) float64 {
	if !a.walletExists() {
		return -1
	}
	w, err := a.openWallet(wallet.ReadOnly())
	if err != nil {
		return -1
	}
	defer w.Close()
	utxos, _, err := w.UTXOs()
	if err != nil {
		return -1
	}
	values := map[wire.OutPoint]int64{}
	for _, u := range utxos {
		values[u.OutPoint] = int64(u.Value)
	}
	var in, out int64
	for _, txIn := range tx.TxIn {
		v, ok := values[txIn.PreviousOutPoint]
		if !ok {
			return -1
		}
		in += v
	}
	for _, o := range tx.TxOut {
		out += o.Value
	}
	vsize := (blockchain.GetTransactionWeight(btcutil.NewTx(tx)) + 3) / 4
	return float64(in-out) / float64(vsize)
}
