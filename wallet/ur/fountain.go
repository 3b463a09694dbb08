package ur

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Limits on what a decoder accepts, so that a hostile part cannot make it
// allocate without bound.
const (
	// MaxMessageLen is the longest message a Decoder reassembles.
	MaxMessageLen = 16 << 20

	// maxSeqLen is the most fragments a message may be split into.
	maxSeqLen = 1 << 16
)

// ErrPart is wrapped by the errors of parts that cannot belong to the
// message being decoded.
var ErrPart = errors.New("invalid UR part")

// fountainPart is one part of the fountain code: the fields of the CBOR
// array [seqNum, seqLen, messageLen, checksum, data].
type fountainPart struct {
	seqNum     uint32
	seqLen     int
	messageLen int
	checksum   uint32
	data       []byte
}

func (p *fountainPart) cbor() []byte {
	return EncodeCBOR(Array(Uint(uint64(p.seqNum)), Uint(uint64(p.seqLen)),
		Uint(uint64(p.messageLen)), Uint(uint64(p.checksum)), Bytes(p.data)))
}

// parsePart reads a fountain part from its CBOR.
func parsePart(b []byte) (*fountainPart, error) {
	v, err := DecodeCBOR(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPart, err)
	}
	if v.Kind != KindArray || len(v.Array) != 5 {
		return nil, fmt.Errorf("%w: a part must be an array of five items", ErrPart)
	}
	a := v.Array
	for i := range 4 {
		if a[i].Kind != KindUint {
			return nil, fmt.Errorf("%w: item %d of the part is not a number", ErrPart, i+1)
		}
	}
	if a[4].Kind != KindBytes {
		return nil, fmt.Errorf("%w: the part carries no fragment", ErrPart)
	}
	p := &fountainPart{data: a[4].Bytes}
	switch {
	case a[0].N > math.MaxUint32 || a[3].N > math.MaxUint32:
		return nil, fmt.Errorf("%w: sequence number or checksum out of range", ErrPart)
	case a[1].N == 0 || a[1].N > maxSeqLen:
		return nil, fmt.Errorf("%w: %d fragments is out of range", ErrPart, a[1].N)
	case a[2].N == 0 || a[2].N > MaxMessageLen:
		return nil, fmt.Errorf("%w: a message of %d bytes is out of range", ErrPart, a[2].N)
	case len(p.data) == 0:
		return nil, fmt.Errorf("%w: the fragment is empty", ErrPart)
	}
	p.seqNum, p.seqLen, p.messageLen, p.checksum =
		uint32(a[0].N), int(a[1].N), int(a[2].N), uint32(a[3].N)
	// The fragments must just cover the message: the last may be padded,
	// but no fragment may be padding alone.
	fl := len(p.data)
	if fl*p.seqLen < p.messageLen || fl*(p.seqLen-1) >= p.messageLen {
		return nil, fmt.Errorf("%w: %d fragments of %d bytes do not fit a "+
			"message of %d bytes", ErrPart, p.seqLen, fl, p.messageLen)
	}
	return p, nil
}

// fragmentLength picks the fragment length for a message: the shortest
// length, using as few fragments as possible, that is at most maxLen, and
// never shorter than minLen (unless the message is).
func fragmentLength(messageLen, minLen, maxLen int) int {
	maxCount := max(messageLen/minLen, 1)
	var l int
	for count := 1; count <= maxCount; count++ {
		l = (messageLen + count - 1) / count
		if l <= maxLen {
			break
		}
	}
	return l
}

// partition splits message into fragments of fragLen bytes, padding the
// last with zeros.
func partition(message []byte, fragLen int) [][]byte {
	var out [][]byte
	for off := 0; off < len(message); off += fragLen {
		f := make([]byte, fragLen)
		copy(f, message[off:])
		out = append(out, f)
	}
	return out
}

// sampler is Walker's alias method over a fixed distribution, built the way
// the reference implementations build it so that draws agree exactly.
type sampler struct {
	probs   []float64
	aliases []int
}

