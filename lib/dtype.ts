/** Element types. Codes match native/core/dtype.h. */
export type DType = 'float32' | 'int32';
export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array : Int32Array;
export type HostArray = Float32Array | Int32Array;

export const DTYPE_CODE: Record<DType, number> = { float32: 0, int32: 1 };
export const BYTES_PER_ELEMENT = 4;

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'int32';
}

export function allocHost(dtype: DType, n: number): HostArray {
  return dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
}

/** PyTorch's type promotion for our two dtypes: any float operand makes the result float. */
export function promote(a: DType, b: DType): DType {
  return a === 'float32' || b === 'float32' ? 'float32' : 'int32';
}
