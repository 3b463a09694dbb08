package session

import (
	"fmt"

	"github.com/btcsuite/btcd/address/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/bip322"
)

// SignMessage signs msg with the key of addr, one of the wallet's receive
// or change addresses up to the gap limit, as `satchel message sign` does:
// a BIP322 simple signature for P2WPKH, P2SH-P2WPKH and P2TR, the legacy
// format for P2PKH; base64. It uses the held keys, or keys unlocked from
// password for this call only. An address the wallet does not hand out
// gives an error wrapping wallet.ErrNotOurAddress; a wallet without keys
// one wrapping ErrWatchOnly.
func (s *Session) SignMessage(addr address.Address, msg, password []byte) (string, error) {
	if s.w.WatchOnly() {
		return "", fmt.Errorf("%w: sign the message on the machine that holds the keys", ErrWatchOnly)
	}
	d, err := s.w.FindAddress(addr)
	if err != nil {
		return "", err
	}
	var sig string
	err = s.withSigner(password, func(signer *keystore.Signer) error {
		var err error
		sig, err = bip322.Sign(addr, msg, signer, d.Path)
		return err
	})
	if err != nil {
		return "", err
	}
	s.log.Info("message signed", "path", wallet.FormatPath(d.Path))
	return sig, nil
}
