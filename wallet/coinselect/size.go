package coinselect

import (
	"github.com/btcsuite/btcd/wire/v2"
)

// InputType is the script type of a coin, which decides how many bytes it
// takes to spend it and therefore what spending it costs. It also names the
// script type of a change output. The zero value is not a valid type, so a
// Coin whose Type was forgotten is rejected instead of mis-priced.
type InputType int

// The spendable script types, matching the account types of the wallet.
const (
	// P2PKH is a legacy pay-to-pubkey-hash coin, spent with a signature and
	// a public key in the scriptSig: 148 vbytes.
	P2PKH InputType = iota + 1

	// P2SHP2WPKH is a segwit v0 pay-to-witness-pubkey-hash nested in P2SH:
	// the redeem script sits in the scriptSig and the signature and public
	// key in the witness: 364 weight units, 91 vbytes.
	P2SHP2WPKH

	// P2WPKH is a native segwit v0 pay-to-witness-pubkey-hash coin: 272
	// weight units, 68 vbytes.
	P2WPKH

	// P2TR is a taproot coin spent through its key path with one 64-byte
	// Schnorr signature (SIGHASH_DEFAULT): 230 weight units, 57.5 vbytes.
	P2TR
)

// String returns the type's usual name: "p2pkh", "p2sh-p2wpkh", "p2wpkh" or
// "p2tr".
func (t InputType) String() string {
	switch t {
	case P2PKH:
		return "p2pkh"
	case P2SHP2WPKH:
		return "p2sh-p2wpkh"
	case P2WPKH:
		return "p2wpkh"
	case P2TR:
		return "p2tr"
	}
	if k, n, nested, ok := t.multisig(); ok {
		return multisigString(k, n, nested)
	}
	return "unknown script type"
}

// valid reports whether t is one of the declared types or a MultisigInput.
func (t InputType) valid() bool {
	_, _, _, ok := t.multisig()
	return t >= P2PKH && t <= P2TR || ok
}

// Size arithmetic.
//
// BIP141 defines the weight of a transaction as three times the size of its
// serialization without witness data plus the size with witness data. Put
// differently: every byte outside the witness weighs 4 units and every byte
// inside the witness (including the segwit marker and flag) weighs 1. The
// virtual size is the weight divided by four, rounded up, and it is what fee
// rates in sat/vB are applied to. We therefore add up weight units and round
// to vbytes once, for the whole transaction; rounding each input separately
// would overcharge mixed transactions by up to 0.75 vB per input.
//
// The per-input figures below are the worst case of a standard signature, the
// same budget Bitcoin Core's wallet and Bitcoin Optech's size calculator use:
//
//   - Every input has a 36-byte outpoint (32-byte txid + 4-byte index), a
//     compact-size length of its scriptSig, the scriptSig, and a 4-byte
//     sequence.
//   - An ECDSA signature is a DER encoding of at most 71 bytes once S is
//     made low (BIP62/BIP146), plus one sighash-type byte: 72 bytes. Half of
//     all signatures have a short R and are one byte smaller; we budget for
//     the long form, so the estimate is an upper bound that is reached when
//     the signer does not grind for a short R.
//   - A compressed public key is 33 bytes.
//   - A BIP340 Schnorr signature is always 64 bytes; with SIGHASH_DEFAULT no
//     sighash byte is appended (BIP341).
//   - Each data push costs one extra byte of length (all pushes here are
//     under 76 bytes), and a witness stack starts with a compact-size count
//     of its items.
//
// P2PKH: 36 + 1 + (1+72 sig) + (1+33 key) + 4 = 148 bytes, all non-witness:
// 592 WU.
//
// P2SH-P2WPKH: the scriptSig pushes the 22-byte redeem script
// OP_0 <20-byte key hash>, so the non-witness part is 36 + 1 + 23 + 4 = 64
// bytes (256 WU); the witness is 1 (item count) + 1+72 + 1+33 = 108 WU.
// Total 364 WU = 91 vB.
//
// P2WPKH: an empty scriptSig, 36 + 1 + 0 + 4 = 41 bytes (164 WU), and the
// same 108-WU witness: 272 WU = 68 vB (67.75 vB with a short-R signature).
//
// P2TR key path: 41 bytes (164 WU) and a witness of 1 (item count) + 1 + 64
// = 66 WU: 230 WU = 57.5 vB.
//
// Transaction overhead: version (4) + locktime (4) + compact-size counts of
// inputs and outputs (1 byte each below 253) = 10 bytes = 40 WU. When any
// input spends a segwit coin the transaction is serialized with the 2-byte
// marker and flag (2 WU) and every input carries a witness stack; a legacy
// input's stack is empty but still costs its one count byte (1 WU).
//
// An output is an 8-byte value, the compact-size length of its script and
// the script, all non-witness.
const (
	// witnessScaleFactor is how much more a non-witness byte weighs than a
	// witness byte (BIP141).
	witnessScaleFactor = 4

	weightP2PKH      = 4 * (36 + 1 + 1 + 72 + 1 + 33 + 4)
	weightP2SHP2WPKH = 4*(36+1+23+4) + (1 + 1 + 72 + 1 + 33)
	weightP2WPKH     = 4*(36+1+0+4) + (1 + 1 + 72 + 1 + 33)
	weightP2TR       = 4*(36+1+0+4) + (1 + 1 + 64)

	// txFixedBytes are the version and locktime fields.
	txFixedBytes = 4 + 4

	// segwitMarkerWeight is the marker and flag bytes of a segwit
	// serialization.
	segwitMarkerWeight = 2

	// emptyWitnessWeight is the item count of the empty witness stack that a
	// non-segwit input carries inside a segwit transaction.
	emptyWitnessWeight = 1

	// outputValueBytes is the size of an output's amount field.
	outputValueBytes = 8

	// MaxStandardTxWeight is the largest transaction weight that nodes relay
	// by default (Bitcoin Core's MAX_STANDARD_TX_WEIGHT). A selection that
	// would exceed it is refused, because nobody would relay the result.
	MaxStandardTxWeight = 400_000
)

