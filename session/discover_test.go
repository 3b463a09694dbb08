package session_test

import (
	"context"
	"errors"
	"testing"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/wallet"
)

// abandonScript is the output script of an address of the "abandon …
// about" seed, derived from its account descriptor.
func abandonScript(t *testing.T, st wallet.ScriptType, branch, index uint32) []byte {
	t.Helper()
	secret, err := keystore.NewSecret(mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	defer secret.Zero()
	accounts, err := wallet.SeedAccounts(secret, net)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if a.Type == st {
			d, err := a.Derive(branch, index, net)
			if err != nil {
				t.Fatal(err)
			}
			return d.Script
		}
	}
	t.Fatalf("no %s account", st)
	return nil
}

// TestDiscoverScriptTypes funds a taproot and a nested SegWit address of
// the "abandon … about" seed on btcd and checks that discovery over the
// light node's filters finds exactly those two types; from a birthday
// after the payments it finds none.
func TestDiscoverScriptTypes(t *testing.T) {
	btcd := regtest.Start(t)
	btcd.Generate(110)
	for _, p := range []struct {
		st            wallet.ScriptType
		branch, index uint32
		coin          int32
	}{{wallet.P2TR, wallet.ReceiveBranch, 3, 1}, {wallet.P2SHP2WPKH, wallet.ChangeBranch, 0, 2}} {
		btcd.SendRaw(btcd.Payment(btcd.CoinbaseCoin(p.coin), 1, abandonScript(t, p.st, p.branch, p.index)))
	}
	btcd.Generate(1) // height 111
	btcd.Generate(2)
	node := startNode(t, btcd)

	secret, err := keystore.NewSecret(mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	defer secret.Zero()
	var syncing bool
	var last session.DiscoverProgress
	uses, err := session.DiscoverScriptTypes(context.Background(), node, net, secret, wallet.UnknownBirthday, 0,
		func(p session.DiscoverProgress) {
			if p.Syncing {
				syncing = true
			} else {
				last = p
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	if !syncing || last.Target != 113 || last.Height != 113 {
		t.Errorf("progress: syncing %v, last %+v; want syncing first and 113 of 113 last", syncing, last)
	}
	var used []wallet.ScriptType
	for _, u := range uses {
		if u.Used() {
			used = append(used, u.Type)
			if u.FirstHeight != 111 || u.Payments != 1 {
				t.Errorf("%s: %+v; want one payment at 111", u.Type, u)
			}
		}
	}
	if len(used) != 2 || used[0] != wallet.P2TR || used[1] != wallet.P2SHP2WPKH {
		t.Fatalf("used types %v, want [p2tr p2sh-p2wpkh]", used)
	}

	uses, err = session.DiscoverScriptTypes(context.Background(), node, net, secret, wallet.Birthday{Height: 112}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uses {
		if u.Used() {
			t.Errorf("%s found from birthday 112: %+v", u.Type, u)
		}
	}

	if _, err := session.DiscoverScriptTypes(context.Background(), nil, net, secret, wallet.UnknownBirthday, 0, nil); !errors.Is(err, session.ErrOffline) {
		t.Errorf("offline: %v, want ErrOffline", err)
	}
}
