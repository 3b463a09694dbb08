package bip21

import (
	"encoding/json"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// Valid addresses of each kind, derived from fixed hashes.
const (
	mainP2PKH  = "16L5yRNPTuciSgXGHqYwn9N6NeoKqopAu"
	mainP2SH   = "31nM1WuowNDzocNxPPW9NQWJEtwWpjfcLj"
	mainP2WPKH = "bc1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5fcj4z3"
	mainP2WSH  = "bc1qgpq5ys6yg4rywjzfff95cn2wfag9z5jn2324v46ct9d9khzate0scfjalr"
	mainP2TR   = "bc1pgpq5ys6yg4rywjzfff95cn2wfag9z5jn2324v46ct9d9khzate0sj7j58l"
	testP2PKH  = "mfcHP2WMCVLsVZA8yrovmhMgxNFW9r98xw"
	testP2SH   = "2MsLZ5FqqYpjM1Q1W4X81zMVZTF9gdbhVwd"
	testP2WPKH = "tb1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5r7fxez"
	testP2TR   = "tb1pgpq5ys6yg4rywjzfff95cn2wfag9z5jn2324v46ct9d9khzate0s9kymas"
	regP2WPKH  = "bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt"
)

var (
	mainnet  = &chaincfg.MainNetParams
	testnet3 = &chaincfg.TestNet3Params
	testnet4 = &chaincfg.TestNet4Params
	signet   = &chaincfg.SigNetParams
	regtest  = &chaincfg.RegressionNetParams
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		net     *chaincfg.Params
		addr    string
		amount  btcutil.Amount
		label   string
		message string
		extra   map[string]string
		str     string // u.String()
	}{
		{name: "bare P2WPKH", in: mainP2WPKH, net: mainnet, addr: mainP2WPKH,
			str: "bitcoin:" + mainP2WPKH},
		{name: "bare P2PKH", in: mainP2PKH, net: mainnet, addr: mainP2PKH,
			str: "bitcoin:" + mainP2PKH},
		{name: "bare P2SH", in: mainP2SH, net: mainnet, addr: mainP2SH,
			str: "bitcoin:" + mainP2SH},
		{name: "bare P2WSH", in: mainP2WSH, net: mainnet, addr: mainP2WSH,
			str: "bitcoin:" + mainP2WSH},
		{name: "bare P2TR", in: mainP2TR, net: mainnet, addr: mainP2TR,
			str: "bitcoin:" + mainP2TR},
		{name: "bare upper-case bech32", in: strings.ToUpper(mainP2WPKH), net: mainnet, addr: mainP2WPKH,
			str: "bitcoin:" + mainP2WPKH},
		{name: "white space around", in: "  bitcoin:" + mainP2WPKH + "?amount=1\r\n", net: mainnet,
			addr: mainP2WPKH, amount: 100_000_000, str: "bitcoin:" + mainP2WPKH + "?amount=1"},
		{name: "QR code in upper case", in: "BITCOIN:" + strings.ToUpper(mainP2WPKH) + "?amount=0.001", net: mainnet,
			addr: mainP2WPKH, amount: 100_000, str: "bitcoin:" + mainP2WPKH + "?amount=0.001"},
		{name: "mixed-case scheme", in: "BitCoin:" + mainP2PKH + "?amount=.5", net: mainnet,
			addr: mainP2PKH, amount: 50_000_000, str: "bitcoin:" + mainP2PKH + "?amount=0.5"},
		{name: "amount with trailing zeros", in: "bitcoin:" + mainP2TR + "?amount=50.00", net: mainnet,
			addr: mainP2TR, amount: 5_000_000_000, str: "bitcoin:" + mainP2TR + "?amount=50"},
		{name: "smallest amount", in: "bitcoin:" + mainP2TR + "?amount=0.00000001", net: mainnet,
			addr: mainP2TR, amount: 1, str: "bitcoin:" + mainP2TR + "?amount=0.00000001"},
		{name: "percent-encoded UTF-8 label and message",
			in:  "bitcoin:" + mainP2WPKH + "?label=Caf%C3%A9%20%26%20Bar&message=Order%20%2342%3A%202%C3%97%20%E2%82%BF",
			net: mainnet, addr: mainP2WPKH, label: "Café & Bar", message: "Order #42: 2× ₿",
			str: "bitcoin:" + mainP2WPKH + "?label=Caf%C3%A9%20%26%20Bar&message=Order%20%2342%3A%202%C3%97%20%E2%82%BF"},
		{name: "raw UTF-8 and spaces from a sloppy QR code",
			in:  "bitcoin:" + mainP2WPKH + "?label=Café Bar",
			net: mainnet, addr: mainP2WPKH, label: "Café Bar",
			str: "bitcoin:" + mainP2WPKH + "?label=Caf%C3%A9%20Bar"},
		{name: "plus is a plus, not a space", in: "bitcoin:" + mainP2WPKH + "?message=1+1", net: mainnet,
			addr: mainP2WPKH, message: "1+1", str: "bitcoin:" + mainP2WPKH + "?message=1%2B1"},
		{name: "lightning and payjoin kept in Extra",
			in:  "bitcoin:" + mainP2WPKH + "?amount=0.00001&lightning=LNBC10U1P3PJ257&pj=https://example.com/pj%3Fv%3D1",
			net: mainnet, addr: mainP2WPKH, amount: 1000,
			extra: map[string]string{"lightning": "LNBC10U1P3PJ257", "pj": "https://example.com/pj?v=1"},
			str:   "bitcoin:" + mainP2WPKH + "?amount=0.00001&lightning=LNBC10U1P3PJ257&pj=https%3A%2F%2Fexample.com%2Fpj%3Fv%3D1"},
		{name: "parameter without a value", in: "bitcoin:" + mainP2WPKH + "?flag", net: mainnet,
			addr: mainP2WPKH, extra: map[string]string{"flag": ""}, str: "bitcoin:" + mainP2WPKH + "?flag="},
		{name: "parameter names are case-sensitive", in: "bitcoin:" + mainP2WPKH + "?Amount=5&amount=1", net: mainnet,
			addr: mainP2WPKH, amount: 100_000_000, extra: map[string]string{"Amount": "5"},
			str: "bitcoin:" + mainP2WPKH + "?amount=1&Amount=5"},
		{name: "empty parameters are skipped", in: "bitcoin:" + mainP2WPKH + "?&&amount=2&&label=x&", net: mainnet,
			addr: mainP2WPKH, amount: 200_000_000, label: "x", str: "bitcoin:" + mainP2WPKH + "?amount=2&label=x"},
		{name: "empty label is no label", in: "bitcoin:" + mainP2WPKH + "?label=", net: mainnet,
			addr: mainP2WPKH, str: "bitcoin:" + mainP2WPKH},
		{name: "question mark with no parameters", in: "bitcoin:" + mainP2WPKH + "?", net: mainnet,
			addr: mainP2WPKH, str: "bitcoin:" + mainP2WPKH},
		{name: "testnet3 bech32", in: "bitcoin:" + testP2WPKH, net: testnet3, addr: testP2WPKH,
			str: "bitcoin:" + testP2WPKH},
		{name: "testnet4 taproot", in: "bitcoin:" + testP2TR, net: testnet4, addr: testP2TR,
			str: "bitcoin:" + testP2TR},
		{name: "signet shares tb", in: "bitcoin:" + testP2WPKH + "?amount=0.1", net: signet, addr: testP2WPKH,
			amount: 10_000_000, str: "bitcoin:" + testP2WPKH + "?amount=0.1"},
		{name: "testnet base58", in: testP2PKH, net: testnet3, addr: testP2PKH, str: "bitcoin:" + testP2PKH},
		{name: "regtest bech32", in: "bitcoin:" + regP2WPKH, net: regtest, addr: regP2WPKH,
			str: "bitcoin:" + regP2WPKH},
		{name: "regtest shares base58 prefixes with testnet", in: testP2SH, net: regtest, addr: testP2SH,
			str: "bitcoin:" + testP2SH},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Parse(tt.in, tt.net)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := u.Address.EncodeAddress(); got != tt.addr {
				t.Errorf("address = %s, want %s", got, tt.addr)
			}
			if !u.Address.IsForNet(tt.net) {
				t.Errorf("address %s is not for %s", u.Address, tt.net.Name)
			}
			if u.Amount != tt.amount {
				t.Errorf("amount = %d sat, want %d sat", int64(u.Amount), int64(tt.amount))
			}
			if u.Label != tt.label {
				t.Errorf("label = %q, want %q", u.Label, tt.label)
			}
			if u.Message != tt.message {
				t.Errorf("message = %q, want %q", u.Message, tt.message)
			}
			if !maps.Equal(u.Extra, tt.extra) || (u.Extra == nil) != (tt.extra == nil) {
				t.Errorf("extra = %v, want %v", u.Extra, tt.extra)
			}
			if got := u.String(); got != tt.str {
				t.Errorf("String() =\n %s\nwant\n %s", got, tt.str)
			}
			checkRoundTrip(t, u, tt.net)
		})
	}
}

