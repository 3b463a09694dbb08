package labels

import (
	"errors"
	"fmt"
)

// ErrorCode identifies which rule a label record broke.
type ErrorCode int

// The rules a label record can break.
const (
	// ErrSyntax means the line is not valid JSON, or holds more than one
	// value.
	ErrSyntax ErrorCode = iota

	// ErrNotObject means the line is JSON, but not an object.
	ErrNotObject

	// ErrNotUTF8 means the line is not UTF-8 text, which BIP329 requires.
	ErrNotUTF8

	// ErrLineTooLong means the line is longer than MaxLineLength.
	ErrLineTooLong

	// ErrDuplicateKey means the object has the same key twice.
	ErrDuplicateKey

	// ErrMissingField means "type" or "ref" is missing.
	ErrMissingField

	// ErrFieldType means a field has the wrong JSON type or range, like
	// "spendable": "false" or "height": -1.
	ErrFieldType

	// ErrUnknownType means the record type is not one BIP329 defines. Read
	// skips such records; Write refuses them.
	ErrUnknownType

	// ErrInvalidRef means the reference does not fit the record type.
	ErrInvalidRef

	// ErrPrivateKey means the reference is an extended private key, which
	// BIP329 deliberately has no type for.
	ErrPrivateKey

	// ErrLabelTooLong means the label is longer than MaxLabelLength.
	ErrLabelTooLong

	// ErrSpendableNotOutput means "spendable" is given on a record that is not
	// an output.
	ErrSpendableNotOutput
)

var codeNames = map[ErrorCode]string{
	ErrSyntax:             "ErrSyntax",
	ErrNotObject:          "ErrNotObject",
	ErrNotUTF8:            "ErrNotUTF8",
	ErrLineTooLong:        "ErrLineTooLong",
	ErrDuplicateKey:       "ErrDuplicateKey",
	ErrMissingField:       "ErrMissingField",
	ErrFieldType:          "ErrFieldType",
	ErrUnknownType:        "ErrUnknownType",
	ErrInvalidRef:         "ErrInvalidRef",
	ErrPrivateKey:         "ErrPrivateKey",
	ErrLabelTooLong:       "ErrLabelTooLong",
	ErrSpendableNotOutput: "ErrSpendableNotOutput",
}

// String returns the code's name, for logs and test failures.
func (c ErrorCode) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error is a broken rule. Description is one line for a person and does not
// say where the record was; LineError and Write add that.
type Error struct {
	// Code says which rule was broken.
	Code ErrorCode

	// Description says what is wrong.
	Description string
}

// Error returns the description.
func (e *Error) Error() string { return e.Description }

// LineError places an error on a line of the input given to Read.
type LineError struct {
	// Line is the 1-based line number, counting blank lines.
	Line int

	// Err is what is wrong with the line, usually an *Error.
	Err error
}

// Error returns "line N: " followed by the description.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the error about the line's content.
func (e *LineError) Unwrap() error { return e.Err }

// IsErrorCode reports whether err is, or wraps, an *Error with the given code.
func IsErrorCode(err error, c ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}

// ruleError builds an *Error with a formatted description.
func ruleError(c ErrorCode, format string, args ...any) *Error {
	return &Error{Code: c, Description: fmt.Sprintf(format, args...)}
}

// maxQuoted bounds how much of a value an error message repeats.
const maxQuoted = 80

// quote returns s in double quotes, shortened with an ellipsis when long.
// Control characters are escaped, so the result is always one line.
func quote(s string) string {
	r := []rune(s)
	if len(r) > maxQuoted {
		return fmt.Sprintf("%q…", string(r[:maxQuoted]))
	}
	return fmt.Sprintf("%q", s)
}
