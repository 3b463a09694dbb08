package amount

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want btcutil.Amount
	}{
		{"0.5", 50_000_000},
		{"0.5btc", 50_000_000},
		{"0.5 BTC", 50_000_000},
		{"0.5BtC", 50_000_000},
		{"  0.5\tbtc \n", 50_000_000},
		{"1", 100_000_000},
		{"1.", 100_000_000},
		{".5", 50_000_000},
		{"007.5", 750_000_000},
		{"0.00000001", 1},
		{"0.00050000 BTC", 50_000},
		{"20.3", 2_030_000_000},
		{"21000000", btcutil.MaxSatoshi},
		{"21000000.00000000 btc", btcutil.MaxSatoshi},
		{"20999999.99999999", btcutil.MaxSatoshi - 1},
		{"50000sat", 50_000},
		{"50000sats", 50_000},
		{"50000 sat", 50_000},
		{"50000 SATS", 50_000},
		{"1sat", 1},
		{"0001sat", 1},
		{"2100000000000000sat", btcutil.MaxSatoshi},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q) = %d sat, want %d sat", tt.in, int64(got), int64(tt.want))
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in   string
		code ErrorCode
		msg  string
	}{
		{"", ErrEmpty, `amount is empty: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"   ", ErrEmpty, `amount is empty: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"0", ErrZero, `amount "0" is zero: enter an amount of at least 1 sat (0.00000001 BTC)`},
		{"0.00000000 btc", ErrZero, `amount "0.00000000 btc" is zero: enter an amount of at least 1 sat (0.00000001 BTC)`},
		{"0sat", ErrZero, `amount "0sat" is zero: enter an amount of at least 1 sat (0.00000001 BTC)`},
		{"-0", ErrZero, `amount "-0" is zero: enter an amount of at least 1 sat (0.00000001 BTC)`},
		{"-1", ErrNegative, `amount "-1" is negative: enter an amount of more than zero`},
		{"-0.5btc", ErrNegative, `amount "-0.5btc" is negative: enter an amount of more than zero`},
		{"-50000sat", ErrNegative, `amount "-50000sat" is negative: enter an amount of more than zero`},
		{"21000000.00000001", ErrTooLarge, `amount "21000000.00000001" is more than the 21,000,000 BTC that will ever exist`},
		{"22000000", ErrTooLarge, `amount "22000000" is more than the 21,000,000 BTC that will ever exist`},
		{"99999999999999999999999999", ErrTooLarge, `amount "99999999999999999999999999" is more than the 21,000,000 BTC that will ever exist`},
		{"2100000000000001sat", ErrTooLarge, `amount "2100000000000001sat" is more than the 21,000,000 BTC that will ever exist`},
		{"99999999999999999999sat", ErrTooLarge, `amount "99999999999999999999sat" is more than the 21,000,000 BTC that will ever exist`},
		{"1e3", ErrExponent, `amount "1e3" uses exponent notation: write the number out in full, like 1000 or 0.001`},
		{"2.5E-4 btc", ErrExponent, `amount "2.5E-4 btc" uses exponent notation: write the number out in full, like 1000 or 0.001`},
		{"0x10", ErrHex, `amount "0x10" is hexadecimal: write it as a decimal number`},
		{"0X10sat", ErrHex, `amount "0X10sat" is hexadecimal: write it as a decimal number`},
		{"1,5", ErrComma, `amount "1,5" contains a comma: use a period for decimals (1.5) and no thousands separators`},
		{"50,000sat", ErrComma, `amount "50,000sat" contains a comma: use a period for decimals (1.5) and no thousands separators`},
		{"1.2.3", ErrDecimalPoints, `amount "1.2.3" has more than one decimal point`},
		{"0.000000001", ErrTooPrecise, `amount "0.000000001" is smaller than one satoshi (0.00000001 BTC)`},
		{"1.123456789", ErrTooPrecise, `amount "1.123456789" has more than 8 decimal places: one satoshi is 0.00000001 BTC`},
		{"0.100000000", ErrTooPrecise, `amount "0.100000000" has more than 8 decimal places: one satoshi is 0.00000001 BTC`},
		{"1.5sat", ErrFractionalSat, `amount "1.5sat" is not a whole number of satoshis: a satoshi cannot be split`},
		{"100.0 sats", ErrFractionalSat, `amount "100.0 sats" is not a whole number of satoshis: a satoshi cannot be split`},
		{"abc", ErrNotNumber, `amount "abc" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"btc", ErrNotNumber, `amount "btc" has no number before the unit: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{" sat", ErrNotNumber, `amount "sat" has no number before the unit: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{".", ErrNotNumber, `amount "." is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"-", ErrNotNumber, `amount "-" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"+5", ErrNotNumber, `amount "+5" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"--5", ErrNotNumber, `amount "--5" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"1 000", ErrNotNumber, `amount "1 000" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"NaN", ErrNotNumber, `amount "NaN" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"Inf", ErrNotNumber, `amount "Inf" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"٥", ErrNotNumber, `amount "٥" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"0.5btcbtc", ErrUnknownUnit, `amount "0.5btcbtc" has an unknown unit "btcbtc": use btc or sat`},
		{"btc0.5", ErrNotNumber, `amount "btc0.5" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{"5 mbtc", ErrUnknownUnit, `amount "5 mbtc" has an unknown unit "mbtc": use btc or sat`},
		{"5msat", ErrUnknownUnit, `amount "5msat" has an unknown unit "msat": use btc or sat`},
		{"5 satsat", ErrUnknownUnit, `amount "5 satsat" has an unknown unit "satsat": use btc or sat`},
		{"5 bits", ErrUnknownUnit, `amount "5 bits" has an unknown unit "bits": use btc or sat`},
		{"5usd", ErrUnknownUnit, `amount "5usd" has an unknown unit "usd": use btc or sat`},
		{"5 satoshi", ErrUnknownUnit, `amount "5 satoshi" has an unknown unit "satoshi": use btc or sat`},
		{"0.5\nbtc", ErrNotNumber, `amount "0.5\nbtc" is not a number: enter bitcoin like 0.5 or 0.5btc, or satoshis like 50000sat`},
		{strings.Repeat("9", 100), ErrTooLarge, `amount "` + strings.Repeat("9", 64) + `"… is more than the 21,000,000 BTC that will ever exist`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %d sat, want error %v", tt.in, int64(got), tt.code)
			}
			if !IsErrorCode(err, tt.code) {
				t.Errorf("Parse(%q) error code: got %v, want %v", tt.in, err.(*Error).Code, tt.code)
			}
			if err.Error() != tt.msg {
				t.Errorf("Parse(%q) error:\n got %s\nwant %s", tt.in, err, tt.msg)
			}
		})
	}
}

