package wallet

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// testChain is an in-memory chain for unit tests of the scan: real blocks
// and real BIP158 basic filters built from them, without proof of work.
// It stands in for the light node behind the Chain interface.
type testChain struct {
	blocks  []*wire.MsgBlock // by height; 0 is a genesis stand-in
	byHash  map[chainhash.Hash]int32
	filters map[chainhash.Hash]*gcs.Filter
	// scripts holds the output script of every outpoint created on any
	// branch, so filters can name the scripts a block's inputs spend.
	scripts map[wire.OutPoint][]byte
	seq     uint32
}

func newTestChain() *testChain {
	c := &testChain{byHash: map[chainhash.Hash]int32{}, filters: map[chainhash.Hash]*gcs.Filter{},
		scripts: map[wire.OutPoint][]byte{}}
	c.mine()
	return c
}

var _ Chain = (*testChain)(nil)

func (c *testChain) SyncedHeight() int32 { return int32(len(c.blocks) - 1) }

func (c *testChain) BlockHeader(height int32) (*wire.BlockHeader, error) {
	if height < 0 || int(height) >= len(c.blocks) {
		return nil, fmt.Errorf("no block at height %d", height)
	}
	h := c.blocks[height].Header
	return &h, nil
}

func (c *testChain) MatchScripts(ctx context.Context, start, end int32, scripts [][]byte, progress func(int32)) ([]int32, error) {
	var out []int32
	if len(scripts) == 0 {
		return nil, nil
	}
	for h := max(start, 0); h <= end && int(h) < len(c.blocks); h++ {
		hash := c.blocks[h].BlockHash()
		f := c.filters[hash]
		ok, err := f.MatchAny(builder.DeriveKey(&hash), scripts)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, h)
		}
		if progress != nil {
			progress(h)
		}
	}
	return out, nil
}

func (c *testChain) GetBlock(ctx context.Context, hash *chainhash.Hash) (*wire.MsgBlock, error) {
	h, ok := c.byHash[*hash]
	if !ok || c.blocks[h].BlockHash() != *hash {
		return nil, fmt.Errorf("unknown block %s", hash)
	}
	return c.blocks[h], nil
}

// mine appends a block holding txs after a coinbase, and returns its
// height.
func (c *testChain) mine(txs ...*wire.MsgTx) int32 {
	height := int32(len(c.blocks))
	c.seq++
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript: binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(height)), c.seq)})
	cb.AddTxOut(wire.NewTxOut(50e8, externalScript(int(c.seq))))
	block := &wire.MsgBlock{Transactions: append([]*wire.MsgTx{cb}, txs...)}
	block.Header.Version = 4
	if height > 0 {
		block.Header.PrevBlock = c.blocks[height-1].BlockHash()
	}
	var ids []byte
	for _, tx := range block.Transactions {
		id := tx.TxHash()
		ids = append(ids, id[:]...)
	}
	block.Header.MerkleRoot = sha256.Sum256(ids)
	block.Header.Timestamp = time.Unix(1_700_000_000+int64(height)*600, 0)
	block.Header.Nonce = c.seq

	var prev [][]byte
	for _, tx := range block.Transactions[1:] {
		for _, in := range tx.TxIn {
			prev = append(prev, c.scripts[in.PreviousOutPoint])
		}
	}
	f, err := builder.BuildBasicFilter(block, prev)
	if err != nil {
		panic(err)
	}
	for _, tx := range block.Transactions {
		id := tx.TxHash()
		for i, out := range tx.TxOut {
			c.scripts[wire.OutPoint{Hash: id, Index: uint32(i)}] = out.PkScript
		}
	}
	hash := block.BlockHash()
	c.blocks = append(c.blocks, block)
	c.byHash[hash] = height
	c.filters[hash] = f
	return height
}

// fork returns a chain that shares c's blocks up to height and nothing
// after: mining on it builds a competing branch.
func (c *testChain) fork(height int32) *testChain {
	f := &testChain{byHash: map[chainhash.Hash]int32{}, filters: c.filters, scripts: c.scripts, seq: c.seq + 1000}
	f.blocks = append(f.blocks, c.blocks[:height+1]...)
	for h, b := range f.blocks {
		f.byHash[b.BlockHash()] = int32(h)
	}
	return f
}

