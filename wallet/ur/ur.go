package ur

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUR is wrapped by the errors of text that is not a well-formed UR.
var ErrUR = errors.New("not a UR")

// UR is a uniform resource: a registered type and its CBOR message.
type UR struct {
	// Type is the registered type in lower case, e.g. "crypto-psbt".
	Type string

	// CBOR is the message, one CBOR data item.
	CBOR []byte
}

// New returns a UR of type typ, checking that the type is well formed.
func New(typ string, cbor []byte) (*UR, error) {
	if err := checkType(typ); err != nil {
		return nil, err
	}
	return &UR{Type: typ, CBOR: cbor}, nil
}

// String returns the UR as one part, in lower case: "ur:TYPE/BYTEWORDS".
func (u *UR) String() string {
	return "ur:" + u.Type + "/" + EncodeBytewords(u.CBOR, Minimal)
}

// checkType reports whether typ is a UR type: letters, digits and hyphens.
func checkType(typ string) error {
	if typ == "" {
		return fmt.Errorf("%w: the type is missing", ErrUR)
	}
	for _, c := range typ {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Errorf("%w: %q is not a UR type (letters, digits and "+
				"hyphens only)", ErrUR, shorten(typ))
		}
	}
	return nil
}

// parsedPart is a UR part split into its components.
type parsedPart struct {
	typ      string
	seqNum   uint32 // 0 for a single-part UR
	seqLen   int
	bytes    []byte // the message, or the fountain part's CBOR
	fountain *fountainPart
}

// parsePart splits one part, single or multi, of any letter case.
func parseURPart(s string) (*parsedPart, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(s, "ur:")
	if !ok {
		return nil, fmt.Errorf("%w: it does not start with \"ur:\"", ErrUR)
	}
	comps := strings.Split(rest, "/")
	if len(comps) < 2 || len(comps) > 3 {
		return nil, fmt.Errorf("%w: want ur:TYPE/DATA or ur:TYPE/N-M/DATA", ErrUR)
	}
	p := &parsedPart{typ: comps[0]}
	if err := checkType(p.typ); err != nil {
		return nil, err
	}
	body := comps[len(comps)-1]
	data, err := DecodeBytewords(body, Minimal)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUR, err)
	}
	if len(comps) == 2 {
		p.bytes = data
		return p, nil
	}
	n, m, ok := strings.Cut(comps[1], "-")
	seqNum, err1 := strconv.ParseUint(n, 10, 32)
	seqLen, err2 := strconv.ParseUint(m, 10, 32)
	if !ok || err1 != nil || err2 != nil || seqNum == 0 || seqLen == 0 {
		return nil, fmt.Errorf("%w: %q is not a part number such as 3-10",
			ErrUR, shorten(comps[1]))
	}
	fp, err := parsePart(data)
	if err != nil {
		return nil, err
	}
	if uint64(fp.seqNum) != seqNum || uint64(fp.seqLen) != seqLen {
		return nil, fmt.Errorf("%w: the part says %d-%d but carries %d-%d",
			ErrPart, seqNum, seqLen, fp.seqNum, fp.seqLen)
	}
	p.seqNum, p.seqLen, p.fountain = fp.seqNum, fp.seqLen, fp
	return p, nil
}

// Parse reads a single-part UR.
func Parse(s string) (*UR, error) {
	p, err := parseURPart(s)
	if err != nil {
		return nil, err
	}
	if p.fountain != nil {
		return nil, fmt.Errorf("%w: this is part %d of %d; read all the parts "+
			"with a Decoder", ErrUR, p.seqNum, p.seqLen)
	}
	return &UR{Type: p.typ, CBOR: p.bytes}, nil
}

// DefaultMinFragmentLen is the shortest fragment an Encoder makes unless
// the message itself is shorter.
const DefaultMinFragmentLen = 10

// Encoder writes a UR as parts. A message that fits in one fragment is one
// single-part UR; a longer one is a fountain code whose first SeqLen parts
// carry the fragments in order and whose later parts mix them.
type Encoder struct {
	ur *UR
	fe *fountainEncoder
}

// EncoderOption changes how NewEncoder splits a message.
type EncoderOption func(*encoderConfig)

type encoderConfig struct {
	minFragLen  int
	firstSeqNum uint32
}

// WithMinFragmentLen sets the shortest fragment (default
// DefaultMinFragmentLen).
func WithMinFragmentLen(n int) EncoderOption {
	return func(c *encoderConfig) { c.minFragLen = n }
}

// WithFirstSeqNum starts the part numbers after n instead of after 0, as
// the reference tests do.
func WithFirstSeqNum(n uint32) EncoderOption {
	return func(c *encoderConfig) { c.firstSeqNum = n }
}

