// Package explorer holds the block explorer pages of the TUI.
//
// The blocks list (Model) shows block headers newest first over the whole
// chain. It never holds the chain in memory: it keeps only the rows on
// screen, read from a HeaderSource by a tea.Cmd whenever the visible window
// moves past what it has, so Update and View never touch storage. Results
// carry the model's ID and a sequence number, so a late answer for an old
// window or another page is ignored.
//
// Pressing enter emits a BlockSelectedMsg; the root model routes it to the
// block page (not written yet).
package explorer
