package headerstore

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Offsets into the 80-byte wire serialization of a block header.
const (
	headerPrevOff = 4  // previous block hash, 32 bytes
	headerBitsOff = 72 // compact difficulty target, 4 bytes little-endian
)

// PutHeader writes the 80-byte wire serialization of h into dst, exactly
// as h.Serialize would, without an io.Writer. dst must hold 80 bytes.
func PutHeader(dst []byte, h *wire.BlockHeader) {
	_ = dst[headerLen-1]
	le := binary.LittleEndian
	le.PutUint32(dst[0:], uint32(h.Version))
	copy(dst[4:36], h.PrevBlock[:])
	copy(dst[36:68], h.MerkleRoot[:])
	le.PutUint32(dst[68:], uint32(h.Timestamp.Unix()))
	le.PutUint32(dst[72:], h.Bits)
	le.PutUint32(dst[76:], h.Nonce)
}

// getHeader decodes an 80-byte wire serialization into h, as
// h.Deserialize would.
func getHeader(src []byte, h *wire.BlockHeader) {
	_ = src[headerLen-1]
	le := binary.LittleEndian
	h.Version = int32(le.Uint32(src[0:]))
	copy(h.PrevBlock[:], src[4:36])
	copy(h.MerkleRoot[:], src[36:68])
	h.Timestamp = time.Unix(int64(le.Uint32(src[68:])), 0)
	h.Bits = le.Uint32(src[72:])
	h.Nonce = le.Uint32(src[76:])
}

// recPrev returns the previous-block hash field of a serialized header.
func recPrev(rec []byte) []byte {
	return rec[headerPrevOff : headerPrevOff+chainhash.HashSize]
}

// recBits returns the compact difficulty target of a serialized header.
func recBits(rec []byte) uint32 {
	return binary.LittleEndian.Uint32(rec[headerBitsOff:])
}

// linksTo reports whether the serialized header rec builds on the block
// with hash prev.
func linksTo(rec []byte, prev *chainhash.Hash) bool {
	return bytes.Equal(recPrev(rec), prev[:])
}

// workCalc adds up chain work. blockchain.CalcWork divides big numbers and
// allocates; the work of the last difficulty seen is kept, since on every
// network the difficulty stays the same for long runs of blocks.
type workCalc struct {
	bits uint32
	work *big.Int
}

// of returns the work of one block with compact target bits. The result
// is shared: callers must not modify it.
func (c *workCalc) of(bits uint32) *big.Int {
	if c.work == nil || c.bits != bits {
		c.bits, c.work = bits, blockchain.CalcWork(bits)
	}
	return c.work
}

// addRecords adds the work of each serialized header in recs to w.
func (c *workCalc) addRecords(w *big.Int, recs []byte) {
	for off := 0; off+headerLen <= len(recs); off += headerLen {
		w.Add(w, c.of(recBits(recs[off:])))
	}
}