// NewEncoder returns an encoder that splits u into fragments of at most
// maxFragmentLen bytes.
func NewEncoder(u *UR, maxFragmentLen int, opts ...EncoderOption) (*Encoder, error) {
	cfg := encoderConfig{minFragLen: DefaultMinFragmentLen}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case u == nil || len(u.CBOR) == 0:
		return nil, errors.New("nothing to encode: the message is empty")
	case len(u.CBOR) > MaxMessageLen:
		return nil, fmt.Errorf("the message is %d bytes; at most %d can be sent", len(u.CBOR), MaxMessageLen)
	case cfg.minFragLen < 1 || maxFragmentLen < cfg.minFragLen:
		return nil, fmt.Errorf("the fragment length must be at least %d bytes", max(cfg.minFragLen, 1))
	}
	if err := checkType(u.Type); err != nil {
		return nil, err
	}
	fe := newFountainEncoder(u.CBOR, maxFragmentLen, cfg.minFragLen, cfg.firstSeqNum)
	if fe.seqLen() > maxSeqLen {
		return nil, fmt.Errorf("the message would need %d fragments; use longer fragments", fe.seqLen())
	}
	return &Encoder{ur: u, fe: fe}, nil
}

// SeqLen returns the number of fragments: the number of parts that carry
// the whole message when none is lost.
func (e *Encoder) SeqLen() int { return e.fe.seqLen() }

// SinglePart reports whether the message fits in one part.
func (e *Encoder) SinglePart() bool { return e.fe.seqLen() == 1 }

// NextPart returns the next part in lower case. A single-part UR returns
// the same text every time.
func (e *Encoder) NextPart() string {
	if e.SinglePart() {
		return e.ur.String()
	}
	p := e.fe.nextPart()
	return fmt.Sprintf("ur:%s/%d-%d/%s", e.ur.Type, p.seqNum, p.seqLen,
		EncodeBytewords(p.cbor(), Minimal))
}

// Parts returns the next SeqLen parts: from a new encoder, the fragments in
// order, which is all a receiver needs.
func (e *Encoder) Parts() []string {
	out := make([]string, e.SeqLen())
	for i := range out {
		out[i] = e.NextPart()
	}
	return out
}

// Decoder reassembles a UR from its parts, received in any order, with
// duplicates and mixed parts. It is not safe for concurrent use.
type Decoder struct {
	typ    string
	fd     *fountainDecoder
	result *UR
}

// NewDecoder returns an empty decoder.
func NewDecoder() *Decoder { return &Decoder{fd: newFountainDecoder()} }

// Receive adds one part. It reports whether the part told the decoder
// something new (false for a duplicate or once complete). A part that is
// not a UR, or belongs to another message, is an error and changes nothing.
func (d *Decoder) Receive(part string) (bool, error) {
	p, err := parseURPart(part)
	if err != nil {
		return false, err
	}
	if d.typ != "" && p.typ != d.typ {
		return false, fmt.Errorf("%w: a ur:%s part among ur:%s parts", ErrPart, p.typ, d.typ)
	}
	if d.result != nil {
		return false, nil
	}
	if p.fountain == nil {
		d.typ = p.typ
		d.result = &UR{Type: p.typ, CBOR: p.bytes}
		return true, nil
	}
	isNew, err := d.fd.receive(p.fountain)
	if err != nil {
		return false, err
	}
	d.typ = p.typ
	if d.fd.result != nil {
		d.result = &UR{Type: p.typ, CBOR: d.fd.result}
	}
	return isNew, nil
}

// Complete reports whether the whole message is known.
func (d *Decoder) Complete() bool { return d.result != nil }

// Result returns the UR once Complete, else nil.
func (d *Decoder) Result() *UR { return d.result }

// Type returns the type of the parts received so far, or "".
func (d *Decoder) Type() string { return d.typ }

// Progress says how far a Decoder has got.
type Progress struct {
	// Received is the number of distinct parts received.
	Received int

	// Expected estimates the parts needed in all: those received plus one
	// for each fragment still unknown (at least; mixed parts may be needed).
	Expected int

	// Fragments and Solved are the message's fragments and how many of
	// them are known.
	Fragments, Solved int
}

// String reads like "12 of ~20 parts".
func (p Progress) String() string {
	if p.Fragments > 0 && p.Solved == p.Fragments {
		return fmt.Sprintf("%d of %d parts", p.Received, p.Received)
	}
	return fmt.Sprintf("%d of ~%d parts", p.Received, p.Expected)
}

// Progress returns how far the decoder has got.
func (d *Decoder) Progress() Progress {
	if d.result != nil && d.fd.received == 0 {
		return Progress{Received: 1, Expected: 1, Fragments: 1, Solved: 1}
	}
	f := d.fd
	if !f.started {
		return Progress{}
	}
	if d.result != nil {
		return Progress{Received: f.received, Expected: f.received, Fragments: f.seqLen, Solved: f.seqLen}
	}
	return Progress{Received: f.received, Expected: f.received + f.seqLen - f.solved(),
		Fragments: f.seqLen, Solved: f.solved()}
}
