// Package themes holds satchel's colour palettes and the lipgloss styles the
// TUI draws with.
//
// A [Palette] is a small set of named colours (background, foreground, accents,
// status colours, selection). Four palettes ship with satchel, see [Builtin];
// users add their own as TOML files in the themes/ folder under satchel's
// config folder, read by [Load]. A user file only names the colours it wants
// to change; the rest come from the "default" palette:
//
//	# $XDG_CONFIG_HOME/satchel/themes/mine.toml
//	name   = "mine"       # optional; the file name (without .toml) otherwise
//	accent = "#ff9900"
//	error  = "#ff5555"
//
// Mistakes in a theme file (a colour that is not "#rrggbb", a misspelt key)
// are reported as a [*FileError] naming the file and the key, so the user can
// fix it; satchel does not silently fall back to another colour.
//
// [Find] picks a palette by name, user themes first, so a user file may
// replace a built-in one. [NewStyles] turns a palette into [Styles], the
// lipgloss styles every TUI component takes from its common context instead
// of building its own. When [NoColor] reports that the user asked for no
// colour (https://no-color.org), NewStyles builds styles that use only bold,
// underline and reverse video, and keeps the same layout (padding, borders),
// so a screen looks the same apart from colour.
//
// The package depends on lipgloss and the TOML decoder only; it has no state
// of its own and does no I/O except in Load.
package themes
