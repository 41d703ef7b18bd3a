/**
 * GEMM code-path cases shared by gemm_paths.test.ts, which runs them in-process (the CPU's own
 * kernels) and in child processes forced to the other instruction sets
 * (TENSORNODE_GEMM_ISA=avx2|generic). Not a test file itself.
 *
 * Block sizes these sizes straddle (native/cpu/gemm_avx512.cc, matmul.cc): wide tile 14×32
 * (AVX2 6×16, generic 4×4), narrow tile 12×16 for N <= 16 (AVX2 12×8), KC = 256, MC = 224,
 * NC = 4096; in-place path for M <= MR (B row-major, or Bᵀ through register transposes,
 * staged when K >= 64), A read in place when K is small, B packed per thread when K·N <= 8192.
 */
import * as tn from '../../lib/index';
import { randomValues } from '../helpers/reference';
import { transposeRef } from './util';

export type Act = 'none' | 'sigmoid' | 'relu' | 'tanh';

export const ACT_REF: Record<Act, (x: number) => number> = {
  none: (x) => x,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  tanh: Math.tanh,
};
/** |d act / dx| <= this, to carry the product's rounding through the activation. */
const ACT_SLOPE: Record<Act, number> = { none: 1, sigmoid: 0.25, relu: 1, tanh: 1 };

let seed = 91;
function values(n: number, scale = 1): Float64Array {
  seed += 7;
  return Float64Array.from(randomValues(n, seed, -scale, scale), Math.fround);
}

/** Row-major float64 product plus the Σ|a·b| bound per output. */
function product(A: Float64Array, B: Float64Array, M: number, K: number, N: number): { c: Float64Array; abs: Float64Array } {
  const c = new Float64Array(M * N), abs = new Float64Array(M * N);
  for (let i = 0; i < M; ++i)
    for (let k = 0; k < K; ++k) {
      const a = A[i * K + k];
      for (let j = 0; j < N; ++j) {
        const p = a * B[k * N + j];
        c[i * N + j] += p;
        abs[i * N + j] += p < 0 ? -p : p;  // (Math.* through jest's sandbox global is slow in hot loops)
      }
    }
  return { c, abs };
}

/** Compares got with act(ref) at float32 accuracy: Σ|a·b|-scaled rounding, then ~3 ulp of the activation. */
export function compare(got: ArrayLike<number>, pre: Float64Array, abs: Float64Array, act: Act): string | null {
  if (got.length !== pre.length) return `length ${got.length} != ${pre.length}`;
  const f = ACT_REF[act];
  for (let i = 0; i < pre.length; ++i) {
    const want = f(pre[i]);
    const g = got[i];
    if (Number.isNaN(want) || Number.isNaN(g)) {
      if (Number.isNaN(want) !== Number.isNaN(g)) return `index ${i}: got ${g}, want ${want}`;
      continue;
    }
    const tol = ACT_SLOPE[act] * 2e-6 * (abs[i] + 1e-3) + 3.6e-7 * Math.abs(want) + 1e-30;
    if (!(Math.abs(g - want) <= tol)) return `index ${i}: got ${g}, want ${want} (tol ${tol.toExponential(2)})`;
  }
  return null;
}

export interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;  // x stored as [K, M] and passed as .t()
  transB: boolean;  // weight stored as [K, N] and passed as .t() (so the kernel reads B row-major)
  bias: boolean;
  act: Act;
  scale?: number;   // input range ±scale (large values exercise saturation)
}

export function caseName(c: Case): string {
  return `M=${c.m} N=${c.n} K=${c.k} ${c.transA ? 'xᵀ' : 'x'} ${c.transB ? 'Wᵀᵀ' : 'W'} bias=${c.bias} act=${c.act}`;
}

/**
 * Runs y = act(x · Wᵀ + b) through tn.linear under noGrad (bias and activation fused into the
 * GEMM epilogue), x: [M, K], W: [N, K]. Returns an error string or null.
 */
