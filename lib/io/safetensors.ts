/**
 * safetensors reading and writing, byte-compatible with `safetensors.torch.save_file` /
 * `load_file` (huggingface/safetensors: safetensors/src/tensor.rs, bindings/python/.../torch.py).
 *
 * File layout: [8 bytes: N, u64 little-endian][N bytes: UTF-8 JSON header][data section]
 * The header maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into
 * the data section; end exclusive), plus an optional "__metadata__" object of string values.
 *
 * Writing (same bytes as save_file):
 * - tensors sorted by dtype alignment descending (the order of safetensors' Dtype enum, so F32
 *   before I32), then by name ascending, compared as UTF-8 bytes (Rust's String ordering);
 * - data laid out contiguously in that order from offset 0, little-endian, row-major;
 * - compact JSON (serde_json style: no spaces), entries in data order with keys dtype, shape,
 *   data_offsets; "__metadata__" first when given;
 * - the header padded with spaces (0x20) to a multiple of 8; N counts the padding.
 * Metadata is written in the insertion order of the object given. (safetensors keeps metadata in
 * a Rust HashMap, so the order of its entries in files written by Python is unspecified anyway.)
 *
 * Reading validates everything before allocating any tensor memory, and every failure is an
 * `Error` whose message starts with `safetensors file <path or '<buffer>'>:` and names the tensor
 * when there is one. Rules (tensor.rs, plus the checks JavaScript needs):
 * - the file holds at least the 8-byte prefix; N <= 100,000,000 and N <= file size - 8 (checked
 *   on the u64 with BigInt before anything is read);
 * - the header is valid UTF-8 (a byte-order mark is not skipped), valid JSON, at most 64 levels
 *   deep (checked before parsing), an object, and has no duplicate key in any object;
 * - "__metadata__" is null or an object of string values;
 * - every other entry is an object with a known dtype string, a shape of non-negative integers and
 *   data_offsets of two non-negative integers with begin <= end (integers written without a
 *   fraction or exponent, at most 2^53 - 1); other fields are ignored, as serde does;
 * - sorted by offsets, the entries are contiguous from 0 with no gap or overlap;
 * - end - begin == numel * itemsize (numel computed exactly; beyond u64 is an overflow error);
 * - 8 + N + last end == the file length exactly.
 * Empty tensors (a 0 in the shape, offsets [b, b]) and rank-0 tensors (shape []) are allowed.
 *
 * Conversion on read: F32 as is; F16, BF16 exactly, and F64 rounded to nearest, to float32;
 * I64, I32, I16, I8, U64, U32, U16, U8 and BOOL to int32 (a value outside int32 is an error that
 * names the tensor and the element; BOOL bytes become 0 or 1). F4, F6_*, F8_* and C64 tensors are
 * recognised and rejected with an error; unknown dtype strings too.
 *
 * The returned `tensors` object lists the tensors in the order of the header object as written
 * (for files written by safetensors or by encodeSafetensors: data order, which is also the order
 * recent `safetensors.torch.load_file` returns). One JavaScript rule overrides this: names that
 * are array indices ("0", "17") enumerate first, in numeric order. Use the names, not the order.
 */

import { promises as fsp, readFileSync, writeFileSync } from 'fs';

export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64'
  | 'F4' | 'F6_E2M3' | 'F6_E3M2' | 'F8_E5M2' | 'F8_E4M3' | 'F8_E8M0' | 'F8_E4M3FNUZ' | 'F8_E5M2FNUZ' | 'C64';

export interface RawTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface DecodedSafetensors {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string> | null;
}

/** The header size limit of safetensors (`MAX_HEADER_SIZE`). */
export const MAX_HEADER_SIZE = 100_000_000;
const MAX_JSON_DEPTH = 64;

