// Package psbtx handles a PSBT (BIP174 partially signed bitcoin transaction)
// after it has been created: reading and writing it, showing a person what
// it does, signing it with the wallet's keys, merging copies signed
// elsewhere, finalizing it and extracting the transaction to broadcast. It
// builds on github.com/btcsuite/btcd/psbt/v2, whose *psbt.Packet is the PSBT
// value throughout, and adds the checks a wallet that signs offline needs.
//
// # Parts
//
// Encoding (parse.go). Parse accepts binary BIP174 (the ".psbt" file
// format, starting with "psbt\xff"), base64 text, and hex text. Before the
// psbt library decodes the fields, the framing is checked strictly: every
// map ends, no key appears twice, the unsigned transaction is complete,
// unsigned and in the legacy serialization, nothing trails the last output,
// the version is 0. A panic in the library becomes an error; Parse never
// panics. EncodeBinary and EncodeBase64 write a packet back.
//
// Review (review.go). ReviewPacket summarizes a packet: the coin and value
// of each input, the address of each output and whether it is the wallet's
// or its change (through an Ownership function the wallet supplies), the
// fee, the virtual size (exact once signed, estimated from the script types
// before) and the fee rate, whether the PSBT is complete, and warnings a
// person must read: missing or inconsistent UTXO data, dust, absurd fee
// rates, outputs that claim to be the wallet's change but are not,
// signatures that do not verify.
//
// Signing (sign.go). Sign signs every input whose BIP32 (or taproot BIP32)
// derivation carries the signer's fingerprint and whose coin pays to the
// key derived there: ECDSA with SIGHASH_ALL for p2pkh, p2sh-p2wpkh and
// p2wpkh, BIP340 Schnorr key-path signatures for p2tr. It plans all
// signatures first and changes nothing when something is wrong, above all
// when an output carries the wallet's fingerprint but does not pay to the
// derived key: signing that would let a tampered PSBT pass its destination
// off as change. Keys come from a *keystore.Signer, which never hands out
// private keys.
//
// Combining, finalizing, extracting (finalize.go). Combine merges packets
// for the same transaction. Finalize completes the inputs that are signed
// enough and checks each with the script engine against the coin it spends;
// Extract returns the network transaction, verified the same way.
//
// Errors are *Error values with an ErrorCode (see IsErrorCode) and a
// description meant for the person handling the PSBT, naming the input or
// output at fault.
//
// Amounts are int64 satoshis; -1 marks an amount the PSBT does not reveal.
package psbtx
