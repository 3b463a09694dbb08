package wallet

import (
	"errors"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
)

// testNets maps the --network names to chain parameters.
var testNets = map[string]*chaincfg.Params{
	"mainnet":  &chaincfg.MainNetParams,
	"testnet":  &chaincfg.TestNet3Params,
	"testnet4": &chaincfg.TestNet4Params,
	"signet":   &chaincfg.SigNetParams,
	"regtest":  &chaincfg.RegressionNetParams,
}

func TestParseScriptType(t *testing.T) {
	tests := []struct {
		in      string
		want    ScriptType
		purpose uint32
	}{
		{"p2pkh", P2PKH, 44},
		{"p2sh-p2wpkh", P2SHP2WPKH, 49},
		{"p2wpkh", P2WPKH, 84},
		{"p2tr", P2TR, 86},
		{"P2WPKH", P2WPKH, 84},
		{"P2Sh-P2wpkh", P2SHP2WPKH, 49},
		{" p2tr\n", P2TR, 86},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseScriptType(tc.in)
			if err != nil {
				t.Fatalf("ParseScriptType(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("ParseScriptType(%q) = %v, want %v", tc.in, got, tc.want)
			}
			if got.Purpose() != tc.purpose {
				t.Errorf("%v.Purpose() = %d, want %d", got, got.Purpose(), tc.purpose)
			}
			back, err := ParseScriptType(got.String())
			if err != nil || back != got {
				t.Errorf("round trip of %v gave %v, %v", got, back, err)
			}
		})
	}
}

func TestParseScriptTypeErrors(t *testing.T) {
	for _, in := range []string{"", "p2wsh", "segwit", "p2sh", "wpkh", "p2tr2"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseScriptType(in)
			if !errors.Is(err, ErrUnknownScriptType) {
				t.Fatalf("ParseScriptType(%q) error = %v, want ErrUnknownScriptType", in, err)
			}
		})
	}
	_, err := ParseScriptType("p2wsh")
	want := `unknown script type "p2wsh": use p2wpkh, p2tr, p2sh-p2wpkh or p2pkh`
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

func TestScriptTypeStringUnknown(t *testing.T) {
	if got := ScriptType(0).String(); got != "ScriptType(0)" {
		t.Errorf("ScriptType(0).String() = %q", got)
	}
	if got := ScriptType(9).Purpose(); got != 0 {
		t.Errorf("ScriptType(9).Purpose() = %d, want 0", got)
	}
}

func TestAccountPath(t *testing.T) {
	const h = hdkeychain.HardenedKeyStart
	tests := []struct {
		net     string
		t       ScriptType
		account uint32
		want    string
	}{
		{"mainnet", P2WPKH, 0, "m/84h/0h/0h"},
		{"mainnet", P2PKH, 0, "m/44h/0h/0h"},
		{"mainnet", P2SHP2WPKH, 3, "m/49h/0h/3h"},
		{"mainnet", P2TR, 0, "m/86h/0h/0h"},
		{"testnet", P2WPKH, 0, "m/84h/1h/0h"},
		{"testnet4", P2TR, 1, "m/86h/1h/1h"},
		{"signet", P2PKH, 0, "m/44h/1h/0h"},
		{"regtest", P2WPKH, 0, "m/84h/1h/0h"},
	}
	for _, tc := range tests {
		t.Run(tc.net+"/"+tc.t.String(), func(t *testing.T) {
			p := AccountPath(tc.t, testNets[tc.net], tc.account)
			if got := FormatPath(p); got != tc.want {
				t.Errorf("AccountPath = %s, want %s", got, tc.want)
			}
			if !slices.Equal(p, []uint32{tc.t.Purpose() + h, testNets[tc.net].HDCoinType + h, tc.account + h}) {
				t.Errorf("AccountPath = %v", p)
			}
		})
	}
}
