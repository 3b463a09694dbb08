package wallet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/wire/v2"
)

// BirthdayMargin is how long before a birthday date the scan starts. A
// block's timestamp may be about two hours off the time it was mined, and a
// date names a whole day in some time zone; a day earlier is safe and costs
// only about 144 blocks.
const BirthdayMargin = 24 * time.Hour

// BirthdayDateLayout is how a birthday date is written: 2024-03-01.
const BirthdayDateLayout = time.DateOnly

// Birthday is when a wallet was first used: a block height, a date, or
// neither (UnknownBirthday: scan from the start). The zero value is height
// 0, the whole chain too.
type Birthday struct {
	// Height is the first block that can hold the wallet's transactions,
	// or -1.
	Height int32
	// Date, when Height is -1, is the day (UTC midnight) of the wallet's
	// first transaction; the scan starts at the first block whose
	// timestamp is at or after Date minus BirthdayMargin, found in the
	// header chain once the headers reach it. Zero when unknown.
	Date time.Time
}

// UnknownBirthday scans from the start of the chain.
var UnknownBirthday = Birthday{Height: -1}

// Known reports whether the birthday says anything.
func (b Birthday) Known() bool { return b.Height >= 0 || !b.Date.IsZero() }

// String writes the birthday as ParseBirthday reads it; "" when unknown.
func (b Birthday) String() string {
	switch {
	case b.Height >= 0:
		return strconv.Itoa(int(b.Height))
	case !b.Date.IsZero():
		return b.Date.UTC().Format(BirthdayDateLayout)
	}
	return ""
}

// ErrBirthdayFuture is returned for a birthday date after today.
var ErrBirthdayFuture = errors.New("the date is in the future")

// ParseBirthday reads a birthday as a person types it: a block height
// (812345, or 812,345 / 812_345), a date (2024-03-01) or "" for unknown.
// now is today, to refuse dates in the future (a day of slack for time
// zones).
func ParseBirthday(s string, now time.Time) (Birthday, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return UnknownBirthday, nil
	}
	if strings.Count(s, "-") == 2 && len(s) >= 8 {
		d, err := time.ParseInLocation(BirthdayDateLayout, s, time.UTC)
		if err != nil {
			return UnknownBirthday, fmt.Errorf("%q is not a date: write it as YYYY-MM-DD, e.g. 2024-03-01", s)
		}
		if d.After(now.UTC().Add(24 * time.Hour)) {
			return UnknownBirthday, fmt.Errorf("%s: %w; give the day of the wallet's first payment, or leave it empty", s, ErrBirthdayFuture)
		}
		if d.Before(time.Date(2009, 1, 3, 0, 0, 0, 0, time.UTC)) {
			// Before the genesis block: the whole chain.
			return Birthday{Height: 0}, nil
		}
		return Birthday{Height: -1, Date: d}, nil
	}
	digits := strings.NewReplacer(",", "", "_", "", " ", "").Replace(s)
	h, err := strconv.ParseInt(digits, 10, 32)
	if err != nil || h < 0 || digits == "" || digits[0] == '+' || digits[0] == '-' {
		return UnknownBirthday, fmt.Errorf("%q is neither a block height (e.g. 812345) nor a date (YYYY-MM-DD)", s)
	}
	return Birthday{Height: int32(h)}, nil
}

// HeightForTime returns the first block of the chain up to tip whose
// timestamp is at or after t minus BirthdayMargin, reading headers with
// header. found is false when even tip is older: the headers do not reach
// the date yet. Timestamps are not strictly increasing, but never more than
// a few hours out of order, which the margin covers.
func HeightForTime(t time.Time, tip int32, header func(height int32) (*wire.BlockHeader, error)) (height int32, found bool, err error) {
	if tip < 0 {
		return -1, false, nil
	}
	start := t.Add(-BirthdayMargin)
	older := func(h int32) (bool, error) {
		hdr, err := header(h)
		if err != nil {
			return false, fmt.Errorf("header at height %d: %w", h, err)
		}
		return hdr.Timestamp.Before(start), nil
	}
	if o, err := older(tip); err != nil || o {
		return -1, false, err
	}
	lo, hi := int32(0), tip // the answer is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo)/2
		o, err := older(mid)
		if err != nil {
			return -1, false, err
		}
		if o {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, true, nil
}
