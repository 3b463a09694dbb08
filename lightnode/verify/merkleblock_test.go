package verify

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/btcutil/v2/bloom"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// buildMerkleBlock makes the merkleblock an honest BIP37 peer would send
// for b and a bloom filter holding the txids at the given indexes, using
// btcd's bloom package. It returns the message and the txids btcd matched.
func buildMerkleBlock(tb testing.TB, b *wire.MsgBlock, indexes ...int) (*wire.MsgMerkleBlock, []chainhash.Hash) {
	tb.Helper()
	f := bloom.NewFilter(uint32(len(indexes)+1), 0, 0.000001, wire.BloomUpdateNone)
	for _, i := range indexes {
		h := b.Transactions[i].TxHash()
		f.AddHash(&h)
	}
	mb, matched := bloom.NewMerkleBlock(btcutil.NewBlock(b), f)
	var txids []chainhash.Hash
	for _, i := range matched {
		txids = append(txids, b.Transactions[i].TxHash())
	}
	for _, i := range indexes {
		if !slices.Contains(matched, uint32(i)) {
			tb.Fatalf("bloom filter did not match transaction %d", i)
		}
	}
	return mb, txids
}

// TestMerkleBlockHonest verifies honest merkleblocks built by btcd from
// real and synthetic blocks for many match sets, and checks that exactly
// the matched txids come back, in block order, with their positions.
func TestMerkleBlockHonest(t *testing.T) {
	mainnet := loadMainnetBlocks(t)
	big, _ := synthBlock(t, 2000, 2000)
	tests := []struct {
		name    string
		block   *wire.MsgBlock
		indexes []int
	}{
		{"genesis coinbase", mainnet[0], []int{0}},
		{"genesis nothing", mainnet[0], nil},
		{"block 170 spend", mainnet[170], []int{1}},
		{"block 2813 none", mainnet[2813], nil},
		{"block 2813 first", mainnet[2813], []int{0}},
		{"block 2813 last", mainnet[2813], []int{5}},
		{"block 2813 odd middle", mainnet[2813], []int{1, 4}},
		{"block 2813 all", mainnet[2813], []int{0, 1, 2, 3, 4, 5}},
		{"block 13174 duplicated-level leaf", mainnet[13174], []int{2}},
		{"2000 txs one", big, []int{1234}},
		{"2000 txs last", big, []int{1999}},
		{"2000 txs spread", big, []int{0, 1, 17, 999, 1000, 1998}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mb, want := buildMerkleBlock(t, tc.block, tc.indexes...)
			got, err := MerkleBlock(mb, &tc.block.Header)
			wantCode(t, err, 0)
			if !slices.Equal(got, want) {
				t.Fatalf("matched %v, want %v", got, want)
			}
			matches, err := MerkleBlockMatches(mb, &tc.block.Header)
			wantCode(t, err, 0)
			for _, m := range matches {
				if tc.block.Transactions[m.Index].TxHash() != m.TxID {
					t.Fatalf("match %v reported at index %d, which holds another tx", m.TxID, m.Index)
				}
				wantCode(t, MatchedTx(tc.block.Transactions[m.Index], m), 0)
			}
		})
	}

	// Random match sets over the big block.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		var idx []int
		for range rng.IntN(20) {
			idx = append(idx, rng.IntN(len(big.Transactions)))
		}
		mb, want := buildMerkleBlock(t, big, idx...)
		got, err := MerkleBlock(mb, &big.Header)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("random set %d %v: got %v, %v", i, idx, len(got), err)
		}
	}
}

