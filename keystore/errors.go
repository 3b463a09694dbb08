package keystore

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Their messages are written for people and may be shown
// verbatim; compare them with errors.Is, never by their text.
var (
	// ErrWrongPassword is returned when a password does not open the
	// keystore. The authenticated encryption cannot tell a wrong password
	// from a record that was tampered with, so both end up here.
	ErrWrongPassword = errors.New("wrong password")

	// ErrCorrupt is returned when the stored keystore record cannot be
	// read: it is truncated, its header is malformed, its parameters are
	// out of range, or it belongs to another wallet. It is always wrapped
	// with a detail, e.g. "keystore data is damaged: the record is
	// truncated".
	ErrCorrupt = errors.New("keystore data is damaged")

	// ErrNoKeystore is returned by Open when the wallet file holds no
	// keystore record, as is the case for watch-only wallets.
	ErrNoKeystore = errors.New("this wallet holds no keys (watch-only)")

	// ErrEmptyPassword is returned when a keystore is created, or its
	// password changed, with an empty password.
	ErrEmptyPassword = errors.New("the password must not be empty")

	// ErrBadChecksum is returned when every word of a mnemonic is a valid
	// BIP39 word but the checksum carried by the last word does not match.
	ErrBadChecksum = errors.New("the mnemonic checksum does not match: " +
		"a word is wrong or the words are out of order")

	// errAlreadyExists is returned by Create when the wallet file already
	// holds a keystore record; Create never overwrites one.
	errAlreadyExists = errors.New("this wallet already holds keys; " +
		"they were left untouched")

	// errSignerClosed is returned by a Signer after Close.
	errSignerClosed = errors.New("the wallet is locked")
)

// WordError reports a mnemonic word that is not in the BIP39 English word
// list. It names the word's position so the user can find it on their
// backup, and offers the closest list words as suggestions.
type WordError struct {
	// Position is the 1-based position of the word in the mnemonic.
	Position int

	// Word is the unknown word as it was read (lower-cased, NFKD).
	Word string

	// Suggestions holds up to three BIP39 words close to Word, best
	// first. It is empty when nothing is close.
	Suggestions []string
}

// maxShownWordLen bounds how much of an unknown word an error message
// repeats, so a pasted blob does not flood the terminal.
const maxShownWordLen = 32

// Error returns a sentence such as
// `word 7 "abandn" is not in the BIP39 English word list (did you mean "abandon"?)`.
func (e *WordError) Error() string {
	word := e.Word
	if utf8.RuneCountInString(word) > maxShownWordLen {
		word = string([]rune(word)[:maxShownWordLen]) + "…"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "word %d %q is not in the BIP39 English word list",
		e.Position, word)
	if len(e.Suggestions) > 0 {
		b.WriteString(" (did you mean ")
		for i, s := range e.Suggestions {
			switch {
			case i == 0:
			case i == len(e.Suggestions)-1:
				b.WriteString(" or ")
			default:
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", s)
		}
		b.WriteString("?)")
	}
	return b.String()
}

// WordCountError reports a mnemonic whose number of words is not one that
// BIP39 defines (12, 15, 18, 21 or 24).
type WordCountError struct {
	// Count is the number of words that were found.
	Count int
}

// Error returns a sentence such as
// "a mnemonic has 12, 15, 18, 21 or 24 words; this one has 11".
func (e *WordCountError) Error() string {
	return fmt.Sprintf("a mnemonic has 12, 15, 18, 21 or 24 words; "+
		"this one has %d", e.Count)
}

// wordErrors reports several unknown words at once, on one line; errors.As
// finds the first *WordError.
type wordErrors []error

// Error joins the messages of all unknown words with "; ".
func (e wordErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the individual *WordError values.
func (e wordErrors) Unwrap() []error {
	return e
}

// corruptError returns ErrCorrupt wrapped with a detail sentence.
func corruptError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}
