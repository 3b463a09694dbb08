package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
)

// newPasswordEnv holds the new password of `wallet passwd`, like
// SATCHEL_PASSWORD holds the current one.
const newPasswordEnv = "SATCHEL_NEW_PASSWORD"

func newWalletCommand(a *app) *cobra.Command {
	cmd := newGroupCommand("wallet", "Create, restore, import and inspect wallets")
	cmd.AddCommand(
		newWalletCreateCommand(a),
		newWalletRestoreCommand(a),
		withURImport(a, newWalletImportCommand(a)), newWalletExportCommand(a),
		newWalletListCommand(a),
		newWalletInfoCommand(a),
		newWalletXPubCommand(a),
		newWalletPasswdCommand(a),
		newWalletShowMnemonicCommand(a),
		newWalletRescanCommand(a),
	)
	return cmd
}

// walletJSON is the public description of a wallet in --json output.
type walletJSON struct {
	Name           string          `json:"name"`
	Network        string          `json:"network"`
	Fingerprint    string          `json:"fingerprint"`
	ScriptType     string          `json:"script_type"`
	WatchOnly      bool            `json:"watch_only"`
	XPub           string          `json:"xpub"`
	SLIP132        string          `json:"slip132,omitempty"`
	AccountPath    string          `json:"account_path"`
	Descriptors    descriptorsJSON `json:"descriptors"`
	BirthdayHeight *int32          `json:"birthday_height"`
	BirthdayDate   string          `json:"birthday_date,omitempty"`
	Created        time.Time       `json:"created"`
	GapLimit       uint32          `json:"gap_limit"`
	NextReceive    uint32          `json:"next_receive_index"`
	NextChange     uint32          `json:"next_change_index"`
	Encryption     *encryptionJSON `json:"encryption,omitempty"`
	Mnemonic       string          `json:"mnemonic,omitempty"`
	FirstAddress   string          `json:"first_address,omitempty"`
	Multisig       *multisigJSON   `json:"multisig,omitempty"`
}

type descriptorsJSON struct {
	Receive string `json:"receive"`
	Change  string `json:"change"`
}

type encryptionJSON struct {
	KDF       string `json:"kdf"`
	MemoryKiB uint32 `json:"memory_kib"`
	Time      uint32 `json:"time"`
	Threads   uint8  `json:"threads"`
	Cipher    string `json:"cipher"`
}

// describeWallet collects a wallet's public description.
func (a *app) describeWallet(w *wallet.Wallet) (*walletJSON, error) {
	info, err := w.Info()
	if err != nil {
		return nil, err
	}
	j := &walletJSON{
		Name:        a.flags.walletName,
		Network:     networkName(a.net),
		Fingerprint: fmt.Sprintf("%08x", info.Fingerprint),
		ScriptType:  info.ScriptType.String(),
		WatchOnly:   info.WatchOnly,
		XPub:        info.XPub,
		AccountPath: wallet.FormatPath(info.AccountPath),
		Descriptors: descriptorsJSON{
			Receive: info.Receive.String(),
			Change:  info.Change.String(),
		},
		Created:     info.Created,
		GapLimit:    info.GapLimit,
		NextReceive: info.NextReceive,
		NextChange:  info.NextChange,
	}
	if info.BirthdayHeight >= 0 {
		h := info.BirthdayHeight
		j.BirthdayHeight = &h
	}
	if !info.BirthdayDate.IsZero() {
		j.BirthdayDate = info.BirthdayDate.Format(wallet.BirthdayDateLayout)
	}
	if info.Multisig != nil {
		describeMultisig(j, info.Multisig)
	} else if s, err := wallet.EncodeSLIP132(info.Receive.Key, info.ScriptType, a.net); err == nil && s != info.XPub {
		j.SLIP132 = s
	}
	if !info.WatchOnly {
		st, err := w.Keystore()
		if err != nil {
			return nil, err
		}
		p := st.KDFParams()
		j.Encryption = &encryptionJSON{
			KDF: "argon2id", MemoryKiB: p.Memory, Time: p.Time, Threads: p.Threads,
			Cipher: "xchacha20-poly1305",
		}
	}
	return j, nil
}

