package session_test

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/address/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/bip322"
)

// SignMessage signs with a receive and a change address after the
// password, or with the held keys; the signatures verify; a wrong
// password, a foreign address and a watch-only wallet are refused, each
// for its reason.
func TestSignMessage(t *testing.T) {
	s, err := session.Open(newWallet(t, false), "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recv, err := s.Wallet().Address(wallet.ReceiveBranch, 3)
	if err != nil {
		t.Fatal(err)
	}
	change, err := s.Wallet().Address(wallet.ChangeBranch, 1)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("I own this address")
	if _, err := s.SignMessage(recv.Address, msg, []byte("wrong")); !errors.Is(err, keystore.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	sig, err := s.SignMessage(recv.Address, msg, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := bip322.Verify(recv.Address, msg, sig); err != nil {
		t.Errorf("the signature does not verify: %v", err)
	}
	if s.Unlocked() {
		t.Error("signing with the password left the keys unlocked")
	}
	if err := s.Unlock(password); err != nil {
		t.Fatal(err)
	}
	sig2, err := s.SignMessage(change.Address, msg, nil)
	if err != nil {
		t.Fatalf("with the keys held: %v", err)
	}
	if err := bip322.Verify(change.Address, msg, sig2); err != nil {
		t.Errorf("the change address's signature does not verify: %v", err)
	}
	foreign, _ := address.NewAddressWitnessPubKeyHash(make([]byte, 20), net)
	if _, err := s.SignMessage(foreign, msg, nil); !errors.Is(err, wallet.ErrNotOurAddress) {
		t.Errorf("a foreign address: %v", err)
	}

	wo, err := session.Open(newWallet(t, true), "default", session.Config{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	defer wo.Close()
	if _, err := wo.SignMessage(recv.Address, msg, password); !errors.Is(err, session.ErrWatchOnly) {
		t.Errorf("watch-only: %v", err)
	}
}
