package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tyler-smith/go-bip39"
)

// walletInfo is the subset of `wallet info --json` the tests read.
type walletInfo struct {
	Name        string `json:"name"`
	Network     string `json:"network"`
	Fingerprint string `json:"fingerprint"`
	ScriptType  string `json:"script_type"`
	WatchOnly   bool   `json:"watch_only"`
	XPub        string `json:"xpub"`
	SLIP132     string `json:"slip132"`
	Descriptors struct {
		Receive string `json:"receive"`
		Change  string `json:"change"`
	} `json:"descriptors"`
	Mnemonic     string `json:"mnemonic"`
	FirstAddress string `json:"first_address"`
	Encryption   *struct {
		KDF       string `json:"kdf"`
		MemoryKiB uint32 `json:"memory_kib"`
	} `json:"encryption"`
}

type addrEntry struct {
	Index   uint32 `json:"index"`
	Address string `json:"address"`
	Path    string `json:"path"`
	Change  *bool  `json:"change"`
	Used    *bool  `json:"used"`
}

func TestCreateThenNewAddress(t *testing.T) {
	for _, tc := range []struct {
		network, prefix, pathPrefix string
	}{
		{"regtest", "bcrt1q", "m/84h/1h/0h/0/"},
		{"mainnet", "bc1q", "m/84h/0h/0h/0/"},
		{"testnet4", "tb1q", "m/84h/1h/0h/0/"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			c := newCLI(t)
			c.env["SATCHEL_PASSWORD"] = "correct horse"
			var created walletInfo
			c.jsonOut(&created, "--network", tc.network, "wallet", "create")
			if n := len(strings.Fields(created.Mnemonic)); n != 12 {
				t.Fatalf("create printed %d words, want 12", n)
			}
			if created.ScriptType != "p2wpkh" || created.WatchOnly || len(created.Fingerprint) != 8 {
				t.Fatalf("unexpected wallet: %+v", created)
			}

			var a0, a1 addrEntry
			c.jsonOut(&a0, "--network", tc.network, "address", "new")
			c.jsonOut(&a1, "--network", tc.network, "address", "new")
			if !strings.HasPrefix(a0.Address, tc.prefix) || a0.Index != 0 || a0.Path != tc.pathPrefix+"0" {
				t.Fatalf("first address %+v; want %s… at %s0", a0, tc.prefix, tc.pathPrefix)
			}
			if a1.Index != 1 || a1.Address == a0.Address {
				t.Fatalf("second address %+v repeats or skips the first %+v", a1, a0)
			}
			if a0.Address != created.FirstAddress {
				t.Fatalf("address new gave %s, create announced %s", a0.Address, created.FirstAddress)
			}

			// The same words restored elsewhere give the same addresses.
			other := newCLI(t)
			other.env["SATCHEL_PASSWORD"] = "another"
			words := writeFile(t, "words", created.Mnemonic+"\n")
			other.ok("--network", tc.network, "wallet", "restore", "--mnemonic-file", words)
			var list []addrEntry
			other.jsonOut(&list, "--network", tc.network, "address", "list", "--count", "2")
			if len(list) != 2 || list[0].Address != a0.Address || list[1].Address != a1.Address {
				t.Fatalf("restored wallet lists %+v; want %s, %s", list, a0.Address, a1.Address)
			}
			if list[0].Change == nil || *list[0].Change || list[0].Used == nil || *list[0].Used {
				t.Fatalf("address list entry lacks change/used=false: %+v", list[0])
			}

			// The default list is the look-ahead window: handed out + gap limit.
			c.jsonOut(&list, "--network", tc.network, "address", "list")
			if len(list) != 22 {
				t.Fatalf("default address list has %d entries, want 2 handed out + 20", len(list))
			}
			c.jsonOut(&list, "--network", tc.network, "address", "list", "--change", "--count", "1")
			if len(list) != 1 || !*list[0].Change || !strings.Contains(list[0].Path, "/1/0") {
				t.Fatalf("change list %+v", list)
			}
		})
	}
}

