// Native forward plans: traced chains compile, give the op-by-op results, refuse what they
// cannot express, notice moved weights, and run off the JS thread.
import * as tn from '../../lib/index';
import * as planModule from '../../lib/serve/plan';
import { compilePlan } from '../../lib/serve/plan';
import { expectClose } from '../helpers/reference';

function mlp(sizes: number[]) {
  tn.manualSeed(7);
  const layers = sizes.slice(1).map((out, i) => ({ w: tn.rand(out, sizes[i]).sub(0.5), b: tn.rand(out).sub(0.5) }));
  const forward = (x: tn.Tensor): tn.Tensor => {
    let h = x;
    layers.forEach((l, i) => {
      h = tn.linear(h, l.w, l.b);
      if (i < layers.length - 1) h = h.sigmoid();
    });
    return h.softmax(1);
  };
  return { layers, forward };
}

test('a linear/sigmoid/softmax chain compiles and matches the op-by-op forward', () => {
  const { forward } = mlp([4, 5, 6, 3]);
  const plan = compilePlan(forward, 4, 'cpu');
  expect(plan).not.toBeNull();
  expect(plan!.inFeatures).toBe(4);
  expect(plan!.outFeatures).toBe(3);
  for (const rows of [1, 3, 64]) {
    const x = tn.rand(rows, 4);
    const want = tn.noGrad(() => forward(x)).dataSync();
    expectClose(plan!.run(x.dataSync() as Float32Array, rows), want, 1e-6, 1e-7);
  }
});

test('forwards with steps off the chain or unsupported ops get no plan', () => {
  const w = tn.rand(3, 4);
  expect(compilePlan((x) => tn.linear(x, w).mul(2), 4, 'cpu')).toBeNull();
  expect(compilePlan((x) => tn.linear(x, w).add(tn.linear(x, w)), 4, 'cpu')).toBeNull();
  expect(compilePlan((x) => x.sum(1), 4, 'cpu')).toBeNull();
  expect(compilePlan(() => { throw new Error('bad forward'); }, 4, 'cpu')).toBeNull();
  expect(compilePlan((x) => tn.linear(x, w).softmax(0), 4, 'cpu')).toBeNull();
});

test('a plan notices when a weight moved to other memory', () => {
  const w = tn.rand(3, 4);
  const plan = compilePlan((x) => tn.linear(x, w), 4, 'cpu')!;
  expect(plan.valid).toBe(true);
  w.dispose();
  expect(plan.valid).toBe(false);
});

test('runAsync gives the same result and keeps the event loop responsive', async () => {
  const { forward } = mlp([512, 1024, 1024, 10]);
  const plan = compilePlan(forward, 512, 'cpu')!;
  const rows = 2048;
  const x = tn.rand(rows, 512).dataSync() as Float32Array;
  const sync = plan.run(x, rows);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const t0 = Date.now();
  const asyncOut = await plan.runAsync(x, rows);
  const elapsed = Date.now() - t0;
  clearInterval(timer);
  expect(Array.from(asyncOut)).toEqual(Array.from(sync));
  // While the plan ran on the pool, the 1 ms timer kept firing (a blocked loop would give 0).
  if (elapsed >= 20) expect(ticks).toBeGreaterThan(elapsed / 10);
});

test('bad plan inputs throw instead of reading out of bounds', () => {
  const w = tn.rand(3, 4);
  const plan = compilePlan((x) => tn.linear(x, w), 4, 'cpu')!;
  expect(() => plan.run(new Float32Array(7), 2)).toThrow('runPlan: input holds fewer than rows × inFeatures values');
  const b = require('../../lib/binding').binding;
  expect(() => b.runPlan({}, new Float32Array(4), 1, new Float32Array(3))).toThrow('plan must be a handle returned by createPlan');
  expect(() => b.createPlan(new Float64Array([1, 0, 4, 3, 0, -1, 0]), [new Float32Array(11)])).toThrow('weight storage too small');
});

test('model.forward under noGrad runs a plan in training mode too; tracing draws no random numbers', () => {
  const compile = jest.spyOn(planModule, 'compilePlan');
  try {
    tn.manualSeed(3);
    const m = new tn.nn.Sequential(new tn.nn.Linear(4, 8), new tn.nn.Sigmoid(), new tn.nn.Linear(8, 2));
    expect(m.training).toBe(true);
    const x = tn.rand(5, 4);
    const opByOp = m.forward(x).dataSync();  // grad enabled: never a plan
    expect(compile).not.toHaveBeenCalled();
    const planned = tn.noGrad(() => m.forward(x)).dataSync();
    expect(compile).toHaveBeenCalledTimes(1);
    expect(compile.mock.results[0].value).not.toBeNull();
    expect(Array.from(planned)).toEqual(Array.from(opByOp));
    // A plain `training` write (no train()/eval()) still invalidates the plan traced in the other mode.
    m.training = false;
    tn.noGrad(() => m.forward(x));
    expect(compile).toHaveBeenCalledTimes(2);

    // Dropout in training mode draws a mask: not plannable, and the trace must leave the random
    // stream where it was, so the op-by-op forward draws what it would without plans.
    const d = new tn.nn.Sequential(new tn.nn.Linear(4, 8), new tn.nn.Dropout(0.5), new tn.nn.Linear(8, 2));
    tn.manualSeed(11);
    const withPlanAttempt = tn.noGrad(() => d.forward(x)).dataSync();
    expect(compile.mock.results[2].value).toBeNull();
    tn.manualSeed(11);
    const plain = d.forward(x).dataSync();
    expect(Array.from(withPlanAttempt)).toEqual(Array.from(plain));
  } finally {
    compile.mockRestore();
  }
});
