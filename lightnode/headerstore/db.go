package headerstore

// All bbolt access of the package lives in this file; flatfile.go holds the
// access to the two flat files.
//
// Layout of chain.db, format 3 (all integers big-endian, fixed width):
//
//	meta       "version" -> format version (4 bytes)
//	           "genesis" -> genesis block hash (32 bytes, internal byte order)
//	           "tip" -> height (4) || block hash (32) || cumulative chain work (32)
//	           "filtertip" -> number of filter headers (4) || the last one (32)
//	           "redo" -> first height (4) || headers (80 bytes each)
//	           "compact" -> present while the file still has to be compacted
//	           "filterbytes" -> bytes held by the filter cache (8 bytes)
//	           "blockbytes" -> bytes held by the block cache (8 bytes)
//	hashes     epoch (4 bytes: height / hashEpoch) -> hash index entries (5 bytes each)
//	work       height / workInterval (4 bytes) -> cumulative chain work at that
//	           multiple of workInterval (32 bytes)
//	bans       key (UTF-8) -> until Unix seconds (8 bytes, signed) || nanoseconds (4 bytes) || reason (UTF-8)
//	filters    height (4 bytes) -> sequence (8 bytes) || block hash (32 bytes) || BIP158 basic filter
//	filterseq  sequence (8 bytes) -> height (4 bytes)
//	blocks     block hash (32 bytes) -> sequence (8 bytes) || raw block (wire serialization with witnesses)
//	blockseq   sequence (8 bytes) -> block hash (32 bytes)
//
// The headers and the filter headers themselves live in the flat files. The
// tip record says how many headers are valid and what the last one hashes
// to, the filter tip record the same for the filter headers; both change in
// the transaction that commits the records they count.
//
// The hash index keeps, for each epoch of hashEpoch consecutive heights, one
// value: a sorted array of 5-byte entries, the first 28 bits of a block hash
// followed by its height within the epoch (12 bits). That is 5 bytes a
// header where a bbolt key per hash would take about 60. A lookup by hash
// binary-searches the epochs from the newest down and confirms a candidate
// by hashing the header the file holds at its height, which also rules out
// the rare prefix shared by two blocks. A Connect rewrites the newest epoch
// or two (20 KB each) instead of touching one page per header.
//
// The chain work of a header is the work at the last multiple of
// workInterval below it plus the work of each header in between, which the
// headers' bits give; the work records are 32 bytes per 256 headers.
//
// "redo" holds the headers a reorganization writes over committed ones: the
// transaction that commits the new tip commits them too, and they are copied
// into the headers file afterwards. If the process dies before the copy
// completes, the next writable Open copies them again (see applyRedo). The
// next Connect deletes the record.
//
// The two caches record, with each entry, the insertion sequence number under
// which the seq bucket points back at it; the oldest entry is the first key of
// the seq bucket, and the next number is one more than the last key. Each
// cache keeps a running total of its bytes (keys and values of both buckets)
// in meta, updated in the transaction that inserts or deletes, which evicts
// from the oldest entry until the total fits the budget.
//
// Formats 1 and 2 kept each header (with its chain work) and each filter
// header as a bbolt record, about 300 bytes a header in all; a writable Open
// migrates them to format 3 (see migrate), and format 3 refuses to be opened
// by those versions.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names and meta keys.
var (
	metaBucket   = []byte("meta")
	bansBucket   = []byte("bans")
	hashesBucket = []byte("hashes")
	workBucket   = []byte("work")

	filtersBucket   = []byte("filters")
	filterSeqBucket = []byte("filterseq")
	blocksBucket    = []byte("blocks")
	blockSeqBucket  = []byte("blockseq")

	metaVersionKey     = []byte("version")
	metaGenesisKey     = []byte("genesis")
	metaTipKey         = []byte("tip")
	metaFilterTipKey   = []byte("filtertip")
	metaRedoKey        = []byte("redo")
	metaCompactKey     = []byte("compact")
	metaFilterBytesKey = []byte("filterbytes")
	metaBlockBytesKey  = []byte("blockbytes")

	// allBuckets are the buckets of a current file, in creation order.
	allBuckets = [][]byte{metaBucket, bansBucket, hashesBucket, workBucket,
		filtersBucket, filterSeqBucket, blocksBucket, blockSeqBucket}

	// Buckets of formats 1 and 2, read only to migrate: headers keyed by
	// height holding the header and its chain work, a hash index, and the
	// filter headers keyed by height.
	oldHeadersBucket       = []byte("headers")
	oldHashIndexBucket     = []byte("hashindex")
	oldFilterHeadersBucket = []byte("filterheaders")
	oldTipHeightKey        = []byte("tipheight")
)

// cacheBuckets names the buckets and the meta total of one bounded cache.
type cacheBuckets struct {
	records  []byte // key -> sequence || payload
	seqs     []byte // sequence -> key
	totalKey []byte // meta record of the byte total

	// fillPercent is how full bbolt packs the records bucket's pages.
	fillPercent float64
}

var (
	// Filters arrive mostly in ascending height order, so their pages can
	// be packed full (about 15% faster than half full for 500-byte
	// filters).
	filterCache = cacheBuckets{filtersBucket, filterSeqBucket, metaFilterBytesKey, appendFillPercent}

	// Blocks are keyed by hash, which lands anywhere: bbolt's default.
	blockCache = cacheBuckets{blocksBucket, blockSeqBucket, metaBlockBytesKey, bbolt.DefaultFillPercent}
)

const (
	// dbVersion is the format version written to new files. Files with a
	// higher version come from a newer satchel and are refused; versions 1
	// and 2 are migrated.
	dbVersion uint32 = 3

	heightLen       = 4
	headerLen       = 80 // wire serialization of a block header
	workLen         = 32
	banTimeLen      = 12
	filterHeaderLen = chainhash.HashSize
	seqLen          = 8
	totalLen        = 8

	tipRecordLen       = heightLen + chainhash.HashSize + workLen
	filterTipRecordLen = heightLen + filterHeaderLen

	// filterRecordHdrLen is what a filters record holds before the filter:
	// the sequence and the block hash.
	filterRecordHdrLen = seqLen + chainhash.HashSize

	// maxBanKeyLen is the longest ban key bbolt can store.
	maxBanKeyLen = bbolt.MaxKeySize

	// hashEpoch is the number of consecutive heights that share one hash
	// index value. Their offsets fit in 12 bits, and 4,092 entries of 5
	// bytes with bbolt's 16-byte page header fill five 4 KiB pages exactly.
	// A lookup of an old or unknown hash searches about 230 values on
	// mainnet.
	hashEpoch = 4092

	// indexEntryLen is the size of one hash index entry.
	indexEntryLen = 5

	// workInterval is the distance between stored chain work records.
	workInterval = 256

	// appendFillPercent packs the pages of buckets that are only appended
	// to full: their pages are split only at the end, so half-empty pages
	// would stay so.
	appendFillPercent = 1.0
)

// chainDB is the bbolt database behind a boltStore.
type chainDB struct {
	bdb      *bbolt.DB
	path     string
	readOnly bool

	// entries is scratch space for building hash index values, used by
	// writers only (boltStore.writeMu).
	entries []uint64
}

// damaged returns an error wrapping ErrDamaged that names the file, says
// what is wrong with it, and what to do.
func damaged(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s %s; delete it and satchel will download the headers again",
		ErrDamaged, path, fmt.Sprintf(format, args...))
}

// notOurs returns an error wrapping ErrDamaged for a file that does not look
// like something satchel wrote, which therefore might be precious to someone.
func notOurs(path, what string) error {
	return fmt.Errorf("%w: %s %s; check --datadir, and move the file away if it is not yours",
		ErrDamaged, path, what)
}

// openChainDB checks the file header of an existing file, then opens it with
// bbolt; a missing file (and its folder) is created unless readOnly is set.
func openChainDB(path string, readOnly bool, timeout time.Duration) (*chainDB, error) {
	info, err := os.Stat(path)
	switch {
	case err == nil:
		if !info.Mode().IsRegular() {
			return nil, notOurs(path, "is not a regular file")
		}
		if info.Size() == 0 && readOnly {
			return nil, damaged(path, "is empty")
		}
		if err := checkBoltFile(path); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if readOnly {
			return nil, fmt.Errorf("open %s read-only: %w", path, err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create the folder for chain.db: %w", err)
		}
	default:
		return nil, fmt.Errorf("open chain.db: %w", err)
	}

	opts := &bbolt.Options{
		Timeout:      timeout,
		ReadOnly:     readOnly,
		FreelistType: bbolt.FreelistMapType,
	}
	bdb, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	return &chainDB{bdb: bdb, path: path, readOnly: readOnly}, nil
}

// openBolt calls bbolt.Open and turns its failures, panics included, into
// errors a person can act on.
func openBolt(path string, opts *bbolt.Options) (bdb *bbolt.DB, err error) {
	// Keep bbolt's file, to release it (and its lock) if bbolt panics.
	var file *os.File
	opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				_ = file.Close()
			}
			bdb, err = nil, damaged(path, "cannot be read (%v)", r)
		}
	}()
	bdb, err = bbolt.Open(path, 0o600, opts)
	switch {
	case err == nil:
		return bdb, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (quit the other satchel first)", ErrInUse, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch):
		return nil, damaged(path, "is not a valid database (%v)", err)
	}
	return nil, fmt.Errorf("open %s: %w", path, err)
}

