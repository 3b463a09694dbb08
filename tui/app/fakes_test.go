package app

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/tui/explorer"
	"github.com/satchelbtc/satchel/tui/keys"
	"github.com/satchelbtc/satchel/tui/node"
	"github.com/satchelbtc/satchel/tui/settings"
	core "github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// now is the fixed clock of the tests; blocks are minutes before it.
var now = time.Date(2025, 1, 28, 16, 5, 0, 0, time.UTC)

var net = &chaincfg.RegressionNetParams

// chain is a short regtest chain whose blocks pay to ourScript, served by
// the fake header and block sources.
type chain struct {
	blocks      []*wire.MsgBlock // index = height
	ourScript   []byte
	ourAddress  string
	tipReads    int
	headerReads int
}

// newChain builds tip+1 blocks of one coinbase each, every one paying to
// the wallet's address.
func newChain(tip int) *chain {
	a, err := address.NewAddressWitnessPubKeyHash(make([]byte, 20), net)
	if err != nil {
		panic(err)
	}
	script, err := txscript.PayToAddrScript(a)
	if err != nil {
		panic(err)
	}
	c := &chain{ourScript: script, ourAddress: a.EncodeAddress()}
	var prev chainhash.Hash
	for h := range tip + 1 {
		cb := wire.NewMsgTx(1)
		cb.AddTxIn(&wire.TxIn{
			PreviousOutPoint: wire.OutPoint{Index: math.MaxUint32},
			SignatureScript:  []byte{0x01, byte(h), 0x00},
			Sequence:         math.MaxUint32,
		})
		cb.AddTxOut(wire.NewTxOut(50e8, script))
		b := &wire.MsgBlock{Header: wire.BlockHeader{
			Version:    0x20000000,
			PrevBlock:  prev,
			MerkleRoot: cb.TxHash(),
			Timestamp:  now.Add(time.Duration(h-tip-1) * 10 * time.Minute),
			Bits:       0x207fffff,
			Nonce:      uint32(h),
		}}
		b.AddTransaction(cb)
		c.blocks = append(c.blocks, b)
		prev = b.BlockHash()
	}
	return c
}

// owns is the wallet's Owns: it knows only ourScript.
func (c *chain) owns(script []byte) bool { return string(script) == string(c.ourScript) }

func (c *chain) TipHeight() int32 {
	c.tipReads++
	return int32(len(c.blocks) - 1)
}

func (c *chain) Headers(start int32, count int) ([]explorer.Row, error) {
	var rows []explorer.Row
	for h := start; h >= 0 && int(h) < len(c.blocks) && len(rows) < count; h++ {
		b := c.blocks[h]
		rows = append(rows, explorer.Row{Height: h, Hash: b.BlockHash().String(), Time: b.Header.Timestamp, TxCount: -1})
	}
	return rows, nil
}

func (c *chain) Block(_ context.Context, hash chainhash.Hash) (*wire.MsgBlock, error) {
	for _, b := range c.blocks {
		if b.BlockHash() == hash {
			return b, nil
		}
	}
	return nil, errors.New("no such block")
}

func (c *chain) Header(height int32) (*wire.BlockHeader, error) {
	c.headerReads++
	if height < 0 || int(height) >= len(c.blocks) {
		return nil, errors.New("no such height")
	}
	h := c.blocks[height].Header
	return &h, nil
}

// fakeNode is a node whose status the test sets; it counts the Node page's
// reads (only that page asks for peers).
type fakeNode struct {
	status    node.Status
	peerReads int
}

func (f *fakeNode) Status() node.Status { return f.status }

func (f *fakeNode) Peers() []node.Peer {
	f.peerReads++
	return []node.Peer{
		{Addr: "127.0.0.1:18444", UserAgent: "/btcd:0.25.0/", Services: "NETWORK|WITNESS|CF", Height: f.status.PeerHeight, Ping: 3 * time.Millisecond},
	}
}

func (f *fakeNode) LogTail(n int) []string {
	return []string{"2025-01-28 16:04:00 INF connected to 127.0.0.1:18444"}
}

// fakeWallet holds the chain's first coinbase and hands out the chain's
// address; it counts balance reads.
type fakeWallet struct {
	chain        *chain
	balanceReads int
	labels       map[string]string
	unlocked     bool
	reviews      map[*core.Draft]*psbtx.Review
}

func (f *fakeWallet) Balance() (core.Balance, int32, error) {
	f.balanceReads++
	return core.Balance{Confirmed: 50e8, Total: 50e8}, int32(len(f.chain.blocks) - 1), nil
}

func (f *fakeWallet) History() ([]core.HistoryEntry, error) {
	b := f.chain.blocks[1]
	tx := b.Transactions[0]
	return []core.HistoryEntry{{
		Txid: tx.TxHash(), Height: 1, BlockTime: b.Header.Timestamp, Amount: 50e8, Fee: -1, Label: "mined", Tx: tx,
	}}, nil
}

func (f *fakeWallet) NextAddress() (string, uint32, error) {
	return f.chain.ourAddress, 0, nil
}

