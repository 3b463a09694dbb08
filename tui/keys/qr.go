package keys

import (
	"strings"

	"charm.land/lipgloss/v2"
	"rsc.io/qr"
)

// qrStyle draws the code light-on-dark whatever the terminal's colours, so
// that its light modules (drawn as blocks) are light for scanners.
var qrStyle = lipgloss.NewStyle().Foreground(lipgloss.Color("15")).Background(lipgloss.Color("0"))

// qrQuiet is the quiet zone around the code, in modules.
const qrQuiet = 1

// qrLevels are the error correction levels tried, best first: a lower level
// gives a smaller code, which may fit where the better one does not.
var qrLevels = []qr.Level{qr.M, qr.L}

// qrCode is a QR code drawn with half-block characters, two module rows per
// line; every line is width cells.
type qrCode struct {
	lines []string
	width int
}

// renderQR draws text as a QR code at level, or reports false when text
// does not fit in a QR code at that level.
func renderQR(text string, level qr.Level) (qrCode, bool) {
	c, err := qr.Encode(text, level)
	if err != nil {
		return qrCode{}, false
	}
	n := c.Size + 2*qrQuiet
	light := func(x, y int) bool {
		if y >= n {
			return false // below the code: the dark background
		}
		return !c.Black(x-qrQuiet, y-qrQuiet)
	}
	code := qrCode{width: n}
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		b.Reset()
		for x := range n {
			switch top, bottom := light(x, y), light(x, y+1); {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		code.lines = append(code.lines, b.String())
	}
	return code, true
}

// renderQRs draws text at each of qrLevels that it fits, best first.
func renderQRs(text string) []qrCode {
	if text == "" {
		return nil
	}
	var out []qrCode
	for _, lvl := range qrLevels {
		if c, ok := renderQR(text, lvl); ok {
			out = append(out, c)
		}
	}
	return out
}
