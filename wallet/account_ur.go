package wallet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// scriptTags maps a script type to its crypto-output script expression,
// from the outside in.
var scriptTags = map[ScriptType][]uint64{
	P2PKH:      {ur.TagPKH},
	P2SHP2WPKH: {ur.TagSH, ur.TagWPKH},
	P2WPKH:     {ur.TagWPKH},
	P2TR:       {ur.TagTR},
}

// ScriptTypeOfUR returns the script type of a crypto-output's script
// expression, or false for one a satchel account cannot be (multisig,
// wsh, a bare sh, ...).
func ScriptTypeOfUR(tags []uint64) (ScriptType, bool) {
	for t, want := range scriptTags {
		if slices.Equal(tags, want) {
			return t, true
		}
	}
	return 0, false
}

// multisigTags maps a multisig script type to the script expression around
// its multi() or sortedmulti(), from the outside in.
var multisigTags = map[ScriptType][]uint64{
	P2WSH:     {ur.TagWSH},
	P2SHP2WSH: {ur.TagSH, ur.TagWSH},
}

// UROutput returns the descriptor's account key as a crypto-output, for a
// signing device or coordinator. A standalone output (ur:crypto-output)
// carries the master fingerprint, the depth and the /<0;1>/* branches; the
// outputs of a ur:crypto-account carry only the origin's path, as in
// BCR-2020-015, the account holding the fingerprint.
//
// A multisig descriptor (wsh or sh(wsh) of multi or sortedmulti) is always
// standalone, as BCR-2020-010 writes it: the script tags around a multikey
// of every cosigner's key, each with its full origin and /<0;1>/*. A
// crypto-account cannot hold it.
func (d *Descriptor) UROutput(net *chaincfg.Params, standalone bool) (*ur.Output, error) {
	mainnet, err := netFamily(net)
	if err != nil {
		return nil, err
	}
	if d.Type.Multisig() {
		tags, ok := multisigTags[d.Type]
		if !ok || d.Multisig == nil {
			return nil, errors.New("the descriptor has no multisig policy")
		}
		if !standalone {
			return nil, errors.New("a multisig descriptor is exported as a ur:crypto-output, not in a crypto-account")
		}
		m := &ur.MultiKey{Threshold: d.Multisig.Threshold, Sorted: d.Multisig.Sorted}
		for _, mk := range d.Multisig.Keys {
			k, err := urHDKey(mk.Origin, mk.Key, mainnet, true)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, *k)
		}
		return &ur.Output{Script: tags, Multi: m}, nil
	}
	tags, ok := scriptTags[d.Type]
	if !ok || d.Key == nil {
		return nil, errors.New("the descriptor has no script type or key")
	}
	k, err := urHDKey(d.Origin, d.Key, mainnet, standalone)
	if err != nil {
		return nil, err
	}
	return &ur.Output{Script: tags, Key: *k}, nil
}

// CosignerOutputs returns a seed's BIP48 multisig cosigner keys of
// account as outputs of a ur:crypto-account, as BCR-2020-015 lists them:
// sh(wsh(KEY)) of m/48h/coin'/account'/1h and wsh(KEY) of …/2h, each key
// with its origin's path (the account holds the master fingerprint).
// Coordinators such as Sparrow read a cosigner's key for a multisig
// wallet from these; they are the keys CosignerKey writes as text.
func CosignerOutputs(s *keystore.Signer, net *chaincfg.Params, account uint32) ([]ur.Output, error) {
	mainnet, err := netFamily(net)
	if err != nil {
		return nil, err
	}
	var outs []ur.Output
	for _, t := range []ScriptType{P2SHP2WSH, P2WSH} {
		origin, key, err := cosignerAccountKey(s, t, net, account)
		if err != nil {
			return nil, err
		}
		k, err := urHDKey(origin, key, mainnet, false)
		if err != nil {
			return nil, err
		}
		outs = append(outs, ur.Output{Script: multisigTags[t], Key: *k})
	}
	return outs, nil
}

// CosignerTypeOfUR returns the multisig script type of a crypto-account's
// cosigner output, wsh(KEY) or sh(wsh(KEY)) with one key, or false for any
// other output.
func CosignerTypeOfUR(o *ur.Output) (ScriptType, bool) {
	if o.Multi != nil {
		return 0, false
	}
	for t, tags := range multisigTags {
		if slices.Equal(o.Script, tags) {
			return t, true
		}
	}
	return 0, false
}

