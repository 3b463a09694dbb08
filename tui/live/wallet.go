package live

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/session"
	tuiapp "github.com/satchelbtc/satchel/tui/app"
	tuiwallet "github.com/satchelbtc/satchel/tui/wallet"
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

// feeSyncSlack is how many blocks the headers may be behind the peers'
// best before fee suggestions wait for the sync: a block or two arrive
// while the node is fetching them anyway.
const feeSyncSlack = 6

// FeeEstimate suggests fee rates from the last fees.DefaultBlocks blocks
// (from the cache or from peers, each checked against its header) and the
// peers' feefilters, as satchel fees does. Without a node, or while the
// headers are far behind the peers, there is no estimate: the recent
// blocks would be old ones.
func (l *Wallet) FeeEstimate(ctx context.Context) (fees.Estimate, error) {
	n := l.Session.Node()
	if n == nil {
		return fees.Estimate{}, errors.New("the app runs without a node, so it cannot read recent blocks")
	}
	if st := n.Status(); st.PeerHeight > st.Height+feeSyncSlack {
		return fees.Estimate{}, fmt.Errorf("the node is still syncing headers (block %d of %d)", st.Height, st.PeerHeight)
	}
	return n.FeeEstimate(ctx, fees.DefaultBlocks)
}

// ReceiveGap says where the next receive address stands: its index, one
// more than the highest receive address that got a payment (0 when none
// did), and the wallet's gap limit. It derives the handed-out addresses
// back from the newest until it finds a used one.
func (l *Wallet) ReceiveGap() (next, used, gapLimit uint32, err error) {
	w := l.Session.Wallet()
	info, err := w.Info()
	if err != nil {
		return 0, 0, 0, err
	}
	seen, err := w.UsedScripts()
	if err != nil {
		return 0, 0, 0, err
	}
	next, gapLimit = info.NextReceive, info.GapLimit
	for i := next; i > 0; i-- {
		a, err := w.Address(wallet.ReceiveBranch, i-1)
		if err != nil {
			return 0, 0, 0, err
		}
		if seen[string(a.Script)] {
			used = i
			break
		}
	}
	return next, used, gapLimit, nil
}

// ReceiveAddress returns the receive address at index without handing
// out another.
func (l *Wallet) ReceiveAddress(index uint32) (string, error) {
	a, err := l.Session.Wallet().Address(wallet.ReceiveBranch, index)
	if err != nil {
		return "", err
	}
	return a.Address.EncodeAddress(), nil
}

var (
	_ tuiapp.Wallet       = (*Wallet)(nil)
	_ tuiwallet.FeeSource = (*Wallet)(nil)
	_ tuiwallet.GapSource = (*Wallet)(nil)
)