// The first addresses of "abandon ×11 about" on mainnet, one per account
// type (BIP44, BIP49, BIP84 and BIP86 test vectors).
func TestRestoreKnownVectors(t *testing.T) {
	for _, tc := range []struct {
		scriptType, address, slip132 string
	}{
		{"p2pkh", "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA", ""},
		{"p2sh-p2wpkh", "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf", "ypub6Ww3ibxVfGzLrAH1PNcjyAWenMTbbAosGNB6VvmSEgytSER9azLDWCxoJwW7Ke7icmizBMXrzBx9979FfaHxHcrArf3zbeJJJUZPf663zsP"},
		{"p2wpkh", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"},
		{"p2tr", "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr", ""},
	} {
		t.Run(tc.scriptType, func(t *testing.T) {
			c := newCLI(t)
			c.env["SATCHEL_PASSWORD"] = "pw"
			words := writeFile(t, "words", "  Abandon abandon\tabandon abandon abandon abandon\nabandon abandon abandon abandon abandon ABOUT \n")
			c.ok("wallet", "restore", "--mnemonic-file", words, "--script-type", tc.scriptType)
			var info walletInfo
			c.jsonOut(&info, "wallet", "info")
			if info.Fingerprint != "73c5da0a" || info.ScriptType != tc.scriptType {
				t.Fatalf("info %+v; want fingerprint 73c5da0a, %s", info, tc.scriptType)
			}
			if info.SLIP132 != tc.slip132 {
				t.Fatalf("slip132 %q; want %q", info.SLIP132, tc.slip132)
			}
			if !strings.Contains(info.Descriptors.Receive, "[73c5da0a/") || !strings.Contains(info.Descriptors.Receive, "/0/*)") ||
				!strings.Contains(info.Descriptors.Change, "/1/*)") || !strings.Contains(info.Descriptors.Receive, ")#") {
				t.Fatalf("descriptors %+v lack origin, branch or checksum", info.Descriptors)
			}
			var list []addrEntry
			c.jsonOut(&list, "address", "list", "--count", "1")
			if list[0].Address != tc.address {
				t.Fatalf("first address %s; want %s", list[0].Address, tc.address)
			}

			// The wallet's own descriptor imported as watch-only gives the
			// same addresses, and never asks for a password.
			w := newCLI(t)
			w.ok("wallet", "import", "--descriptor", info.Descriptors.Receive, "--descriptor", info.Descriptors.Change)
			var winfo walletInfo
			w.jsonOut(&winfo, "wallet", "info")
			if !winfo.WatchOnly || winfo.Descriptors != info.Descriptors || winfo.Encryption != nil {
				t.Fatalf("watch-only info %+v; want the same descriptors %+v", winfo, info.Descriptors)
			}
			var wa addrEntry
			w.jsonOut(&wa, "address", "new")
			if wa.Address != tc.address {
				t.Fatalf("watch-only first address %s; want %s", wa.Address, tc.address)
			}
		})
	}
}

func TestImportXPubForms(t *testing.T) {
	const zpub = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
	c := newCLI(t)
	c.ok("--wallet", "z", "wallet", "import", "--xpub", "[73c5da0a/84h/0h/0h]"+zpub, "--birthday", "800000")
	var info walletInfo
	c.jsonOut(&info, "--wallet", "z", "wallet", "info")
	if info.ScriptType != "p2wpkh" || info.Fingerprint != "73c5da0a" || !info.WatchOnly {
		t.Fatalf("zpub import: %+v", info)
	}
	var list []addrEntry
	c.jsonOut(&list, "--wallet", "z", "address", "list", "--count", "1")
	if list[0].Address != "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu" || list[0].Path != "m/84h/0h/0h/0/0" {
		t.Fatalf("zpub import first address %+v", list[0])
	}

	c.fails("p2wpkh", "--wallet", "y", "wallet", "import", "--xpub", zpub, "--script-type", "p2tr")
	c.fails("regtest", "--network", "regtest", "--wallet", "x", "wallet", "import", "--xpub", zpub)
	c.fails("either --descriptor or --xpub", "--wallet", "x", "wallet", "import", "--xpub", zpub, "--descriptor", "wpkh("+zpub+"/0/*)")
	c.fails("--descriptor", "--wallet", "x", "wallet", "import")
	mustNotExist(t, c.walletFile("mainnet", "x"))
	mustNotExist(t, c.walletFile("mainnet", "y"))
}

func TestBadMnemonics(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	for _, tc := range []struct {
		name, words, want string
	}{
		{"unknown word", "abandon abandon abandon abandon abandon abandon abandn abandon abandon abandon abandon about", `word 7 "abandn"`},
		{"suggestion", "abandon abandon abandon abandon abandon abandon abandn abandon abandon abandon abandon about", `"abandon"`},
		{"bad checksum", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", "checksum"},
		{"word count", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "11"},
		{"empty", "", "words"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := writeFile(t, "words", tc.words)
			c := c.sub(t)
			c.fails(tc.want, "--network", "regtest", "wallet", "restore", "--mnemonic-file", f)
			mustNotExist(t, c.walletFile("regtest", "default"))
		})
	}
}

func TestWrongPasswordLeavesFileUnchanged(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "right"
	c.ok("--network", "regtest", "wallet", "create")
	path := c.walletFile("regtest", "default")
	before := fileHash(t, path)

	c.env["SATCHEL_PASSWORD"] = "wrong"
	c.fails("wrong password", "--network", "regtest", "wallet", "show-mnemonic")
	c.env["SATCHEL_NEW_PASSWORD"] = "newer"
	c.fails("wrong password", "--network", "regtest", "wallet", "passwd")
	if fileHash(t, path) != before {
		t.Fatal("the wallet file changed after a wrong password")
	}

	// Creating over the existing wallet is refused and changes nothing.
	c.env["SATCHEL_PASSWORD"] = "right"
	c.fails("already exists", "--network", "regtest", "wallet", "create")
	c.fails("already exists", "--network", "regtest", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	if fileHash(t, path) != before {
		t.Fatal("the wallet file changed after a refused create")
	}
}

func TestPasswdChangesPassword(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "old password"
	c.ok("--network", "regtest", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	newPW := writeFile(t, "new", "new password\n")
	c.ok("--network", "regtest", "wallet", "passwd", "--new-password-file", newPW)

	c.fails("wrong password", "--network", "regtest", "wallet", "show-mnemonic")
	var shown struct {
		Mnemonic string `json:"mnemonic"`
	}
	c.jsonOut(&shown, "--network", "regtest", "--password-file", newPW, "wallet", "show-mnemonic")
	if shown.Mnemonic != abandonMnemonic {
		t.Fatalf("show-mnemonic after passwd: %q", shown.Mnemonic)
	}
	c.fails("empty", "--network", "regtest", "--password-file", newPW, "wallet", "passwd",
		"--new-password-file", writeFile(t, "empty", "\n"))
}

func TestNoPasswordSourceIsAnError(t *testing.T) {
	c := newCLI(t) // no SATCHEL_PASSWORD, no terminal
	c.fails("password is needed", "--network", "regtest", "wallet", "create")
	mustNotExist(t, c.walletFile("regtest", "default"))
	c.fails("recovery words are needed", "--network", "regtest", "wallet", "restore")

	c.env["SATCHEL_PASSWORD"] = "pw"
	c.ok("--network", "regtest", "wallet", "create")
	delete(c.env, "SATCHEL_PASSWORD")
	c.fails("password is needed", "--network", "regtest", "wallet", "show-mnemonic")
	c.fails("password is needed", "--network", "regtest", "wallet", "passwd")
	// Public data needs no password.
	c.ok("--network", "regtest", "wallet", "info")
	c.ok("--network", "regtest", "address", "new")
}

func TestTerminalPrompts(t *testing.T) {
	c := newCLI(t)
	c.term = &fakeTerm{answers: []string{"one", "two"}}
	c.fails("differ", "--network", "regtest", "wallet", "create")
	mustNotExist(t, c.walletFile("regtest", "default"))

	c.term = &fakeTerm{answers: []string{""}}
	c.fails("must not be empty", "--network", "regtest", "wallet", "create")

	// "secret" is short and common: it is taken after "use it anyway?".
	c.term = &fakeTerm{answers: []string{abandonMnemonic, "secret", "secret", "y"}}
	c.ok("--network", "regtest", "wallet", "restore")
	c.term = &fakeTerm{answers: []string{"secret", "fresh", "fresh", "y"}}
	c.ok("--network", "regtest", "wallet", "passwd")
	c.term = &fakeTerm{answers: []string{"fresh"}}
	out := c.ok("--network", "regtest", "wallet", "show-mnemonic")
	if !strings.Contains(out, "12. about") {
		t.Fatalf("show-mnemonic printed %q", out)
	}
	// A wrong current password is reported before the new one is asked.
	term := &fakeTerm{answers: []string{"stale"}}
	c.term = term
	c.fails("wrong password", "--network", "regtest", "wallet", "passwd")
	if len(term.prompts) != 1 {
		t.Fatalf("passwd prompted %q after a wrong current password", term.prompts)
	}
}

// TestWeakPassword checks the warning on a weak new password: at the
// prompt it asks, and no starts over; from a file or the environment it
// warns on stderr and goes on.
func TestWeakPassword(t *testing.T) {
	c := newCLI(t)
	term := &fakeTerm{answers: []string{abandonMnemonic, "password1", "password1", "n",
		"short", "short", "x", "no", "plenty of letters", "plenty of letters"}}
	c.term = term
	r := c.run("--network", "regtest", "wallet", "restore")
	if r.err != nil {
		t.Fatalf("restore: %v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{
		"Weak password: the password is one of the most common passwords",
		"Weak password: the password has only 5 characters; 8 or more are much harder to guess.",
		"Answer y or n.", "Choose another password.",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if len(term.answers) != 0 {
		t.Errorf("answers left over: %q", term.answers)
	}
	// The password is the strong one.
	c.term = &fakeTerm{answers: []string{"plenty of letters"}}
	c.ok("--network", "regtest", "wallet", "show-mnemonic")

	// Non-interactive: a warning, no question.
	c2 := newCLI(t)
	c2.term = &fakeTerm{} // any prompt fails the command
	r = c2.run("--network", "regtest", "--password-file", writeFile(t, "pw", "qwerty\n"),
		"wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	if r.err != nil {
		t.Fatalf("restore with a weak --password-file: %v", r.err)
	}
	if !strings.Contains(r.stderr, "Warning: the password has only 6 characters") {
		t.Errorf("no warning on stderr: %q", r.stderr)
	}
	c2.env[newPasswordEnv] = "iloveyou"
	r = c2.run("--network", "regtest", "--password-file", writeFile(t, "pw", "qwerty\n"), "wallet", "passwd")
	if r.err != nil || !strings.Contains(r.stderr, "Warning: the password is one of the most common passwords") {
		t.Errorf("passwd with a common new password: err %v, stderr %q", r.err, r.stderr)
	}
	// A strong one gives no warning.
	c2.env[newPasswordEnv] = "a much longer one"
	c2.env["SATCHEL_PASSWORD"] = "iloveyou"
	if r = c2.run("--network", "regtest", "wallet", "passwd"); r.err != nil || strings.Contains(r.stderr, "Warning") {
		t.Errorf("passwd with a strong new password: err %v, stderr %q", r.err, r.stderr)
	}
}

func TestWatchOnlyNeverAsksForPassword(t *testing.T) {
	signer := newCLI(t)
	signer.env["SATCHEL_PASSWORD"] = "pw"
	signer.ok("--network", "regtest", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	var info walletInfo
	signer.jsonOut(&info, "--network", "regtest", "wallet", "info")
	// The multipath form of the same account.
	desc := strings.Replace(info.Descriptors.Receive, "/0/*)", "/<0;1>/*)", 1)
	desc = desc[:strings.Index(desc, "#")]

	c := newCLI(t)
	term := &fakeTerm{} // any prompt fails the command
	c.term = term
	c.ok("--network", "regtest", "wallet", "import", "--descriptor", desc)
	var winfo walletInfo
	c.jsonOut(&winfo, "--network", "regtest", "wallet", "info")
	if winfo.Descriptors != info.Descriptors {
		t.Fatalf("multipath import gave %+v; want %+v", winfo.Descriptors, info.Descriptors)
	}
	c.ok("--network", "regtest", "wallet", "info")
	c.ok("--network", "regtest", "address", "new")
	c.fails("watch-only", "--network", "regtest", "wallet", "show-mnemonic")
	c.fails("watch-only", "--network", "regtest", "wallet", "passwd")
	if len(term.prompts) != 0 {
		t.Fatalf("a watch-only wallet prompted: %q", term.prompts)
	}
}

func TestBadInputs(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"path in name", []string{"--wallet", "../evil", "wallet", "create"}, "invalid wallet name"},
		{"slash in name", []string{"--wallet", "a/b", "wallet", "create"}, "invalid wallet name"},
		{"dot file", []string{"--wallet", ".hidden", "wallet", "create"}, "must not start with a dot"},
		{"empty name", []string{"--wallet", "", "wallet", "info"}, "invalid wallet name"},
		{"unknown network", []string{"--network", "moon", "wallet", "list"}, "unknown network"},
		{"missing wallet", []string{"--wallet", "nope", "wallet", "info"}, `no wallet named "nope"`},
		{"bad script type", []string{"wallet", "create", "--script-type", "p2sh"}, "p2sh"},
		{"bad word count", []string{"wallet", "create", "--words", "13"}, "12 or 24"},
		{"bad connect", []string{"--connect", "nohost", "wallet", "list"}, "HOST:PORT"},
		{"missing password file", []string{"--password-file", "/nonexistent/pw", "wallet", "create"}, "/nonexistent/pw"},
		{"bad descriptor checksum", []string{"wallet", "import", "--descriptor",
			"wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/0/*)#aaaaaaaa"}, "checksum"},
		{"unknown command", []string{"wallet", "frobnicate"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.sub(t).fails(tc.want, tc.args...)
		})
	}
	// Nothing was created by any of them, and no file escaped the data dir.
	list := c.ok("wallet", "list")
	if !strings.Contains(list, "No wallets") {
		t.Fatalf("wallet list after bad inputs: %q", list)
	}
	mustNotExist(t, filepath.Join(c.dataDir, "mainnet", "evil.db"))
}

func TestDamagedWalletFile(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	var want walletInfo
	c.jsonOut(&want, "--network", "regtest", "wallet", "create")
	path := c.walletFile("regtest", "default")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, data []byte, mustFail bool) bool {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatal("the damaged file was modified")
			}
		}()
		c := c.sub(t)
		r := c.run("--network", "regtest", "--json", "wallet", "info")
		if r.err == nil {
			// Only bbolt's unused tail was cut: the wallet must read right.
			var got walletInfo
			if mustFail || jsonDecode(r.stdout, &got) != nil || got.Descriptors != want.Descriptors {
				t.Fatalf("damaged wallet read as %q", r.stdout)
			}
			return false
		}
		for _, args := range [][]string{
			{"wallet", "info"}, {"wallet", "show-mnemonic"}, {"address", "new"}, {"address", "list"},
		} {
			c.fails("damaged", append([]string{"--network", "regtest"}, args...)...)
		}
		c.fails("already exists", "--network", "regtest", "wallet", "create")
		return true
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated to 100 bytes", good[:100]},
		{"empty", nil},
		{"zeroed header", append(make([]byte, 8192), good[8192:]...)},
		{"not a wallet", bytes.Repeat([]byte("satchel"), 5000)},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.data, true) })
	}
	t.Run("every truncation", func(t *testing.T) {
		failed := 0
		for n := len(good) - 512; n > 0; n -= 512 {
			if check(t, good[:n], false) {
				failed++
			}
		}
		if failed == 0 {
			t.Fatal("no truncation was detected")
		}
	})
	// Listing reports the damaged wallet instead of failing.
	if err := os.WriteFile(path, good[:100], 0o600); err != nil {
		t.Fatal(err)
	}
	out := c.ok("--network", "regtest", "wallet", "list")
	if !strings.Contains(out, "damaged") {
		t.Fatalf("wallet list: %q", out)
	}
}

