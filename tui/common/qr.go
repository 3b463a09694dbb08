package common

import (
	"bytes"
	"strings"

	"github.com/mdp/qrterminal/v3"
	"rsc.io/qr"
)

// QRLevels are the error correction levels pages try, best first: a lower
// level gives a smaller code, which may fit where the better one does not.
var QRLevels = []qr.Level{qr.M, qr.L}

// QRCode is a QR code drawn with half-block characters, two module rows per
// line, with a one-module quiet zone. Pages draw its lines in the theme's QR
// style, which makes the light modules (the blocks) light on black.
type QRCode struct {
	Lines []string
	Width int // in cells, the same for every line
}

// RenderQR draws text as a QR code at level. It reports false when text does
// not fit in a QR code at that level.
func RenderQR(text string, level qr.Level) (QRCode, bool) {
	// qrterminal ignores the encoder's error and then fails while drawing,
	// so check first.
	if _, err := qr.Encode(text, level); err != nil {
		return QRCode{}, false
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
	return QRCode{Lines: lines, Width: w}, true
}

// RenderQRs draws text at each of QRLevels that it fits, best first; none
// for empty text.
func RenderQRs(text string) []QRCode {
	if text == "" {
		return nil
	}
	var out []QRCode
	for _, lvl := range QRLevels {
		if c, ok := RenderQR(text, lvl); ok {
			out = append(out, c)
		}
	}
	return out
}
