package wallet

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// copyHelp is the Copy binding with a help text naming what it copies.
func copyHelp(b key.Binding, what string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, "copy "+what))
}

// copyCmd copies the txid of the selected history entry.
func (m *Overview) copyCmd() tea.Cmd {
	e, ok := m.Selected()
	if !ok {
		return nil
	}
	return common.Copy(common.CopyItem{What: "txid", Text: e.Txid.String()})
}

// copyCmd offers the address shown and, with an amount, the payment
// request (BIP21 URI).
func (m *Receive) copyCmd() tea.Cmd {
	if m.addr == nil {
		return nil
	}
	items := []common.CopyItem{{What: "address", Text: m.addr.EncodeAddress()}}
	if m.amount > 0 && m.uri != "" {
		items = append(items, common.CopyItem{What: "payment request", Text: m.uri})
	}
	return common.Copy(items...)
}
