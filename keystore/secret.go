package keystore

import (
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/tyler-smith/go-bip39"
)

// maxPassphraseLen is the longest BIP39 passphrase accepted, in bytes after
// NFKD normalization. It keeps the encrypted record small and bounded.
const maxPassphraseLen = 1024

// Secret is the material a wallet is restored from: BIP39 entropy and the
// optional BIP39 passphrase. It is what the keystore encrypts at rest (the
// seed is derived from it when needed, never stored).
//
// A Secret is never printed: formatting it with the fmt package yields a
// placeholder. Call Zero when done with it.
type Secret struct {
	entropy    []byte
	passphrase []byte // NFKD, UTF-8
}

// NewSecret validates and normalizes a mnemonic (see NormalizeMnemonic) and
// a passphrase (NFKD; case and spaces are kept) and returns them as a
// Secret. An empty passphrase means none.
func NewSecret(mnemonic, passphrase string) (*Secret, error) {
	pass, err := normalizePassphrase(passphrase)
	if err != nil {
		return nil, err
	}
	_, entropy, err := parseMnemonic(mnemonic)
	if err != nil {
		return nil, err
	}
	return &Secret{entropy: entropy, passphrase: []byte(pass)}, nil
}

// Mnemonic returns the secret's BIP39 mnemonic in canonical form, for a new
// backup. Go strings cannot be wiped, so call it only when the words are to
// be shown. It returns "" after Zero.
func (s *Secret) Mnemonic() string {
	if s == nil || !validEntropyLen(len(s.entropy)) {
		return ""
	}
	m, err := mnemonicFromEntropy(s.entropy)
	if err != nil {
		return ""
	}
	return m
}

// HasPassphrase reports whether the secret includes a BIP39 passphrase.
func (s *Secret) HasPassphrase() bool {
	return s != nil && len(s.passphrase) > 0
}

// Zero overwrites the secret's entropy and passphrase. The Secret is
// unusable afterwards.
func (s *Secret) Zero() {
	if s == nil {
		return
	}
	zero(s.entropy)
	zero(s.passphrase)
	s.entropy = nil
	s.passphrase = nil
}

// Format implements fmt.Formatter so that a Secret printed or logged by
// mistake shows a placeholder instead of key material.
func (Secret) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "keystore.Secret{redacted}")
}

// seed returns the 64-byte BIP39 seed. The caller must zero it.
func (s *Secret) seed() ([]byte, error) {
	m := s.Mnemonic()
	if m == "" {
		return nil, fmt.Errorf("the secret has been wiped and can no " +
			"longer be used")
	}
	// go-bip39 does not normalize; both inputs are NFKD already.
	return bip39.NewSeed(m, string(s.passphrase)), nil
}

// Plaintext serialization of a Secret, the part of a record that is
// encrypted:
//
//	version     1 byte   (plaintextVersion)
//	entropyLen  1 byte   (16, 20, 24, 28 or 32)
//	entropy     entropyLen bytes
//	passLen     2 bytes  big-endian (0..maxPassphraseLen)
//	passphrase  passLen bytes, UTF-8 NFKD
//	padding     zero bytes up to a multiple of plaintextBlock
//
// The padding hides the mnemonic length and most of the passphrase length
// from someone who sees only the ciphertext.
const (
	plaintextVersion = 1
	plaintextBlock   = 64
	plaintextFixed   = 1 + 1 + 2

	minPlaintextLen = plaintextBlock
	maxPlaintextLen = (plaintextFixed + 32 + maxPassphraseLen +
		plaintextBlock - 1) / plaintextBlock * plaintextBlock
)

// marshalSecret serializes s. The caller must zero the result.
func marshalSecret(s *Secret) ([]byte, error) {
	if s == nil || !validEntropyLen(len(s.entropy)) {
		return nil, fmt.Errorf("the secret has been wiped and can no " +
			"longer be used")
	}
	if len(s.passphrase) > maxPassphraseLen {
		return nil, fmt.Errorf("the passphrase is too long: at most %d "+
			"bytes are allowed", maxPassphraseLen)
	}
	n := plaintextFixed + len(s.entropy) + len(s.passphrase)
	n = (n + plaintextBlock - 1) / plaintextBlock * plaintextBlock
	b := make([]byte, n)
	b[0] = plaintextVersion
	b[1] = byte(len(s.entropy))
	off := 2 + copy(b[2:], s.entropy)
	binary.BigEndian.PutUint16(b[off:], uint16(len(s.passphrase)))
	off += 2
	copy(b[off:], s.passphrase)
	return b, nil
}

// unmarshalSecret parses a serialized Secret strictly: every length must
// agree and the padding must be zero. It copies what it keeps, so the
// caller may zero b afterwards.
func unmarshalSecret(b []byte) (*Secret, error) {
	if len(b) < minPlaintextLen || len(b) > maxPlaintextLen ||
		len(b)%plaintextBlock != 0 {
		return nil, corruptError("the secret has an invalid length")
	}
	if b[0] != plaintextVersion {
		return nil, corruptError("the secret has unknown format version %d",
			b[0])
	}
	entLen := int(b[1])
	if !validEntropyLen(entLen) {
		return nil, corruptError("the secret's entropy length is invalid")
	}
	off := 2 + entLen
	passLen := int(binary.BigEndian.Uint16(b[off:]))
	off += 2
	if passLen > maxPassphraseLen || off+passLen > len(b) {
		return nil, corruptError("the secret's passphrase length is " +
			"invalid")
	}
	end := off + passLen
	if (end+plaintextBlock-1)/plaintextBlock*plaintextBlock != len(b) {
		return nil, corruptError("the secret has an invalid length")
	}
	for _, c := range b[end:] {
		if c != 0 {
			return nil, corruptError("the secret has stray bytes after " +
				"its end")
		}
	}
	if !utf8.Valid(b[off:end]) {
		return nil, corruptError("the secret's passphrase is not valid " +
			"text")
	}
	s := &Secret{
		entropy:    make([]byte, entLen),
		passphrase: make([]byte, passLen),
	}
	copy(s.entropy, b[2:2+entLen])
	copy(s.passphrase, b[off:end])
	return s, nil
}

// zero overwrites b with zeros.
func zero(b []byte) {
	clear(b)
}
