package explorer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
)

// fakeSearch answers searches from maps and runs address scans that report
// set progress and, when gate is set, wait for it before finishing.
type fakeSearch struct {
	heights map[int32]chainhash.Hash
	txs     map[chainhash.Hash]SearchResult
	err     error // returned by Lookup instead of an answer

	history  []AddressTx
	histErr  error
	progress []scanProgress // reported before waiting at the gate
	final    scanProgress   // reported after the gate
	gate     chan struct{}
	atGate   chan struct{} // closed when the scan waits at the gate

	tip int32 // the filter tip; 0: From plus the final progress's total, less one, or 200,000

	mu        sync.Mutex
	queries   []string
	scripts   [][]byte
	reqs      []AddressRequest
	cancelled bool
}

func (f *fakeSearch) Lookup(ctx context.Context, q string) (SearchResult, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.err != nil {
		return SearchResult{}, f.err
	}
	if h, err := strconv.ParseInt(q, 10, 32); err == nil {
		if hash, ok := f.heights[int32(h)]; ok {
			return SearchResult{Kind: ResultBlock, Height: int32(h), Hash: hash}, nil
		}
		return SearchResult{}, fmt.Errorf("%w: no block at height %s", ErrNotFound, common.FormatInt(h))
	}
	hash, err := chainhash.NewHashFromStr(q)
	if err != nil {
		return SearchResult{}, err
	}
	for h, bh := range f.heights {
		if bh == *hash {
			return SearchResult{Kind: ResultBlock, Height: h, Hash: bh}, nil
		}
	}
	if r, ok := f.txs[*hash]; ok {
		return r, nil
	}
	return SearchResult{}, fmt.Errorf("%w: no block or transaction %s…", ErrNotFound, q[:16])
}

func (f *fakeSearch) AddressHistory(ctx context.Context, req AddressRequest, progress func(done, total int32)) (AddressScan, error) {
	f.mu.Lock()
	f.scripts = append(f.scripts, req.Script)
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	for _, p := range f.progress {
		progress(p.done, p.total)
	}
	if f.gate != nil {
		if f.atGate != nil {
			close(f.atGate)
		}
		select {
		case <-f.gate:
		case <-ctx.Done():
			f.mu.Lock()
			f.cancelled = true
			f.mu.Unlock()
			return AddressScan{}, ctx.Err()
		}
	}
	if f.final.total > 0 {
		progress(f.final.done, f.final.total)
	}
	if f.histErr != nil {
		return AddressScan{}, f.histErr
	}
	// The chain ends at tip (or where the scan's progress says); the
	// history's transactions in the blocks asked for are confirmed, those
	// at height 0 are in the mempool.
	tip := f.tip
	switch {
	case tip == 0 && f.final.total > 0:
		tip = req.From + f.final.total - 1
	case tip == 0:
		tip = 200_000
	}
	scan := AddressScan{From: req.From, To: tip, ToHash: chainhash.Hash{byte(tip), byte(tip >> 8), byte(tip >> 16)}}
	for _, t := range f.history {
		switch {
		case t.Height == 0:
			scan.Mempool = append(scan.Mempool, t)
		case t.Height >= req.From && t.Height <= tip:
			scan.Txs = append(scan.Txs, t)
		}
	}
	return scan, nil
}

func (f *fakeSearch) lookups() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

// drive executes cmd as the Bubble Tea runtime would: batches run one by
// one, the page's own results go back into its Update, and every other
// message is returned.
func drive(t testing.TB, m tea.Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 200 {
			t.Fatal("page keeps issuing commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case headersMsg, searchResultMsg, blockHeaderMsg, blockLoadedMsg, proofMsg, addrProgressMsg, addrScanMsg:
			_, next := m.Update(msg)
			queue = append(queue, next)
		default:
			out = append(out, msg)
		}
	}
	return out
}

// hit sends one key and drives what it returns.
func hit(t testing.TB, m tea.Model, k string) []tea.Msg {
	t.Helper()
	_, cmd := m.Update(searchKey(k))
	return drive(t, m, cmd)
}

