package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/session"
	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	core "github.com/satchelbtc/satchel/wallet"
)

// BIP39 test vectors (English, from the BIP's vectors.json).
const (
	vectorAbout = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	vector12    = "legal winner thank year wave sausage worth useful legal winner thank yellow"
	vector24    = "legal winner thank year wave sausage worth useful legal winner thank year " +
		"wave sausage worth useful legal winner thank year wave sausage worth title"
)

// The BIP84 test-network account of vectorAbout (m/84h/1h/0h) and the
// BIP84 mainnet account (m/84h/0h/0h), as descriptors.
const (
	tpubAbout   = "tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M"
	xpubAbout   = "xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V"
	descRegtest = "wpkh([73c5da0a/84h/1h/0h]" + tpubAbout + "/<0;1>/*)"
	descMainnet = "wpkh([73c5da0a/84h/0h/0h]" + xpubAbout + "/<0;1>/*)"
)

// createCall records one call of Create.
type createCall struct {
	mnemonic, passphrase string
	st                   core.ScriptType
	password             string
	restored             bool
	birthday             string
	types                int
}

// importCall records one call of Import.
type importCall struct {
	descriptors []string
	xpub        string
	birthday    string
}

// fakeSource writes nothing; it records what it was asked.
type fakeSource struct {
	mnemonic  string // returned by NewMnemonic
	asked     []int  // word counts asked for
	createErr error
	importErr error
	creates   []createCall
	requests  []CreateRequest
	imports   []importCall
	chain     ChainInfo
	// discover answers Discover; nil finds nothing.
	discover  func(ctx context.Context, progress func(session.DiscoverProgress)) ([]core.ScriptUse, error)
	discovers []core.Birthday
}

func (f *fakeSource) NewMnemonic(words int) (string, error) {
	f.asked = append(f.asked, words)
	if f.mnemonic == "" {
		return "", errors.New("no randomness")
	}
	return f.mnemonic, nil
}

func (f *fakeSource) Create(_ context.Context, req CreateRequest) error {
	f.creates = append(f.creates, createCall{req.Mnemonic, req.Passphrase, req.Types[0], string(req.Password),
		req.Restored, req.Birthday.String(), len(req.Types)})
	req.Password = append([]byte(nil), req.Password...)
	f.requests = append(f.requests, req)
	return f.createErr
}

func (f *fakeSource) Import(_ context.Context, descriptors []string, xpub string, birthday core.Birthday) error {
	f.imports = append(f.imports, importCall{descriptors, xpub, birthday.String()})
	return f.importErr
}

func (f *fakeSource) WalletNames(types []core.ScriptType) []string {
	out := []string{}
	for i, t := range types {
		if i == 0 {
			out = append(out, "default")
		} else {
			out = append(out, "default-"+t.String())
		}
	}
	return out
}

func (f *fakeSource) Chain() ChainInfo { return f.chain }

// DateHeight maps dates to heights as a chain with one block a day since
// 2024-01-01 at height 800,000 would, up to the tip.
func (f *fakeSource) DateHeight(date time.Time) (int32, bool, error) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	h := int32(800_000 + date.Add(-core.BirthdayMargin).Sub(start)/(24*time.Hour))
	return h, h <= f.chain.Height, nil
}

func (f *fakeSource) Discover(ctx context.Context, _, _ string, birthday core.Birthday,
	progress func(session.DiscoverProgress)) ([]core.ScriptUse, error) {
	f.discovers = append(f.discovers, birthday)
	if f.discover == nil {
		return usesOf(), nil
	}
	return f.discover(ctx, progress)
}

