package headerstore

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

var (
	// ErrNotFound is returned by lookups for a height above the tip or a hash
	// that is not on the stored best chain.
	ErrNotFound = errors.New("not found")

	// ErrDamaged is returned, wrapped with the details, when chain.db cannot
	// be used: it is truncated, corrupt, not a satchel chain database, or
	// made for another network (see ErrWrongNetwork). The headers can always
	// be downloaded again, so the remedy is to delete the file.
	ErrDamaged = errors.New("unusable chain.db")

	// ErrWrongNetwork is returned by Open, wrapped with the network the file
	// belongs to, when chain.db holds the chain of a different network than
	// Config.Params. It wraps ErrDamaged, so errors.Is(err, ErrDamaged) holds
	// as well.
	ErrWrongNetwork = fmt.Errorf("%w: it belongs to another network", ErrDamaged)

	// ErrInUse is returned by Open when another process holds chain.db open
	// for writing (or, for a writer, open at all).
	ErrInUse = errors.New("chain.db is in use by another satchel process")

	// ErrReadOnly is returned by the methods that write when the store was
	// opened with Config.ReadOnly.
	ErrReadOnly = errors.New("chain.db is open read-only")

	// ErrNotChained is returned, wrapped with the details, by Connect when
	// the headers do not extend the stored chain at the fork height: wrong
	// heights, a previous-block hash that does not match, chain work that
	// goes down, or a fork above the tip. PutFilterHeaders returns it when
	// the filter headers do not continue the stored filter-header chain or
	// do not belong to the best chain's blocks. Nothing is written in either
	// case.
	ErrNotChained = errors.New("headers do not chain onto the stored chain")
)

// StoredHeader is a header of the best chain together with what the store
// knows about it.
type StoredHeader struct {
	// Header is the 80-byte block header.
	Header wire.BlockHeader

	// Hash is the block hash of Header.
	Hash chainhash.Hash

	// Height is the height of the block in the best chain; genesis is 0.
	Height int32

	// Work is the cumulative chain work up to and including this header.
	Work *big.Int
}

// Tip describes the last header of the best chain.
type Tip struct {
	// Height is the height of the tip; 0 when only genesis is stored.
	Height int32

	// Hash is the block hash of the tip.
	Hash chainhash.Hash

	// Work is the cumulative chain work of the best chain. Each call to
	// Store.Tip returns its own copy, which the caller may modify.
	Work *big.Int

	// Header is the tip's block header.
	Header wire.BlockHeader
}

// Ban records that a peer must not be connected to until a given time.
type Ban struct {
	// Key identifies the peer: an IP address, an IPv6 /64, or IP:port, as the
	// node decides.
	Key string

	// Until is the time the ban expires.
	Until time.Time

	// Reason says what the peer did, for the node page and the log.
	Reason string
}

// Store is the persistent best header chain of one network, with the BIP157
// filter-header chain that follows it, bounded caches of compact filters and
// raw blocks, and the peer bans of that network: the union of HeaderStore,
// FilterHeaderStore, FilterCache, BlockCache and BanStore over one chain.db,
// which Open returns and Close releases. Code that needs only one part
// should take that part's interface.
//
// All methods are safe for concurrent use. Writers are serialized across
// all the parts, because a Connect also cuts the filter headers and the
// filter cache; readers see either the chain before or after a Connect or
// PutFilterHeaders.
type Store interface {
	HeaderStore
	FilterHeaderStore
	FilterCache
	BlockCache
	BanStore

	// Close releases the file. Calls after Close return errors; Tip and
	// FilterTip keep returning the last tips.
	Close() error
}

// HeaderReader reads the stored best header chain: its tip, its headers by
// height or hash, its block hashes and a block locator. It holds one header
// per height from genesis to the tip, each with its chain work. It is what
// explorer pages and lookups need; the header sync also writes
// (HeaderStore).
//
// Its methods are safe for concurrent use, also with a Connect on the same
// store: a reader sees the chain either before or after it. Two reads may
// see different chains when a Connect runs between them, so a caller that
// needs several headers of one chain reads them with one call (Headers,
// BlockHashes).
type HeaderReader interface {
	// Tip returns the last header of the best chain. It is served from
	// memory and updated by Connect.
	Tip() Tip

	// HeaderByHeight returns the best-chain header at height, or
	// ErrNotFound when height is negative or above the tip.
	HeaderByHeight(height int32) (*StoredHeader, error)

	// HeaderByHash returns the header with the given hash if it is on the
	// best chain, or ErrNotFound.
	HeaderByHash(hash *chainhash.Hash) (*StoredHeader, error)

	// Headers returns up to count consecutive best-chain headers in
	// ascending height order, starting at start and clipped at the tip. It
	// returns an empty slice when start is above the tip or count is not
	// positive. It serves explorer pages and bulk reads.
	Headers(start int32, count int) ([]StoredHeader, error)

	// BlockHashes returns up to count consecutive best-chain block hashes
	// in ascending height order, starting at start and clipped at the tip,
	// like Headers but without decoding or hashing the headers: each is
	// the previous-block hash of the header above it. It returns an empty
	// slice when start is above the tip or count is not positive, and
	// ErrNotFound when start is negative.
	BlockHashes(start int32, count int) ([]chainhash.Hash, error)

	// Locator returns a BIP block locator for the tip, for getheaders: the
	// tip and the 9 headers below it one by one, then steps that double each
	// time (2, 4, 8, ...), ending with the genesis hash.
	Locator() []chainhash.Hash
}

// HeaderStore is the stored best header chain with the writes of the
// header sync: Connect extends it or replaces it above a fork point
// (a reorganization), in one transaction.
//
// Its methods are safe for concurrent use. Writes are serialized with
// every other write to the same store (filter headers, caches, bans), so
// the tip changes in commit order. The node has a single writer of
// headers, the sync goroutine, which checked the headers' proof of work
// and difficulty before it connects them.
type HeaderStore interface {
	HeaderReader

	// Connect makes headers the best chain above height fork, atomically:
	// the stored headers above fork are replaced, with the filter headers
	// and cached filters above fork, by headers at fork+1, fork+2, ..., and
	// the last one becomes the tip. fork equal to the tip height is a plain
	// extension; a lower fork is a reorganization, after which FilterTip is
	// at most fork. Cached blocks stay until they are evicted.
	//
	// The caller guarantees that each header carries its own Hash and
	// Height and passed the consensus checks. Connect checks that the
	// headers chain onto the stored header at fork (heights and
	// previous-block hashes) and that each Work is the cumulative chain
	// work their bits give, and otherwise returns an error wrapping
	// ErrNotChained without writing anything. The store does not keep
	// references to headers after Connect returns.
	Connect(fork int32, headers []StoredHeader) error

	// ConnectRaw is Connect for the header sync: raw holds the 80-byte wire
	// serializations of the headers for heights fork+1, fork+2, ..., and
	// hashes their block hashes, which the caller guarantees to be right
	// (PutHeader and chainhash.DoubleHashH make both). The store derives
	// the chain work from the headers' bits. It does not keep raw or
	// hashes.
	ConnectRaw(fork int32, raw []byte, hashes []chainhash.Hash) error
}

