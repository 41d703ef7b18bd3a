/**
 * Layers: Linear's PyTorch init after manualSeed (pinned values and the full seed-42 lecture
 * printout), Linear's forward and gradients against float64 references, activations, Flatten,
 * Dropout, Identity, nn.functional and nn.init.
 */
import * as tn from '../../lib/index';
import * as nn from '../../lib/nn';
import { expectClose, randomTensor } from '../helpers/reference';

const F = nn.functional;
const p4 = (t: tn.Tensor): string[] => Array.from(t.dataSync(), (v) => v.toFixed(4));

describe('Linear init = PyTorch reset_parameters on the default generator', () => {
  test('seed 0: Linear(2, 1) weight [[-0.0053, 0.3793]], bias [-0.5820]', () => {
    tn.manualSeed(0);
    const fc = new nn.Linear(2, 1);
    expect(fc.weight.shape).toEqual([1, 2]);
    expect(p4(fc.weight)).toEqual(['-0.0053', '0.3793']);
    expect(p4(fc.bias!)).toEqual(['-0.5820']);
    // Full precision, from an independent MT19937 + float32 uniform derivation (fused rounding).
    expect(Array.from(fc.weight.dataSync())).toEqual([-0.005293981172144413, 0.37932288646698]);
    expect(Array.from(fc.bias!.dataSync())).toEqual([-0.5819807648658752]);
  });

  test('seed 42: Linear(4, 5) first rows [0.3823, 0.4150, -0.1171, 0.4593], [-0.1096, 0.1009, -0.2434, 0.2936]', () => {
    tn.manualSeed(42);
    const fc = new nn.Linear(4, 5);
    expect(p4(fc.weight.slice(0, 2))).toEqual(['0.3823', '0.4150', '-0.1171', '0.4593', '-0.1096', '0.1009', '-0.2434', '0.2936']);
    // Bound ±0.5 is a power of two, so fused and unfused rounding agree: bit-exact for any build.
    expect(Array.from(fc.weight.dataSync())).toEqual([
      0.3822692632675171, 0.4150039553642273, -0.11713624000549316, 0.45930564403533936, -0.10955178737640381,
      0.10089534521102905, -0.24342751502990723, 0.2936413288116455, 0.4407714605331421, -0.3668140769004822,
      0.43459808826446533, 0.09357964992523193, 0.3694044351577759, 0.06771528720855713, 0.24109405279159546,
      -0.07059550285339355, 0.38544291257858276, 0.07390445470809937, -0.23341995477676392, 0.1274491548538208,
    ]);
    expect(Array.from(fc.bias!.dataSync())).toEqual([
      -0.23036831617355347, -0.05863642692565918, -0.20307916402816772, 0.33168548345565796, -0.3946850895881653,
    ]);
  });

  test('seed 42: the lecture model, print(name, param) for all six parameters (exact text)', () => {
    tn.manualSeed(42);
    const model = new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
    const text = model.namedParameters().map(([name, p]) => `${name} ${p}`).join('\n');
    expect(text).toBe(
      '0.weight Parameter containing:\n' +
        'tensor([[ 0.3823,  0.4150, -0.1171,  0.4593],\n' +
        '        [-0.1096,  0.1009, -0.2434,  0.2936],\n' +
        '        [ 0.4408, -0.3668,  0.4346,  0.0936],\n' +
        '        [ 0.3694,  0.0677,  0.2411, -0.0706],\n' +
        '        [ 0.3854,  0.0739, -0.2334,  0.1274]], requires_grad=True)\n' +
        '0.bias Parameter containing:\n' +
        'tensor([-0.2304, -0.0586, -0.2031,  0.3317, -0.3947], requires_grad=True)\n' +
        '2.weight Parameter containing:\n' +
        'tensor([[-0.2062, -0.1263, -0.2689,  0.0422, -0.4417],\n' +
        '        [ 0.4039, -0.3799,  0.3453,  0.0744, -0.1452],\n' +
        '        [ 0.2764,  0.0697,  0.3613,  0.0489, -0.1410],\n' +
        '        [ 0.1202, -0.1213,  0.1882,  0.3993,  0.2585],\n' +
        '        [-0.1955,  0.2582,  0.0800,  0.2271, -0.2726],\n' +
        '        [-0.4427, -0.1728, -0.3430,  0.3670,  0.1288]], requires_grad=True)\n' +
        '2.bias Parameter containing:\n' +
        'tensor([ 0.1852,  0.1414, -0.0078,  0.3500, -0.3178,  0.0282],\n' +
        '       requires_grad=True)\n' +
        '4.weight Parameter containing:\n' +
        'tensor([[-0.2786,  0.1259, -0.1406,  0.1251, -0.0851,  0.3386],\n' +
        '        [-0.2420, -0.2435, -0.2435,  0.3672,  0.1360,  0.3928],\n' +
        '        [-0.3369, -0.4049, -0.3194, -0.2746,  0.1654,  0.1462]],\n' +
        '       requires_grad=True)\n' +
        '4.bias Parameter containing:\n' +
        'tensor([ 0.3392, -0.2108, -0.2783], requires_grad=True)',
    );
  });

  test('weight is drawn before bias, layers in construction order (82 draws for the lecture model)', () => {
    tn.manualSeed(42);
    new nn.Sequential(new nn.Linear(4, 5), new nn.Sigmoid(), new nn.Linear(5, 6), new nn.Sigmoid(), new nn.Linear(6, 3));
    const after = tn.rand(1).item();
    tn.manualSeed(42);
    tn.rand(82);
    expect(tn.rand(1).item()).toBe(after);
  });

  test('bounds are ±1/√in (weights and biases stay inside)', () => {
    tn.manualSeed(7);
    const fc = new nn.Linear(6, 40);
    const bound = 1 / Math.sqrt(6);
    for (const v of [...fc.weight.dataSync(), ...fc.bias!.dataSync()]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
  });

  test('resetParameters draws again; bias: false registers bias as null', () => {
    const fc = new nn.Linear(3, 2, { bias: false });
    expect(fc.bias).toBeNull();
    expect(fc.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(String(fc)).toBe('Linear(in_features=3, out_features=2, bias=False)');
    const before = Array.from(fc.weight.dataSync());
    fc.resetParameters();
    expect(Array.from(fc.weight.dataSync())).not.toEqual(before);
  });

  test('argument validation', () => {
    expect(() => new nn.Linear(2.5, 1)).toThrow(TypeError);
    expect(() => new nn.Linear(2, -1)).toThrow(RangeError);
    expect(() => new nn.Linear(2, 1, { bias: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => new nn.Linear(2, 1, { device: 'tpu' as tn.Device })).toThrow(RangeError);
  });
});

describe('Linear forward and backward against float64', () => {
  function reference(x: Float64Array, rows: number, w: ArrayLike<number>, b: ArrayLike<number> | null, inF: number, outF: number): Float64Array {
    const y = new Float64Array(rows * outF);
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < outF; o++) {
        let s = b ? b[o] : 0;
        for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
        y[r * outF + o] = s;
      }
    return y;
  }

  test.each([
    [[7, 13], 5, true],
    [[2, 3, 13], 4, true],
    [[13], 3, false],
  ])('x %j through Linear(13, %i), bias %s', (shape, outF, bias) => {
    tn.manualSeed(3);
    const fc = new nn.Linear(13, outF, { bias, device: 'cpu' });
    const { t: x, ref } = randomTensor(shape, 11, 'cpu');
    const y = fc.forward(x);
    expect(y.shape).toEqual([...shape.slice(0, -1), outF]);
    const rows = ref.length / 13;
    expectClose(y.dataSync(), reference(ref, rows, fc.weight.dataSync(), bias ? fc.bias!.dataSync() : null, 13, outF), 1e-5, 1e-6);
  });

  test('gradients of sum(Linear(x)): dW = column sums of x, db = batch size', () => {
    const fc = new nn.Linear(3, 2);
    const { t: x, ref } = randomTensor([4, 3], 5, 'cpu');
    fc.forward(x).sum().backward();
    const colSums = [0, 1, 2].map((c) => ref[c] + ref[3 + c] + ref[6 + c] + ref[9 + c]);
    expectClose(fc.weight.grad!.dataSync(), [...colSums, ...colSums], 1e-5, 1e-6);
    expectClose(fc.bias!.grad!.dataSync(), [4, 4]);
  });
});

describe('activations, Flatten, Identity, Dropout, functional', () => {
  const { t: x, ref } = randomTensor([3, 4], 21, 'cpu', -3, 3);
  const sig = Array.from(ref, (v) => 1 / (1 + Math.exp(-v)));

  test('Sigmoid / ReLU / Tanh modules match float64 and F.*', () => {
    expectClose(new nn.Sigmoid().forward(x).dataSync(), sig, 1e-6, 1e-7);
    expectClose(new nn.ReLU().forward(x).dataSync(), Array.from(ref, (v) => Math.max(v, 0)));
    expectClose(new nn.Tanh().forward(x).dataSync(), Array.from(ref, Math.tanh), 1e-6, 1e-7);
    expectClose(F.sigmoid(x).dataSync(), sig, 1e-6, 1e-7);
    expectClose(F.relu(x).dataSync(), Array.from(ref, (v) => Math.max(v, 0)));
    expectClose(F.tanh(x).dataSync(), Array.from(ref, Math.tanh), 1e-6, 1e-7);
  });

  test('Softmax(dim) / LogSoftmax(dim) match float64 along the dim', () => {
    const soft = new Float64Array(12);
    for (let r = 0; r < 3; r++) {
      const row = ref.slice(r * 4, r * 4 + 4);
      const m = Math.max(...row);
      const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
      row.forEach((v, i) => (soft[r * 4 + i] = Math.exp(v - m) / z));
    }
    expectClose(new nn.Softmax(1).forward(x).dataSync(), soft, 1e-5, 1e-7);
    expectClose(new nn.LogSoftmax(-1).forward(x).dataSync(), Array.from(soft, Math.log), 1e-5, 1e-6);
    expectClose(F.softmax(x, 1).dataSync(), soft, 1e-5, 1e-7);
    expectClose(F.logSoftmax(x, 1).dataSync(), Array.from(soft, Math.log), 1e-5, 1e-6);
    expect(() => new nn.Softmax(undefined as unknown as number)).toThrow(TypeError);
  });

  test('F.linear = x·Wᵀ + b', () => {
    expect(F.linear(tn.ones(2, 4), tn.ones(3, 4), tn.zeros(3)).toArray()).toEqual([[4, 4, 4], [4, 4, 4]]);
    expect(F.linear(tn.ones(1, 2), tn.ones(1, 2)).toArray()).toEqual([[2]]);
  });

  test('Flatten keeps the batch dim by default; Identity returns its input', () => {
    expect(new nn.Flatten().forward(tn.zeros(2, 3, 4)).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0).forward(tn.zeros(2, 3, 4)).shape).toEqual([24]);
    expect(F.flatten(tn.zeros(2, 3, 4), 1, 1).shape).toEqual([2, 3, 4]);
    const id = new nn.Identity(54, 'ignored');
    expect(id.forward(x)).toBe(x);
  });

  test('Dropout: identity in eval; in train zeros or x/(1-p) from tn.rand', () => {
    const drop = new nn.Dropout(0.25);
    const big = tn.ones(4000);
    expect(drop.eval().forward(big)).toBe(big);
    drop.train();
    tn.manualSeed(5);
    const y = drop.forward(big).dataSync();
    const kept = Array.from(y).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / 4000 - 0.75)).toBeLessThan(0.03);
    // The mask is `rand >= p` on the default generator: reproducible after manualSeed.
    tn.manualSeed(5);
    const mask = tn.rand(4000).dataSync();
    expect(Array.from(y, (v) => v !== 0)).toEqual(Array.from(mask, (v) => v >= 0.25));
    expect(F.dropout(big, 0, true)).toBe(big);
    expect(Array.from(F.dropout(tn.ones(5), 1, true).dataSync())).toEqual([0, 0, 0, 0, 0]);
    expect(F.dropout(big, 0.5, false)).toBe(big);
    expect(() => new nn.Dropout(1.5)).toThrow(RangeError);
    expect(String(new nn.Dropout())).toBe('Dropout(p=0.5, inplace=False)');
  });

  test('Dropout passes gradients through the kept elements', () => {
    const w = tn.ones(8, { requiresGrad: true });
    tn.manualSeed(1);
    const y = F.dropout(w, 0.5, true);
    y.sum().backward();
    expect(Array.from(w.grad!.dataSync())).toEqual(Array.from(y.dataSync()));
  });
});

