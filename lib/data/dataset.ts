/**
 * Map-style datasets, after torch.utils.data: `Dataset` (a length and `get(i)`) and
 * `TensorDataset`, whose i-th sample is the i-th row of each of its tensors.
 */
import { describe, typeError } from '../errors';
import { cat } from '../ops/views';
import { allocHost } from '../dtype';
import { shapeStr } from '../errors';
import { Storage } from '../storage';
import { Tensor } from '../tensor';

/**
 * A map-style dataset: `length` samples, read with `get(index)` for 0 <= index < length.
 * (PyTorch's `__len__` and `__getitem__`.) `get` may return a Promise when the loader is
 * iterated with `for await`.
 * @example
 *   class Squares extends tn.data.Dataset<[number, number]> {
 *     get length() { return 10; }
 *     get(i: number): [number, number] { return [i, i * i]; }
 *   }
 */
export abstract class Dataset<T = unknown> {
  abstract readonly length: number;
  abstract get(index: number): T;
}

/** Python's index rule: -length <= i < length, negative counting from the end. */
export function checkIndex(op: string, index: unknown, length: number): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw typeError(op, 'an integer', 'index', index);
  if (index < -length || index >= length) throw new RangeError(`${op}: index ${index} is out of bounds for dimension 0 with size ${length}`);
  return index < 0 ? index + length : index;
}

/**
 * Wraps tensors that share their first dimension; sample i is `[t0[i], t1[i], ...]` (views).
 * @example const ds = new tn.data.TensorDataset(features, labels);  // features [N, 4], labels [N]
 *   const [x0, y0] = ds.get(0);
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new TypeError('TensorDataset: expected at least one Tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw typeError('TensorDataset', 'a Tensor', `tensors[${i}]`, t);
      if (t.ndim === 0) throw new RangeError(`TensorDataset: tensors[${i}] is 0-d; every tensor needs a first dimension to index`);
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n)
        throw new RangeError(`TensorDataset: Size mismatch between tensors (tensors[0] has shape ${shapeStr(tensors[0].shape)}, tensors[${i}] has shape ${shapeStr(t.shape)})`);
    });
    this.tensors = tensors.slice();
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    const i = checkIndex('TensorDataset.get', index, this.length);
    return this.tensors.map((t) => t.select(0, i));
  }

  /**
   * The rows at `indices` of every tensor, as batch tensors (what stacking `get(i)` for each index
   * gives, in one go). Contiguous cpu tensors copy row ranges straight into one typed array;
   * others join runs of consecutive rows with cat.
   */
  getBatch(indices: readonly number[]): Tensor[] {
    const idx = indices.map((i) => checkIndex('TensorDataset.getBatch', i, this.length));
    return this.tensors.map((t) => gatherRows(t, idx));
  }
}

/** Maximal runs of consecutive indices: [start, length] pairs. */
function runsOf(indices: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const i of indices) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === i) last[1] += 1;
    else runs.push([i, 1]);
  }
  return runs;
}

/** t[indices] along dim 0 as a new tensor. */
export function gatherRows(t: Tensor, indices: readonly number[]): Tensor {
  const shape = [indices.length, ...t.shape.slice(1)];
  const host = t.device === 'cpu' && t.isContiguous() && !t.requiresGrad ? t.storage.hostArray() : null;
  if (host) {
    const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = allocHost(t.dtype, indices.length * rowSize);
    let at = 0;
    for (const [start, len] of runsOf(indices)) {
      const from = t.offset + start * rowSize;
      out.set(host.subarray(from, from + len * rowSize), at);
      at += len * rowSize;
    }
    return new Tensor(Storage.fromHost('cpu', out, true), shape);
  }
  if (indices.length === 0) return new Tensor(Storage.allocate(t.device, t.dtype, 0), shape);
  const pieces = runsOf(indices).map(([start, len]) => t.narrow(0, start, len));
  return pieces.length === 1 ? pieces[0].clone() : cat(pieces, 0);
}

/** Checks that d can serve as a dataset: a Dataset, an array, or any object with length and get(). */
export function checkDataset(op: string, d: unknown): { length: number; get(i: number): unknown } {
  if (Array.isArray(d)) return { get length() { return d.length; }, get: (i: number) => d[i] };
  const ok = d !== null && typeof d === 'object' && typeof (d as Dataset).get === 'function' && typeof (d as Dataset).length === 'number';
  if (!ok) throw new TypeError(`${op}: expected a Dataset (an object with an integer length and get(index)) or an array for dataset but received ${describe(d)}`);
  datasetLength(op, d as Dataset);
  return d as Dataset;
}

/**
 * The dataset's length, read now (a getter may change between epochs): a non-negative safe
 * integer, else a RangeError (a length of -1 or NaN would otherwise give zero batches silently).
 */
export function datasetLength(op: string, d: { readonly length: unknown }): number {
  const n = d.length;
  if (typeof n !== 'number') throw typeError(op, 'a non-negative integer', 'dataset.length', n);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${op}: expected a non-negative integer for dataset.length but received ${describe(n)}`);
  return n;
}
