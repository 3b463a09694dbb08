package labels

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzReadLabels checks that Read never panics, that every rejection is a
// one-line *LineError, and that whatever Read accepts, Write writes and
// Read reads back unchanged.
func FuzzReadLabels(f *testing.F) {
	if example, err := os.ReadFile("testdata/bip329_example.jsonl"); err == nil {
		f.Add(example)
	}
	f.Add([]byte(`{"type":"output","ref":"` + txid1 + `:1","spendable":false,"value":0,"fmv":{"USD":1.5}}`))
	f.Add([]byte("\xef\xbb\xbf{\"type\":\"addr\",\"ref\":\"a\",\"heights\":[]}\r\n\n{\"type\":\"foo\"}"))
	f.Add([]byte(`{"type":"tx","ref":"x","ref":"y"} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(bytes.NewReader(data))
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) || le.Line < 1 {
				t.Fatalf("Read error %v is not a *LineError with a line number", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("Read error is not one line: %q", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, got); err != nil {
			t.Fatalf("Write of what Read accepted: %v", err)
		}
		again, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Read of Write output %q: %v", buf.Bytes(), err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("round trip changed the labels:\n%#v\n%#v", got, again)
		}
	})
}
