package explorer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// fakeReplace plans replacements the way the wallet does, in figures: a
// replacement of 141 vB that must beat the old fee by 1 sat/vB of its
// size, a child of 110 vB paying for a 141-vB parent.
type fakeReplace struct {
	opts     ReplaceOptions
	password string
	sent     []*ReplacePlan
	exported []string
	plans    int
	// asked counts ReplaceOptions calls; from the second on, later (when
	// set) is the answer, as when the node learnt something meanwhile.
	asked int
	later *ReplaceOptions
	// parentFees are the parent's fees the plans were asked with.
	parentFees []btcutil.Amount
}

const (
	fakeOldVSize   = 141
	fakeChildVSize = 110
)

func (f *fakeReplace) ReplaceOptions(context.Context, chainhash.Hash) ReplaceOptions {
	f.asked++
	if f.asked > 1 && f.later != nil {
		f.opts = *f.later
	}
	return f.opts
}

func (f *fakeReplace) PlanReplace(_ context.Context, kind ReplaceKind, txid chainhash.Hash, rate float64, parentFee btcutil.Amount) (*ReplacePlan, error) {
	f.plans++
	f.parentFees = append(f.parentFees, parentFee)
	oldFee, oldRate := f.opts.Fee, f.opts.FeeRate
	if kind == ReplaceCPFP && oldFee < 0 {
		if parentFee <= 0 {
			return nil, errors.New("the parent's fee is not known")
		}
		oldFee, oldRate = parentFee, float64(parentFee)/fakeOldVSize
	}
	p := &ReplacePlan{Kind: kind, Txid: txid, OldFee: oldFee, OldRate: oldRate, OldVSize: fakeOldVSize,
		WatchOnly: f.opts.WatchOnly, Draft: "draft"}
	switch kind {
	case ReplaceCPFP:
		p.VSize = fakeChildVSize
		p.Fee = btcutil.Amount(math.Ceil(rate*(fakeOldVSize+fakeChildVSize))) - oldFee
		if rate <= oldRate {
			return nil, fmt.Errorf("the parent already pays %.1f sat/vB: raise the fee rate", oldRate)
		}
		p.PackageRate = float64(p.Fee+oldFee) / (fakeOldVSize + fakeChildVSize)
		p.Outputs = []ReplaceOutput{{Address: "bcrt1qdw9y5f7u6x3rl00dt27dr7da9ka0sk3y0lw2rt", Value: 109_997_913, Ours: true, Change: true}}
	default:
		p.VSize = fakeOldVSize
		p.Fee = btcutil.Amount(math.Ceil(rate * fakeOldVSize))
		if need := f.opts.Fee + fakeOldVSize; p.Fee < need {
			return nil, fmt.Errorf("a fee rate of %.1f sat/vB pays %s, but replacing needs at least %s: raise the fee rate",
				rate, p.Fee, btcutil.Amount(need))
		}
		p.Outputs = []ReplaceOutput{{Address: "bcrt1qg4zarfjfs2nyw4fn5j8ulfn96lekmn4sjkks5m", Value: 10_000_000},
			{Address: "bcrt1qellvn0qxza94nykar6xlv3lu83099z8gjegtfj", Value: 3_299_013, Ours: true, Change: true}}
		if kind == ReplaceCancel {
			p.Outputs = p.Outputs[1:]
		}
	}
	p.FeeRate = float64(p.Fee) / float64(p.VSize)
	return p, nil
}

func (f *fakeReplace) SendReplace(_ context.Context, p *ReplacePlan, password []byte) (*wire.MsgTx, error) {
	if string(password) != f.password {
		return nil, fmt.Errorf("wallet: %w", keystore.ErrWrongPassword)
	}
	f.sent = append(f.sent, p)
	tx := wire.NewMsgTx(2)
	tx.AddTxOut(wire.NewTxOut(int64(p.Outputs[0].Value), []byte{0x51}))
	return tx, nil
}

func (f *fakeReplace) ExportReplace(_ *ReplacePlan, path string) (string, error) {
	f.exported = append(f.exported, path)
	return "/home/satoshi/" + path, nil
}

// newReplaceView opens the page of an unconfirmed payment with src.
func newReplaceView(t *testing.T, src *fakeReplace, w, h int, confirmed bool) *TxView {
	t.Helper()
	pay, _, _ := regtestPayment(t)
	var hash chainhash.Hash
	height := int32(0)
	if confirmed {
		hash, height = loadRegtestBlock(t, regtestFeeHeight).BlockHash(), regtestFeeHeight
	}
	v := NewTxView(common.NewCommon(t.Context(), w, h), pay, hash, height, &chaincfg.RegressionNetParams, nil,
		WithReplace(src), WithTxUnits(UnitsSat))
	runDetail(t, v, v.Init())
	return v
}

