package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/wallet"
)

func newAddressCommand(a *app) *cobra.Command {
	cmd := newGroupCommand("address", "Hand out and list the wallet's addresses")
	cmd.AddCommand(newAddressNewCommand(a), newAddressListCommand(a))
	return cmd
}

// addressJSON is one address in --json output.
type addressJSON struct {
	Index   uint32 `json:"index"`
	Address string `json:"address"`
	Path    string `json:"path"`
	Change  *bool  `json:"change,omitempty"`
	Used    *bool  `json:"used,omitempty"`
}

func newAddressNewCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "new",
		Short: "Hand out the next receive address",
		Long: `Hand out the next unused receive address. Each call gives a new one, so
a payer never learns which of your other payments are yours. Works
offline; no password needed.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := a.openWallet()
			if err != nil {
				return err
			}
			defer w.Close()
			addr, err := w.NewAddress(wallet.ReceiveBranch)
			if err != nil {
				return err
			}
			a.logger().Info("address handed out", "wallet", a.flags.walletName, "index", addr.Index)
			if a.flags.json {
				return a.printJSON(addressJSON{
					Index:   addr.Index,
					Address: addr.Address.EncodeAddress(),
					Path:    wallet.FormatPath(addr.Path),
				})
			}
			a.printf("%s\n", addr.Address.EncodeAddress())
			return nil
		},
	}
}

func newAddressListCommand(a *app) *cobra.Command {
	var (
		change bool
		count  uint32
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List receive (or change) addresses",
		Long: `List the addresses of the receive chain, or of the change chain with
--change, and whether each has been used. By default the list covers every
address handed out so far plus the gap limit: the window a scan watches.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if count > 100000 {
				return fmt.Errorf("--count %d is too large (at most 100000)", count)
			}
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			branch := wallet.ReceiveBranch
			if change {
				branch = wallet.ChangeBranch
			}
			addrs, err := w.Addresses(branch, count)
			if err != nil {
				return err
			}
			usedScripts, err := w.UsedScripts()
			if err != nil {
				return err
			}
			if a.flags.json {
				out := make([]addressJSON, len(addrs))
				for i, ad := range addrs {
					used := usedScripts[string(ad.Script)]
					out[i] = addressJSON{
						Index:   ad.Index,
						Address: ad.Address.EncodeAddress(),
						Path:    wallet.FormatPath(ad.Path),
						Change:  &change,
						Used:    &used,
					}
				}
				return a.printJSON(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "INDEX\tPATH\tADDRESS\tUSED")
			for _, ad := range addrs {
				used := ""
				if usedScripts[string(ad.Script)] {
					used = "yes"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", ad.Index, wallet.FormatPath(ad.Path), ad.Address.EncodeAddress(), used)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&change, "change", false, "List the change addresses instead")
	cmd.Flags().Uint32Var(&count, "count", 0, "List the first N addresses instead of the scan window")
	return cmd
}
