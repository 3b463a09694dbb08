package labels

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Write writes labels as a BIP329 export: one JSON object per line, each
// ended by "\n", with fields in the order type, ref, label, origin,
// spendable and then the additional fields, and empty fields left out. The
// same labels always give the same bytes.
//
// Every label must pass Label.Validate; the first that does not is reported
// as "label N: ..." (counting from 1), and then nothing is written at all.
func Write(w io.Writer, labels []Label) error {
	for i := range labels {
		if err := labels[i].Validate(); err != nil {
			return fmt.Errorf("label %d: %w", i+1, err)
		}
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "<", ">" and "&" readable
	for i := range labels {
		if err := enc.Encode(&labels[i]); err != nil {
			return fmt.Errorf("label %d: %w", i+1, err)
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing labels: %w", err)
	}
	return nil
}
