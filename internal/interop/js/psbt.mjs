// PSBT operations done by implementations that are not satchel's:
// @scure/btc-signer (with @scure/bip32 and @scure/bip39) and bitcoinjs-lib
// (with bip32 and tiny-secp256k1). The Go tests in satchel hand a request
// as JSON on stdin and read the answer as JSON on stdout:
//
//   {"op": "origins", "psbt": B64}
//       -> the key origins each library reads from every input and output
//   {"op": "sign_scure", "psbt": B64, "mnemonic": M}
//       -> {"psbt": B64, "signed": N}, signed with the HD key of M, matched
//          by the PSBT's master fingerprints as @scure/btc-signer does
//   {"op": "sign_bitcoinjs", "psbt": B64, "mnemonic": M}
//       -> the same with bitcoinjs-lib's signAllInputsHD (not taproot)
//   {"op": "finalize_scure", "psbt": B64} -> {"hex": TX}
//   {"op": "create_scure", "mnemonic": M, "inputs": [...], "outputs": [...]}
//       -> {"psbt": B64}: a PSBT built by @scure/btc-signer, with its own
//          key origins, for satchel to sign
// Errors are {"error": "..."} with exit status 1.
import { readFileSync } from 'node:fs';
import * as btc from '@scure/btc-signer';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import * as bitcoin from 'bitcoinjs-lib';
import { BIP32Factory } from 'bip32';
import * as ecc from 'tiny-secp256k1';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };

const hex = (b) => Buffer.from(b).toString('hex');
const b64 = (b) => Buffer.from(b).toString('base64');
const fromB64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));
const fp8 = (n) => (n >>> 0).toString(16).padStart(8, '0');
const pathOf = (p) => 'm' + p.map((i) => (i >= 0x80000000 ? `/${i - 0x80000000}h` : `/${i}`)).join('');
const opts = { allowUnknownInputs: true, allowUnknownOutputs: true, allowLegacyWitnessUtxo: true };

function scureOrigins(rows) {
  const out = [];
  for (const [, der] of rows?.bip32Derivation ?? []) out.push({ fingerprint: fp8(der.fingerprint), path: pathOf(der.path) });
  for (const [, { der }] of rows?.tapBip32Derivation ?? []) out.push({ fingerprint: fp8(der.fingerprint), path: pathOf(der.path), taproot: true });
  return out;
}

function bitcoinjsOrigins(rows) {
  const out = [];
  for (const d of rows?.bip32Derivation ?? []) out.push({ fingerprint: hex(d.masterFingerprint), path: d.path.replace(/'/g, 'h') });
  for (const d of rows?.tapBip32Derivation ?? []) out.push({ fingerprint: hex(d.masterFingerprint), path: d.path.replace(/'/g, 'h'), taproot: true });
  return out;
}

const ops = {
  origins(req) {
    const tx = btc.Transaction.fromPSBT(fromB64(req.psbt), opts);
    const scure = { inputs: [], outputs: [] };
    for (let i = 0; i < tx.inputsLength; i++) scure.inputs.push(scureOrigins(tx.getInput(i)));
    for (let i = 0; i < tx.outputsLength; i++) scure.outputs.push(scureOrigins(tx.getOutput(i)));
    const p = bitcoin.Psbt.fromBase64(req.psbt);
    const bitcoinjs = {
      inputs: p.data.inputs.map(bitcoinjsOrigins),
      outputs: p.data.outputs.map(bitcoinjsOrigins),
    };
    return { scure, bitcoinjs };
  },

  sign_scure(req) {
    const root = HDKey.fromMasterSeed(mnemonicToSeedSync(req.mnemonic, req.passphrase ?? ''));
    const tx = btc.Transaction.fromPSBT(fromB64(req.psbt), opts);
    const signed = tx.sign(root);
    return { psbt: b64(tx.toPSBT()), signed, fingerprint: fp8(root.fingerprint) };
  },

  sign_bitcoinjs(req) {
    const bip32 = BIP32Factory(ecc);
    const seed = Buffer.from(mnemonicToSeedSync(req.mnemonic, req.passphrase ?? ''));
    const root = bip32.fromSeed(seed, bitcoin.networks.regtest);
    const p = bitcoin.Psbt.fromBase64(req.psbt, { network: bitcoin.networks.regtest });
    p.signAllInputsHD(root);
    return { psbt: p.toBase64(), fingerprint: hex(root.fingerprint) };
  },

  finalize_scure(req) {
    const tx = btc.Transaction.fromPSBT(fromB64(req.psbt), opts);
    tx.finalize();
    return { hex: hex(tx.extract()) };
  },

  create_scure(req) {
    const root = HDKey.fromMasterSeed(mnemonicToSeedSync(req.mnemonic, req.passphrase ?? ''));
    const tx = new btc.Transaction({ ...opts, version: 2 });
    const origin = (path) => {
      const key = root.derive(path.replace(/h/g, "'"));
      return { key, der: { fingerprint: root.fingerprint, path: btc.bip32Path(path.replace(/h/g, "'")) } };
    };
    for (const inp of req.inputs) {
      const { key, der } = origin(inp.path);
      const input = {
        txid: inp.txid,
        index: inp.vout,
        witnessUtxo: { script: Buffer.from(inp.script, 'hex'), amount: BigInt(inp.amount) },
        sequence: 0xfffffffd,
      };
      if (inp.prevTx) input.nonWitnessUtxo = Buffer.from(inp.prevTx, 'hex');
      if (inp.type === 'p2tr') {
        const xonly = key.publicKey.slice(1);
        input.tapInternalKey = xonly;
        input.tapBip32Derivation = [[xonly, { hashes: [], der }]];
      } else {
        input.bip32Derivation = [[key.publicKey, der]];
        if (inp.type === 'p2sh-p2wpkh') input.redeemScript = btc.p2wpkh(key.publicKey, REGTEST).script;
        if (inp.type === 'p2pkh') delete input.witnessUtxo;
      }
      tx.addInput(input);
    }
    for (const o of req.outputs) {
      const out = { amount: BigInt(o.amount) };
      if (o.address) out.address = o.address;
      else out.script = Buffer.from(o.script, 'hex');
      if (o.path) {
        const { key, der } = origin(o.path);
        if (o.type === 'p2tr') {
          const xonly = key.publicKey.slice(1);
          out.tapInternalKey = xonly;
          out.tapBip32Derivation = [[xonly, { hashes: [], der }]];
        } else {
          out.bip32Derivation = [[key.publicKey, der]];
        }
      }
      if (out.address) tx.addOutputAddress(out.address, out.amount, REGTEST);
      else tx.addOutput(out);
      if (out.address && o.path) tx.updateOutput(tx.outputsLength - 1, { bip32Derivation: out.bip32Derivation, tapBip32Derivation: out.tapBip32Derivation, tapInternalKey: out.tapInternalKey });
    }
    return { psbt: b64(tx.toPSBT()) };
  },
};

try {
  const req = JSON.parse(readFileSync(0, 'utf8'));
  const op = ops[req.op];
  if (!op) throw new Error(`unknown op ${req.op}`);
  process.stdout.write(JSON.stringify(op(req)));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e) }));
  process.exit(1);
}
