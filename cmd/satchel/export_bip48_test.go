package main

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/internal/interop"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/ur"
)

// abandonBIP48P2WSH is the abandon…about seed's p2wsh cosigner key on the
// test networks, as other wallets publish it.
const abandonBIP48P2WSH = "[73c5da0a/48h/1h/0h/2h]tpubDFH9dgzveyD8zTbPUFuLrGmCydNvxehyNdUXKJAQN8x4aZ4j6UZqGfnqFrD4NqyaTVGKbvEW54tsvPTK2UoSbCC1PJY8iCNiwTL3RWZEheQ"

// lastLine is the last line a command printed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// `wallet export --ur --bip48` of a seed wallet is one ur:crypto-account of
// the wallet's own account and its cosigner keys sh(wsh(KEY)) and wsh(KEY),
// the keys `wallet xpub --bip48` prints; `wallet import --ur` of it
// imports the wallet's own account. Without --bip48 the export needs no
// password and holds the account alone.
func TestWalletExportURBIP48(t *testing.T) {
	for _, tc := range []struct {
		network, scriptType string
		net                 *chaincfg.Params
	}{
		{"regtest", "p2wpkh", &chaincfg.RegressionNetParams},
		{"testnet", "p2tr", &chaincfg.TestNet3Params},
	} {
		t.Run(tc.network+"_"+tc.scriptType, func(t *testing.T) {
			c := newCLI(t)
			c.env["SATCHEL_PASSWORD"] = "pw"
			c.env["SATCHEL_NETWORK"] = tc.network
			c.ok("--offline", "wallet", "restore", "--script-type", tc.scriptType, "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
			var info walletInfo
			c.jsonOut(&info, "--offline", "wallet", "info")
			want := map[wallet.ScriptType]string{
				wallet.P2WSH:     lastLine(c.ok("--offline", "wallet", "xpub", "--bip48")),
				wallet.P2SHP2WSH: lastLine(c.ok("--offline", "wallet", "xpub", "--bip48", "--script-type", "p2sh-p2wsh")),
			}
			if want[wallet.P2WSH] != abandonBIP48P2WSH {
				t.Fatalf("wallet xpub --bip48 = %s, want %s", want[wallet.P2WSH], abandonBIP48P2WSH)
			}

			u := strings.TrimSpace(c.ok("--offline", "wallet", "export", "--ur", "--bip48"))
			if !strings.HasPrefix(u, "ur:crypto-account/") || strings.Contains(u, "\n") {
				t.Fatalf("wallet export --ur --bip48 printed %q", u)
			}
			parsed, err := ur.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			acct, err := ur.DecodeAccount(parsed)
			if err != nil {
				t.Fatal(err)
			}
			if len(acct.Outputs) != 3 || acct.MasterFingerprint != 0x73c5da0a {
				t.Fatalf("the account %08x holds %d outputs, want its own and two cosigner keys", acct.MasterFingerprint, len(acct.Outputs))
			}
			own, err := wallet.DescriptorFromUR(&acct.Outputs[0], acct.MasterFingerprint, tc.net)
			if err != nil || own.Type.String() != tc.scriptType {
				t.Fatalf("first output %v, %v; want the wallet's %s account", own, err, tc.scriptType)
			}
			for i, st := range []wallet.ScriptType{wallet.P2SHP2WSH, wallet.P2WSH} {
				o := &acct.Outputs[i+1]
				if got, ok := wallet.CosignerTypeOfUR(o); !ok || got != st {
					t.Errorf("output %d is %v %v, want the %s cosigner key", i+2, got, ok, st)
				}
				key, err := wallet.CosignerKeyFromUR(o, acct.MasterFingerprint, tc.net)
				if err != nil || key != want[st] {
					t.Errorf("%s cosigner key %q, %v; wallet xpub --bip48 prints %s", st, key, err, want[st])
				}
			}
			var j struct {
				UR        string `json:"ur"`
				Cosigners []struct {
					ScriptType string `json:"script_type"`
					Key        string `json:"key"`
				} `json:"cosigners"`
			}
			c.jsonOut(&j, "--offline", "wallet", "export", "--ur", "--bip48")
			if j.UR != u || len(j.Cosigners) != 2 || j.Cosigners[0].Key != want[wallet.P2SHP2WSH] ||
				j.Cosigners[1].Key != want[wallet.P2WSH] || j.Cosigners[1].ScriptType != "p2wsh" {
				t.Errorf("--json: %+v", j)
			}

			// Imported, it is the wallet's own account.
			w := c.sub(t)
			w.env = map[string]string{"SATCHEL_NETWORK": tc.network, "XDG_CONFIG_HOME": t.TempDir()}
			w.dataDir = t.TempDir()
			w.ok("--wallet", "a", "wallet", "import", "--ur", u)
			var got walletInfo
			w.jsonOut(&got, "--wallet", "a", "wallet", "info")
			if got.Descriptors != info.Descriptors || got.Fingerprint != info.Fingerprint || !got.WatchOnly {
				t.Errorf("imported %+v\nwant %+v", got.Descriptors, info.Descriptors)
			}
			// The watch-only copy has no seed to give cosigner keys.
			w.fails("watch-only", "--wallet", "a", "wallet", "export", "--ur", "--bip48")

			// Without --bip48: the account alone, and no password asked.
			delete(c.env, "SATCHEL_PASSWORD")
			plain := strings.TrimSpace(c.ok("--offline", "wallet", "export", "--ur"))
			pu, _ := ur.Parse(plain)
			if pa, err := ur.DecodeAccount(pu); err != nil || len(pa.Outputs) != 1 {
				t.Errorf("wallet export --ur: %+v, %v; want the account alone", pa, err)
			}
			c.fails("password", "--offline", "wallet", "export", "--ur", "--bip48")
			c.env["SATCHEL_PASSWORD"] = "not it"
			c.fails("wrong password", "--offline", "wallet", "export", "--ur", "--bip48")
			c.fails("crypto-account", "--offline", "wallet", "export", "--ur", "--bip48", "--ur-type", "crypto-output")

			// An account of cosigner keys alone is no wallet to watch: the
			// error names the keys and how a multisig is imported.
			only := (&ur.Account{MasterFingerprint: acct.MasterFingerprint, Outputs: acct.Outputs[1:]}).UR().String()
			w.fails("cosigner keys", "--wallet", "b", "wallet", "import", "--ur", only)
			r := w.run("--wallet", "b", "wallet", "import", "--ur", only)
			if r.err == nil || !strings.Contains(r.err.Error(), want[wallet.P2WSH]) || !strings.Contains(r.err.Error(), "--descriptor") {
				t.Errorf("importing cosigner keys alone: %v", r.err)
			}
		})
	}
}

// A multisig wallet has no seed of its own to give --bip48 keys.
func TestWalletExportURBIP48Multisig(t *testing.T) {
	keys := cosignerKeys(t, "p2wsh")
	c := newCLI(t)
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.ok("wallet", "import", "--descriptor", "wsh(sortedmulti(2,"+keys[0]+"/<0;1>/*,"+keys[1]+"/<0;1>/*,"+keys[2]+"/<0;1>/*))")
	c.fails("each cosigner", "wallet", "export", "--ur", "--bip48")
}

// The crypto-account `wallet export --ur --bip48` prints reads with
// @ngraveio/bc-ur (the keys rebuilt by @scure/bip32 from its CBOR), as one
// part and as shuffled fountain parts, into the wallet's own account and
// the cosigner keys `wallet xpub --bip48` prints: wsh([73c5da0a/48h/1h/0h/
// 2h]tpubDFH9…) for the abandon…about seed. bc-ur's own fountain parts of
// the same account, in any order, import here as the wallet's account.
func TestWalletExportURBIP48Interop(t *testing.T) {
	interop.Require(t)
	type tc struct {
		name, network, u string
		want             []string
		info             walletInfo
	}
	var cases []tc
	var reqs []map[string]any
	for i, net := range []string{"regtest", "testnet"} {
		for _, st := range []string{"p2wpkh", "p2tr", "p2sh-p2wpkh"} {
			c := newCLI(t)
			c.env["SATCHEL_PASSWORD"] = "pw"
			c.env["SATCHEL_NETWORK"] = net
			c.ok("--offline", "wallet", "restore", "--script-type", st, "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
			own := lastLine(c.ok("--offline", "wallet", "xpub"))
			wrap := map[string]string{"p2wpkh": "wpkh(%s)", "p2tr": "tr(%s)", "p2sh-p2wpkh": "sh(wpkh(%s))"}[st]
			shwsh := lastLine(c.ok("--offline", "wallet", "xpub", "--bip48", "--script-type", "p2sh-p2wsh"))
			wsh := lastLine(c.ok("--offline", "wallet", "xpub", "--bip48"))
			if wsh != abandonBIP48P2WSH {
				t.Fatalf("wallet xpub --bip48 = %s, want %s", wsh, abandonBIP48P2WSH)
			}
			k := tc{name: net + " " + st, network: net,
				u:    strings.TrimSpace(c.ok("--offline", "wallet", "export", "--ur", "--bip48")),
				want: []string{strings.Replace(wrap, "%s", own, 1), "sh(wsh(" + shwsh + "))", "wsh(" + wsh + ")"}}
			c.jsonOut(&k.info, "--offline", "wallet", "info")
			parsed, err := ur.Parse(k.u)
			if err != nil {
				t.Fatal(err)
			}
			e, err := ur.NewEncoder(parsed, 60)
			if err != nil {
				t.Fatal(err)
			}
			parts := make([]string, e.SeqLen()+3)
			for j := range parts {
				parts[j] = e.NextPart()
			}
			if e.SeqLen() < 4 {
				t.Fatalf("%d fragments of 60 bytes: want a multi-part account", e.SeqLen())
			}
			cases = append(cases, k)
			reqs = append(reqs,
				map[string]any{"op": "ur_account", "parts": []string{k.u}},
				map[string]any{"op": "ur_account", "parts": strings.Fields(shuffledWithDuplicates(strings.Join(parts, "\n"), uint64(i+7)))},
				map[string]any{"op": "ur_parts", "type": parsed.Type, "cbor_hex": hex.EncodeToString(parsed.CBOR),
					"max_fragment": 60, "count": e.SeqLen() + 3})
		}
	}
	var answers []struct {
		Complete          bool     `json:"complete"`
		Failure           string   `json:"failure"`
		Type              string   `json:"type"`
		MasterFingerprint string   `json:"master_fingerprint"`
		Descriptors       []string `json:"descriptors"`
		Parts             []string `json:"parts"`
	}
	if e := interop.Node(t, "qr.mjs", map[string]any{"op": "batch", "requests": reqs}, &answers); e != "" {
		t.Fatalf("bc-ur: %s", e)
	}
	if len(answers) != len(reqs) {
		t.Fatalf("%d answers to %d requests", len(answers), len(reqs))
	}
	for i, c := range cases {
		for j, how := range []string{"one part", "fountain parts"} {
			got := answers[3*i+j]
			if !got.Complete || got.Failure != "" || got.Type != ur.TypeCryptoAccount || got.MasterFingerprint != "73c5da0a" ||
				strings.Join(got.Descriptors, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s, %s: bc-ur read %+v\nwant %s", c.name, how, got, strings.Join(c.want, "\n"))
			}
		}
		w := newCLI(t)
		w.env["SATCHEL_NETWORK"] = c.network
		w.ok("wallet", "import", "--ur", writeFile(t, "parts.txt", shuffledWithDuplicates(strings.Join(answers[3*i+2].Parts, "\n"), uint64(i))))
		var got walletInfo
		w.jsonOut(&got, "wallet", "info")
		if got.Descriptors != c.info.Descriptors || got.Fingerprint != c.info.Fingerprint {
			t.Errorf("%s: bc-ur's parts import as %+v, want %+v", c.name, got.Descriptors, c.info.Descriptors)
		}
	}
}
