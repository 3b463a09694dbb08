package regtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// Call sends one JSON-RPC request to btcd and returns its result. An error
// answered by btcd is an *RPCError. Call does not touch the test, so it is
// the method to use from other goroutines and for expected failures.
func (n *Node) Call(method string, params ...any) (json.RawMessage, error) {
	return n.rpc.call(n.ctx, method, params...)
}

// callInto runs a call and decodes its result into v, failing the test on
// any error.
func (n *Node) callInto(v any, method string, params ...any) {
	n.tb.Helper()
	raw, err := n.Call(method, params...)
	if err != nil {
		n.tb.Fatalf("regtest: %s: %v", n.p2pAddr, err)
	}
	if v == nil {
		return
	}
	if err := json.Unmarshal(raw, v); err != nil {
		n.tb.Fatalf("regtest: %s: decode %s result %.200s: %v", n.p2pAddr, method, raw, err)
	}
}

// Generate mines count blocks with btcd's `generate` RPC and returns their
// hashes in order. It is quick (thousands of blocks a second) but the block
// times run ahead of the clock; see the package documentation, and
// BuildChain for long chains.
func (n *Node) Generate(count int) []chainhash.Hash {
	n.tb.Helper()
	var hexes []string
	n.callInto(&hexes, "generate", count)
	hashes := make([]chainhash.Hash, len(hexes))
	for i, h := range hexes {
		hashes[i] = n.parseHash(h)
	}
	return hashes
}

// BestBlock returns the hash and height of btcd's tip.
func (n *Node) BestBlock() (chainhash.Hash, int32) {
	n.tb.Helper()
	var res struct {
		Hash   string `json:"hash"`
		Height int32  `json:"height"`
	}
	n.callInto(&res, "getbestblock")
	return n.parseHash(res.Hash), res.Height
}

// BlockHash returns the hash of the block at height on btcd's best chain.
func (n *Node) BlockHash(height int32) chainhash.Hash {
	n.tb.Helper()
	var s string
	n.callInto(&s, "getblockhash", height)
	return n.parseHash(s)
}

// Header returns the header of the block with the given hash, decoded from
// btcd's serialization (`getblockheader hash false`).
func (n *Node) Header(hash chainhash.Hash) wire.BlockHeader {
	n.tb.Helper()
	var s string
	n.callInto(&s, "getblockheader", hash.String(), false)
	raw, err := hex.DecodeString(s)
	if err != nil {
		n.tb.Fatalf("regtest: header %s: %v", hash, err)
	}
	var h wire.BlockHeader
	if err := h.Deserialize(bytes.NewReader(raw)); err != nil {
		n.tb.Fatalf("regtest: header %s: %v", hash, err)
	}
	return h
}

// WaitForHeight waits until btcd's tip is at height or above and fails the
// test if that takes longer than timeout.
func (n *Node) WaitForHeight(height int32, timeout time.Duration) {
	n.tb.Helper()
	ctx, cancel := context.WithTimeout(n.ctx, timeout)
	defer cancel()
	var last int32
	err := poll(ctx, func() (bool, error) {
		raw, err := n.rpc.call(ctx, "getblockcount")
		if err != nil {
			return false, err
		}
		if err := json.Unmarshal(raw, &last); err != nil {
			return false, err
		}
		return last >= height, nil
	})
	if err != nil {
		n.tb.Fatalf("regtest: %s: wait for height %d (at %d after %v): %v",
			n.p2pAddr, height, last, timeout, err)
	}
}

// poll calls check every pollInterval until it reports done or ctx ends.
// Errors from check are kept and returned if ctx ends first, since a node
// that is busy may fail a call or two.
func poll(ctx context.Context, check func() (bool, error)) error {
	const pollInterval = 25 * time.Millisecond
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var lastErr error
	for {
		done, err := check()
		if err == nil && done {
			return nil
		}
		if err != nil && ctx.Err() == nil { // not just cut short by ctx
			lastErr = err
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return fmt.Errorf("%w (last error: %v)", ctx.Err(), lastErr)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func (n *Node) parseHash(s string) chainhash.Hash {
	n.tb.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		n.tb.Fatalf("regtest: %s: bad block hash %q: %v", n.p2pAddr, s, err)
	}
	return *h
}
