package wallet

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

// ErrInvalidIndex is returned by Descriptor.Derive for a branch the
// descriptor does not cover or an address index of 2^31 or more.
var ErrInvalidIndex = errors.New("the address cannot be derived from this descriptor")

// DerivedAddress is one address of a descriptor with what is needed to
// recognize and spend its outputs.
type DerivedAddress struct {
	// Branch is 0 for a receive address and 1 for a change address.
	Branch uint32

	// Index is the address index on its branch.
	Index uint32

	// Path is the full derivation path of PubKey: the descriptor's origin
	// path followed by Branch and Index. It starts at the master key when
	// the descriptor has a key origin, else at the descriptor's key. For a
	// multisig address it is Branch and Index alone, the steps every key
	// takes (each key's full path is in Keys).
	Path []uint32

	// Address is the address on the network Derive was given.
	Address address.Address

	// Script is the output script (scriptPubKey) paying to Address.
	Script []byte

	// PubKey is the derived public key. For P2TR it is the BIP86 internal
	// key; the output key in Script is this key tweaked without a script
	// tree. It is nil for a multisig address.
	PubKey *btcec.PublicKey

	// WitnessScript is the multisig script of a P2WSH or P2SHP2WSH
	// address, nil otherwise.
	WitnessScript []byte

	// RedeemScript is the P2WSH program a P2SHP2WSH address wraps, nil
	// otherwise.
	RedeemScript []byte

	// Keys are the cosigners' derived keys of a multisig address, in the
	// descriptor's order (not the script's); nil otherwise.
	Keys []DerivedKey
}

// Derive derives the address at index on branch (0 receive, 1 change) by
// public BIP32 derivation from the descriptor's key. branch must be one of
// d.Branches and index below 2^31; the descriptor's key must belong to net.
//
// With a chance below 1 in 2^127 BIP32 gives no key for an index; the error
// then wraps hdkeychain.ErrInvalidChild and the caller skips that index.
func (d *Descriptor) Derive(branch, index uint32, net *chaincfg.Params) (*DerivedAddress, error) {
	multisig := d != nil && d.Type.Multisig()
	switch {
	case d == nil || (!multisig && d.Key == nil) || (multisig && (d.Multisig == nil || len(d.Multisig.Keys) == 0)):
		return nil, kindErrorf(ErrInvalidDescriptor, "the descriptor has no key")
	case !d.Type.valid():
		return nil, kindErrorf(ErrInvalidDescriptor, "the descriptor has no script type")
	}
	if !multisig {
		if err := checkKeyNet(d.Key, net); err != nil {
			return nil, err
		}
	}
	if !slices.Contains(d.Branches, branch) {
		return nil, kindErrorf(ErrInvalidIndex, "branch %s is not part of the descriptor, which has %s",
			formatPathStep(branch), branchList(d.Branches))
	}
	if index >= hdkeychain.HardenedKeyStart {
		return nil, kindErrorf(ErrInvalidIndex, "address index %d is too large; the largest is %d",
			index, hdkeychain.HardenedKeyStart-1)
	}
	if multisig {
		return d.deriveMultisig(branch, index, net)
	}
	branchKey, err := d.Key.Derive(branch)
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
	addr, err := pubKeyAddress(d.Type, pub, net)
	if err != nil {
		return nil, err
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("cannot build the output script for %s: %w", addr, err)
	}
	path := make([]uint32, 0, len(d.Origin.Path)+2)
	path = append(path, d.Origin.Path...)
	path = append(path, branch, index)
	return &DerivedAddress{
		Branch:  branch,
		Index:   index,
		Path:    path,
		Address: addr,
		Script:  script,
		PubKey:  pub,
	}, nil
}

// deriveError explains a failed BIP32 derivation and keeps its cause.
func deriveError(branch, index uint32, err error) error {
	return &kindError{
		msg:   fmt.Sprintf("address %d on branch %s cannot be derived: %v", index, formatPathStep(branch), err),
		kinds: []error{ErrInvalidIndex, err},
	}
}

// branchList writes branches for a message, e.g. "0 and 1".
func branchList(branches []uint32) string {
	switch len(branches) {
	case 0:
		return "no branches"
	case 1:
		return "only branch " + formatPathStep(branches[0])
	}
	var b strings.Builder
	b.WriteString("branches ")
	for i, br := range branches {
		switch {
		case i == len(branches)-1:
			b.WriteString(" and ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(formatPathStep(br))
	}
	return b.String()
}

// checkKeyNet checks that an account key belongs to net's key family (xpub
// for mainnet, tpub for the test networks) and is public.
func checkKeyNet(k *hdkeychain.ExtendedKey, net *chaincfg.Params) error {
	mainnet, err := netFamily(net)
	if err != nil {
		return err
	}
	kv, ok := lookupKeyVersion(k.Version())
	switch {
	case !ok:
		return kindErrorf(ErrInvalidExtendedKey, "the descriptor's key has unknown version bytes %x", k.Version())
	case kv.mainnet != mainnet:
		where := "mainnet"
		if !kv.mainnet {
			where = "a test network"
		}
		return kindErrorf(ErrOtherNetworkKey, "this descriptor is for %s but the network is %s", where, displayNetName(net))
	}
	return nil
}

// pubKeyAddress returns the address of script type t for the public key pub
// on net. For P2TR, pub is the BIP86 internal key.
func pubKeyAddress(t ScriptType, pub *btcec.PublicKey, net *chaincfg.Params) (address.Address, error) {
	var (
		addr address.Address
		err  error
	)
	switch t {
	case P2PKH:
		addr, err = address.NewAddressPubKeyHash(address.Hash160(pub.SerializeCompressed()), net)
	case P2SHP2WPKH:
		// The redeem script is the P2WPKH program: OP_0 <20-byte key hash>.
		redeem := append([]byte{txscript.OP_0, txscript.OP_DATA_20}, address.Hash160(pub.SerializeCompressed())...)
		addr, err = address.NewAddressScriptHash(redeem, net)
	case P2WPKH:
		addr, err = address.NewAddressWitnessPubKeyHash(address.Hash160(pub.SerializeCompressed()), net)
	case P2TR:
		out := txscript.ComputeTaprootKeyNoScript(pub)
		addr, err = address.NewAddressTaproot(schnorr.SerializePubKey(out), net)
	default:
		return nil, fmt.Errorf("%w %d", ErrUnknownScriptType, int(t))
	}
	if err != nil {
		return nil, fmt.Errorf("cannot encode the %s address: %w", t, err)
	}
	return addr, nil
}
