package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/v2"

	core "github.com/satchelbtc/satchel/wallet"
)

// watchInput is a checked entry of the import field: a descriptor, or an
// extended public key (with an optional key origin) and the descriptor it
// stands for.
type watchInput struct {
	text string          // the entry, trimmed
	wo   *core.WatchOnly // what will be watched
}

// ok reports whether the entry was read.
func (in watchInput) ok() bool { return in.wo != nil }

// needsChange reports whether the entry is a receive-only descriptor, which
// may be followed by a change descriptor.
func (in watchInput) needsChange() bool { return !in.wo.FromKey && in.wo.NeedsChange() }

// summary says in words what will be watched.
func (in watchInput) summary() string {
	name := scriptName(in.wo.Receive.Type)
	if m := in.wo.Receive.Multisig; m != nil {
		name = fmt.Sprintf("%d-of-%d multisig %s", m.Threshold, len(m.Keys), in.wo.Receive.Type)
	}
	switch {
	case in.wo.FromKey:
		return "extended public key, watched as " + name + ", receive and change addresses"
	case in.needsChange():
		return name + " descriptor for receive addresses"
	}
	return name + " descriptor for receive and change addresses"
}

// parseWatch checks the import field's text for net, with the wallet's
// rules (wallet.WatchOnlyDescriptors).
func parseWatch(s string, net *chaincfg.Params) (watchInput, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return watchInput{}, errors.New("paste a descriptor or an extended public key")
	}
	wo, err := core.WatchOnlyDescriptors([]string{s}, nil, net)
	if err != nil {
		return watchInput{}, err
	}
	return watchInput{text: s, wo: wo}, nil
}

// parseChange checks the optional change descriptor against the receive
// one. An empty text is no change descriptor.
func parseChange(s string, recv watchInput, net *chaincfg.Params) (*core.Descriptor, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if !strings.ContainsAny(s, "()") {
		return nil, errors.New("the change descriptor must be a descriptor ending in /1/*")
	}
	wo, err := core.WatchOnlyDescriptors([]string{recv.text, s}, nil, net)
	if err != nil {
		return nil, err
	}
	return wo.Change, nil
}
