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

	// ErrForgedSpend is returned by AddUnconfirmed for a transaction that
	// spends one of the wallet's coins with a script or signature that
	// fails the consensus rules against the coin's script and amount: it
	// can never be mined, so whoever relayed it lied. It is always wrapped
	// with the input and the script engine's reason.
	ErrForgedSpend = errors.New("the transaction spends a coin of this wallet without a valid signature")

	// ErrNonStandardSpend is returned by AddUnconfirmed for a transaction
	// whose spend of one of the wallet's coins is valid by consensus but not
	// by the standard relay rules (a high-S signature, say). It is dropped,
	// but relaying it is not proof of a lie.
	ErrNonStandardSpend = errors.New("the transaction spends a coin of this wallet with a non-standard script")

	// ErrUnverifiableSpend is returned by AddUnconfirmed for a transaction
	// that spends a taproot coin of the wallet together with inputs whose
	// amounts and scripts the wallet does not know: a taproot signature
	// commits to all of them, so it cannot be checked before it is mined.
	ErrUnverifiableSpend = errors.New("the transaction spends a coin of this wallet with inputs the wallet cannot check")

	// ErrConflictsConfirmed is returned by AddUnconfirmed for a transaction
	// that spends a coin a confirmed transaction already spends: it can
	// never be mined on this chain, and the confirmed one stays.
	ErrConflictsConfirmed = errors.New("the transaction double-spends a coin already spent in a block")
)

// damaged wraps a detail into ErrDamaged.
func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}
