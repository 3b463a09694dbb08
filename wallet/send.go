package wallet

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/psbt/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
	"go.etcd.io/bbolt"

	"github.com/satchelbtc/satchel/wallet/coinselect"
	"github.com/satchelbtc/satchel/wallet/psbtx"
)

// AbsurdFeeRateSatVB is the fee rate above which a payment needs Force:
// psbtx.DefaultFeeLimits, shared with the PSBT signer.
const AbsurdFeeRateSatVB = 1000

// Recipient is one output of a payment.
type Recipient struct {
	Address address.Address
	Amount  btcutil.Amount // ignored with SendMax
}

// SendRequest describes a payment to build.
type SendRequest struct {
	Recipients []Recipient
	// FeeRate is in satoshis per virtual byte.
	FeeRate float64
	// SendMax sends everything spendable (or every chosen coin) to the
	// single recipient, less the fee.
	SendMax bool
	// Coins, when set, are the only coins spent (coin control). Frozen
	// coins may be chosen here explicitly.
	Coins []wire.OutPoint
	// NoRBF turns off replace-by-fee signalling (on by default).
	NoRBF bool
	// TipHeight is the current chain height; the locktime is set to it
	// against fee sniping.
	TipHeight int32
	// Force allows an absurd fee.
	Force bool
	// MaxFee, when above zero, caps the fee (an absurd fee without Force).
	MaxFee btcutil.Amount
}

// Draft is an unsigned payment.
type Draft struct {
	Packet *psbt.Packet
	Fee    btcutil.Amount
	// FeeRate is the fee over the estimated signed size, in sat/vB.
	FeeRate float64
	VSize   int64
	// ChangeIndex is the change output's position, -1 without change.
	ChangeIndex int
	Inputs      []*Output
	Algorithm   string

	// change is the change address, not yet marked as handed out.
	change *DerivedAddress
}

// inputType maps our script types to coin selection's.
func inputType(t ScriptType) coinselect.InputType {
	switch t {
	case P2PKH:
		return coinselect.P2PKH
	case P2SHP2WPKH:
		return coinselect.P2SHP2WPKH
	case P2TR:
		return coinselect.P2TR
	default:
		return coinselect.P2WPKH
	}
}

// coinType returns the coin selection type of the wallet's coins and
// change.
func (w *Wallet) coinType() coinselect.InputType {
	if m := w.receive.Multisig; m != nil {
		return coinselect.MultisigInput(m.Threshold, len(m.Keys), w.account.scriptType == P2SHP2WSH)
	}
	return inputType(w.account.scriptType)
}

// CreatePSBT chooses coins, makes change and returns an unsigned PSBT that
// any BIP174 signer holding this wallet's keys can sign: every input carries
// its UTXO, BIP32 derivation (taproot fields for P2TR) and redeem script,
// and the change output carries its derivation so the signer can check it.
// For a multisig wallet, every input and the change output carry the
// witness script (and redeem script when nested) and a derivation for each
// cosigner's key, and the PSBT lists the cosigners' extended public keys
// (global xpubs) so that each signer can check the change.
func (w *Wallet) CreatePSBT(req *SendRequest) (*Draft, error) {
	if w.readOnly {
		return nil, errors.New("the wallet is open read-only")
	}
	if len(req.Recipients) == 0 {
		return nil, errors.New("no recipient")
	}
	if req.SendMax && len(req.Recipients) != 1 {
		return nil, errors.New("send-max pays exactly one recipient")
	}
	var draft *Draft
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		c, _ := dbFetchCursor(tx)
		tip := max(req.TipHeight, c.Height)
		creq, err := w.selectionRequest(st, tip, req)
		if err != nil {
			return err
		}
		res, err := coinselect.Select(creq)
		if err != nil {
			return err
		}
		var sent btcutil.Amount
		for _, o := range creq.Outputs {
			sent += btcutil.Amount(o.Value)
		}
		if req.SendMax {
			sent = res.Amount
		}
		if err := checkFee(req, res.Fee, res.VSize, sent); err != nil {
			return err
		}
		draft, err = w.buildDraft(tx, st, creq, res, req, tip)
		return err
	})
	return draft, err
}

