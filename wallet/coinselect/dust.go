package coinselect

import (
	"github.com/btcsuite/btcd/btcutil/v2"
	"github.com/btcsuite/btcd/txscript/v2"
)

// DustRelayFeeSatVB is the fee rate, in sat/vB, at which Bitcoin Core's relay
// policy (its -dustrelayfee default) decides whether an output is dust: an
// output is dust when spending it later would cost more than it is worth at
// this rate. Nodes do not relay transactions with dust outputs.
const DustRelayFeeSatVB = 3

// maxScriptSize is the consensus limit on a script that can be executed;
// longer output scripts can never be spent.
const maxScriptSize = 10_000

// DefaultDustLimit returns the smallest value an output paying to pkScript
// may have without being dust under Bitcoin Core's default relay policy. It
// ignores the transaction's fee rate, as Core's policy does; the parameter is
// there so that DefaultDustLimit fits Request.DustLimit.
//
// The threshold is the value of the output plus the input that would later
// spend it, priced at DustRelayFeeSatVB. Core assumes a spend of 148 bytes
// for non-witness outputs and 67 vbytes for witness programs (outpoint,
// sequence, an empty scriptSig and a 107-byte witness discounted four times),
// which gives the familiar figures: 546 sat for P2PKH, 540 for P2SH, 294 for
// P2WPKH, 330 for P2WSH and P2TR. Outputs that can never be spent (OP_RETURN
// data carriers, oversized scripts) have no dust limit.
func DefaultDustLimit(pkScript []byte, _ float64) btcutil.Amount {
	if (len(pkScript) > 0 && pkScript[0] == txscript.OP_RETURN) || len(pkScript) > maxScriptSize {
		return 0
	}
	n := int64(len(pkScript))
	size := outputValueBytes + compactSizeLen(uint64(n)) + n
	if txscript.IsWitnessProgram(pkScript) {
		size += 32 + 4 + 1 + 107/witnessScaleFactor + 4
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return btcutil.Amount(size * DustRelayFeeSatVB)
}
