package lightnode

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/chainhash/v2"
)

// TestMatchAnyAgreesWithGCS compares matchAny with btcd's MatchAny on
// random filters and queries: with and without a member among the
// queries, filters of one to thousands of elements, queries of one to two
// thousand scripts, and truncated filter data.
func TestMatchAnyAgreesWithGCS(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	script := func() []byte {
		s := make([]byte, 22+rng.IntN(12))
		for i := range s {
			s[i] = byte(rng.Uint32())
		}
		return s
	}
	var scratch []uint64
	matches := 0
	for round := range 400 {
		hash := chainhash.Hash{byte(round), byte(round >> 8), 9}
		key := builder.DeriveKey(&hash)
		elems := make([][]byte, 1+rng.IntN(3000))
		for i := range elems {
			elems[i] = script()
		}
		f, err := gcs.BuildGCSFilter(builder.DefaultP, builder.DefaultM, key, elems)
		if err != nil {
			t.Fatal(err)
		}
		if round%5 == 4 { // cut the data short
			data, _ := f.Bytes()
			if f, err = gcs.FromBytes(f.N(), builder.DefaultP, builder.DefaultM, data[:rng.IntN(len(data))]); err != nil {
				t.Fatal(err)
			}
		}
		queries := make([][]byte, 1+rng.IntN(2000))
		for i := range queries {
			queries[i] = script()
		}
		if round%2 == 0 {
			queries[rng.IntN(len(queries))] = elems[rng.IntN(len(elems))]
		}
		want, err := f.MatchAny(key, queries)
		if err != nil {
			t.Fatal(err)
		}
		got, err := matchAny(f, &key, queries, &scratch)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("round %d (%d elements, %d queries): matchAny = %v, gcs says %v", round, len(elems), len(queries), got, want)
		}
		if got {
			matches++
		}
	}
	if matches < 100 {
		t.Fatalf("only %d of 400 rounds matched: the test does not test much", matches)
	}
}
