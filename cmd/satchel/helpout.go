package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// helpOutput is where the help goes: w itself on a terminal, else w
// through a trimWriter. fang lays the help out in blocks padded with
// spaces to the terminal's width; in a pipe or a file the padding is only
// noise (and trailing spaces a diff or grep trips over).
func helpOutput(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return w
	}
	return &trimWriter{w: w}
}

// trimWriter drops the spaces at the end of every line it passes on. It
// holds back a run of spaces until it sees what follows: more text lets
// them through, a line break or the end of the output drops them. Nothing
// else is buffered, so it needs no flush.
type trimWriter struct {
	w      io.Writer
	spaces int
	buf    []byte
}

func (t *trimWriter) Write(p []byte) (int, error) {
	t.buf = t.buf[:0]
	for _, b := range p {
		switch b {
		case ' ':
			t.spaces++
			continue
		case '\n', '\r':
			t.spaces = 0
		default:
			for ; t.spaces > 0; t.spaces-- {
				t.buf = append(t.buf, ' ')
			}
		}
		t.buf = append(t.buf, b)
	}
	if _, err := t.w.Write(t.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