func searchKey(k string) tea.KeyPressMsg {
	if k == "backspace" {
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	return detailKey(k)
}

// typeText types s one key at a time.
func typeText(t testing.TB, m tea.Model, s string) {
	t.Helper()
	for _, r := range s {
		if msgs := hit(t, m, string(r)); len(msgs) != 0 {
			t.Fatalf("typing %q emitted %v", r, msgs)
		}
	}
}

func viewOf(m tea.Model) string { return m.View().Content }

func mustHash(t testing.TB, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return *h
}

// p2wpkh returns the P2WPKH address of a made-up key hash on net and its
// script.
func p2wpkh(t testing.TB, net *chaincfg.Params, seed byte) (string, []byte) {
	t.Helper()
	a, err := address.NewAddressWitnessPubKeyHash(seq(seed, 20), net)
	if err != nil {
		t.Fatal(err)
	}
	script, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress(), script
}

func TestParseQuery(t *testing.T) {
	mainAddr, mainScript := p2wpkh(t, &chaincfg.MainNetParams, 1)
	testAddr, _ := p2wpkh(t, &chaincfg.TestNet3Params, 1)
	regAddr, regScript := p2wpkh(t, &chaincfg.RegressionNetParams, 1)
	legacy, err := address.NewAddressPubKeyHash(seq(7, 20), &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	legacyScript, _ := txscript.PayToAddrScript(legacy)
	hash := strings.ToUpper(block546Hash)

	tests := []struct {
		name    string
		in      string
		net     *chaincfg.Params
		want    query
		wantErr string
	}{
		{"height", "845123", &chaincfg.MainNetParams, query{kind: queryHeight, text: "845123", height: 845123}, ""},
		{"height with separators and spaces", " 845,123 ", &chaincfg.MainNetParams,
			query{kind: queryHeight, text: "845123", height: 845123}, ""},
		{"genesis", "0", &chaincfg.MainNetParams, query{kind: queryHeight, text: "0"}, ""},
		{"height too large", "99999999999", &chaincfg.MainNetParams, query{}, "height 99999999999 is too large"},
		{"hash in capitals", hash, &chaincfg.MainNetParams, query{kind: queryHash, text: strings.ToLower(hash)}, ""},
		{"txid", block546Hash, &chaincfg.MainNetParams, query{kind: queryHash, text: block546Hash}, ""},
		{"mainnet address", mainAddr, &chaincfg.MainNetParams,
			query{kind: queryAddress, text: mainAddr, addr: mainAddr, script: mainScript}, ""},
		{"legacy address", legacy.EncodeAddress(), &chaincfg.MainNetParams,
			query{kind: queryAddress, text: legacy.EncodeAddress(), addr: legacy.EncodeAddress(), script: legacyScript}, ""},
		{"regtest address", regAddr, &chaincfg.RegressionNetParams,
			query{kind: queryAddress, text: regAddr, addr: regAddr, script: regScript}, ""},
		{"testnet address on mainnet", testAddr, &chaincfg.MainNetParams, query{},
			"that is a testnet3, testnet4 or signet address, not mainnet"},
		{"mainnet address on regtest", mainAddr, &chaincfg.RegressionNetParams, query{},
			"that is a mainnet address, not regtest"},
		{"garbage", "hello", &chaincfg.MainNetParams, query{}, "not a height, hash, txid or address"},
		{"63 hex digits", block546Hash[1:], &chaincfg.MainNetParams, query{}, "not a height, hash, txid or address"},
		{"negative height", "-5", &chaincfg.MainNetParams, query{}, "not a height, hash, txid or address"},
		{"broken checksum", mainAddr[:len(mainAddr)-1] + "x", &chaincfg.MainNetParams, query{},
			"not a height, hash, txid or address"},
		{"empty", "   ", &chaincfg.MainNetParams, query{}, "type a height, block hash, txid or address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseQuery(tt.in, tt.net)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseQuery(%q) error %v, want one saying %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseQuery(%q): %v", tt.in, err)
			}
			if got.kind != tt.want.kind || got.text != tt.want.text || got.height != tt.want.height ||
				got.addr != tt.want.addr || string(got.script) != string(tt.want.script) {
				t.Fatalf("parseQuery(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// searchChain is a fake search over the synthetic chain of blocks_test.go
// with a confirmed and an unconfirmed transaction.
func searchChain(t testing.TB, tip int32) (*fakeSearch, *wire.MsgTx, *wire.MsgTx) {
	t.Helper()
	f := &fakeSearch{heights: map[int32]chainhash.Hash{}, txs: map[chainhash.Hash]SearchResult{}}
	for h := tip - 30; h <= tip; h++ {
		f.heights[h] = mustHash(t, synthRow(h).Hash)
	}
	confirmed := synthBlock(3).Transactions[1]
	mempool := segwitTx(t)
	f.txs[confirmed.TxHash()] = SearchResult{Kind: ResultTx, Tx: confirmed, BlockHash: f.heights[tip-2], TxHeight: tip - 2}
	f.txs[mempool.TxHash()] = SearchResult{Kind: ResultTx, Tx: mempool}
	return f, confirmed, mempool
}

// TestSearchList drives the search line of the blocks list as a user
// would: / opens it, typed keys go into it, enter searches and opens what
// was found, a bad query leaves it open with one message, esc closes it.
func TestSearchList(t *testing.T) {
	const tip = 845_123
	net := &chaincfg.MainNetParams
	mainAddr, mainScript := p2wpkh(t, net, 3)
	testAddr, _ := p2wpkh(t, &chaincfg.TestNet3Params, 3)

	newList := func(t *testing.T, src SearchSource) *Model {
		t.Helper()
		m := New(common.NewCommon(t.Context(), 80, 24), &fakeSource{tip: tip}, WithClock(fixedClock(tip)), WithSearch(src, net))
		drive(t, m, m.Init())
		return m
	}

	t.Run("opens and captures keys", func(t *testing.T) {
		f, _, _ := searchChain(t, tip)
		m := newList(t, f)
		if m.Capturing() {
			t.Fatal("capturing before / was pressed")
		}
		hit(t, m, "/")
		if !m.Capturing() {
			t.Fatal("/ did not open the search line")
		}
		v := viewOf(m)
		if lines := strings.Split(ansi.Strip(v), "\n"); !strings.HasPrefix(lines[23], "/  ") || !strings.Contains(lines[22], searchHint) {
			t.Fatalf("open search line not shown:\n%s", v)
		}
		tuitest.AssertFits(t, v, 80, 24)
		// Keys that move the list or quit are typed while the line is open.
		typeText(t, m, "jqG1")
		if h, _ := m.Selected(); h != tip {
			t.Errorf("typing moved the selection to %d", h)
		}
		if v := ansi.Strip(viewOf(m)); !strings.Contains(v, "/ jqG1") {
			t.Errorf("typed text not shown:\n%s", v)
		}
		hit(t, m, "esc")
		if m.Capturing() {
			t.Fatal("esc did not close the search line")
		}
		if v := viewOf(m); strings.Contains(v, "jqG1") || !strings.Contains(v, "block 845,123 of 845,124") {
			t.Errorf("after esc the footer is not back:\n%s", v)
		}
		// Reopened, the line is empty, and j moves the list again once closed.
		hit(t, m, "/")
		if v := viewOf(m); strings.Contains(v, "jqG1") {
			t.Errorf("reopened search line kept the old query:\n%s", v)
		}
		hit(t, m, "esc")
		hit(t, m, "j")
		if h, _ := m.Selected(); h != tip-1 {
			t.Errorf("j after closing the search selected %d", h)
		}
		if got := f.lookups(); len(got) != 0 {
			t.Errorf("looked up %v without enter", got)
		}
	})

	f, confirmed, mempool := searchChain(t, tip)
	tests := []struct {
		name   string
		query  string
		want   tea.Msg
		lookup string // the query the source must get; "" for none
	}{
		{"height", "845,100", BlockSelectedMsg{Height: 845_100, Hash: synthRow(845_100).Hash}, "845100"},
		{"block hash", strings.ToUpper(synthRow(tip - 5).Hash), BlockSelectedMsg{Height: tip - 5, Hash: synthRow(tip - 5).Hash},
			synthRow(tip - 5).Hash},
		{"confirmed txid", confirmed.TxHash().String(), TxSelectedMsg{Txid: confirmed.TxHash(),
			BlockHash: f.heights[tip-2], Height: tip - 2, Tx: confirmed}, confirmed.TxHash().String()},
		{"mempool txid", mempool.TxHash().String(), TxSelectedMsg{Txid: mempool.TxHash(), Tx: mempool},
			mempool.TxHash().String()},
		{"address", mainAddr, AddressSearchMsg{Address: mainAddr, Script: mainScript}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.queries = nil
			m := newList(t, f)
			hit(t, m, "/")
			typeText(t, m, tt.query)
			msgs := hit(t, m, "enter")
			if len(msgs) != 1 {
				t.Fatalf("enter emitted %v, want one message", msgs)
			}
			if fmt.Sprintf("%#v", msgs[0]) != fmt.Sprintf("%#v", tt.want) {
				t.Fatalf("enter emitted %#v, want %#v", msgs[0], tt.want)
			}
			if m.Capturing() {
				t.Error("the search line stayed open after a result")
			}
			got := f.lookups()
			if tt.lookup == "" && len(got) != 0 || tt.lookup != "" && (len(got) != 1 || got[0] != tt.lookup) {
				t.Errorf("source asked %q, want %q", got, tt.lookup)
			}
		})
	}

	bad := []struct {
		name, query, want string
		lookups           int
	}{
		{"wrong network", testAddr, "that is a testnet3, testnet4 or signet address, not mainnet", 0},
		{"garbage", "satoshi", "not a height, hash, txid or address", 0},
		{"unknown height", "900000", "not found: no block at height 900,000", 1},
		{"unknown hash", strings.Repeat("ab", 32), "not found: no block or transaction abababababababab…", 1},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			f.queries = nil
			m := newList(t, f)
			hit(t, m, "/")
			typeText(t, m, tt.query)
			if msgs := hit(t, m, "enter"); len(msgs) != 0 {
				t.Fatalf("a bad query emitted %v", msgs)
			}
			v := viewOf(m)
			if !strings.Contains(v, tt.want) || !m.Capturing() {
				t.Fatalf("capturing %v; view does not say %q:\n%s", m.Capturing(), tt.want, v)
			}
			tuitest.AssertFits(t, v, 80, 24)
			if n := len(f.lookups()); n != tt.lookups {
				t.Errorf("source asked %d times, want %d", n, tt.lookups)
			}
			// Editing the query clears the message.
			hit(t, m, "backspace")
			if strings.Contains(viewOf(m), tt.want) {
				t.Errorf("the message stayed after the query changed")
			}
		})
	}

	t.Run("paste", func(t *testing.T) {
		m := newList(t, f)
		hit(t, m, "/")
		_, cmd := m.Update(tea.PasteMsg{Content: " " + mainAddr + "\n"})
		drive(t, m, cmd)
		msgs := hit(t, m, "enter")
		if len(msgs) != 1 || fmt.Sprint(msgs[0]) != fmt.Sprint(AddressSearchMsg{Address: mainAddr, Script: mainScript}) {
			t.Fatalf("a pasted address emitted %v", msgs)
		}
	})

	t.Run("source error", func(t *testing.T) {
		src := &fakeSearch{err: errors.New("chain.db: database not open")}
		m := newList(t, src)
		hit(t, m, "/")
		typeText(t, m, "12")
		hit(t, m, "enter")
		if v := viewOf(m); !strings.Contains(v, "search failed: chain.db: database not open") {
			t.Fatalf("source error not shown:\n%s", v)
		}
	})

	t.Run("stale answer", func(t *testing.T) {
		f, _, _ := searchChain(t, tip)
		m := newList(t, f)
		hit(t, m, "/")
		typeText(t, m, "845100")
		_, cmd := m.Update(detailKey("enter"))
		if v := viewOf(m); !strings.Contains(v, searchBusy) {
			t.Errorf("a running search does not say so:\n%s", v)
		}
		answer := cmd()
		hit(t, m, "esc") // the user gave up
		if _, next := m.Update(answer); next != nil {
			t.Fatalf("an answer to a closed search still navigates")
		}
	})

	t.Run("unavailable", func(t *testing.T) {
		m := New(common.NewCommon(t.Context(), 80, 24), &fakeSource{tip: tip}, WithClock(fixedClock(tip)))
		drive(t, m, m.Init())
		hit(t, m, "/")
		v := viewOf(m)
		if m.Capturing() || !strings.Contains(v, searchUnavailable) {
			t.Fatalf("capturing %v, view:\n%s", m.Capturing(), v)
		}
		tuitest.AssertFits(t, v, 80, 24)
		hit(t, m, "j")
		if v := viewOf(m); strings.Contains(v, searchUnavailable) {
			t.Errorf("the notice stayed after the next key")
		}
	})
}

func TestSearchView(t *testing.T) {
	const tip = 845_123
	f, _, _ := searchChain(t, tip)
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("list_error_%dx%d", sz.w, sz.h), func(t *testing.T) {
			m := New(common.NewCommon(t.Context(), sz.w, sz.h), &fakeSource{tip: tip}, WithClock(fixedClock(tip)),
				WithSearch(f, &chaincfg.MainNetParams))
			drive(t, m, m.Init())
			hit(t, m, "/")
			typeText(t, m, "satoshi")
			hit(t, m, "enter")
			got := viewOf(m)
			tuitest.AssertFits(t, got, sz.w, sz.h)
			golden.RequireEqual(t, got)
		})
	}
}

