package explorer

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode/fees"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/amount"
)

// ReplaceKind is what the transaction page can do for an unconfirmed
// transaction of the open wallet.
type ReplaceKind int

const (
	// ReplaceBump replaces our payment with one paying the same
	// recipients a higher fee (BIP125 RBF).
	ReplaceBump ReplaceKind = iota + 1
	// ReplaceCancel replaces our payment with one paying everything back
	// to a new address of ours (RBF).
	ReplaceCancel
	// ReplaceCPFP spends our output of the transaction in a child that
	// pays for both (child pays for parent).
	ReplaceCPFP
)

// ReplaceSource lets the transaction page bump, cancel or speed up an
// unconfirmed transaction of the open wallet. The app adapts the wallet's
// session to it. Calls are made from a tea.Cmd.
type ReplaceSource interface {
	// ReplaceOptions says which of the three apply to txid, and what the
	// transaction pays now.
	ReplaceOptions(ctx context.Context, txid chainhash.Hash) ReplaceOptions
	// PlanReplace builds the replacement (or the child) at feeRate sat/vB,
	// unsigned, and says what it pays; the error says why it cannot be
	// built and what to do. parentFee, for CPFP, is the parent's fee as
	// the user typed it, when ReplaceOptions did not know it (as
	// 'satchel cpfp --parent-fee' takes it); 0 lets the source work it out.
	PlanReplace(ctx context.Context, kind ReplaceKind, txid chainhash.Hash, feeRate float64, parentFee btcutil.Amount) (*ReplacePlan, error)
	// SendReplace signs the plan with the held keys (or password),
	// broadcasts it and records it; it returns the transaction sent.
	SendReplace(ctx context.Context, plan *ReplacePlan, password []byte) (*wire.MsgTx, error)
	// ExportReplace writes the plan's unsigned PSBT to path, for a signer
	// elsewhere, and returns the absolute path written.
	ExportReplace(plan *ReplacePlan, path string) (string, error)
}

// ReplaceOptions are what ReplaceSource says about one transaction.
type ReplaceOptions struct {
	// Bump, Cancel and CPFP say which actions apply.
	Bump, Cancel, CPFP bool
	// WatchOnly wallets export a PSBT instead of signing.
	WatchOnly bool
	// Fee and FeeRate are what the transaction pays now; Fee is -1 when
	// unknown (a payment from others).
	Fee     btcutil.Amount
	FeeRate float64
	// DefaultRate is the fee rate a new payment starts with (Settings).
	DefaultRate float64
	// Height and BlockHash name the block that holds the transaction once
	// one does (then no action applies); Height is 0 while unconfirmed.
	Height    int32
	BlockHash chainhash.Hash
}

// any reports whether one of the actions applies.
func (o ReplaceOptions) any() bool { return o.Bump || o.Cancel || o.CPFP }

// ReplaceOutput is one output of a plan.
type ReplaceOutput struct {
	Address string
	Value   btcutil.Amount
	Ours    bool
	Change  bool
}

// ReplacePlan is an unsigned replacement or child, as the review shows it.
type ReplacePlan struct {
	Kind ReplaceKind
	// Txid is the transaction replaced or sped up.
	Txid    chainhash.Hash
	Fee     btcutil.Amount
	FeeRate float64
	VSize   int64
	Inputs  int
	Outputs []ReplaceOutput
	// OldFee and OldRate are what the replaced transaction (or the
	// parent) pays; PackageRate is parent and child together, for CPFP.
	OldFee      btcutil.Amount
	OldRate     float64
	OldVSize    int64
	PackageRate float64
	Warnings    []string
	// WatchOnly plans can only be exported; Unlocked ones need no
	// password.
	WatchOnly bool
	Unlocked  bool
	// Draft is the source's own handle on the unsigned transaction.
	Draft any
}

// ReplaceKeyMap holds the transaction page's keys for unconfirmed
// transactions of the wallet. The capitals put the wallet's keys to use.
type ReplaceKeyMap struct {
	Bump   key.Binding
	Cancel key.Binding
	CPFP   key.Binding
	Export key.Binding
	// NextField and PrevField move between the parent's fee and the rate
	// in a CPFP form that asks for the parent's fee.
	NextField key.Binding
	PrevField key.Binding
}

