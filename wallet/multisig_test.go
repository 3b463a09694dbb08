package wallet

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"

	"github.com/satchelbtc/satchel/keystore"
)

// multisigVectors is the layout of testdata/multisig_descriptors.json.
type multisigVectors struct {
	Scripts []struct {
		Source    string   `json:"source"`
		Name      string   `json:"name"`
		Type      string   `json:"type"`
		Threshold int      `json:"threshold"`
		Sorted    bool     `json:"sorted"`
		PubKeys   []string `json:"pubkeys"`
		WIFs      []string `json:"wifs"`
		Script    string   `json:"script"`
	} `json:"scripts"`
	DerivedScripts []struct {
		Name      string `json:"name"`
		Threshold int    `json:"threshold"`
		Sorted    bool   `json:"sorted"`
		Keys      []struct {
			XPub  string   `json:"xpub"`
			Steps []uint32 `json:"steps"`
		} `json:"keys"`
		WitnessScripts []string `json:"witness_scripts"`
	} `json:"derived_scripts"`
	Descriptors []struct {
		Source     string   `json:"source"`
		Name       string   `json:"name"`
		Network    string   `json:"network"`
		Descriptor string   `json:"descriptor"`
		Branch     uint32   `json:"branch"`
		Addresses  []string `json:"addresses"`
		Canonical  bool     `json:"canonical"`
	} `json:"descriptors"`
	BIP48Keys []struct {
		Name     string `json:"name"`
		Mnemonic string `json:"mnemonic"`
		Path     string `json:"path"`
		Key      string `json:"key"`
	} `json:"bip48_keys"`
}

func loadMultisigVectors(t *testing.T) multisigVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "multisig_descriptors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v multisigVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMultisigScriptVectors checks the scripts of BIP383's vectors: the
// witness script, and the P2WSH or P2SH-P2WSH output script around it.
func TestMultisigScriptVectors(t *testing.T) {
	v := loadMultisigVectors(t)
	if len(v.Scripts) == 0 || len(v.DerivedScripts) == 0 {
		t.Fatal("no vectors")
	}
	for _, tc := range v.Scripts {
		t.Run(tc.Name, func(t *testing.T) {
			var keys []*btcec.PublicKey
			for _, h := range tc.PubKeys {
				b, _ := hex.DecodeString(h)
				k, err := btcec.ParsePubKey(b)
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			for _, w := range tc.WIFs {
				wif, err := btcutil.DecodeWIF(w)
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, wif.PrivKey.PubKey())
			}
			ws, err := MultisigScript(tc.Threshold, keys, tc.Sorted)
			if err != nil {
				t.Fatal(err)
			}
			typ, _ := ParseMultisigScriptType(tc.Type)
			got := outputOfWitnessScript(t, typ, ws)
			if hex.EncodeToString(got) != tc.Script {
				t.Errorf("script = %x\n want    %s", got, tc.Script)
			}
		})
	}
	for _, tc := range v.DerivedScripts {
		t.Run(tc.Name, func(t *testing.T) {
			for i, want := range tc.WitnessScripts {
				var keys []*btcec.PublicKey
				for _, k := range tc.Keys {
					x, err := hdkeychain.NewKeyFromString(k.XPub)
					if err != nil {
						t.Fatal(err)
					}
					pub, err := derivePath(t, x, append(slices.Clone(k.Steps), uint32(i))).ECPubKey()
					if err != nil {
						t.Fatal(err)
					}
					keys = append(keys, pub)
				}
				ws, err := MultisigScript(tc.Threshold, keys, tc.Sorted)
				if err != nil {
					t.Fatal(err)
				}
				if hex.EncodeToString(ws) != want {
					t.Errorf("script %d = %x\n want      %s", i, ws, want)
				}
			}
		})
	}
}

