package verify

import (
	"testing"
)

// benchTxs is the size of the synthetic block the benchmarks use, about
// that of a busy mainnet block.
const benchTxs = 2000

// BenchmarkBlock measures Block on a 2,000-transaction segwit block: txids,
// wtxids, both merkle trees, the duplicate search and the commitment.
func BenchmarkBlock(b *testing.B) {
	blk, _ := synthBlock(b, benchTxs, 1)
	if err := Block(blk, &blk.Header); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Block(blk, &blk.Header); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBasicFilter measures BasicFilter on the true filter of a
// 2,000-transaction block.
func BenchmarkBasicFilter(b *testing.B) {
	blk, prev := synthBlock(b, benchTxs, 1)
	filter, err := BuildBasicFilter(blk, prev)
	if err != nil {
		b.Fatal(err)
	}
	if err := BasicFilter(filter, blk); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(filter)))
	b.ReportAllocs()
	for b.Loop() {
		if err := BasicFilter(filter, blk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMerkleBlock measures MerkleBlock on a proof of ten transactions
// in a 2,000-transaction block.
func BenchmarkMerkleBlock(b *testing.B) {
	blk, _ := synthBlock(b, benchTxs, 1)
	mb, _ := buildMerkleBlock(b, blk, 3, 150, 400, 777, 1000, 1001, 1500, 1800, 1900, 1999)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MerkleBlock(mb, &blk.Header); err != nil {
			b.Fatal(err)
		}
	}
}