// close closes the bbolt database; closing twice is harmless.
func (d *chainDB) close() error {
	return d.bdb.Close()
}

// view runs fn in a read transaction. A panic inside bbolt, which is how it
// reacts to a corrupt page, and a fault on the memory-mapped file, which is
// how a file truncated behind our back shows, become ErrDamaged.
func (d *chainDB) view(fn func(tx *bbolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(d.path, "cannot be read (%v)", r)
		}
	}()
	return d.bdb.View(fn)
}

// update runs fn in a write transaction, committed only if fn returns nil.
// Panics become ErrDamaged as in view; bbolt has rolled back by then.
func (d *chainDB) update(fn func(tx *bbolt.Tx) error) (err error) {
	if d.readOnly {
		return ErrReadOnly
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = damaged(d.path, "cannot be read (%v)", r)
		}
	}()
	return d.bdb.Update(fn)
}

// ---------------------------------------------------------------------------
// bbolt file header check
// ---------------------------------------------------------------------------

// bbolt file format constants (go.etcd.io/bbolt/internal/common). A bbolt
// file starts with two meta pages, at offset 0 and at pageSize; each is a
// 16-byte page header followed by the meta record, little-endian.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeaderLen  = 16
	boltMetaLen        = 64 // up to and including the checksum
	boltMetaSummedLen  = 56 // the checksum covers the bytes before it
	boltFreelistFlag   = 0x10
	boltNoFreelist     = math.MaxUint64
	boltMinPageSize    = 512
	boltMaxPageSize    = 1 << 24
	boltProbeLen       = 0x1000
	boltMaxFreelistLen = 1 << 26
)

// boltMeta is the part of a bbolt meta page that tells how much of the file
// the database uses.
type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high-water mark: pages [0, pgid) are in use
	txid     uint64
}

// parseBoltMeta decodes the meta page at the start of p and reports whether
// it is a valid bbolt meta page (magic, version and FNV-64a checksum).
func parseBoltMeta(p []byte) (boltMeta, bool) {
	if len(p) < boltPageHeaderLen+boltMetaLen {
		return boltMeta{}, false
	}
	m := p[boltPageHeaderLen : boltPageHeaderLen+boltMetaLen]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	_, _ = h.Write(m[:boltMetaSummedLen])
	if h.Sum64() != le.Uint64(m[boltMetaSummedLen:]) {
		return boltMeta{}, false
	}
	return boltMeta{
		pageSize: le.Uint32(m[8:]),
		root:     le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]),
		pgid:     le.Uint64(m[40:]),
		txid:     le.Uint64(m[48:]),
	}, true
}

// checkBoltFile reads the meta pages of the bbolt file at path the way bbolt
// does, picks the valid one with the higher transaction id, and makes sure
// every page it refers to lies inside the file. bbolt maps the file into
// memory and would die with SIGBUS on a page past the end, so this runs
// before bbolt.Open. An empty file passes: bbolt initializes it.
func checkBoltFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open chain.db: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open chain.db: %w", err)
	}
	size := info.Size()
	if size == 0 {
		return nil
	}

	readAt := func(off int64, n int) ([]byte, error) {
		buf := make([]byte, n)
		got, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read chain.db: %w", err)
		}
		return buf[:got], nil
	}

	first, err := readAt(0, boltProbeLen)
	if err != nil {
		return err
	}
	m0, ok0 := parseBoltMeta(first)
	pageSize := int64(m0.pageSize)
	if !ok0 {
		// Like bbolt, look for the second meta page at each possible page
		// size.
		for ps := int64(1024); ps <= boltMaxPageSize && ps < size-1024; ps <<= 1 {
			p, err := readAt(ps, boltProbeLen)
			if err != nil {
				return err
			}
			if m, ok := parseBoltMeta(p); ok && int64(m.pageSize) == ps {
				pageSize = ps
				break
			}
		}
		if pageSize == 0 {
			if len(first) >= boltPageHeaderLen+4 &&
				binary.LittleEndian.Uint32(first[boltPageHeaderLen:]) == boltMagic && size < 2*boltMinPageSize {
				return damaged(path, "is truncated (%d bytes)", size)
			}
			return notOurs(path, "is not a bbolt database")
		}
	}
	if pageSize < boltMinPageSize || pageSize > boltMaxPageSize || pageSize&(pageSize-1) != 0 {
		return damaged(path, "has an invalid page size %d", pageSize)
	}
	if size < 2*pageSize {
		return damaged(path, "is truncated (%d bytes, the header alone needs %d)", size, 2*pageSize)
	}
	second, err := readAt(pageSize, boltPageHeaderLen+boltMetaLen)
	if err != nil {
		return err
	}
	m1, ok1 := parseBoltMeta(second)
	if ok0 && ok1 && m0.pageSize != m1.pageSize {
		return damaged(path, "has meta pages that disagree on the page size")
	}

	m := m0
	if !ok0 || (ok1 && m1.txid > m0.txid) {
		m = m1
	}
	if m.pgid < 2 || m.root < 2 || m.root >= m.pgid ||
		(m.freelist != boltNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid)) {
		return damaged(path, "has an inconsistent bbolt meta page")
	}
	if m.pgid > uint64(size)/uint64(pageSize) {
		return damaged(path, "is truncated (%d bytes, the database needs %d)", size, m.pgid*uint64(pageSize))
	}
	if m.freelist != boltNoFreelist {
		return checkBoltFreelist(path, f, m, pageSize)
	}
	return nil
}

