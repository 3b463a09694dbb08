package wallet

// Coin control: the list of the wallet's coins from which the user chooses
// the ones a payment spends, and what the payment may spend with or without
// a choice.

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// available returns what the payment may spend: the chosen coins, or the
// spendable balance; known is false before the coins were read.
func (m *Send) available() (total btcutil.Amount, chosen, known bool) {
	if len(m.chosen) > 0 {
		for _, c := range m.coins {
			if m.chosen[c.out.OutPoint] {
				total += c.out.Value
			}
		}
		return total, true, true
	}
	return m.spendable, false, m.loaded
}

// chosenCoins returns the chosen coins in list order.
func (m *Send) chosenCoins() []wire.OutPoint {
	var ops []wire.OutPoint
	for _, c := range m.coins {
		if m.chosen[c.out.OutPoint] {
			ops = append(ops, c.out.OutPoint)
		}
	}
	return ops
}

// coinsKey handles a key on the coin control list.
func (m *Send) coinsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.KeyMap
	switch {
	case key.Matches(msg, k.DoneCoins), key.Matches(msg, k.CoinControl):
		m.state = sendStateForm
		m.validate()
	case key.Matches(msg, k.ToggleCoin):
		if m.coinCursor < len(m.coins) {
			c := m.coins[m.coinCursor]
			switch {
			case m.chosen[c.out.OutPoint]:
				delete(m.chosen, c.out.OutPoint)
			case !c.mature:
				m.coinNote = "That coin is newly mined and cannot be spent until it has 100 confirmations."
				return nil
			default:
				m.chosen[c.out.OutPoint] = true
			}
			m.coinNote = ""
			m.cancelDraft()
			m.validate()
		}
	case common.MoveCursor(msg, m.common.KeyMap, &m.coinCursor, &m.coinOffset, len(m.coins), m.coinRows()):
		m.clampCoins()
	}
	return nil
}

// coinHeaderLines is the height above the coin rows: title, note, column
// titles.
const coinHeaderLines = 3

// coinDetailShown reports whether the list is tall enough for the lines
// about the coin under the cursor (a blank line, outpoint, address,
// label), which show what the table cuts short.
func (m *Send) coinDetailShown() bool { return m.common.Height >= coinsDetailH }

func (m *Send) coinRows() int {
	n := m.common.Height - coinHeaderLines - 1
	if m.coinDetailShown() {
		n -= coinsDetail
	}
	return max(n, 0)
}

func (m *Send) clampCoins() {
	m.coinCursor, m.coinOffset = common.ClampCursor(m.coinCursor, m.coinOffset, len(m.coins), m.coinRows())
}
