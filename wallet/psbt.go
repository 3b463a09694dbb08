package wallet

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// ErrIntegrity is returned by Unlock when the wallet file's public data (the
// master fingerprint, the account's extended public key) is not what its
// decrypted seed derives: someone edited the file, perhaps to show their
// own addresses as the wallet's.
var ErrIntegrity = errors.New("the wallet file's public keys do not match its seed")

// PSBTAccount describes the wallet's account to the PSBT signer and review
// (psbtx.WithAccounts): its fingerprint and path, its extended public key,
// and the script of each of its addresses. For a multisig wallet it
// describes the first cosigner; PSBTAccounts describes them all.
func (w *Wallet) PSBTAccount() psbtx.Account {
	return w.PSBTAccounts()[0]
}

// PSBTAccounts describes the wallet to the PSBT signer and review: its one
// account, or for a multisig wallet one account per cosigner, whose key
// origins the PSBT names and whose scripts are the multisig's.
func (w *Wallet) PSBTAccounts() []psbtx.Account {
	script := func(branch, index uint32) ([]byte, error) {
		d, err := w.Descriptor(branch).Derive(branch, index, w.net)
		if err != nil {
			return nil, err
		}
		return d.Script, nil
	}
	if m := w.receive.Multisig; m != nil {
		accts := make([]psbtx.Account, len(m.Keys))
		for i, k := range m.Keys {
			accts[i] = psbtx.Account{Fingerprint: k.Origin.Fingerprint,
				Path: append([]uint32(nil), k.Origin.Path...), Key: k.Key, Script: script}
		}
		return accts
	}
	return []psbtx.Account{{
		Fingerprint: w.account.fingerprint,
		Path:        append([]uint32(nil), w.account.path...),
		Key:         w.receive.Key,
		Script:      script,
	}}
}

// psbtOptions are the options that tell psbtx what the wallet knows: its
// account, and its records of previous transactions, which prove the
// amounts of its coins.
func (w *Wallet) psbtOptions() []psbtx.Option {
	return []psbtx.Option{
		psbtx.WithAccounts(w.PSBTAccounts()...),
		psbtx.WithPrevTxs(w.prevTx),
	}
}

// prevTx returns the wallet's record of transaction txid, or nil.
func (w *Wallet) prevTx(txid chainhash.Hash) *wire.MsgTx {
	var found *wire.MsgTx
	safeView(w.db, func(tx *bbolt.Tx) error {
		r, err := dbFetchTx(tx, txid)
		if err == nil && r != nil {
			found = r.Tx
		}
		return nil
	})
	return found
}

// ReviewPSBT says what p pays from this wallet's point of view: which
// inputs and outputs are its own (its addresses, or key origins that
// verifiably belong to its account), which amounts its records prove, and
// warnings about outputs that claim to be its change and are not.
func (w *Wallet) ReviewPSBT(p *psbt.Packet) (*psbtx.Review, error) {
	return psbtx.ReviewPacket(p, w.net, w.Owns, w.psbtOptions()...)
}

// SignOptions are the per-call settings of SignPSBT.
type SignOptions struct {
	// Limits replaces psbtx.DefaultFeeLimits when non-zero.
	Limits psbtx.FeeLimits

	// Force signs a fee the limits call absurd (never a negative one).
	Force bool
}

// SignPSBT signs the inputs of p that belong to this wallet with signer
// (from Unlock), under the rules of psbtx.Sign: only the account's own
// coins, with proven amounts (the wallet's records count as proof), and a
// fee within the limits unless forced.
func (w *Wallet) SignPSBT(p *psbt.Packet, signer *keystore.Signer,
	o SignOptions) (*psbtx.SignResult, error) {

	opts := w.psbtOptions()
	if o.Limits != (psbtx.FeeLimits{}) {
		opts = append(opts, psbtx.WithFeeLimits(o.Limits))
	}
	if o.Force {
		opts = append(opts, psbtx.AllowAbsurdFee())
	}
	return psbtx.Sign(p, signer, w.net, opts...)
}

// Unlock decrypts the wallet's keys with password and checks that the seed
// derives the public data stored in the clear: the master fingerprint and
// the account's extended public key. A mismatch is ErrIntegrity, and no
// signer is returned. The caller must Close the signer.
func (w *Wallet) Unlock(password []byte) (*keystore.Signer, error) {
	st, err := w.Keystore()
	if err != nil {
		return nil, err
	}
	signer, err := st.Unlock(password, w.net)
	if err != nil {
		return nil, err
	}
	if err := w.checkIntegrity(signer); err != nil {
		signer.Close()
		return nil, err
	}
	return signer, nil
}

// checkIntegrity compares the stored public data with what signer derives.
func (w *Wallet) checkIntegrity(signer *keystore.Signer) error {
	if signer.Fingerprint() != w.account.fingerprint {
		return fmt.Errorf("%w: the file names master fingerprint %08x, the "+
			"seed's is %08x; do not trust its addresses, and restore "+
			"the wallet from its recovery words", ErrIntegrity,
			w.account.fingerprint, signer.Fingerprint())
	}
	xpub, err := signer.AccountXPub(w.account.path)
	if err != nil {
		return err
	}
	if xpub.String() != w.account.xpub {
		return fmt.Errorf("%w: the account key stored for %s is not the "+
			"one the seed derives; do not trust its addresses, and "+
			"restore the wallet from its recovery words", ErrIntegrity,
			FormatPath(w.account.path))
	}
	return nil
}
