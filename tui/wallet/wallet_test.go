package wallet

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	core "github.com/satchelbtc/satchel/wallet"
)

// BIP173 and BIP350 mainnet vectors.
const (
	addrWPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
	addrTR   = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
)

var day = time.Date(2025, 1, 28, 16, 5, 0, 0, time.UTC)

// fakeSource is a wallet in memory that counts its reads.
type fakeSource struct {
	balance core.Balance
	height  int32
	history []core.HistoryEntry
	addrs   []string
	next    int
	err     error
	reads   int
}

func (f *fakeSource) Balance() (core.Balance, int32, error) {
	f.reads++
	return f.balance, f.height, f.err
}

func (f *fakeSource) History() ([]core.HistoryEntry, error) {
	f.reads++
	return f.history, f.err
}

func (f *fakeSource) NextAddress() (string, uint32, error) {
	f.reads++
	if f.err != nil {
		return "", 0, f.err
	}
	i := f.next
	f.next++
	return f.addrs[i%len(f.addrs)], uint32(i), nil
}

func txid(s string) chainhash.Hash { return chainhash.HashH([]byte(s)) }

// sampleWallet has a receive, a spend, a coinbase still maturing and an
// unconfirmed receive; History returns them oldest first, as out of order
// as a source may be.
func sampleWallet() *fakeSource {
	return &fakeSource{
		balance: core.Balance{Confirmed: 123_456_789, Unconfirmed: 50_000, Immature: 625_000_000, Total: 748_506_789},
		height:  845_123,
		history: []core.HistoryEntry{
			{Txid: txid("a"), Height: 845_000, BlockTime: day.Add(-48 * time.Hour), Amount: 200_000_000, Label: "salary"},
			{Txid: txid("b"), Height: 845_050, BlockTime: day.Add(-24 * time.Hour), Amount: -76_543_211, Fee: 1_234, Label: "rent — flat 3"},
			{Txid: txid("c"), Height: 845_100, BlockTime: day, Amount: 625_000_000, Label: ""},
			{Txid: txid("d"), Height: 0, Amount: 50_000, Label: "coffee refund"},
		},
		addrs: []string{addrWPKH, addrTR},
	}
}

// run executes cmd and feeds the page's own results back, as the runtime
// would; it returns the first message meant for someone else.
func run(t testing.TB, m tea.Model, cmd tea.Cmd) tea.Msg {
	t.Helper()
	for i := 0; cmd != nil; i++ {
		if i > 10 {
			t.Fatal("page keeps issuing commands")
		}
		msg := cmd()
		switch msg.(type) {
		case overviewMsg, addressMsg:
			_, cmd = m.Update(msg)
		default:
			return msg
		}
	}
	return nil
}

