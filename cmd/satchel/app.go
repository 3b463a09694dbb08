package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/keystore/pwcheck"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
)

// envPrefix is the prefix of the environment variables that stand in for
// flags: --password-file reads SATCHEL_PASSWORD_FILE, and so on.
const envPrefix = "SATCHEL_"

// passwordEnv holds a password itself (there is no --password flag: a
// password on the command line would end up in the shell history).
const passwordEnv = "SATCHEL_PASSWORD"

// globalFlags are the persistent flags of the CLI contract.
type globalFlags struct {
	network      string
	dataDir      string
	walletName   string
	connect      []string
	offline      bool
	json         bool
	passwordFile string

	// The network's privacy and trust settings.
	proxy        string   // socks5://HOST:PORT as given
	minChainWork string   // hex; "" for the network's figure
	checkpoints  []string // HEIGHT:HASH, added to the network's
	v2transport  bool
	bip37Mempool bool
}

// app is everything a command needs from its surroundings. Tests build one
// with their own streams, environment, terminal and KDF parameters.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	// getenv reads the environment.
	getenv func(string) string

	// term is the interactive terminal, or nil when stdin is not one.
	term terminal

	// keystoreOpts are passed to every keystore operation that seals a
	// secret; production leaves them empty (the default KDF parameters).
	keystoreOpts []keystore.Option

	flags globalFlags
	net   *chaincfg.Params

	log     *slog.Logger
	logFile *os.File
}

// terminal prompts a person for input.
type terminal interface {
	// ReadPassword prompts and reads a line without echo.
	ReadPassword(prompt string) ([]byte, error)
	// ReadLine prompts and reads a line with echo.
	ReadLine(prompt string) (string, error)
}

// newApp returns an app wired to the process's real streams.
func newApp() *app {
	a := &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		a.term = &ttyTerminal{in: os.Stdin, out: os.Stderr}
	}
	return a
}

// bindFlags registers the global flags on the root command.
func (a *app) bindFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	// The help shows each usage with its first word capitalised and the
	// default in brackets after it, so a usage starts with a plain word.
	f.StringVar(&a.flags.network, "network", "mainnet", "Network: "+networkList)
	f.StringVar(&a.flags.dataDir, "datadir", "", "Data folder (default: $XDG_DATA_HOME/satchel)")
	f.StringVar(&a.flags.walletName, "wallet", "default", "Name of the wallet to use")
	// The help would show the default bare, as "(default)"; quoted, it reads
	// as the name it is. Only the help reads DefValue.
	f.Lookup("wallet").DefValue = strconv.Quote("default")
	f.StringArrayVar(&a.flags.connect, "connect", nil, "Connect only to HOST:PORT (repeatable)")
	f.BoolVar(&a.flags.offline, "offline", false, "Never open a network connection")
	f.BoolVar(&a.flags.json, "json", false, "Print machine-readable JSON on stdout")
	f.StringVar(&a.flags.passwordFile, "password-file", "", "Read the wallet password from FILE (else $SATCHEL_PASSWORD, else a prompt)")
	f.StringVar(&a.flags.proxy, "proxy", "", "Send every connection through the SOCKS5 proxy socks5://HOST:PORT (Tor: socks5://127.0.0.1:9050); never connect around it")
	f.StringVar(&a.flags.minChainWork, "min-chain-work", "", "For test chains: the chain work (hex) a peer's chain needs instead of the network's figure; 0 for none")
	f.StringArrayVar(&a.flags.checkpoints, "add-checkpoint", nil, "For test chains: the block at HEIGHT must be HASH, as given by HEIGHT:HASH (repeatable); headers between checkpoints come from several peers at once")
	f.BoolVar(&a.flags.v2transport, "v2transport", true, "Encrypt connections with BIP324 where peers offer it, v1 otherwise; =false for v1 only")
	f.BoolVar(&a.flags.bip37Mempool, "bip37-mempool", false, "Privacy trade-off: ask peers for unconfirmed payments with a BIP37 bloom filter of the wallet's addresses")
	_ = root.RegisterFlagCompletionFunc("network", completeValues(networkNames...))
}

// networkNames are the --network values, in the order the help lists them.
var networkNames = []string{"mainnet", "testnet", "testnet4", "signet", "regtest"}

// networkList is networkNames as the help and the errors spell them.
const networkList = "mainnet, testnet, testnet4, signet or regtest"

