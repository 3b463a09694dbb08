package verify

import (
	"bytes"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// FuzzMerkleBlock decodes arbitrary bytes as a merkleblock message and
// checks MerkleBlockMatches against a plain port of Bitcoin Core's
// CPartialMerkleTree::ExtractMatches. The header's merkle root is set to
// the reference root, so the fuzzer reaches the accepting path: whatever
// Core accepts we accept with the same matches, unless one of our two
// extra rules (64-byte ambiguity, set padding bits) fires; whatever Core
// rejects we reject.
func FuzzMerkleBlock(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var mb wire.MsgMerkleBlock
		if mb.BtcDecode(bytes.NewReader(data), wire.ProtocolVersion, wire.BaseEncoding) != nil {
			return
		}
		refRoot, refMatches, refOK := coreExtractMatches(&mb)
		mb.Header.MerkleRoot = refRoot
		matches, err := MerkleBlockMatches(&mb, &mb.Header)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
			if refOK && !IsErrorCode(err, ErrAmbiguousTree) && !IsErrorCode(err, ErrFlagsUnused) {
				t.Fatalf("Core accepts, we reject: %v", err)
			}
			return
		}
		if !refOK {
			t.Fatal("Core rejects, we accept")
		}
		if !slices.Equal(matches, refMatches) {
			t.Fatalf("matches %v, Core %v", matches, refMatches)
		}
	})
}

// coreExtractMatches is a direct port of Bitcoin Core's partial merkle
// tree extraction (merkleblock.cpp), kept simple on purpose to serve as a
// reference. It returns the root, the matches and whether Core accepts.
func coreExtractMatches(mb *wire.MsgMerkleBlock) (chainhash.Hash, []Match, bool) {
	n := mb.Transactions
	if n == 0 || n > MaxTransactionsPerBlock || uint64(len(mb.Hashes)) > uint64(n) ||
		len(mb.Flags)*8 < len(mb.Hashes) {
		return chainhash.Hash{}, nil, false
	}
	width := func(h uint) uint32 { return uint32((uint64(n) + (1 << h) - 1) >> h) }
	var height uint
	for width(height) > 1 {
		height++
	}
	var (
		bitsUsed, hashUsed int
		bad                bool
		matches            []Match
	)
	var walk func(h uint, pos uint32) chainhash.Hash
	walk = func(h uint, pos uint32) chainhash.Hash {
		if bitsUsed >= len(mb.Flags)*8 {
			bad = true
			return chainhash.Hash{}
		}
		parent := mb.Flags[bitsUsed/8]>>(bitsUsed%8)&1 == 1
		bitsUsed++
		if h == 0 || !parent {
			if hashUsed >= len(mb.Hashes) {
				bad = true
				return chainhash.Hash{}
			}
			hash := *mb.Hashes[hashUsed]
			hashUsed++
			if h == 0 && parent {
				matches = append(matches, Match{TxID: hash, Index: pos})
			}
			return hash
		}
		left := walk(h-1, pos*2)
		right := left
		if pos*2+1 < width(h-1) {
			right = walk(h-1, pos*2+1)
			if right == left {
				bad = true
			}
		}
		var buf [64]byte
		copy(buf[:32], left[:])
		copy(buf[32:], right[:])
		return chainhash.DoubleHashH(buf[:])
	}
	root := walk(height, 0)
	if bad || (bitsUsed+7)/8 != len(mb.Flags) || hashUsed != len(mb.Hashes) {
		return chainhash.Hash{}, nil, false
	}
	return root, matches, true
}

// FuzzBasicFilter feeds arbitrary filter bytes to BasicFilter for each
// BIP158 vector block. It must never panic, must return only *Error, and
// whenever our strict decoder accepts a filter, its membership answers
// must agree with btcd's gcs.Filter.Match.
func FuzzBasicFilter(f *testing.F) {
	vectors := loadBIP158Vectors(f)
	f.Fuzz(func(t *testing.T, filter []byte, which uint8) {
		v := vectors[int(which)%len(vectors)]
		err := BasicFilter(filter, v.block)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
		}

		n, values, derr := decodeBasicFilter(filter)
		if derr != nil {
			return
		}
		bf, ferr := gcs.FromNBytes(builder.DefaultP, builder.DefaultM, filter)
		if ferr != nil {
			t.Fatalf("we decode N=%d but btcd refuses: %v", n, ferr)
		}
		hash := v.block.BlockHash()
		s := filterSet{key: builder.DeriveKey(&hash), modulus: uint64(n) * basicFilterM,
			values: values, cache: map[string]bool{}}
		probes := slices.Clone(v.prevOutScripts)
		for _, tx := range v.block.Transactions {
			for _, out := range tx.TxOut {
				if len(out.PkScript) > 0 && out.PkScript[0] != txscript.OP_RETURN {
					probes = append(probes, out.PkScript)
				}
			}
		}
		for _, p := range probes {
			if len(p) == 0 {
				continue
			}
			want, merr := bf.Match(s.key, p)
			if merr != nil {
				t.Fatalf("btcd Match: %v", merr)
			}
			if got := s.has(p); got != want {
				t.Fatalf("element %x: has=%v, btcd Match=%v", p, got, want)
			}
		}
	})
}