// ensureNewWallet fails early, before any prompt, when the wallet exists.
func (a *app) ensureNewWallet() (string, error) {
	path, err := a.walletPath()
	if err != nil {
		return "", err
	}
	if _, err := os.Lstat(path); err == nil {
		return "", a.existsError()
	}
	return path, nil
}

func (a *app) existsError() error {
	return fmt.Errorf("a wallet named %q already exists on %s; choose another name with --wallet NAME",
		a.flags.walletName, networkName(a.net))
}

// createWallet writes the wallet and reports what was made.
func (a *app) createWallet(path string, cfg *wallet.CreateConfig, mnemonic string) error {
	w, err := wallet.Create(path, a.net, cfg)
	if errors.Is(err, wallet.ErrExists) {
		return a.existsError()
	}
	if err != nil {
		return err
	}
	defer w.Close()
	j, err := a.describeWallet(w)
	if err != nil {
		return err
	}
	first, err := w.Address(wallet.ReceiveBranch, 0)
	if err != nil {
		return err
	}
	j.FirstAddress = first.Address.EncodeAddress()
	a.logger().Info("wallet created", "wallet", j.Name, "fingerprint", j.Fingerprint,
		"script_type", j.ScriptType, "watch_only", j.WatchOnly)

	if a.flags.json {
		j.Mnemonic = mnemonic
		return a.printJSON(j)
	}
	kind := "wallet"
	if j.WatchOnly {
		kind = "watch-only wallet"
	}
	a.printf("Created %s %q on %s (%s, fingerprint %s).\n", kind, j.Name, j.Network, j.ScriptType, j.Fingerprint)
	if mnemonic != "" {
		a.printf("\nWrite these %d words down, in order, and keep them offline. Anyone who sees them\n"+
			"can take your coins; without them (or this file and its password) the coins are lost.\n"+
			"They are shown only now; 'satchel wallet show-mnemonic' shows them again after the password.\n\n",
			len(strings.Fields(mnemonic)))
		a.printf("%s\n", formatWords(mnemonic))
	}
	a.printf("\nReceive descriptor: %s\nFirst address:      %s\n", j.Descriptors.Receive, j.FirstAddress)
	return nil
}

// formatWords lays out numbered words in rows of four.
func formatWords(mnemonic string) string {
	var b strings.Builder
	for i, w := range strings.Fields(mnemonic) {
		fmt.Fprintf(&b, "%4d. %-10s", i+1, w)
		if i%4 == 3 {
			b.WriteString("\n")
		}
	}
	return strings.TrimRight(b.String(), "\n ")
}

// createFromMnemonic reads the optional passphrase, asks for a new password
// and writes a wallet that can sign. With show, the words are printed once.
func (a *app) createFromMnemonic(path, mnemonic, passphraseFile string, st wallet.ScriptType, birthday wallet.Birthday, show bool) error {
	pass, err := a.passphrase(passphraseFile)
	if err != nil {
		return err
	}
	pw, err := a.password("Choose a password for wallet "+a.flags.walletName, true)
	if err != nil {
		return err
	}
	secret, err := keystore.NewSecret(mnemonic, pass)
	if err != nil {
		return err
	}
	defer secret.Zero()
	shown := ""
	if show {
		shown = mnemonic
	}
	return a.createWallet(path, &wallet.CreateConfig{
		Secret: secret, Password: pw, ScriptType: st,
		KeystoreOptions: a.keystoreOpts, BirthdayHeight: birthday.Height, BirthdayDate: birthday.Date,
	}, shown)
}

// passphrase reads the optional BIP39 passphrase file.
func (a *app) passphrase(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	p, err := a.readSecretFile(path, "passphrase")
	if err != nil {
		return "", err
	}
	return string(p), nil
}

