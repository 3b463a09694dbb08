// Package wizard is the TUI's first-run wizard, shown by the root model when
// the chosen network has no wallet yet. It walks the user through one of
// four ways to get a wallet:
//
//   - create: pick a script type and 12 or 24 words, see the new words once
//     in a numbered grid, type three of them back, add an optional BIP39
//     passphrase and choose a password;
//   - restore: type the words one at a time with BIP39 autocomplete (or
//     paste the phrase), see unknown words and the checksum checked live,
//     add the passphrase if there is one, give the wallet's birthday (a
//     height or a date, optional), then pick the script type or let
//     satchel find the types the seed used (session.DiscoverScriptTypes
//     over the filters, with a progress bar; each kept type becomes a
//     wallet), and choose a password;
//   - import watch-only: paste a descriptor or an extended public key,
//     checked live against the network (and an optional change
//     descriptor), and the optional birthday;
//   - multisig: paste a wsh/sh-wsh multi or sortedmulti descriptor,
//     checked live with its threshold and cosigners, and the birthday; it
//     is imported as `satchel wallet import --descriptor` does.
//
// Watch-only wallets have no password. A weak password (keystore/pwcheck)
// is taken only after a second enter.
//
// Every call to Source (making the words, reading the chain tip, discovery,
// writing the wallet) runs in a tea.Cmd whose result carries the model's ID
// and a sequence number, so a result that was overtaken (the user went
// back) is dropped. Discovery runs in a goroutine the command starts; its
// progress comes back one message at a time, each read by a command
// issued again, and esc cancels its context. When the wallet is written
// the model emits DoneMsg and the root opens the wallet.
//
// While a text field has focus, Capturing reports true and the root must
// send every key here instead of treating q, digits, tab or ? as global.
package wizard