// checkBoltFreelist checks that the freelist page, which bbolt reads while
// opening, is a freelist page whose entries lie inside the database.
func checkBoltFreelist(path string, f *os.File, m boltMeta, pageSize int64) error {
	hdr := make([]byte, boltPageHeaderLen+8)
	if _, err := f.ReadAt(hdr, int64(m.freelist)*pageSize); err != nil {
		return fmt.Errorf("read chain.db: %w", err)
	}
	le := binary.LittleEndian
	flags := le.Uint16(hdr[8:])
	count := uint64(le.Uint16(hdr[10:]))
	overflow := uint64(le.Uint32(hdr[12:]))
	if flags != boltFreelistFlag || m.freelist+overflow >= m.pgid {
		return damaged(path, "has an invalid bbolt freelist page")
	}
	skip := uint64(0)
	if count == 0xFFFF {
		count, skip = le.Uint64(hdr[16:]), 1
	}
	span := (overflow + 1) * uint64(pageSize)
	need := boltPageHeaderLen + 8*(skip+count)
	if count > span/8 || need > span || need > boltMaxFreelistLen {
		return damaged(path, "has an invalid bbolt freelist page")
	}
	ids := make([]byte, 8*count)
	if _, err := f.ReadAt(ids, int64(m.freelist)*pageSize+boltPageHeaderLen+int64(8*skip)); err != nil {
		return fmt.Errorf("read chain.db: %w", err)
	}
	for i := 0; i < len(ids); i += 8 {
		if id := le.Uint64(ids[i:]); id < 2 || id >= m.pgid {
			return damaged(path, "has an invalid bbolt freelist entry")
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Serialization
// ---------------------------------------------------------------------------

// putHeight writes height as a 4-byte big-endian key or value.
func putHeight(dst []byte, height int32) {
	binary.BigEndian.PutUint32(dst, uint32(height))
}

// decodeHeight reads a 4-byte big-endian height.
func decodeHeight(b []byte) (int32, error) {
	if len(b) != heightLen {
		return 0, fmt.Errorf("height has %d bytes, want %d", len(b), heightLen)
	}
	v := binary.BigEndian.Uint32(b)
	if v > math.MaxInt32 {
		return 0, fmt.Errorf("height %d out of range", v)
	}
	return int32(v), nil
}

// encodeTip serializes the tip record.
func encodeTip(height int32, hash *chainhash.Hash, work *big.Int) ([]byte, error) {
	if work == nil || work.Sign() < 0 || work.BitLen() > workLen*8 {
		return nil, errors.New("chain work does not fit in 32 bytes")
	}
	v := make([]byte, tipRecordLen)
	putHeight(v, height)
	copy(v[heightLen:], hash[:])
	work.FillBytes(v[heightLen+chainhash.HashSize:])
	return v, nil
}

// decodeTip deserializes the tip record.
func decodeTip(v []byte) (height int32, hash chainhash.Hash, work *big.Int, err error) {
	if len(v) != tipRecordLen {
		return 0, hash, nil, fmt.Errorf("tip record has %d bytes, want %d", len(v), tipRecordLen)
	}
	if height, err = decodeHeight(v[:heightLen]); err != nil {
		return 0, hash, nil, err
	}
	copy(hash[:], v[heightLen:])
	work = new(big.Int).SetBytes(v[heightLen+chainhash.HashSize:])
	return height, hash, work, nil
}

// encodeFilterTip serializes the filter tip record: the number of filter
// headers, then the last one (zero when there is none).
func encodeFilterTip(ft filterTip) []byte {
	v := make([]byte, filterTipRecordLen)
	binary.BigEndian.PutUint32(v, uint32(ft.height+1))
	copy(v[heightLen:], ft.header[:])
	return v
}

// decodeFilterTip deserializes the filter tip record.
func decodeFilterTip(v []byte) (filterTip, error) {
	if len(v) != filterTipRecordLen {
		return noFilterTip, fmt.Errorf("filter tip record has %d bytes, want %d", len(v), filterTipRecordLen)
	}
	n := binary.BigEndian.Uint32(v)
	if n > math.MaxInt32 {
		return noFilterTip, fmt.Errorf("filter tip record counts %d filter headers", n)
	}
	ft := filterTip{height: int32(n) - 1}
	copy(ft.header[:], v[heightLen:])
	return ft, nil
}

// encodeWork serializes a chain work record.
func encodeWork(work *big.Int) ([]byte, error) {
	if work.Sign() < 0 || work.BitLen() > workLen*8 {
		return nil, errors.New("chain work does not fit in 32 bytes")
	}
	v := make([]byte, workLen)
	work.FillBytes(v)
	return v, nil
}

// hashPrefix is the part of a block hash the hash index keeps: its first
// 28 bits.
func hashPrefix(h *chainhash.Hash) uint32 {
	return binary.BigEndian.Uint32(h[:4]) >> 4
}

// indexEntry packs a hash index entry, a 28-bit hash prefix and a 12-bit
// height within the epoch, into the low 40 bits of a uint64, so that
// entries sort by prefix, then height.
func indexEntry(prefix uint32, offset int32) uint64 {
	return uint64(prefix)<<12 | uint64(offset)
}

// putEntries serializes sorted entries into a new hash index value.
func putEntries(es []uint64) []byte {
	v := make([]byte, len(es)*indexEntryLen)
	for i, e := range es {
		b := v[i*indexEntryLen : (i+1)*indexEntryLen : (i+1)*indexEntryLen]
		b[0] = byte(e >> 32)
		binary.BigEndian.PutUint32(b[1:], uint32(e))
	}
	return v
}

// entryAt returns entry i of a hash index value.
func entryAt(v []byte, i int) uint64 {
	b := v[i*indexEntryLen : (i+1)*indexEntryLen : (i+1)*indexEntryLen]
	return uint64(b[0])<<32 | uint64(binary.BigEndian.Uint32(b[1:]))
}

// entryPrefix returns the hash prefix of entry i of a hash index value.
func entryPrefix(v []byte, i int) uint32 {
	return uint32(entryAt(v, i) >> 12)
}

// entryOffset returns the height within its epoch of entry i.
func entryOffset(v []byte, i int) int32 {
	return int32(entryAt(v, i) & 0xfff)
}

// findPrefix returns the range [lo, hi) of the entries of a hash index
// value whose hash starts with prefix.
func findPrefix(v []byte, prefix uint32) (lo, hi int) {
	n := len(v) / indexEntryLen
	lo = sort.Search(n, func(i int) bool { return entryPrefix(v, i) >= prefix })
	hi = lo
	for hi < n && entryPrefix(v, hi) == prefix {
		hi++
	}
	return lo, hi
}

// indexHas reports whether a hash index value lists the hash with the
// given prefix at the given height within the epoch.
func indexHas(v []byte, prefix uint32, offset int32) bool {
	lo, hi := findPrefix(v, prefix)
	for i := lo; i < hi; i++ {
		if entryOffset(v, i) == offset {
			return true
		}
	}
	return false
}

// encodeBan serializes the value of a ban record.
func encodeBan(until time.Time, reason string) []byte {
	v := make([]byte, banTimeLen+len(reason))
	binary.BigEndian.PutUint64(v, uint64(until.Unix()))
	binary.BigEndian.PutUint32(v[8:], uint32(until.Nanosecond()))
	copy(v[banTimeLen:], reason)
	return v
}

// decodeBan deserializes a ban record.
func decodeBan(key, v []byte) (Ban, error) {
	if len(v) < banTimeLen {
		return Ban{}, fmt.Errorf("ban record has %d bytes, want at least %d", len(v), banTimeLen)
	}
	sec := int64(binary.BigEndian.Uint64(v))
	nsec := binary.BigEndian.Uint32(v[8:])
	if nsec >= 1e9 {
		return Ban{}, fmt.Errorf("ban record has %d nanoseconds", nsec)
	}
	return Ban{
		Key:    string(key),
		Until:  time.Unix(sec, int64(nsec)),
		Reason: string(v[banTimeLen:]),
	}, nil
}

// putSeq writes an insertion sequence number as an 8-byte big-endian key or
// prefix.
func putSeq(dst []byte, seq uint64) {
	binary.BigEndian.PutUint64(dst, seq)
}

// newFilterRecord returns the value of a filters record, with its sequence
// left for cacheTx.put to fill in.
func newFilterRecord(blockHash *chainhash.Hash, filter []byte) []byte {
	v := make([]byte, filterRecordHdrLen+len(filter))
	copy(v[seqLen:], blockHash[:])
	copy(v[filterRecordHdrLen:], filter)
	return v
}

// decodeFilterRecord splits a filters record into its block hash and filter,
// which points into rec.
func decodeFilterRecord(rec []byte) (chainhash.Hash, []byte, error) {
	var hash chainhash.Hash
	if len(rec) < filterRecordHdrLen {
		return hash, nil, fmt.Errorf("filter record has %d bytes, want at least %d", len(rec), filterRecordHdrLen)
	}
	copy(hash[:], rec[seqLen:filterRecordHdrLen])
	return hash, rec[filterRecordHdrLen:], nil
}

// newBlockRecord returns the value of a blocks record, with its sequence left
// for cacheTx.put to fill in.
func newBlockRecord(raw []byte) []byte {
	v := make([]byte, seqLen+len(raw))
	copy(v[seqLen:], raw)
	return v
}

// decodeBlockRecord returns the raw block of a blocks record, which points
// into rec.
func decodeBlockRecord(rec []byte) ([]byte, error) {
	if len(rec) <= seqLen {
		return nil, fmt.Errorf("block record has %d bytes", len(rec))
	}
	return rec[seqLen:], nil
}

// encodeTotal serializes a cache byte total.
func encodeTotal(total int64) []byte {
	v := make([]byte, totalLen)
	binary.BigEndian.PutUint64(v, uint64(total))
	return v
}

// decodeTotal deserializes a cache byte total.
func decodeTotal(v []byte) (int64, error) {
	if len(v) != totalLen {
		return 0, fmt.Errorf("cache total has %d bytes, want %d", len(v), totalLen)
	}
	t := binary.BigEndian.Uint64(v)
	if t > math.MaxInt64 {
		return 0, fmt.Errorf("cache total %d out of range", t)
	}
	return int64(t), nil
}

// cacheEntrySize is what one cache entry counts against its budget: the
// record's key and value and the seq entry that points at it.
func cacheEntrySize(keyLen, valueLen int) int64 {
	return int64(keyLen) + int64(valueLen) + seqLen + int64(keyLen)
}

// filterEntrySize is what a cached filter of n bytes counts against the
// filter cache budget.
func filterEntrySize(n int) int64 {
	return cacheEntrySize(heightLen, filterRecordHdrLen+n)
}

// blockEntrySize is what a cached block of n bytes counts against the block
// cache budget.
func blockEntrySize(n int) int64 {
	return cacheEntrySize(chainhash.HashSize, seqLen+n)
}

// ---------------------------------------------------------------------------
// Helpers inside a transaction
// ---------------------------------------------------------------------------

// dbBucket returns the named bucket, or an error saying it is missing.
func dbBucket(tx *bbolt.Tx, name []byte) (*bbolt.Bucket, error) {
	b := tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("%s bucket is missing", name)
	}
	return b, nil
}

// dbFetchTip returns the tip record.
func dbFetchTip(tx *bbolt.Tx) (height int32, hash chainhash.Hash, work *big.Int, err error) {
	meta, err := dbBucket(tx, metaBucket)
	if err != nil {
		return 0, hash, nil, err
	}
	return decodeTip(meta.Get(metaTipKey))
}

// dbPutTip records the tip.
func dbPutTip(tx *bbolt.Tx, height int32, hash *chainhash.Hash, work *big.Int) error {
	v, err := encodeTip(height, hash, work)
	if err != nil {
		return err
	}
	return tx.Bucket(metaBucket).Put(metaTipKey, v)
}

// dbFetchFilterTip returns the filter tip record.
func dbFetchFilterTip(tx *bbolt.Tx) (filterTip, error) {
	meta, err := dbBucket(tx, metaBucket)
	if err != nil {
		return noFilterTip, err
	}
	return decodeFilterTip(meta.Get(metaFilterTipKey))
}

// dbPutFilterTip records the filter tip.
func dbPutFilterTip(tx *bbolt.Tx, ft filterTip) error {
	return tx.Bucket(metaBucket).Put(metaFilterTipKey, encodeFilterTip(ft))
}

// dbFetchRedo returns a copy of the redo record: the height of its first
// header and the headers, or a nil raw when there is none.
func dbFetchRedo(tx *bbolt.Tx) (first int32, raw []byte, err error) {
	v := tx.Bucket(metaBucket).Get(metaRedoKey)
	if v == nil {
		return 0, nil, nil
	}
	if len(v) < heightLen+headerLen || (len(v)-heightLen)%headerLen != 0 {
		return 0, nil, fmt.Errorf("redo record has %d bytes", len(v))
	}
	if first, err = decodeHeight(v[:heightLen]); err != nil || first == 0 {
		return 0, nil, fmt.Errorf("redo record starts at height %d: %v", first, err)
	}
	return first, bytes.Clone(v[heightLen:]), nil
}

// dbPutRedo records headers that are about to overwrite committed ones
// from height first on; raw must stay untouched until the transaction ends.
func dbPutRedo(tx *bbolt.Tx, first int32, raw []byte) error {
	v := make([]byte, heightLen+len(raw))
	putHeight(v, first)
	copy(v[heightLen:], raw)
	return tx.Bucket(metaBucket).Put(metaRedoKey, v)
}

// dbDeleteRedo deletes the redo record, if any.
func dbDeleteRedo(tx *bbolt.Tx) error {
	meta := tx.Bucket(metaBucket)
	if meta.Get(metaRedoKey) == nil {
		return nil
	}
	return meta.Delete(metaRedoKey)
}

// dbFetchWork returns the chain work record at or below height: its height
// (a multiple of workInterval) and the work.
func dbFetchWork(tx *bbolt.Tx, height int32) (int32, *big.Int, error) {
	b, err := dbBucket(tx, workBucket)
	if err != nil {
		return 0, nil, err
	}
	var key [heightLen]byte
	putHeight(key[:], height/workInterval)
	v := b.Get(key[:])
	if len(v) != workLen {
		return 0, nil, fmt.Errorf("chain work record for height %d is missing", height/workInterval*workInterval)
	}
	return height / workInterval * workInterval, new(big.Int).SetBytes(v), nil
}

// workPoint is the chain work at a multiple of workInterval.
type workPoint struct {
	height int32
	work   []byte // encodeWork
}

// dbPutWork stores chain work records and deletes those above height
// top, the new tip.
func dbPutWork(tx *bbolt.Tx, points []workPoint, top int32) error {
	b, err := dbBucket(tx, workBucket)
	if err != nil {
		return err
	}
	b.FillPercent = appendFillPercent
	var key [heightLen]byte
	putHeight(key[:], top/workInterval+1)
	for _, k := range dbKeysFrom(b, key[:]) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	for _, p := range points {
		k := make([]byte, heightLen)
		putHeight(k, p.height/workInterval)
		if err := b.Put(k, p.work); err != nil {
			return err
		}
	}
	return nil
}

// dbIndexValue returns the hash index value of an epoch, valid until the
// transaction ends, or nil.
func dbIndexValue(tx *bbolt.Tx, epoch int32) []byte {
	var key [heightLen]byte
	putHeight(key[:], epoch)
	return tx.Bucket(hashesBucket).Get(key[:])
}

// dbIndexReplace makes the hash index list hashes[i] at height from+i and
// nothing at heights from and above otherwise; oldTop is the highest height
// listed before. entries is scratch space, returned for the next call.
func dbIndexReplace(tx *bbolt.Tx, from, oldTop int32, hashes []chainhash.Hash, entries []uint64) ([]uint64, error) {
	b, err := dbBucket(tx, hashesBucket)
	if err != nil {
		return entries, err
	}
	b.FillPercent = appendFillPercent
	newTop := from + int32(len(hashes)) - 1
	for epoch := from / hashEpoch; epoch <= max(oldTop, newTop)/hashEpoch; epoch++ {
		base := epoch * hashEpoch
		es := entries[:0]
		if v := dbIndexValue(tx, epoch); v != nil && base < from {
			for i := range len(v) / indexEntryLen {
				if base+entryOffset(v, i) < from {
					es = append(es, entryAt(v, i))
				}
			}
		}
		for h := max(base, from); h <= min(base+hashEpoch-1, newTop); h++ {
			es = append(es, indexEntry(hashPrefix(&hashes[h-from]), h-base))
		}
		entries = es
		key := make([]byte, heightLen)
		putHeight(key, epoch)
		if len(es) == 0 {
			if err := b.Delete(key); err != nil {
				return entries, err
			}
			continue
		}
		slices.Sort(es)
		if err := b.Put(key, putEntries(es)); err != nil {
			return entries, err
		}
	}
	return entries, nil
}

// dbIndexFind calls match with each height at or below maxHeight that the
// hash index lists for a hash starting with prefix, newest epoch first,
// until match reports the hash found. It returns that height, or false.
func dbIndexFind(tx *bbolt.Tx, prefix uint32, maxHeight int32, match func(height int32) (bool, error)) (int32, bool, error) {
	b, err := dbBucket(tx, hashesBucket)
	if err != nil {
		return 0, false, err
	}
	var key [heightLen]byte
	putHeight(key[:], maxHeight/hashEpoch)
	c := b.Cursor()
	k, v := c.Seek(key[:])
	if k == nil || bytes.Compare(k, key[:]) > 0 {
		k, v = c.Prev()
	}
	for ; k != nil; k, v = c.Prev() {
		epoch, err := decodeHeight(k)
		if err != nil || len(v)%indexEntryLen != 0 {
			return 0, false, fmt.Errorf("hash index value %x is malformed", k)
		}
		lo, hi := findPrefix(v, prefix)
		for i := lo; i < hi; i++ {
			h := epoch*hashEpoch + entryOffset(v, i)
			if h > maxHeight {
				continue
			}
			ok, err := match(h)
			if err != nil || ok {
				return h, ok, err
			}
		}
	}
	return 0, false, nil
}

// indexBuilder builds the hash index values of consecutive heights from
// genesis, for a migration or a repair.
type indexBuilder struct {
	epoch   int32
	entries []uint64
	values  map[int32][]byte
}

// add lists hash at height, which follows the height added last.
func (ib *indexBuilder) add(height int32, hash *chainhash.Hash) {
	if e := height / hashEpoch; e != ib.epoch {
		ib.flush()
		ib.epoch = e
	}
	ib.entries = append(ib.entries, indexEntry(hashPrefix(hash), height%hashEpoch))
}

// flush finishes the current epoch.
func (ib *indexBuilder) flush() {
	if len(ib.entries) == 0 {
		return
	}
	if ib.values == nil {
		ib.values = make(map[int32][]byte)
	}
	slices.Sort(ib.entries)
	ib.values[ib.epoch] = putEntries(ib.entries)
	ib.entries = ib.entries[:0]
}

// dbPutIndex replaces the whole hash index by what ib built.
func dbPutIndex(tx *bbolt.Tx, ib *indexBuilder) error {
	ib.flush()
	if tx.Bucket(hashesBucket) != nil {
		if err := tx.DeleteBucket(hashesBucket); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucket(hashesBucket)
	if err != nil {
		return err
	}
	b.FillPercent = appendFillPercent
	epochs := make([]int32, 0, len(ib.values))
	for e := range ib.values {
		epochs = append(epochs, e)
	}
	slices.Sort(epochs)
	for _, e := range epochs {
		key := make([]byte, heightLen)
		putHeight(key, e)
		if err := b.Put(key, ib.values[e]); err != nil {
			return err
		}
	}
	return nil
}

// dbReplaceWork replaces every chain work record by points.
func dbReplaceWork(tx *bbolt.Tx, points []workPoint) error {
	if tx.Bucket(workBucket) != nil {
		if err := tx.DeleteBucket(workBucket); err != nil {
			return err
		}
	}
	if _, err := tx.CreateBucket(workBucket); err != nil {
		return err
	}
	top := int32(0)
	if len(points) > 0 {
		top = points[len(points)-1].height
	}
	return dbPutWork(tx, points, top)
}

// dbIndexCount returns the number of hash index entries.
func dbIndexCount(tx *bbolt.Tx) (int, error) {
	b, err := dbBucket(tx, hashesBucket)
	if err != nil {
		return 0, err
	}
	n := 0
	err = b.ForEach(func(_, v []byte) error {
		n += len(v) / indexEntryLen
		return nil
	})
	return n, err
}

// dbPutBan stores a ban and deletes the bans that expired by now.
func dbPutBan(tx *bbolt.Tx, b Ban, now time.Time) error {
	bans := tx.Bucket(bansBucket)
	if bans == nil {
		return errors.New("bans bucket is missing")
	}
	if err := dbDeleteExpiredBans(tx, now); err != nil {
		return err
	}
	return bans.Put([]byte(b.Key), encodeBan(b.Until, b.Reason))
}

// dbFetchBan returns the ban of key, expired or not, or ErrNotFound.
func dbFetchBan(tx *bbolt.Tx, key string) (Ban, error) {
	bans := tx.Bucket(bansBucket)
	if bans == nil {
		return Ban{}, errors.New("bans bucket is missing")
	}
	v := bans.Get([]byte(key))
	if v == nil {
		return Ban{}, fmt.Errorf("ban %s: %w", key, ErrNotFound)
	}
	return decodeBan([]byte(key), v)
}

// dbFetchBans returns the bans that have not expired by now, in key order,
// and how many have. A record that cannot be decoded counts as expired, so
// that it gets cleaned up.
func dbFetchBans(tx *bbolt.Tx, now time.Time) ([]Ban, int, error) {
	bans := tx.Bucket(bansBucket)
	if bans == nil {
		return nil, 0, errors.New("bans bucket is missing")
	}
	var out []Ban
	expired := 0
	err := bans.ForEach(func(k, v []byte) error {
		b, err := decodeBan(k, v)
		if err != nil || !b.Until.After(now) {
			expired++
			return nil
		}
		out = append(out, b)
		return nil
	})
	return out, expired, err
}

// dbDeleteBan deletes the ban of key, or returns ErrNotFound.
func dbDeleteBan(tx *bbolt.Tx, key string) error {
	bans := tx.Bucket(bansBucket)
	if bans == nil {
		return errors.New("bans bucket is missing")
	}
	if bans.Get([]byte(key)) == nil {
		return fmt.Errorf("ban %s: %w", key, ErrNotFound)
	}
	return bans.Delete([]byte(key))
}

// dbDeleteExpiredBans deletes the bans that expired by now and records that
// cannot be decoded.
func dbDeleteExpiredBans(tx *bbolt.Tx, now time.Time) error {
	bans := tx.Bucket(bansBucket)
	if bans == nil {
		return errors.New("bans bucket is missing")
	}
	var stale [][]byte
	err := bans.ForEach(func(k, v []byte) error {
		if b, err := decodeBan(k, v); err != nil || !b.Until.After(now) {
			stale = append(stale, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := bans.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// dbKeysFrom returns copies of the keys of b from seek on, to delete them
// after the cursor is done.
func dbKeysFrom(b *bbolt.Bucket, seek []byte) [][]byte {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(seek); k != nil; k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	return keys
}

// dbDeleteFiltersAbove deletes the cached filters above height fork.
func dbDeleteFiltersAbove(tx *bbolt.Tx, fork int32) error {
	records := tx.Bucket(filtersBucket)
	if records == nil {
		return errors.New("filters bucket is missing")
	}
	var key [heightLen]byte
	putHeight(key[:], fork+1)
	if k, _ := records.Cursor().Seek(key[:]); k == nil {
		return nil
	}
	c, err := dbOpenCache(tx, filterCache)
	if err != nil {
		return err
	}
	for _, k := range dbKeysFrom(records, key[:]) {
		if err := c.delete(k); err != nil {
			return err
		}
	}
	return c.flush()
}

// cacheTx is one bounded cache inside a write transaction: its buckets, its
// byte total and its next insertion sequence number. Changes to the total
// reach the file with flush.
type cacheTx struct {
	records, seqs, meta *bbolt.Bucket
	totalKey            []byte
	total               int64
	nextSeq             uint64
	dirty               bool
}

// dbOpenCache returns the cache cb as seen by tx. A total record that is
// missing or cannot be decoded is recomputed from the entries.
func dbOpenCache(tx *bbolt.Tx, cb cacheBuckets) (*cacheTx, error) {
	c := &cacheTx{
		records:  tx.Bucket(cb.records),
		seqs:     tx.Bucket(cb.seqs),
		meta:     tx.Bucket(metaBucket),
		totalKey: cb.totalKey,
		nextSeq:  1,
	}
	if c.records == nil || c.seqs == nil || c.meta == nil {
		return nil, fmt.Errorf("%s cache bucket is missing", cb.records)
	}
	c.records.FillPercent = cb.fillPercent
	c.seqs.FillPercent = appendFillPercent
	if k, _ := c.seqs.Cursor().Last(); len(k) == seqLen {
		if last := binary.BigEndian.Uint64(k); last < math.MaxUint64 {
			c.nextSeq = last + 1
		}
	}
	total, err := decodeTotal(c.meta.Get(cb.totalKey))
	if err != nil {
		total = 0
		err := c.records.ForEach(func(k, v []byte) error {
			total += cacheEntrySize(len(k), len(v))
			return nil
		})
		if err != nil {
			return nil, err
		}
		c.dirty = true
	}
	c.total = total
	return c, nil
}

// has reports whether an entry is stored under key.
func (c *cacheTx) has(key []byte) bool {
	return c.records.Get(key) != nil
}

// put stores value under key as the newest entry, writing the sequence into
// the first seqLen bytes of value. key and value must stay untouched until
// the transaction ends, and key must not be stored yet.
func (c *cacheTx) put(key, value []byte) error {
	seq := make([]byte, seqLen)
	putSeq(seq, c.nextSeq)
	c.nextSeq++
	copy(value, seq)
	if err := c.records.Put(key, value); err != nil {
		return err
	}
	if err := c.seqs.Put(seq, key); err != nil {
		return err
	}
	c.total += cacheEntrySize(len(key), len(value))
	c.dirty = true
	return nil
}

// delete deletes the entry stored under key, if any, with its seq entry.
func (c *cacheTx) delete(key []byte) error {
	v := c.records.Get(key)
	if v == nil {
		return nil
	}
	size := cacheEntrySize(len(key), len(v))
	if len(v) >= seqLen {
		seq := bytes.Clone(v[:seqLen])
		if sv := c.seqs.Get(seq); bytes.Equal(sv, key) {
			if err := c.seqs.Delete(seq); err != nil {
				return err
			}
		}
	}
	if err := c.records.Delete(key); err != nil {
		return err
	}
	c.total = max(c.total-size, 0)
	c.dirty = true
	return nil
}

// evict deletes the oldest entries until the total is at most budget.
func (c *cacheTx) evict(budget int64) error {
	for c.total > budget {
		seq, key := c.seqs.Cursor().First()
		if seq == nil {
			// Nothing is left to evict; a total that says otherwise was wrong.
			c.total, c.dirty = 0, true
			return nil
		}
		seq, key = bytes.Clone(seq), bytes.Clone(key)
		if rec := c.records.Get(key); len(rec) >= seqLen && bytes.Equal(rec[:seqLen], seq) {
			if err := c.delete(key); err != nil {
				return err
			}
			continue
		}
		// A seq entry whose record is gone or was replaced: drop it alone.
		if err := c.seqs.Delete(seq); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the total back when it changed.
func (c *cacheTx) flush() error {
	if !c.dirty {
		return nil
	}
	c.dirty = false
	return c.meta.Put(c.totalKey, encodeTotal(c.total))
}

// dbCacheTotal returns the byte total recorded for cache cb, 0 when the file
// has none.
func dbCacheTotal(tx *bbolt.Tx, cb cacheBuckets) int64 {
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		return 0
	}
	t, _ := decodeTotal(meta.Get(cb.totalKey))
	return t
}

// dbTrimCache evicts from cache cb until it fits budget.
func dbTrimCache(tx *bbolt.Tx, cb cacheBuckets, budget int64) error {
	c, err := dbOpenCache(tx, cb)
	if err != nil {
		return err
	}
	if err := c.evict(budget); err != nil {
		return err
	}
	return c.flush()
}

// errUnchanged makes update roll back a transaction that found nothing to
// write, which spares the commit and its fsync.
var errUnchanged = errors.New("nothing to write")

// dbPutBlock caches raw under hash and evicts the oldest blocks beyond
// budget. It returns errUnchanged when the block is cached already.
func dbPutBlock(tx *bbolt.Tx, hash *chainhash.Hash, raw []byte, budget int64) error {
	c, err := dbOpenCache(tx, blockCache)
	if err != nil {
		return err
	}
	key := bytes.Clone(hash[:])
	if c.has(key) {
		return errUnchanged
	}
	if err := c.put(key, newBlockRecord(raw)); err != nil {
		return err
	}
	if err := c.evict(budget); err != nil {
		return err
	}
	return c.flush()
}

// dbFetchBlock returns a copy of the raw block cached under hash.
func dbFetchBlock(tx *bbolt.Tx, hash *chainhash.Hash) ([]byte, error) {
	records := tx.Bucket(blocksBucket)
	if records == nil {
		return nil, fmt.Errorf("block %s: %w", hash, ErrNotFound)
	}
	rec := records.Get(hash[:])
	if rec == nil {
		return nil, fmt.Errorf("block %s: %w", hash, ErrNotFound)
	}
	raw, err := decodeBlockRecord(rec)
	if err != nil {
		return nil, fmt.Errorf("block %s: %w", hash, err)
	}
	return bytes.Clone(raw), nil
}

// dbPutFilters caches the filters whose onBest is set, at heights start,
// start+1, ..., and evicts the oldest filters beyond budget. It returns
// errUnchanged when it skipped them all.
func dbPutFilters(tx *bbolt.Tx, start int32, blockHashes []chainhash.Hash, filters [][]byte, onBest []bool, budget int64) error {
	c, err := dbOpenCache(tx, filterCache)
	if err != nil {
		return err
	}
	keys := make([]byte, len(filters)*heightLen)
	stored := 0
	for i, f := range filters {
		if !onBest[i] || filterEntrySize(len(f)) > budget {
			continue
		}
		key := keys[i*heightLen : (i+1)*heightLen : (i+1)*heightLen]
		putHeight(key, start+int32(i))
		if rec := c.records.Get(key); rec != nil {
			if old, _, err := decodeFilterRecord(rec); err == nil && old == blockHashes[i] {
				continue // a block has one filter, and this one is cached
			}
			if err := c.delete(key); err != nil {
				return err
			}
		}
		if err := c.put(key, newFilterRecord(&blockHashes[i], f)); err != nil {
			return err
		}
		stored++
	}
	if stored == 0 && !c.dirty {
		return errUnchanged
	}
	if err := c.evict(budget); err != nil {
		return err
	}
	return c.flush()
}

// dbFetchFilter returns the filter cached at height, copied out of the
// transaction, and the block it was cached for.
func dbFetchFilter(tx *bbolt.Tx, height int32) (chainhash.Hash, []byte, error) {
	records := tx.Bucket(filtersBucket)
	if records == nil {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d: %w", height, ErrNotFound)
	}
	var key [heightLen]byte
	putHeight(key[:], height)
	rec := records.Get(key[:])
	if rec == nil {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d: %w", height, ErrNotFound)
	}
	blockHash, filter, err := decodeFilterRecord(rec)
	if err != nil {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d: %w", height, err)
	}
	return blockHash, bytes.Clone(filter), nil
}

// ---------------------------------------------------------------------------
// Open: validation, initialization and migration
// ---------------------------------------------------------------------------

// loadKind is what kind of file dbLoad found.
type loadKind int

const (
	loadCurrent loadKind = iota // a format 3 file
	loadEmpty                   // a bbolt file with no buckets: initialize it
	loadOld                     // a format 1 or 2 file: migrate it
)

// dbState is what dbLoad found in the file. The records that cannot be
// decoded are flagged, not errors: the store repairs them.
type dbState struct {
	kind loadKind

	tipOK     bool
	tipHeight int32
	tipHash   chainhash.Hash
	tipWork   *big.Int

	filterTipOK bool
	filterTip   filterTip

	// redo holds the headers of a reorganization from height redoFirst
	// on, or nil.
	redoFirst int32
	redo      []byte

	// compact is set when the file still has to be compacted after a
	// migration.
	compact bool
}

// dbIsEmpty reports whether the file holds no buckets at all, as left by a
// process killed between creating the file and storing genesis.
func dbIsEmpty(tx *bbolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

// dbLoad checks that the file is a satchel chain database of the network
// with genesis genesisHash and reads its records.
func dbLoad(tx *bbolt.Tx, path string, genesisHash *chainhash.Hash, network string) (dbState, error) {
	var st dbState
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		if dbIsEmpty(tx) {
			st.kind = loadEmpty
			return st, nil
		}
		return st, notOurs(path, "is not a satchel chain database")
	}
	v := meta.Get(metaVersionKey)
	if len(v) != 4 || binary.BigEndian.Uint32(v) == 0 {
		return st, damaged(path, "has no format version")
	}
	version := binary.BigEndian.Uint32(v)
	if version > dbVersion {
		return st, fmt.Errorf("%w: %s was written by a newer satchel (format %d, this one reads up to %d); upgrade satchel",
			ErrDamaged, path, version, dbVersion)
	}
	g := meta.Get(metaGenesisKey)
	if len(g) != chainhash.HashSize {
		return st, damaged(path, "has no genesis record")
	}
	if !bytes.Equal(g, genesisHash[:]) {
		var stored chainhash.Hash
		copy(stored[:], g)
		return st, fmt.Errorf("%w: %s holds the %s chain, not %s; check --network and --datadir",
			ErrWrongNetwork, path, networkName(&stored), network)
	}
	if version < dbVersion {
		st.kind = loadOld
		return st, nil
	}
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return st, damaged(path, "is missing its %s bucket", name)
		}
	}
	if h, hash, work, err := decodeTip(meta.Get(metaTipKey)); err == nil {
		st.tipOK, st.tipHeight, st.tipHash, st.tipWork = true, h, hash, work
	}
	if ft, err := decodeFilterTip(meta.Get(metaFilterTipKey)); err == nil {
		st.filterTipOK, st.filterTip = true, ft
	}
	if first, raw, err := dbFetchRedo(tx); err == nil {
		st.redoFirst, st.redo = first, raw
	}
	st.compact = meta.Get(metaCompactKey) != nil
	return st, nil
}

// dbCreateBuckets creates the buckets a current file has and records the
// format version and the genesis hash.
func dbCreateBuckets(tx *bbolt.Tx, genesisHash *chainhash.Hash) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(metaBucket)
	version := make([]byte, 4)
	binary.BigEndian.PutUint32(version, dbVersion)
	if err := meta.Put(metaVersionKey, version); err != nil {
		return err
	}
	return meta.Put(metaGenesisKey, bytes.Clone(genesisHash[:]))
}

// dbInit sets up a new file whose chain is the genesis block, which the
// headers file holds already.
func dbInit(tx *bbolt.Tx, genesisHash *chainhash.Hash, work *big.Int) error {
	if err := dbCreateBuckets(tx, genesisHash); err != nil {
		return err
	}
	var ib indexBuilder
	ib.add(0, genesisHash)
	if err := dbPutIndex(tx, &ib); err != nil {
		return err
	}
	w, err := encodeWork(work)
	if err != nil {
		return err
	}
	if err := dbReplaceWork(tx, []workPoint{{0, w}}); err != nil {
		return err
	}
	if err := dbPutTip(tx, 0, genesisHash, work); err != nil {
		return err
	}
	return dbPutFilterTip(tx, noFilterTip)
}

// migrated is what dbMigrate moved to the flat files.
type migrated struct {
	tip   int32
	hash  chainhash.Hash
	work  *big.Int
	ftip  filterTip
	index indexBuilder
	works []workPoint
}

// migrateChunk is how many records a migration writes to a flat file at
// once.
const migrateChunk = 4096

// dbMigrate turns a format 1 or 2 file into format 3 inside tx: it copies
// the longest run of headers from genesis that are stored at consecutive
// heights and link by hash (up to the old tip record), and the filter
// headers that follow them from genesis, to the flat files with
// writeHeaders and writeFilterHeaders; then it deletes the old buckets and
// writes the hash index, the chain work and the tips. The caller syncs the
// flat files before tx commits.
func dbMigrate(tx *bbolt.Tx, path string, genesisHash *chainhash.Hash,
	writeHeaders, writeFilterHeaders func(raw []byte, first int32) error) (*migrated, error) {

	meta := tx.Bucket(metaBucket)
	hb := tx.Bucket(oldHeadersBucket)
	if hb == nil {
		return nil, damaged(path, "is missing its headers bucket")
	}
	last := int32(math.MaxInt32)
	if h, err := decodeHeight(meta.Get(oldTipHeightKey)); err == nil {
		last = h
	}

	m := &migrated{tip: -1, work: new(big.Int)}
	var wc workCalc
	chunk := make([]byte, 0, migrateChunk*headerLen)
	flush := func(write func([]byte, int32) error, recLen, next int32) error {
		if len(chunk) == 0 {
			return nil
		}
		first := next - int32(len(chunk))/recLen
		err := write(chunk, first)
		chunk = chunk[:0]
		return err
	}
	c := hb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		h, err := decodeHeight(k)
		if err != nil || h != m.tip+1 || h > last || len(v) != headerLen+workLen {
			break
		}
		rec := v[:headerLen]
		hash := chainhash.DoubleHashH(rec)
		if h == 0 && hash != *genesisHash {
			return nil, damaged(path, "does not start with the genesis block")
		}
		if h > 0 && !linksTo(rec, &m.hash) {
			break
		}
		m.work.Add(m.work, wc.of(recBits(rec)))
		if h%workInterval == 0 {
			w, err := encodeWork(m.work)
			if err != nil {
				return nil, err
			}
			m.works = append(m.works, workPoint{h, w})
		}
		m.index.add(h, &hash)
		chunk = append(chunk, rec...)
		m.tip, m.hash = h, hash
		if len(chunk) == cap(chunk) {
			if err := flush(writeHeaders, headerLen, h+1); err != nil {
				return nil, err
			}
		}
	}
	if m.tip < 0 {
		return nil, damaged(path, "does not start with the genesis block")
	}
	if err := flush(writeHeaders, headerLen, m.tip+1); err != nil {
		return nil, err
	}

	m.ftip = noFilterTip
	if fb := tx.Bucket(oldFilterHeadersBucket); fb != nil {
		fc := fb.Cursor()
		for k, v := fc.First(); k != nil; k, v = fc.Next() {
			h, err := decodeHeight(k)
			if err != nil || h != m.ftip.height+1 || h > m.tip || len(v) != filterHeaderLen {
				break
			}
			chunk = append(chunk, v...)
			m.ftip.height = h
			copy(m.ftip.header[:], v)
			if len(chunk) == cap(chunk) {
				if err := flush(writeFilterHeaders, filterHeaderLen, h+1); err != nil {
					return nil, err
				}
			}
		}
		if err := flush(writeFilterHeaders, filterHeaderLen, m.ftip.height+1); err != nil {
			return nil, err
		}
	}

	for _, name := range [][]byte{oldHeadersBucket, oldHashIndexBucket, oldFilterHeadersBucket} {
		if tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return nil, err
			}
		}
	}
	if err := meta.Delete(oldTipHeightKey); err != nil {
		return nil, err
	}
	if err := dbCreateBuckets(tx, genesisHash); err != nil {
		return nil, err
	}
	if err := dbPutIndex(tx, &m.index); err != nil {
		return nil, err
	}
	if err := dbReplaceWork(tx, m.works); err != nil {
		return nil, err
	}
	if err := dbPutTip(tx, m.tip, &m.hash, m.work); err != nil {
		return nil, err
	}
	if err := dbPutFilterTip(tx, m.ftip); err != nil {
		return nil, err
	}
	if err := meta.Put(metaCompactKey, []byte{1}); err != nil {
		return nil, err
	}
	return m, nil
}

// cacheCheck is what the caches need at Open.
type cacheCheck struct {
	stale      bool // filters are cached above the header tip
	overBudget bool // a cache holds more than its budget
}

// dbCheckCaches checks the caches against the header tip and the budgets.
func dbCheckCaches(tx *bbolt.Tx, tip int32, filterBudget, blockBudget int64) cacheCheck {
	var cs cacheCheck
	cs.overBudget = dbCacheTotal(tx, filterCache) > filterBudget || dbCacheTotal(tx, blockCache) > blockBudget
	if records := tx.Bucket(filtersBucket); records != nil {
		var key [heightLen]byte
		putHeight(key[:], tip+1)
		if k, _ := records.Cursor().Seek(key[:]); k != nil {
			cs.stale = true
		}
	}
	return cs
}

// dbFixCaches deletes cached filters above the tip and evicts from caches
// over budget.
func dbFixCaches(tx *bbolt.Tx, tip int32, filterBudget, blockBudget int64) error {
	if err := dbDeleteFiltersAbove(tx, tip); err != nil {
		return err
	}
	if err := dbTrimCache(tx, filterCache, filterBudget); err != nil {
		return err
	}
	return dbTrimCache(tx, blockCache, blockBudget)
}

// putBlock caches a raw block in one transaction.
func (d *chainDB) putBlock(hash *chainhash.Hash, raw []byte, budget int64) error {
	err := d.update(func(tx *bbolt.Tx) error {
		return dbPutBlock(tx, hash, raw, budget)
	})
	switch {
	case err == nil, errors.Is(err, errUnchanged):
		return nil
	case errors.Is(err, ErrReadOnly):
		return err
	}
	return fmt.Errorf("put block %s: %w", hash, d.corrupt(err))
}

// fetchCachedBlockHashes returns the hashes of the cached blocks, the one
// inserted last first.
func (d *chainDB) fetchCachedBlockHashes() ([]chainhash.Hash, error) {
	var hashes []chainhash.Hash
	err := d.view(func(tx *bbolt.Tx) error {
		seqs := tx.Bucket(blockSeqBucket)
		if seqs == nil {
			return nil
		}
		c := seqs.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if len(v) != chainhash.HashSize {
				return fmt.Errorf("block cache entry %x names no block", k)
			}
			var h chainhash.Hash
			copy(h[:], v)
			hashes = append(hashes, h)
		}
		return nil
	})
	if err != nil {
		return nil, d.corrupt(err)
	}
	return hashes, nil
}

// fetchBlock reads the raw block cached under hash.
func (d *chainDB) fetchBlock(hash *chainhash.Hash) ([]byte, error) {
	var raw []byte
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		raw, err = dbFetchBlock(tx, hash)
		return err
	})
	if err != nil {
		return nil, d.corrupt(err)
	}
	return raw, nil
}

