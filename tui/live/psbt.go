package live

import (
	"context"

	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/session"
	psbtpage "github.com/satchelbtc/satchel/tui/psbt"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// PSBT is the open wallet as the PSBT page sees it: reviews and signatures
// from the session, and broadcasts through its node (none offline).
type PSBT struct {
	Session *session.Session
}

// Review says what p pays from the wallet's point of view.
func (p PSBT) Review(pk *psbt.Packet) (*psbtx.Review, error) { return p.Session.Review(pk) }

// Sign signs the wallet's inputs with the held keys or password, under
// the wallet's fee limits.
func (p PSBT) Sign(_ context.Context, pk *psbt.Packet, password []byte) (*psbtx.SignResult, error) {
	return p.Session.Sign(pk, password, wallet.SignOptions{})
}

func (p PSBT) WatchOnly() bool { return p.Session.WatchOnly() }
func (p PSBT) Unlocked() bool  { return p.Session.Unlocked() }

// Broadcast sends a finalized transaction and records it when it is the
// wallet's.
func (p PSBT) Broadcast(ctx context.Context, tx *wire.MsgTx) (string, error) {
	res, err := p.Session.Broadcast(ctx, tx)
	if err != nil {
		return "", err
	}
	return res.Txid.String(), nil
}

var (
	_ psbtpage.Source      = PSBT{}
	_ psbtpage.Broadcaster = PSBT{}
)
