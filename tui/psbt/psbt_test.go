package psbt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	btcpsbt "github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/themes"
	"github.com/satchelbtc/satchel/tui/common"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/psbtx"
	"github.com/satchelbtc/satchel/wallet/ur"
)

var net = &chaincfg.RegressionNetParams

// signer is a fixed key and the coin of 1 BTC it can spend: the fake
// wallet's.
type signer struct {
	key    *btcec.PrivateKey
	script []byte
	prev   *wire.MsgTx
}

func newSigner(t testing.TB) *signer {
	t.Helper()
	var seed [32]byte
	seed[31] = 7
	k, _ := btcec.PrivKeyFromBytes(seed[:])
	a, err := address.NewAddressWitnessPubKeyHash(address.Hash160(k.PubKey().SerializeCompressed()), net)
	if err != nil {
		t.Fatal(err)
	}
	script, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{1}}, Sequence: 0xffffffff})
	prev.AddTxOut(wire.NewTxOut(100_000_000, script))
	return &signer{key: k, script: script, prev: prev}
}

// payScript is the recipient's script: a p2wpkh of twenty 0xab bytes.
func payScript(t testing.TB) ([]byte, string) {
	a, err := address.NewAddressWitnessPubKeyHash([]byte(strings.Repeat("\xab", 20)), net)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := txscript.PayToAddrScript(a)
	return s, a.EncodeAddress()
}

// unsigned is a PSBT spending the signer's coin: 0.3 BTC to the recipient,
// the rest less 1,410 sat back to the signer, the amount proven by the
// previous transaction.
func (s *signer) unsigned(t testing.TB) *btcpsbt.Packet {
	t.Helper()
	pay, _ := payScript(t)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: s.prev.TxHash()}, Sequence: 0xfffffffd})
	tx.AddTxOut(wire.NewTxOut(30_000_000, pay))
	tx.AddTxOut(wire.NewTxOut(100_000_000-30_000_000-1_410, s.script))
	p, err := btcpsbt.NewFromUnsignedTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	p.Inputs[0].WitnessUtxo = s.prev.TxOut[0]
	p.Inputs[0].NonWitnessUtxo = s.prev
	return p
}

// sign adds the signer's signature to input 0.
func (s *signer) sign(p *btcpsbt.Packet) error {
	prev := s.prev.TxOut[0]
	fetcher := txscript.NewCannedPrevOutputFetcher(prev.PkScript, prev.Value)
	hashes := txscript.NewTxSigHashes(p.UnsignedTx, fetcher)
	sig, err := txscript.RawTxInWitnessSignature(p.UnsignedTx, hashes, 0, prev.Value, prev.PkScript, txscript.SigHashAll, s.key)
	if err != nil {
		return err
	}
	p.Inputs[0].PartialSigs = []*btcpsbt.PartialSig{{PubKey: s.key.PubKey().SerializeCompressed(), Signature: sig}}
	return nil
}

// fakeWallet reviews with psbtx itself (the signer's script is ours, its
// change) and signs with the signer's key after the password "pw".
type fakeWallet struct {
	s         *signer
	unlocked  bool
	watchOnly bool
	signErr   error
	skip      string // a reason to leave input 0 unsigned
	passwords []string
}

func (f *fakeWallet) Review(p *btcpsbt.Packet) (*psbtx.Review, error) {
	return psbtx.ReviewPacket(p, net, func(script []byte) (bool, bool) {
		ours := string(script) == string(f.s.script)
		return ours, ours
	})
}

func (f *fakeWallet) Sign(_ context.Context, p *btcpsbt.Packet, password []byte) (*psbtx.SignResult, error) {
	f.passwords = append(f.passwords, string(password))
	if !f.unlocked && string(password) != "pw" {
		return nil, keystore.ErrWrongPassword
	}
	if f.signErr != nil {
		return nil, f.signErr
	}
	if f.skip != "" {
		return &psbtx.SignResult{Skipped: []psbtx.InputNote{{Input: 0, Reason: f.skip}}}, nil
	}
	if err := f.s.sign(p); err != nil {
		return nil, err
	}
	return &psbtx.SignResult{Signed: []int{0}}, nil
}

func (f *fakeWallet) WatchOnly() bool { return f.watchOnly }
func (f *fakeWallet) Unlocked() bool  { return f.unlocked }

// fakeBroadcaster records what it was sent.
type fakeBroadcaster struct{ sent []*wire.MsgTx }

