package wallet

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/keystore"
)

const abandonAbout = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

// TestDiscoverScriptTypes pays a taproot receive address and a nested
// SegWit change address of the "abandon … about" seed and checks that
// exactly those two types are found, with what they got.
func TestDiscoverScriptTypes(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	secret, err := keystore.NewSecret(abandonAbout, "")
	if err != nil {
		t.Fatal(err)
	}
	defer secret.Zero()
	accounts, err := SeedAccounts(secret, net)
	if err != nil {
		t.Fatal(err)
	}
	if got := accounts[0].String(); got[:26] != "wpkh([73c5da0a/84h/1h/0h]t" {
		t.Fatalf("the p2wpkh account is %s", got)
	}
	derive := func(t ScriptType, branch, index uint32) []byte {
		for _, a := range accounts {
			if a.Type == t {
				d, err := a.Derive(branch, index, net)
				if err != nil {
					panic(err)
				}
				return d.Script
			}
		}
		panic("no account")
	}
	c := newTestChain()
	for range 20 {
		c.mine()
	}
	c.mine(c.pay(derive(P2TR, ReceiveBranch, 7)))      // height 21
	c.mine(c.pay(derive(P2SHP2WPKH, ChangeBranch, 9))) // height 22
	c.mine(c.pay(derive(P2WPKH, ReceiveBranch, 25)))   // beyond the first 20: not looked at
	c.mine()

	var last, target int32
	uses, err := DiscoverScriptTypes(context.Background(), c, accounts, net, 1, func(h, tgt int32) { last, target = h, tgt })
	if err != nil {
		t.Fatal(err)
	}
	if last != target || target != c.SyncedHeight() {
		t.Errorf("progress ended at %d of %d, want %d", last, target, c.SyncedHeight())
	}
	want := map[ScriptType]int32{P2TR: 21, P2SHP2WPKH: 22}
	for _, u := range uses {
		first, used := want[u.Type]
		if u.Used() != used {
			t.Errorf("%s: used %v (%d payments), want %v", u.Type, u.Used(), u.Payments, used)
		}
		if used && (u.FirstHeight != first || u.Payments != 1 || u.Received <= 0) {
			t.Errorf("%s: %+v; want one payment at height %d", u.Type, u, first)
		}
	}
	// From after the payments: nothing.
	uses, err = DiscoverScriptTypes(context.Background(), c, accounts, net, 23, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uses {
		if u.Used() {
			t.Errorf("%s used from height 23 on: %+v", u.Type, u)
		}
	}
}
