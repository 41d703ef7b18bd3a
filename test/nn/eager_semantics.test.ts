// A module call always runs the module's own forward — every branch, side effect and plain
// attribute read — under tn.noGrad, in forwardAsync and through the batcher, exactly as with grad
// on. Plans are used only for built-in stacks, where the answer is the same bits (issue "Trust" 1).
import * as tn from '../../lib/index';
import { nn } from '../../lib/index';
import * as planModule from '../../lib/jit/plan';

const values = (t: tn.Tensor): number[] => Array.from(t.dataSync());

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

class Counter extends nn.Module {
  fc = new nn.Linear(4, 2);
  constructor() {
    super();
    this.registerBuffer('calls', tn.zeros(1));
  }
  forward(x: tn.Tensor): tn.Tensor {
    (this as unknown as { calls: tn.Tensor }).calls.add_(1);
    return this.fc.forward(x);
  }
}

class Normalise extends nn.Module {
  fc = new nn.Linear(4, 2);
  forward(x: tn.Tensor): tn.Tensor {
    return this.fc.forward(x.sub_(5).div_(2));
  }
}

/** The four ways of calling a module that must agree. */
async function allWays(m: nn.Module, x: () => tn.Tensor): Promise<number[][]> {
  const withGrad = values((m.forward(x()) as tn.Tensor).detach());
  const noGrad = values(tn.noGrad(() => m.forward(x())) as tn.Tensor);
  const asyncOut = values((await m.forwardAsync(x())) as tn.Tensor);
  const compiledEager = values(m.call(x()) as tn.Tensor);
  return [withGrad, noGrad, asyncOut, compiledEager];
}

test('control flow on the batch size: every way of calling takes the branch the input selects', async () => {
  tn.manualSeed(1);
  const m = new ShapeBranch();
  for (const rows of [1, 3, 1]) {
    const x = tn.rand(rows, 4);
    const [a, ...rest] = await allWays(m, () => x);
    for (const r of rest) expect(r).toEqual(a);
    const chosen = rows === 1 ? m.single : m.batch;
    expect(a).toEqual(values(tn.noGrad(() => chosen.forward(x))));
  }
});

test('a plain attribute switch is read on every call', async () => {
  tn.manualSeed(2);
  const m = new Head();
  const x = tn.rand(2, 4);
  const logits = values(tn.noGrad(() => m.forward(x)));
  await m.forwardAsync(x);
  m.applySoftmax = true;
  const probs = await allWays(m, () => x);
  for (const r of probs) {
    expect(r).not.toEqual(logits);
    expect(r[0] + r[1] + r[2]).toBeCloseTo(1, 5);
  }
  const infer = tn.serve.batcher(m, { maxBatchSize: 4, maxDelayMs: 1 });
  const viaBatcher = await infer(x);
  expect(values(viaBatcher)).toEqual(probs[1]);
});

test('side effects in forward happen on every call', async () => {
  const m = new Counter();
  const x = tn.rand(2, 4);
  for (let i = 0; i < 3; ++i) m.forward(x);
  for (let i = 0; i < 3; ++i) tn.noGrad(() => m.forward(x));
  for (let i = 0; i < 2; ++i) await m.forwardAsync(x);
  expect((m as unknown as { calls: tn.Tensor }).calls.item()).toBe(8);
});

test('an in-place change of the input happens under noGrad too', async () => {
  const m = new Normalise();
  const x = tn.ones(2, 4).mul(9);
  tn.noGrad(() => m.forward(x));
  expect(values(x)).toEqual(new Array(8).fill(2));
  await m.forwardAsync(x);
  expect(values(x)).toEqual(new Array(8).fill(-1.5));
});

describe('assigning or wrapping forward works as in Python', () => {
  test('a wrapper around the saved forward runs once, and the original once', () => {
    tn.manualSeed(3);
    const m = new nn.Sequential(new nn.Linear(4, 3));
    const orig = m.forward;
    let calls = 0;
    m.forward = function (this: unknown, x: tn.Tensor) {
      calls++;
      return orig.call(this, x);
    };
    const x = tn.rand(2, 4);
    const y = tn.noGrad(() => m.forward(x));
    expect(calls).toBe(1);
    expect(values(y)).toEqual(values(tn.noGrad(() => orig(x))));
    m.forward(x);
    expect(calls).toBe(2);
    // Restoring the saved function restores the class's forward; so does delete.
    m.forward = orig;
    m.forward(x);
    expect(calls).toBe(2);
    m.forward = (z: tn.Tensor) => (calls++, orig(z));
    m.forward(x);
    expect(calls).toBe(3);
    delete (m as { forward?: unknown }).forward;
    m.forward(x);
    expect(calls).toBe(3);
  });

  test('hooks run once per call even when a wrapper calls the original', () => {
    const m = new nn.Linear(4, 2);
    let hooked = 0;
    m.registerForwardHook(() => void hooked++);
    const orig = m.forward;
    m.forward = (x: tn.Tensor) => orig(x);
    m.forward(tn.rand(1, 4));
    expect(hooked).toBe(1);
  });

  test('a class-field forward and a forward assigned on a Sequential child both run', () => {
    class Arrow extends nn.Module {
      fc = new nn.Linear(4, 2);
      forward = (x: tn.Tensor): tn.Tensor => this.fc.forward(x).mul(3);
    }
    tn.manualSeed(4);
    const a = new Arrow();
    const x = tn.rand(2, 4);
    expect(values(tn.noGrad(() => a.forward(x)))).toEqual(values(tn.noGrad(() => a.fc.forward(x).mul(3))));
    const seq = new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const before = values(tn.noGrad(() => seq.forward(x)));
    let seen = 0;
    const relu = seq.at(1);
    relu.forward = (z: tn.Tensor) => (seen++, z.relu().mul(2));
    const after = values(tn.noGrad(() => seq.forward(x)));
    expect(seen).toBe(1);
    expect(after).not.toEqual(before);
  });
});