// TestSearchSmall checks that the open search line with a long message
// keeps the pages inside small terminals.
func TestSearchSmall(t *testing.T) {
	const tip = 845_123
	f, _, _ := searchChain(t, tip)
	f.err = fmt.Errorf("%w: no block or transaction with this hash in the block cache, the wallet or the mempool relay", ErrNotFound)
	b := loadBlock546(t)
	for _, sz := range []struct{ w, h int }{{80, 24}, {40, 10}, {20, 5}, {30, 3}, {30, 2}, {30, 1}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			c := common.NewCommon(t.Context(), sz.w, sz.h)
			list := New(c, &fakeSource{tip: tip}, WithClock(fixedClock(tip)), WithSearch(f, &chaincfg.MainNetParams))
			block := NewBlockView(c, newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b}), block546Height,
				b.BlockHash(), WithBlockSearch(f, &chaincfg.MainNetParams))
			for _, m := range []tea.Model{list, block} {
				drive(t, m, m.Init())
				hit(t, m, "/")
				typeText(t, m, "12")
				hit(t, m, "enter")
				tuitest.AssertFits(t, viewOf(m), sz.w, sz.h)
			}
			if sz.h >= 10 && !strings.Contains(ansi.Strip(viewOf(list)), "not found: no block") {
				t.Errorf("the message is not shown:\n%s", viewOf(list))
			}
		})
	}
}

