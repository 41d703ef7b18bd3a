// Native forward plans: step chains compile, give the op-by-op results bit for bit, refuse what
// does not chain, notice moved weights, and run off the JS thread.
import * as tn from '../../lib/index';
import { type PlanStep, createPlan, fuseSteps } from '../../lib/jit/plan';

const lin = (weight: tn.Tensor, bias: tn.Tensor | null = null, activation: 'none' | 'sigmoid' | 'relu' | 'tanh' = 'none'): PlanStep => ({ kind: 'linear', weight, bias, activation });

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
  const steps: PlanStep[] = [];
  layers.forEach((l, i) => {
    steps.push(lin(l.w, l.b));
    if (i < layers.length - 1) steps.push({ kind: 'activation', activation: 'sigmoid' });
  });
  steps.push({ kind: 'softmax' });
  return { layers, forward, steps: fuseSteps(steps) };
}

test('fuseSteps folds each activation into the linear before it, once', () => {
  const w = tn.rand(3, 4);
  const fused = fuseSteps([lin(w), { kind: 'activation', activation: 'relu' }, { kind: 'activation', activation: 'tanh' }, lin(w, null, 'sigmoid'), { kind: 'activation', activation: 'relu' }, { kind: 'softmax' }]);
  expect(fused.map((s) => (s.kind === 'linear' ? `linear+${s.activation}` : s.kind === 'activation' ? s.activation : s.kind))).toEqual(['linear+relu', 'tanh', 'linear+sigmoid', 'relu', 'softmax']);
});

test('a linear/sigmoid/softmax chain gives the op-by-op forward bit for bit', () => {
  const { forward, steps } = mlp([4, 5, 6, 3]);
  const plan = createPlan(steps, 4, 'cpu');
  expect(plan).not.toBeNull();
  expect(plan!.inFeatures).toBe(4);
  expect(plan!.outFeatures).toBe(3);
  for (const rows of [1, 3, 64]) {
    const x = tn.rand(rows, 4);
    const want = tn.noGrad(() => forward(x)).dataSync();
    expect(Array.from(plan!.run(x.dataSync() as Float32Array, rows))).toEqual(Array.from(want));
  }
});

test('steps that do not chain, or weights that are not plain float32 matrices, get no plan', () => {
  const w = tn.rand(3, 4);
  expect(createPlan([], 4, 'cpu')).toBeNull();
  expect(createPlan([lin(w), lin(w)], 4, 'cpu')).toBeNull();  // 3 features into a 4-wide weight
  expect(createPlan([lin(w)], 5, 'cpu')).toBeNull();
  expect(createPlan([lin(w.t().t().transpose(0, 1))], 3, 'cpu')).toBeNull();  // not contiguous
  expect(createPlan([lin(w, tn.rand(4))], 4, 'cpu')).toBeNull();  // bias of the wrong width
  expect(createPlan([lin(tn.rand(2, 3, 4))], 4, 'cpu')).toBeNull();
});

test('a plan notices when a weight moved to other memory', () => {
  const w = tn.rand(3, 4);
  const plan = createPlan([lin(w)], 4, 'cpu')!;
  expect(plan.valid).toBe(true);
  w.dispose();
  expect(plan.valid).toBe(false);
});

test('runAsync gives the same result and keeps the event loop responsive', async () => {
  const { steps } = mlp([512, 1024, 1024, 10]);
  const plan = createPlan(steps, 512, 'cpu')!;
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
  const plan = createPlan([lin(w)], 4, 'cpu')!;
  expect(() => plan.run(new Float32Array(7), 2)).toThrow('runPlan: input holds fewer than rows × inFeatures values');
  const b = require('../../lib/binding').binding;
  expect(() => b.runPlan({}, new Float32Array(4), 1, new Float32Array(3))).toThrow('plan must be a handle returned by createPlan');
  expect(() => b.createPlan(new Float64Array([1, 0, 4, 3, 0, -1, 0]), [new Float32Array(11)], false)).toThrow('weight storage too small');
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
      const plan = createPlan([lin(w, b, 'tanh')], k, 'cpu');
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
