package wallet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
)

var (
	// ErrInvalidExtendedKey is returned for a string that is not a usable
	// extended public key: a typo, a wrong length, an unknown version.
	ErrInvalidExtendedKey = errors.New("not a valid extended public key")

	// ErrPrivateKey is returned when private key material is given where
	// satchel only takes public keys (watch-only import, descriptors).
	ErrPrivateKey = errors.New("private keys are not accepted here; use the extended public key")

	// ErrOtherNetworkKey is returned when an extended key or a descriptor
	// belongs to another network than the one in use, such as a tpub on
	// mainnet or an xpub on regtest.
	ErrOtherNetworkKey = errors.New("the key belongs to another network")
)

// keyVersion describes one registered set of BIP32 version bytes (SLIP-132).
type keyVersion struct {
	prefix   string  // what the base58 string starts with, e.g. "zpub"
	version  [4]byte // the serialized version bytes
	mainnet  bool    // mainnet, or else the test networks
	private  bool    // an extended private key
	multisig bool    // a multisig script type satchel does not handle
	implied  ScriptType
}

// keyVersions lists the SLIP-132 version bytes of Bitcoin. xpub and tpub
// imply no script type; the others name one.
var keyVersions = []keyVersion{
	{prefix: "xpub", version: [4]byte{0x04, 0x88, 0xb2, 0x1e}, mainnet: true},
	{prefix: "ypub", version: [4]byte{0x04, 0x9d, 0x7c, 0xb2}, mainnet: true, implied: P2SHP2WPKH},
	{prefix: "zpub", version: [4]byte{0x04, 0xb2, 0x47, 0x46}, mainnet: true, implied: P2WPKH},
	{prefix: "tpub", version: [4]byte{0x04, 0x35, 0x87, 0xcf}},
	{prefix: "upub", version: [4]byte{0x04, 0x4a, 0x52, 0x62}, implied: P2SHP2WPKH},
	{prefix: "vpub", version: [4]byte{0x04, 0x5f, 0x1c, 0xf6}, implied: P2WPKH},

	{prefix: "xprv", version: [4]byte{0x04, 0x88, 0xad, 0xe4}, mainnet: true, private: true},
	{prefix: "yprv", version: [4]byte{0x04, 0x9d, 0x78, 0x78}, mainnet: true, private: true},
	{prefix: "zprv", version: [4]byte{0x04, 0xb2, 0x43, 0x0c}, mainnet: true, private: true},
	{prefix: "tprv", version: [4]byte{0x04, 0x35, 0x83, 0x94}, private: true},
	{prefix: "uprv", version: [4]byte{0x04, 0x4a, 0x4e, 0x28}, private: true},
	{prefix: "vprv", version: [4]byte{0x04, 0x5f, 0x18, 0xbc}, private: true},

	{prefix: "Ypub", version: [4]byte{0x02, 0x95, 0xb4, 0x3f}, mainnet: true, multisig: true},
	{prefix: "Zpub", version: [4]byte{0x02, 0xaa, 0x7e, 0xd3}, mainnet: true, multisig: true},
	{prefix: "Upub", version: [4]byte{0x02, 0x42, 0x89, 0xef}, multisig: true},
	{prefix: "Vpub", version: [4]byte{0x02, 0x57, 0x54, 0x83}, multisig: true},
	{prefix: "Yprv", version: [4]byte{0x02, 0x95, 0xb0, 0x05}, mainnet: true, private: true, multisig: true},
	{prefix: "Zprv", version: [4]byte{0x02, 0xaa, 0x7a, 0x99}, mainnet: true, private: true, multisig: true},
	{prefix: "Uprv", version: [4]byte{0x02, 0x42, 0x85, 0xb5}, private: true, multisig: true},
	{prefix: "Vprv", version: [4]byte{0x02, 0x57, 0x50, 0x48}, private: true, multisig: true},
}

// lookupKeyVersion returns the registered version with these bytes.
func lookupKeyVersion(v []byte) (keyVersion, bool) {
	for _, kv := range keyVersions {
		if bytes.Equal(kv.version[:], v) {
			return kv, true
		}
	}
	return keyVersion{}, false
}

// publicKeyVersion returns the public version for a script type on one
// network family; t = 0 asks for the standard xpub/tpub.
func publicKeyVersion(mainnet bool, t ScriptType) (keyVersion, bool) {
	for _, kv := range keyVersions {
		if kv.mainnet == mainnet && !kv.private && !kv.multisig && kv.implied == t {
			return kv, true
		}
	}
	return keyVersion{}, false
}

// netFamily reports whether net uses mainnet (xpub) or test network (tpub)
// extended keys. Networks with other version bytes are not supported.
func netFamily(net *chaincfg.Params) (mainnet bool, err error) {
	switch {
	case net == nil:
		return false, errors.New("no network given")
	case net.HDPublicKeyID == chaincfg.MainNetParams.HDPublicKeyID:
		return true, nil
	case net.HDPublicKeyID == chaincfg.TestNet3Params.HDPublicKeyID:
		return false, nil
	}
	return false, fmt.Errorf("extended keys are not supported on network %s", displayNetName(net))
}

// displayNetName returns the name a user knows the network by, as in the
// --network flag.
func displayNetName(net *chaincfg.Params) string {
	if net.Name == chaincfg.TestNet3Params.Name {
		return "testnet"
	}
	return net.Name
}

// familyName names the networks that share a key version, for messages.
func familyName(mainnet bool) string {
	if mainnet {
		return "mainnet"
	}
	return "test-network"
}

