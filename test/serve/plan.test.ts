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
  expect(() => b.createPlan(new Float64Array([1, 0, 4, 3, 0, -1, 0]), [new Float32Array(11)], false)).toThrow('weight storage too small');
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

test('plans keep packed weights only while they are unchanged: in-place writes, optimizer steps, loading, init', () => {
  tn.manualSeed(5);
  const m = new tn.nn.Sequential(new tn.nn.Linear(40, 300), new tn.nn.Tanh(), new tn.nn.Linear(300, 7)).eval();
  const x = tn.randn(3, 40);
  const planned = (): number[] => Array.from(tn.noGrad(() => m.forward(x)).dataSync());
  const opByOp = (): number[] => Array.from(m.forward(x).dataSync());  // grad enabled: never a plan
  expect(planned()).toEqual(opByOp());
  const first = m.at(0) as tn.nn.Linear, last = m.at(2) as tn.nn.Linear;
  tn.noGrad(() => first.weight.mul_(1.5));
  expect(planned()).toEqual(opByOp());
  const opt = new tn.optim.SGD(m.parameters(), { lr: 0.5 });
  m.forward(x).sum().backward();
  opt.step();
  expect(planned()).toEqual(opByOp());
  m.loadStateDict({ ...m.stateDict(), '2.weight': tn.randn(7, 300) });
  expect(planned()).toEqual(opByOp());
  tn.nn.init.uniform_(last.weight, -2, 2);
  expect(planned()).toEqual(opByOp());
});

test('weights in a caller\'s own array (tn.fromArray) are read live, never packed', () => {
  tn.manualSeed(6);
  const lin = new tn.nn.Linear(30, 20);
  const values = Float32Array.from(lin.weight.dataSync());
  lin.weight = new tn.nn.Parameter(tn.fromArray(values, [20, 30]));
  lin.eval();
  const x = tn.randn(2, 30);
  const before = Array.from(tn.noGrad(() => lin.forward(x)).dataSync());
  for (let i = 0; i < values.length; ++i) values[i] *= -1;  // behind tensornode's back
  const after = Array.from(tn.noGrad(() => lin.forward(x)).dataSync());
  expect(after).toEqual(Array.from(lin.forward(x).dataSync()));
  expect(after).not.toEqual(before);
});

test('packed-weight plans equal the op-by-op linear bit for bit around every block edge', () => {
  tn.manualSeed(8);
  const bad: string[] = [];
  for (const k of [1, 17, 255, 256, 257, 600])
    for (const n of [1, 15, 16, 17, 33, 100]) {
      const w = tn.randn(n, k), b = tn.randn(n);
      const plan = compilePlan((x) => tn.linear(x, w, b, 'tanh'), k, 'cpu');
      if (!plan) {
        bad.push(`K=${k} N=${n}: no plan`);
        continue;
      }
      for (const rows of [1, 3, 14, 15, 29, 300]) {
        const x = tn.randn(rows, k);
        const got = Array.from(plan.run(x.dataSync() as Float32Array, rows));
        const want = Array.from(tn.linear(x, w, b, 'tanh').dataSync());
        if (got.some((v, i) => !Object.is(v, want[i]))) bad.push(`K=${k} N=${n} rows=${rows}`);
      }
    }
  expect(bad).toEqual([]);
}, 60000);
