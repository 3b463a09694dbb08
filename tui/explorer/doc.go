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
// block page (BlockView), which shows the header, checks the block against
// it (merkle root, malleation, witness commitment) and lists its
// transactions. Enter on a transaction emits TxSelectedMsg for the
// transaction page (TxView): inputs, outputs with addresses and decoded
// scripts, witnesses, and this wallet's outputs marked. Esc on either emits
// BackMsg.
package explorer