// run executes cmd as the runtime would, feeding the wizard's own results
// back; it returns the messages meant for someone else (DoneMsg). Spinner
// ticks are dropped: the next one would only sleep.
func run(t testing.TB, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for i := 0; len(queue) > 0; i++ {
		if i > 50 {
			t.Fatal("wizard keeps issuing commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case mnemonicMsg, resultMsg, chainMsg, discoverMsg, dateMsg:
			_, next := m.Update(msg)
			queue = append(queue, next)
		case spinner.TickMsg, nil:
		default:
			out = append(out, msg)
		}
	}
	return out
}

// send delivers msg and runs what it starts.
func send(t testing.TB, m *Model, msg tea.Msg) []tea.Msg {
	t.Helper()
	_, cmd := m.Update(msg)
	return run(t, m, cmd)
}

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case " ", "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// press sends named keys in order.
func press(t testing.TB, m *Model, keys ...string) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for _, k := range keys {
		out = append(out, send(t, m, keyMsg(k))...)
	}
	return out
}

// typeText types s one key at a time; a space is the space key.
func typeText(t testing.TB, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		send(t, m, keyMsg(string(r)))
	}
}

func newWizard(t testing.TB, src Source, w, h int, opts ...Option) *Model {
	t.Helper()
	opts = append([]Option{WithClock(func() time.Time { return testNow })}, opts...)
	m := New(common.NewCommon(t.Context(), w, h), src, &chaincfg.RegressionNetParams, opts...)
	run(t, m, m.Init())
	return m
}

// screen is what the user sees, without styles.
func screen(m *Model) string { return ansi.Strip(m.View().Content) }

// flat joins the words of s by single spaces, so that a text wrapped over
// lines is found.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func wantScreen(t *testing.T, m *Model, wants ...string) {
	t.Helper()
	s := screen(m)
	for _, w := range wants {
		if !strings.Contains(flat(s), flat(w)) {
			t.Errorf("screen does not show %q:\n%s", w, s)
		}
	}
}

func dontWantScreen(t *testing.T, m *Model, nots ...string) {
	t.Helper()
	s := screen(m)
	for _, w := range nots {
		if strings.Contains(s, w) {
			t.Errorf("screen shows %q:\n%s", w, s)
		}
	}
}

// testNow is "now" for the wizard's birthday checks.
var testNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// restoreSteps leads from the first screen to the restore words.
var restoreSteps = []string{"j", "enter"}

// toPassword leads from the passphrase step of a restore to the password:
// no passphrase, no birthday, the default script type.
var toPassword = []string{"enter", "enter", "enter"}

// typeAbout types the "abandon … about" vector key by key, completing
// some words with tab and ending others with space or enter.
func typeAbout(t testing.TB, m *Model) {
	t.Helper()
	for i := range 11 {
		switch i % 3 {
		case 0:
			typeText(t, m, "abandon ")
		case 1:
			typeText(t, m, "aban")
			press(t, m, "tab", "space")
		case 2:
			typeText(t, m, "aband")
			press(t, m, "tab", "enter")
		}
	}
	typeText(t, m, "abou")
	press(t, m, "tab", "enter")
}