// TestSearchBlockPage checks the search line of the block page.
func TestSearchBlockPage(t *testing.T) {
	b := loadBlock546(t)
	src := newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b})
	f := &fakeSearch{heights: map[int32]chainhash.Hash{170: mustHash(t, synthRow(170).Hash)}}
	v := NewBlockView(common.NewCommon(t.Context(), 80, 24), src, block546Height, b.BlockHash(),
		WithBlockSearch(f, &chaincfg.MainNetParams))
	drive(t, v, v.Init())
	hit(t, v, "/")
	if !v.Capturing() {
		t.Fatal("/ did not open the search line on the block page")
	}
	got := viewOf(v)
	tuitest.AssertFits(t, got, 80, 24)
	if !strings.Contains(got, searchHint) || !strings.Contains(got, "Block 546 · 4 transactions") {
		t.Fatalf("block page with the search line:\n%s", got)
	}
	// j is typed, not a move through the transactions.
	typeText(t, v, "j")
	if v.cursor != 0 {
		t.Fatalf("typing j moved the cursor")
	}
	hit(t, v, "backspace")
	typeText(t, v, "170")
	msgs := hit(t, v, "enter")
	want := BlockSelectedMsg{Height: 170, Hash: synthRow(170).Hash}
	if len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("enter emitted %v, want %v", msgs, want)
	}
	// Without a search source the block page says so.
	plain := NewBlockView(common.NewCommon(t.Context(), 80, 24), src, block546Height, b.BlockHash())
	drive(t, plain, plain.Init())
	hit(t, plain, "/")
	if got := viewOf(plain); plain.Capturing() || !strings.Contains(got, searchUnavailable) {
		t.Fatalf("block page without search:\n%s", got)
	}
}

