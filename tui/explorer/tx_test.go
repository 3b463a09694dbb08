package explorer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
)

// newTxView builds a sized transaction page for a transaction of block 546
// (or any other) on mainnet.
func newTxView(t testing.TB, tx *wire.MsgTx, w, h int, owns func([]byte) bool) *TxView {
	t.Helper()
	hash, err := chainhash.NewHashFromStr(block546Hash)
	if err != nil {
		t.Fatal(err)
	}
	return NewTxView(common.NewCommon(t.Context(), w, h), tx, *hash, block546Height, &chaincfg.MainNetParams, owns)
}

// ownsScript returns an owns func that claims exactly the given scripts.
func ownsScript(scripts ...[]byte) func([]byte) bool {
	return func(s []byte) bool {
		for _, o := range scripts {
			if bytes.Equal(s, o) {
				return true
			}
		}
		return false
	}
}

// seq returns n bytes counting up from start, to make recognisable data.
func seq(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

// Scripts of the segwit test transaction's outputs.
var (
	p2wpkhScript   = append([]byte{0x00, 0x14}, seq(0x10, 20)...)
	p2trScript     = append([]byte{0x51, 0x20}, seq(0x40, 32)...)
	opReturnScript = append([]byte{0x6a, 0x07}, "satchel"...)
	p2shScript     = append(append([]byte{0xa9, 0x14}, seq(0x70, 20)...), 0x87)
)

// segwitTx spends a p2wpkh and a taproot output to four kinds of output.
func segwitTx(t testing.TB) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.LockTime = 845_000
	prev, err := chainhash.NewHashFromStr("a1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d")
	if err != nil {
		t.Fatal(err)
	}
	in0 := wire.NewTxIn(wire.NewOutPoint(prev, 7), nil, [][]byte{
		append(append([]byte{0x30, 0x44}, seq(0x02, 68)...), 0x01), // DER signature + sighash byte
		append([]byte{0x02}, seq(0xa0, 32)...),                     // compressed pubkey
	})
	in1 := wire.NewTxIn(wire.NewOutPoint(prev, 12), nil, [][]byte{seq(0xc0, 64), {}})
	in1.Sequence = 0xfffffffd
	tx.AddTxIn(in0)
	tx.AddTxIn(in1)
	tx.AddTxOut(wire.NewTxOut(125_000, p2wpkhScript))
	tx.AddTxOut(wire.NewTxOut(2_100_000_000, p2trScript))
	tx.AddTxOut(wire.NewTxOut(0, opReturnScript))
	tx.AddTxOut(wire.NewTxOut(99_999, p2shScript))
	return tx
}

func txContent(v *TxView) string { return v.View().Content }

func TestTxView(t *testing.T) {
	b := loadBlock546(t)
	spend := b.Transactions[1]
	tests := []struct {
		name string
		tx   *wire.MsgTx
		owns func([]byte) bool
		w, h int
		keys []string
		want []string
		not  []string
	}{
		{"coinbase_80x24", b.Transactions[0], nil, 80, 24, nil, []string{
			"Transaction · coinbase", "e980fe9f792d014e73b95203dc1335c5f9ce19ac537a419e6df5b47aecb93b70",
			"#0         coinbase (new coins and fees)", "04ffff001d029105 (8 bytes)", "50.00000000 BTC  p2pk",
			"OP_CHECKSIG", "135 B · 135 vB · 540 WU",
		}, []string{"ours"}},
		{"spend_ours_120x40", spend, ownsScript(spend.TxOut[1].PkScript), 120, 40, nil, []string{
			"35288d269cee1941eaebb2ea85e32b42cdb2b04284a56d8b14dcc3f5c65d6055:0",
			"35288d269cee1941eaebb2ea85e32b42cdb2b04284a56d8b14dcc3f5c65d6055:1",
			"24.00000000 BTC  p2pk  ours", "389 B · 389 vB · 1,556 WU",
			"483045022100aa46…198127d3f7df1501 (73 bytes)",
		}, []string{"coinbase"}},
		{"segwit_80x24", segwitTx(t), ownsScript(p2trScript), 80, 24, nil, []string{
			"a1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d:7",
			"witness  3044020304050607…3f40414243444501 (71 bytes)",
			"02a0a1a2a3a4a5a6…b8b9babbbcbdbebf (33 bytes)",
			"(empty)", "sequence 0xfffffffd", "0.00125000 BTC  p2wpkh",
			"bc1qzqg3yyc5z5tpwxqergd3c8g7ruszzg3r8jj72z",
			"RBF          yes: input #1 signals replaceability (BIP125)",
			"fee          unknown: the values of the inputs are not known here",
		}, nil},
		{"segwit_scrolled_80x24", segwitTx(t), ownsScript(p2trScript), 80, 24, []string{"pgdown"}, []string{
			"OP_RETURN data", "OP_RETURN 7361746368656c", "p2sh", "3BwZWUCCuWC3pUDWbc9DKduYeHuq85WQrs",
			"21.00000000 BTC  p2tr  ours", "bc1pgpq5ys6yg4rywjzfff95cn2wfag9z5jn2324v46ct9d9khzate0sj7j58l",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTxView(t, tt.tx, tt.w, tt.h, tt.owns)
			for _, k := range tt.keys {
				press(t, v, k)
			}
			got := txContent(v)
			text := ansi.Strip(got)
			for _, s := range tt.want {
				if !strings.Contains(text, s) {
					t.Errorf("view does not show %q", s)
				}
			}
			// The wallet's outputs are marked in the accent style.
			if mark := v.common.Styles.Accent.Render("ours"); strings.Contains(text, "  ours") != strings.Contains(got, mark) {
				t.Errorf("the ours mark is not drawn in the accent style:\n%q", got)
			}
			for _, s := range tt.not {
				if strings.Contains(got, s) {
					t.Errorf("view shows %q", s)
				}
			}
			golden.RequireEqual(t, got)
		})
	}
}

