/**
 * Conversion of tensor bytes (little-endian, any alignment) to the arrays tensornode holds:
 * F32 as is; F16 and BF16 exactly, and F64 rounded to nearest, to float32; I64, I32, I16, I8,
 * U64, U32, U16, U8 and BOOL to int32 (a value outside int32 is an error naming the element;
 * BOOL bytes become 0 or 1). Each converter fills out[from, to) from the bytes at `at`, so a
 * large tensor converts in slices.
 */
import { LITTLE_ENDIAN, dtypeName } from './dtypes';
import { fail } from './errors';

export type HostArray = Float32Array | Int32Array;

/** Source bytes of a slice: out[from, to) comes from bytes at `at` onwards. */
export interface Slice {
  bytes: Uint8Array;
  view: DataView;
  at: number;
  from: number;
  to: number;
}

/** Fills the slice; returns -1, or the index of an element outside int32. */
type Converter = (s: Slice, out: HostArray) => number;

const FLOAT_OUTPUT = new Set(['F32', 'F16', 'BF16', 'F64']);

/** Bytes per element of the readable dtypes. */
export const ITEM_SIZE: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, U32: 4, I64: 8, U64: 8, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Whether the file's bytes are the array's bytes (a plain copy, or a read straight into it). */
export function isVerbatim(rank: number): boolean {
  const d = dtypeName(rank);
  return LITTLE_ENDIAN && (d === 'F32' || d === 'I32');
}

export function outputDtype(rank: number): 'float32' | 'int32' {
  return FLOAT_OUTPUT.has(dtypeName(rank)) ? 'float32' : 'int32';
}

/** A zeroed output array; a length V8 cannot allocate is an error naming the tensor. */
export function allocateOutput(rank: number, count: number, name: string, source: string): HostArray {
  try {
    return outputDtype(rank) === 'float32' ? new Float32Array(count) : new Int32Array(count);
  } catch (e) {
    throw fail(source, `${count} elements as ${outputDtype(rank)} are more than this process can allocate (${e instanceof Error ? e.message : String(e)})`, name);
  }
}

/** Converts one slice of tensor `name` of dtype `rank`. */
export function convertSlice(rank: number, s: Slice, out: HostArray, name: string, source: string): void {
  const dtype = dtypeName(rank);
  const bad = CONVERTERS[dtype](s, out);
  if (bad >= 0) {
    const size = ITEM_SIZE[dtype];
    throw fail(source, `element ${bad} = ${valueText(dtype, s.view, s.at + (bad - s.from) * size)} of ${dtype} does not fit in int32`, name);
  }
}

function valueText(dtype: string, view: DataView, at: number): string {
  if (dtype === 'I64') return String(view.getBigInt64(at, true));
  if (dtype === 'U64') return String(view.getBigUint64(at, true));
  return String(view.getUint32(at, true));
}

function copyBytes(s: Slice, out: HostArray): number {
  const n = (s.to - s.from) * 4;
  new Uint8Array(out.buffer, out.byteOffset + s.from * 4, n).set(s.bytes.subarray(s.at, s.at + n));
  return -1;
}

let halfTable: Float32Array | null = null;

/** Every float16 bit pattern as a float32 (256 KB, built on first use). */
function halves(): Float32Array {
  if (halfTable !== null) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) halfTable[h] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) halfTable[h] = mant === 0 ? sign * Infinity : NaN;
    else halfTable[h] = sign * (1024 + mant) * 2 ** (exp - 25);
  }
  return halfTable;
}

function f16(s: Slice, out: HostArray): number {
  const table = halves();
  for (let i = s.from, p = s.at; i < s.to; i++, p += 2) out[i] = table[s.view.getUint16(p, true)];
  return -1;
}

function bf16(s: Slice, out: HostArray): number {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = s.from, p = s.at; i < s.to; i++, p += 2) bits[i] = s.view.getUint16(p, true) << 16;
  return -1;
}

function f32(s: Slice, out: HostArray): number {
  if (LITTLE_ENDIAN) return copyBytes(s, out);
  for (let i = s.from, p = s.at; i < s.to; i++, p += 4) out[i] = s.view.getFloat32(p, true);
  return -1;
}

function f64(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p += 8) out[i] = s.view.getFloat64(p, true);
  return -1;
}

function i32(s: Slice, out: HostArray): number {
  if (LITTLE_ENDIAN) return copyBytes(s, out);
  for (let i = s.from, p = s.at; i < s.to; i++, p += 4) out[i] = s.view.getInt32(p, true);
  return -1;
}

function u32(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p += 4) {
    const v = s.view.getUint32(p, true);
    if (v > 0x7fffffff) return i;
    out[i] = v;
  }
  return -1;
}

function i64(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p += 8) {
    const lo = s.view.getUint32(p, true);
    const hi = s.view.getInt32(p + 4, true);
    if (!((hi === 0 && lo <= 0x7fffffff) || (hi === -1 && lo >= 0x80000000))) return i;
    out[i] = lo | 0;
  }
  return -1;
}

function u64(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p += 8) {
    const lo = s.view.getUint32(p, true);
    if (s.view.getUint32(p + 4, true) !== 0 || lo > 0x7fffffff) return i;
    out[i] = lo;
  }
  return -1;
}

function i16(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p += 2) out[i] = s.view.getInt16(p, true);
  return -1;
}

function u16(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p += 2) out[i] = s.view.getUint16(p, true);
  return -1;
}

function i8(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p++) out[i] = s.view.getInt8(p);
  return -1;
}

function u8(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p++) out[i] = s.bytes[p];
  return -1;
}

function bool(s: Slice, out: HostArray): number {
  for (let i = s.from, p = s.at; i < s.to; i++, p++) out[i] = s.bytes[p] !== 0 ? 1 : 0;
  return -1;
}

const CONVERTERS: Record<string, Converter> = { F32: f32, F16: f16, BF16: bf16, F64: f64, I32: i32, U32: u32, I64: i64, U64: u64, I16: i16, U16: u16, I8: i8, U8: u8, BOOL: bool };
