// Package demo sets up a throwaway regtest world in which to try satchel:
// a local btcd, a "miner" wallet that owns the coinbases of a few hundred
// blocks, and a "demo" wallet that the miner has paid several times, with
// one payment still unconfirmed. `make demo` runs it (cmd/satchel-demo) and
// then opens the TUI on the demo wallet.
//
// Setup drives the real satchel binary (built into the demo's folder unless
// Config.Satchel names one) exactly as a user would, one command per step,
// with the environment pointing every command at the demo's own data and
// config folders and at btcd (regtest.Launch) on 127.0.0.1. Close stops
// btcd and removes everything Setup made; cancelling Setup's context does
// the same for a setup cut short.
//
// The demo is a development tool: it is not part of the released binary.
package demo