func TestParseBTC(t *testing.T) {
	accepts := []struct {
		in   string
		want btcutil.Amount
	}{
		{"50", 50 * btcutil.SatoshiPerBitcoin},
		{"50.00", 50 * btcutil.SatoshiPerBitcoin},
		{"20.3", 2_030_000_000},
		{".5", 50_000_000},
		{"0.00000001", 1},
		{"21000000", btcutil.MaxSatoshi},
	}
	for _, tt := range accepts {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBTC(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseBTC(%q) = %d, %v; want %d", tt.in, int64(got), err, int64(tt.want))
			}
		})
	}

	rejects := []struct {
		in   string
		code ErrorCode
		msg  string
	}{
		{"", ErrEmpty, `amount is empty: write it in bitcoin, like 0.5`},
		{"0.5btc", ErrUnitNotAllowed, `amount "0.5btc" has a unit: write it in bitcoin without one, like 0.5`},
		{"50000sat", ErrUnitNotAllowed, `amount "50000sat" has a unit: write it in bitcoin without one, like 0.5`},
		{"5 mbtc", ErrUnitNotAllowed, `amount "5 mbtc" has a unit: write it in bitcoin without one, like 0.5`},
		{" 0.5", ErrNotNumber, `amount " 0.5" is not a number: write it in bitcoin, like 0.5`},
		{"50,000.00", ErrComma, `amount "50,000.00" contains a comma: use a period for decimals (1.5) and no thousands separators`},
		{"1e3", ErrExponent, `amount "1e3" uses exponent notation: write the number out in full, like 1000 or 0.001`},
		{"0", ErrZero, `amount "0" is zero: enter an amount of at least 1 sat (0.00000001 BTC)`},
		{"-1", ErrNegative, `amount "-1" is negative: enter an amount of more than zero`},
		{"0.000000001", ErrTooPrecise, `amount "0.000000001" is smaller than one satoshi (0.00000001 BTC)`},
		{"21000001", ErrTooLarge, `amount "21000001" is more than the 21,000,000 BTC that will ever exist`},
	}
	for _, tt := range rejects {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseBTC(tt.in)
			if !IsErrorCode(err, tt.code) {
				t.Fatalf("ParseBTC(%q) error %v, want code %v", tt.in, err, tt.code)
			}
			if err.Error() != tt.msg {
				t.Errorf("ParseBTC(%q) error:\n got %s\nwant %s", tt.in, err, tt.msg)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		a                 btcutil.Amount
		btc, sat, decimal string
	}{
		{0, "0.00000000 BTC", "0 sat", "0"},
		{1, "0.00000001 BTC", "1 sat", "0.00000001"},
		{999, "0.00000999 BTC", "999 sat", "0.00000999"},
		{1000, "0.00001000 BTC", "1,000 sat", "0.00001"},
		{50_000, "0.00050000 BTC", "50,000 sat", "0.0005"},
		{100_000, "0.00100000 BTC", "100,000 sat", "0.001"},
		{1_234_567, "0.01234567 BTC", "1,234,567 sat", "0.01234567"},
		{2_030_000_000, "20.30000000 BTC", "2,030,000,000 sat", "20.3"},
		{btcutil.MaxSatoshi, "21000000.00000000 BTC", "2,100,000,000,000,000 sat", "21000000"},
		{-50_000, "-0.00050000 BTC", "-50,000 sat", "-0.0005"},
		{-150_000_000, "-1.50000000 BTC", "-150,000,000 sat", "-1.5"},
		{math.MinInt64, "-92233720368.54775808 BTC", "-9,223,372,036,854,775,808 sat", "-92233720368.54775808"},
		{math.MaxInt64, "92233720368.54775807 BTC", "9,223,372,036,854,775,807 sat", "92233720368.54775807"},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(int64(tt.a), 10), func(t *testing.T) {
			if got := FormatBTC(tt.a); got != tt.btc {
				t.Errorf("FormatBTC = %q, want %q", got, tt.btc)
			}
			if got := FormatSat(tt.a); got != tt.sat {
				t.Errorf("FormatSat = %q, want %q", got, tt.sat)
			}
			if got := FormatDecimal(tt.a); got != tt.decimal {
				t.Errorf("FormatDecimal = %q, want %q", got, tt.decimal)
			}
		})
	}
}

// TestRoundTrip checks that what satchel prints, a user can paste back.
func TestRoundTrip(t *testing.T) {
	for _, a := range []btcutil.Amount{1, 7, 999, 1000, 50_000, 12_345_678, 100_000_000,
		123_456_789_012, btcutil.MaxSatoshi - 1, btcutil.MaxSatoshi} {
		for _, s := range []string{
			FormatBTC(a),
			FormatDecimal(a),
			strings.ReplaceAll(FormatSat(a), ",", ""),
			strconv.FormatInt(int64(a), 10) + "sats",
		} {
			got, err := Parse(s)
			if err != nil || got != a {
				t.Errorf("Parse(%q) = %d, %v; want %d", s, int64(got), err, int64(a))
			}
		}
		if got, err := ParseBTC(FormatDecimal(a)); err != nil || got != a {
			t.Errorf("ParseBTC(%q) = %d, %v; want %d", FormatDecimal(a), int64(got), err, int64(a))
		}
	}
}