// putBan stores b and deletes expired bans.
func (d *chainDB) putBan(b Ban, now time.Time) error {
	return d.update(func(tx *bbolt.Tx) error {
		return dbPutBan(tx, b, now)
	})
}

// deleteBan deletes the ban of key.
func (d *chainDB) deleteBan(key string) error {
	return d.update(func(tx *bbolt.Tx) error {
		return dbDeleteBan(tx, key)
	})
}

// fetchBan returns the ban of key, expired or not.
func (d *chainDB) fetchBan(key string) (Ban, error) {
	var b Ban
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		b, err = dbFetchBan(tx, key)
		return err
	})
	return b, err
}

// fetchBans returns the unexpired bans and the number of expired ones.
func (d *chainDB) fetchBans(now time.Time) ([]Ban, int, error) {
	var (
		bans    []Ban
		expired int
	)
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		bans, expired, err = dbFetchBans(tx, now)
		return err
	})
	if bans == nil && err == nil {
		bans = []Ban{}
	}
	return bans, expired, err
}

// deleteExpiredBans deletes the bans that expired by now.
func (d *chainDB) deleteExpiredBans(now time.Time) error {
	return d.update(func(tx *bbolt.Tx) error {
		return dbDeleteExpiredBans(tx, now)
	})
}

// ---------------------------------------------------------------------------
// Operations used by boltStore
// ---------------------------------------------------------------------------

