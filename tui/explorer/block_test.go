package explorer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/lightnode/verify"
	"github.com/satchelbtc/satchel/tui/common"
)

// newBlockView builds a sized block page for block 546 served by src and,
// when load is set, runs its loading commands.
func newBlockView(t testing.TB, src BlockSource, b *wire.MsgBlock, w, h int, load bool) *BlockView {
	t.Helper()
	v := NewBlockView(common.NewCommon(t.Context(), w, h), src, block546Height, b.BlockHash())
	if load {
		runDetail(t, v, v.Init())
	}
	return v
}

func blockContent(v *BlockView) string { return v.View().Content }

func TestBlockView(t *testing.T) {
	b := loadBlock546(t)
	tests := []struct {
		name string
		w, h int
		keys []string
		want []string // what a user must see
	}{
		{"80x24", 80, 24, nil, []string{
			"Block 546 · 4 transactions", block546Hash, "verified ✓ merkle root",
			"2009-01-15 06:08:20 UTC", "1d00ffff", "50.00000000 BTC", "tx 1 of 4",
			"> 0  e980fe9f792d014e73b95203d",
		}},
		{"120x40", 120, 40, []string{"j", "j"}, []string{
			"6b0f8a73a56c04b519f1883e8aafda643ba61a30bd1439969df21bea5f4e27e2", "tx 3 of 4",
			"e10a7f8442ea6cc6803a2b83713765c0b1199924110205f601f90fef125e7dfe",
		}},
		{"50x20", 50, 20, []string{"G"}, []string{"tx 4 of 4", "nonce", "verified ✓"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newBlockView(t, newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b}), b, tt.w, tt.h, true)
			for _, k := range tt.keys {
				press(t, v, k)
			}
			got := blockContent(v)
			for _, s := range tt.want {
				if !strings.Contains(got, s) {
					t.Errorf("view does not show %q", s)
				}
			}
			golden.RequireEqual(t, got)
		})
	}
}

func TestBlockViewStates(t *testing.T) {
	b := loadBlock546(t)
	serve := func() *fakeBlockSource { return newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b}) }

	t.Run("loading", func(t *testing.T) {
		v := newBlockView(t, serve(), b, 80, 24, false)
		got := blockContent(v)
		if !strings.Contains(got, "loading…") || strings.Contains(got, "verified") {
			t.Fatalf("a page that has read nothing does not say it is loading:\n%s", got)
		}
		golden.RequireEqual(t, got)
	})
	t.Run("header_only", func(t *testing.T) {
		// The header is local and quick; the block may still be on its way.
		src := serve()
		v := newBlockView(t, src, b, 80, 24, false)
		v.Update(readBlockHeader(src, v.id, v.seq, block546Height))
		got := blockContent(v)
		if !strings.Contains(got, "loading…") || !strings.Contains(got, "e10a7f8442ea6cc6803a2b83713765c0b119") {
			t.Fatalf("header fields not shown while the block loads:\n%s", got)
		}
		golden.RequireEqual(t, got)
	})
	t.Run("block_error", func(t *testing.T) {
		src := serve()
		src.blockErr = errors.New("no peer sent the block: 3 peers asked, 1 banned for a bad merkle root")
		v := newBlockView(t, src, b, 80, 24, true)
		got := blockContent(v)
		if !strings.Contains(got, "Could not load the block") || !strings.Contains(got, "3 peers asked") ||
			strings.Contains(got, "verified") {
			t.Fatalf("error not shown:\n%s", got)
		}
		golden.RequireEqual(t, got)

		// Enter tries again and recovers once the block can be had.
		src.blockErr = nil
		if msgs := press(t, v, "enter"); len(msgs) != 0 {
			t.Fatalf("enter on a failed page emitted %v instead of retrying", msgs)
		}
		if got := blockContent(v); !strings.Contains(got, "verified ✓ merkle root") {
			t.Fatalf("retry did not load the block:\n%s", got)
		}
	})
	t.Run("reorged", func(t *testing.T) {
		// The store now has another block at height 546.
		src := serve()
		other := b.Header
		other.Nonce++
		src.headers[block546Height] = &other
		v := newBlockView(t, src, b, 80, 24, true)
		if got := blockContent(v); !strings.Contains(got, "no longer in the best chain") {
			t.Fatalf("a block off the best chain was not reported:\n%s", got)
		}
	})
	t.Run("bad_merkle_root", func(t *testing.T) {
		// A source that breaks its promise is caught, not shown as verified.
		bad := *b
		bad.Transactions = b.Transactions[:3]
		src := serve()
		src.blocks[b.BlockHash()] = &bad
		v := newBlockView(t, src, b, 80, 24, true)
		got := blockContent(v)
		if strings.Contains(got, "verified") || !strings.Contains(got, "Could not load the block") {
			t.Fatalf("a block with a wrong merkle root was shown as verified:\n%s", got)
		}
		if !verify.IsErrorCode(v.err, verify.ErrBadMerkleRoot) {
			t.Errorf("error %v is not a bad merkle root", v.err)
		}
	})
}

