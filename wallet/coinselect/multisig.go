package coinselect

import "fmt"

// Multisig coins.
//
// A multisig coin's spending size depends on its policy, so its InputType
// carries the policy: MultisigInput(k, n, nested) packs the threshold k, the
// number of keys n and whether the P2WSH script is nested in P2SH into one
// value above the single-key types.
//
// P2WSH k-of-n: an empty scriptSig, 41 bytes (164 WU). The witness is the
// item count (1), the empty dummy element OP_CHECKMULTISIG pops (1), k
// signatures of 1+72 bytes, and the witness script OP_k <33-byte key>×n
// OP_n OP_CHECKMULTISIG (3+34n bytes) with its compact-size length. A 2-of-3
// weighs 164 + 1 + 1 + 146 + 1 + 105 = 418 WU, 104.5 vB.
//
// P2SH-P2WSH adds the scriptSig pushing the 34-byte program OP_0 <32>:
// 36 + 1 + 35 + 4 = 76 bytes (304 WU) outside the witness.

// multisigBase marks the packed multisig types.
const multisigBase InputType = 1 << 16

// MultisigInput returns the InputType of a k-of-n multisig coin: P2WSH, or
// P2SH-P2WSH when nested. k must be from 1 to n and n from 1 to 20; other
// values give a type that Select rejects.
func MultisigInput(k, n int, nested bool) InputType {
	if k < 1 || n < k || n > 20 {
		return 0
	}
	t := multisigBase | InputType(k)<<8 | InputType(n)
	if nested {
		t |= 1 << 15
	}
	return t
}

// multisig returns the policy of a packed multisig type.
func (t InputType) multisig() (k, n int, nested, ok bool) {
	if t&multisigBase == 0 || t>>17 != 0 {
		return 0, 0, false, false
	}
	k, n = int(t>>8&0x7f), int(t&0xff)
	nested = t&(1<<15) != 0
	return k, n, nested, k >= 1 && k <= n && n <= 20
}

// multisigSpendWeight is the weight of spending a k-of-n multisig coin.
func multisigSpendWeight(k, n int, nested bool) int64 {
	script := int64(3 + 34*n)
	wit := 1 + 1 + int64(k)*(1+72) + compactSizeLen(uint64(script)) + script
	if nested {
		return 4*(36+1+35+4) + wit
	}
	return 4*(36+1+0+4) + wit
}

// multisigString names a multisig type, e.g. "p2wsh 2-of-3".
func multisigString(k, n int, nested bool) string {
	if nested {
		return fmt.Sprintf("p2sh-p2wsh %d-of-%d", k, n)
	}
	return fmt.Sprintf("p2wsh %d-of-%d", k, n)
}
