package bip21

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// Scheme is the URI scheme of BIP21 payment requests, without the colon.
const Scheme = "bitcoin"

// The parameters BIP21 defines and URI has fields for.
const (
	paramAmount  = "amount"
	paramLabel   = "label"
	paramMessage = "message"
)

// requiredPrefix marks parameters a payer must understand to pay.
const requiredPrefix = "req-"

// URI is a BIP21 payment request.
type URI struct {
	// Address is where the payment goes. Parse always sets it, for the
	// network it was given.
	Address address.Address

	// Amount is the amount requested, or 0 when the request leaves it to
	// the payer.
	Amount btcutil.Amount

	// Label names the payee or the request, for the payer's records.
	Label string

	// Message describes what the payment is for.
	Message string

	// Extra holds every other parameter, decoded, by name (lightning, pj
	// and any the payee's wallet added). Parse leaves it nil when there
	// are none. Names starting with "req-" never appear here: Parse
	// refuses them.
	Extra map[string]string
}

// Parse reads a payment request: a BIP21 URI ("bitcoin:" in any case,
// followed by an address and optional parameters) or a bare address.
// Surrounding white space is ignored.
//
// The address must belong to net; an address of another network is refused
// with an error naming both. Upper-case bech32 addresses, as found in QR
// codes, are accepted and normalized to lower case. The amount must be plain
// decimal bitcoin ("0.001", no unit), following the rules of
// amount.ParseBTC. Label, message and other parameters are percent-decoded
// and must be UTF-8 without control characters. A parameter given twice, or
// a "req-" parameter, makes the request invalid.
//
// Every rejection is an *Error.
func Parse(s string, net *chaincfg.Params) (*URI, error) {
	if net == nil {
		return nil, errors.New("bip21: Parse called without a network")
	}
	in := strings.TrimSpace(s)
	if in == "" {
		return nil, newError(ErrNotBitcoinURI, nil,
			"the payment request is empty: paste a bitcoin: URI or an address")
	}

	rest, ok := cutScheme(in)
	if !ok {
		if scheme, _, found := strings.Cut(in, ":"); found && isScheme(scheme) {
			return nil, newError(ErrNotBitcoinURI, nil,
				"%s is not a bitcoin: payment request (it is a %s: link)", quote(in), scheme)
		}
		if strings.ContainsAny(in, "?&=") {
			return nil, newError(ErrNotBitcoinURI, nil,
				"%s is neither a bitcoin: URI nor an address", quote(in))
		}
		a, err := decodeAddress(in, net)
		if err != nil {
			return nil, err
		}
		return &URI{Address: a}, nil
	}

	addrPart, query, _ := strings.Cut(rest, "?")
	if addrPart == "" {
		return nil, newError(ErrNoAddress, nil,
			"the payment request %s has no bitcoin address (a Lightning-only request cannot be paid on-chain)", quote(in))
	}
	a, err := decodeAddress(addrPart, net)
	if err != nil {
		return nil, err
	}
	u := &URI{Address: a}
	if err := u.parseQuery(query); err != nil {
		return nil, err
	}
	return u, nil
}

// cutScheme returns s without a leading "bitcoin:", in any case, and whether
// it had one.
func cutScheme(s string) (string, bool) {
	n := len(Scheme) + 1
	if len(s) >= n && strings.EqualFold(s[:n], Scheme+":") {
		return s[n:], true
	}
	return s, false
}

// isScheme reports whether s is a syntactically valid URI scheme (RFC 3986:
// a letter followed by letters, digits, "+", "-" or ".").
func isScheme(s string) bool {
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf && unicode.IsLetter(r):
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// parseQuery fills u from the query part of a URI (what follows "?").
func (u *URI) parseQuery(query string) error {
	seen := make(map[string]bool)
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue // "a=1&&b=2" and a trailing "&" carry nothing
		}
		rawKey, rawVal, _ := strings.Cut(part, "=")
		key, err := decodeText(rawKey, "a parameter name")
		if err != nil {
			return err
		}
		if key == "" {
			return newError(ErrInvalidParam, nil,
				"the payment request has a parameter without a name: %s", quote(part))
		}
		if seen[key] {
			return newError(ErrDuplicateParam, nil,
				"the payment request gives %s more than once, so it is unclear which value is meant", quote(key))
		}
		seen[key] = true
		val, err := decodeText(rawVal, "parameter "+quote(key))
		if err != nil {
			return err
		}

		switch {
		case key == paramAmount:
			a, err := amount.ParseBTC(val)
			if err != nil {
				return newError(ErrInvalidAmount, err,
					"the payment request's amount is invalid: %s", err.Error())
			}
			u.Amount = a
		case key == paramLabel:
			u.Label = val
		case key == paramMessage:
			u.Message = val
		case strings.HasPrefix(key, requiredPrefix):
			return newError(ErrUnknownRequired, nil,
				"the payment request requires %s, which satchel does not support: ask the payee for a plain address and amount", quote(key))
		default:
			if u.Extra == nil {
				u.Extra = make(map[string]string)
			}
			u.Extra[key] = val
		}
	}
	return nil
}

// decodeText percent-decodes one part of a query and checks that it is text
// a person can be shown. A "+" stays a "+": BIP21 follows RFC 3986, where it
// does not stand for a space. what names the part in errors.
func decodeText(raw, what string) (string, error) {
	s, err := url.PathUnescape(raw)
	if err != nil {
		return "", newError(ErrInvalidParam, err,
			"%s in the payment request has a broken percent-escape: %s", what, quote(raw))
	}
	if !utf8.ValidString(s) {
		return "", newError(ErrInvalidParam, nil,
			"%s in the payment request is not UTF-8 text: %s", what, quote(raw))
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", newError(ErrInvalidParam, nil,
			"%s in the payment request contains control characters such as line breaks: %s", what, quote(s))
	}
	return s, nil
}

// String returns the canonical form of the request:
//
//	bitcoin:ADDRESS?amount=0.001&label=...&message=...&other=...
//
// Empty fields are left out, Extra follows in order of name, and every byte
// of a name or value other than letters, digits and "-._~" is
// percent-escaped, so the result is one unambiguous token that Parse turns
// back into u. Extra entries named amount, label or message, or with an
// empty name, are skipped: they could not be read back.
func (u *URI) String() string {
	var b strings.Builder
	b.WriteString(Scheme)
	b.WriteByte(':')
	if u.Address != nil {
		b.WriteString(u.Address.EncodeAddress())
	}
	sep := byte('?')
	add := func(k, v string) {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(escape(k))
		b.WriteByte('=')
		b.WriteString(escape(v))
	}
	if u.Amount != 0 {
		add(paramAmount, amount.FormatDecimal(u.Amount))
	}
	if u.Label != "" {
		add(paramLabel, u.Label)
	}
	if u.Message != "" {
		add(paramMessage, u.Message)
	}
	keys := make([]string, 0, len(u.Extra))
	for k := range u.Extra {
		switch k {
		case "", paramAmount, paramLabel, paramMessage:
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		add(k, u.Extra[k])
	}
	return b.String()
}

// escape percent-encodes every byte of s except RFC 3986 unreserved
// characters.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