// Every flag also reads SATCHEL_<NAME>; the command line wins.
func TestEnvironmentFlags(t *testing.T) {
	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.env["SATCHEL_WALLET"] = "envwallet"
	c.env["SATCHEL_PASSWORD_FILE"] = writeFile(t, "pw", "from-file\n")
	c.env["SATCHEL_SCRIPT_TYPE"] = "p2tr"
	c.ok("wallet", "create")
	if _, err := os.Stat(c.walletFile("regtest", "envwallet")); err != nil {
		t.Fatalf("SATCHEL_NETWORK/SATCHEL_WALLET ignored: %v", err)
	}
	c.env["SATCHEL_JSON"] = "true"
	var info walletInfo
	if err := jsonDecode(c.ok("wallet", "info"), &info); err != nil {
		t.Fatalf("SATCHEL_JSON ignored: %v", err)
	}
	if info.ScriptType != "p2tr" || info.Network != "regtest" || info.Name != "envwallet" {
		t.Fatalf("info %+v", info)
	}
	// The password file from the environment unlocks it.
	c.ok("wallet", "show-mnemonic")
	// A flag beats the environment.
	c.fails(`no wallet named "other"`, "--wallet", "other", "wallet", "info")
}

func TestVersion(t *testing.T) {
	c := newCLI(t)
	var v struct {
		Version string `json:"version"`
		Go      string `json:"go"`
	}
	c.jsonOut(&v, "version")
	if v.Version == "" || !strings.HasPrefix(v.Go, "go") {
		t.Fatalf("version %+v", v)
	}
}