func TestRestoreFlow(t *testing.T) {
	src := &fakeSource{}
	m := newWizard(t, src, 80, 24)
	if m.Capturing() {
		t.Fatal("the choice screen captures keys; q and digits would not reach the root")
	}
	press(t, m, restoreSteps...)
	if !m.Capturing() {
		t.Fatal("the word field does not capture keys")
	}
	wantScreen(t, m, "Restore · recovery words", "Word 1")

	typeText(t, m, "abo")
	wantScreen(t, m, "Matches: about above")
	press(t, m, "ctrl+u")

	typeAbout(t, m)
	wantScreen(t, m, "12 words: checksum ok ✓", " 1. abandon", "12. about")

	press(t, m, "enter") // the empty field: go on
	wantScreen(t, m, "passphrase (optional)", "Passphrase")
	press(t, m, "enter") // no passphrase
	wantScreen(t, m, "wallet birthday (optional)")
	press(t, m, "enter") // no birthday
	wantScreen(t, m, "Restore · script type", "Find the types I used", "> Native SegWit p2wpkh (BIP84)")
	press(t, m, "enter") // the default
	wantScreen(t, m, "wallet password", "Repeat password")

	typeText(t, m, "secret1")
	press(t, m, "enter")
	typeText(t, m, "secret2")
	press(t, m, "enter")
	wantScreen(t, m, "The passwords do not match")
	dontWantScreen(t, m, "secret1", "secret2")
	if len(src.creates) != 0 {
		t.Fatal("Create was called although the passwords differ")
	}

	typeText(t, m, "correct horse")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	_, cmd := m.Update(keyMsg("enter"))
	wantScreen(t, m, "Encrypting the wallet…")
	if len(src.creates) != 0 {
		t.Fatal("Create ran in Update instead of a command")
	}
	out := run(t, m, cmd)

	want := createCall{mnemonic: vectorAbout, st: core.P2WPKH, password: "correct horse", restored: true, types: 1}
	if len(src.creates) != 1 || src.creates[0] != want {
		t.Fatalf("Create calls = %+v, want one %+v", src.creates, want)
	}
	if !slices.Contains(out, tea.Msg(DoneMsg{WatchOnly: false})) {
		t.Fatalf("no DoneMsg after the wallet was written; got %#v", out)
	}
	if m.Capturing() {
		t.Error("the done screen still captures keys")
	}
}

func TestRestoreFlagsUnknownWord(t *testing.T) {
	m := newWizard(t, &fakeSource{}, 80, 24)
	press(t, m, restoreSteps...)
	typeText(t, m, "abandon ")
	typeText(t, m, "aband")
	dontWantScreen(t, m, "not in the BIP39")
	typeText(t, m, "n")
	wantScreen(t, m, `Word 2 "abandn" is not in the BIP39 English word list (did you mean "abandon"?)`)

	press(t, m, "space")
	if len(m.words) != 1 {
		t.Fatalf("the unknown word was taken: words = %v", m.words)
	}
	press(t, m, "backspace")
	typeText(t, m, "on ")
	dontWantScreen(t, m, "not in the BIP39")
	wantScreen(t, m, " 2. abandon", "Word 3")
}

func TestRestoreChecksum(t *testing.T) {
	m := newWizard(t, &fakeSource{}, 80, 24)
	press(t, m, restoreSteps...)
	typeText(t, m, strings.Repeat("abandon ", 11))
	wantScreen(t, m, "11 words so far; a phrase has 12, 15, 18, 21 or 24 words.")
	typeText(t, m, "abandon ") // the right last word is "about"
	wantScreen(t, m, "checksum does not match — a word is wrong")
	press(t, m, "enter")
	wantScreen(t, m, "The checksum does not match")
	if m.step != stepWords {
		t.Fatal("a phrase with a bad checksum went on to the passphrase")
	}

	// Backspace on the empty field takes the last word back to fix it.
	press(t, m, "backspace")
	if len(m.words) != 11 || m.entry.Value() != "abandon" {
		t.Fatalf("backspace on the empty field: words = %d, field = %q", len(m.words), m.entry.Value())
	}
	press(t, m, "ctrl+u")
	typeText(t, m, "about ")
	wantScreen(t, m, "12 words: checksum ok ✓")
}

func TestRestorePaste(t *testing.T) {
	src := &fakeSource{}
	m := newWizard(t, src, 80, 24)
	press(t, m, restoreSteps...)
	phrase := strings.Replace(vectorAbout, "abandon abandon", "abandon abandn", 1)
	send(t, m, tea.PasteMsg{Content: "  " + strings.ReplaceAll(phrase, " ", "\n") + "\n"})
	wantScreen(t, m, ` 1. abandon`, `Word 2 "abandn" is not in the BIP39 English word list`,
		"10 more pasted words wait until this one is fixed.")

	press(t, m, "backspace", "tab", "space") // fix the word: the rest follows
	wantScreen(t, m, "12 words: checksum ok ✓")
	press(t, m, "enter")
	if m.step != stepPassphrase {
		t.Fatalf("a valid pasted phrase did not lead to the passphrase")
	}
	typeText(t, m, "TREZOR")
	press(t, m, toPassword...)
	typeText(t, m, "correct horse")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	out := press(t, m, "enter")
	if len(src.creates) != 1 || src.creates[0].mnemonic != vectorAbout || src.creates[0].passphrase != "TREZOR" {
		t.Fatalf("Create calls = %+v", src.creates)
	}
	if len(out) != 1 || out[0] != (DoneMsg{}) {
		t.Fatalf("emitted %#v, want DoneMsg", out)
	}
}

