// Package wizard is the TUI's first-run wizard, shown by the root model when
// the chosen network has no wallet yet. It walks the user through one of
// three ways to get a wallet:
//
//   - create: pick a script type and 12 or 24 words, see the new words once
//     in a numbered grid, type three of them back, add an optional BIP39
//     passphrase and choose a password;
//   - restore: pick a script type, type the words one at a time with BIP39
//     autocomplete (or paste the phrase), see unknown words and the
//     checksum checked live, add the passphrase if there is one and choose
//     a password;
//   - import watch-only: paste a descriptor or an extended public key,
//     checked live against the network (and an optional change descriptor).
//     Like `satchel wallet import`, a watch-only wallet has no password.
//
// Every call to Source (making the words, writing the wallet) runs in a
// tea.Cmd whose result carries the model's ID and a sequence number, so a
// result that was overtaken (the user went back) is dropped. When the
// wallet is written the model emits DoneMsg and the root opens the wallet.
//
// While a text field has focus, Capturing reports true and the root must
// send every key here instead of treating q, digits, tab or ? as global.
package wizard
