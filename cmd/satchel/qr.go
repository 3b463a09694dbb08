package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/tui/animqr"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/airgap"
	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/psbtx"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// defaultURFragment is the fragment length of printed UR parts: about 480
// characters a part, a QR code of version 11 or 12 that phones and
// signing devices read easily.
const defaultURFragment = 200

// readRawPSBT reads a PSBT file (binary or base64) or "-" for stdin, checks
// that it parses, and returns its binary form as it was written.
func (a *app) readRawPSBT(path string) ([]byte, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(a.stdin, 16<<20))
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the PSBT: %w", unwrapPathError(err))
	}
	if _, err := psbtx.Parse(data); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte("psbt\xff")) {
		return data, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("cannot read the PSBT: %w", err)
	}
	return raw, nil
}

// writeRawPSBT writes a binary PSBT to path (binary for *.psbt, else
// base64), or base64 to stdout for "" or "-".
func (a *app) writeRawPSBT(raw []byte, path string) error {
	b64 := base64.StdEncoding.EncodeToString(raw)
	if path == "" || path == "-" {
		a.printf("%s\n", b64)
		return nil
	}
	data := []byte(b64 + "\n")
	if strings.HasSuffix(strings.ToLower(path), ".psbt") {
		data = raw
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("cannot write the PSBT: %w", unwrapPathError(err))
	}
	return nil
}

