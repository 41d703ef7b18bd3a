/**
 * Shared float64 references for the op tests (not a test file itself). Everything here works on
 * plain Float64Arrays in row-major order, with index math from test/helpers/reference.ts, so
 * the references never go through the library's own kernels.
 */
import * as tn from '../../lib/index';
import { numel, randomValues, strides, unravel } from '../helpers/reference';

export type Dev = 'cpu' | 'cuda';

/** A float32 tensor of random values in [lo, hi) and its float64 twin (the rounded values). */
export function rnd(shape: number[], seed: number, device: Dev, lo = -1, hi = 1): { t: tn.Tensor; r: Float64Array } {
  const f = Float32Array.from(randomValues(numel(shape), seed, lo, hi));
  return { t: tn.tensor(f, { shape, device }), r: Float64Array.from(f) };
}

/** Read-back values as float64. */
export function vals(t: tn.Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

/** Flat row-major index of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  const st = strides(shape);
  let o = 0;
  for (let d = 0; d < idx.length; ++d) o += idx[d] * st[d];
  return o;
}

/** Values of a view (shape, strides, offset) onto a flat buffer, row-major. */
export function gather(buf: ArrayLike<number>, shape: readonly number[], st: readonly number[], offset = 0): Float64Array {
  const out = new Float64Array(numel(shape));
  for (let i = 0; i < out.length; ++i) {
    const idx = unravel(i, shape);
    let o = offset;
    for (let d = 0; d < idx.length; ++d) o += idx[d] * st[d];
    out[i] = buf[o];
  }
  return out;
}

/** NumPy broadcast of two shapes (reference, no error text). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; ++i) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error('reference: shapes do not broadcast');
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Index of the element of `shape` that broadcasting maps output index `outIdx` to. */
function sourceIndex(outIdx: readonly number[], shape: readonly number[]): number {
  const lead = outIdx.length - shape.length;
  const idx = shape.map((s, d) => (s === 1 ? 0 : outIdx[lead + d]));
  return ravel(idx, shape);
}

/** out[i] = f(a[bcast i], b[bcast i]) over the broadcast shape. */
export function binaryRef(
  a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[],
  f: (x: number, y: number) => number,
): { shape: number[]; v: Float64Array } {
  const shape = broadcastShape(aShape, bShape);
  const v = new Float64Array(numel(shape));
  for (let i = 0; i < v.length; ++i) {
    const idx = unravel(i, shape);
    v[i] = f(a[sourceIndex(idx, aShape)], b[sourceIndex(idx, bShape)]);
  }
  return { shape, v };
}

export function mapRef(a: ArrayLike<number>, f: (x: number) => number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; ++i) out[i] = f(a[i]);
  return out;
}

/** Plain triple loop: C[M,N] = A[M,K] · B[K,N], all row-major, float64. */
export function mmRef(A: ArrayLike<number>, B: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; ++i)
    for (let k = 0; k < K; ++k) {
      const a = A[i * K + k];
      for (let j = 0; j < N; ++j) C[i * N + j] += a * B[k * N + j];
    }
  return C;
}

/** Row-major transpose of an R×C matrix. */
export function transposeRef(A: ArrayLike<number>, R: number, C: number): Float64Array {
  const out = new Float64Array(R * C);
  for (let i = 0; i < R; ++i) for (let j = 0; j < C; ++j) out[j * R + i] = A[i * C + j];
  return out;
}

/** Sum of |A[i,k]·B[k,j]| per output: the scale that bounds float32 rounding in a dot product. */
export function mmAbsRef(A: ArrayLike<number>, B: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  return mmRef(mapRef(A, Math.abs), mapRef(B, Math.abs), M, K, N);
}

/**
 * Reduction reference over `dims` (all dims when null): fold(acc, x, j) with `init`, then
 * finish(acc, count). Returns the output shape (keepdim or not) and the values.
 */
export function reduceRef<A>(
  x: ArrayLike<number>, shape: readonly number[], dims: number[] | null, keepdim: boolean,
  init: () => A, fold: (acc: A, v: number, pos: number) => A, finish: (acc: A, count: number) => number,
): { shape: number[]; v: Float64Array } {
  const nd = shape.length;
  const red = dims === null ? shape.map((_, i) => i) : dims.map((d) => (d < 0 ? d + nd : d));
  const keptShape = shape.map((s, i) => (red.includes(i) ? 1 : s));
  const outShape = keepdim ? keptShape : shape.filter((_, i) => !red.includes(i));
  const count = red.reduce((n, d) => n * shape[d], 1);
  const accs: A[] = Array.from({ length: numel(keptShape) }, init);
  const redShape = red.map((d) => shape[d]);
  for (let i = 0; i < numel(shape); ++i) {
    const idx = unravel(i, shape);
    const o = ravel(idx.map((v, d) => (red.includes(d) ? 0 : v)), keptShape);
    // Position along the reduced dims (row-major over them), for arg reductions.
    const pos = ravel(red.map((d) => idx[d]), redShape);
    accs[o] = fold(accs[o], x[i], pos);
  }
  return { shape: outShape, v: Float64Array.from(accs, (a) => finish(a, count)) };
}

export const sumRef = (x: ArrayLike<number>, shape: readonly number[], dims: number[] | null, keepdim = false) =>
  reduceRef(x, shape, dims, keepdim, () => 0, (a, v) => a + v, (a) => a);

/** Float32 rounding of a float64 value (what a float32 kernel can at best return). */
export const f32 = Math.fround;

/** Deterministic shuffle-free permutation-free seed counter so every test draws fresh data. */
let seedCounter = 1000;
export function nextSeed(): number {
  seedCounter += 7919;
  return seedCounter;
}