// corrupt turns an error found while reading the file into ErrDamaged, and
// passes ErrNotFound and errors that already say what is wrong.
func (d *chainDB) corrupt(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrDamaged) ||
		errors.Is(err, berrors.ErrDatabaseNotOpen) || errors.Is(err, ErrReadOnly) {
		return err
	}
	return damaged(d.path, "is corrupt (%v)", err)
}

// state reads what Open needs to know about the file.
func (d *chainDB) state(genesisHash *chainhash.Hash, network string) (dbState, error) {
	var st dbState
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		st, err = dbLoad(tx, d.path, genesisHash, network)
		return err
	})
	return st, err
}

// initialize sets up a new file holding the genesis block.
func (d *chainDB) initialize(genesisHash *chainhash.Hash, work *big.Int) error {
	err := d.update(func(tx *bbolt.Tx) error {
		return dbInit(tx, genesisHash, work)
	})
	if err != nil {
		return fmt.Errorf("initialize %s: %w", d.path, err)
	}
	return nil
}

// migrate turns a format 1 or 2 file into format 3 in one transaction; see
// dbMigrate. sync runs before the commit.
func (d *chainDB) migrate(genesisHash *chainhash.Hash, writeHeaders, writeFilterHeaders func([]byte, int32) error,
	sync func() error) (*migrated, error) {

	var m *migrated
	err := d.update(func(tx *bbolt.Tx) error {
		var err error
		if m, err = dbMigrate(tx, d.path, genesisHash, writeHeaders, writeFilterHeaders); err != nil {
			return err
		}
		return sync()
	})
	if err != nil {
		return nil, fmt.Errorf("migrate %s to format %d: %w", d.path, dbVersion, d.corrupt(err))
	}
	return m, nil
}

