package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/labels"
)

func newLabelsCommand(a *app) *cobra.Command {
	cmd := newGroupCommand("labels", "Import and export labels (BIP329 JSON lines)")
	cmd.Example = "  satchel labels export labels.jsonl\n  satchel --wallet cold labels import labels.jsonl"
	export := &cobra.Command{
		Use:   "export FILE|-",
		Short: "Write the wallet's labels and frozen coins as BIP329 JSON lines",
		Long: `Write the wallet's labels, and its frozen coins as outputs with
"spendable": false, as BIP329 JSON lines to FILE (created 0600, replaced
if it exists), or to stdout with -.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			all, err := w.Labels()
			if err != nil {
				return err
			}
			var out []labels.Label
			for key, text := range all {
				typ, ref, ok := strings.Cut(key, ":")
				if !ok {
					continue
				}
				out = append(out, labels.Label{Type: labels.Type(typ), Ref: ref, Label: text})
			}
			utxos, _, err := w.UTXOs()
			if err != nil {
				return err
			}
			no := false
			for _, u := range utxos {
				if u.Frozen {
					out = append(out, labels.Label{Type: labels.TypeOutput, Ref: u.OutPoint.String(), Spendable: &no})
				}
			}
			sort.Slice(out, func(i, j int) bool {
				if out[i].Type != out[j].Type {
					return out[i].Type < out[j].Type
				}
				return out[i].Ref < out[j].Ref
			})
			var dst io.Writer = a.stdout
			if args[0] != "-" {
				f, err := os.OpenFile(args[0], os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
				if err != nil {
					return fmt.Errorf("cannot write labels: %w", unwrapPathError(err))
				}
				defer f.Close()
				dst = f
			}
			return labels.Write(dst, out)
		},
	}
	imp := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Read labels and frozen coins from BIP329 JSON lines",
		Long: `Read BIP329 JSON lines from FILE, or stdin with -: each label is set on
the wallet (replacing an older one for the same item), and an output with
"spendable": false is frozen (true unfreezes it).`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var src io.Reader = a.stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("cannot read labels: %w", unwrapPathError(err))
				}
				defer f.Close()
				src = f
			}
			list, err := labels.Read(src)
			if err != nil {
				return err
			}
			w, err := a.openWallet()
			if err != nil {
				return err
			}
			defer w.Close()
			texts := map[string]string{}
			spendable := map[wire.OutPoint]bool{}
			for _, l := range list {
				if l.Label != "" {
					texts[string(l.Type)+":"+l.Ref] = l.Label
				}
				if l.Type == labels.TypeOutput && l.Spendable != nil {
					op, err := parseOutPoint(l.Ref)
					if err != nil {
						return err
					}
					spendable[op] = *l.Spendable
				}
			}
			frozen, err := w.ImportLabels(texts, spendable)
			if err != nil {
				return err
			}
			set := len(texts)
			if a.flags.json {
				return a.printJSON(map[string]any{"labels": set, "spendable_flags": frozen})
			}
			a.printf("Imported %d label%s and %d spendable flag%s.\n", set, plural(set), frozen, plural(frozen))
			return nil
		},
	}
	cmd.AddCommand(export, imp)
	return cmd
}