// TestMerkleBlockRejects breaks honest merkleblocks in each way the walk
// must notice.
func TestMerkleBlockRejects(t *testing.T) {
	mainnet := loadMainnetBlocks(t)
	b := mainnet[2813]

	// honest returns a fresh honest merkleblock for block 2813 matching
	// transactions 1 and 4.
	honest := func(t *testing.T) *wire.MsgMerkleBlock {
		mb, _ := buildMerkleBlock(t, b, 1, 4)
		return mb
	}
	tests := []struct {
		name   string
		mutate func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader)
		want   ErrorCode
	}{{
		name: "nil merkleblock",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			return nil, &b.Header
		},
		want: ErrMissingData,
	}, {
		name: "nil hash",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Hashes[0] = nil
			return mb, &b.Header
		},
		want: ErrMissingData,
	}, {
		name: "header of another block",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			return honest(t), &mainnet[546].Header
		},
		want: ErrHeaderMismatch,
	}, {
		name: "zero transactions",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Transactions = 0
			return mb, &b.Header
		},
		want: ErrNoTransactions,
	}, {
		name: "more transactions than fit a block",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Transactions = MaxTransactionsPerBlock + 1
			return mb, &b.Header
		},
		want: ErrTooManyTransactions,
	}, {
		name: "more hashes than transactions",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Transactions = uint32(len(mb.Hashes) - 1)
			return mb, &b.Header
		},
		want: ErrTooManyHashes,
	}, {
		name: "extra hash",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Hashes = append(mb.Hashes, mb.Hashes[0])
			return mb, &b.Header
		},
		want: ErrHashesUnused,
	}, {
		name: "missing hash",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Hashes = mb.Hashes[:len(mb.Hashes)-1]
			return mb, &b.Header
		},
		want: ErrHashesMissing,
	}, {
		name: "no flags",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Flags = nil
			return mb, &b.Header
		},
		want: ErrFlagsMissing,
	}, {
		// A single "match everything below" byte cannot describe a
		// tree of 6 leaves plus inner nodes.
		name: "flags run out mid-tree",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Flags = []byte{0xff}
			return mb, &b.Header
		},
		want: ErrFlagsMissing,
	}, {
		name: "extra flag byte",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Flags = append(mb.Flags, 0)
			return mb, &b.Header
		},
		want: ErrFlagsUnused,
	}, {
		name: "leftover flag bit set",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Flags[len(mb.Flags)-1] |= 0x80
			return mb, &b.Header
		},
		want: ErrFlagsUnused,
	}, {
		name: "hash changed",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			h := *mb.Hashes[2]
			h[0] ^= 1
			mb.Hashes[2] = &h
			return mb, &b.Header
		},
		want: ErrBadMerkleRoot,
	}, {
		// Claiming 5 transactions instead of 6 reshapes the tree, so
		// the walk no longer consumes the hashes exactly.
		name: "transaction count does not fit the tree",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mb := honest(t)
			mb.Transactions = 5
			return mb, &b.Header
		},
		want: ErrHashesUnused,
	}, {
		// The CVE-2012-2459 copy of block 13174 ([cb a b] -> [cb a b b])
		// has the real root; a proof of its last leaf has equal
		// siblings.
		name: "duplicate siblings",
		mutate: func(t *testing.T) (*wire.MsgMerkleBlock, *wire.BlockHeader) {
			mutated := duplicateTail(t, mainnet[13174], 1)
			mb, _ := buildMerkleBlock(t, mutated, 3)
			return mb, &mainnet[13174].Header
		},
		want: ErrMutatedMerkle,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mb, hdr := tc.mutate(t)
			got, err := MerkleBlock(mb, hdr)
			wantCode(t, err, tc.want)
			if got != nil {
				t.Fatalf("rejected merkleblock still returned matches %v", got)
			}
		})
	}
}

// tx64 returns a valid-looking transaction whose serialization is exactly
// 64 bytes: one input with a 2-byte scriptSig, one output with a 2-byte
// script.
func tx64(t *testing.T) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(1)
	prev := chainhash.Hash{1, 2, 3}
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&prev, 0), []byte{0x51, 0x51}, nil))
	tx.AddTxOut(wire.NewTxOut(50_000, []byte{0x51, 0x87}))
	if n := tx.SerializeSizeStripped(); n != 64 {
		t.Fatalf("test transaction is %d bytes, want 64", n)
	}
	return tx
}

