package bip21

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"
)

// FuzzParseURI checks that Parse never panics, that every rejection is a
// typed one-line error, and that every accepted request survives String and
// Parse unchanged.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		mainP2WPKH,
		"bitcoin:" + mainP2WPKH + "?amount=0.001&label=Caf%C3%A9&message=hi%20there",
		"BITCOIN:" + strings.ToUpper(mainP2TR) + "?AMOUNT=1&amount=2",
		"bitcoin:" + mainP2PKH + "?req-x=1",
		"bitcoin:" + testP2WPKH + "?lightning=lnbc1&pj=https://a/b%3Fc",
		"bitcoin:?lightning=lnbc1",
		"bitcoin:" + regP2WPKH + "?=&&a&b=%zz",
		"bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=20.3&label=Luke-Jr",
	} {
		f.Add(s, uint8(0))
	}
	nets := []*chaincfg.Params{mainnet, testnet3, testnet4, signet, regtest}
	f.Fuzz(func(t *testing.T, s string, n uint8) {
		net := nets[int(n)%len(nets)]
		u, err := Parse(s, net)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q): untyped error %v", s, err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("Parse(%q): error is not one line: %q", s, err)
			}
			return
		}
		if u.Address == nil || !u.Address.IsForNet(net) {
			t.Fatalf("Parse(%q) accepted an address that is not for %s", s, net.Name)
		}
		checkRoundTrip(t, u, net)
	})
}
