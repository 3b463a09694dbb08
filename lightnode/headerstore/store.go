package headerstore

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"sync"
	"time"

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
// raw blocks, and the peer bans of that network. All methods are safe for
// concurrent use; writers are serialized, readers see either the chain
// before or after a Connect or PutFilterHeaders.
type Store interface {
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

	// Locator returns a BIP block locator for the tip, for getheaders: the
	// tip and the 9 headers below it one by one, then steps that double each
	// time (2, 4, 8, ...), ending with the genesis hash.
	Locator() []chainhash.Hash

	// Connect makes headers the best chain above height fork, in one
	// transaction: it deletes every stored header above fork, with the
	// filter headers and cached filters above fork, then stores headers at
	// fork+1, fork+2, ..., and the last one becomes the tip. fork equal to
	// the tip height is a plain extension; a lower fork is a
	// reorganization, after which FilterTip is at most fork. Cached blocks
	// stay until they are evicted.
	//
	// The caller guarantees that each header carries its own Hash, Height
	// and cumulative Work and passed the consensus checks. Connect checks
	// only that the headers chain onto the stored header at fork (heights,
	// previous-block hashes, non-decreasing work) and otherwise returns an
	// error wrapping ErrNotChained without writing anything. The store does
	// not keep references to headers after Connect returns.
	Connect(fork int32, headers []StoredHeader) error

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

	// Close releases the file. Calls after Close return errors; Tip and
	// FilterTip keep returning the last tips.
	Close() error
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

// boltStore is the Store kept in a bbolt file; db.go holds all its bbolt
// access.
type boltStore struct {
	db  *chainDB
	now func() time.Time

	// filterBudget and blockBudget are the cache budgets in bytes; 0
	// disables a cache.
	filterBudget int64
	blockBudget  int64

	// writeMu serializes Connect and PutFilterHeaders so that the cached
	// tips change in commit order.
	writeMu sync.Mutex

	// mu guards tip and ftip.
	mu   sync.RWMutex
	tip  Tip
	ftip filterTip
}

var _ Store = (*boltStore)(nil)

// Open opens the chain database described by cfg, creating it with the
// genesis header of cfg.Params if it does not exist. It returns an error
// wrapping ErrDamaged when the file cannot be used, ErrWrongNetwork when it
// belongs to another network, and ErrInUse when another process holds it.
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

	s := &boltStore{
		now:          now,
		filterBudget: cacheBudget(cfg.FilterCacheBytes, DefaultFilterCacheBytes),
		blockBudget:  cacheBudget(cfg.BlockCacheBytes, DefaultBlockCacheBytes),
	}
	db, err := openChainDB(cfg.Path, cfg.ReadOnly, timeout)
	if err != nil {
		return nil, err
	}
	tip, ftip, err := db.load(&genesis, p, s.filterBudget, s.blockBudget)
	if err != nil {
		_ = db.close()
		return nil, err
	}
	s.db, s.tip, s.ftip = db, tip, ftip
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

// Tip returns the cached tip with its own copy of Work.
func (s *boltStore) Tip() Tip {
	s.mu.RLock()
	t := s.tip
	s.mu.RUnlock()
	t.Work = new(big.Int).Set(t.Work)
	return t
}

// tipHeight returns the cached tip height.
func (s *boltStore) tipHeight() int32 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tip.Height
}

// HeaderByHeight returns the best-chain header at height.
func (s *boltStore) HeaderByHeight(height int32) (*StoredHeader, error) {
	if height < 0 || height > s.tipHeight() {
		return nil, fmt.Errorf("header at height %d: %w", height, ErrNotFound)
	}
	sh := new(StoredHeader)
	if err := s.db.fetchHeaderByHeight(height, sh); err != nil {
		return nil, err
	}
	return sh, nil
}

