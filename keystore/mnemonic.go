package keystore

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tyler-smith/go-bip39"
	"github.com/tyler-smith/go-bip39/wordlists"
	"golang.org/x/text/unicode/norm"
)

// englishIndex maps each BIP39 English word to its index. It is built from
// go-bip39's list directly, so it does not depend on that package's
// process-wide SetWordList.
var englishIndex = func() map[string]int {
	m := make(map[string]int, len(wordlists.English))
	for i, w := range wordlists.English {
		m[w] = i
	}
	return m
}()

// entropyLenForWords returns the entropy length in bytes that BIP39 pairs
// with a mnemonic of the given number of words, or 0 when the count is not
// one BIP39 defines.
func entropyLenForWords(words int) int {
	switch words {
	case 12, 15, 18, 21, 24:
		// Every 3 words carry 32 bits of entropy plus 1 checksum bit.
		return words / 3 * 4
	default:
		return 0
	}
}

// validEntropyLen reports whether n bytes is a BIP39 entropy length.
func validEntropyLen(n int) bool {
	return n >= 16 && n <= 32 && n%4 == 0
}

// NewMnemonic returns a new random BIP39 English mnemonic of the given
// number of words (12, 15, 18, 21 or 24). The entropy comes from
// crypto/rand.
func NewMnemonic(words int) (string, error) {
	n := entropyLenForWords(words)
	if n == 0 {
		return "", fmt.Errorf("a new mnemonic can have 12, 15, 18, 21 or "+
			"24 words, not %d", words)
	}
	entropy := make([]byte, n)
	defer zero(entropy)
	if _, err := rand.Read(entropy); err != nil {
		return "", fmt.Errorf("cannot read random numbers from the "+
			"operating system: %w", err)
	}
	return mnemonicFromEntropy(entropy)
}

// mnemonicFromEntropy encodes entropy as an English mnemonic.
func mnemonicFromEntropy(entropy []byte) (string, error) {
	if !validEntropyLen(len(entropy)) {
		return "", fmt.Errorf("entropy of %d bytes cannot be written as "+
			"a mnemonic", len(entropy))
	}
	return bip39.NewMnemonic(entropy)
}

// NormalizeMnemonic returns the canonical form of a BIP39 English mnemonic:
// lower-case, Unicode NFKD, words separated by single spaces. Any run of
// white space (spaces, tabs, new lines) separates words, so a phrase typed
// across several lines or in capitals is accepted.
//
// It fails with *WordCountError when the number of words is not 12, 15, 18,
// 21 or 24; with *WordError when a word is not in the list (several unknown
// words are reported together on one line, the first reachable with
// errors.As); and with ErrBadChecksum when the words are valid but the
// checksum is not.
func NormalizeMnemonic(s string) (string, error) {
	words, entropy, err := parseMnemonic(s)
	if err != nil {
		return "", err
	}
	zero(entropy)
	return strings.Join(words, " "), nil
}

// CheckWord checks one word of a mnemonic typed at position (1-based) and
// returns it in canonical form (lower-case, NFKD). A word of four letters or
// more that begins exactly one BIP39 word stands for that word, since BIP39
// English words are unique in their first four letters and some backups
// hold only those. Anything else fails with a *WordError that offers the
// closest list words.
func CheckWord(w string, position int) (string, error) {
	w = strings.TrimSpace(norm.NFKD.String(strings.ToLower(w)))
	if _, ok := englishIndex[w]; ok {
		return w, nil
	}
	if utf8.RuneCountInString(w) >= 4 && !strings.ContainsAny(w, " \t") {
		var found []string
		for _, lw := range wordlists.English {
			if strings.HasPrefix(lw, w) {
				found = append(found, lw)
			}
		}
		if len(found) == 1 {
			return found[0], nil
		}
	}
	return "", &WordError{Position: position, Word: w,
		Suggestions: suggestWords(w)}
}

// parseMnemonic normalizes and validates s and returns its words and the
// entropy they encode. The caller should zero the entropy when done.
func parseMnemonic(s string) ([]string, []byte, error) {
	words := strings.Fields(norm.NFKD.String(strings.ToLower(s)))
	if entropyLenForWords(len(words)) == 0 {
		return nil, nil, &WordCountError{Count: len(words)}
	}

	var errs []error
	for i, w := range words {
		if _, ok := englishIndex[w]; !ok {
			errs = append(errs, &WordError{
				Position:    i + 1,
				Word:        w,
				Suggestions: suggestWords(w),
			})
		}
	}
	switch len(errs) {
	case 0:
	case 1:
		return nil, nil, errs[0]
	default:
		return nil, nil, wordErrors(errs)
	}

	entropy, err := entropyFromWords(words)
	if err != nil {
		return nil, nil, err
	}
	return words, entropy, nil
}

