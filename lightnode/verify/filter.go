package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/address/v2"
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil/v2/gcs"
	"github.com/btcsuite/btcd/btcutil/v2/gcs/builder"
	"github.com/btcsuite/btcd/chainhash/v2"
	"github.com/btcsuite/btcd/txscript/v2"
	"github.com/btcsuite/btcd/wire/v2"
)

// The BIP158 basic filter's Golomb-Rice parameter and range multiplier.
const (
	basicFilterP = builder.DefaultP
	basicFilterM = builder.DefaultM
)

// MaxFilterSize is the largest serialized filter (N plus the Golomb-coded
// set) accepted, the limit btcd's wire package puts on a cfilter message.
const MaxFilterSize = wire.MaxCFilterDataSize

// FilterHash returns dSHA256 of a serialized filter (N followed by the
// Golomb-coded set, as carried in a cfilter message). This is the value
// a cfheaders message lists and a filter header chains.
func FilterHash(filterNBytes []byte) chainhash.Hash {
	return chainhash.DoubleHashH(filterNBytes)
}

// FilterHeader returns the BIP157 filter header of a serialized filter:
// dSHA256(FilterHash(filter) || prev). A nil prev stands for the all-zero
// header that precedes the genesis block's filter.
func FilterHeader(filterNBytes []byte, prev *chainhash.Hash) chainhash.Hash {
	var preimage [2 * chainhash.HashSize]byte
	filterHash := FilterHash(filterNBytes)
	copy(preimage[:chainhash.HashSize], filterHash[:])
	if prev != nil {
		copy(preimage[chainhash.HashSize:], prev[:])
	}
	return chainhash.DoubleHashH(preimage[:])
}

// BuildBasicFilter builds the serialized BIP158 basic filter of block, given
// the scripts of the outputs its inputs spend (in any order; empty scripts
// are skipped, as BIP158 says). Only a full node knows prevOutScripts; a
// light client uses this to reproduce published vectors and in tests.
func BuildBasicFilter(block *wire.MsgBlock, prevOutScripts [][]byte) ([]byte, error) {
	if block == nil {
		return nil, ruleError(ErrMissingData, "no block to build a filter from")
	}
	for i, tx := range block.Transactions {
		if !wellFormedTx(tx) {
			return nil, ruleError(ErrMissingData,
				"transaction %d of the block is missing or lacks an input or output", i)
		}
	}
	f, err := builder.BuildBasicFilter(block, prevOutScripts)
	if err != nil {
		return nil, fmt.Errorf("building the basic filter of block %v: %w", block.BlockHash(), err)
	}
	return f.NBytes()
}

