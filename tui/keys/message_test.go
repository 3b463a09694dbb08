package keys

import (
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/tyler-smith/go-bip39"

	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	"github.com/satchelbtc/satchel/wallet"
)

// The mnemonics of the three cosigners of cmd/satchel's multisig tests.
var cosignerMnemonics = []string{
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
	"legal winner thank year wave sausage worth useful legal winner thank yellow",
	"letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
}

// abandonBIP48Key is the abandon seed's p2wsh cosigner key on the test
// networks, as other wallets publish it.
const abandonBIP48Key = "[73c5da0a/48h/1h/0h/2h]tpubDFH9dgzveyD8zTbPUFuLrGmCydNvxehyNdUXKJAQN8x4aZ4j6UZqGfnqFrD4NqyaTVGKbvEW54tsvPTK2UoSbCC1PJY8iCNiwTL3RWZEheQ"

// multisigSource is a 2-of-3 p2wsh watch-only wallet "vault" on regtest
// whose cosigners are the three seeds, beside a seed wallet "alice" of the
// first: its key is "ours".
func multisigSource(t *testing.T) *fakeSource {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	var exprs []string
	var cos []Cosigner
	for _, m := range cosignerMnemonics {
		master, err := hdkeychain.NewMaster(bip39.NewSeed(m, ""), net)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := master.ECPubKey()
		fp := fmt.Sprintf("%x", address.Hash160(pub.SerializeCompressed())[:4])
		k := master
		for _, step := range []uint32{48, 1, 0, 2} {
			if k, err = k.Derive(hdkeychain.HardenedKeyStart + step); err != nil {
				t.Fatal(err)
			}
		}
		xpub, _ := k.Neuter()
		exprs = append(exprs, "["+fp+"/48h/1h/0h/2h]"+xpub.String()+"/<0;1>/*")
		cos = append(cos, Cosigner{Fingerprint: fp, Path: "m/48h/1h/0h/2h", Xpub: xpub.String()})
	}
	if exprs[0][:len(abandonBIP48Key)] != abandonBIP48Key {
		t.Fatalf("derived %s, want %s", exprs[0], abandonBIP48Key)
	}
	d, err := wallet.ParseDescriptor("wsh(sortedmulti(2,"+strings.Join(exprs, ",")+"))", net)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeSource{
		wallets: []WalletInfo{
			{Name: "alice", ScriptType: "p2wpkh", Fingerprint: cos[0].Fingerprint},
			{Name: "vault", ScriptType: "p2wsh", WatchOnly: true},
		},
		current: "vault",
		account: Account{Name: "vault", ScriptType: "p2wsh", WatchOnly: true,
			Receive: d.Branch(0).String(), Change: d.Branch(1).String(),
			Multisig: &Multisig{Threshold: 2, Sorted: true, Cosigners: cos, Descriptor: d.String()}},
	}
}

func TestMessageDialogView(t *testing.T) {
	sign := []string{"x"}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		for _, tt := range []struct {
			name  string
			steps func(hs *harness)
		}{
			{"sign", func(hs *harness) {
				hs.press(sign...)
				hs.press("tab")
				hs.typeText("Hello World")
				hs.press("tab")
				hs.typeText("hunter2")
				hs.press("enter")
			}},
			{"verify_valid", func(hs *harness) {
				hs.press("x", "shift+tab", "right", "tab")
				hs.send(keyMsg("ctrl+u"))
				hs.typeText(vectorTaproot)
				hs.press("tab")
				hs.typeText("Hello World")
				hs.press("tab")
				hs.typeText(vectorTaprootSig)
				hs.press("enter")
			}},
			{"verify_invalid", func(hs *harness) {
				hs.press("x", "shift+tab", "right", "tab", "tab")
				hs.typeText("Hello World!")
				hs.press("tab")
				hs.typeText(vectorHelloSig)
				hs.press("enter")
			}},
		} {
			name := fmt.Sprintf("%s_%dx%d", tt.name, w, h)
			t.Run(name, func(t *testing.T) {
				hs := newHarness(t, sampleSource(), w, h)
				tt.steps(hs)
				v := hs.view()
				tuitest.AssertFits(t, v, w, h)
				golden.RequireEqual(t, v)
			})
		}
	}
}

