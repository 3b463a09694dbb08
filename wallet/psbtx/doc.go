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
// of each input and what proves the value, the address of each output and
// whether it is the wallet's or its change (through an Ownership function
// the wallet supplies, and the accounts), the fee and whether it is proven,
// the virtual size (exact once signed, estimated from the script types
// before) and the fee rate, whether the PSBT is complete, and warnings a
// person must read: missing, inconsistent or unproven UTXO data, dust,
// absurd fee rates, outputs that claim to be the wallet's change but are
// not, signatures that do not verify.
//
// Key origins (origin.go). A key origin names the master key by its
// fingerprint: the first four bytes of HASH160 of the master public key, in
// that order, exactly as [73c5da0a/84h/0h/0h] prints them. btcd's psbt
// package keeps those bytes in MasterKeyFingerprint read little-endian;
// toPSBT and fromPSBT are the one place where the two meet, and other
// packages write origins with NewBip32Derivation and
// NewTaprootBip32Derivation. An Account (fingerprint, path, extended public
// key, the script of each address) is what a wallet tells Sign and
// ReviewPacket about itself (WithAccounts).
//
// Signing (sign.go). Sign signs an input only when the wallet can verify it
// is its own: a key origin inside one of its accounts, recording the key
// the account derives there, on a coin that pays exactly the account's
// address for that key. ECDSA with SIGHASH_ALL for p2pkh, p2sh-p2wpkh and
// p2wpkh, BIP340 Schnorr key-path signatures for BIP86 p2tr. It refuses,
// changing nothing: an output that claims to be the wallet's without being
// its address at that path (a tampered PSBT passing its destination off as
// change); a segwit v0 or legacy input whose amount only the PSBT's witness
// UTXO states (proof.go: the full previous transaction, in the PSBT or in
// the wallet's records, must prove it, since those signatures do not commit
// to the other inputs' amounts); a negative fee; a fee above the limits
// shared with the wallet's send (fee.go), unless allowed. Inputs it leaves
// alone come back with the reason (SignResult.Explain). Keys come from a
// *keystore.Signer, which never hands out private keys.
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
