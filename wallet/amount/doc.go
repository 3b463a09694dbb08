// Package amount turns the amounts people type into btcutil.Amount values and
// back into text.
//
// satchel keeps money as btcutil.Amount (whole satoshis in an int64)
// everywhere and converts only at the edges: Parse reads what a user types on
// the command line or in the TUI ("0.5", "0.5 BTC", "50000sat"), ParseBTC
// reads a bare decimal bitcoin amount such as the amount parameter of a BIP21
// URI, and FormatBTC, FormatSat and FormatDecimal write amounts for people and
// for URIs.
//
// Parsing never goes through floating point: the decimal text is split into
// its whole and fractional parts and converted with integer arithmetic, so
// every accepted input maps to exactly one number of satoshis and anything
// that would need rounding (more than 8 decimal places, fractions of a
// satoshi) is rejected instead of being rounded silently.
//
// Every rejection is an *Error whose message is one line naming the input and
// saying how to fix it; its Code lets callers tell the failures apart without
// matching strings (see IsErrorCode).
package amount
