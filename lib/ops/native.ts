/**
 * Bridges tensors to the addon: writes view descriptors into one reused Float64Array (no
 * allocation per call) and runs kernels. Validation has happened before anything here runs.
 */
import { binding, type StorageHandle } from '../binding';
import { DTYPE_CODE, type DType } from '../dtype';
import { Storage } from '../storage';
import type { Device } from '../device';

/** A strided window onto a storage: what every kernel argument is. */
export interface View {
  readonly storage: Storage;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly dtype: DType;
}

const DESC = new Float64Array(4 * (3 + 2 * 8));
let pos = 0;

function put(v: View): void {
  DESC[pos++] = DTYPE_CODE[v.dtype];
  DESC[pos++] = v.shape.length;
  DESC[pos++] = v.offset;
  for (let i = 0; i < v.shape.length; ++i) DESC[pos++] = v.shape[i];
  for (let i = 0; i < v.strides.length; ++i) DESC[pos++] = v.strides[i];
}

/** Fills the shared descriptor with the views in order and returns it (fixed arity: no rest array per call). */
export function describe(v0: View, v1?: View, v2?: View, v3?: View): Float64Array {
  pos = 0;
  put(v0);
  if (v1) put(v1);
  if (v2) put(v2);
  if (v3) put(v3);
  return DESC;
}

/**
 * Allocation-free descriptor building for the hot GEMM path: descBegin(), then one
 * descMatrix()/descVector() per operand (float32, in argument order), then pass DESC_BUFFER.
 */
export const DESC_BUFFER = DESC;
export function descBegin(): void {
  pos = 0;
}
/** A float32 [1, rows, cols] view with row stride rs and column stride cs. */
export function descMatrix(offset: number, rows: number, cols: number, rs: number, cs: number): void {
  DESC[pos] = 0;  // DTYPE_CODE.float32
  DESC[pos + 1] = 3;
  DESC[pos + 2] = offset;
  DESC[pos + 3] = 1;
  DESC[pos + 4] = rows;
  DESC[pos + 5] = cols;
  DESC[pos + 6] = 0;
  DESC[pos + 7] = rs;
  DESC[pos + 8] = cs;
  pos += 9;
}
/** A float32 [n] view with stride s. */
export function descVector(offset: number, n: number, s: number): void {
  DESC[pos] = 0;
  DESC[pos + 1] = 1;
  DESC[pos + 2] = offset;
  DESC[pos + 3] = n;
  DESC[pos + 4] = s;
  pos += 5;
}

export const h = (v: View): StorageHandle => v.storage.handle;

export function contiguousView(storage: Storage, shape: readonly number[], strides: readonly number[]): View {
  return { storage, offset: 0, shape, strides, dtype: storage.dtype };
}

export function allocStorage(device: Device, dtype: DType, n: number): Storage {
  return Storage.allocate(device, dtype, n);
}

export const UNARY = {
  neg: 0, relu: 1, sigmoid: 2, tanh: 3, exp: 4, log: 5, abs: 6, sqrt: 7, square: 8, reciprocal: 9, sign: 10, log1p: 11,
} as const;
export type UnaryName = keyof typeof UNARY;
export const UNARY_GRAD = { sigmoid: 0, tanh: 1, relu: 2 } as const;
export const BINARY = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6, eq: 7, lt: 8, gt: 9 } as const;
export type BinaryName = keyof typeof BINARY;
export const REDUCE = { sum: 0, mean: 1, max: 2, min: 3, argmax: 4, argmin: 5 } as const;
export const ACTIVATION = { none: 0, sigmoid: 1, relu: 2, tanh: 3 } as const;
export type ActivationName = keyof typeof ACTIVATION;

export { binding };
