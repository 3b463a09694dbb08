package explorer

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"
	"github.com/btcsuite/btcd/chainhash/v2"

	"github.com/satchelbtc/satchel/tui/common"
)

// Prover checks that a transaction is in a block without downloading the
// block: the app adapts lightnode's ProveInclusion, which asks a peer for a
// BIP37 merkle block filtered on the txid and verifies its partial merkle
// tree against our header. It is called from a tea.Cmd.
type Prover interface {
	// ProveInclusion returns the peer that sent the verified proof and the
	// number of hashes in its partial merkle tree.
	ProveInclusion(ctx context.Context, blockHash, txid chainhash.Hash) (peer string, hashes int, err error)
}

// TxOption changes how NewTxView builds a transaction page.
type TxOption func(*TxView)

// WithProver lets the page of a confirmed transaction prove its inclusion
// on key p. Without it the page has no proof line.
func WithProver(p Prover) TxOption {
	return func(v *TxView) { v.prover = p }
}

// unconfirmedMark says that a transaction is in no block yet.
const unconfirmedMark = "unconfirmed (in mempool)"

// Texts of the inclusion proof line.
const (
	proofPrefix   = "Inclusion proof: "
	proofIdle     = proofPrefix + "press p to verify it with a BIP37 merkle block from a peer"
	proofBusy     = proofPrefix + "asking a peer for a BIP37 merkle block…"
	proofVerified = proofPrefix + "verified ✓"
)

// proofState is where a page is in proving inclusion.
type proofState struct {
	busy   bool
	done   bool
	peer   string
	hashes int
	err    error
	seq    uint64
	cancel context.CancelFunc
}

// proofMsg carries a ProveInclusion answer back to the page that asked.
type proofMsg struct {
	id     int64
	seq    uint64
	peer   string
	hashes int
	err    error
}

// canProve reports whether p does something on this page.
func (v *TxView) canProve() bool {
	return v.prover != nil && v.confirmed && v.proofAt >= 0
}

// startProof asks the prover in a tea.Cmd; a proof already running or
// verified is not asked again.
func (v *TxView) startProof() tea.Cmd {
	if !v.canProve() || v.proof.busy || v.proof.done {
		return nil
	}
	ctx, cancel := context.WithCancel(v.common.Context())
	v.proof.seq++
	v.proof.busy, v.proof.err, v.proof.cancel = true, nil, cancel
	v.compose()
	v.layout()
	id, seq, p, block, txid := v.id, v.proof.seq, v.prover, v.blockHash, v.txid
	return func() tea.Msg {
		peer, hashes, err := p.ProveInclusion(ctx, block, txid)
		return proofMsg{id: id, seq: seq, peer: peer, hashes: hashes, err: err}
	}
}

// stopProof cancels a proof still running, when the page is left.
func (v *TxView) stopProof() {
	if v.proof.cancel != nil {
		v.proof.cancel()
		v.proof.cancel = nil
	}
}

// applyProof takes a prover's answer in.
func (v *TxView) applyProof(msg proofMsg) {
	if msg.id != v.id || msg.seq != v.proof.seq || !v.proof.busy {
		return
	}
	v.stopProof()
	v.proof.busy = false
	if msg.err != nil {
		v.proof.err = msg.err
	} else {
		v.proof.done, v.proof.peer, v.proof.hashes = true, msg.peer, msg.hashes
	}
	v.compose()
	v.layout()
}

// compose puts the proof line, when the page has one, into the decoded
// transaction.
func (v *TxView) compose() {
	if !v.canProve() || v.proofAt > len(v.base) {
		v.doc = v.base
		return
	}
	doc := make([]txItem, 0, len(v.base)+1)
	doc = append(doc, v.base[:v.proofAt]...)
	doc = append(doc, v.proofItem())
	v.doc = append(doc, v.base[v.proofAt:]...)
}

// proofItem is the proof line for the current state.
func (v *TxView) proofItem() txItem {
	p := v.proof
	switch {
	case p.busy:
		return txItem{kind: itemMuted, value: proofBusy}
	case p.done:
		return txItem{kind: itemSuccess, value: proofVerified + " (BIP37 merkle block from " + p.peer + ", " + hashCount(p.hashes) + ")"}
	case p.err != nil:
		msg := p.err.Error()
		if errors.Is(p.err, context.Canceled) {
			msg = "cancelled"
		}
		return txItem{kind: itemError, value: proofPrefix + "failed: " + msg + ". Press p to try again."}
	}
	return txItem{kind: itemMuted, value: proofIdle}
}

// hashCount writes n with its noun: "1 hash", "7 hashes".
func hashCount(n int) string {
	if n == 1 {
		return "1 hash"
	}
	return common.FormatInt(int64(n)) + " hashes"
}
