package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/spf13/cobra"

	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/amount"
	"github.com/satchelbtc/satchel/wallet/bip21"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// payFlags are the flags shared by send and psbt create.
type payFlags struct {
	// label is taken from the recipients' BIP21 label or message.
	label   string
	to      []string
	amounts []string
	feeRate float64
	utxos   []string
	max     bool
	noRBF   bool
	force   bool
	maxFee  string
}

func (f *payFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.to, "to", nil, "Recipient address or bitcoin: URI (repeat for several)")
	cmd.Flags().StringArrayVar(&f.amounts, "amount", nil, "Amount for the matching --to: 0.5, 0.5btc or 50000sat")
	cmd.Flags().Float64Var(&f.feeRate, "fee-rate", 0, "Fee rate in sat/vB (required)")
	cmd.Flags().StringArrayVar(&f.utxos, "utxo", nil, "Spend exactly this coin TXID:VOUT (repeatable; coin control)")
	cmd.Flags().BoolVar(&f.max, "max", false, "Send everything spendable (or every --utxo) to the one recipient")
	cmd.Flags().BoolVar(&f.noRBF, "no-rbf", false, "Do not signal replace-by-fee")
	cmd.Flags().BoolVar(&f.force, "force", false, forceUsage)
	cmd.Flags().StringVar(&f.maxFee, "max-fee", "", maxFeeUsage)
}

// forceUsage is the help of --force.
const forceUsage = "Allow a fee that looks like a mistake (above 1,000 sat/vB, above the amount sent or --max-fee)"

// maxFeeUsage is the help of --max-fee.
const maxFeeUsage = "Refuse a fee above AMOUNT (0.001, 0.001btc or 100000sat) unless --force"

// parseMaxFee reads a --max-fee value ("" for none).
func parseMaxFee(s string) (btcutil.Amount, error) {
	if s == "" {
		return 0, nil
	}
	v, err := amount.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("--max-fee: %w", err)
	}
	if v <= 0 {
		return 0, errors.New("--max-fee must be above zero")
	}
	return v, nil
}

// psbtOutUsage ends the help of the --out flags that write a PSBT.
const psbtOutUsage = "(binary if FILE ends in .psbt, else base64)"

// request turns the flags into a payment request.
func (f *payFlags) request(a *app) (*wallet.SendRequest, error) {
	if len(f.to) == 0 {
		return nil, errors.New("give a recipient with --to ADDRESS")
	}
	if f.feeRate <= 0 {
		return nil, errors.New("give a fee rate with --fee-rate SATVB (for example 2)")
	}
	if f.max && len(f.to) != 1 {
		return nil, errors.New("--max sends to exactly one recipient")
	}
	if !f.max && len(f.amounts) > len(f.to) {
		return nil, errors.New("more --amount than --to")
	}
	maxFee, err := parseMaxFee(f.maxFee)
	if err != nil {
		return nil, err
	}
	req := &wallet.SendRequest{FeeRate: f.feeRate, SendMax: f.max, NoRBF: f.noRBF, Force: f.force, MaxFee: maxFee}
	for i, to := range f.to {
		uri, err := bip21.Parse(to, a.net)
		if err != nil {
			return nil, err
		}
		amt := uri.Amount
		if i < len(f.amounts) && !f.max {
			if amt, err = amount.Parse(f.amounts[i]); err != nil {
				return nil, err
			}
		}
		if amt == 0 && !f.max {
			return nil, fmt.Errorf("no amount for %s: give --amount", uri.Address.EncodeAddress())
		}
		req.Recipients = append(req.Recipients, wallet.Recipient{Address: uri.Address, Amount: amt})
		if text := firstNonEmpty(uri.Label, uri.Message); text != "" && f.label == "" {
			f.label = text
		}
	}
	for _, u := range f.utxos {
		op, err := parseOutPoint(u)
		if err != nil {
			return nil, err
		}
		req.Coins = append(req.Coins, op)
	}
	if st, err := a.openChain(); err == nil {
		req.TipHeight = st.Tip().Height
		st.Close()
	}
	return req, nil
}