func TestCreateFlow(t *testing.T) {
	src := &fakeSource{mnemonic: vector12}
	m := newWizard(t, src, 80, 24, WithChallenge(func(n int) [3]int {
		if n != 12 {
			t.Errorf("challenge asked for %d words, want 12", n)
		}
		return [3]int{3, 7, 12}
	}))
	press(t, m, "enter")      // create
	press(t, m, "j", "enter") // Taproot
	wantScreen(t, m, "12 words", "24 words")
	press(t, m, "enter") // 12 words
	if !slices.Equal(src.asked, []int{12}) {
		t.Fatalf("NewMnemonic asked for %v, want [12]", src.asked)
	}
	words := strings.Fields(vector12)
	for i, w := range words {
		wantScreen(t, m, fmt.Sprintf("%2d. %s", i+1, w))
	}
	wantScreen(t, m, "Write these 12 words down on paper, in order.")

	press(t, m, "enter")
	wantScreen(t, m, "Word 3", "Word 7", "Word 12")
	if !m.Capturing() {
		t.Fatal("the readback fields do not capture keys")
	}

	typeText(t, m, "legal") // word 3 is "thank"
	press(t, m, "enter")
	wantScreen(t, m, "Word 3 is wrong")
	press(t, m, "ctrl+u")
	typeText(t, m, "tha")
	press(t, m, "tab", "enter")
	dontWantScreen(t, m, "is wrong")

	// esc shows the words again; the check starts over.
	press(t, m, "esc")
	wantScreen(t, m, " 1. legal", "12. yellow")
	press(t, m, "enter")
	for _, w := range []string{"thank", "worth", "yellow"} {
		typeText(t, m, w)
		press(t, m, "enter")
	}
	if m.step != stepPassphrase {
		t.Fatalf("three right words did not lead to the passphrase:\n%s", screen(m))
	}
	wantScreen(t, m, "Repeat passphrase")

	// A passphrase typed twice differently is refused.
	typeText(t, m, "one")
	press(t, m, "enter")
	typeText(t, m, "two")
	press(t, m, "enter")
	wantScreen(t, m, "The passphrases do not match")
	press(t, m, "enter") // none after all
	typeText(t, m, "correct horse")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	out := press(t, m, "enter")

	want := createCall{mnemonic: vector12, st: core.P2TR, password: "correct horse", restored: false, types: 1}
	if len(src.creates) != 1 || src.creates[0] != want {
		t.Fatalf("Create calls = %+v, want %+v", src.creates, want)
	}
	if len(out) != 1 || out[0] != (DoneMsg{}) {
		t.Fatalf("emitted %#v, want DoneMsg", out)
	}
}

func TestCreateKeepsWordsWhenGoingBack(t *testing.T) {
	src := &fakeSource{mnemonic: vector12}
	m := newWizard(t, src, 80, 24)
	press(t, m, "enter", "enter", "enter")
	press(t, m, "esc")   // back to the number of words
	press(t, m, "enter") // same number: same words
	if len(src.asked) != 1 {
		t.Fatalf("NewMnemonic called %d times, want once", len(src.asked))
	}
	wantScreen(t, m, " 1. legal")
}