// chainWith546 is a header source whose block 546 is the real one, with
// its transaction count unknown.
type chainWith546 struct{}

func (chainWith546) TipHeight() int32 { return block546Height + 3 }

func (chainWith546) Headers(start int32, count int) ([]Row, error) {
	var out []Row
	for h := start; h <= block546Height+3 && len(out) < count; h++ {
		r := synthRow(h)
		r.TxCount = -1
		if h == block546Height {
			r.Hash = block546Hash
		}
		out = append(out, r)
	}
	return out, nil
}

// TestTxCountFromBlockPage checks that once a block page has loaded a
// block, the blocks list shows its transaction count.
func TestTxCountFromBlockPage(t *testing.T) {
	b := loadBlock546(t)
	m := New(common.NewCommon(t.Context(), 80, 10), chainWith546{}, WithClock(fixedClock(block546Height+3)))
	drive(t, m, m.Init())
	row := func() string {
		for _, l := range strings.Split(ansi.Strip(viewOf(m)), "\n") {
			if strings.Contains(l, "  546  ") {
				return l
			}
		}
		t.Fatalf("row 546 not shown:\n%s", viewOf(m))
		return ""
	}
	if r := row(); !strings.HasSuffix(strings.TrimRight(r, " "), unknown) {
		t.Fatalf("row 546 shows a count before its block was loaded: %q", r)
	}

	// The root broadcasts the block page's results to every page.
	v := NewBlockView(common.NewCommon(t.Context(), 80, 24), newFakeBlockSource(map[int32]*wire.MsgBlock{block546Height: b}),
		block546Height, b.BlockHash())
	queue := []tea.Cmd{v.Init()}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			v.Update(msg)
			drive(t, m, func() tea.Msg { return msg })
		}
	}
	// The count, size (1,385 bytes) and fees (none: the coinbase pays
	// just the subsidy) of the loaded block.
	if r := row(); !strings.HasSuffix(strings.TrimRight(r, " "), "  4    1.4 kB   0.00000000 BTC") {
		t.Fatalf("row 546 does not show the 4 transactions, size and fees of the loaded block: %q", r)
	}
	m.SetUnits(UnitsSat)
	if r := row(); !strings.HasSuffix(strings.TrimRight(r, " "), "  1.4 kB            0 sat") {
		t.Fatalf("row 546 does not show the fees in sats: %q", r)
	}
	// Other rows stay unknown.
	for _, l := range strings.Split(ansi.Strip(viewOf(m)), "\n")[1:5] {
		if strings.Contains(l, "  547  ") && !strings.HasSuffix(strings.TrimRight(l, " "), unknown) {
			t.Errorf("row 547 got a count: %q", l)
		}
	}
	// A count for another block at that height (a reorg) is not shown.
	m.RecordTxCount(block546Height, synthRow(block546Height).Hash, 99)
	if r := row(); strings.Contains(r, "99") || !strings.HasSuffix(strings.TrimRight(r, " "), unknown) {
		t.Fatalf("a count of another block was shown: %q", r)
	}
}

