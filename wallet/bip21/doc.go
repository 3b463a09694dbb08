// Package bip21 reads and writes "bitcoin:" payment URIs as specified by
// BIP21, the links and QR codes through which a payee asks for a payment.
//
// Parse takes what a user pastes or scans, either a full URI such as
//
//	bitcoin:bc1q...?amount=0.001&label=Alice&message=Invoice%2042
//
// or a bare address, and returns a URI whose Address is known to belong to the
// wallet's network and whose Amount is exact (see package amount). It applies
// the rules a payer must follow: the scheme is case-insensitive, parameters
// are percent-decoded UTF-8, a parameter given twice is refused, and a
// parameter starting with "req-" that satchel does not understand makes the
// whole URI invalid, because the payee said the payment must not be made
// without it. Other parameters (lightning=, pj= and so on) are kept in Extra
// so that nothing the payee wrote is lost.
//
// URI.String writes the canonical form back, for showing a receive request
// as text or a QR code; Parse(u.String()) returns u again.
//
// Every rejection is an *Error with a one-line message naming the offending
// part and a Code for callers (see IsErrorCode). The deprecated forms of
// BIP20 (amounts like "amount=1X8") are not supported.
package bip21
