package wizard

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/v2"

	core "github.com/satchelbtc/satchel/wallet"
)

// watchInput is a checked entry of the import field: a descriptor, or an
// extended public key (with an optional key origin) and the descriptor it
// stands for.
type watchInput struct {
	text  string           // the entry, trimmed
	isKey bool             // an extended key rather than a descriptor
	desc  *core.Descriptor // what will be watched
}

// needsChange reports whether the entry is a receive-only descriptor, which
// may be followed by a change descriptor.
func (in watchInput) needsChange() bool {
	return !in.isKey && slices.Equal(in.desc.Branches, []uint32{core.ReceiveBranch})
}

// summary says in words what will be watched.
func (in watchInput) summary() string {
	name := scriptName(in.desc.Type)
	switch {
	case in.isKey:
		return "extended public key, watched as " + name + ", receive and change addresses"
	case in.needsChange():
		return name + " descriptor for receive addresses"
	}
	return name + " descriptor for receive and change addresses"
}

// parseWatch checks the import field's text for net. A text with a
// parenthesis is a descriptor; anything else is an extended public key,
// optionally preceded by its origin ([fingerprint/84h/0h/0h]xpub...).
func parseWatch(s string, net *chaincfg.Params) (watchInput, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return watchInput{}, errors.New("paste a descriptor or an extended public key")
	}
	if strings.ContainsAny(s, "()") {
		d, err := core.ParseDescriptor(s, net)
		if err != nil {
			return watchInput{}, err
		}
		if slices.Equal(d.Branches, []uint32{core.ChangeBranch}) {
			return watchInput{}, errors.New("this is a change descriptor (…/1/*); give the receive descriptor (…/0/*) or a multipath one (…/<0;1>/*) first")
		}
		return watchInput{text: s, desc: d}, nil
	}

	origin, key := "", s
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return watchInput{}, errors.New("the key origin has no closing ']'")
		}
		origin, key = s[:end+1], s[end+1:]
	}
	_, implied, err := core.ParseExtendedKey(key, net)
	if err != nil {
		return watchInput{}, err
	}
	st := core.P2WPKH
	if implied != 0 {
		st = implied
	}
	// The descriptor the key stands for also checks the origin.
	d, err := core.ParseDescriptor(keyDescriptor(st, origin+key+"/<0;1>/*"), net)
	if err != nil {
		return watchInput{}, err
	}
	return watchInput{text: s, isKey: true, desc: d}, nil
}

// parseChange checks the optional change descriptor against the receive
// one. An empty text is no change descriptor.
func parseChange(s string, recv watchInput, net *chaincfg.Params) (*core.Descriptor, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := core.ParseDescriptor(s, net)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(d.Branches, []uint32{core.ChangeBranch}) {
		return nil, errors.New("the change descriptor must end in /1/*")
	}
	r := recv.desc
	if d.Type != r.Type {
		return nil, fmt.Errorf("the change descriptor is %s but the receive one is %s", d.Type, r.Type)
	}
	if d.Key.String() != r.Key.String() || d.Origin.Fingerprint != r.Origin.Fingerprint ||
		core.FormatPath(d.Origin.Path) != core.FormatPath(r.Origin.Path) {
		return nil, errors.New("the change descriptor must use the same key (and origin) as the receive one")
	}
	return d, nil
}

// keyDescriptor wraps a key expression in st's descriptor functions.
func keyDescriptor(st core.ScriptType, key string) string {
	switch st {
	case core.P2PKH:
		return "pkh(" + key + ")"
	case core.P2SHP2WPKH:
		return "sh(wpkh(" + key + "))"
	case core.P2TR:
		return "tr(" + key + ")"
	}
	return "wpkh(" + key + ")"
}