describe('nn.init', () => {
  test('uniform_ / constant_ / zeros_ / ones_ write in place, also through a transposed view', () => {
    const t = tn.zeros(3, 2);
    nn.init.constant_(t, 2.5);
    expect(Array.from(t.dataSync())).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
    nn.init.zeros_(t.t());
    expect(Array.from(t.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    nn.init.ones_(t);
    expect(Array.from(t.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    tn.manualSeed(0);
    nn.init.uniform_(t);
    tn.manualSeed(0);
    expect(Array.from(t.dataSync())).toEqual(Array.from(tn.rand(6).dataSync()));
  });

  test('kaimingUniform_ with a = √5 is U(±1/√fan_in): the same draws as Linear', () => {
    tn.manualSeed(9);
    const w = nn.init.kaimingUniform_(tn.zeros(5, 3), { a: Math.sqrt(5) });
    tn.manualSeed(9);
    expect(Array.from(w.dataSync())).toEqual(Array.from(new nn.Linear(3, 5).weight.dataSync()));
    expect(nn.init.calculateGain('relu')).toBe(Math.sqrt(2));
    expect(nn.init.calculateFanInAndFanOut(tn.zeros(5, 3, 2))).toEqual({ fanIn: 6, fanOut: 10 });
    expect(() => nn.init.calculateFanInAndFanOut(tn.zeros(3))).toThrow('fewer than 2 dimensions');
  });
});

describe('losses through tn.nn (implemented in lib/losses)', () => {
  test('loss modules and functional losses are reachable from nn', () => {
    const logits = tn.tensor([[2, 0, -1], [0.5, 1.5, 0]], { dtype: 'float32' });
    const labels = tn.tensor([0, 1]);
    const viaModule = new nn.CrossEntropyLoss().forward(logits, labels).item();
    expect(viaModule).toBeCloseTo(F.crossEntropy(logits, labels).item(), 6);
    const manual = -(Math.log(Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1))) + Math.log(Math.exp(1.5) / (Math.exp(0.5) + Math.exp(1.5) + 1))) / 2;
    expect(viaModule).toBeCloseTo(manual, 5);
    expect(String(new nn.MSELoss())).toBe('MSELoss()');
    expect(new nn.MSELoss()).toBeInstanceOf(nn.Module);
    expect(F.mseLoss(tn.ones(3), tn.zeros(3)).item()).toBe(1);
  });
});
