package wallet

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"

	"github.com/satchelbtc/satchel/keystore"
)

// testNet is the network of the wallets these tests make.
var testNet = &chaincfg.RegressionNetParams

// Mnemonics of the tests: "abandon ×11 about" and another valid one.
const (
	abandonMnemonic = "abandon abandon abandon abandon abandon abandon " +
		"abandon abandon abandon abandon abandon about"
	otherMnemonic = "legal winner thank year wave sausage worth useful " +
		"legal winner thank yellow"
)

// newSeedWallet creates a wallet of mnemonic in a temporary folder, with
// password "pw" and fast KDF parameters, and returns its path.
func newSeedWallet(t *testing.T, mnemonic string, st ScriptType) string {
	t.Helper()
	sec, err := keystore.NewSecret(mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	defer sec.Zero()
	path := filepath.Join(t.TempDir(), "w.db")
	w, err := Create(path, testNet, &CreateConfig{
		Secret: sec, Password: []byte("pw"), ScriptType: st,
		KeystoreOptions: []keystore.Option{keystore.WithKDFParams(
			keystore.KDFParams{Memory: 64, Time: 1, Threads: 1})},
		BirthdayHeight: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUnlockChecksIntegrity checks that unlocking compares the public data
// stored in the clear with what the seed derives: a file edited to show
// another wallet's account key, or another fingerprint, is refused loudly.
func TestUnlockChecksIntegrity(t *testing.T) {
	otherPath := newSeedWallet(t, otherMnemonic, P2WPKH)
	other, err := Open(otherPath, testNet)
	if err != nil {
		t.Fatal(err)
	}
	otherXPub, otherFP := other.account.xpub, other.account.fingerprint
	other.Close()

	tests := []struct {
		name   string
		tamper func(a *accountRecord)
	}{
		{"another account key", func(a *accountRecord) { a.xpub = otherXPub }},
		{"another fingerprint", func(a *accountRecord) { a.fingerprint = otherFP }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := newSeedWallet(t, abandonMnemonic, P2WPKH)
			w, err := Open(path, testNet)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			// The untouched wallet unlocks.
			s, err := w.Unlock([]byte("pw"))
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if _, err := w.Unlock([]byte("wrong")); !errors.Is(err, keystore.ErrWrongPassword) {
				t.Fatalf("wrong password: %v", err)
			}

			err = w.db.Update(func(tx *bbolt.Tx) error {
				a, err := dbFetchAccount(tx, 0)
				if err != nil {
					return err
				}
				tc.tamper(a)
				return dbPutAccount(tx, 0, a)
			})
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
			w, err = Open(path, testNet)
			if err != nil {
				t.Fatal(err)
			}
			s, err = w.Unlock([]byte("pw"))
			if !errors.Is(err, ErrIntegrity) || s != nil {
				t.Fatalf("Unlock of an edited file: %v", err)
			}
		})
	}
}

// TestRelayedPaymentKeepsIndices checks that a relayed unconfirmed payment
// to a far address does not move the address index (a peer could push it
// past the gap a restore looks at), while a payment the wallet sent itself
// hands out the addresses it pays.
func TestRelayedPaymentKeepsIndices(t *testing.T) {
	w, err := Open(newSeedWallet(t, abandonMnemonic, P2WPKH), testNet)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	far, err := w.Address(ReceiveBranch, 15)
	if err != nil {
		t.Fatal(err)
	}
	pay := func(seed byte) *wire.MsgTx {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{seed}, 0), nil, nil))
		tx.AddTxOut(wire.NewTxOut(50000, far.Script))
		return tx
	}
	next := func() uint32 {
		info, err := w.Info()
		if err != nil {
			t.Fatal(err)
		}
		return info.NextReceive
	}
	if err := w.AddUnconfirmed(pay(1)); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != 0 {
		t.Fatalf("a relayed payment moved the receive index to %d", n)
	}
	b, _ := w.Balance()
	if b.Unconfirmed != 50000 {
		t.Fatalf("the relayed payment is not shown: %+v", b)
	}
	if err := w.RecordSent(pay(2)); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != 16 {
		t.Fatalf("after a payment of ours to index 15 the receive index is %d, want 16", n)
	}
}