func newWalletCreateCommand(a *app) *cobra.Command {
	var (
		words          int
		scriptType     string
		passphraseFile string
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a wallet with new recovery words",
		Long: `Create a wallet from new random recovery words (BIP39), named by --wallet.
The words are shown once: write them down. The keys are encrypted with
your password (argon2id + XChaCha20-Poly1305); the public part (xpub,
descriptors) stays readable, so a locked wallet can still hand out
addresses, sync and show its balance.`,
		Example: "  satchel --network regtest wallet create\n  satchel --wallet savings wallet create --words 24 --script-type p2tr",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if words != 12 && words != 24 {
				return fmt.Errorf("--words must be 12 or 24, not %d", words)
			}
			st, err := wallet.ParseScriptType(scriptType)
			if err != nil {
				return err
			}
			path, err := a.ensureNewWallet()
			if err != nil {
				return err
			}
			mnemonic, err := keystore.NewMnemonic(words)
			if err != nil {
				return err
			}
			return a.createFromMnemonic(path, mnemonic, passphraseFile, st, wallet.UnknownBirthday, true)
		},
	}
	cmd.Flags().IntVar(&words, "words", 12, "Number of words: 12 or 24")
	cmd.Flags().StringVar(&scriptType, "script-type", "p2wpkh", "Script type: "+scriptTypeList)
	cmd.Flags().StringVar(&passphraseFile, "passphrase-file", "", "Read an optional BIP39 passphrase from FILE")
	_ = cmd.RegisterFlagCompletionFunc("words", completeValues("12", "24"))
	_ = cmd.RegisterFlagCompletionFunc("script-type", completeValues(scriptTypeNames...))
	return cmd
}

func newWalletRestoreCommand(a *app) *cobra.Command {
	var (
		mnemonicFile   string
		passphraseFile string
		scriptType     string
		birthdayText   string
		discover       bool
	)
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore a wallet from its recovery words",
		Long: `Restore a wallet from 12, 15, 18, 21 or 24 BIP39 words, read from
--mnemonic-file (- for stdin) or typed at the prompt. At the prompt the
words are not shown: they are asked one at a time (four letters are
enough), a word that is not in the BIP39 list is asked for again, and a
wrong checksum asks which word to type again. From a file, a word that is
not in the list is named with its position and the closest words.
--birthday HEIGHT or --birthday YYYY-MM-DD makes the scan skip the blocks
before that height or date, which is much faster when you know roughly
when the wallet was first used. A date starts the scan a day early, as
block times can be a few hours off; it is looked up in the header chain
when the first scan runs.

--discover finds the script types the words were used with: it syncs,
looks for payments to the first 20 receive and 10 change addresses of
p2wpkh, p2tr, p2sh-p2wpkh and p2pkh in the block filters (from the
birthday on) and restores one wallet per type found: the first as
--wallet, the others as NAME-TYPE (default-p2tr).`,
		Example: "  satchel wallet restore --mnemonic-file words.txt --birthday 800000\n  satchel wallet restore --birthday 2021-06-01 --discover\n  cat words.txt | satchel wallet restore --mnemonic-file - --password-file pw.txt",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if discover && cmd.Flags().Changed("script-type") {
				return errors.New("give either --discover or --script-type, not both")
			}
			if discover && a.flags.offline {
				return errors.New("--discover looks at the block filters and needs the network, but --offline is set; give --script-type instead")
			}
			st, err := wallet.ParseScriptType(scriptType)
			if err != nil {
				return err
			}
			birthday, err := parseBirthdayFlag(birthdayText)
			if err != nil {
				return err
			}
			path, err := a.ensureNewWallet()
			if err != nil {
				return err
			}
			words, err := a.readMnemonic(mnemonicFile)
			if err != nil {
				return err
			}
			mnemonic, err := keystore.NormalizeMnemonic(words)
			if err != nil {
				return err
			}
			if discover {
				return a.restoreDiscovered(cmd.Context(), mnemonic, passphraseFile, birthday)
			}
			return a.createFromMnemonic(path, mnemonic, passphraseFile, st, birthday, false)
		},
	}
	cmd.Flags().BoolVar(&discover, "discover", false, "Find the script types the words were used with, over the block filters, and restore each")
	cmd.Flags().StringVar(&mnemonicFile, "mnemonic-file", "", "Read the recovery words from FILE (- for stdin)")
	cmd.Flags().StringVar(&passphraseFile, "passphrase-file", "", "Read the wallet's BIP39 passphrase, if it has one, from FILE")
	cmd.Flags().StringVar(&scriptType, "script-type", "p2wpkh", "Script type: "+scriptTypeList)
	cmd.Flags().StringVar(&birthdayText, "birthday", "", birthdayUsage)
	_ = cmd.RegisterFlagCompletionFunc("script-type", completeValues(scriptTypeNames...))
	return cmd
}