// TestTxViewOurs checks that exactly the outputs the wallet owns are marked.
func TestTxViewOurs(t *testing.T) {
	tx := segwitTx(t)
	for i, out := range tx.TxOut {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			v := newTxView(t, tx, 120, 60, ownsScript(out.PkScript))
			got := txContent(v)
			if n := strings.Count(got, "ours"); n != 1 {
				t.Fatalf("%d outputs marked ours, want 1:\n%s", n, got)
			}
			for _, l := range strings.Split(got, "\n") {
				if strings.Contains(l, "ours") && !strings.Contains(l, fmt.Sprintf("#%d ", i)) {
					t.Errorf("ours mark on the wrong line: %q", l)
				}
			}
		})
	}
	v := newTxView(t, tx, 120, 60, nil)
	if strings.Contains(txContent(v), "ours") {
		t.Error("an output is marked ours without a wallet")
	}
}

// TestTxViewSizes checks size, vsize and weight against btcd's weight
// rules for a legacy and a segwit transaction.
func TestTxViewSizes(t *testing.T) {
	b := loadBlock546(t)
	for name, tx := range map[string]*wire.MsgTx{"legacy": b.Transactions[2], "segwit": segwitTx(t)} {
		t.Run(name, func(t *testing.T) {
			weight := blockchain.GetTransactionWeight(btcutil.NewTx(tx))
			want := fmt.Sprintf("%s B · %s vB · %s WU", common.FormatInt(int64(tx.SerializeSize())),
				common.FormatInt((weight+3)/4), common.FormatInt(weight))
			if got := txContent(newTxView(t, tx, 80, 24, nil)); !strings.Contains(got, want) {
				t.Fatalf("sizes %q not shown:\n%s", want, got)
			}
		})
	}
}

func TestTxViewScroll(t *testing.T) {
	tx := segwitTx(t)
	total := len(newTxView(t, tx, 80, 24, nil).lines)
	if total <= 23 {
		t.Fatalf("test needs a transaction longer than a screen; it has %d lines", total)
	}
	last := total - 23 // offset of the last screen
	tests := []struct {
		name string
		keys []string
		want int
	}{
		{"top", nil, 0},
		{"j", []string{"j"}, 1},
		{"down k", []string{"down", "down", "k"}, 1},
		{"k at top", []string{"k"}, 0},
		{"pgdown", []string{"pgdown"}, min(23, last)},
		{"pgdown pgup", []string{"pgdown", "pgup"}, 0},
		{"G", []string{"G"}, last},
		{"G j stays", []string{"G", "j"}, last},
		{"G g", []string{"G", "g"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTxView(t, tx, 80, 24, nil)
			for _, k := range tt.keys {
				if msgs := press(t, v, k); len(msgs) != 0 {
					t.Fatalf("key %q emitted %v", k, msgs)
				}
			}
			if v.offset != tt.want {
				t.Fatalf("scrolled to line %d, want %d", v.offset, tt.want)
			}
			lines := strings.Split(txContent(v), "\n")
			if lines[0] != v.lines[tt.want] {
				t.Errorf("first line shown is %q, want %q", lines[0], v.lines[tt.want])
			}
			footer := fmt.Sprintf("lines %d–%d of %d", tt.want+1, tt.want+23, total)
			if !strings.Contains(lines[23], footer) {
				t.Errorf("footer %q, want %q", lines[23], footer)
			}
		})
	}
	t.Run("esc", func(t *testing.T) {
		v := newTxView(t, tx, 80, 24, nil)
		if msgs := press(t, v, "esc"); len(msgs) != 1 || msgs[0] != (BackMsg{}) {
			t.Fatalf("esc emitted %v, want BackMsg", msgs)
		}
	})
	t.Run("resize keeps the page full", func(t *testing.T) {
		v := newTxView(t, tx, 80, 24, nil)
		press(t, v, "G")
		v.SetSize(120, 60)
		if v.offset != 0 {
			t.Errorf("a page that fits the screen is scrolled to line %d", v.offset)
		}
		if got := txContent(v); !strings.Contains(got, "all ") {
			t.Errorf("footer does not say everything is shown:\n%s", got)
		}
	})
}

// TestTxViewUpdateIgnoresOthers checks that messages other than keys leave
// the page alone.
func TestTxViewUpdateIgnoresOthers(t *testing.T) {
	v := newTxView(t, segwitTx(t), 80, 24, nil)
	before := txContent(v)
	if _, cmd := v.Update(tea.WindowSizeMsg{Width: 10, Height: 3}); cmd != nil || txContent(v) != before {
		t.Fatal("a message that is not a key changed the page")
	}
}

func TestShortHex(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, "(empty)"},
		{[]byte{0xab}, "ab (1 byte)"},
		{seq(0, 16), "000102030405060708090a0b0c0d0e0f (16 bytes)"},
		{seq(0, 17), "0001020304050607…090a0b0c0d0e0f10 (17 bytes)"},
	}
	for _, tt := range tests {
		if got := shortHex(tt.in); got != tt.want {
			t.Errorf("shortHex(%x) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
