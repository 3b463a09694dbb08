package keystore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/tyler-smith/go-bip39/wordlists"
)

// bip39Vector is one English vector of trezor/python-mnemonic's
// vectors.json: entropy, mnemonic, seed (passphrase "TREZOR") and the BIP32
// master xprv of that seed.
type bip39Vector struct {
	entropy, mnemonic, seed, xprv string
}

// loadBIP39Vectors reads testdata/bip39_vectors.json.
func loadBIP39Vectors(t testing.TB) []bip39Vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "bip39_vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		English [][4]string `json:"english"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.English) != 24 {
		t.Fatalf("got %d English vectors, want 24", len(file.English))
	}
	out := make([]bip39Vector, len(file.English))
	for i, v := range file.English {
		out[i] = bip39Vector{v[0], v[1], v[2], v[3]}
	}
	return out
}

// TestBIP39Vectors checks entropy -> mnemonic -> seed -> BIP32 master key
// against the reference vectors, with the passphrase "TREZOR".
func TestBIP39Vectors(t *testing.T) {
	for _, v := range loadBIP39Vectors(t) {
		name := strings.Join(strings.Fields(v.mnemonic)[:2], "_") + "_" +
			v.entropy[:8]
		t.Run(name, func(t *testing.T) {
			entropy, err := hex.DecodeString(v.entropy)
			if err != nil {
				t.Fatal(err)
			}
			m, err := mnemonicFromEntropy(entropy)
			if err != nil {
				t.Fatal(err)
			}
			if m != v.mnemonic {
				t.Fatalf("entropy %s gave mnemonic %q, want %q",
					v.entropy, m, v.mnemonic)
			}
			norm, err := NormalizeMnemonic(v.mnemonic)
			if err != nil || norm != v.mnemonic {
				t.Fatalf("NormalizeMnemonic = %q, %v", norm, err)
			}

			s, err := NewSecret(v.mnemonic, "TREZOR")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Zero()
			if !bytes.Equal(s.entropy, entropy) {
				t.Fatalf("secret entropy %x, want %s", s.entropy,
					v.entropy)
			}
			if s.Mnemonic() != v.mnemonic {
				t.Fatalf("Secret.Mnemonic = %q", s.Mnemonic())
			}
			seed, err := s.seed()
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(seed); got != v.seed {
				t.Fatalf("seed %s, want %s", got, v.seed)
			}

			signer, err := NewSigner(s, &chaincfg.MainNetParams)
			if err != nil {
				t.Fatal(err)
			}
			defer signer.Close()
			signer.mu.RLock()
			master, err := signer.derivePriv(nil)
			signer.mu.RUnlock()
			if err != nil {
				t.Fatal(err)
			}
			defer master.Zero()
			if got := master.String(); got != v.xprv {
				t.Fatalf("master key %s, want %s", got, v.xprv)
			}
		})
	}
}

// TestNormalizeMnemonicAccepts checks that the forms a person may type are
// read as the canonical mnemonic.
func TestNormalizeMnemonicAccepts(t *testing.T) {
	const want = "legal winner thank year wave sausage worth useful " +
		"legal winner thank yellow"
	tests := []struct {
		name, in string
	}{
		{"canonical", want},
		{"upper case", strings.ToUpper(want)},
		{"mixed case", "Legal WINNER thank Year wave sausage worth " +
			"useful legal winner thank YeLLoW"},
		{"extra spaces", "  legal   winner thank year wave sausage worth " +
			"useful legal winner   thank yellow  "},
		{"tabs and new lines", "legal\twinner\tthank\nyear\r\nwave " +
			"sausage\n\nworth useful\nlegal winner\tthank yellow\n"},
		{"no-break and ideographic spaces", "legal\u00a0winner\u3000" +
			"thank year wave sausage worth useful legal winner thank " +
			"yellow"},
		{"full-width letters", "ｌｅｇａｌ winner thank year wave " +
			"sausage worth useful legal winner thank yellow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeMnemonic(tc.in)
			if err != nil {
				t.Fatalf("NormalizeMnemonic: %v", err)
			}
			if got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		})
	}
}

