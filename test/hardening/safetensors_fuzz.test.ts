// Fuzzing the safetensors reader: valid files (written here by the encoder, with every readable
// dtype, empty and rank-0 tensors, metadata) mutated by bit flips, byte overwrites, truncations,
// extensions and splices, plus hostile headers written by hand (huge, negative, fractional and
// 2^64-overflowing offsets and sizes, length prefixes past the file or the 100 MB limit, JSON
// nested thousands deep, non-UTF-8 and lone surrogates, duplicate keys, __proto__ names) and
// random bytes. Every case must end in a JS Error whose message starts with "safetensors file"
// or in a load that is correct: every tensor's byte count matches its shape, values decode as
// the reference decoder here says, and the tensors go through tn.load into ops and a
// loadStateDict. npm test: FUZZ_CASES=300; `npm run fuzz`: 20,000 (also under the sanitizer
// build: `npm run fuzz:sanitize`).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import * as tn from '../../lib/index';
import { decodeSafetensors, encodeSafetensors, type RawTensor } from '../../lib/io/safetensors';
import { loadFromBuffer } from '../../lib/nn/serialization';
import { cases, seed } from './util';

const CASES = cases('FUZZ_CASES', 300);
const outcomes: Record<string, number> = {};
const note = (k: string): void => void (outcomes[k] = (outcomes[k] ?? 0) + 1);

afterAll(() => {
  if (process.env.FUZZ_CASES) process.stdout.write(`safetensors fuzz outcomes (seed ${seed()}): ${JSON.stringify(outcomes)}\n`);
});

// ---- building files ----
const le = new TextEncoder();
function fileOf(header: unknown | string, data: Uint8Array, lengthOverride?: bigint): Uint8Array {
  const json = le.encode(typeof header === 'string' ? header : JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  const out = new Uint8Array(8 + json.length + pad + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length + pad), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + json.length + pad);
  out.set(data, 8 + json.length + pad);
  return out;
}

const DTYPES: [string, number][] = [['F32', 4], ['F16', 2], ['BF16', 2], ['F64', 8], ['I32', 4], ['U32', 4], ['I64', 8], ['U64', 8], ['I16', 2], ['U16', 2], ['I8', 1], ['U8', 1], ['BOOL', 1]];
/** A valid multi-dtype file (not necessarily in the encoder's order: the reader must not care). */
function validFile(rnd: () => number, count: number): Uint8Array {
  const header: Record<string, unknown> = {};
  if (rnd() < 0.3) header.__metadata__ = { format: 'pt', note: 'ünïcødé ✓' };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < count; ++i) {
    const [dt, size] = DTYPES[Math.floor(rnd() * DTYPES.length)];
    const nd = Math.floor(rnd() * 4);
    const shape = Array.from({ length: nd }, () => Math.floor(rnd() * 4));
    const n = shape.reduce((a, b) => a * b, 1);
    const bytes = new Uint8Array(n * size);
    for (let j = 0; j < bytes.length; ++j) bytes[j] = Math.floor(rnd() * 256);
    // keep integer dtypes inside int32 most of the time (the high bytes of 64-bit values zero)
    if ((dt === 'I64' || dt === 'U64') && rnd() < 0.8) for (let j = 0; j < n; ++j) bytes.fill(0, j * 8 + 3, j * 8 + 8);
    if (dt === 'U32' && rnd() < 0.8) for (let j = 0; j < n; ++j) bytes[j * 4 + 3] &= 0x7f;
    header[`t${i}.${['weight', 'bias', '__proto__', 'constructor', '0', 'ü'][i % 6]}`] = { dtype: dt, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) (data.set(c, at), (at += c.length));
  return fileOf(header, data);
}

