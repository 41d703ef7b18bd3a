/** Shape arithmetic: strides, broadcasting, dim normalisation, view compatibility. */
import { ShapeError, rangeError, shapeStr, typeError } from './errors';

export const MAX_DIMS = 8;

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; --i) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; --i) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks a user-supplied shape: non-negative safe integers, at most MAX_DIMS dims. */
export function checkShape(op: string, shape: unknown, name = 'shape'): number[] {
  if (!Array.isArray(shape)) throw typeError(op, 'an array of non-negative integers', name, shape);
  if (shape.length > MAX_DIMS) throw rangeError(op, `at most ${MAX_DIMS} dimensions`, name, shape);
  for (const s of shape) {
    if (typeof s !== 'number') throw typeError(op, 'non-negative integer sizes', name, s);
    if (!Number.isSafeInteger(s) || s < 0) throw rangeError(op, 'non-negative integer sizes', name, s);
  }
  if (numelOf(shape) > Number.MAX_SAFE_INTEGER) throw new RangeError(`${op}: ${name} ${shapeStr(shape)} has too many elements`);
  return shape.slice();
}

/** Wraps a possibly negative dim into [0, ndim); PyTorch's message on failure. */
export function normalizeDim(op: string, dim: unknown, ndim: number): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw typeError(op, 'an integer', 'dim', dim);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (dim < lo || dim > hi)
    throw new RangeError(`${op}: Dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`);
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** NumPy broadcasting of two shapes, with PyTorch's error text. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; ++i) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new ShapeError(
        op,
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that view `shape`/`strides` as `target` (broadcast dims get stride 0). */
export function expandStrides(
  op: string,
  shape: readonly number[],
  strides: readonly number[],
  target: readonly number[],
): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  if (lead < 0) throw new ShapeError(op, `the number of sizes provided (${target.length}) must be greater or equal to the number of dimensions in the tensor (${shape.length})`);
  for (let i = 0; i < shape.length; ++i) {
    const t = target[lead + i];
    if (shape[i] === t) out[lead + i] = strides[i];
    else if (shape[i] === 1) out[lead + i] = 0;
    else
      throw new ShapeError(
        op,
        `The expanded size of the tensor (${t}) must match the existing size (${shape[i]}) at non-singleton dimension ${lead + i}.  Target sizes: ${shapeStr(target)}.  Tensor sizes: ${shapeStr(shape)}`,
      );
  }
  return out;
}

/** Resolves one -1 in a requested shape against numel; PyTorch's messages. */
export function inferShape(op: string, requested: readonly number[], numel: number): number[] {
  let infer = -1;
  let known = 1;
  const out = requested.slice();
  for (let i = 0; i < out.length; ++i) {
    const s = out[i];
    // Same classes as checkShape (zeros(2.5) and reshape(2.5) must agree): a non-number is a
    // TypeError, a number that is not an integer (2.5, NaN, Infinity) a RangeError.
    if (typeof s !== 'number') throw typeError(op, 'integer sizes', 'shape', s);
    if (!Number.isInteger(s)) throw rangeError(op, 'integer sizes', 'shape', s);
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be inferred`);
      infer = i;
    } else if (s < 0) {
      throw new RangeError(`${op}: invalid shape dimension ${s}`);
    } else known *= s;
  }
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0)
      throw new ShapeError(op, `shape '${shapeStr(requested)}' is invalid for input of size ${numel}`);
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new ShapeError(op, `shape '${shapeStr(requested)}' is invalid for input of size ${numel}`);
  }
  if (out.length > MAX_DIMS) throw new RangeError(`${op}: at most ${MAX_DIMS} dimensions are supported`);
  return out;
}

/**
 * Strides for viewing (shape, strides) as newShape without copying, or null when the memory
 * layout does not allow it (PyTorch's computeStride: split/merge only within contiguous runs).
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(shape);
  const out = new Array<number>(newShape.length);
  if (numel === 0 || shape.length === 0) return contiguousStrides(newShape);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; --d) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}