// ParseExtendedKey parses an extended public key written as xpub, ypub or
// zpub (mainnet) or tpub, upub or vpub (testnet, testnet4, signet and
// regtest). It returns the key re-versioned to the network's standard xpub
// or tpub version, and the script type the SLIP-132 prefix implies: ypub and
// upub imply P2SHP2WPKH, zpub and vpub imply P2WPKH, xpub and tpub imply
// none (0).
//
// Private keys are refused with ErrPrivateKey, keys of the other network
// family with ErrOtherNetworkKey, and anything else that is not a usable key
// with ErrInvalidExtendedKey. The messages never repeat the key itself.
func ParseExtendedKey(s string, net *chaincfg.Params) (key *hdkeychain.ExtendedKey, implied ScriptType, err error) {
	mainnet, err := netFamily(net)
	if err != nil {
		return nil, 0, err
	}
	kv, k, err := decodeExtendedKey(strings.TrimSpace(s))
	if err != nil {
		return nil, 0, err
	}
	if kv.mainnet != mainnet {
		return nil, 0, kindErrorf(ErrOtherNetworkKey, "this is a %s key (%s) but the network is %s",
			familyName(kv.mainnet), kv.prefix, displayNetName(net))
	}
	k, err = k.CloneWithVersion(net.HDPublicKeyID[:])
	if err != nil {
		return nil, 0, kindErrorf(ErrInvalidExtendedKey, "the extended key cannot be re-versioned: %v", err)
	}
	return k, kv.implied, nil
}

// decodeExtendedKey decodes s and checks that it is a single-signature
// extended public key of a registered version.
func decodeExtendedKey(s string) (keyVersion, *hdkeychain.ExtendedKey, error) {
	k, err := hdkeychain.NewKeyFromString(s)
	if pre, ok := privatePrefix(s); ok && err != nil {
		// A private key with a typo is still private: nobody should be
		// asked to fix one so that it can be imported.
		return keyVersion{}, nil, kindErrorf(ErrPrivateKey, "this is an extended private key (%s); import the extended public key instead", pre)
	}
	switch {
	case s == "":
		return keyVersion{}, nil, kindErrorf(ErrInvalidExtendedKey, "no extended public key given")
	case errors.Is(err, hdkeychain.ErrInvalidKeyLen):
		return keyVersion{}, nil, kindErrorf(ErrInvalidExtendedKey, "this is not an extended public key: it has the wrong length or characters that base58 does not use; copy the whole key")
	case errors.Is(err, hdkeychain.ErrBadChecksum):
		return keyVersion{}, nil, kindErrorf(ErrInvalidExtendedKey, "the extended key's checksum is wrong; check it for typos")
	case errors.Is(err, hdkeychain.ErrUnusableSeed):
		// NewKeyFromString says this for a private key out of range.
		return keyVersion{}, nil, kindErrorf(ErrPrivateKey, "this is an extended private key; import the extended public key instead")
	case err != nil:
		return keyVersion{}, nil, kindErrorf(ErrInvalidExtendedKey, "the extended key holds no valid public key")
	}
	kv, ok := lookupKeyVersion(k.Version())
	switch {
	case k.IsPrivate() || (ok && kv.private):
		k.Zero()
		if ok && kv.private {
			return keyVersion{}, nil, kindErrorf(ErrPrivateKey, "this is an extended private key (%s); import the extended public key instead", kv.prefix)
		}
		return keyVersion{}, nil, kindErrorf(ErrPrivateKey, "this is an extended private key; import the extended public key instead")
	case !ok:
		return keyVersion{}, nil, kindErrorf(ErrInvalidExtendedKey, "unknown extended key version %x; satchel takes xpub, ypub, zpub, tpub, upub or vpub keys", k.Version())
	case kv.multisig:
		return keyVersion{}, nil, kindErrorf(ErrInvalidExtendedKey, "%s keys are for multisig wallets, which satchel does not support", kv.prefix)
	}
	return kv, k, nil
}

// privatePrefix returns the SLIP-132 private key prefix s starts with, such
// as "xprv".
func privatePrefix(s string) (string, bool) {
	for _, kv := range keyVersions {
		if kv.private && strings.HasPrefix(s, kv.prefix) {
			return kv.prefix, true
		}
	}
	return "", false
}

// EncodeSLIP132 returns the public key key in the SLIP-132 form for script
// type t on network net: ypub/upub for P2SHP2WPKH, zpub/vpub for P2WPKH and
// the standard xpub/tpub for P2PKH, P2TR (which has no SLIP-132 version) and
// t = 0. ParseExtendedKey reads the result back.
func EncodeSLIP132(key *hdkeychain.ExtendedKey, t ScriptType, net *chaincfg.Params) (string, error) {
	if key == nil {
		return "", kindErrorf(ErrInvalidExtendedKey, "no extended public key given")
	}
	if key.IsPrivate() {
		return "", kindErrorf(ErrPrivateKey, "only public keys are encoded; neuter the key first")
	}
	mainnet, err := netFamily(net)
	if err != nil {
		return "", err
	}
	if t != 0 && !t.valid() {
		return "", fmt.Errorf("%w %d", ErrUnknownScriptType, int(t))
	}
	if t == P2PKH || t == P2TR {
		t = 0
	}
	kv, _ := publicKeyVersion(mainnet, t)
	k, err := key.CloneWithVersion(kv.version[:])
	if err != nil {
		return "", kindErrorf(ErrInvalidExtendedKey, "the extended key cannot be re-versioned: %v", err)
	}
	return k.String(), nil
}
