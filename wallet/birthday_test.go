package wallet

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseBirthday(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    Birthday
		wantErr string
	}{
		{in: "", want: UnknownBirthday},
		{in: "  ", want: UnknownBirthday},
		{in: "812345", want: Birthday{Height: 812345}},
		{in: "812,345", want: Birthday{Height: 812345}},
		{in: "812_345", want: Birthday{Height: 812345}},
		{in: "0", want: Birthday{Height: 0}},
		{in: "2024-03-01", want: Birthday{Height: -1, Date: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}},
		{in: "2026-12-08", want: Birthday{Height: -1, Date: time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)}}, // tomorrow somewhere
		{in: "2008-10-31", want: Birthday{Height: 0}},                                                      // before the genesis block
		{in: "2026-12-09", wantErr: "the date is in the future"},
		{in: "2024-13-01", wantErr: `"2024-13-01" is not a date: write it as YYYY-MM-DD`},
		{in: "2024-3-1", wantErr: "is not a date"},
		{in: "-5", wantErr: "neither a block height"},
		{in: "12ab", wantErr: "neither a block height (e.g. 812345) nor a date (YYYY-MM-DD)"},
		{in: "99999999999", wantErr: "neither a block height"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBirthday(tt.in, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseBirthday(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Height != tt.want.Height || !got.Date.Equal(tt.want.Date) {
				t.Fatalf("ParseBirthday(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := ParseBirthday("2030-01-01", now); !errors.Is(err, ErrBirthdayFuture) {
		t.Errorf("a future date: %v, want ErrBirthdayFuture", err)
	}
}

// blockTime is the timestamp testChain gives the block at height.
func blockTime(height int32) time.Time { return time.Unix(1_700_000_000+int64(height)*600, 0) }

func TestHeightForTime(t *testing.T) {
	c := newTestChain()
	for range 400 {
		c.mine()
	}
	tip := c.SyncedHeight()
	tests := []struct {
		name  string
		date  time.Time
		want  int32
		found bool
	}{
		// A day is 144 blocks of the test chain.
		{"a day after block 200", blockTime(200).Add(BirthdayMargin), 200, true},
		{"a second later", blockTime(200).Add(BirthdayMargin + time.Second), 201, true},
		{"before the chain", blockTime(0).Add(-48 * time.Hour), 0, true},
		{"the tip's day", blockTime(tip).Add(BirthdayMargin), tip, true},
		{"past the tip", blockTime(tip).Add(BirthdayMargin + time.Hour), -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, found, err := HeightForTime(tt.date, tip, c.BlockHeader)
			if err != nil || h != tt.want || found != tt.found {
				t.Fatalf("HeightForTime = %d, %v, %v; want %d, %v", h, found, err, tt.want, tt.found)
			}
		})
	}
}

// dateWallet is newTestWallet's account as a second wallet whose birthday
// is a date.
func dateWallet(t *testing.T, date time.Time) *Wallet {
	t.Helper()
	base, _ := newTestWallet(t)
	info, err := base.Info()
	if err != nil {
		t.Fatal(err)
	}
	w, err := Create(filepath.Join(t.TempDir(), "date.db"), base.Network(),
		&CreateConfig{Receive: info.Receive, Change: info.Change, BirthdayHeight: -1, BirthdayDate: date})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// TestScanFromBirthdayDate checks that a birthday date makes the first
// scan start a day before it, and that a date the headers do not reach yet
// is looked up once they do, finding the payments after it.
func TestScanFromBirthdayDate(t *testing.T) {
	c := newTestChain()
	for range 300 {
		c.mine()
	}
	date := blockTime(250).Add(BirthdayMargin).Truncate(time.Second)
	w := dateWallet(t, date)
	info, err := w.Info()
	if err != nil || !info.BirthdayDate.Equal(date.UTC()) || info.BirthdayHeight != -1 {
		t.Fatalf("Info: birthday %d / %v, %v; want -1 / %v", info.BirthdayHeight, info.BirthdayDate, err, date)
	}
	c.mine(c.pay(script(t, w, ReceiveBranch, 0))) // height 301: after the birthday
	res := scan(t, w, c)
	if res.From != 250 {
		t.Errorf("the scan started at %d, want 250 (the first block a day before the date)", res.From)
	}
	if len(viewOf(t, w).History) != 1 {
		t.Errorf("history %v, want the payment of block 301", viewOf(t, w).History)
	}

	// A date past the tip: nothing to scan yet, and the chain up to the
	// tip counts as scanned, so the next scan goes on from there.
	c2 := newTestChain()
	for range 100 {
		c2.mine()
	}
	w2 := dateWallet(t, blockTime(250).Add(BirthdayMargin))
	res = scan(t, w2, c2)
	if w2.ScanHeight() != 100 || res.BlocksFetched != 0 {
		t.Fatalf("scan before the date: height %d, %d blocks fetched; want 100, 0", w2.ScanHeight(), res.BlocksFetched)
	}
	for c2.SyncedHeight() < 300 {
		c2.mine()
	}
	c2.mine(c2.pay(script(t, w2, ReceiveBranch, 0)))
	res = scan(t, w2, c2)
	if res.From != 101 || len(viewOf(t, w2).History) != 1 {
		t.Errorf("scan after the date: from %d, history %v; want 101 and one payment", res.From, viewOf(t, w2).History)
	}
}
