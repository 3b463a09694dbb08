package wallet

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"go.etcd.io/bbolt"

	"github.com/satchelbtc/satchel/keystore"
)

// DefaultGapLimit is the number of consecutive unused addresses a wallet
// looks ahead on each branch.
const DefaultGapLimit = 20

// The two branches of an account, as the fourth step of a BIP44-style path.
const (
	ReceiveBranch uint32 = 0
	ChangeBranch  uint32 = 1
)

// fileExt is the extension of wallet files.
const fileExt = ".db"

// maxNameLen bounds wallet names so that file names stay portable.
const maxNameLen = 64

// CreateConfig describes a new wallet. Exactly one of Secret or Receive must
// be set.
type CreateConfig struct {
	// Secret makes a wallet that can sign. Password is then required and
	// ScriptType chooses the account (default P2WPKH).
	Secret     *keystore.Secret
	Password   []byte
	ScriptType ScriptType

	// KeystoreOptions are passed to keystore.Create (tests use them to pick
	// fast KDF parameters).
	KeystoreOptions []keystore.Option

	// Receive makes a watch-only wallet. It is a single-branch descriptor
	// for the receive chain or a multipath one for both; Change, optional,
	// is the change chain's descriptor and must use the same key. Without
	// either a change descriptor or a multipath receive descriptor, the
	// change chain is the key's branch 1.
	Receive *Descriptor
	Change  *Descriptor

	// BirthdayHeight is the first block that can hold the wallet's
	// transactions; -1 when unknown.
	BirthdayHeight int32
	// BirthdayDate, used when BirthdayHeight is -1, is the day of the
	// wallet's first transaction: the first scan starts at the first block
	// whose timestamp is at or after it minus BirthdayMargin, looked up in
	// the header chain when the scan runs (so a date given before the
	// headers reach it works too). Zero when unknown.
	BirthdayDate time.Time

	// GapLimit overrides DefaultGapLimit when non-zero.
	GapLimit uint32
}

// Wallet is an open wallet file. It is safe for concurrent access: every
// method may run while a Scan is in progress. Reads (Balance, History,
// UTXOs, Owns, Info, ReviewPSBT, SignPSBT and the rest) each see one
// consistent snapshot of the file and never wait for a scan, which holds no
// lock across blocks: it writes one bbolt transaction per block, and reads
// the wallet again when something else wrote in between. Writes are
// serialized by bbolt, one transaction each. Two scans run one after the
// other. Close must not be called while other calls are running.
type Wallet struct {
	path     string
	db       *bbolt.DB
	net      *chaincfg.Params
	meta     *walletMeta
	account  *accountRecord
	receive  *Descriptor
	change   *Descriptor
	readOnly bool

	// scanMu makes scans run one at a time.
	scanMu sync.Mutex

	// mu guards scripts and window: the scan and payments extend them
	// while pages read them.
	mu sync.RWMutex
	// scripts maps every watched script to its address; window is how
	// many addresses of each branch are derived.
	scripts map[string]scriptRef
	window  map[uint32]uint32

	// now, when set, replaces time.Now (tests move the clock with it).
	now func() time.Time
}

// Info is the public description of a wallet: everything that is readable
// without the password. A multisig wallet has no Fingerprint, AccountPath
// or XPub of its own; Multisig lists its cosigners.
type Info struct {
	Network        string
	WatchOnly      bool
	ScriptType     ScriptType
	Fingerprint    uint32
	AccountPath    []uint32
	XPub           string
	Receive        *Descriptor
	Change         *Descriptor
	BirthdayHeight int32
	// BirthdayDate is the birthday date of a wallet created with a date
	// instead of a height (see CreateConfig.BirthdayDate), else zero.
	BirthdayDate time.Time
	Created      time.Time
	GapLimit     uint32
	NextReceive  uint32
	NextChange   uint32

	// Multisig is the policy of a multisig wallet, nil otherwise.
	Multisig *Multisig
}

// OpenOption changes how Open opens a wallet.
type OpenOption func(*openOptions)

type openOptions struct {
	readOnly bool
}

// ReadOnly opens the wallet without write access: the file is guaranteed to
// stay byte-identical, and other readers may open it at the same time.
func ReadOnly() OpenOption {
	return func(o *openOptions) { o.readOnly = true }
}

