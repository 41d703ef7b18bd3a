/**
 * Losses against float64 references (test/losses/reference.ts) for every reduction, gradients
 * against finite differences (gradcheck), extreme inputs, module classes and errors.
 * Tolerances: the losses are a few float32 ops deep, rtol 1e-5 (2e-5 where a log-sum-exp or a
 * large sum is involved).
 */
import * as tn from '../../lib/index';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss,
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, mseLoss, nllLoss,
} from '../../lib/losses';
import { forEachDevice } from '../helpers/devices';
import { gradcheck } from '../helpers/gradcheck';
import { expectClose, randomValues } from '../helpers/reference';
import { type Red, bceLogitsRef, bceRef, classRows, crossEntropyProbRef, crossEntropyRef, mseRef, nllRef } from './reference';

const REDUCTIONS: Red[] = ['mean', 'sum', 'none'];

function vals(shape: number[], seed: number, device: tn.Device, lo = -2, hi = 2, requiresGrad = true): tn.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tn.tensor(Float32Array.from(randomValues(n, seed, lo, hi)), { shape, device, requiresGrad });
}

function ints(values: number[], device: tn.Device): tn.Tensor {
  return tn.tensor(Int32Array.from(values), { device });
}

/** Class probabilities of shape [N, C] (rows sum to 1). */
function probs(n: number, c: number, seed: number, device: tn.Device): tn.Tensor {
  const r = randomValues(n * c, seed, 0.1, 1);
  for (let i = 0; i < n; ++i) {
    let s = 0;
    for (let j = 0; j < c; ++j) s += r[i * c + j];
    for (let j = 0; j < c; ++j) r[i * c + j] /= s;
  }
  return tn.tensor(Float32Array.from(r), { shape: [n, c], device });
}

const f64 = (t: tn.Tensor) => Float64Array.from(t.dataSync());

