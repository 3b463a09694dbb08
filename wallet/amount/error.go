package amount

import (
	"errors"
	"fmt"
)

// ErrorCode identifies why an amount was rejected.
type ErrorCode int

// The reasons an amount can be rejected.
const (
	// ErrEmpty means the input was empty or only white space.
	ErrEmpty ErrorCode = iota

	// ErrNotNumber means the input is not a decimal number (letters, stray
	// signs, spaces inside the number, no digits at all).
	ErrNotNumber

	// ErrUnknownUnit means the input is a number followed by a unit other
	// than btc or sat.
	ErrUnknownUnit

	// ErrUnitNotAllowed means a unit was given where the amount must be plain
	// decimal bitcoin, as in a BIP21 URI.
	ErrUnitNotAllowed

	// ErrNegative means the amount is below zero.
	ErrNegative

	// ErrZero means the amount is zero; nobody sends nothing on purpose.
	ErrZero

	// ErrTooLarge means the amount is more than the 21 million bitcoin that
	// will ever exist.
	ErrTooLarge

	// ErrTooPrecise means a bitcoin amount has more than 8 decimal places, so
	// it is not a whole number of satoshis.
	ErrTooPrecise

	// ErrFractionalSat means a satoshi amount has a decimal point.
	ErrFractionalSat

	// ErrExponent means the number uses exponent notation, like 1e3.
	ErrExponent

	// ErrHex means the number is hexadecimal, like 0x10.
	ErrHex

	// ErrComma means the number contains a comma, used either as a decimal
	// separator or as a thousands separator; both are ambiguous.
	ErrComma

	// ErrDecimalPoints means the number has more than one decimal point.
	ErrDecimalPoints
)

var codeNames = map[ErrorCode]string{
	ErrEmpty:          "ErrEmpty",
	ErrNotNumber:      "ErrNotNumber",
	ErrUnknownUnit:    "ErrUnknownUnit",
	ErrUnitNotAllowed: "ErrUnitNotAllowed",
	ErrNegative:       "ErrNegative",
	ErrZero:           "ErrZero",
	ErrTooLarge:       "ErrTooLarge",
	ErrTooPrecise:     "ErrTooPrecise",
	ErrFractionalSat:  "ErrFractionalSat",
	ErrExponent:       "ErrExponent",
	ErrHex:            "ErrHex",
	ErrComma:          "ErrComma",
	ErrDecimalPoints:  "ErrDecimalPoints",
}

// String returns the code's name, for logs and test failures.
func (c ErrorCode) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error is returned for every amount that cannot be accepted. Description is
// a single line, meant for the person who typed Input.
type Error struct {
	// Code says which rule the input broke.
	Code ErrorCode

	// Input is the text that was rejected, without surrounding white space.
	Input string

	// Description says what is wrong and how to write it instead.
	Description string
}

// Error returns the description.
func (e *Error) Error() string { return e.Description }

// IsErrorCode reports whether err is, or wraps, an *Error with the given code.
func IsErrorCode(err error, c ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}

// maxQuoted bounds how much of an input an error message repeats, so that a
// pasted megabyte does not become a megabyte-long error line.
const maxQuoted = 64

// quote returns s in double quotes, shortened with an ellipsis when long.
// Control characters are escaped, so the result is always one line.
func quote(s string) string {
	r := []rune(s)
	if len(r) > maxQuoted {
		return fmt.Sprintf("%q…", string(r[:maxQuoted]))
	}
	return fmt.Sprintf("%q", s)
}

// newError builds an *Error; format's first verb receives the quoted input.
func newError(c ErrorCode, input, format string, args ...any) *Error {
	return &Error{
		Code:        c,
		Input:       input,
		Description: fmt.Sprintf(format, append([]any{quote(input)}, args...)...),
	}
}