// typeRate types s into the page, a key at a time.
func typeRate(t *testing.T, v *TxView, s string) {
	t.Helper()
	for _, r := range s {
		press(t, v, string(r))
	}
}

func backspace(t *testing.T, v *TxView, n int) {
	t.Helper()
	for range n {
		_, cmd := v.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
		runDetail(t, v, cmd)
	}
}

func screen(v *TxView) string { return ansi.Strip(txContent(v)) }

func mustShow(t *testing.T, v *TxView, want ...string) {
	t.Helper()
	text := screen(v)
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("the page does not show %q:\n%s", s, text)
		}
	}
}

// The keys show only where they apply: not on a confirmed transaction,
// not on one the wallet cannot do anything with, and each one alone.
func TestReplaceKeysHidden(t *testing.T) {
	tests := []struct {
		name      string
		opts      ReplaceOptions
		confirmed bool
		hint      string
	}{
		{"confirmed", ReplaceOptions{Bump: true, Cancel: true, CPFP: true}, true, ""},
		{"not ours", ReplaceOptions{Fee: -1}, false, ""},
		{"incoming", ReplaceOptions{CPFP: true, Fee: -1}, false, "C CPFP"},
		{"ours", ReplaceOptions{Bump: true, Cancel: true, Fee: 282, FeeRate: 2}, false, "B bump fee · X cancel"},
		{"watch-only", ReplaceOptions{Bump: true, Fee: 282, FeeRate: 2, WatchOnly: true}, false, "B bump fee (as a PSBT)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeReplace{opts: tt.opts}
			v := newReplaceView(t, src, 120, 40, tt.confirmed)
			footer := screen(v)[strings.LastIndex(screen(v), "\n")+1:]
			if tt.hint == "" && strings.Contains(footer, "·") || !strings.Contains(footer, tt.hint) {
				t.Errorf("footer %q; want the hint %q", footer, tt.hint)
			}
			var help []string
			for _, g := range v.FullHelp() {
				for _, b := range g {
					help = append(help, b.Help().Key)
				}
			}
			for _, k := range []string{"B", "X", "C"} {
				press(t, v, k)
				opened := v.repl != nil
				v.repl = nil
				shown := strings.Contains(" "+strings.Join(help, " ")+" ", " "+k+" ")
				if opened != shown || opened != strings.Contains(tt.hint, k+" ") {
					t.Errorf("%s: opens a form %v, in the help %v, in the footer %v", k, opened, shown, strings.Contains(tt.hint, k+" "))
				}
			}
			if tt.name == "watch-only" {
				for _, g := range v.FullHelp() {
					for _, b := range g {
						if b.Help().Key == "B" && !strings.Contains(b.Help().Desc, "as a PSBT") {
							t.Errorf("watch-only help %q does not say it makes a PSBT", b.Help().Desc)
						}
					}
				}
			}
		})
	}
}

// Bump: the form starts at a rate above the old one, shows the new fee as
// the rate is typed (and why a rate is too low), the review shows what
// the replacement pays, a wrong password asks again, and the right one
// sends it and offers the new transaction.
func TestReplaceBumpFlow(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			src := &fakeReplace{opts: ReplaceOptions{Bump: true, Cancel: true, Fee: 282, FeeRate: 2, DefaultRate: 2}, password: "pw"}
			v := newReplaceView(t, src, size.w, size.h, false)
			press(t, v, "B")
			if !v.Capturing() {
				t.Error("the rate field does not take the app's keys")
			}
			// 2 sat/vB now: the form starts at 4, which beats it.
			mustShow(t, v, "Bump the fee", "It pays now: 282 sat · 2 sat/vB", "Fee rate  > 4", "New fee: 564 sat · 4 sat/vB · 141 vB",
				"That is 282 sat more than now.", "enter review · esc back to the transaction")
			tuitest.AssertFits(t, txContent(v), size.w, size.h)
			golden.RequireEqual(t, []byte(txContent(v)))

			backspace(t, v, 1)
			typeRate(t, v, "2")
			mustShow(t, v, "replacing needs at least", "raise the fee rate")
			press(t, v, "enter")
			if v.repl.step != stepRate {
				t.Fatal("enter reviewed a rate that cannot replace")
			}
			backspace(t, v, 1)
			typeRate(t, v, "12.5")
			mustShow(t, v, "New fee: 1,763 sat · 12.5 sat/vB · 141 vB")
			press(t, v, "enter")
			mustShow(t, v, "Review: bump the fee", "10,000,000 sat", "3,299,013 sat  change",
				"Replaces ", "which pays 282 sat.", "Enter asks for the password", "enter sign & broadcast")
			if v.Capturing() {
				t.Error("the review keeps the app's keys from working")
			}
			tuitest.AssertFits(t, txContent(v), size.w, size.h)
			review := txContent(v)
			t.Run("review", func(t *testing.T) { golden.RequireEqual(t, review) })

			press(t, v, "enter")
			typeRate(t, v, "nope")
			mustShow(t, v, "Password  > ****")
			press(t, v, "enter")
			mustShow(t, v, "Wrong password: type it again")
			typeRate(t, v, "pw")
			msgs := press(t, v, "enter")
			if len(src.sent) != 1 || src.sent[0].Fee != 1763 || len(msgs) != 1 {
				t.Fatalf("sent %+v, messages %v", src.sent, msgs)
			}
			if _, ok := msgs[0].(ReplacedMsg); !ok {
				t.Fatalf("sending emitted %T, want ReplacedMsg", msgs[0])
			}
			mustShow(t, v, "Sent ", "It replaces ", "enter open the new transaction")
			msgs = press(t, v, "enter")
			if len(msgs) != 1 || v.repl != nil {
				t.Fatalf("enter after sending emitted %v", msgs)
			}
			if sel, ok := msgs[0].(TxSelectedMsg); !ok || sel.Tx == nil || sel.Height != 0 {
				t.Fatalf("enter after sending emitted %+v", msgs[0])
			}
			// The replaced transaction's page offers nothing more.
			press(t, v, "B")
			if v.repl != nil || strings.Contains(screen(v), "B bump fee") {
				t.Error("the replaced transaction's page still offers a bump")
			}
		})
	}
}

