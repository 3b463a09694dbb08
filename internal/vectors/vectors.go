// Package vectors reads the public test vectors kept under the
// repository's testdata folders, for the tests of packages other than the
// one that owns them.
package vectors

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// root is the repository's top folder.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// BIP174Valid returns the valid PSBTs of BIP174's test vectors
// (wallet/psbtx/testdata/bip174_vectors.json), in their order.
func BIP174Valid(tb testing.TB) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(root(), "wallet", "psbtx", "testdata", "bip174_vectors.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var v struct {
		Valid []struct {
			Hex string `json:"hex"`
		} `json:"valid"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, x := range v.Valid {
		if b, err := hex.DecodeString(x.Hex); err == nil && len(b) > 0 {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		tb.Fatal("no valid PSBT in BIP174's vectors")
	}
	return out
}
