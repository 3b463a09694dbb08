// Package common holds what every TUI page shares: the Common value handed
// to each page (terminal size, styles, key bindings and a context), the
// Component interface that pages and their parts implement so that the root
// model can size them and show their help, and the shared KeyMap.
//
// The root model owns one Common, updates its size on tea.WindowSizeMsg and
// passes copies down; pages never read the terminal themselves.
package common
