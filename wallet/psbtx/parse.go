package psbtx

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// psbtMagic starts every binary PSBT: "psbt" and the separator 0xff.
var psbtMagic = []byte{0x70, 0x73, 0x62, 0x74, 0xff}

// base64Prefix is how the base64 text of every PSBT starts (the magic).
const base64Prefix = "cHNidP8"

// hexPrefix is how the hex text of every PSBT starts (the magic).
const hexPrefix = "70736274ff"

// MaxSize is the largest binary PSBT Parse accepts, in bytes: 32 MiB, the
// limit Bitcoin Core puts on any serialized object. Text encodings may be
// proportionally longer.
const MaxSize = 32 << 20

// Global key types this package looks at while checking the framing.
const (
	globalUnsignedTx = 0x00
	globalVersion    = 0xfb
)

// maxKeyType is the largest key type the psbt library can carry unchanged:
// it keeps the types of unknown fields in a single byte.
const maxKeyType = 0xff

// Parse reads a PSBT in any of its encodings: binary BIP174 (starting with
// the magic "psbt\xff"), base64 text (white space anywhere is ignored, as are
// missing '=' padding characters) or hex text. It checks the framing
// strictly (every map terminated, no duplicate key, no trailing data, an
// unsigned transaction that is complete and unsigned, version 0) before the
// fields are decoded, and never panics on bad input. Errors are *Error with
// code ErrNotPSBT, ErrDamaged (described as "the PSBT is damaged: ...") or
// ErrUnsupported.
func Parse(data []byte) (*psbt.Packet, error) {
	raw, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	canon, err := checkFraming(raw)
	if err != nil {
		return nil, err
	}
	return parseRaw(canon)
}

// EncodeBinary returns the binary BIP174 serialization of p, as written to
// .psbt files, with fields in the psbt library's canonical order. p is not
// modified.
func EncodeBinary(p *psbt.Packet) (out []byte, err error) {
	if err := checkPacket(p); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, newError(ErrInvalidPacket, nil,
				"cannot encode the PSBT: it holds an invalid "+
					"field")
		}
	}()
	var buf bytes.Buffer
	if err := sortableCopy(p).Serialize(&buf); err != nil {
		return nil, newError(ErrInvalidPacket, err,
			"cannot encode the PSBT: %v", err)
	}
	return buf.Bytes(), nil
}

