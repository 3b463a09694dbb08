package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// MoveCursor applies one of k's list keys (up, down, page up and down, top,
// bottom) to a list's selection and scroll offset, and reports whether msg
// was one of them. The caller clamps afterwards with ClampCursor.
func MoveCursor(msg tea.KeyPressMsg, k KeyMap, cursor, offset *int, total, visible int) bool {
	page := max(visible, 1)
	switch {
	case key.Matches(msg, k.Down):
		*cursor++
	case key.Matches(msg, k.Up):
		*cursor--
	case key.Matches(msg, k.PageDown):
		*cursor += page
		*offset += page
	case key.Matches(msg, k.PageUp):
		*cursor -= page
		*offset -= page
	case key.Matches(msg, k.Top):
		*cursor = 0
	case key.Matches(msg, k.Bottom):
		*cursor = total - 1
	default:
		return false
	}
	return true
}

// ClampCursor keeps a list's selection inside its total rows and the
// selected row inside the visible window, moving the offset as little as
// possible. A window of no rows (visible 0 or less) shows nothing and has
// offset 0.
func ClampCursor(cursor, offset, total, visible int) (int, int) {
	cursor = min(max(cursor, 0), max(total-1, 0))
	if visible <= 0 {
		return cursor, 0
	}
	offset = min(max(offset, 0), max(total-visible, 0))
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+visible {
		offset = cursor - visible + 1
	}
	return cursor, offset
}
