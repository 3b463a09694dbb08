package labels

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/btcsuite/btcd/btcutil/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const (
	txid1 = "f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd"
	txid2 = "f546156d9044844e02b181026a1a407abfca62e7ea1159f87bbeaa77b4286c74"
	xpub  = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
	pub33 = "0283409659355b6d1cc3c32decd5d561abaac86c37a353b52895a5e6c196d6f448"
)

func ptr[T any](v T) *T { return &v }

// bip329Example is what the BIP329 test vector export holds.
var bip329Example = []Label{
	{Type: TypeTx, Ref: txid1, Label: "Transaction", Origin: "wpkh([d34db33f/84'/0'/0'])"},
	{Type: TypeAddr, Ref: "bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c", Label: "Address"},
	{Type: TypePubkey, Ref: pub33, Label: "Public Key"},
	{Type: TypeInput, Ref: txid1 + ":0", Label: "Input"},
	{Type: TypeOutput, Ref: txid1 + ":1", Label: "Output", Spendable: ptr(false)},
	{Type: TypeXpub, Ref: xpub, Label: "Extended Public Key"},
	{Type: TypeTx, Ref: txid2, Label: "Account #1 Transaction", Origin: "wpkh([d34db33f/84'/0'/1'])"},
}

// allFields uses every field, the BIP329 additional ones included.
var allFields = []Label{
	{Type: TypeTx, Ref: txid1, Label: "Salary <March> & bonus", Origin: "wpkh([d34db33f/84'/0'/0'])",
		Height: 800_000, Time: "2025-01-23T11:40:35Z", Fee: ptr(btcutil.Amount(1_410)),
		Value: ptr(btcutil.Amount(-250_000)), Rate: map[string]json.Number{"USD": "105620.00", "EUR": "98000.5"}},
	{Type: TypeOutput, Ref: txid1 + ":1", Label: "change, frozen", Spendable: ptr(false), Keypath: "/1/123",
		Value: ptr(btcutil.Amount(0)), FMV: map[string]json.Number{"USD": "1233.45"}, Height: 800_000},
	{Type: TypeAddr, Ref: "bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c", Heights: []uint32{}},
	{Type: TypeAddr, Ref: "bc1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5fcj4z3", Label: "日本語 \"quoted\"\nsecond line", Heights: []uint32{800_000, 800_123}},
	{Type: TypeXpub, Ref: xpub},
}

func TestReadBIP329Example(t *testing.T) {
	f, err := os.Open("testdata/bip329_example.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Read(f)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !reflect.DeepEqual(got, bip329Example) {
		t.Fatalf("Read =\n%#v\nwant\n%#v", got, bip329Example)
	}
}

func TestWrite(t *testing.T) {
	for name, labels := range map[string][]Label{"bip329_example": bip329Example, "all_fields": allFields} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, labels); err != nil {
				t.Fatalf("Write: %v", err)
			}
			golden := filepath.Join("testdata", "TestWrite", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("Write output differs from %s:\n%s", golden, buf.Bytes())
			}

			got, err := Read(&buf)
			if err != nil {
				t.Fatalf("Read of Write output: %v", err)
			}
			if !reflect.DeepEqual(got, labels) {
				t.Fatalf("round trip =\n%#v\nwant\n%#v", got, labels)
			}
		})
	}
}

