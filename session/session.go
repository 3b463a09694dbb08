package session

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
)

// ErrWatchOnly is returned for what needs keys a watch-only wallet does
// not have: unlocking, signing, changing a password.
var ErrWatchOnly = errors.New("this is a watch-only wallet")

// Default waits, for a zero Config field.
const (
	// DefaultPeerTimeout is how long the background loop waits for a peer.
	DefaultPeerTimeout = 30 * time.Second
	// DefaultBroadcastWait is how long peers get to fetch a payment.
	DefaultBroadcastWait = 10 * time.Second
)

// Config says what a session runs with. Only Net is required.
type Config struct {
	// Net is the wallet's network.
	Net *chaincfg.Params
	// Node is the light node the session scans with and pays through; nil
	// for an offline session, which can read, draft and sign only.
	Node *lightnode.Node
	// Logger receives what the session does; nil discards it.
	Logger *slog.Logger
	// KeystoreOptions are passed to every keystore operation that seals a
	// secret (a password change).
	KeystoreOptions []keystore.Option
	// BIP37Mempool also asks the peers for their whole mempool, with a
	// bloom filter of the wallet's scripts, after each scan: a privacy
	// trade-off the user opts into. Without it, unconfirmed payments are
	// only those the peers announce on their own.
	BIP37Mempool bool
	// PeerTimeout bounds the background loop's waits for peers; 0 means
	// DefaultPeerTimeout.
	PeerTimeout time.Duration
	// BroadcastWait is how long Pay gives the peers to fetch a payment; 0
	// means DefaultBroadcastWait.
	BroadcastWait time.Duration
}

// Session is one open wallet and the lock on its keys. It is safe for
// concurrent use.
type Session struct {
	cfg  Config
	name string
	w    *wallet.Wallet
	log  *slog.Logger

	// signerMu guards signer only: unlocking (a second of key
	// derivation) never waits for the wallet, nor the wallet for it.
	signerMu sync.Mutex
	signer   *keystore.Signer

	// loop is the background scan loop started by Start.
	loopMu   sync.Mutex
	stopLoop func()
	wg       sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// Open opens the wallet called name in dir. The error wraps
// wallet.ErrNotFound when there is no such wallet.
func Open(dir, name string, cfg Config, opts ...wallet.OpenOption) (*Session, error) {
	if err := wallet.ValidateName(name); err != nil {
		return nil, err
	}
	if cfg.Net == nil {
		return nil, errors.New("session: no network given")
	}
	w, err := wallet.Open(wallet.FilePath(dir, name), cfg.Net, opts...)
	if err != nil {
		return nil, fmt.Errorf("wallet %q: %w", name, err)
	}
	return New(w, name, cfg), nil
}

// New starts a session on an open wallet, which the session then owns: Close
// closes it.
func New(w *wallet.Wallet, name string, cfg Config) *Session {
	if cfg.PeerTimeout <= 0 {
		cfg.PeerTimeout = DefaultPeerTimeout
	}
	if cfg.BroadcastWait <= 0 {
		cfg.BroadcastWait = DefaultBroadcastWait
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Session{cfg: cfg, name: name, w: w, log: log.With("wallet", name)}
}

// Name is the wallet's name.
func (s *Session) Name() string { return s.name }

// Wallet is the open wallet, for reads and writes the session does not
// wrap. It is safe for concurrent use; do not close it.
func (s *Session) Wallet() *wallet.Wallet { return s.w }

// Node is the session's light node, nil when offline.
func (s *Session) Node() *lightnode.Node { return s.cfg.Node }

// WatchOnly reports whether the wallet has no keys.
func (s *Session) WatchOnly() bool { return s.w.WatchOnly() }

// TipHeight is the height new payments take their locktime from: the
// node's tip when online, else the height the wallet was scanned to.
func (s *Session) TipHeight() int32 {
	if s.cfg.Node != nil {
		return s.cfg.Node.Store().Tip().Height
	}
	return s.w.ScanHeight()
}

// Close stops the background loop, locks the keys and closes the wallet.
// It is safe to call more than once.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.Stop()
		s.Lock()
		s.closeErr = s.w.Close()
	})
	return s.closeErr
}

// Unlocked reports whether the keys are held, so that signing needs no
// password.
func (s *Session) Unlocked() bool {
	s.signerMu.Lock()
	defer s.signerMu.Unlock()
	return s.signer != nil
}

// Unlock derives the keys from password and holds them until Lock. The
// wallet's integrity is checked first (wallet.ErrIntegrity).
func (s *Session) Unlock(password []byte) error {
	signer, err := s.unlock(password)
	if err != nil {
		return err
	}
	s.signerMu.Lock()
	old := s.signer
	s.signer = signer
	s.signerMu.Unlock()
	if old != nil {
		old.Close()
	}
	s.log.Info("wallet unlocked")
	return nil
}

// Lock drops the held keys.
func (s *Session) Lock() {
	s.signerMu.Lock()
	signer := s.signer
	s.signer = nil
	s.signerMu.Unlock()
	if signer != nil {
		signer.Close()
		s.log.Info("wallet locked")
	}
}

// unlock opens the keystore with password.
func (s *Session) unlock(password []byte) (*keystore.Signer, error) {
	if s.w.WatchOnly() {
		return nil, fmt.Errorf("%w: it has no keys to unlock", ErrWatchOnly)
	}
	return s.w.Unlock(password)
}

// withSigner calls fn with the held keys, or with keys unlocked from
// password for this call only.
func (s *Session) withSigner(password []byte, fn func(*keystore.Signer) error) error {
	s.signerMu.Lock()
	held := s.signer
	if held != nil {
		// Held across fn so that Lock does not close the keys under it.
		defer s.signerMu.Unlock()
		return fn(held)
	}
	s.signerMu.Unlock()
	signer, err := s.unlock(password)
	if err != nil {
		return err
	}
	defer signer.Close()
	return fn(signer)
}

// ChangePassword re-encrypts the keys under a new password; the old one
// must be right.
func (s *Session) ChangePassword(old, new []byte) error {
	if len(new) == 0 {
		return keystore.ErrEmptyPassword
	}
	if s.w.WatchOnly() {
		return fmt.Errorf("%w: it has no keys and no password", ErrWatchOnly)
	}
	st, err := s.w.Keystore()
	if err != nil {
		return err
	}
	if err := st.ChangePassword(old, new, s.cfg.KeystoreOptions...); err != nil {
		return err
	}
	s.log.Info("wallet password changed")
	return nil
}
