package ur

import (
	"errors"
	"fmt"
	"math"
)

// The UR types satchel reads and writes.
const (
	// TypeCryptoPSBT is a PSBT (BCR-2020-006); TypePSBT is its newer name.
	// Both carry the PSBT as a CBOR byte string.
	TypeCryptoPSBT = "crypto-psbt"
	TypePSBT       = "psbt"

	// TypeCryptoAccount is a master fingerprint and a list of output
	// descriptors of account keys (BCR-2020-015).
	TypeCryptoAccount = "crypto-account"

	// TypeCryptoOutput is one output descriptor (BCR-2020-010).
	TypeCryptoOutput = "crypto-output"
)

// CBOR tags of the registry (BCR-2020-006). The 4030x tags are the newer
// numbers of the same structures, read as well.
const (
	TagHDKey    = 303
	TagKeypath  = 304
	TagCoinInfo = 305
	TagECKey    = 306
	TagOutput   = 308
	TagAccount  = 311

	TagSH          = 400 // sh()
	TagWSH         = 401 // wsh()
	TagPK          = 402 // pk()
	TagPKH         = 403 // pkh()
	TagWPKH        = 404 // wpkh()
	TagCombo       = 405 // combo()
	TagMulti       = 406 // multi()
	TagSortedMulti = 407 // sortedmulti()
	TagTR          = 409 // tr()

	newTagOffset = 40000 // 40303 is the newer TagHDKey, and so on
)

// ErrUnsupported is wrapped by the errors of well-formed URs that satchel
// does not use, such as bare keys or a multikey of single keys.
var ErrUnsupported = errors.New("not supported")

// NewPSBT returns the ur:crypto-psbt of a binary PSBT.
func NewPSBT(psbt []byte) *UR {
	return &UR{Type: TypeCryptoPSBT, CBOR: EncodeCBOR(Bytes(psbt))}
}

// DecodePSBT returns the binary PSBT a ur:crypto-psbt or ur:psbt carries.
func DecodePSBT(u *UR) ([]byte, error) {
	if u.Type != TypeCryptoPSBT && u.Type != TypePSBT {
		return nil, fmt.Errorf("%w: this is a ur:%s, not a ur:crypto-psbt", ErrUnsupported, u.Type)
	}
	v, err := DecodeCBOR(u.CBOR)
	if err != nil {
		return nil, err
	}
	if c, ok := v.Untag(310, 40310); ok {
		v = c
	}
	if v.Kind != KindBytes {
		return nil, fmt.Errorf("%w: a ur:%s must hold a byte string", ErrCBOR, u.Type)
	}
	return v.Bytes, nil
}

// PathComponent is one step of a crypto-keypath.
type PathComponent struct {
	// Index is the child number (without the hardened bit).
	Index uint32

	// Hardened marks a hardened step (or range, or wildcard).
	Hardened bool

	// Wildcard stands for every child: the /* of a descriptor.
	Wildcard bool

	// Pair, when set, is the BIP389 pair <Index;Internal> of external and
	// internal children; Hardened applies to the first, InternalHardened
	// to the second.
	Pair             bool
	Internal         uint32
	InternalHardened bool
}

// Keypath is a crypto-keypath: derivation steps and where they start.
type Keypath struct {
	// Components are the steps.
	Components []PathComponent

	// SourceFingerprint is the fingerprint of the key the steps start from
	// (the master key for an origin), or 0 when not given.
	SourceFingerprint uint32

	// Depth is the number of steps from the master key, or -1 when not
	// given.
	Depth int
}

// HDKey is a public crypto-hdkey: an extended public key with its origin.
type HDKey struct {
	// KeyData is the 33-byte compressed public key.
	KeyData []byte

	// ChainCode is the 32-byte chain code.
	ChainCode []byte

	// Testnet marks a key for a test network (coin info network 1).
	Testnet bool

	// Origin is the path from the master key, or nil.
	Origin *Keypath

	// Children is the path below this key that addresses use, or nil.
	Children *Keypath

	// ParentFingerprint is the fingerprint of the key's parent, or 0.
	ParentFingerprint uint32

	// Name is an optional label.
	Name string
}

