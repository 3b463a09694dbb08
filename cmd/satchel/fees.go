package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// feesJSON is `fees --json`. Rates are in sat/vB, amounts in satoshis.
type feesJSON struct {
	Low        feeSuggestionJSON `json:"low"`
	Medium     feeSuggestionJSON `json:"medium"`
	High       feeSuggestionJSON `json:"high"`
	RelayFloor float64           `json:"relay_floor"`
	Peers      []feePeerJSON     `json:"peers"`
	Blocks     []feeBlockJSON    `json:"blocks"`
	Note       string            `json:"note"`
}

type feeSuggestionJSON struct {
	FeeRate float64 `json:"fee_rate"`
	Source  string  `json:"source"`
}

type feePeerJSON struct {
	Addr      string  `json:"addr"`
	FeeFilter float64 `json:"feefilter"`
}

type feeBlockJSON struct {
	Height   int32    `json:"height"`
	Hash     string   `json:"hash"`
	TxCount  int      `json:"tx_count"`
	Size     int      `json:"size"`
	Weight   int64    `json:"weight"`
	Subsidy  int64    `json:"subsidy"`
	Fees     int64    `json:"fees"`
	FeeRate  *float64 `json:"fee_rate"` // null for a block of only its coinbase
	Fullness float64  `json:"fullness"` // weight / 4,000,000
}

func newFeesCommand(a *app) *cobra.Command {
	var (
		peerTimeout time.Duration
		blocks      int
	)
	cmd := &cobra.Command{
		Use:   "fees",
		Short: "Suggest fee rates from what the node can verify",
		Long: `Sync the headers, fetch the last --blocks blocks (from the cache or from
peers, each checked against its header) and suggest low, medium and high
fee rates in sat/vB, each with where it comes from: a block's fees are its
coinbase's outputs minus the subsidy, over the size of its other
transactions; the peers' feefilters say the lowest rate they relay.

` + wrapText(fees.Explanation, 72),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if blocks < 1 || blocks > 144 {
				return fmt.Errorf("--blocks %d: give 1 to 144 blocks", blocks)
			}
			return a.runFees(cmd.Context(), blocks, peerTimeout)
		},
	}
	cmd.Flags().IntVar(&blocks, "blocks", fees.DefaultBlocks, "How many recent blocks to read")
	cmd.Flags().DurationVar(&peerTimeout, "peer-timeout", defaultPeerTimeout, peerTimeoutUsage)
	return cmd
}

func (a *app) runFees(ctx context.Context, blocks int, peerTimeout time.Duration) error {
	node, err := a.startNode()
	if err != nil {
		return err
	}
	defer node.Stop()
	switch err := node.WaitSynced(ctx, peerTimeout); {
	case errors.Is(err, lightnode.ErrNoPeers):
		return fmt.Errorf("%v: check --connect and your network", err)
	case err != nil:
		return err
	}
	est, err := node.FeeEstimate(ctx, blocks)
	if err != nil {
		return err
	}
	j := feesOf(est)
	if a.flags.json {
		return a.printJSON(j)
	}
	a.printFees(est)
	return nil
}

// feesOf is an estimate as `fees --json` writes it.
func feesOf(e fees.Estimate) feesJSON {
	j := feesJSON{
		Low:        feeSuggestionJSON{FeeRate: e.Low.Rate, Source: e.Low.From},
		Medium:     feeSuggestionJSON{FeeRate: e.Medium.Rate, Source: e.Medium.From},
		High:       feeSuggestionJSON{FeeRate: e.High.Rate, Source: e.High.From},
		RelayFloor: e.Floor,
		Peers:      []feePeerJSON{},
		Blocks:     []feeBlockJSON{},
		Note:       fees.Explanation,
	}
	for _, p := range e.Peers {
		j.Peers = append(j.Peers, feePeerJSON{Addr: p.Addr, FeeFilter: p.Rate})
	}
	for _, b := range e.Blocks {
		bj := feeBlockJSON{Height: b.Height, Hash: b.Hash.String(), TxCount: b.TxCount, Size: b.Size,
			Weight: b.Weight, Subsidy: int64(b.Subsidy), Fees: int64(b.Fees), Fullness: b.Fullness()}
		if r, ok := b.FeeRate(); ok {
			bj.FeeRate = &r
		}
		j.Blocks = append(j.Blocks, bj)
	}
	return j
}

// printFees writes the suggestions, the blocks and peers they come from
// and what they mean.
func (a *app) printFees(e fees.Estimate) {
	tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
	for _, s := range []struct {
		name string
		s    fees.Suggestion
	}{{"low", e.Low}, {"medium", e.Medium}, {"high", e.High}} {
		fmt.Fprintf(tw, "%s\t%s sat/vB\t%s\n", s.name, fees.FormatRate(s.s.Rate), s.s.From)
	}
	tw.Flush()
	a.printf("\nRecent blocks:\n")
	tw = tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "HEIGHT\tTXS\tFEES\tFEE RATE\tWEIGHT\tFULL\t")
	for _, b := range e.Blocks {
		rate := "–"
		if r, ok := b.FeeRate(); ok {
			rate = fees.FormatRate(r) + " sat/vB"
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%s\t\n", b.Height, b.TxCount, amount.FormatSat(b.Fees),
			rate, b.Weight, fullness(b.Fullness()))
	}
	tw.Flush()
	if len(e.Peers) == 0 {
		a.printf("\nNo peer sent a feefilter.\n")
	} else {
		a.printf("\nPeers' feefilters (the lowest rate each relays):\n")
		for _, p := range e.Peers {
			a.printf("  %s  %s sat/vB\n", p.Addr, fees.FormatRate(p.Rate))
		}
	}
	a.printf("\n%s\n", wrapText(fees.Explanation, 76))
}

// fullness writes a block's share of the weight limit: "0.02%", "99.8%".
func fullness(f float64) string {
	if f < 0.1 {
		return fmt.Sprintf("%.2f%%", f*100)
	}
	return fmt.Sprintf("%.1f%%", f*100)
}

// wrapText breaks s into lines of at most width characters at spaces.
func wrapText(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		switch {
		case n == 0:
		case n+1+len(w) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
