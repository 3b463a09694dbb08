// Package airgap joins what crosses the air gap between an online wallet
// and a signing device as QR codes: the parts of a BC-UR (ur:crypto-psbt,
// ur:psbt, ur:crypto-account, ...) or of a BBQr series (B$...), scanned in
// any order and any number of times. The CLI's psbt import and wallet
// import --ur read them with it, as the app's pasted parts do.
package airgap

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/psbtx"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// MaxInput bounds what ReadParts reads: 16 MiB of parts.
const MaxInput = 16 << 20

// ErrIncomplete is returned when parts run out before the series is whole.
var ErrIncomplete = errors.New("the parts are incomplete")

// Joiner collects the parts of one UR or one BBQr series. The zero value
// is not ready; use NewJoiner. A Joiner is for one goroutine.
type Joiner struct {
	urDec  *ur.Decoder
	joiner *bbqr.Joiner
}

// NewJoiner returns an empty Joiner.
func NewJoiner() *Joiner { return &Joiner{} }

// Add takes one part. It reports whether the part was new; a repeated one
// is ignored. A part of the other format, or text that is neither, is an
// error and leaves the Joiner as it was.
func (j *Joiner) Add(part string) (isNew bool, err error) {
	part = strings.TrimSpace(part)
	switch {
	case strings.HasPrefix(strings.ToLower(part), "ur:"):
		if j.joiner != nil {
			return false, errors.New("a UR part among BBQr parts")
		}
		if j.urDec == nil {
			j.urDec = ur.NewDecoder()
		}
		return j.urDec.Receive(part)
	case bbqr.IsPart(part):
		if j.urDec != nil {
			return false, errors.New("a BBQr part among UR parts")
		}
		if j.joiner == nil {
			j.joiner = bbqr.NewJoiner()
		}
		return j.joiner.Add(part)
	}
	return false, fmt.Errorf("%q is neither a UR (ur:...) nor a BBQr part (B$...)", short(part))
}

// Started reports whether any part was taken.
func (j *Joiner) Started() bool { return j.urDec != nil || j.joiner != nil }

// Complete reports whether the series is whole.
func (j *Joiner) Complete() bool {
	return (j.urDec != nil && j.urDec.Complete()) || (j.joiner != nil && j.joiner.Complete())
}

// Progress says how far the series is, for example "12 of ~20 parts".
func (j *Joiner) Progress() string {
	switch {
	case j.urDec != nil:
		return j.urDec.Progress().String()
	case j.joiner != nil:
		have, total := j.joiner.Progress()
		return fmt.Sprintf("%d of %d parts", have, total)
	}
	return "no parts"
}

// UR returns the joined UR; nil when the parts were BBQr or are not
// complete.
func (j *Joiner) UR() *ur.UR {
	if j.urDec == nil || !j.urDec.Complete() {
		return nil
	}
	return j.urDec.Result()
}

// PSBT returns the binary PSBT the complete series carries, checked to
// parse: a ur:crypto-psbt or ur:psbt, or a BBQr series of file type P.
func (j *Joiner) PSBT() ([]byte, error) {
	if !j.Complete() {
		return nil, fmt.Errorf("%w: %s", ErrIncomplete, j.Progress())
	}
	var raw []byte
	if j.urDec != nil {
		var err error
		if raw, err = ur.DecodePSBT(j.urDec.Result()); err != nil {
			return nil, err
		}
	} else {
		ft, data, err := j.joiner.Result()
		if err != nil {
			return nil, err
		}
		if ft != bbqr.PSBT {
			return nil, fmt.Errorf("the parts carry a %s, not a PSBT", ft)
		}
		raw = data
	}
	if _, err := psbtx.Parse(raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// ReadParts reads parts, one a line (blank lines skipped), until the
// series is complete, calling onNew (when set) with the progress after
// each new part. It stops at MaxInput bytes.
func ReadParts(in io.Reader, onNew func(progress string)) (*Joiner, error) {
	j := NewJoiner()
	sc := bufio.NewScanner(io.LimitReader(in, MaxInput))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		isNew, err := j.Add(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if isNew && onNew != nil {
			onNew(j.Progress())
		}
		if j.Complete() {
			return j, nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read the parts: %w", err)
	}
	if !j.Started() {
		return nil, errors.New("no UR or BBQr parts were given")
	}
	return nil, fmt.Errorf("%w: %s; add the missing ones", ErrIncomplete, j.Progress())
}

// short cuts s for an error message.
func short(s string) string {
	if len(s) > 24 {
		return s[:21] + "..."
	}
	return s
}
