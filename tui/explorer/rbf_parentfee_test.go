package explorer

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// mustShowFlat is mustShow with the lines joined, for text that wraps.
func mustShowFlat(t *testing.T, v *TxView, want ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(screen(v)), " ")
	for _, s := range want {
		if !strings.Contains(flat, strings.Join(strings.Fields(s), " ")) {
			t.Errorf("the page does not show %q:\n%s", s, screen(v))
		}
	}
}

// tab moves between the CPFP form's fields.
func tab(t *testing.T, v *TxView) {
	t.Helper()
	_, cmd := v.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	runDetail(t, v, cmd)
}

// When neither the wallet nor the node knows the parent's fee, the CPFP
// form asks for it, says where to learn it and what a wrong figure does,
// and works the child out from it as typed: the same child as for a
// parent whose fee of 423 sat is known (TestReplaceCPFPForm).
func TestReplaceCPFPParentFeeTyped(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			src := &fakeReplace{opts: ReplaceOptions{CPFP: true, Fee: -1, DefaultRate: 2}, password: "pw"}
			v := newReplaceView(t, src, size.w, size.h, false)
			press(t, v, "C")
			if !v.Capturing() {
				t.Fatal("the parent's fee field does not take the app's keys")
			}
			mustShowFlat(t, v, "Speed up with a child (CPFP)", "a fee neither this wallet nor the node knows",
				"Ask the sender", "block explorer", "too high a figure makes the child pay too little",
				"Parent's fee   >", "Rate for both  > 2", "Parent's fee: Type the parent's fee, for example 450.",
				"tab/↓ next field")
			if src.plans != 0 {
				t.Errorf("%d plans asked for without a parent's fee", src.plans)
			}
			typeRate(t, v, "423")
			// 2 sat/vB is below the parent's own 3: the plan says so.
			mustShow(t, v, "already pays 3.0 sat/vB: raise the fee rate")
			tab(t, v)
			backspace(t, v, 1)
			typeRate(t, v, "6")
			mustShow(t, v, "Parent's fee   > 423", "Parent: 423 sat as typed · 3 sat/vB · 141 vB", "Rate for both  > 6", "Child's fee: 1,083 sat · 9.85 sat/vB · 110 vB",
				"Together: 6 sat/vB over 251 vB")
			tuitest.AssertFits(t, txContent(v), size.w, size.h)
			golden.RequireEqual(t, []byte(txContent(v)))
			if last := src.parentFees[len(src.parentFees)-1]; last != 423 {
				t.Errorf("the plan was asked with a parent's fee of %d sat; typed 423", last)
			}

			press(t, v, "enter")
			mustShow(t, v, "Review: speed up with a child (CPFP)", "Together with the parent: 6 sat/vB",
				"Counting the parent's fee as typed: 423 sat.")
			press(t, v, "enter")
			typeRate(t, v, "pw")
			press(t, v, "enter")
			if len(src.sent) != 1 || src.sent[0].Fee != 1083 || src.sent[0].OldFee != 423 {
				t.Fatalf("sent %+v", src.sent)
			}
			mustShow(t, v, "Sent ")
		})
	}
}

// The parent's fee is read in the units the page shows; a unit typed
// wins; what cannot be a fee says why.
func TestParseParentFee(t *testing.T) {
	tests := []struct {
		in    string
		units Units
		want  btcutil.Amount
		err   string
	}{
		{"423", UnitsSat, 423, ""},
		{" 1200 ", UnitsSat, 1200, ""},
		{"0.00000423", UnitsBTC, 423, ""},
		{"423sat", UnitsBTC, 423, ""},
		{"0.00000423 btc", UnitsSat, 423, ""},
		{"0.5", UnitsSat, 0, "whole number"},
		{"", UnitsSat, 0, "for example 450"},
		{"", UnitsBTC, 0, "for example 0.0000045"},
		{"abc", UnitsSat, 0, "abc"},
		{"0", UnitsSat, 0, "is zero"},
	}
	for _, tt := range tests {
		got, err := parseParentFee(tt.in, tt.units)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("parseParentFee(%q, %d) = %d, %v; want %d", tt.in, tt.units, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("parseParentFee(%q, %d) = %d, %v; want an error with %q", tt.in, tt.units, got, err, tt.err)
		}
	}
}

// In BTC units the field says BTC, and the figure typed reaches the plan
// in satoshis.
func TestReplaceCPFPParentFeeBTC(t *testing.T) {
	src := &fakeReplace{opts: ReplaceOptions{CPFP: true, Fee: -1, DefaultRate: 6}}
	pay, _, _ := regtestPayment(t)
	v := NewTxView(common.NewCommon(t.Context(), 80, 24), pay, [32]byte{}, 0, &chaincfg.RegressionNetParams, nil, WithReplace(src))
	runDetail(t, v, v.Init())
	press(t, v, "C")
	mustShow(t, v, "Parent's fee   >", " BTC")
	typeRate(t, v, "0.00000423")
	mustShow(t, v, "Parent: 0.00000423 BTC as typed", "Child's fee: 0.00001083 BTC")
	backspace(t, v, 10)
	typeRate(t, v, "423sat")
	mustShow(t, v, "Parent: 0.00000423 BTC as typed")
	for _, line := range strings.Split(screen(v), "\n") {
		if strings.HasPrefix(line, "Parent's fee   >") && strings.Contains(line, "BTC") {
			t.Errorf("the field says BTC after a fee typed in sat: %q", line)
		}
	}
}

// C looks again: when the node has learnt the parent's fee since the page
// opened (its inputs' block was fetched), the form uses it and asks for
// nothing.
func TestReplaceCPFPLooksAgain(t *testing.T) {
	src := &fakeReplace{opts: ReplaceOptions{CPFP: true, Fee: -1, DefaultRate: 6},
		later: &ReplaceOptions{CPFP: true, Fee: 423, FeeRate: 3, DefaultRate: 6}}
	v := newReplaceView(t, src, 80, 24, false)
	press(t, v, "C")
	mustShow(t, v, "The parent pays: 423 sat · 3 sat/vB", "Rate for both  > 6", "Child's fee: 1,083 sat")
	if strings.Contains(screen(v), "Parent's fee") {
		t.Errorf("the form still asks for the parent's fee:\n%s", screen(v))
	}
}

// A page left open while a block confirms the payment stops offering B,
// X and C once the wallet refreshes.
func TestReplaceKeysGoOnRefresh(t *testing.T) {
	src := &fakeReplace{opts: ReplaceOptions{Bump: true, Cancel: true, CPFP: true, Fee: 282, FeeRate: 2},
		later: &ReplaceOptions{Fee: -1}}
	v := newReplaceView(t, src, 120, 40, false)
	mustShow(t, v, "B bump fee · X cancel · C CPFP")
	_, cmd := v.Update(common.RefreshMsg{})
	runDetail(t, v, cmd)
	if s := screen(v); strings.Contains(s, "bump fee") || strings.Contains(s, "CPFP") {
		t.Errorf("after the refresh the page still offers the keys:\n%s", s)
	}
	for _, k := range []string{"B", "X", "C"} {
		press(t, v, k)
		if v.repl != nil {
			t.Errorf("%s opened a form on a mined payment", k)
			v.repl = nil
		}
	}
}