// TestNormalizeMnemonicWordCount checks the error for every word count
// BIP39 does not define.
func TestNormalizeMnemonicWordCount(t *testing.T) {
	valid := "abandon abandon abandon abandon abandon abandon abandon " +
		"abandon abandon abandon abandon about"
	tests := []struct {
		name  string
		in    string
		count int
	}{
		{"empty", "", 0},
		{"blank", " \t\n ", 0},
		{"one word", "abandon", 1},
		{"eleven", strings.TrimSuffix(valid, " about"), 11},
		{"thirteen", valid + " abandon", 13},
		{"twenty-five", strings.Repeat("zoo ", 25), 25},
		{"comma separated", strings.ReplaceAll(valid, " ", ","), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NormalizeMnemonic(tc.in)
			var wce *WordCountError
			if !errors.As(err, &wce) {
				t.Fatalf("got %v, want a word count error", err)
			}
			if wce.Count != tc.count {
				t.Fatalf("Count = %d, want %d", wce.Count, tc.count)
			}
		})
	}

	_, err := NormalizeMnemonic(strings.TrimSuffix(valid, " about"))
	const wantMsg = "a mnemonic has 12, 15, 18, 21 or 24 words; this one " +
		"has 11"
	if err == nil || err.Error() != wantMsg {
		t.Fatalf("message %q, want %q", err, wantMsg)
	}
}

// TestNormalizeMnemonicUnknownWord checks that an unknown word is named by
// its position, with sensible suggestions.
func TestNormalizeMnemonicUnknownWord(t *testing.T) {
	words := strings.Fields("legal winner thank year wave sausage worth " +
		"useful legal winner thank yellow")

	t.Run("message", func(t *testing.T) {
		w := append([]string(nil), words...)
		w[6] = "abandn"
		_, err := NormalizeMnemonic(strings.Join(w, " "))
		var we *WordError
		if !errors.As(err, &we) {
			t.Fatalf("got %v, want a word error", err)
		}
		if we.Position != 7 || we.Word != "abandn" {
			t.Fatalf("got position %d word %q", we.Position, we.Word)
		}
		const want = `word 7 "abandn" is not in the BIP39 English word ` +
			`list (did you mean "abandon"?)`
		if err.Error() != want {
			t.Fatalf("message\n%s\nwant\n%s", err, want)
		}
	})

	tests := []struct {
		typo, want string
		first      bool // want must be the first suggestion
	}{
		{"abandn", "abandon", true},  // deletion
		{"abnadon", "abandon", true}, // transposition
		{"yelow", "yellow", true},    // deletion
		{"wavee", "wave", true},      // insertion
		{"sausag", "sausage", true},  // truncated
		{"usefull", "useful", true},  // insertion
		{"winnr", "winner", true},    // deletion
		{"wint", "winter", true},     // four-letter prefix of a word
		{"acount", "account", true},  // not "acoustic", which shares "acou"
		{"recieve", "receive", true}, // transposition, not "recipe"
		{"thenk", "thank", false},    // also "then" and "think"
		{"legl", "legal", false},     // also "leg"
	}
	for _, tc := range tests {
		t.Run(tc.typo, func(t *testing.T) {
			w := append([]string(nil), words...)
			w[11] = strings.ToUpper(tc.typo) // case must not matter
			_, err := NormalizeMnemonic(strings.Join(w, " "))
			var we *WordError
			if !errors.As(err, &we) {
				t.Fatalf("got %v, want a word error", err)
			}
			if we.Position != 12 || we.Word != tc.typo {
				t.Fatalf("got position %d word %q", we.Position, we.Word)
			}
			if len(we.Suggestions) == 0 || len(we.Suggestions) > 3 {
				t.Fatalf("suggestions %q", we.Suggestions)
			}
			if tc.first && we.Suggestions[0] != tc.want ||
				!slices.Contains(we.Suggestions, tc.want) {
				t.Fatalf("suggestions %q, want %q (first: %v)",
					we.Suggestions, tc.want, tc.first)
			}
		})
	}

	t.Run("nothing close", func(t *testing.T) {
		w := append([]string(nil), words...)
		w[0] = "qqqqqqqq"
		_, err := NormalizeMnemonic(strings.Join(w, " "))
		var we *WordError
		if !errors.As(err, &we) {
			t.Fatalf("got %v, want a word error", err)
		}
		if len(we.Suggestions) != 0 {
			t.Fatalf("suggestions %q for gibberish", we.Suggestions)
		}
		const want = `word 1 "qqqqqqqq" is not in the BIP39 English ` +
			`word list`
		if err.Error() != want {
			t.Fatalf("message %q, want %q", err, want)
		}
	})

	t.Run("several unknown words", func(t *testing.T) {
		w := append([]string(nil), words...)
		w[2] = "thenk"
		w[9] = "winnr"
		_, err := NormalizeMnemonic(strings.Join(w, " "))
		var we *WordError
		if !errors.As(err, &we) || we.Position != 3 {
			t.Fatalf("got %v, want the first unknown word, 3", err)
		}
		msg := err.Error()
		if !strings.Contains(msg, `word 3 "thenk"`) ||
			!strings.Contains(msg, `word 10 "winnr"`) {
			t.Fatalf("message %q does not name both words", msg)
		}
		if strings.Contains(msg, "\n") {
			t.Fatalf("message %q spans several lines", msg)
		}
	})

	t.Run("control characters are quoted", func(t *testing.T) {
		w := append([]string(nil), words...)
		w[0] = "leg\x1b[2Jal"
		_, err := NormalizeMnemonic(strings.Join(w, " "))
		if err == nil || strings.ContainsRune(err.Error(), 0x1b) {
			t.Fatalf("message %q carries a raw escape character", err)
		}
	})
}

