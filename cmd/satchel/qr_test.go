package main

import (
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/satchelbtc/satchel/internal/regtest"
	"github.com/satchelbtc/satchel/internal/vectors"
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
	finalizeAndBroadcast(t, online, btcd, back)
}

func TestPSBTExportImport(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	for i, raw := range vectors.BIP174Valid(t) {
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
	file := writeFile(t, "p.psbt", string(vectors.BIP174Valid(t)[0]))
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