func TestBlockViewKeys(t *testing.T) {
	b := loadBlock546(t)
	src := newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b})
	tests := []struct {
		name string
		keys []string
		want int // tx opened by enter
	}{
		{"coinbase first", nil, 0},
		{"j", []string{"j"}, 1},
		{"down twice", []string{"down", "down"}, 2},
		{"G", []string{"G"}, 3},
		{"j past the end", []string{"j", "j", "j", "j", "j"}, 3},
		{"k at the top", []string{"k"}, 0},
		{"G then g", []string{"G", "g"}, 0},
		{"pgdown clamps", []string{"pgdown"}, 3},
		{"pgup clamps", []string{"G", "pgup"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newBlockView(t, src, b, 80, 24, true)
			for _, k := range tt.keys {
				if msgs := press(t, v, k); len(msgs) != 0 {
					t.Fatalf("key %q emitted %v", k, msgs)
				}
			}
			msgs := press(t, v, "enter")
			tx := b.Transactions[tt.want]
			want := TxSelectedMsg{Txid: tx.TxHash(), BlockHash: b.BlockHash(), Height: block546Height, Tx: tx}
			if len(msgs) != 1 || msgs[0] != want {
				t.Fatalf("enter emitted %#v, want tx %d %v", msgs, tt.want, want.Txid)
			}
			marked := fmt.Sprintf("> %d  %s", tt.want, tx.TxHash().String()[:20])
			if got := blockContent(v); !strings.Contains(got, marked) {
				t.Errorf("selected tx %d is not marked:\n%s", tt.want, got)
			}
		})
	}

	t.Run("esc", func(t *testing.T) {
		for _, load := range []bool{true, false} {
			v := newBlockView(t, src, b, 80, 24, load)
			if msgs := press(t, v, "esc"); len(msgs) != 1 || msgs[0] != (BackMsg{}) {
				t.Fatalf("esc (loaded %v) emitted %v, want BackMsg", load, msgs)
			}
		}
	})
	t.Run("enter while loading", func(t *testing.T) {
		v := newBlockView(t, src, b, 80, 24, false)
		_, cmd := v.Update(detailKey("enter"))
		if cmd != nil {
			t.Fatalf("enter before the block is loaded returned a command")
		}
	})
}

// TestBlockViewNoIO checks that only the page's commands read the source:
// keys, resizes and frames read nothing.
func TestBlockViewNoIO(t *testing.T) {
	b := loadBlock546(t)
	src := newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b})
	v := newBlockView(t, src, b, 80, 24, false)
	cmd := v.Init()
	if src.blockCalls+src.headerCalls != 0 {
		t.Fatalf("Init read the source itself")
	}
	runDetail(t, v, cmd)
	if src.blockCalls != 1 {
		t.Fatalf("loading fetched the block %d times", src.blockCalls)
	}
	before := src.blockCalls + src.headerCalls
	for _, k := range []string{"j", "G", "k", "g", "pgdown", "pgup"} {
		v.Update(detailKey(k))
		_ = blockContent(v)
	}
	v.SetSize(120, 40)
	v.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	_ = blockContent(v)
	if after := src.blockCalls + src.headerCalls; after != before {
		t.Fatalf("Update or View read the source %d times", after-before)
	}
}

// TestBlockViewStaleResults checks that an answer for another page, or for
// a load that a retry replaced, is ignored.
func TestBlockViewStaleResults(t *testing.T) {
	b := loadBlock546(t)
	src := newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b})
	a := newBlockView(t, src, b, 80, 24, false)
	other := newBlockView(t, src, b, 80, 24, false)

	a.Update(readBlock(t.Context(), src, other.id, other.seq, block546Height, b.BlockHash(), &chaincfg.MainNetParams))
	if a.state != stateLoading {
		t.Fatal("page applied another page's block")
	}

	failed := &fakeBlockSource{blockErr: errors.New("timeout"), headers: src.headers}
	a.load()
	old := readBlock(t.Context(), failed, a.id, a.seq, block546Height, b.BlockHash(), &chaincfg.MainNetParams)
	a.load()
	a.Update(old)
	if a.state != stateLoading {
		t.Fatal("page applied the answer of a load it had replaced")
	}
	a.Update(readBlock(t.Context(), src, a.id, a.seq, block546Height, b.BlockHash(), &chaincfg.MainNetParams))
	if a.state != stateLoaded {
		t.Fatal("page did not apply the newest load")
	}
}

