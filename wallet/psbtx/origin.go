package psbtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/psbt/v2"
)

// Key origins in PSBTs.
//
// BIP174 stores a key origin as the master key fingerprint (the first four
// bytes of HASH160 of the master public key, in that order) followed by the
// path. satchel writes a fingerprint as those four bytes read big-endian, as
// every key origin in text does ([73c5da0a/84h/0h/0h]) and as
// keystore.Signer.Fingerprint returns it. btcd's psbt package keeps the same
// four bytes in MasterKeyFingerprint read little-endian. The two functions
// below are the only place where one becomes the other: everything in this
// package that reads or writes MasterKeyFingerprint goes through them, and
// other packages build derivations with NewBip32Derivation and
// NewTaprootBip32Derivation.

// toPSBT returns the MasterKeyFingerprint value that stores fingerprint fp
// (big-endian, as printed).
func toPSBT(fp uint32) uint32 { return bits.ReverseBytes32(fp) }

// fromPSBT returns the fingerprint (big-endian, as printed) stored in a
// MasterKeyFingerprint value.
func fromPSBT(v uint32) uint32 { return bits.ReverseBytes32(v) }

// FingerprintBytes returns the four bytes of fingerprint fp, as they appear
// in a serialized PSBT key origin.
func FingerprintBytes(fp uint32) [4]byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], fp)
	return b
}

// NewBip32Derivation returns the PSBT key origin of pub: the key at path
// from the master key whose fingerprint is fp (as printed, e.g. 0x73c5da0a).
func NewBip32Derivation(fp uint32, pub *btcec.PublicKey,
	path []uint32) *psbt.Bip32Derivation {

	return &psbt.Bip32Derivation{
		PubKey:               pub.SerializeCompressed(),
		MasterKeyFingerprint: toPSBT(fp),
		Bip32Path:            slices.Clone(path),
	}
}

// NewTaprootBip32Derivation returns the PSBT taproot key origin of pub (its
// x-only form) at path from the master key with fingerprint fp, for a key
// spent by the key path (no leaf hashes).
func NewTaprootBip32Derivation(fp uint32, pub *btcec.PublicKey,
	path []uint32) *psbt.TaprootBip32Derivation {

	return &psbt.TaprootBip32Derivation{
		XOnlyPubKey:          schnorr.SerializePubKey(pub),
		MasterKeyFingerprint: toPSBT(fp),
		Bip32Path:            slices.Clone(path),
	}
}

// NewGlobalXPub returns the PSBT global extended public key entry of key,
// the key at path from the master key with fingerprint fp (as printed). A
// coordinator lists its cosigners' account keys this way so that a signer
// can check the other keys of a multisig change output. path must be as
// long as the key is deep (BIP174).
func NewGlobalXPub(fp uint32, path []uint32, key *hdkeychain.ExtendedKey) psbt.XPub {
	return psbt.XPub{
		ExtendedKey:          psbt.EncodeExtendedKey(key),
		MasterKeyFingerprint: toPSBT(fp),
		Bip32Path:            slices.Clone(path),
	}
}

// Fingerprint returns the master key fingerprint a BIP32 derivation names,
// as printed.
func Fingerprint(d *psbt.Bip32Derivation) uint32 {
	return fromPSBT(d.MasterKeyFingerprint)
}

// TaprootFingerprint returns the master key fingerprint a taproot BIP32
// derivation names, as printed.
func TaprootFingerprint(d *psbt.TaprootBip32Derivation) uint32 {
	return fromPSBT(d.MasterKeyFingerprint)
}

// Account is one account of a wallet, as the signer and the review check a
// PSBT against it. A key origin in the PSBT belongs to the account only when
// its fingerprint is the account's, its path is the account's path followed
// by a branch (0 receive, 1 change) and an address index below 2^31, and the
// key derived there from the account's extended public key is the one the
// PSBT records. A coin or an output belongs to it only when, in addition,
// its script is the one the account makes at that branch and index.
type Account struct {
	// Fingerprint is the master key fingerprint, as printed (required).
	Fingerprint uint32

	// Path leads from the master key to the account key, e.g.
	// m/84h/0h/0h (required).
	Path []uint32

	// Key is the account's extended public key, at Path (required).
	Key *hdkeychain.ExtendedKey

	// Script returns the output script of the account's address at
	// branch and index (required).
	Script func(branch, index uint32) ([]byte, error)
}

// errNotInAccount is returned by Account.locate for a path outside the
// account.
var errNotInAccount = errors.New("not in the account")

// locate returns the branch and index of path within the account.
func (a *Account) locate(path []uint32) (uint32, uint32, error) {
	n := len(a.Path)
	if len(path) != n+2 || !slices.Equal(path[:n], a.Path) {
		return 0, 0, errNotInAccount
	}
	branch, index := path[n], path[n+1]
	if branch > 1 || index >= hdkeychain.HardenedKeyStart {
		return 0, 0, errNotInAccount
	}
	return branch, index, nil
}

