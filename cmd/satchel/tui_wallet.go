package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// broadcastWait is how long the app waits for peers to fetch a payment.
const broadcastWait = 10 * time.Second

// lockedWallet is the open wallet as the app's pages see it. It serializes
// their calls with the background scan (a Wallet is for one goroutine at a
// time) and holds the signer while the user has unlocked the wallet.
type lockedWallet struct {
	mu sync.Mutex
	w  *wallet.Wallet

	a      *app
	node   *lightnode.Node // nil in tests without a network
	conf   *fileConfig
	confMu *sync.Mutex // guards conf, which the Settings tab rewrites

	// signerMu guards signer apart from mu, so that unlocking (a second of
	// key derivation) never waits for a scan, nor a scan for it.
	signerMu sync.Mutex
	signer   *keystore.Signer
}

func (l *lockedWallet) Balance() (wallet.Balance, int32, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, err := l.w.Balance()
	return b, l.w.ScanHeight(), err
}

func (l *lockedWallet) History() ([]wallet.HistoryEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.History()
}

func (l *lockedWallet) NextAddress() (string, uint32, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, err := l.w.NewAddress(wallet.ReceiveBranch)
	if err != nil {
		return "", 0, err
	}
	return a.Address.EncodeAddress(), a.Index, nil
}

// Coins returns every unspent output, frozen ones included, and the tip.
func (l *lockedWallet) Coins() ([]*wallet.Output, int32, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.UTXOs()
}

func (l *lockedWallet) Labels() (map[string]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Labels()
}

func (l *lockedWallet) SetFrozen(op wire.OutPoint, frozen bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.SetFrozen(op, frozen)
}

func (l *lockedWallet) SetLabel(key, label string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.SetLabel(key, label)
}

// Owns reports whether script is the wallet's. It runs inside Update, which
// must not wait for a scan in progress: while one runs, nothing is ours.
func (l *lockedWallet) Owns(script []byte) bool {
	if !l.mu.TryLock() {
		return false
	}
	defer l.mu.Unlock()
	ours, _ := l.w.Owns(script)
	return ours
}

// Draft builds an unsigned payment, its locktime at the node's tip.
func (l *lockedWallet) Draft(req *wallet.SendRequest) (*wallet.Draft, error) {
	r := *req
	l.mu.Lock()
	defer l.mu.Unlock()
	r.TipHeight = l.w.ScanHeight()
	if l.node != nil {
		r.TipHeight = l.node.Store().Tip().Height
	}
	return l.w.CreatePSBT(&r)
}

// Review says what a draft pays, from the wallet's point of view.
func (l *lockedWallet) Review(d *wallet.Draft) (*psbtx.Review, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.ReviewPSBT(d.Packet)
}

func (l *lockedWallet) WatchOnly() bool { return l.w.WatchOnly() }

// DefaultFeeRate is the fee rate a new payment starts with.
func (l *lockedWallet) DefaultFeeRate() float64 {
	l.confMu.Lock()
	defer l.confMu.Unlock()
	return l.conf.feeRate()
}

// Unlocked reports whether the signer is held, so that signing needs no
// password.
func (l *lockedWallet) Unlocked() bool {
	l.signerMu.Lock()
	defer l.signerMu.Unlock()
	return l.signer != nil
}

// Unlock derives the keys from the password and holds them until Lock.
func (l *lockedWallet) Unlock(_ context.Context, password []byte) error {
	s, err := l.unlockSigner(password)
	if err != nil {
		return err
	}
	l.signerMu.Lock()
	old := l.signer
	l.signer = s
	l.signerMu.Unlock()
	if old != nil {
		old.Close()
	}
	l.a.logger().Info("wallet unlocked", "wallet", l.a.flags.walletName)
	return nil
}

// Lock drops the held keys.
func (l *lockedWallet) Lock() {
	l.signerMu.Lock()
	s := l.signer
	l.signer = nil
	l.signerMu.Unlock()
	if s != nil {
		s.Close()
		l.a.logger().Info("wallet locked", "wallet", l.a.flags.walletName)
	}
}

// unlockSigner opens the keystore with password.
func (l *lockedWallet) unlockSigner(password []byte) (*keystore.Signer, error) {
	if l.w.WatchOnly() {
		return nil, errors.New("this is a watch-only wallet: it has no keys to unlock")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Unlock(password)
}

// ChangePassword re-encrypts the keys under a new password.
func (l *lockedWallet) ChangePassword(_ context.Context, old, new []byte) error {
	if len(new) == 0 {
		return keystore.ErrEmptyPassword
	}
	if l.w.WatchOnly() {
		return errors.New("this is a watch-only wallet: it has no keys and no password")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	st, err := l.w.Keystore()
	if err != nil {
		return err
	}
	if err := st.ChangePassword(old, new, l.a.keystoreOpts...); err != nil {
		return err
	}
	l.a.logger().Info("wallet password changed", "wallet", l.a.flags.walletName)
	return nil
}

// SignAndBroadcast signs a draft with the held keys, or with password when
// the wallet is locked, broadcasts it and records it as unconfirmed.
func (l *lockedWallet) SignAndBroadcast(ctx context.Context, d *wallet.Draft, password []byte, label string) (string, error) {
	if l.w.WatchOnly() {
		return "", errors.New("this is a watch-only wallet: export the PSBT and sign it on the machine with the keys")
	}
	l.signerMu.Lock()
	signer := l.signer
	l.signerMu.Unlock()
	if signer == nil {
		s, err := l.unlockSigner(password)
		if err != nil {
			return "", err
		}
		defer s.Close()
		signer = s
	}
	// Sign a copy: a failed broadcast leaves the draft as it was, to retry.
	p, err := clonePacket(d.Packet)
	if err != nil {
		return "", err
	}
	// The draft passed the fee limits when it was made. Signing reads only
	// the account and the stored transactions (bbolt), not the script
	// window a scan extends, so it does not wait for l.mu.
	l.signerMu.Lock()
	tx, err := signPayment(l.w, p, signer, wallet.SignOptions{Force: true})
	l.signerMu.Unlock()
	if err != nil {
		return "", err
	}
	if l.node == nil {
		return "", errors.New("no network: export the PSBT instead")
	}
	res, err := l.node.Broadcast(ctx, tx, broadcastWait)
	if err != nil {
		return "", err
	}
	if len(res.SentTo) == 0 {
		return "", fmt.Errorf("no peer asked for transaction %s within %v; it was not sent", res.Txid, broadcastWait)
	}
	l.mu.Lock()
	err = recordPayment(l.w, tx, label)
	l.mu.Unlock()
	if err != nil {
		return "", err
	}
	l.a.logger().Info("sent", "txid", res.Txid, "fee", int64(d.Fee))
	return res.Txid.String(), nil
}

// ExportPSBT writes the unsigned draft to path: binary BIP174 for *.psbt,
// base64 text otherwise.
func (l *lockedWallet) ExportPSBT(d *wallet.Draft, path string) error {
	if path == "" || path == "-" {
		return errors.New("give a file name for the PSBT")
	}
	if err := l.a.writePSBT(d.Packet, path); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.ReserveChange(d)
}

// clonePacket returns a deep copy of p, through its serialization.
func clonePacket(p *psbt.Packet) (*psbt.Packet, error) {
	data, err := psbtx.EncodeBinary(p)
	if err != nil {
		return nil, err
	}
	return psbtx.Parse(data)
}
