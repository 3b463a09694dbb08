package pwcheck

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinLength is the number of characters below which a password is weak.
const MinLength = 8

//go:embed common.txt
var commonText string

// common holds the common passwords, lower-cased.
var common = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonText, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m[strings.ToLower(l)] = true
	}
	return m
}()

// Reason says why a password is weak.
type Reason int

const (
	// TooShort: fewer than MinLength characters.
	TooShort Reason = iota + 1
	// Common: one of the most common passwords, maybe with digits or
	// symbols added at its end.
	Common
)

// WeakError describes a weak password. Its message is a sentence for the
// user; it never repeats the password.
type WeakError struct {
	Reason Reason
	// Length is the password's length in characters.
	Length int
}

func (e *WeakError) Error() string {
	switch e.Reason {
	case TooShort:
		return fmt.Sprintf("the password has only %d character%s; %d or more are much harder to guess",
			e.Length, plural(e.Length), MinLength)
	case Common:
		return "the password is one of the most common passwords, which are the first ones anyone tries"
	}
	return "the password is weak"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Check returns a *WeakError when password is weak, else nil. An empty
// password is TooShort; callers that refuse empty passwords check that
// first.
func Check(password []byte) error {
	n := utf8.RuneCount(password)
	if n < MinLength {
		return &WeakError{Reason: TooShort, Length: n}
	}
	if IsCommon(string(password)) {
		return &WeakError{Reason: Common, Length: n}
	}
	return nil
}

// IsCommon reports whether s is one of the common passwords, ignoring case,
// surrounding spaces and digits or symbols added at its end ("Sunshine1!"
// is "sunshine").
func IsCommon(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if common[s] {
		return true
	}
	base := strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	// A base of digits alone ("1234" of "12345678!") is caught by the
	// length check or is long enough not to matter; "" is no password.
	return base != s && base != "" && common[base]
}

// Count is how many common passwords are known, for messages and tests.
func Count() int { return len(common) }