// DefaultReplaceKeyMap returns the default bindings.
func DefaultReplaceKeyMap() ReplaceKeyMap {
	return ReplaceKeyMap{
		Bump:      key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "bump the fee (RBF)")),
		Cancel:    key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "cancel: pay it all back to this wallet (RBF)")),
		CPFP:      key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "CPFP: speed up with a child paying for both")),
		Export:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export PSBT")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
	}
}

// WithReplace lets the page bump, cancel or speed up an unconfirmed
// transaction of the open wallet through src.
func WithReplace(src ReplaceSource) TxOption {
	return func(v *TxView) { v.replSrc = src }
}

// ReplacedMsg is emitted when the page sent a replacement or a child: the
// wallet's pages should read the wallet again.
type ReplacedMsg struct {
	Txid chainhash.Hash
}

// Messages of the replace flow, for the page that asked.
type (
	replaceOptionsMsg struct {
		id   int64
		seq  uint64
		opts ReplaceOptions
	}
	replacePlanMsg struct {
		id   int64
		seq  uint64
		plan *ReplacePlan
		err  error
	}
	replaceSentMsg struct {
		id  int64
		tx  *wire.MsgTx
		err error
	}
	replaceExportedMsg struct {
		id   int64
		path string
		err  error
	}
)

// replaceStep is where the replace form is.
type replaceStep int

const (
	stepRate replaceStep = iota
	stepReview
	stepPassword
	stepExport
	stepBusy
	stepDone
)

// replaceForm is the small form the page shows over itself: the fee rate
// with the new fee worked out as it is typed, the review, the password,
// and the outcome.
type replaceForm struct {
	kind ReplaceKind
	step replaceStep
	rate textinput.Model
	// parentFee is the parent's fee as typed, for a CPFP whose parent's
	// fee neither the wallet nor the node knows (askFee); feeFocus says
	// it has the cursor rather than the rate.
	parentFee textinput.Model
	askFee    bool
	feeFocus  bool
	input     textinput.Model // the password or the PSBT's file name
	plan      *ReplacePlan
	planErr   string
	planSeq   uint64
	err       string // why the last action failed
	notice    string // what the last export wrote
	sent      *wire.MsgTx
}

// replaceTitle names the action.
func (k ReplaceKind) title() string {
	switch k {
	case ReplaceBump:
		return "Bump the fee"
	case ReplaceCancel:
		return "Cancel the payment"
	}
	return "Speed up with a child (CPFP)"
}

// askReplaceOptions asks the source what applies to the transaction. It
// is asked when the page opens, on every wallet refresh (a block may have
// confirmed the transaction, a child or a replacement spent it) and when
// the CPFP form opens without the parent's fee (a block fetched since may
// hold what its inputs spend). One question is out at a time; a refresh
// while it is out asks again once it is answered.
func (v *TxView) askReplaceOptions() tea.Cmd {
	if v.replSrc == nil || v.tx == nil || v.confirmed {
		return nil
	}
	if v.replAsking {
		v.replAgain = true
		return nil
	}
	v.replAsking, v.replAgain = true, false
	v.replSeq++
	id, seq, src, txid, ctx := v.id, v.replSeq, v.replSrc, v.txid, v.common.Context()
	return func() tea.Msg { return replaceOptionsMsg{id: id, seq: seq, opts: src.ReplaceOptions(ctx, txid)} }
}

