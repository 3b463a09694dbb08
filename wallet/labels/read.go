package labels

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil/v2"
)

// utf8BOM is the byte order mark some Windows tools put before UTF-8 text.
var utf8BOM = []byte("\xef\xbb\xbf")

// Read parses a BIP329 export: one JSON object per line, lines separated by
// "\n" (a "\r" before it is ignored). Blank lines are skipped, and so is a
// UTF-8 byte order mark at the start.
//
// Each record must have a string "type" and "ref". Records whose type BIP329
// does not define are skipped, as the BIP asks of importers, so that exports
// from newer wallets still import. Every other record must pass
// Label.Validate; fields no one defined are ignored. Keys must not repeat
// and field values must have the JSON type the BIP gives them ("spendable":
// "false", in quotes, is an error, not a string that is true).
//
// References are normalized: transaction ids and public keys to lower case,
// indexes to plain decimal.
//
// The first problem stops the import: the error is a *LineError naming the
// line, wrapping an *Error, except for errors from r itself, which are
// wrapped as they are.
func Read(r io.Reader) ([]Label, error) {
	sc := bufio.NewScanner(r)
	// Room for the longest line plus "\r\n"; longer lines are checked
	// below, or fail the scan with bufio.ErrTooLong.
	sc.Buffer(make([]byte, 0, 4096), MaxLineLength+2)

	var (
		labels []Label
		n      int
	)
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if n == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if len(line) > MaxLineLength {
			return nil, &LineError{Line: n, Err: tooLong()}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		l, ok, err := parseLine(line)
		if err != nil {
			return nil, &LineError{Line: n, Err: err}
		}
		if ok {
			labels = append(labels, l)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &LineError{Line: n + 1, Err: tooLong()}
		}
		return nil, fmt.Errorf("reading labels: %w", err)
	}
	return labels, nil
}

func tooLong() error {
	return ruleError(ErrLineTooLong,
		"the line is longer than %d KiB; a label record is never that long", MaxLineLength>>10)
}

// parseLine decodes and validates one non-blank line. ok is false for a
// record of a type BIP329 does not define, which the caller skips.
func parseLine(line []byte) (l Label, ok bool, err error) {
	if !utf8.Valid(line) {
		return l, false, ruleError(ErrNotUTF8, "the line is not UTF-8 text")
	}
	fields, err := splitObject(line)
	if err != nil {
		return l, false, err
	}

	var typ string
	if err := field(fields, "type", &typ, "a string", true); err != nil {
		return l, false, err
	}
	l.Type = Type(typ)
	if !l.Type.Known() {
		return l, false, nil
	}
	if err := field(fields, "ref", &l.Ref, "a string", true); err != nil {
		return l, false, err
	}

	var fee, value *int64
	var height *int64
	for _, f := range []struct {
		name string
		dst  any
		want string
	}{
		{"label", &l.Label, "a string"},
		{"origin", &l.Origin, "a string"},
		{"spendable", &l.Spendable, "true or false, without quotes"},
		{"height", &height, "a block height, a whole number"},
		{"time", &l.Time, "a string"},
		{"fee", &fee, "a whole number of satoshis"},
		{"value", &value, "a whole number of satoshis"},
		{"rate", &l.Rate, `an object of currency codes and numbers, like {"USD": 105620.00}`},
		{"keypath", &l.Keypath, "a string"},
		{"fmv", &l.FMV, `an object of currency codes and numbers, like {"USD": 1233.45}`},
		{"heights", &l.Heights, "a list of block heights, like [800000, 800123]"},
	} {
		if err := field(fields, f.name, f.dst, f.want, false); err != nil {
			return l, false, err
		}
	}
	// An empty object says nothing; keep it as "not given" so that the
	// label reads the same after Write, which leaves it out.
	if len(l.Rate) == 0 {
		l.Rate = nil
	}
	if len(l.FMV) == 0 {
		l.FMV = nil
	}
	if height != nil {
		if *height < 0 || *height > 1<<32-1 {
			return l, false, ruleError(ErrFieldType, `"height" must be a block height, a whole number`)
		}
		l.Height = uint32(*height)
	}
	if fee != nil {
		a := btcutil.Amount(*fee)
		l.Fee = &a
	}
	if value != nil {
		a := btcutil.Amount(*value)
		l.Value = &a
	}

	if err := l.Validate(); err != nil {
		return l, false, err
	}
	l.normalize()
	return l, true, nil
}

// splitObject parses line as exactly one JSON object and returns its
// members, keeping the exact spelling of each key and refusing duplicates.
func splitObject(line []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, ruleError(ErrNotObject,
			`the line is not a JSON object: each line must look like {"type": "tx", "ref": "...", "label": "..."}`)
	}
	fields := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(err)
		}
		key, _ := tok.(string) // inside an object, the decoder only yields string keys here
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxError(err)
		}
		if _, dup := fields[key]; dup {
			return nil, ruleError(ErrDuplicateKey, "the key %s appears twice", quote(key))
		}
		fields[key] = raw
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, syntaxError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ruleError(ErrSyntax, "the line holds more than one JSON value; put each record on its own line")
	}
	return fields, nil
}

// syntaxError turns a JSON decoding error into an *Error.
func syntaxError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ruleError(ErrSyntax, "the JSON object is cut off; a record must fit on one line")
	}
	return ruleError(ErrSyntax, "the line is not valid JSON: %v", err)
}

// field decodes the member name of fields into dst. A missing member, or a
// null, leaves dst alone, which is an error only when required. want
// describes the expected value for the error message.
func field(fields map[string]json.RawMessage, name string, dst any, want string, required bool) error {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		if required {
			return ruleError(ErrMissingField, "the record has no %q: every record needs \"type\" and \"ref\"", name)
		}
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return ruleError(ErrFieldType, "%q must be %s", name, want)
	}
	return nil
}