// ---- an independent reference decoder for the checks on successful loads ----
function refValues(bytes: Uint8Array, base: number, dt: string, n: number): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < n; ++i) {
    switch (dt) {
      case 'F32': out.push(dv.getFloat32(base + 4 * i, true)); break;
      case 'F64': out.push(Math.fround(dv.getFloat64(base + 8 * i, true))); break;
      case 'F16': out.push(half(dv.getUint16(base + 2 * i, true))); break;
      case 'BF16': { const b = new DataView(new ArrayBuffer(4)); b.setUint16(0, dv.getUint16(base + 2 * i, true), false); out.push(b.getFloat32(0, false)); break; }
      case 'I32': out.push(dv.getInt32(base + 4 * i, true)); break;
      case 'U32': out.push(dv.getUint32(base + 4 * i, true)); break;
      case 'I64': out.push(Number(dv.getBigInt64(base + 8 * i, true))); break;
      case 'U64': out.push(Number(dv.getBigUint64(base + 8 * i, true))); break;
      case 'I16': out.push(dv.getInt16(base + 2 * i, true)); break;
      case 'U16': out.push(dv.getUint16(base + 2 * i, true)); break;
      case 'I8': out.push(dv.getInt8(base + i)); break;
      case 'U8': out.push(dv.getUint8(base + i)); break;
      case 'BOOL': out.push(dv.getUint8(base + i) ? 1 : 0); break;
    }
  }
  return out;
}
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  return e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
}
const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Decodes `bytes`; returns 'error' or 'loaded' and throws if the outcome is wrong. */
function check(bytes: Uint8Array, label: string): 'error' | 'loaded' {
  let decoded;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (e) {
    if (!(e instanceof Error) || e.constructor !== Error || !e.message.startsWith('safetensors file <buffer>:'))
      throw new Error(`${label}: the reader threw ${String(e)} (${(e as object)?.constructor?.name}), not its own Error`);
    return 'error';
  }
  // A successful load must be right: recompute everything from the bytes.
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const got = Object.keys(decoded.tensors);
  if (got.length !== names.length) throw new Error(`${label}: ${got.length} tensors loaded, the header has ${names.length}`);
  let end = 0;
  for (const name of names) {
    const h = header[name];
    const t: RawTensor = decoded.tensors[name];
    const count = h.shape.reduce((a, b) => a * b, 1);
    if (!t || t.data.length !== count || t.shape.join() !== h.shape.join()) throw new Error(`${label}: tensor ${name} loaded with the wrong shape`);
    const ref = refValues(bytes, 8 + n + h.data_offsets[0], h.dtype, count);
    for (let i = 0; i < count; ++i) if (!same(t.data[i], t.dtype === 'float32' ? Math.fround(ref[i]) : ref[i])) throw new Error(`${label}: ${name}[${i}] = ${t.data[i]}, expected ${ref[i]}`);
    end = Math.max(end, h.data_offsets[1]);
  }
  if (8 + n + end !== bytes.length) throw new Error(`${label}: loaded a file whose length disagrees with its header`);
  // And the loaded tensors are usable: through the public loader, ops, and a state dict load.
  const sd = loadFromBuffer(bytes);
  for (const t of Object.values(sd)) {
    const f = t.float();
    if (f.numel() > 0) f.add(1).sum().item();
  }
  const m = new tn.nn.Linear(2, 2);
  const w = Object.values(sd).find((t) => t.shape.join() === '2,2' && t.dtype === 'float32');
  if (w) m.loadStateDict({ weight: w, bias: tn.zeros(2) });
  return 'loaded';
}

// ---- mutations ----
type Mutation = (b: Uint8Array, rnd: () => number) => Uint8Array;
const MUTATIONS: Record<string, Mutation> = {
  bitflip: (b, r) => { const c = b.slice(); for (let k = 1 + Math.floor(r() * 4); k > 0; --k) { const i = Math.floor(r() * c.length); c[i] ^= 1 << Math.floor(r() * 8); } return c; },
  byte: (b, r) => { const c = b.slice(); const i = Math.floor(r() * c.length); c[i] = [0, 0xff, 0x22, 0x7b, 0x5b, 0x2d, 0x30, 0x80, 0xc0][Math.floor(r() * 9)]; return c; },
  prefixByte: (b, r) => { const c = b.slice(); c[Math.floor(r() * 8)] = Math.floor(r() * 256); return c; },
  truncate: (b, r) => b.slice(0, Math.floor(r() * b.length)),
  extend: (b, r) => { const c = new Uint8Array(b.length + 1 + Math.floor(r() * 16)); c.set(b); return c; },
  digit: (b, r) => { // change one digit in the header (offsets and shapes)
    const c = b.slice(); const idx: number[] = [];
    for (let i = 8; i < Math.min(c.length, 8 + 4096); ++i) if (c[i] >= 0x30 && c[i] <= 0x39) idx.push(i);
    if (idx.length) c[idx[Math.floor(r() * idx.length)]] = 0x30 + Math.floor(r() * 10);
    return c;
  },
  dataFlip: (b, r) => { // bit flips in the data section only (values must still decode right)
    const c = b.slice(); const n = c.length >= 8 ? Number(new DataView(c.buffer).getBigUint64(0, true)) : 0;
    const start = 8 + n;
    if (start < c.length) for (let k = 1 + Math.floor(r() * 8); k > 0; --k) c[start + Math.floor(r() * (c.length - start))] ^= 1 << Math.floor(r() * 8);
    return c;
  },
  splice: (b, r) => { const i = Math.floor(r() * b.length), j = Math.floor(r() * b.length); return Uint8Array.from([...b.subarray(0, Math.min(i, j)), ...b.subarray(Math.max(i, j))]); },
};