// selectionRequest turns a payment into a coin selection request.
func (w *Wallet) selectionRequest(st *state, tip int32, req *SendRequest) (*coinselect.Request, error) {
	creq := &coinselect.Request{
		FeeRateSatVB: req.FeeRate,
		ChangeType:   w.coinType(),
		SendMax:      req.SendMax,
	}
	for _, r := range req.Recipients {
		if !r.Address.IsForNet(w.net) {
			return nil, fmt.Errorf("%s is not an address of %s", r.Address.EncodeAddress(), w.net.Name)
		}
		script, err := txscript.PayToAddrScript(r.Address)
		if err != nil {
			return nil, err
		}
		creq.Outputs = append(creq.Outputs, wire.NewTxOut(int64(r.Amount), script))
	}
	typ := w.coinType()
	coin := func(o *Output) coinselect.Coin {
		return coinselect.Coin{OutPoint: o.OutPoint, Value: o.Value, Type: typ, Confirmations: o.Confirmations(tip)}
	}
	if len(req.Coins) > 0 {
		creq.SpendOnlyRequired = true
		for _, op := range req.Coins {
			o, ok := st.outputs[op]
			switch {
			case !ok:
				return nil, errNoSuchOutput(op)
			case o.SpentBy != nil:
				return nil, fmt.Errorf("%v is already spent by %s", op, o.SpentBy)
			case !o.Mature(tip):
				return nil, fmt.Errorf("%v is a coinbase output that is not mature yet", op)
			}
			creq.Required = append(creq.Required, coin(o))
		}
		return creq, nil
	}
	for _, o := range st.outputs {
		if o.Spendable(tip) {
			creq.Coins = append(creq.Coins, coin(o))
		}
	}
	return creq, nil
}

// buildDraft assembles the transaction and its PSBT in the caller's write
// transaction (it hands out a change address).
func (w *Wallet) buildDraft(tx *bbolt.Tx, st *state, creq *coinselect.Request, res *coinselect.Result,
	req *SendRequest, tip int32) (*Draft, error) {

	utx := wire.NewMsgTx(2)
	utx.LockTime = uint32(max(tip, 0))
	seq := uint32(wire.MaxTxInSequenceNum - 2) // BIP125 replaceable, locktime enforced
	if req.NoRBF {
		seq = wire.MaxTxInSequenceNum - 1
	}
	draft := &Draft{Fee: res.Fee, VSize: res.VSize, ChangeIndex: -1, Algorithm: res.Algorithm}
	for _, c := range res.Inputs {
		utx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.OutPoint, Sequence: seq})
		draft.Inputs = append(draft.Inputs, st.outputs[c.OutPoint])
	}
	for i, o := range creq.Outputs {
		out := *o
		if req.SendMax && i == 0 {
			out.Value = int64(res.Amount)
		}
		utx.AddTxOut(&out)
	}
	var change *DerivedAddress
	if res.Change > 0 {
		// The change address is handed out only once the payment leaves
		// the wallet (ReserveChange, AddUnconfirmed): a payment given up
		// (a wrong password, a cancelled review) does not burn it.
		next := dbFetchNextIndex(tx, 0, ChangeBranch)
		var err error
		if change, err = w.Address(ChangeBranch, next); err != nil {
			return nil, err
		}
		// Put the change at a random position so it does not stand out.
		pos := randInt(len(utx.TxOut) + 1)
		out := wire.NewTxOut(int64(res.Change), change.Script)
		utx.TxOut = append(utx.TxOut[:pos], append([]*wire.TxOut{out}, utx.TxOut[pos:]...)...)
		draft.ChangeIndex = pos
	}

	p, err := psbt.NewFromUnsignedTx(utx)
	if err != nil {
		return nil, err
	}
	if m := w.receive.Multisig; m != nil {
		for _, k := range m.Keys {
			// BIP174 wants the path to be as long as the key is deep;
			// a key without a (full) origin is not listed.
			if len(k.Origin.Path) == int(k.Key.Depth()) {
				p.XPubs = append(p.XPubs, psbtx.NewGlobalXPub(k.Origin.Fingerprint, k.Origin.Path, k.Key))
			}
		}
	}
	for i, o := range draft.Inputs {
		d, err := w.Address(o.Branch, o.Index)
		if err != nil {
			return nil, err
		}
		in := &p.Inputs[i]
		if r, ok := st.txs[o.OutPoint.Hash]; ok && w.account.scriptType != P2TR {
			in.NonWitnessUtxo = r.Tx
		}
		if w.account.scriptType != P2PKH {
			in.WitnessUtxo = wire.NewTxOut(int64(o.Value), o.Script)
		}
		w.describeKey(d, &in.Bip32Derivation, &in.TaprootInternalKey, &in.TaprootBip32Derivation, &in.RedeemScript, &in.WitnessScript)
		if w.account.scriptType != P2TR {
			in.SighashType = txscript.SigHashAll
		}
	}
	if change != nil {
		out := &p.Outputs[draft.ChangeIndex]
		w.describeKey(change, &out.Bip32Derivation, &out.TaprootInternalKey, &out.TaprootBip32Derivation, &out.RedeemScript, &out.WitnessScript)
	}
	draft.Packet = p
	draft.FeeRate = float64(res.Fee) / float64(res.VSize)
	draft.change = change
	return draft, nil
}