// connectCommit is what one Connect changes in chain.db.
type connectCommit struct {
	from    int32            // height of the first new header
	oldTop  int32            // the tip before
	hashes  []chainhash.Hash // of the new headers
	works   []workPoint      // at the multiples of workInterval among them
	tipHash chainhash.Hash
	tipWork *big.Int

	// reorg is set when the new headers replace committed ones: raw goes
	// into the redo record, the filter tip drops to ftip and the cached
	// filters from height from on are deleted.
	reorg bool
	raw   []byte
	ftip  filterTip
}

// commitConnect commits a Connect in one transaction.
func (d *chainDB) commitConnect(c *connectCommit) error {
	err := d.update(func(tx *bbolt.Tx) error {
		var err error
		top := c.from + int32(len(c.hashes)) - 1
		if d.entries, err = dbIndexReplace(tx, c.from, c.oldTop, c.hashes, d.entries); err != nil {
			return err
		}
		if err := dbPutWork(tx, c.works, top); err != nil {
			return err
		}
		if err := dbPutTip(tx, top, &c.tipHash, c.tipWork); err != nil {
			return err
		}
		if !c.reorg {
			return dbDeleteRedo(tx)
		}
		if err := dbPutRedo(tx, c.from, c.raw); err != nil {
			return err
		}
		if err := dbPutFilterTip(tx, c.ftip); err != nil {
			return err
		}
		return dbDeleteFiltersAbove(tx, c.from-1)
	})
	if err != nil {
		return fmt.Errorf("connect headers %d..%d: %w", c.from, c.from+int32(len(c.hashes))-1, d.corrupt(err))
	}
	return nil
}