// FilterHeaderStore is the stored BIP157 basic filter-header chain: one
// filter header per height from genesis up to FilterTip, never above the
// header tip, always for the blocks of the best chain. The filter sync
// appends to it once the peers agree on the filter headers; a Connect on
// the same store cuts it back to its fork point.
//
// Its methods are safe for concurrent use. Readers see the chain before or
// after a PutFilterHeaders or a Connect; PutFilterHeaders is serialized with
// every other write to the same store, and checks against the header chain
// in the same transaction, so a reorganization between fetching filter
// headers and storing them is caught.
type FilterHeaderStore interface {
	// FilterTip returns the height and the BIP157 basic filter header of
	// the highest stored filter header, or -1 and the zero hash when none
	// is stored. Filter headers are stored for heights 0..FilterTip without
	// a gap, never above the header tip, and always for the blocks of the
	// best chain. It is served from memory and updated by PutFilterHeaders
	// and Connect.
	FilterTip() (height int32, header chainhash.Hash)

	// FilterHeader returns the basic filter header of the best-chain block
	// at height, or ErrNotFound when height is negative or above FilterTip.
	FilterHeader(height int32) (chainhash.Hash, error)

	// FilterHeaders returns up to count consecutive basic filter headers in
	// ascending height order, starting at start and clipped at FilterTip.
	// It returns an empty slice when start is above FilterTip or count is
	// not positive, and ErrNotFound when start is negative.
	FilterHeaders(start int32, count int) ([]chainhash.Hash, error)

	// PutFilterHeaders appends the basic filter headers of the blocks at
	// heights start, start+1, ..., in one transaction. start must be
	// FilterTip+1 (0 when none is stored), the last height must not exceed
	// the header tip, and blockHashes[i] must be the hash of the best-chain
	// header at height start+i, which guards against a reorganization
	// between fetching the filter headers and storing them. Otherwise it
	// returns an error wrapping ErrNotChained and writes nothing. The
	// caller has checked the filter headers (against peers and
	// checkpoints); the store cannot. An empty batch is a no-op.
	PutFilterHeaders(start int32, blockHashes []chainhash.Hash, headers []chainhash.Hash) error
}

// FilterCache holds verified BIP158 basic filters of best-chain blocks by
// height, bounded by Config.FilterCacheBytes, so that a rescan needs not
// download them again. A filter is served only while its block is on the
// best chain; a Connect on the same store deletes those above its fork.
//
// Its methods are safe for concurrent use; PutFilters is serialized with
// every other write to the same store and evicts in the same transaction.
type FilterCache interface {
	// PutFilters caches the basic filters of the blocks at heights start,
	// start+1, ..., in one transaction. A filter whose blockHashes[i] is
	// not the best chain's block at its height (it was reorganized away, or
	// lies above the tip) is skipped, as is one already cached for the same
	// block. When the cache then holds more than Config.FilterCacheBytes,
	// the filters inserted first are evicted. The caller has checked each
	// filter against its filter header.
	PutFilters(start int32, blockHashes []chainhash.Hash, filters [][]byte) error

	// Filter returns the cached basic filter of the best-chain block at
	// height and that block's hash, or ErrNotFound when it is not cached
	// (or was cached for a block that is no longer on the best chain).
	Filter(height int32) (blockHash chainhash.Hash, filter []byte, err error)
}

// BlockCache holds raw blocks by hash, bounded by Config.BlockCacheBytes:
// the blocks the explorer opened, transaction lookups found and wallet
// scans matched. A block is served whether or not it is still on the best
// chain: the caller checked it against its header's merkle root before
// caching it, and the store checks that its header hashes to the key.
//
// Its methods are safe for concurrent use; PutBlock is serialized with every
// other write to the same store and evicts in the same transaction, so a
// block read by Block or CachedBlocks may be gone on the next read.
type BlockCache interface {
	// PutBlock caches a raw block (wire serialization with witnesses) under
	// its hash; raw must start with a header that hashes to hash. When the
	// cache then holds more than Config.BlockCacheBytes, the blocks
	// inserted first are evicted; a block larger than the whole budget is
	// not cached. Blocks are kept across reorganizations until evicted.
	PutBlock(hash chainhash.Hash, raw []byte) error

	// Block returns a copy of the cached raw block with the given hash, or
	// ErrNotFound.
	Block(hash chainhash.Hash) ([]byte, error)

	// CachedBlocks calls fn with each cached raw block and its hash, the
	// block cached last first, until fn returns false. fn owns raw, and
	// runs outside any transaction, so it may take its time and call the
	// store. Blocks evicted while it runs are skipped.
	CachedBlocks(fn func(hash chainhash.Hash, raw []byte) bool) error
}

// BanStore holds the banned peers of one network with their expiry, so
// that a peer that lied stays banned across restarts. An expired ban counts
// as none; Bans deletes the expired ones from the file.
//
// Its methods are safe for concurrent use; Ban and Unban are serialized with
// every other write to the same store.
type BanStore interface {
	// Ban records that the peer identified by key is banned until the given
	// time, replacing an earlier ban of the same key.
	Ban(key string, until time.Time, reason string) error

	// Unban lifts the ban of key. It returns ErrNotFound if key is not
	// banned.
	Unban(key string) error

	// Bans returns the bans that have not expired, ordered by key. Expired
	// bans are deleted from the file on the way.
	Bans() ([]Ban, error)

	// IsBanned reports whether key is banned now, and the ban if so. A read
	// error counts as not banned.
	IsBanned(key string) (Ban, bool)
}

const (
	// defaultLockTimeout is how long Open waits for another process to
	// release chain.db before it gives up with ErrInUse.
	defaultLockTimeout = time.Second

	// DefaultFilterCacheBytes is the filter cache budget when
	// Config.FilterCacheBytes is 0: about 12,000 mainnet filters, a few
	// months of blocks.
	DefaultFilterCacheBytes int64 = 256 << 20

	// DefaultBlockCacheBytes is the block cache budget when
	// Config.BlockCacheBytes is 0: a few dozen full mainnet blocks.
	DefaultBlockCacheBytes int64 = 128 << 20
)

// Config configures Open.
type Config struct {
	// Path is the chain.db file, normally <datadir>/<network>/chain.db.
	// Required. A missing file and parent folder are created (0600 and
	// 0700) unless ReadOnly is set.
	Path string

	// Params is the network whose chain the file holds. Required. Open
	// refuses a file whose genesis block differs from Params.GenesisHash.
	Params *chaincfg.Params

	// ReadOnly opens the file without writing to it, and allows other
	// read-only openers at the same time (for example a second satchel
	// command while no node runs). Optional; default false. A missing file
	// is an error, and an inconsistent tip is repaired in memory only.
	ReadOnly bool

	// LockTimeout is how long Open waits for another process that has the
	// file open. Optional; default one second.
	LockTimeout time.Duration

	// Now returns the current time, for ban expiry. Optional; default
	// time.Now.
	Now func() time.Time

	// FilterCacheBytes bounds the bytes (keys and values) of the cached
	// compact filters. Optional; 0 means DefaultFilterCacheBytes, a
	// negative value disables the cache. A writable Open evicts down to a
	// budget that was lowered since the last run.
	FilterCacheBytes int64

	// BlockCacheBytes bounds the bytes (keys and values) of the cached raw
	// blocks. Optional; 0 means DefaultBlockCacheBytes, a negative value
	// disables the cache. A writable Open evicts down to a budget that was
	// lowered since the last run.
	BlockCacheBytes int64
}

