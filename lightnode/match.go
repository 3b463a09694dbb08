package lightnode

import (
	"math/bits"
	"slices"

	"github.com/aead/siphash"
	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
)

// matchAny reports whether any of scripts is in the BIP158 basic filter f
// whose SipHash key is key. It gives the answer of f.MatchAny, faster for
// the case of a wallet scan (about a thousand scripts against filters of a
// few thousand elements): the scripts' hashes are sorted without
// reflection, and the Golomb-Rice code is read a 64-bit word at a time
// rather than bit by bit. scratch holds the hashes between calls.
func matchAny(f *gcs.Filter, key *[gcs.KeySize]byte, scripts [][]byte, scratch *[]uint64) (bool, error) {
	n := f.N()
	if n == 0 || len(scripts) == 0 {
		return false, nil
	}
	data, err := f.Bytes()
	if err != nil {
		return false, err
	}
	// Each script maps to [0, N*M) as in BIP158: the high 64 bits of its
	// SipHash times N*M.
	np := uint64(n) * builder.DefaultM
	values := (*scratch)[:0]
	for _, s := range scripts {
		hi, _ := bits.Mul64(siphash.Sum64(s, key), np)
		values = append(values, hi)
	}
	slices.Sort(values)
	*scratch = values

	r := riceReader{data: data}
	var value uint64
	q := 0
	for range n {
		delta, ok := r.next(builder.DefaultP)
		if !ok {
			return false, nil // a short filter matches no more (as in gcs)
		}
		value += delta
		for values[q] < value {
			if q++; q == len(values) {
				return false, nil
			}
		}
		if values[q] == value {
			return true, nil
		}
	}
	return false, nil
}

// riceReader reads Golomb-Rice coded deltas, most significant bit first.
type riceReader struct {
	data []byte
	pos  int    // next byte of data to load into buf
	buf  uint64 // bits not read yet, left-aligned
	n    uint   // number of them
}

// fill tops buf up with whole bytes.
func (r *riceReader) fill() {
	for r.n <= 56 && r.pos < len(r.data) {
		r.buf |= uint64(r.data[r.pos]) << (56 - r.n)
		r.pos++
		r.n += 8
	}
}

// next reads one delta: a quotient in unary (ones ended by a zero), then p
// bits of remainder. It returns false at the end of the data.
func (r *riceReader) next(p uint8) (uint64, bool) {
	var quotient uint64
	for {
		if r.n == 0 {
			if r.fill(); r.n == 0 {
				return 0, false
			}
		}
		ones := uint(bits.LeadingZeros64(^r.buf))
		if ones < r.n {
			quotient += uint64(ones)
			r.buf <<= ones + 1
			r.n -= ones + 1
			break
		}
		quotient += uint64(r.n)
		r.buf, r.n = 0, 0
	}
	if r.n < uint(p) {
		r.fill()
		if r.n < uint(p) {
			return 0, false
		}
	}
	rem := r.buf >> (64 - uint(p))
	r.buf <<= p
	r.n -= uint(p)
	return quotient<<p | rem, true
}
