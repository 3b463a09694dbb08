// Package wallet holds the Wallet tab's pages of the TUI: the overview
// (balance and transaction history) and the receive page (a fresh address,
// its BIP21 payment request and a QR code).
//
// Both read the wallet through Source, which the app adapts from
// wallet.Wallet. Reads and writes happen only in tea.Cmds; their results
// carry the page's ID and a sequence number, so an answer meant for another
// page, or overtaken by a newer request, is ignored. Update and View never
// touch the wallet.
//
// The overview emits TxSelectedMsg when the user opens a transaction and
// ReceiveRequestedMsg when the user asks to receive; the root model routes
// them. The receive page takes text while its amount field is focused;
// the root asks Receive.Capturing before treating a key as global.
package wallet
