package wallet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// This file holds every bbolt access of the package. Keys are fixed-width
// big-endian where they are scanned in order; values are serialized
// explicitly below, with a version byte where a record may grow.

var (
	// metaBucket holds one key per wallet-wide property.
	metaBucket = []byte("wallet")

	// accountsBucket maps a big-endian account number to its record.
	accountsBucket = []byte("accounts")

	// indexBucket maps account number ‖ branch (both big-endian uint32) to
	// the next address index to hand out on that branch.
	indexBucket = []byte("addr_index")

	// txBucket maps a txid to a transaction relevant to the wallet with
	// where it was mined (see txRecord).
	txBucket = []byte("txs")

	// usedBucket maps account ‖ branch to one more than the highest
	// address index that received coins.
	usedBucket = []byte("addr_used")

	// frozenBucket holds outpoints (txid ‖ vout) the user froze.
	frozenBucket = []byte("frozen")

	// labelBucket maps "type:ref" to a user label (BIP329 types).
	labelBucket = []byte("labels")

	metaCursorKey = []byte("scan_cursor")

	// metaLocatorKey holds blocks the scan went through (see
	// scanLocatorHeights), so a reorganization of any depth can be rolled
	// back to a block both chains share.
	metaLocatorKey = []byte("scan_locator")

	// metaPassKey holds the scan pass in progress (see scanPass).
	metaPassKey = []byte("scan_pass")

	metaVersionKey        = []byte("version")
	metaIDKey             = []byte("id")
	metaNetworkKey        = []byte("network")
	metaCreatedKey        = []byte("created")
	metaBirthdayHeightKey = []byte("birthday_height")
	// metaBirthdayDateKey, optional, holds a birthday date (Unix seconds)
	// of a wallet whose birthday height is not known yet.
	metaBirthdayDateKey = []byte("birthday_date")
	metaWatchOnlyKey    = []byte("watch_only")
	metaGapLimitKey     = []byte("gap_limit")
)

// dbVersion is the layout version of the wallet file.
const dbVersion = 1

// Account record versions: 1 is a single-key account (and is still what
// single-key accounts are written as, so older satchels keep reading
// them); 2 is a multisig account: its threshold and its cosigners' keys
// instead of one key.
const (
	accountRecordVersion         = 1
	accountRecordVersionMultisig = 2
)

// lockTimeout is how long opening waits for another process to release the
// file before reporting ErrInUse.
const lockTimeout = 500 * time.Millisecond

// walletMeta is the wallet-wide record.
type walletMeta struct {
	id             [16]byte
	network        string
	created        time.Time
	birthdayHeight int32     // -1 when unknown
	birthdayDate   time.Time // zero unless given instead of a height
	watchOnly      bool
	gapLimit       uint32
}

// accountRecord is the stored, public description of an account.
// fingerprint, path and xpub describe a single-key account; a multisig
// account leaves them empty and has multisig.
type accountRecord struct {
	scriptType  ScriptType
	fingerprint uint32
	path        []uint32
	xpub        string
	multisig    *multisigRecord
}

// multisigRecord is the policy of a multisig account.
type multisigRecord struct {
	threshold int
	sorted    bool
	keys      []cosignerRecord
}

// cosignerRecord is one cosigner of a multisig account: its key origin and
// extended public key.
type cosignerRecord struct {
	fingerprint uint32
	path        []uint32
	xpub        string
}

