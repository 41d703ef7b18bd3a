/**
 * A row's matmul/linear result does not depend on the other rows in the call (see
 * row_invariance.ts): on the CPU's own instruction set, on the other two in child processes, and
 * through a whole model's forward (plan and op by op).
 */
import * as tn from '../../lib/index';
import { runWithIsa } from '../helpers/isa';
import { forEachDevice } from '../helpers/devices';
import { rowInvarianceFailures } from './row_invariance';

// Bit for bit on the CPU. On CUDA only to float32 rounding: products with at most 4096 outputs,
// or x·Wᵀ with at most 4 rows, take a warp-per-output kernel with a different summation order.
forEachDevice('row invariance', (device) => {
  test(`matmul and linear, every path: each row equals the row computed alone${device === 'cuda' ? ' (to float32 rounding)' : ''}`, () => {
    expect(rowInvarianceFailures(device, undefined, undefined, device === 'cpu')).toEqual([]);
  }, 120000);

  test('a model forward: batch rows equal single-row forwards (eval and training mode)', () => {
    tn.manualSeed(7);
    const model = new tn.nn.Sequential(new tn.nn.Linear(20, 64), new tn.nn.Tanh(), new tn.nn.Linear(64, 300), new tn.nn.Sigmoid(), new tn.nn.Linear(300, 3), new tn.nn.Softmax(1)).to(device);
    const X = tn.randn(37, 20).to(device);
    for (const mode of ['eval', 'train'] as const) {
      if (mode === 'eval') model.eval(); else model.train();
      tn.noGrad(() => {
        const all = model.forward(X).dataSync();
        for (let i = 0; i < 37; ++i) {
          const one = Array.from(model.forward(X.narrow(0, i, 1)).dataSync());
          const batched = Array.from(all.subarray(i * 3, i * 3 + 3));
          if (device === 'cpu') expect(one).toEqual(batched);
          else one.forEach((v, j) => expect(Math.abs(v - batched[j])).toBeLessThan(1e-5));  // softmax outputs in [0, 1]
        }
      });
    }
  });
});

describe.each(['avx2', 'generic'])('row invariance with TENSORNODE_GEMM_ISA=%s', (isa) => {
  test('matmul and linear, and plans with packed weights (quick subset, child process)', () => {
    const r = runWithIsa('./test/ops/row_invariance', isa);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  }, 150000);
});
