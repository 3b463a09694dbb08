package keys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	"github.com/satchelbtc/satchel/wallet/bip322"
)

// The BIP84 test vector account (mnemonic "abandon … about").
const (
	testXpub    = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	testReceive = "wpkh([73c5da0a/84'/0'/0']" + testXpub + "/0/*)#wc3n3van"
	testChange  = "wpkh([73c5da0a/84'/0'/0']" + testXpub + "/1/*)#lv5jvedt"
)

// fakeSource is a set of wallets in memory whose open wallet has the
// password "hunter2".
type fakeSource struct {
	wallets    []WalletInfo
	walletsErr error
	current    string
	account    Account
	accountErr error
	unlocked   bool
	password   string

	unlocks, locks, changes int
	lastNew                 string
	seen                    [][]byte // password slices handed to the source

	addrs   []AddressInfo
	signs   int
	signKey *btcec.PrivateKey // signs for every address in addrs
}

func (f *fakeSource) Wallets() ([]WalletInfo, error) { return f.wallets, f.walletsErr }
func (f *fakeSource) Current() string                { return f.current }
func (f *fakeSource) Account() (Account, error)      { return f.account, f.accountErr }
func (f *fakeSource) Unlocked() bool                 { return f.unlocked }
func (f *fakeSource) Lock()                          { f.locks++; f.unlocked = false }

func (f *fakeSource) Unlock(ctx context.Context, pw []byte) error {
	f.unlocks++
	f.seen = append(f.seen, pw)
	if err := ctx.Err(); err != nil {
		return err
	}
	if string(pw) != f.password {
		return fmt.Errorf("unlocking %q: %w", f.current, keystore.ErrWrongPassword)
	}
	f.unlocked = true
	return nil
}

func (f *fakeSource) ChangePassword(ctx context.Context, old, pw []byte) error {
	f.changes++
	f.seen = append(f.seen, old, pw)
	if string(old) != f.password {
		return keystore.ErrWrongPassword
	}
	f.password, f.lastNew = string(pw), string(pw)
	return nil
}

func (f *fakeSource) Addresses() ([]AddressInfo, error) { return f.addrs, nil }

func (f *fakeSource) SignMessage(ctx context.Context, addr, msg string, pw []byte) (string, error) {
	f.signs++
	f.seen = append(f.seen, pw)
	if !f.unlocked && string(pw) != f.password {
		return "", keystore.ErrWrongPassword
	}
	if !slices.ContainsFunc(f.addrs, func(a AddressInfo) bool { return a.Address == addr }) {
		return "", fmt.Errorf("not an address of this wallet: %s", addr)
	}
	a, err := address.DecodeAddress(addr, &chaincfg.MainNetParams)
	if err != nil {
		return "", err
	}
	return bip322.Sign(a, []byte(msg), keySigner{f.signKey}, nil)
}

func (f *fakeSource) VerifyMessage(addr, msg, sig string) error {
	a, err := address.DecodeAddress(addr, &chaincfg.MainNetParams)
	if err != nil {
		return fmt.Errorf("%q is not a mainnet address", addr)
	}
	return bip322.Verify(a, []byte(msg), sig)
}

// keySigner signs with one private key for every path.
type keySigner struct{ priv *btcec.PrivateKey }

func (k keySigner) PublicKey([]uint32) (*btcec.PublicKey, error) { return k.priv.PubKey(), nil }
func (k keySigner) SignECDSA(_ []uint32, d []byte) (*ecdsa.Signature, error) {
	return ecdsa.Sign(k.priv, d), nil
}
func (k keySigner) SignSchnorr(_ []uint32, d, root []byte) (*schnorr.Signature, error) {
	return schnorr.Sign(txscript.TweakTaprootPrivKey(*k.priv, root), d)
}

// The key and addresses of BIP322's published vectors, and its
// signature of "Hello World" with a plain RFC 6979 nonce, as satchel
// signs.
const (
	vectorWIF      = "L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k"
	vectorAddress  = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
	vectorTaproot  = "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3"
	vectorLegacy   = "14vV3aCHBeStb5bkenkNHbe2YAFinYdXgc"
	vectorHelloSig = "AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"
	// BIP322's P2TR vector of "Hello World".
	vectorTaprootSig = "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ=="
)

