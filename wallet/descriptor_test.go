package wallet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
)

// Keys and descriptors of the BIP84 account of the test mnemonic.
const (
	bip84XPub   = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	bip84ZPub   = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
	bip84TPub   = "tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M"
	bip84Origin = "[73c5da0a/84h/0h/0h]"
	bip84Desc   = "wpkh([73c5da0a/84h/0h/0h]" + bip84XPub + "/<0;1>/*)#qf45pmyh"
)

// sameDescriptor reports how a and b differ, or "" when they are equal.
func sameDescriptor(a, b *Descriptor) string {
	if a.Multisig != nil || b.Multisig != nil {
		switch {
		case a.Type != b.Type:
			return fmt.Sprintf("type %v != %v", a.Type, b.Type)
		case !sameMultisig(a.Multisig, b.Multisig):
			return fmt.Sprintf("multisig %s != %s", a, b)
		case !slices.Equal(a.Branches, b.Branches):
			return fmt.Sprintf("branches %v != %v", a.Branches, b.Branches)
		}
		return ""
	}
	switch {
	case a.Type != b.Type:
		return fmt.Sprintf("type %v != %v", a.Type, b.Type)
	case a.Origin.Fingerprint != b.Origin.Fingerprint:
		return fmt.Sprintf("fingerprint %08x != %08x", a.Origin.Fingerprint, b.Origin.Fingerprint)
	case !slices.Equal(a.Origin.Path, b.Origin.Path):
		return fmt.Sprintf("origin path %v != %v", a.Origin.Path, b.Origin.Path)
	case a.Key.String() != b.Key.String():
		return fmt.Sprintf("key %s != %s", a.Key, b.Key)
	case !slices.Equal(a.Branches, b.Branches):
		return fmt.Sprintf("branches %v != %v", a.Branches, b.Branches)
	}
	return ""
}

func TestParseDescriptorVectors(t *testing.T) {
	v := loadAccountVectors(t)
	for _, a := range v.Accounts {
		t.Run(a.name(), func(t *testing.T) {
			net := testNets[a.Network]
			d, err := ParseDescriptor(a.Descriptor, net)
			if err != nil {
				t.Fatalf("ParseDescriptor: %v", err)
			}
			if got := d.String(); got != a.Descriptor {
				t.Errorf("String() = %s\n want      %s", got, a.Descriptor)
			}
			st, _ := ParseScriptType(a.ScriptType)
			path, _ := ParsePath(a.Path)
			if d.Type != st || fmt.Sprintf("%08x", d.Origin.Fingerprint) != v.MasterFingerprint ||
				!slices.Equal(d.Origin.Path, path) || d.Key.String() != a.AccountXPub ||
				!slices.Equal(d.Branches, []uint32{0, 1}) {
				t.Errorf("parsed %+v", d)
			}
		})
	}
}

