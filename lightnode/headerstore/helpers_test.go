package headerstore

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"
)

// extend returns n headers that chain onto parent, the way the node hands
// them to Connect: with Hash, Height and cumulative Work filled in. branch
// goes into the nonce so that two branches from the same parent differ. The
// store does not check proof of work, so the headers need not meet it.
func extend(parent StoredHeader, n int, bits uint32, branch uint32) []StoredHeader {
	out := make([]StoredHeader, n)
	prev := parent
	for i := range out {
		h := wire.BlockHeader{
			Version:   0x20000000,
			PrevBlock: prev.Hash,
			Timestamp: prev.Header.Timestamp.Add(10 * time.Minute),
			Bits:      bits,
			Nonce:     branch<<20 | uint32(i),
		}
		h.MerkleRoot = chainhash.DoubleHashH([]byte{byte(i), byte(i >> 8), byte(branch)})
		out[i] = StoredHeader{
			Header: h,
			Hash:   h.BlockHash(),
			Height: prev.Height + 1,
			Work:   new(big.Int).Add(prev.Work, blockchain.CalcWork(bits)),
		}
		prev = out[i]
	}
	return out
}

// tipHeader returns the tip of s as a StoredHeader to extend from.
func tipHeader(s Store) StoredHeader {
	t := s.Tip()
	return StoredHeader{Header: t.Header, Hash: t.Hash, Height: t.Height, Work: t.Work}
}

// chainPath returns a chain.db path in a fresh temporary datadir, below a
// network folder that does not exist yet.
func chainPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "regtest", "chain.db")
}

