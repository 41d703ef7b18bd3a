/**
 * Sequential and ModuleList: naming, indexing, iteration, editing; the fused inference path
 * against the unfused forward; module-path shape errors; summary().
 */
import * as tn from '../../lib/index';
import * as nn from '../../lib/nn';
import { forEachDevice } from '../helpers/devices';

class NeuralNetwork extends nn.Module {
  deep_nn = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
  forward(x: tn.Tensor): tn.Tensor {
    return this.deep_nn.call(x);
  }
}

const keys = (m: nn.Module): string[] => m.namedChildren().map(([k]) => k);

describe('Sequential', () => {
  test("children are named '0', '1', …; an object or Map gives its names", () => {
    const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    expect(keys(s)).toEqual(['0', '1', '2']);
    const named = new nn.Sequential({ fc: new nn.Linear(2, 3), act: new nn.Tanh() });
    expect(keys(named)).toEqual(['fc', 'act']);
    expect(String(named)).toBe('Sequential(\n  (fc): Linear(in_features=2, out_features=3, bias=True)\n  (act): Tanh()\n)');
    const fromMap = new nn.Sequential(new Map<string, nn.Module>([['10', new nn.Identity()], ['2', new nn.Identity()]]));
    expect(keys(fromMap)).toEqual(['10', '2']);
    expect(() => new nn.Sequential(3 as unknown as nn.Module)).toThrow('3 of type number is not a Module subclass');
  });

  test('at(i) with negative indexes, [i], length, iteration', () => {
    const a = new nn.Linear(2, 3), b = new nn.ReLU(), c = new nn.Linear(3, 1);
    const s = new nn.Sequential(a, b, c);
    expect(s.length).toBe(3);
    expect(s.at(0)).toBe(a);
    expect(s.at(-1)).toBe(c);
    expect(s.at(-3)).toBe(a);
    expect(s[1]).toBe(b);
    expect([...s]).toEqual([a, b, c]);
    expect(() => s.at(3)).toThrow('index 3 is out of range');
    expect(() => s.at(-4)).toThrow(RangeError);
    expect(() => s.at(1.5)).toThrow(TypeError);
  });

  test('append, extend, insert, pop, slice', () => {
    const a = new nn.Linear(2, 2), b = new nn.ReLU(), c = new nn.Tanh(), d = new nn.Sigmoid();
    const s = new nn.Sequential(a);
    expect(s.append(b)).toBe(s);
    s.extend([c]);
    expect([...s]).toEqual([a, b, c]);
    s.insert(1, d);
    expect([...s]).toEqual([a, d, b, c]);
    expect(keys(s)).toEqual(['0', '1', '2', '3']);
    expect(s.pop(1)).toBe(d);
    expect([...s]).toEqual([a, b, c]);
    expect(keys(s)).toEqual(['0', '1', '2']);
    const tail = s.slice(1);
    expect(keys(tail)).toEqual(['1', '2']);
    expect([...tail]).toEqual([b, c]);
    expect(s.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
  });

  test('a module moved inside a Sequential keeps a correct path', () => {
    const fc = new nn.Linear(3, 3);
    const s = new nn.Sequential(new nn.Identity(), fc);
    s.insert(0, new nn.Identity());
    expect(fc.modulePath()).toBe('2');
    s.pop(0);
    expect(fc.modulePath()).toBe('1');
  });

  test('forward runs the children in order', () => {
    const s = new nn.Sequential(new nn.Flatten(), new nn.ReLU());
    expect(s.forward(tn.tensor([[[-1, 2]], [[3, -4]]], { dtype: 'float32' })).toArray()).toEqual([[0, 2], [3, 0]]);
  });
});

forEachDevice('fused Linear + activation inference path', (device) => {
  function build(): nn.Sequential {
    tn.manualSeed(1);
    return new nn.Sequential(
      new nn.Linear(16, 32, { device }), new nn.Sigmoid(),
      new nn.Linear(32, 24, { device }), new nn.ReLU(),
      new nn.Linear(24, 8, { device }), new nn.Tanh(),
      new nn.Linear(8, 3, { device }),
    );
  }
  const unfused = (s: nn.Sequential, x: tn.Tensor): tn.Tensor => {
    let h = x;
    for (const m of s) h = m.forward(h);
    return h;
  };

  test('under noGrad the fused forward equals the unfused forward exactly', () => {
    const s = build();
    const x = tn.randn(37, 16, { device });
    const fused = tn.noGrad(() => s.forward(x));
    const plain = tn.noGrad(() => unfused(s, x));
    expect(fused.gradFn).toBeNull();
    expect(Array.from(fused.dataSync())).toEqual(Array.from(plain.dataSync()));
  });

  test('with frozen parameters (no grad needed) it equals too; with grad it records the graph', () => {
    const s = build();
    const x = tn.randn(5, 16, { device });
    const withGrad = s.forward(x);
    expect(withGrad.gradFn).not.toBeNull();
    s.requiresGrad_(false);
    const frozen = s.forward(x);
    expect(frozen.gradFn).toBeNull();
    expect(Array.from(frozen.dataSync())).toEqual(Array.from(withGrad.dataSync()));
    expect(Array.from(frozen.dataSync())).toEqual(Array.from(tn.noGrad(() => unfused(s, x)).dataSync()));
  });

  test('gradients through the Sequential match the unfused forward', () => {
    const s = build();
    const x = tn.randn(4, 16, { device });
    s.forward(x).sum().backward();
    const g1 = s.parameters().map((p) => Array.from(p.grad!.dataSync()));
    s.zeroGrad();
    unfused(s, x).sum().backward();
    const g2 = s.parameters().map((p) => Array.from(p.grad!.dataSync()));
    expect(g1).toEqual(g2);
  });

  test('forward hooks on a fusable pair still run (the pair is not fused then)', () => {
    const s = build();
    const seen: string[] = [];
    s.at(1).registerForwardHook((m) => void seen.push(m.constructor.name));
    tn.noGrad(() => s.forward(tn.randn(2, 16, { device })));
    expect(seen).toEqual(['Sigmoid']);
  });
});

describe('shape errors name the module and its path', () => {
  test('Linear (deep_nn.2): mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)', () => {
    const model = new NeuralNetwork();
    model.deep_nn = new nn.Sequential(new nn.Linear(4, 4), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
    const run = (): unknown => model.forward(tn.rand(2, 4));
    expect(run).toThrow(tn.ShapeError);
    expect(run).toThrow(nn.ModuleShapeError);
    try {
      run();
    } catch (e) {
      const err = e as nn.ModuleShapeError;
      expect(err.message).toBe('Linear (deep_nn.2): mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
      expect(err.moduleName).toBe('Linear');
      expect(err.modulePath).toBe('deep_nn.2');
      expect(err.op).toBe('linear');
      expect(err.detail).toBe('mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
      expect((err.cause as Error).message).toBe('linear: mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
    }
    // The same through the fused inference path.
    expect(() => tn.noGrad(run)).toThrow('Linear (deep_nn.2): mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
  });

  test('the first layer, called via the model, via the Sequential, and alone', () => {
    const model = new NeuralNetwork();
    const bad = tn.rand(2, 5);
    const msg = 'Linear (deep_nn.0): mat1 and mat2 shapes cannot be multiplied (2x5 and 4x5)';
    expect(() => model.forward(bad)).toThrow(msg);
    expect(() => model.deep_nn.forward(bad)).toThrow(msg);
    expect(() => model.deep_nn.at(0).forward(bad)).toThrow(msg);
    expect(() => new nn.Linear(4, 5).forward(bad)).toThrow(/^Linear: mat1 and mat2 shapes cannot be multiplied \(2x5 and 4x5\)$/);
  });

  test('an op in a custom forward is labelled with that module; other errors pass unchanged', () => {
    class Head extends nn.Module {
      forward(x: tn.Tensor): tn.Tensor {
        return x.matmul(tn.ones(7, 2));
      }
    }
    class Net extends nn.Module {
      body = new nn.Sequential(new nn.Linear(3, 3), new Head());
      forward(x: tn.Tensor): tn.Tensor {
        return this.body.forward(x);
      }
    }
    expect(() => new Net().forward(tn.rand(2, 3))).toThrow('Head (body.1): mat1 and mat2 shapes cannot be multiplied (2x3 and 7x2)');
    expect(() => new Net().forward('x' as unknown as tn.Tensor)).toThrow(TypeError);
  });
});

describe('summary', () => {
  test('the lecture model: output shapes, parameter counts, total 82', () => {
    tn.manualSeed(0);
    const model = new NeuralNetwork();
    const table = nn.summaryTable(model, [2, 4]);
    expect(table.totalParams).toBe(82);
    expect(table.trainableParams).toBe(82);
    expect(table.rows.map((r) => [r.name, r.type, r.outputShape, r.params])).toEqual([
      ['', 'NeuralNetwork', [2, 3], 0],
      ['deep_nn', 'Sequential', [2, 3], 0],
      ['deep_nn.0', 'Linear', [2, 5], 25],
      ['deep_nn.1', 'Sigmoid', [2, 5], 0],
      ['deep_nn.2', 'Linear', [2, 6], 36],
      ['deep_nn.3', 'Sigmoid', [2, 6], 0],
      ['deep_nn.4', 'Linear', [2, 3], 21],
    ]);
    expect(model.summary([2, 4])).toBe(
      [
        '===============================================',
        'Layer (type)            Output Shape    Param #',
        '===============================================',
        'NeuralNetwork           [2, 3]               --',
        'deep_nn (Sequential)    [2, 3]               --',
        'deep_nn.0 (Linear)      [2, 5]               25',
        'deep_nn.1 (Sigmoid)     [2, 5]                0',
        'deep_nn.2 (Linear)      [2, 6]               36',
        'deep_nn.3 (Sigmoid)     [2, 6]                0',
        'deep_nn.4 (Linear)      [2, 3]               21',
        '===============================================',
        'Total params: 82',
        'Trainable params: 82',
        'Non-trainable params: 0',
        '===============================================',
      ].join('\n'),
    );
  });

  test('summary leaves training flags and the generator alone; frozen params are non-trainable', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Dropout(0.5), new nn.Linear(4, 2));
    (model.at(2) as nn.Linear).requiresGrad_(false);
    tn.manualSeed(3);
    const text = model.summary([1, 3]);
    expect(tn.rand(1).item()).toBe((tn.manualSeed(3), tn.rand(1).item()));
    expect(model.modules().every((m) => m.training)).toBe(true);
    expect(text).toContain('Total params: 26\nTrainable params: 16\nNon-trainable params: 10');
  });
});
