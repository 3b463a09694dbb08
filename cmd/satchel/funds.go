package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// walletExists reports whether the --wallet file exists.
func (a *app) walletExists() bool {
	path, err := a.walletPath()
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}

// scanWallet scans the --wallet wallet with a synced node, showing
// progress on a terminal, and records its relayed unconfirmed payments.
func (a *app) scanWallet(ctx context.Context, node *lightnode.Node) (*wallet.ScanResult, wallet.Balance, error) {
	s, err := a.openSession(node)
	if err != nil {
		return nil, wallet.Balance{}, err
	}
	defer s.Close()
	var progress func(h, target int32)
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		last := time.Time{}
		progress = func(h, target int32) {
			if time.Since(last) > 100*time.Millisecond || h == target {
				last = time.Now()
				fmt.Fprintf(f, "\r\033[Kwallet scan %d / %d", h, target)
			}
		}
		defer fmt.Fprint(f, "\r\033[K")
	}
	res, err := s.Scan(ctx, progress)
	if err != nil {
		return res, wallet.Balance{}, err
	}
	bal, err := s.Wallet().Balance()
	return res, bal, err
}

func balanceJSON(b wallet.Balance) map[string]int64 {
	return map[string]int64{
		"confirmed": int64(b.Confirmed), "unconfirmed": int64(b.Unconfirmed),
		"immature": int64(b.Immature), "total": int64(b.Total),
	}
}

func (a *app) printBalance(b wallet.Balance) {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "Confirmed\t%s\t\n", amount.FormatBTC(b.Confirmed))
	fmt.Fprintf(tw, "Unconfirmed\t%s\t\n", amount.FormatBTC(b.Unconfirmed))
	fmt.Fprintf(tw, "Immature\t%s\t\n", amount.FormatBTC(b.Immature))
	fmt.Fprintf(tw, "Total\t%s\t\n", amount.FormatBTC(b.Total))
	tw.Flush()
}

func newBalanceCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "balance",
		Short: "Show the wallet's balance as of its last sync",
		Long: `Show the balance as of the last 'satchel sync': confirmed (spendable),
unconfirmed, immature (coinbase outputs need 100 confirmations) and the
total. Works offline; no password needed.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			b, err := w.Balance()
			if err != nil {
				return err
			}
			height := w.ScanHeight()
			if a.flags.json {
				j := map[string]any{"height": height}
				for k, v := range balanceJSON(b) {
					j[k] = v
				}
				return a.printJSON(j)
			}
			a.printBalance(b)
			if height < 0 {
				a.printf("\nNot synced yet: run 'satchel sync'.\n")
			} else {
				a.printf("\nAs of block %d.\n", height)
			}
			return nil
		},
	}
}

func newHistoryCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "history",
		Short: "List the wallet's transactions, newest first",
		Long: `List the wallet's transactions as of the last 'satchel sync', newest
first: block height, date, the amount (net to the wallet, signed: + for
received, - for spent; the points line up), txid and label. Unconfirmed
transactions are marked "unconf.".
Works offline; no password needed.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			hist, err := w.History()
			if err != nil {
				return err
			}
			type entry struct {
				Txid   string `json:"txid"`
				Height int32  `json:"height"`
				Time   int64  `json:"time,omitempty"`
				Amount int64  `json:"amount"`
				Fee    *int64 `json:"fee"`
				Label  string `json:"label"`
			}
			out := make([]entry, 0, len(hist))
			for _, h := range hist {
				e := entry{Txid: h.Txid.String(), Height: h.Height, Amount: int64(h.Amount), Label: h.Label}
				if !h.BlockTime.IsZero() && h.Height > 0 {
					e.Time = h.BlockTime.Unix()
				}
				if h.Fee >= 0 {
					fee := int64(h.Fee)
					e.Fee = &fee
				}
				out = append(out, e)
			}
			if a.flags.json {
				return a.printJSON(out)
			}
			if len(out) == 0 {
				a.printf("No transactions yet.\n")
				return nil
			}
			rows := make([]historyRow, len(out))
			for i, e := range out {
				rows[i] = historyRow{Txid: e.Txid, Height: e.Height, Amount: btcutil.Amount(e.Amount), Label: e.Label}
				if e.Time != 0 {
					rows[i].Time = time.Unix(e.Time, 0)
				}
			}
			return writeHistory(a.stdout, rows)
		},
	}
}

