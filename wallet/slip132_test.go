package wallet

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	bip39 "github.com/tyler-smith/go-bip39"
)

// accountVectors is the layout of testdata/bip_accounts.json.
type accountVectors struct {
	Mnemonic          string          `json:"mnemonic"`
	Passphrase        string          `json:"passphrase"`
	MasterFingerprint string          `json:"master_fingerprint"`
	Accounts          []accountVector `json:"accounts"`
}

type accountVector struct {
	Network        string `json:"network"`
	ScriptType     string `json:"script_type"`
	Path           string `json:"path"`
	AccountKey     string `json:"account_key"`
	AccountXPub    string `json:"account_xpub"`
	Descriptor     string `json:"descriptor"`
	Receive0       string `json:"receive_0"`
	Receive0PubKey string `json:"receive_0_pubkey"`
	Receive0Script string `json:"receive_0_script"`
	Change0        string `json:"change_0"`
}

func (v accountVector) name() string { return v.Network + "/" + v.ScriptType }

func loadAccountVectors(t *testing.T) accountVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "bip_accounts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v accountVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Accounts) == 0 {
		t.Fatal("no account vectors")
	}
	return v
}

// testMaster returns the master key of the vectors' mnemonic on net.
func testMaster(t *testing.T, v accountVectors, net *chaincfg.Params) *hdkeychain.ExtendedKey {
	t.Helper()
	seed, err := bip39.NewSeedWithErrorChecking(v.Mnemonic, v.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	m, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// derivePath derives k along path.
func derivePath(t *testing.T, k *hdkeychain.ExtendedKey, path []uint32) *hdkeychain.ExtendedKey {
	t.Helper()
	for _, step := range path {
		var err error
		if k, err = k.Derive(step); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

func TestSLIP132RoundTrip(t *testing.T) {
	v := loadAccountVectors(t)
	seen := map[string]bool{}
	for _, a := range v.Accounts {
		prefix := a.AccountKey[:4]
		t.Run(a.name()+"/"+prefix, func(t *testing.T) {
			seen[prefix] = true
			net := testNets[a.Network]
			key, implied, err := ParseExtendedKey(a.AccountKey, net)
			if err != nil {
				t.Fatalf("ParseExtendedKey: %v", err)
			}
			if got := key.String(); got != a.AccountXPub {
				t.Errorf("re-versioned key = %s, want %s", got, a.AccountXPub)
			}
			wantImplied := map[string]ScriptType{"xpub": 0, "tpub": 0, "ypub": P2SHP2WPKH, "upub": P2SHP2WPKH, "zpub": P2WPKH, "vpub": P2WPKH}[prefix]
			if implied != wantImplied {
				t.Errorf("implied script type = %v, want %v", implied, wantImplied)
			}
			st, err := ParseScriptType(a.ScriptType)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := EncodeSLIP132(key, st, net)
			if err != nil {
				t.Fatalf("EncodeSLIP132: %v", err)
			}
			if enc != a.AccountKey {
				t.Errorf("EncodeSLIP132(%v) = %s, want %s", st, enc, a.AccountKey)
			}
			// The standard form parses to itself.
			std, implied, err := ParseExtendedKey(a.AccountXPub, net)
			if err != nil || std.String() != a.AccountXPub || implied != 0 {
				t.Errorf("ParseExtendedKey(standard) = %v, %v, %v", std, implied, err)
			}
		})
	}
	for _, p := range []string{"xpub", "ypub", "zpub", "tpub", "upub", "vpub"} {
		if !seen[p] {
			t.Errorf("no vector for %s", p)
		}
	}
}

func TestSLIP132AllTestNetworks(t *testing.T) {
	const upub = "upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93oac7Wk3u6moKegAEWtGNF8DehrnHtv21XXEMYRUocHqguyjknFHYfgY"
	for _, name := range []string{"testnet", "testnet4", "signet", "regtest"} {
		t.Run(name, func(t *testing.T) {
			key, implied, err := ParseExtendedKey(upub, testNets[name])
			if err != nil {
				t.Fatal(err)
			}
			if implied != P2SHP2WPKH || !strings.HasPrefix(key.String(), "tpub") {
				t.Errorf("got %s, %v", key, implied)
			}
		})
	}
}

func TestEncodeSLIP132Types(t *testing.T) {
	const xpub = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	key, _, err := ParseExtendedKey(xpub, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		t      ScriptType
		net    string
		prefix string
	}{
		{0, "mainnet", "xpub"},
		{P2PKH, "mainnet", "xpub"},
		{P2SHP2WPKH, "mainnet", "ypub"},
		{P2WPKH, "mainnet", "zpub"},
		{P2TR, "mainnet", "xpub"},
		{0, "regtest", "tpub"},
		{P2SHP2WPKH, "signet", "upub"},
		{P2WPKH, "testnet4", "vpub"},
		{P2TR, "testnet", "tpub"},
	}
	for _, tc := range tests {
		t.Run(tc.net+"/"+tc.prefix+"/"+tc.t.String(), func(t *testing.T) {
			s, err := EncodeSLIP132(key, tc.t, testNets[tc.net])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s, tc.prefix) {
				t.Errorf("EncodeSLIP132 = %s, want prefix %s", s, tc.prefix)
			}
			back, _, err := ParseExtendedKey(s, testNets[tc.net])
			if err != nil {
				t.Fatal(err)
			}
			if keyFingerprint(back) != keyFingerprint(key) {
				t.Error("the key changed in the round trip")
			}
		})
	}
}

func TestEncodeSLIP132Errors(t *testing.T) {
	v := loadAccountVectors(t)
	master := testMaster(t, v, &chaincfg.MainNetParams)
	pub, err := master.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EncodeSLIP132(nil, P2WPKH, &chaincfg.MainNetParams); !errors.Is(err, ErrInvalidExtendedKey) {
		t.Errorf("nil key: %v", err)
	}
	if _, err := EncodeSLIP132(master, P2WPKH, &chaincfg.MainNetParams); !errors.Is(err, ErrPrivateKey) {
		t.Errorf("private key: %v", err)
	}
	if _, err := EncodeSLIP132(pub, ScriptType(9), &chaincfg.MainNetParams); !errors.Is(err, ErrUnknownScriptType) {
		t.Errorf("unknown script type: %v", err)
	}
	if _, err := EncodeSLIP132(pub, P2WPKH, nil); err == nil {
		t.Error("nil network: no error")
	}
}

func TestParseExtendedKeyWrongNetwork(t *testing.T) {
	keys := map[string]string{}
	for _, a := range loadAccountVectors(t).Accounts {
		keys[a.AccountKey[:4]] = a.AccountKey
	}
	tests := []struct {
		prefix string
		net    string
		want   string
	}{
		{"zpub", "regtest", "this is a mainnet key (zpub) but the network is regtest"},
		{"xpub", "regtest", "this is a mainnet key (xpub) but the network is regtest"},
		{"ypub", "testnet", "this is a mainnet key (ypub) but the network is testnet"},
		{"xpub", "signet", "this is a mainnet key (xpub) but the network is signet"},
		{"tpub", "mainnet", "this is a test-network key (tpub) but the network is mainnet"},
		{"upub", "mainnet", "this is a test-network key (upub) but the network is mainnet"},
		{"vpub", "mainnet", "this is a test-network key (vpub) but the network is mainnet"},
	}
	for _, tc := range tests {
		t.Run(tc.prefix+"/"+tc.net, func(t *testing.T) {
			_, _, err := ParseExtendedKey(keys[tc.prefix], testNets[tc.net])
			if !errors.Is(err, ErrOtherNetworkKey) {
				t.Fatalf("error = %v, want ErrOtherNetworkKey", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
		})
	}
}

func TestParseExtendedKeyRefusesPrivateKeys(t *testing.T) {
	v := loadAccountVectors(t)
	mainMaster := testMaster(t, v, &chaincfg.MainNetParams)
	testMasterKey := testMaster(t, v, &chaincfg.TestNet3Params)
	reversion := func(k *hdkeychain.ExtendedKey, version []byte) string {
		c, err := k.CloneWithVersion(version)
		if err != nil {
			t.Fatal(err)
		}
		return c.String()
	}
	tests := []struct {
		name string
		key  string
		net  *chaincfg.Params
		want string
	}{
		{"xprv", mainMaster.String(), &chaincfg.MainNetParams, "this is an extended private key (xprv); import the extended public key instead"},
		// From BIP84 and BIP49.
		{"zprv", "zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnE", &chaincfg.MainNetParams, "this is an extended private key (zprv); import the extended public key instead"},
		{"uprv", "uprv91G7gZkzehuMVxDJTYE6tLivdF8e4rvzSu1LFfKw3b2Qx1Aj8vpoFnHdfUZ3hmi9jsvPifmZ24RTN2KhwB8BfMLTVqaBReibyaFFcTP1s9n", &chaincfg.TestNet3Params, "this is an extended private key (uprv); import the extended public key instead"},
		{"yprv", reversion(mainMaster, []byte{0x04, 0x9d, 0x78, 0x78}), &chaincfg.MainNetParams, "this is an extended private key (yprv); import the extended public key instead"},
		{"tprv", testMasterKey.String(), &chaincfg.RegressionNetParams, "this is an extended private key (tprv); import the extended public key instead"},
		{"vprv", reversion(testMasterKey, []byte{0x04, 0x5f, 0x18, 0xbc}), &chaincfg.SigNetParams, "this is an extended private key (vprv); import the extended public key instead"},
		// Private key data under a public version is still private.
		{"xpub version", reversion(mainMaster, []byte{0x04, 0x88, 0xb2, 0x1e}), &chaincfg.MainNetParams, "this is an extended private key; import the extended public key instead"},
		// A private key with a typo is still refused as private.
		{"zprv with typo", "zprvAdG4iTXWBoARxkkzNpNh8r6Qag3irQB8PzEMkAFeTRXxHpbF9z4QgEvBRmfvqWvGp42t42nvgGpNgYSJA9iefm1yYNZKEm7z6qUWCroSQnx", &chaincfg.MainNetParams, "this is an extended private key (zprv); import the extended public key instead"},
		// A private key on the other network is refused as private first.
		{"xprv on regtest", mainMaster.String(), &chaincfg.RegressionNetParams, "this is an extended private key (xprv); import the extended public key instead"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseExtendedKey(tc.key, tc.net)
			if !errors.Is(err, ErrPrivateKey) {
				t.Fatalf("error = %v, want ErrPrivateKey", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
			if strings.Contains(err.Error(), tc.key[4:20]) {
				t.Error("the error repeats the private key")
			}
		})
	}
}

func TestParseExtendedKeyInvalid(t *testing.T) {
	const xpub = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	key, _, err := ParseExtendedKey(xpub, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	reversion := func(version []byte) string {
		c, err := key.CloneWithVersion(version)
		if err != nil {
			t.Fatal(err)
		}
		return c.String()
	}
	// A public key that is not on the curve: x = p.
	badPoint := hdkeychain.NewExtendedKey(chaincfg.MainNetParams.HDPublicKeyID[:],
		append([]byte{0x02}, []byte(strings.Repeat("\xff", 28)+"\xff\xff\xfc\x2f")...),
		key.ChainCode(), []byte{0, 0, 0, 0}, 3, 0, false).String()
	const lenMsg = "this is not an extended public key: it has the wrong length or characters that base58 does not use; copy the whole key"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "no extended public key given"},
		{"spaces", "   ", "no extended public key given"},
		{"garbage", "hello", lenMsg},
		{"truncated", xpub[:100], lenMsg},
		{"not base58", xpub[:50] + "0" + xpub[51:], lenMsg},
		{"typo", xpub[:50] + "X" + xpub[51:], "the extended key's checksum is wrong; check it for typos"},
		{"litecoin Ltub", reversion([]byte{0x01, 0x9d, 0xa4, 0x62}), "unknown extended key version 019da462; satchel takes xpub, ypub, zpub, tpub, upub or vpub keys"},
		{"multisig Zpub", reversion([]byte{0x02, 0xaa, 0x7e, 0xd3}), "Zpub keys are for multisig wallets, which satchel does not support"},
		{"multisig Vpub", reversion([]byte{0x02, 0x57, 0x54, 0x83}), "Vpub keys are for multisig wallets, which satchel does not support"},
		{"point not on curve", badPoint, "the extended key holds no valid public key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseExtendedKey(tc.in, &chaincfg.MainNetParams)
			if !errors.Is(err, ErrInvalidExtendedKey) {
				t.Fatalf("error = %v, want ErrInvalidExtendedKey", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
		})
	}
}

func TestParseExtendedKeyUnsupportedNetwork(t *testing.T) {
	const xpub = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	if _, _, err := ParseExtendedKey(xpub, &chaincfg.SimNetParams); err == nil {
		t.Error("simnet: no error")
	}
	if _, _, err := ParseExtendedKey(xpub, nil); err == nil {
		t.Error("nil network: no error")
	}
}