// BasicFilter checks a BIP158 basic filter a peer sent (the data of a
// cfilter message) against a block we already verified with Block. A
// light client cannot rebuild the filter, because it lacks the scripts of
// the outputs the block spends, so BasicFilter checks every element it can
// derive from the block alone.
//
// First the filter must decode exactly: a canonical N below 2^32, no more
// than MaxFilterSize bytes, N Golomb-Rice codes each within the range N·M,
// then only zero padding bits (ErrFilterMalformed).
//
// Then, in block order, every element the block pins down must be in it
// (ErrFilterMissingElement; the filter is certainly wrong):
//
//   - every output script except empty and OP_RETURN ones;
//   - for an input with a witness whose scriptSig is exactly one push of a
//     witness program (P2SH-P2WPKH, P2SH-P2WSH and the like), the P2SH
//     script of that program. Consensus allows no other spent script for
//     such an input.
//
// Last, inputs whose spent script is known only under the standard
// reading must have at least one of their candidate scripts in the filter
// (ErrFilterMissingSpentScript):
//
//   - a scriptSig of two or more pushes ending in a 33-byte (02/03) or
//     65-byte (04) public key, with no witness: P2PKH of that key, or
//     P2SH with it as the redeem script;
//   - an empty scriptSig and a witness of two items ending in a 33-byte
//     (02/03) public key: P2WPKH of that key, or P2WSH with it as the
//     witness script.
//
// This last class is not proof: a miner can include a consensus-valid,
// non-standard spend of some other script with the same shape, so a
// correct filter can fail it. Spends of taproot key paths, P2PK, bare
// multisig, native P2WSH and anything else whose spent script cannot be
// derived are not checked at all: the filter may hold or omit those.
//
// Membership in a GCS filter is probabilistic, so a filter that lacks an
// element still passes for it with probability 1/784931.
//
// The returned *Error names the first missing element, in block order,
// of the first class that has one, and the transaction holding it. Work
// and memory are linear in the filter and block sizes.
func BasicFilter(filterNBytes []byte, block *wire.MsgBlock) error {
	if block == nil {
		return ruleError(ErrMissingData, "no block to check the filter against")
	}
	for i, tx := range block.Transactions {
		if !wellFormedTx(tx) {
			return ruleError(ErrMissingData,
				"transaction %d of the block is missing or lacks an input or output", i)
		}
	}
	blockHash := block.BlockHash()
	n, values, derr := decodeBasicFilter(filterNBytes)
	if derr != nil {
		return ruleError(ErrFilterMalformed, "the filter for block %v does not decode: %s",
			blockHash, derr.Error())
	}
	s := filterSet{
		key:     builder.DeriveKey(&blockHash),
		modulus: uint64(n) * basicFilterM,
		values:  values,
		cache:   make(map[string]bool),
	}

	for _, tx := range block.Transactions {
		for i, out := range tx.TxOut {
			script := out.PkScript
			if len(script) == 0 || script[0] == txscript.OP_RETURN {
				continue
			}
			if !s.has(script) {
				return ruleError(ErrFilterMissingElement,
					"the filter for block %v lacks output %d of transaction %v (script %s)",
					blockHash, i, tx.TxHash(), scriptHex(script))
			}
		}
		if blockchain.IsCoinBaseTx(tx) {
			continue
		}
		for i, in := range tx.TxIn {
			script, ok := wrappedWitnessSpentScript(in)
			if !ok {
				continue
			}
			if !s.has(script) {
				return ruleError(ErrFilterMissingElement,
					"the filter for block %v lacks script %s, which input %d of "+
						"transaction %v spends", blockHash, scriptHex(script), i, tx.TxHash())
			}
		}
	}

	for _, tx := range block.Transactions {
		if blockchain.IsCoinBaseTx(tx) {
			continue
		}
		for i, in := range tx.TxIn {
			kind, candidates := standardSpentScripts(in)
			if candidates == nil {
				continue
			}
			if !s.has(candidates[0]) && !s.has(candidates[1]) {
				return ruleError(ErrFilterMissingSpentScript,
					"the filter for block %v lacks the script input %d of transaction %v "+
						"spends: neither %x (%s) nor %x", blockHash, i, tx.TxHash(),
					candidates[0], kind, candidates[1])
			}
		}
	}
	return nil
}

// scriptHex renders a script for an error message, cut short so that a
// hostile block's megabyte-long script cannot flood a log line.
func scriptHex(script []byte) string {
	const maxShown = 128
	if len(script) <= maxShown {
		return hex.EncodeToString(script)
	}
	return fmt.Sprintf("%x… (%d bytes)", script[:maxShown], len(script))
}

// filterSet answers membership questions about one decoded filter.
type filterSet struct {
	key     [gcs.KeySize]byte
	modulus uint64
	values  []uint64 // sorted ascending

	// cache remembers answers by element, since blocks repeat scripts.
	cache map[string]bool
}

// has reports whether element hashes to a value in the filter.
func (s *filterSet) has(element []byte) bool {
	if len(s.values) == 0 {
		return false
	}
	if found, ok := s.cache[string(element)]; ok {
		return found
	}
	v, ok := gcsValue(s.key, s.modulus, element)
	found := false
	if ok {
		_, found = slices.BinarySearch(s.values, v)
	}
	s.cache[string(element)] = found
	return found
}

