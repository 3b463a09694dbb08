package animqr

import (
	"strings"

	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// urSource shows a UR as an endless fountain of upper-case parts.
type urSource struct{ e *ur.Encoder }

func (s urSource) Next() string { return strings.ToUpper(s.e.NextPart()) }
func (s urSource) Len() int     { return s.e.SeqLen() }

// urFragmentFor returns the longest fragment whose parts of type typ fit a
// QR code of version at level L, leaving room for six-digit part numbers.
func urFragmentFor(typ string, version int) int {
	const overhead = 22 + 4 // a part's CBOR header, at most, and the CRC
	chars := bbqr.Capacity(version) - len("ur:"+typ+"/") - len("999999-9999/")
	return max(chars/2-overhead, ur.DefaultMinFragmentLen)
}

// URSource shows a UR as an endless fountain of upper-case parts (QR's
// alphanumeric mode), each as long as a code of the density's version
// holds.
func URSource(u *ur.UR) NewSource {
	return func(version int) (Source, error) {
		e, err := ur.NewEncoder(u, urFragmentFor(u.Type, version))
		if err != nil {
			return nil, err
		}
		return urSource{e}, nil
	}
}

// cycleSource shows fixed parts over and over.
type cycleSource struct {
	parts []string
	i     int
}

func (s *cycleSource) Next() string {
	p := s.parts[s.i%len(s.parts)]
	s.i++
	return p
}
func (s *cycleSource) Len() int { return len(s.parts) }

// BBQrSource shows the BBQr parts of raw, split for codes of the
// density's version, over and over.
func BBQrSource(raw []byte, ft bbqr.FileType) NewSource {
	return func(version int) (Source, error) {
		s, err := bbqr.Split(raw, ft, bbqr.WithVersions(1, version))
		if err != nil {
			return nil, err
		}
		return &cycleSource{parts: s.Parts}, nil
	}
}
