package keys

import (
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// copyCmd copies the item whose QR code is shown: the xpub, the receive
// or the change descriptor.
func (m *Model) copyCmd() tea.Cmd {
	if !m.hasAccount {
		return nil
	}
	text := m.account.Xpub
	switch m.item {
	case qrReceive:
		text = m.account.Receive
	case qrChange:
		text = m.account.Change
	}
	return common.Copy(common.CopyItem{What: m.item.String(), Text: text})
}
