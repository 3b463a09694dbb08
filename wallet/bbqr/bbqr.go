package bbqr

import (
	"bytes"
	"compress/flate"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Encoding is the third character of a part's header.
type Encoding byte

// The encodings of the spec.
const (
	Hex    Encoding = 'H' // upper-case hex
	Base32 Encoding = '2' // RFC 4648 base32 without padding
	Zlib   Encoding = 'Z' // raw deflate (wbits 10), then base32
)

// FileType is the fourth character of a part's header.
type FileType byte

// The file types of the spec.
const (
	PSBT        FileType = 'P'
	Transaction FileType = 'T'
	JSON        FileType = 'J'
	CBOR        FileType = 'C'
	Unicode     FileType = 'U'
	Binary      FileType = 'B'
	Executable  FileType = 'X'
)

// String names a file type for messages.
func (t FileType) String() string {
	switch t {
	case PSBT:
		return "PSBT"
	case Transaction:
		return "transaction"
	case JSON:
		return "JSON"
	case CBOR:
		return "CBOR"
	case Unicode:
		return "text"
	case Binary:
		return "binary data"
	case Executable:
		return "executable"
	}
	return fmt.Sprintf("type %q", byte(t))
}

func knownType(t FileType) bool {
	switch t {
	case PSBT, Transaction, JSON, CBOR, Unicode, Binary, Executable:
		return true
	}
	return false
}

const (
	// HeaderLen is the length of a part's header.
	HeaderLen = 8

	// MaxParts is the most parts a series may have (ZZ in base 36).
	MaxParts = 36*36 - 1

	// MaxFileLen is the largest file a Joiner decodes (after inflating).
	MaxFileLen = 16 << 20
)

// ErrPart is wrapped by the errors of text that is not a BBQr part or does
// not belong with the parts already received.
var ErrPart = errors.New("invalid BBQr part")

// alnumCapacity is how many alphanumeric characters a QR code holds at
// error correction level L, by version (index 0 is version 1).
var alnumCapacity = [40]int{
	25, 47, 77, 114, 154, 195, 224, 279, 335, 395,
	468, 535, 619, 667, 758, 854, 938, 1046, 1153, 1249,
	1352, 1460, 1588, 1704, 1853, 1990, 2132, 2223, 2369, 2520,
	2677, 2840, 3009, 3183, 3351, 3537, 3729, 3927, 4087, 4296,
}

// Capacity returns the alphanumeric characters a QR code of version (1 to
// 40) holds at level L.
func Capacity(version int) int {
	if version < 1 || version > 40 {
		return 0
	}
	return alnumCapacity[version-1]
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

const base36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func int2base36(n int) string {
	return string([]byte{base36[n/36], base36[n%36]})
}

func base36ToInt(s string) (int, bool) {
	if len(s) != 2 {
		return 0, false
	}
	a, b := strings.IndexByte(base36, s[0]), strings.IndexByte(base36, s[1])
	if a < 0 || b < 0 {
		return 0, false
	}
	return a*36 + b, true
}

// Series is a file split into parts.
type Series struct {
	Encoding Encoding
	FileType FileType

	// Version is the QR version every part fits in at level L.
	Version int

	// Parts are the texts of the QR codes, headers included.
	Parts []string
}

// Option changes how Split splits.
type Option func(*splitConfig)

type splitConfig struct {
	encoding               Encoding
	minVersion, maxVersion int
	partBytes              int
}

// WithEncoding forces an encoding; by default Split deflates when that
// makes the text shorter and uses base32 otherwise.
func WithEncoding(e Encoding) Option { return func(c *splitConfig) { c.encoding = e } }

// WithVersions bounds the QR versions Split may choose (default 5 to 40).
// It picks the fewest parts, then the lowest version.
func WithVersions(minVersion, maxVersion int) Option {
	return func(c *splitConfig) { c.minVersion, c.maxVersion = minVersion, maxVersion }
}

// WithPartBytes sets how many bytes of (encoded) data each part carries,
// instead of choosing by QR version; it is rounded down to whole base32
// groups of 5 bytes.
func WithPartBytes(n int) Option { return func(c *splitConfig) { c.partBytes = n } }

// Split encodes data of type ft and splits it into parts.
func Split(data []byte, ft FileType, opts ...Option) (*Series, error) {
	cfg := splitConfig{minVersion: 5, maxVersion: 40}
	for _, o := range opts {
		o(&cfg)
	}
	if !knownType(ft) {
		return nil, fmt.Errorf("unknown BBQr file type %q", byte(ft))
	}
	if len(data) == 0 {
		return nil, errors.New("nothing to split: the file is empty")
	}
	if cfg.minVersion < 1 || cfg.maxVersion > 40 || cfg.minVersion > cfg.maxVersion {
		return nil, fmt.Errorf("QR versions go from 1 to 40, not %d to %d", cfg.minVersion, cfg.maxVersion)
	}
	enc, text, mod, err := encode(data, cfg.encoding)
	if err != nil {
		return nil, err
	}
	var per, version int
	if cfg.partBytes > 0 {
		per = cfg.partBytes * 2
		if mod == 8 {
			per = cfg.partBytes / 5 * 8
		}
		if per < mod {
			return nil, fmt.Errorf("a part must carry at least %d bytes", map[int]int{2: 1, 8: 5}[mod])
		}
		if n := (len(text) + per - 1) / per; n > MaxParts {
			return nil, fmt.Errorf("%d parts are needed; at most %d are allowed: carry more bytes a part", n, MaxParts)
		}
		version = 40
		for v := 40; v >= 1; v-- {
			if Capacity(v) >= HeaderLen+min(per, len(text)) {
				version = v
			}
		}
		if Capacity(version) < HeaderLen+min(per, len(text)) {
			return nil, fmt.Errorf("a part of %d characters does not fit in a QR code", per)
		}
	} else {
		var count int
		version, count, per = bestVersion(len(text), mod, cfg.minVersion, cfg.maxVersion)
		if count == 0 {
			return nil, fmt.Errorf("the file is too large for %d QR codes", MaxParts)
		}
	}
	s := &Series{Encoding: enc, FileType: ft, Version: version}
	n := (len(text) + per - 1) / per
	for i := range n {
		chunk := text[i*per : min((i+1)*per, len(text))]
		s.Parts = append(s.Parts, "B$"+string(enc)+string(ft)+int2base36(n)+int2base36(i)+chunk)
	}
	return s, nil
}

// bestVersion picks the QR version that needs the fewest parts, then the
// lowest such version; per is the characters of data a part carries.
func bestVersion(textLen, mod, minVersion, maxVersion int) (version, count, per int) {
	for v := minVersion; v <= maxVersion; v++ {
		c, p := partsNeeded(v, textLen, mod)
		if c < 1 || c > MaxParts {
			continue
		}
		if count == 0 || c < count {
			version, count, per = v, c, p
		}
	}
	return version, count, per
}

// partsNeeded returns how many parts of QR version v hold textLen
// characters, and how many each carries; every part but the last must hold
// a multiple of mod characters.
func partsNeeded(v, textLen, mod int) (int, int) {
	capacity := Capacity(v) - HeaderLen
	if textLen <= capacity {
		return 1, textLen
	}
	per := capacity - capacity%mod
	if per <= 0 {
		return 0, 0
	}
	return (textLen + per - 1) / per, per
}

// encode returns data as text in enc (or the better of Zlib and Base32
// when enc is 0), with the multiple of characters parts must hold.
func encode(data []byte, enc Encoding) (Encoding, string, int, error) {
	switch enc {
	case Hex:
		return Hex, strings.ToUpper(hex.EncodeToString(data)), 2, nil
	case Base32:
		return Base32, b32.EncodeToString(data), 8, nil
	case Zlib:
		return Zlib, b32.EncodeToString(compress(data)), 8, nil
	case 0:
		z := compress(data)
		if len(z) < len(data) {
			return Zlib, b32.EncodeToString(z), 8, nil
		}
		return Base32, b32.EncodeToString(data), 8, nil
	}
	return 0, "", 0, fmt.Errorf("unknown BBQr encoding %q", byte(enc))
}

// IsPart reports whether text starts like a BBQr part.
func IsPart(text string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(text)), "B$")
}