// restoreDiscovered is `wallet restore --discover`: it finds the script
// types the seed used (session.DiscoverScriptTypes, progress on stderr),
// then writes one wallet per type found, named --wallet and NAME-TYPE.
func (a *app) restoreDiscovered(ctx context.Context, mnemonic, passphraseFile string, birthday wallet.Birthday) error {
	pass, err := a.passphrase(passphraseFile)
	if err != nil {
		return err
	}
	secret, err := keystore.NewSecret(mnemonic, pass)
	if err != nil {
		return err
	}
	defer secret.Zero()
	node, err := a.startNode()
	if err != nil {
		return err
	}
	defer node.Stop()
	stop := a.showProgress(node)
	last := time.Time{}
	uses, err := session.DiscoverScriptTypes(ctx, node, a.net, secret, birthday, defaultPeerTimeout,
		func(p session.DiscoverProgress) {
			if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !p.Syncing &&
				(time.Since(last) > 100*time.Millisecond || p.Height == p.Target) {
				last = time.Now()
				fmt.Fprintf(f, "\r\033[Klooking for script types: block %d / %d", p.Height, p.Target)
			}
		})
	stop()
	if err != nil {
		return err
	}
	dir, err := a.walletsDir()
	if err != nil {
		return err
	}
	base := a.flags.walletName
	defer func() { a.flags.walletName = base }()
	type found struct {
		st   wallet.ScriptType
		name string
	}
	var todo []found
	for _, u := range uses {
		if !u.Used() {
			fmt.Fprintf(a.stderr, "  %-12s no payments to its first addresses\n", u.Type)
			continue
		}
		name := base
		if len(todo) > 0 {
			name = base + "-" + u.Type.String()
		}
		fmt.Fprintf(a.stderr, "  %-12s %d payment%s from block %d: restored as wallet %q\n",
			u.Type, u.Payments, plural(u.Payments), u.FirstHeight, name)
		if _, err := os.Lstat(wallet.FilePath(dir, name)); err == nil {
			return fmt.Errorf("a wallet named %q already exists on %s; choose another name with --wallet NAME",
				name, networkName(a.net))
		}
		todo = append(todo, found{u.Type, name})
	}
	if len(todo) == 0 {
		return errors.New("no payments were found to the first addresses of any script type" +
			"; check the words, the passphrase and --birthday, or restore with --script-type TYPE")
	}
	pw, err := a.password("Choose a password for the restored wallets", true)
	if err != nil {
		return err
	}
	var made []*walletJSON // for --json: one array of the wallets
	for _, f := range todo {
		a.flags.walletName = f.name
		cfg := &wallet.CreateConfig{Secret: secret, Password: pw, ScriptType: f.st,
			KeystoreOptions: a.keystoreOpts, BirthdayHeight: birthday.Height, BirthdayDate: birthday.Date}
		if !a.flags.json {
			if err := a.createWallet(wallet.FilePath(dir, f.name), cfg, ""); err != nil {
				return err
			}
			continue
		}
		w, err := wallet.Create(wallet.FilePath(dir, f.name), a.net, cfg)
		if err != nil {
			return err
		}
		j, err := a.describeWallet(w)
		w.Close()
		if err != nil {
			return err
		}
		made = append(made, j)
	}
	if a.flags.json {
		return a.printJSON(made)
	}
	return nil
}

// parseBirthdayFlag reads --birthday: a height, a date or nothing; -1 is
// the old spelling of nothing.
func parseBirthdayFlag(s string) (wallet.Birthday, error) {
	if strings.TrimSpace(s) == "-1" {
		return wallet.UnknownBirthday, nil
	}
	b, err := wallet.ParseBirthday(s, time.Now())
	if err != nil {
		return b, fmt.Errorf("--birthday: %w", err)
	}
	return b, nil
}