// ValidateName checks that name can be used as a wallet name: 1 to 64
// letters, digits, '-', '_' or '.', not starting with a dot.
func ValidateName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("invalid wallet name %q: %s", name, why)
	}
	switch {
	case name == "":
		return bad("it is empty")
	case !utf8.ValidString(name):
		return bad("it is not valid text")
	case utf8.RuneCountInString(name) > maxNameLen:
		return bad(fmt.Sprintf("it is longer than %d characters", maxNameLen))
	case strings.HasPrefix(name, "."):
		return bad("it must not start with a dot")
	}
	for _, r := range name {
		ok := r == '-' || r == '_' || r == '.' ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
		if !ok {
			return bad("use only letters, digits, '-', '_' and '.'")
		}
	}
	return nil
}

// FilePath returns the file of the wallet called name in dir.
func FilePath(dir, name string) string {
	return filepath.Join(dir, name+fileExt)
}

// Create writes a new wallet file at path and opens it. The file appears
// under its name only once it is complete; an existing file is never
// replaced (ErrExists).
func Create(path string, net *chaincfg.Params, cfg *CreateConfig) (*Wallet, error) {
	if net == nil || cfg == nil {
		return nil, errors.New("wallet.Create: network and config are required")
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, ErrExists
	}
	acct, err := newAccountRecord(net, cfg)
	if err != nil {
		return nil, err
	}
	meta := &walletMeta{
		network:        net.Name,
		created:        time.Now().UTC().Truncate(time.Second),
		birthdayHeight: cfg.BirthdayHeight,
		birthdayDate:   birthdayDate(cfg),
		watchOnly:      cfg.Secret == nil,
		gapLimit:       cfg.GapLimit,
	}
	if meta.gapLimit == 0 {
		meta.gapLimit = DefaultGapLimit
	}
	if _, err := rand.Read(meta.id[:]); err != nil {
		return nil, err
	}

	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	tmp := fmt.Sprintf("%s.new-%x", path, meta.id[:4])
	if err := writeNewFile(tmp, meta, acct, cfg); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	// A hard link publishes the finished file atomically and fails if the
	// name was taken in the meantime, which rename would not.
	err = os.Link(tmp, path)
	os.Remove(tmp)
	if errors.Is(err, os.ErrExist) {
		return nil, ErrExists
	}
	if err != nil {
		return nil, err
	}
	syncDir(filepath.Dir(path))
	return Open(path, net)
}

// birthdayDate is the date a new wallet keeps: only without a height, at
// UTC midnight, as whole seconds are stored.
func birthdayDate(cfg *CreateConfig) time.Time {
	if cfg.BirthdayHeight >= 0 || cfg.BirthdayDate.IsZero() {
		return time.Time{}
	}
	return cfg.BirthdayDate.UTC().Truncate(time.Second)
}

// newAccountRecord derives the account's public record from the secret or
// checks the descriptors of a watch-only wallet.
func newAccountRecord(net *chaincfg.Params, cfg *CreateConfig) (*accountRecord, error) {
	switch {
	case cfg.Secret != nil && cfg.Receive != nil:
		return nil, errors.New("a wallet has either keys or descriptors, not both")
	case cfg.Secret != nil:
		if len(cfg.Password) == 0 {
			return nil, keystore.ErrEmptyPassword
		}
		st := cfg.ScriptType
		if st == 0 {
			st = P2WPKH
		}
		if st.Multisig() {
			return nil, fmt.Errorf("%s is a multisig script type: a seed takes part in a multisig wallet as a cosigner (satchel wallet xpub --bip48), and the multisig wallet is a watch-only import of its descriptor", st)
		}
		signer, err := keystore.NewSigner(cfg.Secret, net)
		if err != nil {
			return nil, err
		}
		defer signer.Close()
		path := AccountPath(st, net, 0)
		xpub, err := signer.AccountXPub(path)
		if err != nil {
			return nil, err
		}
		return &accountRecord{
			scriptType:  st,
			fingerprint: signer.Fingerprint(),
			path:        path,
			xpub:        xpub.String(),
		}, nil
	case cfg.Receive != nil:
		return watchOnlyAccount(cfg.Receive, cfg.Change)
	default:
		return nil, errors.New("a new wallet needs a mnemonic or a descriptor")
	}
}