// Output is a crypto-output whose keys are HD keys: a script type, written
// as its descriptor functions from the outside in (TagSH, TagWPKH for
// sh(wpkh(KEY)); TagWSH for wsh(sortedmulti(…))), and either one key or,
// for multi() and sortedmulti(), a multikey.
type Output struct {
	Script []uint64
	Key    HDKey
	// Multi, when set, is the multi() or sortedmulti() inside Script; Key
	// is then unused.
	Multi *MultiKey
}

// MultiKey is the multikey of a multi() or sortedmulti() expression
// (BCR-2020-010): the threshold and the keys, in the descriptor's order.
type MultiKey struct {
	Threshold int
	Sorted    bool
	Keys      []HDKey
}

// Account is a crypto-account: the master key's fingerprint and output
// descriptors of account-level keys.
type Account struct {
	MasterFingerprint uint32
	Outputs           []Output
}

// UR returns the account as a ur:crypto-account.
func (a *Account) UR() *UR {
	// The outputs are bare script expressions, as in the BCR-2020-015
	// example and the implementations that follow it; a reader also
	// accepts them tagged 308.
	outs := make([]Value, len(a.Outputs))
	for i := range a.Outputs {
		outs[i] = a.Outputs[i].value()
	}
	m := Map(Pair{Uint(1), Uint(uint64(a.MasterFingerprint))}, Pair{Uint(2), Array(outs...)})
	return &UR{Type: TypeCryptoAccount, CBOR: EncodeCBOR(m)}
}

// UR returns the output as a ur:crypto-output.
func (o *Output) UR() *UR {
	return &UR{Type: TypeCryptoOutput, CBOR: EncodeCBOR(o.value())}
}

// value returns the output's script expression (untagged as an output).
func (o *Output) value() Value {
	v := Tag(TagHDKey, o.Key.value())
	if m := o.Multi; m != nil {
		keys := make([]Value, len(m.Keys))
		for i := range m.Keys {
			keys[i] = Tag(TagHDKey, m.Keys[i].value())
		}
		tag := uint64(TagMulti)
		if m.Sorted {
			tag = TagSortedMulti
		}
		v = Tag(tag, Map(Pair{Uint(1), Uint(uint64(m.Threshold))}, Pair{Uint(2), Array(keys...)}))
	}
	for i := len(o.Script) - 1; i >= 0; i-- {
		v = Tag(o.Script[i], v)
	}
	return v
}

func (k *HDKey) value() Value {
	pairs := []Pair{{Uint(3), Bytes(k.KeyData)}}
	if len(k.ChainCode) > 0 {
		pairs = append(pairs, Pair{Uint(4), Bytes(k.ChainCode)})
	}
	if k.Testnet {
		pairs = append(pairs, Pair{Uint(5), Tag(TagCoinInfo, Map(Pair{Uint(2), Uint(1)}))})
	}
	if k.Origin != nil {
		pairs = append(pairs, Pair{Uint(6), Tag(TagKeypath, k.Origin.value())})
	}
	if k.Children != nil {
		pairs = append(pairs, Pair{Uint(7), Tag(TagKeypath, k.Children.value())})
	}
	if k.ParentFingerprint != 0 {
		pairs = append(pairs, Pair{Uint(8), Uint(uint64(k.ParentFingerprint))})
	}
	if k.Name != "" {
		pairs = append(pairs, Pair{Uint(9), Text(k.Name)})
	}
	return Map(pairs...)
}