// ReserveChange marks the draft's change address as handed out, so that no
// other payment uses it. Call it when the PSBT leaves the wallet unsigned,
// for a signer elsewhere. A payment signed here and recorded with
// RecordSent needs no call: recording marks its addresses used.
func (w *Wallet) ReserveChange(d *Draft) error {
	if d == nil || d.change == nil {
		return nil
	}
	return safeUpdate(w.db, func(tx *bbolt.Tx) error {
		if d.change.Index+1 <= dbFetchNextIndex(tx, 0, ChangeBranch) {
			return nil
		}
		if err := dbPutNextIndex(tx, 0, ChangeBranch, d.change.Index+1); err != nil {
			return err
		}
		_, err := w.extendScripts(tx)
		return err
	})
}

// checkFee applies the fee limits the PSBT signer applies too
// (psbtx.DefaultFeeLimits and the request's cap) unless the request forces
// the fee.
func checkFee(req *SendRequest, fee btcutil.Amount, vsize int64, sent btcutil.Amount) error {
	if req.Force {
		return nil
	}
	limits := psbtx.DefaultFeeLimits
	limits.MaxFee = req.MaxFee
	return limits.CheckFee(fee, vsize, sent)
}

// describeKey fills the PSBT key fields of one of our addresses.
func (w *Wallet) describeKey(d *DerivedAddress, derivs *[]*psbt.Bip32Derivation, internal *[]byte,
	tapDerivs *[]*psbt.TaprootBip32Derivation, redeem, witness *[]byte) {

	if d.Keys != nil {
		for _, k := range d.Keys {
			*derivs = append(*derivs, psbtx.NewBip32Derivation(k.Fingerprint, k.PubKey, k.Path))
		}
		*witness = d.WitnessScript
		*redeem = d.RedeemScript
		return
	}
	fp := w.account.fingerprint
	if w.account.scriptType == P2TR {
		*internal = schnorr.SerializePubKey(d.PubKey)
		*tapDerivs = append(*tapDerivs, psbtx.NewTaprootBip32Derivation(fp, d.PubKey, d.Path))
		return
	}
	*derivs = append(*derivs, psbtx.NewBip32Derivation(fp, d.PubKey, d.Path))
	if w.account.scriptType == P2SHP2WPKH {
		wpkh, _ := address.NewAddressWitnessPubKeyHash(address.Hash160(d.PubKey.SerializeCompressed()), w.net)
		*redeem, _ = txscript.PayToAddrScript(wpkh)
	}
}

