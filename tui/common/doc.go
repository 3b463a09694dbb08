// Package common holds what every TUI page shares: the Common value handed
// to each page (terminal size, the theme's styles, key bindings and a
// context), the Component interface that pages and their parts implement so
// that the root model can size them and show their help, the shared KeyMap,
// list cursor movement and QR codes.
//
// Pages draw only with Common.Styles, the whole themes.Styles of the theme
// in use; the root shares one value with every page and replaces it in
// place when the user picks another theme. Line draws a row of differently
// styled spans so that a theme's background runs across it, and
// InputStyles and InputView give every text field the same theme styles.
//
// The text helpers (Fit, PadLeft, PadRight, ShortID, WordWrap, HardWrap,
// FormatInt) measure in terminal cells, so that styled and wide text lines
// up; every page lays out its lines with them.
//
// The root model owns one Common, updates its size on tea.WindowSizeMsg and
// passes copies down; pages never read the terminal themselves.
package common
