package explorer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
)

// ErrNotFound is wrapped by a SearchSource when a query names no block or
// transaction it knows; the wrapping error's text is shown to the user, so
// it should say what was looked for and where.
var ErrNotFound = errors.New("not found")

// ResultKind says what a search found.
type ResultKind int

const (
	// ResultBlock is a block of the best chain.
	ResultBlock ResultKind = iota + 1
	// ResultTx is a transaction, confirmed or in the mempool.
	ResultTx
)

// SearchSource answers the explorer's search. The app adapts the light
// node, its block cache and the wallet to it. Both calls are made from a
// tea.Cmd, never from Update or View, and must honour ctx.
type SearchSource interface {
	// Lookup resolves a height, a block hash, or a txid (a transaction is
	// looked up in cached blocks, the wallet and the mempool relay by the
	// implementation). It returns errors wrapping ErrNotFound, with a clear
	// message, for queries that name nothing it knows.
	Lookup(ctx context.Context, query string) (SearchResult, error)
	// AddressHistory scans the compact filters of blocks req.From up to
	// the filter tip for req.Script, calling progress(done, total) often
	// with the filters checked so far, fetches the matching blocks and
	// returns the transactions that pay to or spend from the script, and
	// those of the mempool the node has seen.
	AddressHistory(ctx context.Context, req AddressRequest, progress func(done, total int32)) (AddressScan, error)
}

// AddressRequest asks for an address's history: the whole chain's (From
// 0), or the blocks after an earlier search's, which the explorer keeps.
type AddressRequest struct {
	Script []byte
	// From is the first block to scan. A search that continues an earlier
	// one sets it to that search's To+1, After to the hash of block From-1
	// as it saw it, and Unspent to the outputs paying Script it left
	// unspent, so that their spends in the new blocks are found. When
	// block From-1 is no longer After (a reorg), the source starts over
	// from 0.
	From    int32
	After   chainhash.Hash
	Unspent map[wire.OutPoint]btcutil.Amount
}

// AddressScan is what one AddressHistory call found.
type AddressScan struct {
	// Txs are the confirmed transactions of blocks From..To, in chain
	// order.
	Txs []AddressTx
	// From and To are the blocks whose filters were checked; To < From
	// when no block was new. From is 0 when the source started over.
	From, To int32
	// ToHash is the hash of block To, for the next search to continue
	// from.
	ToHash chainhash.Hash
	// Mempool are the unconfirmed transactions the node has seen (relayed
	// by its peers) that pay Script or spend one of its outputs.
	Mempool []AddressTx
}

// SearchResult is what Lookup found: a block (Height and Hash) or a
// transaction (Tx, and BlockHash and TxHeight when it is confirmed).
type SearchResult struct {
	Kind   ResultKind
	Height int32
	Hash   chainhash.Hash

	Tx        *wire.MsgTx
	BlockHash chainhash.Hash
	// TxHeight is the height of the block holding Tx, 0 when unconfirmed.
	TxHeight int32
}

// AddressTx is one transaction of an address's history with what it moved
// to and from the address.
type AddressTx struct {
	Txid      chainhash.Hash
	Height    int32 // 0 when unconfirmed
	BlockHash chainhash.Hash
	Received  btcutil.Amount
	Sent      btcutil.Amount
	Tx        *wire.MsgTx
}

// AddressSearchMsg is emitted when the user searches for an address; the
// root model opens NewAddressView for it. Script is the address's output
// script.
type AddressSearchMsg struct {
	Address string
	Script  []byte
}

// Messages shown by the search line.
const (
	searchHint        = "search by height, block hash, txid or address · enter search · esc cancel"
	searchBusy        = "searching…"
	searchUnavailable = "search is unavailable"
	searchEmpty       = "type a height, block hash, txid or address"
	searchGarbage     = "not a height, hash, txid or address"
	searchPrompt      = "/ "
)

// queryKind is what a search query looks like before anything is read.
type queryKind int

const (
	queryHeight  queryKind = iota + 1
	queryHash              // 64 hex digits: a block hash or a txid
	queryAddress           // an address of the page's network
)

// query is a parsed search query.
type query struct {
	kind   queryKind
	text   string // normalised: decimal height or lower-case hex
	height int32
	addr   string // encoded address
	script []byte // its output script
}

// allNetworks are the networks an address of the wrong one is named after.
var allNetworks = []*chaincfg.Params{
	&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.TestNet4Params,
	&chaincfg.SigNetParams, &chaincfg.RegressionNetParams,
}

