/**
 * matmul / mm / linear against a float64 triple loop.
 *
 * Covers torch.matmul's shape rules (1-D dot, matrix-vector, vector-matrix, 2-D, batched,
 * broadcast batch dims), mm, linear with and without bias and with fused activations, operands
 * that are views (x.t(), narrow, slice, select, permute, expand) in every transpose combination,
 * sizes 1, 3, 7, 33, 129 and 1000, 1×N and N×1, the edges of the CPU GEMM blocking (the first
 * kernel's MR=6, NR=16, KC=256, MC=96, NC=2048 and small-problem path M·N·K ≤ 32³; the current
 * AVX-512 kernel's 14×32 and 12×16 tiles, MC=224, NC=4096, and its M ≤ MR in-place path — the
 * per-instruction-set paths are covered in depth by gemm_paths.test.ts), and K = 0.
 *
 * Tolerance: a float32 dot product of length K, in any summation order, is within
 * γ_K·Σ|a_ik·b_kj| of the exact result (γ_K ≈ K·2⁻²⁴), so every element is checked against that
 * bound computed from the reference's Σ|a||b| — it grows with K, and an indexing mistake (an
 * error the size of the terms themselves) is far outside it.
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { numel, unravel } from '../helpers/reference';
import { type Dev, broadcastShape, gather, mapRef, nextSeed, ravel, rnd, transposeRef, vals } from './util';

const U = 2 ** -24;

interface Ref {
  shape: number[];
  v: Float64Array;
  abs: Float64Array;  // Σ|a||b| per element
  K: number;
}

/** torch.matmul in float64 over row-major buffers. */
function matmulRef(a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>, bShape: number[]): Ref {
  const a2 = aShape.length === 1 ? [1, aShape[0]] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0], 1] : bShape;
  const M = a2[a2.length - 2], K = a2[a2.length - 1], N = b2[b2.length - 1];
  if (b2[b2.length - 2] !== K) throw new Error('reference: K mismatch');
  const aBatch = a2.slice(0, -2), bBatch = b2.slice(0, -2);
  const batch = broadcastShape(aBatch, bBatch);
  const B = numel(batch);
  const v = new Float64Array(B * M * N);
  const abs = new Float64Array(B * M * N);
  for (let bi = 0; bi < B; ++bi) {
    const idx = unravel(bi, batch);
    const pick = (bs: number[]) => ravel(bs.map((s, d) => (s === 1 ? 0 : idx[idx.length - bs.length + d])), bs);
    const ao = pick(aBatch) * M * K, bo = pick(bBatch) * K * N;
    for (let i = 0; i < M; ++i)
      for (let j = 0; j < N; ++j) {
        let s = 0, sa = 0;
        for (let k = 0; k < K; ++k) {
          const p = a[ao + i * K + k] * b[bo + k * N + j];
          s += p;
          sa += p < 0 ? -p : p;  // not Math.abs: jest's sandboxed Math is ~30x slower in hot loops
        }
        v[(bi * M + i) * N + j] = s;
        abs[(bi * M + i) * N + j] = sa;
      }
  }
  const shape = [...batch, ...(aShape.length === 1 ? [] : [M]), ...(bShape.length === 1 ? [] : [N])];
  return { shape, v, abs, K };
}

/** Every element within the float32 dot-product bound (plus a floor for K = 0 / tiny sums). */
function expectMatmulClose(y: tn.Tensor, ref: Ref, slack = 2): void {
  expect(y.shape).toEqual(ref.shape);
  expect(y.dtype).toBe('float32');
  const got = y.dataSync();
  const gamma = slack * Math.max(ref.K, 1) * U;
  for (let i = 0; i < ref.v.length; ++i) {
    const tol = gamma * ref.abs[i] + 1e-30;
    const err = Math.abs(got[i] - ref.v[i]);
    if (!(err <= tol))
      throw new Error(`matmul element ${i} (of shape [${ref.shape}]): got ${got[i]}, expected ${ref.v[i]}, error ${err} > bound ${tol} (K=${ref.K})`);
  }
}