// TestSignMessage signs BIP322's "Hello World" with its vector key after
// the password, and shows the published signature in full.
func TestSignMessage(t *testing.T) {
	for _, w := range []int{80, 120} {
		src := sampleSource()
		hs := newHarness(t, src, w, 24)
		hs.press("x")
		if !hs.m.Capturing() {
			t.Fatal("the dialog does not take the keys")
		}
		v := hs.plain()
		for _, want := range []string{`sign with an address of "spending"`, vectorAddress, "receive #0, used", "↑/↓ one of the wallet's 3", "Password"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d wide: %q missing:\n%s", w, want, v)
			}
		}
		hs.press("tab")
		hs.typeText("Hello World")
		hs.press("enter") // to the password
		hs.press("enter")
		if src.signs != 0 || !strings.Contains(hs.plain(), "Type the wallet's password, then press enter.") {
			t.Fatalf("signed without a password:\n%s", hs.plain())
		}
		hs.typeText("nope")
		hs.press("enter")
		if !strings.Contains(hs.plain(), "Wrong password. Try again, or esc to close.") {
			t.Errorf("wrong password not reported:\n%s", hs.plain())
		}
		hs.typeText("hunter2")
		hs.press("enter")
		if got := flat(hs.view()); !strings.Contains(got, vectorHelloSig) {
			t.Errorf("%d wide: the signature is not shown in full:\n%s", w, hs.plain())
		}
		if strings.Contains(hs.plain(), "…") {
			t.Errorf("%d wide: something was cut:\n%s", w, hs.plain())
		}
		for i, pw := range src.seen {
			if strings.Trim(string(pw), "\x00") != "" {
				t.Errorf("password %d left in memory: %q", i, pw)
			}
		}
		// → on the first row turns to verify with that signature: valid.
		hs.press("shift+tab", "shift+tab", "shift+tab", "right")
		hs.press("tab", "tab", "tab", "enter")
		if v := hs.plain(); !strings.Contains(v, "Valid ✓ signed by "+vectorAddress) {
			t.Errorf("%d wide: own signature not verified:\n%s", w, v)
		}
		hs.press("esc")
		if hs.m.Capturing() || strings.Contains(hs.plain(), "Message ·") {
			t.Errorf("esc did not close the dialog:\n%s", hs.plain())
		}
	}
}

// TestSignUnlockedPicksAddresses: with the keys held no password is asked;
// ↑/↓ walks the wallet's addresses, and each signs in its own format.
func TestSignUnlockedPicksAddresses(t *testing.T) {
	src := sampleSource()
	src.unlocked = true
	hs := newHarness(t, src, 80, 24)
	hs.press("x")
	if strings.Contains(hs.plain(), "Password") {
		t.Errorf("a password is asked with the keys held:\n%s", hs.plain())
	}
	hs.press("down")
	if v := hs.plain(); !strings.Contains(v, vectorTaproot) || !strings.Contains(v, "receive #1") {
		t.Errorf("↓ did not pick the next address:\n%s", v)
	}
	hs.press("down")
	if v := hs.plain(); !strings.Contains(v, vectorLegacy) || !strings.Contains(v, "change #0, used") {
		t.Errorf("↓ did not pick the change address:\n%s", v)
	}
	hs.press("tab")
	hs.typeText("Hello World")
	hs.press("enter")
	if src.signs != 1 {
		t.Fatalf("SignMessage called %d times", src.signs)
	}
	sig := hs.m.dlg.signed
	if !strings.Contains(flat(hs.view()), sig) {
		t.Errorf("the signature %q is not shown in full:\n%s", sig, hs.plain())
	}
	if err := src.VerifyMessage(vectorLegacy, "Hello World", sig); err != nil {
		t.Errorf("the legacy signature %q does not verify: %v\n%s", sig, err, hs.plain())
	}
	// A typed address not of the wallet is refused with the reason.
	hs.press("shift+tab")
	hs.send(keyMsg("ctrl+u"))
	hs.typeText(vectorAddress[:len(vectorAddress)-1] + "m")
	if !strings.Contains(hs.plain(), "not one of the wallet's listed addresses") {
		t.Errorf("a foreign address is not flagged:\n%s", hs.plain())
	}
}

