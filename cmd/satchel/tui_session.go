package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/themes"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/tui/keys"
	"github.com/satchelbtc/satchel/tui/live"
	"github.com/satchelbtc/satchel/tui/settings"
	tuiwallet "github.com/satchelbtc/satchel/tui/wallet"
	"github.com/satchelbtc/satchel/tui/wizard"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/bip322"
)

// appSession is one run of the app: the node, the open wallet's session
// and the settings. The app's sources adapt it. It is safe for concurrent
// use: the app opens wallets from its commands' goroutines.
type appSession struct {
	ctx    context.Context
	a      *app
	node   *lightnode.Node // nil in tests that need no network
	events chan any

	confMu sync.Mutex
	conf   *fileConfig

	mu         sync.Mutex
	name       string // the open wallet's, else --wallet's
	cur        *live.Wallet
	userThemes []themes.Palette
}

func newAppSession(ctx context.Context, a *app, node *lightnode.Node, conf *fileConfig, events chan any) *appSession {
	return &appSession{ctx: ctx, a: a, node: node, conf: conf, events: events, name: a.flags.walletName}
}

// sources builds the app's sources, opening the --wallet wallet when it
// exists.
func (s *appSession) sources(themeNames []string) (tuiapp.Sources, error) {
	src := tuiapp.Sources{
		Offline:    s.a.flags.offline,
		Net:        s.a.net,
		Events:     s.events,
		Wizard:     wizardSource{s},
		OpenWallet: s.openWallet,
		Settings: &tuiapp.SettingsSource{
			Current: s.settings(),
			Themes:  themeNames,
			Saver:   settingsSaver{s},
			Styles:  s.styles,
		},
	}
	if s.node != nil {
		dir, err := s.a.networkDir()
		if err != nil {
			return src, err
		}
		src.Headers = live.Headers{Chain: s.node.Store(), Blocks: s.node.Store(), Net: s.a.net,
			Summaries: live.NewBlockSummaries()}
		src.Blocks = live.Blocks{Node: s.node}
		src.Node = live.Status{Node: s.node, Network: networkName(s.a.net), Proxy: s.a.flags.proxy,
			LogFile: filepath.Join(dir, "satchel.log")}
		src.Search = live.Search{Node: s.node, Wallet: s.openWalletFile}
		src.Prover = live.Prover{Node: s.node}
		src.TxInfo = live.TxInfo{Node: s.node, Wallet: s.openWalletFile}
	}
	if s.a.walletExists() {
		ws, err := s.openWallet(s.a.flags.walletName)
		if err != nil {
			return src, err
		}
		src.Wallet, src.Keys, src.Owns = ws.Wallet, ws.Keys, ws.Owns
		src.PSBT, src.Broadcast = ws.PSBT, ws.Broadcast
	}
	return src, nil
}

// current returns the open wallet, or nil, and the name of the wallet the
// app is on.
func (s *appSession) current() (*live.Wallet, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur, s.name
}

// openWalletFile returns the open wallet, or nil.
func (s *appSession) openWalletFile() *wallet.Wallet {
	if cur, _ := s.current(); cur != nil {
		return cur.Session.Wallet()
	}
	return nil
}

// openWallet closes the open wallet, if any, and opens the wallet called
// name ("" for --wallet), starting its background scan.
func (s *appSession) openWallet(name string) (tuiapp.WalletSources, error) {
	if name == "" {
		name = s.a.flags.walletName
	}
	if err := wallet.ValidateName(name); err != nil {
		return tuiapp.WalletSources{}, err
	}
	s.closeWallet()
	ws, err := s.a.openSessionNamed(name, s.node)
	if err != nil {
		return tuiapp.WalletSources{}, err
	}
	cur := &live.Wallet{Session: ws, WritePSBT: s.a.writePSBT, FeeRate: func() float64 {
		s.confMu.Lock()
		defer s.confMu.Unlock()
		return s.conf.feeRate()
	}}
	s.mu.Lock()
	s.cur, s.name = cur, name
	s.mu.Unlock()
	ws.Start(s.ctx, s.changed)
	ps := live.PSBT{Session: ws}
	return tuiapp.WalletSources{Wallet: cur, Keys: keysSource{s, cur}, Owns: cur.Owns, PSBT: ps, Broadcast: ps}, nil
}

// changed tells the app that the background loop changed the wallet.
func (s *appSession) changed() {
	if s.events == nil {
		return
	}
	select {
	case s.events <- walletScanned{}:
	case <-s.ctx.Done():
	}
}

