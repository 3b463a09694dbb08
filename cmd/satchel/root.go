package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newRootCommand builds the command tree around a.
func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "satchel",
		Short: "A Bitcoin wallet and block explorer for the terminal",
		Long: `satchel is a Bitcoin wallet and block explorer for the terminal: an
encrypted HD keystore, a light node that verifies what peers tell it, and
the whole PSBT lifecycle, so a payment can be built online, signed on an
air-gapped machine (--offline) and broadcast.

Run satchel with no command to open the interactive app, with Wallet,
Explorer, Node, Keys and Settings tabs; it needs a terminal. o on the
Wallet tab opens the PSBT page (open a file or pasted QR parts, review,
sign, combine, finalize, broadcast, export). 'satchel --offline' opens the
app as an offline signer: no network code at all, the PSBT page first.
The commands below do the same work from a shell or a script;
'satchel COMMAND --help' explains each one.

Every flag can also be set as SATCHEL_<FLAG> in the environment
(SATCHEL_NETWORK=regtest, SATCHEL_PASSWORD_FILE=...), and network, wallet,
datadir, connect, proxy and min_chain_work in
$XDG_CONFIG_HOME/satchel/config.toml; a flag beats the environment, which
beats the file. The wallet password can be given as SATCHEL_PASSWORD.

Privacy: no wallet address goes to a peer unless you pass --bip37-mempool;
--proxy socks5://127.0.0.1:9050 sends everything through Tor. See the
README's "Privacy and Tor".`,
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
	// cobra and fang write only the help (and the completion scripts, set
	// apart below) to the root's output.
	root.SetOut(helpOutput(a.stdout))
	root.SetErr(a.stderr)
	a.bindFlags(root)
	root.AddGroup(
		&cobra.Group{ID: groupWallet, Title: "Wallet commands"},
		&cobra.Group{ID: groupPay, Title: "Payment commands"},
		&cobra.Group{ID: groupChain, Title: "Chain and network commands"},
		&cobra.Group{ID: groupOther, Title: "Other commands"},
	)
	addToGroup(root, groupWallet,
		newWalletCommand(a),
		newAddressCommand(a),
		newSyncCommand(a),
		newBalanceCommand(a),
		newHistoryCommand(a),
		newUTXOsCommand(a),
		newLabelsCommand(a),
		newMessageCommand(a),
	)
	addToGroup(root, groupPay,
		newSendCommand(a),
		newBumpCommand(a),
		newCPFPCommand(a),
		newPSBTCommand(a),
		newBroadcastCommand(a),
	)
	addToGroup(root, groupChain,
		newHeaderCommand(a),
		newBlockCommand(a),
		newTxCommand(a),
		newPeersCommand(a),
		newNodeCommand(a),
		newFeesCommand(a),
	)
	addToGroup(root, groupOther, newVersionCommand(a))
	root.SetHelpCommandGroupID(groupOther)
	root.SetCompletionCommandGroupID(groupOther)
	// cobra adds its completion command when the root runs; adding it now
	// lets it get a shorter description, which keeps the command list narrow.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.SetOut(a.stdout) // a script, byte for byte
			c.Short = "Print a shell completion script"
			c.Long = `Print a script that makes your shell complete satchel's commands, flags
and flag values (such as --network) on tab. Each shell's help says how to
load it.`
		}
	}
	completeNoFiles(root)
	return root
}

// completeNoFiles keeps tab completion from offering file names where a
// file makes no sense: --datadir completes folders; the flags that name a
// file (…-file, --out, --psbt-out) and the commands whose arguments are
// files (FILE in their usage) complete file names; every other flag value
// (numbers, durations, addresses, coins) and argument (heights, hashes,
// txids) completes nothing, unless a flag registered its own values.
func completeNoFiles(root *cobra.Command) {
	_ = root.MarkPersistentFlagDirname("datadir")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() == "bool" || f.Name == "datadir" || namesFile(f.Name) {
				return
			}
			if _, ok := c.GetFlagCompletionFunc(f.Name); !ok {
				_ = c.RegisterFlagCompletionFunc(f.Name, cobra.NoFileCompletions)
			}
		})
		if !c.HasSubCommands() && c.ValidArgsFunction == nil && !strings.Contains(c.Use, "FILE") {
			c.ValidArgsFunction = cobra.NoFileCompletions
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// namesFile tells the flags whose value is a file.
func namesFile(flag string) bool {
	return strings.HasSuffix(flag, "-file") || flag == "out" || flag == "psbt-out"
}

// The groups of the root command's help.
const (
	groupWallet = "wallet"
	groupPay    = "pay"
	groupChain  = "chain"
	groupOther  = "other"
)

// addToGroup adds cmds to root under the help group id.
func addToGroup(root *cobra.Command, id string, cmds ...*cobra.Command) {
	for _, c := range cmds {
		c.GroupID = id
	}
	root.AddCommand(cmds...)
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