// outputOfWitnessScript wraps a witness script into the output script of
// type t, the way an independent implementation would: through btcd's
// address types.
func outputOfWitnessScript(t *testing.T, typ ScriptType, ws []byte) []byte {
	t.Helper()
	wsh := sha256.Sum256(ws)
	wshAddr, err := address.NewAddressWitnessScriptHash(wsh[:], &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := txscript.PayToAddrScript(wshAddr)
	if err != nil {
		t.Fatal(err)
	}
	if typ == P2WSH {
		return prog
	}
	shAddr, err := address.NewAddressScriptHash(prog, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	out, err := txscript.PayToAddrScript(shAddr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMultisigDescriptorVectors parses published multisig descriptors,
// derives their addresses and writes them back in canonical form.
func TestMultisigDescriptorVectors(t *testing.T) {
	v := loadMultisigVectors(t)
	for _, tc := range v.Descriptors {
		t.Run(tc.Name, func(t *testing.T) {
			net := testNets[tc.Network]
			d, err := ParseDescriptor(tc.Descriptor, net)
			if err != nil {
				t.Fatalf("ParseDescriptor: %v", err)
			}
			if d.Multisig == nil || d.Key != nil {
				t.Fatalf("not parsed as a multisig: %+v", d)
			}
			for i, want := range tc.Addresses {
				a, err := d.Derive(tc.Branch, uint32(i), net)
				if err != nil {
					t.Fatal(err)
				}
				if got := a.Address.EncodeAddress(); got != want {
					t.Errorf("address %d = %s, want %s", i, got, want)
				}
			}
			canon := d.String()
			if tc.Canonical && canon != tc.Descriptor {
				t.Errorf("String() = %s\n want       %s", canon, tc.Descriptor)
			}
			again, err := ParseDescriptor(canon, net)
			if err != nil {
				t.Fatalf("canonical form does not parse: %v", err)
			}
			if diff := sameDescriptor(d, again); diff != "" {
				t.Error(diff)
			}
		})
	}
}

// TestCosignerKeyVector checks the BIP48 cosigner key of the BIP39 test
// mnemonic against the key other wallets publish for it.
func TestCosignerKeyVector(t *testing.T) {
	v := loadMultisigVectors(t)
	for _, tc := range v.BIP48Keys {
		t.Run(tc.Name, func(t *testing.T) {
			secret, err := keystore.NewSecret(tc.Mnemonic, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, net := range []*chaincfg.Params{&chaincfg.TestNet3Params, &chaincfg.RegressionNetParams} {
				s, err := keystore.NewSigner(secret, net)
				if err != nil {
					t.Fatal(err)
				}
				got, err := CosignerKey(s, P2WSH, net, 0)
				s.Close()
				if err != nil {
					t.Fatal(err)
				}
				if got != tc.Key {
					t.Errorf("%s: CosignerKey = %s\n want %s", net.Name, got, tc.Key)
				}
				// It is a key expression a multisig descriptor takes.
				d, err := ParseDescriptor("wsh(sortedmulti(1,"+got+"/<0;1>/*))", net)
				if err != nil {
					t.Fatal(err)
				}
				if FormatPath(d.Multisig.Keys[0].Origin.Path) != tc.Path {
					t.Errorf("origin path = %s, want %s", FormatPath(d.Multisig.Keys[0].Origin.Path), tc.Path)
				}
			}
		})
	}
}

// msigKeys returns n regtest BIP48 cosigner key expressions of distinct
// seeds.
func msigKeys(t *testing.T, n int, typ ScriptType) []string {
	t.Helper()
	mnemonics := []string{
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"legal winner thank year wave sausage worth useful legal winner thank yellow",
		"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
		"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
	}
	var out []string
	for _, m := range mnemonics[:n] {
		secret, err := keystore.NewSecret(m, "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := keystore.NewSigner(secret, &chaincfg.RegressionNetParams)
		if err != nil {
			t.Fatal(err)
		}
		k, err := CosignerKey(s, typ, &chaincfg.RegressionNetParams, 0)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

func TestParseMultisigDescriptor(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	k := msigKeys(t, 3, P2WSH)
	tests := []struct {
		name   string
		in     string
		typ    ScriptType
		sorted bool
		want   string // canonical body, without checksum
	}{
		{"wsh sortedmulti multipath", "wsh(sortedmulti(2," + k[0] + "/<0;1>/*," + k[1] + "/<0;1>/*," + k[2] + "/<0;1>/*))", P2WSH, true, ""},
		{"wsh multi", "wsh(multi(2," + k[2] + "/0/*," + k[0] + "/0/*))", P2WSH, false, ""},
		{"sh wsh sortedmulti", "sh(wsh(sortedmulti(1," + k[0] + "/1/*," + k[1] + "/1/*)))", P2SHP2WSH, true, ""},
		{"sh wsh multi", "sh(wsh(multi(3," + k[0] + "/<0;1>/*," + k[1] + "/<0;1>/*," + k[2] + "/<0;1>/*)))", P2SHP2WSH, false, ""},
		{"apostrophes", "wsh(sortedmulti(2," + strings.Replace(k[0], "h", "'", 4) + "/<0;1>/*," + k[1] + "/<0;1>/*))", P2WSH, true,
			"wsh(sortedmulti(2," + k[0] + "/<0;1>/*," + k[1] + "/<0;1>/*))"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDescriptor(tc.in, net)
			if err != nil {
				t.Fatal(err)
			}
			if d.Type != tc.typ || d.Multisig.Sorted != tc.sorted {
				t.Errorf("type %v sorted %v, want %v %v", d.Type, d.Multisig.Sorted, tc.typ, tc.sorted)
			}
			want := tc.want
			if want == "" {
				want = tc.in
			}
			want += "#" + descriptorChecksum(want)
			if d.String() != want {
				t.Errorf("String() = %s\n want       %s", d, want)
			}
			// The derived address pays the script built from the keys the
			// descriptor names, sorted for sortedmulti.
			a, err := d.Derive(d.Branches[0], 7, net)
			if err != nil {
				t.Fatal(err)
			}
			var pubs [][]byte
			for i, key := range d.Multisig.Keys {
				pub, err := derivePath(t, key.Key, []uint32{d.Branches[0], 7}).ECPubKey()
				if err != nil {
					t.Fatal(err)
				}
				if !pub.IsEqual(a.Keys[i].PubKey) {
					t.Errorf("key %d is not derived at /%d/7", i, d.Branches[0])
				}
				pubs = append(pubs, pub.SerializeCompressed())
			}
			_, inScript, m, err := txscript.ExtractPkScriptAddrs(a.WitnessScript, net)
			if err != nil || m != d.Multisig.Threshold || len(inScript) != len(pubs) {
				t.Fatalf("witness script: %d keys, threshold %d, %v", len(inScript), m, err)
			}
			for i, addr := range inScript {
				got := addr.ScriptAddress()
				want := pubs[i]
				if d.Multisig.Sorted {
					sorted := slices.Clone(pubs)
					slices.SortFunc(sorted, func(a, b []byte) int { return strings.Compare(string(a), string(b)) })
					want = sorted[i]
				}
				if string(got) != string(want) {
					t.Errorf("script key %d = %x, want %x", i, got, want)
				}
			}
			if got := outputOfWitnessScript(t, tc.typ, a.WitnessScript); string(got) != string(a.Script) {
				t.Errorf("output script %x, want %x", a.Script, got)
			}
			if tc.typ == P2SHP2WSH && len(a.RedeemScript) != 34 {
				t.Errorf("redeem script %x", a.RedeemScript)
			}
			if a.Keys[0].Fingerprint != d.Multisig.Keys[0].Origin.Fingerprint ||
				FormatPath(a.Keys[0].Path) != FormatPath(append(slices.Clone(d.Multisig.Keys[0].Origin.Path), d.Branches[0], 7)) {
				t.Errorf("key origin of the address: %08x %s", a.Keys[0].Fingerprint, FormatPath(a.Keys[0].Path))
			}
		})
	}
}

func TestParseMultisigDescriptorErrors(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	k := msigKeys(t, 3, P2WSH)
	const unsupported, syntax = true, false
	tests := []struct {
		name        string
		in          string
		unsupported bool
		want        string
	}{
		// BIP383's invalid vectors, with extended keys.
		{"threshold not a number", "wsh(multi(a," + k[0] + "/0/*," + k[1] + "/0/*))", syntax, `multi() starts with its threshold, a number of signatures such as 2 in multi(2,KEY,KEY,KEY); found "a"`},
		{"threshold 0", "wsh(multi(0," + k[0] + "/0/*," + k[1] + "/0/*))", syntax, "the threshold of multi() must be at least 1, not 0"},
		{"threshold above keys", "wsh(sortedmulti(3," + k[0] + "/0/*," + k[1] + "/0/*))", syntax, "the threshold of sortedmulti() is 3 but it has only 2 keys"},
		{"no keys", "wsh(sortedmulti(1))", syntax, "sortedmulti(1) has no keys; write sortedmulti(1,KEY,KEY,…)"},
		{"empty key", "wsh(sortedmulti(1," + k[0] + "/0/*,))", syntax, `expected an extended public key inside sortedmulti(, found "))" at position 158`},
		{"too many keys", "wsh(multi(1" + manyKeys(t, 21) + "))", syntax, "multi() may hold at most 20 keys"},
		{"duplicate key", "wsh(sortedmulti(1," + k[0] + "/0/*," + k[1] + "/0/*," + k[0] + "/0/*))", syntax, "key 3 of sortedmulti() is the same as key 1; each cosigner must have its own key"},
		{"private key", "wsh(sortedmulti(1,tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK/0/*))", syntax, "descriptor contains a private key; import public descriptors only"},
		// BIP389: multipath steps must have the same length (satchel:
		// the same branches) on every key.
		{"mismatched multipath", "wsh(sortedmulti(2," + k[0] + "/<0;1>/*," + k[1] + "/0/*))", unsupported, "key 2 of sortedmulti() derives /0/* but key 1 derives /<0;1>/*; every key must end in the same /0/*, /1/* or /<0;1>/*"},
		{"multipath in origin", "wsh(sortedmulti(1,[deadbeef/<0;1>]" + k[0][strings.Index(k[0], "]")+1:] + "/0/*))", syntax, "a key origin cannot hold a multipath <…> step; put it after the key"},
		{"other multipath values", "wsh(multi(2," + k[0] + "/<1;2>/*," + k[1] + "/<1;2>/*))", unsupported, "satchel supports branch 0 (receive), 1 (change) or <0;1> (both) after the key, not /<1;2>"},
		// Nesting.
		{"bare multi", "multi(2," + k[0] + "/0/*," + k[1] + "/0/*)", unsupported, "bare multi() is not supported; put it inside wsh(), as in wsh(multi(2,KEY,KEY,KEY))"},
		{"sh multi", "sh(sortedmulti(2," + k[0] + "/0/*," + k[1] + "/0/*))", unsupported, "sh(sortedmulti()) (legacy p2sh multisig) is not supported; use wsh(sortedmulti(…)) or sh(wsh(sortedmulti(…)))"},
		{"wsh wpkh", "wsh(wpkh(" + k[0] + "/0/*))", unsupported, "wsh(wpkh()) is not supported; inside wsh() satchel takes multi() or sortedmulti(), as in wsh(sortedmulti(2,KEY,KEY,KEY))"},
		{"wsh multi_a", "wsh(multi_a(1," + k[0] + "/0/*))", unsupported, "wsh(multi_a()) is not supported; inside wsh() satchel takes multi() or sortedmulti(), as in wsh(sortedmulti(2,KEY,KEY,KEY))"},
		{"wsh sh", "wsh(sh(sortedmulti(1," + k[0] + "/0/*)))", syntax, "sh() cannot be used inside wsh()"},
		{"unclosed", "wsh(sortedmulti(1," + k[0] + "/0/*)", syntax, "expected ')' to close the descriptor after sortedmulti(), found the end of the descriptor"},
		{"unclosed sh", "sh(wsh(sortedmulti(1," + k[0] + "/0/*))", syntax, "expected ')' to close the descriptor after sortedmulti(), found the end of the descriptor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDescriptor(tc.in, net)
			if err == nil {
				t.Fatalf("ParseDescriptor = %s, want an error", d)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidDescriptor) || errors.Is(err, ErrUnsupportedDescriptor) != tc.unsupported {
				t.Errorf("error kinds: invalid %v, unsupported %v", errors.Is(err, ErrInvalidDescriptor), errors.Is(err, ErrUnsupportedDescriptor))
			}
		})
	}
}

// manyKeys returns n distinct tpubs as ",KEY/0/*" each.
func manyKeys(t *testing.T, n int) string {
	t.Helper()
	m, err := hdkeychain.NewMaster(make([]byte, 32), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		c, err := m.Derive(uint32(i))
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := c.Neuter()
		b.WriteString("," + pub.String() + "/0/*")
	}
	return b.String()
}

func TestWatchOnlyMultisigPair(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	k := msigKeys(t, 3, P2WSH)
	desc := func(thr int, branch string, keys ...string) string {
		var parts []string
		for _, key := range keys {
			parts = append(parts, key+"/"+branch+"/*")
		}
		return "wsh(sortedmulti(" + string(rune('0'+thr)) + "," + strings.Join(parts, ",") + "))"
	}
	wo, err := WatchOnlyDescriptors([]string{desc(2, "1", k...), desc(2, "0", k...)}, nil, net)
	if err != nil {
		t.Fatal(err)
	}
	if wo.Receive.Branches[0] != 0 || wo.Change.Branches[0] != 1 || wo.Receive.Multisig == nil {
		t.Fatalf("pair read as %s / %s", wo.Receive, wo.Change)
	}
	bad := []struct{ name, recv, change string }{
		{"threshold", desc(2, "0", k...), desc(1, "1", k...)},
		{"keys", desc(2, "0", k...), desc(2, "1", k[0], k[1])},
		{"order", desc(2, "0", k...), desc(2, "1", k[1], k[0], k[2])},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := WatchOnlyDescriptors([]string{tc.recv, tc.change}, nil, net)
			want := "the change descriptor must have the same threshold and keys (with their origins, in the same order) as the receive one"
			if err == nil || err.Error() != want {
				t.Fatalf("error = %v, want %q", err, want)
			}
		})
	}
	single := "wpkh(" + k[0] + "/1/*)"
	if _, err := WatchOnlyDescriptors([]string{desc(2, "0", k...), single}, nil, net); err == nil ||
		err.Error() != "the change descriptor is p2wpkh but the receive one is p2wsh" {
		t.Errorf("single-key change with multisig receive: %v", err)
	}
}

// TestMultisigWalletFile creates a watch-only multisig wallet file, opens it
// again and checks that it derives the descriptor's addresses, describes
// itself, and that a single-key wallet next to it is written as before
// (record version 1, which older satchels read).
func TestMultisigWalletFile(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	for _, typ := range []ScriptType{P2WSH, P2SHP2WSH} {
		t.Run(typ.String(), func(t *testing.T) {
			k := msigKeys(t, 3, typ)
			fn := "wsh("
			closing := "))"
			if typ == P2SHP2WSH {
				fn, closing = "sh(wsh(", ")))"
			}
			text := fn + "sortedmulti(2," + k[0] + "/<0;1>/*," + k[1] + "/<0;1>/*," + k[2] + "/<0;1>/*" + closing
			wo, err := WatchOnlyDescriptors([]string{text}, nil, net)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "ms.db")
			w, err := Create(path, net, &CreateConfig{Receive: wo.Receive, Change: wo.Change, BirthdayHeight: -1})
			if err != nil {
				t.Fatal(err)
			}
			first, err := w.Address(ReceiveBranch, 0)
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
			w, err = Open(path, net)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			info, err := w.Info()
			if err != nil {
				t.Fatal(err)
			}
			if !info.WatchOnly || info.ScriptType != typ || info.Multisig == nil || info.Multisig.Threshold != 2 || len(info.Multisig.Keys) != 3 {
				t.Fatalf("info = %+v", info)
			}
			recvWant := strings.Replace(text, "<0;1>", "0", 3)
			if got := info.Receive.String(); got != recvWant+"#"+descriptorChecksum(recvWant) {
				t.Errorf("receive descriptor = %s", got)
			}
			for branch := range uint32(2) {
				for i := range uint32(3) {
					want, err := wo.Receive.Derive(branch, i, net)
					if err != nil {
						t.Fatal(err)
					}
					got, err := w.Address(branch, i)
					if err != nil {
						t.Fatal(err)
					}
					if got.Address.EncodeAddress() != want.Address.EncodeAddress() {
						t.Errorf("address %d/%d = %s, want %s", branch, i, got.Address, want.Address)
					}
					if ours, change := w.Owns(want.Script); !ours || change != (branch == 1) {
						t.Errorf("Owns(%d/%d) = %v, %v", branch, i, ours, change)
					}
				}
			}
			again, _ := w.Address(ReceiveBranch, 0)
			if again.Address.EncodeAddress() != first.Address.EncodeAddress() {
				t.Error("the reopened wallet derives another first address")
			}
			accts := w.PSBTAccounts()
			if len(accts) != 3 || accts[1].Fingerprint != info.Multisig.Keys[1].Origin.Fingerprint {
				t.Errorf("PSBT accounts: %+v", accts)
			}
		})
	}
}

// TestSingleKeyRecordUnchanged checks that a single-key account is still
// stored as a version 1 record.
func TestSingleKeyRecordUnchanged(t *testing.T) {
	a := &accountRecord{scriptType: P2WPKH, fingerprint: 0x73c5da0a, path: []uint32{1, 2, 3}, xpub: "x"}
	v, err := encodeMultisigAccount(&accountRecord{scriptType: P2WSH, multisig: &multisigRecord{threshold: 1,
		keys: []cosignerRecord{{fingerprint: 1, path: []uint32{5}, xpub: "tpub"}}}})
	if err != nil || v[0] != accountRecordVersionMultisig {
		t.Fatalf("multisig record %x, %v", v, err)
	}
	back, ok := decodeMultisigAccount(v)
	if !ok || back.multisig.keys[0].xpub != "tpub" || back.multisig.keys[0].path[0] != 5 {
		t.Fatalf("decoded %+v %v", back, ok)
	}
	for cut := range len(v) {
		if _, ok := decodeMultisigAccount(v[:cut]); ok {
			t.Errorf("a record cut to %d bytes decodes", cut)
		}
	}
	if a.multisig != nil {
		t.Fatal("single-key record has a multisig")
	}
}

func TestCreateRefusesMultisigSeed(t *testing.T) {
	secret, err := keystore.NewSecret("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(filepath.Join(t.TempDir(), "x.db"), &chaincfg.RegressionNetParams,
		&CreateConfig{Secret: secret, Password: []byte("pw"), ScriptType: P2WSH})
	if err == nil || !strings.Contains(err.Error(), "satchel wallet xpub --bip48") {
		t.Fatalf("error = %v", err)
	}
}
