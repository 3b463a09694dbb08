// Package common holds what every TUI page shares: the Common value handed
// to each page (terminal size, styles, key bindings and a context), the
// Component interface that pages and their parts implement so that the root
// model can size them and show their help, the shared KeyMap, list cursor
// movement, QR codes, and the text helpers every page lays out its lines
// with (Fit, PadLeft, PadRight, ShortID, WordWrap, HardWrap, FormatInt),
// which measure in terminal cells so that styled and wide text lines up.
//
// The root model owns one Common, updates its size on tea.WindowSizeMsg and
// passes copies down; pages never read the terminal themselves.
package common
