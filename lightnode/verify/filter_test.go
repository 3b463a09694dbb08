package verify

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TestBIP158Vectors reproduces every official BIP158 vector byte for byte:
// the block hash, the filter built from the block and its spent scripts,
// the filter header chained on the previous one; and checks that
// BasicFilter accepts each filter for its block.
func TestBIP158Vectors(t *testing.T) {
	for _, v := range loadBIP158Vectors(t) {
		t.Run(fmt.Sprintf("%d %s", v.height, v.notes), func(t *testing.T) {
			if got := v.block.BlockHash(); got != v.blockHash {
				t.Fatalf("block hash %v, want %v", got, v.blockHash)
			}
			filter, err := BuildBasicFilter(v.block, v.prevOutScripts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(filter, v.filter) {
				t.Fatalf("filter %x, want %x", filter, v.filter)
			}
			if got := FilterHeader(v.filter, &v.prevHeader); got != v.header {
				t.Fatalf("filter header %v, want %v", got, v.header)
			}

			// Cross-check against btcd's own header code.
			f, err := gcs.FromNBytes(builder.DefaultP, builder.DefaultM, v.filter)
			if err != nil {
				t.Fatal(err)
			}
			btcdHash, err := builder.GetFilterHash(f)
			if err != nil || btcdHash != FilterHash(v.filter) {
				t.Fatalf("FilterHash %v, btcd %v (%v)", FilterHash(v.filter), btcdHash, err)
			}

			wantCode(t, BasicFilter(v.filter, v.block), 0)
		})
	}
}

// TestFilterHeaderGenesis checks that a nil previous header means the
// all-zero one, as for the genesis block's filter.
func TestFilterHeaderGenesis(t *testing.T) {
	v := loadBIP158Vectors(t)[0]
	if v.height != 0 {
		t.Fatal("first vector is not the genesis block")
	}
	if got := FilterHeader(v.filter, nil); got != v.header {
		t.Fatalf("genesis filter header %v, want %v", got, v.header)
	}
}

// TestBasicFilterDetectsFlippedBytes flips every byte of every vector
// filter and checks that BasicFilter notices. A flip can go unnoticed only
// when it changes nothing but elements a light client cannot derive (the
// spent scripts of inputs it cannot reconstruct), so only vectors with
// such inputs may miss any, and then few.
func TestBasicFilterDetectsFlippedBytes(t *testing.T) {
	for _, v := range loadBIP158Vectors(t) {
		t.Run(fmt.Sprintf("%d", v.height), func(t *testing.T) {
			missed := 0
			for i := range v.filter {
				bad := slices.Clone(v.filter)
				bad[i] ^= 0xff
				if BasicFilter(bad, v.block) == nil {
					missed++
				}
			}
			// Only the vectors with spent scripts we cannot derive
			// can hide a flip at all.
			if (missed > 0 && len(v.prevOutScripts) == 0) || missed*10 > len(v.filter) {
				t.Fatalf("%d of %d flipped bytes went unnoticed", missed, len(v.filter))
			}
			t.Logf("%d of %d flips unnoticed", missed, len(v.filter))
		})
	}
}

// TestBasicFilterMissingOutput builds filters for the vector blocks with
// one output script left out and checks BasicFilter names it.
func TestBasicFilterMissingOutput(t *testing.T) {
	for _, v := range loadBIP158Vectors(t) {
		for ti, tx := range v.block.Transactions {
			for oi, out := range tx.TxOut {
				if len(out.PkScript) == 0 || out.PkScript[0] == txscript.OP_RETURN ||
					countScript(v, out.PkScript) > 1 {
					continue
				}
				t.Run(fmt.Sprintf("%d tx %d out %d", v.height, ti, oi), func(t *testing.T) {
					b := copyBlock(t, v.block)
					bt := b.Transactions[ti]
					bt.TxOut = slices.Delete(bt.TxOut, oi, oi+1)
					filter, err := BuildBasicFilter(b, v.prevOutScripts)
					if err != nil {
						t.Fatal(err)
					}
					err = BasicFilter(filter, v.block)
					wantCode(t, err, ErrFilterMissingElement)
					if !strings.Contains(err.Error(), hex.EncodeToString(out.PkScript)) {
						t.Fatalf("error %q does not name script %x", err, out.PkScript)
					}
				})
			}
		}
	}
}

// TestBasicFilterRealSpends replaces one spent script of a vector block
// with another and checks the code: certain for a real P2SH-P2WSH spend,
// probable for real P2PKH spends, none for a bare multisig spend, which a
// light client cannot derive.
func TestBasicFilterRealSpends(t *testing.T) {
	vectors := map[int]bip158Vector{}
	for _, v := range loadBIP158Vectors(t) {
		vectors[v.height] = v
	}
	tests := []struct {
		name   string
		height int
		prev   int
		want   ErrorCode
	}{
		{"P2SH-P2WSH", 926485, 0, ErrFilterMissingElement},
		{"P2PKH compressed key", 49291, 5, ErrFilterMissingSpentScript},
		{"P2PKH in a block spending empty scripts", 180480, 3, ErrFilterMissingSpentScript},
		{"bare multisig", 49291, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := vectors[tc.height]
			if countScript(v, v.prevOutScripts[tc.prev]) != 1 {
				t.Fatal("the script also appears elsewhere in the block; pick another")
			}
			prev := slices.Clone(v.prevOutScripts)
			prev[tc.prev] = payToKeyHash(make([]byte, 20))
			filter, err := BuildBasicFilter(v.block, prev)
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, BasicFilter(filter, v.block), tc.want)
		})
	}
}