func TestCreateDropsStaleWords(t *testing.T) {
	src := &fakeSource{mnemonic: vector12}
	m := newWizard(t, src, 80, 24)
	press(t, m, "enter", "enter")
	_, cmd := m.Update(keyMsg("enter"))
	press(t, m, "esc") // back before the words arrive
	run(t, m, cmd)
	if m.step != stepScript || m.mnemonic != nil {
		t.Fatalf("words that arrived after esc were used: step %d, words %v", m.step, m.mnemonic)
	}
}

func TestCreateError(t *testing.T) {
	src := &fakeSource{mnemonic: vector12, createErr: errors.New("the disk is full")}
	m := newWizard(t, src, 80, 24, WithChallenge(func(int) [3]int { return [3]int{1, 2, 3} }))
	press(t, m, "enter", "enter", "enter", "enter")
	for _, w := range []string{"legal", "winner", "thank"} {
		typeText(t, m, w)
		press(t, m, "enter")
	}
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	if out := press(t, m, "enter"); len(out) != 0 {
		t.Fatalf("emitted %#v after a failed Create", out)
	}
	wantScreen(t, m, "wallet password", "Could not write the wallet: the disk is full")
	// Everything but the password is kept: a retry writes the same words.
	typeText(t, m, "correct horse")
	press(t, m, "enter")
	typeText(t, m, "correct horse")
	src.createErr = nil
	press(t, m, "enter")
	if len(src.creates) != 2 || src.creates[1].mnemonic != vector12 {
		t.Fatalf("retry Create calls = %+v", src.creates)
	}
}

func TestImport(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr string
		want    importCall
		summary string
	}{
		{name: "invalid", input: "wpkh(nonsense/<0;1>/*)", wantErr: "not an extended public key"},
		{name: "bad checksum", input: descRegtest + "#aaaaaaaa", wantErr: "checksum"},
		{name: "mainnet key on regtest", input: descMainnet, wantErr: "This is a mainnet key (xpub) but the network is regtest"},
		{name: "mainnet xpub on regtest", input: xpubAbout, wantErr: "This is a mainnet key (xpub) but the network is regtest"},
		{name: "private key", input: "tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK", wantErr: "private key"},
		{
			name: "multipath descriptor", input: descRegtest,
			want:    importCall{descriptors: []string{descRegtest}},
			summary: "✓ Native SegWit p2wpkh (BIP84) descriptor for receive and change addresses",
		},
		{
			name: "tpub", input: tpubAbout,
			want:    importCall{xpub: tpubAbout},
			summary: "✓ Extended public key, watched as Native SegWit p2wpkh (BIP84)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{}
			m := newWizard(t, src, 120, 40)
			press(t, m, "j", "j", "enter")
			if !m.Capturing() {
				t.Fatal("the import field does not capture keys")
			}
			typeText(t, m, tt.input)
			out := press(t, m, "enter")
			if tt.wantErr == "" {
				wantScreen(t, m, "Watch-only · wallet birthday (optional)")
				out = append(out, press(t, m, "enter")...)
			}
			if tt.wantErr != "" {
				wantScreen(t, m, tt.wantErr)
				if len(src.imports) != 0 || len(out) != 0 {
					t.Fatalf("invalid input was imported: %+v, %#v", src.imports, out)
				}
				return
			}
			if len(src.imports) != 1 || !slices.Equal(src.imports[0].descriptors, tt.want.descriptors) ||
				src.imports[0].xpub != tt.want.xpub || src.imports[0].birthday != "" {
				t.Fatalf("Import calls = %+v, want %+v", src.imports, tt.want)
			}
			if len(out) != 1 || out[0] != (DoneMsg{WatchOnly: true}) {
				t.Fatalf("emitted %#v, want DoneMsg{WatchOnly: true}", out)
			}
		})
	}
}