export function runLinearCase(c: Case): string | null {
  const { m: M, n: N, k: K } = c;
  const xv = values(M * K, c.scale ?? 1);  // op(A) = x, row-major [M, K]
  const wv = values(N * K, c.scale ?? 1);  // W row-major [N, K]
  const bv = values(N, c.scale ?? 1);
  const x = c.transA ? tn.tensor(Float32Array.from(transposeRef(xv, M, K)), { shape: [K, M] }).t() : tn.tensor(Float32Array.from(xv), { shape: [M, K] });
  const w = c.transB ? tn.tensor(Float32Array.from(transposeRef(wv, N, K)), { shape: [K, N] }).t() : tn.tensor(Float32Array.from(wv), { shape: [N, K] });
  const b = c.bias ? tn.tensor(Float32Array.from(bv)) : null;
  const y = tn.noGrad(() => tn.linear(x, w, b, c.act));
  if (y.shape.join() !== [M, N].join()) return `${caseName(c)}: shape ${y.shape}`;
  const { c: pre, abs } = product(xv, transposeRef(wv, N, K), M, K, N);
  if (c.bias)
    for (let i = 0; i < M; ++i)
      for (let j = 0; j < N; ++j) {
        pre[i * N + j] += bv[j];
        abs[i * N + j] += Math.abs(bv[j]);
      }
  const err = compare(y.dataSync(), pre, abs, c.act);
  return err && `${caseName(c)}: ${err}`;
}

/** Plain matmul of a (maybe transposed) [M,K] and [K,N]. */
export function runMatmulCase(M: number, N: number, K: number, transA: boolean, transB: boolean): string | null {
  const av = values(M * K), bv = values(K * N);
  const a = transA ? tn.tensor(Float32Array.from(transposeRef(av, M, K)), { shape: [K, M] }).t() : tn.tensor(Float32Array.from(av), { shape: [M, K] });
  const b = transB ? tn.tensor(Float32Array.from(transposeRef(bv, K, N)), { shape: [N, K] }).t() : tn.tensor(Float32Array.from(bv), { shape: [K, N] });
  const y = a.matmul(b);
  const { c, abs } = product(av, bv, M, K, N);
  const err = compare(y.dataSync(), c, abs, 'none');
  return err && `matmul M=${M} N=${N} K=${K} transA=${transA} transB=${transB}: ${err}`;
}

const ACTS: Act[] = ['none', 'sigmoid', 'relu', 'tanh'];

/** Sizes on both sides of every tile and block edge of every ISA. */
export const EDGE_M = [1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 27, 28, 29, 223, 224, 225];
export const EDGE_N = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 65];
export const EDGE_K = [1, 5, 16, 17, 255, 256, 257, 513];

/** The cases, smallest first; `quick` keeps a subset (child processes for the other ISAs). */
export function linearCases(quick: boolean): Case[] {
  const out: Case[] = [];
  let i = 0;
  const ms = quick ? [1, 2, 4, 5, 6, 7, 13, 14, 15, 28, 29, 225] : EDGE_M;
  const ns = quick ? [1, 7, 8, 9, 16, 17, 32, 33] : EDGE_N;
  const ks = quick ? [1, 17, 256, 257] : EDGE_K;
  for (const m of ms)
    for (const n of ns)
      for (const k of ks) {
        // Cycle the layouts, bias and activation so each size sees several of each.
        const t = i++;
        // Keep the float64 reference affordable: big M with big K only for some N.
        if (m * n * k > 600000 && t % 3 !== 0) continue;
        out.push({ m, n, k, transA: (t & 1) === 1, transB: (t & 2) === 2, bias: t % 3 !== 1, act: ACTS[(t >> 2) % 4] });
      }
  return out;
}

/** Failures over all cases (empty when everything matches). */
export function gemmCaseFailures(quick: boolean): string[] {
  const fails: string[] = [];
  for (const c of linearCases(quick)) {
    const e = runLinearCase(c);
    if (e) fails.push(e);
  }
  for (const [m, n, k] of [[1, 300, 40], [300, 1, 40], [37, 45, 300], [230, 70, 260]])
    for (let t = 0; t < 4; ++t) {
      const e = runMatmulCase(m, n, k, (t & 1) === 1, (t & 2) === 2);
      if (e) fails.push(e);
    }
  return fails;
}

/** Entry point for the child processes: prints a JSON list of failures. */
export function main(): void {
  process.stdout.write(JSON.stringify(gemmCaseFailures(true)));
}