// TestVerifyMessage checks BIP322's vectors through the dialog: valid,
// another message, a damaged key, and an address that is not one.
func TestVerifyMessage(t *testing.T) {
	for _, tc := range []struct {
		addr, msg, sig, want string
	}{
		{vectorTaproot, "Hello World", vectorTaprootSig, "Valid ✓ signed by " + vectorTaproot},
		{vectorAddress, "Hello World", vectorHelloSig, "Valid ✓ signed by " + vectorAddress},
		{vectorTaproot, "Hello World - This should fail", vectorTaprootSig, "Not valid: "},
		{vectorAddress, "", vectorHelloSig, "Not valid: "},
		{"bc1qnotanaddress", "x", vectorHelloSig, "Cannot check it: "},
	} {
		hs := newHarness(t, sampleSource(), 80, 24)
		hs.press("x", "shift+tab", "right", "tab")
		hs.send(keyMsg("ctrl+u"))
		hs.typeText(tc.addr)
		hs.press("tab")
		hs.typeText(tc.msg)
		hs.press("tab")
		hs.typeText(tc.sig)
		hs.press("enter")
		v := strings.Join(strings.Fields(hs.plain()), " ")
		if !strings.Contains(v, tc.want) {
			t.Errorf("%s %q: want %q in:\n%s", tc.addr, tc.msg, tc.want, hs.plain())
		}
		// Changing the message drops the verdict.
		hs.press("shift+tab")
		hs.typeText("!")
		if v := hs.plain(); strings.Contains(v, "Valid ✓") || strings.Contains(v, "Not valid") {
			t.Errorf("a verdict stayed after the message changed:\n%s", v)
		}
	}
	// Empty signature: asked for before the source.
	hs := newHarness(t, sampleSource(), 80, 24)
	hs.press("x", "shift+tab", "right", "tab", "tab", "tab", "enter")
	if !strings.Contains(hs.plain(), "Paste the signature to check.") {
		t.Errorf("an empty signature is not asked for:\n%s", hs.plain())
	}
}

// TestWatchOnlyVerifiesOnly: a watch-only wallet's dialog verifies and
// says why it cannot sign.
func TestWatchOnlyVerifiesOnly(t *testing.T) {
	for name, src := range map[string]*fakeSource{
		"watch-only": func() *fakeSource {
			f := sampleSource()
			f.account.WatchOnly = true
			return f
		}(),
		"multisig": multisigSource(t),
	} {
		hs := newHarness(t, src, 80, 24)
		hs.press("x")
		v := hs.plain()
		if !strings.Contains(v, "verify a signature") || strings.Contains(v, "Password") {
			t.Errorf("%s: the dialog does not open on verify:\n%s", name, v)
		}
		hs.press("shift+tab", "right")
		if v := strings.Join(strings.Fields(hs.plain()), " "); !strings.Contains(v, "it can verify signatures") &&
			!strings.Contains(v, "no single key to sign a message with") {
			t.Errorf("%s: why it cannot sign is not said:\n%s", name, hs.plain())
		}
		if src.signs != 0 {
			t.Errorf("%s: signed", name)
		}
	}
}

func TestCosignersView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("cosigners_%dx%d", w, h), func(t *testing.T) {
			src := multisigSource(t)
			hs := newHarness(t, src, w, h)
			v := hs.view()
			tuitest.AssertFits(t, v, w, h)
			golden.RequireEqual(t, v)
			p := hs.plain()
			for _, want := range []string{"2 of 3", "sortedmulti", "m/48h/1h/0h/2h", `ours: wallet "alice"`,
				src.account.Multisig.Cosigners[1].Fingerprint, src.account.Multisig.Cosigners[2].Fingerprint} {
				if !strings.Contains(p, want) {
					t.Errorf("%q missing:\n%s", want, p)
				}
			}
			for _, gone := range []string{"Xpub", "Fingerprint  ", "Path  "} {
				if strings.Contains(p, gone) {
					t.Errorf("single-key item %q shown for a multisig wallet:\n%s", gone, p)
				}
			}
			// Every key and the descriptor can be read in full.
			f := flat(v)
			for _, c := range src.account.Multisig.Cosigners {
				if !strings.Contains(f, c.Xpub) {
					t.Errorf("key %s is not shown in full", c.Xpub)
				}
			}
			if !strings.Contains(f, src.account.Multisig.Descriptor) {
				t.Errorf("the descriptor is not shown in full:\n%s", p)
			}
		})
	}
	// v cycles through the descriptor, receive and change: no xpub.
	hs := newHarness(t, multisigSource(t), 120, 40)
	for _, item := range []string{"descriptor", "receive descriptor", "change descriptor", "descriptor"} {
		if v := strings.Join(strings.Fields(hs.plain()), " "); !strings.Contains(v, "the "+item+" (v: next)") &&
			!strings.Contains(v, "QR: "+item) {
			t.Errorf("item %q not offered:\n%s", item, hs.plain())
		}
		hs.press("v")
	}
}

// TestMessageDialogFits checks odd sizes for the size contract.
func TestMessageDialogFits(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {60, 16}, {40, 10}, {20, 4}} {
		w, h := size[0], size[1]
		for _, keys := range [][]string{{"x"}, {"x", "tab"}, {"x", "shift+tab", "right"}} {
			hs := newHarness(t, sampleSource(), w, h)
			hs.press(keys...)
			tuitest.AssertFits(t, hs.view(), w, h)
		}
		hs := newHarness(t, multisigSource(t), w, h)
		tuitest.AssertFits(t, hs.view(), w, h)
	}
}
