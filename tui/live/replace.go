package live

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/tui/explorer"
	"github.com/satchelbtc/satchel/wallet"
)

// ReplaceOptions says which of bump, cancel and CPFP apply to the wallet's
// transaction txid: only unconfirmed ones; bump and cancel when it signals
// RBF and every input is ours (bump also needs a recipient besides our
// change); CPFP when it has an output of ours not spent or frozen.
func (l *Wallet) ReplaceOptions(ctx context.Context, txid chainhash.Hash) explorer.ReplaceOptions {
	w := l.Session.Wallet()
	o := explorer.ReplaceOptions{WatchOnly: w.WatchOnly(), Fee: -1, DefaultRate: l.defaultRate()}
	hist, err := w.History()
	if err != nil {
		return o
	}
	var entry *wallet.HistoryEntry
	for i := range hist {
		if hist[i].Txid == txid {
			entry = &hist[i]
			break
		}
	}
	if entry != nil && entry.Height > 0 {
		if node := l.Session.Node(); node != nil {
			if h, err := node.Store().HeaderByHeight(entry.Height); err == nil {
				o.Height, o.BlockHash = entry.Height, h.Hash
			}
		}
		return o
	}
	if entry == nil || entry.Tx == nil {
		return o
	}
	o.Fee = entry.Fee
	if o.Fee < 0 {
		// A payment from others: its inputs may be in a relayed
		// transaction or a fetched block.
		if fee, err := l.Session.ParentFee(ctx, txid); err == nil {
			o.Fee = fee
		}
	}
	if o.Fee >= 0 {
		o.FeeRate = float64(o.Fee) / float64(wallet.TxVSize(entry.Tx))
	}
	if w.Replaceable(txid) == nil {
		o.Cancel = true
		for _, out := range entry.Tx.TxOut {
			if _, change := w.Owns(out.PkScript); !change {
				o.Bump = true
			}
		}
	}
	if coins, _, err := w.UTXOs(); err == nil {
		for _, c := range coins {
			if c.OutPoint.Hash == txid && !c.Frozen {
				o.CPFP = true
			}
		}
	}
	return o
}

// defaultRate is the Settings fee rate, or 0 without one.
func (l *Wallet) defaultRate() float64 {
	if l.FeeRate == nil {
		return 0
	}
	return l.FeeRate()
}

// replaceDraft is the handle a ReplacePlan carries.
type replaceDraft struct {
	draft *wallet.Draft
	label string
}

// PlanReplace builds the bump, cancel or child at feeRate and reviews it.
// A child counts parentFee as the parent's fee when it is above zero, as
// 'satchel cpfp --parent-fee' does (the same session call).
func (l *Wallet) PlanReplace(ctx context.Context, kind explorer.ReplaceKind, txid chainhash.Hash, feeRate float64, parentFee btcutil.Amount) (*explorer.ReplacePlan, error) {
	s := l.Session
	w := s.Wallet()
	p := &explorer.ReplacePlan{Kind: kind, Txid: txid, WatchOnly: s.WatchOnly(), Unlocked: s.Unlocked()}
	var d *wallet.Draft
	var err error
	label := ""
	switch kind {
	case explorer.ReplaceBump, explorer.ReplaceCancel:
		if kind == explorer.ReplaceBump {
			d, err = s.Bump(txid, feeRate, session.BumpOptions{})
		} else {
			d, err = s.Cancel(txid, feeRate, session.BumpOptions{})
		}
		if err != nil {
			return nil, err
		}
		fee, _, _ := w.TxFee(txid)
		p.OldFee = fee
		if labels, err := w.Labels(); err == nil && labels[wallet.TxLabelKey(txid)] != "" {
			label = labels[wallet.TxLabelKey(txid)]
			if kind == explorer.ReplaceCancel {
				label = "cancelled: " + label
			}
		}
	case explorer.ReplaceCPFP:
		cd, err := s.CPFP(ctx, txid, feeRate, session.BumpOptions{ParentFee: parentFee})
		if errors.Is(err, wallet.ErrParentFeeUnknown) {
			return nil, fmt.Errorf("%w: neither the wallet nor the node has seen the coins it spends; "+
				"press C again on the transaction's page and type the parent's fee", wallet.ErrParentFeeUnknown)
		}
		if err != nil {
			return nil, err
		}
		d = cd.Draft
		p.OldFee, p.OldRate, p.OldVSize, p.PackageRate = cd.ParentFee, cd.ParentFeeRate, cd.ParentVSize, cd.PackageFeeRate
	default:
		return nil, fmt.Errorf("unknown action %d", kind)
	}
	rev, err := s.Review(d.Packet)
	if err != nil {
		return nil, err
	}
	p.Fee, p.VSize, p.Inputs, p.Warnings = d.Fee, d.VSize, len(d.Inputs), rev.Warnings
	p.FeeRate = float64(d.Fee) / float64(d.VSize)
	for _, o := range rev.Outputs {
		p.Outputs = append(p.Outputs, explorer.ReplaceOutput{Address: o.Address, Value: btcutil.Amount(o.Value),
			Ours: o.Ours, Change: o.Change})
	}
	p.Draft = &replaceDraft{draft: d, label: label}
	return p, nil
}

// SendReplace signs, broadcasts and records a plan.
func (l *Wallet) SendReplace(ctx context.Context, p *explorer.ReplacePlan, password []byte) (*wire.MsgTx, error) {
	rd, ok := p.Draft.(*replaceDraft)
	if !ok {
		return nil, errors.New("the plan was not made by this wallet: build it again")
	}
	pay, err := l.Session.Pay(ctx, rd.draft, session.PayOptions{Password: password, Label: rd.label})
	if err != nil {
		return nil, err
	}
	return pay.Tx, nil
}

// ExportReplace writes the plan's unsigned PSBT to path; its change
// address counts as handed out.
func (l *Wallet) ExportReplace(p *explorer.ReplacePlan, path string) (string, error) {
	rd, ok := p.Draft.(*replaceDraft)
	if !ok {
		return "", errors.New("the plan was not made by this wallet: build it again")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if err := l.ExportPSBT(rd.draft, abs); err != nil {
		return "", err
	}
	return abs, nil
}

var _ explorer.ReplaceSource = (*Wallet)(nil)
