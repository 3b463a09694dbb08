package labels

import (
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil/v2"
)

// Type is the kind of wallet record a label is attached to.
type Type string

// The record types BIP329 defines.
const (
	// TypeTx labels a transaction; Ref is its txid in hex.
	TypeTx Type = "tx"

	// TypeAddr labels an address; Ref is the address in base58 or
	// bech32.
	TypeAddr Type = "addr"

	// TypePubkey labels a public key; Ref is a 32, 33 or 65 byte key in
	// hex.
	TypePubkey Type = "pubkey"

	// TypeInput labels a transaction input; Ref is "txid:index".
	TypeInput Type = "input"

	// TypeOutput labels a transaction output; Ref is "txid:index".
	TypeOutput Type = "output"

	// TypeXpub labels an extended public key (BIP32); Ref is the key.
	TypeXpub Type = "xpub"
)

// Known reports whether t is one of the types BIP329 defines.
func (t Type) Known() bool {
	switch t {
	case TypeTx, TypeAddr, TypePubkey, TypeInput, TypeOutput, TypeXpub:
		return true
	}
	return false
}

const (
	// MaxLabelLength is the longest label accepted, in characters (Unicode
	// code points), the default BIP329 suggests. Longer labels are
	// refused rather than truncated, so that nothing is lost silently.
	MaxLabelLength = 255

	// MaxLineLength is the longest line Read accepts, in bytes, not
	// counting the line break.
	MaxLineLength = 64 << 10
)

// Label is one record of a BIP329 export: a label, and for outputs whether
// they may be spent, attached to the record Type and Ref name.
//
// The fields after Spendable are the optional "Additional Fields" of
// BIP329, which an exporting wallet fills when it has them at hand. Read
// does not check which record types carry which of them.
type Label struct {
	// Type is the kind of record labelled. Required.
	Type Type `json:"type"`

	// Ref names the record; its form depends on Type. Required.
	Ref string `json:"ref"`

	// Label is the text attached to the record. Empty means the export
	// does not say, and the importing wallet should keep what it has.
	Label string `json:"label,omitempty"`

	// Origin is an abbreviated output descriptor with key origin
	// information, like "wpkh([d34db33f/84'/0'/0'])", saying which
	// wallet the record belongs to. Optional and not validated.
	Origin string `json:"origin,omitempty"`

	// Spendable, only on outputs, says whether the wallet may spend the
	// output (false: frozen). Nil means the export does not say.
	Spendable *bool `json:"spendable,omitempty"`

	// Height is the block height of a transaction, input or output once
	// the exporting wallet considers it final; 0 means not given.
	Height uint32 `json:"height,omitempty"`

	// Time is the ISO-8601 time of the block at Height, like
	// "2025-01-23T11:40:35Z". Not validated.
	Time string `json:"time,omitempty"`

	// Fee is the fee a transaction paid. Nil means not given.
	Fee *btcutil.Amount `json:"fee,omitempty"`

	// Value is, for a transaction, the net amount it brought into the
	// wallet (negative when spending), and for an input or output its
	// amount. Nil means not given.
	Value *btcutil.Amount `json:"value,omitempty"`

	// Rate is the exchange rate of one bitcoin at the time of a
	// transaction, by currency code (ISO 4217 where possible). Numbers
	// are kept as written, never as floating point.
	Rate map[string]json.Number `json:"rate,omitempty"`

	// Keypath completes Origin down to an address, input or output, like
	// "/1/123"; if it does not start with "/" it is a full descriptor.
	Keypath string `json:"keypath,omitempty"`

	// FMV is the fair market value of an input or output, by currency
	// code.
	FMV map[string]json.Number `json:"fmv,omitempty"`

	// Heights lists the block heights with activity for an address. Nil
	// means not given; an empty, non-nil slice means the address has no
	// confirmed activity, and is written as [].
	Heights []uint32 `json:"heights,omitzero"`
}

