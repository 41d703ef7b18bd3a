// Module.forwardAsync gives exactly what forward under tn.noGrad gives; built-in stacks run off
// the JS thread as one plan, follow weight and structure changes, and custom modules run their
// own forward.
import * as tn from '../../lib/index';
import { nn } from '../../lib/index';
import { wholeRun } from '../../lib/nn/program';

class NeuralNetwork extends nn.Module {
  deep_nn = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.forward(x);
  }
}

function lecture(): NeuralNetwork {
  tn.manualSeed(42);
  return new NeuralNetwork();
}

const values = (t: tn.Tensor): number[] => Array.from(t.dataSync());

test('forwardAsync equals forward bit for bit, for 1-D, 2-D and 3-D inputs', async () => {
  const model = lecture();
  for (const shape of [[4], [1, 4], [33, 4], [2, 3, 4]]) {
    const x = tn.rand(shape);
    const want = tn.noGrad(() => model.forward(x));
    const got = await model.forwardAsync(x);
    expect(got.shape).toEqual(want.shape);
    expect(got.gradFn).toBeNull();
    expect(values(got)).toEqual(values(want));
  }
  // The lecture's Sequential is one run of plan steps: forwardAsync can take it off the thread.
  expect(wholeRun(model.deep_nn)).not.toBeNull();
  // The custom module around it is opaque: its own forward runs.
  expect(wholeRun(model)).toBeNull();
});

test('in eval mode under noGrad, forward runs the plan and equals the op-by-op forward', () => {
  const model = lecture();
  const x = tn.rand(17, 4);
  const opByOp = tn.noGrad(() => model.forward(x));  // training mode: op by op
  model.eval();
  const planned = tn.noGrad(() => model.forward(x));
  expect(values(planned)).toEqual(values(opByOp));
  // With grad on, eval mode still records the graph (no plan).
  expect(model.forward(x).gradFn).not.toBeNull();
});

test('plans read the live weights and are rebuilt when the structure changes', async () => {
  const model = lecture().eval();
  const x = tn.rand(3, 4);
  const before = await model.deep_nn.forwardAsync(x);
  // Loading copies into the same memory: the plan sees the new values.
  const sd = model.stateDict();
  const scaled = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.mul(2)]));
  model.loadStateDict(scaled);
  const after = await model.deep_nn.forwardAsync(x);
  expect(values(after)).toEqual(values(tn.noGrad(() => model.train().forward(x))));
  expect(values(after)).not.toEqual(values(before));
  // Appending a layer changes the structure: the plan is rebuilt with the softmax in it.
  model.eval();
  model.deep_nn.append(new nn.Softmax(1));
  const withSoftmax = await model.deep_nn.forwardAsync(x);
  const rows = tn.noGrad(() => model.train().forward(x));
  expect(values(withSoftmax)).toEqual(values(rows));
  for (const total of values(withSoftmax.sum(1))) expect(total).toBeCloseTo(1, 6);
});

test('forwards a plan cannot express run op by op with the same result', async () => {
  class Doubler extends nn.Module {
    fc = new nn.Linear(4, 2);
    forward(x: tn.Tensor): tn.Tensor {
      return this.fc.forward(x).mul(2);
    }
  }
  tn.manualSeed(1);
  const m = new Doubler().eval();
  const x = tn.rand(5, 4);
  expect(wholeRun(m)).toBeNull();
  expect(values(await m.forwardAsync(x))).toEqual(values(tn.noGrad(() => m.forward(x))));
});

test('forwardAsync rejects bad input with the module path in the message', async () => {
  const model = lecture();
  await expect(model.forwardAsync(tn.rand(2, 5))).rejects.toThrow('Linear (deep_nn.0): mat1 and mat2 shapes cannot be multiplied (2x5 and 4x5)');
  await expect(model.deep_nn.forwardAsync(tn.rand(2, 5))).rejects.toThrow('Linear (deep_nn.0): mat1 and mat2 shapes cannot be multiplied (2x5 and 4x5)');
  await expect(model.forwardAsync([1, 2, 3, 4] as never)).rejects.toThrow(TypeError);
});

test('forwardAsync returns what forward returns, also when that is not a Tensor', async () => {
  class Pair extends nn.Module {
    fc = new nn.Linear(4, 2);
    forward(x: tn.Tensor): { logits: tn.Tensor; n: number } {
      return { logits: this.fc.forward(x), n: x.shape[0] };
    }
  }
  tn.manualSeed(2);
  const m = new Pair();
  const x = tn.rand(3, 4);
  const got = await m.forwardAsync(x);
  expect(got.n).toBe(3);
  expect(got.logits.gradFn).toBeNull();
  expect(values(got.logits)).toEqual(values(tn.noGrad(() => m.forward(x)).logits));
});