// openDB opens a wallet file after checking that bbolt can read it safely.
func openDB(path string, readOnly bool) (*bbolt.DB, error) {
	if err := checkBoltFile(path); err != nil {
		return nil, err
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:  lockTimeout,
		ReadOnly: readOnly,
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, ErrInUse
	case err != nil:
		return nil, damaged("%v", err)
	}
	if err := checkTree(db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// checkBoltFile reads the two meta pages of a bbolt file and makes sure the
// file is long enough to hold every page the newest valid meta page refers
// to. bbolt maps the file into memory and would crash the process with a bus
// error on a truncated file instead of returning an error.
func checkBoltFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	if size < 1024 {
		return damaged("the file is only %d bytes long", size)
	}

	var best *boltMeta
	first, err := readBoltMeta(f, 0)
	if err != nil {
		return err
	}
	if first != nil {
		best = first
		if second, err := readBoltMeta(f, int64(first.pageSize)); err == nil &&
			second != nil && second.txid > first.txid {
			best = second
		}
	}
	if best == nil {
		return damaged("no valid database header")
	}
	if need := int64(best.pgid) * int64(best.pageSize); need > size {
		return damaged("the file is truncated (%d of %d bytes)", size, need)
	}
	return nil
}

// boltMeta is the part of a bbolt meta page this package checks.
type boltMeta struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

// readBoltMeta reads and validates the meta page at off. It returns nil
// without an error when the page is not a valid meta page.
func readBoltMeta(f *os.File, off int64) (*boltMeta, error) {
	const (
		pageHeader = 16
		metaLen    = 64 // magic..checksum
		boltMagic  = 0xED0CDAED
		boltFormat = 2
	)
	buf := make([]byte, pageHeader+metaLen)
	if _, err := f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	m := buf[pageHeader:]
	// bbolt writes its meta page in the machine's byte order; every platform
	// we build for is little-endian.
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltFormat {
		return nil, nil
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return nil, nil
	}
	pageSize := le.Uint32(m[8:])
	if pageSize < 512 || pageSize > 1<<24 {
		return nil, nil
	}
	return &boltMeta{pageSize: pageSize, pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, nil
}

// checkTree runs bbolt's consistency check over the whole file; wallet files
// are small, so this costs little and turns corruption into an error before
// any of it is read.
func checkTree(db *bbolt.DB) error {
	return safeView(db, func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return damaged("%v", err)
		}
		return nil
	})
}

// safeView runs fn in a read transaction and turns a panic of bbolt on a
// corrupt page into ErrDamaged.
func safeView(db *bbolt.DB, fn func(tx *bbolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = damaged("%v", r)
		}
	}()
	return db.View(fn)
}

// safeUpdate is safeView for write transactions.
func safeUpdate(db *bbolt.DB, fn func(tx *bbolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = damaged("%v", r)
		}
	}()
	return db.Update(fn)
}