func TestParseDescriptorCanonicalForm(t *testing.T) {
	const body84 = "wpkh([73c5da0a/84h/0h/0h]" + bip84XPub
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"canonical", bip84Desc, bip84Desc},
		{"no checksum", body84 + "/<0;1>/*)", bip84Desc},
		{"' markers with their checksum", "wpkh([73c5da0a/84'/0'/0']" + bip84XPub + "/<0;1>/*)#hpg6d6w2", bip84Desc},
		{"H markers", "wpkh([73c5da0a/84H/0H/0H]" + bip84XPub + "/<0;1>/*)", bip84Desc},
		{"mixed markers", "wpkh([73c5da0a/84'/0h/0H]" + bip84XPub + "/<0;1>/*)", bip84Desc},
		{"upper-case fingerprint", "wpkh([73C5DA0A/84h/0h/0h]" + bip84XPub + "/<0;1>/*)", bip84Desc},
		{"zpub is converted", "wpkh([73c5da0a/84h/0h/0h]" + bip84ZPub + "/<0;1>/*)", bip84Desc},
		{"surrounding space", "  " + bip84Desc + "\n", bip84Desc},
		{"receive", body84 + "/0/*)", body84 + "/0/*)#" + mustChecksum(t, body84+"/0/*)")},
		{"change", body84 + "/1/*)", body84 + "/1/*)#" + mustChecksum(t, body84+"/1/*)")},
		{"pkh", "pkh(" + bip84Origin + bip84XPub + "/0/*)", "pkh(" + bip84Origin + bip84XPub + "/0/*)#" + mustChecksum(t, "pkh("+bip84Origin+bip84XPub+"/0/*)")},
		{"origin without path", "wpkh([deadbeef]" + bip84XPub + "/0/*)", "wpkh([deadbeef]" + bip84XPub + "/0/*)#" + mustChecksum(t, "wpkh([deadbeef]"+bip84XPub+"/0/*)")},
		{"no origin", "tr(" + bip84XPub + "/<0;1>/*)", "tr(" + bip84XPub + "/<0;1>/*)#" + mustChecksum(t, "tr("+bip84XPub+"/<0;1>/*)")},
		// The key's own fingerprint with an empty path says nothing more.
		{"own fingerprint", "tr([" + fmt.Sprintf("%08x", fingerprintOf(t, bip84XPub)) + "]" + bip84XPub + "/<0;1>/*)", "tr(" + bip84XPub + "/<0;1>/*)#" + mustChecksum(t, "tr("+bip84XPub+"/<0;1>/*)")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDescriptor(tc.in, &chaincfg.MainNetParams)
			if err != nil {
				t.Fatalf("ParseDescriptor: %v", err)
			}
			got := d.String()
			if got != tc.want {
				t.Errorf("String() = %s\n want      %s", got, tc.want)
			}
			again, err := ParseDescriptor(got, &chaincfg.MainNetParams)
			if err != nil {
				t.Fatalf("ParseDescriptor(String()): %v", err)
			}
			if diff := sameDescriptor(d, again); diff != "" {
				t.Errorf("round trip changed the descriptor: %s", diff)
			}
		})
	}
}

