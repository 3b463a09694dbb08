// Package explorer holds the block explorer pages of the TUI.
//
// The blocks list (Model) shows block headers newest first over the whole
// chain. It never holds the chain in memory: it keeps only the rows on
// screen, read from a HeaderSource by a tea.Cmd whenever the visible window
// moves past what it has, so Update and View never touch storage. Results
// carry the model's ID and a sequence number, so a late answer for an old
// window or another page is ignored. Transaction counts, which headers do
// not carry, are remembered from the block pages' results as the root
// broadcasts them.
//
// Pressing enter emits a BlockSelectedMsg; the root model routes it to the
// block page (BlockView), which shows the header, checks the block against
// it (merkle root, malleation, witness commitment) and lists its
// transactions. Enter on a transaction emits TxSelectedMsg for the
// transaction page (TxView): inputs, outputs with addresses and decoded
// scripts, witnesses, and this wallet's outputs marked; with a Prover, p
// checks the transaction's inclusion with a BIP37 merkle block. Esc on any
// detail page emits BackMsg.
//
// Search (/ on the blocks list and the block page, given a SearchSource)
// opens a text line; while it is open the page's Capturing reports true
// and it takes every key. A height or a 64-hex hash is looked up in a
// tea.Cmd and opens the block or transaction found; an address of the
// page's network emits AddressSearchMsg, for which the root opens an
// AddressView: it scans compact filters for the address's script, shows
// the scan's progress (delivered through a channel read by a re-issued
// command) and lists the transactions found with a running balance, the
// relayed mempool's among them, naming the blocks it scanned. An
// AddressCache, which the root shares between address pages, keeps each
// address's confirmed history and the block it reaches, so the next search
// of it asks the source only for the blocks since (passing the outputs
// still unspent, so that their spends are found) and starts over after a
// reorg. A / typed while the search line is open clears it.
//
// y on each page copies what it shows (copy.go): the block hash, the
// txid, an input's outpoint or an output's address, the address; the
// page sends common.CopyMsg and the root does the copying.
package explorer