// Coins is the chain's first coinbase, mature.
func (f *fakeWallet) Coins() ([]*core.Output, int32, error) {
	tx := f.chain.blocks[1].Transactions[0]
	tip := int32(len(f.chain.blocks) - 1)
	return []*core.Output{{OutPoint: wire.OutPoint{Hash: tx.TxHash()}, Value: 50e8, Script: tx.TxOut[0].PkScript,
		Height: 1, BlockTime: f.chain.blocks[1].Header.Timestamp}}, tip, nil
}

func (f *fakeWallet) Labels() (map[string]string, error) {
	if f.labels == nil {
		return map[string]string{}, nil
	}
	return f.labels, nil
}

func (f *fakeWallet) SetFrozen(wire.OutPoint, bool) error { return nil }

func (f *fakeWallet) SetLabel(key, label string) error {
	if f.labels == nil {
		f.labels = map[string]string{}
	}
	f.labels[key] = label
	return nil
}

// Draft pays the recipient from the 50 BTC coin, with a size of 141 vB,
// and holds the fee to the wallet's limits (psbtx.DefaultFeeLimits) unless
// the request forces it, as wallet.CreatePSBT does.
func (f *fakeWallet) Draft(req *core.SendRequest) (*core.Draft, error) {
	const vsize = 141
	if len(req.Recipients) != 1 || req.SendMax {
		return nil, errors.New("the fake wallet pays one recipient an amount")
	}
	fee := btcutil.Amount(req.FeeRate * vsize)
	pay := req.Recipients[0].Amount
	if !req.Force {
		if err := psbtx.DefaultFeeLimits.CheckFee(fee, vsize, pay); err != nil {
			return nil, err
		}
	}
	d := &core.Draft{Fee: fee, FeeRate: float64(fee) / vsize, VSize: vsize, ChangeIndex: 1}
	if f.reviews == nil {
		f.reviews = map[*core.Draft]*psbtx.Review{}
	}
	f.reviews[d] = &psbtx.Review{
		Fee: int64(fee), FeeRate: d.FeeRate, VSize: vsize, FeeProven: true, Sent: int64(pay),
		Inputs: []psbtx.ReviewInput{{Value: 50e8, Ours: true}},
		Outputs: []psbtx.ReviewOutput{
			{Value: int64(pay), Address: req.Recipients[0].Address.EncodeAddress()},
			{Value: int64(50e8 - pay - fee), Address: req.Recipients[0].Address.EncodeAddress(), Ours: true, Change: true},
		},
	}
	return d, nil
}

func (f *fakeWallet) Review(d *core.Draft) (*psbtx.Review, error) {
	if r, ok := f.reviews[d]; ok {
		return r, nil
	}
	return nil, errors.New("not a draft of the fake wallet")
}

func (f *fakeWallet) Unlocked() bool  { return f.unlocked }
func (f *fakeWallet) WatchOnly() bool { return false }
func (f *fakeWallet) Lock()           { f.unlocked = false }

func (f *fakeWallet) SignAndBroadcast(context.Context, *core.Draft, []byte, string) (string, error) {
	return "", errors.New("the fake wallet does not pay")
}

func (f *fakeWallet) ExportPSBT(*core.Draft, string) error {
	return errors.New("the fake wallet does not pay")
}
func (f *fakeWallet) DefaultFeeRate() float64 { return 2 }

// fakeKeys is the Keys tab's source for the fake wallet.
type fakeKeys struct{ w *fakeWallet }

func (k fakeKeys) Wallets() ([]keys.WalletInfo, error) {
	return []keys.WalletInfo{{Name: "default", ScriptType: "p2wpkh", Fingerprint: "73c5da0a"},
		{Name: "savings", ScriptType: "p2tr", Fingerprint: "0badc0de"}}, nil
}
func (k fakeKeys) Current() string { return "default" }
func (k fakeKeys) Account() (keys.Account, error) {
	return keys.Account{Name: "default", Fingerprint: "73c5da0a", ScriptType: "p2wpkh", Path: "m/84h/1h/0h",
		Xpub: "tpubFAKE", Receive: "wpkh([73c5da0a/84h/1h/0h]tpubFAKE/0/*)", Change: "wpkh([73c5da0a/84h/1h/0h]tpubFAKE/1/*)"}, nil
}
func (k fakeKeys) Unlocked() bool { return k.w.unlocked }
func (k fakeKeys) Unlock(_ context.Context, pw []byte) error {
	if string(pw) != "pw" {
		return keystore.ErrWrongPassword
	}
	k.w.unlocked = true
	return nil
}
func (k fakeKeys) Lock()                                                { k.w.unlocked = false }
func (k fakeKeys) ChangePassword(context.Context, []byte, []byte) error { return nil }
func (k fakeKeys) Addresses() ([]keys.AddressInfo, error)               { return nil, nil }
func (k fakeKeys) SignMessage(context.Context, string, string, []byte) (string, error) {
	return "", errors.New("the fake wallet signs no messages")
}
func (k fakeKeys) VerifyMessage(string, string, string) error {
	return errors.New("the fake wallet checks no messages")
}

// fakeSaver records saved settings.
type fakeSaver struct{ saved []settings.Settings }

func (f *fakeSaver) Save(s settings.Settings) error {
	f.saved = append(f.saved, s)
	return nil
}
