package psbtx

import (
	"errors"
	"fmt"
)

// ErrorCode identifies the family of a failure, so that callers can react to
// it (show the message, ask for a better PSBT, refuse to broadcast) without
// matching message text.
type ErrorCode int

// The families of failures the package reports.
const (
	// ErrNotPSBT means the data is not a PSBT at all: no "psbt\xff" magic,
	// no base64 text starting with "cHNidP8", perhaps a raw transaction or
	// an empty file.
	ErrNotPSBT ErrorCode = iota

	// ErrDamaged means the data looks like a PSBT but breaks BIP174:
	// truncated, a malformed or duplicated field, trailing bytes, an
	// unsigned transaction that carries signatures.
	ErrDamaged

	// ErrUnsupported means a well-formed PSBT uses something this package
	// does not handle, such as PSBT version 2 (BIP370).
	ErrUnsupported

	// ErrInvalidPacket means a *psbt.Packet handed to the package is nil or
	// inconsistent (input or output sections that do not match the
	// unsigned transaction). It points at a programming error.
	ErrInvalidPacket

	// ErrMissingUTXO means an input lacks the previous output (or the full
	// previous transaction) needed for the operation.
	ErrMissingUTXO

	// ErrUTXOMismatch means the data an input carries about the coin it
	// spends is inconsistent: a non-witness UTXO whose txid is not the
	// input's, a witness UTXO for a coin that is not segwit, a redeem or
	// witness script that does not hash to the coin's script.
	ErrUTXOMismatch

	// ErrChangeMismatch means an output carries this wallet's fingerprint
	// in a BIP32 derivation, so it claims to be the wallet's change, but
	// the key derived at that path does not match the output. Signing
	// such a PSBT could send the "change" to someone else.
	ErrChangeMismatch

	// ErrWrongKey means an input's derivation names this wallet's key but
	// the coin's script does not pay to that key.
	ErrWrongKey

	// ErrSighashType means an input asks for a sighash type this wallet
	// does not sign with.
	ErrSighashType

	// ErrDifferentTx means PSBTs to combine are for different transactions.
	ErrDifferentTx

	// ErrConflict means PSBTs to combine disagree about a field that must
	// be the same in both (the coin an input spends, its sighash type).
	ErrConflict

	// ErrNotFinalizable means an input cannot be finalized: it is not
	// signed, lacks signatures or scripts, or uses an unsupported script.
	ErrNotFinalizable

	// ErrBadSignature means a signature does not verify against the coin it
	// spends.
	ErrBadSignature

	// ErrIncomplete means a transaction cannot be extracted because an
	// input is not finalized.
	ErrIncomplete

	// ErrSigning means the signer failed (the wallet is locked, a key
	// cannot be derived).
	ErrSigning

	// ErrWrongNetwork means the PSBT names a key of this wallet encoded
	// for another network.
	ErrWrongNetwork

	// ErrUnprovenAmount means an input of this wallet spends a segwit v0
	// or legacy coin whose amount only the PSBT's witness UTXO states:
	// neither its full previous transaction nor the wallet's records prove
	// it, and its signature would not commit to it (the segwit fee attack).
	ErrUnprovenAmount

	// ErrAbsurdFee means the fee breaks the signer's limits (fee rate,
	// absolute cap, more than the amount sent) and was not allowed.
	ErrAbsurdFee

	// ErrNegativeFee means the outputs add up to more than the inputs.
	ErrNegativeFee

	// ErrMultisigPolicy means a multisig input this wallet would sign is
	// not the multisig its key origins describe: a key of the witness
	// script without a key origin, a key origin whose key is not in the
	// script, cosigner keys at different branches or indexes, or a key
	// that does not derive from the cosigner's extended public key the
	// PSBT lists.
	ErrMultisigPolicy
)

// codeNames holds the names String returns.
var codeNames = map[ErrorCode]string{
	ErrNotPSBT:        "ErrNotPSBT",
	ErrDamaged:        "ErrDamaged",
	ErrUnsupported:    "ErrUnsupported",
	ErrInvalidPacket:  "ErrInvalidPacket",
	ErrMissingUTXO:    "ErrMissingUTXO",
	ErrUTXOMismatch:   "ErrUTXOMismatch",
	ErrChangeMismatch: "ErrChangeMismatch",
	ErrWrongKey:       "ErrWrongKey",
	ErrSighashType:    "ErrSighashType",
	ErrDifferentTx:    "ErrDifferentTx",
	ErrConflict:       "ErrConflict",
	ErrNotFinalizable: "ErrNotFinalizable",
	ErrBadSignature:   "ErrBadSignature",
	ErrIncomplete:     "ErrIncomplete",
	ErrSigning:        "ErrSigning",
	ErrWrongNetwork:   "ErrWrongNetwork",
	ErrUnprovenAmount: "ErrUnprovenAmount",
	ErrAbsurdFee:      "ErrAbsurdFee",
	ErrNegativeFee:    "ErrNegativeFee",
	ErrMultisigPolicy: "ErrMultisigPolicy",
}

// String returns the code's name, for logs and test failures.
func (c ErrorCode) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error is the error type of the package. Description is one line meant for
// the person handling the PSBT; it names the input or output at fault.
type Error struct {
	// Code says which family of failure this is.
	Code ErrorCode

	// Description says what is wrong and, where it helps, what to do.
	Description string

	// Err is the underlying cause when there is one (an error from the
	// psbt library, the signer or the script engine), for errors.Is and
	// errors.As.
	Err error
}

// Error returns the description.
func (e *Error) Error() string { return e.Description }

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// IsErrorCode reports whether err is, or wraps, an *Error with the given
// code.
func IsErrorCode(err error, c ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}

// newError builds an *Error with a formatted description.
func newError(c ErrorCode, cause error, format string, args ...any) *Error {
	return &Error{
		Code:        c,
		Description: fmt.Sprintf(format, args...),
		Err:         cause,
	}
}

// damaged builds an ErrDamaged error whose description starts with "the
// PSBT is damaged: ".
func damaged(cause error, format string, args ...any) *Error {
	return newError(ErrDamaged, cause, "the PSBT is damaged: "+format,
		args...)
}
