/**
 * The data-section rules: sorted by offsets, the entries tile the data section from 0 with no gap
 * or overlap, each holds exactly numel * itemsize bytes (numel computed exactly, overflow past
 * u64 an error, as safetensors' checked_mul), and 8 + N + the last end is the file's length.
 */
import { READABLE, dtypeBits, dtypeName } from './dtypes';
import { fail } from './errors';
import { type HeaderTable } from './header_parser';
import { type Work } from './work';

const U64_MAX = (1n << 64n) - 1n;
/** Entries handled between two pause points. */
const SLICE_ENTRIES = 1 << 14;

/**
 * Checks the layout and returns the entries' indices in data order (by begin, then end, then
 * header order). `fileLength` is the whole file's size in bytes.
 */
export function* validateLayout(t: HeaderTable, n: number, fileLength: number, source: string): Work<Uint32Array> {
  const order = yield* dataOrder(t);
  let start = 0;
  for (let k = 0; k < order.length; k++) {
    if ((k & (SLICE_ENTRIES - 1)) === 0) yield;
    const i = order[k];
    const begin = t.begins[i], end = t.ends[i];
    if (begin !== start) {
      const what = begin > start ? `leave a gap: the previous tensor ends at ${start}` : `overlap the previous tensor, which ends at ${start}`;
      throw fail(source, `data_offsets [${begin}, ${end}] ${what}`, t.names[i]);
    }
    checkByteSize(t, i, source);
    start = end;
  }
  checkFileLength(8 + n + start, n, start, fileLength, source);
  yield* checkReadable(t, source);
  return order;
}

export function shapeOf(t: HeaderTable, i: number): number[] {
  return t.dims.slice(t.shapeStarts[i], t.shapeStarts[i + 1]);
}

export function numelOf(t: HeaderTable, i: number): number {
  let numel = 1;
  for (let d = t.shapeStarts[i]; d < t.shapeStarts[i + 1]; d++) numel *= t.dims[d];
  return numel;
}

/** end - begin must be numel * bits / 8, computed exactly. */
function checkByteSize(t: HeaderTable, i: number, source: string): void {
  const bits = dtypeBits(t.dtypes[i]);
  const have = t.ends[i] - t.begins[i];
  // running product in doubles while it stays exact; BigInt for the rare huge shapes
  let numel = 1;
  for (let d = t.shapeStarts[i]; d < t.shapeStarts[i + 1] && numel <= Number.MAX_SAFE_INTEGER; d++) numel *= t.dims[d];
  if (numel * bits <= Number.MAX_SAFE_INTEGER && (numel * bits) % 8 === 0 && numel * bits / 8 === have) return;
  const name = t.names[i];
  const shape = `shape [${shapeOf(t, i).join(', ')}]`;
  const dtype = dtypeName(t.dtypes[i]);
  let exact = 1n;
  for (const d of shapeOf(t, i)) {
    exact *= BigInt(d);
    if (exact > U64_MAX) throw fail(source, `${shape} overflows: too many elements`, name);
  }
  const nbits = exact * BigInt(bits);
  if (nbits / 8n > U64_MAX) throw fail(source, `${shape} of ${dtype} overflows: too many bytes`, name);
  if (nbits % 8n !== 0n) throw fail(source, `${shape} of ${dtype} is ${nbits} bits, not a whole number of bytes`, name);
  const need = nbits / 8n;
  if (BigInt(have) !== need) {
    throw fail(source, `data_offsets [${t.begins[i]}, ${t.ends[i]}] hold ${have} bytes but ${shape} of ${dtype} needs ${need}`, name);
  }
}

function checkFileLength(expected: number, n: number, dataLength: number, fileLength: number, source: string): void {
  if (expected === fileLength) return;
  const describes = `the file is ${fileLength} bytes but the header describes ${expected} (8 + ${n} header + ${dataLength} data)`;
  if (fileLength < expected) throw fail(source, `${describes}: truncated`);
  throw fail(source, `${describes}: ${fileLength - expected} extra bytes at the end`);
}

/** F4, F6_*, F8_* and C64 are recognised (the layout is checked) but not loaded. */
function* checkReadable(t: HeaderTable, source: string): Work<void> {
  for (let i = 0; i < t.names.length; i++) {
    if ((i & (SLICE_ENTRIES - 1)) === 0) yield;
    const dtype = dtypeName(t.dtypes[i]);
    if (!READABLE.has(dtype)) throw fail(source, `dtype ${dtype} is not supported (only float32 and int32 tensors can be loaded)`, t.names[i]);
  }
}

/** Indices in data order. Files written by safetensors are in data order already: no sort. */
function* dataOrder(t: HeaderTable): Work<Uint32Array> {
  const count = t.names.length;
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const before = (a: number, b: number): boolean => t.begins[a] < t.begins[b] || (t.begins[a] === t.begins[b] && t.ends[a] < t.ends[b]);
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) sorted = !before(i, i - 1);
  if (sorted) return order;
  return yield* mergeSort(order, before);
}

/** Stable bottom-up merge sort (pausing between runs), so equal keys keep header order. */
function* mergeSort(a: Uint32Array<ArrayBuffer>, before: (x: number, y: number) => boolean): Work<Uint32Array> {
  const n = a.length;
  let src: Uint32Array<ArrayBuffer> = a;
  let dst: Uint32Array<ArrayBuffer> = new Uint32Array(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = before(src[j], src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
      if (((lo / (2 * width)) & 63) === 63) yield;
    }
    [src, dst] = [dst, src];
    yield;
  }
  return src;
}
