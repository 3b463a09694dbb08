package main

import (
	"context"
	"errors"
	"sync"

	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// appWallet is the open wallet as the app's pages see it: a thin adapter
// over the session, which is safe for concurrent use, so that no page
// call waits for the background scan.
type appWallet struct {
	s      *session.Session
	a      *app
	conf   *fileConfig
	confMu *sync.Mutex // guards conf, which the Settings tab rewrites
}

func (l *appWallet) Balance() (wallet.Balance, int32, error) {
	w := l.s.Wallet()
	b, err := w.Balance()
	return b, w.ScanHeight(), err
}

func (l *appWallet) History() ([]wallet.HistoryEntry, error) { return l.s.Wallet().History() }

func (l *appWallet) NextAddress() (string, uint32, error) {
	a, err := l.s.Wallet().NewAddress(wallet.ReceiveBranch)
	if err != nil {
		return "", 0, err
	}
	return a.Address.EncodeAddress(), a.Index, nil
}

// Coins returns every unspent output, frozen ones included, and the tip.
func (l *appWallet) Coins() ([]*wallet.Output, int32, error) { return l.s.Wallet().UTXOs() }

func (l *appWallet) Labels() (map[string]string, error) { return l.s.Wallet().Labels() }

func (l *appWallet) SetFrozen(op wire.OutPoint, frozen bool) error {
	return l.s.Wallet().SetFrozen(op, frozen)
}

func (l *appWallet) SetLabel(key, label string) error { return l.s.Wallet().SetLabel(key, label) }

// Owns reports whether script is the wallet's. It never waits for a scan.
func (l *appWallet) Owns(script []byte) bool {
	ours, _ := l.s.Wallet().Owns(script)
	return ours
}

// Draft builds an unsigned payment, its locktime at the node's tip.
func (l *appWallet) Draft(req *wallet.SendRequest) (*wallet.Draft, error) { return l.s.Draft(req) }

// Review says what a draft pays, from the wallet's point of view.
func (l *appWallet) Review(d *wallet.Draft) (*psbtx.Review, error) { return l.s.Review(d.Packet) }

func (l *appWallet) WatchOnly() bool { return l.s.WatchOnly() }

// DefaultFeeRate is the fee rate a new payment starts with.
func (l *appWallet) DefaultFeeRate() float64 {
	l.confMu.Lock()
	defer l.confMu.Unlock()
	return l.conf.feeRate()
}

func (l *appWallet) Unlocked() bool { return l.s.Unlocked() }

func (l *appWallet) Unlock(_ context.Context, password []byte) error { return l.s.Unlock(password) }

func (l *appWallet) Lock() { l.s.Lock() }

func (l *appWallet) ChangePassword(_ context.Context, old, new []byte) error {
	return l.s.ChangePassword(old, new)
}

// SignAndBroadcast pays a draft with the held keys, or with password when
// the wallet is locked.
func (l *appWallet) SignAndBroadcast(ctx context.Context, d *wallet.Draft, password []byte, label string) (string, error) {
	pay, err := l.s.Pay(ctx, d, session.PayOptions{Password: password, Label: label})
	if err != nil {
		return "", err
	}
	return pay.Txid.String(), nil
}

// ExportPSBT writes the unsigned draft to path: binary BIP174 for *.psbt,
// base64 text otherwise. Its change address counts as handed out.
func (l *appWallet) ExportPSBT(d *wallet.Draft, path string) error {
	if path == "" || path == "-" {
		return errors.New("give a file name for the PSBT")
	}
	if err := l.a.writePSBT(d.Packet, path); err != nil {
		return err
	}
	return l.s.Wallet().ReserveChange(d)
}