// countScript counts how often script appears among the vector block's
// outputs and spent scripts.
func countScript(v bip158Vector, script []byte) int {
	n := 0
	for _, tx := range v.block.Transactions {
		for _, out := range tx.TxOut {
			if bytes.Equal(out.PkScript, script) {
				n++
			}
		}
	}
	for _, s := range v.prevOutScripts {
		if bytes.Equal(s, script) {
			n++
		}
	}
	return n
}

// TestBasicFilterSpentScripts checks each kind of input: the filter built
// with the true spent scripts passes; one built with a wrong script for a
// single input fails with the code the input's certainty calls for, or
// passes when the spent script cannot be derived.
func TestBasicFilterSpentScripts(t *testing.T) {
	const nTx = 40
	b, prev := synthBlock(t, nTx, 99)
	good, err := BuildBasicFilter(b, prev)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, BasicFilter(good, b), 0)
	wantCode(t, Block(b, &b.Header), 0)

	// Find one input of each kind; prevOutScripts are in input order.
	type input struct {
		tx, in, prev int
	}
	byKind := map[inputKind]input{}
	p := 0
	for ti, tx := range b.Transactions[1:] {
		for ii, in := range tx.TxIn {
			var kind inputKind
			switch {
			case len(in.Witness) == 1:
				kind = inP2TRKeyPath
			case len(in.Witness) == 2 && len(in.SignatureScript) > 0:
				kind = inP2SHP2WPKH
			case len(in.Witness) == 2:
				kind = inP2WPKH
			default:
				kind = inP2PKH
			}
			if _, ok := byKind[kind]; !ok {
				byKind[kind] = input{ti + 1, ii, p}
			}
			p++
		}
	}

	tests := []struct {
		kind inputKind
		want ErrorCode
	}{
		{inP2SHP2WPKH, ErrFilterMissingElement},
		{inP2WPKH, ErrFilterMissingSpentScript},
		{inP2PKH, ErrFilterMissingSpentScript},
		{inP2TRKeyPath, 0},
	}
	for _, tc := range tests {
		in, ok := byKind[tc.kind]
		if !ok {
			t.Fatalf("synthetic block has no input of kind %d", tc.kind)
		}
		t.Run(fmt.Sprintf("kind %d wrong spent script", tc.kind), func(t *testing.T) {
			wrong := slices.Clone(prev)
			wrong[in.prev] = payToKeyHash(make([]byte, 20))
			filter, err := BuildBasicFilter(b, wrong)
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, BasicFilter(filter, b), tc.want)
		})
	}

	// The other reading of a P2WPKH- or P2PKH-shaped input is accepted:
	// a P2WSH or P2SH spend with the "key" as its script.
	t.Run("P2WPKH shape spending P2WSH", func(t *testing.T) {
		in := byKind[inP2WPKH]
		key := b.Transactions[in.tx].TxIn[in.in].Witness[1]
		other := slices.Clone(prev)
		other[in.prev] = payToWitnessScriptHash(sha256Sum(key))
		filter, err := BuildBasicFilter(b, other)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, BasicFilter(filter, b), 0)
	})
	t.Run("P2PKH shape spending P2SH", func(t *testing.T) {
		in := byKind[inP2PKH]
		key, _ := lastPush(b.Transactions[in.tx].TxIn[in.in].SignatureScript)
		other := slices.Clone(prev)
		other[in.prev] = payToScriptHash(address.Hash160(key))
		filter, err := BuildBasicFilter(b, other)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, BasicFilter(filter, b), 0)
	})
}