func newSampler(weights []float64) *sampler {
	n := len(weights)
	var sum float64
	for _, w := range weights {
		sum += w
	}
	p := make([]float64, n)
	for i, w := range weights {
		p[i] = w * float64(n) / sum
	}
	var small, large []int
	for i := n - 1; i >= 0; i-- {
		if p[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	s := &sampler{probs: make([]float64, n), aliases: make([]int, n)}
	for len(small) > 0 && len(large) > 0 {
		a := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		large = large[:len(large)-1]
		s.probs[a] = p[a]
		s.aliases[a] = g
		p[g] += p[a] - 1
		if p[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	for _, i := range large {
		s.probs[i] = 1
	}
	for _, i := range small { // only through rounding
		s.probs[i] = 1
	}
	return s
}

func (s *sampler) next(x *xoshiro) int {
	r1, r2 := x.nextDouble(), x.nextDouble()
	i := int(float64(len(s.probs)) * r1)
	if r2 < s.probs[i] {
		return i
	}
	return s.aliases[i]
}

// degreeSamplers caches the degree distribution of each message length:
// degree d with weight 1/d for d in 1..seqLen.
var degreeSamplers sync.Map // int -> *sampler

func degreeSampler(seqLen int) *sampler {
	if s, ok := degreeSamplers.Load(seqLen); ok {
		return s.(*sampler)
	}
	w := make([]float64, seqLen)
	for i := range w {
		w[i] = 1 / float64(i+1)
	}
	s, _ := degreeSamplers.LoadOrStore(seqLen, newSampler(w))
	return s.(*sampler)
}

// chooseDegree draws how many fragments a mixed part holds.
func chooseDegree(seqLen int, x *xoshiro) int {
	return degreeSampler(seqLen).next(x) + 1
}

// chooseFragments returns, sorted, the indexes of the fragments that part
// seqNum of a message holds: fragment seqNum-1 for the first seqLen parts,
// then a pseudo-random set seeded by seqNum and the checksum.
func chooseFragments(seqNum uint32, seqLen int, checksum uint32) []int {
	if int64(seqNum) <= int64(seqLen) && seqNum > 0 {
		return []int{int(seqNum) - 1}
	}
	var seed [8]byte
	binary.BigEndian.PutUint32(seed[:4], seqNum)
	binary.BigEndian.PutUint32(seed[4:], checksum)
	x := newXoshiro(seed[:])
	degree := chooseDegree(seqLen, x)
	remaining := make([]int, seqLen)
	for i := range remaining {
		remaining[i] = i
	}
	// The shuffle draws one number per item taken; the first degree items
	// need only the first degree draws.
	chosen := make([]int, 0, degree)
	for range degree {
		i := x.nextInt(0, len(remaining)-1)
		chosen = append(chosen, remaining[i])
		remaining = slices.Delete(remaining, i, i+1)
	}
	slices.Sort(chosen)
	return chosen
}

// fountainEncoder emits the parts of one message, without end.
type fountainEncoder struct {
	messageLen int
	checksum   uint32
	fragments  [][]byte
	seqNum     uint32
}

func newFountainEncoder(message []byte, maxFragLen, minFragLen int, firstSeqNum uint32) *fountainEncoder {
	fl := fragmentLength(len(message), minFragLen, maxFragLen)
	return &fountainEncoder{
		messageLen: len(message),
		checksum:   crc32.ChecksumIEEE(message),
		fragments:  partition(message, fl),
		seqNum:     firstSeqNum,
	}
}

func (e *fountainEncoder) seqLen() int { return len(e.fragments) }

func (e *fountainEncoder) nextPart() *fountainPart {
	e.seqNum++
	idx := chooseFragments(e.seqNum, len(e.fragments), e.checksum)
	data := make([]byte, len(e.fragments[0]))
	for _, i := range idx {
		xorInto(data, e.fragments[i])
	}
	return &fountainPart{seqNum: e.seqNum, seqLen: len(e.fragments),
		messageLen: e.messageLen, checksum: e.checksum, data: data}
}

func xorInto(dst, src []byte) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}

// mixed is a part reduced as far as the known fragments allow: the XOR of
// the fragments in indexes.
type mixed struct {
	indexes []int // sorted
	data    []byte
}

func setKey(idx []int) string {
	var b strings.Builder
	for _, i := range idx {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(',')
	}
	return b.String()
}

// isSubset reports whether sorted a is a subset of sorted b.
func isSubset(a, b []int) bool {
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
	}
	return true
}

// minus returns sorted a without the items of sorted b.
func minus(a, b []int) []int {
	out := make([]int, 0, len(a))
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}

// fountainDecoder reassembles a message from parts in any order. It is not
// safe for concurrent use.
type fountainDecoder struct {
	seqLen, messageLen, fragLen int
	checksum                    uint32
	started                     bool

	simple   map[int][]byte    // solved fragments
	mixedSet map[string]*mixed // unsolved mixtures by index set
	seen     map[uint32]bool   // sequence numbers received
	received int               // distinct parts received

	result []byte
}

func newFountainDecoder() *fountainDecoder {
	return &fountainDecoder{simple: map[int][]byte{}, mixedSet: map[string]*mixed{}, seen: map[uint32]bool{}}
}

// receive adds a part. It reports whether the part was new; a part of
// another message is an error.
func (d *fountainDecoder) receive(p *fountainPart) (bool, error) {
	if !d.started {
		d.seqLen, d.messageLen, d.fragLen, d.checksum = p.seqLen, p.messageLen, len(p.data), p.checksum
		d.started = true
	} else if p.seqLen != d.seqLen || p.messageLen != d.messageLen ||
		len(p.data) != d.fragLen || p.checksum != d.checksum {
		return false, fmt.Errorf("%w: this part belongs to another message "+
			"(%d bytes in %d fragments, not %d in %d)", ErrPart,
			p.messageLen, p.seqLen, d.messageLen, d.seqLen)
	}
	if d.result != nil || d.seen[p.seqNum] {
		return false, nil
	}
	d.seen[p.seqNum] = true
	d.received++
	idx := chooseFragments(p.seqNum, p.seqLen, p.checksum)
	queue := []*mixed{{indexes: idx, data: append([]byte(nil), p.data...)}}
	for len(queue) > 0 && d.result == nil {
		m := queue[0]
		queue = queue[1:]
		if len(m.indexes) == 1 {
			queue = append(queue, d.addSimple(m)...)
		} else {
			queue = append(queue, d.addMixed(m)...)
		}
	}
	return true, d.finish()
}

// addSimple records a solved fragment and returns the mixtures it solves.
func (d *fountainDecoder) addSimple(m *mixed) []*mixed {
	i := m.indexes[0]
	if _, ok := d.simple[i]; ok {
		return nil
	}
	d.simple[i] = m.data
	var solved []*mixed
	for k, mx := range d.mixedSet {
		if _, found := slices.BinarySearch(mx.indexes, i); !found {
			continue
		}
		delete(d.mixedSet, k)
		r := &mixed{indexes: minus(mx.indexes, m.indexes), data: mx.data}
		xorInto(r.data, m.data)
		if len(r.indexes) == 1 {
			solved = append(solved, r)
		} else {
			d.mixedSet[setKey(r.indexes)] = r
		}
	}
	return solved
}

// addMixed reduces a mixture by what is known; it returns it when that
// leaves one fragment, else keeps it and uses it to reduce the others,
// returning those it solves.
func (d *fountainDecoder) addMixed(m *mixed) []*mixed {
	for _, i := range m.indexes {
		if f, ok := d.simple[i]; ok {
			xorInto(m.data, f)
			m.indexes = minus(m.indexes, []int{i})
		}
	}
	for _, mx := range d.mixedSet {
		if len(mx.indexes) < len(m.indexes) && isSubset(mx.indexes, m.indexes) {
			xorInto(m.data, mx.data)
			m.indexes = minus(m.indexes, mx.indexes)
		}
	}
	switch len(m.indexes) {
	case 0:
		return nil
	case 1:
		return []*mixed{m}
	}
	key := setKey(m.indexes)
	if _, ok := d.mixedSet[key]; ok {
		return nil
	}
	var solved []*mixed
	for k, mx := range d.mixedSet {
		if len(m.indexes) < len(mx.indexes) && isSubset(m.indexes, mx.indexes) {
			delete(d.mixedSet, k)
			xorInto(mx.data, m.data)
			mx.indexes = minus(mx.indexes, m.indexes)
			if len(mx.indexes) == 1 {
				solved = append(solved, mx)
			} else {
				d.mixedSet[setKey(mx.indexes)] = mx
			}
		}
	}
	d.mixedSet[key] = m
	return solved
}

// finish joins the fragments once all are known and checks the checksum.
func (d *fountainDecoder) finish() error {
	if d.result != nil || len(d.simple) < d.seqLen {
		return nil
	}
	msg := make([]byte, 0, d.seqLen*d.fragLen)
	for i := range d.seqLen {
		msg = append(msg, d.simple[i]...)
	}
	msg = msg[:d.messageLen]
	if crc32.ChecksumIEEE(msg) != d.checksum {
		// Start over: some part was corrupt.
		*d = *newFountainDecoder()
		return fmt.Errorf("%w: the reassembled message does not match its "+
			"checksum; scanning starts over", ErrPart)
	}
	d.result = msg
	return nil
}

// solved returns how many fragments are known.
func (d *fountainDecoder) solved() int { return len(d.simple) }
