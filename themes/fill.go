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
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(bg)
		cells, ownBg := 0, false
		walkLine(line, func(piece string, w int, sgr string, isSGR bool) {
			b.WriteString(piece)
			cells += w
			if isSGR {
				var reset bool
				if ownBg, reset = sgrBackground(sgr, ownBg); reset {
					b.WriteString(bg)
				}
			}
		})
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

// walkLine splits a line into escape sequences and runs of text and calls
// fn with each piece, its width in cells, and for an SGR sequence (CSI ...
// m) its parameters. It is Fill's hot loop: text without escapes and ASCII
// text are measured without grapheme clustering.
func walkLine(line string, fn func(piece string, width int, sgr string, isSGR bool)) {
	for len(line) > 0 {
		if line[0] != ansi.ESC {
			j := strings.IndexByte(line, ansi.ESC)
			if j < 0 {
				j = len(line)
			}
			fn(line[:j], textWidth(line[:j]), "", false)
			line = line[j:]
			continue
		}
		if len(line) > 1 && line[1] == '[' {
			j := 2
			for j < len(line) && (line[j] < 0x40 || line[j] > 0x7e) {
				j++
			}
			if j < len(line) {
				params := line[2:j]
				sgr := line[j] == 'm' && strings.Trim(params, "0123456789;:") == ""
				fn(line[:j+1], 0, params, sgr)
				line = line[j+1:]
				continue
			}
		}
		// Anything else (OSC hyperlinks, a lone ESC): let the decoder say
		// where it ends.
		seq, w, n, _ := ansi.DecodeSequence(line, ansi.NormalState, nil)
		if n <= 0 {
			n = 1
		}
		fn(seq, w, "", false)
		line = line[n:]
	}
}

// textWidth is the width in cells of text holding no escapes.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// sgrBackground follows an SGR sequence's parameters ("1;38;2;1;2;3",
// "48:5:3", "" for a reset): whether a background of the span's own is
// set afterwards (given whether one was before), and whether the sequence
// put the background back to the terminal's default (a reset, or 49),
// after which the theme's must be set again.
func sgrBackground(params string, ownBg bool) (own, reset bool) {
	if params == "" {
		return false, true // CSI m: a full reset
	}
	skip := 0 // arguments of a 38/48/58 colour still to pass over
	for len(params) > 0 {
		f := params
		if j := strings.IndexByte(params, ';'); j >= 0 {
			f, params = params[:j], params[j+1:]
		} else {
			params = ""
		}
		colon := strings.IndexByte(f, ':')
		if colon >= 0 {
			// 38:2::R:G:B and the like carry their arguments with them.
			f = f[:colon]
		}
		v := 0
		for k := 0; k < len(f); k++ {
			v = v*10 + int(f[k]-'0')
		}
		if skip > 0 {
			if skip == 5 { // the colour's kind: 5;N or 2;R;G;B
				switch v {
				case 5:
					skip = 1
				case 2:
					skip = 3
				default:
					skip = 0
				}
			} else {
				skip--
			}
			continue
		}
		switch {
		case v == 0 || v == 49:
			ownBg, reset = false, true
		case v >= 40 && v <= 47, v >= 100 && v <= 107:
			ownBg, reset = true, false
		case v == 48 || v == 38 || v == 58:
			if v == 48 {
				ownBg, reset = true, false
			}
			if colon < 0 {
				skip = 5
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
	for i, l := range strings.Split(frame, "\n") {
		cells, hasBg, missing := 0, false, -1
		walkLine(l, func(piece string, w int, sgr string, isSGR bool) {
			switch {
			case isSGR:
				hasBg, _ = sgrBackground(sgr, hasBg)
			case w > 0 && !hasBg && missing < 0:
				missing = cells
			}
			cells += w
		})
		if missing >= 0 {
			return i, missing, true
		}
		if cells < width {
			return i, cells, true
		}
	}
	return 0, 0, false
}
