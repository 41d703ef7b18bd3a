// NaN and ±Infinity propagate as in PyTorch, and the functions PyTorch computes stably
// (sigmoid, softmax, log-softmax, cross entropy, BCE-with-logits) stay finite on extreme inputs
// where PyTorch's do. Expected values are PyTorch 2.x float32 results.
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';

const F = tn.nn.functional;
const inf = Infinity;

function expectValues(t: tn.Tensor, want: number[], digits = 5): void {
  const got = Array.from(t.dataSync());
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i];
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else if (!Number.isFinite(w) || Math.abs(w) > 1e6) expect(g).toBe(Math.fround(w));
    else expect(g).toBeCloseTo(w, digits);
  });
}

forEachDevice('numerics', (device) => {
  const f = (rows: number[][] | number[]): tn.Tensor => tn.tensor(rows as number[][], { dtype: 'float32', device });

  test('sigmoid saturates to exactly 0/1 and passes NaN', () => {
    const y = f([-inf, -1e30, -100, 0, 100, 1e30, inf, NaN]).sigmoid();
    const v = Array.from(y.dataSync());
    expect(v[0]).toBe(0);
    expect(v[1]).toBe(0);
    expect(v[2]).toBeGreaterThan(0);  // 3.78e-44, a float32 denormal
    expect(v[2]).toBeLessThan(1e-43);
    expect(v.slice(3, 7)).toEqual([0.5, 1, 1, 1]);
    expect(v[7]).toBeNaN();
  });

  test('tanh, relu, exp, log, sqrt, reciprocal at the edges', () => {
    expectValues(f([-inf, inf, NaN, 1e30]).tanh(), [-1, 1, NaN, 1]);
    expectValues(f([-inf, inf, NaN, -0]).relu(), [0, inf, NaN, 0]);
    expectValues(f([-inf, inf, NaN, 89, -104]).exp(), [0, inf, NaN, inf, 0]);
    expectValues(f([0, -1, inf, NaN]).log(), [-inf, NaN, inf, NaN]);
    expectValues(f([-1, inf, 0]).sqrt(), [NaN, inf, 0]);
    expectValues(f([0, -0, inf]).reciprocal(), [inf, -inf, 0]);
  });

  test('softmax: extreme rows stay finite; ±Inf/NaN rows are NaN as in PyTorch', () => {
    expectValues(f([[1e30, -1e30, 0], [-inf, 0, 0], [88, 89, 0], [-1e4, 1e4, 0]]).softmax(1), [1, 0, 0, 0, 0.5, 0.5, 0.268941, 0.731059, 0, 0, 1, 0]);
    expectValues(f([[inf, 0], [-inf, -inf], [NaN, 0]]).softmax(1), [NaN, NaN, NaN, NaN, NaN, NaN]);
  });

  test('logSoftmax: finite where PyTorch is, −∞ only for −∞ inputs', () => {
    expectValues(f([[1e30, -1e30, 0], [-inf, 0, 0], [88, 89, 0]]).logSoftmax(1), [0, -2e30, -1e30, -inf, -Math.LN2, -Math.LN2, -1.313262, -0.313262, -89.313262]);
    expectValues(f([[inf, 0], [NaN, 0]]).logSoftmax(1), [NaN, NaN, NaN, NaN]);
  });

  test('cross entropy with extreme logits is finite where PyTorch is, and so are its gradients', () => {
    const t = (c: number[]) => tn.tensor(c, { dtype: 'int32', device });
    expect(F.crossEntropy(f([[1e30, -1e30, 0]]), t([0])).item()).toBe(0);
    expect(F.crossEntropy(f([[1e30, -1e30, 0]]), t([1])).item()).toBe(Math.fround(2e30));
    expect(F.crossEntropy(f([[-1e4, 1e4]]), t([0])).item()).toBe(2e4);
    expect(F.crossEntropy(f([[0, -inf, 0]]), t([0])).item()).toBeCloseTo(Math.LN2, 6);
    expect(F.crossEntropy(f([[-inf, 0, 0]]), t([0])).item()).toBe(inf);
    expect(F.crossEntropy(f([[NaN, 0]]), t([1])).item()).toBeNaN();
    const x = f([[1e30, -1e30, 0], [100, -100, 0]]).requiresGrad_();
    F.crossEntropy(x, t([0, 1])).backward();
    const g = Array.from(x.grad!.dataSync());
    g.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    expectValues(x.grad!, [0, 0, 0, 0.5, -0.5, 0]);
  });

  test('BCE with logits is stable at ±1e30; BCE clamps log at −100 like PyTorch', () => {
    const tiny = F.binaryCrossEntropyWithLogits(f([100, -100]), f([1, 0])).item();  // log1p(e^-100): a float32 denormal
    expect(tiny).toBeGreaterThanOrEqual(0);
    expect(tiny).toBeLessThan(1e-40);
    expect(F.binaryCrossEntropyWithLogits(f([1e30]), f([0])).item()).toBe(Math.fround(1e30));
    expect(F.binaryCrossEntropyWithLogits(f([-1e30]), f([1])).item()).toBe(Math.fround(1e30));
    expect(F.binaryCrossEntropy(f([0, 1]), f([1, 0])).item()).toBe(100);
  });

  test('reductions and comparisons: NaN wins max/argmax/maximum, ∞ − ∞ is NaN', () => {
    expectValues(f([1, NaN, 3]).max(), [NaN]);
    expect(f([1, NaN, 3, NaN]).argmax().item()).toBe(1);
    expectValues(f([[1, NaN], [NaN, 1]]).max(1).values, [NaN, NaN]);
    expectValues(f([1, NaN]).maximum(f([NaN, 1])), [NaN, NaN]);
    expectValues(f([NaN, 5, -5]).clamp(-1, 1), [NaN, 1, -1]);
    expectValues(f([inf, -inf]).sum(), [NaN]);
    expectValues(f([inf, 1]).mean(), [inf]);
    expectValues(tn.zeros(0, { device }).mean(), [NaN]);
    expectValues(f([[inf, 1]]).matmul(f([[0], [1]])), [NaN]);
    expectValues(f([NaN, 1]).eq(f([NaN, 1])), [0, 1]);
  });
});
