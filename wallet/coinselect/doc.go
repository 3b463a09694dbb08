// Package coinselect chooses which of a wallet's coins pay for a transaction,
// how much change comes back and what the fee is.
//
// The package is pure: it sees coins as (outpoint, value, script type,
// confirmations) and recipients as wire.TxOut values, and it returns a
// Result that the PSBT builder turns into a transaction. It knows nothing of
// keys, addresses or storage, and imports nothing else from satchel.
//
// The parts:
//
//   - size.go estimates the weight and virtual size of the signed
//     transaction from the script types of its inputs and the scripts of its
//     outputs (EstimateWeight, EstimateVSize). Every fee in the package comes
//     from these numbers.
//   - dust.go holds the dust thresholds that Bitcoin Core's relay policy
//     applies to outputs (DefaultDustLimit).
//   - Select (select.go) validates a Request, then runs, in order: coin
//     control (Required coins that already pay for everything), a
//     branch-and-bound search for an input set that needs no change
//     (bnb.go), and a deterministic knapsack fallback that makes change
//     (knapsack.go). SendMax requests skip the search and sweep every usable
//     coin into the single output.
//
// Fees are computed the way nodes judge them: the estimated weight of the
// whole transaction is rounded up to virtual bytes once, and the fee is the
// fee rate times those virtual bytes, rounded up to the next satoshi. A
// change output that would be dust, or worth less than spending it later
// costs, is never made: its value goes to the fee instead.
package coinselect
