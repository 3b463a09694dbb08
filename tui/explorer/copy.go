package explorer

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// copyBinding is the Copy key (y) with a help text naming what it copies
// on the page.
func copyBinding(k common.KeyMap, what string) key.Binding {
	return key.NewBinding(key.WithKeys(k.Copy.Keys()...), key.WithHelp(k.Copy.Help().Key, "copy "+what))
}

// scriptAddress is the address an output script pays, or "" for a script
// with no single address (bare multisig, pay-to-pubkey, OP_RETURN).
func scriptAddress(script []byte, net *chaincfg.Params) string {
	if net == nil {
		return ""
	}
	class, addrs, _, err := txscript.ExtractPkScriptAddrs(script, net)
	if err != nil || len(addrs) != 1 || class == txscript.PubKeyTy || class == txscript.MultiSigTy {
		return ""
	}
	return addrs[0].EncodeAddress()
}

// copyCmd offers the txid and, for the selected input, the outpoint it
// spends and that output's address where known, then the outputs'
// addresses; the root asks which one when there are several.
func (v *TxView) copyCmd() tea.Cmd {
	if v.tx == nil {
		return nil
	}
	items := []common.CopyItem{{What: "txid", Text: v.txid.String()}}
	if v.canOpenInputs() && v.sel >= 0 && v.sel < len(v.tx.TxIn) {
		op := v.tx.TxIn[v.sel].PreviousOutPoint
		name := "input #" + strconv.Itoa(v.sel)
		if v.info != nil {
			if p, ok := v.info.Prevouts[op]; ok {
				items = append(items, common.CopyItem{What: name + " address", Text: scriptAddress(p.PkScript, v.net)})
			}
		}
		items = append(items, common.CopyItem{What: name + " outpoint", Text: op.String()})
	}
	for i, o := range v.tx.TxOut {
		what := "output #" + strconv.Itoa(i) + " address"
		if v.owns != nil && v.owns(o.PkScript) {
			what += " (ours)"
		}
		items = append(items, common.CopyItem{What: what, Text: scriptAddress(o.PkScript, v.net)})
	}
	return common.Copy(items...)
}

// copyCmd offers the block's hash and the txid of the transaction under
// the cursor.
func (v *BlockView) copyCmd() tea.Cmd {
	items := []common.CopyItem{{What: "block hash", Text: v.hash.String()}}
	if v.state == stateLoaded && v.cursor >= 0 && v.cursor < len(v.rows) {
		items = append(items, common.CopyItem{What: "txid", Text: v.rows[v.cursor].hash})
	}
	return common.Copy(items...)
}

// copyCmd copies the selected block's hash once it is read.
func (m *Model) copyCmd() tea.Cmd {
	h, ok := m.Selected()
	if !ok {
		return nil
	}
	r, ok := m.row(h)
	if !ok {
		return nil
	}
	return common.Copy(common.CopyItem{What: "block hash", Text: r.Hash})
}

// copyCmd offers the address and the txid under the cursor.
func (v *AddressView) copyCmd() tea.Cmd {
	items := []common.CopyItem{{What: "address", Text: v.addr}}
	if v.state == stateLoaded && v.cursor >= 0 && v.cursor < len(v.rows) {
		items = append(items, common.CopyItem{What: "txid", Text: v.rows[v.cursor].hash})
	}
	return common.Copy(items...)
}
