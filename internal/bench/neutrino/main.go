// Command neutrino syncs block headers and BIP157 filter headers from
// regtest peers with lightninglabs/neutrino into a fresh folder and exits
// when both reach the height it is given, for cmd/satchel's BenchmarkSync to
// compare satchel with. It lives in a module of its own, so that satchel's
// go.mod does not depend on neutrino.
//
//	neutrino -dir DIR -height N -connect HOST:PORT [-connect HOST:PORT]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcwallet/walletdb"
	_ "github.com/btcsuite/btcwallet/walletdb/bdb"
	"github.com/lightninglabs/neutrino"
)

type peers []string

func (p *peers) String() string     { return strings.Join(*p, ",") }
func (p *peers) Set(s string) error { *p = append(*p, s); return nil }

func main() {
	dir := flag.String("dir", "", "data folder (created)")
	height := flag.Uint("height", 0, "height to sync to")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up after")
	var connect peers
	flag.Var(&connect, "connect", "peer to sync from (repeatable)")
	flag.Parse()
	if *dir == "" || *height == 0 || len(connect) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*dir, uint32(*height), connect, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "neutrino:", err)
		os.Exit(1)
	}
}

func run(dir string, height uint32, connect []string, timeout time.Duration) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	db, err := walletdb.Create("bdb", filepath.Join(dir, "neutrino.db"), true, time.Minute, false)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := neutrino.NewChainService(neutrino.Config{
		DataDir:      dir,
		Database:     db,
		ChainParams:  chaincfg.RegressionNetParams,
		ConnectPeers: connect,
	})
	if err != nil {
		return err
	}
	if err := cs.Start(context.Background()); err != nil {
		return err
	}
	defer cs.Stop()
	deadline := time.Now().Add(timeout)
	for {
		_, hh, err := cs.BlockHeaders.ChainTip()
		if err != nil {
			return err
		}
		_, fh, err := cs.RegFilterHeaders.ChainTip()
		if err != nil {
			return err
		}
		if hh >= height && fh >= height {
			fmt.Printf("{\"height\":%d,\"filter_height\":%d}\n", hh, fh)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("headers at %d, filter headers at %d after %v", hh, fh, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
