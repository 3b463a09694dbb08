package psbt

import (
	tea "charm.land/bubbletea/v2"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// copyCmd copies the PSBT shown as base64 text, and offers the txid too
// once it is broadcast.
func (m *Model) copyCmd() tea.Cmd {
	if m.packet == nil {
		return nil
	}
	b64, err := psbtx.EncodeBase64(m.packet)
	if err != nil {
		m.err = "Could not copy: " + err.Error()
		return nil
	}
	return common.Copy(common.CopyItem{What: "PSBT (base64)", Text: b64}, common.CopyItem{What: "txid", Text: m.txid})
}