// gcsValue returns the value a BIP158 filter with range modulus stores for
// element: SipHash-2-4 under key, mapped into [0, modulus). btcd's gcs
// package does not export that function, so it is obtained from a
// one-element filter built with P = 32, which stores the value's low 32
// bits verbatim and its high bits (fewer than 20 for MaxFilterSize) in
// unary. This reuses btcd's hashing exactly instead of re-implementing it.
func gcsValue(key [gcs.KeySize]byte, modulus uint64, element []byte) (uint64, bool) {
	const p = 32
	f, err := gcs.BuildGCSFilter(p, modulus, key, [][]byte{element})
	if err != nil {
		return 0, false
	}
	raw, err := f.Bytes()
	if err != nil {
		return 0, false
	}
	r := bitReader{data: raw}
	v, ok := r.golombRice(p)
	return v, ok
}

// decodeBasicFilter parses a serialized basic filter into N and its sorted
// values, insisting on the exact encoding an honest builder produces.
func decodeBasicFilter(b []byte) (uint32, []uint64, error) {
	if len(b) == 0 {
		return 0, nil, fmt.Errorf("it is empty")
	}
	if len(b) > MaxFilterSize {
		return 0, nil, fmt.Errorf("it is %d bytes long, more than the %d allowed",
			len(b), MaxFilterSize)
	}
	rd := bytes.NewReader(b)
	n, err := wire.ReadVarInt(rd, 0)
	if err != nil {
		return 0, nil, fmt.Errorf("its element count is not a canonical varint")
	}
	data := b[len(b)-rd.Len():]
	// Each code takes at least P+1 bits, which bounds N by the data.
	if maxN := uint64(len(data)) * 8 / (basicFilterP + 1); n > maxN {
		return 0, nil, fmt.Errorf("it claims %d elements but its %d bytes hold at most %d",
			n, len(data), maxN)
	}
	modulus := n * basicFilterM
	values := make([]uint64, 0, n)
	r := bitReader{data: data}
	var last uint64
	for i := uint64(0); i < n; i++ {
		delta, ok := r.golombRice(basicFilterP)
		if !ok {
			return 0, nil, fmt.Errorf("its data ends after %d of %d elements", i, n)
		}
		last += delta
		if last >= modulus {
			return 0, nil, fmt.Errorf("element %d lies outside the filter's range", i)
		}
		values = append(values, last)
	}
	if !r.restIsZeroPadding() {
		return 0, nil, fmt.Errorf("it has data after its %d elements", n)
	}
	return uint32(n), values, nil
}

// bitReader reads a byte slice as a most-significant-bit-first bit stream,
// the order BIP158 writes Golomb-Rice codes in.
type bitReader struct {
	data []byte
	pos  int // next bit to read
}

// bit returns the next bit; ok is false at the end of the data.
func (r *bitReader) bit() (b uint64, ok bool) {
	if r.pos >= len(r.data)*8 {
		return 0, false
	}
	b = uint64(r.data[r.pos/8]>>(7-r.pos%8)) & 1
	r.pos++
	return b, true
}

// golombRice reads one Golomb-Rice code with parameter p: a unary quotient
// (ones closed by a zero) and a p-bit big-endian remainder. The quotient
// is bounded by the number of bits in the data, so the work is too.
func (r *bitReader) golombRice(p uint) (uint64, bool) {
	var q uint64
	for {
		b, ok := r.bit()
		if !ok {
			return 0, false
		}
		if b == 0 {
			break
		}
		q++
	}
	var rem uint64
	for range p {
		b, ok := r.bit()
		if !ok {
			return 0, false
		}
		rem = rem<<1 | b
	}
	return q<<p | rem, true
}

// restIsZeroPadding reports whether everything after the read position is
// zero bits filling out the current byte.
func (r *bitReader) restIsZeroPadding() bool {
	if (r.pos+7)/8 != len(r.data) {
		return false
	}
	if rest := r.pos % 8; rest != 0 {
		return r.data[len(r.data)-1]<<rest == 0
	}
	return true
}