// Owns reports whether a script pays one of this wallet's addresses, and
// whether that address is on the change branch.
func (w *Wallet) Owns(script []byte) (ours, change bool) {
	b, _, ok := w.scriptOwner(script)
	return ok, ok && b == ChangeBranch
}

// Fingerprint returns the master key fingerprint the wallet's PSBTs name.
func (w *Wallet) Fingerprint() uint32 { return w.account.fingerprint }

// AddUnconfirmed records an unconfirmed transaction that pays or spends the
// wallet: one it just broadcast, or one a peer relayed. Nothing a peer says
// may take coins away, so before the transaction changes anything, every
// input that spends a coin of the wallet must pass the script engine (the
// standard verification flags) against that coin's script and amount;
// otherwise it is refused with ErrForgedSpend (the relaying peer lied),
// ErrNonStandardSpend or ErrUnverifiableSpend. A double spend of a coin a
// confirmed transaction spends is refused with ErrConflictsConfirmed. A
// transaction already recorded unconfirmed counts as seen again (see
// UnconfirmedExpiry); one already confirmed is left as it is. A valid
// replacement (a fee bump) takes the place of the unconfirmed transactions
// it conflicts with. A relayed transaction never moves the address indices:
// a peer could push them past what a restore would look for.
func (w *Wallet) AddUnconfirmed(t *wire.MsgTx) error {
	return w.addUnconfirmed(t, false)
}

// RecordSent is AddUnconfirmed for a payment this wallet made and
// broadcast: its change address, and any address of ours it pays, are
// handed out from now on.
func (w *Wallet) RecordSent(t *wire.MsgTx) error {
	return w.addUnconfirmed(t, true)
}

// addUnconfirmed is AddUnconfirmed; own marks the addresses the
// transaction pays as used.
func (w *Wallet) addUnconfirmed(t *wire.MsgTx, own bool) error {
	return safeUpdate(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		id := t.TxHash()
		old, known := st.txs[id]
		switch {
		case known && old.Height > 0:
			return nil
		case !known && !w.relevant(st, t):
			return nil
		case isCoinbase(t):
			return fmt.Errorf("transaction %s is a coinbase: it cannot be unconfirmed", id)
		}
		if err := verifySpends(st, t); err != nil {
			return fmt.Errorf("transaction %s: %w", id, err)
		}
		if err := conflictsConfirmed(st, t); err != nil {
			return fmt.Errorf("transaction %s: %w", id, err)
		}
		now := w.clock().UTC()
		if known {
			old.LastSeen = now
			return dbPutTx(tx, old)
		}
		for _, id := range conflicts(st, t) {
			if err := dbDeleteTx(tx, id); err != nil {
				return err
			}
		}
		if err := dbPutTx(tx, &txRecord{Tx: t, FirstSeen: now, LastSeen: now}); err != nil {
			return err
		}
		if !own {
			return nil
		}
		// Its change (and any payment to ourselves) is handed out now.
		if err := w.markUsed(tx, t); err != nil {
			return err
		}
		_, err = w.extendScripts(tx)
		return err
	})
}

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0
	}
	return int(v.Int64())
}

// MinRelayFeeRate is the relay fee rate (sat/vB) a replacement must add on
// top of the fee it replaces, for its own size (BIP125 rule 4).
const MinRelayFeeRate = 1.0

