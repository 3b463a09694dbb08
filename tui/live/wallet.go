package live

import (
	"context"
	"errors"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/session"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// Wallet is the open wallet as the app's pages see it: a thin adapter over
// the session, which is safe for concurrent use, so that no page call
// waits for the background scan.
type Wallet struct {
	Session *session.Session
	// FeeRate is the fee rate a new payment starts with (sat/vB).
	FeeRate func() float64
	// WritePSBT writes an exported PSBT to a file.
	WritePSBT func(p *psbt.Packet, path string) error
}

func (l *Wallet) Balance() (wallet.Balance, int32, error) {
	w := l.Session.Wallet()
	b, err := w.Balance()
	return b, w.ScanHeight(), err
}

func (l *Wallet) History() ([]wallet.HistoryEntry, error) { return l.Session.Wallet().History() }

func (l *Wallet) NextAddress() (string, uint32, error) {
	a, err := l.Session.Wallet().NewAddress(wallet.ReceiveBranch)
	if err != nil {
		return "", 0, err
	}
	return a.Address.EncodeAddress(), a.Index, nil
}

// Coins returns every unspent output, frozen ones included, and the tip.
func (l *Wallet) Coins() ([]*wallet.Output, int32, error) { return l.Session.Wallet().UTXOs() }

func (l *Wallet) Labels() (map[string]string, error) { return l.Session.Wallet().Labels() }

func (l *Wallet) SetFrozen(op wire.OutPoint, frozen bool) error {
	return l.Session.Wallet().SetFrozen(op, frozen)
}

func (l *Wallet) SetLabel(key, label string) error { return l.Session.Wallet().SetLabel(key, label) }

// Owns reports whether script is the wallet's. It never waits for a scan.
func (l *Wallet) Owns(script []byte) bool {
	ours, _ := l.Session.Wallet().Owns(script)
	return ours
}

// Draft builds an unsigned payment, its locktime at the node's tip.
func (l *Wallet) Draft(req *wallet.SendRequest) (*wallet.Draft, error) { return l.Session.Draft(req) }

// Review says what a draft pays, from the wallet's point of view.
func (l *Wallet) Review(d *wallet.Draft) (*psbtx.Review, error) { return l.Session.Review(d.Packet) }

func (l *Wallet) WatchOnly() bool { return l.Session.WatchOnly() }

// DefaultFeeRate is the fee rate a new payment starts with.
func (l *Wallet) DefaultFeeRate() float64 {
	return l.FeeRate()
}

func (l *Wallet) Unlocked() bool { return l.Session.Unlocked() }

func (l *Wallet) Unlock(_ context.Context, password []byte) error { return l.Session.Unlock(password) }

func (l *Wallet) Lock() { l.Session.Lock() }

func (l *Wallet) ChangePassword(_ context.Context, old, new []byte) error {
	return l.Session.ChangePassword(old, new)
}

// SignAndBroadcast pays a draft with the held keys, or with password when
// the wallet is locked.
func (l *Wallet) SignAndBroadcast(ctx context.Context, d *wallet.Draft, password []byte, label string) (string, error) {
	pay, err := l.Session.Pay(ctx, d, session.PayOptions{Password: password, Label: label})
	if err != nil {
		return "", err
	}
	return pay.Txid.String(), nil
}

// ExportPSBT writes the unsigned draft to path: binary BIP174 for *.psbt,
// base64 text otherwise. Its change address counts as handed out.
func (l *Wallet) ExportPSBT(d *wallet.Draft, path string) error {
	if path == "" || path == "-" {
		return errors.New("give a file name for the PSBT")
	}
	if err := l.WritePSBT(d.Packet, path); err != nil {
		return err
	}
	return l.Session.Wallet().ReserveChange(d)
}

var _ tuiapp.Wallet = (*Wallet)(nil)