// CosignerKeyFromUR returns the key of a cosigner output (see
// CosignerTypeOfUR) as the key expression `satchel wallet xpub --bip48`
// prints and a multisig descriptor takes, "[73c5da0a/48h/1h/0h/2h]tpub…",
// on net. masterFingerprint is the account's (0 to use the key origin's).
func CosignerKeyFromUR(o *ur.Output, masterFingerprint uint32, net *chaincfg.Params) (string, error) {
	if _, ok := CosignerTypeOfUR(o); !ok {
		return "", fmt.Errorf("%w: this output is not a multisig cosigner key (wsh or sh(wsh) of one key)",
			ErrUnsupportedDescriptor)
	}
	key, err := keyExprFromUR(&o.Key, masterFingerprint, net)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(key, "/<0;1>/*"), nil
}

// urHDKey writes an account key as a crypto-hdkey: with its master
// fingerprint, depth and the /<0;1>/* children when standalone, else with
// the origin's path alone. A key whose descriptor gave no origin path is
// written without an origin.
func urHDKey(o KeyOrigin, key *hdkeychain.ExtendedKey, mainnet, standalone bool) (*ur.HDKey, error) {
	pub, err := key.ECPubKey()
	if err != nil {
		return nil, err
	}
	k := &ur.HDKey{
		KeyData:           pub.SerializeCompressed(),
		ChainCode:         key.ChainCode(),
		Testnet:           !mainnet,
		ParentFingerprint: key.ParentFingerprint(),
	}
	if len(o.Path) > 0 || !standalone {
		origin := &ur.Keypath{Depth: -1}
		if standalone {
			origin.SourceFingerprint, origin.Depth = o.Fingerprint, len(o.Path)
		}
		for _, step := range o.Path {
			origin.Components = append(origin.Components, ur.PathComponent{
				Index: step &^ hdkeychain.HardenedKeyStart, Hardened: step >= hdkeychain.HardenedKeyStart,
			})
		}
		k.Origin = origin
	}
	if standalone {
		k.Children = &ur.Keypath{Depth: -1, Components: []ur.PathComponent{
			{Pair: true, Index: ReceiveBranch, Internal: ChangeBranch}, {Wildcard: true},
		}}
	}
	return k, nil
}

// DescriptorFromUR returns the multipath descriptor (/<0;1>/*) of an
// account key read from a crypto-account or crypto-output, on net, or of a
// multisig crypto-output: wsh() or sh(wsh()) of multi() or sortedmulti()
// with every cosigner's key. masterFingerprint is the account's (0 to use
// the key origin's); a multisig's keys carry their own.
func DescriptorFromUR(o *ur.Output, masterFingerprint uint32, net *chaincfg.Params) (*Descriptor, error) {
	if o.Multi != nil {
		return multisigFromUR(o, net)
	}
	t, ok := ScriptTypeOfUR(o.Script)
	if !ok {
		return nil, fmt.Errorf("%w: this output is not a single-key account (pkh, sh(wpkh), wpkh or tr)",
			ErrUnsupportedDescriptor)
	}
	key, err := keyExprFromUR(&o.Key, masterFingerprint, net)
	if err != nil {
		return nil, err
	}
	var s string
	switch t {
	case P2PKH:
		s = "pkh(" + key + ")"
	case P2SHP2WPKH:
		s = "sh(wpkh(" + key + "))"
	case P2TR:
		s = "tr(" + key + ")"
	default:
		s = "wpkh(" + key + ")"
	}
	return ParseDescriptor(s, net)
}

// multisigFromUR returns the descriptor of a multisig crypto-output.
func multisigFromUR(o *ur.Output, net *chaincfg.Params) (*Descriptor, error) {
	var open, closing string
	for st, tags := range multisigTags {
		if slices.Equal(o.Script, tags) {
			open, closing = "wsh(", ")"
			if st == P2SHP2WSH {
				open, closing = "sh(wsh(", "))"
			}
		}
	}
	if open == "" {
		return nil, fmt.Errorf("%w: a multisig output must be wsh(…) or sh(wsh(…)); satchel does not watch bare or legacy sh multisig",
			ErrUnsupportedDescriptor)
	}
	fn := "multi("
	if o.Multi.Sorted {
		fn = "sortedmulti("
	}
	var b strings.Builder
	b.WriteString(open + fn + strconv.Itoa(o.Multi.Threshold))
	for i := range o.Multi.Keys {
		key, err := keyExprFromUR(&o.Multi.Keys[i], 0, net)
		if err != nil {
			return nil, fmt.Errorf("cosigner %d: %w", i+1, err)
		}
		b.WriteString("," + key)
	}
	b.WriteString(")" + closing)
	return ParseDescriptor(b.String(), net)
}