// parseQuery tells a height, a hash (block or transaction) and an address
// of net apart. It reads nothing; errors are sentences for the user.
func parseQuery(s string, net *chaincfg.Params) (query, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return query{}, errors.New(searchEmpty)
	}
	if digits := strings.NewReplacer(",", "", "_", "").Replace(s); isDigits(digits) {
		h, err := strconv.ParseInt(digits, 10, 32)
		if err != nil {
			return query{}, fmt.Errorf("height %s is too large", s)
		}
		return query{kind: queryHeight, text: strconv.FormatInt(h, 10), height: int32(h)}, nil
	}
	if len(s) == 2*chainhash.HashSize && isHex(s) {
		return query{kind: queryHash, text: strings.ToLower(s)}, nil
	}
	if net == nil {
		return query{}, errors.New("not a height, hash or txid (addresses cannot be read: no network is set)")
	}
	a, err := address.DecodeAddress(s, net)
	if err == nil && a.IsForNet(net) {
		script, serr := txscript.PayToAddrScript(a)
		if serr == nil {
			return query{kind: queryAddress, text: s, addr: a.EncodeAddress(), script: script}, nil
		}
	}
	if others := addressNetworks(s, net); len(others) > 0 {
		return query{}, fmt.Errorf("that is a %s address, not %s", joinOr(others), net.Name)
	}
	return query{}, errors.New(searchGarbage)
}

// joinOr lists names as "a", "a or b", "a, b or c".
func joinOr(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// addressNetworks names the networks other than net that s is an address
// of.
func addressNetworks(s string, net *chaincfg.Params) []string {
	var names []string
	for _, p := range allNetworks {
		if p.Net == net.Net && p.Name == net.Name {
			continue
		}
		if a, err := address.DecodeAddress(s, p); err == nil && a.IsForNet(p) {
			names = append(names, p.Name)
		}
	}
	return names
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// searchResultMsg carries a Lookup's answer back to the page whose search
// asked.
type searchResultMsg struct {
	id  int64
	seq uint64
	res SearchResult
	err error
}

// searchBar is the search line of the blocks list and the block page: a
// text field opened with / that takes every key while open, runs the query
// in a tea.Cmd and turns the answer into a navigation message. It belongs
// to one page, whose id its results carry.
type searchBar struct {
	src SearchSource
	net *chaincfg.Params
	id  int64
	seq uint64

	input  textinput.Model
	open   bool
	busy   bool
	status string // the last error, shown above the field
	notice string // shown in the footer while closed
	cancel context.CancelFunc

	submit    key.Binding // enter, with its help text here
	cancelKey key.Binding
	clearKey  key.Binding // /, while the field is open
}

// newSearchBar returns a closed search line for the page with the given id.
func newSearchBar(c common.Common, id int64, src SearchSource, net *chaincfg.Params) *searchBar {
	in := textinput.New()
	in.Prompt = searchPrompt
	in.CharLimit = 128
	// Terminals deliver pastes as tea.PasteMsg; ctrl+v would read the
	// system clipboard instead.
	in.KeyMap.Paste.SetEnabled(false)
	st := c.Styles
	if st == nil {
		st = common.DefaultStyles()
	}
	in.SetStyles(common.InputStyles(st))
	k := c.KeyMap
	return &searchBar{
		src:       src,
		net:       net,
		id:        id,
		input:     in,
		submit:    key.NewBinding(key.WithKeys(k.Enter.Keys()...), key.WithHelp(k.Enter.Help().Key, "search")),
		cancelKey: key.NewBinding(key.WithKeys(k.Back.Keys()...), key.WithHelp(k.Back.Help().Key, "cancel search")),
		clearKey:  key.NewBinding(key.WithKeys(k.Search.Keys()...), key.WithHelp(k.Search.Help().Key, "search again (clears the query)")),
	}
}

// capturing reports whether the field takes every key.
func (s *searchBar) capturing() bool { return s.open }

// extraLines is how many more lines than the footer the bar takes on a
// page w cells wide.
func (s *searchBar) extraLines(w int) int {
	if s.open {
		return len(s.statusLines(w))
	}
	return 0
}

// statusText is what the line above the field says.
func (s *searchBar) statusText() (string, bool) {
	switch {
	case s.busy:
		return searchBusy, false
	case s.status != "":
		return s.status, true
	}
	return searchHint, false
}

// statusLines wraps the status onto at most two lines of w cells.
func (s *searchBar) statusLines(w int) []string {
	text, _ := s.statusText()
	if w <= 0 {
		return []string{""}
	}
	out := strings.Split(ansi.Wrap(text, w, ""), "\n")
	if len(out) > 2 {
		out = out[:2]
		out[1] = ansi.Truncate(out[1], w-1, "") + "…"
	}
	return out
}

// setWidth fits the field to a page w cells wide.
func (s *searchBar) setWidth(w int) {
	s.input.SetWidth(max(w-len(searchPrompt)-1, 1))
}

// shortHelp returns the bindings that apply while the field is open.
func (s *searchBar) shortHelp() []key.Binding {
	return []key.Binding{s.submit, s.clearKey, s.cancelKey}
}

// update handles the bar's keys and results and reports whether msg was
// the bar's; cmd is what the bar asks the runtime to do.
func (s *searchBar) update(msg tea.Msg, c common.Common) (bool, tea.Cmd) {
	k := c.KeyMap
	switch msg := msg.(type) {
	case searchResultMsg:
		if msg.id != s.id {
			return false, nil
		}
		if msg.seq != s.seq || !s.busy {
			return true, nil
		}
		s.busy = false
		return true, s.result(msg)
	case tea.PasteMsg:
		if !s.open {
			return false, nil
		}
		s.edit(msg)
		return true, nil
	case tea.KeyPressMsg:
		if !s.open {
			s.notice = ""
			if !key.Matches(msg, k.Search) {
				return false, nil
			}
			if s.src == nil {
				s.notice = searchUnavailable
				return true, nil
			}
			s.open, s.status = true, ""
			s.setWidth(c.Width)
			return true, s.input.Focus()
		}
		switch {
		case key.Matches(msg, s.cancelKey):
			s.close()
		case key.Matches(msg, s.clearKey):
			// No query holds a /: a new / starts a new query, clearing
			// the one that failed (or is still being typed).
			s.restart()
		case key.Matches(msg, s.submit):
			return true, s.run(c)
		default:
			s.edit(msg)
		}
		return true, nil
	}
	return false, nil
}

// edit gives a key or a paste to the field; changing the query clears the
// last error.
func (s *searchBar) edit(msg tea.Msg) {
	before := s.input.Value()
	s.input, _ = s.input.Update(msg)
	if s.input.Value() != before && !s.busy {
		s.status = ""
	}
}

// restart empties the field and its error, dropping a search still
// running, and keeps the field open.
func (s *searchBar) restart() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.seq++
	s.busy, s.status = false, ""
	s.input.Reset()
}

// close hides the field and drops a search still running.
func (s *searchBar) close() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.seq++
	s.open, s.busy, s.status = false, false, ""
	s.input.Blur()
	s.input.Reset()
}

