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
 * when there is one; the first problem met in the header is the one reported, as serde_json
 * does. Rules (tensor.rs, plus the checks JavaScript needs):
 * - the file holds at least the 8-byte prefix; N <= 100,000,000 and N <= file size - 8 (checked
 *   on the u64 with BigInt before anything is read; a PyTorch zip or pickle checkpoint fails here,
 *   and the error says how to convert it);
 * - files are read only when they are regular files (checked with fstat on the open descriptor),
 *   and never past the size fstat gives;
 * - the header is valid UTF-8 (a byte-order mark is not skipped), valid JSON, at most 64 levels
 *   deep (checked before parsing), an object, and has no duplicate key in any object;
 * - "__metadata__" is null or an object of string values, at most 65,536 of them (a tensornode
 *   limit: metadata is meant for a few strings, and V8 builds objects of millions of keys in
 *   superlinear time);
 * - every other entry is an object with a known dtype string, a shape of non-negative integers and
 *   data_offsets of two non-negative integers with begin <= end (integers written without a
 *   fraction or exponent, at most 2^53 - 1); other fields are ignored, as serde does (their
 *   JSON is still checked);
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
  *
 * Parsing is one pass over the header bytes: linear time and memory with small constants,
 * whatever the header holds. Files: header_parser.ts (JSON and schema), layout.ts (offsets and
 * sizes), convert.ts (dtype conversion), decode.ts (a whole file), encode.ts, file_read.ts
 * (regular files only; loadFile reads and decodes without blocking the event loop) and
 * file_write.ts (temporary file, fsync, rename: a failed or concurrent save leaves no torn file).
 */

import { type RawTensor } from './decode';
import { encodeSafetensors } from './encode';
import { writeFileAtomic, writeFileAtomicSync } from './file_write';

export type { SafetensorsDtype } from './dtypes';
export { type RawTensor, type DecodedSafetensors, MAX_HEADER_SIZE, decodeSafetensors } from './decode';
export { encodeSafetensors } from './encode';
export { loadFile, loadFileSync } from './file_read';
export { MAX_METADATA_ENTRIES } from './header_parser';

/**
 * Writes `tensors` to `path` as a safetensors file (same bytes as safetensors.torch.save_file),
 * through a temporary file renamed over `path`.
 * @example await saveFile({ w: { dtype: 'float32', shape: [2], data } }, 'w.safetensors');
 */
export async function saveFile(tensors: Record<string, RawTensor>, path: string, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Synchronous saveFile.
 * @example saveFileSync({ w: { dtype: 'float32', shape: [2], data } }, 'w.safetensors');
 */
export function saveFileSync(tensors: Record<string, RawTensor>, path: string, metadata?: Record<string, string>): void {
  writeFileAtomicSync(path, encodeSafetensors(tensors, metadata));
}