// cacheBudget turns a Config cache size into a budget in bytes: def for 0,
// and 0, which no entry fits, for a disabled cache.
func cacheBudget(configured, def int64) int64 {
	switch {
	case configured == 0:
		return def
	case configured < 0:
		return 0
	}
	return configured
}

// filterTip is the highest stored filter header.
type filterTip struct {
	height int32 // -1 when none is stored
	header chainhash.Hash
}

// noFilterTip is the filter tip of a store without filter headers.
var noFilterTip = filterTip{height: -1}

// boltStore is the Store kept in chain.db (bbolt, see db.go) and the two
// flat files next to it (see flatfile.go).
type boltStore struct {
	db            *chainDB
	headers       *flatFile
	filterHeaders *flatFile
	params        *chaincfg.Params
	now           func() time.Time

	// filterBudget and blockBudget are the cache budgets in bytes; 0
	// disables a cache.
	filterBudget int64
	blockBudget  int64

	// writeMu serializes the methods that write, so that the cached tips
	// change in commit order and what a writer checked stays true until it
	// commits.
	writeMu sync.Mutex

	// fileMu is held shared by readers of the flat files and exclusively by
	// a reorganization while it rewrites committed records. Appends write
	// past the tips and do not take it.
	fileMu sync.RWMutex

	// mu guards tip and ftip.
	mu   sync.RWMutex
	tip  Tip
	ftip filterTip

	// redo holds, in a read-only store, headers of a reorganization that
	// the headers file does not hold yet, from height redoFirst on; reads
	// see them instead of the file.
	redoFirst int32
	redo      []byte

	// Scratch space of the writers (writeMu).
	raw    []byte
	hashes []chainhash.Hash
	wc     workCalc
}

// The parts of Store, each implemented by boltStore.
var (
	_ Store             = (*boltStore)(nil)
	_ HeaderReader      = (*boltStore)(nil)
	_ HeaderStore       = (*boltStore)(nil)
	_ FilterHeaderStore = (*boltStore)(nil)
	_ FilterCache       = (*boltStore)(nil)
	_ BlockCache        = (*boltStore)(nil)
	_ BanStore          = (*boltStore)(nil)
)

// Open opens the chain database described by cfg, creating it with the
// genesis header of cfg.Params if it does not exist. It returns an error
// wrapping ErrDamaged when the files cannot be used, ErrWrongNetwork when
// they belong to another network, and ErrInUse when another process holds
// them.
func Open(cfg *Config) (Store, error) {
	if cfg == nil {
		return nil, errors.New("headerstore: nil Config")
	}
	if cfg.Path == "" {
		return nil, errors.New("headerstore: Config.Path is required")
	}
	p := cfg.Params
	if p == nil || p.GenesisHash == nil || p.GenesisBlock == nil {
		return nil, errors.New("headerstore: Config.Params with a genesis block is required")
	}
	genesis := p.GenesisBlock.Header
	if genesis.BlockHash() != *p.GenesisHash {
		return nil, fmt.Errorf("headerstore: %s params: genesis block does not hash to GenesisHash", p.Name)
	}
	timeout := cfg.LockTimeout
	if timeout <= 0 {
		timeout = defaultLockTimeout
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}

	db, err := openChainDB(cfg.Path, cfg.ReadOnly, timeout)
	if err != nil {
		return nil, err
	}
	s := &boltStore{
		db:           db,
		params:       p,
		now:          now,
		filterBudget: cacheBudget(cfg.FilterCacheBytes, DefaultFilterCacheBytes),
		blockBudget:  cacheBudget(cfg.BlockCacheBytes, DefaultBlockCacheBytes),
	}
	if err := s.load(timeout); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// knownNetworks are the networks Open can name when a file belongs to
// another one.
func knownNetworks() []*chaincfg.Params {
	return []*chaincfg.Params{
		&chaincfg.MainNetParams,
		&chaincfg.TestNet3Params,
		&chaincfg.TestNet4Params,
		&chaincfg.SigNetParams,
		&chaincfg.RegressionNetParams,
		&chaincfg.SimNetParams,
	}
}

// networkName names the network whose genesis block hashes to hash, or
// describes the hash when it is not a known network (a custom signet).
func networkName(hash *chainhash.Hash) string {
	for _, p := range knownNetworks() {
		if p.GenesisHash != nil && *p.GenesisHash == *hash {
			return p.Name
		}
	}
	return "an unknown network with genesis " + hash.String()
}

// ---------------------------------------------------------------------------
// Open: loading, repair, migration
// ---------------------------------------------------------------------------

// load brings the files into a consistent state (initializing, migrating or
// repairing them; only in memory for a read-only store) and caches the tips.
func (s *boltStore) load(timeout time.Duration) error {
	d, p := s.db, s.params
	if !d.readOnly {
		_ = os.Remove(d.path + compactSuffix) // left by a compaction that died
	}
	st, err := d.state(p.GenesisHash, p.Name)
	if err != nil {
		return err
	}
	switch {
	case st.kind == loadEmpty && d.readOnly:
		return damaged(d.path, "has no chain yet")
	case st.kind == loadOld && d.readOnly:
		return fmt.Errorf("%w: %s is in the format of an older satchel, which a writable Open converts",
			ErrReadOnly, d.path)
	}
	if err := s.openFlatFiles(timeout); err != nil {
		return err
	}
	switch st.kind {
	case loadEmpty:
		if err := s.initialize(); err != nil {
			return err
		}
	case loadOld:
		if err := s.migrate(); err != nil {
			return err
		}
	}
	if st.kind != loadCurrent {
		if st, err = d.state(p.GenesisHash, p.Name); err != nil {
			return err
		}
	}
	if err := s.loadCurrent(&st); err != nil {
		return err
	}
	if st.compact && !d.readOnly {
		if err := d.compact(timeout); err != nil {
			return err
		}
	}
	return nil
}

// openFlatFiles opens the headers and filter-headers files. A read-only
// store needs both to exist.
func (s *boltStore) openFlatFiles(timeout time.Duration) error {
	hp, fp := flatPaths(s.db.path)
	var err error
	if s.headers, err = openFlatFile(hp, headerLen, s.db.readOnly, timeout); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return damaged(s.db.path, "has lost its headers file %s", hp)
		}
		return err
	}
	if s.filterHeaders, err = openFlatFile(fp, filterHeaderLen, s.db.readOnly, timeout); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return damaged(s.db.path, "has lost its filter headers file %s", fp)
		}
		return err
	}
	return nil
}

// genesisRecord returns the serialized genesis header of the network.
func (s *boltStore) genesisRecord() []byte {
	rec := make([]byte, headerLen)
	PutHeader(rec, &s.params.GenesisBlock.Header)
	return rec
}

