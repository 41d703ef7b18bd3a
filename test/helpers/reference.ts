/**
 * Plain float64 references and comparison helpers for op tests: random data (never zeros),
 * row-major index math, and tolerance checks that report the worst element.
 */
import * as tn from '../../lib/index';

/** Deterministic float64 random numbers in [lo, hi), never exactly zero. */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; ++i) {
    // xorshift32: independent of the library's own generator.
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    let v = lo + ((s >>> 0) / 4294967296) * (hi - lo);
    if (v === 0) v = (hi - lo) * 1e-3 + lo;
    out[i] = v;
  }
  return out;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; --i) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Multi-index of flat position i in shape. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; --d) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/** A float32 tensor on device with float64 twin values (the twin holds the float32-rounded inputs). */
export function randomTensor(shape: number[], seed: number, device: string, lo = -1, hi = 1): { t: tn.Tensor; ref: Float64Array } {
  const v = randomValues(numel(shape), seed, lo, hi);
  const f = Float32Array.from(v);
  return { t: tn.tensor(f, { shape, device: device as tn.Device }), ref: Float64Array.from(f) };
}

/** Asserts |actual - expected| <= atol + rtol*|expected| elementwise, naming the worst index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; ++i) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;  // also equal infinities
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0)
    throw new Error(`values differ at flat index ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
}