// applyReplaceOptions takes the source's answer. An open CPFP form that
// asks for the parent's fee stops asking once the source knows it.
func (v *TxView) applyReplaceOptions(msg replaceOptionsMsg) tea.Cmd {
	if msg.id != v.id || msg.seq != v.replSeq {
		return nil
	}
	v.replAsking = false
	if v.replSent {
		// What was sent (a child, a replacement) may not have reached the
		// wallet when the source was asked: the page keeps offering
		// nothing.
		return nil
	}
	opts := msg.opts
	v.replOpts = &opts
	if opts.Height > 0 && !v.confirmed {
		// A block confirmed the payment while its page was open: the page
		// says so, as it would when opened now.
		v.confirmed, v.height, v.blockHash = true, opts.Height, opts.BlockHash
		v.describe()
	}
	var cmds []tea.Cmd
	if f := v.repl; f != nil && f.kind == ReplaceCPFP && f.askFee && f.step == stepRate && opts.Fee >= 0 {
		f.askFee, f.feeFocus = false, false
		f.parentFee.Blur()
		f.rate.Focus()
		cmds = append(cmds, v.planReplace())
	}
	if v.replAgain {
		cmds = append(cmds, v.askReplaceOptions())
	}
	return tea.Batch(cmds...)
}

// replaceBindings returns the replace keys that apply now, with help that
// says when the result is a PSBT rather than a payment.
func (v *TxView) replaceBindings() []key.Binding {
	o := v.replOpts
	if o == nil || v.confirmed {
		return nil
	}
	k := v.replKeys
	var out []key.Binding
	add := func(on bool, b key.Binding) {
		if !on {
			return
		}
		if o.WatchOnly {
			b = key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, b.Help().Desc+", as a PSBT to sign elsewhere"))
		}
		out = append(out, b)
	}
	add(o.Bump, k.Bump)
	add(o.Cancel, k.Cancel)
	add(o.CPFP, k.CPFP)
	return out
}

// replaceHint names the replace keys that apply, shortly, for the page's
// footer.
func (v *TxView) replaceHint() string {
	o := v.replOpts
	if o == nil || v.confirmed {
		return ""
	}
	var parts []string
	k := v.replKeys
	if o.Bump {
		parts = append(parts, k.Bump.Help().Key+" bump fee")
	}
	if o.Cancel {
		parts = append(parts, k.Cancel.Help().Key+" cancel")
	}
	if o.CPFP {
		parts = append(parts, k.CPFP.Help().Key+" CPFP")
	}
	if len(parts) > 0 && o.WatchOnly {
		parts[len(parts)-1] += " (as a PSBT)"
	}
	return strings.Join(parts, " · ")
}

// helpLine writes bindings as "key what · key what".
func helpLine(bs []key.Binding) string {
	parts := make([]string, 0, len(bs))
	for _, b := range bs {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, " · ")
}

// openReplace opens the form for kind, its rate filled with a rate that
// can work: the Settings rate, or a step above what the transaction pays.
func (v *TxView) openReplace(kind ReplaceKind) tea.Cmd {
	o := v.replOpts
	f := &replaceForm{kind: kind}
	f.rate = textinput.New()
	f.rate.Placeholder = "sat/vB"
	f.rate.CharLimit = 10
	f.rate.SetStyles(common.InputStyles(v.common.Styles))
	f.rate.SetWidth(12)
	f.rate.SetValue(fees.FormatRate(defaultReplaceRate(*o)))
	f.rate.CursorEnd()
	f.input = textinput.New()
	f.input.SetStyles(common.InputStyles(v.common.Styles))
	f.input.SetWidth(max(v.common.Width-24, 10))
	v.repl = f
	if kind == ReplaceCPFP && o.Fee < 0 {
		// The parent's fee is needed for the child's: ask for it first,
		// and meanwhile look again, as blocks fetched since the page
		// opened may hold what the parent's inputs spend.
		f.askFee, f.feeFocus = true, true
		f.parentFee = textinput.New()
		f.parentFee.CharLimit = 24
		f.parentFee.SetStyles(common.InputStyles(v.common.Styles))
		f.parentFee.SetWidth(12)
		f.parentFee.Focus()
		return tea.Batch(v.planReplace(), v.askReplaceOptions())
	}
	f.rate.Focus()
	return v.planReplace()
}