// fakeProver answers inclusion proofs and records what it was asked.
type fakeProver struct {
	peer   string
	hashes int
	err    error
	asked  []string
}

func (p *fakeProver) ProveInclusion(_ context.Context, blockHash, txid chainhash.Hash) (string, int, error) {
	p.asked = append(p.asked, blockHash.String()+" "+txid.String())
	return p.peer, p.hashes, p.err
}

func TestTxViewProof(t *testing.T) {
	b := loadBlock546(t)
	tx := b.Transactions[1]
	newView := func(p Prover) *TxView {
		return NewTxView(common.NewCommon(t.Context(), 80, 24), tx, mustHash(t, block546Hash), block546Height,
			&chaincfg.MainNetParams, nil, WithProver(p))
	}

	t.Run("verified", func(t *testing.T) {
		p := &fakeProver{peer: "203.0.113.7:8333", hashes: 3}
		v := newView(p)
		if got := viewOf(v); !strings.Contains(got, "Inclusion proof: press p to verify") {
			t.Fatalf("proof line not offered:\n%s", got)
		}
		if len(p.asked) != 0 {
			t.Fatal("the page asked for a proof before p was pressed")
		}
		if msgs := hit(t, v, "p"); len(msgs) != 0 {
			t.Fatalf("p emitted %v", msgs)
		}
		got := viewOf(v)
		if !strings.Contains(got, "Inclusion proof: verified ✓ (BIP37 merkle block from 203.0.113.7:8333, 3 hashes)") {
			t.Fatalf("verified proof not shown:\n%s", got)
		}
		if want := block546Hash + " " + tx.TxHash().String(); len(p.asked) != 1 || p.asked[0] != want {
			t.Fatalf("prover asked %q, want %q", p.asked, want)
		}
		tuitest.AssertFits(t, got, 80, 24)
		hit(t, v, "p")
		if len(p.asked) != 1 {
			t.Error("a verified proof was asked for again")
		}
	})
	t.Run("failed then retried", func(t *testing.T) {
		p := &fakeProver{err: errors.New("no connected peer serves merkle blocks (BIP37)")}
		v := newView(p)
		hit(t, v, "p")
		got := viewOf(v)
		if !strings.Contains(got, "Inclusion proof: failed: no connected peer serves merkle blocks (BIP37). Press p") {
			t.Fatalf("failure not shown:\n%s", got)
		}
		p.err, p.peer, p.hashes = nil, "[2001:db8::1]:8333", 1
		hit(t, v, "p")
		if got := viewOf(v); !strings.Contains(got, "verified ✓ (BIP37 merkle block from [2001:db8::1]:8333, 1 hash)") {
			t.Fatalf("retry not shown:\n%s", got)
		}
	})
	t.Run("stale answer", func(t *testing.T) {
		v := newView(&fakeProver{peer: "a", hashes: 1})
		other := newView(&fakeProver{peer: "b", hashes: 2})
		_, cmd := other.Update(detailKey("p"))
		v.Update(cmd())
		if strings.Contains(viewOf(v), "verified") {
			t.Fatal("a page applied another page's proof")
		}
	})
	t.Run("without prover", func(t *testing.T) {
		v := newTxView(t, tx, 80, 24, nil)
		if got := viewOf(v); strings.Contains(got, "Inclusion proof") {
			t.Fatalf("proof line without a prover:\n%s", got)
		}
	})
}

