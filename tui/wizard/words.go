package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/v2"
	"github.com/tyler-smith/go-bip39/wordlists"

	"github.com/satchelbtc/satchel/keystore"
	core "github.com/satchelbtc/satchel/wallet"
)

// maxMatches is how many completions the word fields list.
const maxMatches = 6

// phraseLengths are the word counts BIP39 defines.
var phraseLengths = []int{12, 15, 18, 21, 24}

// maxWords is the longest phrase.
const maxWords = 24

// bip39Words holds the English list for membership tests. It is built once
// from go-bip39's list and never changed.
var bip39Words = func() map[string]bool {
	m := make(map[string]bool, len(wordlists.English))
	for _, w := range wordlists.English {
		m[w] = true
	}
	return m
}()

// normalizeWord is how a typed word is compared with the list: trimmed and
// lower-case (the English list is plain ASCII).
func normalizeWord(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// isWord reports whether w is a BIP39 English word.
func isWord(w string) bool { return bip39Words[normalizeWord(w)] }

// matches returns up to limit BIP39 words that start with prefix, in list
// order, and how many there are in all. An empty prefix matches nothing.
func matches(prefix string, limit int) ([]string, int) {
	prefix = normalizeWord(prefix)
	if prefix == "" {
		return nil, 0
	}
	var out []string
	n := 0
	for _, w := range wordlists.English {
		if strings.HasPrefix(w, prefix) {
			if len(out) < limit {
				out = append(out, w)
			}
			n++
		}
	}
	return out, n
}

// unknownWord returns the keystore's report for w at 1-based position pos
// when w is not a BIP39 word, with the closest list words as suggestions,
// or nil when it is one. Four letters that begin one word only are not that
// word yet here: the word is its only suggestion.
func unknownWord(w string, pos int) *keystore.WordError {
	w = normalizeWord(w)
	if w == "" || isWord(w) || len(strings.Fields(w)) != 1 {
		return nil
	}
	full, err := keystore.CheckWord(w, pos)
	var we *keystore.WordError
	switch {
	case err == nil:
		return &keystore.WordError{Position: pos, Word: w, Suggestions: []string{full}}
	case errors.As(err, &we):
		return we
	}
	return &keystore.WordError{Position: pos, Word: w}
}

// isPhraseLength reports whether n words make a BIP39 phrase.
func isPhraseLength(n int) bool {
	for _, l := range phraseLengths {
		if n == l {
			return true
		}
	}
	return false
}

// checkState is what the live check says about the restored words.
type checkState int

const (
	checkNone  checkState = iota // no words yet
	checkCount                   // not a phrase length yet
	checkOK                      // a valid phrase
	checkBad                     // a phrase length, but the checksum fails
)

// checkPhrase checks known words as a phrase.
func checkPhrase(words []string) checkState {
	switch {
	case len(words) == 0:
		return checkNone
	case !isPhraseLength(len(words)):
		return checkCount
	}
	if _, err := keystore.NormalizeMnemonic(strings.Join(words, " ")); err != nil {
		return checkBad
	}
	return checkOK
}

// scriptChoice is one entry of the script type list.
type scriptChoice struct {
	st   core.ScriptType
	name string
}

// scriptChoices lists the script types, the default first.
var scriptChoices = []scriptChoice{
	{core.P2WPKH, "Native SegWit p2wpkh (BIP84)"},
	{core.P2TR, "Taproot p2tr (BIP86)"},
	{core.P2SHP2WPKH, "Nested SegWit p2sh-p2wpkh (BIP49)"},
	{core.P2PKH, "Legacy p2pkh (BIP44)"},
}

// scriptName returns the list's name for st.
func scriptName(st core.ScriptType) string {
	switch st {
	case core.P2WSH:
		return "native SegWit p2wsh"
	case core.P2SHP2WSH:
		return "nested SegWit p2sh-p2wsh"
	}
	for _, c := range scriptChoices {
		if c.st == st {
			return c.name
		}
	}
	return st.String()
}

// scriptHint says what the addresses of st look like on net and when to
// choose it.
func scriptHint(st core.ScriptType, net *chaincfg.Params) string {
	mainnet := net == nil || net.Name == chaincfg.MainNetParams.Name
	hrp := "bc"
	if net != nil && net.Bech32HRPSegwit != "" {
		hrp = net.Bech32HRPSegwit
	}
	switch st {
	case core.P2WPKH:
		return hrp + "1q… addresses; low fees, paid to by almost every wallet"
	case core.P2TR:
		return hrp + "1p… addresses; lowest fees, a few old wallets cannot pay to them"
	case core.P2SHP2WPKH:
		if mainnet {
			return "3… addresses; for senders that cannot pay to " + hrp + "1 addresses"
		}
		return "2… addresses; for senders that cannot pay to " + hrp + "1 addresses"
	case core.P2PKH:
		if mainnet {
			return "1… addresses; the oldest kind, highest fees"
		}
		return "m… or n… addresses; the oldest kind, highest fees"
	}
	return ""
}

// The word grid: each cell is "24. " and the longest BIP39 word (8
// letters); cells are gridGap apart, the grid gridIndent from the left.
const (
	gridCell   = 12
	gridGap    = 3
	gridIndent = 2
)

// wordGrid lays out numbered words in columns read top to bottom, as many
// columns (at most 4) as fit in w cells, first number first.
func wordGrid(words []string, first, w int) []string {
	if len(words) == 0 {
		return nil
	}
	cols := max(min(4, (w-gridIndent+gridGap)/(gridCell+gridGap)), 1)
	rows := (len(words) + cols - 1) / cols
	out := make([]string, rows)
	for r := range rows {
		var b strings.Builder
		b.WriteString(strings.Repeat(" ", gridIndent))
		for c := range cols {
			i := c*rows + r
			if i >= len(words) {
				break
			}
			if c > 0 {
				b.WriteString(strings.Repeat(" ", gridGap))
			}
			fmt.Fprintf(&b, "%2d. %-8s", first+i, words[i])
		}
		out[r] = strings.TrimRight(b.String(), " ")
	}
	return out
}
