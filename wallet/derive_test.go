package wallet

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

// TestDeriveVectors runs the whole path a new wallet takes: BIP39 seed,
// BIP32 master key, account key at AccountPath, neutered account xpub,
// descriptor, and the first receive and change addresses.
func TestDeriveVectors(t *testing.T) {
	v := loadAccountVectors(t)
	for _, a := range v.Accounts {
		t.Run(a.name(), func(t *testing.T) {
			net := testNets[a.Network]
			st, err := ParseScriptType(a.ScriptType)
			if err != nil {
				t.Fatal(err)
			}
			master := testMaster(t, v, net)
			masterPub, err := master.Neuter()
			if err != nil {
				t.Fatal(err)
			}
			if fp := fmt.Sprintf("%08x", keyFingerprint(masterPub)); fp != v.MasterFingerprint {
				t.Fatalf("master fingerprint = %s, want %s", fp, v.MasterFingerprint)
			}
			path := AccountPath(st, net, 0)
			if FormatPath(path) != a.Path {
				t.Fatalf("AccountPath = %s, want %s", FormatPath(path), a.Path)
			}
			acct, err := derivePath(t, master, path).Neuter()
			if err != nil {
				t.Fatal(err)
			}
			if acct.String() != a.AccountXPub {
				t.Errorf("account xpub = %s\n want          %s", acct, a.AccountXPub)
			}
			slip, err := EncodeSLIP132(acct, st, net)
			if err != nil {
				t.Fatal(err)
			}
			if slip != a.AccountKey {
				t.Errorf("account key = %s\n want         %s", slip, a.AccountKey)
			}

			d := &Descriptor{
				Type:     st,
				Origin:   KeyOrigin{Fingerprint: keyFingerprint(masterPub), Path: path},
				Key:      acct,
				Branches: []uint32{0, 1},
			}
			if d.String() != a.Descriptor {
				t.Errorf("descriptor = %s\n want       %s", d, a.Descriptor)
			}
			parsed, err := ParseDescriptor(d.String(), net)
			if err != nil {
				t.Fatal(err)
			}

			for _, c := range []struct {
				branch uint32
				want   string
			}{{0, a.Receive0}, {1, a.Change0}} {
				got, err := parsed.Derive(c.branch, 0, net)
				if err != nil {
					t.Fatalf("Derive(%d, 0): %v", c.branch, err)
				}
				if got.Address.EncodeAddress() != c.want {
					t.Errorf("address %d/0 = %s, want %s", c.branch, got.Address.EncodeAddress(), c.want)
				}
				checkDerived(t, got, master, net, st, append(slices.Clone(path), c.branch, 0))

				// The single-branch descriptor gives the same address.
				single, err := parsed.Branch(c.branch).Derive(c.branch, 0, net)
				if err != nil || single.Address.EncodeAddress() != c.want {
					t.Errorf("Branch(%d).Derive = %v, %v", c.branch, single, err)
				}
			}

			first, _ := parsed.Derive(0, 0, net)
			if a.Receive0PubKey != "" && hex.EncodeToString(first.PubKey.SerializeCompressed()) != a.Receive0PubKey {
				t.Errorf("receive pubkey = %x, want %s", first.PubKey.SerializeCompressed(), a.Receive0PubKey)
			}
			if a.Receive0Script != "" && hex.EncodeToString(first.Script) != a.Receive0Script {
				t.Errorf("receive script = %x, want %s", first.Script, a.Receive0Script)
			}
		})
	}
}

