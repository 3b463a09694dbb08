package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// mainnetHeights are the heights of the blocks in
// testdata/mainnet_blocks.dat, in file order (see testdata/README.md).
var mainnetHeights = []int{0, 170, 546, 2813, 9006, 12304, 13174}

// loadMainnetBlocks reads testdata/mainnet_blocks.dat: blocks in bitcoind's
// bootstrap framing (4-byte network magic, 4-byte little-endian length,
// serialized block), keyed by height.
func loadMainnetBlocks(tb testing.TB) map[int]*wire.MsgBlock {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "mainnet_blocks.dat"))
	if err != nil {
		tb.Fatal(err)
	}
	blocks := make(map[int]*wire.MsgBlock)
	for i := 0; len(raw) > 0; i++ {
		if len(raw) < 8 || i >= len(mainnetHeights) {
			tb.Fatalf("mainnet_blocks.dat: unexpected data after block %d", i)
		}
		if magic := binary.LittleEndian.Uint32(raw); magic != uint32(wire.MainNet) {
			tb.Fatalf("mainnet_blocks.dat: block %d has magic %#x", i, magic)
		}
		size := binary.LittleEndian.Uint32(raw[4:])
		raw = raw[8:]
		var b wire.MsgBlock
		if err := b.Deserialize(bytes.NewReader(raw[:size])); err != nil {
			tb.Fatalf("mainnet_blocks.dat: block %d: %v", i, err)
		}
		raw = raw[size:]
		blocks[mainnetHeights[i]] = &b
	}
	if len(blocks) != len(mainnetHeights) {
		tb.Fatalf("mainnet_blocks.dat holds %d blocks, want %d", len(blocks), len(mainnetHeights))
	}
	return blocks
}

// bip158Vector is one row of testdata/bip158_vectors.json.
type bip158Vector struct {
	height         int
	blockHash      chainhash.Hash
	block          *wire.MsgBlock
	prevOutScripts [][]byte
	prevHeader     chainhash.Hash
	filter         []byte
	header         chainhash.Hash
	notes          string
}

// loadBIP158Vectors parses the official BIP158 test vectors.
func loadBIP158Vectors(tb testing.TB) []bip158Vector {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "bip158_vectors.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		tb.Fatal(err)
	}
	mustHex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			tb.Fatalf("bad hex %q: %v", s, err)
		}
		return b
	}
	mustHash := func(s string) chainhash.Hash {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			tb.Fatalf("bad hash %q: %v", s, err)
		}
		return *h
	}
	var vectors []bip158Vector
	for _, row := range rows[1:] { // rows[0] names the columns
		var (
			v                                             bip158Vector
			hash, block, prevHeader, filter, header, note string
			scripts                                       []string
		)
		fields := []any{&v.height, &hash, &block, &scripts, &prevHeader, &filter, &header, &note}
		if len(row) != len(fields) {
			tb.Fatalf("vector row has %d fields, want %d", len(row), len(fields))
		}
		for i, f := range fields {
			if err := json.Unmarshal(row[i], f); err != nil {
				tb.Fatal(err)
			}
		}
		v.blockHash = mustHash(hash)
		v.block = new(wire.MsgBlock)
		if err := v.block.Deserialize(bytes.NewReader(mustHex(block))); err != nil {
			tb.Fatalf("vector %d: %v", v.height, err)
		}
		for _, s := range scripts {
			v.prevOutScripts = append(v.prevOutScripts, mustHex(s))
		}
		v.prevHeader = mustHash(prevHeader)
		v.filter = mustHex(filter)
		v.header = mustHash(header)
		v.notes = note
		vectors = append(vectors, v)
	}
	return vectors
}

// copyBlock returns a deep copy of b.
func copyBlock(tb testing.TB, b *wire.MsgBlock) *wire.MsgBlock {
	tb.Helper()
	var buf bytes.Buffer
	if err := b.Serialize(&buf); err != nil {
		tb.Fatal(err)
	}
	var c wire.MsgBlock
	if err := c.Deserialize(&buf); err != nil {
		tb.Fatal(err)
	}
	return &c
}

// setMerkleRoot makes b's header commit to b's transactions, computed with
// btcd's merkle code (independent of the code under test).
func setMerkleRoot(b *wire.MsgBlock) {
	txs := make([]*btcutil.Tx, len(b.Transactions))
	for i, tx := range b.Transactions {
		txs[i] = btcutil.NewTx(tx)
	}
	b.Header.MerkleRoot = blockchain.CalcMerkleRoot(txs, false)
}

// setWitnessCommitment gives b's coinbase a BIP141 commitment to the
// witness data of b (replacing any earlier one) and a zero reserved value.
func setWitnessCommitment(b *wire.MsgBlock) {
	cb := b.Transactions[0]
	cb.TxIn[0].Witness = wire.TxWitness{make([]byte, blockchain.CoinbaseWitnessDataLen)}
	outs := cb.TxOut[:0]
	for _, out := range cb.TxOut {
		if !bytes.HasPrefix(out.PkScript, blockchain.WitnessMagicBytes) {
			outs = append(outs, out)
		}
	}
	cb.TxOut = outs
	txs := make([]*btcutil.Tx, len(b.Transactions))
	for i, tx := range b.Transactions {
		txs[i] = btcutil.NewTx(tx)
	}
	root := blockchain.CalcMerkleRoot(txs, true)
	var preimage [64]byte
	copy(preimage[:32], root[:])
	commitment := chainhash.DoubleHashB(preimage[:])
	script := append(append([]byte{}, blockchain.WitnessMagicBytes...), commitment...)
	cb.TxOut = append(cb.TxOut, wire.NewTxOut(0, script))
}