// entropyFromWords decodes validated English words into entropy and checks
// the BIP39 checksum by re-encoding the entropy with go-bip39: the words
// are valid exactly when go-bip39 produces them again.
func entropyFromWords(words []string) ([]byte, error) {
	n := entropyLenForWords(len(words))
	// 11 bits per word; the last len(words)/3 bits are the checksum.
	bits := make([]byte, (len(words)*11+7)/8)
	defer zero(bits)
	for i, w := range words {
		idx := englishIndex[w]
		for j := 0; j < 11; j++ {
			if idx&(1<<(10-j)) != 0 {
				pos := i*11 + j
				bits[pos/8] |= 1 << (7 - pos%8)
			}
		}
	}
	entropy := make([]byte, n)
	copy(entropy, bits[:n])

	want, err := mnemonicFromEntropy(entropy)
	if err != nil {
		zero(entropy)
		return nil, err
	}
	if want != strings.Join(words, " ") {
		zero(entropy)
		return nil, ErrBadChecksum
	}
	return entropy, nil
}

// maxSuggestWordLen bounds the words for which suggestions are computed;
// BIP39 words have at most 8 letters, so anything much longer is not a
// typo of one, and the bound keeps the work small on hostile input.
const maxSuggestWordLen = 16

// suggestWords returns up to three BIP39 words close to w, best first.
//
// BIP39 English words are unique in their first four letters, and some
// wallets let people type just those, so a word that w (of four letters or
// more) begins is surely meant and comes first. Other candidates are ranked
// by edit distance (a transposition counts as one edit), then by the length
// of the prefix they share with w; words sharing w's first four letters are
// candidates even when further away.
func suggestWords(w string) []string {
	n := utf8.RuneCountInString(w)
	if n == 0 || n > maxSuggestWordLen {
		return nil
	}
	maxDist := 1
	if n >= 5 {
		maxDist = 2
	}

	type candidate struct {
		word   string
		tier   int // 0: w is a prefix of word; 1: close
		dist   int
		prefix int
	}
	wr := []rune(w)
	var ed editDistancer
	var cands []candidate
	for _, lw := range wordlists.English {
		prefix := commonPrefixLen(w, lw)
		var tier int
		switch {
		case n >= 4 && prefix == n:
			tier = 0
		case prefix >= 4, n >= 3 && prefix == n:
			tier = 1
		default:
			// The length difference bounds the distance from below,
			// which spares computing it for most of the list.
			if abs(len(lw)-n) > maxDist {
				continue
			}
			tier = 1
		}
		dist := ed.distance(wr, lw)
		if tier == 1 && dist > maxDist && prefix < 4 &&
			!(n >= 3 && prefix == n) {
			continue
		}
		cands = append(cands, candidate{lw, tier, dist, prefix})
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.tier != b.tier {
			return a.tier < b.tier
		}
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.prefix != b.prefix {
			return a.prefix > b.prefix
		}
		return a.word < b.word
	})
	if len(cands) > 3 {
		cands = cands[:3]
	}
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = c.word
	}
	return out
}

// commonPrefixLen returns how many leading runes a and b share.
func commonPrefixLen(a, b string) int {
	n := 0
	for len(a) > 0 && len(b) > 0 {
		ra, sa := utf8.DecodeRuneInString(a)
		rb, sb := utf8.DecodeRuneInString(b)
		if ra != rb {
			break
		}
		n++
		a, b = a[sa:], b[sb:]
	}
	return n
}

// editDistance returns the optimal string alignment distance between a and
// b: the number of insertions, deletions, substitutions and transpositions
// of adjacent runes needed to turn one into the other.
func editDistance(a, b string) int {
	var ed editDistancer
	return ed.distance([]rune(a), b)
}

// editDistancer computes edit distances, reusing its buffers between
// calls.
type editDistancer struct {
	b                []rune
	prev2, prev, cur []int
}

// distance returns the optimal string alignment distance between a and b.
func (ed *editDistancer) distance(a []rune, b string) int {
	ed.b = append(ed.b[:0], []rune(b)...)
	rb := ed.b
	if cap(ed.cur) < len(rb)+1 {
		ed.prev2 = make([]int, len(rb)+1)
		ed.prev = make([]int, len(rb)+1)
		ed.cur = make([]int, len(rb)+1)
	}
	// Three rolling rows: two back (for transpositions), previous, current.
	prev2, prev, cur := ed.prev2[:len(rb)+1], ed.prev[:len(rb)+1],
		ed.cur[:len(rb)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if a[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == rb[j-2] && a[i-2] == rb[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// abs returns the absolute value of x.
func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// normalizePassphrase returns the NFKD form of a BIP39 passphrase, which is
// what BIP39 feeds to PBKDF2. Nothing else is changed: case and spaces are
// significant in a passphrase.
func normalizePassphrase(p string) (string, error) {
	if !utf8.ValidString(p) {
		return "", errors.New("the passphrase is not valid text (UTF-8)")
	}
	p = norm.NFKD.String(p)
	if len(p) > maxPassphraseLen {
		return "", fmt.Errorf("the passphrase is too long: at most %d "+
			"bytes are allowed", maxPassphraseLen)
	}
	return p, nil
}