// TestBlockViewLargeBlock checks that a block of thousands of transactions
// draws only the rows on screen and reaches every one of them.
func TestBlockViewLargeBlock(t *testing.T) {
	const n, height = 4000, 800_000
	b := synthBlock(n)
	src := newFakeBlockSource(map[int32]*wire.MsgBlock{height: b})
	v := NewBlockView(common.NewCommon(t.Context(), 80, 24), src, height, b.BlockHash())
	runDetail(t, v, v.Init())
	if !strings.Contains(blockContent(v), "verified ✓ merkle root") {
		t.Fatalf("synthetic block not verified:\n%s", blockContent(v))
	}
	press(t, v, "G")
	got := blockContent(v)
	if lines := strings.Count(got, "\n") + 1; lines != 24 {
		t.Fatalf("view has %d lines, want 24", lines)
	}
	last := b.Transactions[n-1].TxHash().String()
	if !strings.Contains(got, "tx 4,000 of 4,000") || !strings.Contains(got, "> 3,999  "+last[:20]) {
		t.Fatalf("bottom of the list not shown:\n%s", got)
	}
	msgs := press(t, v, "enter")
	if len(msgs) != 1 || msgs[0].(TxSelectedMsg).Txid != b.Transactions[n-1].TxHash() {
		t.Fatalf("enter on the last tx emitted %v", msgs)
	}
	press(t, v, "pgup")
	if got := blockContent(v); !strings.Contains(got, "tx 3,991 of 4,000") {
		t.Errorf("pgup did not move a page (9 rows):\n%s", got)
	}
}

// TestDetailViewsFit checks every state of both pages at several sizes and
// after a resize: exactly Height lines, none wider than Width.
func TestDetailViewsFit(t *testing.T) {
	b := loadBlock546(t)
	pages := map[string]func(t *testing.T, w, h int) tea.Model{
		"block_loaded": func(t *testing.T, w, h int) tea.Model {
			return newBlockView(t, newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b}), b, w, h, true)
		},
		"block_loading": func(t *testing.T, w, h int) tea.Model {
			return newBlockView(t, newFakeBlockSource(nil), b, w, h, false)
		},
		"block_error": func(t *testing.T, w, h int) tea.Model {
			src := newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b})
			src.blockErr = errors.New(strings.Repeat("the peer hung up while sending the block ", 6))
			return newBlockView(t, src, b, w, h, true)
		},
		"block_large": func(t *testing.T, w, h int) tea.Model {
			sb := synthBlock(20_000)
			v := NewBlockView(common.NewCommon(t.Context(), w, h),
				newFakeBlockSource(map[int32]*wire.MsgBlock{1: sb}), 1, sb.BlockHash())
			runDetail(t, v, v.Init())
			return v
		},
		"tx_coinbase": func(t *testing.T, w, h int) tea.Model {
			return newTxView(t, b.Transactions[0], w, h, nil)
		},
		"tx_spend": func(t *testing.T, w, h int) tea.Model {
			return newTxView(t, b.Transactions[1], w, h, ownsScript(b.Transactions[1].TxOut[1].PkScript))
		},
		"tx_segwit": func(t *testing.T, w, h int) tea.Model {
			return newTxView(t, segwitTx(t), w, h, nil)
		},
	}
	sizes := []struct{ w, h int }{{80, 24}, {120, 40}, {60, 20}, {40, 10}, {20, 5}, {1, 1}}
	check := func(t *testing.T, m tea.Model, w, h int) {
		t.Helper()
		lines := strings.Split(m.View().Content, "\n")
		if len(lines) != h {
			t.Errorf("view has %d lines, want %d", len(lines), h)
		}
		for i, l := range lines {
			if lw := lipgloss.Width(l); lw > w {
				t.Errorf("line %d is %d wide, more than %d: %q", i, lw, w, l)
			}
		}
	}
	for name, mk := range pages {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", name, sz.w, sz.h), func(t *testing.T) {
				m := mk(t, sz.w, sz.h)
				check(t, m, sz.w, sz.h)
				for _, k := range []string{"G", "pgup", "j"} {
					m.Update(detailKey(k))
					check(t, m, sz.w, sz.h)
				}
			})
		}
		t.Run(name+"/resize", func(t *testing.T) {
			m := mk(t, 120, 40)
			m.Update(detailKey("G"))
			c := m.(common.Component)
			c.SetSize(80, 24)
			check(t, m, 80, 24)
			c.SetSize(40, 10)
			check(t, m, 40, 10)
			c.SetSize(120, 40)
			check(t, m, 120, 40)
		})
	}
}

func TestBlockViewHelp(t *testing.T) {
	b := loadBlock546(t)
	v := newBlockView(t, newFakeBlockSource(nil), b, 80, 24, false)
	km := common.DefaultKeyMap()
	var keys []string
	for _, g := range v.FullHelp() {
		for _, k := range g {
			keys = append(keys, k.Help().Key)
		}
	}
	for _, want := range []key.Binding{km.Enter, km.Back, km.Down, km.PageDown} {
		if !strings.Contains(strings.Join(keys, " "), want.Help().Key) {
			t.Errorf("help overlay does not list %q", want.Help().Key)
		}
	}
}
