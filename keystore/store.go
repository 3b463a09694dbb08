package keystore

import (
	"errors"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"go.etcd.io/bbolt"
)

// Option adjusts how Create and ChangePassword seal a record.
type Option func(*options)

// options holds the settings Options change.
type options struct {
	kdf *KDFParams
}

// WithKDFParams makes Create or ChangePassword use p instead of the
// default (DefaultKDFParams for Create, the record's current parameters for
// ChangePassword). Parameters outside the accepted bounds make the call
// fail.
func WithKDFParams(p KDFParams) Option {
	return func(o *options) { o.kdf = &p }
}

// applyOptions returns the KDF parameters to use, def unless overridden.
func applyOptions(def KDFParams, opts []Option) KDFParams {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.kdf != nil {
		return *o.kdf
	}
	return def
}

// Create encrypts s under password and stores it as the keystore of the
// wallet walletID, inside the caller's write transaction tx (so a new
// wallet's keys and state can be committed together). It fails if the
// wallet file already holds keys. By default the KDF uses
// DefaultKDFParams (see WithKDFParams); it runs while tx is open, which
// takes about a second with the defaults.
func Create(tx *bbolt.Tx, walletID [16]byte, s *Secret, password []byte,
	opts ...Option) error {

	if tx == nil {
		return errors.New("cannot store the keys: no wallet file " +
			"transaction was given")
	}
	if len(password) == 0 {
		return ErrEmptyPassword
	}
	if err := dbCheckCreate(tx); err != nil {
		return err
	}
	rec, err := sealRecord(s, password, walletID,
		applyOptions(DefaultKDFParams(), opts))
	if err != nil {
		return err
	}
	return dbCreateRecord(tx, rec)
}

// Exists reports whether the wallet file seen by tx holds a keystore. A
// wallet without one is watch-only.
func Exists(tx *bbolt.Tx) bool {
	return tx != nil && dbRecordExists(tx)
}

// Store is the encrypted keystore of one wallet. Opening it checks the
// stored record's header but decrypts nothing; Unlock and Secret decrypt
// with a password, ChangePassword re-encrypts. A Store is safe for
// concurrent use.
type Store struct {
	db       *bbolt.DB
	walletID [16]byte

	mu     sync.Mutex // guards params
	params KDFParams
}

// Open returns the keystore of the wallet walletID in db. It fails with
// ErrNoKeystore when the file holds no keys (a watch-only wallet) and with
// an error wrapping ErrCorrupt when the stored record is malformed or
// belongs to another wallet. Open only reads the file.
func Open(db *bbolt.DB, walletID [16]byte) (*Store, error) {
	if db == nil {
		return nil, errors.New("cannot open the keystore: no wallet file " +
			"was given")
	}
	rec, err := dbLoadRecord(db)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, ErrNoKeystore
	}
	r, err := parseRecord(rec)
	if err != nil {
		return nil, err
	}
	if err := r.checkWallet(walletID); err != nil {
		return nil, err
	}
	return &Store{db: db, walletID: walletID, params: r.params}, nil
}

// KDFParams returns the KDF parameters of the stored record, as last read
// or written through this Store.
func (st *Store) KDFParams() KDFParams {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.params
}

// load reads and decrypts the stored record, returning the record's bytes,
// its parsed header and the secret. The file is only read, and the slow KDF
// runs outside any transaction.
func (st *Store) load(password []byte) ([]byte, *record, *Secret, error) {
	rec, err := dbLoadRecord(st.db)
	if err != nil {
		return nil, nil, nil, err
	}
	if rec == nil {
		return nil, nil, nil, ErrNoKeystore
	}
	r, err := parseRecord(rec)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := r.checkWallet(st.walletID); err != nil {
		return nil, nil, nil, err
	}
	st.setParams(r.params)
	s, err := r.open(password)
	if err != nil {
		return nil, nil, nil, err
	}
	return rec, r, s, nil
}

// setParams records the KDF parameters of the stored record.
func (st *Store) setParams(p KDFParams) {
	st.mu.Lock()
	st.params = p
	st.mu.Unlock()
}

// Unlock decrypts the keystore with password and returns a Signer for net.
// A wrong password gives ErrWrongPassword and leaves the file untouched.
// The caller must Close the Signer to wipe its keys.
func (st *Store) Unlock(password []byte, net *chaincfg.Params) (*Signer,
	error) {

	if net == nil {
		return nil, errors.New("cannot unlock the wallet: no network " +
			"was given")
	}
	_, _, s, err := st.load(password)
	if err != nil {
		return nil, err
	}
	defer s.Zero()
	return NewSigner(s, net)
}

// Secret decrypts the keystore with password and returns the secret, for
// showing the mnemonic again. The caller must Zero it.
func (st *Store) Secret(password []byte) (*Secret, error) {
	_, _, s, err := st.load(password)
	return s, err
}

// ChangePassword re-encrypts the keystore under newPassword after checking
// oldPassword, with a fresh salt and nonce and the record's current KDF
// parameters unless WithKDFParams is given. The new record replaces the old
// one in a single write transaction, so the file holds one or the other
// whatever happens; then every free page of the file is overwritten, so no
// byte of the old record (readable with the old password) remains in it. An empty new password gives ErrEmptyPassword, a wrong
// old one ErrWrongPassword; in both cases nothing is written.
func (st *Store) ChangePassword(oldPassword, newPassword []byte,
	opts ...Option) error {

	if len(newPassword) == 0 {
		return ErrEmptyPassword
	}
	old, r, s, err := st.load(oldPassword)
	if err != nil {
		return err
	}
	defer s.Zero()

	params := applyOptions(r.params, opts)
	rec, err := sealRecord(s, newPassword, st.walletID, params)
	if err != nil {
		return err
	}
	if err := dbReplaceRecord(st.db, old, rec); err != nil {
		return err
	}
	st.setParams(params)
	// The old record, readable with the old password, stays in the page
	// bbolt freed until something overwrites it: overwrite it now.
	return dbWipeFreePages(st.db)
}
