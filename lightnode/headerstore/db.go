package headerstore

// All bbolt access of the package lives in this file.
//
// Layout of chain.db (all integers big-endian, fixed width):
//
//	headers        height (4 bytes) -> header (80 bytes, wire serialization) || cumulative work (32 bytes)
//	hashindex      height/hashIndexEpoch (4 bytes) || block hash (32 bytes, internal byte order) -> height (4 bytes)
//	meta           "version" -> format version (4 bytes)
//	               "genesis" -> genesis block hash (32 bytes)
//	               "tipheight" -> height of the tip (4 bytes)
//	               "filterbytes" -> bytes held by the filter cache (8 bytes)
//	               "blockbytes" -> bytes held by the block cache (8 bytes)
//	bans           key (UTF-8) -> until Unix seconds (8 bytes, signed) || nanoseconds (4 bytes) || reason (UTF-8)
//	filterheaders  height (4 bytes) -> BIP157 basic filter header (32 bytes)
//	filters        height (4 bytes) -> sequence (8 bytes) || block hash (32 bytes) || BIP158 basic filter
//	filterseq      sequence (8 bytes) -> height (4 bytes)
//	blocks         block hash (32 bytes) -> sequence (8 bytes) || raw block (wire serialization with witnesses)
//	blockseq       sequence (8 bytes) -> block hash (32 bytes)
//
// Heights are never negative, so their unsigned big-endian keys sort in height
// order and the headers and filterheaders buckets are appended to
// sequentially. There is no filter tip record: the last key of filterheaders
// is the filter tip, and Connect deletes the filter headers above its fork in
// the same transaction as the headers.
//
// The two caches record, with each entry, the insertion sequence number under
// which the seq bucket points back at it; the oldest entry is the first key of
// the seq bucket, and the next number is one more than the last key. Each
// cache keeps a running total of its bytes (keys and values of both buckets)
// in meta, updated in the transaction that inserts or deletes, which evicts
// from the oldest entry until the total fits the budget.
//
// Format version 1 had no filter or cache buckets; a writable Open adds them
// and records version 2, so that an older satchel, which would not delete
// filter headers on a reorganization, refuses the file.
//
// The hash index keys start with the epoch of the block's height (height /
// hashIndexEpoch), so that a batch of new headers lands in the few pages of
// the newest epoch. Keyed by hash alone, each batch of 2,000 headers would
// dirty about 2,000 random index pages, and a Connect would cost 30-60 ms
// instead of about 5 (see BenchmarkConnect). A lookup by hash probes the
// epochs from the newest down: a recent block is found at once, an old or
// unknown one costs one B+tree descent per epoch (220 on mainnet, about
// 0.3 ms).

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
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names and meta keys.
var (
	headersBucket   = []byte("headers")
	hashIndexBucket = []byte("hashindex")
	metaBucket      = []byte("meta")
	bansBucket      = []byte("bans")

	filterHeadersBucket = []byte("filterheaders")
	filtersBucket       = []byte("filters")
	filterSeqBucket     = []byte("filterseq")
	blocksBucket        = []byte("blocks")
	blockSeqBucket      = []byte("blockseq")

	metaVersionKey     = []byte("version")
	metaGenesisKey     = []byte("genesis")
	metaTipHeightKey   = []byte("tipheight")
	metaFilterBytesKey = []byte("filterbytes")
	metaBlockBytesKey  = []byte("blockbytes")

	// allBuckets are the buckets of a current file, in creation order.
	allBuckets = [][]byte{headersBucket, hashIndexBucket, metaBucket, bansBucket,
		filterHeadersBucket, filtersBucket, filterSeqBucket, blocksBucket, blockSeqBucket}
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
	// Filters arrive mostly in ascending height order, so their pages,
	// like those of the headers, are appended to and can be packed full
	// (about 15% faster than half full for 500-byte filters).
	filterCache = cacheBuckets{filtersBucket, filterSeqBucket, metaFilterBytesKey, headersFillPercent}

	// Blocks are keyed by hash, which lands anywhere: bbolt's default.
	blockCache = cacheBuckets{blocksBucket, blockSeqBucket, metaBlockBytesKey, bbolt.DefaultFillPercent}
)

const (
	// dbVersion is the format version written to new files. Files with a
	// higher version come from a newer satchel and are refused; version 1
	// files lack the filter and cache buckets and are upgraded.
	dbVersion uint32 = 2

	heightLen       = 4
	indexKeyLen     = heightLen + chainhash.HashSize
	headerLen       = wire.MaxBlockHeaderPayload // 80
	workLen         = 32
	headerRecordLen = headerLen + workLen
	banTimeLen      = 12
	filterHeaderLen = chainhash.HashSize
	seqLen          = 8
	totalLen        = 8

	// filterRecordHdrLen is what a filters record holds before the filter:
	// the sequence and the block hash.
	filterRecordHdrLen = seqLen + chainhash.HashSize

	// maxBanKeyLen is the longest ban key bbolt can store.
	maxBanKeyLen = bbolt.MaxKeySize

	// hashIndexEpoch is the number of consecutive heights whose hash index
	// entries share a key prefix: small enough that the newest epoch spans
	// at most about a hundred pages, large enough that a lookup of an old
	// hash probes no more than a few hundred epochs.
	hashIndexEpoch = 4096

	// headersFillPercent packs the append-only headers bucket full: its
	// pages are split only at the end, so half-empty pages would stay so.
	// The same holds for filterheaders and the two seq buckets.
	headersFillPercent = 1.0
)

