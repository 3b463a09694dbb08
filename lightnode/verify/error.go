package verify

import (
	"errors"
	"fmt"
)

// ErrorCode identifies the rule a piece of peer data broke. The node keys its
// reaction on the code (ban the peer, ask another one, give up) and never on
// the description text.
type ErrorCode int

// These constants name every rule the checks in this package enforce.
const (
	// ErrMissingData means a required argument was nil or an element of
	// it (a transaction, a hash) was nil. It points at a bug in the
	// caller or in message decoding rather than at the peer.
	ErrMissingData ErrorCode = iota + 1

	// ErrHeaderMismatch means the block or merkleblock carries a header
	// other than the one we validated and asked for.
	ErrHeaderMismatch

	// ErrNoTransactions means a block or merkleblock claims no
	// transactions at all; every block has at least its coinbase.
	ErrNoTransactions

	// ErrTooManyTransactions means more transactions than fit in a block
	// under the consensus weight limit (MaxTransactionsPerBlock).
	ErrTooManyTransactions

	// ErrFirstTxNotCoinbase means the first transaction of a block is not
	// a coinbase.
	ErrFirstTxNotCoinbase

	// ErrMultipleCoinbases means a transaction other than the first is a
	// coinbase.
	ErrMultipleCoinbases

	// ErrBadMerkleRoot means the merkle root computed from the data
	// differs from the header's merkle root.
	ErrBadMerkleRoot

	// ErrMutatedMerkle means the merkle tree contains two equal sibling
	// nodes: the duplicated-subtree trick of CVE-2012-2459 that gives a
	// different transaction list the same merkle root.
	ErrMutatedMerkle

	// ErrDuplicateTx means a block lists the same txid twice.
	ErrDuplicateTx

	// ErrUnexpectedWitness means a transaction carries witness data but
	// the coinbase commits to no witness root.
	ErrUnexpectedWitness

	// ErrBadWitnessNonce means the coinbase witness is not exactly one
	// 32-byte item (the BIP141 witness reserved value).
	ErrBadWitnessNonce

	// ErrBadWitnessCommitment means the coinbase's witness commitment
	// does not match the block's witness data.
	ErrBadWitnessCommitment

	// ErrTooManyHashes means a merkleblock carries more hashes than the
	// block has transactions.
	ErrTooManyHashes

	// ErrHashesMissing means the partial merkle tree needs more hashes
	// than the merkleblock carries.
	ErrHashesMissing

	// ErrHashesUnused means hashes were left over after the partial
	// merkle tree was fully walked.
	ErrHashesUnused

	// ErrFlagsMissing means the partial merkle tree needs more flag bits
	// than the merkleblock carries.
	ErrFlagsMissing

	// ErrFlagsUnused means flag bytes, or set flag bits in the padding of
	// the last byte, were left over after the tree was fully walked.
	ErrFlagsUnused

	// ErrAmbiguousTree means an inner node of a partial merkle tree could
	// also be read as a 64-byte transaction, the shape of the attack that
	// passes off an inner node as a leaf (or a forged leaf under a real
	// 64-byte transaction).
	ErrAmbiguousTree

	// ErrTxMismatch means a transaction sent for a merkleblock match does
	// not hash to the matched txid or does not fit its position (a
	// coinbase that is not first, a first transaction that is not a
	// coinbase).
	ErrTxMismatch

	// ErrAmbiguousTx means a transaction sent for a merkleblock match is
	// 64 bytes long without its witness, so the proof cannot tell it from
	// an inner node of the merkle tree.
	ErrAmbiguousTx

	// ErrFilterMalformed means the filter bytes do not decode as a BIP158
	// basic filter.
	ErrFilterMalformed

	// ErrFilterMissingElement means the filter lacks an element every
	// valid block filter for this block must hold: an output script, or
	// the spent script of an input whose spent script consensus pins
	// down. The filter is certainly wrong.
	ErrFilterMissingElement

	// ErrFilterMissingSpentScript means the filter lacks every script an
	// input could have spent under the standard reading of its
	// scriptSig/witness (P2PKH, P2WPKH). The filter is almost certainly
	// wrong, but a block with a non-standard spend of the same shape can
	// cause this with a correct filter, so callers should prefer other
	// evidence before banning on this code alone.
	ErrFilterMissingSpentScript

	// numErrorCodes is the number of codes above; it keeps the String
	// table honest in tests.
	numErrorCodes
)

// errorCodeStrings gives each code the name it has in Go source, for logs.
var errorCodeStrings = map[ErrorCode]string{
	ErrMissingData:              "ErrMissingData",
	ErrHeaderMismatch:           "ErrHeaderMismatch",
	ErrNoTransactions:           "ErrNoTransactions",
	ErrTooManyTransactions:      "ErrTooManyTransactions",
	ErrFirstTxNotCoinbase:       "ErrFirstTxNotCoinbase",
	ErrMultipleCoinbases:        "ErrMultipleCoinbases",
	ErrBadMerkleRoot:            "ErrBadMerkleRoot",
	ErrMutatedMerkle:            "ErrMutatedMerkle",
	ErrDuplicateTx:              "ErrDuplicateTx",
	ErrUnexpectedWitness:        "ErrUnexpectedWitness",
	ErrBadWitnessNonce:          "ErrBadWitnessNonce",
	ErrBadWitnessCommitment:     "ErrBadWitnessCommitment",
	ErrTooManyHashes:            "ErrTooManyHashes",
	ErrHashesMissing:            "ErrHashesMissing",
	ErrHashesUnused:             "ErrHashesUnused",
	ErrFlagsMissing:             "ErrFlagsMissing",
	ErrFlagsUnused:              "ErrFlagsUnused",
	ErrAmbiguousTree:            "ErrAmbiguousTree",
	ErrTxMismatch:               "ErrTxMismatch",
	ErrAmbiguousTx:              "ErrAmbiguousTx",
	ErrFilterMalformed:          "ErrFilterMalformed",
	ErrFilterMissingElement:     "ErrFilterMissingElement",
	ErrFilterMissingSpentScript: "ErrFilterMissingSpentScript",
}

// String returns the code's Go name, or a placeholder for an unknown code.
func (c ErrorCode) String() string {
	if s, ok := errorCodeStrings[c]; ok {
		return s
	}
	return fmt.Sprintf("unknown ErrorCode (%d)", int(c))
}

// Error is the rule violation a check found. Code says which rule (for
// the program); Description says what was wrong in words a person can act
// on (for logs and the peers view).
type Error struct {
	Code        ErrorCode
	Description string
}

// Error returns the human-readable description.
func (e *Error) Error() string {
	return e.Description
}

// IsErrorCode reports whether err is, or wraps, an *Error with code c.
func IsErrorCode(err error, c ErrorCode) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}

// ruleError builds an *Error with a formatted description.
func ruleError(c ErrorCode, format string, args ...any) *Error {
	return &Error{Code: c, Description: fmt.Sprintf(format, args...)}
}
