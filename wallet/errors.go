package wallet

import (
	"errors"
	"fmt"
)

var (
	// ErrExists is returned when creating a wallet whose file already exists.
	ErrExists = errors.New("a wallet with that name already exists")

	// ErrNotFound is returned when opening a wallet that has no file.
	ErrNotFound = errors.New("no such wallet")

	// ErrInUse is returned when another process holds the wallet file open
	// for writing.
	ErrInUse = errors.New("the wallet is open in another satchel process")

	// ErrWatchOnly is returned by operations that need keys on a wallet that
	// only holds public keys.
	ErrWatchOnly = errors.New("this is a watch-only wallet: it holds no keys")

	// ErrWrongNetwork is returned when a wallet file belongs to another
	// network than the one asked for.
	ErrWrongNetwork = errors.New("the wallet belongs to another network")

	// ErrDamaged is returned when a wallet file cannot be read because it is
	// truncated, corrupted or not a satchel wallet at all. It is always
	// wrapped with the detail of what was found.
	ErrDamaged = errors.New("the wallet file is damaged or is not a satchel wallet")
)

// damaged wraps a detail into ErrDamaged.
func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}
