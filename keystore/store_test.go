package keystore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"go.etcd.io/bbolt"
	"golang.org/x/text/unicode/norm"
)

// fastKDF keeps tests quick; only BenchmarkUnlock uses the defaults.
var fastKDF = WithKDFParams(KDFParams{Memory: 64, Time: 1, Threads: 1})

var (
	walletA = [16]byte{0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	walletB = [16]byte{0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
)

// openTestDB opens (creating if needed) a bbolt file at path and closes it
// when the test ends.
func openTestDB(t testing.TB, path string) *bbolt.DB {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// createKeystore stores sec in a new wallet file under password and returns
// the file's path.
func createKeystore(t testing.TB, walletID [16]byte, sec *Secret,
	password string, opts ...Option) string {

	t.Helper()
	path := filepath.Join(t.TempDir(), "wallet.db")
	db := openTestDB(t, path)
	err := db.Update(func(tx *bbolt.Tx) error {
		return Create(tx, walletID, sec, []byte(password), opts...)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// newTestSecret returns a Secret with fresh random words.
func newTestSecret(t testing.TB, words int, passphrase string) *Secret {
	t.Helper()
	m, err := NewMnemonic(words)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSecret(m, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fileHash returns the SHA-256 of a file's bytes.
func fileHash(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// readRecord returns the raw record stored in a wallet file.
func readRecord(t testing.TB, db *bbolt.DB) []byte {
	t.Helper()
	rec, err := dbLoadRecord(db)
	if err != nil || rec == nil {
		t.Fatalf("no record: %v", err)
	}
	return rec
}

// writeRecord overwrites the raw record stored in a wallet file.
func writeRecord(t testing.TB, db *bbolt.DB, rec []byte) {
	t.Helper()
	if err := db.Update(func(tx *bbolt.Tx) error {
		return dbPutRecord(tx, rec)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCreateUnlockRoundTrip stores secrets of every length, with and
// without passphrase, and reads them back.
func TestCreateUnlockRoundTrip(t *testing.T) {
	for _, words := range []int{12, 15, 18, 21, 24} {
		for _, pass := range []string{"", "correct horse", strings.Repeat(
			"ü", maxPassphraseLen/3)} {
			name := fmt.Sprintf("%d words passphrase %d bytes", words,
				len(pass))
			t.Run(name, func(t *testing.T) {
				sec := newTestSecret(t, words, pass)
				defer sec.Zero()
				mnemonic := sec.Mnemonic()
				path := createKeystore(t, walletA, sec, "pw", fastKDF)

				db := openTestDB(t, path)
				if err := db.View(func(tx *bbolt.Tx) error {
					if !Exists(tx) {
						t.Error("Exists is false after Create")
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				st, err := Open(db, walletA)
				if err != nil {
					t.Fatal(err)
				}
				if got := st.KDFParams(); got != (KDFParams{64, 1, 1}) {
					t.Fatalf("KDFParams = %+v", got)
				}
				got, err := st.Secret([]byte("pw"))
				if err != nil {
					t.Fatal(err)
				}
				defer got.Zero()
				if got.Mnemonic() != mnemonic {
					t.Fatal("mnemonic differs after the round trip")
				}
				if got.HasPassphrase() != (pass != "") ||
					string(got.passphrase) != norm.NFKD.String(pass) {
					t.Fatal("passphrase differs after the round trip")
				}

				signer, err := st.Unlock([]byte("pw"),
					&chaincfg.MainNetParams)
				if err != nil {
					t.Fatal(err)
				}
				defer signer.Close()
				want, err := NewSigner(sec, &chaincfg.MainNetParams)
				if err != nil {
					t.Fatal(err)
				}
				defer want.Close()
				if signer.Fingerprint() != want.Fingerprint() {
					t.Fatal("unlocked signer has another fingerprint")
				}
			})
		}
	}
}

// TestWrongPasswordLeavesFileUnchanged checks ErrWrongPassword and that
// neither a failed nor a successful unlock writes to the wallet file.
func TestWrongPasswordLeavesFileUnchanged(t *testing.T) {
	sec := newTestSecret(t, 12, "")
	defer sec.Zero()
	path := createKeystore(t, walletA, sec, "right", fastKDF)
	before := fileHash(t, path)

	db := openTestDB(t, path)
	st, err := Open(db, walletA)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"wrong", "Right", "right ", ""} {
		if _, err := st.Unlock([]byte(pw), &chaincfg.MainNetParams); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("Unlock(%q): got %v, want ErrWrongPassword", pw, err)
		}
		if _, err := st.Secret([]byte(pw)); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("Secret(%q): got %v, want ErrWrongPassword", pw, err)
		}
	}
	if err := st.ChangePassword([]byte("wrong"), []byte("new")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("ChangePassword with a wrong password: %v", err)
	}
	signer, err := st.Unlock([]byte("right"), &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	signer.Close()
	if ErrWrongPassword.Error() != "wrong password" {
		t.Fatalf("message %q", ErrWrongPassword)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after := fileHash(t, path); after != before {
		t.Fatal("the wallet file changed")
	}
}

// sealTestRecord returns a record sealed with the fast KDF parameters.
func sealTestRecord(t testing.TB, walletID [16]byte, password string) []byte {
	t.Helper()
	sec := newTestSecret(t, 24, "passphrase")
	defer sec.Zero()
	rec, err := sealRecord(sec, []byte(password), walletID,
		KDFParams{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// openDamaged opens a damaged record and checks that it fails with
// ErrCorrupt or ErrWrongPassword. To keep the test fast, a header that
// passes the checks but asks for an expensive KDF is not decrypted; the
// function reports whether that happened.
func openDamaged(t *testing.T, rec []byte, what string) (skipped bool) {
	t.Helper()
	r, err := parseRecord(rec)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: parse error %v does not wrap ErrCorrupt", what,
				err)
		}
		return false
	}
	if r.params.Memory > 16*1024 || r.params.Time > 8 {
		return true
	}
	_, err = openRecord(rec, walletA, []byte("pw"))
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("%s: got %v, want ErrCorrupt or ErrWrongPassword", what,
			err)
	}
	return false
}

// TestRecordTruncation opens every prefix of a sealed record.
func TestRecordTruncation(t *testing.T) {
	rec := sealTestRecord(t, walletA, "pw")
	if _, err := openRecord(rec, walletA, []byte("pw")); err != nil {
		t.Fatalf("intact record: %v", err)
	}
	for n := 0; n < len(rec); n++ {
		openDamaged(t, rec[:n], fmt.Sprintf("truncated to %d", n))
		if n < headerLen+minCiphertextLen {
			if _, err := parseRecord(rec[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("truncated to %d: got %v, want ErrCorrupt", n,
					err)
			}
		}
	}
	// Extra bytes are refused too.
	openDamaged(t, append(bytes.Clone(rec), 0), "one byte appended")

	// Through the wallet file: a truncated record makes Open fail.
	path := createKeystore(t, walletA, newTestSecret(t, 12, ""), "pw",
		fastKDF)
	db := openTestDB(t, path)
	stored := readRecord(t, db)
	for _, n := range []int{0, 1, 4, headerLen - 1, headerLen,
		len(stored) - 1} {
		writeRecord(t, db, stored[:n])
		if _, err := Open(db, walletA); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open of a record truncated to %d: %v", n, err)
		}
	}
	_ = db.Close()
}

// TestRecordBitFlips flips every bit of a sealed record, then random
// bytes, and checks that no damaged record opens.
func TestRecordBitFlips(t *testing.T) {
	rec := sealTestRecord(t, walletA, "pw")
	skipped := 0
	for i := range rec {
		for bit := range 8 {
			b := bytes.Clone(rec)
			b[i] ^= 1 << bit
			if openDamaged(t, b, fmt.Sprintf("byte %d bit %d", i, bit)) {
				skipped++
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		b := bytes.Clone(rec)
		for range 1 + rng.IntN(4) {
			b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		}
		if bytes.Equal(b, rec) {
			continue
		}
		openDamaged(t, b, fmt.Sprintf("random flips %d", i))
	}
	// Only flips that raise the KDF memory or time within bounds are not
	// decrypted (a handful of bits); everything else must have been.
	if skipped > 16 {
		t.Fatalf("%d flips were not decrypted", skipped)
	}
}

// TestRecordHeaderChecks checks that a header asking for out-of-range KDF
// work is refused before the KDF runs, and other header damage.
func TestRecordHeaderChecks(t *testing.T) {
	rec := sealTestRecord(t, walletA, "pw")
	tests := []struct {
		name   string
		modify func(b []byte)
	}{
		{"magic", func(b []byte) { b[0] = 'X' }},
		{"format version", func(b []byte) { b[4] = 2 }},
		{"kdf id", func(b []byte) { b[5] = 0 }},
		{"memory 0", func(b []byte) { binary.BigEndian.PutUint32(b[6:], 0) }},
		{"memory 5 GiB", func(b []byte) {
			binary.BigEndian.PutUint32(b[6:], 5*1024*1024)
		}},
		{"memory max", func(b []byte) {
			binary.BigEndian.PutUint32(b[6:], 0xffffffff)
		}},
		{"memory below 8 KiB per thread", func(b []byte) {
			binary.BigEndian.PutUint32(b[6:], 8*4-1)
			b[14] = 4
		}},
		{"time 0", func(b []byte) { binary.BigEndian.PutUint32(b[10:], 0) }},
		{"time huge", func(b []byte) {
			binary.BigEndian.PutUint32(b[10:], 1<<31)
		}},
		{"threads 0", func(b []byte) { b[14] = 0 }},
		{"threads 255", func(b []byte) {
			binary.BigEndian.PutUint32(b[6:], 1<<20)
			b[14] = 255
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(rec)
			tc.modify(b)
			_, err := openRecord(b, walletA, []byte("pw"))
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			if !strings.HasPrefix(err.Error(), "keystore data is damaged: ") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

// TestRecordFromAnotherWallet copies a record into another wallet's file.
func TestRecordFromAnotherWallet(t *testing.T) {
	pathA := createKeystore(t, walletA, newTestSecret(t, 12, ""), "pw",
		fastKDF)
	dbA := openTestDB(t, pathA)
	recA := readRecord(t, dbA)

	dbB := openTestDB(t, filepath.Join(t.TempDir(), "b.db"))
	writeRecord(t, dbB, recA)
	_, err := Open(dbB, walletB)
	if !errors.Is(err, ErrCorrupt) ||
		!strings.Contains(err.Error(), "belongs to another wallet") {
		t.Fatalf("Open of a copied record: %v", err)
	}

	// Rewriting the wallet id in the header does not help: the header is
	// authenticated.
	forged := bytes.Clone(recA)
	copy(forged[31:47], walletB[:])
	writeRecord(t, dbB, forged)
	st, err := Open(dbB, walletB)
	if err != nil {
		t.Fatalf("Open of a forged record: %v", err)
	}
	if _, err := st.Unlock([]byte("pw"), &chaincfg.MainNetParams); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Unlock of a forged record: %v", err)
	}
}

// TestChangePassword checks that the old password stops working, the new
// one works, and the secret and KDF choice are as expected.
func TestChangePassword(t *testing.T) {
	sec := newTestSecret(t, 24, "pass")
	defer sec.Zero()
	mnemonic := sec.Mnemonic()
	path := createKeystore(t, walletA, sec, "old", fastKDF)
	db := openTestDB(t, path)
	st, err := Open(db, walletA)
	if err != nil {
		t.Fatal(err)
	}
	before := readRecord(t, db)

	if err := st.ChangePassword([]byte("old"), nil); !errors.Is(err, ErrEmptyPassword) {
		t.Fatalf("empty new password: %v", err)
	}
	if !bytes.Equal(readRecord(t, db), before) {
		t.Fatal("a refused change wrote to the file")
	}

	if err := st.ChangePassword([]byte("old"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	after := readRecord(t, db)
	if bytes.Equal(before[15:31], after[15:31]) ||
		bytes.Equal(before[47:71], after[47:71]) {
		t.Fatal("salt or nonce was reused")
	}
	if got := st.KDFParams(); got != (KDFParams{64, 1, 1}) {
		t.Fatalf("KDF parameters changed to %+v", got)
	}
	if _, err := st.Secret([]byte("old")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("old password after change: %v", err)
	}
	got, err := st.Secret([]byte("new"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Mnemonic() != mnemonic || string(got.passphrase) != "pass" {
		t.Fatal("the secret changed")
	}
	got.Zero()

	// A second handle on the same file sees the change too.
	st2, err := Open(db, walletA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st2.Secret([]byte("new")); err != nil {
		t.Fatal(err)
	}

	// New KDF parameters on request.
	p := KDFParams{Memory: 128, Time: 2, Threads: 2}
	if err := st.ChangePassword([]byte("new"), []byte("newer"),
		WithKDFParams(p)); err != nil {
		t.Fatal(err)
	}
	if st.KDFParams() != p {
		t.Fatalf("KDFParams = %+v, want %+v", st.KDFParams(), p)
	}
	st3, err := Open(db, walletA)
	if err != nil || st3.KDFParams() != p {
		t.Fatalf("reopened: %+v, %v", st3, err)
	}
	bad := KDFParams{Memory: 64, Time: 0, Threads: 1}
	if err := st.ChangePassword([]byte("newer"), []byte("x"),
		WithKDFParams(bad)); err == nil {
		t.Fatal("out-of-range KDF parameters were accepted")
	}

	// A stale handle cannot overwrite a record changed behind its back.
	if err := st2.ChangePassword([]byte("newer"), []byte("other")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Secret([]byte("other")); err != nil {
		t.Fatalf("change through another handle: %v", err)
	}
}

// TestChangePasswordIsAtomic checks that a concurrent change between the
// read and the write is detected instead of overwritten.
func TestChangePasswordIsAtomic(t *testing.T) {
	path := createKeystore(t, walletA, newTestSecret(t, 12, ""), "pw",
		fastKDF)
	db := openTestDB(t, path)
	old := readRecord(t, db)
	other := sealTestRecord(t, walletA, "someone else")
	writeRecord(t, db, other)
	if err := dbReplaceRecord(db, old, []byte("new")); !errors.Is(err, errRecordChanged) {
		t.Fatalf("got %v, want errRecordChanged", err)
	}
	if !bytes.Equal(readRecord(t, db), other) {
		t.Fatal("the record was overwritten")
	}
}

// TestNoPlaintextInFile searches the wallet file for the mnemonic, entropy,
// seed, passphrase and master key.
func TestNoPlaintextInFile(t *testing.T) {
	const passphrase = "naïve passphrase ＡＢＣ"
	sec := newTestSecret(t, 24, passphrase)
	defer sec.Zero()
	path := createKeystore(t, walletA, sec, "file password", fastKDF)

	// Change the password too, so freed pages of the old record are in
	// the file as well.
	db := openTestDB(t, path)
	st, err := Open(db, walletA)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ChangePassword([]byte("file password"),
		[]byte("second password")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The search must work on this file: the bucket name is in clear.
	if !bytes.Contains(file, []byte("keystore")) {
		t.Fatal("the file does not contain the bucket name")
	}

	seed, err := sec.seed()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewSigner(sec, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	signer.mu.RLock()
	masterPriv, err := signer.master.ECPrivKey()
	signer.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	mnemonic := sec.Mnemonic()
	words := strings.Fields(mnemonic)
	secrets := map[string][]byte{
		"mnemonic":           []byte(mnemonic),
		"first three words":  []byte(strings.Join(words[:3], " ")),
		"entropy":            sec.entropy,
		"entropy hex":        []byte(hex.EncodeToString(sec.entropy)),
		"seed":               seed,
		"passphrase":         []byte(passphrase),
		"passphrase NFKD":    sec.passphrase,
		"master private key": masterPriv.Serialize(),
		"file password":      []byte("file password"),
	}
	for name, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("%s is too short to search for", name)
		}
		if bytes.Contains(file, s) {
			t.Errorf("the wallet file contains the %s", name)
		}
		// An 8-byte window is enough to tell.
		if bytes.Contains(file, s[:8]) {
			t.Errorf("the wallet file contains part of the %s", name)
		}
	}
}

// TestOpenWithoutKeystore checks the watch-only case.
func TestOpenWithoutKeystore(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "watch.db"))
	if _, err := Open(db, walletA); !errors.Is(err, ErrNoKeystore) {
		t.Fatalf("empty file: %v", err)
	}
	// Another package's buckets, and an empty keystore bucket, do not
	// count as keys.
	if err := db.Update(func(tx *bbolt.Tx) error {
		if _, err := tx.CreateBucket([]byte("wallet")); err != nil {
			return err
		}
		_, err := tx.CreateBucket(keystoreBucketName)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(db, walletA); !errors.Is(err, ErrNoKeystore) {
		t.Fatalf("empty bucket: %v", err)
	}
	if err := db.View(func(tx *bbolt.Tx) error {
		if Exists(tx) {
			t.Error("Exists is true without a record")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if ErrNoKeystore.Error() != "this wallet holds no keys (watch-only)" {
		t.Fatalf("message %q", ErrNoKeystore)
	}
}

// TestCreateRefusals checks what Create must not do.
func TestCreateRefusals(t *testing.T) {
	sec := newTestSecret(t, 12, "")
	defer sec.Zero()
	db := openTestDB(t, filepath.Join(t.TempDir(), "w.db"))

	err := db.Update(func(tx *bbolt.Tx) error {
		return Create(tx, walletA, sec, nil, fastKDF)
	})
	if !errors.Is(err, ErrEmptyPassword) {
		t.Fatalf("empty password: %v", err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		return Create(tx, walletA, sec, []byte("pw"),
			WithKDFParams(KDFParams{Memory: 8 * 1024 * 1024, Time: 1,
				Threads: 1}))
	})
	if err == nil {
		t.Fatal("an 8 GiB KDF was accepted")
	}
	err = db.View(func(tx *bbolt.Tx) error {
		return Create(tx, walletA, sec, []byte("pw"), fastKDF)
	})
	if err == nil {
		t.Fatal("Create in a read-only transaction succeeded")
	}

	if err := db.Update(func(tx *bbolt.Tx) error {
		return Create(tx, walletA, sec, []byte("pw"), fastKDF)
	}); err != nil {
		t.Fatal(err)
	}
	first := readRecord(t, db)
	other := newTestSecret(t, 12, "")
	err = db.Update(func(tx *bbolt.Tx) error {
		return Create(tx, walletA, other, []byte("pw"), fastKDF)
	})
	if err == nil {
		t.Fatal("Create overwrote existing keys")
	}
	if !bytes.Equal(readRecord(t, db), first) {
		t.Fatal("the existing record changed")
	}

	// A rolled-back transaction leaves no keys behind.
	db2 := openTestDB(t, filepath.Join(t.TempDir(), "w2.db"))
	rollback := errors.New("rollback")
	err = db2.Update(func(tx *bbolt.Tx) error {
		if err := Create(tx, walletA, sec, []byte("pw"), fastKDF); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if _, err := Open(db2, walletA); !errors.Is(err, ErrNoKeystore) {
		t.Fatalf("keys survived a rollback: %v", err)
	}
}

// TestSecretPlaintext checks the plaintext serialization round trip and
// its strictness.
func TestSecretPlaintext(t *testing.T) {
	sec := newTestSecret(t, 18, "pässword")
	defer sec.Zero()
	b, err := marshalSecret(sec)
	if err != nil {
		t.Fatal(err)
	}
	if len(b)%plaintextBlock != 0 {
		t.Fatalf("plaintext of %d bytes is not padded", len(b))
	}
	got, err := unmarshalSecret(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.entropy, sec.entropy) ||
		!bytes.Equal(got.passphrase, sec.passphrase) {
		t.Fatal("round trip changed the secret")
	}

	// 12 and 24 words without passphrase have the same plaintext length.
	s12, s24 := newTestSecret(t, 12, ""), newTestSecret(t, 24, "")
	b12, _ := marshalSecret(s12)
	b24, _ := marshalSecret(s24)
	if len(b12) != len(b24) {
		t.Fatal("the plaintext length reveals the mnemonic length")
	}

	for i := range b {
		if _, err := unmarshalSecret(b[:i]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: %v", i, err)
		}
	}
	bad := bytes.Clone(b)
	bad[len(bad)-1] = 1
	if _, err := unmarshalSecret(bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("non-zero padding: %v", err)
	}
	bad = bytes.Clone(b)
	bad[1] = 17
	if _, err := unmarshalSecret(bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("bad entropy length: %v", err)
	}
}

// BenchmarkUnlock measures an unlock with the default KDF parameters,
// which is what a person waits for after typing the password.
func BenchmarkUnlock(b *testing.B) {
	sec := newTestSecret(b, 24, "")
	defer sec.Zero()
	path := createKeystore(b, walletA, sec, "benchmark password")
	db := openTestDB(b, path)
	st, err := Open(db, walletA)
	if err != nil {
		b.Fatal(err)
	}
	if st.KDFParams() != DefaultKDFParams() {
		b.Fatalf("KDF parameters %+v are not the defaults", st.KDFParams())
	}
	for b.Loop() {
		signer, err := st.Unlock([]byte("benchmark password"),
			&chaincfg.MainNetParams)
		if err != nil {
			b.Fatal(err)
		}
		signer.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// fuzzWalletID and fuzzPassword are what the FuzzOpenRecord seed records
// were sealed with, so that mutations of them reach the decryption.
var (
	fuzzWalletID = [16]byte{'f', 'u', 'z', 'z'}
	fuzzPassword = []byte("fuzz password")
)

// FuzzOpenRecord feeds arbitrary bytes to the record parser and, when the
// header is acceptable and cheap, to the decryption.
func FuzzOpenRecord(f *testing.F) {
	f.Add([]byte{})
	f.Add(append(bytes.Clone(recordMagic[:]), 1, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseRecord(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("parse error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		// The header must re-encode to the same bytes.
		h := encodeHeader(r.params, &r.salt, &r.walletID, &r.nonce)
		if !bytes.Equal(h, data[:headerLen]) {
			t.Fatal("header does not round-trip")
		}
		if r.params.Memory > 1024 || r.params.Time > 2 {
			return // valid, but too slow to decrypt here
		}
		s, err := openRecord(data, fuzzWalletID, fuzzPassword)
		switch {
		case err == nil:
			if s.Mnemonic() == "" {
				t.Fatal("opened a record into an empty secret")
			}
			s.Zero()
		case errors.Is(err, ErrCorrupt), errors.Is(err, ErrWrongPassword):
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

var updateCorpus = flag.Bool("update-corpus", false,
	"rewrite the fuzz seed corpora under testdata/fuzz")

// TestUpdateFuzzCorpus writes the seed corpora of FuzzOpenRecord (records
// sealed with the fuzz wallet id and password) and FuzzNormalizeMnemonic
// when run with -update-corpus.
func TestUpdateFuzzCorpus(t *testing.T) {
	if !*updateCorpus {
		t.Skip("run with -update-corpus to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzOpenRecord")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{}
	for _, tc := range []struct {
		name, mnemonic, pass string
	}{
		{"sealed-12-words", abandonMnemonic, ""},
		{"sealed-24-words-passphrase", "zoo zoo zoo zoo zoo zoo zoo zoo " +
			"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo " +
			"vote", "TREZOR"},
	} {
		sec, err := NewSecret(tc.mnemonic, tc.pass)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := sealRecord(sec, fuzzPassword, fuzzWalletID,
			KDFParams{Memory: 64, Time: 1, Threads: 1})
		sec.Zero()
		if err != nil {
			t.Fatal(err)
		}
		seeds[tc.name] = rec
	}
	rec := seeds["sealed-12-words"]
	seeds["truncated-header"] = rec[:headerLen-1]
	seeds["header-only"] = rec[:headerLen]
	other := bytes.Clone(rec)
	copy(other[31:47], walletA[:])
	seeds["other-wallet"] = other
	huge := bytes.Clone(rec)
	binary.BigEndian.PutUint32(huge[6:], 0xffffffff)
	seeds["huge-memory"] = huge
	for name, b := range seeds {
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, name),
			[]byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	dir = filepath.Join("testdata", "fuzz", "FuzzNormalizeMnemonic")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	words := map[string]string{
		"valid-12":        abandonMnemonic,
		"valid-24":        strings.Repeat("zoo ", 23) + "vote",
		"mixed-case-tabs": "LEGAL\twinner Thank\nyear wave  sausage worth useful legal winner thank yellow",
		"unknown-word":    "legal winner thank year wave sausage abandn useful legal winner thank yellow",
		"bad-checksum":    strings.Repeat("abandon ", 11) + "abandon",
		"eleven-words":    strings.Repeat("abandon ", 10) + "about",
		"nfkd-forms":      "ｌｅｇａｌ\u00a0winner\u3000thank year wave sausage worth useful legal winner thank yellow",
		"combining-marks": "abandone\u0301 abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"invalid-utf8":    "abandon \xff\xfe abandon",
	}
	for name, w := range words {
		content := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", w)
		if err := os.WriteFile(filepath.Join(dir, name),
			[]byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChangePasswordLeavesNoOldRecord checks that after a password change
// no piece of the old record, which the old password still decrypts, is
// left anywhere in the wallet file (bbolt frees the page it copied the
// record from, but does not clear it), also after several changes in a
// file that holds other data.
func TestChangePasswordLeavesNoOldRecord(t *testing.T) {
	sec := newTestSecret(t, 24, "")
	defer sec.Zero()
	path := createKeystore(t, walletA, sec, "old", fastKDF)
	db := openTestDB(t, path)
	// Other buckets, as the wallet's own, share the file.
	err := db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("txs"))
		if err != nil {
			return err
		}
		for i := range 200 {
			if err := b.Put(fmt.Appendf(nil, "tx%03d", i),
				bytes.Repeat([]byte{byte(i)}, 300)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(db, walletA)
	if err != nil {
		t.Fatal(err)
	}
	var old [][]byte
	passwords := []string{"old", "second", "third"}
	for k := 1; k < len(passwords); k++ {
		old = append(old, readRecord(t, db))
		if err := st.ChangePassword([]byte(passwords[k-1]),
			[]byte(passwords[k])); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, rec := range old {
		// Everything after the fixed part of the header (the version
		// and KDF parameters, the same in every record): salt, nonce,
		// ciphertext.
		for off := 16; off+16 <= len(rec); off += 16 {
			if bytes.Contains(file, rec[off:off+16]) {
				t.Fatalf("bytes %d–%d of the record sealed under %q "+
					"are still in the file", off, off+16, passwords[k])
			}
		}
	}
	// The file is sound and the keys open with the last password only.
	db = openTestDB(t, path)
	st, err = Open(db, walletA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Secret([]byte("third")); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatalf("the file is damaged after the wipe: %v", err)
	}
}
