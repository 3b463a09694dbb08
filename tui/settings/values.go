package settings

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// Units values.
const (
	// UnitsBTC shows amounts in bitcoin.
	UnitsBTC = "btc"
	// UnitsSats shows amounts in satoshis.
	UnitsSats = "sats"
)

// Limits of the values the page accepts.
const (
	// MaxFeeRate is the highest default fee rate, in sat/vB.
	MaxFeeRate = 1000
	// MinAutoLock is the shortest auto-lock delay other than never.
	MinAutoLock = 30 * time.Second
)

// autoLockPresets are the delays Prev and Next step through; 0 is never.
var autoLockPresets = []time.Duration{0, time.Minute, 5 * time.Minute, 15 * time.Minute, 60 * time.Minute}

// parseFeeRate reads a fee rate in sat/vB.
func parseFeeRate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if unit := len("sat/vB"); len(s) >= unit && strings.EqualFold(s[len(s)-unit:], "sat/vB") {
		s = strings.TrimSpace(s[:len(s)-unit])
	}
	if s == "" {
		return 0, errors.New("type a fee rate in sat/vB, like 2 or 12.5")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a number: type a fee rate in sat/vB, like 2 or 12.5", s)
	}
	switch {
	case f <= 0:
		return 0, errors.New("the fee rate must be more than 0 sat/vB")
	case f > MaxFeeRate:
		return 0, fmt.Errorf("the fee rate must be at most %d sat/vB", MaxFeeRate)
	}
	return f, nil
}

// formatFeeRate writes a fee rate without needless decimals.
func formatFeeRate(f float64) string {
	if f <= 0 {
		return "not set"
	}
	return strconv.FormatFloat(f, 'f', -1, 64) + " sat/vB"
}

// parsePeers reads a comma-separated list of host:port addresses. Blank
// entries are skipped, so "a:1, b:2," is two peers; an empty list means
// none.
func parsePeers(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		host, port, err := net.SplitHostPort(p)
		if err != nil {
			return nil, fmt.Errorf("peer %q is not host:port (like 127.0.0.1:8333 or [::1]:8333)", p)
		}
		if host == "" || strings.ContainsAny(host, " \t") {
			return nil, fmt.Errorf("peer %q needs a host name or IP address before the port", p)
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("peer %q: the port must be a number from 1 to 65535", p)
		}
		if seen[p] {
			return nil, fmt.Errorf("peer %q is listed twice", p)
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, nil
}

// formatPeers writes peers as the editor takes them.
func formatPeers(peers []string) string { return strings.Join(peers, ", ") }

// parseAutoLock reads an auto-lock delay: "never" (or "off", "0") or a Go
// duration such as 90s, 5m or 1h, at least MinAutoLock.
func parseAutoLock(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "":
		return 0, errors.New("type a delay like 90s, 5m or 1h, or never")
	case "never", "off", "0":
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a delay: write it like 90s, 5m or 1h, or never", s)
	}
	if d < MinAutoLock {
		return 0, fmt.Errorf("auto-lock must be at least %s, or never", formatDuration(MinAutoLock))
	}
	return d, nil
}

// formatDuration writes an auto-lock delay the way the presets are named.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "never"
	case d > time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// stepAutoLock returns the preset before (dir < 0) or after d; a delay that
// is not a preset steps to the nearest preset in that direction.
func stepAutoLock(d time.Duration, dir int) time.Duration {
	if dir > 0 {
		for _, p := range autoLockPresets {
			if p > d {
				return p
			}
		}
		return autoLockPresets[0]
	}
	for i := len(autoLockPresets) - 1; i >= 0; i-- {
		if autoLockPresets[i] < d {
			return autoLockPresets[i]
		}
	}
	return autoLockPresets[len(autoLockPresets)-1]
}

// normUnits maps a configured units value to UnitsBTC or UnitsSats.
func normUnits(u string) string {
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "sats", "sat":
		return UnitsSats
	}
	return UnitsBTC
}

// unitsLabel names the units as the page shows them.
func unitsLabel(u string) string {
	if u == UnitsSats {
		return "sats"
	}
	return "BTC"
}

// parseExportDir reads the export folder; empty is the current directory.
func parseExportDir(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "\x00\n") {
		return "", errors.New("a folder name cannot hold a newline or a NUL byte")
	}
	return s, nil
}

// formatExportDir names the export folder.
func formatExportDir(s string) string {
	if s == "" {
		return "the current folder"
	}
	return s
}
