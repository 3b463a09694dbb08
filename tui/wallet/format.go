package wallet

import (
	"strings"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/wallet/amount"
)

// formatAmount writes a in the chosen units; signed adds a "+" to positive
// amounts so incoming and outgoing read apart without colour.
func formatAmount(a btcutil.Amount, u Units, signed bool) string {
	var s string
	if u == UnitsSat {
		s = amount.FormatSat(a)
	} else {
		s = amount.FormatBTC(a)
	}
	if signed && a > 0 {
		s = "+" + s
	}
	return s
}

// fit cuts or pads s to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(w-ansi.StringWidth(s), 0)) + s
}

// shortID fits a txid into w cells, keeping its start and end.
func shortID(h string, w int) string {
	if len(h) <= w {
		return h
	}
	if w < 5 {
		return h[:max(w, 0)]
	}
	tail := (w - 1) / 2
	head := w - 1 - tail
	return h[:head] + "…" + h[len(h)-tail:]
}

// hardWrap breaks s, which has no spaces worth keeping (an address, a URI),
// into lines of at most w cells.
func hardWrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Hardwrap(s, w, false), "\n")
}

// wordWrap breaks prose into lines of at most w cells, cutting words longer
// than a line.
func wordWrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// formatInt writes n with thousands separators.
func formatInt(n int64) string {
	s := amount.FormatSat(btcutil.Amount(n))
	return strings.TrimSuffix(s, " sat")
}
