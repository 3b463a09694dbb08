package verify

import (
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TestBlockAcceptsRealBlocks runs Block over real mainnet and testnet
// blocks (legacy and segwit) and over synthetic segwit blocks of several
// sizes, each against its own header.
func TestBlockAcceptsRealBlocks(t *testing.T) {
	for height, b := range loadMainnetBlocks(t) {
		t.Run(fmt.Sprintf("mainnet-%d", height), func(t *testing.T) {
			wantCode(t, Block(b, &b.Header), 0)
		})
	}
	for _, v := range loadBIP158Vectors(t) {
		t.Run(fmt.Sprintf("testnet-%d", v.height), func(t *testing.T) {
			hdr := v.block.Header
			wantCode(t, Block(v.block, &hdr), 0)
		})
	}
	for _, n := range []int{1, 2, 3, 7, 64, 333} {
		t.Run(fmt.Sprintf("synthetic-%d", n), func(t *testing.T) {
			b, _ := synthBlock(t, n, uint64(n))
			wantCode(t, Block(b, &b.Header), 0)
		})
	}
}

// TestBlockRejects covers each rule Block enforces with a block broken in
// exactly that way.
func TestBlockRejects(t *testing.T) {
	mainnet := loadMainnetBlocks(t)
	var segwit *wire.MsgBlock
	for _, v := range loadBIP158Vectors(t) {
		if v.height == 1263442 { // testnet block with witness data
			segwit = v.block
		}
	}
	if segwit == nil {
		t.Fatal("segwit vector block not found")
	}

	tests := []struct {
		name string
		// mutate returns the block to check and the header to check
		// it against.
		mutate func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader)
		want   ErrorCode
	}{{
		name: "nil block",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			return nil, &mainnet[170].Header
		},
		want: ErrMissingData,
	}, {
		name: "nil header",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			return mainnet[170], nil
		},
		want: ErrMissingData,
	}, {
		name: "nil transaction",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[170])
			b.Transactions[1] = nil
			return b, &b.Header
		},
		want: ErrMissingData,
	}, {
		name: "nil input",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[170])
			b.Transactions[1].TxIn[0] = nil
			return b, &b.Header
		},
		want: ErrMissingData,
	}, {
		name: "header of another block",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			return mainnet[2813], &mainnet[546].Header
		},
		want: ErrHeaderMismatch,
	}, {
		name: "no transactions",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[170])
			b.Transactions = nil
			return b, &b.Header
		},
		want: ErrNoTransactions,
	}, {
		name: "too many transactions",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[170])
			for len(b.Transactions) <= MaxTransactionsPerBlock {
				b.Transactions = append(b.Transactions, b.Transactions[1])
			}
			return b, &b.Header
		},
		want: ErrTooManyTransactions,
	}, {
		name: "wrong merkle root",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[2813])
			b.Transactions[3].TxOut[0].Value++
			return b, &b.Header
		},
		want: ErrBadMerkleRoot,
	}, {
		name: "missing coinbase",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[2813])
			b.Transactions = b.Transactions[1:]
			setMerkleRoot(b)
			return b, &b.Header
		},
		want: ErrFirstTxNotCoinbase,
	}, {
		name: "second coinbase",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[2813])
			b.Transactions = append(b.Transactions, copyBlock(t, mainnet[546]).Transactions[0])
			setMerkleRoot(b)
			return b, &b.Header
		},
		want: ErrMultipleCoinbases,
	}, {
		// 3 transactions: [cb a b] and [cb a b b] share a root.
		name: "CVE-2012-2459 duplicated last tx (3 txs)",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			return duplicateTail(t, mainnet[13174], 1), &mainnet[13174].Header
		},
		want: ErrMutatedMerkle,
	}, {
		// 6 transactions: the odd level is the one above the leaves,
		// so the last two transactions are repeated.
		name: "CVE-2012-2459 duplicated last two txs (6 txs)",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			return duplicateTail(t, mainnet[2813], 2), &mainnet[2813].Header
		},
		want: ErrMutatedMerkle,
	}, {
		name: "CVE-2012-2459 on a segwit block",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b, _ := synthBlock(t, 11, 11)
			return duplicateTail(t, b, 1), &b.Header
		},
		want: ErrMutatedMerkle,
	}, {
		name: "duplicate txid not adjacent",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[9006]) // [cb a b c] -> [cb a b a]
			b.Transactions[3] = b.Transactions[1]
			setMerkleRoot(b)
			return b, &b.Header
		},
		want: ErrDuplicateTx,
	}, {
		name: "witness data without commitment",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, mainnet[2813])
			b.Transactions[1].TxIn[0].Witness = wire.TxWitness{{0x01}}
			return b, &b.Header
		},
		want: ErrUnexpectedWitness,
	}, {
		name: "commitment output removed",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, segwit)
			cb := b.Transactions[0]
			cb.TxOut = cb.TxOut[:len(cb.TxOut)-1]
			setMerkleRoot(b)
			return b, &b.Header
		},
		want: ErrUnexpectedWitness,
	}, {
		name: "coinbase witness with two items",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, segwit)
			w := &b.Transactions[0].TxIn[0].Witness
			*w = append(*w, []byte{0})
			return b, &b.Header
		},
		want: ErrBadWitnessNonce,
	}, {
		name: "coinbase witness reserved value too short",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, segwit)
			b.Transactions[0].TxIn[0].Witness[0] = make([]byte, 31)
			return b, &b.Header
		},
		want: ErrBadWitnessNonce,
	}, {
		name: "witness altered",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, segwit)
			b.Transactions[1].TxIn[0].Witness[0][5] ^= 1
			return b, &b.Header
		},
		want: ErrBadWitnessCommitment,
	}, {
		name: "reserved value altered",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, segwit)
			b.Transactions[0].TxIn[0].Witness[0][0] ^= 1
			return b, &b.Header
		},
		want: ErrBadWitnessCommitment,
	}, {
		name: "commitment altered",
		mutate: func(t *testing.T) (*wire.MsgBlock, *wire.BlockHeader) {
			b := copyBlock(t, segwit)
			cb := b.Transactions[0]
			cb.TxOut[len(cb.TxOut)-1].PkScript[10] ^= 1
			setMerkleRoot(b)
			return b, &b.Header
		},
		want: ErrBadWitnessCommitment,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, hdr := tc.mutate(t)
			wantCode(t, Block(b, hdr), tc.want)
		})
	}
}