// commitFilterTip records a new filter tip.
func (d *chainDB) commitFilterTip(ft filterTip) error {
	err := d.update(func(tx *bbolt.Tx) error {
		return dbPutFilterTip(tx, ft)
	})
	if err != nil {
		return fmt.Errorf("put filter headers up to %d: %w", ft.height, d.corrupt(err))
	}
	return nil
}

// deleteRedo deletes the redo record after it has been applied.
func (d *chainDB) deleteRedo() error {
	return d.corrupt(d.update(dbDeleteRedo))
}

// findHeight looks a hash prefix up in the hash index; see dbIndexFind.
func (d *chainDB) findHeight(prefix uint32, maxHeight int32, match func(int32) (bool, error)) (int32, bool, error) {
	var (
		height int32
		found  bool
	)
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		height, found, err = dbIndexFind(tx, prefix, maxHeight, match)
		return err
	})
	return height, found, d.corrupt(err)
}

// work returns the chain work record at or below height.
func (d *chainDB) work(height int32) (int32, *big.Int, error) {
	var (
		at   int32
		work *big.Int
	)
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		at, work, err = dbFetchWork(tx, height)
		return err
	})
	return at, work, d.corrupt(err)
}

// indexValue returns a copy of the hash index value of an epoch, or nil.
func (d *chainDB) indexValue(epoch int32) ([]byte, error) {
	var v []byte
	err := d.view(func(tx *bbolt.Tx) error {
		v = bytes.Clone(dbIndexValue(tx, epoch))
		return nil
	})
	return v, d.corrupt(err)
}