forEachDevice('losses', (device) => {
  test.each(REDUCTIONS)('mseLoss, reduction %s: values and gradient', (reduction) => {
    const x = vals([3, 4], 1, device);
    const y = vals([3, 4], 2, device, -2, 2, false);
    expectClose(mseLoss(x, y, { reduction }).dataSync(), mseRef(f64(x), f64(y), reduction), 1e-5, 1e-6);
    gradcheck((a) => mseLoss(a, y, { reduction }), [x]);
    const yg = vals([3, 4], 2, device);
    gradcheck((a, b) => mseLoss(a, b, { reduction }), [x, yg]);
  });

  test.each(REDUCTIONS)('crossEntropy with class indices, reduction %s: values and gradient', (reduction) => {
    const x = vals([5, 4], 3, device, -3, 3);
    const y = ints([3, 0, 1, 3, 2], device);
    expectClose(crossEntropy(x, y, { reduction }).dataSync(), crossEntropyRef(f64(x), [5, 4], [3, 0, 1, 3, 2], reduction), 2e-5, 1e-6);
    gradcheck((a) => crossEntropy(a, y, { reduction }), [x]);
  });

  test('crossEntropy gradient is (softmax − onehot) / N', () => {
    const x = vals([3, 5], 4, device, -3, 3);
    crossEntropy(x, ints([4, 0, 2], device)).backward();
    const rows = classRows(f64(x), [3, 5]);
    const expected = rows.flatMap((row, i) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v, c) => (v / s - (c === [4, 0, 2][i] ? 1 : 0)) / 3);
    });
    expectClose(x.grad!.dataSync(), expected, 1e-5, 1e-7);
  });

  test.each(REDUCTIONS)('crossEntropy with class weights and ignoreIndex, reduction %s', (reduction) => {
    const x = vals([6, 3], 5, device, -3, 3);
    const target = [2, 1, -100, 0, 2, 1];
    const w = tn.tensor(Float32Array.from([0.2, 1.5, 0.7]), { device });
    const got = crossEntropy(x, ints(target, device), { reduction, weight: w });
    expectClose(got.dataSync(), crossEntropyRef(f64(x), [6, 3], target, reduction, [0.2, 1.5, 0.7]), 2e-5, 1e-6);
    gradcheck((a) => crossEntropy(a, ints(target, device), { reduction, weight: w }), [x]);
    const ig = [1, 7, 7, 0, 2, 1];
    expectClose(crossEntropy(x, ints(ig, device), { reduction, ignoreIndex: 7 }).dataSync(), crossEntropyRef(f64(x), [6, 3], ig, reduction, undefined, 7), 2e-5, 1e-6);
  });

  test.each(REDUCTIONS)('crossEntropy with class probabilities, reduction %s', (reduction) => {
    const x = vals([4, 3], 6, device, -3, 3);
    const p = probs(4, 3, 7, device);
    expectClose(crossEntropy(x, p, { reduction }).dataSync(), crossEntropyProbRef(f64(x), [4, 3], f64(p), reduction), 2e-5, 1e-6);
    const w = tn.tensor(Float32Array.from([1, 2, 0.5]), { device });
    expectClose(crossEntropy(x, p, { reduction, weight: w }).dataSync(), crossEntropyProbRef(f64(x), [4, 3], f64(p), reduction, [1, 2, 0.5]), 2e-5, 1e-6);
    gradcheck((a) => crossEntropy(a, p, { reduction }), [x]);
  });

  test('crossEntropy on [N, C, d] inputs and unbatched [C] inputs', () => {
    const x = vals([2, 3, 4], 8, device, -3, 3);
    const target = [0, 2, 1, 1, 2, 2, 0, 1];
    const y = tn.tensor(Int32Array.from(target), { shape: [2, 4], device });
    for (const reduction of REDUCTIONS) {
      const got = crossEntropy(x, y, { reduction });
      expect(got.shape).toEqual(reduction === 'none' ? [2, 4] : []);
      expectClose(got.dataSync(), crossEntropyRef(f64(x), [2, 3, 4], target, reduction), 2e-5, 1e-6);
    }
    gradcheck((a) => crossEntropy(a, y), [x]);
    const v = vals([5], 9, device, -3, 3);
    expectClose(crossEntropy(v, tn.tensor(3, { dtype: 'int32', device })).dataSync(), crossEntropyRef(f64(v), [5], [3], 'mean'), 2e-5, 1e-6);
  });

  test.each(REDUCTIONS)('nllLoss, reduction %s', (reduction) => {
    const x = vals([4, 3], 10, device, -3, -0.1);  // log-probabilities need not be normalised
    const target = [2, 0, 0, 1];
    const w = tn.tensor(Float32Array.from([0.5, 1, 2]), { device });
    expectClose(nllLoss(x, ints(target, device), { reduction }).dataSync(), nllRef(classRows(f64(x), [4, 3]), target, reduction), 1e-5, 1e-6);
    expectClose(nllLoss(x, ints(target, device), { reduction, weight: w }).dataSync(), nllRef(classRows(f64(x), [4, 3]), target, reduction, [0.5, 1, 2]), 1e-5, 1e-6);
    gradcheck((a) => nllLoss(a, ints(target, device), { reduction, weight: w }), [x]);
  });

  test.each(REDUCTIONS)('binaryCrossEntropy, reduction %s: values and gradients (input and target)', (reduction) => {
    const x = vals([3, 4], 11, device, 0.05, 0.95);
    const y = vals([3, 4], 12, device, 0, 1);
    const w = vals([3, 4], 13, device, 0.5, 1.5, false);
    expectClose(binaryCrossEntropy(x, y, { reduction }).dataSync(), bceRef(f64(x), f64(y), reduction), 1e-5, 1e-6);
    expectClose(binaryCrossEntropy(x, y, { reduction, weight: w }).dataSync(), bceRef(f64(x), f64(y), reduction, f64(w)), 1e-5, 1e-6);
    gradcheck((a, b) => binaryCrossEntropy(a, b, { reduction, weight: w }), [x, y], { eps: 3e-3 });
  });

  test.each(REDUCTIONS)('binaryCrossEntropyWithLogits, reduction %s: values and gradients', (reduction) => {
    const x = vals([3, 4], 14, device, -4, 4);
    const y = vals([3, 4], 15, device, 0, 1);
    const w = vals([3, 4], 16, device, 0.5, 1.5, false);
    const pw = tn.tensor(Float32Array.from([0.5, 1, 2, 3]), { device });
    expectClose(binaryCrossEntropyWithLogits(x, y, { reduction }).dataSync(), bceLogitsRef(f64(x), f64(y), reduction, 4), 1e-5, 1e-6);
    expectClose(
      binaryCrossEntropyWithLogits(x, y, { reduction, weight: w, posWeight: pw }).dataSync(),
      bceLogitsRef(f64(x), f64(y), reduction, 4, f64(w), [0.5, 1, 2, 3]), 1e-5, 1e-6,
    );
    gradcheck((a, b) => binaryCrossEntropyWithLogits(a, b, { reduction }), [x, y]);
    gradcheck((a, b) => binaryCrossEntropyWithLogits(a, b, { reduction, weight: w, posWeight: pw }), [x, y]);
  });

  test('BCE with logits has gradient sigmoid(x) − y, also at x = 0', () => {
    const x = tn.tensor(Float32Array.from([0, 0, 2, -3]), { device, requiresGrad: true });
    const y = tn.tensor(Float32Array.from([1, 0, 1, 0]), { device });
    binaryCrossEntropyWithLogits(x, y, { reduction: 'sum' }).backward();
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(x.grad!.dataSync(), [0.5 - 1, 0.5, s(2) - 1, s(-3)], 1e-6, 1e-7);
  });

  test('extreme inputs stay finite', () => {
    const logits = tn.tensor(Float32Array.from([1e4, -1e4, 0, -5e3, 5e3, 30]), { shape: [2, 3], device, requiresGrad: true });
    const ce = crossEntropy(logits, ints([1, 0], device));
    expect(Number.isFinite(ce.item())).toBe(true);
    expectClose([ce.item()], [(2e4 + 1e4) / 2], 1e-5);  // -(x_y - max) per row
    ce.backward();
    expect(Array.from(logits.grad!.dataSync()).every(Number.isFinite)).toBe(true);

    const z = tn.tensor(Float32Array.from([1e4, -1e4, 100, -100]), { device, requiresGrad: true });
    const t = tn.tensor(Float32Array.from([0, 1, 1, 0]), { device });
    const l = binaryCrossEntropyWithLogits(z, t, { reduction: 'none' });
    expectClose(l.dataSync(), [1e4, 1e4, 0, 0], 1e-6, 1e-30);
    l.sum().backward();
    expectClose(z.grad!.dataSync(), [1, -1, 0, 0], 1e-6, 1e-30);

    const p = tn.tensor(Float32Array.from([0, 1, 0, 1]), { device, requiresGrad: true });
    const b = binaryCrossEntropy(p, tn.tensor(Float32Array.from([1, 0, 0, 1]), { device }), { reduction: 'none' });
    expect(Array.from(b.dataSync(), (v) => v + 0)).toEqual([100, 100, 0, 0]);  // log clamped at -100
    b.sum().backward();
    expect(Array.from(p.grad!.dataSync()).every(Number.isFinite)).toBe(true);
  });

  test('loss modules compute the functional forms and print like PyTorch', () => {
    const x = vals([4, 3], 17, device, -3, 3);
    const y = ints([0, 2, 1, 1], device);
    const ce = new CrossEntropyLoss();
    expect(String(ce)).toBe('CrossEntropyLoss()');
    expect(ce.reduction).toBe('mean');
    expect(ce.forward(x, y).item()).toBe(crossEntropy(x, y).item());
    expect(ce.forward(x, y).toString()).toMatch(/grad_fn=<NllLossBackward0>\)$/);
    expect(new CrossEntropyLoss({ reduction: 'sum' }).forward(x, y).item()).toBe(crossEntropy(x, y, { reduction: 'sum' }).item());
    expect(new NLLLoss().forward(x.logSoftmax(1), y).item()).toBeCloseTo(ce.forward(x, y).item(), 6);

    const pr = vals([4, 3], 18, device, 0.1, 0.9);
    const t = vals([4, 3], 19, device, 0, 1, false);
    expect(String(new MSELoss())).toBe('MSELoss()');
    expect(new MSELoss({ reduction: 'none' }).forward(pr, t).shape).toEqual([4, 3]);
    expect(new MSELoss().forward(pr, t).toString()).toMatch(/grad_fn=<MseLossBackward0>\)$/);
    expect(String(new BCELoss())).toBe('BCELoss()');
    expect(new BCELoss().forward(pr, t).item()).toBe(binaryCrossEntropy(pr, t).item());
    expect(new BCELoss().forward(pr, t).toString()).toMatch(/grad_fn=<BinaryCrossEntropyBackward0>\)$/);
    expect(String(new BCEWithLogitsLoss())).toBe('BCEWithLogitsLoss()');
    expect(new BCEWithLogitsLoss().forward(x, t).item()).toBe(binaryCrossEntropyWithLogits(x, t).item());
  });

  test('class weights are buffers: in stateDict under PyTorch\'s names, moved by to()', () => {
    const w = tn.tensor(Float32Array.from([1, 2, 3]), { device });
    expect(Object.keys(new CrossEntropyLoss({ weight: w }).stateDict())).toEqual(['weight']);
    expect(Object.keys(new CrossEntropyLoss().stateDict())).toEqual([]);
    expect(Object.keys(new BCEWithLogitsLoss({ weight: w, posWeight: w }).stateDict())).toEqual(['weight', 'pos_weight']);
    const m = new NLLLoss({ weight: tn.tensor(Float32Array.from([1, 2, 3])) }).to(device);
    expect(m.stateDict().weight.device).toBe(device);
  });
});