func parseOutPoint(s string) (wire.OutPoint, error) {
	txid, vout, ok := strings.Cut(s, ":")
	h, err := chainhash.NewHashFromStr(txid)
	n, err2 := strconv.ParseUint(vout, 10, 32)
	if !ok || err != nil || err2 != nil || len(txid) != 64 {
		return wire.OutPoint{}, fmt.Errorf("%q is not a coin: use TXID:VOUT", s)
	}
	return wire.OutPoint{Hash: *h, Index: uint32(n)}, nil
}

// writePSBT writes a PSBT to path (binary for *.psbt, else base64), or
// base64 to stdout for "" or "-".
func (a *app) writePSBT(p *psbt.Packet, path string) error {
	raw, err := psbtx.EncodeBinary(p)
	if err != nil {
		return err
	}
	return a.writeRawPSBT(raw, path)
}

// readPSBT reads a PSBT file (binary or base64) or "-" for stdin.
func (a *app) readPSBT(path string) (*psbt.Packet, error) {
	raw, err := a.readRawPSBT(path)
	if err != nil {
		return nil, err
	}
	return psbtx.Parse(raw)
}

// reviewJSON is `psbt decode --json` (and the review part of `psbt sign
// --json`).
type reviewJSON struct {
	Fee       int64              `json:"fee"`
	FeeRate   float64            `json:"fee_rate"`
	FeeProven bool               `json:"fee_proven"`
	Sent      int64              `json:"sent"`
	VSize     int64              `json:"vsize"`
	Complete  bool               `json:"complete"`
	Inputs    []reviewInputJSON  `json:"inputs"`
	Outputs   []reviewOutputJSON `json:"outputs"`
	Warnings  []string           `json:"warnings"`
}

type reviewInputJSON struct {
	Txid        string `json:"txid"`
	Vout        uint32 `json:"vout"`
	Value       int64  `json:"value"`
	Address     string `json:"address,omitempty"`
	Ours        bool   `json:"ours"`
	Signed      bool   `json:"signed"`
	Signatures  int    `json:"signatures"`
	Required    int    `json:"required_signatures"`
	Proven      bool   `json:"proven"`
	AmountProof string `json:"amount_proof"`
}

type reviewOutputJSON struct {
	Value   int64  `json:"value"`
	Address string `json:"address"`
	Ours    bool   `json:"ours"`
	Change  bool   `json:"change"`
}

// review reviews a PSBT from the point of view of the --wallet wallet, when
// it exists, or of nobody's.
func (a *app) review(p *psbt.Packet) (*reviewJSON, error) {
	if a.walletExists() {
		if w, err := a.openWallet(wallet.ReadOnly()); err == nil {
			defer w.Close()
			return reviewOf(w.ReviewPSBT(p))
		}
	}
	return reviewOf(psbtx.ReviewPacket(p, a.net, nil))
}

// reviewOf turns a review into its JSON form.
func reviewOf(r *psbtx.Review, err error) (*reviewJSON, error) {
	if err != nil {
		return nil, err
	}
	j := &reviewJSON{Fee: r.Fee, FeeRate: r.FeeRate, FeeProven: r.FeeProven, Sent: r.Sent, VSize: r.VSize,
		Complete: r.Complete, Warnings: r.Warnings}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	for _, in := range r.Inputs {
		j.Inputs = append(j.Inputs, reviewInputJSON{Txid: in.OutPoint.Hash.String(), Vout: in.OutPoint.Index,
			Value: in.Value, Address: in.Address, Ours: in.Ours, Signed: in.Signed,
			Signatures: in.Signatures, Required: in.Required, Proven: in.Proof.Proven(), AmountProof: in.Proof.Key()})
	}
	for _, out := range r.Outputs {
		j.Outputs = append(j.Outputs, reviewOutputJSON{Value: out.Value, Address: out.Address, Ours: out.Ours, Change: out.Change})
	}
	return j, nil
}

