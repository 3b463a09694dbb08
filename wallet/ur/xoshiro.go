package ur

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// xoshiro is the Xoshiro256** generator that encoder and decoder both seed
// from a part's sequence number and the message checksum, so that they
// agree on which fragments a mixed part holds.
type xoshiro struct {
	s [4]uint64
}

// newXoshiro seeds the generator with SHA-256 of seed, its state being the
// digest read as four big-endian words.
func newXoshiro(seed []byte) *xoshiro {
	d := sha256.Sum256(seed)
	var x xoshiro
	for i := range x.s {
		x.s[i] = binary.BigEndian.Uint64(d[8*i:])
	}
	return &x
}

func (x *xoshiro) next() uint64 {
	s := &x.s
	result := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return result
}

// nextDouble returns a number in [0, 1).
func (x *xoshiro) nextDouble() float64 {
	return float64(x.next()) / 18446744073709551616.0 // 2^64
}

// nextInt returns a number in [low, high].
func (x *xoshiro) nextInt(low, high int) int {
	return int(x.nextDouble()*float64(high-low+1)) + low
}

// nextByte returns a pseudo-random byte.
func (x *xoshiro) nextByte() byte {
	return byte(x.nextInt(0, 255))
}