// dbCreateBuckets creates the package's buckets; on an existing file it
// adds the ones a newer version introduced.
func dbCreateBuckets(tx *bbolt.Tx) error {
	for _, name := range [][]byte{metaBucket, accountsBucket, indexBucket} {
		if tx.Bucket(name) != nil {
			continue
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	for _, name := range [][]byte{txBucket, usedBucket, frozenBucket, labelBucket} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// txRecord is a stored transaction. Height is 0 while unconfirmed.
type txRecord struct {
	Tx         *wire.MsgTx
	Height     int32
	BlockHash  chainhash.Hash
	BlockIndex uint32 // position in the block
	BlockTime  time.Time
	FirstSeen  time.Time
	// LastSeen is when a peer last relayed the unconfirmed transaction,
	// or when the wallet broadcast it (see UnconfirmedExpiry).
	LastSeen time.Time
}

// Transaction record versions: 1 has no LastSeen (read as FirstSeen); 2
// adds it after FirstSeen.
const (
	txRecordVersion1 = 1
	txRecordVersion  = 2
)

// dbPutTx stores a transaction record.
func dbPutTx(tx *bbolt.Tx, r *txRecord) error {
	var buf bytes.Buffer
	buf.WriteByte(txRecordVersion)
	buf.Write(be32(uint32(r.Height)))
	buf.Write(r.BlockHash[:])
	buf.Write(be32(r.BlockIndex))
	buf.Write(be64(uint64(r.BlockTime.Unix())))
	buf.Write(be64(uint64(r.FirstSeen.Unix())))
	last := r.LastSeen
	if last.IsZero() {
		last = r.FirstSeen
	}
	buf.Write(be64(uint64(last.Unix())))
	if err := r.Tx.Serialize(&buf); err != nil {
		return err
	}
	id := r.Tx.TxHash()
	return tx.Bucket(txBucket).Put(id[:], buf.Bytes())
}

// dbDeleteTx removes a transaction record.
func dbDeleteTx(tx *bbolt.Tx, id chainhash.Hash) error {
	return tx.Bucket(txBucket).Delete(id[:])
}

// dbForEachTx reads every stored transaction.
func dbForEachTx(tx *bbolt.Tx, fn func(*txRecord) error) error {
	b := tx.Bucket(txBucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		r, err := decodeTxRecord(k, v)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// dbFetchTx reads one stored transaction, or returns nil when the wallet
// holds none with that txid.
func dbFetchTx(tx *bbolt.Tx, id chainhash.Hash) (*txRecord, error) {
	b := tx.Bucket(txBucket)
	if b == nil {
		return nil, nil
	}
	v := b.Get(id[:])
	if v == nil {
		return nil, nil
	}
	return decodeTxRecord(id[:], v)
}

// decodeTxRecord decodes the transaction record v stored under key k.
func decodeTxRecord(k, v []byte) (*txRecord, error) {
	head := 1 + 4 + 32 + 4 + 8 + 8
	if len(v) > 0 && v[0] == txRecordVersion {
		head += 8
	}
	if len(v) < head || (v[0] != txRecordVersion && v[0] != txRecordVersion1) {
		return nil, damaged("transaction %x is malformed", k)
	}
	r := &txRecord{
		Height:     int32(binary.BigEndian.Uint32(v[1:])),
		BlockIndex: binary.BigEndian.Uint32(v[37:]),
		BlockTime:  time.Unix(int64(binary.BigEndian.Uint64(v[41:])), 0).UTC(),
		FirstSeen:  time.Unix(int64(binary.BigEndian.Uint64(v[49:])), 0).UTC(),
		Tx:         new(wire.MsgTx),
	}
	r.LastSeen = r.FirstSeen
	if v[0] == txRecordVersion {
		r.LastSeen = time.Unix(int64(binary.BigEndian.Uint64(v[57:])), 0).UTC()
	}
	copy(r.BlockHash[:], v[5:37])
	if err := r.Tx.Deserialize(bytes.NewReader(v[head:])); err != nil {
		return nil, damaged("transaction %x cannot be decoded", k)
	}
	return r, nil
}

// scanCursor is how far the wallet has scanned: the last block checked.
type scanCursor struct {
	Height int32
	Hash   chainhash.Hash
}

func dbFetchCursor(tx *bbolt.Tx) (scanCursor, bool) {
	v := tx.Bucket(metaBucket).Get(metaCursorKey)
	if len(v) != 36 {
		return scanCursor{}, false
	}
	c := scanCursor{Height: int32(binary.BigEndian.Uint32(v))}
	copy(c.Hash[:], v[4:])
	return c, true
}

func dbPutCursor(tx *bbolt.Tx, c scanCursor) error {
	return tx.Bucket(metaBucket).Put(metaCursorKey, append(be32(uint32(c.Height)), c.Hash[:]...))
}

func dbDeleteCursor(tx *bbolt.Tx) error {
	return tx.Bucket(metaBucket).Delete(metaCursorKey)
}

// dbFetchLocator returns the stored scan locator, highest block first. A
// malformed record reads as empty: the locator only narrows a rollback.
func dbFetchLocator(tx *bbolt.Tx) []scanCursor {
	v := tx.Bucket(metaBucket).Get(metaLocatorKey)
	if len(v)%36 != 0 {
		return nil
	}
	out := make([]scanCursor, 0, len(v)/36)
	for ; len(v) > 0; v = v[36:] {
		c := scanCursor{Height: int32(binary.BigEndian.Uint32(v))}
		copy(c.Hash[:], v[4:36])
		out = append(out, c)
	}
	return out
}

// dbPutLocator stores the scan locator (highest block first); an empty one
// is deleted.
func dbPutLocator(tx *bbolt.Tx, loc []scanCursor) error {
	if len(loc) == 0 {
		return tx.Bucket(metaBucket).Delete(metaLocatorKey)
	}
	v := make([]byte, 0, 36*len(loc))
	for _, c := range loc {
		v = binary.BigEndian.AppendUint32(v, uint32(c.Height))
		v = append(v, c.Hash[:]...)
	}
	return tx.Bucket(metaBucket).Put(metaLocatorKey, v)
}

// dbFetchPass returns the scan pass in progress, if any.
func dbFetchPass(tx *bbolt.Tx) (scanPass, bool) {
	v := tx.Bucket(metaBucket).Get(metaPassKey)
	if len(v) != 12 {
		return scanPass{}, false
	}
	return scanPass{
		From: int32(binary.BigEndian.Uint32(v)),
		Late: [2]uint32{binary.BigEndian.Uint32(v[4:]), binary.BigEndian.Uint32(v[8:])},
	}, true
}

func dbPutPass(tx *bbolt.Tx, p scanPass) error {
	v := binary.BigEndian.AppendUint32(be32(uint32(p.From)), p.Late[0])
	return tx.Bucket(metaBucket).Put(metaPassKey, binary.BigEndian.AppendUint32(v, p.Late[1]))
}

func dbDeletePass(tx *bbolt.Tx) error {
	return tx.Bucket(metaBucket).Delete(metaPassKey)
}

// dbFetchUsed returns one more than the highest used index of a branch.
func dbFetchUsed(tx *bbolt.Tx, account, branch uint32) uint32 {
	b := tx.Bucket(usedBucket)
	if b == nil {
		return 0
	}
	if v := b.Get(indexKey(account, branch)); len(v) == 4 {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func dbPutUsed(tx *bbolt.Tx, account, branch, used uint32) error {
	return tx.Bucket(usedBucket).Put(indexKey(account, branch), be32(used))
}

func outpointKey(op wire.OutPoint) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), op.Hash[:]...), op.Index)
}

// dbForEachFrozen lists the frozen outpoints.
func dbForEachFrozen(tx *bbolt.Tx, fn func(wire.OutPoint)) {
	b := tx.Bucket(frozenBucket)
	if b == nil {
		return
	}
	b.ForEach(func(k, _ []byte) error {
		if len(k) == 36 {
			var op wire.OutPoint
			copy(op.Hash[:], k)
			op.Index = binary.BigEndian.Uint32(k[32:])
			fn(op)
		}
		return nil
	})
}

func dbSetFrozen(tx *bbolt.Tx, op wire.OutPoint, frozen bool) error {
	if frozen {
		return tx.Bucket(frozenBucket).Put(outpointKey(op), []byte{1})
	}
	return tx.Bucket(frozenBucket).Delete(outpointKey(op))
}

// dbFetchLabel returns the label for "type:ref", or "".
func dbFetchLabel(tx *bbolt.Tx, key string) string {
	b := tx.Bucket(labelBucket)
	if b == nil {
		return ""
	}
	return string(b.Get([]byte(key)))
}

func dbPutLabel(tx *bbolt.Tx, key, label string) error {
	if label == "" {
		return tx.Bucket(labelBucket).Delete([]byte(key))
	}
	return tx.Bucket(labelBucket).Put([]byte(key), []byte(label))
}

// dbForEachLabel lists every label.
func dbForEachLabel(tx *bbolt.Tx, fn func(key, label string)) {
	b := tx.Bucket(labelBucket)
	if b == nil {
		return
	}
	b.ForEach(func(k, v []byte) error {
		fn(string(k), string(v))
		return nil
	})
}

// dbPutMeta writes the wallet-wide record.
func dbPutMeta(tx *bbolt.Tx, m *walletMeta) error {
	b := tx.Bucket(metaBucket)
	watch := byte(0)
	if m.watchOnly {
		watch = 1
	}
	puts := []struct{ k, v []byte }{
		{metaVersionKey, be32(dbVersion)},
		{metaIDKey, m.id[:]},
		{metaNetworkKey, []byte(m.network)},
		{metaCreatedKey, be64(uint64(m.created.Unix()))},
		{metaBirthdayHeightKey, be32(uint32(m.birthdayHeight))},
		{metaWatchOnlyKey, []byte{watch}},
		{metaGapLimitKey, be32(m.gapLimit)},
	}
	if !m.birthdayDate.IsZero() {
		puts = append(puts, struct{ k, v []byte }{metaBirthdayDateKey, be64(uint64(m.birthdayDate.Unix()))})
	}
	for _, p := range puts {
		if err := b.Put(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}

// dbFetchMeta reads the wallet-wide record.
func dbFetchMeta(tx *bbolt.Tx) (*walletMeta, error) {
	b := tx.Bucket(metaBucket)
	if b == nil {
		return nil, damaged("it has no wallet record")
	}
	get := func(key []byte, size int) ([]byte, error) {
		v := b.Get(key)
		if v == nil || (size > 0 && len(v) != size) {
			return nil, damaged("the wallet record %q is missing or malformed", key)
		}
		return v, nil
	}
	v, err := get(metaVersionKey, 4)
	if err != nil {
		return nil, err
	}
	if version := binary.BigEndian.Uint32(v); version != dbVersion {
		return nil, fmt.Errorf("the wallet file has layout version %d; this satchel reads version %d", version, dbVersion)
	}
	var m walletMeta
	if v, err = get(metaIDKey, 16); err != nil {
		return nil, err
	}
	copy(m.id[:], v)
	if v, err = get(metaNetworkKey, 0); err != nil {
		return nil, err
	}
	m.network = string(v)
	if v, err = get(metaCreatedKey, 8); err != nil {
		return nil, err
	}
	m.created = time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC()
	if v, err = get(metaBirthdayHeightKey, 4); err != nil {
		return nil, err
	}
	m.birthdayHeight = int32(binary.BigEndian.Uint32(v))
	if v := b.Get(metaBirthdayDateKey); v != nil {
		if len(v) != 8 {
			return nil, damaged("the wallet record %q is malformed", metaBirthdayDateKey)
		}
		m.birthdayDate = time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC()
	}
	if v, err = get(metaWatchOnlyKey, 1); err != nil {
		return nil, err
	}
	m.watchOnly = v[0] == 1
	if v, err = get(metaGapLimitKey, 4); err != nil {
		return nil, err
	}
	m.gapLimit = binary.BigEndian.Uint32(v)
	return &m, nil
}

// dbPutAccount writes an account record.
func dbPutAccount(tx *bbolt.Tx, num uint32, a *accountRecord) error {
	if a.multisig != nil {
		v, err := encodeMultisigAccount(a)
		if err != nil {
			return err
		}
		return tx.Bucket(accountsBucket).Put(be32(num), v)
	}
	if len(a.path) > 255 || len(a.xpub) > 0xffff {
		return fmt.Errorf("account record too large")
	}
	v := make([]byte, 0, 8+4*len(a.path)+2+len(a.xpub))
	v = append(v, accountRecordVersion, byte(a.scriptType))
	v = binary.BigEndian.AppendUint32(v, a.fingerprint)
	v = append(v, byte(len(a.path)))
	for _, p := range a.path {
		v = binary.BigEndian.AppendUint32(v, p)
	}
	v = binary.BigEndian.AppendUint16(v, uint16(len(a.xpub)))
	v = append(v, a.xpub...)
	return tx.Bucket(accountsBucket).Put(be32(num), v)
}

// dbFetchAccount reads an account record.
func dbFetchAccount(tx *bbolt.Tx, num uint32) (*accountRecord, error) {
	b := tx.Bucket(accountsBucket)
	if b == nil {
		return nil, damaged("it has no accounts")
	}
	v := b.Get(be32(num))
	if v == nil {
		return nil, damaged("account %d is missing", num)
	}
	bad := damaged("account %d is malformed", num)
	if len(v) > 0 && v[0] == accountRecordVersionMultisig {
		a, ok := decodeMultisigAccount(v)
		if !ok {
			return nil, bad
		}
		return a, nil
	}
	if len(v) < 7 || v[0] != accountRecordVersion {
		return nil, bad
	}
	a := &accountRecord{
		scriptType:  ScriptType(v[1]),
		fingerprint: binary.BigEndian.Uint32(v[2:]),
	}
	n := int(v[6])
	v = v[7:]
	if len(v) < 4*n+2 {
		return nil, bad
	}
	for i := 0; i < n; i++ {
		a.path = append(a.path, binary.BigEndian.Uint32(v[4*i:]))
	}
	v = v[4*n:]
	l := int(binary.BigEndian.Uint16(v))
	if len(v[2:]) != l {
		return nil, bad
	}
	a.xpub = string(v[2:])
	return a, nil
}

// encodeMultisigAccount serializes a multisig account record (version 2):
// version, script type, threshold, sorted (0 or 1), the number of keys, and
// for each key its fingerprint, path length, path and length-prefixed xpub.
func encodeMultisigAccount(a *accountRecord) ([]byte, error) {
	m := a.multisig
	if len(m.keys) == 0 || len(m.keys) > 255 || m.threshold < 1 || m.threshold > len(m.keys) {
		return nil, fmt.Errorf("multisig account record is invalid")
	}
	sorted := byte(0)
	if m.sorted {
		sorted = 1
	}
	v := []byte{accountRecordVersionMultisig, byte(a.scriptType), byte(m.threshold), sorted, byte(len(m.keys))}
	for _, k := range m.keys {
		if len(k.path) > 255 || len(k.xpub) > 0xffff {
			return nil, fmt.Errorf("account record too large")
		}
		v = binary.BigEndian.AppendUint32(v, k.fingerprint)
		v = append(v, byte(len(k.path)))
		for _, p := range k.path {
			v = binary.BigEndian.AppendUint32(v, p)
		}
		v = binary.BigEndian.AppendUint16(v, uint16(len(k.xpub)))
		v = append(v, k.xpub...)
	}
	return v, nil
}

// decodeMultisigAccount reads what encodeMultisigAccount wrote.
func decodeMultisigAccount(v []byte) (*accountRecord, bool) {
	if len(v) < 5 {
		return nil, false
	}
	m := &multisigRecord{threshold: int(v[2]), sorted: v[3] == 1}
	a := &accountRecord{scriptType: ScriptType(v[1]), multisig: m}
	n := int(v[4])
	if v[3] > 1 || n == 0 || m.threshold < 1 || m.threshold > n {
		return nil, false
	}
	v = v[5:]
	for range n {
		if len(v) < 5 {
			return nil, false
		}
		k := cosignerRecord{fingerprint: binary.BigEndian.Uint32(v)}
		steps := int(v[4])
		v = v[5:]
		if len(v) < 4*steps+2 {
			return nil, false
		}
		for i := 0; i < steps; i++ {
			k.path = append(k.path, binary.BigEndian.Uint32(v[4*i:]))
		}
		v = v[4*steps:]
		l := int(binary.BigEndian.Uint16(v))
		if len(v) < 2+l {
			return nil, false
		}
		k.xpub = string(v[2 : 2+l])
		v = v[2+l:]
		m.keys = append(m.keys, k)
	}
	return a, len(v) == 0
}

// dbFetchNextIndex returns the next address index to hand out on a branch.
func dbFetchNextIndex(tx *bbolt.Tx, account, branch uint32) uint32 {
	b := tx.Bucket(indexBucket)
	if b == nil {
		return 0
	}
	v := b.Get(indexKey(account, branch))
	if len(v) != 4 {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

// dbPutNextIndex stores the next address index of a branch.
func dbPutNextIndex(tx *bbolt.Tx, account, branch, next uint32) error {
	return tx.Bucket(indexBucket).Put(indexKey(account, branch), be32(next))
}

func indexKey(account, branch uint32) []byte {
	return binary.BigEndian.AppendUint32(be32(account), branch)
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