// checkDerived checks a derived address against private derivation from
// the master key, and its script against its address and type.
func checkDerived(t *testing.T, got *DerivedAddress, master *hdkeychain.ExtendedKey, net *chaincfg.Params, st ScriptType, wantPath []uint32) {
	t.Helper()
	if !slices.Equal(got.Path, wantPath) {
		t.Errorf("Path = %s, want %s", FormatPath(got.Path), FormatPath(wantPath))
	}
	if got.Branch != wantPath[len(wantPath)-2] || got.Index != wantPath[len(wantPath)-1] {
		t.Errorf("Branch, Index = %d, %d", got.Branch, got.Index)
	}
	priv := derivePath(t, master, wantPath)
	pub, err := priv.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	if !pub.IsEqual(got.PubKey) {
		t.Errorf("PubKey %x differs from the private derivation %x", got.PubKey.SerializeCompressed(), pub.SerializeCompressed())
	}
	if !got.Address.IsForNet(net) {
		t.Errorf("address %s is not for %s", got.Address, net.Name)
	}
	decoded, err := address.DecodeAddress(got.Address.EncodeAddress(), net)
	if err != nil {
		t.Fatalf("the address does not decode: %v", err)
	}
	script, err := txscript.PayToAddrScript(decoded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(script, got.Script) {
		t.Errorf("Script = %x, want %x", got.Script, script)
	}
	wantClass := map[ScriptType]txscript.ScriptClass{
		P2PKH:      txscript.PubKeyHashTy,
		P2SHP2WPKH: txscript.ScriptHashTy,
		P2WPKH:     txscript.WitnessV0PubKeyHashTy,
		P2TR:       txscript.WitnessV1TaprootTy,
	}[st]
	if class := txscript.GetScriptClass(got.Script); class != wantClass {
		t.Errorf("script class = %v, want %v", class, wantClass)
	}
}

func TestDeriveAddressPrefixes(t *testing.T) {
	v := loadAccountVectors(t)
	tests := []struct {
		net    string
		t      ScriptType
		prefix string
	}{
		{"mainnet", P2PKH, "1"},
		{"mainnet", P2SHP2WPKH, "3"},
		{"mainnet", P2WPKH, "bc1q"},
		{"mainnet", P2TR, "bc1p"},
		{"testnet", P2WPKH, "tb1q"},
		{"testnet4", P2TR, "tb1p"},
		{"signet", P2SHP2WPKH, "2"},
		{"signet", P2WPKH, "tb1q"},
		{"regtest", P2WPKH, "bcrt1q"},
		{"regtest", P2TR, "bcrt1p"},
		{"regtest", P2PKH, "m"},
	}
	for _, tc := range tests {
		t.Run(tc.net+"/"+tc.t.String(), func(t *testing.T) {
			net := testNets[tc.net]
			master := testMaster(t, v, net)
			acct, err := derivePath(t, master, AccountPath(tc.t, net, 0)).Neuter()
			if err != nil {
				t.Fatal(err)
			}
			d := &Descriptor{Type: tc.t, Key: acct, Branches: []uint32{0, 1}}
			for i := uint32(0); i < 3; i++ {
				got, err := d.Derive(1, i, net)
				if err != nil {
					t.Fatal(err)
				}
				if s := got.Address.EncodeAddress(); !strings.HasPrefix(s, tc.prefix) {
					t.Errorf("address %s does not start with %s", s, tc.prefix)
				}
				// Without a key origin the path starts at the key.
				if !slices.Equal(got.Path, []uint32{1, i}) {
					t.Errorf("Path = %v", got.Path)
				}
			}
		})
	}
}

func TestDeriveErrors(t *testing.T) {
	recv, err := ParseDescriptor("wpkh("+bip84Origin+bip84XPub+"/0/*)", &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	both, err := ParseDescriptor(bip84Desc, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	hardened := both.Branch(hdkeychain.HardenedKeyStart)
	tests := []struct {
		name  string
		d     *Descriptor
		b, i  uint32
		net   *chaincfg.Params
		kind  error
		want  string
		cause error
	}{
		{"change from receive descriptor", recv, 1, 0, &chaincfg.MainNetParams, ErrInvalidIndex, "branch 1 is not part of the descriptor, which has only branch 0", nil},
		{"branch 2", both, 2, 0, &chaincfg.MainNetParams, ErrInvalidIndex, "branch 2 is not part of the descriptor, which has branches 0 and 1", nil},
		{"hardened index", both, 0, hdkeychain.HardenedKeyStart, &chaincfg.MainNetParams, ErrInvalidIndex, "address index 2147483648 is too large; the largest is 2147483647", nil},
		{"hardened branch", hardened, hdkeychain.HardenedKeyStart, 0, &chaincfg.MainNetParams, ErrInvalidIndex, "address 0 on branch 0h cannot be derived: cannot derive a hardened key from a public key", hdkeychain.ErrDeriveHardFromPublic},
		{"regtest", both, 0, 0, &chaincfg.RegressionNetParams, ErrOtherNetworkKey, "this descriptor is for mainnet but the network is regtest", nil},
		{"nil descriptor", nil, 0, 0, &chaincfg.MainNetParams, ErrInvalidDescriptor, "the descriptor has no key", nil},
		{"no type", &Descriptor{Key: both.Key, Branches: []uint32{0}}, 0, 0, &chaincfg.MainNetParams, ErrInvalidDescriptor, "the descriptor has no script type", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.d.Derive(tc.b, tc.i, tc.net)
			if err == nil {
				t.Fatalf("Derive = %v, want an error", got.Address)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %v does not wrap %v", err, tc.kind)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("error %v does not wrap %v", err, tc.cause)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
		})
	}
	tpub, err := ParseDescriptor("tr("+bip84TPub+"/0/*)", &chaincfg.SigNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpub.Derive(0, 0, &chaincfg.MainNetParams); err == nil || err.Error() != "this descriptor is for a test network but the network is mainnet" {
		t.Errorf("test-network descriptor on mainnet: %v", err)
	}
	if _, err := tpub.Derive(0, hdkeychain.HardenedKeyStart-1, &chaincfg.TestNet4Params); err != nil {
		t.Errorf("largest index: %v", err)
	}
}

func BenchmarkDerive(b *testing.B) {
	d, err := ParseDescriptor(bip84Desc, &chaincfg.MainNetParams)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := d.Derive(uint32(i&1), uint32(i), &chaincfg.MainNetParams); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDescriptor(b *testing.B) {
	for b.Loop() {
		if _, err := ParseDescriptor(bip84Desc, &chaincfg.MainNetParams); err != nil {
			b.Fatal(err)
		}
	}
}
