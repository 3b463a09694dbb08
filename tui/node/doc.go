// Package node holds the Node page of the TUI: the light node's sync
// progress, its peers (with their services and ban state) and the tail of
// satchel.log.
//
// The page reads everything through a Source, which the app adapts from
// lightnode. Reads run in a tea.Cmd, never in Update or View, and their
// results carry the model's ID and a sequence number, so an answer meant for
// another page, or older than what is shown, is ignored. The page re-reads on
// a timer and whenever it receives a RefreshMsg, which the root model sends
// when the node publishes an event (new tip, peer up or down, ban).
//
// The log (log.go) is satchel.log's slog text lines, parsed in the read
// command and laid out by View: the time and the level in columns, then
// the message and its key=value fields, wrapped under the message rather
// than cut. Lines written before this process started are left out by
// default (WithLogSince): they are earlier runs', such as the CLI commands
// `make demo` runs to set its wallets up, and would read as if this run
// had done them. Lines in another format are shown as they are.
package node