// After create, restore with a passphrase and passwd, no file under the
// data directory holds the mnemonic, its entropy, the seed, the passphrase
// or a password; folders are 0700 and files 0600.
func TestNoSecretsOnDisk(t *testing.T) {
	c := newCLI(t)
	const (
		passphrase = "tr3s-secr3t passphrase"
		pw1        = "first-password-123"
		pw2        = "second-password-456"
	)
	c.env["SATCHEL_PASSWORD"] = pw1
	var created walletInfo
	c.jsonOut(&created, "--network", "regtest", "--wallet", "a", "wallet", "create",
		"--passphrase-file", writeFile(t, "pp", passphrase))
	c.ok("--network", "regtest", "--wallet", "b", "wallet", "restore",
		"--mnemonic-file", writeFile(t, "w", abandonMnemonic), "--passphrase-file", writeFile(t, "pp", passphrase))
	c.env["SATCHEL_NEW_PASSWORD"] = pw2
	c.ok("--network", "regtest", "--wallet", "a", "wallet", "passwd")
	c.ok("--network", "regtest", "--wallet", "b", "wallet", "passwd")
	c.env["SATCHEL_PASSWORD"] = pw2
	c.ok("--network", "regtest", "--wallet", "a", "wallet", "show-mnemonic")
	c.ok("--network", "regtest", "--wallet", "a", "address", "new")

	var needles [][]byte
	for _, m := range []string{created.Mnemonic, abandonMnemonic} {
		words := strings.Fields(m)
		needles = append(needles,
			[]byte(m),
			[]byte(strings.Join(words[:4], " ")),
			bip39.NewSeed(m, passphrase),
			bip39.NewSeed(m, ""),
		)
	}
	// The abandon phrase's entropy is all zeros, which any file holds; the
	// random wallet's entropy is the one to look for.
	entropy, err := bip39.EntropyFromMnemonic(created.Mnemonic)
	if err != nil {
		t.Fatal(err)
	}
	needles = append(needles, entropy)
	needles = append(needles, []byte(passphrase), []byte(pw1), []byte(pw2))

	files := 0
	err = filepath.Walk(c.dataDir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		mode := info.Mode().Perm()
		if info.IsDir() {
			if path != c.dataDir && mode != 0o700 {
				t.Errorf("%s has mode %o, want 0700", path, mode)
			}
			return nil
		}
		files++
		if mode != 0o600 {
			t.Errorf("%s has mode %o, want 0600", path, mode)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(data, n) {
				t.Errorf("%s contains secret bytes %q", path, truncate(n))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 { // two wallets and the log
		t.Fatalf("scanned only %d files", files)
	}
}

func truncate(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return string(b)
}

// config.toml gives defaults for the global flags; the environment and the
// command line override it; a broken file is one clear error.
func TestConfigFile(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(c.env["XDG_CONFIG_HOME"], "satchel")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "config.toml")
	write := func(s string) {
		if err := os.WriteFile(conf, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("network = \"regtest\"\nwallet = \"fromconfig\"\n")
	c.env["SATCHEL_PASSWORD"] = "pw"
	var info walletInfo
	c.jsonOut(&info, "wallet", "create")
	if info.Network != "regtest" || info.Name != "fromconfig" {
		t.Fatalf("config.toml ignored: %+v", info)
	}
	c.env["SATCHEL_WALLET"] = "fromenv"
	c.fails(`no wallet named "fromenv" on regtest`, "wallet", "info")
	c.fails(`no wallet named "fromflag" on signet`, "--network", "signet", "--wallet", "fromflag", "wallet", "info")

	write("network = \"regtest\"\nnetwork = \"mainnet\"\n")
	c.fails("config.toml line 2", "wallet", "list")
	write("colour = \"blue\"\n")
	c.fails(`unknown setting colour`, "wallet", "list")
	write("network = \"venus\"\n")
	c.fails(`unknown network "venus"`, "wallet", "list")
}

// Restoring at the terminal asks for the words one at a time without echo:
// a word that is not a BIP39 word is asked for again, four letters stand
// for a word, and a wrong checksum asks which word to type again, so one
// typo loses none of the other words.
func TestRestorePromptsWordByWord(t *testing.T) {
	c := newCLI(t)
	answers := []string{"", "abandn", "abandon"}
	for range 10 {
		answers = append(answers, "aban")
	}
	answers = append(answers,
		"zoo",      // a BIP39 word, but the checksum fails
		"13", "12", // no word 13; word 12 then
		"about",                              // the right last word
		"a fine password", "a fine password") // the new password, twice
	term := &fakeTerm{answers: answers}
	c.term = term
	r := c.run("--network", "regtest", "wallet", "restore")
	if r.err != nil {
		t.Fatalf("restore: %v\n%s", r.err, r.stderr)
	}
	for _, p := range term.echoed {
		if strings.HasPrefix(p, "Word ") || strings.HasPrefix(p, "How many") {
			t.Errorf("%q was read with echo", p)
		}
	}
	for _, want := range []string{"Word 1 is not in the BIP39 word list. Type it again.",
		"checksum does not match", "\"13\" is not a word number from 1 to 12", "The checksum matches."} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "abandn") || strings.Contains(r.stderr, "zoo") {
		t.Errorf("the typed words were shown:\n%s", r.stderr)
	}
	var info walletInfo
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.jsonOut(&info, "--network", "regtest", "wallet", "info")
	if info.Fingerprint != "73c5da0a" {
		t.Fatalf("restored fingerprint %s, want 73c5da0a", info.Fingerprint)
	}

	// q gives up, creating nothing.
	c2 := newCLI(t)
	c2.term = &fakeTerm{answers: append(append([]string{"12"}, repeat("abandon", 12)...), "q")}
	if r := c2.run("--network", "regtest", "wallet", "restore"); r.err == nil ||
		!strings.Contains(r.err.Error(), "the restore was stopped") {
		t.Fatalf("q at the checksum question: %v", r.err)
	}
	mustNotExist(t, c2.walletFile("regtest", "default"))
}

// repeat returns n copies of s.
func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