/** Dtypes in safetensors' enum order (increasing alignment), with their size in bits. */
const DTYPE_ORDER: ReadonlyArray<[SafetensorsDtype, number]> = [
  ['BOOL', 8], ['F4', 4], ['F6_E2M3', 6], ['F6_E3M2', 6], ['U8', 8], ['I8', 8],
  ['F8_E5M2', 8], ['F8_E4M3', 8], ['F8_E8M0', 8], ['F8_E4M3FNUZ', 8], ['F8_E5M2FNUZ', 8],
  ['I16', 16], ['U16', 16], ['F16', 16], ['BF16', 16], ['I32', 32], ['U32', 32], ['F32', 32],
  ['C64', 64], ['F64', 64], ['I64', 64], ['U64', 64],
];
const DTYPE_RANK = new Map<string, number>(DTYPE_ORDER.map(([d], i) => [d, i]));
const DTYPE_BITS = new Map<string, number>(DTYPE_ORDER);
const READABLE = new Set<string>(['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const utf8Encoder = new TextEncoder();

function prefix(source: string): string {
  return `safetensors file ${source}`;
}

function fail(source: string, detail: string, tensor?: string): Error {
  const where = tensor === undefined ? '' : ` tensor ${JSON.stringify(tensor)}:`;
  return new Error(`${prefix(source)}:${where} ${detail}`);
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function defineEntry<T>(obj: Record<string, T>, key: string, value: T): void {
  // defineProperty, so that a name like "__proto__" becomes an ordinary own property
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// ------------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------------

/**
 * Encodes tensors as a safetensors file, byte for byte as `safetensors.torch.save_file` writes
 * them (see the module comment for the rules). float32 tensors are stored as F32, int32 as I32.
 */
export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const op = 'encodeSafetensors';
  if (tensors === null || typeof tensors !== 'object') {
    throw new TypeError(`${op}: expected an object of tensors but received ${tensors === null ? 'null' : typeof tensors}`);
  }
  interface Item { name: string; nameBytes: Uint8Array; dtype: 'F32' | 'I32'; shape: number[]; data: Float32Array | Int32Array }
  const items: Item[] = [];
  for (const name of Object.keys(tensors)) {
    const t = tensors[name];
    const label = `${op}: tensor ${JSON.stringify(name)}`;
    if (name === '__metadata__') throw new RangeError(`${label}: the name __metadata__ is reserved for the metadata`);
    if (!isWellFormed(name)) throw new RangeError(`${label}: the name is not valid Unicode (lone surrogate)`);
    if (t === null || typeof t !== 'object') throw new TypeError(`${label}: expected a RawTensor`);
    let dtype: 'F32' | 'I32';
    if (t.dtype === 'float32') {
      if (!(t.data instanceof Float32Array)) throw new TypeError(`${label}: dtype float32 needs a Float32Array`);
      dtype = 'F32';
    } else if (t.dtype === 'int32') {
      if (!(t.data instanceof Int32Array)) throw new TypeError(`${label}: dtype int32 needs an Int32Array`);
      dtype = 'I32';
    } else {
      throw new TypeError(`${label}: expected dtype 'float32' or 'int32' but received ${String(t.dtype)}`);
    }
    if (!Array.isArray(t.shape)) throw new TypeError(`${label}: expected an array for shape`);
    let numel = 1;
    for (const d of t.shape) {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
        throw new RangeError(`${label}: shape [${t.shape.join(', ')}] must hold non-negative integers`);
      }
      numel *= d;
    }
    if (numel !== t.data.length) {
      throw new RangeError(`${label}: shape [${t.shape.join(', ')}] has ${numel} elements but data has ${t.data.length}`);
    }
    items.push({ name, nameBytes: utf8Encoder.encode(name), dtype, shape: t.shape.slice(), data: t.data });
  }
  // dtype alignment descending (F32 ranks above I32), then name ascending as UTF-8 bytes
  items.sort((a, b) => (DTYPE_RANK.get(b.dtype)! - DTYPE_RANK.get(a.dtype)!) || compareBytes(a.nameBytes, b.nameBytes));

  const parts: string[] = [];
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new TypeError(`${op}: expected an object of strings for metadata`);
    }
    const entries: string[] = [];
    for (const k of Object.keys(metadata)) {
      const v = metadata[k];
      if (typeof v !== 'string') {
        throw new TypeError(`${op}: metadata ${JSON.stringify(k)} must be a string but is ${v === null ? 'null' : typeof v}`);
      }
      if (!isWellFormed(k) || !isWellFormed(v)) throw new RangeError(`${op}: metadata ${JSON.stringify(k)} is not valid Unicode`);
      entries.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"__metadata__":{${entries.join(',')}}`);
  }
  let offset = 0;
  for (const it of items) {
    const n = it.data.length * 4;
    parts.push(`${JSON.stringify(it.name)}:{"dtype":"${it.dtype}","shape":[${it.shape.join(',')}],"data_offsets":[${offset},${offset + n}]}`);
    offset += n;
  }
  const json = utf8Encoder.encode(`{${parts.join(',')}}`);
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > MAX_HEADER_SIZE) {
    throw new RangeError(`${op}: the header would be ${padded} bytes, over the safetensors limit of ${MAX_HEADER_SIZE}`);
  }
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const it of items) {
    const d = it.data;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    } else if (d instanceof Float32Array) {
      for (let i = 0; i < d.length; i++) dv.setFloat32(pos + 4 * i, d[i], true);
    } else {
      for (let i = 0; i < d.length; i++) dv.setInt32(pos + 4 * i, d[i], true);
    }
    pos += d.byteLength;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Reading
// ------------------------------------------------------------------------------------------------

/**
 * Walks the header text once, outside of JSON.parse: rejects nesting deeper than MAX_JSON_DEPTH
 * (so JSON.parse can never overflow the stack) and, for valid JSON, finds duplicate keys in any
 * object and number literals that are not plain integers. Returns problems as strings; `null`
 * when nothing was found. Works on invalid JSON too (then JSON.parse reports the syntax error).
 */
interface ScanResult {
  deep?: boolean;
  /** the first duplicate key, with the keys leading to its object (empty at the top level) */
  duplicate?: { key: string; path: string[] };
  /** the first number literal with a fraction or exponent, and the top-level key it sits under */
  nonInteger?: { literal: string; top: string | undefined };
}

function scanHeader(text: string): ScanResult {
  interface Frame { obj: boolean; keys: Set<string> | null; expectKey: boolean; key: string }
  const stack: Frame[] = [];
  const res: ScanResult = {};
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) j += 2;
        else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (top && top.obj && top.expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return res; // malformed string: JSON.parse of the whole header reports it
        }
        if (top.keys!.has(key)) {
          if (!res.duplicate) res.duplicate = { key, path: stack.slice(0, -1).map((f) => f.key) };
        } else {
          top.keys!.add(key);
        }
        top.key = key;
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH) {
        res.deep = true;
        return res;
      }
      stack.push({ obj: c === 0x7b, keys: c === 0x7b ? new Set() : null, expectKey: c === 0x7b, key: '' });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top && top.obj) top.expectKey = true;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i;
      while (j < n) {
        const d = text.charCodeAt(j);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2d || d === 0x2b || d === 0x2e || d === 0x65 || d === 0x45) j++;
        else break;
      }
      const lit = text.slice(i, j);
      if (!res.nonInteger && /[.eE]/.test(lit)) res.nonInteger = { literal: lit, top: stack.length > 1 ? stack[0].key : undefined };
      i = j;
      continue;
    }
    i++;
  }
  return res;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
  index: number;
}

function parseHeader(bytes: Uint8Array, source: string): { entries: Entry[]; metadata: Record<string, string> | null; n: number } {
  const len = bytes.length;
  if (len < 8) {
    throw fail(source, `the file is ${len} bytes, too short for the 8-byte header length`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nBig = dv.getBigUint64(0, true);
  if (nBig > BigInt(MAX_HEADER_SIZE)) {
    throw fail(source, `header length ${nBig} exceeds the safetensors limit of ${MAX_HEADER_SIZE} bytes`);
  }
  if (nBig > BigInt(len - 8)) {
    throw fail(source, `header length ${nBig} exceeds the ${len - 8} bytes that follow the length prefix`);
  }
  const n = Number(nBig);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw fail(source, 'the header is not valid UTF-8');
  }
  const scan = scanHeader(text);
  if (scan.deep) throw fail(source, `the header JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw fail(source, `the header is not valid JSON (${why})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw fail(source, `the header must be a JSON object but is ${header === null ? 'null' : Array.isArray(header) ? 'an array' : typeof header}`);
  }
  if (scan.duplicate) {
    const { key, path } = scan.duplicate;
    if (path.length === 0) {
      throw fail(source, `duplicate key ${JSON.stringify(key)} in the header`, key === '__metadata__' ? undefined : key);
    }
    if (path[0] === '__metadata__') throw fail(source, `duplicate key ${JSON.stringify(key)} in __metadata__`);
    throw fail(source, `duplicate field ${JSON.stringify(key)}`, path[0]);
  }
  const h = header as Record<string, unknown>;
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  let index = 0;
  for (const name of Object.keys(h)) {
    const v = h[name];
    // JSON.parse accepts "\ud800"; safetensors (serde_json) rejects a lone surrogate, and
    // encodeSafetensors refuses to write one, so a name like that is refused here too.
    if (!isWellFormed(name)) throw fail(source, `the name ${JSON.stringify(name)} is not valid Unicode (lone surrogate)`);
    if (name === '__metadata__') {
      if (v === null) continue;
      if (typeof v !== 'object' || Array.isArray(v)) {
        throw fail(source, `__metadata__ must be an object of strings but is ${Array.isArray(v) ? 'an array' : typeof v}`);
      }
      metadata = {};
      for (const k of Object.keys(v as object)) {
        const s = (v as Record<string, unknown>)[k];
        if (typeof s !== 'string') {
          throw fail(source, `__metadata__ value for ${JSON.stringify(k)} must be a string but is ${s === null ? 'null' : Array.isArray(s) ? 'an array' : typeof s}`);
        }
        if (!isWellFormed(k) || !isWellFormed(s)) throw fail(source, `__metadata__ entry ${JSON.stringify(k)} is not valid Unicode (lone surrogate)`);
        defineEntry(metadata, k, s);
      }
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw fail(source, `expected an object {dtype, shape, data_offsets} but found ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`, name);
    }
    const info = v as Record<string, unknown>;
    for (const field of ['dtype', 'shape', 'data_offsets']) {
      if (!Object.prototype.hasOwnProperty.call(info, field)) throw fail(source, `missing field "${field}"`, name);
    }
    const dt = info.dtype;
    if (typeof dt !== 'string') throw fail(source, `dtype must be a string but is ${JSON.stringify(dt)}`, name);
    if (!DTYPE_RANK.has(dt)) throw fail(source, `unknown dtype ${JSON.stringify(dt)}`, name);
    const shape = info.shape;
    if (!Array.isArray(shape)) throw fail(source, `shape must be an array of non-negative integers but is ${JSON.stringify(shape)}`, name);
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
        throw fail(source, `shape must be an array of non-negative integers but is ${JSON.stringify(shape)}`, name);
      }
    }
    const offs = info.data_offsets;
    if (
      !Array.isArray(offs) || offs.length !== 2 ||
      !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      throw fail(source, `data_offsets must be two non-negative integers [begin, end] but is ${JSON.stringify(offs)}`, name);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) throw fail(source, `data_offsets [${begin}, ${end}] end before they begin`, name);
    entries.push({ name, dtype: dt as SafetensorsDtype, shape: shape.map((d) => (d === 0 ? 0 : d)), begin, end, index: index++ });
  }
  if (scan.nonInteger) {
    // a number written with a fraction or exponent (JSON.parse turned "4.0" into 4): safetensors
    // reads shapes and offsets as unsigned integers and rejects it
    const { literal, top } = scan.nonInteger;
    const tensor = top !== undefined && top !== '__metadata__' ? top : undefined;
    throw fail(source, `the number ${literal} is not an integer; shapes and offsets must be written as integers`, tensor);
  }
  return { entries, metadata, n };
}

function validateLayout(entries: Entry[], n: number, fileLength: number, source: string): void {
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end || a.index - b.index);
  let start = 0;
  const U64_MAX = (1n << 64n) - 1n;
  for (const e of sorted) {
    if (e.begin !== start) {
      const what = e.begin > start ? `leave a gap: the previous tensor ends at ${start}` : `overlap the previous tensor, which ends at ${start}`;
      throw fail(source, `data_offsets [${e.begin}, ${e.end}] ${what}`, e.name);
    }
    start = e.end;
    let numel = 1n;
    for (const d of e.shape) {
      numel *= BigInt(d);
      if (numel > U64_MAX) throw fail(source, `shape [${e.shape.join(', ')}] overflows: too many elements`, e.name);
    }
    const bits = BigInt(DTYPE_BITS.get(e.dtype)!);
    const nbits = numel * bits;
    if (nbits / 8n > U64_MAX) throw fail(source, `shape [${e.shape.join(', ')}] of ${e.dtype} overflows: too many bytes`, e.name);
    if (nbits % 8n !== 0n) {
      throw fail(source, `shape [${e.shape.join(', ')}] of ${e.dtype} is ${nbits} bits, not a whole number of bytes`, e.name);
    }
    const need = nbits / 8n;
    const have = BigInt(e.end - e.begin);
    if (have !== need) {
      throw fail(source, `data_offsets [${e.begin}, ${e.end}] hold ${have} bytes but shape [${e.shape.join(', ')}] of ${e.dtype} needs ${need}`, e.name);
    }
  }
  const expected = 8 + n + start;
  if (expected !== fileLength) {
    if (fileLength < expected) {
      throw fail(source, `the file is ${fileLength} bytes but the header describes ${expected} (8 + ${n} header + ${start} data): truncated`);
    }
    throw fail(source, `the file is ${fileLength} bytes but the header describes ${expected} (8 + ${n} header + ${start} data): ${fileLength - expected} extra bytes at the end`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 5.960464477539063e-8; // 2^-24
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

function convert(bytes: Uint8Array, base: number, e: Entry, source: string): RawTensor {
  const start = base + e.begin;
  const count = e.shape.reduce((a, b) => a * b, 1);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = e.shape.slice();
  const tooBig = (i: number, v: string): Error =>
    fail(source, `element ${i} = ${v} of ${e.dtype} does not fit in int32`, e.name);
  switch (e.dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes.subarray(start, start + 4 * count));
      else for (let i = 0; i < count; i++) out[i] = dv.getFloat32(start + 4 * i, true);
      return { dtype: 'float32', shape, data: out };
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(start + 2 * i, true));
      return { dtype: 'float32', shape, data: out };
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = dv.getUint16(start + 2 * i, true) << 16;
      return { dtype: 'float32', shape, data: out };
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(start + 8 * i, true);
      return { dtype: 'float32', shape, data: out };
    }
    case 'I32': {
      const out = new Int32Array(count);
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes.subarray(start, start + 4 * count));
      else for (let i = 0; i < count; i++) out[i] = dv.getInt32(start + 4 * i, true);
      return { dtype: 'int32', shape, data: out };
    }
    case 'U32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getUint32(start + 4 * i, true);
        if (v > 0x7fffffff) throw tooBig(i, String(v));
        out[i] = v;
      }
      return { dtype: 'int32', shape, data: out };
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const lo = dv.getUint32(start + 8 * i, true);
        const hi = dv.getInt32(start + 8 * i + 4, true);
        if (!((hi === 0 && lo <= 0x7fffffff) || (hi === -1 && lo >= 0x80000000))) {
          throw tooBig(i, String(dv.getBigInt64(start + 8 * i, true)));
        }
        out[i] = lo | 0;
      }
      return { dtype: 'int32', shape, data: out };
    }
    case 'U64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const lo = dv.getUint32(start + 8 * i, true);
        const hi = dv.getUint32(start + 8 * i + 4, true);
        if (hi !== 0 || lo > 0x7fffffff) throw tooBig(i, String(dv.getBigUint64(start + 8 * i, true)));
        out[i] = lo;
      }
      return { dtype: 'int32', shape, data: out };
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(start + 2 * i, true);
      return { dtype: 'int32', shape, data: out };
    }
    case 'U16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(start + 2 * i, true);
      return { dtype: 'int32', shape, data: out };
    }
    case 'I8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(start + i);
      return { dtype: 'int32', shape, data: out };
    }
    case 'U8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[start + i];
      return { dtype: 'int32', shape, data: out };
    }
    case 'BOOL': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[start + i] !== 0 ? 1 : 0;
      return { dtype: 'int32', shape, data: out };
    }
    default:
      throw fail(source, `dtype ${e.dtype} is not supported (only float32 and int32 tensors can be loaded)`, e.name);
  }
}

/**
 * Decodes and validates a safetensors file held in memory (see the module comment for the rules
 * and conversions). `source` names the file in error messages; default '<buffer>'.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodeSafetensors: expected a Uint8Array or Buffer but received ${bytes === null ? 'null' : typeof bytes}`);
  }
  const { entries, metadata, n } = parseHeader(bytes, source);
  validateLayout(entries, n, bytes.length, source);
  for (const e of entries) {
    if (!READABLE.has(e.dtype)) {
      throw fail(source, `dtype ${e.dtype} is not supported (only float32 and int32 tensors can be loaded)`, e.name);
    }
  }
  const tensors: Record<string, RawTensor> = {};
  const base = 8 + n;
  for (const e of entries) defineEntry(tensors, e.name, convert(bytes, base, e, source));
  return { tensors, metadata };
}

/** Writes `tensors` to `path` as a safetensors file (same bytes as safetensors.torch.save_file). */
export async function saveFile(tensors: Record<string, RawTensor>, path: string, metadata?: Record<string, string>): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  await fsp.writeFile(path, bytes);
}

/** Synchronous saveFile. */
export function saveFileSync(tensors: Record<string, RawTensor>, path: string, metadata?: Record<string, string>): void {
  writeFileSync(path, encodeSafetensors(tensors, metadata));
}

/** Reads and decodes a safetensors file; errors name `path`. */
export async function loadFile(path: string): Promise<DecodedSafetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(path);
  } catch (e) {
    throw new Error(`${prefix(path)}: cannot be read (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return decodeSafetensors(bytes, path);
}

/** Synchronous loadFile. */
export function loadFileSync(path: string): DecodedSafetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${prefix(path)}: cannot be read (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return decodeSafetensors(bytes, path);
}
