package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
)

// `satchel history` reads like a statement: every sign in one place, the
// amounts right-aligned so that their points line up, whatever their size.
func TestHistoryTable(t *testing.T) {
	day := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	rows := []historyRow{
		{Txid: strings.Repeat("a", 64), Height: 0, Amount: -150_002_820, Label: "rent"},
		{Txid: strings.Repeat("b", 64), Height: 205, Time: day, Amount: 5_000_000_000},
		{Txid: strings.Repeat("c", 64), Height: 204, Time: day, Amount: 1_000},
		{Txid: strings.Repeat("d", 64), Height: 203, Time: day, Amount: -282, Label: "to self"},
		{Txid: strings.Repeat("e", 64), Height: 102, Time: day, Amount: 123_456_789_012},
	}
	var b strings.Builder
	if err := writeHistory(&b, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	golden.RequireEqual(t, out)

	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	signAt, pointAt := -1, -1
	for i, line := range lines[1:] {
		loc := amountCell.FindStringIndex(line)
		if loc == nil {
			t.Fatalf("row %d has no amount: %q", i+1, line)
		}
		sign, point := loc[0], strings.Index(line[loc[0]:], ".")+loc[0]
		if strings.TrimRight(line, " ") != line {
			t.Errorf("row %d ends in spaces: %q", i+1, line)
		}
		if i == 0 {
			signAt, pointAt = sign, point
		}
		if sign != signAt || point != pointAt {
			t.Errorf("row %d has its sign at %d and point at %d; the first row at %d and %d:\n%s", i+1, sign, point, signAt, pointAt, out)
		}
	}
	if h := lines[0]; !strings.HasPrefix(h[strings.Index(h, "AMOUNT")+len("AMOUNT"):], "  TXID") ||
		strings.Index(h, "AMOUNT")+len("AMOUNT") != strings.Index(lines[1], " BTC")+len(" BTC") {
		t.Errorf("the AMOUNT heading is not right-aligned over its column:\n%s", out)
	}
}

// amountCell is an amount of the history table.
var amountCell = regexp.MustCompile(`[+-] *\d+\.\d{8} BTC`)