func TestImportLiveCheck(t *testing.T) {
	m := newWizard(t, &fakeSource{}, 120, 40)
	press(t, m, "j", "j", "enter")
	send(t, m, tea.PasteMsg{Content: descRegtest})
	wantScreen(t, m, "✓ Native SegWit p2wpkh (BIP84) descriptor for receive and change addresses")
	press(t, m, "backspace")
	wantScreen(t, m, "Expected ')' to close the descriptor") // cut short
	dontWantScreen(t, m, "✓")
}

func TestImportReceiveAndChange(t *testing.T) {
	recv := "wpkh([73c5da0a/84h/1h/0h]" + tpubAbout + "/0/*)"
	change := "wpkh([73c5da0a/84h/1h/0h]" + tpubAbout + "/1/*)"
	src := &fakeSource{importErr: errors.New("wallet default already exists")}
	m := newWizard(t, src, 120, 40)
	press(t, m, "j", "j", "enter")
	send(t, m, tea.PasteMsg{Content: recv})
	wantScreen(t, m, "descriptor for receive addresses", "Change descriptor (optional, …/1/*)")
	press(t, m, "enter")
	typeText(t, m, "pkh("+tpubAbout+"/1/*)")
	press(t, m, "enter")
	wantScreen(t, m, "The change descriptor is p2pkh but the receive one is p2wpkh")
	press(t, m, "ctrl+u")
	send(t, m, tea.PasteMsg{Content: change})
	press(t, m, "enter")
	typeText(t, m, "105")
	press(t, m, "enter")
	if len(src.imports) != 1 || src.imports[0].birthday != "105" || !slices.Equal(src.imports[0].descriptors, []string{recv, change}) {
		t.Fatalf("Import calls = %+v", src.imports)
	}
	wantScreen(t, m, "Could not import the wallet: wallet default already exists")
	if m.step != stepImport {
		t.Fatalf("after a failed import the step is %d, want the import step", m.step)
	}
}

func TestBack(t *testing.T) {
	m := newWizard(t, &fakeSource{mnemonic: vector12}, 80, 24)
	press(t, m, "esc")
	if m.step != stepChoose {
		t.Fatal("esc on the first screen did something")
	}
	steps := []struct {
		keys []string
		want step
	}{
		{[]string{"enter"}, stepScript},
		{[]string{"esc"}, stepChoose},
		{[]string{"enter", "enter", "enter"}, stepShow},
		{[]string{"esc"}, stepCount},
		{[]string{"esc", "esc", "j", "enter"}, stepWords},
		{[]string{"esc"}, stepChoose},
		{[]string{"j", "enter"}, stepImport},
		{[]string{"esc"}, stepChoose},
		{[]string{"j", "enter"}, stepImport},
		{[]string{"esc"}, stepChoose},
	}
	for _, s := range steps {
		press(t, m, s.keys...)
		if m.step != s.want {
			t.Fatalf("after %v the step is %d, want %d", s.keys, m.step, s.want)
		}
	}
	if m.cursor != int(actMultisig) {
		t.Errorf("back on the first screen the cursor is on %d, want the multisig entry", m.cursor)
	}
}

// TestHelp checks that every key the wizard reacts to is in the help
// overlay and that the footer names the keys of the step shown.
func TestHelp(t *testing.T) {
	m := newWizard(t, &fakeSource{}, 80, 24)
	var all []string
	for _, g := range m.FullHelp() {
		for _, b := range g {
			all = append(all, b.Help().Key)
		}
	}
	for _, k := range []string{"↑/k", "↓/j", "enter", "esc", "tab", "space", "backspace"} {
		if !slices.Contains(all, k) {
			t.Errorf("help overlay lacks %q: %v", k, all)
		}
	}
	press(t, m, restoreSteps...)
	lines := strings.Split(screen(m), "\n")
	footer := lines[len(lines)-1]
	for _, want := range []string{"tab complete", "space next word", "backspace edit last", "enter continue", "esc back"} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer %q lacks %q", footer, want)
		}
	}
}

