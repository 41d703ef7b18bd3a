/**
 * PyTorch's `default_collate`: turns a list of samples into one batch, recursively —
 * Tensors are stacked along a new first dim, numbers become a 1-D tensor, typed arrays a 2-D
 * tensor, strings stay a list, arrays (tuples) and objects are collated field by field.
 */
import { describe } from '../errors';
import type { HostArray } from '../dtype';
import { shapeStr } from '../errors';
import { Storage } from '../storage';
import { Tensor } from '../tensor';
import { stack } from '../ops/views';

type NumericArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;

/** The batch type defaultCollate makes from samples of type T. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number
    ? Tensor
    : T extends string
      ? string[]
      : T extends NumericArray
        ? Tensor
        : T extends readonly unknown[]
          ? { -readonly [K in keyof T]: Collated<T[K]> }
          : T extends object
            ? { [K in keyof T]: Collated<T[K]> }
            : never;

function isNumericArray(v: unknown): v is NumericArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function fresh(values: HostArray, shape: number[]): Tensor {
  return new Tensor(Storage.fromHost('cpu', values, true), shape);
}

/**
 * Integer samples become an int32 batch; a value int32 cannot hold (a Uint32Array's 4294967295, a
 * number past ±2^31) is refused rather than wrapped (to -1) or rounded through float32, until
 * int64 tensors exist.
 */
function checkInt32(values: ArrayLike<number>, where: string): void {
  for (let i = 0; i < values.length; ++i) {
    const v = values[i];
    if (v < -2147483648 || v > 2147483647)
      throw new RangeError(`defaultCollate: integer value ${v}${where} does not fit int32 (int64 tensors are not supported yet); use a Float64Array/Float32Array or a collate function to make a float batch`);
  }
}

function sameKind(batch: readonly unknown[], test: (v: unknown) => boolean, what: string): void {
  batch.forEach((v, i) => {
    if (!test(v)) throw new TypeError(`defaultCollate: sample ${i} is ${describe(v)} but sample 0 is ${what}; every sample needs the same structure`);
  });
}

/**
 * Collates a list of samples into a batch (see the file comment for the rules).
 * @example defaultCollate([[tn.tensor([1, 2]), 0], [tn.tensor([3, 4]), 1]])
 *   // [tensor([[1, 2], [3, 4]]), tensor([0, 1])]
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  return collate(batch as readonly unknown[], '') as Collated<T>;
}

function collate(batch: readonly unknown[], path: string): unknown {
  if (!Array.isArray(batch) || batch.length === 0) throw new TypeError('defaultCollate: expected a non-empty array of samples');
  const elem = batch[0];
  const where = path ? ` (at ${path})` : '';
  if (elem instanceof Tensor) {
    sameKind(batch, (v) => v instanceof Tensor, 'a Tensor');
    return stack(batch as Tensor[], 0);
  }
  if (typeof elem === 'number') {
    sameKind(batch, (v) => typeof v === 'number', 'a number');
    const nums = batch as number[];
    if (!nums.every((v) => Number.isInteger(v))) return fresh(Float32Array.from(nums), [nums.length]);
    checkInt32(nums, where);
    return fresh(Int32Array.from(nums), [nums.length]);
  }
  if (typeof elem === 'string') {
    sameKind(batch, (v) => typeof v === 'string', 'a string');
    return batch.slice();
  }
  if (isNumericArray(elem)) {
    sameKind(batch, isNumericArray, 'a typed array');
    const arrays = batch as NumericArray[];
    const len = elem.length;
    arrays.forEach((a, i) => {
      if (a.length !== len) throw new RangeError(`defaultCollate: stack expects each tensor to be equal size, but got ${shapeStr([len])} at entry 0 and ${shapeStr([a.length])} at entry ${i}${where}`);
    });
    const float = elem instanceof Float32Array || elem instanceof Float64Array;
    if (!float) arrays.forEach((a) => checkInt32(a, where));
    const out = float ? new Float32Array(arrays.length * len) : new Int32Array(arrays.length * len);
    arrays.forEach((a, i) => out.set(a, i * len));
    return fresh(out, [arrays.length, len]);
  }
  if (Array.isArray(elem)) {
    sameKind(batch, Array.isArray, 'an array');
    const rows = batch as unknown[][];
    if (rows.some((r) => r.length !== elem.length)) throw new RangeError(`defaultCollate: each element in list of batch should be of equal size${where}`);
    return elem.map((_, k) => collate(rows.map((r) => r[k]), `${path}[${k}]`));
  }
  if (isPlainObject(elem)) {
    sameKind(batch, isPlainObject, 'an object');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) {
      const column = (batch as Record<string, unknown>[]).map((s, i) => {
        if (!(key in s)) throw new TypeError(`defaultCollate: sample ${i} has no key "${key}"${where}; every sample needs the keys of sample 0`);
        return s[key];
      });
      out[key] = collate(column, path ? `${path}.${key}` : key);
    }
    return out;
  }
  throw new TypeError(`defaultCollate: batch must contain Tensors, numbers, strings, typed arrays, arrays or objects; found ${describe(elem)}${where}`);
}