const BIG = ['18446744073709551616', '18446744073709551615', '9007199254740993', '9007199254740992', '1e400', '-1', '-0', '0.5', '4.0', '1e2', '99999999999999999999999'];
function hostile(rnd: () => number): [string, Uint8Array] {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const data = new Uint8Array(16);
  switch (Math.floor(rnd() * 12)) {
    case 0: return ['huge offsets', fileOf(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[${pick(BIG)},${pick(BIG)}]}}`, data)];
    case 1: return ['huge shape', fileOf(`{"a":{"dtype":"${pick(DTYPES)[0]}","shape":[${pick(BIG)},${pick(['0', '2', pick(BIG)])}],"data_offsets":[0,16]}}`, data)];
    case 2: return ['shape overflowing 2^64 bytes', fileOf({ a: { dtype: 'F64', shape: [2 ** 21, 2 ** 21, 2 ** 21, 2 ** 21], data_offsets: [0, 16] } }, data)];
    case 3: return ['length prefix past the file', fileOf({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data, BigInt(pick([2 ** 20, 2 ** 31, 99_000_000, 100_000_001])) + BigInt(Math.floor(rnd() * 8)))];
    case 4: return ['length prefix 2^64-1', fileOf({}, data, (1n << 64n) - 1n)];
    case 5: { const d = 50 + Math.floor(rnd() * 5000); return ['deep JSON', fileOf(`{"a":${'['.repeat(d)}${']'.repeat(d)}}`, new Uint8Array(0))]; }
    case 6: { const d = 60 + Math.floor(rnd() * 10); return ['deep objects', fileOf(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`, new Uint8Array(0))]; }
    case 7: { const f = fileOf(`{"\u00e9":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, new Uint8Array([7])); f[9 + Math.floor(rnd() * 3)] = pick([0xff, 0xc3, 0x80, 0xed]); return ['non-UTF-8', f]; }
    case 8: return ['lone surrogate / escapes', fileOf(`{"${pick(['\\ud800', '\\udfff', '\\u0000', '__proto__', 'constructor', '__metadata__'])}":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, new Uint8Array([1]))];
    case 9: return ['duplicate keys', fileOf(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, new Uint8Array([1]))];
    case 10: return ['overlapping offsets', fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data.subarray(0, 12))];
    default: return ['wrong types', fileOf(`{"a":{"dtype":${pick(['1', 'null', '"F8_E4M3"', '"c64"', '"F32 "'])},"shape":${pick(['"4"', '{}', '[4.5]', '[-4]', 'null'])},"data_offsets":${pick(['[0]', '[0,16,32]', '"0,16"', '[16,0]', '[null,16]'])}}}`, data)];
  }
}

test(`${CASES} fuzzed files: each ends in the reader's own Error or in a correct load`, () => {
  const mutationNames = Object.keys(MUTATIONS);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 9 }), (s, which) => {
      let rnd = ((a: number) => () => ((a = (a * 1103515245 + 12345) >>> 0), a / 4294967296))(s);
      let bytes: Uint8Array, label: string;
      if (which <= 5) {
        // a valid file, mutated 1-3 times
        bytes = validFile(rnd, 1 + Math.floor(rnd() * 5));
        const k = 1 + Math.floor(rnd() * 3);
        const applied: string[] = [];
        for (let i = 0; i < k; ++i) {
          const m = mutationNames[Math.floor(rnd() * mutationNames.length)];
          bytes = MUTATIONS[m](bytes, rnd);
          applied.push(m);
        }
        label = `mutated(${applied.join('+')})`;
      } else if (which <= 8) {
        [label, bytes] = hostile(rnd);
      } else {
        bytes = new Uint8Array(Math.floor(rnd() * 64));
        for (let i = 0; i < bytes.length; ++i) bytes[i] = Math.floor(rnd() * 256);
        if (rnd() < 0.5 && bytes.length >= 8) new DataView(bytes.buffer).setBigUint64(0, BigInt(Math.floor(rnd() * bytes.length)), true);
        label = 'random bytes';
      }
      const outcome = check(bytes, `${label} (seed ${s})`);
      note(`${label.split('(')[0]}:${outcome}`);
      rnd = () => 0;
    }),
    { numRuns: CASES, seed: seed() },
  );
  // The corpus does produce both outcomes.
  expect(Object.keys(outcomes).some((k) => k.endsWith(':loaded'))).toBe(true);
  expect(Object.keys(outcomes).some((k) => k.endsWith(':error'))).toBe(true);
});

test('unmutated valid files of every dtype load correctly, via a file too', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tn-fuzz-'));
  try {
    for (let s = 1; s <= 30; ++s) {
      let a = s;
      const rnd = () => ((a = (a * 1103515245 + 12345) >>> 0), a / 4294967296);
      const bytes = validFile(rnd, 1 + (s % 6));
      let ok = true;
      try { decodeSafetensors(bytes); } catch { ok = false; }
      if (ok) expect(check(bytes, `valid ${s}`)).toBe('loaded');
      const file = path.join(dir, `f${s}.safetensors`);
      fs.writeFileSync(file, bytes);
      if (ok) expect(Object.keys(tn.load(file)).length).toBe(Object.keys(decodeSafetensors(bytes).tensors).length);
      else expect(() => tn.load(file)).toThrow(new RegExp(`^safetensors file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // the encoder's own output round-trips
  const raw = { w: { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) } };
  expect(Array.from(decodeSafetensors(encodeSafetensors(raw)).tensors.w.data)).toEqual([1, 2, 3, 4, 5, 6]);
});