// printReview shows what a PSBT spends and pays, for a person to check, on
// w (stderr when stdout carries the PSBT itself).
func printReview(w io.Writer, j *reviewJSON) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SPENDS\tAMOUNT\tPROVEN BY\t")
	for _, in := range j.Inputs {
		value, proof := "unknown", "NOT PROVEN"
		if in.Value >= 0 {
			value = amount.FormatBTC(btcutil.Amount(in.Value))
		}
		if in.Proven {
			proof = proofName(in.AmountProof)
		}
		what := firstNonEmpty(in.Address, fmt.Sprintf("%s:%d", in.Txid, in.Vout))
		if in.Ours {
			what += " (this wallet's)"
		}
		if in.Required > 1 {
			what += fmt.Sprintf(" (%d of %d signatures)", in.Signatures, in.Required)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", what, value, proof)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PAYS\tAMOUNT\t")
	for _, o := range j.Outputs {
		note := ""
		switch {
		case o.Change:
			note = "(change, back to this wallet)"
		case o.Ours:
			note = "(to this wallet)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Address, amount.FormatBTC(btcutil.Amount(o.Value)), note)
	}
	tw.Flush()
	switch {
	case j.Fee < 0:
		fmt.Fprintf(w, "Fee: unknown (an input's value is missing)\n")
	case j.FeeProven:
		fmt.Fprintf(w, "Fee: %s (%.1f sat/vB, %d vB)\n", amount.FormatBTC(btcutil.Amount(j.Fee)), j.FeeRate, j.VSize)
	default:
		fmt.Fprintf(w, "Fee: %s (%.1f sat/vB, %d vB), NOT PROVEN: an input's amount comes only from the PSBT\n",
			amount.FormatBTC(btcutil.Amount(j.Fee)), j.FeeRate, j.VSize)
	}
	for _, warn := range j.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", warn)
	}
}

// proofName says in words what proves an amount (AmountProof.Key).
func proofName(key string) string {
	switch key {
	case "prev_tx":
		return "previous transaction"
	case "wallet":
		return "wallet records"
	case "taproot":
		return "taproot commitment"
	}
	return "NOT PROVEN"
}

func newSendCommand(a *app) *cobra.Command {
	var (
		pf      payFlags
		psbtOut string
		wait    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Build, sign and broadcast a payment",
		Long: `Pay from the wallet's coins: build the payment (branch-and-bound coin
selection, change to a new change address, replace-by-fee on unless
--no-rbf, locktime at the tip against fee sniping), show what it pays,
sign it with the password, broadcast it and record it.

With --psbt-out FILE the unsigned PSBT is written instead (binary if FILE
ends in .psbt, else base64), for a signer elsewhere ('satchel psbt sign');
a watch-only wallet must use it.

Amounts: 0.5 or 0.5btc are bitcoin, 50000sat is satoshis; a bitcoin: URI
may carry its own amount. Repeat --to and --amount, in the same order, to
pay several recipients at once.`,
		Example: "  satchel send --to bc1q... --amount 0.01 --fee-rate 3\n  satchel send --to 'bitcoin:bc1q...?amount=0.01' --fee-rate 3 --psbt-out pay.psbt",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, draft, err := a.draftPayment(&pf, psbtOut == "")
			if err != nil {
				return err
			}
			defer s.Close()
			return a.completePayment(cmd, s, draft, psbtOut, pf.label, wait)
		},
	}
	pf.bind(cmd)
	cmd.Flags().StringVar(&psbtOut, "psbt-out", "", "Write the unsigned PSBT to FILE instead of signing and sending")
	cmd.Flags().DurationVar(&wait, "wait", 10*time.Second, waitUsage)
	return cmd
}

