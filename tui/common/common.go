package common

import (
	"context"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/themes"
)

// Common is the state every page receives from the root model: the size it
// may draw in, the theme's styles and the key bindings, and a context that
// is cancelled when the TUI shuts down so that commands started by a page
// can stop.
type Common struct {
	ctx    context.Context
	Width  int
	Height int
	// Styles are the theme's styles, shared by every page: the root
	// changes the value it points to when the user picks another theme.
	Styles *themes.Styles
	KeyMap KeyMap
}

// NewCommon returns a Common with the default styles (DefaultStyles) and key
// bindings. A nil ctx is replaced by context.Background so that Context
// never returns nil.
func NewCommon(ctx context.Context, width, height int) Common {
	if ctx == nil {
		ctx = context.Background()
	}
	return Common{
		ctx:    ctx,
		Width:  width,
		Height: height,
		Styles: DefaultStyles(),
		KeyMap: DefaultKeyMap(),
	}
}

// SetSize records the size a page may draw in.
func (c *Common) SetSize(width, height int) {
	c.Width = width
	c.Height = height
}

// Context returns the TUI's context; commands check it before long work.
func (c Common) Context() context.Context {
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

// Component is a page or a part of one. Beyond tea.Model it can be resized by
// its parent and lists its key bindings for the help bar (ShortHelp) and the
// help overlay (FullHelp), which is how every binding reaches the user.
type Component interface {
	tea.Model
	help.KeyMap
	SetSize(width, height int)
}

// RefreshMsg asks the pages that show wallet state to read it again; the
// root model sends it to every page after a scan step, a new block or a
// new transaction (tui/wallet names it wallet.RefreshMsg).
type RefreshMsg struct{}
