package wallet

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"

	"github.com/satchelbtc/satchel/keystore"
)

// MaxMultisigKeys is the most keys a multisig descriptor may hold: the
// limit of OP_CHECKMULTISIG (BIP383's limit inside wsh()).
const MaxMultisigKeys = 20

// Multisig is the threshold policy of a multisig descriptor
// (wsh(sortedmulti(k,KEY,…)) and its relatives, BIP383): k of the keys must
// sign.
type Multisig struct {
	// Threshold is k, from 1 to len(Keys).
	Threshold int

	// Sorted is true for sortedmulti(): the derived public keys go into the
	// script in lexicographic order, not in the order of Keys.
	Sorted bool

	// Keys are the cosigners' account keys in the order the descriptor
	// names them. Every key derives the descriptor's Branches.
	Keys []MultisigKey
}

// MultisigKey is one cosigner of a multisig descriptor: an extended public
// key and where it comes from.
type MultisigKey struct {
	// Origin is the key origin; Origin.Path is empty when the descriptor
	// gave none, and Origin.Fingerprint is then the key's own fingerprint.
	Origin KeyOrigin

	// Key is the cosigner's account key (xpub or tpub).
	Key *hdkeychain.ExtendedKey
}

// clone returns a deep copy of m.
func (m *Multisig) clone() *Multisig {
	if m == nil {
		return nil
	}
	c := *m
	c.Keys = make([]MultisigKey, len(m.Keys))
	for i, k := range m.Keys {
		c.Keys[i] = MultisigKey{Origin: KeyOrigin{Fingerprint: k.Origin.Fingerprint,
			Path: slices.Clone(k.Origin.Path)}, Key: k.Key}
	}
	return &c
}

// sameMultisig reports whether a and b name the same policy: threshold,
// sorting, and the same keys with the same origins in the same order.
func sameMultisig(a, b *Multisig) bool {
	if a == nil || b == nil || a.Threshold != b.Threshold || a.Sorted != b.Sorted || len(a.Keys) != len(b.Keys) {
		return false
	}
	for i := range a.Keys {
		x, y := a.Keys[i], b.Keys[i]
		if x.Key.String() != y.Key.String() || x.Origin.Fingerprint != y.Origin.Fingerprint ||
			!slices.Equal(x.Origin.Path, y.Origin.Path) {
			return false
		}
	}
	return true
}

// parseMultisig parses the body of multi( or sortedmulti( (the function
// name and '(' already read): the threshold, the keys and the closing ')'.
// d.Type is set by the caller.
func (p *descParser) parseMultisig(d *Descriptor, fn string) error {
	m := &Multisig{Sorted: fn == "sortedmulti"}
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != ',' && p.s[p.pos] != ')' {
		p.pos++
	}
	tok := p.s[start:p.pos]
	if tok == "" || len(tok) > 3 || strings.Trim(tok, "0123456789") != "" {
		return descErrorf(nil, "%s() starts with its threshold, a number of signatures such as 2 in %s(2,KEY,KEY,KEY); found %q", fn, fn, shorten(tok))
	}
	k, _ := strconv.Atoi(tok)
	if k < 1 {
		return descErrorf(nil, "the threshold of %s() must be at least 1, not %d", fn, k)
	}
	if p.peek() != ',' {
		return descErrorf(nil, "%s(%d) has no keys; write %s(%d,KEY,KEY,…)", fn, k, fn, k)
	}
	for p.peek() == ',' {
		p.pos++
		if len(m.Keys) == MaxMultisigKeys {
			return descErrorf(nil, "%s() may hold at most %d keys", fn, MaxMultisigKeys)
		}
		origin, key, branches, err := p.parseKeyExpr(fn)
		if err != nil {
			return err
		}
		if len(m.Keys) == 0 {
			d.Branches = branches
		} else if !slices.Equal(branches, d.Branches) {
			return descErrorf(ErrUnsupportedDescriptor, "key %d of %s() derives %s but key 1 derives %s; every key must end in the same /0/*, /1/* or /<0;1>/*",
				len(m.Keys)+1, fn, stepsText(branches), stepsText(d.Branches))
		}
		for i, other := range m.Keys {
			if other.Key.String() == key.String() {
				return descErrorf(nil, "key %d of %s() is the same as key %d; each cosigner must have its own key", len(m.Keys)+1, fn, i+1)
			}
		}
		m.Keys = append(m.Keys, MultisigKey{Origin: origin, Key: key})
	}
	if k > len(m.Keys) {
		return descErrorf(nil, "the threshold of %s() is %d but it has only %d key%s", fn, k, len(m.Keys), plural(len(m.Keys)))
	}
	m.Threshold = k
	d.Multisig = m
	return p.expect(')', "to close "+fn+"() after its keys")
}

