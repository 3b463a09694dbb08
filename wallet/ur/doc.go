// Package ur implements Uniform Resources (BCR-2020-005), the text encoding
// that signing devices such as Keystone, Passport, SeedSigner, Jade and
// Sparrow use to move PSBTs and account keys through QR codes.
//
// A UR is a type ("crypto-psbt", "crypto-account", ...) and a CBOR message.
// The message is written as minimal Bytewords (BCR-2020-012): two letters a
// byte, followed by a CRC-32 checksum. A message too long for one QR code is
// split into fragments and sent as an endless stream of parts by a fountain
// code: the first parts carry the fragments in order, later parts carry
// pseudo-random XOR mixtures of them chosen by a Xoshiro256** generator that
// both sides seed alike, so a receiver can start anywhere, miss parts and
// still finish.
//
// The parts of the package, from the bottom up:
//
//   - bytewords.go: Bytewords in the standard, URI and minimal styles;
//   - cbor.go: the subset of CBOR these types need (unsigned and negative
//     integers, byte and text strings, arrays, maps, tags and booleans);
//   - xoshiro.go and fountain.go: the generator, the fragment chooser, the
//     fountain encoder and decoder;
//   - ur.go: single- and multi-part URs (Encoder, Decoder);
//   - registry.go: the types satchel reads and writes: crypto-psbt / psbt,
//     crypto-hdkey, crypto-keypath, crypto-output and crypto-account
//     (BCR-2020-006, -007, -010, -015).
//
// The package imports nothing of satchel's; the wallet converts accounts to
// and from its descriptors.
package ur
