package wallet

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrDescriptorChecksum is returned when a descriptor's "#checksum" is
// malformed or does not match the descriptor. Errors from ParseDescriptor
// that wrap it also wrap ErrInvalidDescriptor.
var ErrDescriptorChecksum = errors.New("descriptor checksum is wrong")

// The BIP380 descriptor checksum is a BCH code over GF(32), like bech32. Each
// character of the descriptor is first mapped to a position in
// descriptorCharset; its low five bits are one symbol, and the high bits of
// every three characters are packed into one extra symbol. The checksum is
// eight symbols written with the bech32 alphabet.
const (
	// descriptorCharset lists every character a descriptor may contain, in
	// three groups of 32 chosen so that the common errors stay small.
	descriptorCharset = "0123456789()[],'/*abcdefgh@:$%{}" +
		"IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~" +
		"ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "

	// checksumCharset is the bech32 alphabet the checksum is written in.
	checksumCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

	// checksumLen is the number of characters of a checksum.
	checksumLen = 8
)

// checksumGenerator holds the generator constants of the BIP380 BCH code.
var checksumGenerator = [5]uint64{0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd}

// descCharPos maps a byte to its position in descriptorCharset plus one;
// zero means the byte is not allowed.
var descCharPos = func() (t [256]uint8) {
	for i := 0; i < len(descriptorCharset); i++ {
		t[descriptorCharset[i]] = uint8(i + 1)
	}
	return t
}()

// polymodStep feeds one 5-bit symbol into the checksum state c.
func polymodStep(c uint64, symbol uint64) uint64 {
	top := c >> 35
	c = (c&0x7ffffffff)<<5 ^ symbol
	for i, g := range checksumGenerator {
		if top>>i&1 == 1 {
			c ^= g
		}
	}
	return c
}

// DescriptorChecksum returns the 8-character BIP380 checksum of desc, the
// part that follows '#' in "wpkh(...)#xxxxxxxx". desc is the descriptor
// without any checksum; a character outside the descriptor character set is
// an error.
func DescriptorChecksum(desc string) (string, error) {
	if i := strings.IndexByte(desc, '#'); i >= 0 {
		return "", descErrorf(nil, "the descriptor already ends in a checksum after '#'; leave it out")
	}
	if err := checkDescriptorChars(desc); err != nil {
		return "", err
	}
	return descriptorChecksum(desc), nil
}

// checkDescriptorChars reports the first character of s that is not allowed
// in a descriptor.
func checkDescriptorChars(s string) error {
	for i := 0; i < len(s); i++ {
		if descCharPos[s[i]] != 0 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(s[i:])
		pos := utf8.RuneCountInString(s[:i]) + 1
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return descErrorf(nil, "character %d (%U) is not allowed in a descriptor", pos, r)
		}
		return descErrorf(nil, "character %d %q is not allowed in a descriptor", pos, r)
	}
	return nil
}

// descriptorChecksum computes the checksum of desc, which must hold only
// characters of descriptorCharset.
func descriptorChecksum(desc string) string {
	c := uint64(1)
	groups, n := uint64(0), 0
	for i := 0; i < len(desc); i++ {
		v := uint64(descCharPos[desc[i]] - 1)
		c = polymodStep(c, v&31)
		groups = groups*3 + v>>5
		n++
		if n == 3 {
			c = polymodStep(c, groups)
			groups, n = 0, 0
		}
	}
	if n > 0 {
		c = polymodStep(c, groups)
	}
	for range checksumLen {
		c = polymodStep(c, 0)
	}
	c ^= 1
	var sum [checksumLen]byte
	for i := range sum {
		sum[i] = checksumCharset[c>>(5*(checksumLen-1-i))&31]
	}
	return string(sum[:])
}

// splitChecksum checks the characters of s, separates a trailing
// "#checksum" from the descriptor and verifies it. The checksum is optional;
// when s has one it must be eight characters and match.
func splitChecksum(s string) (string, error) {
	if err := checkDescriptorChars(s); err != nil {
		return "", err
	}
	body, sum, found := strings.Cut(s, "#")
	if !found {
		return body, nil
	}
	if strings.Contains(sum, "#") {
		return "", descErrorf(ErrDescriptorChecksum, "the descriptor has more than one '#'; only one checksum may follow it")
	}
	if len(sum) != checksumLen {
		return "", descErrorf(ErrDescriptorChecksum, "the descriptor checksum after '#' must be %d characters, not %d", checksumLen, len(sum))
	}
	if want := descriptorChecksum(body); sum != want {
		return "", descErrorf(ErrDescriptorChecksum, "the descriptor checksum does not match: found #%s, expected #%s; check the descriptor for typos", sum, want)
	}
	return body, nil
}
