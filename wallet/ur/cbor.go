package ur

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"
)

// ErrCBOR is wrapped by every error of DecodeCBOR and of reading a CBOR
// value as a registry type.
var ErrCBOR = errors.New("invalid CBOR")

// Kind is the kind of a CBOR Value.
type Kind uint8

// The kinds of CBOR value this package reads and writes.
const (
	KindUint  Kind = iota // major type 0: unsigned integer
	KindNeg               // major type 1: negative integer -1-N
	KindBytes             // major type 2: byte string
	KindText              // major type 3: UTF-8 text string
	KindArray             // major type 4: array
	KindMap               // major type 5: map
	KindTag               // major type 6: tagged value
	KindBool              // simple values 20 (false) and 21 (true)
	KindNull              // simple value 22
)

// Value is one CBOR data item. Which fields mean something depends on Kind:
// N is the number of a Uint, Neg (the value is -1-N) or Tag; Bytes, Text,
// Array, Map and Bool hold the rest; Content is the tagged value of a Tag.
type Value struct {
	Kind    Kind
	N       uint64
	Bytes   []byte
	Text    string
	Array   []Value
	Map     []Pair
	Bool    bool
	Content *Value
}

// Pair is one entry of a CBOR map.
type Pair struct {
	Key, Value Value
}

// Uint returns an unsigned integer value.
func Uint(n uint64) Value { return Value{Kind: KindUint, N: n} }

// Bytes returns a byte string value.
func Bytes(b []byte) Value { return Value{Kind: KindBytes, Bytes: b} }

// Text returns a text string value.
func Text(s string) Value { return Value{Kind: KindText, Text: s} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{Kind: KindBool, Bool: b} }

// Array returns an array value.
func Array(items ...Value) Value { return Value{Kind: KindArray, Array: items} }

// Map returns a map value; Encode sorts its keys.
func Map(pairs ...Pair) Value { return Value{Kind: KindMap, Map: pairs} }

// Tag returns content tagged with tag.
func Tag(tag uint64, content Value) Value {
	return Value{Kind: KindTag, N: tag, Content: &content}
}

// Get returns the value of the map entry whose key is the unsigned integer
// key.
func (v Value) Get(key uint64) (Value, bool) {
	if v.Kind != KindMap {
		return Value{}, false
	}
	for _, p := range v.Map {
		if p.Key.Kind == KindUint && p.Key.N == key {
			return p.Value, true
		}
	}
	return Value{}, false
}

// Untag returns the content of a value tagged with one of tags, and whether
// it was so tagged.
func (v Value) Untag(tags ...uint64) (Value, bool) {
	if v.Kind != KindTag || v.Content == nil || !slices.Contains(tags, v.N) {
		return Value{}, false
	}
	return *v.Content, true
}

// EncodeCBOR writes v as deterministic CBOR (RFC 8949 §4.2): shortest
// lengths and map keys sorted by their encoding.
func EncodeCBOR(v Value) []byte {
	return appendValue(nil, v)
}

func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= 0xff:
		return append(b, m|24, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, m|27), n)
	}
}

func appendValue(b []byte, v Value) []byte {
	switch v.Kind {
	case KindUint:
		return appendHead(b, 0, v.N)
	case KindNeg:
		return appendHead(b, 1, v.N)
	case KindBytes:
		return append(appendHead(b, 2, uint64(len(v.Bytes))), v.Bytes...)
	case KindText:
		return append(appendHead(b, 3, uint64(len(v.Text))), v.Text...)
	case KindArray:
		b = appendHead(b, 4, uint64(len(v.Array)))
		for _, it := range v.Array {
			b = appendValue(b, it)
		}
		return b
	case KindMap:
		type entry struct{ k, v []byte }
		entries := make([]entry, len(v.Map))
		for i, p := range v.Map {
			entries[i] = entry{appendValue(nil, p.Key), appendValue(nil, p.Value)}
		}
		slices.SortFunc(entries, func(x, y entry) int { return bytes.Compare(x.k, y.k) })
		b = appendHead(b, 5, uint64(len(entries)))
		for _, e := range entries {
			b = append(append(b, e.k...), e.v...)
		}
		return b
	case KindTag:
		b = appendHead(b, 6, v.N)
		if v.Content == nil {
			return append(b, 0xf6)
		}
		return appendValue(b, *v.Content)
	case KindBool:
		if v.Bool {
			return append(b, 0xf5)
		}
		return append(b, 0xf4)
	default:
		return append(b, 0xf6)
	}
}