func newUTXOsCommand(a *app) *cobra.Command {
	var freeze, unfreeze []string
	cmd := &cobra.Command{
		Use:   "utxos",
		Short: "List, freeze and unfreeze the wallet's coins",
		Long: `List the wallet's coins (unspent outputs) as of the last 'satchel sync',
with their value, confirmations and address. --freeze keeps a coin out of
automatic coin selection (it can still be spent on purpose with
send --utxo); --unfreeze gives it back. Works offline; no password needed.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var opts []wallet.OpenOption
			if len(freeze)+len(unfreeze) == 0 {
				opts = append(opts, wallet.ReadOnly())
			}
			w, err := a.openWallet(opts...)
			if err != nil {
				return err
			}
			defer w.Close()
			for i, list := range [][]string{freeze, unfreeze} {
				for _, s := range list {
					op, err := parseOutPoint(s)
					if err != nil {
						return err
					}
					if err := w.SetFrozen(op, i == 0); err != nil {
						return err
					}
				}
			}
			utxos, tip, err := w.UTXOs()
			if err != nil {
				return err
			}
			type entry struct {
				Txid          string `json:"txid"`
				Vout          uint32 `json:"vout"`
				Value         int64  `json:"value"`
				Address       string `json:"address"`
				Path          string `json:"path"`
				Height        int32  `json:"height"`
				Confirmations int32  `json:"confirmations"`
				Coinbase      bool   `json:"coinbase"`
				Mature        bool   `json:"mature"`
				Frozen        bool   `json:"frozen"`
			}
			out := make([]entry, 0, len(utxos))
			for _, u := range utxos {
				e := entry{Txid: u.OutPoint.Hash.String(), Vout: u.OutPoint.Index, Value: int64(u.Value),
					Height: u.Height, Confirmations: u.Confirmations(tip), Coinbase: u.Coinbase,
					Mature: u.Mature(tip), Frozen: u.Frozen}
				if da, err := w.Address(u.Branch, u.Index); err == nil {
					e.Address, e.Path = da.Address.EncodeAddress(), wallet.FormatPath(da.Path)
				} else if _, addrs, _, _ := txscript.ExtractPkScriptAddrs(u.Script, a.net); len(addrs) == 1 {
					e.Address = addrs[0].EncodeAddress()
				}
				out = append(out, e)
			}
			if a.flags.json {
				return a.printJSON(out)
			}
			if len(out) == 0 {
				a.printf("No coins yet.\n")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "OUTPOINT\tVALUE\tCONF\tADDRESS\tNOTE")
			for _, e := range out {
				note := ""
				switch {
				case e.Frozen:
					note = "frozen"
				case !e.Mature:
					note = "immature"
				}
				fmt.Fprintf(tw, "%s:%d\t%s\t%d\t%s\t%s\n", e.Txid, e.Vout, amount.FormatBTC(btcutil.Amount(e.Value)), e.Confirmations, e.Address, note)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringArrayVar(&freeze, "freeze", nil, "Freeze the coin TXID:VOUT (repeatable)")
	cmd.Flags().StringArrayVar(&unfreeze, "unfreeze", nil, "Unfreeze the coin TXID:VOUT (repeatable)")
	return cmd
}

func newWalletRescanCommand(a *app) *cobra.Command {
	var (
		from        int32
		peerTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "rescan",
		Short: "Forget what the wallet scanned and scan again",
		Long: `Forget the wallet's confirmed transactions (all of them, or those from
--from HEIGHT on) and scan the chain again from its birthday or --from,
syncing like 'satchel sync'. Use it after importing a wallet with a wrong
birthday, or to rebuild its history.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := a.openWallet()
			if err != nil {
				return err
			}
			err = w.Rescan(from)
			w.Close()
			if err != nil {
				return err
			}
			return a.runSync(cmd.Context(), peerTimeout)
		},
	}
	cmd.Flags().Int32Var(&from, "from", -1, "First block height to scan; -1 scans from the wallet's birthday")
	cmd.Flags().DurationVar(&peerTimeout, "peer-timeout", defaultPeerTimeout, peerTimeoutUsage)
	return cmd
}

// historyRow is one line of `satchel history`.
type historyRow struct {
	Txid   string
	Height int32 // 0 or less: unconfirmed
	Time   time.Time
	Amount btcutil.Amount
	Label  string
}

// writeHistory prints the history as a table. The amounts are one column
// read like a bank statement: the sign (+ received, - spent) always in the
// column's first place, the digits right-aligned so that the points line
// up.
func writeHistory(w io.Writer, rows []historyRow) error {
	digits := make([]string, len(rows))
	width := 0
	for i, r := range rows {
		abs := r.Amount
		if abs < 0 {
			abs = -abs
		}
		digits[i] = strings.TrimSuffix(amount.FormatBTC(abs), " BTC")
		width = max(width, len(digits[i]))
	}
	// The label column is last and often empty: no padding after it.
	tw := tabwriter.NewWriter(&trimWriter{w: w}, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "HEIGHT\tDATE\t%*s\tTXID\tLABEL\n", width+len(" BTC")+1, "AMOUNT")
	for i, r := range rows {
		height, date := "unconf.", ""
		if r.Height > 0 {
			height = fmt.Sprint(r.Height)
			if !r.Time.IsZero() {
				date = r.Time.UTC().Format(time.DateOnly)
			}
		}
		sign := " "
		switch {
		case r.Amount > 0:
			sign = "+"
		case r.Amount < 0:
			sign = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%*s BTC\t%s\t%s\n", height, date, sign, width, digits[i], r.Txid, r.Label)
	}
	return tw.Flush()
}
