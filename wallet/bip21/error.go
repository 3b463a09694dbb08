package bip21

import (
	"errors"
	"fmt"
)

// ErrorCode identifies why a payment request was rejected.
type ErrorCode int

// The reasons a payment request can be rejected.
const (
	// ErrNotBitcoinURI means the text is neither a "bitcoin:" URI nor an
	// address (empty, another URI scheme, a query without a scheme).
	ErrNotBitcoinURI ErrorCode = iota

	// ErrNoAddress means the URI has no address, as in a Lightning-only
	// request ("bitcoin:?lightning=...").
	ErrNoAddress

	// ErrInvalidAddress means the address is not a valid bitcoin address of
	// any known network (typo, bad checksum, unsupported kind).
	ErrInvalidAddress

	// ErrWrongNetwork means the address is valid, but for another network
	// than the wallet's.
	ErrWrongNetwork

	// ErrInvalidAmount means the amount parameter is not a valid decimal
	// bitcoin amount; the wrapped error is an *amount.Error.
	ErrInvalidAmount

	// ErrInvalidParam means a parameter is malformed: no name, a broken
	// percent-escape, text that is not UTF-8 or holds control
	// characters.
	ErrInvalidParam

	// ErrDuplicateParam means a parameter appears more than once, so it is
	// unclear which value the payee meant.
	ErrDuplicateParam

	// ErrUnknownRequired means a "req-" parameter satchel does not implement;
	// BIP21 says such a URI must be refused.
	ErrUnknownRequired
)

var codeNames = map[ErrorCode]string{
	ErrNotBitcoinURI:   "ErrNotBitcoinURI",
	ErrNoAddress:       "ErrNoAddress",
	ErrInvalidAddress:  "ErrInvalidAddress",
	ErrWrongNetwork:    "ErrWrongNetwork",
	ErrInvalidAmount:   "ErrInvalidAmount",
	ErrInvalidParam:    "ErrInvalidParam",
	ErrDuplicateParam:  "ErrDuplicateParam",
	ErrUnknownRequired: "ErrUnknownRequired",
}

// String returns the code's name, for logs and test failures.
func (c ErrorCode) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error is returned for every payment request Parse cannot accept.
// Description is a single line meant for the person who pasted the request.
type Error struct {
	// Code says which rule the request broke.
	Code ErrorCode

	// Description says what is wrong, naming the offending part.
	Description string

	// Err is the underlying cause when there is one (an address decoding
	// error, an *amount.Error), for errors.Is and errors.As.
	Err error
}

// Error returns the description.
func (e *Error) Error() string { return e.Description }

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// IsErrorCode reports whether err is, or wraps, an *Error with the given code.
func IsErrorCode(err error, c ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}

// maxQuoted bounds how much of an input an error message repeats.
const maxQuoted = 100

// quote returns s in double quotes, shortened with an ellipsis when long.
// Control characters are escaped, so the result is always one line.
func quote(s string) string {
	r := []rune(s)
	if len(r) > maxQuoted {
		return fmt.Sprintf("%q…", string(r[:maxQuoted]))
	}
	return fmt.Sprintf("%q", s)
}

// newError builds an *Error with a formatted description.
func newError(c ErrorCode, cause error, format string, args ...any) *Error {
	return &Error{Code: c, Description: fmt.Sprintf(format, args...), Err: cause}
}