func TestTxViewUnconfirmed(t *testing.T) {
	p := &fakeProver{peer: "x", hashes: 1}
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			v := NewTxView(common.NewCommon(t.Context(), sz.w, sz.h), segwitTx(t), chainhash.Hash{}, 0,
				&chaincfg.MainNetParams, ownsScript(p2trScript), WithProver(p))
			if v.Confirmed() {
				t.Fatal("a transaction without a block is confirmed")
			}
			got := viewOf(v)
			if !strings.Contains(strings.Split(got, "\n")[0], "Transaction · unconfirmed (in mempool)") {
				t.Errorf("title does not say unconfirmed:\n%s", got)
			}
			for _, s := range []string{"block  ", "height  ", "Inclusion proof"} {
				if strings.Contains(got, s) {
					t.Errorf("unconfirmed page shows %q", s)
				}
			}
			if !strings.Contains(got, "21.00000000 BTC  p2tr") {
				t.Errorf("outputs not shown")
			}
			hit(t, v, "p")
			if len(p.asked) != 0 {
				t.Error("p asked for a proof of an unconfirmed transaction")
			}
			tuitest.AssertFits(t, got, sz.w, sz.h)
			golden.RequireEqual(t, got)
		})
	}
	// The genesis block is height 0 and confirmed.
	gen := NewTxView(common.NewCommon(t.Context(), 80, 24), segwitTx(t), *chaincfg.MainNetParams.GenesisHash, 0,
		&chaincfg.MainNetParams, nil)
	if !gen.Confirmed() || strings.Contains(viewOf(gen), "unconfirmed") {
		t.Error("a transaction of the genesis block is shown as unconfirmed")
	}
}

// addressHistory is a history given out of chain order, with one
// unconfirmed transaction.
func addressHistory(t testing.TB) []AddressTx {
	t.Helper()
	b := synthBlock(5)
	mk := func(i int, height int32, recv, sent btcutil.Amount) AddressTx {
		tx := b.Transactions[i]
		return AddressTx{Txid: tx.TxHash(), Height: height, BlockHash: mustHash(t, synthRow(height).Hash),
			Received: recv, Sent: sent, Tx: tx}
	}
	mempool := mk(4, 0, 5_000, 0)
	mempool.BlockHash = chainhash.Hash{}
	return []AddressTx{
		mk(2, 150_020, 0, 100_000_000),
		mk(1, 120_000, 150_000_000, 0),
		mempool,
		mk(3, 180_500, 2_500_000, 50_000_000),
	}
}

// startScan runs an address page's Init as the runtime would, with the
// scan on a goroutine; it returns the progress command and a channel that
// receives the scan's result.
func startScan(t *testing.T, v *AddressView) (tea.Cmd, <-chan tea.Msg) {
	t.Helper()
	batch, ok := v.Init()().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("Init returned %T, want the scan and its progress reader", batch)
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- batch[0]() }()
	return batch[1], done
}

// wait returns the scan's result, failing the test if it never comes.
func wait(t *testing.T, done <-chan tea.Msg) tea.Msg {
	t.Helper()
	select {
	case msg := <-done:
		return msg
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing check
		t.Fatal("the scan never ended")
		return nil
	}
}

func TestAddressView(t *testing.T) {
	addr, script := p2wpkh(t, &chaincfg.MainNetParams, 9)
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		name := fmt.Sprintf("%dx%d", sz.w, sz.h)
		t.Run(name, func(t *testing.T) {
			f := &fakeSearch{
				history:  addressHistory(t),
				progress: []scanProgress{{0, 200_000}, {5_000, 200_000}, {12_345, 200_000}},
				final:    scanProgress{200_000, 200_000},
				gate:     make(chan struct{}),
				atGate:   make(chan struct{}),
			}
			v := NewAddressView(common.NewCommon(t.Context(), sz.w, sz.h), f, &chaincfg.MainNetParams, addr, script)
			if got := viewOf(v); !strings.Contains(got, "Scanning the filters…") {
				t.Fatalf("before any progress:\n%s", got)
			}
			next, done := startScan(t, v)
			<-f.atGate

			// The scan reported three times before it waits: the page
			// shows the latest.
			_, next = v.Update(next())
			got := viewOf(v)
			if !strings.Contains(got, "Scanning the filters of blocks 0–199,999: 12,345 / 200,000") || !strings.Contains(got, "6%") {
				t.Fatalf("progress not shown:\n%s", got)
			}
			if next == nil {
				t.Fatal("the progress reader was not issued again")
			}
			tuitest.AssertFits(t, got, sz.w, sz.h)
			t.Run("progress", func(t *testing.T) { golden.RequireEqual(t, got) })

			close(f.gate)
			result := wait(t, done)
			// The reader ends once the scan has ended.
			for i := 0; next != nil; i++ {
				if i > 3 {
					t.Fatal("the progress reader keeps going after the scan ended")
				}
				msg := next()
				if msg == nil {
					break
				}
				_, next = v.Update(msg)
			}
			drive(t, v, func() tea.Msg { return result })
			got = viewOf(v)
			if string(f.scripts[0]) != string(script) {
				t.Errorf("scanned script %x, want %x", f.scripts[0], script)
			}
			for _, s := range []string{
				"Address " + addr, "4 transactions, 1 unconfirmed · balance 0.02505000 BTC",
				"received 1.52505000 BTC · sent 1.50000000 BTC · mempool: 1 relayed",
				"scanned blocks 0–199,999", "tx 1 of 4",
			} {
				if !strings.Contains(ansi.Strip(got), s) {
					t.Errorf("results do not show %q", s)
				}
			}
			lines := strings.Split(got, "\n")
			// Newest first: the mempool row, then 180,500 (+0.025,
			// -0.5 → balance 0.02500000), ...
			order := []string{"mempool", "180,500", "150,020", "120,000"}
			balances := []string{"0.02505000", "0.02500000", "0.50000000", "1.50000000"}
			for i, h := range order {
				l := ansi.Strip(lines[addrTopLines+i])
				if !strings.Contains(l, h) || !strings.HasSuffix(strings.TrimRight(l, " "), balances[i]) {
					t.Errorf("row %d = %q, want height %s and balance %s", i, l, h, balances[i])
				}
			}
			tuitest.AssertFits(t, got, sz.w, sz.h)
			t.Run("results", func(t *testing.T) { golden.RequireEqual(t, got) })

			// Enter opens the selected transaction.
			hist := addressHistory(t)
			hit(t, v, "j")
			msgs := hit(t, v, "enter")
			sel, ok := msgs[0].(TxSelectedMsg)
			if len(msgs) != 1 || !ok || sel.Txid != hist[3].Txid || sel.BlockHash != hist[3].BlockHash ||
				sel.Height != 180_500 || sel.Tx == nil || sel.Tx.TxHash() != hist[3].Txid {
				t.Fatalf("enter emitted %v, want the transaction at 180,500 (%s)", msgs, hist[3].Txid)
			}
		})
	}
}