// TestMerkleBlock64ByteTx plays both directions of the 64-byte
// transaction attack.
func TestMerkleBlock64ByteTx(t *testing.T) {
	mainnet := loadMainnetBlocks(t)
	t64 := tx64(t)
	var raw bytes.Buffer
	if err := t64.SerializeNoWitness(&raw); err != nil {
		t.Fatal(err)
	}
	var left, right chainhash.Hash
	copy(left[:], raw.Bytes()[:32])
	copy(right[:], raw.Bytes()[32:])

	// A block [coinbase, t64]; its header commits to the pair.
	b := wire.NewMsgBlock(&mainnet[170].Header)
	b.AddTransaction(mainnet[170].Transactions[0])
	b.AddTransaction(t64)
	setMerkleRoot(b)
	cbID, t64ID := b.Transactions[0].TxHash(), t64.TxHash()

	t.Run("forged leaf under a 64-byte tx", func(t *testing.T) {
		// Claim 4 transactions so t64's txid becomes an inner node
		// whose children are its two halves, and "prove" the right
		// half as a matched txid: the root still matches.
		mb := &wire.MsgMerkleBlock{
			Header:       b.Header,
			Transactions: 4,
			// root: parent; left inner: pruned; right inner: parent;
			// its leaves: left half unmatched, right half matched.
			Flags:  []byte{0b01101},
			Hashes: []*chainhash.Hash{&cbID, &left, &right},
		}
		if hashPair(&cbID, ptr(hashPair(&left, &right))) != b.Header.MerkleRoot {
			t.Fatal("forged tree does not reach the real root; the test proves nothing")
		}
		_, err := MerkleBlock(mb, &b.Header)
		wantCode(t, err, ErrAmbiguousTree)
	})

	t.Run("inner node passed off as a matched tx", func(t *testing.T) {
		// The honest proof of t64 verifies as a tree; the 64-byte tx
		// itself is then refused.
		mb, _ := buildMerkleBlock(t, b, 1)
		matches, err := MerkleBlockMatches(mb, &b.Header)
		wantCode(t, err, 0)
		if len(matches) != 1 || matches[0].TxID != t64ID {
			t.Fatalf("matches %v, want t64", matches)
		}
		wantCode(t, MatchedTx(t64, matches[0]), ErrAmbiguousTx)
	})

	t.Run("MatchedTx", func(t *testing.T) {
		spend := mainnet[170].Transactions[1]
		cb := mainnet[170].Transactions[0]
		wantCode(t, MatchedTx(spend, Match{TxID: spend.TxHash(), Index: 1}), 0)
		wantCode(t, MatchedTx(cb, Match{TxID: cb.TxHash(), Index: 0}), 0)
		wantCode(t, MatchedTx(nil, Match{}), ErrMissingData)
		wantCode(t, MatchedTx(spend, Match{TxID: cb.TxHash(), Index: 1}), ErrTxMismatch)
		wantCode(t, MatchedTx(spend, Match{TxID: spend.TxHash(), Index: 0}), ErrTxMismatch)
		wantCode(t, MatchedTx(cb, Match{TxID: cb.TxHash(), Index: 3}), ErrTxMismatch)
	})
}

// TestCouldBe64ByteTx checks the parse test on real 64-byte layouts and
// its false-positive rate on honest trees.
func TestCouldBe64ByteTx(t *testing.T) {
	for sigLen := 0; sigLen <= 4; sigLen++ {
		t.Run(fmt.Sprintf("scriptSig %d bytes", sigLen), func(t *testing.T) {
			tx := wire.NewMsgTx(2)
			tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{9}, 7), make([]byte, sigLen), nil))
			tx.AddTxOut(wire.NewTxOut(21e14, make([]byte, 4-sigLen)))
			var raw bytes.Buffer
			if err := tx.SerializeNoWitness(&raw); err != nil || raw.Len() != 64 {
				t.Fatalf("serialized %d bytes, %v", raw.Len(), err)
			}
			var l, r chainhash.Hash
			copy(l[:], raw.Bytes()[:32])
			copy(r[:], raw.Bytes()[32:])
			if !couldBe64ByteTx(&l, &r) {
				t.Fatal("a real 64-byte transaction was not recognised")
			}
			raw.Bytes()[4] = 2 // two inputs cannot fit
			copy(l[:], raw.Bytes()[:32])
			if couldBe64ByteTx(&l, &r) {
				t.Fatal("a two-input reading was accepted")
			}
		})
	}
	big, _ := synthBlock(t, 2000, 7)
	for i := 0; i+1 < len(big.Transactions); i += 2 {
		l, r := big.Transactions[i].TxHash(), big.Transactions[i+1].TxHash()
		if couldBe64ByteTx(&l, &r) {
			t.Fatalf("random txid pair %d parsed as a transaction", i)
		}
	}
}

// ptr returns a pointer to a copy of h.
func ptr(h chainhash.Hash) *chainhash.Hash { return &h }
