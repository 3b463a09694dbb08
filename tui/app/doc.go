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
package app
