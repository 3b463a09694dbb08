package wallet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/tyler-smith/go-bip39"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// bcr2020015 is the account of BCR-2020-015's example: the mnemonic, its
// master fingerprint and its crypto-account as CBOR (see
// wallet/ur/testdata/vectors.json).
const (
	bcr2020015Mnemonic = "shield group erode awake lock sausage cash glare wave crew flame glove"
	bcr2020015FP       = 0x37b5eed4
	// The account's P2WPKH output (84h/0h/0h) alone, as satchel exports it.
	bcr2020015WPKH = "a2011a37b5eed40281d90194d9012fa403582103fd433450b6924b4f7efdd5d1ed017d364be95ab2b592dc8bddb3b00c1c24f63f04582072ede7334d5acf91c6fda622c205199c595a31f9218ed30792d301d5ee9e3a8806d90130a101861854f500f500f5081a0d5de1d7"
)

// abandonBIP48 is the abandon…about seed's p2wsh cosigner key on the test
// networks, as other wallets publish it (testdata/multisig_descriptors.json).
const abandonBIP48 = "[73c5da0a/48h/1h/0h/2h]tpubDFH9dgzveyD8zTbPUFuLrGmCydNvxehyNdUXKJAQN8x4aZ4j6UZqGfnqFrD4NqyaTVGKbvEW54tsvPTK2UoSbCC1PJY8iCNiwTL3RWZEheQ"