func send(t testing.TB, m tea.Model, msg tea.Msg) tea.Msg {
	t.Helper()
	_, cmd := m.Update(msg)
	return run(t, m, cmd)
}

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	if c, ok := strings.CutPrefix(s, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(c)[0], Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func typeText(t testing.TB, m tea.Model, s string) {
	t.Helper()
	for _, r := range s {
		send(t, m, keyMsg(string(r)))
	}
}

func newOverview(t testing.TB, src Source, w, h int) *Overview {
	t.Helper()
	m := NewOverview(common.NewCommon(t.Context(), w, h), src, WithLocation(time.UTC))
	run(t, m, m.Init())
	return m
}

func newReceive(t testing.TB, src Source, w, h int) *Receive {
	t.Helper()
	m := NewReceive(common.NewCommon(t.Context(), w, h), src, &chaincfg.MainNetParams)
	run(t, m, m.Init())
	return m
}

func plain(v string) string { return ansi.Strip(v) }

func TestOverviewView(t *testing.T) {
	tests := []struct {
		name string
		src  func() *fakeSource
		w, h int
		keys []string
	}{
		{"history_80x24", sampleWallet, 80, 24, nil},
		{"history_120x40", sampleWallet, 120, 40, []string{"j"}},
		{"sats_80x24", sampleWallet, 80, 24, []string{"u"}},
		{"empty_80x24", func() *fakeSource { return &fakeSource{height: 845_123} }, 80, 24, nil},
		{"narrow_50x12", sampleWallet, 50, 12, []string{"G"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newOverview(t, tt.src(), tt.w, tt.h)
			for _, k := range tt.keys {
				send(t, m, keyMsg(k))
			}
			v := m.View().Content
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

func TestOverviewContent(t *testing.T) {
	m := newOverview(t, sampleWallet(), 80, 24)
	v := plain(m.View().Content)
	for _, want := range []string{
		"as of block 845,123",
		"Confirmed    1.23456789 BTC",
		"Immature     6.25000000 BTC",
		"Total        7.48506789 BTC",
		"-0.76543211 BTC",
		"+2.00000000 BTC",
		"salary",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("overview does not show %q:\n%s", want, v)
		}
	}
	// Newest first: the unconfirmed receive, then by height descending.
	lines := strings.Split(v, "\n")
	first := lines[headerLines+1]
	if !strings.Contains(first, "> unconfirmed") || !strings.Contains(first, "+0.00050000 BTC") {
		t.Errorf("first history row is %q, want the unconfirmed receive, selected", first)
	}
	if i, j := strings.Index(v, "2025-01-27"), strings.Index(v, "2025-01-26"); i < 0 || j < 0 || i > j {
		t.Errorf("history is not newest first:\n%s", v)
	}

	send(t, m, keyMsg("u"))
	v = plain(m.View().Content)
	for _, want := range []string{"Confirmed    123,456,789 sat", "-76,543,211 sat", "+50,000 sat"} {
		if !strings.Contains(v, want) {
			t.Errorf("after u the overview does not show %q:\n%s", want, v)
		}
	}
	if m.Units() != UnitsSat {
		t.Errorf("units = %v after u, want sats", m.Units())
	}
	send(t, m, keyMsg("u"))
	if m.Units() != UnitsBTC || !strings.Contains(plain(m.View().Content), "1.23456789 BTC") {
		t.Errorf("second u did not switch back to BTC")
	}
}

func TestOverviewEmpty(t *testing.T) {
	m := newOverview(t, &fakeSource{height: 7}, 80, 24)
	v := plain(m.View().Content)
	if !strings.Contains(v, "No transactions yet — receive some coins (r)") {
		t.Errorf("empty state missing:\n%s", v)
	}
	if msg := send(t, m, keyMsg("enter")); msg != nil {
		t.Errorf("enter on an empty history emitted %#v", msg)
	}
	if msg := send(t, m, keyMsg("r")); msg != (ReceiveRequestedMsg{}) {
		t.Errorf("r emitted %#v, want ReceiveRequestedMsg", msg)
	}
}

func TestOverviewNavigation(t *testing.T) {
	// Newest first: d (unconfirmed), c, b, a.
	order := []string{"d", "c", "b", "a"}
	tests := []struct {
		name string
		keys []string
		want int
	}{
		{"starts at newest", nil, 0},
		{"j moves to older", []string{"j"}, 1},
		{"down arrow", []string{"down", "down"}, 2},
		{"k at top stays", []string{"k"}, 0},
		{"G goes to oldest", []string{"G"}, 3},
		{"j at bottom stays", []string{"G", "j"}, 3},
		{"g returns to newest", []string{"G", "g"}, 0},
		{"pgdown clamps", []string{"pgdown"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newOverview(t, sampleWallet(), 80, 24)
			for _, k := range tt.keys {
				send(t, m, keyMsg(k))
			}
			msg := send(t, m, keyMsg("enter"))
			want := TxSelectedMsg{Txid: txid(order[tt.want])}
			if msg != want {
				t.Fatalf("enter emitted %#v, want %#v", msg, want)
			}
			footer := fmt.Sprintf("transaction %d of 4", tt.want+1)
			if !strings.Contains(m.View().Content, footer) {
				t.Errorf("footer does not say %q", footer)
			}
		})
	}
}

// TestOverviewScrolls checks that a long history draws only a screen and
// keeps the selection visible.
func TestOverviewScrolls(t *testing.T) {
	src := &fakeSource{height: 900_000}
	for i := range 10_000 {
		src.history = append(src.history, core.HistoryEntry{
			Txid: txid(fmt.Sprint(i)), Height: int32(800_000 + i), BlockTime: day, Amount: btcutil.Amount(i + 1),
		})
	}
	m := newOverview(t, src, 80, 24)
	for range 5 {
		send(t, m, keyMsg("pgdown"))
	}
	v := plain(m.View().Content)
	tuitest.AssertFits(t, v, 80, 24)
	sel, _ := m.Selected()
	if !strings.Contains(v, "> ") || !strings.Contains(v, common.ShortID(sel.Txid.String(), 17)) {
		t.Errorf("selected row not on screen:\n%s", v)
	}
	if !strings.Contains(v, fmt.Sprintf("transaction %d of 10,000", 5*16+1)) {
		t.Errorf("footer wrong after 5 pages:\n%s", v)
	}
}

func TestOverviewRefreshKeepsSelection(t *testing.T) {
	src := sampleWallet()
	m := newOverview(t, src, 80, 24)
	send(t, m, keyMsg("j")) // c
	src.history = append(src.history, core.HistoryEntry{Txid: txid("e"), Height: 0, Amount: 1})
	run(t, m, m.Refresh())
	if e, _ := m.Selected(); e.Txid != txid("c") {
		t.Errorf("refresh moved the selection off the selected transaction")
	}
}

func TestOverviewErrorsAndStaleResults(t *testing.T) {
	src := sampleWallet()
	src.err = errors.New("wallet.db: database not open")
	m := newOverview(t, src, 80, 24)
	v := plain(m.View().Content)
	if !strings.Contains(v, "Could not read the wallet: balance: wallet.db: database not open") {
		t.Fatalf("error not shown:\n%s", v)
	}
	src.err = nil
	send(t, m, keyMsg("x"))
	if !strings.Contains(plain(m.View().Content), "as of block 845,123") {
		t.Fatalf("a key press did not retry the read")
	}

	// A result for another page, or an outdated one, is ignored.
	other := newOverview(t, &fakeSource{height: 1}, 80, 24)
	m.Update(other.Refresh()())
	old := m.Refresh()
	newer := m.Refresh()
	src.height = 845_124
	m.Update(old())
	m.Update(newer())
	if v := plain(m.View().Content); !strings.Contains(v, "as of block 845,124") {
		t.Errorf("newest read not applied:\n%s", v)
	}
	m.Update(other.Refresh()())
	if v := plain(m.View().Content); !strings.Contains(v, "as of block 845,124") {
		t.Errorf("another page's read was applied:\n%s", v)
	}
}

func TestReceiveView(t *testing.T) {
	tests := []struct {
		name   string
		w, h   int
		amount string
		newAdr bool
	}{
		{"no_amount_80x24", 80, 24, "", false},
		{"no_amount_120x40", 120, 40, "", false},
		{"amount_80x24", 80, 24, "0.001", false},
		{"amount_sats_120x40", 120, 40, "50000 sat", true},
		{"amount_error_80x24", 80, 24, "1,5", false},
		{"small_60x16", 60, 16, "", false},
		{"taproot_80x24", 80, 24, "", false},
		{"taproot_120x40", 120, 40, "0.001", false},
		{"taproot_narrow_50x20", 50, 20, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := sampleWallet()
			if strings.HasPrefix(tt.name, "taproot") {
				src.addrs = []string{addrTR}
			}
			m := newReceive(t, src, tt.w, tt.h)
			if tt.newAdr {
				send(t, m, keyMsg("n"))
			}
			if tt.amount != "" {
				send(t, m, keyMsg("a"))
				typeText(t, m, tt.amount)
			}
			v := m.View().Content
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

// TestReceiveFullView draws the address alone, in groups of four.
func TestReceiveFullView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {40, 12}} {
		t.Run(fmt.Sprintf("full_%dx%d", size[0], size[1]), func(t *testing.T) {
			src := sampleWallet()
			src.addrs = []string{addrTR}
			m := newReceive(t, src, size[0], size[1])
			send(t, m, keyMsg("enter"))
			v := m.View().Content
			tuitest.AssertFits(t, v, size[0], size[1])
			golden.RequireEqual(t, v)
		})
	}
}

func TestAddressGroups(t *testing.T) {
	tests := []struct {
		a    string
		w    int
		want []string
	}{
		{"bc1qw508d6", 80, []string{"bc1q w508 d6"}},
		{"bc1qw508d6", 9, []string{"bc1q w508", "d6"}},
		{"bc1qw508d6", 2, []string{"bc1q", "w508", "d6"}},
		{"", 10, nil},
	}
	for _, tt := range tests {
		if got := addressGroups(tt.a, tt.w); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("addressGroups(%q, %d) = %q, want %q", tt.a, tt.w, got, tt.want)
		}
	}
}

// gapWallet is fakeSource with a receive chain: used is one more than the
// highest index paid, limit the gap limit.
type gapWallet struct {
	*fakeSource
	used, limit uint32
	gapErr      error
	shown       []uint32
}

func (g *gapWallet) ReceiveGap() (next, used, limit uint32, err error) {
	return uint32(g.next), g.used, g.limit, g.gapErr
}

func (g *gapWallet) ReceiveAddress(index uint32) (string, error) {
	g.shown = append(g.shown, index)
	return g.addrs[int(index)%len(g.addrs)], nil
}

func TestBeyondGap(t *testing.T) {
	tests := []struct {
		next, used, limit uint32
		warn              bool
	}{
		{0, 0, 20, false},
		{19, 0, 20, false}, // #19 is the 20th: a restore finds it
		{20, 0, 20, true},
		{24, 5, 20, false},
		{25, 5, 20, true},
		{40, 5, 20, true},
		{3, 0, 0, false}, // no limit known
	}
	for _, tt := range tests {
		if got := beyondGap(tt.next, tt.used, tt.limit) != nil; got != tt.warn {
			t.Errorf("beyondGap(%d, %d, %d) = %v, want %v", tt.next, tt.used, tt.limit, got, tt.warn)
		}
	}
}

func TestGapText(t *testing.T) {
	tests := []struct {
		g    gapWarning
		want string
	}{
		{gapWarning{next: 20, used: 0, limit: 20}, "Addresses #0–#19 were handed out and none of them has received a payment yet. " +
			"A wallet restored from this seed with a gap limit of 20 looks at the first 20 addresses only, so it would not find " +
			"payments to #20 unless one of those is paid first. This wallet itself will see them."},
		{gapWarning{next: 25, used: 5, limit: 20}, "Addresses #5–#24 were handed out after #4, the last one paid, and none of them " +
			"has received a payment yet. A wallet restored from this seed with a gap limit of 20 looks 20 addresses past the last " +
			"one paid, so it would not find payments to #25 unless one of those is paid first. This wallet itself will see them."},
		{gapWarning{next: 4, used: 3, limit: 1}, "Address #3 was handed out and has not received a payment yet. A wallet restored " +
			"from this seed with a gap limit of 1 looks 1 addresses past the last one paid, so it would not find payments to #4 " +
			"unless one of those is paid first. This wallet itself will see them."},
	}
	for _, tt := range tests {
		if got := gapText(&tt.g); got != tt.want {
			t.Errorf("gapText(%+v) =\n%s\nwant\n%s", tt.g, got, tt.want)
		}
	}
}

func TestReceiveGapWarning(t *testing.T) {
	src := &gapWallet{fakeSource: sampleWallet(), limit: 20}
	src.next = 3
	m := newReceive(t, src, 80, 24)
	if m.gap != nil || m.index != 3 {
		t.Fatalf("within the gap limit: warning %v, address #%d", m.gap, m.index)
	}
	// Handing out #20 with nothing paid yet asks first, keeping #3.
	src.next = 20
	send(t, m, keyMsg("n"))
	if m.gap == nil || src.next != 20 || !m.Capturing() {
		t.Fatalf("no warning before #20 (handed out up to %d)", src.next)
	}
	v := plain(m.View().Content)
	for _, want := range []string{"! Address #20 is beyond the gap limit", "enter hand out #20 anyway · esc keep #3"} {
		if !strings.Contains(v, want) {
			t.Errorf("warning does not show %q:\n%s", want, v)
		}
	}
	if h := bindingDescs(m.ShortHelp()); strings.Join(h, ",") != "hand it out anyway,keep the last address" {
		t.Errorf("help while warning: %v", h)
	}
	send(t, m, keyMsg("esc"))
	if m.gap != nil || m.index != 3 || src.next != 20 {
		t.Errorf("esc: warning %v, address #%d, handed out up to %d; want #3 kept", m.gap, m.index, src.next)
	}
	// Asked again and confirmed, #20 is handed out.
	send(t, m, keyMsg("n"))
	send(t, m, keyMsg("enter"))
	if m.gap != nil || m.index != 20 || src.next != 21 {
		t.Errorf("enter: warning %v, address #%d, handed out up to %d; want #20", m.gap, m.index, src.next)
	}
}

// TestReceiveGapWarningFirstAddress: a page that opens beyond the gap
// limit asks before handing out its first address, and esc shows the
// newest handed-out one again.
func TestReceiveGapWarningFirstAddress(t *testing.T) {
	src := &gapWallet{fakeSource: sampleWallet(), used: 5, limit: 20}
	src.next = 25
	m := newReceive(t, src, 80, 24)
	v := plain(m.View().Content)
	if m.gap == nil || !strings.Contains(v, "esc show #24 again") {
		t.Fatalf("no warning before the first address:\n%s", v)
	}
	send(t, m, keyMsg("esc"))
	if m.addr == nil || m.index != 24 || src.next != 25 || len(src.shown) != 1 {
		t.Errorf("esc shows #%d (addr %v), handed out up to %d; want #24 again", m.index, m.addr, src.next)
	}

	src.gapErr = errors.New("wallet.db: database not open")
	send(t, m, keyMsg("n"))
	v = strings.Join(strings.Fields(strings.NewReplacer("█", " ", "▀", " ", "▄", " ").Replace(plain(m.View().Content))), " ")
	if !strings.Contains(v, "Could not get a receive address: checking the gap limit: wallet.db: database not open") {
		t.Errorf("gap read error not shown:\n%s", v)
	}
}

func TestReceiveGapView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, first := range []bool{false, true} {
			name := fmt.Sprintf("gap_%dx%d", size[0], size[1])
			if first {
				name = fmt.Sprintf("gap_first_%dx%d", size[0], size[1])
			}
			t.Run(name, func(t *testing.T) {
				src := &gapWallet{fakeSource: sampleWallet(), used: 5, limit: 20}
				src.next = 7
				if first {
					src.next = 25
				}
				m := newReceive(t, src, size[0], size[1])
				if !first {
					src.next = 25
					send(t, m, keyMsg("n"))
				}
				v := m.View().Content
				tuitest.AssertFits(t, v, size[0], size[1])
				golden.RequireEqual(t, v)
			})
		}
	}
}

// qrRows counts lines that draw part of a QR code.
func qrRows(v string) int {
	n := 0
	for _, l := range strings.Split(plain(v), "\n") {
		if strings.Count(l, "█")+strings.Count(l, "▀")+strings.Count(l, "▄") > 10 {
			n++
		}
	}
	return n
}

func TestReceiveQRAndURI(t *testing.T) {
	m := newReceive(t, sampleWallet(), 120, 40)
	v := plain(m.View().Content)
	if !strings.Contains(v, addrWPKH) || !strings.Contains(v, "bitcoin:"+addrWPKH) {
		t.Errorf("address or URI missing:\n%s", v)
	}
	if n := qrRows(v); n < 15 {
		t.Errorf("QR code not drawn at 120x40 (%d rows):\n%s", n, v)
	}
	if strings.Contains(v, "enlarge the terminal") {
		t.Errorf("asks to enlarge a 120x40 terminal")
	}

	// The amount reaches the URI and the code as it is typed.
	before := m.qrs[0].Lines
	send(t, m, keyMsg("a"))
	if !m.Capturing() {
		t.Fatal("a did not focus the amount field")
	}
	typeText(t, m, "0.0015")
	want := "bitcoin:" + addrWPKH + "?amount=0.0015"
	if m.URI() != want || !strings.Contains(plain(m.View().Content), want) {
		t.Errorf("URI = %q, want %q", m.URI(), want)
	}
	if strings.Join(m.qrs[0].Lines, "\n") == strings.Join(before, "\n") {
		t.Errorf("QR code did not change with the amount")
	}
	// While typing, n is text, not a new address.
	typeText(t, m, "n")
	if m.index != 0 || m.amtErr == nil {
		t.Errorf("n in the amount field handed out an address or was not validated")
	}
	if !strings.Contains(plain(m.View().Content), `amount "0.0015n" has an unknown unit`) {
		t.Errorf("amount error not shown:\n%s", plain(m.View().Content))
	}
	if m.URI() != "bitcoin:"+addrWPKH {
		t.Errorf("an invalid amount left %q in the URI", m.URI())
	}
	send(t, m, keyMsg("backspace"))
	send(t, m, keyMsg("enter"))
	if m.Capturing() || m.URI() != want {
		t.Errorf("after backspace and enter: capturing %v, URI %q", m.Capturing(), m.URI())
	}

	// n now hands out the next address, keeping the amount.
	send(t, m, keyMsg("n"))
	if !strings.HasPrefix(m.URI(), "bitcoin:"+addrTR+"?amount=0.0015") {
		t.Errorf("after n the URI is %q", m.URI())
	}
	if v := plain(m.View().Content); !strings.Contains(v, "Receive address #1") {
		t.Errorf("index of the new address not shown:\n%s", v)
	}
}

// TestReceiveSizes checks that the QR code is drawn when it fits, that the
// address always shows, and that a small terminal gets the note instead.
func TestReceiveSizes(t *testing.T) {
	tests := []struct {
		name   string
		w, h   int
		amount string
		wantQR bool
	}{
		{"80x24", 80, 24, "", true},
		{"80x24 with amount", 80, 24, "0.12345678", true},
		{"120x40", 120, 40, "21000000", true},
		{"60x16", 60, 16, "", false},
		{"40x10", 40, 10, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := sampleWallet()
			src.addrs = []string{addrTR} // the longest address
			m := newReceive(t, src, tt.w, tt.h)
			if tt.amount != "" {
				send(t, m, keyMsg("a"))
				typeText(t, m, tt.amount)
			}
			v := m.View().Content
			tuitest.AssertFits(t, v, tt.w, tt.h)
			p := plain(v)
			// The address is on one line: whole, or shortened in the
			// middle, and then whole a key away.
			if !strings.Contains(p, addrTR) {
				short := false
				for _, l := range strings.Split(p, "\n") {
					l = strings.TrimSpace(l)
					head, tail, ok := strings.Cut(l, "…")
					short = short || ok && len(head) >= 6 && strings.HasPrefix(addrTR, head) && strings.HasSuffix(addrTR, tail)
				}
				if !short {
					t.Errorf("address neither whole nor shortened on one line:\n%s", p)
				}
				send(t, m, keyMsg("enter"))
				full := plain(m.View().Content)
				tuitest.AssertFits(t, m.View().Content, tt.w, tt.h)
				if got := strings.NewReplacer(" ", "", "\n", "").Replace(full); !strings.Contains(got, addrTR) {
					t.Errorf("enter does not show the address in full:\n%s", full)
				}
				send(t, m, keyMsg("esc"))
				if m.full {
					t.Error("esc did not close the full address")
				}
			}
			hasQR := qrRows(v) > 10
			note := strings.Contains(strings.Join(strings.Fields(p), " "), "Enlarge the terminal to see the QR code")
			if hasQR != tt.wantQR || note == tt.wantQR {
				t.Errorf("QR drawn %v, note %v; want QR %v:\n%s", hasQR, note, tt.wantQR, p)
			}
		})
	}
}

func TestReceiveErrorsAndStaleResults(t *testing.T) {
	src := sampleWallet()
	src.err = errors.New("the wallet is open read-only")
	m := newReceive(t, src, 80, 24)
	if v := plain(m.View().Content); !strings.Contains(v, "Could not get a receive address: the wallet is open read-only") {
		t.Fatalf("error not shown:\n%s", v)
	}
	src.err = nil
	send(t, m, keyMsg("n"))
	if m.URI() != "bitcoin:"+addrWPKH {
		t.Fatalf("n did not retry: URI %q", m.URI())
	}

	// An address for another network is refused.
	bad := newReceive(t, &fakeSource{addrs: []string{"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}}, 80, 24)
	if v := plain(bad.View().Content); !strings.Contains(v, "not a mainnet address") {
		t.Errorf("testnet address accepted on mainnet:\n%s", v)
	}

	// Another page's result is ignored.
	other := NewReceive(common.NewCommon(t.Context(), 80, 24), &fakeSource{addrs: []string{addrTR}}, &chaincfg.MainNetParams)
	m.Update(other.Init()())
	if m.URI() != "bitcoin:"+addrWPKH {
		t.Errorf("another page's address was applied: %q", m.URI())
	}
}

// TestKeyMapHelpAndConflicts checks that the pages' bindings have help text
// and do not clash with the shared ones.
func TestKeyMapHelpAndConflicts(t *testing.T) {
	shared := map[string]bool{}
	for _, g := range common.DefaultKeyMap().FullHelp() {
		for _, b := range g {
			for _, k := range b.Keys() {
				shared[k] = true
			}
		}
	}
	km := DefaultKeyMap()
	for _, b := range []struct {
		name string
		keys []string
		help string
	}{
		{"units", km.Units.Keys(), km.Units.Help().Desc},
		{"receive", km.Receive.Keys(), km.Receive.Help().Desc},
		{"new address", km.NewAddress.Keys(), km.NewAddress.Help().Desc},
		{"edit amount", km.EditAmount.Keys(), km.EditAmount.Help().Desc},
	} {
		if b.help == "" || len(b.keys) == 0 {
			t.Errorf("%s has no keys or help", b.name)
		}
		for _, k := range b.keys {
			if shared[k] {
				t.Errorf("%s uses %q, a shared key", b.name, k)
			}
		}
	}
}

func TestURILines(t *testing.T) {
	uri := "bitcoin:" + addrWPKH + "?amount=0.001"
	tests := []struct {
		w    int
		want []string
	}{
		{80, []string{uri}},
		{50, []string{"bitcoin:" + addrWPKH, "?amount=0.001"}},
		{43, []string{"bitcoin:", addrWPKH, "?amount=0.001"}},
		{20, []string{"bitcoin:", common.ShortID(addrWPKH, 20), "?amount=0.001"}},
		{8, []string{"bitcoin:", common.ShortID(addrWPKH, 8), "?amount=", "0.001"}},
	}
	for _, tt := range tests {
		got := uriLines(uri, addrWPKH, tt.w)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("uriLines(%d) = %q, want %q", tt.w, got, tt.want)
		}
	}
}

// TestReceiveScreensFit: the warning and the full address fit every size.
func TestReceiveScreensFit(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {40, 10}, {20, 4}, {1, 1}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			g := &gapWallet{fakeSource: sampleWallet(), limit: 20}
			g.addrs = []string{addrTR}
			m := newReceive(t, g, w, h)
			tuitest.AssertFits(t, m.View().Content, w, h)
			send(t, m, keyMsg("enter"))
			tuitest.AssertFits(t, m.View().Content, w, h)
			send(t, m, keyMsg("esc"))
			g.next = 30
			send(t, m, keyMsg("n"))
			if m.gap == nil {
				t.Fatal("no warning")
			}
			tuitest.AssertFits(t, m.View().Content, w, h)
		})
	}
}
