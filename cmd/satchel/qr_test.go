package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/tui/animqr"
	"github.com/satchelbtc/satchel/wallet/bbqr"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// shuffledWithDuplicates returns the lines of out shuffled, with some
// repeated, as a scanner that sees an animated code delivers them.
func shuffledWithDuplicates(out string, seed uint64) string {
	lines := strings.Fields(out)
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for range len(lines)/2 + 1 {
		lines = append(lines, lines[rng.IntN(len(lines))])
	}
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	return strings.Join(lines, "\n") + "\n"
}

// The air-gapped payment by QR: the coordinator imports the signer's
// account from its ur:crypto-account, builds a PSBT and sends it as UR
// parts; the offline signer reads them in any order, signs, and answers in
// BBQr; the coordinator reads those, finalizes and broadcasts to btcd.
func TestAirGappedQRFlow(t *testing.T) {
	signer := newCLI(t)
	signer.env["SATCHEL_PASSWORD"] = "cold"
	signer.env["SATCHEL_NETWORK"] = "regtest"
	signer.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	account := strings.TrimSpace(signer.ok("--offline", "wallet", "export", "--ur"))
	if !strings.HasPrefix(account, "ur:crypto-account/") {
		t.Fatalf("wallet export --ur: %q", account)
	}
	var info walletInfo
	signer.jsonOut(&info, "--offline", "wallet", "info")

	online := newCLI(t)
	online.env["SATCHEL_NETWORK"] = "regtest"
	online.ok("wallet", "import", "--ur", account, "--birthday", "1")
	var watch walletInfo
	online.jsonOut(&watch, "wallet", "info")
	if watch.Descriptors.Receive != info.Descriptors.Receive || watch.Fingerprint != info.Fingerprint || !watch.WatchOnly {
		t.Fatalf("imported %+v\nwant %+v", watch, info)
	}

	btcd := regtest.Start(t, regtest.WithMiningAddress(walletAddr(t, online, 0)))
	btcd.Generate(101)
	online.env["SATCHEL_CONNECT"] = btcd.P2PAddr()
	online.ok("sync")
	dir := t.TempDir()
	unsigned := filepath.Join(dir, "pay.psbt")
	destAddr := scriptAddress(t, regtest.KeyScript(mustNewKey(t).PubKey()))
	online.ok("send", "--to", destAddr, "--amount", "1btc", "--fee-rate", "3", "--psbt-out", unsigned)

	// Coordinator -> signer, as UR parts shuffled and repeated.
	urParts := online.ok("psbt", "export", unsigned, "--ur", "--fragment", "60")
	if n := len(strings.Fields(urParts)); n < 3 {
		t.Fatalf("a PSBT in 60-byte fragments is only %d parts", n)
	}
	for _, p := range strings.Fields(urParts) {
		if !strings.HasPrefix(p, "ur:crypto-psbt/") {
			t.Fatalf("part %q", p)
		}
	}
	signer.stdin = shuffledWithDuplicates(urParts, 1)
	received := filepath.Join(dir, "received.psbt")
	r := signer.run("--offline", "psbt", "import", "-", "--out", received)
	if r.err != nil {
		t.Fatalf("psbt import: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, "parts") {
		t.Errorf("no progress on stderr: %q", r.stderr)
	}
	want, _ := os.ReadFile(unsigned)
	got, _ := os.ReadFile(received)
	if string(got) != string(want) {
		t.Fatal("the PSBT read from the UR parts differs from the one exported")
	}
	signed := filepath.Join(dir, "signed.psbt")
	signer.stdin = ""
	signer.ok("--offline", "psbt", "sign", received, "--out", signed)

	// Signer -> coordinator, as BBQr parts.
	bbqrParts := signer.ok("--offline", "psbt", "export", signed, "--bbqr", "--fragment", "100")
	if n := len(strings.Fields(bbqrParts)); n < 2 || !strings.HasPrefix(bbqrParts, "B$") {
		t.Fatalf("BBQr parts: %q", bbqrParts)
	}
	online.stdin = shuffledWithDuplicates(bbqrParts, 2)
	back := filepath.Join(dir, "back.psbt")
	online.ok("psbt", "import", "-", "--out", back)
	online.stdin = ""
	var fin struct {
		Txid string `json:"txid"`
		Hex  string `json:"hex"`
	}
	online.jsonOut(&fin, "psbt", "finalize", back)
	var bc struct {
		Txid string `json:"txid"`
	}
	online.jsonOut(&bc, "broadcast", fin.Hex)
	id, _ := chainhash.NewHashFromStr(fin.Txid)
	if bc.Txid != fin.Txid || !btcd.InMempool(*id) {
		t.Fatalf("broadcast %+v; in mempool %v", bc, btcd.InMempool(*id))
	}
}

// bip174Valid returns the valid PSBTs of BIP174's vectors, binary.
func bip174Valid(t *testing.T) [][]byte {
	data, err := os.ReadFile("../../wallet/psbtx/testdata/bip174_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Valid []struct {
			Hex string `json:"hex"`
		} `json:"valid"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, x := range v.Valid {
		if b, err := hex.DecodeString(x.Hex); err == nil && len(b) > 0 {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		t.Fatal("no valid PSBT in the BIP174 vectors")
	}
	return out
}

func TestPSBTExportImport(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	for i, raw := range bip174Valid(t) {
		file := writeFile(t, "p.psbt", string(raw))
		for _, args := range [][]string{{"--ur"}, {"--ur", "--fragment", "20"}, {"--bbqr"}, {"--bbqr", "--fragment", "50"}} {
			out := c.ok(append([]string{"--offline", "psbt", "export", file}, args...)...)
			c.stdin = shuffledWithDuplicates(out, uint64(i))
			got := c.ok("--offline", "psbt", "import", "-")
			c.stdin = ""
			if strings.TrimSpace(got) != base64.StdEncoding.EncodeToString(raw) {
				t.Errorf("vector %d %v: the PSBT did not come back", i, args)
			}
		}
	}
	file := writeFile(t, "p.psbt", string(bip174Valid(t)[0]))
	c.fails("choose the format", "psbt", "export", file)
	c.fails("choose the format", "psbt", "export", file, "--ur", "--bbqr")
	c.fails("--qr needs a terminal", "psbt", "export", file, "--ur", "--qr")
	c.fails("--fragment", "psbt", "export", file, "--ur", "--fragment", "3")
	parts := strings.Fields(c.ok("psbt", "export", file, "--ur", "--fragment", "20"))
	// Bad input ends with one error line after the progress lines.
	for _, tc := range []struct{ stdin, want string }{
		{strings.Join(parts[:len(parts)-1], "\n"), "incomplete"},
		{parts[0] + "\nhello\n", "line 2"},
		{parts[0] + "\nB$2P0100AAAAAAAA\n", "BBQr part among UR"},
		{"", "no UR or BBQr parts"},
	} {
		c.stdin = tc.stdin
		r := c.run("psbt", "import", "-")
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if r.err == nil || !strings.Contains(r.err.Error(), tc.want) || !strings.HasPrefix(lines[len(lines)-1], "satchel: ") {
			t.Errorf("psbt import of %q: %v\n%s", tc.stdin, r.err, r.stderr)
		}
		for _, l := range lines[:len(lines)-1] {
			if !strings.HasSuffix(l, " parts") {
				t.Errorf("stderr line %q is neither progress nor the error", l)
			}
		}
	}
	c.stdin = ""
}

func TestWalletExportImportUR(t *testing.T) {
	for _, st := range []string{"p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh"} {
		t.Run(st, func(t *testing.T) {
			c := newCLI(t)
			c.env["SATCHEL_PASSWORD"] = "pw"
			c.env["SATCHEL_NETWORK"] = "testnet"
			c.ok("--offline", "wallet", "restore", "--script-type", st, "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
			var info walletInfo
			c.jsonOut(&info, "--offline", "wallet", "info")
			for _, typ := range []string{"crypto-account", "crypto-output"} {
				u := strings.TrimSpace(c.ok("--offline", "wallet", "export", "--ur", "--ur-type", typ))
				w := c.sub(t)
				w.env = map[string]string{"SATCHEL_NETWORK": "testnet", "XDG_CONFIG_HOME": t.TempDir()}
				w.dataDir = t.TempDir()
				// From a file of parts as well as from the text.
				w.ok("--wallet", "a", "wallet", "import", "--ur", writeFile(t, "ur.txt", u+"\n"))
				w.ok("--wallet", "b", "wallet", "import", "--ur", strings.ToUpper(u))
				for _, name := range []string{"a", "b"} {
					var got walletInfo
					w.jsonOut(&got, "--wallet", name, "wallet", "info")
					if got.Descriptors.Receive != info.Descriptors.Receive || got.Fingerprint != info.Fingerprint {
						t.Errorf("%s via %s: %s, want %s", st, typ, got.Descriptors.Receive, info.Descriptors.Receive)
					}
				}
				// A testnet account does not import on mainnet.
				w.fails("not mainnet", "--network", "mainnet", "--wallet", "c", "wallet", "import", "--ur", u)
			}
		})
	}
	c := newCLI(t)
	c.fails("--ur or --descriptor", "wallet", "import", "--ur", "ur:crypto-account/aeae", "--xpub", "xpub")
	c.fails("choose the format", "wallet", "export")
}

// The account of BCR-2020-015's example, with seven outputs, imports the
// one --script-type chooses, P2WPKH by default.
func TestWalletImportMultiOutputAccount(t *testing.T) {
	const account = "ur:crypto-account/oeadcyemrewytyaolttaadmutaaddloxaxhdclaxwmfmdeiamecsdsemgtvsjzcncygrkowtrontzschgezokstswkkscfmklrtauteyaahdcxiehfonurdppfyntapejpproypegrdawkgmaewejlsfdtsrfybdehcaflmtrlbdhpamtaaddyoyadlncsdwykaeykaeykaycynlytsnyltaadmhtaadmwtaaddloxaxhdclaostvelfemdyynwydwyaievosrgmambklovabdgypdglldvespsthysadamhpmjeinaahdcxntdllnaaeykoytdacygegwhgjsiyonpywmcmrpwphsvodsrerozsbyaxluzcoxdpamtaaddyoyadlncsehykaeykaeykaycypdbskeuytaadmwtaaddloxaxhdclaxzcfxeegdrpmogrgwkbzctlttweadkiengrwlhtprremouoluutqdpfbncedkynfhaahdcxjpwevdeogthttkmeswzcolcpsaahcfnshkhtehytclmnteatmoteadtlwynnftloamtaaddyoyadlncsghykaeykaeykaycybthlvytstaadmhtaaddloxaxhdclaxhhsnhdrpftdwuocntilydibehnecmovdfekpjkclcslasbhkpawsaddmcmmnahnyaahdcxlotedtndfymyltclhlmtpfsadscnhtztaolbnnkistaedegwfmmedreetnwmcycnamtaaddyoyadlfcsdpykaycyemrewytytaadmhtaadmetaaddloxaxhdclaxdwkswmztpytnswtsecnblfbayajkdldeclqzzolrsnhljedsgminetytbnahatbyaahdcxkkguwsvyimjkvwteytwztyswvendtpmncpasfrrylprnhtkblndrgrmkoyjtbkrpamtaaddyoyadlocsdyykaeykaeykadykaycyhkrpnddrtaadmetaaddloxaxhdclaohnhffmvsbndslrfgclpfjejyatbdpebacnzokotofxntaoemvskpaowmryfnotfgaahdcxdlnbvecentssfsssgylnhkrstoytecrdlyadrekirfaybglahltalsrfcaeerobwamtaaddyoyadlocsdyykaeykaeykaoykaycyhkrpnddrtaadnltaaddloxaxhdclaorkrhkeytwsoykorletwstbwycagtbsotmeptjkesgwrfcmveskvdmngujzttgtdpaahdcxgrfgmuvyylmwcxjtttechplslgoegagaptdniatidmhdmebdwfryfsnsdkcplyvaamtaaddyoyadlncshfykaeykaeykaycytostatbnimltntsp"
	c := newCLI(t)
	c.ok("--wallet", "w", "wallet", "import", "--ur", account)
	c.ok("--wallet", "t", "wallet", "import", "--ur", account, "--script-type", "p2tr")
	for name, want := range map[string]string{"w": "wpkh([37b5eed4/84h/0h/0h]", "t": "tr([37b5eed4/86h/0h/0h]"} {
		var got walletInfo
		c.jsonOut(&got, "--wallet", name, "wallet", "info")
		if !strings.HasPrefix(got.Descriptors.Receive, want) {
			t.Errorf("wallet %s: %s, want %s...", name, got.Descriptors.Receive, want)
		}
	}
}

// The animated code of a real PSBT fits an 80×24 terminal at the sparser
// density, and a camera that catches its frames gets the PSBT back; the
// denser density needs fewer frames; the keys change speed and density.
func TestAnimatedQR(t *testing.T) {
	raw := bip174Valid(t)[7] // the largest, 729 bytes
	for name, src := range map[string]animqr.NewSource{
		"ur":   newURSource(ur.NewPSBT(raw)),
		"bbqr": newBBQrSource(raw, bbqr.PSBT),
	} {
		t.Run(name, func(t *testing.T) {
			m := animqr.New("PSBT", src)
			m.SetSize(80, 24)
			view := m.Render()
			lines := strings.Split(view, "\n")
			if len(lines) != 24 || strings.Contains(view, "enlarge") {
				t.Fatalf("%d lines in 80×24:\n%s", len(lines), view)
			}
			for i, l := range lines {
				if w := lipgloss.Width(l); w > 80 {
					t.Fatalf("line %d is %d cells wide", i, w)
				}
			}
			if !strings.Contains(view, "█") {
				t.Fatal("no QR code drawn")
			}
			sparse := scanFrames(t, m, raw)

			m.Update(tea.KeyPressMsg{Code: 'd', Text: "d"})
			if !strings.Contains(m.Status(), "denser") {
				t.Fatalf("d did not switch density: %s", m.Status())
			}
			if !strings.Contains(m.Render(), "enlarge the terminal") {
				t.Error("the denser code claims to fit 80×24")
			}
			m.SetSize(120, 50)
			if strings.Contains(m.Render(), "enlarge") {
				t.Error("the denser code does not fit 120×50")
			}
			if dense := scanFrames(t, m, raw); dense >= sparse {
				t.Errorf("denser needs %d frames, sparser %d", dense, sparse)
			}
			before := m.Status()
			m.Update(tea.KeyPressMsg{Code: '+', Text: "+"})
			if m.Status() == before {
				t.Error("+ did not change the speed")
			}
			m.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			if !strings.Contains(m.Status(), "paused") {
				t.Error("space did not pause")
			}
		})
	}
}

// scanFrames plays m's frames to a decoder until it has the PSBT, and
// returns how many frames that took.
func scanFrames(t *testing.T, m *animqr.Model, want []byte) int {
	t.Helper()
	r := &partsReader{}
	for n := 1; n <= 500; n++ {
		if _, err := r.add(m.Part()); err != nil {
			t.Fatal(err)
		}
		if r.complete() {
			var got []byte
			var err error
			if r.urDec != nil {
				got, err = ur.DecodePSBT(r.urDec.Result())
			} else {
				_, got, err = r.joiner.Result()
			}
			if err != nil || string(got) != string(want) {
				t.Fatalf("scanned %x, %v", got, err)
			}
			return n
		}
		m.Step()
	}
	t.Fatal("500 frames did not carry the PSBT")
	return 0
}