// parseParentFee reads the parent's fee as typed: an amount as the send
// form takes it (wallet/amount), a bare number in the units the page
// shows (sat or BTC).
func parseParentFee(s string, u Units) (btcutil.Amount, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("type the parent's fee, for example " + map[Units]string{UnitsSat: "450", UnitsBTC: "0.0000045"}[u])
	}
	if u == UnitsSat && !strings.ContainsFunc(s, unicode.IsLetter) {
		s += " sat"
	}
	a, err := amount.Parse(s)
	if err != nil {
		return 0, err
	}
	return a, nil
}

// defaultReplaceRate is the Settings rate, raised to half as much again
// and 1 sat/vB above what the transaction pays now when that is known: a
// replacement must beat the old fee by the relay rate for its own size,
// and a smaller replacement (a cancel) needs a higher rate to do so.
func defaultReplaceRate(o ReplaceOptions) float64 {
	r := o.DefaultRate
	if o.Fee >= 0 && o.FeeRate > 0 {
		r = max(r, math.Ceil(o.FeeRate*1.5)+1)
	}
	return max(r, 1)
}

// planReplace asks the source for the plan at the rate typed.
func (v *TxView) planReplace() tea.Cmd {
	f := v.repl
	f.planSeq++
	var parentFee btcutil.Amount
	if f.askFee {
		a, err := parseParentFee(f.parentFee.Value(), v.units)
		if err != nil {
			f.plan, f.planErr = nil, "Parent's fee: "+sentence(err.Error())
			return nil
		}
		parentFee = a
	}
	rate, err := strconv.ParseFloat(strings.TrimSpace(f.rate.Value()), 64)
	if err != nil || !(rate > 0) {
		f.plan, f.planErr = nil, "Type a fee rate in sat/vB, for example 12."
		return nil
	}
	id, seq, src, kind, txid, ctx := v.id, f.planSeq, v.replSrc, f.kind, v.txid, v.common.Context()
	return func() tea.Msg {
		p, err := src.PlanReplace(ctx, kind, txid, rate, parentFee)
		return replacePlanMsg{id: id, seq: seq, plan: p, err: err}
	}
}