func (b *fakeBroadcaster) Broadcast(_ context.Context, tx *wire.MsgTx) (string, error) {
	b.sent = append(b.sent, tx)
	return tx.TxHash().String(), nil
}

// run executes cmd and feeds the page's own results back, as the runtime
// would; it returns the first message meant for someone else. The QR
// code's timer is not run.
func run(t testing.TB, m *Model, cmd tea.Cmd) tea.Msg {
	t.Helper()
	var out tea.Msg
	var step func(cmd tea.Cmd, depth int)
	step = func(cmd tea.Cmd, depth int) {
		if cmd == nil {
			return
		}
		if depth > 10 {
			t.Fatal("the page keeps issuing commands")
		}
		if m.qr != nil {
			return // a tick of the animation, or the cursor's blink
		}
		switch msg := cmd().(type) {
		case resultMsg, exportedMsg, broadcastMsg, completedMsg:
			_, next := m.Update(msg)
			step(next, depth+1)
		case tea.BatchMsg:
			for _, c := range msg {
				step(c, depth+1)
			}
		case nil:
		default:
			if out == nil {
				out = msg
			}
		}
	}
	step(cmd, 0)
	return out
}

func keyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// press sends the named keys and returns the first message for the root.
func (m *Model) press(t testing.TB, names ...string) tea.Msg {
	t.Helper()
	var out tea.Msg
	for _, n := range names {
		_, cmd := m.Update(keyPress(n))
		if msg := run(t, m, cmd); msg != nil && out == nil {
			out = msg
		}
	}
	return out
}

// typeIn types s into the open field.
func (m *Model) typeIn(t testing.TB, s string) {
	t.Helper()
	for _, r := range s {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		run(t, m, cmd)
	}
}

func (m *Model) pasteText(t testing.TB, s string) {
	t.Helper()
	_, cmd := m.Update(tea.PasteMsg{Content: s})
	run(t, m, cmd)
}

func screen(m *Model) string { return ansi.Strip(m.View().Content) }

// shows checks that the screen shows each of wants, which may be wrapped.
func shows(t *testing.T, m *Model, wants ...string) {
	t.Helper()
	v := screen(m)
	flat := strings.Join(strings.Fields(v), " ")
	for _, w := range wants {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("the screen does not show %q:\n%s", w, v)
		}
	}
}

func hides(t *testing.T, m *Model, unwanted ...string) {
	t.Helper()
	v := screen(m)
	for _, w := range unwanted {
		if strings.Contains(v, w) {
			t.Errorf("the screen shows %q:\n%s", w, v)
		}
	}
}

func newPage(t testing.TB, src Source, w, h int, opts ...Option) *Model {
	t.Helper()
	c := common.NewCommon(t.Context(), w, h)
	c.Styles = themes.NewStyles(themes.Builtin()[0], true)
	opts = append([]Option{WithExportDir("/exports"), WithClock(func() time.Time { return time.Unix(1_738_000_000, 0) })}, opts...)
	m := New(c, src, opts...)
	m.SetSize(w, h)
	return m
}

