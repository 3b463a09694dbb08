package wallet

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chaincfg/v2"

	"github.com/satchelbtc/satchel/keystore"
)

// The addresses DiscoverScriptTypes looks at, per script type: a wallet
// that was used at all has paid to its first receive addresses (or, after
// a sweep into it, its first change addresses).
const (
	DiscoverReceive = 20
	DiscoverChange  = 10
)

// DiscoverTypes are the single-key script types a seed may have used, in the
// order DiscoverScriptTypes reports them.
var DiscoverTypes = []ScriptType{P2WPKH, P2TR, P2SHP2WPKH, P2PKH}

// ScriptUse is what DiscoverScriptTypes found for one script type.
type ScriptUse struct {
	Type ScriptType
	// Account is the type's account descriptor (BIP44/49/84/86 account 0,
	// receive and change).
	Account *Descriptor
	// Payments is the number of outputs paying the addresses looked at.
	Payments int
	// Received is what those outputs hold together.
	Received btcutil.Amount
	// FirstHeight is the height of the first block with such an output,
	// or -1.
	FirstHeight int32
}

// Used reports whether the type has history.
func (u ScriptUse) Used() bool { return u.Payments > 0 }

// SeedAccounts returns the account 0 descriptor of each of DiscoverTypes for
// the seed of secret on net, with their key origins.
func SeedAccounts(secret *keystore.Secret, net *chaincfg.Params) ([]*Descriptor, error) {
	signer, err := keystore.NewSigner(secret, net)
	if err != nil {
		return nil, err
	}
	defer signer.Close()
	out := make([]*Descriptor, 0, len(DiscoverTypes))
	for _, t := range DiscoverTypes {
		path := AccountPath(t, net, 0)
		xpub, err := signer.AccountXPub(path)
		if err != nil {
			return nil, fmt.Errorf("%s account: %w", t, err)
		}
		out = append(out, &Descriptor{Type: t, Origin: KeyOrigin{Fingerprint: signer.Fingerprint(), Path: path},
			Key: xpub, Branches: []uint32{ReceiveBranch, ChangeBranch}})
	}
	return out, nil
}

// DiscoverScriptTypes looks for payments to the first DiscoverReceive
// receive and DiscoverChange change addresses of each account in blocks
// from..c.SyncedHeight(): it matches all their scripts against the
// verified compact filters at once, then fetches the matching blocks
// (verified by the chain) and counts the outputs that pay each account. A
// filter's false positive costs a block download and counts nothing.
// progress, if set, gets the height matched and the last height. The
// result has one entry per account, in order.
func DiscoverScriptTypes(ctx context.Context, c Chain, accounts []*Descriptor, net *chaincfg.Params, from int32,
	progress func(height, target int32)) ([]ScriptUse, error) {

	if len(accounts) == 0 {
		return nil, errors.New("no accounts to look for")
	}
	owner := map[string]int{} // script → index into accounts
	var scripts [][]byte
	uses := make([]ScriptUse, len(accounts))
	for i, acct := range accounts {
		uses[i] = ScriptUse{Type: acct.Type, Account: acct, FirstHeight: -1}
		for _, br := range []struct{ branch, n uint32 }{{ReceiveBranch, DiscoverReceive}, {ChangeBranch, DiscoverChange}} {
			for idx := range br.n {
				a, err := acct.Derive(br.branch, idx, net)
				if err != nil {
					continue // an index BIP32 skips
				}
				owner[string(a.Script)] = i
				scripts = append(scripts, a.Script)
			}
		}
	}
	target := c.SyncedHeight()
	from = max(from, 0)
	if target < from {
		return uses, nil
	}
	heights, err := c.MatchScripts(ctx, from, target, scripts, func(h int32) {
		if progress != nil {
			progress(h, target)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("matching filters: %w", err)
	}
	for _, h := range heights {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := c.BlockHeader(h)
		if err != nil {
			return nil, err
		}
		hash := hdr.BlockHash()
		block, err := c.GetBlock(ctx, &hash)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h, err)
		}
		for _, tx := range block.Transactions {
			for _, out := range tx.TxOut {
				i, ok := owner[string(out.PkScript)]
				if !ok {
					continue
				}
				u := &uses[i]
				u.Payments++
				u.Received += btcutil.Amount(out.Value)
				if u.FirstHeight < 0 {
					u.FirstHeight = h
				}
			}
		}
	}
	if progress != nil {
		progress(target, target)
	}
	return uses, nil
}