// chainDB is the bbolt database behind a boltStore.
type chainDB struct {
	bdb      *bbolt.DB
	path     string
	readOnly bool
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

// putIndexKey writes the hash index key of the block with the given height
// and hash into dst, which must be indexKeyLen bytes long.
func putIndexKey(dst []byte, height int32, hash *chainhash.Hash) {
	putHeight(dst, height/hashIndexEpoch)
	copy(dst[heightLen:], hash[:])
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

// fixedWriter is an io.Writer into a fixed slice, so that a header can be
// serialized in place.
type fixedWriter struct {
	buf []byte
	n   int
}

// Write appends p, failing once the slice is full.
func (w *fixedWriter) Write(p []byte) (int, error) {
	if len(p) > len(w.buf)-w.n {
		return 0, io.ErrShortWrite
	}
	w.n += copy(w.buf[w.n:], p)
	return len(p), nil
}

// encodeHeaderRecord writes hdr and work into dst, which must be
// headerRecordLen bytes long. w is scratch space, to avoid an allocation per
// header.
func encodeHeaderRecord(dst []byte, hdr *wire.BlockHeader, work *big.Int, w *fixedWriter) error {
	if work == nil || work.Sign() < 0 || work.BitLen() > workLen*8 {
		return errors.New("chain work does not fit in 32 bytes")
	}
	*w = fixedWriter{buf: dst[:headerLen]}
	if err := hdr.Serialize(w); err != nil {
		return err
	}
	if w.n != headerLen {
		return fmt.Errorf("header serialized to %d bytes, want %d", w.n, headerLen)
	}
	work.FillBytes(dst[headerLen:headerRecordLen])
	return nil
}

// decodeHeaderRecord fills sh (all but Height) from a stored header record.
// r is scratch space, to avoid an allocation per header.
func decodeHeaderRecord(rec []byte, sh *StoredHeader, r *bytes.Reader) error {
	if len(rec) != headerRecordLen {
		return fmt.Errorf("header record has %d bytes, want %d", len(rec), headerRecordLen)
	}
	r.Reset(rec[:headerLen])
	if err := sh.Header.Deserialize(r); err != nil {
		return err
	}
	sh.Hash = chainhash.DoubleHashH(rec[:headerLen])
	if sh.Work == nil {
		sh.Work = new(big.Int)
	}
	sh.Work.SetBytes(rec[headerLen:headerRecordLen])
	return nil
}

// recordHash returns the block hash of a stored header record: the double
// SHA-256 of its first 80 bytes, which are the header's wire serialization.
func recordHash(rec []byte) chainhash.Hash {
	return chainhash.DoubleHashH(rec[:headerLen])
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

// dbBuckets returns the three chain buckets, or an error when one is missing.
func dbBuckets(tx *bbolt.Tx) (headers, index, meta *bbolt.Bucket, err error) {
	headers = tx.Bucket(headersBucket)
	index = tx.Bucket(hashIndexBucket)
	meta = tx.Bucket(metaBucket)
	if headers == nil || index == nil || meta == nil {
		return nil, nil, nil, errors.New("a bucket is missing")
	}
	return headers, index, meta, nil
}

// dbFetchTipHeight returns the height recorded as the tip.
func dbFetchTipHeight(tx *bbolt.Tx) (int32, error) {
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		return 0, errors.New("meta bucket is missing")
	}
	return decodeHeight(meta.Get(metaTipHeightKey))
}

// dbPutTipHeight records height as the tip.
func dbPutTipHeight(tx *bbolt.Tx, height int32) error {
	v := make([]byte, heightLen)
	putHeight(v, height)
	return tx.Bucket(metaBucket).Put(metaTipHeightKey, v)
}

// dbFetchHeaderRecord returns the raw record stored at height, valid until
// the transaction ends or the bucket changes, or nil.
func dbFetchHeaderRecord(headers *bbolt.Bucket, height int32) []byte {
	var k [heightLen]byte
	putHeight(k[:], height)
	return headers.Get(k[:])
}

// dbFetchHeader decodes the header stored at height into sh.
func dbFetchHeader(tx *bbolt.Tx, height int32, sh *StoredHeader) error {
	headers := tx.Bucket(headersBucket)
	if headers == nil {
		return errors.New("headers bucket is missing")
	}
	rec := dbFetchHeaderRecord(headers, height)
	if rec == nil {
		// Above the tip (after a concurrent reorg to a shorter chain) it is
		// just not there; below the tip the file has a hole.
		if tip, err := dbFetchTipHeight(tx); err == nil && height <= tip {
			return fmt.Errorf("header at height %d is missing below the tip %d", height, tip)
		}
		return fmt.Errorf("header at height %d: %w", height, ErrNotFound)
	}
	var r bytes.Reader
	if err := decodeHeaderRecord(rec, sh, &r); err != nil {
		return fmt.Errorf("header at height %d: %w", height, err)
	}
	sh.Height = height
	return nil
}

// dbFetchHeight returns the height of the block with the given hash from the
// hash index, probing the epochs from the one of height tip down to genesis.
func dbFetchHeight(tx *bbolt.Tx, hash *chainhash.Hash, tip int32) (int32, error) {
	index := tx.Bucket(hashIndexBucket)
	if index == nil {
		return 0, errors.New("hashindex bucket is missing")
	}
	var key [indexKeyLen]byte
	putIndexKey(key[:], tip, hash)
	c := index.Cursor()
	for epoch := tip / hashIndexEpoch; epoch >= 0; epoch-- {
		putHeight(key[:], epoch)
		if k, v := c.Seek(key[:]); bytes.Equal(k, key[:]) {
			return decodeHeight(v)
		}
	}
	return 0, fmt.Errorf("header %s: %w", hash, ErrNotFound)
}

// dbInit creates the buckets of a new file and stores the genesis header.
func dbInit(tx *bbolt.Tx, genesis *wire.BlockHeader, genesisHash *chainhash.Hash) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	_, _, meta, err := dbBuckets(tx)
	if err != nil {
		return err
	}
	version := make([]byte, 4)
	binary.BigEndian.PutUint32(version, dbVersion)
	if err := meta.Put(metaVersionKey, version); err != nil {
		return err
	}
	if err := meta.Put(metaGenesisKey, bytes.Clone(genesisHash[:])); err != nil {
		return err
	}
	return dbPutHeaders(tx, 0, []StoredHeader{{
		Header: *genesis,
		Hash:   *genesisHash,
		Height: 0,
		Work:   blockchain.CalcWork(genesis.Bits),
	}})
}

// dbPutHeaders stores headers at heights first, first+1, ..., adds them to
// the hash index, and records the last one as the tip. It does not delete
// anything. All values live in one allocation, which bbolt needs to stay
// valid until the transaction commits.
func dbPutHeaders(tx *bbolt.Tx, first int32, headers []StoredHeader) error {
	hb, ib, _, err := dbBuckets(tx)
	if err != nil {
		return err
	}
	hb.FillPercent = headersFillPercent

	n := len(headers)
	slab := make([]byte, n*(headerRecordLen+heightLen+indexKeyLen))
	recs, rest := slab[:n*headerRecordLen], slab[n*headerRecordLen:]
	heights, ikeys := rest[:n*heightLen], rest[n*heightLen:]
	var w fixedWriter
	var key [heightLen]byte
	for i := range headers {
		h := &headers[i]
		height := first + int32(i)
		rec := recs[i*headerRecordLen : (i+1)*headerRecordLen : (i+1)*headerRecordLen]
		if err := encodeHeaderRecord(rec, &h.Header, h.Work, &w); err != nil {
			return fmt.Errorf("header %d: %w", height, err)
		}
		putHeight(key[:], height)
		if err := hb.Put(key[:], rec); err != nil {
			return err
		}
		putHeight(heights[i*heightLen:], height)
		putIndexKey(ikeys[i*indexKeyLen:], height, &h.Hash)
	}

	for i := 0; i < n; i++ {
		if err := ib.Put(ikeys[i*indexKeyLen:(i+1)*indexKeyLen], heights[i*heightLen:(i+1)*heightLen:(i+1)*heightLen]); err != nil {
			return err
		}
	}
	return dbPutTipHeight(tx, first+int32(n)-1)
}

// dbDeleteAbove deletes the headers at heights fork+1 through tip and their
// hash index entries.
func dbDeleteAbove(tx *bbolt.Tx, fork, tip int32) error {
	hb, ib, _, err := dbBuckets(tx)
	if err != nil {
		return err
	}
	var key [heightLen]byte
	var ikey [indexKeyLen]byte
	for h := tip; h > fork; h-- {
		putHeight(key[:], h)
		if rec := hb.Get(key[:]); len(rec) >= headerLen {
			hash := recordHash(rec)
			putIndexKey(ikey[:], h, &hash)
			if err := ib.Delete(ikey[:]); err != nil {
				return err
			}
		}
		if err := hb.Delete(key[:]); err != nil {
			return err
		}
	}
	return nil
}

// dbConnect replaces the chain above fork by headers, after checking inside
// the transaction that they chain onto the stored header at fork and that
// the tip is still oldTip.
func dbConnect(tx *bbolt.Tx, fork, oldTip int32, headers []StoredHeader) error {
	hb, _, _, err := dbBuckets(tx)
	if err != nil {
		return err
	}
	tip, err := dbFetchTipHeight(tx)
	if err != nil {
		return fmt.Errorf("tip record: %w", err)
	}
	if tip != oldTip {
		return fmt.Errorf("tip record says %d, expected %d", tip, oldTip)
	}
	forkRec := dbFetchHeaderRecord(hb, fork)
	if len(forkRec) != headerRecordLen {
		return fmt.Errorf("header record at fork height %d is missing", fork)
	}
	if forkHash := recordHash(forkRec); headers[0].Header.PrevBlock != forkHash {
		return fmt.Errorf("%w: header %d (%s) does not build on header %d (%s)",
			ErrNotChained, headers[0].Height, headers[0].Hash, fork, forkHash)
	}
	var forkWork big.Int
	forkWork.SetBytes(forkRec[headerLen:])
	if headers[0].Work.Cmp(&forkWork) < 0 {
		return fmt.Errorf("%w: header %d has less chain work than header %d",
			ErrNotChained, headers[0].Height, fork)
	}
	if err := dbDeleteAbove(tx, fork, oldTip); err != nil {
		return err
	}
	if err := dbDeleteFilterHeadersAbove(tx, fork); err != nil {
		return err
	}
	if err := dbDeleteFiltersAbove(tx, fork); err != nil {
		return err
	}
	return dbPutHeaders(tx, fork+1, headers)
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

// ---------------------------------------------------------------------------
// Filter headers, filters and blocks inside a transaction
// ---------------------------------------------------------------------------

// dbFetchFilterTip returns the last stored filter header and its height, or
// noFilterTip when none is stored or the file predates filter headers.
func dbFetchFilterTip(tx *bbolt.Tx) (filterTip, error) {
	fb := tx.Bucket(filterHeadersBucket)
	if fb == nil {
		return noFilterTip, nil
	}
	k, v := fb.Cursor().Last()
	if k == nil {
		return noFilterTip, nil
	}
	h, err := decodeHeight(k)
	if err != nil {
		return noFilterTip, fmt.Errorf("last filter header key: %w", err)
	}
	if len(v) != filterHeaderLen {
		return noFilterTip, fmt.Errorf("filter header at height %d has %d bytes", h, len(v))
	}
	ft := filterTip{height: h}
	copy(ft.header[:], v)
	return ft, nil
}

// dbCheckBestChain checks that blockHashes are the hashes of the best-chain
// headers at heights start, start+1, ...
func dbCheckBestChain(tx *bbolt.Tx, start int32, blockHashes []chainhash.Hash) error {
	hb := tx.Bucket(headersBucket)
	if hb == nil {
		return errors.New("headers bucket is missing")
	}
	var key [heightLen]byte
	putHeight(key[:], start)
	c := hb.Cursor()
	k, v := c.Seek(key[:])
	for i := range blockHashes {
		h := start + int32(i)
		putHeight(key[:], h)
		if !bytes.Equal(k, key[:]) || len(v) != headerRecordLen {
			return fmt.Errorf("header at height %d is missing below the tip", h)
		}
		if stored := recordHash(v); stored != blockHashes[i] {
			return fmt.Errorf("%w: block %s is not the best chain's block %s at height %d",
				ErrNotChained, blockHashes[i], stored, h)
		}
		k, v = c.Next()
	}
	return nil
}

// dbPutFilterHeaders appends filter headers at heights start, start+1, ...
// after checking inside the transaction that they continue the stored
// filter-header chain, stay at or below the tip, and belong to the
// best-chain blocks blockHashes. It returns the new filter tip.
func dbPutFilterHeaders(tx *bbolt.Tx, start int32, blockHashes, headers []chainhash.Hash) (filterTip, error) {
	fb := tx.Bucket(filterHeadersBucket)
	if fb == nil {
		return noFilterTip, errors.New("filterheaders bucket is missing")
	}
	tip, err := dbFetchTipHeight(tx)
	if err != nil {
		return noFilterTip, fmt.Errorf("tip record: %w", err)
	}
	ftip, err := dbFetchFilterTip(tx)
	if err != nil {
		return noFilterTip, err
	}
	n := len(headers)
	last := start + int32(n) - 1
	switch {
	case start != ftip.height+1:
		return noFilterTip, fmt.Errorf("%w: filter headers %d..%d do not continue the stored filter headers, which end at %d",
			ErrNotChained, start, last, ftip.height)
	case last > tip:
		return noFilterTip, fmt.Errorf("%w: filter headers %d..%d go beyond the header tip %d",
			ErrNotChained, start, last, tip)
	}
	if err := dbCheckBestChain(tx, start, blockHashes); err != nil {
		return noFilterTip, err
	}

	fb.FillPercent = headersFillPercent
	slab := make([]byte, n*(heightLen+filterHeaderLen))
	keys, values := slab[:n*heightLen], slab[n*heightLen:]
	for i := range headers {
		k := keys[i*heightLen : (i+1)*heightLen : (i+1)*heightLen]
		v := values[i*filterHeaderLen : (i+1)*filterHeaderLen : (i+1)*filterHeaderLen]
		putHeight(k, start+int32(i))
		copy(v, headers[i][:])
		if err := fb.Put(k, v); err != nil {
			return noFilterTip, err
		}
	}
	return filterTip{height: last, header: headers[n-1]}, nil
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

// dbDeleteFilterHeadersAbove deletes the filter headers above height fork.
func dbDeleteFilterHeadersAbove(tx *bbolt.Tx, fork int32) error {
	fb := tx.Bucket(filterHeadersBucket)
	if fb == nil {
		return errors.New("filterheaders bucket is missing")
	}
	var key [heightLen]byte
	putHeight(key[:], fork+1)
	for _, k := range dbKeysFrom(fb, key[:]) {
		if err := fb.Delete(k); err != nil {
			return err
		}
	}
	return nil
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
	c.seqs.FillPercent = headersFillPercent
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

// dbPutFilters caches the filters of the best-chain blocks among
// blockHashes, at heights start, start+1, ..., and evicts the oldest
// filters beyond budget. It returns errUnchanged when it skipped them all.
func dbPutFilters(tx *bbolt.Tx, start int32, blockHashes []chainhash.Hash, filters [][]byte, budget int64) error {
	hb := tx.Bucket(headersBucket)
	if hb == nil {
		return errors.New("headers bucket is missing")
	}
	tip, err := dbFetchTipHeight(tx)
	if err != nil {
		return fmt.Errorf("tip record: %w", err)
	}
	c, err := dbOpenCache(tx, filterCache)
	if err != nil {
		return err
	}
	keys := make([]byte, len(filters)*heightLen)
	hc := hb.Cursor()
	var hkey [heightLen]byte
	putHeight(hkey[:], start)
	hk, hv := hc.Seek(hkey[:])
	stored := 0
	for i, f := range filters {
		h := start + int32(i)
		if h > tip {
			break
		}
		putHeight(hkey[:], h)
		onBest := bytes.Equal(hk, hkey[:]) && len(hv) == headerRecordLen && recordHash(hv) == blockHashes[i]
		hk, hv = hc.Next()
		if !onBest || filterEntrySize(len(f)) > budget {
			continue
		}
		key := keys[i*heightLen : (i+1)*heightLen : (i+1)*heightLen]
		copy(key, hkey[:])
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

// dbFetchFilter returns the filter cached at height and its block hash if
// that block is the best chain's at height, with the filter copied out of
// the transaction.
func dbFetchFilter(tx *bbolt.Tx, height, tip int32) (chainhash.Hash, []byte, error) {
	records := tx.Bucket(filtersBucket)
	if records == nil || height > tip {
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
	hb := tx.Bucket(headersBucket)
	if hb == nil {
		return chainhash.Hash{}, nil, errors.New("headers bucket is missing")
	}
	if hrec := dbFetchHeaderRecord(hb, height); len(hrec) != headerRecordLen || recordHash(hrec) != blockHash {
		return chainhash.Hash{}, nil, fmt.Errorf("filter at height %d is for block %s, not on the best chain: %w",
			height, blockHash, ErrNotFound)
	}
	return blockHash, bytes.Clone(filter), nil
}

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

// ---------------------------------------------------------------------------
// Open: validation and repair
// ---------------------------------------------------------------------------

// loadState is what dbCheck found in the file.
type loadState int

const (
	loadOK           loadState = iota // the tip record matches the headers
	loadEmpty                         // a bbolt file with no buckets: initialize it
	loadInconsistent                  // the tip record and headers disagree: repair
)

// dbIsEmpty reports whether the file holds no buckets at all, as left by a
// process killed between creating the file and storing genesis.
func dbIsEmpty(tx *bbolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}

// dbCheck checks that the file is a satchel chain database of the network
// with genesis genesisHash and returns its tip, unless the tip needs a
// repair or the file needs initializing.
func dbCheck(tx *bbolt.Tx, path string, genesisHash *chainhash.Hash, network string) (loadState, Tip, error) {
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		if dbIsEmpty(tx) {
			return loadEmpty, Tip{}, nil
		}
		return 0, Tip{}, notOurs(path, "is not a satchel chain database")
	}
	v := meta.Get(metaVersionKey)
	if len(v) != 4 || binary.BigEndian.Uint32(v) == 0 {
		return 0, Tip{}, damaged(path, "has no format version")
	}
	if version := binary.BigEndian.Uint32(v); version > dbVersion {
		return 0, Tip{}, fmt.Errorf("%w: %s was written by a newer satchel (format %d, this one reads up to %d); upgrade satchel",
			ErrDamaged, path, version, dbVersion)
	}
	g := meta.Get(metaGenesisKey)
	if len(g) != chainhash.HashSize {
		return 0, Tip{}, damaged(path, "has no genesis record")
	}
	if !bytes.Equal(g, genesisHash[:]) {
		var stored chainhash.Hash
		copy(stored[:], g)
		return 0, Tip{}, fmt.Errorf("%w: %s holds the %s chain, not %s; check --network and --datadir",
			ErrWrongNetwork, path, networkName(&stored), network)
	}
	hb, ib, _, err := dbBuckets(tx)
	if err != nil || tx.Bucket(bansBucket) == nil {
		return 0, Tip{}, damaged(path, "is missing a bucket")
	}
	if rec := dbFetchHeaderRecord(hb, 0); len(rec) != headerRecordLen || recordHash(rec) != *genesisHash {
		return 0, Tip{}, damaged(path, "does not start with the genesis block")
	}

	// The tip record must name the last stored height, whose header is in
	// the hash index and links to the header below it.
	tipHeight, err := dbFetchTipHeight(tx)
	if err != nil {
		return loadInconsistent, Tip{}, nil
	}
	var key [heightLen]byte
	putHeight(key[:], tipHeight)
	if last, _ := hb.Cursor().Last(); !bytes.Equal(last, key[:]) {
		return loadInconsistent, Tip{}, nil
	}
	var sh StoredHeader
	var r bytes.Reader
	if err := decodeHeaderRecord(hb.Get(key[:]), &sh, &r); err != nil {
		return loadInconsistent, Tip{}, nil
	}
	var ikey [indexKeyLen]byte
	putIndexKey(ikey[:], tipHeight, &sh.Hash)
	if h, err := decodeHeight(ib.Get(ikey[:])); err != nil || h != tipHeight {
		return loadInconsistent, Tip{}, nil
	}
	if tipHeight > 0 {
		prev := dbFetchHeaderRecord(hb, tipHeight-1)
		if len(prev) != headerRecordLen || recordHash(prev) != sh.Header.PrevBlock {
			return loadInconsistent, Tip{}, nil
		}
	}
	return loadOK, Tip{Height: tipHeight, Hash: sh.Hash, Work: sh.Work, Header: sh.Header}, nil
}

// dbRepair finds the longest run of headers from genesis that are stored at
// consecutive heights, link by hash and never lose work, and returns its last
// header as the tip. With write set it also makes the file agree: it deletes
// the headers above that tip and every hash index entry that does not point
// at a stored header, adds missing index entries, and rewrites the tip
// record.
func dbRepair(tx *bbolt.Tx, path string, genesisHash *chainhash.Hash, write bool) (Tip, error) {
	hb, ib, _, err := dbBuckets(tx)
	if err != nil {
		return Tip{}, damaged(path, "is missing a bucket")
	}
	var (
		tip      = int32(-1)
		tipRec   [headerRecordLen]byte
		prevHash chainhash.Hash
		prevWork big.Int
		work     big.Int
		hdr      wire.BlockHeader
		r        bytes.Reader
		index    [heightLen]byte
		ikey     [indexKeyLen]byte
	)
	c := hb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		h, err := decodeHeight(k)
		if err != nil || h != tip+1 || len(v) != headerRecordLen {
			break
		}
		r.Reset(v[:headerLen])
		if hdr.Deserialize(&r) != nil {
			break
		}
		hash := recordHash(v)
		work.SetBytes(v[headerLen:])
		if h == 0 && hash != *genesisHash {
			return Tip{}, damaged(path, "does not start with the genesis block")
		}
		if h > 0 && (hdr.PrevBlock != prevHash || work.Cmp(&prevWork) < 0) {
			break
		}
		putHeight(index[:], h)
		putIndexKey(ikey[:], h, &hash)
		if write && !bytes.Equal(ib.Get(ikey[:]), index[:]) {
			if err := ib.Put(ikey[:], bytes.Clone(index[:])); err != nil {
				return Tip{}, err
			}
		}
		tip, prevHash = h, hash
		prevWork.Set(&work)
		copy(tipRec[:], v)
	}
	if tip < 0 {
		return Tip{}, damaged(path, "does not start with the genesis block")
	}

	if write {
		var stale [][]byte
		putHeight(index[:], tip+1)
		for k, _ := c.Seek(index[:]); k != nil; k, _ = c.Next() {
			stale = append(stale, bytes.Clone(k))
		}
		for _, k := range stale {
			if err := hb.Delete(k); err != nil {
				return Tip{}, err
			}
		}
		stale = stale[:0]
		err := ib.ForEach(func(k, v []byte) error {
			h, err := decodeHeight(v)
			if err == nil && h <= tip && len(k) == indexKeyLen {
				if rec := dbFetchHeaderRecord(hb, h); len(rec) == headerRecordLen {
					hash := recordHash(rec)
					putIndexKey(ikey[:], h, &hash)
					if bytes.Equal(k, ikey[:]) {
						return nil
					}
				}
			}
			stale = append(stale, bytes.Clone(k))
			return nil
		})
		if err != nil {
			return Tip{}, err
		}
		for _, k := range stale {
			if err := ib.Delete(k); err != nil {
				return Tip{}, err
			}
		}
		if err := dbPutTipHeight(tx, tip); err != nil {
			return Tip{}, err
		}
	}

	var sh StoredHeader
	if err := decodeHeaderRecord(tipRec[:], &sh, &r); err != nil {
		return Tip{}, damaged(path, "has an unreadable tip header")
	}
	return Tip{Height: tip, Hash: sh.Hash, Work: sh.Work, Header: sh.Header}, nil
}

// filterState is what dbCheckFilters found in the file.
type filterState struct {
	// tip is the filter tip when consistent is set.
	tip filterTip

	// consistent is set when the filter headers start at genesis, end at
	// or below the header tip, and have no gap.
	consistent bool

	// upgrade is set when the file lacks a bucket or records an older
	// format version.
	upgrade bool

	// stale is set when cached filters lie above the header tip.
	stale bool

	// overBudget is set when a cache holds more than its budget.
	overBudget bool
}

// needsWrite reports whether a writable Open has something to fix.
func (fs *filterState) needsWrite() bool {
	return !fs.consistent || fs.upgrade || fs.stale || fs.overBudget
}

// dbCheckFilters checks the filter headers and caches against the header
// tip and the cache budgets. The filter headers pass when the first is at
// genesis, the last at or below tip with its predecessor present, and their
// count matches: holes that only a hand edit or a damaged file could make are
// caught without reading the headers themselves (the bucket's page headers
// give the count).
func dbCheckFilters(tx *bbolt.Tx, tip int32, filterBudget, blockBudget int64) filterState {
	var fs filterState
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			fs.upgrade = true
		}
	}
	if meta := tx.Bucket(metaBucket); meta != nil {
		if v := meta.Get(metaVersionKey); len(v) != 4 || binary.BigEndian.Uint32(v) < dbVersion {
			fs.upgrade = true
		}
	}
	fs.overBudget = dbCacheTotal(tx, filterCache) > filterBudget || dbCacheTotal(tx, blockCache) > blockBudget
	if records := tx.Bucket(filtersBucket); records != nil {
		var key [heightLen]byte
		putHeight(key[:], tip+1)
		if k, _ := records.Cursor().Seek(key[:]); k != nil {
			fs.stale = true
		}
	}

	fb := tx.Bucket(filterHeadersBucket)
	if fb == nil {
		fs.tip, fs.consistent = noFilterTip, true
		return fs
	}
	c := fb.Cursor()
	first, _ := c.First()
	if first == nil {
		fs.tip, fs.consistent = noFilterTip, true
		return fs
	}
	if h, err := decodeHeight(first); err != nil || h != 0 {
		return fs
	}
	ft, err := dbFetchFilterTip(tx)
	if err != nil || ft.height > tip {
		return fs
	}
	if ft.height > 0 {
		var key [heightLen]byte
		putHeight(key[:], ft.height-1)
		c.Last()
		if k, v := c.Prev(); !bytes.Equal(k, key[:]) || len(v) != filterHeaderLen {
			return fs
		}
	}
	if n := fb.Stats().KeyN; n != int(ft.height)+1 {
		return fs
	}
	fs.tip, fs.consistent = ft, true
	return fs
}

// dbRepairFilterHeaders finds the longest run of filter headers stored at
// consecutive heights from genesis up to at most tip and returns its last
// one. With write set it deletes every other key of the bucket.
func dbRepairFilterHeaders(tx *bbolt.Tx, tip int32, write bool) (filterTip, error) {
	fb := tx.Bucket(filterHeadersBucket)
	if fb == nil {
		return noFilterTip, nil
	}
	ft := noFilterTip
	broken := false
	var stale [][]byte
	err := fb.ForEach(func(k, v []byte) error {
		if len(k) == heightLen {
			h, err := decodeHeight(k)
			if err == nil && !broken && h == ft.height+1 && h <= tip && len(v) == filterHeaderLen {
				ft.height = h
				copy(ft.header[:], v)
				return nil
			}
			// Heights sort in order, so every later one lies beyond the gap.
			broken = true
		}
		stale = append(stale, bytes.Clone(k))
		return nil
	})
	if err != nil || !write {
		return ft, err
	}
	for _, k := range stale {
		if err := fb.Delete(k); err != nil {
			return noFilterTip, err
		}
	}
	return ft, nil
}

// dbUpgrade creates the buckets a file lacks and records the current format
// version.
func dbUpgrade(tx *bbolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(metaBucket)
	if v := meta.Get(metaVersionKey); len(v) == 4 && binary.BigEndian.Uint32(v) >= dbVersion {
		return nil
	}
	version := make([]byte, 4)
	binary.BigEndian.PutUint32(version, dbVersion)
	return meta.Put(metaVersionKey, version)
}

// dbFixFilters makes the filter part of the file agree with the header tip
// and the budgets: it upgrades the layout, cuts the filter headers back to
// their consistent prefix, deletes cached filters above the tip, and evicts
// from caches over budget. It returns the filter tip.
func dbFixFilters(tx *bbolt.Tx, fs *filterState, tip int32, filterBudget, blockBudget int64) (filterTip, error) {
	if err := dbUpgrade(tx); err != nil {
		return noFilterTip, err
	}
	ft := fs.tip
	if !fs.consistent {
		var err error
		if ft, err = dbRepairFilterHeaders(tx, tip, true); err != nil {
			return noFilterTip, err
		}
	}
	if err := dbDeleteFiltersAbove(tx, tip); err != nil {
		return noFilterTip, err
	}
	if err := dbTrimCache(tx, filterCache, filterBudget); err != nil {
		return noFilterTip, err
	}
	if err := dbTrimCache(tx, blockCache, blockBudget); err != nil {
		return noFilterTip, err
	}
	return ft, nil
}

// ---------------------------------------------------------------------------
// Operations used by boltStore
// ---------------------------------------------------------------------------

// load validates the file, initializing a new one with genesis, repairing
// an inconsistent tip or filter tip and upgrading an older layout, and
// returns the tip and the filter tip.
func (d *chainDB) load(genesis *wire.BlockHeader, params *chaincfg.Params, filterBudget, blockBudget int64) (Tip, filterTip, error) {
	tip, fresh, err := d.loadHeaders(genesis, params)
	if err != nil || fresh {
		return tip, noFilterTip, err
	}

	var fs filterState
	err = d.view(func(tx *bbolt.Tx) error {
		fs = dbCheckFilters(tx, tip.Height, filterBudget, blockBudget)
		return nil
	})
	if err != nil {
		return Tip{}, noFilterTip, err
	}
	switch {
	case !fs.needsWrite():
		return tip, fs.tip, nil
	case d.readOnly && fs.consistent:
		// An older layout or an oversized cache is fixed by the next writer;
		// the reads cope with both.
		return tip, fs.tip, nil
	case d.readOnly:
		var ft filterTip
		err = d.view(func(tx *bbolt.Tx) error {
			var err error
			ft, err = dbRepairFilterHeaders(tx, tip.Height, false)
			return err
		})
		if err != nil {
			return Tip{}, noFilterTip, d.corrupt(err)
		}
		return tip, ft, nil
	}
	var ft filterTip
	err = d.update(func(tx *bbolt.Tx) error {
		var err error
		ft, err = dbFixFilters(tx, &fs, tip.Height, filterBudget, blockBudget)
		return err
	})
	if err != nil {
		return Tip{}, noFilterTip, fmt.Errorf("repair the filters of %s: %w", d.path, d.corrupt(err))
	}
	return tip, ft, nil
}

// loadHeaders validates the header chain, initializing a new file with
// genesis (fresh is then set) and repairing an inconsistent tip, and returns
// the tip.
func (d *chainDB) loadHeaders(genesis *wire.BlockHeader, params *chaincfg.Params) (tip Tip, fresh bool, err error) {
	var state loadState
	err = d.view(func(tx *bbolt.Tx) error {
		var err error
		state, tip, err = dbCheck(tx, d.path, params.GenesisHash, params.Name)
		return err
	})
	if err != nil {
		return Tip{}, false, err
	}

	switch state {
	case loadEmpty:
		if d.readOnly {
			return Tip{}, false, damaged(d.path, "has no chain yet")
		}
		err = d.update(func(tx *bbolt.Tx) error {
			return dbInit(tx, genesis, params.GenesisHash)
		})
		if err != nil {
			return Tip{}, false, fmt.Errorf("initialize %s: %w", d.path, err)
		}
		return Tip{
			Height: 0,
			Hash:   *params.GenesisHash,
			Work:   blockchain.CalcWork(genesis.Bits),
			Header: *genesis,
		}, true, nil

	case loadInconsistent:
		repair := func(tx *bbolt.Tx) error {
			var err error
			tip, err = dbRepair(tx, d.path, params.GenesisHash, !d.readOnly)
			return err
		}
		if d.readOnly {
			err = d.view(repair)
		} else {
			err = d.update(repair)
		}
		if err != nil {
			return Tip{}, false, err
		}
	}
	return tip, false, nil
}

// corrupt turns an error found while reading the file into ErrDamaged, and
// passes ErrNotFound and errors that already say what is wrong.
func (d *chainDB) corrupt(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrDamaged) ||
		errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return err
	}
	return damaged(d.path, "is corrupt (%v)", err)
}

// fetchHeaderByHeight reads the header at height into sh.
func (d *chainDB) fetchHeaderByHeight(height int32, sh *StoredHeader) error {
	return d.corrupt(d.view(func(tx *bbolt.Tx) error {
		return dbFetchHeader(tx, height, sh)
	}))
}

// txTip returns the tip height a read transaction sees. A writer may have
// moved the tip since the caller read its cached tip, so the record in the
// file counts; a read-only store has no writer, and its cached tip may be a
// repair made in memory only, so that counts instead.
func (d *chainDB) txTip(tx *bbolt.Tx, cached int32) int32 {
	if d.readOnly {
		return cached
	}
	if tip, err := dbFetchTipHeight(tx); err == nil {
		return tip
	}
	return cached
}

// fetchHeaderByHash reads the header with the given hash into sh if the hash
// index places it on the chain and the header there has that hash.
func (d *chainDB) fetchHeaderByHash(hash *chainhash.Hash, cachedTip int32, sh *StoredHeader) error {
	return d.corrupt(d.view(func(tx *bbolt.Tx) error {
		tip := d.txTip(tx, cachedTip)
		height, err := dbFetchHeight(tx, hash, tip)
		if err != nil {
			return err
		}
		if height > tip {
			return fmt.Errorf("header %s: %w", hash, ErrNotFound)
		}
		if err := dbFetchHeader(tx, height, sh); err != nil {
			return err
		}
		if sh.Hash != *hash {
			return fmt.Errorf("header %s: %w", hash, ErrNotFound)
		}
		return nil
	}))
}

// fetchHeaders reads up to count headers from height start, clipped at the
// tip.
func (d *chainDB) fetchHeaders(start int32, count int, cachedTip int32) ([]StoredHeader, error) {
	var out []StoredHeader
	err := d.view(func(tx *bbolt.Tx) error {
		hb := tx.Bucket(headersBucket)
		if hb == nil {
			return errors.New("headers bucket is missing")
		}
		tip := d.txTip(tx, cachedTip)
		if start > tip {
			out = []StoredHeader{}
			return nil
		}
		if avail := int64(tip) - int64(start) + 1; int64(count) > avail {
			count = int(avail)
		}
		out = make([]StoredHeader, count)
		works := make([]big.Int, count)
		var key [heightLen]byte
		var r bytes.Reader
		putHeight(key[:], start)
		c := hb.Cursor()
		i := 0
		for k, v := c.Seek(key[:]); i < count; k, v = c.Next() {
			want := start + int32(i)
			putHeight(key[:], want)
			if !bytes.Equal(k, key[:]) {
				return fmt.Errorf("header at height %d is missing below the tip %d", want, tip)
			}
			sh := &out[i]
			sh.Work = &works[i]
			if err := decodeHeaderRecord(v, sh, &r); err != nil {
				return fmt.Errorf("header at height %d: %w", want, err)
			}
			sh.Height = want
			i++
		}
		return nil
	})
	if err != nil {
		return nil, d.corrupt(err)
	}
	return out, nil
}

// fetchLocator returns the hashes of the headers at locatorHeights(tip).
func (d *chainDB) fetchLocator(cachedTip int32) ([]chainhash.Hash, error) {
	var hashes []chainhash.Hash
	err := d.view(func(tx *bbolt.Tx) error {
		hb := tx.Bucket(headersBucket)
		if hb == nil {
			return errors.New("headers bucket is missing")
		}
		heights := locatorHeights(d.txTip(tx, cachedTip))
		hashes = make([]chainhash.Hash, len(heights))
		for i, h := range heights {
			rec := dbFetchHeaderRecord(hb, h)
			if len(rec) != headerRecordLen {
				return fmt.Errorf("header at height %d is missing", h)
			}
			hashes[i] = recordHash(rec)
		}
		return nil
	})
	if err != nil {
		return nil, d.corrupt(err)
	}
	return hashes, nil
}

// connect replaces the chain above fork by headers in one transaction,
// deleting the filter headers and cached filters above fork with them, and
// returns the filter tip that leaves.
func (d *chainDB) connect(fork, oldTip int32, headers []StoredHeader) (filterTip, error) {
	var ft filterTip
	err := d.update(func(tx *bbolt.Tx) error {
		if err := dbConnect(tx, fork, oldTip, headers); err != nil {
			return err
		}
		var err error
		ft, err = dbFetchFilterTip(tx)
		return err
	})
	if errors.Is(err, ErrNotChained) || errors.Is(err, ErrReadOnly) {
		return noFilterTip, err
	}
	if err != nil {
		return noFilterTip, fmt.Errorf("connect headers %d..%d: %w", fork+1, fork+int32(len(headers)), d.corrupt(err))
	}
	return ft, nil
}

// txFilterTip returns the filter tip height a read transaction sees, by the
// rule of txTip: the file counts for a writable store, the cached value (a
// repair made in memory) for a read-only one.
func (d *chainDB) txFilterTip(tx *bbolt.Tx, cached int32) (int32, error) {
	if d.readOnly {
		return cached, nil
	}
	ft, err := dbFetchFilterTip(tx)
	return ft.height, err
}

// fetchFilterHeader reads the filter header at height.
func (d *chainDB) fetchFilterHeader(height, cachedFilterTip int32) (chainhash.Hash, error) {
	var fh chainhash.Hash
	err := d.view(func(tx *bbolt.Tx) error {
		ftip, err := d.txFilterTip(tx, cachedFilterTip)
		if err != nil {
			return err
		}
		fb := tx.Bucket(filterHeadersBucket)
		if fb == nil || height > ftip {
			return fmt.Errorf("filter header at height %d: %w", height, ErrNotFound)
		}
		var key [heightLen]byte
		putHeight(key[:], height)
		v := fb.Get(key[:])
		if len(v) != filterHeaderLen {
			return fmt.Errorf("filter header at height %d is missing below the filter tip %d", height, ftip)
		}
		copy(fh[:], v)
		return nil
	})
	return fh, d.corrupt(err)
}

// fetchFilterHeaders reads up to count filter headers from height start,
// clipped at the filter tip.
func (d *chainDB) fetchFilterHeaders(start int32, count int, cachedFilterTip int32) ([]chainhash.Hash, error) {
	var out []chainhash.Hash
	err := d.view(func(tx *bbolt.Tx) error {
		ftip, err := d.txFilterTip(tx, cachedFilterTip)
		if err != nil {
			return err
		}
		fb := tx.Bucket(filterHeadersBucket)
		if fb == nil || start > ftip {
			out = []chainhash.Hash{}
			return nil
		}
		if avail := int64(ftip) - int64(start) + 1; int64(count) > avail {
			count = int(avail)
		}
		out = make([]chainhash.Hash, count)
		var key [heightLen]byte
		putHeight(key[:], start)
		c := fb.Cursor()
		k, v := c.Seek(key[:])
		for i := range out {
			want := start + int32(i)
			putHeight(key[:], want)
			if !bytes.Equal(k, key[:]) || len(v) != filterHeaderLen {
				return fmt.Errorf("filter header at height %d is missing below the filter tip %d", want, ftip)
			}
			copy(out[i][:], v)
			k, v = c.Next()
		}
		return nil
	})
	if err != nil {
		return nil, d.corrupt(err)
	}
	return out, nil
}

// putFilterHeaders appends filter headers in one transaction and returns the
// new filter tip.
func (d *chainDB) putFilterHeaders(start int32, blockHashes, headers []chainhash.Hash) (filterTip, error) {
	var ft filterTip
	err := d.update(func(tx *bbolt.Tx) error {
		var err error
		ft, err = dbPutFilterHeaders(tx, start, blockHashes, headers)
		return err
	})
	if errors.Is(err, ErrNotChained) || errors.Is(err, ErrReadOnly) {
		return noFilterTip, err
	}
	if err != nil {
		return noFilterTip, fmt.Errorf("put filter headers %d..%d: %w",
			start, start+int32(len(headers))-1, d.corrupt(err))
	}
	return ft, nil
}

// putFilters caches filters in one transaction.
func (d *chainDB) putFilters(start int32, blockHashes []chainhash.Hash, filters [][]byte, budget int64) error {
	err := d.update(func(tx *bbolt.Tx) error {
		return dbPutFilters(tx, start, blockHashes, filters, budget)
	})
	switch {
	case err == nil, errors.Is(err, errUnchanged):
		return nil
	case errors.Is(err, ErrReadOnly):
		return err
	}
	return fmt.Errorf("put filters %d..%d: %w", start, start+int32(len(filters))-1, d.corrupt(err))
}

// fetchFilter reads the filter cached at height, if it belongs to the best
// chain.
func (d *chainDB) fetchFilter(height, cachedTip int32) (chainhash.Hash, []byte, error) {
	var (
		blockHash chainhash.Hash
		filter    []byte
	)
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		blockHash, filter, err = dbFetchFilter(tx, height, d.txTip(tx, cachedTip))
		return err
	})
	if err != nil {
		return chainhash.Hash{}, nil, d.corrupt(err)
	}
	return blockHash, filter, nil
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