func mustChecksum(t *testing.T, body string) string {
	t.Helper()
	sum, err := DescriptorChecksum(body)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func fingerprintOf(t *testing.T, xpub string) uint32 {
	t.Helper()
	k, err := hdkeychain.NewKeyFromString(xpub)
	if err != nil {
		t.Fatal(err)
	}
	return keyFingerprint(k)
}

func TestParseDescriptorNoOrigin(t *testing.T) {
	d, err := ParseDescriptor("wpkh("+bip84XPub+"/0/*)", &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if d.Origin.Fingerprint != fingerprintOf(t, bip84XPub) || len(d.Origin.Path) != 0 {
		t.Errorf("origin = %+v, want the key's own fingerprint and no path", d.Origin)
	}
	if strings.Contains(d.String(), "[") {
		t.Errorf("String() = %s prints an origin", d)
	}
}

func TestParseDescriptorTypes(t *testing.T) {
	tests := []struct {
		in   string
		want ScriptType
	}{
		{"pkh(" + bip84XPub + "/0/*)", P2PKH},
		{"sh(wpkh(" + bip84XPub + "/0/*))", P2SHP2WPKH},
		{"wpkh(" + bip84XPub + "/0/*)", P2WPKH},
		{"tr(" + bip84XPub + "/0/*)", P2TR},
	}
	for _, tc := range tests {
		t.Run(tc.want.String(), func(t *testing.T) {
			d, err := ParseDescriptor(tc.in, &chaincfg.MainNetParams)
			if err != nil {
				t.Fatal(err)
			}
			if d.Type != tc.want {
				t.Errorf("Type = %v, want %v", d.Type, tc.want)
			}
			if !strings.HasPrefix(d.String(), tc.in[:len(tc.in)-len(bip84XPub)-5]) {
				t.Errorf("String() = %s", d)
			}
		})
	}
}

func TestDescriptorBranch(t *testing.T) {
	d, err := ParseDescriptor(bip84Desc, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	const body84 = "wpkh([73c5da0a/84h/0h/0h]" + bip84XPub
	for _, b := range []uint32{0, 1} {
		t.Run(fmt.Sprint(b), func(t *testing.T) {
			single := d.Branch(b)
			want := fmt.Sprintf("%s/%d/*)", body84, b)
			want += "#" + mustChecksum(t, want)
			if single.String() != want {
				t.Errorf("Branch(%d) = %s\n want        %s", b, single, want)
			}
			// Branch copies: changing the copy leaves d alone.
			single.Origin.Path[0] = 0
			if d.String() != bip84Desc {
				t.Error("changing the copy changed the original")
			}
		})
	}
	// From a receive descriptor to its change descriptor.
	recv, err := ParseDescriptor(body84+"/0/*)", &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if got := recv.Branch(1); !slices.Equal(got.Branches, []uint32{1}) || !slices.Equal(recv.Branches, []uint32{0}) {
		t.Errorf("Branch(1) of a receive descriptor = %v (original %v)", got.Branches, recv.Branches)
	}
	var nilDesc *Descriptor
	if nilDesc.Branch(0) != nil {
		t.Error("Branch of nil is not nil")
	}
}

func TestDescriptorStringInvalid(t *testing.T) {
	if s := (&Descriptor{}).String(); s != "" {
		t.Errorf("zero Descriptor String() = %q, want \"\"", s)
	}
	var d *Descriptor
	if s := d.String(); s != "" {
		t.Errorf("nil Descriptor String() = %q", s)
	}
}

// TestDescriptorStringNeverPrintsPrivateKeys guards a Descriptor built by
// hand with a private key: String shows the public key.
func TestDescriptorStringNeverPrintsPrivateKeys(t *testing.T) {
	v := loadAccountVectors(t)
	acct := derivePath(t, testMaster(t, v, &chaincfg.MainNetParams), AccountPath(P2WPKH, &chaincfg.MainNetParams, 0))
	d := &Descriptor{Type: P2WPKH, Origin: KeyOrigin{Fingerprint: 0x73c5da0a, Path: AccountPath(P2WPKH, &chaincfg.MainNetParams, 0)}, Key: acct, Branches: []uint32{0, 1}}
	if got := d.String(); got != bip84Desc {
		t.Errorf("String() = %s\n want      %s", got, bip84Desc)
	}
}

// TestDescriptorStringStandardVersion checks that a Descriptor built by hand
// with a SLIP-132 key prints the standard xpub.
func TestDescriptorStringStandardVersion(t *testing.T) {
	zpub, err := hdkeychain.NewKeyFromString(bip84ZPub)
	if err != nil {
		t.Fatal(err)
	}
	d := &Descriptor{Type: P2WPKH, Origin: KeyOrigin{Fingerprint: 0x73c5da0a, Path: AccountPath(P2WPKH, &chaincfg.MainNetParams, 0)}, Key: zpub, Branches: []uint32{0, 1}}
	if got := d.String(); got != bip84Desc {
		t.Errorf("String() = %s\n want      %s", got, bip84Desc)
	}
}

func TestParseDescriptorErrors(t *testing.T) {
	const (
		X  = bip84XPub
		O  = bip84Origin
		pk = "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600"
	)
	type kind int
	const (
		syntax kind = iota
		unsupported
		checksum
		private
		network
		badKey
	)
	const wshSingle = "wsh() must hold multi() or sortedmulti(), as in wsh(sortedmulti(2,KEY,KEY,KEY)); other wsh() scripts are not supported"
	const supportedSteps = "the key must end in /0/*, /1/* or /<0;1>/* so that satchel can derive addresses from it"
	tests := []struct {
		name string
		in   string
		kind kind
		want string
	}{
		// Checksums.
		{"checksum typo", "wpkh(" + O + X + "/<0;1>/*)#qf45pmyx", checksum, "the descriptor checksum does not match: found #qf45pmyx, expected #qf45pmyh; check the descriptor for typos"},
		{"payload typo", "wpkh([73c5da0a/84h/0h/1h]" + X + "/<0;1>/*)#qf45pmyh", checksum, "the descriptor checksum does not match: found #qf45pmyh, expected #ejcygxd5; check the descriptor for typos"},
		{"empty checksum", "wpkh(" + O + X + "/0/*)#", checksum, "the descriptor checksum after '#' must be 8 characters, not 0"},
		{"long checksum", bip84Desc + "x", checksum, "the descriptor checksum after '#' must be 8 characters, not 9"},
		{"two checksums", bip84Desc + "#qf45pmyh", checksum, "the descriptor has more than one '#'; only one checksum may follow it"},
		{"bad character", "wpkh(" + O + X + "/0/*)é", syntax, "character 142 'é' is not allowed in a descriptor"},
		{"empty", "", syntax, "the descriptor is empty"},
		{"blank", " \t ", syntax, "the descriptor is empty"},

		// Functions and nesting.
		{"unknown function", "foo(" + O + X + "/0/*)", syntax, `unknown descriptor function "foo" at position 1; satchel watches pkh(), sh(wpkh()), wpkh() and tr() with one extended public key, and wsh() or sh(wsh()) multisig`},
		{"upper-case function", "WPKH(" + O + X + "/0/*)", syntax, `unknown descriptor function "WPKH"; function names are lower case, as in wpkh(`},
		{"wsh", "wsh(" + O + X + "/0/*)", unsupported, wshSingle},
		{"multi", "multi(1," + X + "/0/*)", unsupported, "bare multi() is not supported; put it inside wsh(), as in wsh(multi(2,KEY,KEY,KEY))"},
		{"raw", "raw(deadbeef)#89f8spxm", unsupported, "raw() descriptors are not supported; satchel watches pkh(), sh(wpkh()), wpkh() and tr() with one extended public key, and wsh() or sh(wsh()) multisig"},
		{"sh(pkh)", "sh(pkh(" + O + X + "/0/*))", unsupported, "sh(pkh()) is not supported; inside sh() satchel takes wpkh() or wsh(), as sh(wpkh(KEY))"},
		{"sh(wsh)", "sh(wsh(" + O + X + "/0/*))", unsupported, wshSingle},
		{"sh(sh)", "sh(sh(wpkh(" + O + X + "/0/*)))", syntax, "sh() cannot be used inside sh(); it must be the outermost function"},
		{"sh(tr)", "sh(tr(" + O + X + "/0/*))", syntax, "tr() cannot be used inside sh(); it must be the outermost function"},
		{"sh(KEY)", "sh(" + X + "/0/*)", syntax, `sh() must hold a script function, as in sh(wpkh(KEY)); found "xpub6CatWdiZiodmUeTDp8LT…"`},
		{"sh([origin]KEY)", "sh(" + O + X + "/0/*)", syntax, `expected a script function inside sh(, found "[73c5da0a/84" at position 4`},
		{"wpkh(wpkh)", "wpkh(wpkh(" + O + X + "/0/*))", syntax, "wpkh() takes a key, not a script function like wpkh("},
		{"pkh(tr)", "pkh(tr(" + X + "/0/*))", syntax, "pkh() takes a key, not a script function like tr("},
		{"tr with tree", "tr(" + O + X + "/0/*,pk(" + X + "/1/*))", unsupported, "taproot script trees are not supported; satchel watches key-path tr(KEY) descriptors only"},
		{"wpkh with two keys", "wpkh(" + O + X + "/0/*," + X + "/1/*)", syntax, `expected ')' to close the descriptor after the key, found ",xpub6CatWdi" at position 141`},
		{"no parenthesis", "wpkh", syntax, `expected '(' after "wpkh", found the end of the descriptor`},
		{"bare key", X + "/0/*", syntax, `a descriptor starts with a script function such as wpkh(; found "xpub6CatWdiZiodmUeTDp8LT…"`},
		{"only parenthesis", "(", syntax, `a descriptor starts with a script function such as wpkh(; found "(" at position 1`},
		{"empty wpkh", "wpkh()", syntax, `expected an extended public key inside wpkh(, found ")" at position 6`},
		{"unclosed", "wpkh(" + O + X + "/0/*", syntax, "expected ')' to close the descriptor after the key, found the end of the descriptor"},
		{"unclosed sh", "sh(wpkh(" + O + X + "/0/*)", syntax, "expected ')' to close the descriptor after the key, found the end of the descriptor"},

		// Trailing garbage.
		{"extra parenthesis", "wpkh(" + O + X + "/0/*))", syntax, `unexpected text ")" at position 142 after the end of the descriptor`},
		{"trailing text", "wpkh(" + O + X + "/0/*)garbage", syntax, `unexpected text "garbage" at position 142 after the end of the descriptor`},
		{"second descriptor", "wpkh(" + O + X + "/0/*) wpkh()", syntax, `unexpected text " wpkh()" at position 142 after the end of the descriptor`},
		{"garbage in steps", "wpkh(" + O + X + "/0/*@)", syntax, `unexpected "@)" at position 141 in the derivation steps after the key`},

		// Derivation steps after the key.
		{"hardened wildcard h", "wpkh(" + O + X + "/0/*h)", syntax, `the hardened wildcard "*h" at position 140 cannot be derived from an extended public key; use /*`},
		{"hardened wildcard '", "wpkh(" + O + X + "/0/*')", syntax, `the hardened wildcard "*'" at position 140 cannot be derived from an extended public key; use /*`},
		{"hardened wildcard H", "wpkh(" + O + X + "/<0;1>/*H)", syntax, `the hardened wildcard "*H" at position 144 cannot be derived from an extended public key; use /*`},
		{"hardened step", "wpkh(" + O + X + "/0h/*)", syntax, `the hardened step "0h" at position 138 cannot be derived from an extended public key; give the key at that step instead`},
		{"hardened in multipath", "wpkh(" + O + X + "/<0;1h>/*)", syntax, `the hardened step "<0;1h>" at position 138 cannot be derived from an extended public key; give the key at that step instead`},
		{"no steps", "wpkh(" + O + X + ")", unsupported, supportedSteps},
		{"no wildcard", "wpkh(" + O + X + "/0)", unsupported, supportedSteps},
		{"wildcard only", "wpkh(" + O + X + "/*)", unsupported, "satchel supports /0/*, /1/* or /<0;1>/* after the key, not /*"},
		{"more steps", "wpkh(" + O + X + "/3/4/5/*)", unsupported, "satchel supports /0/*, /1/* or /<0;1>/* after the key, not /3/4/5/*"},
		{"branch 2", "wpkh(" + O + X + "/2/*)", unsupported, "satchel supports branch 0 (receive), 1 (change) or <0;1> (both) after the key, not /2"},
		{"wildcard not last", "wpkh(" + O + X + "/*/0)", syntax, "the wildcard '*' at position 138 must be the last step"},
		{"multipath reversed", "wpkh(" + O + X + "/<1;0>/*)", unsupported, "satchel supports branch 0 (receive), 1 (change) or <0;1> (both) after the key, not /<1;0>"},
		{"multipath three", "wpkh(" + O + X + "/<0;1;2>/*)", unsupported, "satchel supports branch 0 (receive), 1 (change) or <0;1> (both) after the key, not /<0;1;2>"},
		{"multipath duplicate", "wpkh(" + O + X + "/<0;0>/*)", syntax, "the multipath step at position 138 repeats 0"},
		{"multipath one", "wpkh(" + O + X + "/<0>/*)", syntax, "the multipath step at position 138 needs at least two numbers, as in <0;1>"},
		{"multipath empty", "wpkh(" + O + X + "/<>/*)", syntax, "the multipath step at position 138 is empty; write <0;1>"},
		{"multipath missing index", "wpkh(" + O + X + "/<0;>/*)", syntax, "the multipath step at position 138 has an empty number; write <0;1>"},
		{"multipath missing end", "wpkh(" + O + X + "/<0/*)", syntax, "the multipath step '<' at position 138 has no closing '>'"},
		{"multipath missing start", "wpkh(" + O + X + "/0>/*)", syntax, "found '>' at position 139 without a '<' before it; write /<0;1>/*"},
		{"two multipaths", "wpkh(" + O + X + "/<0;1>/<2;3>/*)", syntax, "a key may have only one multipath <…> step; found another at position 144"},
		{"empty step", "wpkh(" + O + X + "//*)", syntax, "the derivation step at position 138 is empty (look for a doubled or trailing '/')"},
		{"letters in step", "wpkh(" + O + X + "/1aa/*)", syntax, `the derivation step at position 138 "1aa" is not a number (steps look like 7, or 84h when hardened)`},
		{"step too large", "wpkh(" + O + X + "/2147483648/*)", syntax, `the derivation step at position 138 "2147483648" is too large (the largest step is 2147483647)`},

		// Key origins (the BIP380 invalid key expressions).
		{"wildcard in origin", "wpkh([73c5da0a/84h/0h/0h/*]" + X + "/0/*)", syntax, "a key origin cannot hold a wildcard '*'; put /* after the key"},
		{"trailing slash in origin", "wpkh([73c5da0a/84h/0h/0h/]" + X + "/0/*)", syntax, "key origin step 4 is empty (look for a doubled or trailing '/')"},
		{"short fingerprint", "wpkh([73c5da0/84h/0h/0h]" + X + "/0/*)", syntax, `the key origin fingerprint must be 8 hex characters, as in [73c5da0a/84h/0h/0h]; found "73c5da0"`},
		{"long fingerprint", "wpkh([73c5da0aa/84h/0h/0h]" + X + "/0/*)", syntax, `the key origin fingerprint must be 8 hex characters, as in [73c5da0a/84h/0h/0h]; found "73c5da0aa"`},
		{"non-hex fingerprint", "wpkh([gaaaaaaa]" + X + "/0/*)", syntax, `the key origin fingerprint must be 8 hex characters, as in [73c5da0a/84h/0h/0h]; found "gaaaaaaa"`},
		{"bad hardened marker", "wpkh([73c5da0a/0f/0f/0f]" + X + "/0/*)", syntax, `key origin step 1 "0f" is not a number (steps look like 7, or 84h when hardened)`},
		{"negative step", "wpkh([73c5da0a/-0/-0/-0]" + X + "/0/*)", syntax, `key origin step 1 "-0" is not a number (steps look like 7, or 84h when hardened)`},
		{"two origins", "wpkh([aaaaaaaa][aaaaaaaa]" + X + "/0/*)", syntax, "a key may have only one origin in [ ]; found a second '[' at position 16"},
		{"origin without start", "wpkh(aaaaaaaa]" + X + "/0/*)", syntax, "found ']' at position 14; a key origin must start with '[', as in [73c5da0a/84h/0h/0h]"},
		{"origin without key", "wpkh([deadbeef])", syntax, `expected an extended public key inside wpkh(, found ")" at position 16`},
		{"multipath in origin", "wpkh([deadbeef/<0;1>]" + X + "/0/*)", syntax, "a key origin cannot hold a multipath <…> step; put it after the key"},
		{"unclosed origin", "wpkh([73c5da0a/84h/0h/0h" + X + "/0/*)", syntax, "the key origin '[' at position 6 has no closing ']'"},
		{"origin step too large", "wpkh([73c5da0a/2147483648h]" + X + "/0/*)", syntax, `key origin step 1 "2147483648h" is too large (the largest step is 2147483647)`},

		// Keys.
		{"single public key", "wpkh(" + pk + ")", unsupported, "single public keys are not supported; use an extended public key (xpub or tpub) followed by /0/*, /1/* or /<0;1>/*"},
		{"x-only key", "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", unsupported, "single public keys are not supported; use an extended public key (xpub or tpub) followed by /0/*, /1/* or /<0;1>/*"},
		{"WIF compressed", "wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", private, "descriptor contains a private key; import public descriptors only"},
		{"WIF uncompressed", "tr(5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)", private, "descriptor contains a private key; import public descriptors only"},
		{"xprv", "wpkh([deadbeef/0h/1h/2h]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc/0/*)", private, "descriptor contains a private key; import public descriptors only"},
		{"xprv with typo", "wpkh(xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWx/0/*)", private, "descriptor contains a private key; import public descriptors only"},
		{"tprv", "wpkh(tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK/0/*)", private, "descriptor contains a private key; import public descriptors only"},
		{"tpub on mainnet", "wpkh(" + O + bip84TPub + "/0/*)", network, "this is a test-network key (tpub) but the network is mainnet"},
		{"key typo", "wpkh(" + O + X[:len(X)-1] + "W/0/*)", badKey, "the extended key's checksum is wrong; check it for typos"},
		{"short key", "wpkh(" + O + X[:50] + "/0/*)", badKey, "this is not an extended public key: it has the wrong length or characters that base58 does not use; copy the whole key"},
		{"not a key", "wpkh(" + O + "hello/0/*)", badKey, "this is not an extended public key: it has the wrong length or characters that base58 does not use; copy the whole key"},
		{"very long key", "wpkh(" + strings.Repeat("x", 300) + "/0/*)", syntax, "the key at position 6 is not an extended public key (it is too long)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDescriptor(tc.in, &chaincfg.MainNetParams)
			if err == nil {
				t.Fatalf("ParseDescriptor = %s, want an error", d)
			}
			if d != nil {
				t.Error("a descriptor came back with the error")
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidDescriptor) {
				t.Error("error does not wrap ErrInvalidDescriptor")
			}
			checks := []struct {
				sentinel error
				want     bool
			}{
				{ErrUnsupportedDescriptor, tc.kind == unsupported},
				{ErrDescriptorChecksum, tc.kind == checksum},
				{ErrPrivateKey, tc.kind == private},
				{ErrOtherNetworkKey, tc.kind == network},
				{ErrInvalidExtendedKey, tc.kind == badKey},
			}
			for _, c := range checks {
				if errors.Is(err, c.sentinel) != c.want {
					t.Errorf("errors.Is(err, %q) = %v, want %v", c.sentinel, !c.want, c.want)
				}
			}
		})
	}
}

func TestParseDescriptorNetworks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		net  string
		want string // error, or "" for success
	}{
		{"xpub on mainnet", bip84Desc, "mainnet", ""},
		{"xpub on regtest", bip84Desc, "regtest", "this is a mainnet key (xpub) but the network is regtest"},
		{"xpub on testnet", bip84Desc, "testnet", "this is a mainnet key (xpub) but the network is testnet"},
		{"zpub on signet", "wpkh(" + bip84ZPub + "/0/*)", "signet", "this is a mainnet key (zpub) but the network is signet"},
		{"tpub on testnet", "wpkh(" + bip84TPub + "/0/*)", "testnet", ""},
		{"tpub on testnet4", "wpkh(" + bip84TPub + "/0/*)", "testnet4", ""},
		{"tpub on signet", "wpkh(" + bip84TPub + "/0/*)", "signet", ""},
		{"tpub on regtest", "wpkh(" + bip84TPub + "/0/*)", "regtest", ""},
		{"vpub on regtest", "wpkh(vpub5Y6cjg78GGuNLsaPhmYsiw4gYX3HoQiRBiSwDaBXKUafCt9bNwWQiitDk5VZ5BVxYnQdwoTyXSs2JHRPAgjAvtbBrf8ZhDYe2jWAqvZVnsc/0/*)", "regtest", ""},
		{"tpub on mainnet", "wpkh(" + bip84TPub + "/0/*)", "mainnet", "this is a test-network key (tpub) but the network is mainnet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDescriptor(tc.in, testNets[tc.net])
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ParseDescriptor: %v", err)
				}
				if !d.Key.IsForNet(testNets[tc.net]) {
					t.Errorf("key %s is not for %s", d.Key, tc.net)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseDescriptor = %s, want an error", d)
			}
			if !errors.Is(err, ErrOtherNetworkKey) || !errors.Is(err, ErrInvalidDescriptor) {
				t.Errorf("error %v does not wrap ErrOtherNetworkKey and ErrInvalidDescriptor", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error = %q\n want   %q", err, tc.want)
			}
		})
	}
	if _, err := ParseDescriptor(bip84Desc, nil); !errors.Is(err, ErrInvalidDescriptor) {
		t.Errorf("nil network: %v", err)
	}
}