// draftPayment opens the wallet and builds the payment the flags describe.
// With mustSign, a watch-only wallet is refused: it can only write PSBTs.
// The caller closes the session.
func (a *app) draftPayment(pf *payFlags, mustSign bool) (*session.Session, *wallet.Draft, error) {
	req, err := pf.request(a)
	if err != nil {
		return nil, nil, err
	}
	s, err := a.openSession(nil)
	if err != nil {
		return nil, nil, err
	}
	if s.WatchOnly() && mustSign {
		s.Close()
		return nil, nil, errWatchOnlySend
	}
	draft, err := s.Draft(req)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, draft, nil
}

// errWatchOnlySend is why a watch-only wallet cannot send.
var errWatchOnlySend = fmt.Errorf("%w: write the PSBT with --psbt-out FILE and sign it on the machine with the keys",
	session.ErrWatchOnly)

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// completePayment writes the draft to psbtOut, or reviews it, asks for the
// password and pays: signs, broadcasts (starting the node only then) and
// records it.
func (a *app) completePayment(cmd *cobra.Command, s *session.Session, draft *wallet.Draft, psbtOut, label string, wait time.Duration) error {
	return a.completePaymentWith(cmd, s, draft, psbtOut, label, wait, nil)
}

// completePaymentWith is completePayment with more fields for --json (and
// extra's "note", printed before the review).
func (a *app) completePaymentWith(cmd *cobra.Command, s *session.Session, draft *wallet.Draft, psbtOut, label string,
	wait time.Duration, extra map[string]any) error {

	w := s.Wallet()
	with := func(m map[string]any) map[string]any {
		for k, v := range extra {
			if k != "note" {
				m[k] = v
			}
		}
		return m
	}
	if psbtOut != "" {
		if err := a.writePSBT(draft.Packet, psbtOut); err != nil {
			return err
		}
		if err := w.ReserveChange(draft); err != nil {
			return err
		}
		if a.flags.json {
			return a.printJSON(with(map[string]any{"fee": int64(draft.Fee), "psbt": psbtOut}))
		}
		a.printf("Wrote %s: %d input%s, fee %s. Sign it with 'satchel psbt sign %s'.\n", psbtOut,
			len(draft.Inputs), plural(len(draft.Inputs)), amount.FormatBTC(draft.Fee), psbtOut)
		return nil
	}
	rev, err := reviewOf(s.Review(draft.Packet))
	if err != nil {
		return err
	}
	if !a.flags.json {
		if note, ok := extra["note"].(string); ok {
			a.printf("%s\n", note)
		}
		printReview(a.stdout, rev)
	}
	if s.WatchOnly() {
		return errWatchOnlySend
	}
	pw, err := a.password("Password for wallet "+s.Name()+" to sign", false)
	if err != nil {
		return err
	}
	pay, err := s.Pay(cmd.Context(), draft, session.PayOptions{Password: pw, Label: label,
		Broadcast: func(ctx context.Context, tx *wire.MsgTx) (*lightnode.BroadcastResult, error) {
			return a.broadcastTx(cmd, tx, wait)
		}})
	if err != nil {
		return err
	}
	if a.flags.json {
		return a.printJSON(with(map[string]any{"txid": pay.Txid.String(), "fee": int64(pay.Fee)}))
	}
	a.printf("Sent %s\n", pay.Txid)
	return nil
}

// signJSON is `psbt sign --json`: the review of what was signed, how many
// inputs were signed, the reasons for the others, and the PSBT (its path,
// or its base64 text).
type signJSON struct {
	*reviewJSON
	Signed     int           `json:"signed"`
	Skipped    []skippedJSON `json:"skipped"`
	PSBT       string        `json:"psbt,omitempty"`
	PSBTBase64 string        `json:"psbt_base64,omitempty"`
}

// skippedJSON is an input `psbt sign` left unsigned, and why.
type skippedJSON struct {
	Input  int    `json:"input"`
	Reason string `json:"reason"`
}