func TestAddressViewCancel(t *testing.T) {
	addr, script := p2wpkh(t, &chaincfg.MainNetParams, 9)
	f := &fakeSearch{progress: []scanProgress{{10, 100}}, gate: make(chan struct{})}
	v := NewAddressView(common.NewCommon(t.Context(), 80, 24), f, &chaincfg.MainNetParams, addr, script)
	next, done := startScan(t, v)
	_, next = v.Update(next())
	msgs := hit(t, v, "esc")
	if len(msgs) != 1 || msgs[0] != (BackMsg{}) {
		t.Fatalf("esc emitted %v, want BackMsg", msgs)
	}
	wait(t, done)
	f.mu.Lock()
	cancelled := f.cancelled
	f.mu.Unlock()
	if !cancelled {
		t.Fatal("leaving the page did not cancel the scan")
	}
	if next != nil {
		if msg := next(); msg != nil {
			t.Fatalf("the progress reader delivered %v after the page was left", msg)
		}
	}
}

func TestAddressViewStates(t *testing.T) {
	addr, script := p2wpkh(t, &chaincfg.MainNetParams, 9)
	t.Run("failed then retried", func(t *testing.T) {
		f := &fakeSearch{histErr: errors.New("filter headers reach height 100, not 200: sync first")}
		v := NewAddressView(common.NewCommon(t.Context(), 80, 24), f, &chaincfg.MainNetParams, addr, script)
		drive(t, v, v.Init())
		got := viewOf(v)
		if !strings.Contains(got, "Could not scan: filter headers reach height 100, not 200: sync first") {
			t.Fatalf("error not shown:\n%s", got)
		}
		tuitest.AssertFits(t, got, 80, 24)
		f.histErr = nil
		f.history = addressHistory(t)[:1]
		if msgs := hit(t, v, "enter"); len(msgs) != 0 {
			t.Fatalf("enter on a failed scan emitted %v", msgs)
		}
		if got := viewOf(v); !strings.Contains(got, "1 transaction · balance -1.00000000 BTC") {
			t.Fatalf("retry did not show the history:\n%s", got)
		}
	})
	t.Run("empty", func(t *testing.T) {
		v := NewAddressView(common.NewCommon(t.Context(), 80, 24), &fakeSearch{}, &chaincfg.MainNetParams, addr, script)
		drive(t, v, v.Init())
		got := viewOf(v)
		if !strings.Contains(got, noHistoryText) || !strings.Contains(got, "0 transactions") {
			t.Fatalf("empty history:\n%s", got)
		}
		if msgs := hit(t, v, "enter"); len(msgs) != 0 {
			t.Fatalf("enter on an empty list emitted %v", msgs)
		}
	})
	t.Run("sizes", func(t *testing.T) {
		for _, sz := range []struct{ w, h int }{{40, 10}, {60, 20}, {20, 5}} {
			v := NewAddressView(common.NewCommon(t.Context(), sz.w, sz.h), &fakeSearch{history: addressHistory(t)},
				&chaincfg.MainNetParams, addr, script)
			drive(t, v, v.Init())
			tuitest.AssertFits(t, viewOf(v), sz.w, sz.h)
		}
	})
}
