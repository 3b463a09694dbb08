package headerstore

// All bbolt access of the package lives in this file.
//
// Layout of chain.db (all integers big-endian, fixed width):
//
//	headers    height (4 bytes) -> header (80 bytes, wire serialization) || cumulative work (32 bytes)
//	hashindex  height/hashIndexEpoch (4 bytes) || block hash (32 bytes, internal byte order) -> height (4 bytes)
//	meta       "version" -> format version (4 bytes)
//	           "genesis" -> genesis block hash (32 bytes)
//	           "tipheight" -> height of the tip (4 bytes)
//	bans       key (UTF-8) -> until Unix seconds (8 bytes, signed) || nanoseconds (4 bytes) || reason (UTF-8)
//
// Heights are never negative, so their unsigned big-endian keys sort in height
// order and the headers bucket is appended to sequentially.
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

	metaVersionKey   = []byte("version")
	metaGenesisKey   = []byte("genesis")
	metaTipHeightKey = []byte("tipheight")
)

const (
	// dbVersion is the format version written to new files. Files with a
	// higher version come from a newer satchel and are refused.
	dbVersion uint32 = 1

	heightLen       = 4
	indexKeyLen     = heightLen + chainhash.HashSize
	headerLen       = wire.MaxBlockHeaderPayload // 80
	workLen         = 32
	headerRecordLen = headerLen + workLen
	banTimeLen      = 12

	// maxBanKeyLen is the longest ban key bbolt can store.
	maxBanKeyLen = bbolt.MaxKeySize

	// hashIndexEpoch is the number of consecutive heights whose hash index
	// entries share a key prefix: small enough that the newest epoch spans
	// at most about a hundred pages, large enough that a lookup of an old
	// hash probes no more than a few hundred epochs.
	hashIndexEpoch = 4096

	// headersFillPercent packs the append-only headers bucket full: its
	// pages are split only at the end, so half-empty pages would stay so.
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
	for _, name := range [][]byte{headersBucket, hashIndexBucket, metaBucket, bansBucket} {
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

// ---------------------------------------------------------------------------
// Operations used by boltStore
// ---------------------------------------------------------------------------

// load validates the file, initializing a new one with genesis and repairing
// an inconsistent tip, and returns the tip.
func (d *chainDB) load(genesis *wire.BlockHeader, params *chaincfg.Params) (Tip, error) {
	var (
		state loadState
		tip   Tip
	)
	err := d.view(func(tx *bbolt.Tx) error {
		var err error
		state, tip, err = dbCheck(tx, d.path, params.GenesisHash, params.Name)
		return err
	})
	if err != nil {
		return Tip{}, err
	}

	switch state {
	case loadEmpty:
		if d.readOnly {
			return Tip{}, damaged(d.path, "has no chain yet")
		}
		err = d.update(func(tx *bbolt.Tx) error {
			return dbInit(tx, genesis, params.GenesisHash)
		})
		if err != nil {
			return Tip{}, fmt.Errorf("initialize %s: %w", d.path, err)
		}
		return Tip{
			Height: 0,
			Hash:   *params.GenesisHash,
			Work:   blockchain.CalcWork(genesis.Bits),
			Header: *genesis,
		}, nil

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
			return Tip{}, err
		}
	}
	return tip, nil
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

// connect replaces the chain above fork by headers in one transaction.
func (d *chainDB) connect(fork, oldTip int32, headers []StoredHeader) error {
	err := d.update(func(tx *bbolt.Tx) error {
		return dbConnect(tx, fork, oldTip, headers)
	})
	if errors.Is(err, ErrNotChained) || errors.Is(err, ErrReadOnly) {
		return err
	}
	if err != nil {
		return fmt.Errorf("connect headers %d..%d: %w", fork+1, fork+int32(len(headers)), d.corrupt(err))
	}
	return nil
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