// TestNoColor checks that the selection and the cursor show without
// colour.
func TestNoColor(t *testing.T) {
	c := common.NewCommon(t.Context(), 80, 24)
	c.Styles = themes.NewStyles(themes.Builtin()[0], true)
	m := New(c, &fakeSource{}, &chaincfg.RegressionNetParams)
	press(t, m, "j")
	wantScreen(t, m, "> Restore from recovery words", "  Create a new wallet")
	for _, keys := range [][]string{nil, {"enter", "j", "enter", "enter"}} {
		press(t, m, keys...)
		if colours := tuitest.Colors(m.View().Content); len(colours) > 0 {
			t.Errorf("after %v the view has colour %q", keys, colours)
		}
	}
}

func TestViews(t *testing.T) {
	keys := func(ks ...string) func(*testing.T, *Model) {
		return func(t *testing.T, m *Model) { press(t, m, ks...) }
	}
	restoreWith := func(paste string, after ...string) func(*testing.T, *Model) {
		return func(t *testing.T, m *Model) {
			press(t, m, restoreSteps...)
			send(t, m, tea.PasteMsg{Content: paste})
			press(t, m, after...)
		}
	}
	tests := []struct {
		name  string
		setup func(*testing.T, *Model)
	}{
		{"choice", keys()},
		{"script", keys("enter", "j")},
		{"words_24", keys("enter", "enter", "j", "enter")},
		{"verify", func(t *testing.T, m *Model) {
			press(t, m, "enter", "enter", "j", "enter", "enter")
			typeText(t, m, "th")
		}},
		{"restore_entry", restoreWith(strings.Repeat("abandon ", 11) + "abo")},
		{"restore_ok", restoreWith(vectorAbout + " ")},
		{"passphrase", restoreWith(vectorAbout+" ", "enter")},
		{"password", func(t *testing.T, m *Model) {
			press(t, m, "enter", "enter", "j", "enter", "enter")
			for _, w := range []string{"thank", "useful", "wave"} {
				typeText(t, m, w)
				press(t, m, "enter")
			}
			press(t, m, "enter")
			typeText(t, m, "secret")
			press(t, m, "enter")
			typeText(t, m, "secrex")
			press(t, m, "enter")
			typeText(t, m, "foo")
		}},
		{"import", func(t *testing.T, m *Model) {
			press(t, m, "j", "j", "enter")
			send(t, m, tea.PasteMsg{Content: descRegtest})
		}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s_%dx%d", tt.name, size[0], size[1]), func(t *testing.T) {
				// vector24's words 3, 11 and 20 are thank, thank and year.
				m := newWizard(t, &fakeSource{mnemonic: vector24}, size[0], size[1],
					WithChallenge(func(int) [3]int { return [3]int{3, 8, 13} }))
				tt.setup(t, m)
				v := m.View().Content
				tuitest.AssertFits(t, v, size[0], size[1])
				golden.RequireEqual(t, v)
			})
		}
	}
}

// TestSmallTerminal checks that every step keeps to a small size.
func TestSmallTerminal(t *testing.T) {
	m := newWizard(t, &fakeSource{mnemonic: vector24}, 40, 10)
	for _, k := range []string{"enter", "enter", "j", "enter", "enter"} {
		press(t, m, k)
		tuitest.AssertFits(t, m.View().Content, 40, 10)
	}
	// The field being typed in stays on screen.
	m = newWizard(t, &fakeSource{}, 40, 10)
	press(t, m, restoreSteps...)
	send(t, m, tea.PasteMsg{Content: vectorAbout})
	wantScreen(t, m, "Word 13", "checksum ok ✓")
	tuitest.AssertFits(t, m.View().Content, 40, 10)
	m.SetSize(20, 3)
	tuitest.AssertFits(t, m.View().Content, 20, 3)
	m.SetSize(0, 0)
	if m.View().Content != "" {
		t.Error("a zero-size wizard draws something")
	}
}
