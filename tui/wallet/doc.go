// Package wallet holds the Wallet tab's pages of the TUI: the overview
// (balance and transaction history), the receive page (a fresh address,
// its BIP21 payment request and a QR code), the coins page and the send
// flow (form, coin control, review).
//
// The pages read the wallet through Source, SendSource and CoinsSource,
// which the app adapts from the session. Two optional interfaces add what
// only a live wallet and node can give: a SendSource that is also a
// FeeSource gets fee suggestions on the send form, and a Source that is
// also a GapSource gets a warning before an address beyond the gap limit.
// Reads and writes happen only in tea.Cmds; their results carry the page's
// ID and a sequence number, so an answer meant for another page, or
// overtaken by a newer request, is ignored. Update and View never touch
// the wallet.
//
// Coin control and the coins page build, sort and lay out their rows with
// the same functions (coins.go), so that both list coins alike.
//
// The overview emits TxSelectedMsg when the user opens a transaction and
// ReceiveRequestedMsg when the user asks to receive; the root model routes
// them. The receive page takes text while its amount field is focused;
// the root asks Receive.Capturing before treating a key as global.
package wallet