// run parses the query and either opens an address page or starts a
// lookup in a tea.Cmd.
func (s *searchBar) run(c common.Common) tea.Cmd {
	q, err := parseQuery(s.input.Value(), s.net)
	if err != nil {
		s.status = err.Error()
		return nil
	}
	if q.kind == queryAddress {
		s.close()
		sel := AddressSearchMsg{Address: q.addr, Script: q.script}
		return func() tea.Msg { return sel }
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.seq++
	s.busy, s.status = true, ""
	ctx, cancel := context.WithCancel(c.Context())
	s.cancel = cancel
	id, seq, src, text := s.id, s.seq, s.src, q.text
	return func() tea.Msg {
		res, err := src.Lookup(ctx, text)
		return searchResultMsg{id: id, seq: seq, res: res, err: err}
	}
}

// result turns a lookup's answer into the message that opens its page, or
// into the error shown on the search line.
func (s *searchBar) result(msg searchResultMsg) tea.Cmd {
	if msg.err != nil {
		switch {
		case errors.Is(msg.err, context.Canceled):
			s.status = "search cancelled"
		case errors.Is(msg.err, ErrNotFound):
			s.status = msg.err.Error()
		default:
			s.status = "search failed: " + msg.err.Error()
		}
		return nil
	}
	var sel tea.Msg
	switch r := msg.res; {
	case r.Kind == ResultBlock:
		sel = BlockSelectedMsg{Height: r.Height, Hash: r.Hash.String()}
	case r.Kind == ResultTx && r.Tx != nil:
		sel = TxSelectedMsg{Txid: r.Tx.TxHash(), BlockHash: r.BlockHash, Height: r.TxHeight, Tx: r.Tx}
	default:
		s.status = "search failed: the answer was neither a block nor a transaction"
		return nil
	}
	s.close()
	return func() tea.Msg { return sel }
}

// lines returns the bar's lines, which replace the page's footer: the
// state of the search above the field while it is open, the notice while
// closed, or nil when there is nothing to show.
func (s *searchBar) lines(w int, st *themes.Styles) []string {
	if !s.open {
		if s.notice == "" {
			return nil
		}
		return []string{st.Error.Render(common.Fit(s.notice, w))}
	}
	style := st.Muted
	if _, isErr := s.statusText(); isErr {
		style = st.Error
	}
	var out []string
	for _, l := range s.statusLines(w) {
		out = append(out, style.Render(common.Fit(l, w)))
	}
	return append(out, common.Line(w, st.Normal, common.Span{Text: common.InputView(s.input, st)}))
}