// updateReplace handles the form's messages and keys while it is open.
func (v *TxView) updateReplace(msg tea.Msg) tea.Cmd {
	f := v.repl
	switch msg := msg.(type) {
	case replacePlanMsg:
		if msg.id == v.id && msg.seq == f.planSeq {
			f.plan, f.planErr = msg.plan, ""
			if msg.err != nil {
				f.plan, f.planErr = nil, sentence(msg.err.Error())
			}
		}
		return nil
	case replaceSentMsg:
		if msg.id != v.id {
			return nil
		}
		switch {
		case errors.Is(msg.err, keystore.ErrWrongPassword):
			v.openPrompt(stepPassword)
			f.err = "Wrong password: type it again, or esc to go back."
			return nil
		case msg.err != nil:
			f.step, f.err = stepReview, "Not sent: "+sentence(msg.err.Error())
			return nil
		}
		f.step, f.sent, f.err = stepDone, msg.tx, ""
		// The transaction is replaced, or has a child now: nothing more
		// is offered on its page.
		v.replOpts, v.replSent = &ReplaceOptions{Fee: -1}, true
		replaced := ReplacedMsg{Txid: msg.tx.TxHash()}
		return func() tea.Msg { return replaced }
	case replaceExportedMsg:
		if msg.id != v.id {
			return nil
		}
		f.step = stepReview
		if msg.err != nil {
			f.err = "Could not write the PSBT: " + sentence(msg.err.Error())
			return nil
		}
		f.err, f.notice = "", "Wrote "+msg.path+". Sign it where the keys are, then broadcast it from the PSBT page."
		return nil
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := v.common.KeyMap
	switch f.step {
	case stepRate:
		switch {
		case key.Matches(kp, k.Back):
			v.repl = nil
			return nil
		case key.Matches(kp, k.Enter):
			if f.plan != nil {
				f.step, f.err, f.notice = stepReview, "", ""
				f.rate.Blur()
				f.parentFee.Blur()
			}
			return nil
		case f.askFee && (key.Matches(kp, v.replKeys.NextField) || key.Matches(kp, v.replKeys.PrevField)):
			f.feeFocus = !f.feeFocus
			if f.feeFocus {
				f.rate.Blur()
				f.parentFee.Focus()
			} else {
				f.parentFee.Blur()
				f.rate.Focus()
			}
			return nil
		}
		field := &f.rate
		if f.askFee && f.feeFocus {
			field = &f.parentFee
		}
		before := field.Value()
		var cmd tea.Cmd
		*field, cmd = field.Update(kp)
		if field.Value() != before {
			return tea.Batch(cmd, v.planReplace())
		}
		return cmd
	case stepReview:
		switch {
		case key.Matches(kp, k.Back):
			f.step, f.err, f.notice = stepRate, "", ""
			if f.askFee && f.feeFocus {
				f.parentFee.Focus()
			} else {
				f.rate.Focus()
			}
		case f.plan.WatchOnly && key.Matches(kp, v.replKeys.Export):
			v.openPrompt(stepExport)
		case !f.plan.WatchOnly && key.Matches(kp, k.Enter):
			if f.plan.Unlocked {
				return v.sendReplace(nil)
			}
			v.openPrompt(stepPassword)
		}
		return nil
	case stepPassword, stepExport:
		switch {
		case key.Matches(kp, k.Back):
			f.step, f.err = stepReview, ""
			f.input.Reset()
			f.input.Blur()
			return nil
		case key.Matches(kp, k.Enter):
			value := f.input.Value()
			f.input.Reset()
			f.input.Blur()
			if f.step == stepPassword {
				return v.sendReplace([]byte(value))
			}
			path := strings.TrimSpace(value)
			if path == "" {
				v.openPrompt(stepExport)
				f.err = "Type a file name for the PSBT."
				return nil
			}
			return v.exportReplace(path)
		}
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(kp)
		return cmd
	case stepDone:
		switch {
		case key.Matches(kp, k.Enter):
			tx := f.sent
			v.repl = nil
			return func() tea.Msg { return TxSelectedMsg{Txid: tx.TxHash(), Tx: tx} }
		case key.Matches(kp, k.Back):
			v.repl = nil
		}
	}
	return nil
}

// openPrompt asks for the password or the PSBT's file name.
func (v *TxView) openPrompt(step replaceStep) {
	f := v.repl
	f.step, f.err, f.notice = step, "", ""
	f.input.Reset()
	f.input.EchoMode = textinput.EchoNormal
	f.input.Placeholder = ""
	if step == stepPassword {
		f.input.EchoMode = textinput.EchoPassword
		f.input.Placeholder = "password"
	} else {
		prefix := map[ReplaceKind]string{ReplaceBump: "bump", ReplaceCancel: "cancel", ReplaceCPFP: "cpfp"}[f.kind]
		f.input.SetValue(prefix + "-" + v.txid.String()[:8] + ".psbt")
		f.input.CursorEnd()
	}
	f.input.Focus()
}

// sendReplace returns a command that signs and broadcasts the plan.
func (v *TxView) sendReplace(password []byte) tea.Cmd {
	f := v.repl
	f.step, f.err = stepBusy, ""
	id, src, plan, ctx := v.id, v.replSrc, f.plan, v.common.Context()
	return func() tea.Msg {
		defer clear(password)
		tx, err := src.SendReplace(ctx, plan, password)
		return replaceSentMsg{id: id, tx: tx, err: err}
	}
}

// exportReplace returns a command that writes the plan's PSBT to path.
func (v *TxView) exportReplace(path string) tea.Cmd {
	f := v.repl
	f.step, f.err = stepBusy, ""
	id, src, plan := v.id, v.replSrc, f.plan
	return func() tea.Msg {
		abs, err := src.ExportReplace(plan, path)
		return replaceExportedMsg{id: id, path: abs, err: err}
	}
}

// replaceHelp returns the keys the form offers now.
func (v *TxView) replaceHelp() []key.Binding {
	f := v.repl
	k := v.common.KeyMap
	b := func(keys, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, desc))
	}
	switch f.step {
	case stepRate:
		var out []key.Binding
		if f.plan != nil {
			out = append(out, b(k.Enter.Help().Key, "review"))
		}
		if f.askFee {
			out = append(out, v.replKeys.NextField)
		}
		return append(out, b(k.Back.Help().Key, "back to the transaction"))
	case stepReview:
		if f.plan.WatchOnly {
			return []key.Binding{v.replKeys.Export, b(k.Back.Help().Key, "change the fee rate")}
		}
		return []key.Binding{b(k.Enter.Help().Key, "sign & broadcast"), b(k.Back.Help().Key, "change the fee rate")}
	case stepPassword, stepExport:
		return []key.Binding{b(k.Enter.Help().Key, "confirm"), b(k.Back.Help().Key, "back to the review")}
	case stepDone:
		return []key.Binding{b(k.Enter.Help().Key, "open the new transaction"), b(k.Back.Help().Key, "back")}
	}
	return nil
}

