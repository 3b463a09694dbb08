package app

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	btcpsbt "github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/tui/internal/tuitest"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// psbtSigner is the PSBT page's fake wallet: one key, a coin of 1 BTC it
// spends, a review by psbtx itself and real signatures after the password
// "pw". It is safe for the runtime's goroutines.
type psbtSigner struct {
	key    *btcec.PrivateKey
	script []byte
	prev   *wire.MsgTx

	lastFile string // the last PSBT file written

	mu   sync.Mutex
	sent []*wire.MsgTx
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newPSBTSigner(t *testing.T) *psbtSigner {
	t.Helper()
	var seed [32]byte
	seed[31] = 9
	k, _ := btcec.PrivKeyFromBytes(seed[:])
	a, err := address.NewAddressWitnessPubKeyHash(address.Hash160(k.PubKey().SerializeCompressed()), net)
	if err != nil {
		t.Fatal(err)
	}
	script, _ := txscript.PayToAddrScript(a)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{2}}})
	prev.AddTxOut(wire.NewTxOut(100_000_000, script))
	return &psbtSigner{key: k, script: script, prev: prev}
}

// file writes an unsigned PSBT paying 0.25 BTC away in dir.
func (s *psbtSigner) file(t *testing.T, dir string) string {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: s.prev.TxHash()}, Sequence: 0xfffffffd})
	tx.AddTxOut(wire.NewTxOut(25_000_000, newChain(0).ourScript))
	tx.AddTxOut(wire.NewTxOut(100_000_000-25_000_000-2_000, s.script))
	p, err := btcpsbt.NewFromUnsignedTx(tx)
	if err != nil {
		t.Fatal(err)
	}
	p.Inputs[0].WitnessUtxo, p.Inputs[0].NonWitnessUtxo = s.prev.TxOut[0], s.prev
	raw, err := psbtx.EncodeBinary(p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "unsigned.psbt")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s.lastFile = path
	return path
}

func (s *psbtSigner) Review(p *btcpsbt.Packet) (*psbtx.Review, error) {
	return psbtx.ReviewPacket(p, net, func(script []byte) (bool, bool) {
		ours := string(script) == string(s.script)
		return ours, ours
	})
}

func (s *psbtSigner) Sign(_ context.Context, p *btcpsbt.Packet, password []byte) (*psbtx.SignResult, error) {
	if string(password) != "pw" {
		return nil, keystore.ErrWrongPassword
	}
	prev := s.prev.TxOut[0]
	hashes := txscript.NewTxSigHashes(p.UnsignedTx, txscript.NewCannedPrevOutputFetcher(prev.PkScript, prev.Value))
	sig, err := txscript.RawTxInWitnessSignature(p.UnsignedTx, hashes, 0, prev.Value, prev.PkScript, txscript.SigHashAll, s.key)
	if err != nil {
		return nil, err
	}
	p.Inputs[0].PartialSigs = []*btcpsbt.PartialSig{{PubKey: s.key.PubKey().SerializeCompressed(), Signature: sig}}
	return &psbtx.SignResult{Signed: []int{0}}, nil
}

func (s *psbtSigner) WatchOnly() bool { return false }
func (s *psbtSigner) Unlocked() bool  { return false }

func (s *psbtSigner) Broadcast(_ context.Context, tx *wire.MsgTx) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, tx)
	return tx.TxHash().String(), nil
}

// The offline signer: the app opens on the PSBT page with "offline" in
// the status bar and nothing on the Explorer and Node tabs; a PSBT file
// is opened, reviewed, signed with the password and exported to the
// export folder, whose absolute path the page shows.
func TestFlowOfflineSigner(t *testing.T) {
	for _, size := range flowSizes {
		t.Run(strings.Join([]string{itoa(size[0]), itoa(size[1])}, "x"), func(t *testing.T) {
			fs := newFlowSources(net)
			signer := newPSBTSigner(t)
			exports := t.TempDir()
			src := fs.src
			src.Headers, src.Blocks, src.Node, src.Search = nil, nil, nil, nil
			src.Offline, src.PSBT, src.Broadcast = true, signer, signer
			src.Settings = &SettingsSource{Saver: &fakeSaver{}}
			src.Settings.Current.ExportDir = exports
			f := startFlowWaiting(t, src, size[0], size[1], "offline signer", "regtest · offline · locked")
			scr := f.screen()
			tuitest.AssertFits(t, scr, size[0], size[1])
			if strings.Contains(scr, "tip ") || strings.Contains(scr, "peers") {
				t.Errorf("the offline status bar speaks of a node:\n%s", scr)
			}
			f.press("2")
			f.waitFor("no network code runs")
			f.press("3")
			f.waitFor("no network code runs")
			f.press("1")

			path := signer.file(t, t.TempDir())
			f.press("o")
			f.typeText(path)
			f.press("enter")
			f.waitFor("PSBT · unsigned.psbt", "1.00000000 BTC", "previous transaction", "0.25000000 BTC", "change", "2,000 sat")
			f.press("S")
			f.waitFor("Wallet password (to sign)")
			f.typeText("pw")
			f.press("enter")
			f.waitFor("Signed 1 input.", "1 of 1 input · complete", "broadcast it from an online machine")
			if s := f.screen(); strings.Contains(s, "b broadcast") {
				t.Errorf("the offline signer offers to broadcast:\n%s", s)
			}
			f.press("e")
			f.waitFor("Export as (in " + exports)
			f.press("enter")
			want := filepath.Join(exports, "unsigned-signed.psbt")
			f.waitFor("Wrote " + want)
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			p, err := psbtx.Parse(b)
			if err != nil || len(p.Inputs[0].PartialSigs) != 1 {
				t.Fatalf("the export: %v", err)
			}
			// Esc closes the PSBT, then shows the wallet under the page.
			f.press("esc", "esc")
			f.waitFor("50.00000000")
		})
	}
}

// Online, o on the overview opens the PSBT page: load → sign → broadcast.
func TestFlowPSBTBroadcast(t *testing.T) {
	fs := newFlowSources(net)
	signer := newPSBTSigner(t)
	src := fs.src
	src.PSBT, src.Broadcast = signer, signer
	f := startFlow(t, src, 80, 24)
	f.press("o")
	f.waitFor("Open a PSBT to see exactly what it pays")
	f.press("o")
	f.typeText(signer.file(t, t.TempDir()))
	f.press("enter")
	f.waitFor("PSBT · unsigned.psbt", "online")
	f.press("S")
	f.typeText("pw")
	f.press("enter")
	f.waitFor("1 of 1 input · complete", "b broadcast")
	f.press("b")
	// The txid the page shows is the transaction the broadcaster got.
	p, err := psbtx.Parse(mustRead(t, signer.lastFile))
	if err != nil {
		t.Fatal(err)
	}
	txid := p.UnsignedTx.TxHash().String()
	f.waitFor("Broadcast " + txid)
	signer.mu.Lock()
	defer signer.mu.Unlock()
	if len(signer.sent) != 1 || signer.sent[0].TxHash().String() != txid {
		t.Fatalf("broadcast %d transactions", len(signer.sent))
	}
	if w := signer.sent[0].TxIn[0].Witness; len(w) != 2 {
		t.Errorf("the broadcast transaction has witness %x", w)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
