package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/amount"
)

func newCPFPCommand(a *app) *cobra.Command {
	var (
		feeRate   float64
		parentFee string
		psbtOut   string
		force     bool
		wait      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "cpfp TXID",
		Short: "Speed up an unconfirmed payment to this wallet (child pays for parent)",
		Long: `Speed up an unconfirmed transaction that pays this wallet (a payment to
us, or the change of our own) with a child: a new transaction that spends
this wallet's outputs of it to a new address of ours, paying a fee that
brings the two together to --fee-rate. Miners take both to collect the
child's fee:

  child fee = fee rate x (parent vsize + child vsize) - parent fee

The parent's fee is known when all its inputs are this wallet's, or when
the values of its inputs are in a transaction the node has seen (relayed,
or in a fetched block); otherwise give it with --parent-fee. The rate must
be above the parent's own. The child is signed and broadcast like
'satchel send', or written with --psbt-out.`,
		Example: "  satchel cpfp TXID --fee-rate 20\n  satchel cpfp TXID --fee-rate 20 --parent-fee 450sat",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseTxid(args[0])
			if err != nil {
				return err
			}
			if feeRate <= 0 {
				return errors.New("give the fee rate the two should pay together with --fee-rate SATVB")
			}
			var pf btcutil.Amount
			if parentFee != "" {
				if pf, err = amount.Parse(parentFee); err != nil {
					return fmt.Errorf("--parent-fee: %w", err)
				}
				if pf <= 0 {
					return errors.New("--parent-fee must be above zero (for example 450sat)")
				}
			}
			s, err := a.openSession(nil)
			if err != nil {
				return err
			}
			defer s.Close()
			if s.WatchOnly() && psbtOut == "" {
				return fmt.Errorf("%w: write the PSBT with --psbt-out FILE", session.ErrWatchOnly)
			}
			d, err := s.CPFP(cmd.Context(), *id, feeRate, session.BumpOptions{Force: force, ParentFee: pf})
			if errors.Is(err, wallet.ErrParentFeeUnknown) {
				return fmt.Errorf("%w; give it with --parent-fee AMOUNT (for example 450sat)", err)
			}
			if err != nil {
				return err
			}
			note := fmt.Sprintf("Speeds up %s: it pays %s (%s sat/vB, %d vB); with this child the two pay %s sat/vB together.",
				id, amount.FormatBTC(d.ParentFee), fees.FormatRate(d.ParentFeeRate), d.ParentVSize,
				fees.FormatRate(d.PackageFeeRate))
			return a.completePaymentWith(cmd, s, d.Draft, psbtOut, "", wait, map[string]any{
				"parent":           id.String(),
				"parent_fee":       int64(d.ParentFee),
				"parent_vsize":     d.ParentVSize,
				"package_fee_rate": d.PackageFeeRate,
				"note":             note,
			})
		},
	}
	cmd.Flags().Float64Var(&feeRate, "fee-rate", 0, "Fee rate in sat/vB for parent and child together (required)")
	cmd.Flags().StringVar(&parentFee, "parent-fee", "", "The parent's fee, when the wallet cannot work it out (450sat, 0.0000045)")
	cmd.Flags().StringVar(&psbtOut, "psbt-out", "", "Write the unsigned child PSBT to FILE instead of signing")
	cmd.Flags().BoolVar(&force, "force", false, forceUsage)
	cmd.Flags().DurationVar(&wait, "wait", 10*time.Second, waitUsage)
	return cmd
}
