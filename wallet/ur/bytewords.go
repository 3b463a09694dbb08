package ur

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// Style is one of the three ways of writing Bytewords.
type Style int

const (
	// Standard writes whole words separated by spaces: "able acid also".
	Standard Style = iota

	// URI writes whole words separated by hyphens: "able-acid-also".
	URI

	// Minimal writes the first and last letter of each word with no
	// separator: "aeadao". URs use this style.
	Minimal
)

// dictionary is the Bytewords word list, eight words a row: word i stands
// for byte i.
const dictionary = `
able acid also apex aqua arch atom aunt away axis back bald barn belt beta bias
blue body brag brew bulb buzz calm cash cats chef city claw code cola cook cost
crux curl cusp cyan dark data days deli dice diet door down draw drop drum dull
duty each easy echo edge epic even exam exit eyes fact fair fern figs film fish
fizz flap flew flux foxy free frog fuel fund gala game gear gems gift girl glow
good gray grim guru gush gyro half hang hard hawk heat help high hill holy hope
horn huts iced idea idle inch inky into iris iron item jade jazz join jolt jowl
judo jugs jump junk jury keep keno kept keys kick kiln king kite kiwi knob lamb
lava lazy leaf legs liar limp lion list logo loud love luau luck lung main many
math maze memo menu meow mild mint miss monk nail navy need news next noon note
numb obey oboe omit onyx open oval owls paid part peck play plus poem pool pose
puff puma purr quad quiz race ramp real redo rich road rock roof ruby ruin runs
rust safe saga scar sets silk skew slot soap solo song stub surf swan taco task
taxi tent tied time tiny toil tomb toys trip tuna twin ugly undo unit urge user
vast very veto vial vibe view visa void vows wall wand warm wasp wave waxy webs
what when whiz wolf work yank yawn yell yoga yurt zaps zero zest zinc zone zoom`

var (
	// wordList holds the 256 words in byte order.
	wordList [256]string

	// wordIndex maps a whole word to its byte.
	wordIndex = make(map[string]byte, 256)

	// minimalIndex maps a word's first and last letter ('a'..'z' each) to
	// its byte plus one; zero means no word.
	minimalIndex [26 * 26]uint16
)

func init() {
	fields := strings.Fields(dictionary)
	if len(fields) != 256 {
		panic("ur: the Bytewords dictionary must have 256 words")
	}
	for i, w := range fields {
		wordList[i] = w
		wordIndex[w] = byte(i)
		k := int(w[0]-'a')*26 + int(w[3]-'a')
		if minimalIndex[k] != 0 {
			panic("ur: two Bytewords share their first and last letters")
		}
		minimalIndex[k] = uint16(i) + 1
	}
}

// ErrBytewords is wrapped by every error of DecodeBytewords.
var ErrBytewords = errors.New("invalid bytewords")

// checksumLen is the length of the CRC-32 that ends every Bytewords text.
const checksumLen = 4

// EncodeBytewords writes data and its CRC-32 checksum as Bytewords in
// style, in lower case.
func EncodeBytewords(data []byte, style Style) string {
	full := appendChecksum(data)
	var b strings.Builder
	switch style {
	case Minimal:
		b.Grow(2 * len(full))
		for _, c := range full {
			w := wordList[c]
			b.WriteByte(w[0])
			b.WriteByte(w[3])
		}
	default:
		sep := byte(' ')
		if style == URI {
			sep = '-'
		}
		b.Grow(5 * len(full))
		for i, c := range full {
			if i > 0 {
				b.WriteByte(sep)
			}
			b.WriteString(wordList[c])
		}
	}
	return b.String()
}

// DecodeBytewords reads Bytewords written in style, in any letter case,
// checks the checksum and returns the data without it.
func DecodeBytewords(s string, style Style) ([]byte, error) {
	var out []byte
	switch style {
	case Minimal:
		if len(s)%2 != 0 {
			return nil, fmt.Errorf("%w: minimal bytewords come in letter pairs, "+
				"but there are %d letters", ErrBytewords, len(s))
		}
		out = make([]byte, 0, len(s)/2)
		for i := 0; i < len(s); i += 2 {
			a, b := lower(s[i]), lower(s[i+1])
			if a < 'a' || a > 'z' || b < 'a' || b > 'z' {
				return nil, fmt.Errorf("%w: %q at letter %d is not a "+
					"byteword", ErrBytewords, s[i:i+2], i+1)
			}
			v := minimalIndex[int(a-'a')*26+int(b-'a')]
			if v == 0 {
				return nil, fmt.Errorf("%w: %q at letter %d is not a "+
					"byteword", ErrBytewords, s[i:i+2], i+1)
			}
			out = append(out, byte(v-1))
		}
	default:
		sep := " "
		if style == URI {
			sep = "-"
		}
		for i, w := range strings.Split(s, sep) {
			c, ok := wordIndex[strings.ToLower(w)]
			if !ok {
				return nil, fmt.Errorf("%w: word %d %q is not a byteword",
					ErrBytewords, i+1, shorten(w))
			}
			out = append(out, c)
		}
	}
	return checkChecksum(out)
}

// appendChecksum returns data followed by its big-endian CRC-32.
func appendChecksum(data []byte) []byte {
	full := make([]byte, len(data), len(data)+checksumLen)
	copy(full, data)
	return binary.BigEndian.AppendUint32(full, crc32.ChecksumIEEE(data))
}

// checkChecksum splits the trailing CRC-32 off full and checks it.
func checkChecksum(full []byte) ([]byte, error) {
	if len(full) <= checksumLen {
		return nil, fmt.Errorf("%w: too short to hold data and a checksum",
			ErrBytewords)
	}
	data, sum := full[:len(full)-checksumLen], full[len(full)-checksumLen:]
	if crc32.ChecksumIEEE(data) != binary.BigEndian.Uint32(sum) {
		return nil, fmt.Errorf("%w: the checksum does not match (a letter "+
			"was misread or the text is cut short)", ErrBytewords)
	}
	return data, nil
}

// lower returns an ASCII letter in lower case.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// shorten cuts s to a length fit for an error message.
func shorten(s string) string {
	if len(s) > 20 {
		return s[:17] + "..."
	}
	return s
}
