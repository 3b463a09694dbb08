package wallet

import (
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// TestWatchOnlyDescriptors checks the one reading of watch-only input the
// CLI and the wizard share.
func TestWatchOnlyDescriptors(t *testing.T) {
	w, err := Open(newSeedWallet(t, abandonMnemonic, P2WPKH), testNet)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	info, err := w.Info()
	if err != nil {
		t.Fatal(err)
	}
	recv, change := info.Receive.String(), info.Change.String()
	multi := strings.Replace(recv[:strings.Index(recv, "#")], "/0/*", "/<0;1>/*", 1)
	origin := "[73c5da0a/84h/1h/0h]" + info.XPub
	p2tr := P2TR
	tests := []struct {
		name    string
		in      []string
		st      *ScriptType
		want    string // the receive descriptor's script type, or the error
		fromKey bool
		change  bool
	}{
		{"multipath", []string{multi}, nil, "p2wpkh", false, false},
		{"pair", []string{recv, change}, nil, "p2wpkh", false, true},
		{"pair, change first", []string{change, recv}, nil, "p2wpkh", false, true},
		{"receive only", []string{recv}, nil, "p2wpkh", false, false},
		{"change only", []string{change}, nil, "this is a change descriptor", false, false},
		{"key with origin", []string{origin}, nil, "p2wpkh", true, false},
		{"key as taproot", []string{info.XPub}, &p2tr, "p2tr", true, false},
		{"key and descriptor", []string{info.XPub, recv}, nil, "not both", false, false},
		{"three", []string{recv, change, recv}, nil, "at most two", false, false},
		{"nothing", []string{" "}, nil, "give a descriptor", false, false},
		{"script type with a descriptor", []string{recv}, &p2tr, "a descriptor names its own", false, false},
		{"pair of two receive descriptors", []string{recv, recv}, nil, "one ending in /0/* and one ending in /1/*", false, false},
		{"unclosed origin", []string{"[73c5da0a/84h" + info.XPub}, nil, "no closing ']'", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wo, err := WatchOnlyDescriptors(tc.in, tc.st, testNet)
			if err != nil {
				if !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %q, want %q", err, tc.want)
				}
				return
			}
			if wo.Receive.Type.String() != tc.want || wo.FromKey != tc.fromKey ||
				(wo.Change != nil) != tc.change {
				t.Fatalf("got %s (key %v, change %v), want %s", wo.Receive.Type, wo.FromKey,
					wo.Change != nil, tc.want)
			}
		})
	}
	// A pair of another account's change is refused.
	other, err := Open(newSeedWallet(t, otherMnemonic, P2WPKH), testNet)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	oinfo, _ := other.Info()
	if _, err := WatchOnlyDescriptors([]string{recv, oinfo.Change.String()}, nil, testNet); err == nil ||
		!strings.Contains(err.Error(), "same key") {
		t.Fatalf("mixed pair: %v", err)
	}
}

// TestSpendableAndLabelKeys pins the spendable rule and the label keys.
func TestSpendableAndLabelKeys(t *testing.T) {
	spent := chainhash.Hash{1}
	tests := []struct {
		name string
		o    Output
		tip  int32
		want bool
	}{
		{"confirmed", Output{Height: 10}, 10, true},
		{"unconfirmed", Output{}, 10, false},
		{"frozen", Output{Height: 10, Frozen: true}, 10, false},
		{"spent", Output{Height: 10, SpentBy: &spent}, 10, false},
		{"immature coinbase", Output{Height: 10, Coinbase: true}, 108, false},
		{"mature coinbase", Output{Height: 10, Coinbase: true}, 109, true},
	}
	for _, tc := range tests {
		if got := tc.o.Spendable(tc.tip); got != tc.want {
			t.Errorf("%s: Spendable = %v", tc.name, got)
		}
	}
	id := chainhash.Hash{0xab}
	if k := TxLabelKey(id); k != "tx:"+id.String() {
		t.Errorf("TxLabelKey %q", k)
	}
	if k := OutputLabelKey(wire.OutPoint{Hash: id, Index: 7}); k != "output:"+id.String()+":7" {
		t.Errorf("OutputLabelKey %q", k)
	}
	if k := AddressLabelKey("bcrt1q"); k != "addr:bcrt1q" {
		t.Errorf("AddressLabelKey %q", k)
	}
}