forEachDevice('matmul shapes', (device: Dev) => {
  const cases: [number[], number[]][] = [
    [[7], [7]],               // dot → 0-d
    [[5, 7], [7]],            // matrix · vector
    [[7], [7, 4]],            // vector · matrix
    [[5, 7], [7, 4]],         // mm
    [[3, 5, 7], [3, 7, 4]],   // bmm
    [[3, 5, 7], [7, 4]],      // batched · matrix
    [[5, 7], [3, 7, 4]],      // matrix · batched
    [[3, 5, 7], [7]],         // batched · vector
    [[7], [3, 7, 4]],         // vector · batched
    [[2, 1, 5, 7], [3, 7, 4]],  // broadcast batch → [2, 3, 5, 4]
    [[1, 5, 7], [4, 1, 7, 2]],  // broadcast batch → [4, 1, 5, 2]
    [[2, 3, 1, 2, 9], [3, 1, 9, 5]],  // 5-D · 4-D
  ];
  for (const [sa, sb] of cases) {
    test(`[${sa}] @ [${sb}]`, () => {
      const a = rnd(sa, nextSeed(), device);
      const b = rnd(sb, nextSeed(), device);
      expectMatmulClose(a.t.matmul(b.t), matmulRef(a.r, sa, b.r, sb));
      expectMatmulClose(tn.matmul(a.t, b.t), matmulRef(a.r, sa, b.r, sb));
    });
  }

  test('mm multiplies 2-D tensors and refuses anything else', () => {
    const a = rnd([4, 6], nextSeed(), device);
    const b = rnd([6, 3], nextSeed(), device);
    expectMatmulClose(a.t.mm(b.t), matmulRef(a.r, [4, 6], b.r, [6, 3]));
    expect(() => a.t.mm(tn.zeros(6, { device }))).toThrow('mat2 must be a matrix');
    expect(() => tn.zeros(2, 4, 6, { device }).mm(b.t)).toThrow('self must be a matrix');
  });

  test('K = 0 gives zeros; M = 0 or N = 0 gives an empty result', () => {
    const z = tn.zeros(3, 0, { device }).matmul(tn.zeros(0, 4, { device }));
    expect(z.shape).toEqual([3, 4]);
    expect(Array.from(z.dataSync())).toEqual(new Array(12).fill(0));
    expect(tn.zeros(0, 5, { device }).matmul(tn.ones(5, 2, { device })).shape).toEqual([0, 2]);
    expect(tn.ones(3, 5, { device }).matmul(tn.ones(5, 0, { device })).shape).toEqual([3, 0]);
    expect(tn.zeros(0, { device }).matmul(tn.zeros(0, { device })).item()).toBe(0);
  });

  test('the result is a fresh contiguous tensor; operands are unchanged', () => {
    const a = rnd([5, 5], nextSeed(), device);
    const y = a.t.matmul(a.t);
    expect(y.isContiguous()).toBe(true);
    expect(y.storage).not.toBe(a.t.storage);
    expect(vals(a.t)).toEqual(a.r);
  });
});