func (p *Keypath) value() Value {
	var comps []Value
	for _, c := range p.Components {
		switch {
		case c.Pair:
			comps = append(comps, Array(Uint(uint64(c.Index)), Bool(c.Hardened),
				Uint(uint64(c.Internal)), Bool(c.InternalHardened)))
		case c.Wildcard:
			comps = append(comps, Array(), Bool(c.Hardened))
		default:
			comps = append(comps, Uint(uint64(c.Index)), Bool(c.Hardened))
		}
	}
	var pairs []Pair
	if len(comps) > 0 || p.Depth < 0 {
		pairs = append(pairs, Pair{Uint(1), Array(comps...)})
	}
	// An origin of no steps is written {3: 0}, as BCR-2020-010's
	// multisig example writes a master key's.
	if p.SourceFingerprint != 0 {
		pairs = append(pairs, Pair{Uint(2), Uint(uint64(p.SourceFingerprint))})
	}
	if p.Depth >= 0 {
		pairs = append(pairs, Pair{Uint(3), Uint(uint64(p.Depth))})
	}
	return Map(pairs...)
}

// DecodeAccount reads a ur:crypto-account, or a ur:crypto-output as an
// account of one output whose master fingerprint is the origin's source
// fingerprint.
func DecodeAccount(u *UR) (*Account, error) {
	v, err := DecodeCBOR(u.CBOR)
	if err != nil {
		return nil, err
	}
	switch u.Type {
	case TypeCryptoAccount, "account-descriptor":
		return accountFromValue(v)
	case TypeCryptoOutput, "output-descriptor":
		o, err := outputFromValue(v)
		if err != nil {
			return nil, err
		}
		a := &Account{Outputs: []Output{*o}}
		if o.Key.Origin != nil {
			a.MasterFingerprint = o.Key.Origin.SourceFingerprint
		}
		return a, nil
	}
	return nil, fmt.Errorf("%w: a ur:%s is not an account (want ur:crypto-account or ur:crypto-output)",
		ErrUnsupported, u.Type)
}

func untag(v Value, tag uint64) (Value, bool) {
	return v.Untag(tag, tag+newTagOffset)
}

func accountFromValue(v Value) (*Account, error) {
	if c, ok := untag(v, TagAccount); ok {
		v = c
	}
	fp, ok1 := v.Get(1)
	outs, ok2 := v.Get(2)
	if !ok1 || !ok2 || fp.Kind != KindUint || fp.N > math.MaxUint32 || outs.Kind != KindArray {
		return nil, fmt.Errorf("%w: a crypto-account is a map of a fingerprint (1) and outputs (2)", ErrCBOR)
	}
	a := &Account{MasterFingerprint: uint32(fp.N)}
	var unsupported error
	for _, ov := range outs.Array {
		o, err := outputFromValue(ov)
		if errors.Is(err, ErrUnsupported) {
			unsupported = err
			continue
		}
		if err != nil {
			return nil, err
		}
		a.Outputs = append(a.Outputs, *o)
	}
	if len(a.Outputs) == 0 {
		if unsupported != nil {
			return nil, unsupported
		}
		return nil, fmt.Errorf("%w: the account holds no output descriptor", ErrCBOR)
	}
	return a, nil
}

func outputFromValue(v Value) (*Output, error) {
	if c, ok := untag(v, TagOutput); ok {
		v = c
	}
	o := &Output{}
	for {
		if v.Kind != KindTag || v.Content == nil {
			return nil, fmt.Errorf("%w: an output descriptor must be a tagged script expression", ErrCBOR)
		}
		switch v.N {
		case TagSH, TagWSH, TagPKH, TagWPKH, TagTR, TagPK, TagCombo:
			if len(o.Script) >= 3 {
				return nil, fmt.Errorf("%w: the script expression nests too deep", ErrCBOR)
			}
			o.Script = append(o.Script, v.N)
			v = *v.Content
			continue
		case TagMulti, TagSortedMulti, TagMulti + newTagOffset, TagSortedMulti + newTagOffset:
			m, err := multiKeyFromValue(*v.Content, v.N%newTagOffset == TagSortedMulti)
			if err != nil {
				return nil, err
			}
			o.Multi = m
			return o, nil
		case TagHDKey, TagHDKey + newTagOffset:
			if len(o.Script) == 0 {
				return nil, fmt.Errorf("%w: the key has no script type", ErrCBOR)
			}
			k, err := hdKeyFromValue(*v.Content)
			if err != nil {
				return nil, err
			}
			o.Key = *k
			return o, nil
		case TagECKey, TagECKey + newTagOffset:
			return nil, fmt.Errorf("%w: a single key, not an extended key of an account", ErrUnsupported)
		default:
			return nil, fmt.Errorf("%w: script expression tag %d", ErrUnsupported, v.N)
		}
	}
}

