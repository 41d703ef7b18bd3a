/**
 * Shape ops. Views share storage with their input exactly where PyTorch's do (view, reshape of
 * a compatible layout, transpose, permute, expand, narrow, select, slice, squeeze, unsqueeze);
 * the rest copy through the strided copy kernel.
 */
import { record } from '../autograd/function';
import { ShapeError, rangeError, shapeStr, typeError } from '../errors';
import { expandStrides, inferShape, isContiguous, MAX_DIMS, normalizeDim, numelOf, viewStrides } from '../shape';
import { Tensor } from '../tensor';
import { checkTensor, empty } from './common';
import { binding, describe, h } from './native';

export function dimIndex(op: string, dim: number, ndim: number): number {
  return normalizeDim(op, dim, ndim);
}

/** Accepts (2, 3), ([2, 3]) or (2, [3]) forms of a size list. */
export function flatSizes(args: readonly (number | readonly number[])[]): number[] {
  const out: number[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...a);
    else out.push(a as number);
  }
  return out;
}

function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset = x.offset): Tensor {
  return new Tensor(x.storage, shape, strides, offset);
}

/** Copies x into a new contiguous tensor (no autograd). */
export function copyContiguous(x: Tensor): Tensor {
  const out = empty(x.device, x.dtype, x.shape);
  if (out.numel() > 0) binding.copy(describe(x, out), h(x), h(out));
  return out;
}

/** Copies src into the (writable) view dst, broadcasting src. No autograd. */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst.storage.markWritten('copy_');  // dst may be existing memory (copy_, loadStateDict)
  const strides = expandStrides('copy_', src.shape, src.strides, dst.shape);
  const view = { storage: src.storage, offset: src.offset, shape: dst.shape, strides, dtype: src.dtype };
  if (dst.numel() > 0) binding.copy(describe(view, dst), h(src), h(dst));
}

/** x with a new shape, as a view when the layout allows, else a contiguous copy. No autograd. */
export function rawReshape(x: Tensor, shape: readonly number[]): Tensor {
  const strides = viewStrides(x.shape, x.strides, shape);
  if (strides) return new Tensor(x.storage, shape.slice(), strides, x.offset);
  return new Tensor(copyContiguous(x).storage, shape.slice());
}

/** x broadcast to shape (stride 0 on new and size-1 dims). No autograd. */
export function rawExpand(x: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(x.storage, shape.slice(), expandStrides('expand', x.shape, x.strides, shape), x.offset);
}

