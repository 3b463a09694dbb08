package keys

import (
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// copyCmd copies the item whose QR code is shown: the xpub (a multisig
// wallet's <0;1> descriptor), the receive or the change descriptor.
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
	case qrBoth:
		if ms := m.account.Multisig; ms != nil {
			text = ms.Descriptor
		}
	}
	return common.Copy(common.CopyItem{What: m.item.String(), Text: text})
}
