// Package settings is the Settings tab of the TUI: the theme, the units
// amounts are shown in, the default fee rate, the peers to connect to and
// the auto-lock delay.
//
// The page edits a Settings value. Every committed change is written at
// once through Saver (the root's adapter writes config.toml) in a tea.Cmd,
// one save at a time so that an older value never overwrites a newer one.
// After a successful save the page emits ChangedMsg; the root applies the
// theme, units, fee rate and auto-lock at once, while peers apply at the
// next start. Values are checked as they are typed and a bad one is never
// saved. While a text field has focus the page takes every key; the root
// asks Model.Capturing before treating a key as global.
package settings