// EncodeBase64 returns the base64 text of p's binary serialization, the form
// PSBTs are pasted and shown in.
func EncodeBase64(p *psbt.Packet) (string, error) {
	b, err := EncodeBinary(p)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// sortableCopy returns a copy of p whose lists of fields are its own, so that
// the psbt library, which sorts them while serializing, leaves p as it was.
// The fields themselves are shared.
func sortableCopy(p *psbt.Packet) *psbt.Packet {
	c := *p
	c.Inputs = slices.Clone(p.Inputs)
	for i := range c.Inputs {
		in := &c.Inputs[i]
		in.PartialSigs = slices.Clone(in.PartialSigs)
		in.Bip32Derivation = slices.Clone(in.Bip32Derivation)
		in.TaprootScriptSpendSig = slices.Clone(in.TaprootScriptSpendSig)
		in.TaprootLeafScript = slices.Clone(in.TaprootLeafScript)
		in.TaprootBip32Derivation = slices.Clone(in.TaprootBip32Derivation)
	}
	c.Outputs = slices.Clone(p.Outputs)
	for j := range c.Outputs {
		out := &c.Outputs[j]
		out.Bip32Derivation = slices.Clone(out.Bip32Derivation)
		out.TaprootBip32Derivation = slices.Clone(out.TaprootBip32Derivation)
	}
	return &c
}

// checkPacket reports an ErrInvalidPacket error unless p has an unsigned
// transaction and one input and one output section per transaction input
// and output.
func checkPacket(p *psbt.Packet) error {
	switch {
	case p == nil:
		return newError(ErrInvalidPacket, nil, "no PSBT was given")
	case p.UnsignedTx == nil:
		return newError(ErrInvalidPacket, nil,
			"the PSBT has no unsigned transaction")
	case len(p.Inputs) != len(p.UnsignedTx.TxIn):
		return newError(ErrInvalidPacket, nil, "the PSBT has %d input "+
			"sections for %d transaction inputs", len(p.Inputs),
			len(p.UnsignedTx.TxIn))
	case len(p.Outputs) != len(p.UnsignedTx.TxOut):
		return newError(ErrInvalidPacket, nil, "the PSBT has %d output "+
			"sections for %d transaction outputs", len(p.Outputs),
			len(p.UnsignedTx.TxOut))
	}
	for i, in := range p.UnsignedTx.TxIn {
		if in == nil {
			return newError(ErrInvalidPacket, nil,
				"transaction input %d is missing", i)
		}
	}
	for i, out := range p.UnsignedTx.TxOut {
		if out == nil {
			return newError(ErrInvalidPacket, nil,
				"transaction output %d is missing", i)
		}
	}
	return nil
}

// decodeText returns the binary PSBT held by data, decoding base64 or hex
// text when data is not binary already.
func decodeText(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, newError(ErrNotPSBT, nil, "not a PSBT: the input "+
			"is empty")
	}
	if bytes.HasPrefix(data, psbtMagic) {
		if len(data) > MaxSize {
			return nil, tooLarge(len(data))
		}
		return data, nil
	}
	// Text may be up to twice as long as the binary (hex), plus white
	// space; anything much longer cannot fit MaxSize once decoded.
	if len(data) > 3*MaxSize {
		return nil, tooLarge(len(data))
	}
	text := compactText(data)
	switch {
	case strings.HasPrefix(text, base64Prefix):
		return decodeBase64(text)
	case strings.HasPrefix(strings.ToLower(text), hexPrefix):
		b, err := hex.DecodeString(text)
		if err != nil {
			return nil, damaged(err, "its hex text is not valid "+
				"hex (%v)", err)
		}
		if len(b) > MaxSize {
			return nil, tooLarge(len(b))
		}
		return b, nil
	}
	return nil, notPSBT(data, text)
}

// compactText returns data as a string without any white space or a
// leading UTF-8 byte order mark, as text pasted or saved by editors may have.
func compactText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var b strings.Builder
	b.Grow(len(data))
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n', '\v', '\f':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decodeBase64 decodes the base64 text of a PSBT, padded or not.
func decodeBase64(text string) ([]byte, error) {
	enc := base64.StdEncoding
	if len(text)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(text)
	if err != nil {
		return nil, damaged(err, "its base64 text is not valid "+
			"base64 (%v); was it cut or altered while copying?", err)
	}
	if len(b) > MaxSize {
		return nil, tooLarge(len(b))
	}
	return b, nil
}

// notPSBT explains why data is not a PSBT, recognizing the common mix-ups.
func notPSBT(data []byte, text string) error {
	lower := strings.ToLower(text)
	_, hexErr := hex.DecodeString(text)
	switch {
	case hexErr == nil && (strings.HasPrefix(lower, "01000000") ||
		strings.HasPrefix(lower, "02000000")):
		return newError(ErrNotPSBT, nil, "not a PSBT: this looks like "+
			"a raw transaction in hex; use broadcast for a signed "+
			"transaction, or create a PSBT from it first")
	case len(data) >= 4 && (binary.LittleEndian.Uint32(data) == 1 ||
		binary.LittleEndian.Uint32(data) == 2):
		return newError(ErrNotPSBT, nil, "not a PSBT: this looks "+
			"like a binary raw transaction, not a PSBT")
	}
	return newError(ErrNotPSBT, nil, "not a PSBT: it neither starts "+
		"with the PSBT magic bytes \"psbt\\xff\" nor is base64 text "+
		"starting with %q", base64Prefix)
}

// tooLarge reports data over MaxSize.
func tooLarge(n int) error {
	return newError(ErrDamaged, nil, "the PSBT is damaged: it is %d "+
		"bytes long, more than the %d bytes a PSBT may have", n, MaxSize)
}

