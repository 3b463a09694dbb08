package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/bip322"
)

// parseAddress reads an address of the chosen network.
func (a *app) parseAddress(s string) (address.Address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("give the address with --address ADDR")
	}
	addr, err := address.DecodeAddress(s, a.net)
	if err != nil || !addr.IsForNet(a.net) {
		return nil, fmt.Errorf("%q is not a %s address", s, networkName(a.net))
	}
	return addr, nil
}

func newMessageCommand(a *app) *cobra.Command {
	cmd := newGroupCommand("message", "Sign and verify messages with an address (BIP322)")
	cmd.Long = `Prove that you control an address by signing a message with its key, or
check such a proof. Segwit and taproot addresses use BIP322 simple
signatures; P2PKH addresses use the legacy "Bitcoin Signed Message"
format, which every wallet reads. Signatures are base64.`
	cmd.Example = `  satchel message sign --address bc1q... 'I own this address'
  satchel message verify --address bc1q... --signature AkcwRAIg... 'I own this address'`

	var signAddr string
	sign := &cobra.Command{
		Use:   "sign --address ADDR TEXT",
		Short: "Sign TEXT with the key of one of the wallet's addresses",
		Long: `Sign TEXT with the key of ADDR, an address of the --wallet wallet (any
receive or change address up to the gap limit), after the password, and
print the base64 signature. Works with --offline.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			addr, err := a.parseAddress(signAddr)
			if err != nil {
				return err
			}
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			st, err := w.Keystore()
			if errors.Is(err, wallet.ErrWatchOnly) {
				return errors.New("this is a watch-only wallet: sign the message on the machine that holds the keys")
			}
			if err != nil {
				return err
			}
			d, err := w.FindAddress(addr)
			if err != nil {
				return err
			}
			pw, err := a.password("Password for wallet "+a.flags.walletName+" to sign", false)
			if err != nil {
				return err
			}
			signer, err := st.Unlock(pw, a.net)
			if err != nil {
				return err
			}
			sig, err := bip322.Sign(addr, []byte(args[0]), signer, d.Path)
			signer.Close()
			if err != nil {
				return err
			}
			if a.flags.json {
				return a.printJSON(map[string]any{"address": addr.EncodeAddress(), "path": wallet.FormatPath(d.Path),
					"signature": sig})
			}
			a.printf("%s\n", sig)
			return nil
		},
	}
	sign.Flags().StringVar(&signAddr, "address", "", "The wallet's address whose key signs")

	var verifyAddr, signature string
	verify := &cobra.Command{
		Use:   "verify --address ADDR --signature SIG TEXT",
		Short: "Check a message signature (exit 0 valid, 1 invalid)",
		Long: `Check that SIG, a base64 signature (BIP322 simple or full, or the
legacy format), proves that the key of ADDR signed TEXT. It prints one
line saying whether it is valid and exits 0 when it is, 1 when not. It
needs no wallet and no network; --offline is fine.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			addr, err := a.parseAddress(verifyAddr)
			if err != nil {
				return err
			}
			if strings.TrimSpace(signature) == "" {
				return errors.New("give the signature with --signature SIG")
			}
			verr := bip322.Verify(addr, []byte(args[0]), strings.TrimSpace(signature))
			if verr != nil && !errors.Is(verr, bip322.ErrInvalid) {
				return verr
			}
			if a.flags.json {
				j := map[string]any{"address": addr.EncodeAddress(), "valid": verr == nil}
				if verr != nil {
					j["reason"] = verr.Error()
				}
				if err := a.printJSON(j); err != nil {
					return err
				}
			}
			if verr != nil {
				return fmt.Errorf("the signature is not valid for %s and this message: %s",
					addr.EncodeAddress(), strings.TrimPrefix(verr.Error(), bip322.ErrInvalid.Error()+": "))
			}
			if !a.flags.json {
				a.printf("Valid: %s signed this message.\n", addr.EncodeAddress())
			}
			return nil
		},
	}
	verify.Flags().StringVar(&verifyAddr, "address", "", "The address that signed")
	verify.Flags().StringVar(&signature, "signature", "", "The signature, base64")
	cmd.AddCommand(sign, verify)
	return cmd
}