func sampleSource() *fakeSource {
	return &fakeSource{
		wallets: []WalletInfo{
			{Name: "spending", ScriptType: "p2wpkh", Fingerprint: "73c5da0a"},
			{Name: "savings", ScriptType: "p2tr", Fingerprint: "0badc0de"},
			{Name: "cold storage", ScriptType: "p2wpkh", Fingerprint: "d34db33f", WatchOnly: true},
		},
		current: "spending",
		account: Account{
			Name: "spending", Fingerprint: "73c5da0a", ScriptType: "p2wpkh", Path: "m/84'/0'/0'",
			Xpub: testXpub, Receive: testReceive, Change: testChange,
		},
		password: "hunter2",
		addrs: []AddressInfo{
			{Address: vectorAddress, Index: 0, Used: true},
			{Address: vectorTaproot, Index: 1},
			{Address: vectorLegacy, Index: 0, Change: true, Used: true},
		},
		signKey: vectorKey(),
	}
}

func vectorKey() *btcec.PrivateKey {
	w, err := btcutil.DecodeWIF(vectorWIF)
	if err != nil {
		panic(err)
	}
	return w.PrivKey
}

// harness drives a page as the runtime would: it runs commands, feeds the
// page its own results and keeps the messages meant for the root.
type harness struct {
	t   *testing.T
	m   *Model
	out []tea.Msg
}

func newHarness(t *testing.T, src Source, w, h int) *harness {
	t.Helper()
	hs := &harness{t: t, m: New(common.NewCommon(t.Context(), w, h), src)}
	hs.run(hs.m.Init())
	return hs
}

func (hs *harness) run(cmd tea.Cmd) {
	hs.t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 50 {
			hs.t.Fatal("page keeps issuing commands")
		}
		cmd, queue = queue[0], queue[1:]
		if cmd == nil {
			continue
		}
		switch msg := cmd().(type) {
		case nil, spinner.TickMsg: // ticks would only animate
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case loadedMsg, opMsg, addressesMsg, signedMsg, verifiedMsg:
			_, next := hs.m.Update(msg)
			queue = append(queue, next)
		default:
			hs.out = append(hs.out, msg)
		}
	}
}

// send delivers msg and runs what it starts, returning the messages for
// the root.
func (hs *harness) send(msg tea.Msg) []tea.Msg {
	hs.t.Helper()
	hs.out = nil
	_, cmd := hs.m.Update(msg)
	hs.run(cmd)
	return hs.out
}

func (hs *harness) press(keys ...string) []tea.Msg {
	hs.t.Helper()
	var out []tea.Msg
	for _, k := range keys {
		out = append(out, hs.send(keyMsg(k))...)
	}
	return out
}

func (hs *harness) typeText(s string) {
	hs.t.Helper()
	for _, r := range s {
		hs.send(keyMsg(string(r)))
	}
}

func (hs *harness) view() string { return hs.m.View().Content }

func (hs *harness) plain() string { return ansi.Strip(hs.view()) }

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// flat joins the view's lines without their padding, so that a value
// wrapped over several lines reads as one string.
func flat(v string) string {
	var b strings.Builder
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		b.WriteString(strings.TrimRight(l, " "))
	}
	return b.String()
}

// qrRows counts lines that draw part of a QR code.
func qrRows(v string) int {
	n := 0
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		if strings.Count(l, "█")+strings.Count(l, "▀")+strings.Count(l, "▄") > 10 {
			n++
		}
	}
	return n
}