// BumpFee builds a replacement for an unconfirmed transaction of ours that
// pays the same recipients at a higher fee rate: the same inputs (and more
// if needed), a new change output. The original must signal RBF and every
// input must be ours.
func (w *Wallet) BumpFee(txid chainhash.Hash, feeRate float64, force bool) (*Draft, error) {
	var draft *Draft
	err := safeUpdate(w.db, func(tx *bbolt.Tx) error {
		st, err := w.loadState(tx)
		if err != nil {
			return err
		}
		orig, ok := st.txs[txid]
		switch {
		case !ok:
			return fmt.Errorf("transaction %s is not in this wallet", txid)
		case orig.Height > 0:
			return fmt.Errorf("transaction %s is already confirmed at height %d", txid, orig.Height)
		}
		signalsRBF := false
		var oldIn btcutil.Amount
		req := &coinselect.Request{FeeRateSatVB: feeRate, ChangeType: w.coinType()}
		c, _ := dbFetchCursor(tx)
		for _, in := range orig.Tx.TxIn {
			if in.Sequence < wire.MaxTxInSequenceNum-1 {
				signalsRBF = true
			}
			o, ok := st.outputs[in.PreviousOutPoint]
			if !ok {
				return fmt.Errorf("input %v of %s is not ours: only our own payments can be bumped", in.PreviousOutPoint, txid)
			}
			oldIn += o.Value
			req.Required = append(req.Required, coinselect.Coin{OutPoint: o.OutPoint, Value: o.Value,
				Type: w.coinType(), Confirmations: o.Confirmations(c.Height)})
		}
		if !signalsRBF {
			return fmt.Errorf("transaction %s does not signal replace-by-fee", txid)
		}
		var oldOut btcutil.Amount
		for _, out := range orig.Tx.TxOut {
			oldOut += btcutil.Amount(out.Value)
			if _, isChange := w.Owns(out.PkScript); isChange {
				continue
			}
			req.Outputs = append(req.Outputs, wire.NewTxOut(out.Value, out.PkScript))
		}
		if len(req.Outputs) == 0 {
			return errors.New("the transaction only pays this wallet's change; nothing to bump")
		}
		oldFee := oldIn - oldOut
		// Not the coins of the transaction replaced or of its children:
		// the replacement takes them away.
		evicted := map[chainhash.Hash]bool{}
		for _, id := range withDescendants(st, []chainhash.Hash{txid}) {
			evicted[id] = true
		}
		for _, o := range st.outputs {
			if o.Spendable(c.Height) && !evicted[o.OutPoint.Hash] {
				req.Coins = append(req.Coins, coinselect.Coin{OutPoint: o.OutPoint, Value: o.Value,
					Type: w.coinType(), Confirmations: o.Confirmations(c.Height)})
			}
		}
		res, err := coinselect.Select(req)
		if err != nil {
			return err
		}
		// BIP125 rule 3: the replacement also pays for the children it
		// evicts (a CPFP child, say).
		oldFee += descendantFees(st, txid)
		minFee := oldFee + btcutil.Amount(MinRelayFeeRate*float64(res.VSize)+0.999)
		if res.Fee < minFee {
			return fmt.Errorf("a fee rate of %.1f sat/vB pays %s, but replacing needs at least %s (the old fee plus %v sat/vB): raise --fee-rate",
				feeRate, res.Fee, minFee, MinRelayFeeRate)
		}
		var sent btcutil.Amount
		for _, o := range req.Outputs {
			sent += btcutil.Amount(o.Value)
		}
		sreq := &SendRequest{FeeRate: feeRate, Force: force}
		if err := checkFee(sreq, res.Fee, res.VSize, sent); err != nil {
			return err
		}
		draft, err = w.buildDraft(tx, st, req, res, sreq, c.Height)
		return err
	})
	return draft, err
}

// conflicts returns the unconfirmed transactions that spend an input t
// also spends, and their unconfirmed descendants: the ones t replaces
// (BIP125 evicts a replaced transaction's children with it).
func conflicts(st *state, t *wire.MsgTx) []chainhash.Hash {
	return withDescendants(st, directConflicts(st, t))
}

// directConflicts returns the unconfirmed transactions that spend an input
// t also spends.
func directConflicts(st *state, t *wire.MsgTx) []chainhash.Hash {
	spends := map[wire.OutPoint]bool{}
	for _, in := range t.TxIn {
		spends[in.PreviousOutPoint] = true
	}
	id := t.TxHash()
	var out []chainhash.Hash
	for other, r := range st.txs {
		if other == id || r.Height > 0 {
			continue
		}
		for _, in := range r.Tx.TxIn {
			if spends[in.PreviousOutPoint] {
				out = append(out, other)
				break
			}
		}
	}
	return out
}
