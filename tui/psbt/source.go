package psbt

import (
	"context"

	btcpsbt "github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// Source is the open wallet as the PSBT page uses it. Calls are made from
// tea.Cmds, never from Update or View, so they may block.
type Source interface {
	// Review says what p pays from the wallet's point of view: which
	// inputs and outputs are the wallet's, the fee, which amounts are
	// proven. It does not change p.
	Review(p *btcpsbt.Packet) (*psbtx.Review, error)
	// Sign adds the wallet's signatures to p with the held keys, or with
	// password when none are held, under the wallet's fee limits. It
	// says which inputs it signed and why it left the others.
	Sign(ctx context.Context, p *btcpsbt.Packet, password []byte) (*psbtx.SignResult, error)
	// WatchOnly reports whether the wallet has no keys, so cannot sign.
	WatchOnly() bool
	// Unlocked reports whether keys are held, so signing needs no
	// password.
	Unlocked() bool
}

// Broadcaster sends a signed transaction to the network and returns its
// txid; the app's adapter records it in the wallet when it is ours.
type Broadcaster interface {
	Broadcast(ctx context.Context, tx *wire.MsgTx) (txid string, err error)
}

// ClosedMsg is emitted when the user leaves the page with no PSBT open
// (esc); the root model shows the page under it.
type ClosedMsg struct{}

// RequestedMsg asks the root model to show the PSBT page; the wallet
// overview emits it.
type RequestedMsg struct{}
