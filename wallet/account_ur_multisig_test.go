package wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/tyler-smith/go-bip39"

	"github.com/satchelbtc/satchel/wallet/ur"
)

// multisigURVector is wallet/testdata/multisig_ur.json.
type multisigURVector struct {
	Parts      []string `json:"parts"`
	CBOR       string   `json:"cbor"`
	Threshold  int      `json:"threshold"`
	Derivation string   `json:"derivation"`
	Cosigners  []struct {
		Fingerprint string `json:"fingerprint"`
		Xpub        string `json:"xpub"`
	} `json:"cosigners"`
}

// TestMultisigURVector reads a 2-of-3 wallet another program exported as a
// two-part ur:crypto-output, and finds the keys of the BlueWallet setup
// file the same program wrote for it.
func TestMultisigURVector(t *testing.T) {
	data, err := os.ReadFile("testdata/multisig_ur.json")
	if err != nil {
		t.Fatal(err)
	}
	var v multisigURVector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	dec := ur.NewDecoder()
	for _, p := range v.Parts {
		if _, err := dec.Receive(p); err != nil {
			t.Fatal(err)
		}
	}
	if !dec.Complete() {
		t.Fatal("the two parts do not complete the UR")
	}
	u := dec.Result()
	if u.Type != ur.TypeCryptoOutput || hex.EncodeToString(u.CBOR) != v.CBOR {
		t.Fatalf("decoded ur:%s %x", u.Type, u.CBOR)
	}
	acct, err := ur.DecodeAccount(u)
	if err != nil {
		t.Fatal(err)
	}
	d, err := DescriptorFromUR(&acct.Outputs[0], acct.MasterFingerprint, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range v.Cosigners {
		keys = append(keys, "["+c.Fingerprint+"/"+v.Derivation+"]"+c.Xpub+"/<0;1>/*")
	}
	want := "wsh(sortedmulti(2," + strings.Join(keys, ",") + "))"
	if got := d.body(); got != want {
		t.Errorf("descriptor\n%s\nwant\n%s", got, want)
	}
	if d.Type != P2WSH || d.Multisig.Threshold != v.Threshold || !d.Multisig.Sorted {
		t.Errorf("policy %s %+v", d.Type, d.Multisig)
	}
}

// cosignerDescriptor is the 2-of-3 of cmd/satchel's multisig tests: the
// BIP48 keys of three seeds on net, in a t of multi or sortedmulti.
func cosignerDescriptor(t *testing.T, st ScriptType, fn string, net *chaincfg.Params) *Descriptor {
	t.Helper()
	const h = hdkeychain.HardenedKeyStart
	coin := uint32(1)
	if net == &chaincfg.MainNetParams {
		coin = 0
	}
	script := uint32(2)
	if st == P2SHP2WSH {
		script = 1
	}
	var exprs []string
	for _, m := range []string{
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"legal winner thank year wave sausage worth useful legal winner thank yellow",
		"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
	} {
		master, err := hdkeychain.NewMaster(bip39.NewSeed(m, ""), net)
		if err != nil {
			t.Fatal(err)
		}
		path := []uint32{48 + h, coin + h, h, script + h}
		k := master
		for _, p := range path {
			if k, err = k.Derive(p); err != nil {
				t.Fatal(err)
			}
		}
		pub, _ := k.Neuter()
		exprs = append(exprs, keyExprOrigin(KeyOrigin{Fingerprint: keyFingerprint(master), Path: path})+pub.String()+"/<0;1>/*")
	}
	s := fn + "(2," + strings.Join(exprs, ",") + ")"
	if st == P2SHP2WSH {
		s = "sh(wsh(" + s + "))"
	} else {
		s = "wsh(" + s + ")"
	}
	d, err := ParseDescriptor(s, net)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A multisig wallet exports as one ur:crypto-output (wsh or sh(wsh), multi
// or sortedmulti, each key with its origin and <0;1>/* children) that
// imports as the same descriptor, on mainnet and the test networks.
func TestMultisigURRoundTrip(t *testing.T) {
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
		for _, st := range []ScriptType{P2WSH, P2SHP2WSH} {
			for _, fn := range []string{"sortedmulti", "multi"} {
				d := cosignerDescriptor(t, st, fn, net)
				o, err := d.UROutput(net, true)
				if err != nil {
					t.Fatal(err)
				}
				text := o.UR().String()
				u, err := ur.Parse(text)
				if err != nil {
					t.Fatal(err)
				}
				acct, err := ur.DecodeAccount(u)
				if err != nil {
					t.Fatal(err)
				}
				back, err := DescriptorFromUR(&acct.Outputs[0], acct.MasterFingerprint, net)
				if err != nil {
					t.Fatalf("%s %s %s: %v", net.Name, st, fn, err)
				}
				if back.String() != d.String() {
					t.Errorf("%s %s %s: round trip gave\n%s\nwant\n%s", net.Name, st, fn, back, d)
				}
				// Each key carries its master fingerprint, depth 4 and
				// BIP48's path.
				for i, k := range o.Multi.Keys {
					if k.Origin == nil || k.Origin.SourceFingerprint != d.Multisig.Keys[i].Origin.Fingerprint ||
						k.Origin.Depth != 4 || k.Children == nil || !k.Children.Components[0].Pair {
						t.Errorf("%s key %d: %+v", st, i, k)
					}
				}
				// The other network refuses it.
				other := &chaincfg.TestNet3Params
				if net != &chaincfg.MainNetParams {
					other = &chaincfg.MainNetParams
				}
				if _, err := DescriptorFromUR(&acct.Outputs[0], 0, other); err == nil {
					t.Errorf("%s: a %s multisig imported on %s", st, net.Name, other.Name)
				}
			}
		}
	}
	// A crypto-account cannot hold a multisig.
	d := cosignerDescriptor(t, P2WSH, "sortedmulti", &chaincfg.RegressionNetParams)
	if _, err := d.UROutput(&chaincfg.RegressionNetParams, false); err == nil {
		t.Error("a multisig went into a crypto-account")
	}
}

// BCR-2020-010's multisig example derives 1/0/* and 0/0/*, which is not a
// wallet's receive and change: it is refused with that reason.
func TestMultisigURRefusesOtherBranches(t *testing.T) {
	cbor, _ := hex.DecodeString("d90191d90196a201010282d9012fa403582103cbcaa9c98c877a26977d00825c956a238e8dddfbd322cce4f74b0b5bd6ace4a704582060499f801b896d83179a4374aeb7822aaeaceaa0db1f85ee3e904c4defbd968906d90130a1030007d90130a1018601f400f480f4d9012fa403582102fc9e5af0ac8d9b3cecfe2a888e2117ba3d089d8585886c9c826b6b22a98d12ea045820f0909affaa7ee7abe5dd4e100598d4dc53cd709d5a5c2cac40e7412f232f7c9c06d90130a2018200f4021abd16bee507d90130a1018600f400f480f4")
	acct, err := ur.DecodeAccount(&ur.UR{Type: ur.TypeCryptoOutput, CBOR: cbor})
	if err != nil {
		t.Fatal(err)
	}
	_, err = DescriptorFromUR(&acct.Outputs[0], 0, &chaincfg.MainNetParams)
	if err == nil || !strings.Contains(err.Error(), "receive and change branches") {
		t.Errorf("got %v", err)
	}
	// A bare multi(), not in wsh(), is not a wallet satchel watches.
	o := acct.Outputs[0]
	o.Script = nil
	if _, err := DescriptorFromUR(&o, 0, &chaincfg.MainNetParams); !errors.Is(err, ErrUnsupportedDescriptor) {
		t.Errorf("bare multi: %v", err)
	}
}

// FuzzDescriptorFromUR reads any CBOR as a crypto-output: it never panics,
// and what it accepts as a wallet's descriptor exports and reads back as a
// descriptor of the same addresses.
func FuzzDescriptorFromUR(f *testing.F) {
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
		for _, st := range []ScriptType{P2WSH, P2SHP2WSH} {
			d := cosignerDescriptor(&testing.T{}, st, "sortedmulti", net)
			if o, err := d.UROutput(net, true); err == nil {
				f.Add(o.UR().CBOR)
			}
		}
	}
	if data, err := os.ReadFile("testdata/multisig_ur.json"); err == nil {
		var v multisigURVector
		if json.Unmarshal(data, &v) == nil {
			b, _ := hex.DecodeString(v.CBOR)
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, cbor []byte) {
		acct, err := ur.DecodeAccount(&ur.UR{Type: ur.TypeCryptoOutput, CBOR: cbor})
		if err != nil {
			return
		}
		for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
			d, err := DescriptorFromUR(&acct.Outputs[0], acct.MasterFingerprint, net)
			if err != nil {
				continue
			}
			o, err := d.UROutput(net, true)
			if err != nil {
				t.Fatalf("%s reads but does not export: %v", d, err)
			}
			back, err := ur.DecodeAccount(o.UR())
			if err != nil {
				t.Fatalf("our export of %s does not read: %v", d, err)
			}
			d2, err := DescriptorFromUR(&back.Outputs[0], back.MasterFingerprint, net)
			if err != nil {
				t.Fatalf("%s exports and does not read back: %v", d, err)
			}
			// A key given without its path keeps its public key and chain
			// code but not its depth and child number, which a UR can only
			// say in the origin: compare what the wallet derives.
			for _, br := range []uint32{ReceiveBranch, ChangeBranch} {
				a1, err1 := d.Derive(br, 7, net)
				a2, err2 := d2.Derive(br, 7, net)
				if (err1 == nil) != (err2 == nil) || (err1 == nil && a1.Address.EncodeAddress() != a2.Address.EncodeAddress()) {
					t.Fatalf("%s exports and reads back as %s: other addresses", d, d2)
				}
			}
		}
	})
}