// TestBasicFilterMalformed feeds filters that must not decode.
func TestBasicFilterMalformed(t *testing.T) {
	vectors := loadBIP158Vectors(t)
	var v bip158Vector // a vector whose filter has padding bits
	for _, c := range vectors {
		if c.height == 49291 {
			v = c
		}
	}
	mustHex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name   string
		filter []byte
	}{
		{"empty", nil},
		{"non-canonical N", mustHex("fd0100ff")},
		{"N of 2^32", mustHex("ff0000000001000000")},
		{"N too large for the bytes", mustHex("05ff")},
		{"data ends early", mustHex("02ff")},
		{"trailing byte", append(slices.Clone(v.filter), 0)},
		{"padding bit set", func() []byte {
			b := slices.Clone(v.filter)
			b[len(b)-1] |= 1
			return b
		}()},
		// N=1, quotient 2: value 2^20 is not below 1*M = 784931.
		{"value out of range", mustHex("01c00000")},
		{"data for N=0", mustHex("0000")},
		{"too long", make([]byte, MaxFilterSize+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, BasicFilter(tc.filter, v.block), ErrFilterMalformed)
		})
	}
}

// TestBasicFilterWrongBlock checks a valid filter is refused for another
// block (its key and contents differ).
func TestBasicFilterWrongBlock(t *testing.T) {
	vs := loadBIP158Vectors(t)
	for i := range vs {
		other := vs[(i+1)%len(vs)]
		if bytes.Equal(other.filter, []byte{0}) {
			continue // nothing in that block a filter must hold
		}
		t.Run(fmt.Sprintf("%d for %d", vs[i].height, other.height), func(t *testing.T) {
			err := BasicFilter(vs[i].filter, other.block)
			if err == nil {
				t.Fatal("filter of another block accepted")
			}
		})
	}
	wantCode(t, BasicFilter(vs[0].filter, nil), ErrMissingData)
}

// TestGCSValueMatchesBtcd checks the element hashing BasicFilter relies on
// against btcd's own Match over a big synthetic filter, both ways.
func TestGCSValueMatchesBtcd(t *testing.T) {
	b, prev := synthBlock(t, 300, 5)
	raw, err := BuildBasicFilter(b, prev)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gcs.FromNBytes(builder.DefaultP, builder.DefaultM, raw)
	if err != nil {
		t.Fatal(err)
	}
	n, values, err := decodeBasicFilter(raw)
	if err != nil || n != f.N() {
		t.Fatalf("decoded N=%d (%v), btcd N=%d", n, err, f.N())
	}
	hash := b.BlockHash()
	s := filterSet{key: builder.DeriveKey(&hash), modulus: uint64(n) * basicFilterM,
		values: values, cache: map[string]bool{}}
	probes := slices.Clone(prev)
	for i := range 200 {
		probes = append(probes, []byte(fmt.Sprintf("not in the filter %d", i)))
	}
	for _, p := range probes {
		want, err := f.Match(s.key, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.has(p); got != want {
			t.Fatalf("element %x: has=%v, btcd Match=%v", p, got, want)
		}
	}
}

// TestBuildBasicFilterNil checks the builder refuses missing input rather
// than panicking.
func TestBuildBasicFilterNil(t *testing.T) {
	_, err := BuildBasicFilter(nil, nil)
	wantCode(t, err, ErrMissingData)
	_, err = BuildBasicFilter(&wire.MsgBlock{Transactions: []*wire.MsgTx{nil}}, nil)
	wantCode(t, err, ErrMissingData)
}