// completeValues completes a flag from a fixed list of values, never with
// file names.
func completeValues(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// setup runs before every command: flags not given on the command line are
// read from SATCHEL_<NAME>, then from config.toml, then the network is
// resolved.
func (a *app) setup(cmd *cobra.Command) error {
	if err := applyEnv(cmd.Flags(), a.getenv); err != nil {
		return err
	}
	if err := a.applyConfig(cmd.Flags()); err != nil {
		return err
	}
	net, err := networkParams(a.flags.network)
	if err != nil {
		return err
	}
	a.net = net
	for _, c := range a.flags.connect {
		if err := validateHostPort(c); err != nil {
			return err
		}
	}
	if _, err := proxyAddr(a.flags.proxy); err != nil {
		return err
	}
	if _, err := parseChainWork(a.flags.minChainWork); err != nil {
		return err
	}
	if _, err := parseCheckpoints(a.flags.checkpoints); err != nil {
		return err
	}
	return nil
}

// applyEnv sets every flag that was not given from its environment
// variable. List flags take comma-separated values.
func applyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	var firstErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || firstErr != nil {
			return
		}
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v := getenv(name)
		if v == "" {
			return
		}
		values := []string{v}
		if strings.HasSuffix(f.Value.Type(), "Array") || strings.HasSuffix(f.Value.Type(), "Slice") {
			values = strings.Split(v, ",")
		}
		for _, one := range values {
			if err := f.Value.Set(strings.TrimSpace(one)); err != nil {
				firstErr = fmt.Errorf("%s=%q: %v", name, v, err)
				return
			}
		}
		f.Changed = true
	})
	return firstErr
}

// networkParams maps a --network name to its chain parameters.
func networkParams(name string) (*chaincfg.Params, error) {
	switch strings.ToLower(name) {
	case "mainnet", "main", "bitcoin":
		return &chaincfg.MainNetParams, nil
	case "testnet", "testnet3":
		return &chaincfg.TestNet3Params, nil
	case "testnet4":
		return &chaincfg.TestNet4Params, nil
	case "signet":
		return &chaincfg.SigNetParams, nil
	case "regtest":
		return &chaincfg.RegressionNetParams, nil
	}
	return nil, fmt.Errorf("unknown network %q: use %s", name, networkList)
}

// networkName is the folder and display name of a network.
func networkName(net *chaincfg.Params) string {
	if net.Name == chaincfg.TestNet3Params.Name {
		return "testnet"
	}
	return net.Name
}

func validateHostPort(s string) error {
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return fmt.Errorf("--connect %q: expected HOST:PORT", s)
	}
	return nil
}

// dataRoot is the satchel data directory shared by all networks.
func (a *app) dataRoot() (string, error) {
	if a.flags.dataDir != "" {
		return filepath.Abs(a.flags.dataDir)
	}
	if x := a.getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "satchel"), nil
	}
	home := a.getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", errors.New("cannot find a data directory: set --datadir or $XDG_DATA_HOME")
		}
	}
	return filepath.Join(home, ".local", "share", "satchel"), nil
}

// networkDir returns the data directory of the chosen network, creating it
// (0700) on first use.
func (a *app) networkDir() (string, error) {
	root, err := a.dataRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, networkName(a.net))
	if err := mkdirPrivate(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// walletsDir returns the folder of the network's wallet files.
func (a *app) walletsDir() (string, error) {
	dir, err := a.networkDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "wallets")
	return dir, mkdirPrivate(dir)
}

// mkdirPrivate creates dir and its missing parents with mode 0700.
func mkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	return nil
}

// logger returns the network's file logger, opening <network>/satchel.log
// (0600) on first use. Nothing secret is ever passed to it.
func (a *app) logger() *slog.Logger {
	if a.log != nil {
		return a.log
	}
	a.log = slog.New(slog.DiscardHandler)
	dir, err := a.networkDir()
	if err != nil {
		return a.log
	}
	f, err := os.OpenFile(filepath.Join(dir, "satchel.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return a.log
	}
	a.logFile = f
	a.log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return a.log
}

// close releases what the command opened.
func (a *app) close() {
	if a.logFile != nil {
		a.logFile.Close()
		a.logFile = nil
		a.log = nil
	}
}

// printJSON writes v as indented JSON on stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printf writes human-readable output on stdout.
func (a *app) printf(format string, args ...any) {
	fmt.Fprintf(a.stdout, format, args...)
}

// readSecretFile reads a password, passphrase or mnemonic file. One
// trailing line break is removed; "-" reads stdin.
func (a *app) readSecretFile(path, what string) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(a.stdin, 1<<16))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the %s file: %w", what, unwrapPathError(err))
	}
	b = trimNewline(b)
	return b, nil
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// unwrapPathError turns "open x: no such file or directory" into a message
// that names the file once.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// errNoPassword is returned when a password is needed and no source has one.
var errNoPassword = errors.New("a password is needed: use --password-file FILE or SATCHEL_PASSWORD, or run in a terminal")

// password returns the wallet password from --password-file,
// SATCHEL_PASSWORD or a terminal prompt, in that order. With confirm, a
// prompted password is asked twice.
//
// A confirmed password is a new one: a weak one (see pwcheck) typed at the
// prompt is taken only after "use it anyway?"; one from the file or the
// environment is taken with a warning on stderr, so that scripts never
// block.
func (a *app) password(prompt string, confirm bool) ([]byte, error) {
	if a.flags.passwordFile != "" {
		p, err := a.readSecretFile(a.flags.passwordFile, "password")
		if err == nil && confirm {
			a.warnWeakPassword(p)
		}
		return p, err
	}
	if p := a.getenv(passwordEnv); p != "" {
		if confirm {
			a.warnWeakPassword([]byte(p))
		}
		return []byte(p), nil
	}
	return a.promptPassword(prompt, confirm)
}

