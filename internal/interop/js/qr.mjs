// Runs one operation of the QR and message interop tests with implementations that are not
// satchel's: @ngraveio/bc-ur (BC-UR), Node's zlib (BBQr's deflate with a
// 1 KiB window) and bip322-js (BIP322 and the legacy message format).
// It reads one JSON request on stdin and writes one JSON answer on stdout.
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { HDKey } from '@scure/bip32';

// bc-ur and bip322-js are CommonJS packages.
const require = createRequire(import.meta.url);

// The CBOR tags of BCR-2020-006/010 an output descriptor uses; cbor-sync
// (bc-ur's CBOR) drops tags it has no decoder for, so each is kept as
// {tag, v}.
const urTags = [303, 304, 305, 308, 311, 400, 401, 402, 403, 404, 405, 406, 407, 409];
function tagged(v, ...tags) {
  if (!v || typeof v !== 'object' || !('tag' in v) || !tags.includes(v.tag)) {
    throw new Error('want tag ' + tags.join(' or ') + ', got ' + JSON.stringify(v).slice(0, 80));
  }
  return v.v;
}

// keyPath writes the components of a crypto-keypath: 48h/1h/0h/2h, <0;1>/*.
function keyPath(p) {
  const c = p[1] || [];
  const out = [];
  for (let i = 0; i < c.length;) {
    const x = c[i];
    if (Array.isArray(x) && x.length === 4) {
      // A BIP389 pair is one component: [external, hardened, internal, hardened].
      out.push('<' + x[0] + (x[1] ? 'h' : '') + ';' + x[2] + (x[3] ? 'h' : '') + '>');
      i += 1;
      continue;
    }
    const h = c[i + 1] ? 'h' : '';
    out.push((Array.isArray(x) ? '*' : x) + h);
    i += 2;
  }
  return out;
}

// hdKeyExpr writes a crypto-hdkey as a descriptor key expression, the
// extended key rebuilt by @scure/bip32 from the key data, chain code,
// depth, child number and parent fingerprint. masterFP is the origin's
// fingerprint when the key gives none (a crypto-account's outputs).
function hdKeyExpr(hd, masterFP) {
  const m = tagged(hd, 303);
  const coin = m[5] ? tagged(m[5], 305) : {};
  const testnet = coin[2] === 1;
  const origin = m[6] ? tagged(m[6], 304) : null;
  const steps = origin ? keyPath(origin) : [];
  const comps = origin && origin[1] ? origin[1] : [];
  const last = comps.length >= 2 ? (comps[comps.length - 2] + (comps[comps.length - 1] ? 0x80000000 : 0)) >>> 0 : 0;
  const depth = origin && origin[3] !== undefined ? origin[3] : steps.length;
  const key = new HDKey({
    versions: testnet ? { private: 0x04358394, public: 0x043587cf } : { private: 0x0488ade4, public: 0x0488b21e },
    publicKey: Uint8Array.from(m[3]), chainCode: Uint8Array.from(m[4]),
    depth, index: last, parentFingerprint: m[8] || 0,
  });
  let s = '';
  const fp = origin ? (origin[2] || masterFP) : 0;
  if (fp) s = '[' + fp.toString(16).padStart(8, '0') + steps.map((x) => '/' + x).join('') + ']';
  s += key.publicExtendedKey;
  if (m[7]) s += keyPath(tagged(m[7], 304)).map((x) => '/' + x).join('');
  return s;
}

// outputDescriptor writes a crypto-output's script expression as
// descriptor text.
function outputDescriptor(v, masterFP) {
  if (v && v.tag === 308) v = v.v;
  const names = { 400: 'sh', 401: 'wsh', 403: 'pkh', 404: 'wpkh', 409: 'tr' };
  if (v.tag === 406 || v.tag === 407) {
    const mk = v.v;
    return (v.tag === 407 ? 'sortedmulti(' : 'multi(') + mk[1] + ',' + mk[2].map((k) => hdKeyExpr(k)).join(',') + ')';
  }
  if (v.tag === 303) return hdKeyExpr(v, masterFP);
  if (!(v.tag in names)) throw new Error('unknown script tag ' + v.tag);
  return names[v.tag] + '(' + outputDescriptor(v.v, masterFP) + ')';
}

// decodeParts reads UR parts with bc-ur: the UR, or the answer to give
// when it is incomplete or failed.
function decodeParts(parts) {
  const { URDecoder } = require('@ngraveio/bc-ur');
  const dec = new URDecoder();
  for (const p of parts) {
    dec.receivePart(p);
    if (dec.isComplete()) break;
  }
  if (!dec.isComplete()) return { answer: { complete: false } };
  if (!dec.isSuccess()) return { answer: { complete: true, failure: dec.resultError() } };
  return { ur: dec.resultUR() };
}

// cborTagged returns cbor-sync with the output descriptor's tags kept.
function cborTagged() {
  const cbor = require('cbor-sync');
  for (const tag of urTags) cbor.addSemanticDecode(tag, (v) => ({ tag, v }));
  return cbor;
}

