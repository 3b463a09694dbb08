package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/wallet"
)

// multisigJSON is the policy of a multisig wallet in `wallet info --json`.
type multisigJSON struct {
	Threshold int            `json:"threshold"`
	Sorted    bool           `json:"sorted"`
	Cosigners []cosignerJSON `json:"cosigners"`
}

type cosignerJSON struct {
	Fingerprint string `json:"fingerprint"`
	Path        string `json:"path"`
	XPub        string `json:"xpub"`
}

// describeMultisig fills the multisig part of a wallet's description: the
// policy, and no fingerprint, account path or xpub of its own.
func describeMultisig(j *walletJSON, m *wallet.Multisig) {
	if m == nil {
		return
	}
	j.Fingerprint, j.AccountPath, j.XPub = "", "", ""
	mj := &multisigJSON{Threshold: m.Threshold, Sorted: m.Sorted, Cosigners: []cosignerJSON{}}
	for _, k := range m.Keys {
		mj.Cosigners = append(mj.Cosigners, cosignerJSON{Fingerprint: fmt.Sprintf("%08x", k.Origin.Fingerprint),
			Path: wallet.FormatPath(k.Origin.Path), XPub: k.Key.String()})
	}
	j.Multisig = mj
}

// printMultisigInfo writes the policy lines of `wallet info`.
func printMultisigInfo(w io.Writer, m *multisigJSON) {
	kind := "multi"
	if m.Sorted {
		kind = "sortedmulti"
	}
	fmt.Fprintf(w, "Policy\t%d of %d (%s)\n", m.Threshold, len(m.Cosigners), kind)
	for i, c := range m.Cosigners {
		fmt.Fprintf(w, "Cosigner %d\t[%s%s]%s\n", i+1, c.Fingerprint, c.Path[1:], c.XPub)
	}
}

// newWalletXPubCommand is `wallet xpub`: the wallet's account key
// expression, or with --bip48 its cosigner key for a multisig.
func newWalletXPubCommand(a *app) *cobra.Command {
	var (
		bip48      bool
		scriptType string
		account    uint32
	)
	cmd := &cobra.Command{
		Use:   "xpub",
		Short: "Print the wallet's key with its origin, or its multisig cosigner key (--bip48)",
		Long: `Print the wallet's account key with its key origin, as
[fingerprint/84h/1h/0h]tpub..., on the last line of the output.

With --bip48, print this seed's cosigner key for a multisig wallet instead:
the BIP48 account key m/48h/COIN'/ACCOUNT'/2h for p2wsh (1h for
p2sh-p2wsh), COIN being 0 on mainnet and 1 on the test networks. Give it
to the coordinator (satchel wallet import --descriptor
'wsh(sortedmulti(2,KEY1/<0;1>/*,KEY2/<0;1>/*,KEY3/<0;1>/*))', Sparrow,
Electrum...). Deriving it needs the password; the output is nothing but
the key expression.`,
		Example: "  satchel --network regtest wallet xpub --bip48\n  satchel wallet xpub --bip48 --script-type p2sh-p2wsh --account 1",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			if !bip48 {
				if scriptType != "p2wsh" || account != 0 {
					return errors.New("--script-type and --account go with --bip48")
				}
				return a.printWalletKey(w)
			}
			st, err := wallet.ParseMultisigScriptType(scriptType)
			if err != nil {
				return err
			}
			if w.WatchOnly() {
				return errors.New("this is a watch-only wallet: a cosigner key comes from a wallet with recovery words")
			}
			pw, err := a.password("Password for wallet "+a.flags.walletName, false)
			if err != nil {
				return err
			}
			signer, err := w.Unlock(pw)
			if err != nil {
				return err
			}
			key, err := wallet.CosignerKey(signer, st, a.net, account)
			signer.Close()
			if err != nil {
				return err
			}
			if a.flags.json {
				return a.printJSON(map[string]any{"key": key, "script_type": st.String(),
					"path": wallet.FormatPath(wallet.BIP48Path(st, a.net, account))})
			}
			a.printf("%s\n", key)
			return nil
		},
	}
	cmd.Flags().BoolVar(&bip48, "bip48", false, "Print the BIP48 multisig cosigner key (needs the password)")
	cmd.Flags().StringVar(&scriptType, "script-type", "p2wsh", "Multisig script type with --bip48: p2wsh or p2sh-p2wsh")
	cmd.Flags().Uint32Var(&account, "account", 0, "BIP48 account number with --bip48")
	_ = cmd.RegisterFlagCompletionFunc("script-type", completeValues("p2wsh", "p2sh-p2wsh"))
	return cmd
}

// printWalletKey prints the wallet's account key expression (no password).
func (a *app) printWalletKey(w *wallet.Wallet) error {
	info, err := w.Info()
	if err != nil {
		return err
	}
	if info.Multisig != nil {
		return errors.New("this is a multisig wallet: it has no key of its own; 'satchel wallet info' lists its cosigners")
	}
	key := fmt.Sprintf("[%08x%s]%s", info.Fingerprint, wallet.FormatPath(info.AccountPath)[1:], info.XPub)
	if a.flags.json {
		return a.printJSON(map[string]any{"key": key, "script_type": info.ScriptType.String(),
			"path": wallet.FormatPath(info.AccountPath)})
	}
	a.printf("%s\n", key)
	return nil
}