// Joiner collects the parts of one series in any order; duplicates are
// ignored. It is not safe for concurrent use.
type Joiner struct {
	enc   Encoding
	ft    FileType
	total int
	parts map[int]string
}

// NewJoiner returns an empty Joiner.
func NewJoiner() *Joiner { return &Joiner{parts: map[int]string{}} }

// Add adds one part. It reports whether the part was new; a part that is
// malformed or belongs to another series is an error and changes nothing.
func (j *Joiner) Add(part string) (bool, error) {
	part = strings.ToUpper(strings.TrimSpace(part))
	if len(part) < HeaderLen || !strings.HasPrefix(part, "B$") {
		return false, fmt.Errorf("%w: it does not start with a header such as B$ZP0100", ErrPart)
	}
	enc, ft := Encoding(part[2]), FileType(part[3])
	if enc != Hex && enc != Base32 && enc != Zlib {
		return false, fmt.Errorf("%w: unknown encoding %q", ErrPart, part[2])
	}
	if !knownType(ft) {
		return false, fmt.Errorf("%w: unknown file type %q", ErrPart, part[3])
	}
	total, ok1 := base36ToInt(part[4:6])
	idx, ok2 := base36ToInt(part[6:8])
	if !ok1 || !ok2 || total == 0 || idx >= total {
		return false, fmt.Errorf("%w: %q is not a part number and count", ErrPart, part[4:8])
	}
	body := part[HeaderLen:]
	if body == "" {
		return false, fmt.Errorf("%w: part %d carries no data", ErrPart, idx+1)
	}
	if err := checkAlphabet(body, enc); err != nil {
		return false, err
	}
	if j.total != 0 && (enc != j.enc || ft != j.ft || total != j.total) {
		return false, fmt.Errorf("%w: this part (%s in %d parts) belongs to another series than the "+
			"first one (%s in %d parts)", ErrPart, ft, total, j.ft, j.total)
	}
	if old, ok := j.parts[idx]; ok {
		if old != body {
			return false, fmt.Errorf("%w: two different parts claim to be part %d of %d", ErrPart, idx+1, total)
		}
		return false, nil
	}
	j.enc, j.ft, j.total = enc, ft, total
	j.parts[idx] = body
	return true, nil
}