// parseRaw decodes a binary PSBT whose framing checkFraming accepted with
// the psbt library, turning its errors and panics into ErrDamaged errors.
func parseRaw(raw []byte) (p *psbt.Packet, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, damaged(nil, "one of its fields cannot "+
				"be decoded")
		}
	}()
	p, err = psbt.NewFromRawBytes(bytes.NewReader(raw), false)
	if err != nil {
		return nil, damaged(err, "%s", describeLibError(err))
	}
	if err := checkPacket(p); err != nil {
		return nil, damaged(err, "its sections do not match its "+
			"transaction")
	}
	return p, nil
}

// describeLibError turns an error of the psbt library into words.
func describeLibError(err error) string {
	switch {
	case errors.Is(err, psbt.ErrDuplicateKey):
		return "a field appears twice"
	case errors.Is(err, psbt.ErrInvalidKeyData):
		return "a field has a malformed key or value (for example " +
			"key data where none is allowed, or a value of the " +
			"wrong length)"
	case errors.Is(err, psbt.ErrInvalidPsbtFormat):
		return "a field is malformed (for example an invalid public " +
			"key or signature)"
	case errors.Is(err, psbt.ErrInvalidRawTxSigned):
		return "its unsigned transaction already carries signatures"
	case errors.Is(err, psbt.ErrInvalidMagicBytes):
		return "it does not start with the PSBT magic bytes"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "a field is cut short"
	}
	return "a field cannot be decoded (" + err.Error() + ")"
}

// kvRecord is one key-value pair of a PSBT map, as slices of the raw bytes.
type kvRecord struct {
	keyType uint64
	key     []byte // the whole key: type and key data
	keyData []byte
	raw     []byte // the record as serialized: key length to value end
	value   []byte
}

// scanner reads the framing of a binary PSBT: compact sizes and length
// prefixed byte strings. It never allocates more than the input.
type scanner struct {
	b   []byte
	off int
}

// errTruncated is returned by the scanner when the data ends early.
var errTruncated = errors.New("unexpected end of data")

// compactSize reads a minimally encoded compact size unsigned integer.
func (s *scanner) compactSize() (uint64, error) {
	if s.off >= len(s.b) {
		return 0, errTruncated
	}
	first := s.b[s.off]
	var size int
	var minimum uint64
	switch first {
	case 0xfd:
		size, minimum = 2, 0xfd
	case 0xfe:
		size, minimum = 4, 0x10000
	case 0xff:
		size, minimum = 8, 0x100000000
	default:
		s.off++
		return uint64(first), nil
	}
	if len(s.b)-s.off-1 < size {
		return 0, errTruncated
	}
	buf := s.b[s.off+1 : s.off+1+size]
	var v uint64
	switch size {
	case 2:
		v = uint64(binary.LittleEndian.Uint16(buf))
	case 4:
		v = uint64(binary.LittleEndian.Uint32(buf))
	default:
		v = binary.LittleEndian.Uint64(buf)
	}
	if v < minimum {
		return 0, errors.New("a length or type is not minimally " +
			"encoded")
	}
	s.off += 1 + size
	return v, nil
}

// bytes reads n bytes.
func (s *scanner) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(s.b)-s.off) {
		return nil, errTruncated
	}
	b := s.b[s.off : s.off+int(n)]
	s.off += int(n)
	return b, nil
}

// readMap reads key-value records up to and including the 0x00 separator
// that ends a map. where names the map in errors ("input 2").
func (s *scanner) readMap(where string) ([]kvRecord, error) {
	var recs []kvRecord
	seen := make(map[string]struct{})
	for {
		start := s.off
		keyLen, err := s.compactSize()
		if err != nil {
			return nil, frameError(err, where)
		}
		if keyLen == 0 {
			return recs, nil
		}
		if keyLen > psbt.MaxPsbtKeyLength {
			return nil, damaged(nil, "a key in %s is %d bytes long, "+
				"more than the %d allowed", where, keyLen,
				psbt.MaxPsbtKeyLength)
		}
		key, err := s.bytes(keyLen)
		if err != nil {
			return nil, frameError(err, where)
		}
		ks := scanner{b: key}
		keyType, err := ks.compactSize()
		if err != nil {
			return nil, frameError(err, where)
		}
		valLen, err := s.compactSize()
		if err != nil {
			return nil, frameError(err, where)
		}
		if valLen > psbt.MaxPsbtValueLength {
			return nil, damaged(nil, "a value in %s is %d bytes "+
				"long, more than the %d allowed", where, valLen,
				psbt.MaxPsbtValueLength)
		}
		value, err := s.bytes(valLen)
		if err != nil {
			return nil, frameError(err, where)
		}
		if _, dup := seen[string(key)]; dup {
			return nil, damaged(nil, "a field appears twice in %s "+
				"(key type 0x%02x)", where, keyType)
		}
		seen[string(key)] = struct{}{}
		if keyType > maxKeyType {
			return nil, newError(ErrUnsupported, nil, "%s has a "+
				"field of type 0x%x, which this wallet cannot "+
				"carry unchanged", where, keyType)
		}
		recs = append(recs, kvRecord{
			keyType: keyType,
			key:     key,
			keyData: key[ks.off:],
			raw:     s.b[start:s.off],
			value:   value,
		})
	}
}