// duplicateTail returns a copy of b with its last k transactions repeated,
// and checks that btcd's own merkle code gives the copy the original
// root: the mutation is invisible to a plain root comparison.
func duplicateTail(t *testing.T, b *wire.MsgBlock, k int) *wire.MsgBlock {
	t.Helper()
	c := copyBlock(t, b)
	n := len(c.Transactions)
	c.Transactions = append(c.Transactions, c.Transactions[n-k:]...)
	txs := make([]*btcutil.Tx, len(c.Transactions))
	for i, tx := range c.Transactions {
		txs[i] = btcutil.NewTx(tx)
	}
	if root := blockchain.CalcMerkleRoot(txs, false); root != b.Header.MerkleRoot {
		t.Fatalf("duplicating %d of %d transactions changed the root; not a CVE-2012-2459 mutation", k, n)
	}
	return c
}

// TestMerkleRootMatchesBtcd checks the Core-style root computation against
// btcd's for every size from 1 to 70 leaves, and that none of these
// unique-leaf trees counts as mutated.
func TestMerkleRootMatchesBtcd(t *testing.T) {
	b, _ := synthBlock(t, 70, 70)
	for n := 1; n <= len(b.Transactions); n++ {
		txs := make([]*btcutil.Tx, n)
		leaves := make([]chainhash.Hash, n, n+1)
		for i := range n {
			txs[i] = btcutil.NewTx(b.Transactions[i])
			leaves[i] = b.Transactions[i].TxHash()
		}
		root, mutated := merkleRoot(leaves)
		if want := blockchain.CalcMerkleRoot(txs, false); root != want || mutated {
			t.Fatalf("%d leaves: root %v mutated %v, want %v and false", n, root, mutated, want)
		}
	}
}

// TestErrorCodeStrings keeps every code named, so logs never show a bare
// number.
func TestErrorCodeStrings(t *testing.T) {
	for c := ErrMissingData; c < numErrorCodes; c++ {
		if _, ok := errorCodeStrings[c]; !ok {
			t.Errorf("error code %d has no name", int(c))
		}
	}
	if got := ErrorCode(9999).String(); got != "unknown ErrorCode (9999)" {
		t.Errorf("unknown code prints as %q", got)
	}
	err := fmt.Errorf("fetching block: %w", ruleError(ErrBadMerkleRoot, "x"))
	if !IsErrorCode(err, ErrBadMerkleRoot) || IsErrorCode(err, ErrMutatedMerkle) {
		t.Error("IsErrorCode does not see through wrapping")
	}
}
