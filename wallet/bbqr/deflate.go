package bbqr

import (
	"bytes"
	"compress/flate"
)

// windowSize is the deflate window BBQr allows (wbits 10): no match may
// reach further back than this, so that small devices can inflate with a
// 1 KiB buffer.
const windowSize = 1 << 10

const (
	minMatch  = 3
	maxMatch  = 258
	hashBits  = 12
	maxChain  = 64 // candidates tried per position
	niceMatch = 128
)

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [20]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769}
	distExtra   = [20]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8}
)

// bitWriter writes the LSB-first bit stream of deflate.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	w.acc |= uint64(v) << w.n
	w.n += n
	for w.n >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

// code writes a Huffman code, which deflate stores most significant bit
// first.
func (w *bitWriter) code(c uint32, n uint) {
	var r uint32
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(r, n)
}

func (w *bitWriter) flush() []byte {
	if w.n > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc, w.n = 0, 0
	}
	return w.out
}

// literal writes a literal/length symbol with the fixed Huffman code.
func (w *bitWriter) literal(s int) {
	switch {
	case s < 144:
		w.code(uint32(0x30+s), 8)
	case s < 256:
		w.code(uint32(0x190+s-144), 9)
	case s < 280:
		w.code(uint32(s-256), 7)
	default:
		w.code(uint32(0xc0+s-280), 8)
	}
}

func (w *bitWriter) match(length, dist int) {
	i := len(lengthBase) - 1
	for int(lengthBase[i]) > length {
		i--
	}
	w.literal(257 + i)
	w.bits(uint32(length-int(lengthBase[i])), uint(lengthExtra[i]))
	d := len(distBase) - 1
	for int(distBase[d]) > dist {
		d--
	}
	w.code(uint32(d), 5)
	w.bits(uint32(dist-int(distBase[d])), uint(distExtra[d]))
}

func hash3(b []byte) uint32 {
	return (uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])) * 2654435761 >> (32 - hashBits)
}

// deflateLZ compresses data as one fixed-Huffman block with matches no
// further back than windowSize.
func deflateLZ(data []byte) []byte {
	w := &bitWriter{out: make([]byte, 0, len(data)/2+16)}
	w.bits(1, 1) // BFINAL
	w.bits(1, 2) // BTYPE 01: fixed Huffman codes
	head := make([]int32, 1<<hashBits)
	for i := range head {
		head[i] = -1
	}
	prev := make([]int32, len(data))
	insert := func(i int) {
		if i+minMatch <= len(data) {
			h := hash3(data[i:])
			prev[i] = head[h]
			head[h] = int32(i)
		}
	}
	for i := 0; i < len(data); {
		bestLen, bestDist := 0, 0
		if i+minMatch <= len(data) {
			limit := min(maxMatch, len(data)-i)
			for c, chain := head[hash3(data[i:])], 0; c >= 0 && i-int(c) <= windowSize && chain < maxChain; c, chain = prev[c], chain+1 {
				l := 0
				for l < limit && data[int(c)+l] == data[i+l] {
					l++
				}
				if l > bestLen {
					bestLen, bestDist = l, i-int(c)
					if l >= niceMatch {
						break
					}
				}
			}
		}
		if bestLen >= minMatch {
			w.match(bestLen, bestDist)
			for j := i; j < i+bestLen; j++ {
				insert(j)
			}
			i += bestLen
			continue
		}
		w.literal(int(data[i]))
		insert(i)
		i++
	}
	w.literal(256) // end of block
	return w.flush()
}

// compress returns the shorter of two raw deflate streams that any
// inflater with a 1 KiB window reads: LZ77 matches within the window with
// fixed codes, or Huffman coding alone (no matches) from compress/flate.
func compress(data []byte) []byte {
	lz := deflateLZ(data)
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.HuffmanOnly)
	if err == nil {
		_, err = fw.Write(data)
	}
	if err == nil {
		err = fw.Close()
	}
	if err == nil && buf.Len() < len(lz) {
		return buf.Bytes()
	}
	return lz
}
