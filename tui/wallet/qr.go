package wallet

import (
	"bytes"
	"strings"

	"github.com/mdp/qrterminal/v3"
	"rsc.io/qr"
)

// qrCode is a QR code drawn with half-block characters, two modules per
// line, with a one-module quiet zone.
type qrCode struct {
	lines []string
	width int
}

// renderQR draws text as a QR code at the given error correction level. It
// reports false when text does not fit in a QR code at that level.
func renderQR(text string, level qr.Level) (qrCode, bool) {
	// qrterminal ignores the encoder's error and then fails while drawing,
	// so check first.
	if _, err := qr.Encode(text, level); err != nil {
		return qrCode{}, false
	}
	var buf bytes.Buffer
	qrterminal.GenerateWithConfig(text, qrterminal.Config{
		Level:      level,
		Writer:     &buf,
		HalfBlocks: true,
		QuietZone:  1,
	})
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	w := 0
	for _, l := range lines {
		w = max(w, len([]rune(l)))
	}
	return qrCode{lines: lines, width: w}, true
}
