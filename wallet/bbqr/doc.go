// Package bbqr implements BBQr ("Better Bitcoin QR", Coinkite's public
// domain spec), the way Coldcard and the wallets that talk to it split a
// PSBT or a transaction over a series of QR codes.
//
// Each part is an alphanumeric QR code that starts with an eight-character
// header: "B$", the encoding (H hex, 2 base32, Z raw-deflated with a
// 1024-byte window then base32), the file type (P PSBT, T transaction, J
// JSON, C CBOR, U text, B binary, X executable), the number of parts and the
// part's index, each two base-36 digits. The data is split into equal parts
// (the last may be shorter) that each decode to whole bytes, so parts can
// be received in any order.
//
// Split encodes and splits (choosing a QR version and the smaller of the
// deflated and plain encodings), Joiner collects parts in any order and
// decodes them. deflate.go holds the compressor: Go's compress/flate cannot
// limit its window to the 1024 bytes (wbits 10) the spec prescribes, so
// the package has its own small LZ77 encoder.
//
// The package imports nothing of satchel's.
package bbqr