// spendWeight returns the weight of an input spending a coin of type t,
// without the empty-witness byte a legacy input needs in a segwit
// transaction. Unknown types are priced as P2PKH, the largest, so that an
// estimate stays an upper bound.
func (t InputType) spendWeight() int64 {
	switch t {
	case P2SHP2WPKH:
		return weightP2SHP2WPKH
	case P2WPKH:
		return weightP2WPKH
	case P2TR:
		return weightP2TR
	}
	if k, n, nested, ok := t.multisig(); ok {
		return multisigSpendWeight(k, n, nested)
	}
	return weightP2PKH
}

// segwit reports whether spending a coin of type t puts data in the witness.
func (t InputType) segwit() bool {
	_, _, _, ms := t.multisig()
	return t == P2SHP2WPKH || t == P2WPKH || t == P2TR || ms
}

// outputScriptLen returns the length of an output script of type t: the
// length our change output will have.
func (t InputType) outputScriptLen() int {
	switch t {
	case P2PKH:
		return 25 // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
	case P2SHP2WPKH:
		return 23 // OP_HASH160 <20> OP_EQUAL
	case P2WPKH:
		return 22 // OP_0 <20>
	}
	if _, _, nested, ok := t.multisig(); ok && nested {
		return 23 // OP_HASH160 <20> OP_EQUAL
	}
	return 34 // OP_1 <32>, or OP_0 <32> for P2WSH
}

// templateScript returns an output script of type t with an all-zero hash
// or key. It has the right length and shape for size and dust arithmetic,
// which is all it is used for.
func (t InputType) templateScript() []byte {
	s := make([]byte, t.outputScriptLen())
	switch t {
	case P2PKH:
		s[0], s[1], s[2], s[23], s[24] = 0x76, 0xa9, 0x14, 0x88, 0xac
	case P2SHP2WPKH:
		s[0], s[1], s[22] = 0xa9, 0x14, 0x87
	case P2WPKH:
		s[0], s[1] = 0x00, 0x14
	default:
		if _, _, nested, ok := t.multisig(); ok {
			if nested {
				s[0], s[1], s[22] = 0xa9, 0x14, 0x87
			} else {
				s[0], s[1] = 0x00, 0x20
			}
			break
		}
		s[0], s[1] = 0x51, 0x20
	}
	return s
}

// compactSizeLen returns the number of bytes of the compact-size integer
// that encodes n.
func compactSizeLen(n uint64) int64 {
	switch {
	case n < 0xfd:
		return 1
	case n <= 0xffff:
		return 3
	case n <= 0xffffffff:
		return 5
	default:
		return 9
	}
}

// outputWeight returns the weight of an output paying to a script of
// scriptLen bytes.
func outputWeight(scriptLen int) int64 {
	n := int64(scriptLen)
	return witnessScaleFactor * (outputValueBytes + compactSizeLen(uint64(n)) + n)
}

// txWeight adds up a transaction's weight from its parts: nIn inputs whose
// spends weigh inputsWeight together, nLegacy of them legacy, and nOut
// outputs weighing outputsWeight.
func txWeight(nIn, nLegacy int64, inputsWeight int64, nOut int64, outputsWeight int64) int64 {
	w := witnessScaleFactor*(txFixedBytes+compactSizeLen(uint64(nIn))+compactSizeLen(uint64(nOut))) +
		inputsWeight + outputsWeight
	if nIn > nLegacy {
		w += segwitMarkerWeight + nLegacy*emptyWitnessWeight
	}
	return w
}

// weightToVSize rounds a weight up to whole virtual bytes.
func weightToVSize(w int64) int64 {
	return (w + witnessScaleFactor - 1) / witnessScaleFactor
}

// EstimateWeight returns the weight in BIP141 weight units of the signed
// transaction that spends coins of the given types and pays the given
// outputs, plus a change output of type *changeType when changeType is not
// nil. Signatures are counted at their largest standard size, so the result
// is an upper bound that real transactions meet or undercut by a few units.
// A nil output counts as an output with an empty script, and an unknown input
// type as P2PKH.
func EstimateWeight(inputs []InputType, outputs []*wire.TxOut, changeType *InputType) int64 {
	var inWeight, nLegacy int64
	for _, t := range inputs {
		inWeight += t.spendWeight()
		if !t.segwit() {
			nLegacy++
		}
	}
	var outWeight int64
	for _, o := range outputs {
		if o == nil {
			outWeight += outputWeight(0)
			continue
		}
		outWeight += outputWeight(len(o.PkScript))
	}
	nOut := int64(len(outputs))
	if changeType != nil {
		outWeight += outputWeight(changeType.outputScriptLen())
		nOut++
	}
	return txWeight(int64(len(inputs)), nLegacy, inWeight, nOut, outWeight)
}

// EstimateVSize returns the virtual size in vbytes of the signed transaction
// that EstimateWeight describes: its weight divided by four, rounded up once.
// This is the size a fee rate in sat/vB applies to.
func EstimateVSize(inputs []InputType, outputs []*wire.TxOut, changeType *InputType) int64 {
	return weightToVSize(EstimateWeight(inputs, outputs, changeType))
}