func TestParseRejects(t *testing.T) {
	long := "bitcoin:" + mainP2WPKH + "?label=" + strings.Repeat("x", 200) + "%zz"
	tests := []struct {
		name string
		in   string
		net  *chaincfg.Params
		code ErrorCode
		msg  string
	}{
		{"empty", "  ", mainnet, ErrNotBitcoinURI,
			`the payment request is empty: paste a bitcoin: URI or an address`},
		{"lightning invoice", "lightning:lnbc10u1p3pj257", mainnet, ErrNotBitcoinURI,
			`"lightning:lnbc10u1p3pj257" is not a bitcoin: payment request (it is a lightning: link)`},
		{"web link", "https://example.com/?amount=1", mainnet, ErrNotBitcoinURI,
			`"https://example.com/?amount=1" is not a bitcoin: payment request (it is a https: link)`},
		{"query without scheme", mainP2WPKH + "?amount=1", mainnet, ErrNotBitcoinURI,
			`"` + mainP2WPKH + `?amount=1" is neither a bitcoin: URI nor an address`},
		{"no address", "bitcoin:", mainnet, ErrNoAddress,
			`the payment request "bitcoin:" has no bitcoin address (a Lightning-only request cannot be paid on-chain)`},
		{"lightning only", "bitcoin:?lightning=lnbc1", mainnet, ErrNoAddress,
			`the payment request "bitcoin:?lightning=lnbc1" has no bitcoin address (a Lightning-only request cannot be paid on-chain)`},

		{"testnet bech32 on mainnet", "bitcoin:" + testP2WPKH, mainnet, ErrWrongNetwork,
			`address "` + testP2WPKH + `" is a testnet3, testnet4 or signet address, but the network is mainnet`},
		{"upper-case testnet bech32 on mainnet", strings.ToUpper(testP2WPKH), mainnet, ErrWrongNetwork,
			`address "` + testP2WPKH + `" is a testnet3, testnet4 or signet address, but the network is mainnet`},
		{"testnet base58 on mainnet", testP2PKH, mainnet, ErrWrongNetwork,
			`address "` + testP2PKH + `" is a testnet3, testnet4, signet or regtest address, but the network is mainnet`},
		{"mainnet bech32 on testnet3", "bitcoin:" + mainP2TR, testnet3, ErrWrongNetwork,
			`address "` + mainP2TR + `" is a mainnet address, but the network is testnet3`},
		{"mainnet base58 on signet", mainP2SH, signet, ErrWrongNetwork,
			`address "` + mainP2SH + `" is a mainnet address, but the network is signet`},
		{"regtest on signet", regP2WPKH, signet, ErrWrongNetwork,
			`address "` + regP2WPKH + `" is a regtest address, but the network is signet`},
		{"testnet bech32 on regtest", testP2WPKH, regtest, ErrWrongNetwork,
			`address "` + testP2WPKH + `" is a testnet3, testnet4 or signet address, but the network is regtest`},

		{"BIP21 example address", "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W", mainnet, ErrInvalidAddress,
			`address "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W" has a bad checksum: check it for typos`},
		{"bech32 typo", "bitcoin:bc1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5fcj4z4", mainnet, ErrInvalidAddress,
			`address "bc1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5fcj4z4" has a bad checksum: check it for typos`},
		{"mixed case bech32", "bc1QQYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5FCJ4Z3", mainnet, ErrInvalidAddress,
			`address "bc1QQYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5FCJ4Z3" mixes upper and lower case letters, which a bech32 address never does`},
		{"segwit v2", "bitcoin:bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", mainnet, ErrInvalidAddress,
			`address "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs" is a segwit version 2 address, which satchel cannot pay to yet`},
		{"garbage", "hello", mainnet, ErrInvalidAddress, `"hello" is not a valid bitcoin address`},
		{"other coin", "bitcoin:ltc1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5fcj4z3", mainnet, ErrInvalidAddress,
			`"ltc1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5fcj4z3" is not a valid bitcoin address`},
		{"public key", "0283409659355b6d1cc3c32decd5d561abaac86c37a353b52895a5e6c196d6f448", mainnet, ErrInvalidAddress,
			`"0283409659355b6d1cc3c32decd5d561abaac86c37a353b52895a5e6c196d6f448" is a public key, not an address: ask the payee for an address`},
		{"address with a slash", "bitcoin://" + mainP2WPKH, mainnet, ErrInvalidAddress,
			`"//` + mainP2WPKH + `" is not a valid bitcoin address`},

		{"amount with comma", "bitcoin:" + mainP2WPKH + "?amount=0,5", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "0,5" contains a comma: use a period for decimals (1.5) and no thousands separators`},
		{"amount with unit", "bitcoin:" + mainP2WPKH + "?amount=0.5btc", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "0.5btc" has a unit: write it in bitcoin without one, like 0.5`},
		{"amount in sat", "bitcoin:" + mainP2WPKH + "?amount=50000sat", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "50000sat" has a unit: write it in bitcoin without one, like 0.5`},
		{"amount with exponent", "bitcoin:" + mainP2WPKH + "?amount=1e-3", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "1e-3" uses exponent notation: write the number out in full, like 1000 or 0.001`},
		{"empty amount", "bitcoin:" + mainP2WPKH + "?amount=", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount is empty: write it in bitcoin, like 0.5`},
		{"zero amount", "bitcoin:" + mainP2WPKH + "?amount=0", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "0" is zero: enter an amount of at least 1 sat (0.00000001 BTC)`},
		{"negative amount", "bitcoin:" + mainP2WPKH + "?amount=-1", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "-1" is negative: enter an amount of more than zero`},
		{"amount too large", "bitcoin:" + mainP2WPKH + "?amount=21000000.1", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "21000000.1" is more than the 21,000,000 BTC that will ever exist`},
		{"amount below a satoshi", "bitcoin:" + mainP2WPKH + "?amount=0.000000001", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount "0.000000001" is smaller than one satoshi (0.00000001 BTC)`},
		{"amount with spaces", "bitcoin:" + mainP2WPKH + "?amount=%201", mainnet, ErrInvalidAmount,
			`the payment request's amount is invalid: amount " 1" is not a number: write it in bitcoin, like 0.5`},

		{"duplicate amount", "bitcoin:" + mainP2WPKH + "?amount=1&amount=2", mainnet, ErrDuplicateParam,
			`the payment request gives "amount" more than once, so it is unclear which value is meant`},
		{"duplicate amount, one escaped", "bitcoin:" + mainP2WPKH + "?amount=1&%61mount=2", mainnet, ErrDuplicateParam,
			`the payment request gives "amount" more than once, so it is unclear which value is meant`},
		{"duplicate label", "bitcoin:" + mainP2WPKH + "?label=a&label=a", mainnet, ErrDuplicateParam,
			`the payment request gives "label" more than once, so it is unclear which value is meant`},
		{"duplicate other", "bitcoin:" + mainP2WPKH + "?pj=a&pj=b", mainnet, ErrDuplicateParam,
			`the payment request gives "pj" more than once, so it is unclear which value is meant`},

		{"unknown required", "bitcoin:" + mainP2WPKH + "?amount=1&req-expires=1700000000", mainnet, ErrUnknownRequired,
			`the payment request requires "req-expires", which satchel does not support: ask the payee for a plain address and amount`},
		{"unknown required without value", "bitcoin:" + mainP2WPKH + "?req-x", mainnet, ErrUnknownRequired,
			`the payment request requires "req-x", which satchel does not support: ask the payee for a plain address and amount`},

		{"parameter without name", "bitcoin:" + mainP2WPKH + "?=5", mainnet, ErrInvalidParam,
			`the payment request has a parameter without a name: "=5"`},
		{"broken percent-escape", "bitcoin:" + mainP2WPKH + "?label=100%", mainnet, ErrInvalidParam,
			`parameter "label" in the payment request has a broken percent-escape: "100%"`},
		{"broken percent-escape in a name", "bitcoin:" + mainP2WPKH + "?a%zb=1", mainnet, ErrInvalidParam,
			`a parameter name in the payment request has a broken percent-escape: "a%zb"`},
		{"not UTF-8", "bitcoin:" + mainP2WPKH + "?message=%FF%FE", mainnet, ErrInvalidParam,
			`parameter "message" in the payment request is not UTF-8 text: "%FF%FE"`},
		{"line break", "bitcoin:" + mainP2WPKH + "?message=a%0Ab", mainnet, ErrInvalidParam,
			`parameter "message" in the payment request contains control characters such as line breaks: "a\nb"`},
		{"terminal escape", "bitcoin:" + mainP2WPKH + "?label=%1B%5B2J", mainnet, ErrInvalidParam,
			`parameter "label" in the payment request contains control characters such as line breaks: "\x1b[2J"`},
		{"long value is shortened", long, mainnet, ErrInvalidParam,
			`parameter "label" in the payment request has a broken percent-escape: "` + strings.Repeat("x", 100) + `"…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Parse(tt.in, tt.net)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error %v", tt.in, u, tt.code)
			}
			if !IsErrorCode(err, tt.code) {
				t.Errorf("Parse(%q) error %q has the wrong code, want %v", tt.in, err, tt.code)
			}
			if err.Error() != tt.msg {
				t.Errorf("Parse(%q) error:\n got %s\nwant %s", tt.in, err, tt.msg)
			}
		})
	}
}

// TestAmountErrorUnwraps checks that callers can tell amount failures apart
// by their amount.ErrorCode, through the bip21 error.
func TestAmountErrorUnwraps(t *testing.T) {
	_, err := Parse("bitcoin:"+mainP2WPKH+"?amount=1.2.3", mainnet)
	if !IsErrorCode(err, ErrInvalidAmount) || !amount.IsErrorCode(err, amount.ErrDecimalPoints) {
		t.Fatalf("error %v: want ErrInvalidAmount wrapping amount.ErrDecimalPoints", err)
	}
}

func TestParseWithoutNetwork(t *testing.T) {
	if _, err := Parse(mainP2WPKH, nil); err == nil {
		t.Fatal("Parse with a nil network succeeded")
	}
}

func TestString(t *testing.T) {
	addr, err := address.DecodeAddress(mainP2WPKH, mainnet)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		u    URI
		want string
	}{
		{"address only", URI{Address: addr}, "bitcoin:" + mainP2WPKH},
		{"all fields", URI{
			Address: addr,
			Amount:  123_456_789,
			Label:   "Rent & bills",
			Message: "50/50 split? yes=1 #ok 100% +more",
			Extra:   map[string]string{"z": "last", "pj": "https://x.example/p", "a b": "c&d"},
		}, "bitcoin:" + mainP2WPKH + "?amount=1.23456789&label=Rent%20%26%20bills" +
			"&message=50%2F50%20split%3F%20yes%3D1%20%23ok%20100%25%20%2Bmore" +
			"&a%20b=c%26d&pj=https%3A%2F%2Fx.example%2Fp&z=last"},
		{"extra cannot shadow known fields", URI{
			Address: addr,
			Label:   "real",
			Extra:   map[string]string{"label": "fake", "amount": "1000", "message": "m", "": "nameless", "ok": "1"},
		}, "bitcoin:" + mainP2WPKH + "?label=real&ok=1"},
		{"no address", URI{Amount: 1}, "bitcoin:?amount=0.00000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.String(); got != tt.want {
				t.Errorf("String() =\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

// TestRoundTrip builds requests the way the receive screen does and checks
// that a payer reading the text gets exactly the same request.
func TestRoundTrip(t *testing.T) {
	nets := map[string]*chaincfg.Params{
		mainP2PKH: mainnet, mainP2SH: mainnet, mainP2WPKH: mainnet, mainP2WSH: mainnet, mainP2TR: mainnet,
		testP2WPKH: testnet4, testP2TR: signet, testP2SH: testnet3, regP2WPKH: regtest,
	}
	texts := []string{"", "Alice", "Café & Bar", "a=b&c=d?e#f", "100% sure", "1+1", "日本語のメッセージ",
		"slash/and\\backslash", " leading and trailing ", "emoji 🚀", "quote \"x\" 'y'"}
	for s, net := range nets {
		a, err := address.DecodeAddress(s, net)
		if err != nil {
			t.Fatal(err)
		}
		for i, text := range texts {
			u := &URI{
				Address: a,
				Amount:  btcutil.Amount(i * 12_345_678),
				Label:   text,
				Message: texts[len(texts)-1-i],
			}
			if i%2 == 1 {
				u.Extra = map[string]string{"lightning": "lnbc1" + text, text + "x": text}
			}
			checkRoundTrip(t, u, net)
		}
	}
}

// checkRoundTrip asserts that Parse(u.String()) gives u back.
func checkRoundTrip(t *testing.T, u *URI, net *chaincfg.Params) {
	t.Helper()
	s := u.String()
	v, err := Parse(s, net)
	if err != nil {
		t.Fatalf("Parse(%q) of String(): %v", s, err)
	}
	if !sameURI(u, v) {
		t.Fatalf("round trip of %q: got %+v, want %+v", s, v, u)
	}
	if v.String() != s {
		t.Fatalf("String() is not stable: %q then %q", s, v.String())
	}
}

// sameURI compares two requests field by field, addresses by encoding and
// Extra treating nil and empty alike.
func sameURI(a, b *URI) bool {
	return a.Address.EncodeAddress() == b.Address.EncodeAddress() &&
		a.Amount == b.Amount && a.Label == b.Label && a.Message == b.Message &&
		maps.Equal(a.Extra, b.Extra)
}

// TestBIP21Examples runs the examples of the BIP21 text, stored verbatim in
// testdata.
func TestBIP21Examples(t *testing.T) {
	raw, err := os.ReadFile("testdata/bip21_examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		ExampleAddress    string `json:"example_address"`
		SubstituteAddress string `json:"substitute_address"`
		Examples          []struct {
			Description string            `json:"description"`
			URI         string            `json:"uri"`
			Valid       bool              `json:"valid"`
			Canonical   bool              `json:"canonical"`
			AmountSat   int64             `json:"amount_sat"`
			Label       string            `json:"label"`
			Message     string            `json:"message"`
			Extra       map[string]string `json:"extra"`
		} `json:"examples"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Examples) != 6 {
		t.Fatalf("testdata holds %d examples, want the 6 of BIP21", len(file.Examples))
	}
	for _, ex := range file.Examples {
		t.Run(ex.Description, func(t *testing.T) {
			// As written, the example address fails its checksum.
			if _, err := Parse(ex.URI, mainnet); !IsErrorCode(err, ErrInvalidAddress) {
				t.Errorf("Parse(%q) error %v, want ErrInvalidAddress for the example's bad address", ex.URI, err)
			}

			in := strings.Replace(ex.URI, file.ExampleAddress, file.SubstituteAddress, 1)
			u, err := Parse(in, mainnet)
			if !ex.Valid {
				if !IsErrorCode(err, ErrUnknownRequired) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrUnknownRequired", in, u, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			want := &URI{Address: u.Address, Amount: btcutil.Amount(ex.AmountSat),
				Label: ex.Label, Message: ex.Message, Extra: ex.Extra}
			if u.Address.EncodeAddress() != file.SubstituteAddress || !sameURI(u, want) {
				t.Fatalf("Parse(%q) = %+v, want %+v", in, u, want)
			}
			if ex.Canonical && u.String() != in {
				t.Errorf("String() = %q, want the example itself, %q", u.String(), in)
			}
			checkRoundTrip(t, u, mainnet)
		})
	}
}
