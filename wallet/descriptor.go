package wallet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/address/v2/base58"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
)

var (
	// ErrInvalidDescriptor is wrapped by every error of ParseDescriptor and
	// DescriptorChecksum. The message of such an error is the detail alone,
	// one sentence a user can act on.
	ErrInvalidDescriptor = errors.New("invalid descriptor")

	// ErrUnsupportedDescriptor is wrapped, next to ErrInvalidDescriptor, when
	// a descriptor may be valid BIP380 but is outside what satchel watches:
	// other script functions, single keys, script trees, bare or legacy
	// p2sh multisig, other derivation steps than /0/*, /1/* and /<0;1>/*.
	ErrUnsupportedDescriptor = errors.New("descriptor not supported")
)

// KeyOrigin says where an account key comes from: the fingerprint of the
// master key and the path from the master key to the account key.
type KeyOrigin struct {
	// Fingerprint is the first four bytes of HASH160 of the master public
	// key, as a big-endian number.
	Fingerprint uint32

	// Path is the derivation path from the master key to Descriptor.Key. It
	// is empty when the descriptor gave no origin; Fingerprint is then the
	// key's own fingerprint.
	Path []uint32
}

// Descriptor is an output descriptor of the subset satchel watches: one
// extended public key, with its origin, under pkh(), sh(wpkh()), wpkh() or
// tr() (key path only), followed by a branch and a wildcard: KEY/0/*, KEY/1/*
// or the BIP389 multipath KEY/<0;1>/* that stands for both. Or a multisig
// (BIP383) of such keys, all with the same branches: wsh(sortedmulti(k,…)),
// wsh(multi(k,…)), sh(wsh(sortedmulti(k,…))) or sh(wsh(multi(k,…))).
//
// A Descriptor is a value: its methods do not change it, and Branch returns a
// copy.
type Descriptor struct {
	// Type is the script type, which decides the descriptor function.
	Type ScriptType

	// Origin is the key origin. Origin.Path may be empty. It is unused
	// (zero) for a multisig descriptor, whose keys have their own.
	Origin KeyOrigin

	// Key is the account's extended public key, with the standard version
	// bytes of its network (xpub or tpub). It is nil for a multisig
	// descriptor.
	Key *hdkeychain.ExtendedKey

	// Branches are the derivation steps after Key (after every key of a
	// multisig), each followed by the wildcard /*: [0] (receive), [1]
	// (change) or [0 1] (both, <0;1>).
	Branches []uint32

	// Multisig is the policy of a multisig descriptor (Type P2WSH or
	// P2SHP2WSH), nil otherwise.
	Multisig *Multisig
}

// kindError is an error whose message is a complete sentence for the user
// and which unwraps to the sentinel errors that classify it.
type kindError struct {
	msg   string
	kinds []error
}

// Error returns the message.
func (e *kindError) Error() string { return e.msg }

// Unwrap returns the sentinels, for errors.Is.
func (e *kindError) Unwrap() []error { return e.kinds }

// kindErrorf returns an error with a formatted message that errors.Is
// matches against kind.
func kindErrorf(kind error, format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kinds: []error{kind}}
}

// descErrorf returns a descriptor error that wraps ErrInvalidDescriptor and,
// when not nil, kind.
func descErrorf(kind error, format string, args ...any) error {
	kinds := []error{ErrInvalidDescriptor}
	if kind != nil {
		kinds = append(kinds, kind)
	}
	return &kindError{msg: fmt.Sprintf(format, args...), kinds: kinds}
}

// errDescPrivateKey is the one message for every kind of private key in a
// descriptor, so that the key is never echoed.
func errDescPrivateKey() error {
	return descErrorf(ErrPrivateKey, "descriptor contains a private key; import public descriptors only")
}

// ParseDescriptor parses a descriptor of the supported subset for network
// net, such as
//
//	wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZ.../<0;1>/*)#checksum
//
// The checksum is optional; when present it must match. Hardened steps may be
// written h, H or '. An SLIP-132 key (ypub, zpub, upub, vpub) is accepted and
// converted to xpub or tpub; the key must belong to net. Private keys are
// refused. Every error wraps ErrInvalidDescriptor.
func ParseDescriptor(s string, net *chaincfg.Params) (*Descriptor, error) {
	if net == nil {
		return nil, descErrorf(nil, "no network given for the descriptor")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, descErrorf(nil, "the descriptor is empty")
	}
	body, err := splitChecksum(s)
	if err != nil {
		return nil, err
	}
	p := &descParser{s: body, net: net}
	return p.parseDescriptor()
}