func bcrAccountKey(t *testing.T, path ...uint32) *hdkeychain.ExtendedKey {
	t.Helper()
	master, err := hdkeychain.NewMaster(bip39.NewSeed(bcr2020015Mnemonic, ""), &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	k := master
	for _, p := range path {
		if k, err = k.Derive(p); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := k.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// Our P2WPKH account exports as the BCR-2020-015 example's output byte for
// byte, and every single-key output of the example imports as the
// descriptor of the key the mnemonic derives.
func TestAccountURVectors(t *testing.T) {
	const h = hdkeychain.HardenedKeyStart
	net := &chaincfg.MainNetParams
	key := bcrAccountKey(t, 84+h, h, h)
	d, err := ParseDescriptor("wpkh([37b5eed4/84h/0h/0h]"+key.String()+"/<0;1>/*)", net)
	if err != nil {
		t.Fatal(err)
	}
	o, err := d.UROutput(net, false)
	if err != nil {
		t.Fatal(err)
	}
	acct := &ur.Account{MasterFingerprint: bcr2020015FP, Outputs: []ur.Output{*o}}
	if got := hex.EncodeToString(acct.UR().CBOR); got != bcr2020015WPKH {
		t.Errorf("exported as %s\nwant      %s", got, bcr2020015WPKH)
	}

	back := readAccountUR(t, acct)
	d2, err := DescriptorFromUR(&back.Outputs[0], back.MasterFingerprint, net)
	if err != nil {
		t.Fatal(err)
	}
	if d2.String() != d.String() {
		t.Errorf("imported %s\nwant     %s", d2, d)
	}
	// On another network the key is refused.
	if _, err := DescriptorFromUR(&back.Outputs[0], back.MasterFingerprint, &chaincfg.RegressionNetParams); err == nil {
		t.Error("a mainnet key was imported on regtest")
	}
	// A standalone crypto-output carries the fingerprint and branches.
	so, _ := d.UROutput(net, true)
	one, err := ur.DecodeAccount(so.UR())
	if err != nil || one.MasterFingerprint != bcr2020015FP {
		t.Fatalf("%+v %v", one, err)
	}
	d3, err := DescriptorFromUR(&one.Outputs[0], 0, net)
	if err != nil || d3.String() != d.String() {
		t.Errorf("crypto-output imported as %v, %v", d3, err)
	}
	// The published account's outputs, checked against the mnemonic.
	for _, tc := range []struct {
		tags []uint64
		path []uint32
		typ  ScriptType
	}{
		{[]uint64{ur.TagPKH}, []uint32{44 + h, h, h}, P2PKH},
		{[]uint64{ur.TagSH, ur.TagWPKH}, []uint32{49 + h, h, h}, P2SHP2WPKH},
		{[]uint64{ur.TagTR}, []uint32{86 + h, h, h}, P2TR},
	} {
		want := bcrAccountKey(t, tc.path...)
		pub, _ := want.ECPubKey()
		cc := want.ChainCode()
		out := &ur.Output{Script: tc.tags, Key: ur.HDKey{KeyData: pub.SerializeCompressed(), ChainCode: cc,
			ParentFingerprint: want.ParentFingerprint(), Origin: &ur.Keypath{Depth: -1}}}
		for _, p := range tc.path {
			out.Key.Origin.Components = append(out.Key.Origin.Components, ur.PathComponent{Index: p - h, Hardened: true})
		}
		got, err := DescriptorFromUR(out, bcr2020015FP, net)
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != tc.typ || got.Key.String() != want.String() || got.Origin.Fingerprint != bcr2020015FP {
			t.Errorf("%v: imported %s", tc.typ, got)
		}
	}
}

func TestDescriptorFromURRefuses(t *testing.T) {
	key := bcrAccountKey(t, 84+hdkeychain.HardenedKeyStart)
	pub, _ := key.ECPubKey()
	base := ur.HDKey{KeyData: pub.SerializeCompressed(), ChainCode: key.ChainCode()}
	for name, o := range map[string]*ur.Output{
		"wsh":     {Script: []uint64{ur.TagWSH}, Key: base},
		"bare sh": {Script: []uint64{ur.TagSH}, Key: base},
		"hardened children": {Script: []uint64{ur.TagWPKH}, Key: func() ur.HDKey {
			k := base
			k.Children = &ur.Keypath{Components: []ur.PathComponent{{Index: 0, Hardened: true}, {Wildcard: true}}}
			return k
		}()},
	} {
		if d, err := DescriptorFromUR(o, 0, &chaincfg.MainNetParams); err == nil {
			t.Errorf("%s: imported as %s", name, d)
		}
	}
	if !bytes.Equal(base.ChainCode, key.ChainCode()) {
		t.Fatal("the test changed its key")
	}
}

// The cosigner outputs of BCR-2020-015's mnemonic are the example's
// sh(wsh(KEY)) at 48h/0h/0h/1h and wsh(KEY) at 48h/0h/0h/2h byte for byte;
// read back, each is the key expression CosignerKey prints (the BIP48 key
// of the abandon…about seed on the test networks included).
func TestCosignerOutputs(t *testing.T) {
	vectors, err := os.ReadFile("ur/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Account struct {
			CBOR string `json:"cbor"`
		} `json:"bcr_2020_015_account"`
	}
	if err := json.Unmarshal(vectors, &v); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mnemonic string
		net      *chaincfg.Params
		want     map[ScriptType]string // a known key, where there is one
	}{
		{bcr2020015Mnemonic, &chaincfg.MainNetParams, nil},
		{abandonAbout, &chaincfg.RegressionNetParams, map[ScriptType]string{P2WSH: abandonBIP48}},
		{abandonAbout, &chaincfg.TestNet3Params, map[ScriptType]string{P2WSH: abandonBIP48}},
	} {
		secret, err := keystore.NewSecret(tc.mnemonic, "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := keystore.NewSigner(secret, tc.net)
		if err != nil {
			t.Fatal(err)
		}
		outs, err := CosignerOutputs(s, tc.net, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(outs) != 2 {
			t.Fatalf("%d cosigner outputs, want sh(wsh) and wsh", len(outs))
		}
		acct := &ur.Account{MasterFingerprint: s.Fingerprint(), Outputs: outs}
		for i, st := range []ScriptType{P2SHP2WSH, P2WSH} {
			o := &outs[i]
			if got, ok := CosignerTypeOfUR(o); !ok || got != st {
				t.Errorf("%s output %d is %v %v, want %s", tc.net.Name, i, got, ok, st)
			}
			if tc.net == &chaincfg.MainNetParams {
				// The output alone in an account: a2 01 1a<fp> 02 81, then it.
				one := (&ur.Account{MasterFingerprint: bcr2020015FP, Outputs: []ur.Output{*o}}).UR().CBOR
				enc := hex.EncodeToString(one[len("a2011a37b5eed40281")/2:])
				if !strings.Contains(v.Account.CBOR, enc) {
					t.Errorf("%s output %x is not in the BCR-2020-015 example", st, enc)
				}
			}
			want, err := CosignerKey(s, st, tc.net, 0)
			if err != nil {
				t.Fatal(err)
			}
			if k, ok := tc.want[st]; ok && k != want {
				t.Fatalf("CosignerKey %s, want %s", want, k)
			}
			// Read back from the UR text, as a coordinator would.
			back := readAccountUR(t, acct)
			got, err := CosignerKeyFromUR(&back.Outputs[i], back.MasterFingerprint, tc.net)
			if err != nil || got != want {
				t.Errorf("%s %s: read back %q, %v; want %s", tc.net.Name, st, got, err, want)
			}
			// A cosigner key is no single-key account.
			if d, err := DescriptorFromUR(&back.Outputs[i], back.MasterFingerprint, tc.net); err == nil {
				t.Errorf("%s imported as the account %s", st, d)
			}
		}
		s.Close()
	}
	// Neither a single-key output nor a multisig is a cosigner key.
	for name, o := range map[string]*ur.Output{
		"wpkh":     {Script: []uint64{ur.TagWPKH}},
		"multisig": {Script: []uint64{ur.TagWSH}, Multi: &ur.MultiKey{Threshold: 1}},
	} {
		if _, ok := CosignerTypeOfUR(o); ok {
			t.Errorf("%s is taken for a cosigner key", name)
		}
		if _, err := CosignerKeyFromUR(o, 0, &chaincfg.MainNetParams); err == nil {
			t.Errorf("%s read as a cosigner key", name)
		}
	}
}

// readAccountUR reads acct back from its UR text, as a coordinator would.
func readAccountUR(t *testing.T, acct *ur.Account) *ur.Account {
	t.Helper()
	u, err := ur.Parse(acct.UR().String())
	if err != nil {
		t.Fatal(err)
	}
	back, err := ur.DecodeAccount(u)
	if err != nil {
		t.Fatal(err)
	}
	return back
}