// showQR runs the animated QR code on the terminal until the user quits.
func (a *app) showQR(cmd *cobra.Command, title string, src animqr.NewSource) error {
	if a.term == nil {
		return errors.New("--qr needs a terminal; without it the parts are printed, one a line")
	}
	m := animqr.New(title, src)
	if _, err := src(animqr.DefaultDensities[0].Version); err != nil {
		return err
	}
	_, err := tea.NewProgram(animqr.Program(m), tea.WithContext(cmd.Context()),
		tea.WithInput(a.stdin), tea.WithOutput(a.stdout)).Run()
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

func newPSBTExportCommand(a *app) *cobra.Command {
	var (
		asUR, asBBQr, showQR bool
		fragment             int
	)
	cmd := &cobra.Command{
		Use:   "export FILE|-",
		Short: "Print a PSBT as QR parts (UR or BBQr) for a signing device",
		Long: `Print a PSBT as the text of QR codes, one part a line, for signing
devices and wallets that read animated QR codes: --ur writes
ur:crypto-psbt parts (Keystone, Passport, SeedSigner, Jade, Sparrow),
--bbqr writes B$ parts (Coldcard). A PSBT that fits one part is one line.

With --qr the parts are shown as an animated QR code in the terminal
instead: + and - change the speed, d switches between a sparser code that
fits 80×24 and a denser one, q quits. --fragment N sets the bytes each
part carries (UR: the fragment length; BBQr: the data of a part).`,
		Example: "  satchel psbt export tx.psbt --ur\n  satchel psbt export tx.psbt --bbqr --qr",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asUR == asBBQr {
				return errors.New("choose the format: --ur or --bbqr")
			}
			if cmd.Flags().Changed("fragment") && fragment < ur.DefaultMinFragmentLen {
				return fmt.Errorf("--fragment must be at least %d bytes", ur.DefaultMinFragmentLen)
			}
			raw, err := a.readRawPSBT(args[0])
			if err != nil {
				return err
			}
			if showQR {
				if asUR {
					return a.showQR(cmd, "PSBT · UR", animqr.URSource(ur.NewPSBT(raw)))
				}
				return a.showQR(cmd, "PSBT · BBQr", animqr.BBQrSource(raw, bbqr.PSBT))
			}
			var parts []string
			format := "ur"
			if asUR {
				e, err := ur.NewEncoder(ur.NewPSBT(raw), fragment)
				if err != nil {
					return err
				}
				parts = e.Parts()
			} else {
				format = "bbqr"
				var opts []bbqr.Option
				if cmd.Flags().Changed("fragment") {
					opts = append(opts, bbqr.WithPartBytes(fragment))
				}
				s, err := bbqr.Split(raw, bbqr.PSBT, opts...)
				if err != nil {
					return err
				}
				parts = s.Parts
			}
			if a.flags.json {
				return a.printJSON(map[string]any{"format": format, "parts": parts})
			}
			for _, p := range parts {
				a.printf("%s\n", p)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asUR, "ur", false, "Write ur:crypto-psbt parts (BC-UR)")
	cmd.Flags().BoolVar(&asBBQr, "bbqr", false, "Write BBQr parts (B$...)")
	cmd.Flags().BoolVar(&showQR, "qr", false, "Show the parts as an animated QR code in the terminal")
	cmd.Flags().IntVar(&fragment, "fragment", defaultURFragment, "Bytes of the PSBT each part carries")
	return cmd
}

// readParts reads UR or BBQr parts from in until the series is complete,
// reporting progress on stderr after each new part unless quiet.
func (a *app) readParts(in io.Reader, quiet bool) (*airgap.Joiner, error) {
	var onNew func(string)
	if !a.flags.json && !quiet {
		onNew = func(progress string) { fmt.Fprintf(a.stderr, "%s\n", progress) }
	}
	return airgap.ReadParts(in, onNew)
}

func (a *app) openParts(path string) (io.Reader, func(), error) {
	if path == "-" {
		return a.stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the parts: %w", unwrapPathError(err))
	}
	return f, func() { f.Close() }, nil
}

func newPSBTImportCommand(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Read a PSBT from UR or BBQr parts (from a scanner or a file)",
		Long: `Read the parts of a PSBT written as QR codes, one part a line: BC-UR
(ur:crypto-psbt or ur:psbt, multi-part fountain codes included) or BBQr
(B$...). The parts may come in any order and more than once; the progress
("12 of ~20 parts") is shown on stderr as they arrive, so a phone or a USB
scanner that types can feed stdin (-) directly. The PSBT is written to
--out FILE or as base64 on stdout.`,
		Example: "  satchel psbt import parts.txt --out signed.psbt\n  satchel psbt import - --out tx.psbt   # scan the codes",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			in, done, err := a.openParts(args[0])
			if err != nil {
				return err
			}
			defer done()
			r, err := a.readParts(in, false)
			if err != nil {
				return err
			}
			raw, err := r.PSBT()
			if err != nil {
				return err
			}
			if a.flags.json {
				if out != "" {
					if err := a.writeRawPSBT(raw, out); err != nil {
						return err
					}
					return a.printJSON(map[string]any{"psbt": out})
				}
				return a.printJSON(map[string]any{"psbt_base64": base64.StdEncoding.EncodeToString(raw)})
			}
			if err := a.writeRawPSBT(raw, out); err != nil {
				return err
			}
			if out != "" {
				fmt.Fprintf(a.stderr, "Wrote %s.\n", out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "Write the PSBT to FILE "+psbtOutUsage)
	return cmd
}

func newWalletExportCommand(a *app) *cobra.Command {
	var (
		asUR, showQR, bip48 bool
		urType              string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Print the account for a signing device or coordinator (--ur)",
		Long: `Print the wallet's account key, with its master fingerprint and
derivation path, as ur:crypto-account (BCR-2020-015), so that a
coordinator such as Sparrow, or a signing device, can import it; or as
ur:crypto-output with --ur-type crypto-output. It holds only public keys
and needs no password.

--bip48 adds this seed's multisig cosigner keys to the crypto-account,
as signing devices export them for a multisig setup: wsh(KEY) of
m/48h/COIN'/0h/2h and sh(wsh(KEY)) of m/48h/COIN'/0h/1h, the keys
'satchel wallet xpub --bip48 [--script-type p2sh-p2wsh]' prints. A
coordinator (Sparrow, for one) takes the one of its script type. Deriving them needs the
password, asked for as 'wallet xpub --bip48' asks. 'satchel wallet import
--ur' of such an account imports the single-key account and leaves the
cosigner keys.

A multisig wallet is printed as ur:crypto-output (BCR-2020-010: wsh or
sh(wsh) of multi or sortedmulti, each cosigner's key with its origin and
<0;1>/*), which coordinators and signing devices import as the wallet.
--qr shows the UR as a QR code in the terminal (animated when it takes
several parts).`,
		Example: "  satchel wallet export --ur\n  satchel wallet export --ur --bip48\n  satchel wallet export --ur --qr",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !asUR {
				return errors.New("choose the format: --ur")
			}
			if urType != ur.TypeCryptoAccount && urType != ur.TypeCryptoOutput {
				return fmt.Errorf("--ur-type is %s or %s, not %q", ur.TypeCryptoAccount, ur.TypeCryptoOutput, urType)
			}
			if bip48 && urType != ur.TypeCryptoAccount {
				return errors.New("--bip48 adds the cosigner keys to a ur:crypto-account; a crypto-output holds one key: leave out --ur-type")
			}
			w, err := a.openWallet(wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer w.Close()
			d := w.Descriptor(wallet.ReceiveBranch)
			if d.Multisig != nil {
				if bip48 {
					return errors.New("this is a multisig wallet: it has no seed of its own; run 'satchel wallet export --ur --bip48' on each cosigner's seed wallet")
				}
				if cmd.Flags().Changed("ur-type") && urType != ur.TypeCryptoOutput {
					return errors.New("a multisig wallet is exported as ur:crypto-output: a crypto-account holds one master key's accounts")
				}
				urType = ur.TypeCryptoOutput
				// Both chains: the <0;1> descriptor, however it was imported.
				both := *d
				both.Branches = []uint32{wallet.ReceiveBranch, wallet.ChangeBranch}
				d = &both
			}
			if bip48 && w.WatchOnly() {
				return errors.New("this is a watch-only wallet: cosigner keys (--bip48) come from a wallet with recovery words; leave out --bip48 to export its account")
			}
			o, err := d.UROutput(a.net, urType == ur.TypeCryptoOutput)
			if err != nil {
				return err
			}
			u := o.UR()
			var cosigners []map[string]string
			if urType == ur.TypeCryptoAccount {
				acct := &ur.Account{MasterFingerprint: w.Fingerprint(), Outputs: []ur.Output{*o}}
				if bip48 {
					outs, err := a.cosignerOutputs(w)
					if err != nil {
						return err
					}
					acct.Outputs = append(acct.Outputs, outs...)
					for i := range outs {
						st, _ := wallet.CosignerTypeOfUR(&outs[i])
						key, err := wallet.CosignerKeyFromUR(&outs[i], acct.MasterFingerprint, a.net)
						if err != nil {
							return err
						}
						cosigners = append(cosigners, map[string]string{"script_type": st.String(), "key": key})
					}
				}
				u = acct.UR()
			}
			if showQR {
				return a.showQR(cmd, "Account · "+u.Type, animqr.URSource(u))
			}
			if a.flags.json {
				j := map[string]any{"ur": u.String(), "descriptor": d.String()}
				if bip48 {
					j["cosigners"] = cosigners
				}
				return a.printJSON(j)
			}
			a.printf("%s\n", u.String())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asUR, "ur", false, "Write the account as a UR")
	cmd.Flags().StringVar(&urType, "ur-type", ur.TypeCryptoAccount, "UR type: crypto-account or crypto-output")
	cmd.Flags().BoolVar(&bip48, "bip48", false, "Add the BIP48 multisig cosigner keys, p2wsh and p2sh-p2wsh (needs the password)")
	cmd.Flags().BoolVar(&showQR, "qr", false, "Show it as a QR code in the terminal")
	_ = cmd.RegisterFlagCompletionFunc("ur-type", completeValues(ur.TypeCryptoAccount, ur.TypeCryptoOutput))
	return cmd
}

// cosignerOutputs unlocks a seed wallet with the password, as `wallet xpub
// --bip48` does, and derives its BIP48 cosigner keys of account 0 as
// crypto-account outputs.
func (a *app) cosignerOutputs(w *wallet.Wallet) ([]ur.Output, error) {
	pw, err := a.password("Password for wallet "+a.flags.walletName, false)
	if err != nil {
		return nil, err
	}
	signer, err := w.Unlock(pw)
	if err != nil {
		return nil, err
	}
	defer signer.Close()
	return wallet.CosignerOutputs(signer, a.net, 0)
}

// withURImport adds --ur to `wallet import`: the account of a
// ur:crypto-account or ur:crypto-output (text, or a file of parts, or -)
// becomes the --descriptor the command imports.
func withURImport(a *app, cmd *cobra.Command) *cobra.Command {
	var urArg string
	cmd.Flags().StringVar(&urArg, "ur", "", "Import a ur:crypto-account or ur:crypto-output (the text, a FILE of parts, or -)")
	cmd.Long += `

--ur imports the account a signing device exports as ur:crypto-account
or ur:crypto-output: give the text itself, or a file of its parts (- for
stdin). An account with several script types imports --script-type
(default p2wpkh). A multisig ur:crypto-output (wsh or sh(wsh) of multi or
sortedmulti) imports as a watch-only multisig wallet.`
	cmd.Example += "\n  satchel --wallet keystone wallet import --ur 'ur:crypto-account/...'"
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if urArg == "" {
			return run(cmd, args)
		}
		f := cmd.Flags()
		if f.Changed("descriptor") || f.Changed("xpub") {
			return errors.New("give either --ur or --descriptor/--xpub, not both")
		}
		var want *wallet.ScriptType
		if f.Changed("script-type") {
			st, err := wallet.ParseScriptType(f.Lookup("script-type").Value.String())
			if err != nil {
				return err
			}
			want = &st
			f.Lookup("script-type").Changed = false
		}
		d, err := a.descriptorFromURArg(urArg, want)
		if err != nil {
			return err
		}
		if err := f.Set("descriptor", d.String()); err != nil {
			return err
		}
		return run(cmd, args)
	}
	return cmd
}

// descriptorFromURArg reads the account of --ur and picks its single-key
// output of type want (default: the only one, else p2wpkh). Multisig
// cosigner keys in the account are passed over.
func (a *app) descriptorFromURArg(arg string, want *wallet.ScriptType) (*wallet.Descriptor, error) {
	var in io.Reader
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(arg)), "ur:") {
		in = strings.NewReader(strings.Join(strings.Fields(arg), "\n"))
	} else {
		r, done, err := a.openParts(arg)
		if err != nil {
			return nil, err
		}
		defer done()
		in = r
	}
	r, err := a.readParts(in, true)
	if err != nil {
		return nil, err
	}
	u := r.UR()
	if u == nil {
		return nil, errors.New("--ur takes a UR, not BBQr parts")
	}
	acct, err := ur.DecodeAccount(u)
	if err != nil {
		return nil, err
	}
	if len(acct.Outputs) == 1 && acct.Outputs[0].Multi != nil {
		if want != nil {
			return nil, errors.New("--script-type picks one of an account's keys; a multisig output names its own type")
		}
		return wallet.DescriptorFromUR(&acct.Outputs[0], 0, a.net)
	}
	// The single-key outputs are accounts to watch; cosigner keys (the
	// wsh(KEY) and sh(wsh(KEY)) of a BIP48 export) are one key of a
	// multisig each, not a wallet.
	var found []wallet.ScriptType
	var singles, cosigners []int
	for i := range acct.Outputs {
		if _, ok := wallet.CosignerTypeOfUR(&acct.Outputs[i]); ok {
			cosigners = append(cosigners, i)
			continue
		}
		t, ok := wallet.ScriptTypeOfUR(acct.Outputs[i].Script)
		if !ok {
			continue
		}
		found = append(found, t)
		singles = append(singles, i)
		if want != nil && t == *want {
			return wallet.DescriptorFromUR(&acct.Outputs[i], acct.MasterFingerprint, a.net)
		}
	}
	if want == nil {
		switch {
		case len(singles) == 1:
			return wallet.DescriptorFromUR(&acct.Outputs[singles[0]], acct.MasterFingerprint, a.net)
		case len(singles) == 0 && len(cosigners) == 0 && len(acct.Outputs) == 1:
			// Says why the one output is not an account.
			return wallet.DescriptorFromUR(&acct.Outputs[0], acct.MasterFingerprint, a.net)
		}
		for _, i := range singles {
			if t, _ := wallet.ScriptTypeOfUR(acct.Outputs[i].Script); t == wallet.P2WPKH {
				return wallet.DescriptorFromUR(&acct.Outputs[i], acct.MasterFingerprint, a.net)
			}
		}
	}
	if len(found) == 0 {
		if len(cosigners) > 0 {
			return nil, cosignersOnlyError(acct, cosigners, a.net)
		}
		return nil, errors.New("the account holds no single-key output (pkh, sh(wpkh), wpkh or tr) satchel can watch")
	}
	names := make([]string, len(found))
	for i, t := range found {
		names[i] = t.String()
	}
	return nil, fmt.Errorf("the account holds %s; choose one with --script-type", strings.Join(names, ", "))
}

// cosignersOnlyError is the error of importing an account that holds only
// multisig cosigner keys: it names them and says how a multisig wallet is
// imported.
func cosignersOnlyError(acct *ur.Account, cosigners []int, net *chaincfg.Params) error {
	var b strings.Builder
	b.WriteString("the account holds only multisig cosigner keys, one key of a multisig each:")
	for _, i := range cosigners {
		st, _ := wallet.CosignerTypeOfUR(&acct.Outputs[i])
		key, err := wallet.CosignerKeyFromUR(&acct.Outputs[i], acct.MasterFingerprint, net)
		if err != nil {
			return fmt.Errorf("the account's %s cosigner key: %w", st, err)
		}
		fmt.Fprintf(&b, " %s %s;", st, key)
	}
	b.WriteString(" import the multisig wallet from all its cosigners' keys: satchel wallet import --descriptor 'wsh(sortedmulti(2,KEY1/<0;1>/*,KEY2/<0;1>/*,KEY3/<0;1>/*))'")
	return errors.New(b.String())
}