// externalScript is a P2WPKH script of nobody in these tests.
func externalScript(n int) []byte {
	h := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("external"), uint64(n)))
	return append([]byte{txscript.OP_0, txscript.OP_DATA_20}, h[:20]...)
}

// pay returns a transaction from outside the wallet with one output per
// script, the k-th worth 10,000 sat times k+1 plus a little so every
// amount is distinct.
func (c *testChain) pay(scripts ...[]byte) *wire.MsgTx {
	c.seq++
	var in wire.OutPoint
	in.Hash = sha256.Sum256(binary.BigEndian.AppendUint32([]byte("funding"), c.seq))
	c.scripts[in] = externalScript(int(c.seq))
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&in, nil, nil))
	for k, s := range scripts {
		tx.AddTxOut(wire.NewTxOut(int64(10_000*(k+1))+int64(c.seq), s))
	}
	return tx
}

// spend returns a transaction spending ops to an external script.
func (c *testChain) spend(value int64, ops ...wire.OutPoint) *wire.MsgTx {
	c.seq++
	tx := wire.NewMsgTx(2)
	for i := range ops {
		tx.AddTxIn(wire.NewTxIn(&ops[i], nil, nil))
	}
	tx.AddTxOut(wire.NewTxOut(value, externalScript(int(c.seq))))
	return tx
}

// testKeys is the private side of the test wallet's account.
type testKeys struct {
	acct *hdkeychain.ExtendedKey
}

// key returns the private key of the address at branch/index.
func (k testKeys) key(t *testing.T, branch, index uint32) *btcec.PrivateKey {
	t.Helper()
	b, err := k.acct.Derive(branch)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.Derive(index)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := c.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// newTestWallet creates a watch-only P2WPKH wallet on regtest in a temp
// dir, birthday 1, gap limit 20, and returns it with its private keys.
func newTestWallet(t *testing.T) (*Wallet, testKeys) {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	seed := sha256.Sum256([]byte("satchel scan tests"))
	master, err := hdkeychain.NewMaster(seed[:], net)
	if err != nil {
		t.Fatal(err)
	}
	path := AccountPath(P2WPKH, net, 0)
	acct := master
	for _, step := range path {
		if acct, err = acct.Derive(step); err != nil {
			t.Fatal(err)
		}
	}
	xpub, err := acct.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	masterPub, _ := master.Neuter()
	d := &Descriptor{Type: P2WPKH, Origin: KeyOrigin{Fingerprint: keyFingerprint(masterPub), Path: path},
		Key: xpub, Branches: []uint32{ReceiveBranch, ChangeBranch}}
	w, err := Create(filepath.Join(t.TempDir(), "w.db"), net, &CreateConfig{Receive: d, BirthdayHeight: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, testKeys{acct: acct}
}

// script returns the wallet's output script at branch/index.
func script(t *testing.T, w *Wallet, branch, index uint32) []byte {
	t.Helper()
	a, err := w.Address(branch, index)
	if err != nil {
		t.Fatal(err)
	}
	return a.Script
}

// scan runs a scan and fails the test on error.
func scan(t *testing.T, w *Wallet, c Chain) *ScanResult {
	t.Helper()
	res, err := w.Scan(context.Background(), c, nil)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return res
}

// walletView is what a user sees of a wallet: its history (txid, height,
// amount), its coins and balance, and the next receive and change
// addresses.
type walletView struct {
	History     []string
	Coins       []string
	Balance     Balance
	NextReceive uint32
	NextChange  uint32
}

func viewOf(t *testing.T, w *Wallet) walletView {
	t.Helper()
	var v walletView
	hist, err := w.History()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range hist {
		v.History = append(v.History, fmt.Sprintf("%s@%d:%d", e.Txid, e.Height, e.Amount))
	}
	sort.Strings(v.History)
	utxos, _, err := w.UTXOs()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range utxos {
		v.Coins = append(v.Coins, fmt.Sprintf("%v@%d:%d", u.OutPoint, u.Height, u.Value))
	}
	sort.Strings(v.Coins)
	if v.Balance, err = w.Balance(); err != nil {
		t.Fatal(err)
	}
	info, err := w.Info()
	if err != nil {
		t.Fatal(err)
	}
	v.NextReceive, v.NextChange = info.NextReceive, info.NextChange
	return v
}

// sum adds amounts.
func sum(vals ...int64) btcutil.Amount {
	var s btcutil.Amount
	for _, v := range vals {
		s += btcutil.Amount(v)
	}
	return s
}