// replaceLines draws the form for width w.
func (v *TxView) replaceLines(w int) []string {
	f := v.repl
	st := v.common.Styles
	var out []string
	add := func(style func(...string) string, s string) {
		for _, l := range strings.Split(ansi.Wrap(s, w, " "), "\n") {
			out = append(out, style(common.Fit(l, w)))
		}
	}
	text, muted, bad, good := st.Normal.Render, st.Muted.Render, st.Error.Render, st.Success.Render
	title := f.kind.title() + " · " + common.ShortID(v.txid.String(), max(min(w-len(f.kind.title())-3, 64), 8))
	if f.step >= stepReview && f.step != stepDone {
		title = "Review: " + strings.ToLower(f.kind.title()[:1]) + f.kind.title()[1:]
	}
	out = append(out, st.Title.Render(common.Fit(title, w)))
	o := v.replOpts
	now := "It pays now: "
	if f.kind == ReplaceCPFP {
		now = "The parent pays: "
	}
	switch {
	case o.Fee >= 0:
		now += v.units.format(o.Fee) + " · " + fees.FormatRate(o.FeeRate) + " sat/vB"
	case f.askFee:
		now += "a fee neither this wallet nor the node knows"
	default:
		now += "a fee this wallet does not know (its inputs are not ours)"
	}
	switch f.step {
	case stepRate:
		switch f.kind {
		case ReplaceBump:
			add(muted, "A replacement (BIP125) pays the same recipients a higher fee; the change pays for it.")
		case ReplaceCancel:
			add(muted, "A replacement (BIP125) pays everything back to a new address of this wallet: "+
				"if it is mined first, the recipients get nothing.")
		default:
			add(muted, "A new transaction spends this wallet's output of it back to the wallet, "+
				"with a fee that brings the two to the rate below.")
		}
		add(text, now)
		if f.askFee {
			add(muted, "Its inputs are not this wallet's, and the transactions they spend are in no block "+
				"this node has fetched. Ask the sender, or look the txid up on a block explorer, and type "+
				"its fee. A wrong figure gives a wrong rate for both: too high a figure makes the child pay too little.")
			add(muted, "Or let the node find it: esc, then enter on an input opens the transaction it spends "+
				"(by the address it paid, if need be); come back and press "+v.replKeys.CPFP.Help().Key+
				" again, and the form looks again.")
		}
		out = append(out, "")
		label := "Fee rate  "
		if f.kind == ReplaceCPFP {
			label = "Rate for both  "
		}
		if f.askFee {
			// A unit typed (450sat) wins over the units setting.
			unit := map[Units]string{UnitsSat: " sat", UnitsBTC: " BTC"}[v.units]
			if strings.ContainsFunc(f.parentFee.Value(), unicode.IsLetter) {
				unit = ""
			}
			out = append(out, common.Fit(st.Normal.Render("Parent's fee   ")+f.parentFee.View()+st.Muted.Render(unit), w))
			label = "Rate for both  "
		}
		out = append(out, common.Fit(st.Normal.Render(label)+f.rate.View()+st.Muted.Render(" sat/vB"), w))
		if f.planErr != "" {
			add(bad, f.planErr)
		} else if p := f.plan; p != nil {
			if f.askFee {
				add(text, "Parent: "+v.units.format(p.OldFee)+" as typed · "+fees.FormatRate(p.OldRate)+" sat/vB · "+
					common.FormatInt(p.OldVSize)+" vB")
			}
			add(text, v.planFeeLine(p))
			if p.Kind == ReplaceCPFP {
				add(text, "Together: "+fees.FormatRate(p.PackageRate)+" sat/vB over "+
					common.FormatInt(p.OldVSize+p.VSize)+" vB")
			} else {
				add(muted, "That is "+v.units.format(p.Fee-p.OldFee)+" more than now.")
			}
		} else {
			add(muted, "Working out the fee…")
		}
		return out
	case stepDone:
		add(good, "Sent "+f.sent.TxHash().String()+".")
		switch f.kind {
		case ReplaceCPFP:
			add(text, "Miners now see the two together at the new rate.")
		default:
			add(text, "It replaces "+v.txid.String()+" in the peers' mempools.")
		}
		return out
	}
	p := f.plan
	out = append(out, st.Subtitle.Render(common.Fit("Pays", w)))
	// One column each for the address, the amount and the mark, so that
	// the amounts line up.
	note := func(o ReplaceOutput) string {
		switch {
		case o.Change:
			return "change"
		case o.Ours:
			return "ours"
		}
		return ""
	}
	var addrW, valW, noteW int
	for _, o := range p.Outputs {
		addrW = max(addrW, len(o.Address))
		valW = max(valW, len(v.units.format(o.Value)))
		noteW = max(noteW, len(note(o)))
	}
	if noteW > 0 {
		noteW += 2
	}
	addrW = max(min(addrW, w-2-2-valW-noteW), 8)
	for _, o := range p.Outputs {
		line := "  " + st.Address.Render(common.PadRight(common.ShortID(o.Address, addrW), addrW)) + "  " +
			st.Normal.Render(common.PadLeft(v.units.format(o.Value), valW))
		if n := note(o); n != "" {
			line += "  " + st.Accent.Render(n)
		}
		out = append(out, fitStyled(line, w))
	}
	if p.Kind != ReplaceBump {
		add(muted, "Change is a new address of this wallet.")
	}
	add(text, v.planFeeLine(p))
	switch p.Kind {
	case ReplaceCPFP:
		add(text, "Together with the parent: "+fees.FormatRate(p.PackageRate)+" sat/vB")
		if f.askFee {
			add(muted, "Counting the parent's fee as typed: "+v.units.format(p.OldFee)+".")
		}
	default:
		add(muted, "Replaces "+common.ShortID(p.Txid.String(), 20)+", which pays "+v.units.format(p.OldFee)+".")
	}
	for _, warn := range p.Warnings {
		add(bad, "Warning: "+warn)
	}
	out = append(out, "")
	switch {
	case f.step == stepBusy:
		add(muted, "Working…")
	case f.step == stepPassword:
		out = append(out, common.Fit(st.Normal.Render("Password  ")+f.input.View(), w))
	case f.step == stepExport:
		out = append(out, common.Fit(st.Normal.Render("PSBT file  ")+f.input.View(), w))
	case p.WatchOnly:
		add(muted, "This wallet is watch-only: export the PSBT (e) and sign it where the keys are.")
	case p.Unlocked:
		add(muted, "Enter signs with the unlocked keys and broadcasts.")
	default:
		add(muted, "Enter asks for the password, signs and broadcasts.")
	}
	if f.err != "" {
		add(bad, f.err)
	}
	if f.notice != "" {
		add(good, f.notice)
	}
	return out
}

// planFeeLine is the plan's fee, rate and size.
func (v *TxView) planFeeLine(p *ReplacePlan) string {
	what := "New fee: "
	if p.Kind == ReplaceCPFP {
		what = "Child's fee: "
	}
	return what + v.units.format(p.Fee) + " · " + fees.FormatRate(p.FeeRate) + " sat/vB · " +
		common.FormatInt(p.VSize) + " vB"
}

// sentence makes an error text end like a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
