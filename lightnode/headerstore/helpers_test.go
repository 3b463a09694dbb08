package headerstore

import (
	"crypto/sha256"
	"errors"
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

// fileDigest returns the SHA-256 of the file at path, to prove it was not
// written.
func fileDigest(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return sha256.Sum256(b)
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
		n = tx.Bucket(hashIndexBucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantErr fails the test unless err wraps target.
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}