// closeWallet stops the open wallet's background loop, locks it and
// closes it.
func (s *appSession) closeWallet() {
	s.mu.Lock()
	cur := s.cur
	s.cur = nil
	s.mu.Unlock()
	if cur != nil {
		cur.Session.Close()
	}
}

func (s *appSession) close() { s.closeWallet() }

// settings are config.toml's values as the Settings tab shows them.
func (s *appSession) settings() settings.Settings {
	s.confMu.Lock()
	defer s.confMu.Unlock()
	autoLock, _ := s.conf.autoLock()
	units := settings.UnitsBTC
	if s.conf.Units == "sats" {
		units = settings.UnitsSats
	}
	theme := s.conf.Theme
	if theme == "" {
		theme = themes.DefaultName
	}
	return settings.Settings{Theme: theme, Units: units, FeeRate: s.conf.feeRate(),
		Peers: append([]string(nil), s.conf.Connect...), AutoLock: autoLock, ExportDir: s.conf.ExportDir}
}

// styles returns the styles of the theme called name.
func (s *appSession) styles(name string) (*themes.Styles, bool) {
	p, ok := themes.Find(name, s.userThemes)
	if !ok {
		return nil, false
	}
	return themes.NewStyles(p, themes.NoColor(s.a.getenv)), true
}

// themeStyles loads the user's themes and returns the styles of the
// configured theme and the names of all themes.
func (a *app) themeStyles(name string) (*themes.Styles, []string, error) {
	user, err := a.userThemes()
	if err != nil {
		return nil, nil, err
	}
	if name == "" {
		name = themes.DefaultName
	}
	p, ok := themes.Find(name, user)
	if !ok {
		return nil, nil, fmt.Errorf("config.toml: theme %q: no such theme (built in: %s)", name, strings.Join(themeNames(nil), ", "))
	}
	return themes.NewStyles(p, themes.NoColor(a.getenv)), themeNames(user), nil
}

// userThemes reads the themes in the config directory's themes folder.
func (a *app) userThemes() ([]themes.Palette, error) {
	dir, err := a.configDir()
	if err != nil {
		return nil, err
	}
	return themes.Load(filepath.Join(dir, "themes"))
}

// themeNames lists the built-in themes and then the user's.
func themeNames(user []themes.Palette) []string {
	var names []string
	for _, p := range append(themes.Builtin(), user...) {
		names = append(names, p.Name)
	}
	return names
}

// unitsOf maps config.toml's units to the wallet pages'.
func unitsOf(s string) tuiwallet.Units {
	if s == "sats" {
		return tuiwallet.UnitsSat
	}
	return tuiwallet.UnitsBTC
}

// settingsSaver writes the Settings tab's values to config.toml.
type settingsSaver struct{ s *appSession }

func (v settingsSaver) Save(st settings.Settings) error {
	s := v.s
	s.confMu.Lock()
	defer s.confMu.Unlock()
	c := *s.conf
	c.Theme, c.FeeRate, c.Connect, c.ExportDir = st.Theme, st.FeeRate, st.Peers, st.ExportDir
	c.Units = "btc"
	if st.Units == settings.UnitsSats {
		c.Units = "sats"
	}
	c.AutoLock = "0"
	if st.AutoLock > 0 {
		c.AutoLock = st.AutoLock.String()
	}
	// Reread the file so that keys written by hand since the start stay.
	if disk, err := s.a.loadConfig(); err == nil {
		c.Network, c.Wallet, c.DataDir = disk.Network, disk.Wallet, disk.DataDir
	}
	if err := s.a.saveConfig(&c); err != nil {
		return err
	}
	*s.conf = c
	return nil
}

// wizardSource writes the wallet the first-run wizard describes.
type wizardSource struct{ s *appSession }

func (wizardSource) NewMnemonic(words int) (string, error) { return keystore.NewMnemonic(words) }

// WalletNames names the wallets of a restore with several script types:
// the first is --wallet's, the others add their type ("default-p2tr").
func (v wizardSource) WalletNames(types []wallet.ScriptType) []string {
	name := v.s.a.flags.walletName
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = name
		if i > 0 {
			out[i] = name + "-" + t.String()
		}
	}
	return out
}

