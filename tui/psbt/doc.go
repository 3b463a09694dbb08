// Package psbt is the app's PSBT page: the whole lifecycle of a partially
// signed transaction (BIP174) in one place. A PSBT comes in from a file
// (a path field that completes file names with tab), as pasted base64, or
// as the parts of an animated QR code (UR or BBQr, pasted in any order,
// with the progress shown). The page then reviews exactly what it pays,
// from the open wallet's point of view: each input's value and what
// proves it, each output and whether it is ours or change, the fee and
// its rate, and the warnings. It signs with the held keys or a password
// (showing, input by input, why anything was left unsigned), combines it
// with another copy, finalizes it, exports it to the export folder (its
// absolute path shown) and shows it as an animated QR code.
//
// Online, a Broadcaster sends the finalized transaction; without one (the
// offline signer, satchel --offline) the page never offers to.
//
// The page does its reading, writing and signing in tea.Cmds; Update and
// View touch neither the disk nor the wallet.
package psbt
