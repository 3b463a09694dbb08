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

// errNotMultisig is the multisig entry's answer to a single-key
// descriptor or key.
var errNotMultisig = errors.New("this is a single-key wallet, not a multisig: import it with \"Import watch-only\" (esc, then the entry above)")

// parseMultisig checks the multisig entry's text: a multisig descriptor.
func parseMultisig(s string, net *chaincfg.Params) (watchInput, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return watchInput{}, errors.New("paste a multisig descriptor such as wsh(sortedmulti(2,…))")
	}
	if !strings.ContainsAny(s, "()") {
		return watchInput{}, errors.New("that is a key, not a descriptor: a multisig wallet is a descriptor such as wsh(sortedmulti(2,KEY1,KEY2,KEY3))")
	}
	in, err := parseWatch(s, net)
	if err != nil {
		return in, err
	}
	if in.wo.Receive.Multisig == nil {
		return watchInput{}, errNotMultisig
	}
	return in, nil
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

// multisigView is the import step of the multisig entry: one descriptor
// (or a receive and change pair), checked live, with its policy and
// cosigners.
func (m *Model) multisigView(p *page) {
	m.title(p, "Multisig · import a descriptor")
	key := "xpub"
	if m.net != nil && m.net.Name != chaincfg.MainNetParams.Name {
		key = "tpub"
	}
	p.text(p.st.Normal, "Paste the wallet's output descriptor, as the coordinator (Sparrow, Electrum, satchel) exports it: "+
		"wsh(sortedmulti(2,["+"fp/48h/…]"+key+"…/<0;1>/*,…)), sh(wsh(…)) or multi(). "+
		"The wallet here is watch-only: it shows addresses and balances and makes PSBTs for the cosigners to sign.")
	p.blank()
	p.line(p.st.Normal, "Descriptor")
	p.mark()
	p.indented(m.watch[0])
	switch {
	case m.watchErr != "":
		p.text(p.st.Error, m.watchErr)
	case m.watchIn.ok():
		ms := m.watchIn.wo.Receive.Multisig
		kind := "multi, keys in the given order"
		if ms.Sorted {
			kind = "sortedmulti"
		}
		p.text(p.st.Success, fmt.Sprintf("✓ %d-of-%d multisig, %s, %s: any %d of the %d cosigners sign", ms.Threshold, len(ms.Keys),
			scriptName(m.watchIn.wo.Receive.Type), kind, ms.Threshold, len(ms.Keys)))
		for i, k := range ms.Keys {
			origin := fmt.Sprintf("%08x", k.Origin.Fingerprint)
			if len(k.Origin.Path) > 0 {
				origin += core.FormatPath(k.Origin.Path)[1:]
			}
			p.line(p.st.Normal, fmt.Sprintf("  Cosigner %d  [%s] %s", i+1, origin, shortKey(k.Key.String())))
		}
		if m.watchIn.needsChange() {
			p.text(p.st.Muted, "Receive addresses only: add the change descriptor (…/1/*) below, or leave it empty for the keys' /1/*.")
		} else {
			p.text(p.st.Muted, "Receive and change addresses.")
		}
	default:
		p.blank()
	}
	m.changeField(p)
	m.message(p)
}

// shortKey shortens an extended key to its start and end, which is how
// people compare them.
func shortKey(s string) string {
	if len(s) <= 24 {
		return s
	}
	return s[:12] + "…" + s[len(s)-8:]
}