// scriptTypeNames are the --script-type values, in the order the help lists
// them.
var scriptTypeNames = []string{"p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh"}

// scriptTypeList is scriptTypeNames as the help spells them.
const scriptTypeList = "p2wpkh, p2tr, p2sh-p2wpkh or p2pkh"

// birthdayUsage is the help of --birthday.
const birthdayUsage = "First block to scan: a height or a date (YYYY-MM-DD); -1 scans from the start"

// readMnemonic reads the recovery words from a file, stdin or the terminal.
func (a *app) readMnemonic(path string) (string, error) {
	if path != "" {
		b, err := a.readSecretFile(path, "mnemonic")
		return string(b), err
	}
	if a.term == nil {
		return "", errors.New("the recovery words are needed: use --mnemonic-file FILE (or - for stdin), or run in a terminal")
	}
	return a.promptMnemonic()
}

// quietMnemonicError describes a mnemonic error without repeating the words
// that were typed, which are (nearly) the secret.
func quietMnemonicError(err error) string {
	var we *keystore.WordError
	if errors.As(err, &we) {
		return fmt.Sprintf("word %d is not in the BIP39 word list", we.Position)
	}
	return err.Error()
}

// promptMnemonic asks for the recovery words one at a time, without showing
// them. A word that is not a BIP39 word is asked for again, with the closest
// words; a wrong checksum asks which word to type again. Nothing typed so
// far is lost to a typo.
func (a *app) promptMnemonic() (string, error) {
	fmt.Fprintln(a.stderr, "The recovery words are not shown on the screen as you type them.\n"+
		"Type them one at a time (the first four letters of a word are enough), or paste the whole phrase now.")
	n := 0
	for n == 0 {
		b, err := a.term.ReadPassword("How many words? (12, 15, 18, 21 or 24; Enter for 12): ")
		if err != nil {
			return "", err
		}
		s := strings.TrimSpace(string(b))
		if len(strings.Fields(s)) > 1 {
			m, err := keystore.NormalizeMnemonic(s)
			if err == nil {
				return m, nil
			}
			fmt.Fprintf(a.stderr, "  The pasted phrase: %s. Give the number of words and type them one at a time.\n",
				quietMnemonicError(err))
			continue
		}
		switch s {
		case "":
			n = 12
		case "12", "15", "18", "21", "24":
			n, _ = strconv.Atoi(s)
		default:
			fmt.Fprintln(a.stderr, "  A BIP39 backup has 12, 15, 18, 21 or 24 words.")
			continue
		}
		fmt.Fprintf(a.stderr, "  %d words.\n", n)
	}
	words := make([]string, n)
	// ask reads word i until it is a BIP39 word.
	ask := func(i int) error {
		for {
			b, err := a.term.ReadPassword(fmt.Sprintf("Word %d of %d: ", i+1, n))
			if err != nil {
				return err
			}
			fields := strings.Fields(string(b))
			switch {
			case len(fields) == 0:
				fmt.Fprintf(a.stderr, "  Nothing typed: type word %d.\n", i+1)
				continue
			case len(fields) > 1:
				fmt.Fprintf(a.stderr, "  That was %d words: type word %d alone.\n", len(fields), i+1)
				continue
			}
			w, err := keystore.CheckWord(fields[0], i+1)
			if err != nil {
				// Not repeated on the screen: it is (nearly) a word of
				// the secret.
				fmt.Fprintf(a.stderr, "  Word %d is not in the BIP39 word list. Type it again.\n", i+1)
				continue
			}
			words[i] = w
			return nil
		}
	}
	for i := range n {
		if err := ask(i); err != nil {
			return "", err
		}
	}
	for {
		m, err := keystore.NormalizeMnemonic(strings.Join(words, " "))
		if err == nil {
			fmt.Fprintln(a.stderr, "  The checksum matches.")
			return m, nil
		}
		fmt.Fprintf(a.stderr, "  %v.\n", err)
		s, err := a.term.ReadLine(fmt.Sprintf("Which word do you want to type again? (1-%d, or q to stop): ", n))
		if err != nil {
			return "", err
		}
		s = strings.TrimSpace(s)
		if s == "q" || s == "Q" {
			return "", errors.New("the restore was stopped: the words do not make a valid mnemonic")
		}
		k, convErr := strconv.Atoi(s)
		if convErr != nil || k < 1 || k > n {
			fmt.Fprintf(a.stderr, "  %q is not a word number from 1 to %d.\n", s, n)
			continue
		}
		if err := ask(k - 1); err != nil {
			return "", err
		}
	}
}