// Validate checks l against the rules of BIP329 as satchel applies them: a
// known type, a reference of the right form for it, a label of at most
// MaxLabelLength characters, Spendable only on outputs, no private keys and
// amounts in range. Its errors are *Error values.
func (l *Label) Validate() error {
	if !l.Type.Known() {
		return ruleError(ErrUnknownType,
			"unknown type %s: use tx, addr, pubkey, input, output or xpub", quote(string(l.Type)))
	}
	if err := checkRef(l.Type, l.Ref); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(l.Label); n > MaxLabelLength {
		return ruleError(ErrLabelTooLong,
			"the label of %s %s is %d characters long, more than the %d allowed: shorten it",
			l.Type, quote(l.Ref), n, MaxLabelLength)
	}
	if l.Spendable != nil && l.Type != TypeOutput {
		return ruleError(ErrSpendableNotOutput,
			`"spendable" is only allowed on output records, not on %s`, l.Type)
	}
	if l.Fee != nil && (*l.Fee < 0 || *l.Fee > btcutil.MaxSatoshi) {
		return ruleError(ErrFieldType, `"fee" %d is not a possible fee in satoshis`, int64(*l.Fee))
	}
	if l.Value != nil && (*l.Value < -btcutil.MaxSatoshi || *l.Value > btcutil.MaxSatoshi) {
		return ruleError(ErrFieldType, `"value" %d is not a possible amount in satoshis`, int64(*l.Value))
	}
	for _, m := range []struct {
		name string
		m    map[string]json.Number
	}{{"rate", l.Rate}, {"fmv", l.FMV}} {
		for cur, n := range m.m {
			if !isNumber(n) {
				return ruleError(ErrFieldType, "%q for %s is not a number", m.name, quote(cur))
			}
		}
	}
	return nil
}

// checkRef checks that ref has the form BIP329 gives for records of type t.
func checkRef(t Type, ref string) error {
	if strings.TrimSpace(ref) == "" {
		return ruleError(ErrInvalidRef, "the ref of a %s record is empty", t)
	}
	switch t {
	case TypeTx:
		if !isTxid(ref) {
			return ruleError(ErrInvalidRef,
				"tx ref %s is not a transaction id (64 hex digits)", quote(ref))
		}
	case TypeInput, TypeOutput:
		if _, _, ok := splitOutpoint(ref); !ok {
			return ruleError(ErrInvalidRef,
				"%s ref %s is not a transaction id and index, like <txid>:0", t, quote(ref))
		}
	case TypePubkey:
		b, err := hex.DecodeString(ref)
		if err != nil || (len(b) != 32 && len(b) != 33 && len(b) != 65) {
			return ruleError(ErrInvalidRef,
				"pubkey ref %s is not a 32, 33 or 65 byte public key in hex", quote(ref))
		}
	case TypeXpub:
		// BIP32 private keys start with "xprv", "tprv", and SLIP-132
		// variants ("yprv", "Zprv", ...): all end their prefix in "prv".
		if len(ref) >= 4 && ref[1:4] == "prv" {
			return ruleError(ErrPrivateKey,
				"xpub ref starting %q is a private key: never put private keys in a label file", ref[:4])
		}
	}
	return nil
}

// isTxid reports whether s is 64 hex digits, in either case.
func isTxid(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// splitOutpoint splits "txid:index" into its parts. The index is a decimal
// uint32 without sign.
func splitOutpoint(s string) (txid string, index uint32, ok bool) {
	txid, idx, found := strings.Cut(s, ":")
	if !found || !isTxid(txid) || idx == "" || idx[0] < '0' || idx[0] > '9' {
		return "", 0, false
	}
	n, err := strconv.ParseUint(idx, 10, 32)
	if err != nil {
		return "", 0, false
	}
	return txid, uint32(n), true
}

// isNumber reports whether n is a JSON number literal.
func isNumber(n json.Number) bool {
	s := string(n)
	if s == "" || !(s[0] == '-' || s[0] >= '0' && s[0] <= '9') ||
		strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	return json.Valid([]byte(s))
}

// normalize puts hex references in lower case and indexes in plain decimal,
// so that labels match the wallet's records however the exporter wrote
// them. l must be valid.
func (l *Label) normalize() {
	switch l.Type {
	case TypeTx, TypePubkey:
		l.Ref = strings.ToLower(l.Ref)
	case TypeInput, TypeOutput:
		txid, index, _ := splitOutpoint(l.Ref)
		l.Ref = strings.ToLower(txid) + ":" + strconv.FormatUint(uint64(index), 10)
	}
}