func newBumpCommand(a *app) *cobra.Command {
	var (
		feeRate float64
		psbtOut string
		force   bool
		cancel  bool
		wait    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "bump TXID",
		Short: "Raise the fee of an unconfirmed payment (RBF), or cancel it",
		Long: `Replace an unconfirmed transaction this wallet sent with one that pays a
higher fee (BIP125 replace-by-fee): the same recipients, the same coins
(more if needed) and a new change output, at the new --fee-rate. It must
pay at least the old fee plus 1 sat/vB of its own size. It is signed and
broadcast like 'satchel send', or written with --psbt-out.

With --cancel the replacement pays nobody: everything its coins hold goes
back to a new address of this wallet, less a fee higher than the old one
(in total and per vbyte). If it is mined first, the recipients get nothing.

Both need the original to signal replace-by-fee and every input to be
this wallet's. To speed up a payment to this wallet, see 'satchel cpfp'.`,
		Example: "  satchel bump TXID --fee-rate 12\n  satchel bump TXID --cancel --fee-rate 12",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseTxid(args[0])
			if err != nil {
				return err
			}
			if feeRate <= 0 {
				return errors.New("give the new fee rate with --fee-rate SATVB")
			}
			s, err := a.openSession(nil)
			if err != nil {
				return err
			}
			defer s.Close()
			if s.WatchOnly() && psbtOut == "" {
				return fmt.Errorf("%w: write the PSBT with --psbt-out FILE", session.ErrWatchOnly)
			}
			o := session.BumpOptions{Force: force}
			var draft *wallet.Draft
			if cancel {
				draft, err = s.Cancel(*id, feeRate, o)
			} else {
				draft, err = s.Bump(*id, feeRate, o)
			}
			if err != nil {
				return err
			}
			labels, _ := s.Wallet().Labels()
			label := labels[wallet.TxLabelKey(*id)]
			if cancel {
				if label != "" {
					label = "cancelled: " + label
				}
				return a.completePaymentWith(cmd, s, draft, psbtOut, label, wait, map[string]any{
					"replaces": id.String(),
					"note":     fmt.Sprintf("Cancels %s: everything goes back to this wallet.", id)})
			}
			return a.completePaymentWith(cmd, s, draft, psbtOut, label, wait, map[string]any{"replaces": id.String()})
		},
	}
	cmd.Flags().Float64Var(&feeRate, "fee-rate", 0, "New fee rate in sat/vB (required)")
	cmd.Flags().BoolVar(&cancel, "cancel", false, "Pay everything back to this wallet instead of to the recipients")
	cmd.Flags().StringVar(&psbtOut, "psbt-out", "", "Write the unsigned replacement PSBT to FILE instead of signing")
	cmd.Flags().BoolVar(&force, "force", false, forceUsage)
	cmd.Flags().DurationVar(&wait, "wait", 10*time.Second, waitUsage)
	return cmd
}

// parseTxid reads a transaction id argument.
func parseTxid(s string) (*chainhash.Hash, error) {
	id, err := chainhash.NewHashFromStr(s)
	if err != nil || len(s) != 64 {
		return nil, fmt.Errorf("%q is not a transaction id: give the 64 hex digits 'satchel history' shows", s)
	}
	return id, nil
}

