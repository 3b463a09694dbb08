package common

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// CopyItem is one piece of text a page offers to copy: What names it for
// the user ("txid", "address", "receive descriptor"), Text is copied as it
// is.
type CopyItem struct {
	What string
	Text string
}

// CopyMsg asks the root model to put text on the clipboard. With one item
// the root copies it at once; with several it lets the user choose. Pages
// send it with Copy when the Copy key (y) is pressed; they never write to
// the terminal themselves.
type CopyMsg struct {
	Items []CopyItem
}

// Copy returns a command that asks the root model to copy the items that
// have text; it returns nil when none has.
func Copy(items ...CopyItem) tea.Cmd {
	var keep []CopyItem
	for _, it := range items {
		if it.Text != "" {
			keep = append(keep, it)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	msg := CopyMsg{Items: keep}
	return func() tea.Msg { return msg }
}

// Clipboard says whether the terminal is expected to take a copy by OSC 52,
// the escape sequence that sets the system clipboard. A terminal that does
// not take it cannot say so, so this is a guess from the environment.
type Clipboard int

const (
	// ClipboardOSC52 is a terminal that probably takes OSC 52: the copy is
	// sent, and the user can ask to see the text if nothing was pasted.
	ClipboardOSC52 Clipboard = iota
	// ClipboardTmux is OSC 52 inside tmux, which passes it on only with
	// its set-clipboard option on.
	ClipboardTmux
	// ClipboardNone is a terminal known to have no clipboard (the Linux
	// console, a dumb terminal): the text is shown for selecting instead.
	ClipboardNone
)

// ClipboardFor guesses from the environment's TERM and TMUX whether the
// terminal takes OSC 52. getenv is os.Getenv or tea.EnvMsg.Getenv.
func ClipboardFor(getenv func(string) string) Clipboard {
	term := getenv("TERM")
	switch {
	case term == "", term == "dumb", term == "linux", term == "cons25", strings.HasPrefix(term, "vt"):
		return ClipboardNone
	case getenv("TMUX") != "":
		return ClipboardTmux
	}
	return ClipboardOSC52
}
