/**
 * Reductions: sum, mean (over all elements, one dim or several, keepdim), max/min (all → a
 * 0-d tensor; with dim → { values, indices }), argmax/argmin. Kernels reduce one dim at a time.
 */
import { record } from '../autograd/function';
import { normalizeDim } from '../shape';
import { Tensor } from '../tensor';
import { checkFloat, checkTensor, empty } from './common';
import { castNoGrad } from './elementwise';
import { REDUCE, binding, describe, h } from './native';
import { copyContiguous } from './views';

/** The (values, indices) pair max(dim)/min(dim) return; destructures like PyTorch's namedtuple. */
export class ValuesIndices {
  constructor(readonly values: Tensor, readonly indices: Tensor) {}
  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

type KernelReduce = keyof typeof REDUCE;

/** One kernel call over dim d; returns x's shape without d (or with 1 when keepdim). */
function reduceDim(op: KernelReduce, x: Tensor, d: number, keepdim: boolean, withIndices = false): { out: Tensor; idx: Tensor | null } {
  const outShape = x.shape.filter((_, i) => i !== d);
  const isArg = op === 'argmax' || op === 'argmin';
  const out = empty(x.device, isArg ? 'int32' : x.dtype, outShape);
  const idx = withIndices ? empty(x.device, 'int32', outShape) : null;
  if (x.numel() > 0 || op === 'sum' || op === 'mean') {
    if (out.numel() > 0) {
      const views = idx ? describe(x, out, idx) : describe(x, out);
      binding.reduce(REDUCE[op], d, views, h(x), h(out), idx ? h(idx) : null);
    }
  }
  if (!keepdim) return { out, idx };
  const kept = x.shape.map((s, i) => (i === d ? 1 : s));
  return { out: new Tensor(out.storage, kept), idx: idx ? new Tensor(idx.storage, kept) : null };
}

function normalizeDims(op: string, dim: number | number[], ndim: number): number[] {
  const dims = (Array.isArray(dim) ? dim : [dim]).map((d) => normalizeDim(op, d, ndim));
  if (new Set(dims).size !== dims.length) throw new RangeError(`${op}: dim appears multiple times in the list of dims`);
  return dims.sort((a, b) => b - a);  // highest first, so lower indices stay valid
}

/**
 * The dims a sum/mean reduces, null meaning all of them. Like torch.sum(x, dim=[]), an empty
 * list reduces everything (it used to return the input unreduced, and for a non-contiguous
 * input re-labelled its storage with the wrong layout). A 0-d input still has its dims checked
 * (only 0 and -1 are valid), as PyTorch does, instead of silently ignoring them.
 */
function reductionDims(op: string, dim: number | number[] | null | undefined, ndim: number): number[] | null {
  if (dim === undefined || dim === null) return null;
  const dims = normalizeDims(op, dim, ndim);
  return dims.length === 0 || ndim === 0 ? null : dims;
}

function reduceMany(op: 'sum' | 'mean', x: Tensor, dims: number[] | null, keepdim: boolean): Tensor {
  if (dims === null) {
    // Over everything: one pass over a flat contiguous copy.
    const flat = x.isContiguous() ? new Tensor(x.storage, [x.numel()], [1], x.offset) : copyContiguous(x).reshape([x.numel()]);
    const r = reduceDim(op, flat, 0, false).out;
    return keepdim ? new Tensor(r.storage, x.shape.map(() => 1)) : r;
  }
  let r = x;
  for (const d of dims) r = reduceDim(op, r, d, true).out;
  if (!keepdim) r = new Tensor(r.storage, x.shape.filter((_, i) => !dims.includes(i)));
  return r;
}

/** Re-inserts reduced dims as size 1 so g broadcasts against the input shape. */
function unreduce(g: Tensor, shape: readonly number[], dims: number[] | null, keepdim: boolean): Tensor {
  if (keepdim || dims === null) return g.reshape(keepdim || shape.length === 0 ? g.shape.slice() : shape.map(() => 1)).expand(shape.slice());
  const kept = shape.map((s, i) => (dims.includes(i) ? 1 : s));
  return g.reshape(kept).expand(shape.slice());
}

/**
 * Sum of all elements, or over dim(s).
 * @example tn.tensor([[1, 2], [3, 4]]).sum(0)  // tensor([4, 6])
 */
export function sum(x: Tensor, dim: number | number[] | null | undefined, keepdim: boolean): Tensor {
  checkTensor('sum', x);
  const dims = reductionDims('sum', dim, x.ndim);
  const out = reduceMany('sum', x, dims, keepdim);
  return record(out, dims === null ? 'SumBackward0' : 'SumBackward1', [x], (g) => [unreduce(g, x.shape, dims, keepdim)]);
}

/** Mean of all elements, or over dim(s) (float32 only, as in PyTorch). */
export function mean(x: Tensor, dim: number | number[] | null | undefined, keepdim: boolean): Tensor {
  checkTensor('mean', x);
  if (x.dtype !== 'float32')
    throw new TypeError(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype}`);
  const dims = reductionDims('mean', dim, x.ndim);
  const out = reduceMany('mean', x, dims, keepdim);
  const count = dims === null ? x.numel() : dims.reduce((n, d) => n * x.shape[d], 1);
  return record(out, dims === null ? 'MeanBackward0' : 'MeanBackward1', [x], (g) => [unreduce(g, x.shape, dims, keepdim).div(count)]);
}

/** max()/min() over everything (0-d result) or over one dim (values and indices). */
export function extreme(op: 'max' | 'min', x: Tensor, dim: number | undefined | null, keepdim: boolean): Tensor | ValuesIndices {
  checkTensor(op, x);
  if (x.ndim === 0 && dim !== undefined && dim !== null) {
    normalizeDim(op, dim, 0);
    return new ValuesIndices(x.clone(), zerosInt(x));
  }
  if (dim === undefined || dim === null) {
    if (x.numel() === 0)
      throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    const flat = x.isContiguous() ? new Tensor(x.storage, [x.numel()], [1], x.offset) : copyContiguous(x).reshape([x.numel()]);
    const value = reduceDim(op, flat, 0, false).out;
    // Gradient split evenly among all positions equal to the extreme (PyTorch's rule).
    return record(value, op === 'max' ? 'MaxBackward1' : 'MinBackward1', [x], (g) => {
      const mask = castNoGrad(x.eq(value), 'float32');
      return [mask.mul(g).div(mask.sum())];
    });
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (x.shape[d] === 0)
    throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  checkIndexRange(op, x.shape[d]);
  const { out, idx } = reduceDim(op, x, d, keepdim, true);
  const values = record(out, op === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], (g) => {
    // Route each output gradient to the position its index names: a one-hot over dim d.
    const hot = oneHot(keepdim ? idx!.squeeze(d) : idx!, x.shape[d]);  // [...rest, size_d]
    const perm = x.shape.map((_, p) => (p < d ? p : p === d ? x.ndim - 1 : p - 1));
    return [hot.permute(perm).mul(keepdim ? g : g.unsqueeze(d))];
  });
  return new ValuesIndices(values, idx!);
}

/**
 * Indices come back as int32 (until int64 tensors exist): a reduction over more than 2^31
 * elements could name an index int32 cannot hold, which would wrap negative. Refused first.
 */
export function checkIndexRange(op: string, size: number): void {
  if (size > 2 ** 31)
    throw new RangeError(`${op}: cannot index ${size} elements with int32 indices (at most 2^31 = 2147483648); int64 indices are not supported yet`);
}

/** Indices of the max/min over everything (0-d, flattened index) or over one dim (int32). */
export function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  checkTensor(op, x);
  if (x.ndim === 0 && dim !== undefined && dim !== null) {
    normalizeDim(op, dim, 0);
    return zerosInt(x);
  }
  if (dim === undefined || dim === null) {
    if (x.numel() === 0) throw new RangeError(`${op}(): Expected reduction dim to be specified for input.numel() == 0.`);
    checkIndexRange(op, x.numel());
    const flat = x.isContiguous() ? new Tensor(x.storage, [x.numel()], [1], x.offset) : copyContiguous(x).reshape([x.numel()]);
    const r = reduceDim(op, flat, 0, false).out;
    return keepdim ? new Tensor(r.storage, x.shape.map(() => 1)) : r;
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (x.shape[d] === 0) throw new RangeError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  checkIndexRange(op, x.shape[d]);
  return reduceDim(op, x, d, keepdim).out;
}

/**
 * One-hot float32 encoding of int32 class indices: shape [...indices.shape, numClasses].
 * Indices outside [0, numClasses) are refused on cpu; device kernels mark such rows with NaN.
 */
export function oneHot(indices: Tensor, numClasses: number): Tensor {
  checkTensor('oneHot', indices, 'indices');
  if (indices.dtype !== 'int32') throw new TypeError(`oneHot: expected int32 class indices but received ${indices.dtype}`);
  if (!Number.isInteger(numClasses) || numClasses < 0) throw new RangeError(`oneHot: numClasses must be a non-negative integer, got ${numClasses}`);
  if (indices.device === 'cpu') {
    // The refusal this function's contract promises (PyTorch's messages); the kernel alone
    // silently wrote NaN rows. Device indices are not read back (that would wait for the device).
    for (const c of indices.dataSync()) {
      if (c < 0) throw new RangeError('oneHot: Class values must be non-negative.');
      if (c >= numClasses) throw new RangeError('oneHot: Class values must be smaller than num_classes.');
    }
  }
  const out = empty(indices.device, 'float32', [...indices.shape, numClasses]);
  if (out.numel() > 0) binding.oneHot(numClasses, describe(indices, out), h(indices), h(out));
  return out;
}

function zerosInt(like: Tensor): Tensor {
  const z = empty(like.device, 'int32', like.shape);
  binding.fill(describe(z), h(z), 0);
  return z;
}

export { checkFloat };
