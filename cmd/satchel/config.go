package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
type fileConfig struct {
	Network string   `toml:"network"`
	Wallet  string   `toml:"wallet"`
	DataDir string   `toml:"datadir"`
	Connect []string `toml:"connect"`
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
	return &c, nil
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
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