func newWalletImportCommand(a *app) *cobra.Command {
	var (
		descriptors  []string
		xpub         string
		scriptType   string
		birthdayText string
	)
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import a watch-only wallet from descriptors or an xpub",
		Long: `Import a watch-only wallet: it hands out addresses, syncs and builds
PSBTs, but holds no keys and never asks for a password; the PSBTs are
signed on the machine that has the keys.

Give one multipath descriptor (.../<0;1>/*), or a receive (.../0/*) and a
change (.../1/*) descriptor, or an extended public key. For --xpub, the
SLIP-132 prefix picks the script type (ypub/upub: p2sh-p2wpkh, zpub/vpub:
p2wpkh); for xpub/tpub give --script-type (default p2wpkh). A key origin
may precede the key: [fingerprint/84h/0h/0h]xpub...

A multisig wallet is a descriptor too: wsh(sortedmulti(2,KEY,KEY,KEY)),
sh(wsh(sortedmulti(...))) or multi() instead of sortedmulti(), each KEY a
cosigner key ('satchel wallet xpub --bip48' on each signer) followed by
/<0;1>/*. Its PSBTs carry every cosigner's key origin; each signer signs
with 'satchel psbt sign', then 'psbt combine' and 'psbt finalize'.`,
		Example: "  satchel wallet import --descriptor 'wpkh([73c5da0a/84h/0h/0h]xpub.../<0;1>/*)'\n  satchel --wallet cold wallet import --xpub zpub...",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			birthday, err := parseBirthdayFlag(birthdayText)
			if err != nil {
				return err
			}
			var stGiven *wallet.ScriptType
			if cmd.Flags().Changed("script-type") {
				st, err := wallet.ParseScriptType(scriptType)
				if err != nil {
					return err
				}
				stGiven = &st
			}
			recv, change, err := a.importDescriptors(descriptors, xpub, stGiven)
			if err != nil {
				return err
			}
			path, err := a.ensureNewWallet()
			if err != nil {
				return err
			}
			return a.createWallet(path, &wallet.CreateConfig{
				Receive: recv, Change: change, BirthdayHeight: birthday.Height, BirthdayDate: birthday.Date,
			}, "")
		},
	}
	cmd.Flags().StringArrayVar(&descriptors, "descriptor", nil, "Output descriptor (repeat: one for receive, one for change)")
	cmd.Flags().StringVar(&xpub, "xpub", "", "Extended public key: xpub, ypub, zpub, tpub, upub or vpub")
	cmd.Flags().StringVar(&scriptType, "script-type", "p2wpkh", "Script type of an xpub or tpub: "+scriptTypeList)
	cmd.Flags().StringVar(&birthdayText, "birthday", "", birthdayUsage)
	_ = cmd.RegisterFlagCompletionFunc("script-type", completeValues(scriptTypeNames...))
	return cmd
}

// importDescriptors turns the import flags into the receive and change
// descriptors of a watch-only wallet.
func (a *app) importDescriptors(descs []string, xpub string, st *wallet.ScriptType) (recv, change *wallet.Descriptor, err error) {
	switch {
	case len(descs) > 0 && xpub != "":
		return nil, nil, errors.New("give either --descriptor or --xpub, not both")
	case xpub != "" && strings.ContainsAny(xpub, "()"):
		return nil, nil, errors.New("--xpub takes an extended public key; give a descriptor with --descriptor")
	case xpub != "":
		descs = []string{xpub}
	case len(descs) == 0:
		return nil, nil, errors.New("give --descriptor DESC or --xpub KEY")
	case st != nil:
		return nil, nil, errors.New("--script-type applies to --xpub; a descriptor names its own script type")
	}
	for _, d := range descs {
		if xpub == "" && !strings.ContainsAny(d, "()") {
			return nil, nil, errors.New("--descriptor takes a descriptor such as wpkh(...); give an extended key with --xpub")
		}
	}
	wo, err := wallet.WatchOnlyDescriptors(descs, st, a.net)
	if err != nil {
		return nil, nil, err
	}
	return wo.Receive, wo.Change, nil
}

func newWalletListCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the wallets on the chosen --network",
		Long: `List the wallets on the chosen --network, with their script type,
fingerprint and whether they hold keys; the one --wallet names is marked
with *. No password is needed.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			dir, err := a.walletsDir()
			if err != nil {
				return err
			}
			list, err := wallet.List(dir, a.net)
			if err != nil {
				return err
			}
			type entry struct {
				Name        string `json:"name"`
				ScriptType  string `json:"script_type,omitempty"`
				Fingerprint string `json:"fingerprint,omitempty"`
				WatchOnly   bool   `json:"watch_only"`
				Error       string `json:"error,omitempty"`
			}
			entries := make([]entry, 0, len(list))
			for _, s := range list {
				e := entry{Name: s.Name}
				if s.Err != nil {
					e.Error = s.Err.Error()
				} else {
					e.ScriptType = s.Info.ScriptType.String()
					e.Fingerprint = fmt.Sprintf("%08x", s.Info.Fingerprint)
					e.WatchOnly = s.Info.WatchOnly
				}
				entries = append(entries, e)
			}
			if a.flags.json {
				return a.printJSON(entries)
			}
			if len(entries) == 0 {
				a.printf("No wallets on %s yet. Create one with 'satchel --network %s wallet create'.\n",
					networkName(a.net), networkName(a.net))
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  NAME\tTYPE\tFINGERPRINT\tKEYS")
			for _, e := range entries {
				mark := " "
				if e.Name == a.flags.walletName {
					mark = "*"
				}
				keys := "encrypted"
				if e.WatchOnly {
					keys = "watch-only"
				}
				if e.Error != "" {
					fmt.Fprintf(tw, "%s %s\t-\t-\t%s\n", mark, e.Name, e.Error)
					continue
				}
				fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", mark, e.Name, e.ScriptType, e.Fingerprint, keys)
			}
			return tw.Flush()
		},
	}
}

func newWalletInfoCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Show a wallet's public keys, descriptors and settings",
		Long: `Show the --wallet wallet's public side: fingerprint, script type, account
path, xpub, receive and change descriptors, how many addresses it has
handed out, birthday and encryption. Works offline; no password needed.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			j, err := a.describeWallet(w)
			if err != nil {
				return err
			}
			if a.flags.json {
				return a.printJSON(j)
			}
			keys := "encrypted keys (signing needs the password)"
			if j.WatchOnly {
				keys = "watch-only (no keys)"
			}
			birthday := "unknown (scan from the start)"
			if j.BirthdayHeight != nil {
				birthday = fmt.Sprint(*j.BirthdayHeight)
			} else if j.BirthdayDate != "" {
				birthday = j.BirthdayDate + " (the scan starts a day before it)"
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "Wallet\t%s (%s)\n", j.Name, j.Network)
			fmt.Fprintf(tw, "Keys\t%s\n", keys)
			fmt.Fprintf(tw, "Script type\t%s\n", j.ScriptType)
			if j.Multisig != nil {
				printMultisigInfo(tw, j.Multisig)
			} else {
				fmt.Fprintf(tw, "Fingerprint\t%s\n", j.Fingerprint)
				fmt.Fprintf(tw, "Account\t%s\n", j.AccountPath)
				fmt.Fprintf(tw, "Xpub\t%s\n", j.XPub)
			}
			if j.SLIP132 != "" {
				fmt.Fprintf(tw, "SLIP-132\t%s\n", j.SLIP132)
			}
			fmt.Fprintf(tw, "Receive\t%s\n", j.Descriptors.Receive)
			fmt.Fprintf(tw, "Change\t%s\n", j.Descriptors.Change)
			fmt.Fprintf(tw, "Addresses given out\t%d receive, %d change (gap limit %d)\n", j.NextReceive, j.NextChange, j.GapLimit)
			fmt.Fprintf(tw, "Birthday\t%s\n", birthday)
			fmt.Fprintf(tw, "Created\t%s\n", j.Created.Format(time.DateTime+" MST"))
			if e := j.Encryption; e != nil {
				fmt.Fprintf(tw, "Encryption\t%s (%d MiB, %d passes, %d lanes) + %s\n",
					e.KDF, e.MemoryKiB/1024, e.Time, e.Threads, e.Cipher)
			}
			return tw.Flush()
		},
	}
}

