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

/** Fills the shared descriptor with the views in order and returns it. */
export function describe(...views: View[]): Float64Array {
  pos = 0;
  for (const v of views) put(v);
  return DESC;
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