forEachDevice('matmul sizes and blocking edges', (device: Dev) => {
  const SIZES = [1, 3, 7, 33, 129];
  for (const M of SIZES)
    for (const N of [1, 7, 129]) {
      const K = M === 129 ? 33 : M;  // keep the float64 reference quick
      test(`M=${M} K=${K} N=${N}`, () => {
        const a = rnd([M, K], nextSeed(), device);
        const b = rnd([K, N], nextSeed(), device);
        expectMatmulClose(a.t.matmul(b.t), matmulRef(a.r, [M, K], b.r, [K, N]));
      });
    }

  // [M, K, N] around MR=6, NR=16, KC=256, MC=96, NC=2048 and the 32³ small-problem threshold.
  const EDGES: [number, number, number][] = [
    [5, 40, 15], [6, 40, 16], [7, 40, 17], [12, 40, 32], [13, 40, 33],
    [95, 20, 31], [96, 20, 48], [97, 20, 49], [191, 9, 17], [193, 9, 16],
    [20, 255, 20], [20, 256, 20], [20, 257, 20], [9, 513, 18], [7, 700, 3],
    [32, 32, 32], [32, 32, 33], [33, 32, 32], [31, 33, 32], [1, 32769, 1], [2, 8192, 2],
    [3, 40, 2047], [2, 40, 2049], [1, 300, 2100],
    [13, 30, 31], [14, 30, 32], [15, 30, 33], [27, 20, 16], [28, 20, 15], [29, 20, 17],
    [223, 8, 40], [224, 8, 40], [225, 8, 40], [4, 50, 60], [2, 4097, 3], [2, 20, 4097],
  ];
  for (const [M, K, N] of EDGES) {
    test(`blocking edge M=${M} K=${K} N=${N}`, () => {
      const a = rnd([M, K], nextSeed(), device);
      const b = rnd([K, N], nextSeed(), device);
      expectMatmulClose(a.t.matmul(b.t), matmulRef(a.r, [M, K], b.r, [K, N]));
    });
  }

  test('1×N and N×1 shapes: row · matrix, matrix · column, outer product, inner product', () => {
    const n = 300;
    const row = rnd([1, n], nextSeed(), device);
    const col = rnd([n, 1], nextSeed(), device);
    const m = rnd([n, n], nextSeed(), device);
    expectMatmulClose(row.t.matmul(m.t), matmulRef(row.r, [1, n], m.r, [n, n]));
    expectMatmulClose(m.t.matmul(col.t), matmulRef(m.r, [n, n], col.r, [n, 1]));
    expectMatmulClose(col.t.matmul(row.t), matmulRef(col.r, [n, 1], row.r, [1, n]));
    expectMatmulClose(row.t.matmul(col.t), matmulRef(row.r, [1, n], col.r, [n, 1]));
  });

  test('1000×1000 · 1000×1000 (K = 1000)', () => {
    const n = 1000;
    const a = rnd([n, n], nextSeed(), device);
    const b = rnd([n, n], nextSeed(), device);
    const y = a.t.matmul(b.t).dataSync();
    // Full float64 reference on a spread of rows (every 37th and the last; all columns):
    // row blocks, column panels and K blocks are all exercised.
    const bT = transposeRef(b.r, n, n);
    const ar = a.r;
    const gamma = 2 * n * U;
    for (let i = 0; i < n; i = i === n - 1 ? n : Math.min(i + 37, n - 1)) {
      for (let j = 0; j < n; ++j) {
        let s = 0, sa = 0;
        for (let k = 0; k < n; ++k) {
          const p = ar[i * n + k] * bT[j * n + k];
          s += p;
          sa += p < 0 ? -p : p;
        }
        const err = Math.abs(y[i * n + j] - s);
        if (!(err <= gamma * sa)) throw new Error(`[${i}, ${j}]: got ${y[i * n + j]}, expected ${s}`);
      }
    }
  });

  test('single-threaded and multi-threaded runs are both correct', () => {
    // (Not asserted bit-identical: a kernel may legitimately split K across threads.)
    const before = tn.getNumThreads();
    try {
      const a = rnd([200, 300], nextSeed(), device);
      const b = rnd([300, 150], nextSeed(), device);
      const ref = matmulRef(a.r, [200, 300], b.r, [300, 150]);
      tn.setNumThreads(1);
      expectMatmulClose(a.t.matmul(b.t), ref);
      tn.setNumThreads(Math.max(2, before));
      expectMatmulClose(a.t.matmul(b.t), ref);
    } finally {
      tn.setNumThreads(before);
    }
  });
});

