package coinselect

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// fuzzReader hands out fields from the fuzzer's bytes, zeros once they run
// out.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *fuzzReader) uint64() uint64 {
	var buf [8]byte
	n := copy(buf[:], r.b)
	r.b = r.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// amount reads a signed amount; the top bits choose its scale so that the
// fuzzer reaches dust, everyday and impossible values alike.
func (r *fuzzReader) amount() int64 {
	v := r.uint64()
	low := int64(v & (1<<62 - 1))
	switch v >> 62 {
	case 0:
		return low % 100_000
	case 1:
		return low % (100 * btc)
	case 2:
		return low % (btcutil.MaxSatoshi + 2)
	default:
		return int64(v) // anything, negative included
	}
}

// fuzzRequest decodes a request: a flags byte, a fee-rate field, the change
// type, the outputs, then coins until the data ends.
func fuzzRequest(data []byte) *Request {
	r := &fuzzReader{b: data}
	flags := r.byte()
	req := &Request{
		SendMax:           flags&1 != 0,
		SpendOnlyRequired: flags&2 != 0,
		ChangeType:        InputType(r.byte() % 6), // 0 and 5 are invalid
	}
	rate := r.uint64()
	if flags&4 != 0 {
		req.FeeRateSatVB = float64(int64(rate)) / 1000 // out-of-range values too
	} else {
		req.FeeRateSatVB = float64(rate%2_000_000) / 1000
	}
	for range 1 + int(r.byte()%4) {
		t := InputType(1 + r.byte()%4)
		req.Outputs = append(req.Outputs, wire.NewTxOut(r.amount(), t.templateScript()))
	}
	for i := 0; len(r.b) > 0 && i < 64; i++ {
		kind := r.byte()
		c := Coin{
			OutPoint: wire.OutPoint{Index: uint32(r.byte() % 16)},
			Value:    btcutil.Amount(r.amount()),
			Type:     InputType((kind & 0x7f) % 5), // 0 is invalid
		}
		c.OutPoint.Hash[0] = r.byte() % 8 // collisions test duplicate handling
		if kind&0x80 != 0 {
			req.Required = append(req.Required, c)
		} else {
			req.Coins = append(req.Coins, c)
		}
	}
	return req
}

// FuzzSelect feeds Select arbitrary requests. It must never panic, every
// result must obey checkResult, and every error must be a documented one.
func FuzzSelect(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 3, 0x10, 0x27, 0, 0, 0, 0, 0, 0, 1, 2, 0xe8, 0x03, 0, 0, 0, 0, 0, 0,
		3, 1, 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0x40, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		req := fuzzRequest(data)
		res, err := Select(req)
		if err != nil {
			if !knownError(err) {
				t.Fatalf("undocumented error: %v", err)
			}
			var ife *InsufficientFundsError
			if errors.As(err, &ife) && (ife.Available < 0 || ife.Needed <= ife.Available) {
				t.Fatalf("insufficient funds error with impossible amounts: %+v", ife)
			}
			return
		}
		if cerr := checkResult(req, res); cerr != nil {
			t.Fatalf("%v\nrequest: %+v\nresult: %+v", cerr, req, res)
		}
	})
}