// watchOnlyAccount checks that the receive and change descriptors describe
// the two branches of one account.
func watchOnlyAccount(recv, change *Descriptor) (*accountRecord, error) {
	if !hasBranch(recv, ReceiveBranch) {
		return nil, errors.New("the receive descriptor must derive .../0/* (or .../<0;1>/*)")
	}
	if change != nil {
		if !hasBranch(change, ChangeBranch) {
			return nil, errors.New("the change descriptor must derive .../1/*")
		}
		if err := checkPair(recv, change); err != nil {
			return nil, err
		}
	}
	if recv.Type.Multisig() {
		if recv.Multisig == nil || len(recv.Multisig.Keys) == 0 {
			return nil, errors.New("the multisig descriptor has no keys")
		}
		m := &multisigRecord{threshold: recv.Multisig.Threshold, sorted: recv.Multisig.Sorted}
		for _, k := range recv.Multisig.Keys {
			m.keys = append(m.keys, cosignerRecord{fingerprint: k.Origin.Fingerprint,
				path: append([]uint32(nil), k.Origin.Path...), xpub: k.Key.String()})
		}
		return &accountRecord{scriptType: recv.Type, multisig: m}, nil
	}
	return &accountRecord{
		scriptType:  recv.Type,
		fingerprint: recv.Origin.Fingerprint,
		path:        append([]uint32(nil), recv.Origin.Path...),
		xpub:        recv.Key.String(),
	}, nil
}

func hasBranch(d *Descriptor, b uint32) bool {
	for _, x := range d.Branches {
		if x == b {
			return true
		}
	}
	return false
}

// writeNewFile writes a complete wallet into a fresh file in one transaction.
func writeNewFile(path string, meta *walletMeta, acct *accountRecord, cfg *CreateConfig) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: lockTimeout})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		if err := dbCreateBuckets(tx); err != nil {
			return err
		}
		if err := dbPutMeta(tx, meta); err != nil {
			return err
		}
		if err := dbPutAccount(tx, 0, acct); err != nil {
			return err
		}
		if cfg.Secret == nil {
			return nil
		}
		return keystore.Create(tx, meta.id, cfg.Secret, cfg.Password, cfg.KeystoreOptions...)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir flushes a directory entry so a new file survives a crash.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Open opens the wallet file at path for the given network.
func Open(path string, net *chaincfg.Params, opts ...OpenOption) (*Wallet, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	db, err := openDB(path, o.readOnly)
	if err != nil {
		return nil, err
	}
	w := &Wallet{path: path, db: db, net: net, readOnly: o.readOnly}
	if err := w.load(); err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

// load reads the wallet-wide record and the account.
func (w *Wallet) load() error {
	err := safeView(w.db, func(tx *bbolt.Tx) error {
		var err error
		if w.meta, err = dbFetchMeta(tx); err != nil {
			return err
		}
		w.account, err = dbFetchAccount(tx, 0)
		return err
	})
	if err != nil {
		return err
	}
	if w.meta.network != w.net.Name {
		return fmt.Errorf("%w: it is a %s wallet, not %s", ErrWrongNetwork, w.meta.network, w.net.Name)
	}
	d, err := accountDescriptor(w.account, w.net)
	if err != nil {
		return err
	}
	w.receive = d
	w.change = d.Branch(ChangeBranch)
	if !w.readOnly {
		if err := w.upgrade(); err != nil {
			return err
		}
	}
	return safeView(w.db, func(tx *bbolt.Tx) error {
		_, err := w.extendScripts(tx)
		return err
	})
}

// accountDescriptor returns the receive descriptor of a stored account.
func accountDescriptor(a *accountRecord, net *chaincfg.Params) (*Descriptor, error) {
	if !a.scriptType.valid() || a.scriptType.Multisig() != (a.multisig != nil) {
		return nil, damaged("unknown script type %d", a.scriptType)
	}
	readKey := func(s string) (*hdkeychain.ExtendedKey, error) {
		key, err := hdkeychain.NewKeyFromString(s)
		if err != nil || key.IsPrivate() || !key.IsForNet(net) {
			return nil, damaged("the account key cannot be read")
		}
		return key, nil
	}
	d := &Descriptor{Type: a.scriptType, Branches: []uint32{ReceiveBranch}}
	if a.multisig == nil {
		key, err := readKey(a.xpub)
		if err != nil {
			return nil, err
		}
		d.Origin, d.Key = KeyOrigin{Fingerprint: a.fingerprint, Path: a.path}, key
		return d, nil
	}
	m := &Multisig{Threshold: a.multisig.threshold, Sorted: a.multisig.sorted}
	for _, k := range a.multisig.keys {
		key, err := readKey(k.xpub)
		if err != nil {
			return nil, err
		}
		m.Keys = append(m.Keys, MultisigKey{Origin: KeyOrigin{Fingerprint: k.fingerprint, Path: k.path}, Key: key})
	}
	d.Multisig = m
	return d, nil
}

// upgrade adds the buckets a newer version introduced, writing only when
// one is missing (so opening never changes a current file).
func (w *Wallet) upgrade() error {
	missing := false
	safeView(w.db, func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{txBucket, usedBucket, frozenBucket, labelBucket} {
			if tx.Bucket(b) == nil {
				missing = true
			}
		}
		return nil
	})
	if !missing {
		return nil
	}
	return safeUpdate(w.db, dbCreateBuckets)
}

