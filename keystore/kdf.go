package keystore

import (
	"fmt"

	"golang.org/x/crypto/argon2"
)

// KDFParams are the argon2id cost parameters that turn a password into the
// key encrypting a keystore record. They are stored in the record's header,
// so a record stays readable when the defaults change.
type KDFParams struct {
	// Memory is the memory cost in KiB.
	Memory uint32

	// Time is the number of passes over the memory.
	Time uint32

	// Threads is the degree of parallelism.
	Threads uint8
}

// Bounds on KDF parameters. A record whose header is outside them is
// rejected before any work is done, so a damaged or hostile file cannot make
// the wallet allocate terabytes or spin for hours.
const (
	maxKDFMemory  = 4 * 1024 * 1024 // KiB, i.e. 4 GiB
	minKDFTime    = 1
	maxKDFTime    = 64
	minKDFThreads = 1
	maxKDFThreads = 64

	// kdfKeyLen is the length of the derived key: an XChaCha20-Poly1305
	// key.
	kdfKeyLen = 32
)

// DefaultKDFParams returns the parameters used for new keystores: 256 MiB
// of memory, 3 passes and 4 threads, which takes around a second on a
// current laptop and makes guessing passwords expensive.
func DefaultKDFParams() KDFParams {
	return KDFParams{Memory: 256 * 1024, Time: 3, Threads: 4}
}

// validate reports whether p is within the bounds this package accepts.
// argon2 needs at least 8 KiB of memory per thread.
func (p KDFParams) validate() error {
	switch {
	case p.Threads < minKDFThreads || p.Threads > maxKDFThreads:
		return fmt.Errorf("the key derivation must use between %d and %d "+
			"threads, not %d", minKDFThreads, maxKDFThreads, p.Threads)
	case p.Time < minKDFTime || p.Time > maxKDFTime:
		return fmt.Errorf("the key derivation must make between %d and %d "+
			"passes, not %d", minKDFTime, maxKDFTime, p.Time)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxKDFMemory:
		return fmt.Errorf("the key derivation must use between %d KiB and "+
			"%d KiB of memory, not %d KiB", 8*uint32(p.Threads),
			maxKDFMemory, p.Memory)
	}
	return nil
}

// deriveKey runs argon2id. p must have been validated; the caller must zero
// the result.
func deriveKey(password, salt []byte, p KDFParams) []byte {
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads,
		kdfKeyLen)
}