// initialize starts both flat files afresh with the genesis block and sets
// up chain.db for it.
func (s *boltStore) initialize() error {
	if err := s.resetFlatFiles(); err != nil {
		return err
	}
	work := blockchain.CalcWork(s.params.GenesisBlock.Header.Bits)
	return s.db.initialize(s.params.GenesisHash, work)
}

// resetFlatFiles empties both flat files and writes the genesis header.
func (s *boltStore) resetFlatFiles() error {
	if err := s.headers.truncate(0); err != nil {
		return err
	}
	if err := s.filterHeaders.truncate(0); err != nil {
		return err
	}
	if err := s.headers.write(s.genesisRecord(), 0); err != nil {
		return err
	}
	if err := s.filterHeaders.sync(); err != nil {
		return err
	}
	return s.headers.sync()
}

// migrate converts a format 1 or 2 chain.db; see dbMigrate.
func (s *boltStore) migrate() error {
	if err := s.headers.truncate(0); err != nil {
		return err
	}
	if err := s.filterHeaders.truncate(0); err != nil {
		return err
	}
	_, err := s.db.migrate(s.params.GenesisHash, s.headers.write, s.filterHeaders.write, func() error {
		if err := s.filterHeaders.sync(); err != nil {
			return err
		}
		return s.headers.sync()
	})
	return err
}

// loadCurrent loads a format 3 store: it applies a pending redo record,
// checks the tip against the headers file and repairs the chain when they
// disagree, checks the filter tip, and trims the flat files and the caches.
func (s *boltStore) loadCurrent(st *dbState) error {
	d := s.db
	if st.redo != nil {
		if d.readOnly {
			s.redoFirst, s.redo = st.redoFirst, st.redo
		} else if err := s.applyRedo(st.redoFirst, st.redo); err != nil {
			return err
		}
	}

	tip, ok, err := s.checkTip(st)
	if err != nil {
		return err
	}
	repaired := !ok
	var r *rebuilt
	if repaired {
		if r, err = s.scan(st); err != nil {
			return err
		}
		if r == nil { // no usable header at all: start again from genesis
			if d.readOnly {
				return damaged(d.path, "has an empty headers file")
			}
			if err := s.initialize(); err != nil {
				return err
			}
			fresh, err := d.state(s.params.GenesisHash, s.params.Name)
			if err != nil {
				return err
			}
			*st = fresh
			if tip, ok, err = s.checkTip(st); err != nil || !ok {
				return damaged(d.path, "cannot be initialized (%v)", err)
			}
			repaired = false
		} else {
			tip = Tip{Height: r.tip, Hash: r.tipHash, Work: new(big.Int).Set(r.tipWork)}
			if tip.Header, err = s.readHeader(r.tip); err != nil {
				return d.corrupt(err)
			}
		}
	}
	ftip, err := s.checkFilterTip(st, tip.Height)
	if err != nil {
		return err
	}
	s.tip, s.ftip = tip, ftip
	if d.readOnly {
		return nil
	}

	switch {
	case repaired:
		r.ftip = ftip
		if err := d.rebuild(r); err != nil {
			return err
		}
	case !st.filterTipOK || ftip != st.filterTip:
		if err := d.commitFilterTip(ftip); err != nil {
			return err
		}
	}
	if err := s.trimFlatFiles(); err != nil {
		return err
	}
	cs, err := d.checkCaches(tip.Height, s.filterBudget, s.blockBudget)
	if err != nil {
		return err
	}
	if cs.stale || cs.overBudget {
		return d.fixCaches(tip.Height, s.filterBudget, s.blockBudget)
	}
	return nil
}

// applyRedo copies the headers of the redo record into the headers file,
// where a reorganization that died after its commit did not get to write
// them all, and deletes the record.
func (s *boltStore) applyRedo(first int32, raw []byte) error {
	if err := s.headers.write(raw, first); err != nil {
		return err
	}
	if err := s.headers.sync(); err != nil {
		return err
	}
	return s.db.deleteRedo()
}