// inputKind is the shape of a synthetic input, which decides both its
// scriptSig/witness and the script it spends.
type inputKind int

const (
	inP2WPKH inputKind = iota
	inP2PKH
	inP2SHP2WPKH
	inP2TRKeyPath
	numInputKinds
)

// synthInput returns an input of the given kind with random keys and
// signatures, and the script it spends.
func synthInput(rng *rand.Rand, kind inputKind) (*wire.TxIn, []byte) {
	var prev chainhash.Hash
	fill(rng, prev[:])
	in := wire.NewTxIn(wire.NewOutPoint(&prev, rng.Uint32N(4)), nil, nil)
	sig := make([]byte, 71)
	fill(rng, sig)
	sig[0] = 0x30
	key := make([]byte, 33)
	fill(rng, key)
	key[0] = 0x02 | byte(rng.IntN(2))
	keyHash := address.Hash160(key)

	switch kind {
	case inP2WPKH:
		in.Witness = wire.TxWitness{sig, key}
		return in, payToWitnessKeyHash(keyHash)
	case inP2PKH:
		in.SignatureScript = mustScript(txscript.NewScriptBuilder().AddData(sig).AddData(key))
		return in, payToKeyHash(keyHash)
	case inP2SHP2WPKH:
		redeem := payToWitnessKeyHash(keyHash)
		in.SignatureScript = mustScript(txscript.NewScriptBuilder().AddData(redeem))
		in.Witness = wire.TxWitness{sig, key}
		return in, payToScriptHash(address.Hash160(redeem))
	default: // inP2TRKeyPath
		schnorr := make([]byte, 64)
		fill(rng, schnorr)
		in.Witness = wire.TxWitness{schnorr}
		outKey := make([]byte, 32)
		fill(rng, outKey)
		return in, append([]byte{txscript.OP_1, txscript.OP_DATA_32}, outKey...)
	}
}

// synthOutputScript returns a random P2WPKH, P2TR or P2PKH script.
func synthOutputScript(rng *rand.Rand) []byte {
	switch rng.IntN(3) {
	case 0:
		h := make([]byte, 20)
		fill(rng, h)
		return payToWitnessKeyHash(h)
	case 1:
		k := make([]byte, 32)
		fill(rng, k)
		return append([]byte{txscript.OP_1, txscript.OP_DATA_32}, k...)
	default:
		h := make([]byte, 20)
		fill(rng, h)
		return payToKeyHash(h)
	}
}

// synthBlock builds a deterministic, internally consistent segwit block of
// nTx transactions (coinbase included) whose inputs cycle through every
// inputKind, and returns it with the scripts its inputs spend, so that
// BuildBasicFilter can make its true filter.
func synthBlock(tb testing.TB, nTx int, seed uint64) (*wire.MsgBlock, [][]byte) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x5a7c4e1))
	var prevBlock chainhash.Hash
	fill(rng, prevBlock[:])
	b := wire.NewMsgBlock(wire.NewBlockHeader(0x20000000, &prevBlock, &chainhash.Hash{}, 0x1d00ffff, 0))

	cb := wire.NewMsgTx(2)
	cb.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, wire.MaxPrevOutIndex),
		[]byte{0x03, byte(seed), byte(seed >> 8), byte(seed >> 16)}, nil))
	cb.AddTxOut(wire.NewTxOut(625_000_000, synthOutputScript(rng)))
	b.AddTransaction(cb)

	var prevScripts [][]byte
	for i := 1; i < nTx; i++ {
		tx := wire.NewMsgTx(2)
		for range 1 + rng.IntN(2) {
			in, spent := synthInput(rng, inputKind(rng.IntN(int(numInputKinds))))
			tx.AddTxIn(in)
			prevScripts = append(prevScripts, spent)
		}
		for range 1 + rng.IntN(2) {
			tx.AddTxOut(wire.NewTxOut(int64(1000+rng.IntN(1_000_000)), synthOutputScript(rng)))
		}
		b.AddTransaction(tx)
	}
	setWitnessCommitment(b)
	setMerkleRoot(b)
	return b, prevScripts
}

// fill writes random bytes into p.
func fill(rng *rand.Rand, p []byte) {
	for i := range p {
		p[i] = byte(rng.Uint32())
	}
}

// mustScript returns the builder's script or panics; test data only.
func mustScript(b *txscript.ScriptBuilder) []byte {
	s, err := b.Script()
	if err != nil {
		panic(err)
	}
	return s
}

// sha256Sum returns SHA-256 of b as a slice.
func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// wantCode fails the test unless err is an *Error with code want.
func wantCode(tb testing.TB, err error, want ErrorCode) {
	tb.Helper()
	if want == 0 {
		if err != nil {
			tb.Fatalf("got error %v (%v), want none", err, codeOf(err))
		}
		return
	}
	if err == nil {
		tb.Fatalf("got no error, want %v", want)
	}
	if !IsErrorCode(err, want) {
		tb.Fatalf("got %v (%q), want %v", codeOf(err), err, want)
	}
}

// codeOf returns the code of err, or 0 when err is not an *Error.
func codeOf(err error) ErrorCode {
	if e, ok := err.(*Error); ok {
		return e.Code
	}
	return 0
}
