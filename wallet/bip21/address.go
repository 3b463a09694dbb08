package bip21

import (
	"errors"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/address/v2/bech32"
	"github.com/btcsuite/btcd/chaincfg/v2"
)

// knownNets are the networks checked to explain an address that does not
// belong to the wallet's network. Several share encodings: the bech32 prefix
// "tb" is used by testnet3, testnet4 and signet, and the base58 prefixes of
// all test networks, regtest included, are the same.
var knownNets = []*chaincfg.Params{
	&chaincfg.MainNetParams,
	&chaincfg.TestNet3Params,
	&chaincfg.TestNet4Params,
	&chaincfg.SigNetParams,
	&chaincfg.RegressionNetParams,
}

// decodeAddress decodes s as a payment address for net, and explains in
// terms of the address why it cannot be used when it is not one.
func decodeAddress(s string, net *chaincfg.Params) (address.Address, error) {
	s = normalizeBech32(s)
	a, err := address.DecodeAddress(s, net)
	if err == nil {
		if _, ok := a.(*address.AddressPubKey); ok {
			return nil, newError(ErrInvalidAddress, nil,
				"%s is a public key, not an address: ask the payee for an address", quote(s))
		}
		if a.IsForNet(net) {
			return a, nil
		}
	}

	if nets := networksOf(s); len(nets) > 0 {
		return nil, newError(ErrWrongNetwork, nil,
			"address %s is a %s address, but the network is %s", quote(s), orList(nets), net.Name)
	}
	if err == nil {
		// Valid for some registered network we do not name (simnet).
		return nil, newError(ErrWrongNetwork, nil,
			"address %s is not a %s address", quote(s), net.Name)
	}

	var (
		ver      address.UnsupportedWitnessVerError
		checksum bech32.ErrInvalidChecksum
		mixed    bech32.ErrMixedCase
	)
	switch {
	case errors.Is(err, address.ErrChecksumMismatch), errors.As(err, &checksum):
		return nil, newError(ErrInvalidAddress, err,
			"address %s has a bad checksum: check it for typos", quote(s))
	case errors.As(err, &ver):
		return nil, newError(ErrInvalidAddress, err,
			"address %s is a segwit version %d address, which satchel cannot pay to yet", quote(s), int(ver))
	case errors.As(err, &mixed):
		return nil, newError(ErrInvalidAddress, err,
			"address %s mixes upper and lower case letters, which a bech32 address never does", quote(s))
	}
	return nil, newError(ErrInvalidAddress, err,
		"%s is not a valid bitcoin address", quote(s))
}

// networksOf returns the names of the known networks s is an address of.
func networksOf(s string) []string {
	var names []string
	for _, p := range knownNets {
		a, err := address.DecodeAddress(s, p)
		if err != nil || !a.IsForNet(p) {
			continue
		}
		if _, ok := a.(*address.AddressPubKey); ok {
			continue
		}
		names = append(names, p.Name)
	}
	return names
}

// orList joins names as "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// normalizeBech32 lower-cases an all-upper-case bech32 address. QR codes
// carry bech32 addresses in upper case because the alphanumeric mode makes
// the code smaller. The address decoder accepts them as they are, but
// normalizing first means that error messages show the address in the form
// String writes. Base58 addresses are case-sensitive and are returned
// unchanged.
func normalizeBech32(s string) string {
	if strings.ToUpper(s) != s {
		return s
	}
	lower := strings.ToLower(s)
	one := strings.LastIndexByte(lower, '1')
	if one < 1 || !chaincfg.IsBech32SegwitPrefix(lower[:one+1]) {
		return s
	}
	return lower
}