// keyExprFromUR writes a crypto-hdkey as a key expression with its origin
// and /<0;1>/*. fp is the master fingerprint to use (0: the origin's).
func keyExprFromUR(k *ur.HDKey, fp uint32, net *chaincfg.Params) (string, error) {
	mainnet, err := netFamily(net)
	if err != nil {
		return "", err
	}
	if k.Testnet == mainnet {
		if k.Testnet {
			return "", fmt.Errorf("this key is for a test network, not %s", displayNetName(net))
		}
		return "", fmt.Errorf("this key is for mainnet, not %s", displayNetName(net))
	}
	var path []uint32
	if k.Origin != nil {
		for _, c := range k.Origin.Components {
			if c.Wildcard || c.Pair {
				return "", errors.New("the key's origin is not a plain derivation path")
			}
			step := c.Index
			if c.Hardened {
				step += hdkeychain.HardenedKeyStart
			}
			path = append(path, step)
		}
		if fp == 0 {
			fp = k.Origin.SourceFingerprint
		}
	}
	if c := k.Children; c != nil && !plainBranches(c) {
		return "", errors.New("the key's children are not the receive and change branches (0/* or 1/*)")
	}
	depth := len(path)
	if k.Origin != nil && k.Origin.Depth > 0 && len(path) == 0 {
		depth = k.Origin.Depth
	}
	var child uint32
	if len(path) > 0 {
		child = path[len(path)-1]
	}
	parentFP := k.ParentFingerprint
	if parentFP == 0 && len(path) == 1 {
		// One step from the master key: its parent is the origin's key.
		parentFP = fp
	}
	var parent [4]byte
	binary.BigEndian.PutUint32(parent[:], parentFP)
	if depth > 255 {
		return "", errors.New("the key's derivation path is too long")
	}
	xpub := hdkeychain.NewExtendedKey(net.HDPublicKeyID[:], k.KeyData, k.ChainCode,
		parent[:], uint8(depth), child, false)
	if _, err := xpub.ECPubKey(); err != nil {
		return "", fmt.Errorf("the account key is not a valid public key: %w", err)
	}
	var key strings.Builder
	if fp != 0 {
		fmt.Fprintf(&key, "[%08x", fp)
		if len(path) > 0 {
			key.WriteString("/" + FormatPath(path)[2:])
		}
		key.WriteString("]")
	}
	key.WriteString(xpub.String() + "/<0;1>/*")
	return key.String(), nil
}

// plainBranches reports whether a children path is 0/*, 1/* or <0;1>/*.
func plainBranches(k *ur.Keypath) bool {
	if len(k.Components) != 2 || !k.Components[1].Wildcard || k.Components[1].Hardened {
		return false
	}
	c := k.Components[0]
	if c.Hardened || c.Wildcard {
		return false
	}
	if c.Pair {
		return c.Index == ReceiveBranch && c.Internal == ChangeBranch && !c.InternalHardened
	}
	return c.Index == ReceiveBranch || c.Index == ChangeBranch
}

// ErrNotOurAddress is returned by FindAddress for an address the wallet
// does not hand out.
var ErrNotOurAddress = errors.New("not an address of this wallet")

// FindAddress returns the wallet's derivation of addr: its branch, index
// and full key path. It looks through every address up to the look-ahead
// window of both branches.
func (w *Wallet) FindAddress(addr address.Address) (*DerivedAddress, error) {
	want := addr.EncodeAddress()
	searched := 0
	for _, branch := range []uint32{ReceiveBranch, ChangeBranch} {
		addrs, err := w.Addresses(branch, 0)
		if err != nil {
			return nil, err
		}
		searched += len(addrs)
		for _, a := range addrs {
			if a.Address.EncodeAddress() == want {
				return a, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: %s (looked through its %d receive and change addresses up to the gap limit)",
		ErrNotOurAddress, want, searched)
}