// TestNormalizeMnemonicChecksum checks that valid words with a wrong
// checksum are refused with ErrBadChecksum.
func TestNormalizeMnemonicChecksum(t *testing.T) {
	tests := []string{
		// last word changed
		"abandon abandon abandon abandon abandon abandon abandon " +
			"abandon abandon abandon abandon abandon",
		// two words swapped
		"legal winner thank year wave sausage worth useful legal " +
			"winner yellow thank",
		"zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo " +
			"zoo zoo zoo zoo zoo zoo zoo zoo zoo",
	}
	for _, in := range tests {
		_, err := NormalizeMnemonic(in)
		if !errors.Is(err, ErrBadChecksum) {
			t.Errorf("%q: got %v, want ErrBadChecksum", in, err)
		}
	}
	if msg := ErrBadChecksum.Error(); !strings.Contains(msg,
		"checksum does not match") || !strings.Contains(msg, "order") {
		t.Errorf("checksum message %q does not explain the problem", msg)
	}
}

// TestNewMnemonic checks every supported length and the refusal of others.
func TestNewMnemonic(t *testing.T) {
	for _, n := range []int{12, 15, 18, 21, 24} {
		m, err := NewMnemonic(n)
		if err != nil {
			t.Fatalf("NewMnemonic(%d): %v", n, err)
		}
		if got := len(strings.Fields(m)); got != n {
			t.Fatalf("NewMnemonic(%d) has %d words", n, got)
		}
		if norm, err := NormalizeMnemonic(m); err != nil || norm != m {
			t.Fatalf("NewMnemonic(%d) = %q does not validate: %v", n, m,
				err)
		}
		other, _ := NewMnemonic(n)
		if other == m {
			t.Fatalf("NewMnemonic(%d) returned the same words twice", n)
		}
	}
	for _, n := range []int{-1, 0, 11, 13, 16, 25, 48} {
		if _, err := NewMnemonic(n); err == nil {
			t.Errorf("NewMnemonic(%d) succeeded", n)
		}
	}
}

