package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"
)

// configFileName is the settings file in satchel's config directory.
const configFileName = "config.toml"

// fileConfig is config.toml. Its keys give defaults for the global flags;
// a flag or SATCHEL_* variable overrides them.
//
//	network = "testnet4"
//	wallet  = "spending"
//	datadir = "/srv/satchel"
//	connect = ["127.0.0.1:18444"]
//	proxy   = "socks5://127.0.0.1:9050"   # every connection through Tor
//	min_chain_work = "0"                  # test chains only
//
// The app's settings live in the same file; the Settings tab writes them:
//
//	theme     = "dark"
//	units     = "btc"      # or "sats"
//	fee_rate  = 2.0        # default sat/vB for new payments
//	auto_lock = "5m"       # lock the wallet after this idle time; "0" never
//	export_dir = "~/psbt"  # where the PSBT page exports; default the current folder
type fileConfig struct {
	Network string   `toml:"network,omitempty"`
	Wallet  string   `toml:"wallet,omitempty"`
	DataDir string   `toml:"datadir,omitempty"`
	Connect []string `toml:"connect,omitempty"`
	Proxy   string   `toml:"proxy,omitempty"`
	// MinChainWork is hex, as --min-chain-work.
	MinChainWork string `toml:"min_chain_work,omitempty"`

	Theme    string  `toml:"theme,omitempty"`
	Units    string  `toml:"units,omitempty"`
	FeeRate  float64 `toml:"fee_rate,omitempty"`
	AutoLock string  `toml:"auto_lock,omitempty"`
	// ExportDir is the PSBT page's export folder; "" is the current one.
	ExportDir string `toml:"export_dir,omitempty"`
}

// defaultFeeRate is the app's fee rate for a new payment, in sat/vB, until
// the user sets one.
const defaultFeeRate = 2.0

// defaultAutoLock is how long the app waits, idle, before locking an
// unlocked wallet, until the user sets a time.
const defaultAutoLock = 5 * time.Minute

// check validates the app's settings, so that a bad value is reported when
// the file is read instead of surprising the user later.
func (c *fileConfig) check() error {
	switch c.Units {
	case "", "btc", "sats":
	default:
		return fmt.Errorf("units %q: use \"btc\" or \"sats\"", c.Units)
	}
	if c.FeeRate < 0 || c.FeeRate > 1000 {
		return fmt.Errorf("fee_rate %v: use a rate between 1 and 1000 sat/vB", c.FeeRate)
	}
	if _, err := c.autoLock(); err != nil {
		return err
	}
	return nil
}

// autoLock is the idle time before the app locks the wallet; 0 is never.
func (c *fileConfig) autoLock() (time.Duration, error) {
	switch c.AutoLock {
	case "":
		return defaultAutoLock, nil
	case "0", "never", "off":
		return 0, nil
	}
	d, err := time.ParseDuration(c.AutoLock)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("auto_lock %q: use a duration such as \"5m\" or \"0\" for never", c.AutoLock)
	}
	return d, nil
}

// feeRate is the default fee rate for a new payment.
func (c *fileConfig) feeRate() float64 {
	if c.FeeRate > 0 {
		return c.FeeRate
	}
	return defaultFeeRate
}

// configDir is $XDG_CONFIG_HOME/satchel, by default ~/.config/satchel.
func (a *app) configDir() (string, error) {
	if x := a.getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "satchel"), nil
	}
	home := a.getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", errors.New("cannot find a config directory: set $XDG_CONFIG_HOME")
		}
	}
	return filepath.Join(home, ".config", "satchel"), nil
}

// loadConfig reads config.toml, if there is one. A missing file is no error.
func (a *app) loadConfig() (*fileConfig, error) {
	dir, err := a.configDir()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, configFileName)
	var c fileConfig
	md, err := toml.DecodeFile(path, &c)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &c, nil
	case err != nil:
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s line %d: %s", path, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("%s: unknown setting %s", path, strings.Join(keys, ", "))
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// saveConfig writes c as config.toml, replacing the file in one rename so
// that a crash leaves either the old settings or the new ones.
func (a *app) saveConfig(c *fileConfig) error {
	if err := c.check(); err != nil {
		return err
	}
	dir, err := a.configDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return unwrapPathError(err)
	}
	var buf bytes.Buffer
	buf.WriteString("# satchel settings; see 'satchel --help'. The Settings tab rewrites this file.\n")
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".config-*.toml")
	if err != nil {
		return unwrapPathError(err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return unwrapPathError(os.Rename(tmp, filepath.Join(dir, configFileName)))
}

// applyConfig sets the global flags that neither the command line nor the
// environment gave from config.toml.
func (a *app) applyConfig(fs *pflag.FlagSet) error {
	c, err := a.loadConfig()
	if err != nil {
		return err
	}
	set := func(name string, values ...string) error {
		f := fs.Lookup(name)
		if f == nil || f.Changed || len(values) == 0 || values[0] == "" {
			return nil
		}
		for _, v := range values {
			if err := f.Value.Set(v); err != nil {
				return fmt.Errorf("config.toml %s: %v", name, err)
			}
		}
		f.Changed = true
		return nil
	}
	for _, err := range []error{
		set("network", c.Network),
		set("wallet", c.Wallet),
		set("datadir", c.DataDir),
		set("connect", c.Connect...),
		set("proxy", c.Proxy),
		set("min-chain-work", c.MinChainWork),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