function readStdin() {
  return new Promise((resolve) => {
    let data = '';
    process.stdin.on('data', (c) => { data += c; });
    process.stdin.on('end', () => resolve(JSON.parse(data)));
  });
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(buf) {
  let bits = 0, value = 0, out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(s) {
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new Error('bad base32 character ' + ch);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function base36(n) {
  return n.toString(36).toUpperCase().padStart(2, '0');
}

const ops = {
  ur_encode(req) {
    const { UR, UREncoder } = require('@ngraveio/bc-ur');
    const ur = new UR(UR.fromBuffer(Buffer.from(req.psbt_hex, 'hex')).cbor, req.type);
    const enc = new UREncoder(ur, req.max_fragment, req.first_seq_num || 0);
    const parts = [];
    for (let i = 0; i < req.count; i++) parts.push(enc.nextPart());
    return { parts, seq_len: enc.fragmentsLength };
  },
  ur_decode(req) {
    const { URDecoder } = require('@ngraveio/bc-ur');
    const dec = new URDecoder();
    for (const p of req.parts) {
      dec.receivePart(p);
      if (dec.isComplete()) break;
    }
    if (!dec.isComplete()) return { complete: false };
    if (!dec.isSuccess()) return { complete: true, failure: dec.resultError() };
    const ur = dec.resultUR();
    return { complete: true, type: ur.type, psbt_hex: ur.decodeCBOR().toString('hex') };
  },
  bbqr_split(req) {
    const z = zlib.deflateRawSync(Buffer.from(req.hex, 'hex'), { windowBits: 10, level: 9 });
    const text = base32Encode(z);
    const per = req.part_chars;
    const n = Math.ceil(text.length / per);
    const parts = [];
    for (let i = 0; i < n; i++) {
      parts.push('B$Z' + req.file_type + base36(n) + base36(i) + text.slice(i * per, (i + 1) * per));
    }
    return { parts };
  },
  bbqr_join(req) {
    const byIndex = new Map();
    let enc, type, total;
    for (const p of req.parts) {
      enc = p[2]; type = p[3];
      total = parseInt(p.slice(4, 6), 36);
      byIndex.set(parseInt(p.slice(6, 8), 36), p.slice(8));
    }
    if (byIndex.size !== total) return { complete: false };
    let text = '';
    for (let i = 0; i < total; i++) text += byIndex.get(i);
    let data;
    if (enc === 'H') data = Buffer.from(text, 'hex');
    else data = base32Decode(text);
    // windowBits 10: the inflater refuses any match further back than
    // 1024 bytes, as a Coldcard's would.
    if (enc === 'Z') data = zlib.inflateRawSync(data, { windowBits: 10 });
    return { complete: true, encoding: enc, file_type: type, hex: data.toString('hex') };
  },
  // ur_output reads the parts of a ur:crypto-output with bc-ur and writes
  // its descriptor.
  ur_output(req) {
    const { URDecoder } = require('@ngraveio/bc-ur');
    const cbor = require('cbor-sync');
    for (const tag of urTags) cbor.addSemanticDecode(tag, (v) => ({ tag, v }));
    const dec = new URDecoder();
    for (const p of req.parts) {
      dec.receivePart(p);
      if (dec.isComplete()) break;
    }
    if (!dec.isComplete()) return { complete: false };
    if (!dec.isSuccess()) return { complete: true, failure: dec.resultError() };
    const ur = dec.resultUR();
    return { complete: true, type: ur.type, descriptor: outputDescriptor(cbor.decode(ur.cbor)) };
  },
  // ur_account reads the parts of a ur:crypto-account (BCR-2020-015) with
  // bc-ur and writes its master fingerprint and each output as descriptor
  // text, the keys' origins starting at the master fingerprint.
  ur_account(req) {
    const { ur, answer } = decodeParts(req.parts);
    if (answer) return answer;
    let acct = cborTagged().decode(ur.cbor);
    if (acct && acct.tag === 311) acct = acct.v;
    const fp = acct[1];
    return {
      complete: true, type: ur.type, master_fingerprint: fp.toString(16).padStart(8, '0'),
      descriptors: acct[2].map((o) => outputDescriptor(o, fp)),
    };
  },
  // ur_parts encodes CBOR (hex) of a UR type as bc-ur's parts.
  ur_parts(req) {
    const { UR, UREncoder } = require('@ngraveio/bc-ur');
    const enc = new UREncoder(new UR(Buffer.from(req.cbor_hex, 'hex'), req.type), req.max_fragment, 0);
    const parts = [];
    for (let i = 0; i < req.count; i++) parts.push(enc.nextPart());
    return { parts };
  },
  bip322_sign(req) {
    const { Signer } = require('bip322-js');
    return { signature: Signer.sign(req.wif, req.address, req.message) };
  },
  bip322_verify(req) {
    const { Verifier } = require('bip322-js');
    let valid = false, failure = '';
    try {
      valid = Verifier.verifySignature(req.address, req.message, req.signature);
    } catch (e) {
      failure = String(e && e.message ? e.message : e);
    }
    return { valid, failure };
  },
};

function run(req) {
  const op = ops[req.op];
  if (!op) throw new Error('unknown op ' + req.op);
  return op(req);
}

// batch answers many requests in one process: loading bip322-js takes
// about half a second.
ops.batch = (req) => req.requests.map(run);

readStdin().then((req) => {
  process.stdout.write(JSON.stringify(run(req)));
}).catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