// trimFlatFiles cuts what follows the tips off the flat files: records an
// append wrote but did not commit, or a reorganization to a shorter chain
// did not get to cut.
func (s *boltStore) trimFlatFiles() error {
	for _, f := range []struct {
		ff   *flatFile
		keep int64
	}{{s.headers, int64(s.tip.Height) + 1}, {s.filterHeaders, int64(s.ftip.height) + 1}} {
		info, err := f.ff.f.Stat()
		if err != nil {
			return fmt.Errorf("stat %s: %w", f.ff.path, err)
		}
		if info.Size() != f.keep*f.ff.recLen {
			if err := f.ff.truncate(f.keep); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkTip checks the tip record against the files: the headers file holds
// genesis and a header at the tip height that hashes to the recorded hash
// and links to the one below it, the hash index lists it, and the chain work
// record below it plus the headers in between give the recorded work. It
// returns the tip, or false when the chain needs a repair.
func (s *boltStore) checkTip(st *dbState) (Tip, bool, error) {
	if !st.tipOK {
		return Tip{}, false, nil
	}
	h := st.tipHeight
	n, err := s.headers.records()
	if err != nil {
		return Tip{}, false, err
	}
	if int64(h) >= n && !s.redoCovers(h) {
		return Tip{}, false, nil
	}
	rec0 := make([]byte, headerLen)
	if err := s.readRecords(rec0, 0); err != nil || chainhash.DoubleHashH(rec0) != *s.params.GenesisHash {
		return Tip{}, false, nil
	}
	cp, work, err := s.db.work(h)
	if err != nil {
		return Tip{}, false, nil
	}
	// Records from the work record (or the one below the tip) to the tip.
	from := min(cp, max(h-1, 0))
	recs := make([]byte, int(h-from+1)*headerLen)
	if err := s.readRecords(recs, from); err != nil {
		return Tip{}, false, nil
	}
	last := recs[len(recs)-headerLen:]
	if chainhash.DoubleHashH(last) != st.tipHash {
		return Tip{}, false, nil
	}
	if h > 0 {
		below := recs[len(recs)-2*headerLen : len(recs)-headerLen]
		if !linksTo(last, ptr(chainhash.DoubleHashH(below))) {
			return Tip{}, false, nil
		}
	}
	s.wc.addRecords(work, recs[int(cp-from+1)*headerLen:])
	if work.Cmp(st.tipWork) != 0 {
		return Tip{}, false, nil
	}
	v, err := s.db.indexValue(h / hashEpoch)
	if err != nil || !indexHas(v, hashPrefix(&st.tipHash), h%hashEpoch) {
		return Tip{}, false, nil
	}
	tip := Tip{Height: h, Hash: st.tipHash, Work: st.tipWork}
	getHeader(last, &tip.Header)
	return tip, true, nil
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// scanChunk is how many headers a repair reads at a time.
const scanChunk = 4096

// scan finds the chain a repair keeps: the longest run of headers from
// genesis in the headers file that link by hash and were committed, which
// the tip record (for heights up to its own) or the hash index says. It
// returns nil when not even genesis is left.
func (s *boltStore) scan(st *dbState) (*rebuilt, error) {
	n, err := s.headers.records()
	if err != nil {
		return nil, err
	}
	if s.redo != nil {
		n = max(n, int64(s.redoFirst)+int64(len(s.redo)/headerLen))
	}
	r := &rebuilt{tip: -1, tipWork: new(big.Int)}
	var (
		wc       workCalc
		epochVal []byte
		epoch    = int32(-1)
		buf      = make([]byte, scanChunk*headerLen)
	)
	for first := int64(0); first < n; first += scanChunk {
		cnt := min(int64(scanChunk), n-first)
		chunk := buf[:cnt*headerLen]
		if err := s.readRecords(chunk, int32(first)); err != nil {
			return nil, s.db.corrupt(err)
		}
		for i := int64(0); i < cnt; i++ {
			h := int32(first + i)
			rec := chunk[i*headerLen : (i+1)*headerLen]
			hash := chainhash.DoubleHashH(rec)
			if h == 0 && hash != *s.params.GenesisHash {
				return nil, damaged(s.headers.path, "does not start with the genesis block")
			}
			if h > 0 && !linksTo(rec, &r.tipHash) {
				return r.done(), nil
			}
			if !st.tipOK || h > st.tipHeight {
				if e := h / hashEpoch; e != epoch {
					if epochVal, err = s.db.indexValue(e); err != nil {
						return nil, err
					}
					epoch = e
				}
				if !indexHas(epochVal, hashPrefix(&hash), h%hashEpoch) {
					return r.done(), nil
				}
			}
			r.tipWork.Add(r.tipWork, wc.of(recBits(rec)))
			if h%workInterval == 0 {
				w, err := encodeWork(r.tipWork)
				if err != nil {
					return nil, err
				}
				r.works = append(r.works, workPoint{h, w})
			}
			r.index.add(h, &hash)
			r.tip, r.tipHash = h, hash
		}
	}
	return r.done(), nil
}

// done returns r, or nil when it holds no header.
func (r *rebuilt) done() *rebuilt {
	if r.tip < 0 {
		return nil
	}
	return r
}

// checkFilterTip checks the filter tip record against the filter-headers
// file and the header tip: the file holds the recorded last filter header at
// its height, which is at most the header tip. A file that ends early is
// taken as far as it goes; a record that disagrees with the file, or cannot
// be read, drops every filter header, which peers can send again.
func (s *boltStore) checkFilterTip(st *dbState, tip int32) (filterTip, error) {
	if !st.filterTipOK || st.filterTip.height < 0 {
		return noFilterTip, nil
	}
	ft := st.filterTip
	m, err := s.filterHeaders.records()
	if err != nil {
		return noFilterTip, err
	}
	if int64(ft.height) < m {
		fh, err := s.readFilterHeader(ft.height)
		if err != nil || fh != ft.header {
			return noFilterTip, nil
		}
	} else {
		ft.height = int32(m) - 1
	}
	if ft.height > tip {
		ft.height = tip
	}
	if ft.height < 0 {
		return noFilterTip, nil
	}
	if ft.header, err = s.readFilterHeader(ft.height); err != nil {
		return noFilterTip, nil
	}
	return ft, nil
}

// ---------------------------------------------------------------------------
// Reading the flat files
// ---------------------------------------------------------------------------

// redoCovers reports whether the in-memory redo headers of a read-only store
// include height h.
func (s *boltStore) redoCovers(h int32) bool {
	return s.redo != nil && h >= s.redoFirst && int64(h) < int64(s.redoFirst)+int64(len(s.redo)/headerLen)
}

// readRecords fills buf with the header records from height first on, as
// the chain stands: from the headers file, and in a read-only store with a
// pending reorganization from its redo headers where they apply.
func (s *boltStore) readRecords(buf []byte, first int32) error {
	if s.redo == nil {
		return s.headers.read(buf, first)
	}
	last := first + int32(len(buf)/headerLen) - 1
	rs := s.redoFirst
	re := rs + int32(len(s.redo)/headerLen) - 1
	if first < rs {
		end := min(last, rs-1)
		if err := s.headers.read(buf[:(end-first+1)*headerLen], first); err != nil {
			return err
		}
	}
	if lo, hi := max(first, rs), min(last, re); lo <= hi {
		copy(buf[(lo-first)*headerLen:], s.redo[(lo-rs)*headerLen:(hi-rs+1)*headerLen])
	}
	if last > re {
		from := max(first, re+1)
		if err := s.headers.read(buf[(from-first)*headerLen:], from); err != nil {
			return err
		}
	}
	return nil
}

// readHeader reads and decodes the header at height h.
func (s *boltStore) readHeader(h int32) (wire.BlockHeader, error) {
	var hdr wire.BlockHeader
	rec := make([]byte, headerLen)
	if err := s.readRecords(rec, h); err != nil {
		return hdr, err
	}
	getHeader(rec, &hdr)
	return hdr, nil
}

// readFilterHeader reads the filter header at height h.
func (s *boltStore) readFilterHeader(h int32) (chainhash.Hash, error) {
	var fh chainhash.Hash
	err := s.filterHeaders.read(fh[:], h)
	return fh, err
}

// snapshot returns the tips. Readers call it holding fileMu, so that the
// files hold what the tips promise.
func (s *boltStore) snapshot() (Tip, filterTip) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tip, s.ftip
}

// damagedAt returns the error for a chain whose headers file cannot be read
// or does not link below the tip.
func (s *boltStore) damagedAt(h, tip int32, why error) error {
	return damaged(s.db.path, "has a broken headers file at height %d below the tip %d (%v)", h, tip, why)
}

// readHeaders reads count best-chain headers from height start, all at or
// below the tip, with their hashes and chain work. Each must link to the
// next, and the last to the header above it or, at the tip, hash to the tip
// hash. The caller holds fileMu.
func (s *boltStore) readHeaders(start int32, count int, tip *Tip) ([]StoredHeader, error) {
	end := start + int32(count) - 1
	cp, work, err := s.db.work(start)
	if err != nil {
		return nil, err
	}
	from := min(cp+1, start)
	to := min(end+1, tip.Height) // one more, to check the link of the last
	recs := make([]byte, int(to-from+1)*headerLen)
	if err := s.readRecords(recs, from); err != nil {
		return nil, s.damagedAt(from, tip.Height, err)
	}
	out := make([]StoredHeader, count)
	works := make([]big.Int, count)
	var wc workCalc
	var prev chainhash.Hash
	for h := from; h <= to; h++ {
		rec := recs[int(h-from)*headerLen : int(h-from+1)*headerLen]
		if h > start && h <= end+1 && !linksTo(rec, &prev) {
			return nil, s.damagedAt(h-1, tip.Height, errors.New("the header above does not link to it"))
		}
		if h > end {
			break
		}
		if h > cp {
			work.Add(work, wc.of(recBits(rec)))
		}
		if h < start {
			continue
		}
		sh := &out[h-start]
		getHeader(rec, &sh.Header)
		sh.Hash = chainhash.DoubleHashH(rec)
		sh.Height = h
		sh.Work = works[h-start].Set(work)
		prev = sh.Hash
	}
	if end == tip.Height && out[count-1].Hash != tip.Hash {
		return nil, s.damagedAt(end, tip.Height, errors.New("the tip does not hash to the tip record"))
	}
	return out, nil
}

// bestHashes returns the block hashes of the best chain at heights start
// through end, at most the tip: each is the previous-block hash of the
// header above it, the tip's is the tip hash. The caller holds fileMu.
func (s *boltStore) bestHashes(start, end int32, tip *Tip) ([]chainhash.Hash, error) {
	hashes := make([]chainhash.Hash, end-start+1)
	above := min(end, tip.Height-1) // the last height whose hash a record above gives
	if above >= start {
		recs := make([]byte, int(above-start+1)*headerLen)
		if err := s.readRecords(recs, start+1); err != nil {
			return nil, s.damagedAt(start+1, tip.Height, err)
		}
		for i := range above - start + 1 {
			copy(hashes[i][:], recPrev(recs[int(i)*headerLen:]))
		}
	}
	if end == tip.Height {
		hashes[end-start] = tip.Hash
	}
	return hashes, nil
}

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

// Tip returns the cached tip with its own copy of Work.
func (s *boltStore) Tip() Tip {
	s.mu.RLock()
	t := s.tip
	s.mu.RUnlock()
	t.Work = new(big.Int).Set(t.Work)
	return t
}

// HeaderByHeight returns the best-chain header at height.
func (s *boltStore) HeaderByHeight(height int32) (*StoredHeader, error) {
	s.fileMu.RLock()
	defer s.fileMu.RUnlock()
	tip, _ := s.snapshot()
	if height < 0 || height > tip.Height {
		return nil, fmt.Errorf("header at height %d: %w", height, ErrNotFound)
	}
	hs, err := s.readHeaders(height, 1, &tip)
	if err != nil {
		return nil, err
	}
	return &hs[0], nil
}

// HeaderByHash returns the best-chain header with the given hash.
func (s *boltStore) HeaderByHash(hash *chainhash.Hash) (*StoredHeader, error) {
	if hash == nil {
		return nil, fmt.Errorf("header by hash: nil hash: %w", ErrNotFound)
	}
	s.fileMu.RLock()
	defer s.fileMu.RUnlock()
	tip, _ := s.snapshot()
	height, found := tip.Height, *hash == tip.Hash
	if !found {
		rec := make([]byte, headerLen)
		var err error
		height, found, err = s.db.findHeight(hashPrefix(hash), tip.Height, func(h int32) (bool, error) {
			if err := s.readRecords(rec, h); err != nil {
				return false, s.damagedAt(h, tip.Height, err)
			}
			return chainhash.DoubleHashH(rec) == *hash, nil
		})
		if err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, fmt.Errorf("header %s: %w", hash, ErrNotFound)
	}
	hs, err := s.readHeaders(height, 1, &tip)
	if err != nil {
		return nil, err
	}
	return &hs[0], nil
}

// Headers returns consecutive best-chain headers from start, clipped at the
// tip.
func (s *boltStore) Headers(start int32, count int) ([]StoredHeader, error) {
	if start < 0 {
		return nil, fmt.Errorf("headers from height %d: negative start: %w", start, ErrNotFound)
	}
	if count <= 0 {
		return []StoredHeader{}, nil
	}
	s.fileMu.RLock()
	defer s.fileMu.RUnlock()
	tip, _ := s.snapshot()
	if start > tip.Height {
		return []StoredHeader{}, nil
	}
	if avail := int64(tip.Height) - int64(start) + 1; int64(count) > avail {
		count = int(avail)
	}
	return s.readHeaders(start, count, &tip)
}

// BlockHashes returns consecutive best-chain block hashes from start,
// clipped at the tip.
func (s *boltStore) BlockHashes(start int32, count int) ([]chainhash.Hash, error) {
	if start < 0 {
		return nil, fmt.Errorf("block hashes from height %d: negative start: %w", start, ErrNotFound)
	}
	if count <= 0 {
		return []chainhash.Hash{}, nil
	}
	s.fileMu.RLock()
	defer s.fileMu.RUnlock()
	tip, _ := s.snapshot()
	if start > tip.Height {
		return []chainhash.Hash{}, nil
	}
	if avail := int64(tip.Height) - int64(start) + 1; int64(count) > avail {
		count = int(avail)
	}
	return s.bestHashes(start, start+int32(count)-1, &tip)
}

// locatorHeights returns the heights of a block locator for a chain whose tip
// is at height tip: 10 one by one, then doubling steps, then genesis.
func locatorHeights(tip int32) []int32 {
	heights := make([]int32, 0, 12+bitLen32(tip))
	step := int32(1)
	for h := tip; ; {
		heights = append(heights, h)
		if h == 0 {
			return heights
		}
		if len(heights) >= 10 {
			step *= 2
		}
		if h -= step; h < 0 {
			h = 0
		}
	}
}

// bitLen32 returns the number of bits needed to represent v.
func bitLen32(v int32) int {
	n := 0
	for ; v > 0; v >>= 1 {
		n++
	}
	return n
}

// Locator returns a block locator for the tip. If the headers file cannot
// be read it returns just the tip hash, which still lets a peer continue
// from the tip.
func (s *boltStore) Locator() []chainhash.Hash {
	s.fileMu.RLock()
	defer s.fileMu.RUnlock()
	tip, _ := s.snapshot()
	heights := locatorHeights(tip.Height)
	hashes := make([]chainhash.Hash, len(heights))
	rec := make([]byte, headerLen)
	for i, h := range heights {
		if h == tip.Height {
			hashes[i] = tip.Hash
			continue
		}
		if err := s.readRecords(rec, h+1); err != nil {
			return []chainhash.Hash{tip.Hash}
		}
		copy(hashes[i][:], recPrev(rec))
	}
	return hashes
}

// Connect replaces the chain above fork with headers.
func (s *boltStore) Connect(fork int32, headers []StoredHeader) error {
	if s.db.readOnly {
		return fmt.Errorf("connect headers: %w", ErrReadOnly)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	for i := range headers {
		h := &headers[i]
		if want := int64(fork) + 1 + int64(i); int64(h.Height) != want {
			return fmt.Errorf("%w: header %d of the batch has height %d, want %d",
				ErrNotChained, i, h.Height, want)
		}
		if h.Work == nil {
			return fmt.Errorf("%w: header %d has no chain work", ErrNotChained, h.Height)
		}
	}
	n := len(headers)
	s.raw = slices.Grow(s.raw[:0], n*headerLen)[:n*headerLen]
	s.hashes = slices.Grow(s.hashes[:0], n)[:n]
	for i := range headers {
		PutHeader(s.raw[i*headerLen:], &headers[i].Header)
		s.hashes[i] = headers[i].Hash
	}
	return s.connect(fork, s.raw, s.hashes, headers)
}

// ConnectRaw replaces the chain above fork with serialized headers.
func (s *boltStore) ConnectRaw(fork int32, raw []byte, hashes []chainhash.Hash) error {
	if s.db.readOnly {
		return fmt.Errorf("connect headers: %w", ErrReadOnly)
	}
	if len(raw) != len(hashes)*headerLen {
		return fmt.Errorf("%w: %d bytes for %d headers", ErrNotChained, len(raw), len(hashes))
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.connect(fork, raw, hashes, nil)
}

// connect checks and commits a batch of serialized headers; given, when set,
// holds the chain work the caller claims for each. The caller holds writeMu.
func (s *boltStore) connect(fork int32, raw []byte, hashes []chainhash.Hash, given []StoredHeader) error {
	tip, ftip := s.snapshot()
	n := len(hashes)
	switch {
	case n == 0:
		return fmt.Errorf("%w: no headers to connect", ErrNotChained)
	case fork < 0 || fork > tip.Height:
		return fmt.Errorf("%w: fork height %d is outside the stored chain 0..%d",
			ErrNotChained, fork, tip.Height)
	case int64(fork)+int64(n) > math.MaxInt32:
		return fmt.Errorf("%w: heights overflow", ErrNotChained)
	}
	for i := 1; i < n; i++ {
		if !linksTo(raw[i*headerLen:], &hashes[i-1]) {
			return fmt.Errorf("%w: header %d (%s) does not build on header %d (%s)",
				ErrNotChained, fork+1+int32(i), hashes[i], fork+int32(i), hashes[i-1])
		}
	}
	forkHash, forkWork := tip.Hash, tip.Work
	if fork < tip.Height {
		s.fileMu.RLock()
		hs, err := s.readHeaders(fork, 1, &tip)
		s.fileMu.RUnlock()
		if err != nil {
			return err
		}
		forkHash, forkWork = hs[0].Hash, hs[0].Work
	}
	if !linksTo(raw, &forkHash) {
		return fmt.Errorf("%w: header %d (%s) does not build on header %d (%s)",
			ErrNotChained, fork+1, hashes[0], fork, forkHash)
	}

	work := new(big.Int).Set(forkWork)
	var points []workPoint
	for i := range n {
		work.Add(work, s.wc.of(recBits(raw[i*headerLen:])))
		h := fork + 1 + int32(i)
		if given != nil && given[i].Work.Cmp(work) != 0 {
			return fmt.Errorf("%w: header %d claims chain work %s, its difficulty gives %s",
				ErrNotChained, h, given[i].Work.Text(16), work.Text(16))
		}
		if h%workInterval == 0 {
			w, err := encodeWork(work)
			if err != nil {
				return fmt.Errorf("%w: header %d: %v", ErrNotChained, h, err)
			}
			points = append(points, workPoint{h, w})
		}
	}
	if work.BitLen() > workLen*8 {
		return fmt.Errorf("%w: chain work does not fit in 32 bytes", ErrNotChained)
	}
	top := fork + int32(n)
	newTip := Tip{Height: top, Hash: hashes[n-1], Work: work}
	getHeader(raw[(n-1)*headerLen:], &newTip.Header)
	c := &connectCommit{from: fork + 1, oldTop: tip.Height, hashes: hashes, works: points,
		tipHash: newTip.Hash, tipWork: work}

	if fork == tip.Height {
		// An extension writes past the committed records, then commits.
		if err := s.headers.write(raw, fork+1); err != nil {
			return err
		}
		if err := s.headers.sync(); err != nil {
			return err
		}
		if err := s.db.commitConnect(c); err != nil {
			return err
		}
		s.mu.Lock()
		s.tip = newTip
		s.mu.Unlock()
		return nil
	}

	// A reorganization overwrites committed records: it commits them in the
	// redo record first, with readers kept out until the files agree.
	if ftip.height > fork {
		fh, err := s.readFilterHeader(fork)
		if err != nil {
			return s.db.corrupt(err)
		}
		ftip = filterTip{height: fork, header: fh}
	}
	c.reorg, c.raw, c.ftip = true, raw, ftip
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	if err := s.db.commitConnect(c); err != nil {
		return err
	}
	s.mu.Lock()
	s.tip, s.ftip = newTip, ftip
	s.mu.Unlock()
	if err := reorgStep(reorgCommitted); err != nil {
		return err
	}
	if err := s.headers.write(raw, fork+1); err != nil {
		return err
	}
	if err := reorgStep(reorgWritten); err != nil {
		return err
	}
	if top < tip.Height {
		if err := s.headers.truncate(int64(top) + 1); err != nil {
			return err
		}
	}
	if err := reorgStep(reorgHeadersCut); err != nil {
		return err
	}
	if err := s.filterHeaders.truncate(int64(ftip.height) + 1); err != nil {
		return err
	}
	if err := s.headers.sync(); err != nil {
		return err
	}
	if err := reorgStep(reorgSynced); err != nil {
		return err
	}
	return s.db.deleteRedo()
}

// Steps of a reorganization after its commit, at which a test can make
// Connect stop as if the process had died there.
const (
	reorgCommitted  = iota // chain.db holds the new tips and the redo record
	reorgWritten           // the new headers are in the headers file
	reorgHeadersCut        // the headers file is cut at the new tip
	reorgSynced            // the filter-headers file is cut, the files synced
)

// reorgStep is called at each step of a reorganization; an error it
// returns ends Connect there. Only tests set it.
var reorgStep = func(int) error { return nil }

// ---------------------------------------------------------------------------
// Bans
// ---------------------------------------------------------------------------

// Ban records a ban of key until the given time.
func (s *boltStore) Ban(key string, until time.Time, reason string) error {
	if s.db.readOnly {
		return fmt.Errorf("ban %s: %w", key, ErrReadOnly)
	}
	if err := checkBanKey(key); err != nil {
		return err
	}
	if until.IsZero() {
		return fmt.Errorf("ban %s: an expiry time is required", key)
	}
	return s.db.putBan(Ban{Key: key, Until: until, Reason: reason}, s.now())
}

// Unban deletes the ban of key.
func (s *boltStore) Unban(key string) error {
	if s.db.readOnly {
		return fmt.Errorf("unban %s: %w", key, ErrReadOnly)
	}
	if err := checkBanKey(key); err != nil {
		return err
	}
	return s.db.deleteBan(key)
}

// checkBanKey rejects keys bbolt cannot store.
func checkBanKey(key string) error {
	if key == "" || len(key) > maxBanKeyLen {
		return fmt.Errorf("ban key must be 1 to %d bytes long, got %d", maxBanKeyLen, len(key))
	}
	return nil
}

// Bans returns the unexpired bans and deletes the expired ones.
func (s *boltStore) Bans() ([]Ban, error) {
	now := s.now()
	bans, expired, err := s.db.fetchBans(now)
	if err != nil {
		return nil, err
	}
	if expired > 0 && !s.db.readOnly {
		if err := s.db.deleteExpiredBans(now); err != nil {
			return nil, err
		}
	}
	return bans, nil
}

// IsBanned reports whether key is banned at the current time.
func (s *boltStore) IsBanned(key string) (Ban, bool) {
	if checkBanKey(key) != nil {
		return Ban{}, false
	}
	b, err := s.db.fetchBan(key)
	if err != nil || !b.Until.After(s.now()) {
		return Ban{}, false
	}
	return b, true
}

// ---------------------------------------------------------------------------
// Filter headers and caches
// ---------------------------------------------------------------------------

// FilterTip returns the cached filter tip.
func (s *boltStore) FilterTip() (int32, chainhash.Hash) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ftip.height, s.ftip.header
}

// FilterHeader returns the filter header at height.
func (s *boltStore) FilterHeader(height int32) (chainhash.Hash, error) {
	hs, err := s.FilterHeaders(height, 1)
	if err != nil {
		return chainhash.Hash{}, err
	}
	if len(hs) == 0 {
		return chainhash.Hash{}, fmt.Errorf("filter header at height %d: %w", height, ErrNotFound)
	}
	return hs[0], nil
}

// FilterHeaders returns consecutive filter headers from start, clipped at
// the filter tip.
func (s *boltStore) FilterHeaders(start int32, count int) ([]chainhash.Hash, error) {
	if start < 0 {
		return nil, fmt.Errorf("filter headers from height %d: negative start: %w", start, ErrNotFound)
	}
	if count <= 0 {
		return []chainhash.Hash{}, nil
	}
	s.fileMu.RLock()
	defer s.fileMu.RUnlock()
	_, ftip := s.snapshot()
	if start > ftip.height {
		return []chainhash.Hash{}, nil
	}
	if avail := int64(ftip.height) - int64(start) + 1; int64(count) > avail {
		count = int(avail)
	}
	buf := make([]byte, count*filterHeaderLen)
	if err := s.filterHeaders.read(buf, start); err != nil {
		return nil, damaged(s.db.path, "has a broken filter headers file below the filter tip %d (%v)", ftip.height, err)
	}
	out := make([]chainhash.Hash, count)
	for i := range out {
		copy(out[i][:], buf[i*filterHeaderLen:])
	}
	return out, nil
}

// checkBatch checks the arguments of a batch that covers heights start,
// start+1, ...: n items that come with n block hashes, at storable heights.
func checkBatch(what string, start int32, hashes, n int) error {
	switch {
	case hashes != n:
		return fmt.Errorf("put %s: %d block hashes for %d items", what, hashes, n)
	case start < 0:
		return fmt.Errorf("%w: %s start at negative height %d", ErrNotChained, what, start)
	case int64(start)+int64(n)-1 > math.MaxInt32:
		return fmt.Errorf("%w: %s heights overflow", ErrNotChained, what)
	}
	return nil
}

// PutFilterHeaders appends filter headers after the filter tip.
func (s *boltStore) PutFilterHeaders(start int32, blockHashes []chainhash.Hash, headers []chainhash.Hash) error {
	if s.db.readOnly {
		return fmt.Errorf("put filter headers: %w", ErrReadOnly)
	}
	if err := checkBatch("filter headers", start, len(blockHashes), len(headers)); err != nil {
		return err
	}
	n := len(headers)
	if n == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()

	tip, ftip := s.snapshot()
	last := start + int32(n) - 1
	switch {
	case start != ftip.height+1:
		return fmt.Errorf("%w: filter headers %d..%d do not continue the stored filter headers, which end at %d",
			ErrNotChained, start, last, ftip.height)
	case last > tip.Height:
		return fmt.Errorf("%w: filter headers %d..%d go beyond the header tip %d",
			ErrNotChained, start, last, tip.Height)
	}
	s.fileMu.RLock()
	best, err := s.bestHashes(start, last, &tip)
	s.fileMu.RUnlock()
	if err != nil {
		return err
	}
	for i := range best {
		if best[i] != blockHashes[i] {
			return fmt.Errorf("%w: block %s is not the best chain's block %s at height %d",
				ErrNotChained, blockHashes[i], best[i], start+int32(i))
		}
	}
	buf := make([]byte, n*filterHeaderLen)
	for i := range headers {
		copy(buf[i*filterHeaderLen:], headers[i][:])
	}
	if err := s.filterHeaders.write(buf, start); err != nil {
		return err
	}
	if err := s.filterHeaders.sync(); err != nil {
		return err
	}
	ft := filterTip{height: last, header: headers[n-1]}
	if err := s.db.commitFilterTip(ft); err != nil {
		return err
	}
	s.mu.Lock()
	s.ftip = ft
	s.mu.Unlock()
	return nil
}

// PutFilters caches filters of best-chain blocks.
func (s *boltStore) PutFilters(start int32, blockHashes []chainhash.Hash, filters [][]byte) error {
	if s.db.readOnly {
		return fmt.Errorf("put filters: %w", ErrReadOnly)
	}
	if err := checkBatch("filters", start, len(blockHashes), len(filters)); err != nil {
		return err
	}
	if len(filters) == 0 || s.filterBudget == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tip, _ := s.snapshot()
	onBest := make([]bool, len(filters))
	if start <= tip.Height {
		end := min(start+int32(len(filters))-1, tip.Height)
		s.fileMu.RLock()
		best, err := s.bestHashes(start, end, &tip)
		s.fileMu.RUnlock()
		if err != nil {
			return err
		}
		for i := range best {
			onBest[i] = best[i] == blockHashes[i]
		}
	}
	return s.db.putFilters(start, blockHashes, filters, onBest, s.filterBudget)
}

// Filter returns the cached filter at height if it belongs to the best
// chain.
func (s *boltStore) Filter(height int32) (chainhash.Hash, []byte, error) {
	if height < 0 {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d: %w", height, ErrNotFound)
	}
	blockHash, filter, err := s.db.fetchFilter(height)
	if err != nil {
		return chainhash.Hash{}, nil, err
	}
	s.fileMu.RLock()
	defer s.fileMu.RUnlock()
	tip, _ := s.snapshot()
	if height > tip.Height {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d: %w", height, ErrNotFound)
	}
	best, err := s.bestHashes(height, height, &tip)
	if err != nil {
		return chainhash.Hash{}, nil, err
	}
	if best[0] != blockHash {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d is for block %s, not on the best chain: %w",
			height, blockHash, ErrNotFound)
	}
	return blockHash, filter, nil
}

// PutBlock caches a raw block under its hash.
func (s *boltStore) PutBlock(hash chainhash.Hash, raw []byte) error {
	if s.db.readOnly {
		return fmt.Errorf("put block %s: %w", hash, ErrReadOnly)
	}
	if len(raw) < headerLen {
		return fmt.Errorf("put block %s: %d bytes cannot be a block", hash, len(raw))
	}
	if got := chainhash.DoubleHashH(raw[:headerLen]); got != hash {
		return fmt.Errorf("put block %s: the block's header hashes to %s", hash, got)
	}
	if blockEntrySize(len(raw)) > s.blockBudget {
		return nil
	}
	return s.db.putBlock(&hash, raw, s.blockBudget)
}

// Block returns the cached raw block with the given hash.
func (s *boltStore) Block(hash chainhash.Hash) ([]byte, error) {
	return s.db.fetchBlock(&hash)
}

// CachedBlocks calls fn with each cached block, newest first.
func (s *boltStore) CachedBlocks(fn func(hash chainhash.Hash, raw []byte) bool) error {
	hashes, err := s.db.fetchCachedBlockHashes()
	if err != nil {
		return err
	}
	for i := range hashes {
		raw, err := s.db.fetchBlock(&hashes[i])
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !fn(hashes[i], raw) {
			return nil
		}
	}
	return nil
}

// Close closes the files.
func (s *boltStore) Close() error {
	err := s.db.close()
	for _, f := range []*flatFile{s.headers, s.filterHeaders} {
		if f != nil {
			if cerr := f.close(); err == nil {
				err = cerr
			}
		}
	}
	return err
}
