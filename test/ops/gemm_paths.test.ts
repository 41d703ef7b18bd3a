/**
 * Every code path of the CPU SGEMM (native/cpu/matmul.cc and its kernels) against float64:
 * each transpose combination (through .t() views), sizes on both sides of every tile and
 * block edge, 1×N and N×1, K = 0, batch broadcasting (stride 0), the internal accumulate flag,
 * and the fused bias + activation epilogue (saturation, NaN). The other instruction sets
 * (AVX2, portable) run the quick subset in child processes. Speed is measured in bench/, never
 * here.
 */

import * as tn from '../../lib/index';
import { runWithIsa } from '../helpers/isa';
import { describe as describeViews, binding, h } from '../../lib/ops/native';
import { type Act, compare, gemmCaseFailures, runLinearCase, runMatmulCase } from './gemm_cases';
import { rnd, transposeRef } from './util';

function abs(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (x) => (x < 0 ? -x : x));
}

function mm(A: ArrayLike<number>, B: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; ++i)
    for (let k = 0; k < K; ++k) for (let j = 0; j < N; ++j) C[i * N + j] += A[i * K + k] * B[k * N + j];
  return C;
}

describe('SGEMM code paths (cpu)', () => {
  test('tn.linear with fused bias/activation: all layouts, sizes around every block edge', () => {
    expect(gemmCaseFailures(false)).toEqual([]);
  });

  test.each([
    ['wide tile, several K blocks, rows split over threads', 300, 64, 520],
    ['wide tile, columns split over threads', 60, 300, 300],
    ['narrow output (deferred activation), A read in place', 4100, 5, 4],
    ['narrow output, packed A', 333, 10, 300],
    ['more than NC = 4096 columns', 20, 4200, 3],
    ['skinny path (rows in lanes), tail rows', 1031, 5, 4],
    ['skinny path, full vector width', 999, 16, 16],
    ['skinny path, one column in and out', 70, 1, 1],
    ['skinny path (AVX2: above the width, tile path)', 517, 9, 11],
    ['in-place path, Bᵀ staged, long K', 3, 70, 2000],
    ['in-place path, Bᵀ, one row, K = 1024 (4 KiB row pitch)', 1, 100, 1024],
    ['in-place path, wide N', 9, 700, 300],
  ])('%s (M=%d N=%d K=%d)', (_name, m, n, k) => {
    for (let t = 0; t < 4; ++t)
      for (const act of ['none', 'sigmoid', 'tanh'] as Act[])
        expect(runLinearCase({ m, n, k, transA: (t & 1) === 1, transB: (t & 2) === 2, bias: true, act })).toBeNull();
  });

  test('1×N and N×1 (vector operands and degenerate matrices)', () => {
    for (const [m, n, k] of [[1, 1, 1], [1, 1000, 30], [1000, 1, 30], [1, 33, 513], [513, 1, 33], [1, 1, 700]])
      for (let t = 0; t < 4; ++t) expect(runMatmulCase(m, n, k, (t & 1) === 1, (t & 2) === 2)).toBeNull();
    // 1-D operands: vector·matrix, matrix·vector, dot
    const v = rnd([300], 1, 'cpu'), A = rnd([300, 41], 2, 'cpu'), B = rnd([41, 300], 3, 'cpu');
    const vm = v.t.matmul(A.t), mv = B.t.matmul(v.t), dot = v.t.matmul(v.t);
    expect(vm.shape).toEqual([41]);
    expect(mv.shape).toEqual([41]);
    expect(dot.shape).toEqual([]);
    expect(compare(vm.dataSync(), mm(v.r, A.r, 1, 300, 41), mm(abs(v.r), abs(A.r), 1, 300, 41), 'none')).toBeNull();
    expect(compare(mv.dataSync(), mm(B.r, v.r, 41, 300, 1), mm(abs(B.r), abs(v.r), 41, 300, 1), 'none')).toBeNull();
    expect(compare(dot.dataSync(), mm(v.r, v.r, 1, 300, 1), mm(abs(v.r), abs(v.r), 1, 300, 1), 'none')).toBeNull();
  });

  test('K = 0: zeros, then bias and activation', () => {
    const a = tn.zeros(3, 0), b = tn.zeros(0, 4);
    expect(Array.from(a.matmul(b).dataSync())).toEqual(new Array(12).fill(0));
    const bias = tn.tensor(Float32Array.from([-1, 0, 2, 50]));
    const y = tn.noGrad(() => tn.linear(tn.zeros(2, 0), tn.zeros(4, 0), bias, 'sigmoid'));
    const want = [-1, 0, 2, 50].map((x) => 1 / (1 + Math.exp(-x)));
    expect(compare(y.dataSync(), Float64Array.from([...want, ...want].map((s) => Math.log(s / (1 - s)))), new Float64Array(8), 'sigmoid')).toBeNull();
  });

  test('batched: broadcast of either operand (stride 0), transposed batches, folded tall product', () => {
    const B = 3, M = 17, K = 40, N = 35;
    const a3 = rnd([B, M, K], 11, 'cpu'), b3 = rnd([B, K, N], 12, 'cpu'), a2 = rnd([M, K], 13, 'cpu'), b2 = rnd([K, N], 14, 'cpu');
    const slice = (x: Float64Array, i: number, n: number) => x.subarray(i * n, (i + 1) * n);
    const check = (y: tn.Tensor, aOf: (i: number) => Float64Array, bOf: (i: number) => Float64Array) => {
      expect(y.shape).toEqual([B, M, N]);
      const got = y.dataSync();
      for (let i = 0; i < B; ++i)
        expect(compare(got.subarray(i * M * N, (i + 1) * M * N), mm(aOf(i), bOf(i), M, K, N), mm(abs(aOf(i)), abs(bOf(i)), M, K, N), 'none')).toBeNull();
    };
    check(a3.t.matmul(b3.t), (i) => slice(a3.r, i, M * K), (i) => slice(b3.r, i, K * N));
    check(a3.t.matmul(b2.t), (i) => slice(a3.r, i, M * K), () => b2.r);  // B broadcast: one tall product
    check(a2.t.matmul(b3.t), () => a2.r, (i) => slice(b3.r, i, K * N));  // A broadcast (stride 0)
    // transposed batches: stored [B, K, M] / [B, N, K], viewed with transpose(-1, -2)
    const aT = Float32Array.from({ length: B * M * K }, (_, q) => {
      const i = Math.floor(q / (K * M)), k = Math.floor((q % (K * M)) / M), m = q % M;
      return a3.r[i * M * K + m * K + k];
    });
    const bT = Float32Array.from({ length: B * K * N }, (_, q) => {
      const i = Math.floor(q / (N * K)), n = Math.floor((q % (N * K)) / K), k = q % K;
      return b3.r[i * K * N + k * N + n];
    });
    const at = tn.tensor(aT, { shape: [B, K, M] }).transpose(-1, -2), bt = tn.tensor(bT, { shape: [B, N, K] }).transpose(-1, -2);
    check(at.matmul(bt), (i) => slice(a3.r, i, M * K), (i) => slice(b3.r, i, K * N));
    check(at.matmul(b2.t.t().t()), (i) => slice(a3.r, i, M * K), () => b2.r);
    // many small items (one per thread) and a broadcast batch dim of size 1
    const s = rnd([64, 3, 5], 15, 'cpu'), w = rnd([1, 5, 2], 16, 'cpu');
    const ys = s.t.matmul(w.t);
    expect(ys.shape).toEqual([64, 3, 2]);
    expect(compare(ys.dataSync(), mm(s.r, w.r, 64 * 3, 5, 2), mm(abs(s.r), abs(w.r), 64 * 3, 5, 2), 'none')).toBeNull();
  });

  test('accumulate (internal flag): out += a·b, for every layout and path', () => {
    for (const [M, N, K] of [[1, 40, 30], [3, 40, 300], [9, 100, 20], [60, 70, 300], [300, 5, 4]])
      for (let t = 0; t < 4; ++t) {
        const transA = (t & 1) === 1, transB = (t & 2) === 2;
        const A = rnd([M, K], 21 + t, 'cpu'), Bm = rnd([K, N], 31 + t, 'cpu'), C = rnd([M, N], 41 + t, 'cpu');
        const a = transA ? tn.tensor(Float32Array.from(transposeRef(A.r, M, K)), { shape: [K, M] }).t() : A.t;
        const b = transB ? tn.tensor(Float32Array.from(transposeRef(Bm.r, K, N)), { shape: [N, K] }).t() : Bm.t;
        const va = { storage: a.storage, offset: a.offset, shape: [1, M, K], strides: [0, ...a.strides], dtype: a.dtype };
        const vb = { storage: b.storage, offset: b.offset, shape: [1, K, N], strides: [0, ...b.strides], dtype: b.dtype };
        const vc = { storage: C.t.storage, offset: 0, shape: [1, M, N], strides: [M * N, N, 1], dtype: C.t.dtype };
        binding.matmul(describeViews(va, vb, vc), h(va), h(vb), null, h(vc), 0, true);
        const want = mm(A.r, Bm.r, M, K, N).map((x, i) => x + C.r[i]);
        const bound = mm(abs(A.r), abs(Bm.r), M, K, N).map((x, i) => x + Math.abs(C.r[i]));
        expect(compare(C.t.dataSync(), want, bound, 'none')).toBeNull();
      }
    // accumulate excludes the epilogue
    const a = tn.ones(2, 2), v = { storage: a.storage, offset: 0, shape: [1, 2, 2], strides: [4, 2, 1], dtype: a.dtype };
    expect(() => binding.matmul(describeViews(v, v, v), h(v), h(v), null, h(v), 1, true)).toThrow(/accumulate excludes bias and activation/);
  });

  test('epilogue activations: saturation at large |x|, NaN propagation, every tile kind', () => {
    for (const [m, n, k] of [[1, 40, 16], [3, 40, 16], [10, 40, 16], [60, 70, 16], [300, 5, 4], [40, 10, 16]])
      for (const act of ['sigmoid', 'tanh', 'relu'] as Act[])
        for (let t = 0; t < 4; ++t)
          expect(runLinearCase({ m, n, k, transA: (t & 1) === 1, transB: (t & 2) === 2, bias: true, act, scale: 9 })).toBeNull();
    // NaN in one input row → that output row is NaN for every activation
    for (const [m, n, k] of [[1, 20, 8], [3, 20, 8], [10, 40, 8], [60, 40, 300], [300, 5, 4]])
      for (const act of ['none', 'sigmoid', 'tanh', 'relu'] as Act[]) {
        const xv = new Float32Array(m * k).fill(0.5);
        xv[0] = NaN;
        const y = tn.noGrad(() => tn.linear(tn.tensor(xv, { shape: [m, k] }), tn.ones(n, k), tn.zeros(n), act)).dataSync();
        for (let j = 0; j < n; ++j) expect(y[j]).toBeNaN();
        if (m > 1) expect(Number.isNaN(y[n])).toBe(false);
      }
    // exact saturation values
    const big = tn.noGrad(() => tn.linear(tn.tensor(Float32Array.from([1, -1]), { shape: [2, 1] }), tn.tensor(Float32Array.from([200, 20, 0.001]), { shape: [3, 1] }), null, 'sigmoid')).dataSync();
    // rows: x = 1 → sigmoid(200), sigmoid(20), sigmoid(0.001); x = -1 → the negatives
    expect(big[0]).toBe(1);
    expect(big[3]).toBe(0);  // exp(-200) underflows float32
    [20, 0.001, -20, -0.001].forEach((z, q) => {
      const want = 1 / (1 + Math.exp(-z));
      expect(Math.abs(big[[1, 2, 4, 5][q]] - want) / want).toBeLessThan(3e-7);
    });
    const th = tn.noGrad(() => tn.linear(tn.tensor(Float32Array.from([1, -1]), { shape: [2, 1] }), tn.tensor(Float32Array.from([30, 1e-5]), { shape: [2, 1] }), null, 'tanh')).dataSync();
    expect(Array.from(th)).toEqual([1, th[1], -1, th[3]]);
    expect(Math.abs(th[1] - Math.tanh(1e-5)) / Math.tanh(1e-5)).toBeLessThan(3e-7);
  });

  test.each(['avx2', 'generic'])('the %s kernels pass the quick set (child process)', (isa) => {
    const r = runWithIsa('./test/ops/gemm_cases', isa);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