// String returns the descriptor in canonical form, with h for hardened steps,
// a lower-case fingerprint, <0;1> for both branches and the checksum. The key
// origin is left out when it holds no more than the key itself says (an
// empty path and the key's own fingerprint). A Descriptor without a key or
// with an unknown type gives "".
func (d *Descriptor) String() string {
	body := d.body()
	if body == "" {
		return ""
	}
	return body + "#" + descriptorChecksum(body)
}

// body returns the descriptor without its checksum.
func (d *Descriptor) body() string {
	if d == nil || !d.Type.valid() {
		return ""
	}
	if d.Type.Multisig() {
		if d.Multisig == nil {
			return ""
		}
		return d.multisigBody()
	}
	if d.Key == nil {
		return ""
	}
	var b strings.Builder
	switch d.Type {
	case P2PKH:
		b.WriteString("pkh(")
	case P2SHP2WPKH:
		b.WriteString("sh(wpkh(")
	case P2WPKH:
		b.WriteString("wpkh(")
	case P2TR:
		b.WriteString("tr(")
	}
	expr := keyExprBody(d.Origin, d.Key, d.Branches)
	if expr == "" {
		return ""
	}
	b.WriteString(expr)
	b.WriteString(")")
	if d.Type == P2SHP2WPKH {
		b.WriteByte(')')
	}
	return b.String()
}

// keyExprBody writes one key expression: the origin (left out when it holds
// no more than the key itself says), the key as xpub or tpub, the branches
// and the wildcard. It returns "" for a key it cannot write.
func keyExprBody(origin KeyOrigin, key *hdkeychain.ExtendedKey, branches []uint32) string {
	if key.IsPrivate() {
		// Never print private material, even if a caller built such a value.
		pub, err := key.Neuter()
		if err != nil {
			return ""
		}
		key = pub
	}
	if kv, ok := lookupKeyVersion(key.Version()); ok && kv.implied != 0 {
		// A ypub, zpub, upub or vpub is written as the xpub or tpub it is.
		std, _ := publicKeyVersion(kv.mainnet, 0)
		if k, err := key.CloneWithVersion(std.version[:]); err == nil {
			key = k
		}
	}
	var b strings.Builder
	if len(origin.Path) > 0 || origin.Fingerprint != keyFingerprint(key) {
		fmt.Fprintf(&b, "[%08x", origin.Fingerprint)
		appendPath(&b, origin.Path)
		b.WriteByte(']')
	}
	b.WriteString(key.String())
	switch len(branches) {
	case 0:
	case 1:
		b.WriteByte('/')
		b.WriteString(formatPathStep(branches[0]))
	default:
		b.WriteString("/<")
		for i, br := range branches {
			if i > 0 {
				b.WriteByte(';')
			}
			b.WriteString(formatPathStep(br))
		}
		b.WriteByte('>')
	}
	b.WriteString("/*")
	return b.String()
}

// Branch returns a copy of d that derives branch b only: the receive (0) or
// change (1) descriptor of the same account, whichever branches d has, such
// as one half of a <0;1> descriptor. A nil d gives nil.
func (d *Descriptor) Branch(b uint32) *Descriptor {
	if d == nil {
		return nil
	}
	c := *d
	c.Origin.Path = slices.Clone(d.Origin.Path)
	c.Branches = []uint32{b}
	c.Multisig = d.Multisig.clone()
	return &c
}

// keyFingerprint returns the BIP32 fingerprint of k: the first four bytes
// of HASH160 of its compressed public key.
func keyFingerprint(k *hdkeychain.ExtendedKey) uint32 {
	pub, err := k.ECPubKey()
	if err != nil {
		return 0
	}
	return binary.BigEndian.Uint32(address.Hash160(pub.SerializeCompressed())[:4])
}

// descParser reads a descriptor (without its checksum) from left to right.
// Positions in its messages count characters from 1; the descriptor holds
// ASCII only once its characters have been checked.
type descParser struct {
	s   string
	pos int
	net *chaincfg.Params
}

// bip380Functions are script functions of the descriptor BIPs that satchel
// does not support; they get a clearer message than unknown names.
var bip380Functions = []string{
	"pk", "multi_a", "sortedmulti_a",
	"combo", "raw", "addr", "rawtr", "musig",
}

