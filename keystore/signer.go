package keystore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

// digestLen is the length of the message digests a Signer signs (sighashes).
const digestLen = 32

// Signer holds an unlocked wallet's BIP32 master key and signs with the keys
// derived from it. Callers see public keys, extended public keys and
// signatures, never private keys or the seed. Each call derives the key it
// needs from the master and wipes it afterwards; Close wipes the master.
// A Signer is safe for concurrent use.
type Signer struct {
	net         *chaincfg.Params
	fingerprint uint32

	mu     sync.RWMutex // guards master
	master *hdkeychain.ExtendedKey
}

// NewSigner derives the BIP32 master key for net from the secret's BIP39
// seed (mnemonic and passphrase). The Secret is not kept; the caller still
// owns it and should Zero it.
func NewSigner(s *Secret, net *chaincfg.Params) (*Signer, error) {
	if s == nil {
		return nil, errors.New("cannot unlock the wallet: no secret " +
			"was given")
	}
	seed, err := s.seed()
	if err != nil {
		return nil, err
	}
	defer zero(seed)
	return newSignerFromSeed(seed, net)
}

// newSignerFromSeed makes a Signer from a BIP32 seed (16 to 64 bytes).
func newSignerFromSeed(seed []byte, net *chaincfg.Params) (*Signer, error) {
	if net == nil {
		return nil, errors.New("cannot unlock the wallet: no network " +
			"was given")
	}
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		// Only a seed of the wrong length or, with odds below 2^-127,
		// one that maps outside the curve order gets here.
		return nil, fmt.Errorf("cannot make a master key from this "+
			"seed: %w", err)
	}
	// ECPubKey also memoizes the master's public key inside hdkeychain;
	// after this the master is only read, so concurrent derivations from
	// it under the read lock do not race.
	pub, err := master.ECPubKey()
	if err != nil {
		master.Zero()
		return nil, fmt.Errorf("cannot make a master key from this "+
			"seed: %w", err)
	}
	fp := address.Hash160(pub.SerializeCompressed())[:4]
	return &Signer{
		net:         net,
		fingerprint: binary.BigEndian.Uint32(fp),
		master:      master,
	}, nil
}

// Fingerprint returns the BIP32 fingerprint of the master key: the first
// four bytes of HASH160 of its public key, read as a big-endian uint32, as
// written in key origins like [73c5da0a/84h/0h/0h]. It stays available
// after Close.
func (s *Signer) Fingerprint() uint32 {
	return s.fingerprint
}

// AccountXPub returns the extended public key at path (indices at or above
// hdkeychain.HardenedKeyStart are hardened), encoded with the standard
// xpub/tpub version of the Signer's network.
func (s *Signer) AccountXPub(path []uint32) (*hdkeychain.ExtendedKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	k, err := s.derivePriv(path)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	return neuterCopy(k)
}

// PublicKey returns the public key at path.
func (s *Signer) PublicKey(path []uint32) (*btcec.PublicKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()

	k, err := s.derivePriv(path)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	return k.ECPubKey()
}

// SignECDSA signs a 32-byte digest (a sighash) with the key at path, using
// deterministic nonces (RFC 6979) and a low S value, as Bitcoin requires.
func (s *Signer) SignECDSA(path []uint32, digest []byte) (*ecdsa.Signature,
	error) {

	if err := checkDigest(digest); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()

	priv, err := s.privKey(path)
	if err != nil {
		return nil, err
	}
	defer priv.Zero()
	return ecdsa.Sign(priv, digest), nil
}

// SignSchnorr makes a BIP340 signature of a 32-byte digest (a taproot
// sighash) with the key at path, tweaked as BIP341 prescribes for a
// key-path spend: merkleRoot is the root of the output's script tree, or
// nil for an output without scripts (BIP86).
func (s *Signer) SignSchnorr(path []uint32, digest []byte,
	merkleRoot []byte) (*schnorr.Signature, error) {

	if err := checkDigest(digest); err != nil {
		return nil, err
	}
	if len(merkleRoot) != 0 && len(merkleRoot) != 32 {
		return nil, fmt.Errorf("a taproot merkle root is 32 bytes, not %d",
			len(merkleRoot))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()

	priv, err := s.privKey(path)
	if err != nil {
		return nil, err
	}
	defer priv.Zero()
	tweaked := txscript.TweakTaprootPrivKey(*priv, merkleRoot)
	defer tweaked.Zero()
	sig, err := schnorr.Sign(tweaked, digest)
	if err != nil {
		return nil, fmt.Errorf("cannot sign with the key at %s: %w",
			formatPath(path), err)
	}
	return sig, nil
}

// Close wipes the master key. The Signer cannot sign afterwards; its
// methods then fail with an error saying the wallet is locked.
func (s *Signer) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.master != nil {
		s.master.Zero()
		s.master = nil
	}
}

