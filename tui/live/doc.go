// Package live feeds the app's pages from a running wallet session and
// light node: the adapters between tui/app's Sources and the session,
// lightnode and wallet packages. cmd/satchel builds them; the pages only see
// their own small interfaces (explorer.SearchSource, node.Source,
// tuiapp.Wallet and so on).
package live
