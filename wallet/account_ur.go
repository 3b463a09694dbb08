package wallet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"

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

// UROutput returns the descriptor's account key as a crypto-output, for a
// signing device or coordinator. A standalone output (ur:crypto-output)
// carries the master fingerprint, the depth and the /<0;1>/* branches; the
// outputs of a ur:crypto-account carry only the origin's path, as in
// BCR-2020-015, the account holding the fingerprint.
func (d *Descriptor) UROutput(net *chaincfg.Params, standalone bool) (*ur.Output, error) {
	tags, ok := scriptTags[d.Type]
	if !ok || d.Key == nil {
		return nil, errors.New("the descriptor has no script type or key")
	}
	pub, err := d.Key.ECPubKey()
	if err != nil {
		return nil, err
	}
	mainnet, err := netFamily(net)
	if err != nil {
		return nil, err
	}
	k := ur.HDKey{
		KeyData:           pub.SerializeCompressed(),
		ChainCode:         d.Key.ChainCode(),
		Testnet:           !mainnet,
		ParentFingerprint: d.Key.ParentFingerprint(),
	}
	origin := &ur.Keypath{Depth: -1}
	if standalone {
		origin.SourceFingerprint, origin.Depth = d.Origin.Fingerprint, len(d.Origin.Path)
	}
	for _, step := range d.Origin.Path {
		origin.Components = append(origin.Components, ur.PathComponent{
			Index: step &^ hdkeychain.HardenedKeyStart, Hardened: step >= hdkeychain.HardenedKeyStart,
		})
	}
	k.Origin = origin
	if standalone {
		k.Children = &ur.Keypath{Depth: -1, Components: []ur.PathComponent{
			{Pair: true, Index: ReceiveBranch, Internal: ChangeBranch}, {Wildcard: true},
		}}
	}
	return &ur.Output{Script: tags, Key: k}, nil
}

// DescriptorFromUR returns the multipath descriptor (/<0;1>/*) of an
// account key read from a crypto-account or crypto-output, on net.
// masterFingerprint is the account's (0 to use the key origin's).
func DescriptorFromUR(o *ur.Output, masterFingerprint uint32, net *chaincfg.Params) (*Descriptor, error) {
	t, ok := ScriptTypeOfUR(o.Script)
	if !ok {
		return nil, fmt.Errorf("%w: this output is not a single-key account (pkh, sh(wpkh), wpkh or tr)",
			ErrUnsupportedDescriptor)
	}
	mainnet, err := netFamily(net)
	if err != nil {
		return nil, err
	}
	if o.Key.Testnet == mainnet {
		if o.Key.Testnet {
			return nil, fmt.Errorf("this key is for a test network, not %s", displayNetName(net))
		}
		return nil, fmt.Errorf("this key is for mainnet, not %s", displayNetName(net))
	}
	var path []uint32
	fp := masterFingerprint
	if o.Key.Origin != nil {
		for _, c := range o.Key.Origin.Components {
			if c.Wildcard || c.Pair {
				return nil, errors.New("the key's origin is not a plain derivation path")
			}
			step := c.Index
			if c.Hardened {
				step += hdkeychain.HardenedKeyStart
			}
			path = append(path, step)
		}
		if fp == 0 {
			fp = o.Key.Origin.SourceFingerprint
		}
	}
	if k := o.Key.Children; k != nil && !plainBranches(k) {
		return nil, errors.New("the key's children are not the receive and change branches (0/* or 1/*)")
	}
	depth := len(path)
	if o.Key.Origin != nil && o.Key.Origin.Depth > 0 && len(path) == 0 {
		depth = o.Key.Origin.Depth
	}
	var child uint32
	if len(path) > 0 {
		child = path[len(path)-1]
	}
	var parent [4]byte
	binary.BigEndian.PutUint32(parent[:], o.Key.ParentFingerprint)
	if depth > 255 {
		return nil, errors.New("the key's derivation path is too long")
	}
	xpub := hdkeychain.NewExtendedKey(net.HDPublicKeyID[:], o.Key.KeyData, o.Key.ChainCode,
		parent[:], uint8(depth), child, false)
	if _, err := xpub.ECPubKey(); err != nil {
		return nil, fmt.Errorf("the account key is not a valid public key: %w", err)
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
	var s string
	switch t {
	case P2PKH:
		s = "pkh(" + key.String() + ")"
	case P2SHP2WPKH:
		s = "sh(wpkh(" + key.String() + "))"
	case P2TR:
		s = "tr(" + key.String() + ")"
	default:
		s = "wpkh(" + key.String() + ")"
	}
	return ParseDescriptor(s, net)
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