// Close closes the wallet file.
func (w *Wallet) Close() error {
	return w.db.Close()
}

// Path returns the wallet's file.
func (w *Wallet) Path() string { return w.path }

// Network returns the chain parameters the wallet was opened for.
func (w *Wallet) Network() *chaincfg.Params { return w.net }

// WatchOnly reports whether the wallet holds only public keys.
func (w *Wallet) WatchOnly() bool { return w.meta.watchOnly }

// Info returns the wallet's public description.
func (w *Wallet) Info() (*Info, error) {
	info := &Info{
		Network:        w.meta.network,
		WatchOnly:      w.meta.watchOnly,
		ScriptType:     w.account.scriptType,
		Fingerprint:    w.account.fingerprint,
		AccountPath:    append([]uint32(nil), w.account.path...),
		XPub:           w.account.xpub,
		Receive:        w.receive,
		Change:         w.change,
		BirthdayHeight: w.meta.birthdayHeight,
		BirthdayDate:   w.meta.birthdayDate,
		Created:        w.meta.created,
		GapLimit:       w.meta.gapLimit,
		Multisig:       w.receive.Multisig.clone(),
	}
	err := safeView(w.db, func(tx *bbolt.Tx) error {
		info.NextReceive = dbFetchNextIndex(tx, 0, ReceiveBranch)
		info.NextChange = dbFetchNextIndex(tx, 0, ChangeBranch)
		return nil
	})
	return info, err
}

// Descriptor returns the descriptor of a branch.
func (w *Wallet) Descriptor(branch uint32) *Descriptor {
	if branch == ChangeBranch {
		return w.change
	}
	return w.receive
}

// Address derives the address at index on a branch.
func (w *Wallet) Address(branch, index uint32) (*DerivedAddress, error) {
	if branch != ReceiveBranch && branch != ChangeBranch {
		return nil, fmt.Errorf("branch %d does not exist: use 0 (receive) or 1 (change)", branch)
	}
	if index >= hdkeychain.HardenedKeyStart {
		return nil, fmt.Errorf("address index %d is out of range", index)
	}
	return w.Descriptor(branch).Derive(branch, index, w.net)
}

// NewAddress hands out the next address of a branch: the index is stored,
// so the same address is not handed out twice.
func (w *Wallet) NewAddress(branch uint32) (*DerivedAddress, error) {
	if w.readOnly {
		return nil, errors.New("the wallet is open read-only")
	}
	var addr *DerivedAddress
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		next := dbFetchNextIndex(tx, 0, branch)
		var err error
		if addr, err = w.Address(branch, next); err != nil {
			return err
		}
		if err := dbPutNextIndex(tx, 0, branch, next+1); err != nil {
			return err
		}
		_, err = w.extendScripts(tx)
		return err
	})
	return addr, err
}

// Addresses derives the first count addresses of a branch. With count 0 it
// derives the wallet's look-ahead window: every address handed out so far
// plus the gap limit.
func (w *Wallet) Addresses(branch uint32, count uint32) ([]*DerivedAddress, error) {
	if count == 0 {
		var next uint32
		err := safeView(w.db, func(tx *bbolt.Tx) error {
			next = dbFetchNextIndex(tx, 0, branch)
			return nil
		})
		if err != nil {
			return nil, err
		}
		count = next + w.meta.gapLimit
	}
	addrs := make([]*DerivedAddress, 0, count)
	for i := uint32(0); i < count; i++ {
		a, err := w.Address(branch, i)
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// Keystore returns the wallet's encrypted key store, or ErrWatchOnly.
func (w *Wallet) Keystore() (*keystore.Store, error) {
	if w.meta.watchOnly {
		return nil, ErrWatchOnly
	}
	st, err := keystore.Open(w.db, w.meta.id)
	if errors.Is(err, keystore.ErrNoKeystore) {
		return nil, damaged("the wallet's keys are missing")
	}
	return st, err
}

// Summary is one entry of List.
type Summary struct {
	Name string
	Info *Info // nil when Err is set
	Err  error
}

// List opens every wallet file in dir read-only and summarizes it. A
// damaged file is listed with its error rather than failing the listing.
func List(dir string, net *chaincfg.Params) ([]Summary, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), fileExt)
		if !ok || e.IsDir() || ValidateName(name) != nil {
			continue
		}
		s := Summary{Name: name}
		w, err := Open(filepath.Join(dir, e.Name()), net, ReadOnly())
		if err != nil {
			s.Err = err
		} else {
			s.Info, s.Err = w.Info()
			w.Close()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
