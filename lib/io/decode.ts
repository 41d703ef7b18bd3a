/**
 * Decoding a whole safetensors file: the length prefix, the header, the layout, then each
 * tensor's bytes converted into its own fresh array. Written once as a Work generator: the
 * bytes come from memory (decodeSafetensors) or from reads of an open file (file_read.ts).
 */
import { type HostArray, ITEM_SIZE, allocateOutput, convertSlice, isVerbatim, outputDtype } from './convert';
import { dtypeName } from './dtypes';
import { fail, torchCheckpointHint } from './errors';
import { type HeaderTable, parseHeader, setOwn } from './header_parser';
import { numelOf, shapeOf, validateLayout } from './layout';
import { type Work, runSync } from './work';

/** The header size limit of safetensors (`MAX_HEADER_SIZE`). */
export const MAX_HEADER_SIZE = 100_000_000;
/** Tensors of F32/I32 at least this large are read from a file straight into their arrays. */
const DIRECT_READ_BYTES = 1 << 18;
/** Bytes of file read and converted at a time for everything else. */
const WINDOW_BYTES = 1 << 22;
/** Tensors handled between two pause points when each is tiny. */
const SLICE_TENSORS = 1 << 12;

export interface RawTensor {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface DecodedSafetensors {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string> | null;
}

/** The file being decoded: its length, and its bytes when they are all in memory. */
export interface DecodeInput {
  length: number;
  bytes?: Uint8Array;
}

/**
 * Decodes and validates a safetensors file held in memory (see safetensors.ts for the rules and
 * conversions). `source` names the file in error messages; default '<buffer>'.
 * @example const { tensors, metadata } = decodeSafetensors(fs.readFileSync('model.safetensors'));
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodeSafetensors: expected a Uint8Array or Buffer but received ${bytes === null ? 'null' : typeof bytes}`);
  }
  return runSync(decodeWork({ length: bytes.length, bytes }, source));
}

export function* decodeWork(input: DecodeInput, source: string): Work<DecodedSafetensors> {
  const { head, n } = yield* readHead(input, source);
  const table = yield* parseHeader(head, 8, 8 + n, source);
  const order = yield* validateLayout(table, n, input.length, source);
  const arrays = yield* readData(table, order, 8 + n, input, source);
  const tensors = yield* buildRecord(table, arrays);
  return { tensors, metadata: table.metadata };
}

/** The 8-byte prefix and the header (from memory: the input bytes themselves). */
function* readHead(input: DecodeInput, source: string): Work<{ head: Uint8Array; n: number }> {
  if (input.length < 8) throw fail(source, `the file is ${input.length} bytes, too short for the 8-byte header length`);
  let prefixBytes = input.bytes?.subarray(0, 8);
  if (prefixBytes === undefined) {
    prefixBytes = new Uint8Array(8);
    yield { target: prefixBytes, position: 0 };
  }
  const n = headerLength(prefixBytes, input.length, source);
  if (input.bytes !== undefined) return { head: input.bytes, n };
  const head = new Uint8Array(8 + n);
  head.set(prefixBytes);
  yield { target: head.subarray(8), position: 8 };
  return { head, n };
}

/** N from the prefix, checked on the u64 before anything is allocated. */
function headerLength(prefixBytes: Uint8Array, length: number, source: string): number {
  const nBig = new DataView(prefixBytes.buffer, prefixBytes.byteOffset, 8).getBigUint64(0, true);
  if (nBig > BigInt(MAX_HEADER_SIZE)) {
    throw fail(source, `header length ${nBig} exceeds the safetensors limit of ${MAX_HEADER_SIZE} bytes${torchCheckpointHint(prefixBytes, source)}`);
  }
  if (nBig > BigInt(length - 8)) {
    throw fail(source, `header length ${nBig} exceeds the ${length - 8} bytes that follow the length prefix${torchCheckpointHint(prefixBytes, source)}`);
  }
  return Number(nBig);
}

/** Each tensor's array, indexed like the table, filled in data order. */
function* readData(t: HeaderTable, order: Uint32Array, base: number, input: DecodeInput, source: string): Work<HostArray[]> {
  const arrays: HostArray[] = new Array<HostArray>(t.names.length);
  const window = new Window(input);
  for (let k = 0; k < order.length; k++) {
    if ((k & (SLICE_TENSORS - 1)) === 0) yield;
    const i = order[k];
    const out = allocateOutput(t.dtypes[i], numelOf(t, i), t.names[i], source);
    arrays[i] = out;
    if (out.length === 0) continue;
    const position = base + t.begins[i];
    if (input.bytes === undefined && isVerbatim(t.dtypes[i]) && out.byteLength >= DIRECT_READ_BYTES) {
      yield { target: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), position };
    } else {
      yield* convertTensor(t, i, position, out, window, source);
    }
  }
  return arrays;
}

/** Converts tensor i from the file bytes at `position`, a window of bytes at a time. */
function* convertTensor(t: HeaderTable, i: number, position: number, out: HostArray, window: Window, source: string): Work<void> {
  const rank = t.dtypes[i];
  const size = ITEM_SIZE[dtypeName(rank)];
  const step = Math.floor(WINDOW_BYTES / size);
  for (let from = 0; from < out.length; from += step) {
    const to = Math.min(out.length, from + step);
    const start = position + from * size;
    yield* window.cover(start, position + to * size);
    convertSlice(rank, { bytes: window.bytes, view: window.view, at: start - window.start, from, to }, out, t.names[i], source);
    if (to < out.length) yield;
  }
}

/** File bytes [start, end) at hand: all of them for a file in memory, else a reused buffer. */
class Window {
  bytes: Uint8Array;
  view: DataView;
  start = 0;
  end: number;
  private readonly length: number;

  constructor(input: DecodeInput) {
    this.length = input.length;
    this.bytes = input.bytes ?? new Uint8Array(0);
    this.end = input.bytes === undefined ? 0 : input.bytes.length;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Makes [start, end) available, reading from `start` on (never past the file's length). */
  *cover(start: number, end: number): Work<void> {
    if (start >= this.start && end <= this.end) return;
    const want = Math.min(this.length - start, Math.max(WINDOW_BYTES, end - start));
    if (this.bytes.length < want) {
      this.bytes = new Uint8Array(want);
      this.view = new DataView(this.bytes.buffer);
    }
    const target = this.bytes.subarray(0, want);
    yield { target, position: start };
    this.start = start;
    this.end = start + want;
  }
}

/** The result object, keys in header order (array-index names first, as JavaScript orders them). */
function* buildRecord(t: HeaderTable, arrays: HostArray[]): Work<Record<string, RawTensor>> {
  const tensors: Record<string, RawTensor> = {};
  for (let i = 0; i < t.names.length; i++) {
    if ((i & (SLICE_TENSORS - 1)) === 0) yield;
    setOwn(tensors, t.names[i], { dtype: outputDtype(t.dtypes[i]), shape: shapeOf(t, i), data: arrays[i] });
  }
  return tensors;
}