// Format implements fmt.Formatter so that a Signer printed or logged by
// mistake shows a placeholder instead of key material.
func (s *Signer) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "keystore.Signer{redacted}")
}

// privKey returns the private key at path; the caller must Zero it. The
// caller must hold s.mu.
func (s *Signer) privKey(path []uint32) (*btcec.PrivateKey, error) {
	k, err := s.derivePriv(path)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	return k.ECPrivKey()
}

// derivePriv returns the extended private key at path as a key the caller
// owns and must Zero (never the master itself). The caller must hold s.mu.
func (s *Signer) derivePriv(path []uint32) (*hdkeychain.ExtendedKey, error) {
	if s.master == nil {
		return nil, errSignerClosed
	}
	if len(path) == 0 {
		return clonePriv(s.master)
	}
	k := s.master
	for i, idx := range path {
		child, err := k.Derive(idx)
		if k != s.master {
			k.Zero()
		}
		if err != nil {
			return nil, fmt.Errorf("cannot derive the key at %s: %w",
				formatPath(path[:i+1]), err)
		}
		k = child
	}
	return k, nil
}

// clonePriv returns a deep copy of an extended private key: hdkeychain keys
// share byte slices with the keys they were made from, so a copy is needed
// before one of them is wiped.
func clonePriv(k *hdkeychain.ExtendedKey) (*hdkeychain.ExtendedKey, error) {
	priv, err := k.ECPrivKey()
	if err != nil {
		return nil, err
	}
	defer priv.Zero()
	var parentFP [4]byte
	binary.BigEndian.PutUint32(parentFP[:], k.ParentFingerprint())
	return hdkeychain.NewExtendedKey(bytes.Clone(k.Version()),
		priv.Serialize(), bytes.Clone(k.ChainCode()), parentFP[:],
		k.Depth(), k.ChildIndex(), true), nil
}

// neuterCopy returns the extended public key of k sharing no memory with
// k, so that it survives k being wiped.
func neuterCopy(k *hdkeychain.ExtendedKey) (*hdkeychain.ExtendedKey, error) {
	pub, err := k.Neuter()
	if err != nil {
		return nil, fmt.Errorf("cannot make the extended public key: %w",
			err)
	}
	pk, err := pub.ECPubKey()
	if err != nil {
		return nil, fmt.Errorf("cannot make the extended public key: %w",
			err)
	}
	var parentFP [4]byte
	binary.BigEndian.PutUint32(parentFP[:], pub.ParentFingerprint())
	return hdkeychain.NewExtendedKey(bytes.Clone(pub.Version()),
		pk.SerializeCompressed(), bytes.Clone(pub.ChainCode()),
		parentFP[:], pub.Depth(), pub.ChildIndex(), false), nil
}

// checkDigest reports an error unless digest has the length of a sighash.
func checkDigest(digest []byte) error {
	if len(digest) != digestLen {
		return fmt.Errorf("the digest to sign must be %d bytes, not %d",
			digestLen, len(digest))
	}
	return nil
}

// formatPath writes a derivation path as "m/84h/0h/0h/0/5" for messages.
func formatPath(path []uint32) string {
	var b strings.Builder
	b.WriteString("m")
	for _, idx := range path {
		b.WriteByte('/')
		if idx >= hdkeychain.HardenedKeyStart {
			b.WriteString(strconv.FormatUint(
				uint64(idx-hdkeychain.HardenedKeyStart), 10))
			b.WriteByte('h')
		} else {
			b.WriteString(strconv.FormatUint(uint64(idx), 10))
		}
	}
	return b.String()
}
