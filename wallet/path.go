package wallet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
)

// ErrInvalidPath is returned by ParsePath, wrapped with the path and what is
// wrong with it.
var ErrInvalidPath = errors.New("invalid derivation path")

// maxPathDepth is the deepest BIP32 path: the depth of an extended key is
// serialized in one byte.
const maxPathDepth = 255

// ParsePath parses a BIP32 derivation path such as "m/84h/0'/0H". The leading
// "m/" is optional ("84h/0h/0h" is the same path) and "m" alone is the master
// key, an empty path. A step is a decimal number below 2^31, followed by h, H
// or ' when it is hardened.
func ParsePath(s string) ([]uint32, error) {
	p := strings.TrimSpace(s)
	switch {
	case p == "":
		return nil, fmt.Errorf("%w: the path is empty; write m for the master key or a path like m/84h/0h/0h", ErrInvalidPath)
	case p == "m" || p == "M":
		return []uint32{}, nil
	case strings.HasPrefix(p, "m/") || strings.HasPrefix(p, "M/"):
		p = p[2:]
	}
	steps := strings.Split(p, "/")
	if len(steps) > maxPathDepth {
		return nil, fmt.Errorf("%w: it has %d steps but BIP32 allows at most %d", ErrInvalidPath, len(steps), maxPathDepth)
	}
	path := make([]uint32, 0, len(steps))
	for i, step := range steps {
		v, err := parsePathStep(step)
		if err != nil {
			return nil, fmt.Errorf("%w %q: step %d %v", ErrInvalidPath, shortenTo(s, 64), i+1, err)
		}
		path = append(path, v)
	}
	return path, nil
}

// FormatPath returns p as "m/84h/0h/0h", with h marking hardened steps. An
// empty path is "m". ParsePath reads the result back into p.
func FormatPath(p []uint32) string {
	var b strings.Builder
	b.WriteByte('m')
	appendPath(&b, p)
	return b.String()
}

// appendPath writes each step of p to b as "/84h", the form descriptors use
// inside a key origin.
func appendPath(b *strings.Builder, p []uint32) {
	for _, v := range p {
		b.WriteByte('/')
		b.WriteString(formatPathStep(v))
	}
}

// formatPathStep returns one path step as a number with an h when hardened.
func formatPathStep(v uint32) string {
	if v >= hdkeychain.HardenedKeyStart {
		return strconv.FormatUint(uint64(v-hdkeychain.HardenedKeyStart), 10) + "h"
	}
	return strconv.FormatUint(uint64(v), 10)
}

// parsePathStep parses one step of a path ("84h", "0'", "7"). Its errors
// complete the sentence "step N …".
func parsePathStep(step string) (uint32, error) {
	if step == "" {
		return 0, errors.New("is empty (look for a doubled or trailing '/')")
	}
	num, hardened := step, false
	switch num[len(num)-1] {
	case 'h', 'H', '\'':
		num, hardened = num[:len(num)-1], true
	}
	v, err := parseIndexNumber(num)
	if err != nil {
		return 0, fmt.Errorf("%q %v", shorten(step), err)
	}
	if hardened {
		v += hdkeychain.HardenedKeyStart
	}
	return v, nil
}

// parseIndexNumber parses the number of a path step without its hardened
// marker: decimal digits only, below 2^31. Its errors complete a sentence
// about the step.
func parseIndexNumber(num string) (uint32, error) {
	if num == "" {
		return 0, errors.New("has no number")
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, errors.New("is not a number (steps look like 7, or 84h when hardened)")
		}
	}
	v, err := strconv.ParseUint(num, 10, 32)
	if err != nil || v >= hdkeychain.HardenedKeyStart {
		return 0, fmt.Errorf("is too large (the largest step is %d)", hdkeychain.HardenedKeyStart-1)
	}
	return uint32(v), nil
}