func newPSBTCommand(a *app) *cobra.Command {
	cmd := newGroupCommand("psbt", "Create, decode, sign, combine, finalize PSBTs")
	cmd.Long = `Partially signed transactions (BIP174) carry a payment from the machine
that builds it to the ones that sign it. An air-gapped payment: create
the PSBT online (a watch-only wallet is enough), sign it on the offline
machine that holds the keys, then broadcast it online. PSBT files may be
binary or base64; - reads stdin.`
	cmd.Example = `  satchel psbt create --to ADDR --amount 0.01 --fee-rate 3 --out tx.psbt
  satchel --offline psbt sign tx.psbt --out signed.psbt
  satchel broadcast signed.psbt`
	var (
		pf  payFlags
		out string
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Build an unsigned PSBT from the wallet's coins",
		Long: `Build an unsigned PSBT from the wallet's coins, with the same flags as
'satchel send' (recipients, amounts, fee rate, coin control), and write it
to --out FILE or as base64 on stdout. It needs no password and works for a
watch-only wallet; sign it with 'satchel psbt sign' where the keys are.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, draft, err := a.draftPayment(&pf, false)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := a.writePSBT(draft.Packet, out); err != nil {
				return err
			}
			// The PSBT has left the wallet: its change address is taken.
			if err := s.Wallet().ReserveChange(draft); err != nil {
				return err
			}
			if a.flags.json && out != "" {
				return a.printJSON(map[string]any{"fee": int64(draft.Fee), "psbt": out})
			}
			return nil
		},
	}
	pf.bind(create)
	create.Flags().StringVar(&out, "out", "", "Write the PSBT to FILE "+psbtOutUsage)

	decode := &cobra.Command{
		Use:   "decode FILE|-",
		Short: "Show what a PSBT pays, its fee and its warnings",
		Long: `Show what a PSBT spends and pays: each input's coin and what proves its
amount (the full previous transaction in the PSBT, this wallet's records,
or a taproot commitment; a segwit v0 amount that only the PSBT states is
NOT PROVEN), each output and its amount, the fee and fee rate, warnings
(an odd fee rate, dust, change that is not really change...), and whether
it is completely signed. If the --wallet wallet exists, its own inputs and
outputs are marked. Works offline; no password needed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			p, err := a.readPSBT(args[0])
			if err != nil {
				return err
			}
			j, err := a.review(p)
			if err != nil {
				return err
			}
			if a.flags.json {
				return a.printJSON(j)
			}
			printReview(a.stdout, j)
			a.printf("%d input%s, complete: %v\n", len(j.Inputs), plural(len(j.Inputs)), j.Complete)
			return nil
		},
	}

	var (
		signOut    string
		signForce  bool
		signMaxFee string
	)
	sign := &cobra.Command{
		Use:   "sign FILE|-",
		Short: "Sign the wallet's inputs of a PSBT (works --offline)",
		Long: `Sign the inputs of a PSBT that belong to the --wallet wallet: show what
it pays, ask for the password, sign, and write the PSBT to --out FILE or
as base64 on stdout (then the review goes to stderr, so that
'satchel psbt sign - < in > out' gives a PSBT). Works with --offline, on a
machine that never goes online.

An input is signed only when its key origin is in this wallet's account,
the coin it spends is the wallet's address there, and its amount is
proven: by the full previous transaction in the PSBT or by this wallet's
records (a segwit v0 or legacy signature does not commit to the other
inputs' amounts, so a PSBT could otherwise hide a much larger fee). The
fee is checked as 'satchel send' checks it: above 1,000 sat/vB, above the
amount sent or above --max-fee needs --force; a negative fee is always
refused. Inputs left unsigned are listed with the reason.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			maxFee, err := parseMaxFee(signMaxFee)
			if err != nil {
				return err
			}
			p, err := a.readPSBT(args[0])
			if err != nil {
				return err
			}
			s, err := a.openSession(nil, wallet.ReadOnly())
			if err != nil {
				return err
			}
			defer s.Close()
			if s.WatchOnly() {
				return fmt.Errorf("%w: sign on the machine that holds the keys", session.ErrWatchOnly)
			}
			j, err := reviewOf(s.Review(p))
			if err != nil {
				return err
			}
			if !a.flags.json {
				// Stdout may carry the signed PSBT: the review goes
				// to stderr then.
				rw := a.stdout
				if signOut == "" || signOut == "-" {
					rw = a.stderr
				}
				printReview(rw, j)
			}
			pw, err := a.password("Password for wallet "+a.flags.walletName+" to sign", false)
			if err != nil {
				return err
			}
			limits := psbtx.DefaultFeeLimits
			limits.MaxFee = maxFee
			res, err := s.Sign(p, pw, wallet.SignOptions{Limits: limits, Force: signForce})
			if err != nil {
				return err
			}
			n := len(res.Signed)
			if n == 0 {
				return fmt.Errorf("nothing was signed: %s", res.Explain())
			}
			a.logger().Info("psbt signed", "inputs", n)
			if signOut != "" && signOut != "-" {
				if err := a.writePSBT(p, signOut); err != nil {
					return err
				}
			}
			if a.flags.json {
				out := signJSON{reviewJSON: j, Signed: n, Skipped: []skippedJSON{}}
				for _, s := range res.Skipped {
					out.Skipped = append(out.Skipped, skippedJSON{Input: s.Input, Reason: s.Reason})
				}
				if signOut != "" && signOut != "-" {
					out.PSBT = signOut
				} else if out.PSBTBase64, err = psbtx.EncodeBase64(p); err != nil {
					return err
				}
				return a.printJSON(out)
			}
			msg := a.stdout
			if signOut == "" || signOut == "-" {
				msg = a.stderr
			}
			for _, s := range res.Skipped {
				fmt.Fprintf(msg, "Not signed: input %d: %s\n", s.Input, s.Reason)
			}
			if signOut == "" || signOut == "-" {
				fmt.Fprintf(msg, "Signed %d input%s.\n", n, plural(n))
				return a.writePSBT(p, "")
			}
			a.printf("Signed %d input%s; wrote %s.\n", n, plural(n), signOut)
			return nil
		},
	}
	sign.Flags().StringVar(&signOut, "out", "", "Write the signed PSBT to FILE "+psbtOutUsage)
	sign.Flags().BoolVar(&signForce, "force", false, forceUsage)
	sign.Flags().StringVar(&signMaxFee, "max-fee", "", maxFeeUsage)

	var combineOut string
	combine := &cobra.Command{
		Use:   "combine FILE FILE...",
		Short: "Merge the signatures of several copies of one PSBT",
		Long: `Merge several copies of one PSBT, each signed by a different signer, into
one that carries all their signatures, and write it to --out FILE or as
base64 on stdout.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			var ps []*psbt.Packet
			for _, f := range args {
				p, err := a.readPSBT(f)
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				ps = append(ps, p)
			}
			p, err := psbtx.Combine(ps...)
			if err != nil {
				return err
			}
			return a.writePSBT(p, combineOut)
		},
	}
	combine.Flags().StringVar(&combineOut, "out", "", "Write the combined PSBT to FILE "+psbtOutUsage)

	var finalOut string
	finalize := &cobra.Command{
		Use:   "finalize FILE|-",
		Short: "Finalize a fully signed PSBT and print the transaction",
		Long: `Finalize a fully signed PSBT and print the transaction as hex, ready for
'satchel broadcast' (which also takes the signed PSBT itself). Works
offline.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			p, err := a.readPSBT(args[0])
			if err != nil {
				return err
			}
			if err := psbtx.Finalize(p); err != nil {
				return err
			}
			tx, err := psbtx.Extract(p)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			tx.Serialize(&buf)
			hexTx := fmt.Sprintf("%x", buf.Bytes())
			if finalOut != "" {
				if err := os.WriteFile(finalOut, []byte(hexTx+"\n"), 0o600); err != nil {
					return fmt.Errorf("cannot write the transaction: %w", unwrapPathError(err))
				}
			}
			if a.flags.json {
				return a.printJSON(map[string]any{"txid": tx.TxHash().String(), "hex": hexTx})
			}
			a.printf("%s\n", hexTx)
			return nil
		},
	}
	finalize.Flags().StringVar(&finalOut, "out", "", "Also write the transaction hex to FILE")

	cmd.AddCommand(create, decode, sign, combine, finalize, newPSBTExportCommand(a), newPSBTImportCommand(a))
	return cmd
}