// maxDepth bounds the nesting of arrays, maps and tags DecodeCBOR accepts.
const maxDepth = 32

// DecodeCBOR reads exactly one CBOR data item from data. Indefinite
// lengths, floating-point numbers and simple values other than false, true
// and null are refused, as is anything after the item.
func DecodeCBOR(data []byte) (Value, error) {
	d := &cborDecoder{data: data}
	v, err := d.value(0)
	if err != nil {
		return Value{}, err
	}
	if d.off != len(data) {
		return Value{}, fmt.Errorf("%w: %d bytes follow the value",
			ErrCBOR, len(data)-d.off)
	}
	return v, nil
}

type cborDecoder struct {
	data []byte
	off  int
}

func (d *cborDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", ErrCBOR, d.off, fmt.Sprintf(format, args...))
}

// head reads an item's initial byte and argument.
func (d *cborDecoder) head() (major byte, info byte, n uint64, err error) {
	if d.off >= len(d.data) {
		return 0, 0, 0, d.errorf("the data ends early")
	}
	ib := d.data[d.off]
	d.off++
	major, info = ib>>5, ib&0x1f
	var size int
	switch {
	case info < 24:
		return major, info, uint64(info), nil
	case info == 24:
		size = 1
	case info == 25:
		size = 2
	case info == 26:
		size = 4
	case info == 27:
		size = 8
	default:
		return 0, 0, 0, d.errorf("indefinite lengths and reserved values are not supported")
	}
	if len(d.data)-d.off < size {
		return 0, 0, 0, d.errorf("the data ends early")
	}
	for _, c := range d.data[d.off : d.off+size] {
		n = n<<8 | uint64(c)
	}
	d.off += size
	return major, info, n, nil
}

func (d *cborDecoder) value(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, d.errorf("nested deeper than %d", maxDepth)
	}
	major, info, n, err := d.head()
	if err != nil {
		return Value{}, err
	}
	switch major {
	case 0:
		return Uint(n), nil
	case 1:
		return Value{Kind: KindNeg, N: n}, nil
	case 2, 3:
		if n > uint64(len(d.data)-d.off) {
			return Value{}, d.errorf("a string of %d bytes is longer than the data", n)
		}
		s := d.data[d.off : d.off+int(n)]
		d.off += int(n)
		if major == 2 {
			return Bytes(bytes.Clone(s)), nil
		}
		if !utf8.Valid(s) {
			return Value{}, d.errorf("a text string is not UTF-8")
		}
		return Text(string(s)), nil
	case 4:
		// Every item takes at least one byte: a longer count is a lie.
		if n > uint64(len(d.data)-d.off) {
			return Value{}, d.errorf("an array of %d items is longer than the data", n)
		}
		items := make([]Value, 0, n)
		for range n {
			it, err := d.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			items = append(items, it)
		}
		return Array(items...), nil
	case 5:
		if n > uint64(len(d.data)-d.off)/2 {
			return Value{}, d.errorf("a map of %d entries is longer than the data", n)
		}
		pairs := make([]Pair, 0, n)
		for range n {
			k, err := d.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v, err := d.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			pairs = append(pairs, Pair{k, v})
		}
		return Map(pairs...), nil
	case 6:
		c, err := d.value(depth + 1)
		if err != nil {
			return Value{}, err
		}
		return Tag(n, c), nil
	default: // 7
		switch {
		case info == 20:
			return Bool(false), nil
		case info == 21:
			return Bool(true), nil
		case info == 22:
			return Value{Kind: KindNull}, nil
		}
		return Value{}, d.errorf("floating-point numbers and simple value %d are not supported", n)
	}
}