// maxMultiKeys bounds the keys of a multikey: OP_CHECKMULTISIG's limit.
const maxMultiKeys = 20

// multiKeyFromValue reads a multikey: {1: threshold, 2: [keys]}.
func multiKeyFromValue(v Value, sorted bool) (*MultiKey, error) {
	th, ok1 := v.Get(1)
	keys, ok2 := v.Get(2)
	if v.Kind != KindMap || !ok1 || !ok2 || th.Kind != KindUint || keys.Kind != KindArray {
		return nil, fmt.Errorf("%w: a multikey is a map of a threshold (1) and keys (2)", ErrCBOR)
	}
	n := len(keys.Array)
	if n == 0 || n > maxMultiKeys || th.N < 1 || th.N > uint64(n) {
		return nil, fmt.Errorf("%w: a multikey of %d keys with threshold %d", ErrCBOR, n, th.N)
	}
	m := &MultiKey{Threshold: int(th.N), Sorted: sorted}
	for i, kv := range keys.Array {
		if kv.Kind != KindTag || kv.Content == nil {
			return nil, fmt.Errorf("%w: key %d of the multikey is not tagged", ErrCBOR, i+1)
		}
		switch kv.N {
		case TagHDKey, TagHDKey + newTagOffset:
		case TagECKey, TagECKey + newTagOffset:
			return nil, fmt.Errorf("%w: key %d of the multikey is a single key, not an extended key of an account", ErrUnsupported, i+1)
		default:
			return nil, fmt.Errorf("%w: key %d of the multikey has tag %d", ErrCBOR, i+1, kv.N)
		}
		k, err := hdKeyFromValue(*kv.Content)
		if err != nil {
			return nil, fmt.Errorf("key %d of the multikey: %w", i+1, err)
		}
		m.Keys = append(m.Keys, *k)
	}
	return m, nil
}

