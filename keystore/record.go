package keystore

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// A record is the encrypted form of a Secret as stored in the wallet file.
// All integers are big-endian:
//
//	offset size
//	     0    4  magic "STKS"
//	     4    1  format version (recordVersion)
//	     5    1  KDF id (kdfArgon2id)
//	     6    4  argon2id memory, KiB
//	    10    4  argon2id time (passes)
//	    14    1  argon2id threads
//	    15   16  salt
//	    31   16  wallet id
//	    47   24  XChaCha20-Poly1305 nonce
//	    71    …  ciphertext of the serialized Secret, with 16-byte tag
//
// The whole header (bytes 0..70) is the AEAD's associated data, so none of
// it can be changed without the record failing to open; the wallet id in it
// binds the record to one wallet.
const (
	recordVersion = 1
	kdfArgon2id   = 1

	saltLen     = 16
	walletIDLen = 16
	nonceLen    = chacha20poly1305.NonceSizeX
	tagLen      = chacha20poly1305.Overhead

	headerLen = 4 + 1 + 1 + 4 + 4 + 1 + saltLen + walletIDLen + nonceLen

	minCiphertextLen = minPlaintextLen + tagLen
	maxCiphertextLen = maxPlaintextLen + tagLen
)

// recordMagic marks a satchel keystore record.
var recordMagic = [4]byte{'S', 'T', 'K', 'S'}

// record is a parsed, header-validated keystore record. Its slices alias
// the bytes it was parsed from.
type record struct {
	params     KDFParams
	salt       [saltLen]byte
	walletID   [walletIDLen]byte
	nonce      [nonceLen]byte
	header     []byte // the raw header: the AEAD's associated data
	ciphertext []byte
}

// parseRecord checks a record's structure and header strictly, without any
// cryptography: lengths, magic, versions and KDF parameter bounds. Only a
// record that passes may have its KDF run. Every failure wraps ErrCorrupt.
func parseRecord(b []byte) (*record, error) {
	if len(b) < headerLen {
		return nil, corruptError("the record is truncated")
	}
	if !bytes.Equal(b[:4], recordMagic[:]) {
		return nil, corruptError("it is not a satchel keystore record")
	}
	if b[4] != recordVersion {
		return nil, corruptError("the record has format version %d, which "+
			"this version of satchel cannot read", b[4])
	}
	if b[5] != kdfArgon2id {
		return nil, corruptError("the record names an unknown key "+
			"derivation function (%d)", b[5])
	}
	r := &record{
		params: KDFParams{
			Memory:  binary.BigEndian.Uint32(b[6:10]),
			Time:    binary.BigEndian.Uint32(b[10:14]),
			Threads: b[14],
		},
		header:     b[:headerLen],
		ciphertext: b[headerLen:],
	}
	if err := r.params.validate(); err != nil {
		return nil, corruptError("the record's key derivation settings "+
			"are out of range (%v)", err)
	}
	off := 15
	off += copy(r.salt[:], b[off:])
	off += copy(r.walletID[:], b[off:])
	copy(r.nonce[:], b[off:])

	n := len(r.ciphertext)
	switch {
	case n < minCiphertextLen:
		return nil, corruptError("the record is truncated")
	case n > maxCiphertextLen || (n-tagLen)%plaintextBlock != 0:
		return nil, corruptError("the encrypted secret has an invalid " +
			"length")
	}
	return r, nil
}

// encodeHeader serializes a record header.
func encodeHeader(p KDFParams, salt *[saltLen]byte,
	walletID *[walletIDLen]byte, nonce *[nonceLen]byte) []byte {

	h := make([]byte, headerLen)
	copy(h, recordMagic[:])
	h[4] = recordVersion
	h[5] = kdfArgon2id
	binary.BigEndian.PutUint32(h[6:], p.Memory)
	binary.BigEndian.PutUint32(h[10:], p.Time)
	h[14] = p.Threads
	off := 15
	off += copy(h[off:], salt[:])
	off += copy(h[off:], walletID[:])
	copy(h[off:], nonce[:])
	return h
}

// sealRecord encrypts s under password for the given wallet, with a fresh
// random salt and nonce.
func sealRecord(s *Secret, password []byte, walletID [walletIDLen]byte,
	p KDFParams) ([]byte, error) {

	if len(password) == 0 {
		return nil, ErrEmptyPassword
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	plain, err := marshalSecret(s)
	if err != nil {
		return nil, err
	}
	defer zero(plain)

	var salt [saltLen]byte
	var nonce [nonceLen]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, fmt.Errorf("cannot read random numbers from the "+
			"operating system: %w", err)
	}
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("cannot read random numbers from the "+
			"operating system: %w", err)
	}

	key := deriveKey(password, salt[:], p)
	defer zero(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("cannot set up encryption: %w", err)
	}

	header := encodeHeader(p, &salt, &walletID, &nonce)
	out := make([]byte, headerLen, headerLen+len(plain)+tagLen)
	copy(out, header)
	return aead.Seal(out, nonce[:], plain, header), nil
}

// checkWallet reports an error unless the record belongs to walletID.
func (r *record) checkWallet(walletID [walletIDLen]byte) error {
	if subtle.ConstantTimeCompare(r.walletID[:], walletID[:]) != 1 {
		return corruptError("the keystore record belongs to another " +
			"wallet")
	}
	return nil
}

// open decrypts the record with password. A failed authentication, from a
// wrong password or from tampering alike, gives ErrWrongPassword.
func (r *record) open(password []byte) (*Secret, error) {
	if len(password) == 0 {
		return nil, ErrWrongPassword
	}
	key := deriveKey(password, r.salt[:], r.params)
	defer zero(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("cannot set up decryption: %w", err)
	}
	plain, err := aead.Open(nil, r.nonce[:], r.ciphertext, r.header)
	if err != nil {
		return nil, ErrWrongPassword
	}
	defer zero(plain)
	return unmarshalSecret(plain)
}

// openRecord parses a stored record, checks that it belongs to walletID and
// decrypts it with password.
func openRecord(b []byte, walletID [walletIDLen]byte,
	password []byte) (*Secret, error) {

	r, err := parseRecord(b)
	if err != nil {
		return nil, err
	}
	if err := r.checkWallet(walletID); err != nil {
		return nil, err
	}
	return r.open(password)
}
