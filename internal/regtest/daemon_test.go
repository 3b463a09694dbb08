package regtest

import (
	"encoding/json"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
)

// A Daemon started outside a test's control builds a spaced chain paying
// the given addresses in turn, mines to its --miningaddr, and leaves
// nothing behind once closed.
func TestDaemon(t *testing.T) {
	payA, payB := newAddress(t), newAddress(t)
	d, err := Launch(t.Context(), WithMiningAddress(payB))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })

	if err := d.BuildChain(20, 10*time.Minute, payA, payB); err != nil {
		t.Fatal(err)
	}
	for height, want := range map[int]string{1: payA, 2: payB, 20: payB} {
		if got := coinbasePayee(t, d, height); got != want {
			t.Errorf("block %d pays %s, want %s", height, got, want)
		}
	}
	first, last := blockTime(t, d, 1), blockTime(t, d, 20)
	if gap := last.Sub(first); gap != 19*10*time.Minute {
		t.Errorf("blocks 1-20 span %v, want 3h10m", gap)
	}
	if age := time.Since(last); age < -5*time.Second || age > 5*time.Second {
		t.Errorf("the tip is %v old, want about now", age)
	}
	if err := d.BuildChain(5, time.Hour); err == nil {
		t.Error("BuildChain before the tip succeeded; want an error")
	}

	hashes, err := d.Generate(2)
	if err != nil || len(hashes) != 2 {
		t.Fatalf("Generate(2) = %d hashes, %v", len(hashes), err)
	}
	if got := coinbasePayee(t, d, 22); got != payB {
		t.Errorf("generated block pays %s, want the mining address %s", got, payB)
	}

	dir, p2p := d.n.dir, d.P2PAddr()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close, %s: %v; want it removed", dir, err)
	}
	if c, err := net.DialTimeout("tcp", p2p, time.Second); err == nil {
		c.Close()
		t.Errorf("after Close, btcd still accepts peers on %s", p2p)
	}
}

// A Daemon whose btcd cannot start reports why and removes its folder.
func TestLaunchFailure(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, err := Launch(t.Context(), WithArgs("--nosuchflag"))
	if err == nil {
		t.Fatal("Launch with a bad flag succeeded")
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("a failed Launch left %d entries in TMPDIR", len(left))
	}
}

// newAddress returns a fresh P2WPKH regtest address.
func newAddress(t *testing.T) string {
	t.Helper()
	key, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr, err := address.NewAddressWitnessPubKeyHash(address.Hash160(key.PubKey().SerializeCompressed()), params)
	if err != nil {
		t.Fatal(err)
	}
	return addr.EncodeAddress()
}

func coinbasePayee(t *testing.T, d *Daemon, height int) string {
	t.Helper()
	raw, err := d.Call("getblockhash", height)
	if err != nil {
		t.Fatal(err)
	}
	var hash string
	json.Unmarshal(raw, &hash)
	if raw, err = d.Call("getblock", hash, 2); err != nil {
		t.Fatal(err)
	}
	var block struct {
		Tx []struct {
			Vout []struct {
				ScriptPubKey struct {
					Address string `json:"address"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		} `json:"rawtx"`
	}
	if err := json.Unmarshal(raw, &block); err != nil || len(block.Tx) == 0 {
		t.Fatalf("getblock %d: %v %.200s", height, err, raw)
	}
	return block.Tx[0].Vout[0].ScriptPubKey.Address
}

func blockTime(t *testing.T, d *Daemon, height int) time.Time {
	t.Helper()
	raw, err := d.Call("getblockhash", height)
	if err != nil {
		t.Fatal(err)
	}
	var hash string
	json.Unmarshal(raw, &hash)
	if raw, err = d.Call("getblockheader", hash, true); err != nil {
		t.Fatal(err)
	}
	var hdr struct {
		Time int64 `json:"time"`
	}
	if err := json.Unmarshal(raw, &hdr); err != nil {
		t.Fatal(err)
	}
	return time.Unix(hdr.Time, 0)
}
