package amount

import (
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/v2"
)

// Decimals is the number of decimal places of a bitcoin amount: one satoshi
// is 0.00000001 BTC.
const Decimals = 8

// Hints appended to messages about input that is not a number at all: one
// for Parse, which takes units, and one for ParseBTC, which does not.
const (
	hintUnits = "enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat"
	hintPlain = "write it in bitcoin, like 0.5"
)

// unit is what a parsed number counts.
type unit int

const (
	unitBTC unit = iota
	unitSat
)

// mode says which of the two entry points is parsing.
type mode struct {
	unit    unit
	unitsOK bool   // false for ParseBTC: a unit is an error of its own
	hint    string // how to write a valid amount
}

// Parse reads an amount as a person types it:
//
//	0.5, 0.5btc, 0.5 BTC          bitcoin
//	50000sat, 50000sats, 50000 sat  satoshis
//
// Units are case-insensitive and may be separated from the number by spaces;
// surrounding white space is ignored. A bitcoin amount may have at most 8
// decimal places and a satoshi amount must be a whole number. The amount must
// be more than zero and at most 21,000,000 BTC.
//
// Every rejected input returns an *Error with a one-line message naming it.
func Parse(s string) (btcutil.Amount, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, &Error{Code: ErrEmpty, Input: s,
			Description: "amount is empty: " + hintUnits}
	}

	num, m := in, mode{unit: unitBTC, unitsOK: true, hint: hintUnits}
	for _, u := range []struct {
		name string
		unit unit
	}{{"btc", unitBTC}, {"sats", unitSat}, {"sat", unitSat}} {
		if !hasSuffixFold(in, u.name) {
			continue
		}
		rest := in[:len(in)-len(u.name)]
		// "5mbtc" and "5msat" are other units, not btc or sat.
		if rest != "" && isLetter(rest[len(rest)-1]) {
			break
		}
		num, m.unit = strings.TrimRight(rest, " \t"), u.unit
		break
	}
	if num == "" {
		return 0, newError(ErrNotNumber, in,
			"amount %s has no number before the unit: "+m.hint)
	}
	return parseNumber(in, num, m)
}