func hdKeyFromValue(v Value) (*HDKey, error) {
	if v.Kind != KindMap {
		return nil, fmt.Errorf("%w: a crypto-hdkey must be a map", ErrCBOR)
	}
	k := &HDKey{}
	if m, ok := v.Get(1); ok && m.Kind == KindBool && m.Bool {
		return nil, fmt.Errorf("%w: a master key holds a private key; share the account's public key", ErrUnsupported)
	}
	if p, ok := v.Get(2); ok && p.Kind == KindBool && p.Bool {
		return nil, fmt.Errorf("%w: this key is private; share the account's public key", ErrUnsupported)
	}
	kd, ok := v.Get(3)
	if !ok || kd.Kind != KindBytes || len(kd.Bytes) != 33 || (kd.Bytes[0] != 2 && kd.Bytes[0] != 3) {
		return nil, fmt.Errorf("%w: the key data must be a 33-byte compressed public key", ErrCBOR)
	}
	k.KeyData = kd.Bytes
	cc, ok := v.Get(4)
	if !ok || cc.Kind != KindBytes || len(cc.Bytes) != 32 {
		return nil, fmt.Errorf("%w: the key has no 32-byte chain code, so no addresses can be derived", ErrCBOR)
	}
	k.ChainCode = cc.Bytes
	if ui, ok := v.Get(5); ok {
		c, ok := untag(ui, TagCoinInfo)
		if !ok {
			return nil, fmt.Errorf("%w: the key's use-info is not a crypto-coininfo", ErrCBOR)
		}
		if t, ok := c.Get(1); ok && (t.Kind != KindUint || t.N != 0) {
			return nil, fmt.Errorf("%w: a key for another coin than bitcoin", ErrUnsupported)
		}
		if n, ok := c.Get(2); ok {
			if n.Kind != KindUint || n.N > 1 {
				return nil, fmt.Errorf("%w: unknown network %d", ErrUnsupported, n.N)
			}
			k.Testnet = n.N == 1
		}
	}
	var err error
	if ov, ok := v.Get(6); ok {
		if k.Origin, err = keypathFromValue(ov); err != nil {
			return nil, err
		}
	}
	if cv, ok := v.Get(7); ok {
		if k.Children, err = keypathFromValue(cv); err != nil {
			return nil, err
		}
	}
	if pf, ok := v.Get(8); ok {
		if pf.Kind != KindUint || pf.N > math.MaxUint32 {
			return nil, fmt.Errorf("%w: the parent fingerprint is not a 32-bit number", ErrCBOR)
		}
		k.ParentFingerprint = uint32(pf.N)
	}
	if n, ok := v.Get(9); ok && n.Kind == KindText {
		k.Name = n.Text
	}
	return k, nil
}

func keypathFromValue(v Value) (*Keypath, error) {
	c, ok := untag(v, TagKeypath)
	if !ok || c.Kind != KindMap {
		return nil, fmt.Errorf("%w: a key path must be a tagged crypto-keypath map", ErrCBOR)
	}
	p := &Keypath{Depth: -1}
	if comps, ok := c.Get(1); ok {
		if comps.Kind != KindArray {
			return nil, fmt.Errorf("%w: the path components must be an array", ErrCBOR)
		}
		a := comps.Array
		for i := 0; i < len(a); {
			var pc PathComponent
			it := a[i]
			switch {
			case it.Kind == KindUint && it.N < 1<<31:
				pc.Index = uint32(it.N)
			case it.Kind == KindArray && len(it.Array) == 0:
				pc.Wildcard = true
			case it.Kind == KindArray && len(it.Array) == 4 && it.Array[0].Kind == KindUint &&
				it.Array[1].Kind == KindBool && it.Array[2].Kind == KindUint && it.Array[3].Kind == KindBool &&
				it.Array[0].N < 1<<31 && it.Array[2].N < 1<<31:
				pc.Pair = true
				pc.Index, pc.Hardened = uint32(it.Array[0].N), it.Array[1].Bool
				pc.Internal, pc.InternalHardened = uint32(it.Array[2].N), it.Array[3].Bool
				p.Components = append(p.Components, pc)
				i++
				continue
			default:
				return nil, fmt.Errorf("%w: path component %d is not a child number, a wildcard or a pair", ErrCBOR, i/2+1)
			}
			if i+1 >= len(a) || a[i+1].Kind != KindBool {
				return nil, fmt.Errorf("%w: path component %d lacks its hardened flag", ErrCBOR, i/2+1)
			}
			pc.Hardened = a[i+1].Bool
			p.Components = append(p.Components, pc)
			i += 2
		}
	}
	if sf, ok := c.Get(2); ok {
		if sf.Kind != KindUint || sf.N > math.MaxUint32 {
			return nil, fmt.Errorf("%w: the source fingerprint is not a 32-bit number", ErrCBOR)
		}
		p.SourceFingerprint = uint32(sf.N)
	}
	if d, ok := c.Get(3); ok {
		if d.Kind != KindUint || d.N > 255 {
			return nil, fmt.Errorf("%w: the depth is not a number up to 255", ErrCBOR)
		}
		p.Depth = int(d.N)
	}
	return p, nil
}