func checkAlphabet(body string, enc Encoding) error {
	alpha := "0123456789ABCDEF"
	if enc != Hex {
		alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	}
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(alpha, body[i]) < 0 {
			return fmt.Errorf("%w: %q is not a %s character", ErrPart, body[i], map[bool]string{true: "hex", false: "base32"}[enc == Hex])
		}
	}
	return nil
}

// Progress returns how many distinct parts are in and how many there are
// (0 before the first).
func (j *Joiner) Progress() (have, total int) { return len(j.parts), j.total }

// Complete reports whether every part is in.
func (j *Joiner) Complete() bool { return j.total > 0 && len(j.parts) == j.total }

// FileType returns the series' file type, or 0 before the first part.
func (j *Joiner) FileType() FileType { return j.ft }

// Result decodes the complete series.
func (j *Joiner) Result() (FileType, []byte, error) {
	if !j.Complete() {
		return 0, nil, fmt.Errorf("%d of %d parts received", len(j.parts), j.total)
	}
	var b strings.Builder
	for i := range j.total {
		p := j.parts[i]
		mod := 8
		if j.enc == Hex {
			mod = 2
		}
		if i < j.total-1 && len(p)%mod != 0 {
			return 0, nil, fmt.Errorf("%w: part %d does not hold whole bytes", ErrPart, i+1)
		}
		b.WriteString(p)
	}
	text := b.String()
	var data []byte
	var err error
	switch j.enc {
	case Hex:
		data, err = hex.DecodeString(text)
	default:
		data, err = b32.DecodeString(text)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("%w: the data does not decode: %w", ErrPart, err)
	}
	if j.enc == Zlib {
		if data, err = inflate(data); err != nil {
			return 0, nil, err
		}
	}
	if len(data) > MaxFileLen {
		return 0, nil, fmt.Errorf("%w: the file is larger than %d bytes", ErrPart, MaxFileLen)
	}
	return j.ft, data, nil
}

// inflate reads a raw deflate stream, refusing one that expands beyond
// MaxFileLen.
func inflate(z []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(z))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, MaxFileLen+1))
	if err != nil {
		return nil, fmt.Errorf("%w: the compressed data is damaged: %w", ErrPart, err)
	}
	if len(out) > MaxFileLen {
		return nil, fmt.Errorf("%w: the file inflates beyond %d bytes", ErrPart, MaxFileLen)
	}
	return out, nil
}