// wrappedWitnessSpentScript returns the script an input must have spent
// when it carries a witness and its scriptSig is exactly the minimal push
// of a witness program: BIP141 then admits only P2SH of that program
// (a native witness program needs an empty scriptSig, any other script
// an empty witness).
func wrappedWitnessSpentScript(in *wire.TxIn) ([]byte, bool) {
	sig := in.SignatureScript
	if len(in.Witness) == 0 || len(sig) < 2 {
		return nil, false
	}
	redeemScript := sig[1:]
	if int(sig[0]) != len(redeemScript) || !txscript.IsWitnessProgram(redeemScript) {
		return nil, false
	}
	return payToScriptHash(address.Hash160(redeemScript)), true
}

// standardSpentScripts returns the two scripts an input spends under the
// standard reading of its scriptSig and witness, with the name of the
// first, or nil when the input has neither recognised shape.
func standardSpentScripts(in *wire.TxIn) (string, [][]byte) {
	switch {
	case len(in.SignatureScript) == 0 && len(in.Witness) == 2 && isCompressedKey(in.Witness[1]):
		key := in.Witness[1]
		scriptHash := sha256.Sum256(key)
		return "P2WPKH", [][]byte{
			payToWitnessKeyHash(address.Hash160(key)),
			payToWitnessScriptHash(scriptHash[:]),
		}

	case len(in.SignatureScript) > 0 && len(in.Witness) == 0:
		key, pushes := lastPush(in.SignatureScript)
		if pushes < 2 || !(isCompressedKey(key) || isUncompressedKey(key)) {
			return "", nil
		}
		keyHash := address.Hash160(key)
		return "P2PKH", [][]byte{payToKeyHash(keyHash), payToScriptHash(keyHash)}
	}
	return "", nil
}

// lastPush returns the data of the last push of a push-only script and the
// number of pushes, or nil and 0 when the script is not push-only.
func lastPush(script []byte) ([]byte, int) {
	tok := txscript.MakeScriptTokenizer(0, script)
	var last []byte
	pushes := 0
	for tok.Next() {
		if tok.Opcode() > txscript.OP_16 {
			return nil, 0
		}
		last = tok.Data()
		pushes++
	}
	if tok.Err() != nil {
		return nil, 0
	}
	return last, pushes
}

// isCompressedKey reports whether b has the form of a compressed public key.
func isCompressedKey(b []byte) bool {
	return len(b) == 33 && (b[0] == 0x02 || b[0] == 0x03)
}

// isUncompressedKey reports whether b has the form of an uncompressed
// public key.
func isUncompressedKey(b []byte) bool {
	return len(b) == 65 && b[0] == 0x04
}

// payToKeyHash returns the P2PKH script for a 20-byte key hash.
func payToKeyHash(h []byte) []byte {
	s := make([]byte, 0, 25)
	s = append(s, txscript.OP_DUP, txscript.OP_HASH160, txscript.OP_DATA_20)
	s = append(s, h...)
	return append(s, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG)
}

// payToScriptHash returns the P2SH script for a 20-byte script hash.
func payToScriptHash(h []byte) []byte {
	s := make([]byte, 0, 23)
	s = append(s, txscript.OP_HASH160, txscript.OP_DATA_20)
	s = append(s, h...)
	return append(s, txscript.OP_EQUAL)
}

// payToWitnessKeyHash returns the P2WPKH script for a 20-byte key hash.
func payToWitnessKeyHash(h []byte) []byte {
	return append([]byte{txscript.OP_0, txscript.OP_DATA_20}, h...)
}

// payToWitnessScriptHash returns the P2WSH script for a 32-byte script hash.
func payToWitnessScriptHash(h []byte) []byte {
	return append([]byte{txscript.OP_0, txscript.OP_DATA_32}, h...)
}