// ParseBTC reads a plain decimal bitcoin amount, with no unit and no white
// space, as used by the amount parameter of a BIP21 URI ("20.3", "50",
// ".5"). The same rules as in Parse apply: at most 8 decimal places, more than
// zero, at most 21,000,000 BTC, no exponents, commas or signs.
func ParseBTC(s string) (btcutil.Amount, error) {
	if s == "" {
		return 0, &Error{Code: ErrEmpty, Input: s,
			Description: "amount is empty: " + hintPlain}
	}
	return parseNumber(s, s, mode{unit: unitBTC, hint: hintPlain})
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// hasSuffixFold reports whether s ends in suffix, ignoring ASCII case.
// suffix must be lower-case ASCII.
func hasSuffixFold(s, suffix string) bool {
	if len(s) < len(suffix) {
		return false
	}
	tail := s[len(s)-len(suffix):]
	for i := 0; i < len(tail); i++ {
		c := tail[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
	}
	return true
}

// parseNumber converts num, a number without its unit, into an amount. in is
// the whole input, which error messages name.
func parseNumber(in, num string, m mode) (btcutil.Amount, error) {
	u := m.unit
	neg := false
	mag := num
	if strings.HasPrefix(mag, "-") {
		neg, mag = true, mag[1:]
	}
	if err := checkSyntax(in, mag, m); err != nil {
		return 0, err
	}

	whole, frac, hasPoint := strings.Cut(mag, ".")
	whole = strings.TrimLeft(whole, "0")

	if u == unitSat && hasPoint {
		return 0, newError(ErrFractionalSat, in,
			"amount %s is not a whole number of satoshis: a satoshi cannot be split")
	}
	if strings.Trim(whole+frac, "0") == "" {
		return 0, newError(ErrZero, in,
			"amount %s is zero: enter an amount of at least 1 sat (0.00000001 BTC)")
	}
	if neg {
		return 0, newError(ErrNegative, in,
			"amount %s is negative: enter an amount of more than zero")
	}
	if len(frac) > Decimals {
		if whole == "" && strings.Trim(frac[:Decimals], "0") == "" {
			return 0, newError(ErrTooPrecise, in,
				"amount %s is smaller than one satoshi (0.00000001 BTC)")
		}
		return 0, newError(ErrTooPrecise, in,
			"amount %s has more than 8 decimal places: one satoshi is 0.00000001 BTC")
	}

	// Both parts are now digits only and whole has no leading zeros, so
	// its length bounds its value before any arithmetic can overflow.
	maxWholeDigits := len("21000000")
	if u == unitSat {
		maxWholeDigits = len("2100000000000000")
	}
	if len(whole) > maxWholeDigits {
		return 0, tooLarge(in)
	}
	w, err := parseDigits(whole)
	if err != nil {
		return 0, tooLarge(in)
	}
	sats := w
	if u == unitBTC {
		f, _ := parseDigits(frac + strings.Repeat("0", Decimals-len(frac)))
		sats = w*btcutil.SatoshiPerBitcoin + f
	}
	if sats > btcutil.MaxSatoshi {
		return 0, tooLarge(in)
	}
	return btcutil.Amount(sats), nil
}

// parseDigits parses a run of ASCII digits, empty meaning zero.
func parseDigits(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

func tooLarge(in string) error {
	return newError(ErrTooLarge, in,
		"amount %s is more than the 21,000,000 BTC that will ever exist")
}

// checkSyntax accepts mag when it is digits with at most one decimal point
// and at least one digit, and otherwise explains what it looks like instead.
func checkSyntax(in, mag string, m mode) error {
	if mag == "" {
		return newError(ErrNotNumber, in, "amount %s is not a number: "+m.hint)
	}
	lower := strings.ToLower(mag)
	if strings.HasPrefix(lower, "0x") {
		return newError(ErrHex, in,
			"amount %s is hexadecimal: write it as a decimal number")
	}
	if strings.Contains(mag, ",") && isNumberish(mag, ",") {
		return newError(ErrComma, in,
			"amount %s contains a comma: use a period for decimals (1.5) and no thousands separators")
	}
	if isNumberish(mag, "") {
		if strings.Count(mag, ".") > 1 {
			return newError(ErrDecimalPoints, in,
				"amount %s has more than one decimal point")
		}
		if strings.Trim(mag, ".") == "" {
			return newError(ErrNotNumber, in, "amount %s is not a number: "+m.hint)
		}
		return nil
	}
	if isExponent(lower) {
		return newError(ErrExponent, in,
			"amount %s uses exponent notation: write the number out in full, like 1000 or 0.001")
	}
	if u, ok := trailingUnit(lower); ok {
		if !m.unitsOK {
			return newError(ErrUnitNotAllowed, in,
				"amount %s has a unit: write it in bitcoin without one, like 0.5")
		}
		return newError(ErrUnknownUnit, in,
			"amount %s has an unknown unit %q: use btc or sat", u)
	}
	return newError(ErrNotNumber, in, "amount %s is not a number: "+m.hint)
}

// isNumberish reports whether s holds only digits, periods and the extra
// characters, with at least one digit.
func isNumberish(s, extra string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c == '.' || strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return digit
}

// isExponent reports whether s looks like a number in exponent notation
// ("1e3", "2.5e-4"); s is lower case.
func isExponent(s string) bool {
	mant, exp, ok := strings.Cut(s, "e")
	if !ok || !isNumberish(mant, "") {
		return false
	}
	exp = strings.TrimLeft(exp, "+-")
	return exp != "" && strings.Trim(exp, "0123456789") == ""
}

// trailingUnit reports whether s is a number followed by a word, as in
// "5mbtc" or "5 bits", and returns the word.
func trailingUnit(s string) (string, bool) {
	i := strings.IndexFunc(s, func(r rune) bool {
		return (r < '0' || r > '9') && r != '.'
	})
	if i <= 0 || !isNumberish(s[:i], "") {
		return "", false
	}
	word := strings.TrimLeft(s[i:], " \t")
	if word == "" {
		return "", false
	}
	for _, r := range word {
		if r < 'a' || r > 'z' {
			return "", false
		}
	}
	return word, true
}

// FormatBTC writes a in bitcoin with all 8 decimal places and the unit, like
// "0.00050000 BTC" or "-1.50000000 BTC", for showing balances and amounts to
// a person.
func FormatBTC(a btcutil.Amount) string {
	sign, whole, frac := split(a)
	return sign + strconv.FormatUint(whole, 10) + "." + pad8(frac) + " BTC"
}

// FormatDecimal writes a in bitcoin without a unit and without trailing
// zeros, like "0.001", "20.3" or "50": the form BIP21 URIs use and ParseBTC
// reads back.
func FormatDecimal(a btcutil.Amount) string {
	sign, whole, frac := split(a)
	s := sign + strconv.FormatUint(whole, 10)
	if frac != 0 {
		s += "." + strings.TrimRight(pad8(frac), "0")
	}
	return s
}

// FormatSat writes a in satoshis with thousands separators and the unit, like
// "50,000 sat" or "-1,234 sat".
func FormatSat(a btcutil.Amount) string {
	sign, n := "", uint64(a)
	if a < 0 {
		sign, n = "-", uint64(-(a+1))+1 // safe for math.MinInt64
	}
	digits := strconv.FormatUint(n, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString(" sat")
	return b.String()
}

// split breaks a into a sign and its whole and fractional bitcoin parts,
// without overflow even for the most negative int64.
func split(a btcutil.Amount) (sign string, whole, frac uint64) {
	n := uint64(a)
	if a < 0 {
		sign, n = "-", uint64(-(a+1))+1
	}
	return sign, n / btcutil.SatoshiPerBitcoin, n % btcutil.SatoshiPerBitcoin
}

// pad8 writes frac as exactly 8 digits.
func pad8(frac uint64) string {
	s := strconv.FormatUint(frac, 10)
	return strings.Repeat("0", Decimals-len(s)) + s
}