func TestKeysView(t *testing.T) {
	tests := []struct {
		name string
		w, h int
		src  func() *fakeSource
		keys []string
		typ  string // typed after keys
		then []string
	}{
		{name: "account_80x24", w: 80, h: 24, src: sampleSource},
		{name: "account_120x40", w: 120, h: 40, src: sampleSource, keys: []string{"j"}},
		{name: "change_qr_120x40", w: 120, h: 40, src: sampleSource, keys: []string{"v", "v"}},
		{name: "unlock_typing_80x24", w: 80, h: 24, src: sampleSource, keys: []string{"u"}, typ: "secret"},
		{name: "wrong_password_80x24", w: 80, h: 24, src: sampleSource, keys: []string{"u"}, typ: "nope", then: []string{"enter"}},
		{name: "password_mismatch_120x40", w: 120, h: 40, src: sampleSource, keys: []string{"p"}, typ: "hunter2",
			then: []string{"enter", "a", "enter", "b", "enter"}},
		{name: "watch_only_80x24", w: 80, h: 24, src: func() *fakeSource {
			f := sampleSource()
			f.current, f.account.WatchOnly = "cold storage", true
			f.account.Name, f.account.Fingerprint = "cold storage", "d34db33f"
			return f
		}, keys: []string{"u"}},
		{name: "no_wallet_80x24", w: 80, h: 24, src: func() *fakeSource {
			f := sampleSource()
			f.current = ""
			return f
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, tt.src(), tt.w, tt.h)
			hs.press(tt.keys...)
			hs.typeText(tt.typ)
			hs.press(tt.then...)
			v := hs.view()
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

// TestKeysViewFits checks odd sizes and states for the size contract.
func TestKeysViewFits(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {100, 30}, {60, 16}, {40, 10}, {20, 4}, {200, 60}} {
		for _, keys := range [][]string{nil, {"v"}, {"u"}, {"p"}, {"G"}} {
			w, h := size[0], size[1]
			t.Run(fmt.Sprintf("%dx%d_%v", w, h, keys), func(t *testing.T) {
				hs := newHarness(t, sampleSource(), w, h)
				hs.press(keys...)
				tuitest.AssertFits(t, hs.view(), w, h)
			})
		}
	}
}

func TestAccountShownInFull(t *testing.T) {
	for _, w := range []int{80, 120} {
		hs := newHarness(t, sampleSource(), w, 40)
		v := hs.plain()
		for _, want := range []string{`Wallet "spending" · locked`, "73c5da0a", "p2wpkh", "m/84'/0'/0'"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d wide: %q missing:\n%s", w, want, v)
			}
		}
		// The long values wrap rather than being cut, so they can be copied.
		f := flat(hs.view())
		for _, want := range []string{testXpub, testReceive, testChange} {
			if !strings.Contains(f, want) {
				t.Errorf("%d wide: %q is not shown in full:\n%s", w, want, v)
			}
		}
		if strings.Contains(v, "…") {
			t.Errorf("%d wide: something was cut:\n%s", w, v)
		}
	}
}

func TestQRCycle(t *testing.T) {
	t.Run("80x24 asks to enlarge", func(t *testing.T) {
		hs := newHarness(t, sampleSource(), 80, 24)
		for _, item := range []string{"xpub", "receive descriptor", "change descriptor", "xpub"} {
			v := strings.Join(strings.Fields(hs.plain()), " ")
			want := "Enlarge the terminal to see the QR code of the " + item + " (v: next)."
			if !strings.Contains(v, want) {
				t.Errorf("want %q in:\n%s", want, hs.plain())
			}
			if n := qrRows(hs.view()); n > 0 {
				t.Errorf("%d QR rows drawn at 80x24", n)
			}
			hs.press("v")
		}
	})
	t.Run("120x40 draws each code", func(t *testing.T) {
		hs := newHarness(t, sampleSource(), 120, 40)
		var prev string
		for _, item := range []string{"xpub", "receive descriptor", "change descriptor"} {
			v := hs.plain()
			if !strings.Contains(v, "QR: "+item) {
				t.Errorf("QR title for %s missing:\n%s", item, v)
			}
			if n := qrRows(hs.view()); n < 20 {
				t.Errorf("QR code of the %s not drawn at 120x40 (%d rows):\n%s", item, n, v)
			}
			if strings.Contains(v, "Enlarge") {
				t.Errorf("asks to enlarge a 120x40 terminal:\n%s", v)
			}
			if v == prev {
				t.Errorf("v did not change the code")
			}
			prev = v
			hs.press("v")
		}
		// The wallets list stays on screen beside the code.
		if v := hs.plain(); !strings.Contains(v, "savings") || !strings.Contains(v, "cold storage") {
			t.Errorf("wallets list missing beside the QR code:\n%s", v)
		}
	})
}

func TestUnlockWrongThenRight(t *testing.T) {
	src := sampleSource()
	hs := newHarness(t, src, 80, 24)
	if hs.m.Capturing() {
		t.Fatal("capturing before a field has focus")
	}
	hs.press("L")
	if !hs.m.Capturing() {
		t.Fatal("u did not open the password field")
	}
	// Keys that are global elsewhere are typed while the field has focus.
	hs.typeText("q1?")
	if v := hs.plain(); !strings.Contains(v, "> •••") || strings.Contains(v, "q1?") {
		t.Errorf("the password is not masked:\n%s", v)
	}
	if out := hs.press("enter"); len(out) != 0 {
		t.Errorf("a wrong password emitted %#v", out)
	}
	if src.unlocks != 1 {
		t.Fatalf("Unlock called %d times, want 1", src.unlocks)
	}
	v := hs.plain()
	if !strings.Contains(v, "Wrong password. Try again, or esc to cancel.") {
		t.Errorf("wrong password not reported:\n%s", v)
	}
	if !hs.m.Capturing() || strings.Contains(v, "•") {
		t.Errorf("after a wrong password the field should be empty and focused:\n%s", v)
	}

	hs.typeText("hunter2")
	out := hs.press("enter")
	if len(out) != 1 || out[0] != (LockChangedMsg{Unlocked: true}) {
		t.Fatalf("unlock emitted %#v, want LockChangedMsg{true}", out)
	}
	v = hs.plain()
	if !strings.Contains(v, `Wallet "spending" · unlocked`) || !strings.Contains(v, "Unlocked.") {
		t.Errorf("unlocked state not shown:\n%s", v)
	}
	if hs.m.Capturing() || strings.Contains(v, "Password") {
		t.Errorf("the form stayed open after unlocking:\n%s", v)
	}
	// The page wiped the passwords it handed over.
	for i, pw := range src.seen {
		if strings.Trim(string(pw), "\x00") != "" {
			t.Errorf("password %d left in memory: %q", i, pw)
		}
	}

	// L again locks: one key for both, and the help offers the one that
	// applies.
	if !strings.Contains(hs.plain(), "L lock") || strings.Contains(hs.plain(), "L unlock") {
		t.Errorf("the help of an unlocked wallet does not offer L lock:\n%s", hs.plain())
	}
	hs.press("L")
	if hs.m.Capturing() || !strings.Contains(hs.plain(), `Wallet "spending" · locked`) {
		t.Errorf("L on an unlocked wallet did not lock it:\n%s", hs.plain())
	}
}

func TestUnlockEmptyAndCancel(t *testing.T) {
	src := sampleSource()
	hs := newHarness(t, src, 80, 24)
	hs.press("L", "enter")
	if src.unlocks != 0 || !strings.Contains(hs.plain(), "Type the wallet's password, then press enter.") {
		t.Errorf("an empty password was tried or not reported:\n%s", hs.plain())
	}
	hs.press("esc")
	if hs.m.Capturing() || strings.Contains(hs.plain(), "Unlock \"spending\"") {
		t.Errorf("esc did not close the form:\n%s", hs.plain())
	}

	// esc while the key derivation runs stops it.
	hs.press("L")
	hs.typeText("hunter2")
	_, cmd := hs.m.Update(keyMsg("enter"))
	if v := hs.plain(); !strings.Contains(v, "Unlocking… (esc cancels)") {
		t.Errorf("no progress shown while unlocking:\n%s", v)
	}
	if hs.m.Capturing() {
		t.Error("capturing keys while unlocking")
	}
	hs.press("esc")
	hs.out = nil
	hs.run(cmd)
	if len(hs.out) != 0 || src.unlocked {
		t.Errorf("a cancelled unlock emitted %#v (unlocked %v)", hs.out, src.unlocked)
	}
	if v := hs.plain(); !strings.Contains(v, "Cancelled.") || !strings.Contains(v, "· locked") {
		t.Errorf("cancel not shown:\n%s", v)
	}
}

func TestLock(t *testing.T) {
	src := sampleSource()
	src.unlocked = true
	hs := newHarness(t, src, 80, 24)
	if !strings.Contains(hs.plain(), "· unlocked") {
		t.Fatalf("unlocked state not read:\n%s", hs.plain())
	}
	out := hs.press("L")
	if len(out) != 1 || out[0] != (LockChangedMsg{Unlocked: false}) {
		t.Fatalf("L emitted %#v, want LockChangedMsg{false}", out)
	}
	if src.locks != 1 {
		t.Errorf("Lock called %d times", src.locks)
	}
	if v := hs.plain(); !strings.Contains(v, "· locked") || !strings.Contains(v, "Locked.") {
		t.Errorf("locked state not shown:\n%s", v)
	}
	// A lock from elsewhere (ctrl+l in the root) reaches the page.
	hs.send(LockChangedMsg{Unlocked: true})
	if !strings.Contains(hs.plain(), "· unlocked") {
		t.Errorf("LockChangedMsg from the root not applied")
	}
}

func TestChangePassword(t *testing.T) {
	src := sampleSource()
	hs := newHarness(t, src, 80, 24)
	hs.press("P")
	if !hs.m.Capturing() {
		t.Fatal("p did not open the form")
	}
	for _, want := range []string{"Current password", "New password", "New password again"} {
		if !strings.Contains(hs.plain(), want) {
			t.Errorf("field %q missing:\n%s", want, hs.plain())
		}
	}

	// Mismatch: caught before the source is asked.
	hs.typeText("hunter2")
	hs.press("enter")
	hs.typeText("correct horse")
	hs.press("enter")
	hs.typeText("correct hose")
	hs.press("enter")
	if src.changes != 0 {
		t.Fatalf("ChangePassword called with mismatched passwords")
	}
	if v := hs.plain(); !strings.Contains(v, "The new passwords do not match; type them again.") {
		t.Errorf("mismatch not reported:\n%s", v)
	}

	// The new fields were cleared and focused; type them again.
	hs.typeText("correct horse")
	hs.press("tab")
	hs.typeText("correct horse")
	hs.press("enter")
	if src.changes != 1 || src.lastNew != "correct horse" {
		t.Fatalf("ChangePassword: %d calls, new %q", src.changes, src.lastNew)
	}
	if v := hs.plain(); !strings.Contains(v, "Password changed.") || hs.m.Capturing() {
		t.Errorf("success not shown or form still open:\n%s", v)
	}

	// A wrong current password is reported and the form stays.
	hs.press("P")
	hs.typeText("hunter2")
	hs.press("enter")
	hs.typeText("x")
	hs.press("enter")
	hs.typeText("x")
	hs.press("enter")
	// "x" is weak: the form warns and waits for a second enter.
	if src.changes != 1 {
		t.Fatalf("a weak new password went to the source without a confirmation")
	}
	if v := hs.plain(); !strings.Contains(v, "Press enter again to use it anyway") || !hs.m.Capturing() {
		t.Errorf("weak password not questioned:\n%s", v)
	}
	hs.press("enter")
	if src.changes != 2 || src.password != "correct horse" {
		t.Fatalf("changes %d, password %q", src.changes, src.password)
	}
	if v := hs.plain(); !strings.Contains(v, "The current password is wrong.") || !hs.m.Capturing() {
		t.Errorf("wrong current password not reported:\n%s", v)
	}
}

// TestWeakNewPassword: a common password is questioned; editing it asks
// again, a second enter with it unchanged takes it.
func TestWeakNewPassword(t *testing.T) {
	src := sampleSource()
	hs := newHarness(t, src, 80, 24)
	hs.press("P")
	hs.typeText("hunter2")
	hs.press("enter")
	hs.typeText("password1")
	hs.press("enter")
	hs.typeText("password1")
	hs.press("enter")
	if src.changes != 0 || !strings.Contains(hs.plain(), "Weak: ") {
		t.Fatalf("a common password was not questioned (changes %d):\n%s", src.changes, hs.plain())
	}
	hs.typeText("2") // the second field now says "password12"
	hs.press("enter")
	if src.changes != 0 || !strings.Contains(hs.plain(), "do not match") {
		t.Fatalf("an edit after the warning did not check the fields again: changes %d\n%s",
			src.changes, hs.plain())
	}
	hs.typeText("password1")
	hs.press("tab")
	hs.typeText("password1")
	hs.press("enter")
	if src.changes != 0 || !strings.Contains(hs.plain(), "Weak: ") {
		t.Fatalf("the retyped weak password was taken without a new warning (changes %d)", src.changes)
	}
	hs.press("enter")
	if src.changes != 1 || src.lastNew != "password1" {
		t.Fatalf("confirmed weak password not taken: %d calls, new %q", src.changes, src.lastNew)
	}
}

func TestWatchOnlyHasNoKeys(t *testing.T) {
	src := sampleSource()
	src.current, src.account.WatchOnly = "cold storage", true
	hs := newHarness(t, src, 80, 24)
	if v := hs.plain(); strings.Contains(v, "unlock") || strings.Contains(v, "password") {
		t.Errorf("a watch-only wallet's page offers to unlock or change a password:\n%s", v)
	}
	for _, k := range []string{"L", "P"} {
		hs.press(k)
		if hs.m.Capturing() {
			t.Errorf("%s opened a form on a watch-only wallet", k)
		}
		if v := hs.plain(); !strings.Contains(v, "This is a watch-only wallet: there are no keys to unlock.") {
			t.Errorf("%s: watch-only not explained:\n%s", k, v)
		}
	}
	if src.unlocks+src.locks+src.changes != 0 {
		t.Errorf("the source was asked to change a watch-only wallet")
	}
	if !strings.Contains(hs.plain(), "· watch-only") {
		t.Errorf("title does not say watch-only:\n%s", hs.plain())
	}
}

func TestSwitchWallet(t *testing.T) {
	hs := newHarness(t, sampleSource(), 80, 24)
	if out := hs.press("enter"); len(out) != 0 {
		t.Errorf("enter on the open wallet emitted %#v", out)
	}
	if !strings.Contains(hs.plain(), `"spending" is already open.`) {
		t.Errorf("no notice for the open wallet:\n%s", hs.plain())
	}
	out := hs.press("j", "enter")
	if len(out) != 1 || out[0] != (SwitchWalletMsg{Name: "savings"}) {
		t.Fatalf("j enter emitted %#v, want SwitchWalletMsg{savings}", out)
	}
	out = hs.press("G", "enter")
	if len(out) != 1 || out[0] != (SwitchWalletMsg{Name: "cold storage"}) {
		t.Fatalf("G enter emitted %#v", out)
	}
	if v := hs.plain(); !strings.Contains(v, "> cold storage") || !strings.Contains(v, "watch-only") {
		t.Errorf("selection or watch-only tag not shown:\n%s", v)
	}
}

// TestLongWalletList checks that the list scrolls to keep the selection on
// screen when it is longer than the room left.
func TestLongWalletList(t *testing.T) {
	src := sampleSource()
	for i := range 30 {
		src.wallets = append(src.wallets, WalletInfo{Name: fmt.Sprintf("w%02d", i), ScriptType: "p2tr", Fingerprint: "00000000"})
	}
	hs := newHarness(t, src, 80, 24)
	hs.press("G")
	v := hs.plain()
	tuitest.AssertFits(t, hs.view(), 80, 24)
	if !strings.Contains(v, "> w29") || strings.Contains(v, "> spending") {
		t.Errorf("the last wallet is not selected on screen:\n%s", v)
	}
	out := hs.press("enter")
	if len(out) != 1 || out[0] != (SwitchWalletMsg{Name: "w29"}) {
		t.Errorf("enter emitted %#v", out)
	}
}

func TestErrorsAndStaleResults(t *testing.T) {
	src := sampleSource()
	src.walletsErr = errors.New("wallets folder is not readable")
	src.accountErr = errors.New("wallet.db: database not open")
	hs := newHarness(t, src, 80, 24)
	v := hs.plain()
	for _, want := range []string{
		"Could not read the account: wallet.db: database not open",
		"Could not list the wallets: wallets folder is not readable",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("%q missing:\n%s", want, v)
		}
	}
	src.walletsErr, src.accountErr = nil, nil
	hs.run(hs.m.Refresh())
	if !strings.Contains(hs.plain(), testXpub[:40]) {
		t.Fatalf("Refresh did not re-read:\n%s", hs.plain())
	}

	// Another page's read and an outdated read are ignored.
	other := New(common.NewCommon(t.Context(), 80, 24), &fakeSource{current: "other", account: Account{Xpub: "xpubOTHER"}})
	hs.m.Update(other.Init()())
	old := hs.m.Refresh()
	src.account.Fingerprint = "feedbeef"
	newer := hs.m.Refresh()
	hs.m.Update(newer())
	src.account.Fingerprint = "73c5da0a"
	hs.m.Update(old())
	if v := hs.plain(); !strings.Contains(v, "feedbeef") || strings.Contains(v, "xpubOTHER") {
		t.Errorf("a stale or foreign read was applied:\n%s", v)
	}
}