// warnWeakPassword prints a warning on stderr when a new password that did
// not come from the prompt is weak.
func (a *app) warnWeakPassword(p []byte) {
	if err := pwcheck.Check(p); err != nil && len(p) > 0 {
		fmt.Fprintf(a.stderr, "Warning: %v. It is used as given; 'satchel wallet passwd' changes it.\n", err)
	}
}

// promptPassword asks on the terminal, or fails when there is none. With
// confirm (a new password) it is asked twice, and a weak one is taken only
// when the user says so; otherwise the prompt starts over.
func (a *app) promptPassword(prompt string, confirm bool) ([]byte, error) {
	if a.term == nil {
		return nil, errNoPassword
	}
	for {
		p, err := a.term.ReadPassword(prompt + ": ")
		if err != nil {
			return nil, err
		}
		if len(p) == 0 {
			return nil, keystore.ErrEmptyPassword
		}
		if !confirm {
			return p, nil
		}
		again, err := a.term.ReadPassword("Repeat the password: ")
		if err != nil {
			return nil, err
		}
		if string(again) != string(p) {
			return nil, errors.New("the two passwords differ; nothing was changed")
		}
		weak := pwcheck.Check(p)
		if weak == nil {
			return p, nil
		}
		ok, err := a.confirmWeak(weak)
		if err != nil || ok {
			return p, err
		}
	}
}

// confirmWeak says why a new password is weak and asks whether to use it.
func (a *app) confirmWeak(weak error) (bool, error) {
	fmt.Fprintf(a.stderr, "  Weak password: %v.\n", weak)
	for {
		s, err := a.term.ReadLine("Use it anyway? (y/n): ")
		if err != nil {
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "y", "yes":
			return true, nil
		case "n", "no", "":
			fmt.Fprintln(a.stderr, "  Choose another password.")
			return false, nil
		}
		fmt.Fprintln(a.stderr, "  Answer y or n.")
	}
}

// openWallet opens the wallet named by --wallet on the chosen network.
func (a *app) openWallet(opts ...wallet.OpenOption) (*wallet.Wallet, error) {
	s, err := a.openSessionNamed(a.flags.walletName, nil, opts...)
	if err != nil {
		return nil, err
	}
	return s.Wallet(), nil
}

// openSession opens the --wallet wallet as a session with node (nil for
// none). The caller closes it.
func (a *app) openSession(node *lightnode.Node, opts ...wallet.OpenOption) (*session.Session, error) {
	return a.openSessionNamed(a.flags.walletName, node, opts...)
}

// openSessionNamed opens the wallet called name on the chosen network as a
// session with node (nil for none).
func (a *app) openSessionNamed(name string, node *lightnode.Node, opts ...wallet.OpenOption) (*session.Session, error) {
	dir, err := a.walletsDir()
	if err != nil {
		return nil, err
	}
	s, err := session.Open(dir, name, a.sessionConfig(node), opts...)
	if errors.Is(err, wallet.ErrNotFound) {
		return nil, &hintError{err: err, msg: fmt.Sprintf("no wallet named %q on %s: create one with 'satchel --network %s wallet create'",
			name, networkName(a.net), networkName(a.net))}
	}
	return s, err
}

// sessionConfig is how sessions run under the global flags.
func (a *app) sessionConfig(node *lightnode.Node) session.Config {
	return session.Config{Net: a.net, Node: node, Logger: a.logger(), KeystoreOptions: a.keystoreOpts,
		BIP37Mempool: a.flags.bip37Mempool, PeerTimeout: defaultPeerTimeout}
}

// walletPath validates --wallet and returns its file.
func (a *app) walletPath() (string, error) {
	if err := wallet.ValidateName(a.flags.walletName); err != nil {
		return "", err
	}
	dir, err := a.walletsDir()
	if err != nil {
		return "", err
	}
	return wallet.FilePath(dir, a.flags.walletName), nil
}

// ttyTerminal prompts on a real terminal.
type ttyTerminal struct {
	in     *os.File
	out    io.Writer
	reader *bufio.Reader
}

func (t *ttyTerminal) ReadPassword(prompt string) ([]byte, error) {
	fmt.Fprint(t.out, prompt)
	p, err := term.ReadPassword(int(t.in.Fd()))
	fmt.Fprintln(t.out)
	if err != nil {
		return nil, fmt.Errorf("cannot read the password: %w", err)
	}
	return p, nil
}

func (t *ttyTerminal) ReadLine(prompt string) (string, error) {
	fmt.Fprint(t.out, prompt)
	if t.reader == nil {
		t.reader = bufio.NewReader(t.in)
	}
	line, err := t.reader.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", fmt.Errorf("cannot read from the terminal: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