forEachDevice('matmul with view operands', (device: Dev) => {
  // All four transpose combinations at a small and a packed-path size, via .t() on either side.
  for (const [M, K, N] of [[5, 7, 3], [70, 45, 38]] as [number, number, number][]) {
    for (const ta of [false, true])
      for (const tb of [false, true]) {
        test(`${ta ? 'Aᵀ' : 'A'} @ ${tb ? 'Bᵀ' : 'B'} (M=${M} K=${K} N=${N})`, () => {
          // Stored transposed where asked, then viewed back with .t(): same logical operands.
          const a = rnd(ta ? [K, M] : [M, K], nextSeed(), device);
          const b = rnd(tb ? [N, K] : [K, N], nextSeed(), device);
          const av = ta ? a.t.t() : a.t;
          const bv = tb ? b.t.t() : b.t;
          expect(av.isContiguous()).toBe(!ta || M === 1 || K === 1);
          const aRef = ta ? transposeRef(a.r, K, M) : a.r;
          const bRef = tb ? transposeRef(b.r, N, K) : b.r;
          expectMatmulClose(av.matmul(bv), matmulRef(aRef, [M, K], bRef, [K, N]));
        });
      }
  }

  test('narrow views (leading dimension larger than the row, nonzero offset) on both sides', () => {
    const M = 40, K = 50, N = 36;
    const A = rnd([M + 4, K + 9], nextSeed(), device);
    const B = rnd([K + 2, N + 20], nextSeed(), device);
    const av = A.t.narrow(0, 3, M).narrow(1, 5, K);   // strides [K+9, 1], offset 3(K+9)+5
    const bv = B.t.narrow(0, 1, K).narrow(1, 11, N);  // strides [N+20, 1]
    const aRef = gather(A.r, [M, K], [K + 9, 1], 3 * (K + 9) + 5);
    const bRef = gather(B.r, [K, N], [N + 20, 1], N + 20 + 11);
    expectMatmulClose(av.matmul(bv), matmulRef(aRef, [M, K], bRef, [K, N]));
  });

  test('transposed narrow views (unit stride along rows, padded leading dimension)', () => {
    const M = 33, K = 47, N = 29;
    const At = rnd([K + 3, M + 6], nextSeed(), device);  // Aᵀ stored with padding
    const Bt = rnd([N + 5, K + 8], nextSeed(), device);  // Bᵀ stored with padding
    const av = At.t.narrow(0, 2, K).narrow(1, 4, M).t();  // [M, K], strides [1, M+6]
    const bv = Bt.t.narrow(0, 3, N).narrow(1, 6, K).t();  // [K, N], strides [1, K+8]
    expect(av.stride()).toEqual([1, M + 6]);
    const aRef = transposeRef(gather(At.r, [K, M], [M + 6, 1], 2 * (M + 6) + 4), K, M);
    const bRef = transposeRef(gather(Bt.r, [N, K], [K + 8, 1], 3 * (K + 8) + 6), N, K);
    expectMatmulClose(av.matmul(bv), matmulRef(aRef, [M, K], bRef, [K, N]));
  });

  test('slice views (the lecture\'s param[:2]) and select', () => {
    const W = rnd([10, 6], nextSeed(), device);
    const x = rnd([6, 4], nextSeed(), device);
    const top = W.t.slice(0, 2);     // rows 0..1
    const tail = W.t.slice(-3);      // rows 7..9
    expectMatmulClose(top.matmul(x.t), matmulRef(W.r.slice(0, 12), [2, 6], x.r, [6, 4]));
    expectMatmulClose(tail.matmul(x.t), matmulRef(W.r.slice(42), [3, 6], x.r, [6, 4]));
    const row = W.t.select(0, 4);    // [6]
    expectMatmulClose(row.matmul(x.t), matmulRef(W.r.slice(24, 30), [6], x.r, [6, 4]));
    const colOfX = x.t.select(1, 2);  // [6], stride 4
    expectMatmulClose(W.t.matmul(colOfX), matmulRef(W.r, [10, 6], gather(x.r, [6], [4], 2), [6]));
  });

  test('operands with no unit stride (every other column) are handled', () => {
    const M = 9, K = 20, N = 12;
    const A = rnd([M, K, 2], nextSeed(), device);
    const B = rnd([K, N, 3], nextSeed(), device);
    const av = A.t.select(2, 1);  // strides [2K, 2]
    const bv = B.t.select(2, 0);  // strides [3N, 3]
    expect(av.stride()).toEqual([2 * K, 2]);
    const aRef = gather(A.r, [M, K], [2 * K, 2], 1);
    const bRef = gather(B.r, [K, N], [3 * N, 3], 0);
    expectMatmulClose(av.matmul(bv), matmulRef(aRef, [M, K], bRef, [K, N]));
  });

  test('batched operands that are permuted, transposed per batch, or expanded', () => {
    const B = 4, M = 6, K = 18, N = 20;
    const P = rnd([M, B, K], nextSeed(), device);
    const av = P.t.permute(1, 0, 2);  // [B, M, K] with batch stride K
    const aRef = gather(P.r, [B, M, K], [K, B * K, 1]);
    const Q = rnd([B, N, K], nextSeed(), device);
    const bv = Q.t.transpose(1, 2);   // [B, K, N], unit stride along K
    const bRef = gather(Q.r, [B, K, N], [N * K, 1, K]);
    expectMatmulClose(av.matmul(bv), matmulRef(aRef, [B, M, K], bRef, [B, K, N]));
    // An expanded (stride-0 batch) operand.
    const W = rnd([K, N], nextSeed(), device);
    const we = W.t.expand(B, K, N);
    expectMatmulClose(av.matmul(we), matmulRef(aRef, [B, M, K], W.r, [K, N]));
    // Stride 0 along K (a column expanded across K) and along N (a column expanded across N).
    const col = rnd([M, 1], nextSeed(), device);
    expectMatmulClose(col.t.expand(M, K).matmul(W.t), matmulRef(gather(col.r, [M, K], [1, 0]), [M, K], W.r, [K, N]));
    const kcol = rnd([K, 1], nextSeed(), device);
    expectMatmulClose(av.matmul(kcol.t.expand(K, N)), matmulRef(aRef, [B, M, K], gather(kcol.r, [K, N], [1, 0]), [K, N]));
    // A broadcast row vector expanded to a matrix (stride 0 along rows).
    const v = rnd([K], nextSeed(), device);
    const ve = v.t.expand(M, K);
    const veRef = gather(v.r, [M, K], [0, 1]);
    expectMatmulClose(ve.matmul(W.t), matmulRef(veRef, [M, K], W.r, [K, N]));
  });
});

