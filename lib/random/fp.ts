/**
 * Exact float32 / float64 arithmetic helpers used to reproduce PyTorch's compiled kernels
 * bit for bit in JavaScript (whose numbers are float64).
 *
 * - A float32 `a op b` (op in + - * /, and sqrt) is `Math.fround(a op b)` in double: double has
 *   more than 2*24+2 bits, so rounding twice gives the correctly rounded float32 result.
 * - A float32 fused multiply-add `fmaf(a, b, c)` is not: a*b is exact in double, but the sum can
 *   round twice. `fmaf` below detects the one bad case (the double sum lands exactly on a float32
 *   rounding boundary while the exact sum does not) and corrects it, so it is correctly rounded.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export const fround = Math.fround;

/** Bits of a float32 value. */
export function floatBits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** The float32 whose bits are `b`. */
export function bitsFloat(b: number): number {
  u32[0] = b >>> 0;
  return f32[0];
}

/**
 * Correctly rounded float32 fused multiply-add: round_f32(a*b + c) with a single rounding.
 * The arguments must be float32 values (results of Math.fround or Float32Array reads).
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b; // exact: two 24-bit significands fit in 53 bits, and no float32 product under/overflows a double
  const s = p + c;
  const r = Math.fround(s);
  if (r === s || s - s !== 0) return r; // exact, or inf/NaN
  // Error of the double addition (TwoSum): p + c == s + err exactly.
  const bb = s - p;
  const err = (p - (s - bb)) + (c - bb);
  if (err === 0) return r;
  // Only when s sits exactly halfway between two float32 values can the second rounding be wrong.
  const d = s - r; // exact
  const other = r + 2 * d;
  if (Math.fround(other) !== other) return r;
  // s is the midpoint of r and other: the exact sum lies on err's side of it.
  return (err > 0) === (d > 0) ? other : r;
}

const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/**
 * float64 fused multiply-add a*b + c, computed with an exact product (Dekker) and an exact sum
 * (TwoSum) and a final compensated addition: faithful (within 1 ulp of the correctly rounded
 * result, and equal to it except in rare near-tie cases). Used where PyTorch's double kernels
 * contract `val * std + mean`; for std = 1, mean = 0 it is exact.
 */
export function fma64(a: number, b: number, c: number): number {
  const p = a * b;
  if (b === 1) return a + c;
  const A = SPLIT * a;
  const B = SPLIT * b;
  if (!Number.isFinite(p) || !Number.isFinite(A) || !Number.isFinite(B)) return p + c;
  const ah = A - (A - a);
  const al = a - ah;
  const bh = B - (B - b);
  const bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  const s = p + c;
  const bb = s - p;
  const t = (p - (s - bb)) + (c - bb);
  return s + (t + e);
}