// publicKey derives the account's key at branch and index.
func (a *Account) publicKey(branch, index uint32) (*btcec.PublicKey, error) {
	if a.Key == nil {
		return nil, errors.New("the account has no extended public key")
	}
	b, err := a.Key.Derive(branch)
	if err != nil {
		return nil, err
	}
	k, err := b.Derive(index)
	if err != nil {
		return nil, err
	}
	return k.ECPubKey()
}

// accountKey is a key origin of a PSBT that belongs to one of the wallet's
// accounts.
type accountKey struct {
	acct   *Account
	path   []uint32
	branch uint32
	index  uint32
	pub    *btcec.PublicKey
}

// script returns the account's script for the key.
func (k *accountKey) script() ([]byte, error) {
	return k.acct.Script(k.branch, k.index)
}

// origin is one key origin of an input or output: a BIP32 derivation or a
// taproot BIP32 derivation, with the key as recorded (33-byte compressed or
// 32-byte x-only).
type origin struct {
	fp     uint32
	path   []uint32
	key    []byte
	xonly  bool
	leaves int
}

// origins lists the key origins of a set of derivations.
func origins(derivs []*psbt.Bip32Derivation,
	tap []*psbt.TaprootBip32Derivation) []origin {

	var out []origin
	for _, d := range derivs {
		if d != nil {
			out = append(out, origin{fp: Fingerprint(d),
				path: d.Bip32Path, key: d.PubKey})
		}
	}
	for _, d := range tap {
		if d != nil {
			out = append(out, origin{fp: TaprootFingerprint(d),
				path: d.Bip32Path, key: d.XOnlyPubKey, xonly: true,
				leaves: len(d.LeafHashes)})
		}
	}
	return out
}

// matchOrigins returns the key origins among os that belong to one of
// accts, and, when there is none, a sentence saying why: no origin at all,
// origins of other wallets, or origins with the wallet's fingerprint that
// are not in its accounts or do not record the key the account derives.
func matchOrigins(os []origin, accts []Account) ([]accountKey, string) {
	if len(os) == 0 {
		return nil, "it carries no key origin (BIP32 derivation), so no " +
			"wallet can tell it is its own"
	}
	var (
		keys    []accountKey
		foreign []string
		outside []string
		wrong   []string
	)
	for _, o := range os {
		acctsOfFP := 0
		matched := false
		for k := range accts {
			a := &accts[k]
			if a.Fingerprint != o.fp {
				continue
			}
			acctsOfFP++
			branch, index, err := a.locate(o.path)
			if err != nil {
				continue
			}
			pub, err := a.publicKey(branch, index)
			if err != nil || !recordsKey(o, pub) {
				wrong = append(wrong, formatPath(o.path))
				matched = true
				break
			}
			if o.xonly && o.leaves > 0 {
				// Our key in a script leaf: script paths are not
				// this wallet's.
				outside = append(outside, formatPath(o.path))
				matched = true
				break
			}
			keys = append(keys, accountKey{acct: a, path: o.path,
				branch: branch, index: index, pub: pub})
			matched = true
			break
		}
		switch {
		case matched:
		case acctsOfFP > 0:
			outside = append(outside, formatPath(o.path))
		default:
			foreign = append(foreign, fmt.Sprintf("%08x", o.fp))
		}
	}
	if len(keys) > 0 {
		return keys, ""
	}
	switch {
	case len(wrong) > 0:
		return nil, fmt.Sprintf("the key it records at %s is not the one "+
			"this wallet derives there", joinUnique(wrong))
	case len(outside) > 0:
		return nil, fmt.Sprintf("its key path %s is not in this wallet's "+
			"account %s", joinUnique(outside), accountPaths(accts))
	}
	why := fmt.Sprintf("its keys belong to another wallet (master "+
		"fingerprint %s; this wallet's is %s)", joinUnique(foreign),
		walletFingerprints(accts))
	for _, f := range foreign {
		for _, a := range accts {
			if f == fmt.Sprintf("%08x", bits.ReverseBytes32(a.Fingerprint)) {
				why += "; the fingerprint is this wallet's with its " +
					"bytes reversed, as satchel before the fix wrote " +
					"it: create the PSBT again"
				return nil, why
			}
		}
	}
	return nil, why
}

// recordsKey reports whether the origin records pub.
func recordsKey(o origin, pub *btcec.PublicKey) bool {
	if o.xonly {
		return bytes.Equal(o.key, schnorr.SerializePubKey(pub))
	}
	return sameKey(o.key, pub)
}

// joinUnique joins the distinct strings of s with ", ".
func joinUnique(s []string) string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	b := ""
	for k, x := range out {
		if k > 0 {
			b += ", "
		}
		b += x
	}
	return b
}

// accountPaths writes the accounts' paths for messages, e.g.
// "m/86h/1h/0h/*".
func accountPaths(accts []Account) string {
	var s []string
	for _, a := range accts {
		s = append(s, formatPath(a.Path)+"/*")
	}
	return joinUnique(s)
}

// walletFingerprints writes the accounts' fingerprints for messages.
func walletFingerprints(accts []Account) string {
	var s []string
	for _, a := range accts {
		s = append(s, fmt.Sprintf("%08x", a.Fingerprint))
	}
	if len(s) == 0 {
		return "unknown"
	}
	return joinUnique(s)
}
