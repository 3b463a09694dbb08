package main

import (
	"os"
	"strings"
	"testing"
)

// cosignerKeys restores the three cosigner seeds of the multisig tests,
// offline on regtest, and returns their BIP48 keys for scriptType.
func cosignerKeys(t *testing.T, scriptType string) []string {
	t.Helper()
	var keys []string
	for _, m := range cosignerMnemonics {
		s := newCLI(t)
		s.env["SATCHEL_PASSWORD"] = "cold"
		s.env["SATCHEL_NETWORK"] = "regtest"
		s.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", m))
		lines := strings.Split(strings.TrimSpace(s.ok("--offline", "wallet", "xpub", "--bip48", "--script-type", scriptType)), "\n")
		keys = append(keys, lines[len(lines)-1])
	}
	return keys
}

// A watch-only 2-of-3 coordinator exports its wallet as one
// ur:crypto-output; imported elsewhere (as text, upper case, or a file of
// parts) it is the same wallet: the same descriptors and the same
// addresses. A crypto-account is refused for a multisig.
func TestWalletExportImportMultisigUR(t *testing.T) {
	for _, tc := range []struct{ st, fn, wrap string }{
		{"p2wsh", "sortedmulti", "wsh(%s)"},
		{"p2sh-p2wsh", "sortedmulti", "sh(wsh(%s))"},
		{"p2wsh", "multi", "wsh(%s)"},
	} {
		t.Run(tc.st+"_"+tc.fn, func(t *testing.T) {
			keys := cosignerKeys(t, tc.st)
			body := tc.fn + "(2," + keys[0] + "/<0;1>/*," + keys[1] + "/<0;1>/*," + keys[2] + "/<0;1>/*)"
			desc := strings.Replace(tc.wrap, "%s", body, 1)
			coord := newCLI(t)
			coord.env["SATCHEL_NETWORK"] = "regtest"
			coord.ok("wallet", "import", "--descriptor", desc)
			var info walletInfo
			coord.jsonOut(&info, "wallet", "info")
			u := strings.TrimSpace(coord.ok("wallet", "export", "--ur"))
			if !strings.HasPrefix(u, "ur:crypto-output/") || strings.Contains(u, "\n") {
				t.Fatalf("wallet export --ur printed %q", u)
			}
			coord.fails("crypto-output", "wallet", "export", "--ur", "--ur-type", "crypto-account")
			var j struct{ UR, Descriptor string }
			coord.jsonOut(&j, "wallet", "export", "--ur")
			if j.UR != u || !strings.Contains(j.Descriptor, "/<0;1>/*") {
				t.Errorf("--json: %+v", j)
			}

			w := newCLI(t)
			w.env["SATCHEL_NETWORK"] = "regtest"
			w.ok("--wallet", "a", "wallet", "import", "--ur", u)
			w.ok("--wallet", "b", "wallet", "import", "--ur", strings.ToUpper(u))
			w.ok("--wallet", "c", "wallet", "import", "--ur", writeFile(t, "ur.txt", u+"\n"))
			want := strings.TrimSpace(coord.ok("address", "list", "--count", "3"))
			for _, name := range []string{"a", "b", "c"} {
				var got walletInfo
				w.jsonOut(&got, "--wallet", name, "wallet", "info")
				if got.Descriptors != info.Descriptors || !got.WatchOnly {
					t.Errorf("wallet %s: %+v\nwant %+v", name, got.Descriptors, info.Descriptors)
				}
				if addrs := strings.TrimSpace(w.ok("--wallet", name, "address", "list", "--count", "3")); addrs != want {
					t.Errorf("wallet %s derives\n%s\nwant\n%s", name, addrs, want)
				}
			}
			w.fails("--script-type", "--wallet", "d", "wallet", "import", "--ur", u, "--script-type", "p2wpkh")
			w.fails("not mainnet", "--network", "mainnet", "--wallet", "e", "wallet", "import", "--ur", u)
			if os.Getenv("SATCHEL_PRINT_UR") != "" {
				t.Logf("%s: %s\n%s", tc.st, desc, u)
			}
		})
	}
}