// TestParseDescriptorPrivateKeyNotEchoed makes sure that no part of a pasted
// private key shows up in the error, whatever else is wrong around it.
func TestParseDescriptorPrivateKeyNotEchoed(t *testing.T) {
	const xprv = "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"
	const wif = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1"
	for _, in := range []string{
		"wpkh(" + xprv + "/0/*)",
		"wpkh(" + xprv + ")",
		"sh(wpkh(" + xprv + "/0h/*))",
		"tr(" + xprv + "/0/*h)",
		"wpkh(" + wif + ")",
		"pkh(" + wif + "/0/*)",
		"wpkh([deadbeef/0h]" + xprv + "/<0;1>/*)",
	} {
		t.Run(in[:12], func(t *testing.T) {
			_, err := ParseDescriptor(in, &chaincfg.MainNetParams)
			if !errors.Is(err, ErrPrivateKey) {
				t.Fatalf("error = %v, want ErrPrivateKey", err)
			}
			for _, secret := range []string{xprv, wif} {
				for i := 0; i+8 <= len(secret); i++ {
					if strings.Contains(err.Error(), secret[i:i+8]) {
						t.Fatalf("the error %q repeats part of the private key", err)
					}
				}
			}
		})
	}
}

func FuzzParseDescriptor(f *testing.F) {
	f.Add(bip84Desc, false)
	f.Add("wpkh([73c5da0a/84'/0'/0']"+bip84XPub+"/<0;1>/*)#hpg6d6w2", false)
	f.Add("sh(wpkh("+bip84ZPub+"/1/*))", false)
	f.Add("tr("+bip84TPub+"/0/*)", true)
	f.Add("pkh([deadbeef]"+bip84TPub+"/<0;1>/*)", true)
	f.Add("tr("+bip84XPub+"/0/*,pk("+bip84XPub+"/1/*))", false)
	f.Add("wpkh("+bip84XPub+"/<0;1>/<2;3>/*h)", false)
	f.Add("raw(deadbeef)#89f8spxm", false)
	f.Add("wsh(sortedmulti(2,[73c5da0a/48h/1h/0h/2h]"+bip84TPub+"/<0;1>/*,"+bip84TPub+"/<0;1>/*))", true)
	f.Add("sh(wsh(multi(1,"+bip84XPub+"/0/*,[deadbeef/48'/0'/0'/1']"+bip84ZPub+"/0/*)))", false)
	f.Add("wsh(multi(3,"+bip84XPub+"/1/*))", false)
	f.Fuzz(func(t *testing.T, s string, testnet bool) {
		net := &chaincfg.MainNetParams
		if testnet {
			net = &chaincfg.RegressionNetParams
		}
		d, err := ParseDescriptor(s, net)
		if err != nil {
			if d != nil {
				t.Fatal("a descriptor came back with an error")
			}
			if !errors.Is(err, ErrInvalidDescriptor) {
				t.Fatalf("error %v does not wrap ErrInvalidDescriptor", err)
			}
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error message %q is not one line", msg)
			}
			return
		}
		canon := d.String()
		again, err := ParseDescriptor(canon, net)
		if err != nil {
			t.Fatalf("ParseDescriptor(%q) failed on its own String() %q: %v", s, canon, err)
		}
		if diff := sameDescriptor(d, again); diff != "" {
			t.Fatalf("round trip of %q changed the descriptor: %s", s, diff)
		}
		if again.String() != canon {
			t.Fatalf("String() is not stable: %q then %q", canon, again.String())
		}
		for _, b := range d.Branches {
			if _, err := d.Derive(b, 0, net); err != nil && !errors.Is(err, hdkeychain.ErrInvalidChild) {
				t.Fatalf("Derive(%d, 0) of %q: %v", b, canon, err)
			}
		}
	})
}
