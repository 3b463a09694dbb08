package session

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/wire/v2"

	"github.com/satchelbtc/satchel/keystore"
	"github.com/satchelbtc/satchel/lightnode"
	"github.com/satchelbtc/satchel/wallet"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// Draft builds an unsigned payment from the wallet's coins, its locktime
// at TipHeight unless req sets one.
func (s *Session) Draft(req *wallet.SendRequest) (*wallet.Draft, error) {
	r := *req
	if r.TipHeight <= 0 {
		r.TipHeight = s.TipHeight()
	}
	return s.w.CreatePSBT(&r)
}

// Review says what a PSBT pays, from the wallet's point of view: which
// outputs are ours, the fee, and which input amounts are proven.
func (s *Session) Review(p *psbt.Packet) (*psbtx.Review, error) {
	return s.w.ReviewPSBT(p)
}

// Broadcaster sends a signed transaction to the network and reports which
// peers fetched it.
type Broadcaster func(ctx context.Context, tx *wire.MsgTx) (*lightnode.BroadcastResult, error)

// PayOptions are how Pay signs and sends.
type PayOptions struct {
	// Password unlocks the keys for this payment when they are not held.
	Password []byte
	// Label, when set, labels the payment (BIP329).
	Label string
	// Broadcast sends the signed payment; nil broadcasts through the
	// session's node, giving the peers Config.BroadcastWait to fetch it.
	Broadcast Broadcaster
}

// Payment is a payment Pay sent and recorded.
type Payment struct {
	Tx        *wire.MsgTx
	Txid      chainhash.Hash
	Fee       btcutil.Amount
	Broadcast *lightnode.BroadcastResult
}

// Pay signs a draft with the held keys (or the password), broadcasts it
// and records it in the wallet as unconfirmed, with its label. A payment
// no peer fetched is not recorded, and the draft stays as it was, so the
// caller can try again. The draft passed the fee limits when it was built,
// so they are not applied twice.
func (s *Session) Pay(ctx context.Context, d *wallet.Draft, o PayOptions) (*Payment, error) {
	if s.w.WatchOnly() {
		return nil, fmt.Errorf("%w: export the PSBT and sign it on the machine with the keys", ErrWatchOnly)
	}
	// Sign a copy: a failed broadcast leaves the draft as it was.
	p, err := clonePacket(d.Packet)
	if err != nil {
		return nil, err
	}
	tx, err := s.SignFinal(p, o.Password, wallet.SignOptions{Force: true})
	if err != nil {
		return nil, err
	}
	send := o.Broadcast
	if send == nil {
		send = s.broadcast
	}
	res, err := send(ctx, tx)
	if err != nil {
		return nil, err
	}
	if len(res.SentTo) == 0 && len(res.Accepted) == 0 {
		return nil, fmt.Errorf("no peer asked for transaction %s and none has it; it was not sent (a peer does not ask again for one it refused before)", res.Txid)
	}
	if err := s.RecordSent(tx, o.Label); err != nil {
		return nil, err
	}
	s.log.Info("sent", "txid", res.Txid, "fee", int64(d.Fee))
	return &Payment{Tx: tx, Txid: tx.TxHash(), Fee: d.Fee, Broadcast: res}, nil
}

// broadcast sends tx through the session's node.
func (s *Session) broadcast(ctx context.Context, tx *wire.MsgTx) (*lightnode.BroadcastResult, error) {
	node := s.cfg.Node
	if node == nil {
		return nil, fmt.Errorf("%w: export the PSBT instead", ErrOffline)
	}
	return node.Broadcast(ctx, tx, s.cfg.BroadcastWait)
}

// SignFinal signs the wallet's inputs of p with the held keys (or the
// password), finalizes p and returns the transaction to broadcast. It
// fails when nothing could be signed, saying why for each input.
func (s *Session) SignFinal(p *psbt.Packet, password []byte, o wallet.SignOptions) (*wire.MsgTx, error) {
	var signed *psbtx.SignResult
	err := s.withSigner(password, func(signer *keystore.Signer) error {
		var err error
		signed, err = s.w.SignPSBT(p, signer, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(signed.Signed) == 0 {
		return nil, fmt.Errorf("nothing was signed: %s", signed.Explain())
	}
	if err := psbtx.Finalize(p); err != nil {
		return nil, err
	}
	return psbtx.Extract(p)
}

// Sign signs the wallet's inputs of p with the held keys (or the
// password), leaving p unfinalized for other signers.
func (s *Session) Sign(p *psbt.Packet, password []byte, o wallet.SignOptions) (*psbtx.SignResult, error) {
	var res *psbtx.SignResult
	err := s.withSigner(password, func(signer *keystore.Signer) error {
		var err error
		res, err = s.w.SignPSBT(p, signer, o)
		return err
	})
	return res, err
}

// RecordSent adds a broadcast payment to the wallet as unconfirmed (its
// change address counts as used), with its label when set.
func (s *Session) RecordSent(tx *wire.MsgTx, label string) error {
	if err := s.w.RecordSent(tx); err != nil {
		return err
	}
	if label == "" {
		return nil
	}
	return s.w.SetLabel(wallet.TxLabelKey(tx.TxHash()), label)
}

// clonePacket returns a deep copy of p, through its serialization.
func clonePacket(p *psbt.Packet) (*psbt.Packet, error) {
	data, err := psbtx.EncodeBinary(p)
	if err != nil {
		return nil, err
	}
	return psbtx.Parse(data)
}

// Broadcast sends a transaction that is already signed, such as a PSBT
// finalized elsewhere, through the session's node, and records it in the
// wallet as unconfirmed when it pays or spends the wallet's coins. A
// transaction no peer fetched is not recorded. Offline it returns
// ErrOffline.
func (s *Session) Broadcast(ctx context.Context, tx *wire.MsgTx) (*lightnode.BroadcastResult, error) {
	res, err := s.broadcast(ctx, tx)
	if err != nil {
		return nil, err
	}
	if len(res.SentTo) == 0 && len(res.Accepted) == 0 {
		return res, fmt.Errorf("no peer asked for transaction %s and none has it; it was not sent (a peer does not ask again for one it refused before)", res.Txid)
	}
	if s.touchesWallet(tx) {
		if err := s.RecordSent(tx, ""); err != nil {
			return res, err
		}
	}
	s.log.Info("broadcast", "txid", res.Txid, "peers", len(res.SentTo))
	return res, nil
}