func TestWriteFieldOrder(t *testing.T) {
	var buf bytes.Buffer
	l := Label{Type: TypeOutput, Ref: txid1 + ":7", Label: "a<b>&c", Origin: "o", Spendable: ptr(true),
		Height: 1, Time: "t", Fee: ptr(btcutil.Amount(2)), Value: ptr(btcutil.Amount(3)),
		Rate: map[string]json.Number{"USD": "1", "CHF": "2"}, Keypath: "/0/1",
		FMV: map[string]json.Number{"USD": "4"}, Heights: []uint32{5}}
	if err := Write(&buf, []Label{l, {Type: TypeTx, Ref: txid2}}); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"output","ref":"` + txid1 + `:7","label":"a<b>&c","origin":"o","spendable":true,` +
		`"height":1,"time":"t","fee":2,"value":3,"rate":{"CHF":2,"USD":1},"keypath":"/0/1","fmv":{"USD":4},"heights":[5]}` + "\n" +
		`{"type":"tx","ref":"` + txid2 + `"}` + "\n"
	if buf.String() != want {
		t.Fatalf("Write =\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestWriteRejects(t *testing.T) {
	tests := []struct {
		name string
		l    Label
		code ErrorCode
		msg  string
	}{
		{"unknown type", Label{Type: "foo", Ref: "x"}, ErrUnknownType,
			`label 2: unknown type "foo": use tx, addr, pubkey, input, output or xpub`},
		{"empty type", Label{Ref: "x"}, ErrUnknownType,
			`label 2: unknown type "": use tx, addr, pubkey, input, output or xpub`},
		{"bad txid", Label{Type: TypeTx, Ref: "abc"}, ErrInvalidRef,
			`label 2: tx ref "abc" is not a transaction id (64 hex digits)`},
		{"label too long", Label{Type: TypeAddr, Ref: "a", Label: strings.Repeat("é", 256)}, ErrLabelTooLong,
			`label 2: the label of addr "a" is 256 characters long, more than the 255 allowed: shorten it`},
		{"spendable on an input", Label{Type: TypeInput, Ref: txid1 + ":0", Spendable: ptr(true)}, ErrSpendableNotOutput,
			`label 2: "spendable" is only allowed on output records, not on input`},
		{"negative fee", Label{Type: TypeTx, Ref: txid1, Fee: ptr(btcutil.Amount(-1))}, ErrFieldType,
			`label 2: "fee" -1 is not a possible fee in satoshis`},
		{"bad rate", Label{Type: TypeTx, Ref: txid1, Rate: map[string]json.Number{"USD": "1,000"}}, ErrFieldType,
			`label 2: "rate" for "USD" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, []Label{{Type: TypeTx, Ref: txid1}, tt.l})
			if !IsErrorCode(err, tt.code) {
				t.Fatalf("Write error %v, want code %v", err, tt.code)
			}
			if err.Error() != tt.msg {
				t.Errorf("Write error:\n got %s\nwant %s", err, tt.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %q before failing", buf.String())
			}
		})
	}
}

