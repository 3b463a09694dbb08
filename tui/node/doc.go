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
package node