export function view(x: Tensor, sizes: number[]): Tensor {
  checkTensor('view', x);
  const shape = inferShape('view', sizes, x.numel());
  const strides = viewStrides(x.shape, x.strides, shape);
  if (!strides)
    throw new ShapeError(
      'view',
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  const out = viewOf(x, shape, strides);
  return record(out, 'ViewBackward0', [x], (g) => [g.reshape(x.shape)]);
}

export function reshape(x: Tensor, sizes: number[]): Tensor {
  checkTensor('reshape', x);
  const shape = inferShape('reshape', sizes, x.numel());
  const strides = viewStrides(x.shape, x.strides, shape);
  if (strides) return record(viewOf(x, shape, strides), 'ViewBackward0', [x], (g) => [g.reshape(x.shape)]);
  const flat = copyContiguous(x);
  const out = new Tensor(flat.storage, shape);
  return record(out, 'UnsafeViewBackward0', [x], (g) => [g.reshape(x.shape)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('transpose', x);
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  [shape[a], shape[b]] = [shape[b], shape[a]];
  [strides[a], strides[b]] = [strides[b], strides[a]];
  if (x.ndim === 0) return record(viewOf(x, [], []), 'TransposeBackward0', [x], (g) => [g]);
  return record(viewOf(x, shape, strides), 'TransposeBackward0', [x], (g) => [g.transpose(a, b)]);
}

export function t(x: Tensor): Tensor {
  checkTensor('t', x);
  if (x.ndim > 2) throw new ShapeError('t', `t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  const out = x.ndim < 2 ? viewOf(x, x.shape, x.strides) : viewOf(x, [x.shape[1], x.shape[0]], [x.strides[1], x.strides[0]]);
  return record(out, 'TBackward0', [x], (g) => [g.t()]);
}

export function permute(x: Tensor, dims: number[]): Tensor {
  checkTensor('permute', x);
  if (dims.length !== x.ndim)
    throw new ShapeError('permute', `number of dims don't match in permute (got ${dims.length}, expected ${x.ndim})`);
  const norm = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(norm).size !== norm.length) throw new RangeError('permute: repeated dim in permute');
  const out = viewOf(x, norm.map((d) => x.shape[d]), norm.map((d) => x.strides[d]));
  const inverse = new Array<number>(norm.length);
  norm.forEach((d, i) => (inverse[d] = i));
  return record(out, 'PermuteBackward0', [x], (g) => [g.permute(inverse)]);
}

export function flatten(x: Tensor, startDim: number, endDim: number): Tensor {
  checkTensor('flatten', x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new RangeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x;
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', x);
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  if (x.ndim + 1 > MAX_DIMS) throw new RangeError(`unsqueeze: at most ${MAX_DIMS} dimensions are supported`);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  const st = d < x.ndim ? x.shape[d] * x.strides[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return record(viewOf(x, shape, strides), 'UnsqueezeBackward0', [x], (g) => [g.squeeze(d)]);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  checkTensor('squeeze', x);
  let keep: number[];
  if (dim === undefined || dim === null) keep = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  else {
    const d = normalizeDim('squeeze', dim, x.ndim);
    keep = x.shape.map((_, i) => i).filter((i) => i !== d || x.shape[i] !== 1);
  }
  const out = viewOf(x, keep.map((i) => x.shape[i]), keep.map((i) => x.strides[i]));
  return record(out, dim === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1', [x], (g) => [g.reshape(x.shape)]);
}

export function expand(x: Tensor, sizes: number[]): Tensor {
  checkTensor('expand', x);
  if (sizes.length > MAX_DIMS) throw new RangeError(`expand: at most ${MAX_DIMS} dimensions are supported`);
  const lead = sizes.length - x.ndim;
  // PyTorch's message (it used to fall through to a generic "expected non-negative sizes").
  sizes.forEach((s, i) => {
    if (s === -1 && i < lead)
      throw new RangeError(`expand: The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
  });
  const target = sizes.map((s, i) => (s === -1 && i >= lead ? x.shape[i - lead] : s));
  for (const s of target) {
    if (typeof s !== 'number') throw typeError('expand', 'integer sizes', 'size', s);
    // Safe integers only, like every other shape (a size of 2^53 used to make a view whose
    // element count JS cannot represent exactly).
    if (!Number.isSafeInteger(s) || s < 0) throw rangeError('expand', 'non-negative sizes', 'size', s);
  }
  if (numelOf(target) > Number.MAX_SAFE_INTEGER) throw new RangeError(`expand: size [${target.join(', ')}] has too many elements`);
  const strides = expandStrides('expand', x.shape, x.strides, target);
  return record(viewOf(x, target, strides), 'ExpandBackward0', [x], (g) => [sumTo(g, x.shape)]);
}

/** Sums a broadcast gradient back to `shape` (the inverse of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; ++i) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  let r = dims.length ? g.sum(dims, true) : g;
  if (lead > 0) r = r.reshape(shape.slice());
  return r;
}

function checkIndexArg(op: string, v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(op, 'an integer', name, v);
  return v;
}

/** Gradient of a window view: zeros of the input's shape with g written into the window. */
function scatterWindow(x: Tensor, g: Tensor, window: (z: Tensor) => Tensor): Tensor {
  const z = empty(g.device, g.dtype, x.shape);
  if (z.numel() > 0) binding.fill(describe(z), h(z), 0);
  copyInto(window(z), g);
  return z;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', x);
  if (x.ndim === 0) throw new RangeError('narrow: narrow() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim('narrow', dim, x.ndim);
  checkIndexArg('narrow', start, 'start');
  checkIndexArg('narrow', length, 'length');
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (s < 0 || s > size) throw new RangeError(`narrow: start (${start}) is out of bounds for dimension ${d} of size ${size}`);
  if (length < 0 || s + length > size)
    throw new RangeError(`narrow: start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return windowView(x, d, s, length, 1, 'SliceBackward0');
}

function windowView(x: Tensor, d: number, start: number, length: number, step: number, gradName: string): Tensor {
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[d] = length;
  strides[d] = x.strides[d] * step;
  const out = viewOf(x, shape, strides, x.offset + start * x.strides[d]);
  return record(out, gradName, [x], (g) => [scatterWindow(x, g, (z) => windowOfPlain(z, d, start, length, step))]);
}

function windowOfPlain(z: Tensor, d: number, start: number, length: number, step: number): Tensor {
  const shape = z.shape.slice();
  const strides = z.strides.slice();
  shape[d] = length;
  strides[d] = z.strides[d] * step;
  return new Tensor(z.storage, shape, strides, z.offset + start * z.strides[d]);
}

/** Python slice semantics along `dim`: t[start:end:step] (bounds clamp, negatives from the end). */
export function slice(x: Tensor, start: number | null | undefined, end: number | null | undefined, dim = 0, step = 1): Tensor {
  checkTensor('slice', x);
  if (x.ndim === 0) throw new RangeError('slice: slice() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError('slice: slice step must be positive');
  const size = x.shape[d];
  const clampIndex = (v: number | null | undefined, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    checkIndexArg('slice', v, 'index');
    const i = v < 0 ? v + size : v;
    return Math.min(Math.max(i, 0), size);
  };
  const s = clampIndex(start, 0);
  const e = Math.max(clampIndex(end, size), s);
  const length = Math.ceil((e - s) / step);
  return windowView(x, d, s, length, step, 'SliceBackward0');
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor('select', x);
  if (x.ndim === 0) throw new RangeError('select: select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim('select', dim, x.ndim);
  checkIndexArg('select', index, 'index');
  const size = x.shape[d];
  if (index < -size || index >= size)
    throw new RangeError(`select: index ${index} is out of bounds for dimension ${d} with size ${size}`);
  const i = index < 0 ? index + size : index;
  const shape = x.shape.filter((_, k) => k !== d);
  const strides = x.strides.filter((_, k) => k !== d);
  const out = viewOf(x, shape, strides, x.offset + i * x.strides[d]);
  return record(out, 'SelectBackward0', [x], (g) => [scatterWindow(x, g, (z) => windowOfPlain(z, d, i, 1, 1).squeeze(d))]);
}

export function contiguous(x: Tensor): Tensor {
  checkTensor('contiguous', x);
  if (isContiguous(x.shape, x.strides)) return x;
  return record(copyContiguous(x), 'CloneBackward0', [x], (g) => [g]);
}

export function clone(x: Tensor): Tensor {
  checkTensor('clone', x);
  return record(copyContiguous(x), 'CloneBackward0', [x], (g) => [g]);
}

function checkJoinInputs(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw typeError(op, 'a non-empty array of Tensors', 'tensors', tensors);
  return tensors.map((t, i) => checkTensor(op, t, `tensors[${i}]`));
}

/** Concatenates along an existing dim. */
export function cat(tensorsIn: readonly Tensor[], dim = 0): Tensor {
  const tensors = checkJoinInputs('cat', tensorsIn);
  // PyTorch's refusal; without it a 0-d input reached join() and failed with "Invalid array length".
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new ShapeError('cat', `zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const d = normalizeDim('cat', dim, tensors[0].ndim);
  const { out, starts } = join('cat', tensors, d);
  return record(out, 'CatBackward0', tensors, (g) => tensors.map((t, i) => g.narrow(d, starts[i], t.shape[d])));
}

/** Joins equal-shaped tensors along a new dim. */
export function stack(tensorsIn: readonly Tensor[], dim = 0): Tensor {
  const tensors = checkJoinInputs('stack', tensorsIn);
  const d = normalizeDim('stack', dim, tensors[0].ndim + 1);
  for (const [i, t] of tensors.entries())
    if (t.ndim !== tensors[0].ndim || t.shape.some((s, k) => s !== tensors[0].shape[k]))
      throw new ShapeError('stack', `stack expects each tensor to be equal size, but got ${shapeStr(tensors[0].shape)} at entry 0 and ${shapeStr(t.shape)} at entry ${i}`);
  const unsqueezed = tensors.map((t) => new Tensor(t.storage, [...t.shape.slice(0, d), 1, ...t.shape.slice(d)],
    [...t.strides.slice(0, d), 1, ...t.strides.slice(d)], t.offset));
  const { out } = join('stack', unsqueezed, d);
  return record(out, 'StackBackward0', tensors, (g) => tensors.map((_, i) => g.select(d, i)));
}

/** Copies tensors side by side along d into a new tensor (no autograd). */
function join(op: string, tensors: Tensor[], d: number): { out: Tensor; starts: number[] } {
  const first = tensors[0];
  let total = 0;
  for (const [i, t] of tensors.entries()) {
    if (t.device !== first.device) throw new Error(`${op}: Expected all tensors to be on the same device`);
    if (t.dtype !== first.dtype) throw new TypeError(`${op}: expected all tensors to have dtype ${first.dtype} but tensors[${i}] is ${t.dtype}`);
    if (t.ndim !== first.ndim)
      throw new ShapeError(op, `Tensors must have same number of dimensions: got ${first.ndim} and ${t.ndim}`);
    for (let k = 0; k < t.ndim; ++k)
      if (k !== d && t.shape[k] !== first.shape[k])
        throw new ShapeError(op, `Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[k]} but got size ${t.shape[k]} for tensor number ${i} in the list.`);
    total += t.shape[d];
  }
  const shape = first.shape.slice();
  shape[d] = total;
  const out = empty(first.device, first.dtype, shape);
  let at = 0;
  const starts: number[] = [];
  for (const t of tensors) {
    starts.push(at);
    copyInto(windowOfPlain(out, d, at, t.shape[d], 1), t);
    at += t.shape[d];
  }
  return { out, starts };
}
