// Package labels reads and writes wallet labels in the BIP329 export format,
// so that the notes a user attached to transactions, addresses, public keys,
// inputs, outputs and extended keys can move between satchel and other
// wallets (Sparrow, Electrum, Bitcoin Core based tools, ...).
//
// The format is JSON Lines: a UTF-8 file with one JSON object per line, each
// a Label naming a record by Type and Ref. Read parses and validates an
// export, reporting the first problem with its line number; Write produces
// one, with fields in a fixed order so that exports of the same labels are
// byte-for-byte identical. A file satchel writes is one satchel reads back.
//
// Following BIP329, records of types the BIP does not define are skipped on
// import rather than failing it, and the optional "Additional Fields"
// (height, time, fee, value, rate, keypath, fmv, heights) are carried when
// present. Fields nobody defined are ignored.
//
// Every rule failure is an *Error with a Code (see IsErrorCode); Read wraps
// it in a *LineError that carries the line number.
package labels
