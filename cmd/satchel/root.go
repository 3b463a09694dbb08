package main

import (
	"fmt"
	"io"
	"strings"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
)

// newRootCommand builds the command tree around a.
func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "satchel",
		Short: "A Bitcoin wallet and block explorer for the terminal",
		Long: `satchel holds an encrypted HD keystore, a light node that verifies what peers tell it,
and the whole PSBT lifecycle, so a payment can be built online, signed on an air-gapped
machine (--offline) and broadcast.

Every flag can also be set as SATCHEL_<FLAG> in the environment (SATCHEL_NETWORK=regtest,
SATCHEL_PASSWORD_FILE=...); the wallet password can be given as SATCHEL_PASSWORD.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup(cmd)
		},
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runTUI(cmd.Context())
		},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	a.bindFlags(root)
	root.AddCommand(
		newWalletCommand(a),
		newAddressCommand(a),
		newSyncCommand(a),
		newBalanceCommand(a),
		newHistoryCommand(a),
		newUTXOsCommand(a),
		newHeaderCommand(a),
		newBlockCommand(a),
		newTxCommand(a),
		newBroadcastCommand(a),
		newSendCommand(a),
		newBumpCommand(a),
		newPSBTCommand(a),
		newLabelsCommand(a),
		newPeersCommand(a),
		newNodeCommand(a),
		newVersionCommand(a),
	)
	return root
}

// errorHandler prints a command's error as one line on stderr.
func errorHandler(w io.Writer, _ fang.Styles, err error) {
	msg := err.Error()
	if isUsageError(msg) {
		msg += " (see --help)"
	}
	fmt.Fprintln(w, "satchel: "+msg)
}

// isUsageError tells cobra's own usage errors from ours, which never start
// with these words.
func isUsageError(msg string) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag",
		"flag needs an argument", "invalid argument", "accepts ", "required flag"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// newGroupCommand returns a command that only holds subcommands: alone it
// prints its help; with an unknown subcommand it fails.
func newGroupCommand(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
}