// rebuilt is the chain a repair found in the headers file.
type rebuilt struct {
	tip     int32
	tipHash chainhash.Hash
	tipWork *big.Int
	ftip    filterTip
	index   indexBuilder
	works   []workPoint
}

// rebuild replaces the index, the chain work and the tips by what a repair
// found, deletes the redo record and the cached filters above the tip.
func (d *chainDB) rebuild(r *rebuilt) error {
	err := d.update(func(tx *bbolt.Tx) error {
		if err := dbPutIndex(tx, &r.index); err != nil {
			return err
		}
		if err := dbReplaceWork(tx, r.works); err != nil {
			return err
		}
		if err := dbPutTip(tx, r.tip, &r.tipHash, r.tipWork); err != nil {
			return err
		}
		if err := dbPutFilterTip(tx, r.ftip); err != nil {
			return err
		}
		if err := dbDeleteRedo(tx); err != nil {
			return err
		}
		return dbDeleteFiltersAbove(tx, r.tip)
	})
	if err != nil {
		return fmt.Errorf("repair %s: %w", d.path, d.corrupt(err))
	}
	return nil
}

// checkCaches reports whether the caches need fixCaches.
func (d *chainDB) checkCaches(tip int32, filterBudget, blockBudget int64) (cacheCheck, error) {
	var cs cacheCheck
	err := d.view(func(tx *bbolt.Tx) error {
		cs = dbCheckCaches(tx, tip, filterBudget, blockBudget)
		return nil
	})
	return cs, d.corrupt(err)
}

// fixCaches deletes cached filters above tip and trims the caches to their
// budgets.
func (d *chainDB) fixCaches(tip int32, filterBudget, blockBudget int64) error {
	err := d.update(func(tx *bbolt.Tx) error {
		return dbFixCaches(tx, tip, filterBudget, blockBudget)
	})
	if err != nil {
		return fmt.Errorf("trim the caches of %s: %w", d.path, d.corrupt(err))
	}
	return nil
}

// indexCount returns the number of hash index entries.
func (d *chainDB) indexCount() (int, error) {
	var n int
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		n, err = dbIndexCount(tx)
		return err
	})
	return n, err
}

// putFilters caches filters in one transaction.
func (d *chainDB) putFilters(start int32, blockHashes []chainhash.Hash, filters [][]byte, onBest []bool, budget int64) error {
	err := d.update(func(tx *bbolt.Tx) error {
		return dbPutFilters(tx, start, blockHashes, filters, onBest, budget)
	})
	switch {
	case err == nil, errors.Is(err, errUnchanged):
		return nil
	case errors.Is(err, ErrReadOnly):
		return err
	}
	return fmt.Errorf("put filters %d..%d: %w", start, start+int32(len(filters))-1, d.corrupt(err))
}

// fetchFilter reads the filter cached at height and the block it is for.
func (d *chainDB) fetchFilter(height int32) (chainhash.Hash, []byte, error) {
	var (
		blockHash chainhash.Hash
		filter    []byte
	)
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		blockHash, filter, err = dbFetchFilter(tx, height)
		return err
	})
	if err != nil {
		return chainhash.Hash{}, nil, d.corrupt(err)
	}
	return blockHash, filter, nil
}

// compactSuffix names the file a compaction writes before it replaces
// chain.db.
const compactSuffix = ".compact"

// compact rewrites chain.db without its free pages, which a migration
// leaves behind by the hundreds of megabytes, and reopens it. The caller
// holds the flat files' locks, which keep other satchel processes out while
// chain.db is briefly unlocked.
func (d *chainDB) compact(timeout time.Duration) error {
	tmp := d.path + compactSuffix
	_ = os.Remove(tmp)
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("compact %s: %w", d.path, err)
	}
	err = bbolt.Compact(dst, d.bdb, 64<<20)
	if err == nil {
		err = dst.Update(func(tx *bbolt.Tx) error {
			return tx.Bucket(metaBucket).Delete(metaCompactKey)
		})
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("compact %s: %w", d.path, err)
	}
	if err := d.bdb.Close(); err != nil {
		return err
	}
	renameErr := os.Rename(tmp, d.path)
	if renameErr == nil {
		if dir, err := os.Open(filepath.Dir(d.path)); err == nil {
			_ = dir.Sync()
			_ = dir.Close()
		}
	}
	bdb, err := openBolt(d.path, &bbolt.Options{Timeout: timeout, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return err
	}
	d.bdb = bdb
	if renameErr != nil {
		return fmt.Errorf("compact %s: %w", d.path, renameErr)
	}
	return nil
}