func newWalletPasswdCommand(a *app) *cobra.Command {
	var newPasswordFile string
	cmd := &cobra.Command{
		Use:   "passwd",
		Short: "Change a wallet's password",
		Long: `Re-encrypt the wallet's keys under a new password. The current password
comes from the usual sources (--password-file, SATCHEL_PASSWORD, a
prompt); the new one from --new-password-file, SATCHEL_NEW_PASSWORD or a
prompt. The change is atomic: a crash leaves the old or the new password
working, never neither.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := a.openWallet()
			if err != nil {
				return err
			}
			defer w.Close()
			st, err := w.Keystore()
			if errors.Is(err, wallet.ErrWatchOnly) {
				return errors.New("this is a watch-only wallet: it has no keys and no password")
			}
			if err != nil {
				return err
			}
			old, err := a.password("Current password", false)
			if err != nil {
				return err
			}
			var newPW []byte
			switch {
			case newPasswordFile != "":
				if newPW, err = a.readSecretFile(newPasswordFile, "new password"); err != nil {
					return err
				}
			case a.getenv(newPasswordEnv) != "":
				newPW = []byte(a.getenv(newPasswordEnv))
			default:
				if a.term == nil {
					return errors.New("a new password is needed: use --new-password-file FILE or SATCHEL_NEW_PASSWORD, or run in a terminal")
				}
				// Check the current password before asking for a new one.
				s, err := st.Secret(old)
				if err != nil {
					return err
				}
				s.Zero()
				if newPW, err = a.promptPassword("New password", true); err != nil {
					return err
				}
			}
			if len(newPW) == 0 {
				return keystore.ErrEmptyPassword
			}
			if err := st.ChangePassword(old, newPW, a.keystoreOpts...); err != nil {
				return err
			}
			if newPasswordFile != "" || a.getenv(newPasswordEnv) != "" {
				// After the change: a wrong current password is the one
				// line of a failure.
				a.warnWeakPassword(newPW)
			}
			a.logger().Info("wallet password changed", "wallet", a.flags.walletName)
			if a.flags.json {
				return a.printJSON(map[string]any{"name": a.flags.walletName, "changed": true})
			}
			a.printf("The password of wallet %q is changed.\n", a.flags.walletName)
			return nil
		},
	}
	cmd.Flags().StringVar(&newPasswordFile, "new-password-file", "", "Read the new password from FILE (else $SATCHEL_NEW_PASSWORD, else a prompt)")
	return cmd
}

func newWalletShowMnemonicCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "show-mnemonic",
		Short: "Show the recovery words (asks for the password)",
		Long: `Show the wallet's recovery words, after its password, so you can make a
new backup. Anyone who sees them can take your coins: make sure nobody is
watching your screen.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			st, err := w.Keystore()
			if errors.Is(err, wallet.ErrWatchOnly) {
				return errors.New("this is a watch-only wallet: it has no recovery words")
			}
			if err != nil {
				return err
			}
			pw, err := a.password("Password for wallet "+a.flags.walletName, false)
			if err != nil {
				return err
			}
			secret, err := st.Secret(pw)
			if err != nil {
				return err
			}
			defer secret.Zero()
			a.logger().Info("recovery words shown", "wallet", a.flags.walletName)
			if a.flags.json {
				return a.printJSON(map[string]any{
					"mnemonic":       secret.Mnemonic(),
					"has_passphrase": secret.HasPassphrase(),
				})
			}
			a.printf("%s\n", formatWords(secret.Mnemonic()))
			if secret.HasPassphrase() {
				a.printf("\nThis wallet also uses a BIP39 passphrase (not shown): the words alone do not restore it.\n")
			}
			return nil
		},
	}
}
