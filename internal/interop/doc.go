// Package interop runs implementations of Bitcoin that are not satchel's
// from Go tests, so that satchel's formats are checked against someone
// else's reading of the BIPs rather than against its own round trips: the
// npm registry's @scure/btc-signer and bitcoinjs-lib for PSBTs,
// @ngraveio/bc-ur for BC-UR and bip322-js for signed messages, with Node's
// own zlib for BBQr's deflate (in js/, pinned in js/package-lock.json and
// installed by .ci/run with npm ci), run with the machine's Node.js.
//
// A test calls Node with a script of js/ and a JSON request; the script
// answers with JSON. When Node.js or the packages are missing, the test is
// skipped with the command that installs them, except under CI=true, where
// .ci/run must have installed them and the test fails instead.
package interop
