// Package app holds the TUI's root model: the tab bar, the pages behind each
// tab, the help overlay and the status bar.
//
// The root owns one common.Common and hands a copy to every page it builds.
// Its Update does three things only: it handles the global keys (tabs, help,
// quit), it turns the pages' navigation messages into page changes (the
// explorer's list → block → transaction stack, the wallet's overview ↔
// receive), and it forwards everything else. Keys go to the page on screen;
// other messages go to every page, which keep only the async results that
// carry their own ID.
//
// The status bar is read from the node's Source in a tea.Cmd, on a timer and
// whenever the node publishes an event. Events arrive through a command that
// reads one value from Sources.Events and is issued again after each value,
// so no goroutine outlives the channel or the context.
//
// Copying (copy.go): pages answer the Copy key (y) with a common.CopyMsg.
// The root copies a single item at once, or opens a chooser for several,
// with tea.SetClipboard (OSC 52), and names the copy in the status line
// until the next key; y right after it shows the text whole for selecting
// by hand, since a terminal that drops OSC 52 cannot say so. Where the
// program's environment (tea.EnvMsg) says the terminal has no clipboard
// (TERM=linux, dumb) the text is shown at once; inside tmux the status
// line names the set-clipboard option OSC 52 needs there.
package app