describe('built-in stacks: plans only where the answer is the same', () => {
  const lecture = (): nn.Sequential => {
    tn.manualSeed(42);
    return new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  };

  test('a Sequential of built-ins runs one plan under noGrad, inside a custom module too, bit for bit', async () => {
    const spy = jest.spyOn(planModule, 'createPlan');
    try {
      class Wrapper extends nn.Module {
        deep_nn = lecture();
        forward(x: tn.Tensor): tn.Tensor {
          return this.deep_nn.forward(x);
        }
      }
      const m = new Wrapper();
      for (const shape of [[4], [1, 4], [7, 4], [2, 3, 4]]) {
        const x = tn.rand(shape);
        const ops = values(m.forward(x).detach());  // grad on: op by op, recorded
        expect(values(tn.noGrad(() => m.forward(x)))).toEqual(ops);
        expect(values(await m.deep_nn.forwardAsync(x))).toEqual(ops);
      }
      expect(spy).toHaveBeenCalled();
      expect(spy.mock.results.every((r) => r.value !== null)).toBe(true);
      // With grad on, the result records the graph, as without plans.
      expect(m.forward(tn.rand(2, 4)).gradFn?.name).toBe('AddmmBackward0');
    } finally {
      spy.mockRestore();
    }
  });

  test('hooks, instance forwards and patched prototypes take effect at once', () => {
    const seq = lecture();
    const x = tn.rand(3, 4);
    const plain = values(tn.noGrad(() => seq.forward(x)));
    // A hook added after plans were made runs (and may replace the output).
    const h = seq.at(1).registerForwardHook((_m, _in, out) => (out as tn.Tensor).mul(0));
    const hooked = values(tn.noGrad(() => seq.forward(x)));
    expect(hooked).not.toEqual(plain);
    expect(hooked).toEqual(values(tn.noGrad(() => seq.at(4).forward(seq.at(3).forward(seq.at(2).forward(tn.zeros(3, 5)))))));
    h.remove();
    expect(values(tn.noGrad(() => seq.forward(x)))).toEqual(plain);
    // Patching a built-in class's forward is seen on the next call.
    const original = nn.Sigmoid.prototype.forward;
    let patched = 0;
    nn.Sigmoid.prototype.forward = function (this: nn.Sigmoid, z: tn.Tensor) {
      patched++;
      return original.call(this, z);
    };
    try {
      expect(values(tn.noGrad(() => seq.forward(x)))).toEqual(plain);
      expect(patched).toBe(2);
    } finally {
      nn.Sigmoid.prototype.forward = original;
    }
  });

  test('plain attributes of built-ins (Softmax.dim, Dropout.p) are read on every call', () => {
    tn.manualSeed(5);
    const sm = new nn.Softmax(-1);
    const seq = new nn.Sequential(new nn.Linear(4, 3), sm).eval();
    const x = tn.rand(2, 4);
    const lastDim = values(tn.noGrad(() => seq.forward(x)));
    (sm as unknown as { dim: number }).dim = 0;
    const firstDim = values(tn.noGrad(() => seq.forward(x)));
    expect(firstDim).not.toEqual(lastDim);
    expect(firstDim).toEqual(values(tn.noGrad(() => seq.at(0).forward(x)).softmax(0)));

    const drop = new nn.Dropout(0);
    const d = new nn.Sequential(new nn.Linear(4, 4), drop);
    const kept = values(tn.noGrad(() => d.forward(x)));
    (drop as unknown as { p: number }).p = 0.5;
    tn.manualSeed(9);
    const dropped = values(tn.noGrad(() => d.forward(x)));
    tn.manualSeed(9);
    expect(dropped).toEqual(values(d.forward(x).detach()));
    expect(dropped).not.toEqual(kept);
  });

  test('a custom module between built-ins runs its own forward; the built-ins around it still agree', async () => {
    class Twice extends nn.Module {
      calls = 0;
      forward(x: tn.Tensor): tn.Tensor {
        this.calls++;
        return x.mul(2);
      }
    }
    tn.manualSeed(6);
    const t = new Twice();
    const seq = new nn.Sequential(new nn.Linear(4, 6), new nn.Tanh(), t, new nn.Linear(6, 2), new nn.Softmax(1));
    const x = tn.rand(5, 4);
    const ops = values(seq.forward(x).detach());
    expect(values(tn.noGrad(() => seq.forward(x)))).toEqual(ops);
    expect(values(await seq.forwardAsync(x))).toEqual(ops);
    expect(t.calls).toBe(3);
  });

  test('shape errors name the layer whichever path runs', async () => {
    const seq = lecture();
    const msg = 'Linear (0): mat1 and mat2 shapes cannot be multiplied (2x5 and 4x5)';
    expect(() => seq.forward(tn.rand(2, 5))).toThrow(msg);
    expect(() => tn.noGrad(() => seq.forward(tn.rand(2, 5)))).toThrow(msg);
    await expect(seq.forwardAsync(tn.rand(2, 5))).rejects.toThrow(msg);
  });
});
