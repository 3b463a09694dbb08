package themes

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fill paints the theme's background on every cell of a frame of width
// columns: each line is padded with spaces to the full width, and the
// background is set at the start of every line and again after every
// style that resets it (lipgloss ends each styled span with a full reset,
// which would otherwise show the terminal's own background between
// spans). Cells a style gives a background of its own (the selection, the
// status bar, the active tab) keep it. Without colour the frame is
// returned as it is: NO_COLOR means no colour escapes.
func (s *Styles) Fill(frame string, width int) string {
	if s.NoColor || s.Palette.Background == nil || width <= 0 {
		return frame
	}
	bg := ansi.NewStyle().BackgroundColor(s.Palette.Background).String()
	lines := strings.Split(frame, "\n")
	var b strings.Builder
	b.Grow(len(frame) + len(lines)*(2*len(bg)+width/4))
	p := ansi.NewParser()
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(bg)
		var state byte
		cells, ownBg := 0, false
		for len(line) > 0 {
			seq, w, n, next := ansi.DecodeSequence(line, state, p)
			state = next
			line = line[n:]
			b.WriteString(seq)
			cells += w
			if w == 0 && isSGR(seq, p) {
				var reset bool
				if ownBg, reset = sgrBackground(p.Params(), ownBg); reset {
					b.WriteString(bg)
				}
			}
		}
		if pad := width - cells; pad > 0 {
			if ownBg {
				// The line ends inside a span with its own background:
				// the padding is the theme's.
				b.WriteString(ansi.ResetStyle + bg)
			}
			b.WriteString(strings.Repeat(" ", pad))
		}
		b.WriteString(ansi.ResetStyle)
	}
	return b.String()
}

// isSGR reports whether seq, just decoded by p, is a Select Graphic
// Rendition sequence (CSI ... m).
func isSGR(seq string, p *ansi.Parser) bool {
	return ansi.HasCsiPrefix(seq) && ansi.Cmd(p.Command()).Final() == 'm' &&
		ansi.Cmd(p.Command()).Prefix() == 0 && ansi.Cmd(p.Command()).Intermediate() == 0
}

// sgrBackground follows an SGR sequence's parameters: whether a background
// of the span's own is set afterwards (given whether one was before), and
// whether the sequence put the background back to the terminal's default
// (a reset, or 49), after which the theme's must be set again.
func sgrBackground(params ansi.Params, ownBg bool) (own, reset bool) {
	if len(params) == 0 {
		return false, true // CSI m: a full reset
	}
	for i := 0; i < len(params); i++ {
		switch v := params[i].Param(0); {
		case v == 0 || v == 49:
			ownBg, reset = false, true
		case v >= 40 && v <= 47, v >= 100 && v <= 107:
			ownBg, reset = true, false
		case v == 48 || v == 38 || v == 58:
			if v == 48 {
				ownBg, reset = true, false
			}
			// Skip the colour's arguments: 5;N or 2;R;G;B, or the
			// colon-separated sub-parameters.
			if params[i].HasMore() {
				for i < len(params) && params[i].HasMore() {
					i++
				}
				continue
			}
			if i+1 < len(params) {
				switch params[i+1].Param(0) {
				case 5:
					i += 2
				case 2:
					i += 4
				}
			}
		}
	}
	return ownBg, reset
}

// MissingBackground finds the first cell of a frame of width columns (and
// of the frame's lines) that carries no background colour, as the terminal
// would draw it: a line shorter than width counts as missing from its end.
// It returns ok false when every cell has a background. Tests use it to
// check that a theme paints the whole screen.
func MissingBackground(frame string, width int) (line, col int, ok bool) {
	p := ansi.NewParser()
	for i, l := range strings.Split(frame, "\n") {
		var state byte
		cells, hasBg := 0, false
		for len(l) > 0 {
			seq, w, n, next := ansi.DecodeSequence(l, state, p)
			state = next
			l = l[n:]
			if w == 0 {
				if isSGR(seq, p) {
					if own, reset := sgrBackground(p.Params(), hasBg); own {
						hasBg = true
					} else if reset {
						hasBg = false
					}
				}
				continue
			}
			if !hasBg {
				return i, cells, true
			}
			cells += w
		}
		if cells < width {
			return i, cells, true
		}
	}
	return 0, 0, false
}
