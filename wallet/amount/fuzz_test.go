package amount

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
)

// FuzzParseAmount checks that Parse never panics, that what it accepts is a
// valid amount that formats and parses back to itself, and that every
// rejection is a typed error on one line.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0.5", "0.5 BTC", "50000sat", "1e3", "0x10", "1,5",
		"1.2.3", "0.000000001", "-1", "21000000.00000001", "", "5 mbtc", ".5", "1."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, parse := range map[string]func(string) (btcutil.Amount, error){
			"Parse": Parse, "ParseBTC": ParseBTC,
		} {
			a, err := parse(s)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%s(%q): untyped error %v", name, s, err)
				}
				if strings.ContainsAny(err.Error(), "\r\n") {
					t.Fatalf("%s(%q): error is not one line: %q", name, s, err)
				}
				continue
			}
			if a <= 0 || a > btcutil.MaxSatoshi {
				t.Fatalf("%s(%q) = %d: out of range", name, s, int64(a))
			}
			for _, out := range []string{FormatBTC(a), FormatDecimal(a), strconv.FormatInt(int64(a), 10) + "sat"} {
				if b, err := Parse(out); err != nil || b != a {
					t.Fatalf("%s(%q) = %d, but Parse(%q) = %d, %v", name, s, int64(a), out, int64(b), err)
				}
			}
		}
	})
}