describe('loss errors', () => {
  const x = () => tn.tensor(Float32Array.from(randomValues(6, 1)), { shape: [2, 3] });

  test('class indices out of range raise PyTorch\'s message', () => {
    expect(() => crossEntropy(x(), tn.tensor([5, 0]))).toThrow('Target 5 is out of bounds.');
    expect(() => crossEntropy(x(), tn.tensor([0, -1]))).toThrow(RangeError);
    expect(() => nllLoss(x(), tn.tensor([3, 0]))).toThrow('Target 3 is out of bounds.');
    expect(() => crossEntropy(x(), tn.tensor([-100, 0]))).not.toThrow();  // the ignore index
  });

  test('shape mismatches in PyTorch\'s words (labelled with the module)', () => {
    expect(() => crossEntropy(x(), tn.tensor([0, 1, 2]))).toThrow('crossEntropy: Expected input batch_size (2) to match target batch_size (3).');
    expect(() => new CrossEntropyLoss().forward(x(), tn.tensor([0, 1, 2]))).toThrow('CrossEntropyLoss: Expected input batch_size (2) to match target batch_size (3).');
    expect(() => crossEntropy(tn.zeros(2, 3, 4), tn.zeros([2, 5], { dtype: 'int32' }))).toThrow('Expected target size [2, 4], got [2, 5]');
    expect(() => crossEntropy(x(), tn.zeros(2, 4))).toThrow('Expected target size [2, 3] for class probabilities');
    expect(() => binaryCrossEntropy(tn.rand(3, 1), tn.rand(3))).toThrow('Target size (torch.Size([3])) must be the same as input size (torch.Size([3, 1]))');
    expect(() => binaryCrossEntropyWithLogits(tn.rand(3, 1), tn.rand(3))).toThrow(tn.ShapeError);
    expect(() => crossEntropy(x(), tn.tensor([0, 1]), { weight: tn.ones(4) })).toThrow('weight tensor should be defined either for all 3 classes or no classes');
  });

  test('wrong types, values and options', () => {
    expect(() => crossEntropy(x(), tn.tensor([0.5, 1.5]))).toThrow('expected int32 class indices for target but received float32');
    expect(() => crossEntropy(tn.tensor([[1, 2]]), tn.tensor([0]))).toThrow('crossEntropy: expected a float32 tensor for input but received int32');
    expect(() => mseLoss(x(), x(), { reduction: 'avg' as never })).toThrow('mseLoss: avg is not a valid value for reduction');
    expect(() => new MSELoss({ reduction: 'avg' as never })).toThrow(RangeError);
    expect(() => new CrossEntropyLoss({ ignore_index: 1 } as never)).toThrow("unknown option 'ignore_index'; did you mean 'ignoreIndex'?");
    expect(() => binaryCrossEntropy(tn.tensor([0.5, 1.5]), tn.tensor([0.5, 1]))).toThrow('all elements of input should be between 0 and 1');
    expect(() => mseLoss([1, 2] as never, x())).toThrow(TypeError);
  });

  test('mseLoss broadcasts a target of another size with PyTorch\'s warning', () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const l = mseLoss(tn.zeros(3, 1), tn.ones(3));
    expect(l.item()).toBe(1);
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1]))'), 'UserWarning');
    spy.mockRestore();
  });
});