// CPFP: the form says what the parent pays and the rate of both together;
// esc goes back step by step.
func TestReplaceCPFPForm(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			src := &fakeReplace{opts: ReplaceOptions{CPFP: true, Fee: 423, FeeRate: 3, DefaultRate: 2}}
			v := newReplaceView(t, src, size.w, size.h, false)
			press(t, v, "C")
			mustShow(t, v, "Speed up with a child (CPFP)", "The parent pays: 423 sat · 3 sat/vB", "Rate for both  > 6",
				"Child's fee: 1,083 sat · 9.85 sat/vB · 110 vB", "Together: 6 sat/vB over 251 vB")
			tuitest.AssertFits(t, txContent(v), size.w, size.h)
			golden.RequireEqual(t, []byte(txContent(v)))
			press(t, v, "enter")
			mustShow(t, v, "Review: speed up with a child (CPFP)", "Together with the parent: 6 sat/vB")
			press(t, v, "esc")
			press(t, v, "esc")
			if v.repl != nil {
				t.Fatal("esc twice did not close the form")
			}
			mustShow(t, v, "Transaction · unconfirmed")
		})
	}
}

// A watch-only wallet exports the replacement as a PSBT instead of
// signing, and the page says where it went.
func TestReplaceWatchOnlyExport(t *testing.T) {
	src := &fakeReplace{opts: ReplaceOptions{Cancel: true, Fee: 282, FeeRate: 2, WatchOnly: true}}
	v := newReplaceView(t, src, 80, 24, false)
	press(t, v, "X")
	backspace(t, v, 3)
	typeRate(t, v, "9")
	press(t, v, "enter")
	mustShow(t, v, "Review: cancel the payment", "watch-only: export the PSBT (e)", "e export PSBT")
	press(t, v, "enter")
	if v.repl.step != stepReview || len(src.sent) != 0 {
		t.Fatal("enter signed on a watch-only wallet")
	}
	press(t, v, "e")
	mustShow(t, v, "PSBT file  > cancel-")
	press(t, v, "enter")
	if len(src.exported) != 1 || !strings.HasPrefix(src.exported[0], "cancel-") {
		t.Fatalf("exported %v", src.exported)
	}
	mustShow(t, v, "Wrote /home/satoshi/cancel-")
}

// A page opened on an unconfirmed payment learns on a refresh that a block
// confirmed it: the title drops "unconfirmed", the block and height show,
// and the keys that only apply unconfirmed go.
func TestTxPageConfirmedWhileOpen(t *testing.T) {
	src := &fakeReplace{opts: ReplaceOptions{CPFP: true, Fee: 423, FeeRate: 3}}
	v := newReplaceView(t, src, 120, 40, false)
	mustShow(t, v, "Transaction · "+unconfirmedMark, "C CPFP")
	block := loadRegtestBlock(t, regtestFeeHeight).BlockHash()
	src.later = &ReplaceOptions{Fee: -1, Height: regtestFeeHeight, BlockHash: block}
	_, cmd := v.Update(common.RefreshMsg{})
	runDetail(t, v, cmd)
	text := screen(v)
	if strings.Contains(text, unconfirmedMark) || strings.Contains(text, "C CPFP") {
		t.Errorf("the page still says unconfirmed or offers CPFP:\n%s", text)
	}
	mustShow(t, v, block.String(), "height")
	// Confirmed, it asks no more.
	_, cmd = v.Update(common.RefreshMsg{})
	runDetail(t, v, cmd)
	if src.asked != 2 {
		t.Errorf("asked for the options %d times; want 2", src.asked)
	}
}
