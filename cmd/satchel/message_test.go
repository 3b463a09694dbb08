package main

import (
	"strings"
	"testing"
)

// Messages signed with every script type verify, in a data directory with
// no wallet and --offline; a changed message or another address does not.
func TestMessageSignVerify(t *testing.T) {
	verifier := newCLI(t)
	verifier.env["SATCHEL_NETWORK"] = "regtest"
	for _, st := range []string{"p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh"} {
		t.Run(st, func(t *testing.T) {
			c := newCLI(t)
			c.env["SATCHEL_PASSWORD"] = "pw"
			c.env["SATCHEL_NETWORK"] = "regtest"
			c.ok("--offline", "wallet", "restore", "--script-type", st, "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
			addr := walletAddr(t, c, 3)
			other := walletAddr(t, c, 4)
			sig := strings.TrimSpace(c.ok("--offline", "message", "sign", "--address", addr, "I own this address"))
			v := verifier.sub(t)
			if out := v.ok("--offline", "message", "verify", "--address", addr, "--signature", sig, "I own this address"); !strings.HasPrefix(out, "Valid:") {
				t.Errorf("verify printed %q", out)
			}
			v.fails("not valid", "--offline", "message", "verify", "--address", addr, "--signature", sig, "I own this address!")
			v.fails("not valid", "--offline", "message", "verify", "--address", other, "--signature", sig, "I own this address")
		})
	}
	c := newCLI(t)
	c.env["SATCHEL_PASSWORD"] = "pw"
	c.env["SATCHEL_NETWORK"] = "regtest"
	c.ok("--offline", "wallet", "restore", "--mnemonic-file", writeFile(t, "w", abandonMnemonic))
	c.fails("not an address of this wallet", "--offline", "message", "sign", "--address", "bcrt1q9vza2e8x573nczrlzms0wvx3gsqjx7vay85cr9", "x")
	c.fails("not a regtest address", "--offline", "message", "sign", "--address", "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l", "x")
	c.fails("--address", "--offline", "message", "sign", "x")
}

// BIP322's own vector verifies on mainnet, with no wallet.
func TestMessageVerifyBIP322Vector(t *testing.T) {
	c := newCLI(t)
	const addr = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
	c.ok("--offline", "message", "verify", "--address", addr, "--signature",
		"AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
		"Hello World")
	c.fails("not valid", "--offline", "message", "verify", "--address", addr, "--signature",
		"AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI=",
		"")
	c.fails("not valid", "--offline", "message", "verify", "--address", addr, "--signature", "garbage", "Hello World")
}