// peek returns the next character, or 0 at the end.
func (p *descParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

// found describes the text at the current position for a message.
func (p *descParser) found() string {
	if p.pos >= len(p.s) {
		return "the end of the descriptor"
	}
	return fmt.Sprintf("%q at position %d", shorten(p.s[p.pos:min(len(p.s), p.pos+12)]), p.pos+1)
}

// expect consumes c or reports what is there instead.
func (p *descParser) expect(c byte, what string) error {
	if p.peek() != c {
		return descErrorf(nil, "expected %q %s, found %s", c, what, p.found())
	}
	p.pos++
	return nil
}

// parseDescriptor parses the whole descriptor.
func (p *descParser) parseDescriptor() (*Descriptor, error) {
	name, err := p.function("")
	if err != nil {
		return nil, err
	}
	d := &Descriptor{}
	closing := 1
	switch name {
	case "pkh":
		d.Type = P2PKH
	case "wpkh":
		d.Type = P2WPKH
	case "tr":
		d.Type = P2TR
	case "wsh":
		d.Type = P2WSH
		return p.finishMultisig(d, 1)
	case "sh":
		inner, err := p.function("sh")
		if err != nil {
			return nil, err
		}
		if inner == "wsh" {
			d.Type = P2SHP2WSH
			return p.finishMultisig(d, 2)
		}
		d.Type = P2SHP2WPKH
		closing = 2
	}
	if err := p.parseKey(d, name); err != nil {
		return nil, err
	}
	if d.Type == P2TR && p.peek() == ',' {
		return nil, descErrorf(ErrUnsupportedDescriptor, "taproot script trees are not supported; satchel watches key-path tr(KEY) descriptors only")
	}
	for range closing {
		if err := p.expect(')', "to close the descriptor after the key"); err != nil {
			return nil, err
		}
	}
	if p.pos < len(p.s) {
		return nil, descErrorf(nil, "unexpected text %s after the end of the descriptor", p.found())
	}
	return d, nil
}

// finishMultisig parses the multi( or sortedmulti( inside wsh( and the
// closing parentheses of the closing enclosing functions.
func (p *descParser) finishMultisig(d *Descriptor, closing int) (*Descriptor, error) {
	fn, err := p.function("wsh")
	if err != nil {
		return nil, err
	}
	if err := p.parseMultisig(d, fn); err != nil {
		return nil, err
	}
	for range closing {
		if err := p.expect(')', "to close the descriptor after "+fn+"()"); err != nil {
			return nil, err
		}
	}
	if p.pos < len(p.s) {
		return nil, descErrorf(nil, "unexpected text %s after the end of the descriptor", p.found())
	}
	return d, nil
}

// function reads a script function name and its '('. outer is the enclosing
// function, "" at the top level. It accepts the names satchel supports at that
// level and explains every other one.
func (p *descParser) function(outer string) (string, error) {
	start := p.pos
	for p.pos < len(p.s) && isIdentChar(p.s[p.pos]) {
		p.pos++
	}
	name := p.s[start:p.pos]
	if name == "" {
		p.pos = start
		if outer == "" {
			return "", descErrorf(nil, "a descriptor starts with a script function such as wpkh(; found %s", p.found())
		}
		if outer == "wsh" {
			return "", errWshSingle()
		}
		return "", descErrorf(nil, "expected a script function inside %s(, found %s", outer, p.found())
	}
	if outer == "wsh" && p.peek() != '(' {
		return "", errWshSingle()
	}
	if p.peek() != '(' {
		switch {
		case outer == "" && isKnownFunction(name):
			return "", descErrorf(nil, "expected '(' after %q, found %s", name, p.found())
		case outer == "":
			return "", descErrorf(nil, "a descriptor starts with a script function such as wpkh(; found %q", shorten(name))
		}
		return "", descErrorf(nil, "%s() must hold a script function, as in sh(wpkh(KEY)); found %q", outer, shorten(name))
	}
	p.pos++
	isMulti := name == "multi" || name == "sortedmulti"
	switch {
	case outer == "" && (name == "pkh" || name == "wpkh" || name == "tr" || name == "sh" || name == "wsh"):
		return name, nil
	case outer == "sh" && (name == "wpkh" || name == "wsh"):
		return name, nil
	case outer == "wsh" && isMulti:
		return name, nil
	case outer == "" && isMulti:
		return "", descErrorf(ErrUnsupportedDescriptor, "bare %s() is not supported; put it inside wsh(), as in wsh(%s(2,KEY,KEY,KEY))", name, name)
	case outer == "sh" && isMulti:
		return "", descErrorf(ErrUnsupportedDescriptor, "sh(%s()) (legacy p2sh multisig) is not supported; use wsh(%s(…)) or sh(wsh(%s(…)))", name, name, name)
	case outer == "sh" && (name == "sh" || name == "tr"):
		return "", descErrorf(nil, "%s() cannot be used inside sh(); it must be the outermost function", name)
	case outer == "wsh" && (name == "sh" || name == "wsh" || name == "tr"):
		return "", descErrorf(nil, "%s() cannot be used inside wsh()", name)
	case outer == "sh" && name == "pkh":
		return "", descErrorf(ErrUnsupportedDescriptor, "sh(pkh()) is not supported; inside sh() satchel takes wpkh() or wsh(), as sh(wpkh(KEY))")
	case outer == "wsh" && (name == "pkh" || name == "wpkh" || slices.Contains(bip380Functions, name)):
		return "", descErrorf(ErrUnsupportedDescriptor, "wsh(%s()) is not supported; inside wsh() satchel takes multi() or sortedmulti(), as in wsh(sortedmulti(2,KEY,KEY,KEY))", name)
	case slices.Contains(bip380Functions, name):
		return "", descErrorf(ErrUnsupportedDescriptor, "%s() descriptors are not supported; %s", name, supportedText)
	case strings.ToLower(name) != name && isKnownFunction(strings.ToLower(name)):
		return "", descErrorf(nil, "unknown descriptor function %q; function names are lower case, as in %s(", shorten(name), strings.ToLower(name))
	}
	return "", descErrorf(nil, "unknown descriptor function %q at position %d; %s", shorten(name), start+1, supportedText)
}

// errWshSingle explains that wsh() takes a multisig only.
func errWshSingle() error {
	return descErrorf(ErrUnsupportedDescriptor, "wsh() must hold multi() or sortedmulti(), as in wsh(sortedmulti(2,KEY,KEY,KEY)); other wsh() scripts are not supported")
}

// supportedText lists the descriptors satchel watches, for messages.
const supportedText = "satchel watches pkh(), sh(wpkh()), wpkh() and tr() with one extended public key, and wsh() or sh(wsh()) multisig"

// isKnownFunction reports whether name is a script function of the
// descriptor BIPs, supported or not.
func isKnownFunction(name string) bool {
	switch name {
	case "pkh", "wpkh", "tr", "sh", "wsh", "multi", "sortedmulti":
		return true
	}
	return slices.Contains(bip380Functions, name)
}

// isIdentChar reports whether c may appear in a script function name.
func isIdentChar(c byte) bool {
	return c == '_' || isAlnum(c)
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// maxKeyTokenLen bounds the text read as one key: an extended key has 111
// characters, so anything much longer is not one and is not decoded.
const maxKeyTokenLen = 128

// parseKey parses the key expression of a descriptor into d: an optional
// origin, the extended public key and the steps after it. fn is the
// function the key is an argument of.
func (p *descParser) parseKey(d *Descriptor, fn string) error {
	origin, key, branches, err := p.parseKeyExpr(fn)
	if err != nil {
		return err
	}
	d.Origin, d.Key, d.Branches = origin, key, branches
	return nil
}

// parseKeyExpr parses one key expression, an argument of fn: an optional
// origin, the extended public key and the steps after it.
func (p *descParser) parseKeyExpr(fn string) (KeyOrigin, *hdkeychain.ExtendedKey, []uint32, error) {
	var origin KeyOrigin
	fail := func(err error) (KeyOrigin, *hdkeychain.ExtendedKey, []uint32, error) {
		return KeyOrigin{}, nil, nil, err
	}
	hasOrigin := false
	if p.peek() == '[' {
		if err := p.parseOrigin(&origin); err != nil {
			return fail(err)
		}
		hasOrigin = true
	}
	start := p.pos
	for p.pos < len(p.s) && isAlnum(p.s[p.pos]) {
		p.pos++
	}
	tok := p.s[start:p.pos]
	switch {
	case tok == "" && p.peek() == '[':
		return fail(descErrorf(nil, "a key may have only one origin in [ ]; found a second '[' at position %d", p.pos+1))
	case tok == "" && p.peek() == ']':
		return fail(descErrorf(nil, "found ']' at position %d without a '[' before it", p.pos+1))
	case tok == "":
		return fail(descErrorf(nil, "expected an extended public key inside %s(, found %s", fn, p.found()))
	case p.peek() == '(':
		return fail(descErrorf(nil, "%s() takes a key, not a script function like %s(", fn, shorten(tok)))
	case p.peek() == ']':
		return fail(descErrorf(nil, "found ']' at position %d; a key origin must start with '[', as in [73c5da0a/84h/0h/0h]", p.pos+1))
	}
	key, err := p.decodeKey(tok)
	if err != nil {
		return fail(err)
	}
	if !hasOrigin {
		origin = KeyOrigin{Fingerprint: keyFingerprint(key)}
	}
	branches, err := p.parseSteps()
	if err != nil {
		return fail(err)
	}
	return origin, key, branches, nil
}

// decodeKey turns the key text tok into an extended public key for the
// parser's network.
func (p *descParser) decodeKey(tok string) (*hdkeychain.ExtendedKey, error) {
	if _, ok := privatePrefix(tok); ok {
		// Even when it does not decode: see decodeExtendedKey.
		return nil, errDescPrivateKey()
	}
	if len(tok) > maxKeyTokenLen {
		return nil, descErrorf(nil, "the key at position %d is not an extended public key (it is too long)", p.pos-len(tok)+1)
	}
	if isHexString(tok) && (len(tok) == 64 || len(tok) == 66 || len(tok) == 130) {
		return nil, descErrorf(ErrUnsupportedDescriptor, "single public keys are not supported; use an extended public key (xpub or tpub) followed by /0/*, /1/* or /<0;1>/*")
	}
	if isWIF(tok) {
		return nil, errDescPrivateKey()
	}
	key, _, err := ParseExtendedKey(tok, p.net)
	switch {
	case errors.Is(err, ErrPrivateKey):
		return nil, errDescPrivateKey()
	case err != nil:
		return nil, &kindError{msg: err.Error(), kinds: []error{ErrInvalidDescriptor, err}}
	}
	return key, nil
}

// isWIF reports whether s is a private key in wallet import format.
func isWIF(s string) bool {
	payload, version, err := base58.CheckDecode(s)
	if err != nil || (version != 0x80 && version != 0xef) {
		return false
	}
	return len(payload) == 32 || len(payload) == 33 && payload[32] == 0x01
}

// isHexString reports whether s holds hex digits only.
func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// parseOrigin parses a key origin "[fingerprint/path]".
func (p *descParser) parseOrigin(o *KeyOrigin) error {
	open := p.pos
	end := strings.IndexByte(p.s[open:], ']')
	if end < 0 {
		return descErrorf(nil, "the key origin '[' at position %d has no closing ']'", open+1)
	}
	inner := p.s[open+1 : open+end]
	if i := strings.IndexAny(inner, "[(),"); i >= 0 {
		return descErrorf(nil, "unexpected %q at position %d inside the key origin [...]", inner[i], open+2+i)
	}
	fp, rest, hasPath := strings.Cut(inner, "/")
	if len(fp) != 8 || !isHexString(fp) {
		return descErrorf(nil, "the key origin fingerprint must be 8 hex characters, as in [73c5da0a/84h/0h/0h]; found %q", shorten(fp))
	}
	v, _ := strconv.ParseUint(fp, 16, 32)
	o.Fingerprint = uint32(v)
	o.Path = nil
	if hasPath {
		steps := strings.Split(rest, "/")
		if len(steps) > maxPathDepth {
			return descErrorf(nil, "the key origin path has %d steps but BIP32 allows at most %d", len(steps), maxPathDepth)
		}
		for i, step := range steps {
			switch {
			case strings.Contains(step, "*"):
				return descErrorf(nil, "a key origin cannot hold a wildcard '*'; put /* after the key")
			case strings.ContainsAny(step, "<>;"):
				return descErrorf(nil, "a key origin cannot hold a multipath <…> step; put it after the key")
			}
			v, err := parsePathStep(step)
			if err != nil {
				return descErrorf(nil, "key origin step %d %v", i+1, err)
			}
			o.Path = append(o.Path, v)
		}
	}
	p.pos = open + end + 1
	return nil
}

// descStep is one derivation step after the key.
type descStep struct {
	pos      int      // position of the step's first character, from 1
	text     string   // the step as written
	wildcard bool     // '*'
	values   []uint32 // the step's index, or several in a multipath <…>
}

// parseSteps parses the derivation steps after the key and checks that they
// are one of the supported forms: /0/*, /1/* or /<0;1>/*. It returns the
// branches.
func (p *descParser) parseSteps() ([]uint32, error) {
	var steps []descStep
	for p.peek() == '/' {
		p.pos++
		st, err := p.parseStep()
		if err != nil {
			return nil, err
		}
		steps = append(steps, st)
	}
	switch c := p.peek(); c {
	case ')', ',', 0:
	case '>':
		return nil, descErrorf(nil, "found '>' at position %d without a '<' before it; write /<0;1>/*", p.pos+1)
	default:
		return nil, descErrorf(nil, "unexpected %s in the derivation steps after the key", p.found())
	}
	multipath := 0
	for i, st := range steps {
		for _, v := range st.values {
			if v >= hdkeychain.HardenedKeyStart {
				if st.wildcard {
					return nil, descErrorf(nil, "the hardened wildcard %q at position %d cannot be derived from an extended public key; use /*", st.text, st.pos)
				}
				return nil, descErrorf(nil, "the hardened step %q at position %d cannot be derived from an extended public key; give the key at that step instead", st.text, st.pos)
			}
		}
		if st.wildcard && i != len(steps)-1 {
			return nil, descErrorf(nil, "the wildcard '*' at position %d must be the last step", st.pos)
		}
		if len(st.values) > 1 {
			multipath++
			if multipath > 1 {
				return nil, descErrorf(nil, "a key may have only one multipath <…> step; found another at position %d", st.pos)
			}
		}
	}
	if len(steps) == 0 || !steps[len(steps)-1].wildcard {
		return nil, descErrorf(ErrUnsupportedDescriptor, "the key must end in /0/*, /1/* or /<0;1>/* so that satchel can derive addresses from it")
	}
	if len(steps) != 2 {
		var written strings.Builder
		for _, st := range steps {
			written.WriteString("/" + st.text)
		}
		return nil, descErrorf(ErrUnsupportedDescriptor, "satchel supports /0/*, /1/* or /<0;1>/* after the key, not %s", shorten(written.String()))
	}
	branch := steps[0]
	switch {
	case len(branch.values) == 1 && branch.values[0] <= 1:
		return branch.values, nil
	case slices.Equal(branch.values, []uint32{0, 1}):
		return branch.values, nil
	}
	return nil, descErrorf(ErrUnsupportedDescriptor, "satchel supports branch 0 (receive), 1 (change) or <0;1> (both) after the key, not /%s", shorten(branch.text))
}

// parseStep parses one step after a '/': a number, a wildcard or a
// multipath group, each possibly hardened.
func (p *descParser) parseStep() (descStep, error) {
	st := descStep{pos: p.pos + 1}
	start := p.pos
	switch p.peek() {
	case '*':
		p.pos++
		st.wildcard = true
		st.values = []uint32{0}
		if c := p.peek(); c == 'h' || c == 'H' || c == '\'' {
			p.pos++
			st.values[0] = hdkeychain.HardenedKeyStart
		}
	case '<':
		end := strings.IndexByte(p.s[start:], '>')
		if stop := strings.IndexAny(p.s[start:], "/)"); end < 0 || (stop >= 0 && stop < end) {
			return st, descErrorf(nil, "the multipath step '<' at position %d has no closing '>'", st.pos)
		}
		inner := p.s[start+1 : start+end]
		p.pos = start + end + 1
		if inner == "" {
			return st, descErrorf(nil, "the multipath step at position %d is empty; write <0;1>", st.pos)
		}
		parts := strings.Split(inner, ";")
		if len(parts) < 2 {
			return st, descErrorf(nil, "the multipath step at position %d needs at least two numbers, as in <0;1>", st.pos)
		}
		for _, part := range parts {
			if part == "" {
				return st, descErrorf(nil, "the multipath step at position %d has an empty number; write <0;1>", st.pos)
			}
			v, err := parsePathStep(part)
			if err != nil {
				return st, descErrorf(nil, "in the multipath step at position %d, a number %v", st.pos, err)
			}
			if slices.Contains(st.values, v) {
				return st, descErrorf(nil, "the multipath step at position %d repeats %s", st.pos, formatPathStep(v))
			}
			st.values = append(st.values, v)
		}
	default:
		for p.pos < len(p.s) && !strings.ContainsRune("/)<>,[]", rune(p.s[p.pos])) {
			p.pos++
		}
		v, err := parsePathStep(p.s[start:p.pos])
		if err != nil {
			return st, descErrorf(nil, "the derivation step at position %d %v", st.pos, err)
		}
		st.values = []uint32{v}
	}
	st.text = p.s[start:p.pos]
	return st, nil
}
