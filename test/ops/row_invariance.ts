/**
 * Row invariance of matmul/linear: each output row is bit for bit the same whether its input row
 * is multiplied alone, with a few others, or in a large batch — what makes a micro-batched
 * request's answer identical to its unbatched one (tn.serve.batcher, examples/serve.ts). The CPU
 * GEMM keeps one order per element on every path (native/cpu/matmul.cc). Shared by
 * row_invariance.test.ts in-process and in child processes forced to the other CPU instruction
 * sets (TENSORNODE_GEMM_ISA=avx2|generic). Not a test file itself.
 */
import * as tn from '../../lib/index';
import type { Tensor } from '../../lib/index';
import { createPlan } from '../../lib/jit/plan';

type Act = 'none' | 'sigmoid' | 'relu' | 'tanh';

export interface RowCase {
  k: number;
  n: number;
  transB: boolean;  // B stored as Bᵀ (Linear's weight) or row-major
  act: Act;
}

// K on both sides of KC = 256 and of the staging threshold (64); N on both sides of every
// tile width (1, 8, 16, 32 on the three instruction sets) and of the narrow/wide switch.
export const CASES: RowCase[] = [];
for (const [k, n] of [[4, 5], [5, 6], [6, 3], [63, 17], [64, 33], [255, 16], [257, 40], [300, 1], [600, 70], [1024, 32]])
  for (const transB of [true, false]) CASES.push({ k, n, transB, act: (['sigmoid', 'none', 'tanh', 'relu'] as Act[])[(k + n) % 4] });

/** Row counts that move a row between paths: in place (≤ MR), packed, split over threads. */
export const BATCHES = [2, 3, 5, 7, 13, 15, 29, 64, 300];

function forward(x: Tensor, w: Tensor, b: Tensor, c: RowCase): Tensor {
  let y = c.transB ? tn.nn.functional.linear(x, w, b) : x.matmul(w).add(b);
  if (c.act === 'sigmoid') y = y.sigmoid();
  else if (c.act === 'relu') y = y.relu();
  else if (c.act === 'tanh') y = y.tanh();
  return y;
}

/**
 * Failures as text (empty when every row of every batch equals its row computed alone).
 * `exact` false (CUDA: its batch-1 and GEMV-like products use a warp-per-output kernel that sums
 * K in lane-strided partial sums) accepts differences within the float32 bound for any summation
 * order, 2·K·2⁻²⁴·Σ_k|a_ik·w_jk| (the activations' slopes are at most 1).
 */
export function rowInvarianceFailures(device: 'cpu' | 'cuda', cases = CASES, batches = BATCHES, exact = true): string[] {
  const failures: string[] = [];
  tn.manualSeed(2024);
  for (const c of cases) {
    const w = (c.transB ? tn.randn(c.n, c.k) : tn.randn(c.k, c.n)).to(device);
    const b = tn.randn(c.n).to(device);
    const maxM = Math.max(...batches);
    const X = tn.randn(maxM, c.k).to(device);
    // Σ_k |a_ik·w_jk| per output, for the inexact comparison.
    const absProd = exact ? null : (c.transB ? X.abs().matmul(w.abs().t()) : X.abs().matmul(w.abs())).dataSync();
    const alone: Float32Array[] = [];
    for (let i = 0; i < maxM; ++i) alone.push(forward(X.narrow(0, i, 1).contiguous(), w, b, c).dataSync() as Float32Array);
    for (const m of batches) {
      const y = forward(X.narrow(0, 0, m).contiguous(), w, b, c).dataSync() as Float32Array;
      for (let i = 0; i < m; ++i) {
        const row = y.subarray(i * c.n, (i + 1) * c.n);
        const j = row.findIndex((v, jj) =>
          exact ? !Object.is(v, alone[i][jj]) : !(Math.abs(v - alone[i][jj]) <= 2 * c.k * 2 ** -24 * absProd![i * c.n + jj] + 1e-30));
        if (j >= 0) {
          failures.push(`K=${c.k} N=${c.n} ${c.transB ? 'Bᵀ' : 'B'} ${c.act}: row ${i} of a ${m}-row batch, column ${j}: ${row[j]} vs ${alone[i][j]} alone`);
          break;
        }
      }
    }
  }
  return failures;
}

/** Plans (weights packed once) against the op-by-op linear, bit for bit, on the CPU. */
export function planFailures(): string[] {
  const bad: string[] = [];
  tn.manualSeed(31);
  for (const [k, n] of [[4, 5], [63, 17], [257, 40], [300, 1], [600, 70]]) {
    const w = tn.randn(n, k), b = tn.randn(n);
    const plan = createPlan([{ kind: 'linear', weight: w, bias: b, activation: 'sigmoid' }], k, 'cpu');
    if (!plan) {
      bad.push(`K=${k} N=${n}: no plan`);
      continue;
    }
    for (const rows of [1, 5, 29, 64]) {
      const x = tn.randn(rows, k);
      const got = plan.run(x.dataSync() as Float32Array, rows);
      const want = tn.linear(x, w, b, 'sigmoid').dataSync();
      if (got.some((v, i) => !Object.is(v, want[i]))) bad.push(`plan K=${k} N=${n} rows=${rows}`);
    }
  }
  return bad;
}

export function main(): void {
  process.stdout.write(JSON.stringify([...rowInvarianceFailures('cpu', CASES, [2, 5, 15, 64]), ...planFailures()]));
}
