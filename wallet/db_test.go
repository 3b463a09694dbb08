package wallet

import (
	"bytes"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// TestTxRecordVersion1 reads a transaction record written before records
// had LastSeen: it counts as last seen when first seen, and rewriting it
// keeps every field.
func TestTxRecordVersion1(t *testing.T) {
	w, _ := newTestWallet(t)
	c := newTestChain()
	tx := c.pay(script(t, w, ReceiveBranch, 0))
	first := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var v1 bytes.Buffer
	v1.WriteByte(txRecordVersion1)
	v1.Write(be32(7))
	v1.Write(bytes.Repeat([]byte{0xab}, 32))
	v1.Write(be32(3))
	v1.Write(be64(uint64(first.Add(-time.Hour).Unix())))
	v1.Write(be64(uint64(first.Unix())))
	tx.Serialize(&v1)
	id := tx.TxHash()
	err := w.db.Update(func(btx *bbolt.Tx) error { return btx.Bucket(txBucket).Put(id[:], v1.Bytes()) })
	if err != nil {
		t.Fatal(err)
	}
	read := func() *txRecord {
		var got *txRecord
		safeView(w.db, func(btx *bbolt.Tx) error {
			return dbForEachTx(btx, func(r *txRecord) error { got = r; return nil })
		})
		if got == nil {
			t.Fatal("the record cannot be read")
		}
		return got
	}
	r := read()
	if r.Height != 7 || r.BlockIndex != 3 || r.BlockHash[0] != 0xab || !r.FirstSeen.Equal(first) ||
		!r.LastSeen.Equal(first) || r.Tx.TxHash() != id {
		t.Fatalf("version 1 record read as %+v", r)
	}
	r.LastSeen = first.Add(time.Hour)
	if err := w.db.Update(func(btx *bbolt.Tx) error { return dbPutTx(btx, r) }); err != nil {
		t.Fatal(err)
	}
	if again := read(); again.Height != 7 || !again.FirstSeen.Equal(first) || !again.LastSeen.Equal(first.Add(time.Hour)) {
		t.Fatalf("rewritten record read as %+v", again)
	}
}
