/**
 * Encoding tensors as a safetensors file, byte for byte as `safetensors.torch.save_file` writes
 * them (the rules are in safetensors.ts): entries sorted by dtype alignment descending, then
 * name as UTF-8 bytes; compact JSON with "__metadata__" first; header padded with spaces to a
 * multiple of 8; data contiguous and little-endian in entry order.
 */
import { type RawTensor, MAX_HEADER_SIZE } from './decode';
import { DTYPE_RANK, LITTLE_ENDIAN } from './dtypes';
import { isWellFormed } from './header_parser';

const OP = 'encodeSafetensors';
const utf8 = new TextEncoder();

interface Item {
  name: string;
  nameBytes: Uint8Array;
  dtype: 'F32' | 'I32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * Encodes tensors as a safetensors file (float32 as F32, int32 as I32), with optional
 * `__metadata__` (string values).
 * @example fs.writeFileSync('w.safetensors', encodeSafetensors({ w: { dtype: 'float32', shape: [2], data } }));
 */
export function encodeSafetensors(tensors: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') {
    throw new TypeError(`${OP}: expected an object of tensors but received ${tensors === null ? 'null' : typeof tensors}`);
  }
  const items = Object.keys(tensors).map((name) => checkTensor(name, tensors[name]));
  // dtype alignment descending (F32 ranks above I32), then name ascending as UTF-8 bytes
  items.sort((a, b) => DTYPE_RANK.get(b.dtype)! - DTYPE_RANK.get(a.dtype)! || compareBytes(a.nameBytes, b.nameBytes));
  const json = utf8.encode(headerJson(items, metadata));
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > MAX_HEADER_SIZE) {
    throw new RangeError(`${OP}: the header would be ${padded} bytes, over the safetensors limit of ${MAX_HEADER_SIZE}`);
  }
  const dataBytes = items.reduce((sum, it) => sum + it.data.byteLength, 0);
  const out = new Uint8Array(8 + padded + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  writeData(out, 8 + padded, items);
  return out;
}

function checkTensor(name: string, t: RawTensor): Item {
  const label = `${OP}: tensor ${JSON.stringify(name)}`;
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
  return { name, nameBytes: utf8.encode(name), dtype, shape: t.shape.slice(), data: t.data };
}

/** Checks metadata: an object of well-formed strings. */
export function checkMetadata(op: string, metadata: unknown): asserts metadata is Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new TypeError(`${op}: expected an object of strings for metadata`);
  }
  for (const k of Object.keys(metadata)) {
    const v = (metadata as Record<string, unknown>)[k];
    if (typeof v !== 'string') {
      throw new TypeError(`${op}: metadata ${JSON.stringify(k)} must be a string but is ${v === null ? 'null' : typeof v} (safetensors metadata holds strings only; JSON.stringify other values)`);
    }
    if (!isWellFormed(k) || !isWellFormed(v)) throw new RangeError(`${op}: metadata ${JSON.stringify(k)} is not valid Unicode`);
  }
}

/** Compact JSON (serde_json style); JSON.stringify escapes strings exactly as serde_json does. */
function headerJson(items: Item[], metadata: Record<string, string> | undefined): string {
  const parts: string[] = [];
  if (metadata !== undefined) {
    checkMetadata(OP, metadata);
    const entries = Object.keys(metadata).map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`);
    parts.push(`"__metadata__":{${entries.join(',')}}`);
  }
  let offset = 0;
  for (const it of items) {
    const n = it.data.byteLength;
    parts.push(`${JSON.stringify(it.name)}:{"dtype":"${it.dtype}","shape":[${it.shape.join(',')}],"data_offsets":[${offset},${offset + n}]}`);
    offset += n;
  }
  return `{${parts.join(',')}}`;
}

function writeData(out: Uint8Array, start: number, items: Item[]): void {
  const view = new DataView(out.buffer);
  let pos = start;
  for (const { data } of items) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    } else {
      const set = data instanceof Float32Array ? view.setFloat32.bind(view) : view.setInt32.bind(view);
      for (let i = 0; i < data.length; i++) set(pos + 4 * i, data[i], true);
    }
    pos += data.byteLength;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
