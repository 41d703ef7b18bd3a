// tn.compile: explicit, guarded traces. Compiled calls give the module's own answers bit for bit;
// guards re-trace when the tree, a plain attribute, a weight or the input shape changes; forwards
// a plan cannot replay faithfully throw a CompileError that says why.
import * as tn from '../../lib/index';
import { nn } from '../../lib/index';
import * as planModule from '../../lib/jit/plan';

const values = (t: tn.Tensor): number[] => Array.from(t.dataSync());

class NeuralNetwork extends nn.Module {
  deep_nn = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.forward(x);
  }
}

class ShapeBranch extends nn.Module {
  single = new nn.Linear(4, 2);
  batch = new nn.Linear(4, 2);
  forward(x: tn.Tensor): tn.Tensor {
    return x.shape[0] === 1 ? this.single.forward(x) : this.batch.forward(x);
  }
}

class Head extends nn.Module {
  body = new nn.Linear(4, 8);
  logits = new nn.Linear(8, 3);
  applySoftmax = false;
  forward(x: tn.Tensor): tn.Tensor {
    const z = this.logits.forward(this.body.forward(x).relu());
    return this.applySoftmax ? z.softmax(-1) : z;
  }
}

test('a compiled custom module answers as its forward does, synchronously and off the thread', async () => {
  tn.manualSeed(42);
  const m = new NeuralNetwork();
  const fast = tn.compile(m);
  for (const shape of [[1, 4], [9, 4], [2, 3, 4], [1, 4]]) {
    const x = tn.rand(shape);
    const want = values(tn.noGrad(() => m.forward(x)));
    expect(values(tn.noGrad(() => fast.forward(x)))).toEqual(want);
    expect(values(tn.noGrad(() => fast.forward(x)))).toEqual(want);  // second call: the plan
    expect(values(await fast.forwardAsync(x))).toEqual(want);
  }
  expect(fast.module).toBe(m);
});

test('one native plan serves every batch size whose trace is the same', () => {
  const spy = jest.spyOn(planModule, 'createPlan');
  try {
    tn.manualSeed(1);
    const fast = tn.compile(new NeuralNetwork());
    for (const rows of [1, 2, 3, 5, 8, 13]) tn.noGrad(() => fast.forward(tn.rand(rows, 4)));
    expect(spy).toHaveBeenCalledTimes(1);
  } finally {
    spy.mockRestore();
  }
});

test('control flow on the batch size: each shape is traced on its own', async () => {
  tn.manualSeed(2);
  const m = new ShapeBranch();
  const fast = tn.compile(m);
  for (const rows of [3, 1, 3, 1]) {
    const x = tn.rand(rows, 4);
    const chosen = rows === 1 ? m.single : m.batch;
    const want = values(tn.noGrad(() => chosen.forward(x)));
    expect(values(tn.noGrad(() => fast.forward(x)))).toEqual(want);
    expect(values(await fast.forwardAsync(x))).toEqual(want);
  }
});

test('guards: a plain attribute, a weight update or a new layer re-traces', async () => {
  tn.manualSeed(3);
  const m = new Head();
  const fast = tn.compile(m);
  const x = tn.rand(4, 4);
  const check = async (): Promise<void> => {
    const want = values(tn.noGrad(() => m.forward(x)));
    expect(values(tn.noGrad(() => fast.forward(x)))).toEqual(want);
    expect(values(await fast.forwardAsync(x))).toEqual(want);
  };
  await check();
  m.applySoftmax = true;
  await check();
  const opt = new tn.optim.SGD(m.parameters(), { lr: 0.1 });
  m.forward(x).sum().backward();
  opt.step();
  await check();
  m.body = new nn.Linear(4, 8);
  await check();
  m.eval();
  await check();
});

test('forwards a plan cannot replay throw a CompileError that says why', () => {
  const x = tn.rand(2, 4);
  class Counter extends nn.Module {
    fc = new nn.Linear(4, 2);
    constructor() {
      super();
      this.registerBuffer('calls', tn.zeros(1));
    }
    forward(z: tn.Tensor): tn.Tensor {
      (this as unknown as { calls: tn.Tensor }).calls.add_(1);
      return this.fc.forward(z);
    }
  }
  class Reads extends nn.Module {
    fc = new nn.Linear(4, 2);
    forward(z: tn.Tensor): tn.Tensor {
      return z.sum().item() > 0 ? this.fc.forward(z) : this.fc.forward(z).neg();
    }
  }
  class Doubles extends nn.Module {
    fc = new nn.Linear(4, 2);
    forward(z: tn.Tensor): tn.Tensor {
      return this.fc.forward(z).mul(2);
    }
  }
  const cases: [nn.Module, RegExp][] = [
    [new Counter(), /writes into existing memory \(add_\)/],
    [new Reads(), /reads tensor values into JS \(item\)/],
    [new Doubles(), /is not the end of one chain/],
    [new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5)), /draws random numbers/],
  ];
  for (const [m, why] of cases) {
    const fast = tn.compile(m);
    expect(() => tn.noGrad(() => fast.forward(x))).toThrow(tn.CompileError);
    expect(() => tn.noGrad(() => fast.forward(x))).toThrow(why);
  }
  // Dropout in eval mode draws nothing: that compiles.
  const d = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5)).eval();
  expect(values(tn.noGrad(() => tn.compile(d).forward(x)))).toEqual(values(tn.noGrad(() => d.forward(x))));
  // Hooks run on every call: refused, with the module's path.
  const h = new NeuralNetwork();
  h.deep_nn.at(2).registerForwardHook(() => undefined);
  expect(() => tn.noGrad(() => tn.compile(h).forward(x))).toThrow(/Linear \(deep_nn\.2\) has forward hooks/);
});

test('calls that record gradients, and inputs a plan cannot take, run the module itself', () => {
  tn.manualSeed(4);
  const m = new NeuralNetwork();
  const fast = tn.compile(m);
  const y = fast.forward(tn.rand(2, 4));  // grad on, parameters require grad
  expect(y.gradFn).not.toBeNull();
  const t = tn.rand(4, 2).t();  // not contiguous
  expect(values(tn.noGrad(() => fast.forward(t)))).toEqual(values(tn.noGrad(() => m.forward(t))));
  expect(() => tn.compile({} as never)).toThrow(TypeError);
});
