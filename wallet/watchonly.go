package wallet

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/v2"
)

// WatchOnly is what a watch-only wallet watches, as WatchOnlyDescriptors
// reads it from what a person pastes.
type WatchOnly struct {
	// Receive is the receive descriptor: single-branch (.../0/*) or
	// multipath (.../<0;1>/*).
	Receive *Descriptor

	// Change is the separate change descriptor (.../1/*), or nil.
	Change *Descriptor

	// FromKey is true when the input was an extended public key rather
	// than a descriptor.
	FromKey bool
}

// NeedsChange reports whether Receive covers the receive branch only and no
// change descriptor was given: the change chain is then the key's branch 1.
func (w *WatchOnly) NeedsChange() bool {
	return w.Change == nil && slices.Equal(w.Receive.Branches, []uint32{ReceiveBranch})
}

// WatchOnlyDescriptors reads the descriptors of a watch-only wallet from
// inputs: one multipath descriptor, a receive and a change descriptor (in
// either order), single-key or multisig (wsh(sortedmulti(…)) and the other
// forms ParseDescriptor takes), or one extended public key, optionally preceded by its key
// origin ([73c5da0a/84h/0h/0h]xpub...). A text with a parenthesis is a
// descriptor; anything else is a key. A key's SLIP-132 prefix (ypub, zpub,
// upub, vpub) names its script type; for xpub and tpub, st does, and
// P2WPKH when st is nil. st must be nil for descriptors, which name their
// own type. Everything is checked for net, and the two descriptors of a
// pair must describe the two branches of one account.
func WatchOnlyDescriptors(inputs []string, st *ScriptType, net *chaincfg.Params) (*WatchOnly, error) {
	var texts []string
	for _, s := range inputs {
		if s = strings.TrimSpace(s); s != "" {
			texts = append(texts, s)
		}
	}
	switch {
	case len(texts) == 0:
		return nil, errors.New("give a descriptor or an extended public key")
	case len(texts) > 2:
		return nil, errors.New("give at most two descriptors: one for receiving and one for change")
	}
	isDesc := func(s string) bool { return strings.ContainsAny(s, "()") }
	if !isDesc(texts[0]) || len(texts) == 2 && !isDesc(texts[1]) {
		if len(texts) == 2 {
			return nil, errors.New("give one extended public key, or descriptors, not both")
		}
		d, err := keyDescriptor(texts[0], st, net)
		if err != nil {
			return nil, err
		}
		return &WatchOnly{Receive: d, FromKey: true}, nil
	}
	if st != nil {
		return nil, errors.New("a script type applies to an extended key; a descriptor names its own")
	}
	parsed := make([]*Descriptor, len(texts))
	for i, s := range texts {
		d, err := ParseDescriptor(s, net)
		if err != nil {
			return nil, err
		}
		parsed[i] = d
	}
	if len(parsed) == 1 {
		if slices.Equal(parsed[0].Branches, []uint32{ChangeBranch}) {
			return nil, errors.New("this is a change descriptor (…/1/*); give the receive descriptor (…/0/*) or a multipath one (…/<0;1>/*) first")
		}
		return &WatchOnly{Receive: parsed[0]}, nil
	}
	recv, change := parsed[0], parsed[1]
	if slices.Equal(recv.Branches, []uint32{ChangeBranch}) {
		recv, change = change, recv
	}
	if !slices.Equal(recv.Branches, []uint32{ReceiveBranch}) ||
		!slices.Equal(change.Branches, []uint32{ChangeBranch}) {
		return nil, errors.New("with two descriptors, give one ending in /0/* and one ending in /1/*")
	}
	if err := checkPair(recv, change); err != nil {
		return nil, err
	}
	return &WatchOnly{Receive: recv, Change: change}, nil
}

// checkPair checks that a receive and a change descriptor describe one
// account: the same script type, key and key origin.
func checkPair(recv, change *Descriptor) error {
	if change.Type != recv.Type {
		return fmt.Errorf("the change descriptor is %s but the receive one is %s", change.Type, recv.Type)
	}
	if recv.Multisig != nil || change.Multisig != nil {
		if !sameMultisig(recv.Multisig, change.Multisig) {
			return errors.New("the change descriptor must have the same threshold and keys (with their origins, in the same order) as the receive one")
		}
		return nil
	}
	if change.Key.String() != recv.Key.String() || change.Origin.Fingerprint != recv.Origin.Fingerprint ||
		FormatPath(change.Origin.Path) != FormatPath(recv.Origin.Path) {
		return errors.New("the change descriptor must use the same key (and key origin) as the receive one")
	}
	return nil
}

// keyDescriptor builds the multipath descriptor an extended key, with an
// optional origin, stands for.
func keyDescriptor(s string, st *ScriptType, net *chaincfg.Params) (*Descriptor, error) {
	origin, key := "", s
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return nil, errors.New("the key origin has no closing ']'")
		}
		origin, key = s[:end+1], s[end+1:]
	}
	_, implied, err := ParseExtendedKey(key, net)
	if err != nil {
		return nil, err
	}
	t := P2WPKH
	switch {
	case implied != 0 && st != nil && *st != implied:
		return nil, fmt.Errorf("this key's prefix means %s, but the script type given is %s", implied, *st)
	case implied != 0:
		t = implied
	case st != nil:
		t = *st
	}
	expr := origin + key + "/<0;1>/*"
	var text string
	switch t {
	case P2PKH:
		text = "pkh(" + expr + ")"
	case P2SHP2WPKH:
		text = "sh(wpkh(" + expr + "))"
	case P2TR:
		text = "tr(" + expr + ")"
	default:
		text = "wpkh(" + expr + ")"
	}
	// Parsing the text checks the origin too.
	return ParseDescriptor(text, net)
}