// TestKeyMapHelpAndConflicts checks that the page's bindings have help text
// and that the browsing ones do not clash with the shared ones.
func TestKeyMapHelpAndConflicts(t *testing.T) {
	shared := map[string]bool{}
	for _, g := range common.DefaultKeyMap().FullHelp() {
		for _, b := range g {
			for _, k := range b.Keys() {
				shared[k] = true
			}
		}
	}
	hs := newHarness(t, sampleSource(), 80, 24)
	km := hs.m.KeyMap
	for _, b := range []struct {
		name  string
		keys  []string
		help  string
		check bool
	}{
		{"cycle QR", km.CycleQR.Keys(), km.CycleQR.Help().Desc, true},
		{"unlock", km.Unlock.Keys(), km.Unlock.Help().Desc, true},
		{"lock", km.Lock.Keys(), km.Lock.Help().Desc, true},
		{"password", km.Password.Keys(), km.Password.Help().Desc, true},
		{"message", km.Message.Keys(), km.Message.Help().Desc, true},
		{"next input", km.NextInput.Keys(), km.NextInput.Help().Desc, false},
		{"previous input", km.PrevInput.Keys(), km.PrevInput.Help().Desc, false},
		{"mode", km.Mode.Keys(), km.Mode.Help().Desc, false},
		{"pick address", km.PickAddress.Keys(), km.PickAddress.Help().Desc, false},
		{"submit", km.Submit.Keys(), km.Submit.Help().Desc, false},
		{"cancel", km.Cancel.Keys(), km.Cancel.Help().Desc, false},
		{"next field", km.NextField.Keys(), km.NextField.Help().Desc, false},
		{"previous field", km.PrevField.Keys(), km.PrevField.Help().Desc, false},
	} {
		if b.help == "" || len(b.keys) == 0 {
			t.Errorf("%s has no keys or help", b.name)
		}
		for _, k := range b.keys {
			if b.check && shared[k] {
				t.Errorf("%s uses %q, a shared key", b.name, k)
			}
		}
	}
	n := 0
	for _, g := range hs.m.FullHelp() {
		n += len(g)
	}
	// Lock and unlock share L: one of them is listed.
	if n != 18 {
		t.Errorf("FullHelp lists %d bindings, want 18", n)
	}
}

// TestNoColor checks that colourless styles (NO_COLOR) leave no colour in
// the page; the QR code, which keeps its own colours, does not fit 80x24.
func TestNoColor(t *testing.T) {
	c := common.NewCommon(t.Context(), 80, 24)
	c.Styles = themes.NewStyles(themes.Builtin()[0], true)
	hs := &harness{t: t, m: New(c, sampleSource())}
	hs.run(hs.m.Init())
	for _, keys := range [][]string{nil, {"L"}, {"P"}} {
		hs.press(keys...)
		v := hs.view()
		tuitest.AssertFits(t, v, 80, 24)
		if colours := tuitest.Colors(v); len(colours) > 0 {
			t.Errorf("after %v the view has colour %q:\n%q", keys, colours, v)
		}
		hs.press("esc")
	}
}