func TestReadAccepts(t *testing.T) {
	long := `{"type":"addr","ref":"a","pad":"`
	long += strings.Repeat("x", MaxLineLength-len(long)-2) + `"}`
	tests := []struct {
		name string
		in   string
		want []Label
	}{
		{"empty input", "", nil},
		{"only blank lines", "\n  \n\t\r\n", nil},
		{"no final newline", `{"type":"tx","ref":"` + txid1 + `"}`, []Label{{Type: TypeTx, Ref: txid1}}},
		{"CRLF line ends and blank lines", "\r\n" + `{"type":"tx","ref":"` + txid1 + `"}` + "\r\n\r\n" +
			`{"type":"xpub","ref":"` + xpub + `"}` + "\r\n",
			[]Label{{Type: TypeTx, Ref: txid1}, {Type: TypeXpub, Ref: xpub}}},
		{"byte order mark", "\xef\xbb\xbf" + `{"type":"tx","ref":"` + txid1 + `"}`, []Label{{Type: TypeTx, Ref: txid1}}},
		{"unknown fields ignored", `{"type":"addr","ref":"a","color":"red","nested":{"x":[1,{"y":null}]},"Label":"other key"}`,
			[]Label{{Type: TypeAddr, Ref: "a"}}},
		{"unknown types skipped, as BIP329 asks", `{"type":"foo","ref":""}` + "\n" + `{"type":"psbt"}` + "\n" +
			`{"type":"addr","ref":"a","label":"kept"}`, []Label{{Type: TypeAddr, Ref: "a", Label: "kept"}}},
		{"null optional fields", `{"type":"output","ref":"` + txid1 + `:0","label":null,"spendable":null,"fee":null}`,
			[]Label{{Type: TypeOutput, Ref: txid1 + ":0"}}},
		{"spendable true", `{"type":"output","ref":"` + txid1 + `:4294967295","spendable":true}`,
			[]Label{{Type: TypeOutput, Ref: txid1 + ":4294967295", Spendable: ptr(true)}}},
		{"references normalized", `{"type":"tx","ref":"` + strings.ToUpper(txid1) + `"}` + "\n" +
			`{"type":"input","ref":"` + strings.ToUpper(txid2) + `:007"}` + "\n" +
			`{"type":"pubkey","ref":"` + strings.ToUpper(pub33) + `"}`,
			[]Label{{Type: TypeTx, Ref: txid1}, {Type: TypeInput, Ref: txid2 + ":7"}, {Type: TypePubkey, Ref: pub33}}},
		{"x-only and uncompressed public keys", `{"type":"pubkey","ref":"` + strings.Repeat("ab", 32) + `"}` + "\n" +
			`{"type":"pubkey","ref":"04` + strings.Repeat("cd", 64) + `"}`,
			[]Label{{Type: TypePubkey, Ref: strings.Repeat("ab", 32)}, {Type: TypePubkey, Ref: "04" + strings.Repeat("cd", 64)}}},
		{"label of exactly 255 characters", `{"type":"addr","ref":"a","label":"` + strings.Repeat("₿", 255) + `"}`,
			[]Label{{Type: TypeAddr, Ref: "a", Label: strings.Repeat("₿", 255)}}},
		{"escaped text", `{"type":"addr","ref":"a","label":"tab\there \u00e9 \"q\" \\ \ud83d\ude80"}`,
			[]Label{{Type: TypeAddr, Ref: "a", Label: "tab\there é \"q\" \\ 🚀"}}},
		{"additional fields", `{"type":"tx","ref":"` + txid1 + `","height":800000,"time":"2025-01-23T11:40:35Z",` +
			`"fee":1410,"value":-250000,"rate":{"USD":105620.00,"EUR":"98000.5"}}` + "\n" +
			`{"type":"output","ref":"` + txid1 + `:1","value":0,"keypath":"/1/123","fmv":{"USD":1233.45}}` + "\n" +
			`{"type":"addr","ref":"a","heights":[]}` + "\n" + `{"type":"addr","ref":"b","heights":[1,2]}`,
			[]Label{
				{Type: TypeTx, Ref: txid1, Height: 800_000, Time: "2025-01-23T11:40:35Z", Fee: ptr(btcutil.Amount(1410)),
					Value: ptr(btcutil.Amount(-250_000)), Rate: map[string]json.Number{"USD": "105620.00", "EUR": "98000.5"}},
				{Type: TypeOutput, Ref: txid1 + ":1", Value: ptr(btcutil.Amount(0)), Keypath: "/1/123",
					FMV: map[string]json.Number{"USD": "1233.45"}},
				{Type: TypeAddr, Ref: "a", Heights: []uint32{}},
				{Type: TypeAddr, Ref: "b", Heights: []uint32{1, 2}},
			}},
		{"empty rate and fmv are not given", `{"type":"output","ref":"` + txid1 + `:0","rate":{},"fmv":{}}`,
			[]Label{{Type: TypeOutput, Ref: txid1 + ":0"}}},
		{"line of exactly the maximum length", long, []Label{{Type: TypeAddr, Ref: "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Read =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	good := `{"type":"tx","ref":"` + txid1 + `"}` + "\n\n" // lines 1 and 2
	rec := func(fields string) string { return good + "{" + fields + "}\n" }
	tests := []struct {
		name string
		in   string
		code ErrorCode
		msg  string
	}{
		{"not JSON", good + "hello\n", ErrSyntax,
			`line 3: the line is not valid JSON: invalid character 'h' looking for beginning of value`},
		{"cut off", good + `{"type":"tx","ref":"` + txid1 + `"`, ErrSyntax,
			`line 3: the JSON object is cut off; a record must fit on one line`},
		{"object over two lines", good + "{\n" + `"type":"tx"}`, ErrSyntax,
			`line 3: the JSON object is cut off; a record must fit on one line`},
		{"two objects on a line", rec(`"type":"tx","ref":"` + txid1 + `"} {"type":"addr","ref":"a"`), ErrSyntax,
			`line 3: the line holds more than one JSON value; put each record on its own line`},
		{"trailing comma", rec(`"type":"addr","ref":"a",`), ErrSyntax,
			`line 3: the line is not valid JSON: invalid character '}' looking for beginning of object key string`},
		{"array", good + `["tx","` + txid1 + `"]`, ErrNotObject,
			`line 3: the line is not a JSON object: each line must look like {"type": "tx", "ref": "...", "label": "..."}`},
		{"string", good + `"tx"`, ErrNotObject,
			`line 3: the line is not a JSON object: each line must look like {"type": "tx", "ref": "...", "label": "..."}`},
		{"not UTF-8", rec(`"type":"addr","ref":"a","label":"caf` + "\xe9" + `"`), ErrNotUTF8,
			`line 3: the line is not UTF-8 text`},
		{"duplicate key", rec(`"type":"addr","ref":"a","label":"x","label":"y"`), ErrDuplicateKey,
			`line 3: the key "label" appears twice`},
		{"no type", rec(`"ref":"a","label":"x"`), ErrMissingField,
			`line 3: the record has no "type": every record needs "type" and "ref"`},
		{"null type", rec(`"type":null,"ref":"a"`), ErrMissingField,
			`line 3: the record has no "type": every record needs "type" and "ref"`},
		{"type in other case", rec(`"TYPE":"addr","ref":"a"`), ErrMissingField,
			`line 3: the record has no "type": every record needs "type" and "ref"`},
		{"no ref", rec(`"type":"addr","label":"x"`), ErrMissingField,
			`line 3: the record has no "ref": every record needs "type" and "ref"`},
		{"type not a string", rec(`"type":1,"ref":"a"`), ErrFieldType,
			`line 3: "type" must be a string`},
		{"ref not a string", rec(`"type":"addr","ref":["a"]`), ErrFieldType,
			`line 3: "ref" must be a string`},
		{"empty addr", rec(`"type":"addr","ref":""`), ErrInvalidRef,
			`line 3: the ref of a addr record is empty`},
		{"blank xpub", rec(`"type":"xpub","ref":"  "`), ErrInvalidRef,
			`line 3: the ref of a xpub record is empty`},
		{"short txid", rec(`"type":"tx","ref":"f91d0a8a"`), ErrInvalidRef,
			`line 3: tx ref "f91d0a8a" is not a transaction id (64 hex digits)`},
		{"txid not hex", rec(`"type":"tx","ref":"` + strings.Repeat("g", 64) + `"`), ErrInvalidRef,
			`line 3: tx ref "` + strings.Repeat("g", 64) + `" is not a transaction id (64 hex digits)`},
		{"txid with index", rec(`"type":"tx","ref":"` + txid1 + `:0"`), ErrInvalidRef,
			`line 3: tx ref "` + txid1 + `:0" is not a transaction id (64 hex digits)`},
		{"output without index", rec(`"type":"output","ref":"` + txid1 + `"`), ErrInvalidRef,
			`line 3: output ref "` + txid1 + `" is not a transaction id and index, like <txid>:0`},
		{"output with empty index", rec(`"type":"output","ref":"` + txid1 + `:"`), ErrInvalidRef,
			`line 3: output ref "` + txid1 + `:" is not a transaction id and index, like <txid>:0`},
		{"input with negative index", rec(`"type":"input","ref":"` + txid1 + `:-1"`), ErrInvalidRef,
			`line 3: input ref "` + txid1 + `:-1" is not a transaction id and index, like <txid>:0`},
		{"input with plus sign", rec(`"type":"input","ref":"` + txid1 + `:+1"`), ErrInvalidRef,
			`line 3: input ref "` + txid1 + `:+1" is not a transaction id and index, like <txid>:0`},
		{"output index too large", rec(`"type":"output","ref":"` + txid1 + `:4294967296"`), ErrInvalidRef,
			`line 3: output ref "` + txid1 + `:4294967296" is not a transaction id and index, like <txid>:0`},
		{"pubkey of 20 bytes", rec(`"type":"pubkey","ref":"` + strings.Repeat("ab", 20) + `"`), ErrInvalidRef,
			`line 3: pubkey ref "` + strings.Repeat("ab", 20) + `" is not a 32, 33 or 65 byte public key in hex`},
		{"xprv as xpub", rec(`"type":"xpub","ref":"xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"`), ErrPrivateKey,
			`line 3: xpub ref starting "xprv" is a private key: never put private keys in a label file`},
		{"zprv as xpub", rec(`"type":"xpub","ref":"zprvAWgYBBk7JR8Gj"`), ErrPrivateKey,
			`line 3: xpub ref starting "zprv" is a private key: never put private keys in a label file`},
		{"label too long", rec(`"type":"addr","ref":"a","label":"` + strings.Repeat("x", 256) + `"`), ErrLabelTooLong,
			`line 3: the label of addr "a" is 256 characters long, more than the 255 allowed: shorten it`},
		{"label not a string", rec(`"type":"addr","ref":"a","label":5`), ErrFieldType,
			`line 3: "label" must be a string`},
		{"spendable in quotes", rec(`"type":"output","ref":"` + txid1 + `:1","spendable":"false"`), ErrFieldType,
			`line 3: "spendable" must be true or false, without quotes`},
		{"spendable on a transaction", rec(`"type":"tx","ref":"` + txid1 + `","spendable":false`), ErrSpendableNotOutput,
			`line 3: "spendable" is only allowed on output records, not on tx`},
		{"negative height", rec(`"type":"tx","ref":"` + txid1 + `","height":-1`), ErrFieldType,
			`line 3: "height" must be a block height, a whole number`},
		{"height too large", rec(`"type":"tx","ref":"` + txid1 + `","height":4294967296`), ErrFieldType,
			`line 3: "height" must be a block height, a whole number`},
		{"height in quotes", rec(`"type":"tx","ref":"` + txid1 + `","height":"800000"`), ErrFieldType,
			`line 3: "height" must be a block height, a whole number`},
		{"fractional fee", rec(`"type":"tx","ref":"` + txid1 + `","fee":1.5`), ErrFieldType,
			`line 3: "fee" must be a whole number of satoshis`},
		{"fee in exponent notation", rec(`"type":"tx","ref":"` + txid1 + `","fee":1e3`), ErrFieldType,
			`line 3: "fee" must be a whole number of satoshis`},
		{"negative fee", rec(`"type":"tx","ref":"` + txid1 + `","fee":-5`), ErrFieldType,
			`line 3: "fee" -5 is not a possible fee in satoshis`},
		{"value beyond the supply", rec(`"type":"tx","ref":"` + txid1 + `","value":-2100000000000001`), ErrFieldType,
			`line 3: "value" -2100000000000001 is not a possible amount in satoshis`},
		{"rate as a number", rec(`"type":"tx","ref":"` + txid1 + `","rate":105620`), ErrFieldType,
			`line 3: "rate" must be an object of currency codes and numbers, like {"USD": 105620.00}`},
		{"rate with text", rec(`"type":"tx","ref":"` + txid1 + `","rate":{"USD":"lots"}`), ErrFieldType,
			`line 3: "rate" must be an object of currency codes and numbers, like {"USD": 105620.00}`},
		{"fmv with null", rec(`"type":"output","ref":"` + txid1 + `:0","fmv":{"USD":null}`), ErrFieldType,
			`line 3: "fmv" for "USD" is not a number`},
		{"heights with a negative", rec(`"type":"addr","ref":"a","heights":[1,-2]`), ErrFieldType,
			`line 3: "heights" must be a list of block heights, like [800000, 800123]`},
		{"line too long", good + `{"type":"addr","ref":"a","pad":"` + strings.Repeat("x", MaxLineLength) + `"}` + "\n", ErrLineTooLong,
			`line 3: the line is longer than 64 KiB; a label record is never that long`},
		{"line one byte too long", good + `{"type":"addr","ref":"a","pad":"` + strings.Repeat("x", MaxLineLength-len(`{"type":"addr","ref":"a","pad":""}`)+1) + `"}`, ErrLineTooLong,
			`line 3: the line is longer than 64 KiB; a label record is never that long`},
		{"unknown type is fine, but a bad known one is not", good + `{"type":"foo"}` + "\n" + `{"type":"tx","ref":"x"}`, ErrInvalidRef,
			`line 4: tx ref "x" is not a transaction id (64 hex digits)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Read = %#v, want error %v", got, tt.code)
			}
			if got != nil {
				t.Errorf("Read returned labels %#v along with an error", got)
			}
			var le *LineError
			if !errors.As(err, &le) {
				t.Errorf("error %v is not a *LineError", err)
			}
			if !IsErrorCode(err, tt.code) {
				t.Errorf("error %q has the wrong code, want %v", err, tt.code)
			}
			if err.Error() != tt.msg {
				t.Errorf("Read error:\n got %s\nwant %s", err, tt.msg)
			}
		})
	}
}

func TestReadReaderError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Read(iotest.ErrReader(boom))
	if !errors.Is(err, boom) || err.Error() != "reading labels: disk on fire" {
		t.Fatalf("Read error = %v, want it to wrap the reader's error", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriteWriterError(t *testing.T) {
	boom := errors.New("disk full")
	err := Write(failWriter{boom}, bip329Example)
	if !errors.Is(err, boom) || err.Error() != "writing labels: disk full" {
		t.Fatalf("Write error = %v, want it to wrap the writer's error", err)
	}
}