// Create writes one wallet per script type from a new or restored
// mnemonic. A new one starts scanning at the node's tip; a restored one at
// its birthday. Every name is checked free before any wallet is written.
func (v wizardSource) Create(_ context.Context, req wizard.CreateRequest) error {
	a := v.s.a
	if len(req.Types) == 0 {
		return errors.New("no script type chosen")
	}
	dir, err := a.walletsDir()
	if err != nil {
		return err
	}
	names := v.WalletNames(req.Types)
	paths := make([]string, len(names))
	for i, name := range names {
		if err := wallet.ValidateName(name); err != nil {
			return err
		}
		paths[i] = wallet.FilePath(dir, name)
		if _, err := os.Lstat(paths[i]); err == nil {
			return fmt.Errorf("a wallet named %q already exists on %s", name, networkName(a.net))
		}
	}
	secret, err := keystore.NewSecret(req.Mnemonic, req.Passphrase)
	if err != nil {
		return err
	}
	defer secret.Zero()
	birthday := req.Birthday
	if !req.Restored {
		birthday = wallet.UnknownBirthday
		if v.s.node != nil {
			birthday.Height = v.s.node.Store().Tip().Height
		}
	}
	for i, st := range req.Types {
		w, err := wallet.Create(paths[i], a.net, &wallet.CreateConfig{Secret: secret, Password: req.Password, ScriptType: st,
			KeystoreOptions: a.keystoreOpts, BirthdayHeight: birthday.Height, BirthdayDate: birthday.Date})
		if errors.Is(err, wallet.ErrExists) {
			return fmt.Errorf("a wallet named %q already exists on %s", names[i], networkName(a.net))
		}
		if err != nil {
			return err
		}
		a.logger().Info("wallet created in the app", "wallet", names[i], "script_type", st.String(),
			"restored", req.Restored, "birthday", birthday.String())
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Import writes a watch-only wallet, single-key or multisig, as `satchel
// wallet import` does.
func (v wizardSource) Import(_ context.Context, descriptors []string, xpub string, birthday wallet.Birthday) error {
	a := v.s.a
	recv, change, err := a.importDescriptors(descriptors, xpub, nil)
	if err != nil {
		return err
	}
	path, err := a.ensureNewWallet()
	if err != nil {
		return err
	}
	w, err := wallet.Create(path, a.net, &wallet.CreateConfig{Receive: recv, Change: change,
		BirthdayHeight: birthday.Height, BirthdayDate: birthday.Date})
	if err != nil {
		return err
	}
	a.logger().Info("watch-only wallet imported in the app", "wallet", a.flags.walletName,
		"multisig", recv.Multisig != nil, "birthday", birthday.String())
	return w.Close()
}

// Chain says how far the node's headers reach.
func (v wizardSource) Chain() wizard.ChainInfo {
	node := v.s.node
	if node == nil {
		return wizard.ChainInfo{}
	}
	tip := node.Store().Tip()
	info := wizard.ChainInfo{Online: true, Height: tip.Height, Synced: node.Status().Synced}
	if h, err := node.Store().HeaderByHeight(tip.Height); err == nil {
		info.Time = h.Header.Timestamp
	}
	return info
}

// DateHeight finds the block a birthday date starts the scan at.
func (v wizardSource) DateHeight(date time.Time) (int32, bool, error) {
	node := v.s.node
	if node == nil {
		return -1, false, nil
	}
	store := node.Store()
	return wallet.HeightForTime(date, store.Tip().Height, func(h int32) (*wire.BlockHeader, error) {
		sh, err := store.HeaderByHeight(h)
		if err != nil {
			return nil, err
		}
		return &sh.Header, nil
	})
}

// Discover looks for the script types the seed used.
func (v wizardSource) Discover(ctx context.Context, mnemonic, passphrase string, birthday wallet.Birthday,
	progress func(session.DiscoverProgress)) ([]wallet.ScriptUse, error) {

	secret, err := keystore.NewSecret(mnemonic, passphrase)
	if err != nil {
		return nil, err
	}
	defer secret.Zero()
	return session.DiscoverScriptTypes(ctx, v.s.node, v.s.a.net, secret, birthday, 0, progress)
}

// keysSource feeds the Keys tab: the wallets of the network and the open
// one's account and lock.
type keysSource struct {
	s  *appSession
	lw *live.Wallet
}

func (k keysSource) Wallets() ([]keys.WalletInfo, error) {
	dir, err := k.s.a.walletsDir()
	if err != nil {
		return nil, err
	}
	list, err := wallet.List(dir, k.s.a.net)
	if err != nil {
		return nil, err
	}
	out := make([]keys.WalletInfo, 0, len(list))
	for _, w := range list {
		wi := keys.WalletInfo{Name: w.Name}
		if _, name := k.s.current(); w.Name == name {
			// The open wallet's file is locked by us: ask the wallet.
			w.Info, w.Err = k.lw.Session.Wallet().Info()
		}
		if w.Info != nil {
			wi.WatchOnly, wi.ScriptType = w.Info.WatchOnly, w.Info.ScriptType.String()
			if w.Info.Multisig == nil {
				// A multisig wallet has no master key of its own.
				wi.Fingerprint = fmt.Sprintf("%08x", w.Info.Fingerprint)
			}
		} else if w.Err != nil {
			wi.ScriptType = "unreadable"
		}
		out = append(out, wi)
	}
	return out, nil
}

func (k keysSource) Current() string { return k.lw.Session.Name() }

func (k keysSource) Account() (keys.Account, error) {
	info, err := k.lw.Session.Wallet().Info()
	if err != nil {
		return keys.Account{}, err
	}
	acct := keys.Account{Name: k.lw.Session.Name(), Fingerprint: fmt.Sprintf("%08x", info.Fingerprint),
		ScriptType: info.ScriptType.String(), Path: wallet.FormatPath(info.AccountPath), Xpub: info.XPub,
		Receive: info.Receive.String(), Change: info.Change.String(), WatchOnly: info.WatchOnly}
	if m := info.Multisig; m != nil {
		// Both chains in one BIP389 descriptor, however it was imported.
		both := *info.Receive
		both.Branches = []uint32{wallet.ReceiveBranch, wallet.ChangeBranch}
		ms := &keys.Multisig{Threshold: m.Threshold, Sorted: m.Sorted, Descriptor: both.String()}
		for _, c := range m.Keys {
			ms.Cosigners = append(ms.Cosigners, keys.Cosigner{Fingerprint: fmt.Sprintf("%08x", c.Origin.Fingerprint),
				Path: wallet.FormatPath(c.Origin.Path), Xpub: c.Key.String()})
		}
		acct.Multisig = ms
		acct.Fingerprint, acct.Path, acct.Xpub = "", "", ""
	}
	return acct, nil
}

// Addresses lists the receive addresses handed out (at least the first)
// and the used change addresses, used ones first.
func (k keysSource) Addresses() ([]keys.AddressInfo, error) {
	w := k.lw.Session.Wallet()
	info, err := w.Info()
	if err != nil {
		return nil, err
	}
	used, err := w.UsedScripts()
	if err != nil {
		return nil, err
	}
	var first, rest []keys.AddressInfo
	for _, branch := range []uint32{wallet.ReceiveBranch, wallet.ChangeBranch} {
		addrs, err := w.Addresses(branch, 0)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			u := used[string(a.Script)]
			handedOut := branch == wallet.ReceiveBranch && (a.Index < info.NextReceive || a.Index == 0)
			if !u && !handedOut {
				continue
			}
			ai := keys.AddressInfo{Address: a.Address.EncodeAddress(), Change: branch == wallet.ChangeBranch,
				Index: a.Index, Used: u}
			if u {
				first = append(first, ai)
			} else {
				rest = append(rest, ai)
			}
		}
	}
	return append(first, rest...), nil
}

// SignMessage signs as `satchel message sign` does, through the session,
// which holds the keys or unlocks them for this signature.
func (k keysSource) SignMessage(_ context.Context, addr, msg string, pw []byte) (string, error) {
	a, err := k.s.a.parseAddress(addr)
	if err != nil {
		return "", err
	}
	return k.lw.Session.SignMessage(a, []byte(msg), pw)
}

// VerifyMessage checks a signature as `satchel message verify` does: for
// any address of the network, with no keys and no network.
func (k keysSource) VerifyMessage(addr, msg, sig string) error {
	a, err := k.s.a.parseAddress(addr)
	if err != nil {
		return err
	}
	return bip322.Verify(a, []byte(msg), strings.TrimSpace(sig))
}

func (k keysSource) Unlocked() bool { return k.lw.Unlocked() }
func (k keysSource) Unlock(ctx context.Context, pw []byte) error {
	return k.lw.Unlock(ctx, pw)
}
func (k keysSource) Lock() { k.lw.Lock() }
func (k keysSource) ChangePassword(ctx context.Context, old, new []byte) error {
	return k.lw.ChangePassword(ctx, old, new)
}

// Interface checks: the adapters satisfy the pages' sources.
var (
	_ keys.Source    = keysSource{}
	_ settings.Saver = settingsSaver{}
	_ wizard.Source  = wizardSource{}
)