// TestPassphraseNFKD checks that passphrases are NFKD-normalized as BIP39
// requires, so the same passphrase typed on different systems gives the
// same wallet, and that nothing else about it is changed.
func TestPassphraseNFKD(t *testing.T) {
	const mnemonic = "abandon abandon abandon abandon abandon abandon " +
		"abandon abandon abandon abandon abandon about"
	seedOf := func(pass string) string {
		t.Helper()
		s, err := NewSecret(mnemonic, pass)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Zero()
		seed, err := s.seed()
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(seed)
	}

	composed := seedOf("caf\u00e9")    // é as one code point
	decomposed := seedOf("cafe\u0301") // e + combining acute accent
	if composed != decomposed {
		t.Fatal("composed and decomposed é give different seeds")
	}
	if composed == seedOf("cafe") {
		t.Fatal("the accent was dropped")
	}

	// NFKD also folds compatibility forms: full-width TREZOR is TREZOR.
	const trezorSeed = "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e" +
		"9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c8" +
		"1b2f001698e7463b04"
	if got := seedOf("ＴＲＥＺＯＲ"); got != trezorSeed {
		t.Fatalf("full-width TREZOR seed %s, want %s", got, trezorSeed)
	}
	if seedOf("trezor") == trezorSeed || seedOf(" TREZOR") == trezorSeed {
		t.Fatal("case or spaces of the passphrase were changed")
	}

	s, err := NewSecret(mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.HasPassphrase() {
		t.Fatal("an empty passphrase counts as one")
	}
	s2, err := NewSecret(mnemonic, "x")
	if err != nil {
		t.Fatal(err)
	}
	if !s2.HasPassphrase() {
		t.Fatal("a passphrase is not reported")
	}

	if _, err := NewSecret(mnemonic, "bad\xffutf8"); err == nil {
		t.Fatal("a passphrase that is not UTF-8 was accepted")
	}
	if _, err := NewSecret(mnemonic, strings.Repeat("x",
		maxPassphraseLen+1)); err == nil {
		t.Fatal("an over-long passphrase was accepted")
	}
}

// TestSuggestWordsBounded checks that suggestions are always list words
// and that long input is not worked on.
func TestSuggestWordsBounded(t *testing.T) {
	for _, w := range []string{"a", "ab", "abc", "zzzz", "abandonabandon",
		"éèê", "aaaaaaaaaaaaaaaa"} {
		for _, s := range suggestWords(w) {
			if _, ok := englishIndex[s]; !ok {
				t.Fatalf("suggestion %q for %q is not a list word", s, w)
			}
		}
	}
	if got := suggestWords(strings.Repeat("a", maxSuggestWordLen+1)); got != nil {
		t.Fatalf("suggestions for a long word: %q", got)
	}
}

// TestEditDistance pins the distance used for suggestions.
func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"abandon", "abandon", 0},
		{"abandn", "abandon", 1},
		{"abnadon", "abandon", 1},
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // optimal string alignment, not full Damerau
		{"é", "e", 1},
	}
	for _, tc := range tests {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b,
				got, tc.want)
		}
	}
}

// FuzzNormalizeMnemonic checks that any input either normalizes to a
// valid, stable mnemonic or fails with one of the documented errors.
func FuzzNormalizeMnemonic(f *testing.F) {
	f.Add("abandon abandon abandon abandon abandon abandon abandon " +
		"abandon abandon abandon abandon about")
	f.Add("ZOO zoo\tzoo\nzoo zoo zoo zoo zoo zoo zoo zoo wrong")
	f.Add("abandon abandn")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeMnemonic(in)
		if err != nil {
			var wce *WordCountError
			var we *WordError
			switch {
			case errors.As(err, &wce):
				if entropyLenForWords(wce.Count) != 0 {
					t.Fatalf("count error for %d words", wce.Count)
				}
			case errors.As(err, &we):
				if we.Position < 1 || we.Position > 24 ||
					len(we.Suggestions) > 3 {
					t.Fatalf("bad word error %+v", we)
				}
				for _, s := range we.Suggestions {
					if _, ok := englishIndex[s]; !ok {
						t.Fatalf("suggestion %q not a list word", s)
					}
				}
			case errors.Is(err, ErrBadChecksum):
			default:
				t.Fatalf("unexpected error %v", err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		words := strings.Split(out, " ")
		if entropyLenForWords(len(words)) == 0 {
			t.Fatalf("accepted %d words", len(words))
		}
		for _, w := range words {
			if _, ok := englishIndex[w]; !ok {
				t.Fatalf("accepted unknown word %q", w)
			}
		}
		again, err := NormalizeMnemonic(out)
		if err != nil || again != out {
			t.Fatalf("not stable: %q -> %q, %v", out, again, err)
		}
	})
}

// TestWordListIsEnglish guards the assumption that go-bip39's default list
// is the English one this package indexes.
func TestWordListIsEnglish(t *testing.T) {
	if len(wordlists.English) != 2048 || wordlists.English[0] != "abandon" ||
		wordlists.English[2047] != "zoo" {
		t.Fatal("unexpected English word list")
	}
	m, err := mnemonicFromEntropy(make([]byte, 16))
	if err != nil || !strings.HasSuffix(m, " about") {
		t.Fatalf("go-bip39 is not using the English list: %q, %v", m, err)
	}
}