// openStore opens (or creates) a store for params at path and closes it when
// the test ends.
func openStore(t testing.TB, path string, params *chaincfg.Params) Store {
	t.Helper()
	s, err := Open(&Config{Path: path, Params: params})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// connectAll appends headers to s in batches of batch.
func connectAll(t testing.TB, s Store, headers []StoredHeader, batch int) {
	t.Helper()
	for len(headers) > 0 {
		n := min(batch, len(headers))
		if err := s.Connect(headers[0].Height-1, headers[:n]); err != nil {
			t.Fatalf("Connect at %d: %v", headers[0].Height, err)
		}
		headers = headers[n:]
	}
}

// regtestChain creates a regtest store at path holding n headers above
// genesis, closes it, and returns the headers including genesis at index 0.
func regtestChain(t testing.TB, path string, n int) []StoredHeader {
	t.Helper()
	s, err := Open(&Config{Path: path, Params: &chaincfg.RegressionNetParams})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	genesis := tipHeader(s)
	headers := extend(genesis, n, chaincfg.RegressionNetParams.PowLimitBits, 0)
	connectAll(t, s, headers, 2000)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return append([]StoredHeader{genesis}, headers...)
}

// fileDigest returns the SHA-256 of chain.db at path and its two flat
// files, to prove they were not written; a missing file counts as such.
func fileDigest(t testing.TB, path string) [32]byte {
	t.Helper()
	hp, fp := flatPaths(path)
	h := sha256.New()
	for _, p := range []string{path, hp, fp} {
		b, err := os.ReadFile(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			h.Write([]byte("missing"))
		case err != nil:
			t.Fatalf("read %s: %v", p, err)
		default:
			h.Write(b)
		}
		h.Write([]byte{0})
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// sameHeader fails the test unless got is the header want.
func sameHeader(t testing.TB, got *StoredHeader, want *StoredHeader) {
	t.Helper()
	if got.Height != want.Height || got.Hash != want.Hash || got.Work.Cmp(want.Work) != 0 ||
		got.Header.BlockHash() != want.Hash || !got.Header.Timestamp.Equal(want.Header.Timestamp) {
		t.Fatalf("header at %d: got hash %s height %d work %s, want hash %s height %d work %s",
			want.Height, got.Hash, got.Height, got.Work, want.Hash, want.Height, want.Work)
	}
}

// rawUpdate changes the file at path behind the store's back, as a bug or a
// hand edit could.
func rawUpdate(t testing.TB, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatalf("bbolt.Open: %v", err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatalf("raw update: %v", err)
	}
}

// rawIndexLen returns the number of hash index entries in the file at path.
func rawIndexLen(t testing.TB, path string) int {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("bbolt.Open: %v", err)
	}
	defer db.Close()
	n := 0
	err = db.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = dbIndexCount(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// rawFilterHeaderCount returns the number of records in the filter-headers
// file of the chain at path.
func rawFilterHeaderCount(t testing.TB, path string) int {
	t.Helper()
	_, fp := flatPaths(path)
	info, err := os.Stat(fp)
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Size() / filterHeaderLen)
}

// rawHeaderCount returns the number of records in the headers file of the
// chain at path.
func rawHeaderCount(t testing.TB, path string) int {
	t.Helper()
	hp, _ := flatPaths(path)
	info, err := os.Stat(hp)
	if err != nil {
		t.Fatal(err)
	}
	return int(info.Size() / headerLen)
}

// editFlatFile changes the flat file at path behind the store's back: fn
// gets its content and returns the new one.
func editFlatFile(t testing.TB, path string, fn func(b []byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(b), 0o600); err != nil {
		t.Fatal(err)
	}
}

// rawRecord returns the serialization of h, as the headers file holds it.
func rawRecord(h *wire.BlockHeader) []byte {
	rec := make([]byte, headerLen)
	PutHeader(rec, h)
	return rec
}

// wantErr fails the test unless err wraps target.
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// fakeFilterHeader returns a filter header that depends on the block hash
// alone, so that a test can tell whether a stored filter header belongs to
// the block now at its height.
func fakeFilterHeader(blockHash chainhash.Hash) chainhash.Hash {
	return chainhash.DoubleHashH(append([]byte("filter header of "), blockHash[:]...))
}

// fakeFilter returns n bytes of filter for a block, different for each block.
func fakeFilter(blockHash chainhash.Hash, n int) []byte {
	f := make([]byte, n)
	for i := range f {
		f[i] = blockHash[i%chainhash.HashSize] ^ byte(i>>5)
	}
	return f
}

// filterBatch returns the block hashes and fake filter headers of headers.
func filterBatch(headers []StoredHeader) (blockHashes, filterHeaders []chainhash.Hash) {
	blockHashes = make([]chainhash.Hash, len(headers))
	filterHeaders = make([]chainhash.Hash, len(headers))
	for i := range headers {
		blockHashes[i] = headers[i].Hash
		filterHeaders[i] = fakeFilterHeader(headers[i].Hash)
	}
	return blockHashes, filterHeaders
}

// filtersOf returns the block hashes of headers and a fake filter of n bytes
// for each.
func filtersOf(headers []StoredHeader, n int) ([]chainhash.Hash, [][]byte) {
	hashes := make([]chainhash.Hash, len(headers))
	filters := make([][]byte, len(headers))
	for i := range headers {
		hashes[i] = headers[i].Hash
		filters[i] = fakeFilter(headers[i].Hash, n)
	}
	return hashes, filters
}

// putFilterHeaders stores the fake filter headers of headers, which start at
// the height after the filter tip, in batches of batch.
func putFilterHeaders(t testing.TB, s Store, headers []StoredHeader, batch int) {
	t.Helper()
	for len(headers) > 0 {
		n := min(batch, len(headers))
		hashes, fhs := filterBatch(headers[:n])
		if err := s.PutFilterHeaders(headers[0].Height, hashes, fhs); err != nil {
			t.Fatalf("PutFilterHeaders at %d: %v", headers[0].Height, err)
		}
		headers = headers[n:]
	}
}

// fakeBlock returns a raw "block" of the given size whose first 80 bytes
// are hdr, and its hash. The store only checks that the header hashes to
// the key.
func fakeBlock(t testing.TB, hdr *wire.BlockHeader, size int) (chainhash.Hash, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := hdr.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, size)
	copy(raw, buf.Bytes())
	for i := headerLen; i < size; i++ {
		raw[i] = byte(i * 7)
	}
	return hdr.BlockHash(), raw
}

// cacheState is what a cache holds in the file, read behind the store's
// back.
type cacheState struct {
	keys    [][]byte // record keys, oldest insertion first
	total   int64    // the total recorded in meta
	counted int64    // the total recomputed from the entries
}

// rawCache reads cache cb from the closed file at path and checks that its
// two buckets point at each other.
func rawCache(t testing.TB, path string, cb cacheBuckets) cacheState {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("bbolt.Open: %v", err)
	}
	defer db.Close()
	var cs cacheState
	err = db.View(func(tx *bbolt.Tx) error {
		records, seqs := tx.Bucket(cb.records), tx.Bucket(cb.seqs)
		cs.total = dbCacheTotal(tx, cb)
		if err := records.ForEach(func(k, v []byte) error {
			cs.counted += cacheEntrySize(len(k), len(v))
			if got := seqs.Get(v[:seqLen]); !bytes.Equal(got, k) {
				return fmt.Errorf("record %x has no seq entry", k)
			}
			return nil
		}); err != nil {
			return err
		}
		if seqs.Stats().KeyN != records.Stats().KeyN {
			return fmt.Errorf("%d seq entries for %d records", seqs.Stats().KeyN, records.Stats().KeyN)
		}
		return seqs.ForEach(func(_, v []byte) error {
			cs.keys = append(cs.keys, bytes.Clone(v))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if cs.total != cs.counted {
		t.Fatalf("%s cache total says %d bytes, the entries hold %d", cb.records, cs.total, cs.counted)
	}
	return cs
}

// heightsOf decodes filter cache keys into heights.
func heightsOf(t testing.TB, keys [][]byte) []int32 {
	t.Helper()
	out := make([]int32, len(keys))
	for i, k := range keys {
		h, err := decodeHeight(k)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = h
	}
	return out
}

// rawKeyCount returns the number of keys in bucket of the closed file at
// path.
func rawKeyCount(t testing.TB, path string, bucket []byte) int {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("bbolt.Open: %v", err)
	}
	defer db.Close()
	n := 0
	err = db.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(bucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