forEachDevice('linear', (device: Dev) => {
  /** x [*, in] · Wᵀ + b in float64. */
  function linearRef(x: Float64Array, xShape: number[], w: Float64Array, outF: number, inF: number, b: Float64Array | null): Ref {
    const r = matmulRef(x, xShape, transposeRef(w, outF, inF), [inF, outF]);
    if (b) for (let i = 0; i < r.v.length; ++i) {
      r.v[i] += b[i % outF];
      r.abs[i] += Math.abs(b[i % outF]);
    }
    return r;
  }

  for (const xShape of [[4], [3, 4], [2, 3, 4], [130, 40]]) {
    for (const withBias of [true, false]) {
      test(`x [${xShape}], ${withBias ? 'with' : 'without'} bias`, () => {
        const inF = xShape[xShape.length - 1], outF = inF === 40 ? 35 : 5;
        const x = rnd(xShape, nextSeed(), device);
        const w = rnd([outF, inF], nextSeed(), device);
        const b = withBias ? rnd([outF], nextSeed(), device) : null;
        const y = tn.linear(x.t, w.t, b ? b.t : null);
        expectMatmulClose(y, linearRef(x.r, xShape, w.r, outF, inF, b ? b.r : null));
      });
    }
  }

  test('out_features = 1 and in_features = 1', () => {
    const x = rnd([6, 3], nextSeed(), device);
    const w = rnd([1, 3], nextSeed(), device);
    const b = rnd([1], nextSeed(), device);
    expectMatmulClose(tn.linear(x.t, w.t, b.t), linearRef(x.r, [6, 3], w.r, 1, 3, b.r));
    const x1 = rnd([6, 1], nextSeed(), device);
    const w1 = rnd([4, 1], nextSeed(), device);
    expectMatmulClose(tn.linear(x1.t, w1.t), linearRef(x1.r, [6, 1], w1.r, 4, 1, null));
  });

  test('non-contiguous x, weight (a transposed view) and bias (a strided view)', () => {
    const inF = 24, outF = 19, rows = 11;
    const xs = rnd([inF, rows], nextSeed(), device);
    const x = xs.t.t();  // [rows, inF], column-major
    const ws = rnd([inF, outF], nextSeed(), device);
    const w = ws.t.t();  // [outF, inF] with strides [1, outF]
    const bs = rnd([outF, 2], nextSeed(), device);
    const b = bs.t.select(1, 1);  // stride 2
    const xRef = transposeRef(xs.r, inF, rows);
    const wRef = transposeRef(ws.r, inF, outF);
    const bRef = gather(bs.r, [outF], [2], 1);
    expectMatmulClose(tn.linear(x, w, b), linearRef(xRef, [rows, inF], wRef, outF, inF, bRef));
  });

  test('fused activations equal the unfused ops (no grad) and stay correct with grad', () => {
    const x = rnd([9, 12], nextSeed(), device);
    const w = rnd([7, 12], nextSeed(), device);
    const b = rnd([7], nextSeed(), device);
    const plain = vals(tn.linear(x.t, w.t, b.t));
    const refs: Record<'relu' | 'sigmoid' | 'tanh', (v: number) => number> = {
      relu: (v) => Math.max(v, 0), sigmoid: (v) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh,
    };
    for (const act of ['relu', 'sigmoid', 'tanh'] as const) {
      const fused = tn.noGrad(() => tn.linear(x.t, w.t, b.t, act));
      const expected = mapRef(plain, refs[act]);
      const got = vals(fused);
      for (let i = 0; i < got.length; ++i) expect(Math.abs(got[i] - expected[i])).toBeLessThan(2e-6);
      const wg = w.t.detach().requiresGrad_();
      const recorded = tn.linear(x.t, wg, b.t, act);
      expect(recorded.gradFn?.name).toBe(act === 'relu' ? 'ReluBackward0' : act === 'sigmoid' ? 'SigmoidBackward0' : 'TanhBackward0');
      const got2 = vals(recorded);
      for (let i = 0; i < got2.length; ++i) expect(Math.abs(got2[i] - expected[i])).toBeLessThan(2e-6);
    }
  });

  test('shape errors name both operands the way PyTorch does', () => {
    const x = tn.zeros(2, 4, { device });
    expect(() => tn.linear(x, tn.zeros(6, 5, { device }))).toThrow('mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
    expect(() => tn.linear(tn.zeros(3, 2, 4, { device }), tn.zeros(6, 5, { device }))).toThrow('mat1 and mat2 shapes cannot be multiplied (6x4 and 5x6)');
    expect(() => tn.linear(x, tn.zeros(3, 4, { device }), tn.zeros(4, { device }))).toThrow(tn.ShapeError);
  });
});