// stepsText writes the steps after a key for a message: /0/*, /1/* or
// /<0;1>/*.
func stepsText(branches []uint32) string {
	if len(branches) == 1 {
		return "/" + formatPathStep(branches[0]) + "/*"
	}
	var b strings.Builder
	b.WriteString("/<")
	for i, br := range branches {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(formatPathStep(br))
	}
	b.WriteString(">/*")
	return b.String()
}

// plural returns "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// multisigBody writes a multisig descriptor without its checksum.
func (d *Descriptor) multisigBody() string {
	m := d.Multisig
	if len(m.Keys) == 0 {
		return ""
	}
	var b strings.Builder
	switch d.Type {
	case P2WSH:
		b.WriteString("wsh(")
	case P2SHP2WSH:
		b.WriteString("sh(wsh(")
	default:
		return ""
	}
	if m.Sorted {
		b.WriteString("sortedmulti(")
	} else {
		b.WriteString("multi(")
	}
	b.WriteString(strconv.Itoa(m.Threshold))
	for _, k := range m.Keys {
		if k.Key == nil {
			return ""
		}
		b.WriteByte(',')
		expr := keyExprBody(k.Origin, k.Key, d.Branches)
		if expr == "" {
			return ""
		}
		b.WriteString(expr)
	}
	b.WriteString("))")
	if d.Type == P2SHP2WSH {
		b.WriteByte(')')
	}
	return b.String()
}

// deriveMultisig derives the multisig address at index on branch; Derive
// has checked the descriptor, branch and index.
func (d *Descriptor) deriveMultisig(branch, index uint32, net *chaincfg.Params) (*DerivedAddress, error) {
	m := d.Multisig
	keys := make([]DerivedKey, len(m.Keys))
	for i, k := range m.Keys {
		if err := checkKeyNet(k.Key, net); err != nil {
			return nil, err
		}
		branchKey, err := k.Key.Derive(branch)
		if err != nil {
			return nil, deriveError(branch, index, err)
		}
		child, err := branchKey.Derive(index)
		if err != nil {
			return nil, deriveError(branch, index, err)
		}
		pub, err := child.ECPubKey()
		if err != nil {
			return nil, deriveError(branch, index, err)
		}
		path := make([]uint32, 0, len(k.Origin.Path)+2)
		path = append(path, k.Origin.Path...)
		keys[i] = DerivedKey{Fingerprint: k.Origin.Fingerprint, Path: append(path, branch, index), PubKey: pub}
	}
	pubs := make([]*btcec.PublicKey, len(keys))
	for i := range keys {
		pubs[i] = keys[i].PubKey
	}
	ws, err := MultisigScript(m.Threshold, pubs, m.Sorted)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(ws)
	var (
		addr   address.Address
		redeem []byte
	)
	if d.Type == P2SHP2WSH {
		redeem = append([]byte{txscript.OP_0, txscript.OP_DATA_32}, h[:]...)
		addr, err = address.NewAddressScriptHash(redeem, net)
	} else {
		addr, err = address.NewAddressWitnessScriptHash(h[:], net)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot encode the %s address: %w", d.Type, err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("cannot build the output script for %s: %w", addr, err)
	}
	return &DerivedAddress{
		Branch:        branch,
		Index:         index,
		Path:          []uint32{branch, index},
		Address:       addr,
		Script:        script,
		WitnessScript: ws,
		RedeemScript:  redeem,
		Keys:          keys,
	}, nil
}

