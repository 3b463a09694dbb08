package wallet

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/v2/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/v2"
)

// ErrUnknownScriptType is returned by ParseScriptType for a name it does not
// know. It is wrapped with the name that was given.
var ErrUnknownScriptType = errors.New("unknown script type")

// ScriptType is the kind of output script an account pays to. It decides the
// BIP43 purpose of the account's derivation path, the descriptor function and
// the address format. The zero value means "no script type".
type ScriptType int

// The script types a satchel account can have. P2WPKH is the default for new
// wallets.
const (
	// P2PKH is legacy pay-to-pubkey-hash (BIP44, pkh(KEY), addresses 1… / m… / n…).
	P2PKH ScriptType = iota + 1

	// P2SHP2WPKH is segwit v0 nested in P2SH (BIP49, sh(wpkh(KEY)), addresses 3… / 2…).
	P2SHP2WPKH

	// P2WPKH is native segwit v0 (BIP84, wpkh(KEY), addresses bc1q… / tb1q… / bcrt1q…).
	P2WPKH

	// P2TR is taproot key-path spending (BIP86, tr(KEY), addresses bc1p… / tb1p… / bcrt1p…).
	P2TR

	// P2WSH is a native segwit v0 multisig (wsh(sortedmulti(…)) or
	// wsh(multi(…)), addresses bc1q… / tb1q… / bcrt1q… of 62 characters).
	// It is a watch-only wallet's type only: seeds take part as BIP48
	// cosigners (script type 2h).
	P2WSH

	// P2SHP2WSH is a segwit v0 multisig nested in P2SH
	// (sh(wsh(sortedmulti(…))), addresses 3… / 2…; BIP48 script type 1h).
	P2SHP2WSH
)

// scriptTypeNames holds the names used on the command line and in files, in
// the order of the constants above.
var scriptTypeNames = [...]string{
	P2PKH:      "p2pkh",
	P2SHP2WPKH: "p2sh-p2wpkh",
	P2WPKH:     "p2wpkh",
	P2TR:       "p2tr",
	P2WSH:      "p2wsh",
	P2SHP2WSH:  "p2sh-p2wsh",
}

// ParseScriptType returns the script type named s: "p2pkh", "p2sh-p2wpkh",
// "p2wpkh" or "p2tr", in any letter case.
func ParseScriptType(s string) (ScriptType, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for t := P2PKH; t <= P2TR; t++ { // single-key types only
		if scriptTypeNames[t] == name {
			return t, nil
		}
	}
	return 0, fmt.Errorf("%w %q: use p2wpkh, p2tr, p2sh-p2wpkh or p2pkh", ErrUnknownScriptType, shorten(s))
}

// ParseMultisigScriptType returns the multisig script type named s: "p2wsh"
// or "p2sh-p2wsh", in any letter case.
func ParseMultisigScriptType(s string) (ScriptType, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, t := range []ScriptType{P2WSH, P2SHP2WSH} {
		if scriptTypeNames[t] == name {
			return t, nil
		}
	}
	return 0, fmt.Errorf("%w %q: use p2wsh or p2sh-p2wsh", ErrUnknownScriptType, shorten(s))
}

// Multisig reports whether t is a multisig script type (P2WSH or
// P2SHP2WSH).
func (t ScriptType) Multisig() bool {
	return t == P2WSH || t == P2SHP2WSH
}

// BIP48ScriptIndex returns the script type step of a BIP48 path for a
// multisig type, without the hardened bit: 2 for P2WSH, 1 for P2SHP2WSH, 0
// for other types.
func (t ScriptType) BIP48ScriptIndex() uint32 {
	switch t {
	case P2WSH:
		return 2
	case P2SHP2WSH:
		return 1
	}
	return 0
}

// BIP48Path returns the cosigner account path m/48h/coin_type'/account'/
// script_type' of BIP48 for the multisig type t on net: coin type 0 on
// mainnet, 1 on the test networks; script type 2h for P2WSH and 1h for
// P2SHP2WSH. t must be a multisig type and account below 2^31.
func BIP48Path(t ScriptType, net *chaincfg.Params, account uint32) []uint32 {
	const h = hdkeychain.HardenedKeyStart
	return []uint32{48 + h, net.HDCoinType + h, account + h, t.BIP48ScriptIndex() + h}
}

// String returns the script type's name as ParseScriptType accepts it.
func (t ScriptType) String() string {
	if t.valid() {
		return scriptTypeNames[t]
	}
	return fmt.Sprintf("ScriptType(%d)", int(t))
}

// Purpose returns the BIP43 purpose of accounts of this script type: 44, 49,
// 84 or 86. It returns 0 for a value that is not a script type.
func (t ScriptType) Purpose() uint32 {
	switch t {
	case P2PKH:
		return 44
	case P2SHP2WPKH:
		return 49
	case P2WPKH:
		return 84
	case P2TR:
		return 86
	case P2WSH, P2SHP2WSH:
		return 48
	}
	return 0
}

// valid reports whether t is one of the defined script types.
func (t ScriptType) valid() bool {
	return t >= P2PKH && t <= P2SHP2WSH
}

// AccountPath returns the hardened account path purpose'/coin_type'/account'
// of BIP44/49/84/86 for script type t on network net. The coin type is
// net.HDCoinType: 0 on mainnet and 1 on the test networks (testnet, testnet4,
// signet and regtest). account must be below 2^31 (BIP32 hardened indexes
// cannot go higher), and t must be a defined script type.
func AccountPath(t ScriptType, net *chaincfg.Params, account uint32) []uint32 {
	const h = hdkeychain.HardenedKeyStart
	return []uint32{t.Purpose() + h, net.HDCoinType + h, account + h}
}

// shorten returns s cut to a length that fits into a one-line error message
// next to other text.
func shorten(s string) string {
	return shortenTo(s, 24)
}

// shortenTo returns s cut to at most maxRunes characters and an ellipsis.
func shortenTo(s string, maxRunes int) string {
	r := []rune(s)
	if len(r) <= maxRunes {
		return s
	}
	return string(r[:maxRunes]) + "…"
}
