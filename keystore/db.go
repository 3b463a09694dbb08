package keystore

// All bbolt access of the package lives in this file.
//
// Layout inside the wallet's bbolt file:
//
//	bucket "keystore"
//	    key "secret" -> the encrypted record (see record.go)
//
// The rest of the wallet file belongs to other packages; this one touches
// only its bucket.

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"go.etcd.io/bbolt"
)

var (
	// keystoreBucketName is the bucket holding the keystore.
	keystoreBucketName = []byte("keystore")

	// secretRecordKey is the key of the encrypted secret record.
	secretRecordKey = []byte("secret")
)

// errRecordChanged is returned by dbReplaceRecord when the stored record is
// no longer the one the caller read; nothing is written then.
var errRecordChanged = errors.New("the keystore changed while the " +
	"password was being changed; nothing was written, please try again")

// dbFetchRecord returns a copy of the stored record, or nil when there is
// none. The copy stays valid after tx ends.
func dbFetchRecord(tx *bbolt.Tx) []byte {
	b := tx.Bucket(keystoreBucketName)
	if b == nil {
		return nil
	}
	v := b.Get(secretRecordKey)
	if v == nil {
		return nil
	}
	return bytes.Clone(v)
}

// dbPutRecord stores rec, creating the bucket when needed. tx must be
// writable.
func dbPutRecord(tx *bbolt.Tx, rec []byte) error {
	b, err := tx.CreateBucketIfNotExists(keystoreBucketName)
	if err != nil {
		return fmt.Errorf("cannot store the keys in the wallet file: %w",
			err)
	}
	if err := b.Put(secretRecordKey, rec); err != nil {
		return fmt.Errorf("cannot store the keys in the wallet file: %w",
			err)
	}
	return nil
}

// dbRecordExists reports whether tx sees a stored record.
func dbRecordExists(tx *bbolt.Tx) bool {
	b := tx.Bucket(keystoreBucketName)
	return b != nil && b.Get(secretRecordKey) != nil
}

// dbCheckCreate reports whether a first record may be stored through tx:
// tx must be writable and the wallet must not hold keys yet. Create calls
// it before the slow KDF.
func dbCheckCreate(tx *bbolt.Tx) error {
	if !tx.Writable() {
		return errors.New("cannot store the keys: the wallet file was " +
			"opened for reading only")
	}
	if dbRecordExists(tx) {
		return errAlreadyExists
	}
	return nil
}

// dbCreateRecord stores rec as the wallet's first record; it refuses to
// overwrite an existing one. tx must be writable.
func dbCreateRecord(tx *bbolt.Tx, rec []byte) error {
	if err := dbCheckCreate(tx); err != nil {
		return err
	}
	return dbPutRecord(tx, rec)
}

// dbLoadRecord reads a copy of the stored record in a read-only
// transaction, or nil when there is none. It never writes to the file.
func dbLoadRecord(db *bbolt.DB) ([]byte, error) {
	var rec []byte
	err := db.View(func(tx *bbolt.Tx) error {
		rec = dbFetchRecord(tx)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the wallet file: %w", err)
	}
	return rec, nil
}

// dbReplaceRecord replaces the stored record old with rec in one write
// transaction, so the file holds either the old or the new record, never
// neither. It fails with errRecordChanged, writing nothing, when the stored
// record is no longer old.
func dbReplaceRecord(db *bbolt.DB, old, rec []byte) error {
	return db.Update(func(tx *bbolt.Tx) error {
		cur := dbFetchRecord(tx)
		if cur == nil {
			return ErrNoKeystore
		}
		if !bytes.Equal(cur, old) {
			return errRecordChanged
		}
		return dbPutRecord(tx, rec)
	})
}

// dbWipeFreePages overwrites with zeros every page of db's file that no
// longer holds live data, so that an old record replaced by
// dbReplaceRecord (bbolt copies a page on write and only frees the old one)
// cannot be read from the file afterwards.
//
// It first commits an empty write transaction, so that both of bbolt's meta
// pages name a tree without the old record: even the fallback meta page
// bbolt uses when the newer one is torn never points at a wiped page. The
// wipe then runs inside a write transaction, which keeps bbolt from
// allocating pages meanwhile, and touches only the pages bbolt's freelist
// names as free (or pending: freed by a transaction older readers may still
// see; none of the wallet's readers keep one open across a password change).
func dbWipeFreePages(db *bbolt.DB) error {
	if err := db.Update(func(*bbolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("cannot scrub the old keys from the wallet "+
			"file: %w", err)
	}
	err := db.Update(func(tx *bbolt.Tx) error {
		f, err := os.OpenFile(db.Path(), os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		pageSize := tx.DB().Info().PageSize
		zeros := make([]byte, pageSize)
		wiped := false
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil {
				return err
			}
			if info == nil {
				break // past the high water mark
			}
			if info.Type != "free" {
				continue
			}
			if _, err := f.WriteAt(zeros, int64(id)*int64(pageSize)); err != nil {
				return err
			}
			wiped = true
		}
		if wiped {
			return f.Sync()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot scrub the old keys from the wallet "+
			"file: %w", err)
	}
	return nil
}