// DerivedKey is one cosigner's key of a multisig address.
type DerivedKey struct {
	// Fingerprint is the cosigner's master key fingerprint, as printed.
	Fingerprint uint32

	// Path is the full path of PubKey from the cosigner's master key (or
	// from its account key when the descriptor gave no origin).
	Path []uint32

	// PubKey is the derived public key.
	PubKey *btcec.PublicKey
}

// MultisigScript returns the script OP_k <key>… OP_n OP_CHECKMULTISIG of BIP383
// for compressed keys, with the keys sorted lexicographically when sorted
// is true (sortedmulti) and in the given order otherwise (multi). A
// threshold above 16 is pushed as a number, as BIP383 says.
func MultisigScript(k int, keys []*btcec.PublicKey, sorted bool) ([]byte, error) {
	n := len(keys)
	if n == 0 || n > MaxMultisigKeys || k < 1 || k > n {
		return nil, fmt.Errorf("a multisig script needs 1 to %d keys and a threshold from 1 to the number of keys (got %d of %d)",
			MaxMultisigKeys, k, n)
	}
	ser := make([][]byte, n)
	for i, key := range keys {
		ser[i] = key.SerializeCompressed()
	}
	if sorted {
		slices.SortFunc(ser, bytes.Compare)
	}
	b := txscript.NewScriptBuilder().AddInt64(int64(k))
	for _, s := range ser {
		b.AddData(s)
	}
	return b.AddInt64(int64(n)).AddOp(txscript.OP_CHECKMULTISIG).Script()
}

// CosignerKey returns the key expression a seed gives a multisig
// coordinator: its BIP48 account key for multisig type t (m/48h/coin'/
// account'/2h for P2WSH, 1h for P2SHP2WSH) with its origin, as
// "[73c5da0a/48h/1h/0h/2h]tpub…". The fingerprint is written as every key
// origin in text is: the first four bytes of HASH160 of the master public
// key, in order.
func CosignerKey(s *keystore.Signer, t ScriptType, net *chaincfg.Params, account uint32) (string, error) {
	origin, key, err := cosignerAccountKey(s, t, net, account)
	if err != nil {
		return "", err
	}
	return keyExprOrigin(origin) + key.String(), nil
}

// cosignerAccountKey derives a seed's BIP48 account key for multisig type
// t, with its origin: the key CosignerKey writes as text and
// CosignerOutputs as a crypto-account's outputs.
func cosignerAccountKey(s *keystore.Signer, t ScriptType, net *chaincfg.Params, account uint32) (KeyOrigin, *hdkeychain.ExtendedKey, error) {
	if !t.Multisig() {
		return KeyOrigin{}, nil, fmt.Errorf("a cosigner key is for p2wsh or p2sh-p2wsh, not %s", t)
	}
	if account >= hdkeychain.HardenedKeyStart {
		return KeyOrigin{}, nil, fmt.Errorf("account %d is too large; the largest is %d", account, hdkeychain.HardenedKeyStart-1)
	}
	path := BIP48Path(t, net, account)
	key, err := s.AccountXPub(path)
	if err != nil {
		return KeyOrigin{}, nil, err
	}
	return KeyOrigin{Fingerprint: s.Fingerprint(), Path: path}, key, nil
}

// keyExprOrigin writes a key origin as "[73c5da0a/48h/1h/0h/2h]".
func keyExprOrigin(o KeyOrigin) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%08x", o.Fingerprint)
	appendPath(&b, o.Path)
	b.WriteByte(']')
	return b.String()
}