// writePSBTFile writes p in dir as name and returns the path.
func writePSBTFile(t testing.TB, dir, name string, p *btcpsbt.Packet) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := writePSBT(p, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// opened is the page with the signer's unsigned PSBT opened from a file.
func opened(t testing.TB, f *fakeWallet, w, h int, opts ...Option) *Model {
	t.Helper()
	path := writePSBTFile(t, t.TempDir(), "pay.psbt", f.s.unsigned(t))
	m := newPage(t, f, w, h, opts...)
	m.press(t, "o")
	m.typeIn(t, path)
	m.press(t, "enter")
	if m.review == nil {
		t.Fatalf("the PSBT did not open:\n%s", screen(m))
	}
	return m
}

func TestViews(t *testing.T) {
	tests := []struct {
		name  string
		w, h  int
		setup func(t *testing.T) *Model
	}{
		{"empty_80x24", 80, 24, func(t *testing.T) *Model {
			return newPage(t, &fakeWallet{s: newSigner(t)}, 80, 24)
		}},
		{"review_80x24", 80, 24, func(t *testing.T) *Model {
			return opened(t, &fakeWallet{s: newSigner(t)}, 80, 24)
		}},
		{"review_120x40", 120, 40, func(t *testing.T) *Model {
			return opened(t, &fakeWallet{s: newSigner(t)}, 120, 40, WithBroadcaster(&fakeBroadcaster{}))
		}},
		{"password_80x24", 80, 24, func(t *testing.T) *Model {
			m := opened(t, &fakeWallet{s: newSigner(t)}, 80, 24)
			m.press(t, "S")
			return m
		}},
		{"signed_80x24", 80, 24, func(t *testing.T) *Model {
			m := opened(t, &fakeWallet{s: newSigner(t)}, 80, 24)
			m.press(t, "S")
			m.typeIn(t, "pw")
			m.press(t, "enter")
			return m
		}},
		{"signed_online_120x40", 120, 40, func(t *testing.T) *Model {
			m := opened(t, &fakeWallet{s: newSigner(t), unlocked: true}, 120, 40, WithBroadcaster(&fakeBroadcaster{}))
			m.press(t, "S")
			return m
		}},
		{"refused_80x24", 80, 24, func(t *testing.T) *Model {
			f := &fakeWallet{s: newSigner(t), unlocked: true, skip: "its keys belong to another wallet (fingerprint 0badc0de)"}
			m := opened(t, f, 80, 24)
			m.press(t, "S")
			return m
		}},
		{"export_80x24", 80, 24, func(t *testing.T) *Model {
			m := opened(t, &fakeWallet{s: newSigner(t)}, 80, 24)
			m.press(t, "e")
			return m
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.setup(t).View().Content
			tuitest.AssertFits(t, v, tt.w, tt.h)
			golden.RequireEqual(t, v)
		})
	}
}

// The review says what the PSBT pays: the coin it spends with its value
// and proof, the recipient and our change, the fee and rate.
func TestReviewShowsWhatItPays(t *testing.T) {
	f := &fakeWallet{s: newSigner(t)}
	m := opened(t, f, 120, 40)
	_, addr := payScript(t)
	shows(t, m, "PSBT · pay.psbt", "Spends 1 coin", "1.00000000 BTC", "previous transaction",
		addr, "0.30000000 BTC", "change", "0.69998590 BTC", "1,410 sat", "every amount proven", "0 of 1 input · not complete")
	hides(t, m, "b broadcast")
}

// Tab completes the file name in the path field; several matches are
// listed and completed to what they share.
func TestPathCompletion(t *testing.T) {
	f := &fakeWallet{s: newSigner(t)}
	dir := t.TempDir()
	writePSBTFile(t, dir, "payment-one.psbt", f.s.unsigned(t))
	writePSBTFile(t, dir, "payment-two.psbt", f.s.unsigned(t))
	if err := os.Mkdir(filepath.Join(dir, "signed"), 0o700); err != nil {
		t.Fatal(err)
	}
	m := newPage(t, f, 80, 24)
	m.press(t, "o")
	m.typeIn(t, dir+"/pay")
	m.press(t, "tab")
	if got := m.input.Value(); got != dir+"/payment-" {
		t.Fatalf("tab gave %q; want the shared prefix %s/payment-", got, dir)
	}
	shows(t, m, "payment-one.psbt", "payment-two.psbt")
	m.typeIn(t, "t")
	m.press(t, "tab")
	if got := m.input.Value(); got != dir+"/payment-two.psbt" {
		t.Fatalf("tab gave %q; want the one match", got)
	}
	m.input.SetValue(dir + "/si")
	m.press(t, "tab")
	if got := m.input.Value(); got != dir+"/signed/" {
		t.Fatalf("tab on a folder gave %q", got)
	}
	m.input.SetValue(dir + "/payment-two.psbt")
	m.press(t, "enter")
	shows(t, m, "PSBT · payment-two.psbt", "1.00000000 BTC")
}

// A file that is missing, or not a PSBT, gets one clear line and loses
// nothing.
func TestOpenErrors(t *testing.T) {
	f := &fakeWallet{s: newSigner(t)}
	dir := t.TempDir()
	m := opened(t, f, 80, 24)
	m.press(t, "o")
	m.typeIn(t, filepath.Join(dir, "nope.psbt"))
	m.press(t, "enter")
	shows(t, m, "there is no file "+filepath.Join(dir, "nope.psbt"), "PSBT · pay.psbt")
	junk := filepath.Join(dir, "junk.txt")
	os.WriteFile(junk, []byte("hello"), 0o600)
	m.press(t, "o")
	m.typeIn(t, junk)
	m.press(t, "enter")
	shows(t, m, "not a PSBT", "PSBT · pay.psbt")
}

// Pasted base64 opens at once; pasted UR parts, in any order, show their
// progress until the PSBT is whole.
func TestPaste(t *testing.T) {
	f := &fakeWallet{s: newSigner(t)}
	p := f.s.unsigned(t)
	b64, err := psbtx.EncodeBase64(p)
	if err != nil {
		t.Fatal(err)
	}
	m := newPage(t, f, 80, 24)
	m.pasteText(t, b64[:40]+"\n"+b64[40:]) // wrapped as a terminal may
	shows(t, m, "PSBT · pasted", "1.00000000 BTC")

	raw, _ := psbtx.EncodeBinary(p)
	enc, err := ur.NewEncoder(ur.NewPSBT(raw), 30)
	if err != nil {
		t.Fatal(err)
	}
	n := enc.SeqLen()
	if n < 4 {
		t.Fatalf("only %d parts; the test wants several", n)
	}
	var parts []string
	for range n {
		parts = append(parts, enc.NextPart())
	}
	m = newPage(t, f, 80, 24)
	m.press(t, "o")
	m.pasteText(t, parts[n-1])
	m.pasteText(t, parts[0])
	shows(t, m, "QR parts: 2 of")
	if m.review != nil {
		t.Fatal("the PSBT opened from two parts")
	}
	m.pasteText(t, strings.Join(parts[1:n-1], "\n"))
	shows(t, m, "PSBT · pasted", "0.30000000 BTC")

	// BBQr parts typed one by one.
	split, err := bbqr.Split(raw, bbqr.PSBT, bbqr.WithVersions(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	m = newPage(t, f, 80, 24)
	m.press(t, "o")
	for i, part := range split.Parts {
		if i > 0 && m.review != nil {
			t.Fatalf("opened after %d of %d parts", i, len(split.Parts))
		}
		m.typeIn(t, part)
		m.press(t, "enter")
	}
	shows(t, m, "PSBT · pasted", "0.30000000 BTC")
}

// Signing asks for the password, asks again after a wrong one, and shows
// the signed input; a PSBT signed already is refused with the reason.
func TestSign(t *testing.T) {
	f := &fakeWallet{s: newSigner(t)}
	m := opened(t, f, 80, 24)
	m.press(t, "S")
	shows(t, m, "Wallet password (to sign)")
	m.typeIn(t, "nope")
	m.press(t, "enter")
	shows(t, m, "Wrong password", "Wallet password (to sign)")
	if m.review.Inputs[0].Signed {
		t.Fatal("a wrong password signed")
	}
	m.typeIn(t, "pw")
	m.press(t, "enter")
	shows(t, m, "Signed 1 input.", "1 of 1 input · complete", "ours, signed")
	if got := strings.Join(f.passwords, ","); got != "nope,pw" {
		t.Errorf("passwords tried %q", got)
	}
	// Offline, a complete PSBT is exported, never broadcast; it needs
	// no more signing.
	hides(t, m, "b broadcast", "S sign")
	shows(t, m, "broadcast it from an online machine")

	f.skip = "its key path m/84h/1h/0h/0/0 is not in this wallet's account m/86h/1h/0h/*"
	m = opened(t, f, 80, 24)
	m.press(t, "S", "p", "w", "enter")
	shows(t, m, "Nothing was signed:", "Not signed: input 0: its key path m/84h/1h/0h/0/0 is not in this wallet's account", "0 of 1 input · not complete")
	f.skip = ""

	f.signErr = errors.New("the fee 5,000 sat/vB is above 1,000 sat/vB")
	f.unlocked = true // held keys: no password asked
	m = opened(t, f, 80, 24)
	m.press(t, "S")
	shows(t, m, "not signed: the fee 5,000 sat/vB is above 1,000 sat/vB", "0 of 1 input")
}

// A watch-only wallet reviews and exports but offers no signing.
func TestWatchOnly(t *testing.T) {
	f := &fakeWallet{s: newSigner(t), watchOnly: true}
	m := opened(t, f, 80, 24)
	m.press(t, "S")
	if len(f.passwords) != 0 || m.prompt != promptNone {
		t.Fatal("a watch-only wallet was asked to sign")
	}
	shows(t, m, "This wallet is watch-only")
	hides(t, m, "S sign")
}

// Export writes the signed PSBT in the export folder, says where with the
// absolute path, and never overwrites a file.
func TestExport(t *testing.T) {
	f := &fakeWallet{s: newSigner(t), unlocked: true}
	dir := t.TempDir()
	m := opened(t, f, 120, 40, WithExportDir(dir))
	m.press(t, "S", "e")
	if got := m.input.Value(); got != "pay-signed.psbt" {
		t.Errorf("the export name starts as %q", got)
	}
	shows(t, m, "Export as (in "+dir)
	m.press(t, "enter")
	want := filepath.Join(dir, "pay-signed.psbt")
	shows(t, m, "Wrote "+want)
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbtx.Parse(b)
	if err != nil || len(p.Inputs[0].PartialSigs) != 1 {
		t.Fatalf("the exported file: %v, %+v", err, p)
	}
	if fi, _ := os.Stat(want); fi.Mode().Perm() != 0o600 {
		t.Errorf("the export has mode %o", fi.Mode().Perm())
	}
	m.press(t, "e", "enter")
	shows(t, m, "exists already")

	// A name without .psbt is base64 text.
	m.press(t, "e")
	m.input.SetValue("pay.txt")
	m.press(t, "enter")
	b, _ = os.ReadFile(filepath.Join(dir, "pay.txt"))
	if !strings.HasPrefix(string(b), "cHNidP") {
		t.Errorf("pay.txt is not base64: %q", b)
	}
}

// Combining merges the signature of another copy; finalize and
// broadcast send the transaction once it is complete.
func TestCombineFinalizeBroadcast(t *testing.T) {
	f := &fakeWallet{s: newSigner(t)}
	bc := &fakeBroadcaster{}
	m := opened(t, f, 120, 40, WithBroadcaster(bc))
	signed := f.s.unsigned(t)
	f.s.sign(signed)
	other := writePSBTFile(t, t.TempDir(), "cosigner.psbt", signed)
	hides(t, m, "t finalize", "b broadcast")
	m.press(t, "m")
	shows(t, m, "Combine with")
	m.typeIn(t, other)
	m.press(t, "enter")
	shows(t, m, "Combined with cosigner.psbt.", "PSBT · pay.psbt", "1 of 1 input · complete", "t finalize", "b broadcast")
	m.press(t, "t")
	shows(t, m, "finalized, ready to broadcast", "Finalized: transaction")
	m.press(t, "b")
	if len(bc.sent) != 1 {
		t.Fatalf("%d transactions broadcast", len(bc.sent))
	}
	tx := bc.sent[0]
	if len(tx.TxIn[0].Witness) != 2 || tx.TxHash() != f.s.unsigned(t).UnsignedTx.TxHash() {
		t.Fatalf("broadcast %v", tx)
	}
	shows(t, m, "Broadcast "+tx.TxHash().String())
	hides(t, m, "b broadcast")
}

// Esc closes the PSBT, then leaves the page.
func TestClose(t *testing.T) {
	m := opened(t, &fakeWallet{s: newSigner(t)}, 80, 24)
	if msg := m.press(t, "esc"); msg != nil || m.Loaded() {
		t.Fatalf("esc with a PSBT open: %v, loaded %v", msg, m.Loaded())
	}
	if _, ok := m.press(t, "esc").(ClosedMsg); !ok {
		t.Fatal("esc on the empty page does not leave it")
	}
}

// The QR code shows the PSBT's UR parts and esc goes back.
func TestQR(t *testing.T) {
	m := opened(t, &fakeWallet{s: newSigner(t)}, 80, 24)
	m.press(t, "w")
	if m.qr == nil || !strings.HasPrefix(m.qr.Part(), "UR:PSBT/") && !strings.HasPrefix(m.qr.Part(), "UR:CRYPTO-PSBT/") {
		t.Fatalf("the QR code shows %q", m.qr.Part())
	}
	v := m.View().Content
	tuitest.AssertFits(t, v, 80, 24)
	m.press(t, "esc")
	if m.qr != nil || !m.Loaded() {
		t.Fatal("esc did not return from the QR code to the review")
	}
}

// Every screen fits small terminals without panicking.
func TestSmallTerminals(t *testing.T) {
	for _, size := range [][2]int{{20, 5}, {40, 10}, {60, 12}, {1, 1}} {
		m := opened(t, &fakeWallet{s: newSigner(t)}, size[0], size[1])
		tuitest.AssertFits(t, m.View().Content, size[0], size[1])
		m.press(t, "S")
		tuitest.AssertFits(t, m.View().Content, size[0], size[1])
	}
}