// HeaderByHash returns the best-chain header with the given hash.
func (s *boltStore) HeaderByHash(hash *chainhash.Hash) (*StoredHeader, error) {
	if hash == nil {
		return nil, fmt.Errorf("header by hash: nil hash: %w", ErrNotFound)
	}
	sh := new(StoredHeader)
	if err := s.db.fetchHeaderByHash(hash, s.tipHeight(), sh); err != nil {
		return nil, err
	}
	return sh, nil
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
	return s.db.fetchHeaders(start, count, s.tipHeight())
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

// Locator returns a block locator for the tip. If the file cannot be read
// it returns just the cached tip hash, which still lets a peer continue from
// the tip.
func (s *boltStore) Locator() []chainhash.Hash {
	s.mu.RLock()
	tip := s.tip
	s.mu.RUnlock()

	hashes, err := s.db.fetchLocator(tip.Height)
	if err != nil {
		return []chainhash.Hash{tip.Hash}
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

	s.mu.RLock()
	tip := s.tip
	s.mu.RUnlock()

	if err := checkChain(fork, tip.Height, headers); err != nil {
		return err
	}
	ftip, err := s.db.connect(fork, tip.Height, headers)
	if err != nil {
		return err
	}

	last := &headers[len(headers)-1]
	newTip := Tip{
		Height: last.Height,
		Hash:   last.Hash,
		Work:   new(big.Int).Set(last.Work),
		Header: last.Header,
	}
	s.mu.Lock()
	s.tip = newTip
	s.ftip = ftip
	s.mu.Unlock()
	return nil
}

// checkChain checks what Connect can check without the file: the fork lies on
// the stored chain, and the headers carry consecutive heights, link to each
// other by hash, and have storable, non-decreasing work.
func checkChain(fork, tip int32, headers []StoredHeader) error {
	switch {
	case len(headers) == 0:
		return fmt.Errorf("%w: no headers to connect", ErrNotChained)
	case fork < 0 || fork > tip:
		return fmt.Errorf("%w: fork height %d is outside the stored chain 0..%d",
			ErrNotChained, fork, tip)
	case int64(fork)+int64(len(headers)) > math.MaxInt32:
		return fmt.Errorf("%w: heights overflow", ErrNotChained)
	}
	for i := range headers {
		h := &headers[i]
		if want := fork + 1 + int32(i); h.Height != want {
			return fmt.Errorf("%w: header %d of the batch has height %d, want %d",
				ErrNotChained, i, h.Height, want)
		}
		if h.Work == nil || h.Work.Sign() < 0 || h.Work.BitLen() > workLen*8 {
			return fmt.Errorf("%w: header %d has no valid chain work", ErrNotChained, h.Height)
		}
		if i == 0 {
			continue
		}
		prev := &headers[i-1]
		if h.Header.PrevBlock != prev.Hash {
			return fmt.Errorf("%w: header %d (%s) does not build on header %d (%s)",
				ErrNotChained, h.Height, h.Hash, prev.Height, prev.Hash)
		}
		if h.Work.Cmp(prev.Work) < 0 {
			return fmt.Errorf("%w: header %d has less chain work than header %d",
				ErrNotChained, h.Height, prev.Height)
		}
	}
	return nil
}

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

// FilterTip returns the cached filter tip.
func (s *boltStore) FilterTip() (int32, chainhash.Hash) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ftip.height, s.ftip.header
}

// cachedTips returns the cached header tip height and filter tip height.
func (s *boltStore) cachedTips() (tip, ftip int32) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tip.Height, s.ftip.height
}

// FilterHeader returns the filter header at height.
func (s *boltStore) FilterHeader(height int32) (chainhash.Hash, error) {
	_, ftip := s.cachedTips()
	if height < 0 {
		return chainhash.Hash{}, fmt.Errorf("filter header at height %d: %w", height, ErrNotFound)
	}
	return s.db.fetchFilterHeader(height, ftip)
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
	_, ftip := s.cachedTips()
	return s.db.fetchFilterHeaders(start, count, ftip)
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
	if len(headers) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()

	ftip, err := s.db.putFilterHeaders(start, blockHashes, headers)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ftip = ftip
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
	return s.db.putFilters(start, blockHashes, filters, s.filterBudget)
}

// Filter returns the cached filter at height if it belongs to the best
// chain.
func (s *boltStore) Filter(height int32) (chainhash.Hash, []byte, error) {
	if height < 0 {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d: %w", height, ErrNotFound)
	}
	return s.db.fetchFilter(height, s.tipHeight())
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

// Close closes the file.
func (s *boltStore) Close() error {
	return s.db.close()
}