// frameError describes a scanner error in map where.
func frameError(err error, where string) error {
	if errors.Is(err, errTruncated) {
		return damaged(err, "it is cut short in %s", where)
	}
	return damaged(err, "%s in %s", err.Error(), where)
}

// checkFraming checks the map structure of a binary PSBT and returns it in
// the form the psbt library reads, with the unsigned transaction first in the
// global map (BIP174 allows any order, the library insists on that one).
func checkFraming(raw []byte) ([]byte, error) {
	if !bytes.HasPrefix(raw, psbtMagic) {
		return nil, newError(ErrNotPSBT, nil, "not a PSBT: it does not "+
			"start with the PSBT magic bytes \"psbt\\xff\"")
	}
	s := scanner{b: raw, off: len(psbtMagic)}
	global, err := s.readMap("the global section")
	if err != nil {
		return nil, err
	}

	var txRec *kvRecord
	for i := range global {
		r := &global[i]
		switch r.keyType {
		case globalUnsignedTx:
			if len(r.keyData) != 0 {
				return nil, damaged(nil, "its unsigned "+
					"transaction field has key data")
			}
			txRec = r
		case globalVersion:
			if len(r.keyData) != 0 || len(r.value) != 4 {
				return nil, damaged(nil, "its version field "+
					"is malformed")
			}
			if v := binary.LittleEndian.Uint32(r.value); v != 0 {
				return nil, newError(ErrUnsupported, nil,
					"PSBT version %d is not supported: this "+
						"wallet reads version 0 (BIP174)", v)
			}
		}
	}
	if txRec == nil {
		return nil, damaged(nil, "it has no unsigned transaction")
	}

	tx := wire.NewMsgTx(wire.TxVersion)
	rd := bytes.NewReader(txRec.value)
	if err := tx.DeserializeNoWitness(rd); err != nil {
		return nil, damaged(err, "its unsigned transaction cannot be "+
			"decoded (%v)", err)
	}
	if rd.Len() != 0 {
		return nil, damaged(nil, "its unsigned transaction has %d "+
			"extra bytes (is it in the witness serialization?)",
			rd.Len())
	}
	for i, in := range tx.TxIn {
		if len(in.SignatureScript) != 0 || len(in.Witness) != 0 {
			return nil, damaged(nil, "input %d of its unsigned "+
				"transaction already carries a signature script", i)
		}
	}

	for i := range tx.TxIn {
		if _, err := s.readMap(fmt.Sprintf("input %d", i)); err != nil {
			return nil, err
		}
	}
	for i := range tx.TxOut {
		if _, err := s.readMap(fmt.Sprintf("output %d", i)); err != nil {
			return nil, err
		}
	}
	if s.off != len(raw) {
		return nil, damaged(nil, "%d bytes of unexpected data follow "+
			"its last output", len(raw)-s.off)
	}

	if &global[0] == txRec {
		return raw, nil
	}
	// Move the unsigned transaction to the front of the global map.
	canon := make([]byte, 0, len(raw))
	canon = append(canon, psbtMagic...)
	canon = append(canon, txRec.raw...)
	for i := range global {
		if &global[i] != txRec {
			canon = append(canon, global[i].raw...)
		}
	}
	globalEnd := len(psbtMagic)
	for _, r := range global {
		globalEnd += len(r.raw)
	}
	canon = append(canon, raw[globalEnd:]...)
	return canon, nil
}
