/**
 * The gradient of every differentiable op, checked against central finite differences
 * (test/helpers/gradcheck.ts: d/dx Σ f(x)·w with a fixed random w, float32 inputs, step 1e-2,
 * rtol 2e-2 / atol 2e-3 — the finite difference's own truncation and float32 rounding error).
 * Inputs are chosen away from kinks (relu, abs, max, clamp) by more than the step, so the
 * one-sided behaviour at a kink never enters a difference. Broadcasting (gradients summed back
 * to the input's shape) and views (gradients scattered back into the base) are covered, as are
 * the tie rules, detach/noGrad, accumulation, and the grad_fn names PyTorch prints.
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { gradcheck } from '../helpers/gradcheck';
import { numel, randomValues } from '../helpers/reference';
import { type Dev, nextSeed } from './util';

type F = (...xs: tn.Tensor[]) => tn.Tensor;

forEachDevice('autograd of ops', (device: Dev) => {
  /** A float32 leaf requiring grad, values in [lo, hi). */
  const leaf = (shape: number[], lo = -1, hi = 1): tn.Tensor =>
    tn.tensor(Float32Array.from(randomValues(numel(shape), nextSeed(), lo, hi)), { shape, device, requiresGrad: true });
  /** Values with |x| in [0.1, 1.1): at least 0.1 (ten steps) away from 0. */
  const awayFromZero = (shape: number[]): tn.Tensor =>
    tn.tensor(Float32Array.from(randomValues(numel(shape), nextSeed()), (v) => Math.sign(v) * (0.1 + Math.abs(v))), { shape, device, requiresGrad: true });
  /** Distinct values on the grid 0.1·k, in a shuffled order (no near-ties for max/min). */
  const distinct = (shape: number[]): tn.Tensor => {
    const n = numel(shape);
    const r = randomValues(n, nextSeed());
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => r[i] - r[j]);
    const v = new Float32Array(n);
    order.forEach((pos, rank) => (v[pos] = 0.1 * (rank - Math.floor(n / 2))));
    return tn.tensor(v, { shape, device, requiresGrad: true });
  };
  /** Values on the grid 0.1·k + 0.05: at least 0.05 (five steps) from every distinct() value. */
  const offGrid = (shape: number[]): tn.Tensor =>
    tn.tensor(Float32Array.from(randomValues(numel(shape), nextSeed(), -1, 1), (v) => 0.1 * Math.round(v * 10) + 0.05), { shape, device, requiresGrad: true });
  const check = (f: F, inputs: tn.Tensor[], opts = {}) => gradcheck(f, inputs, opts);

  describe('elementwise binary (same shape and broadcast)', () => {
    const pairs: [number[], number[]][] = [[[3, 4], [3, 4]], [[2, 3, 4], [3, 1]], [[4], [2, 1, 4]], [[3, 4], []]];
    for (const [sa, sb] of pairs) {
      test(`add / sub / mul with shapes [${sa}] and [${sb}]`, () => {
        check((a, b) => a.add(b), [leaf(sa), leaf(sb)]);
        check((a, b) => a.sub(b), [leaf(sa), leaf(sb)]);
        check((a, b) => a.mul(b), [leaf(sa), leaf(sb)]);
        check((a, b) => a.add(b, -1.5), [leaf(sa), leaf(sb)]);
        check((a, b) => a.sub(b, 0.25), [leaf(sa), leaf(sb)]);
      });
      test(`div / pow / maximum / minimum with shapes [${sa}] and [${sb}]`, () => {
        check((a, b) => a.div(b), [leaf(sa), awayFromZero(sb)]);
        check((a, b) => a.pow(b), [leaf(sa, 0.5, 2), leaf(sb, -1.5, 1.5)]);
        // Operands on interleaved grids: never within a finite-difference step of a tie.
        check((x, y) => x.maximum(y), [distinct(sa), offGrid(sb)]);
        check((x, y) => x.minimum(y), [distinct(sa), offGrid(sb)]);
      });
    }

    test('number operands: x + c, x - c, x * c, x / c, x ** c', () => {
      check((x) => x.add(2.5), [leaf([5])]);
      check((x) => x.sub(-1), [leaf([5])]);
      check((x) => x.mul(-3), [leaf([2, 3])]);
      check((x) => x.div(0.7), [leaf([2, 3])]);
      for (const e of [0, 1, 2, 3, 0.5, -1, -2.5]) check((x) => x.pow(e), [leaf([6], 0.5, 2)]);
    });
  });

  describe('elementwise unary', () => {
    const cases: [string, F, () => tn.Tensor][] = [
      ['neg', (x) => x.neg(), () => leaf([3, 4])],
      ['relu', (x) => x.relu(), () => awayFromZero([3, 4])],
      ['sigmoid', (x) => x.sigmoid(), () => leaf([3, 4], -4, 4)],
      ['tanh', (x) => x.tanh(), () => leaf([3, 4], -2, 2)],
      ['exp', (x) => x.exp(), () => leaf([3, 4])],
      ['log', (x) => x.log(), () => leaf([3, 4], 0.3, 3)],
      ['log1p', (x) => x.log1p(), () => leaf([3, 4], -0.6, 3)],
      ['abs', (x) => x.abs(), () => awayFromZero([3, 4])],
      ['sqrt', (x) => x.sqrt(), () => leaf([3, 4], 0.3, 3)],
      ['square', (x) => x.square(), () => leaf([3, 4])],
      ['reciprocal', (x) => x.reciprocal(), () => leaf([3, 4], 0.4, 2)],
      ['sign', (x) => x.sign(), () => awayFromZero([3, 4])],
      ['clamp(min, max)', (x) => x.clamp(-0.5, 0.5), () => tn.tensor([-0.9, -0.3, 0.1, 0.45, 0.7, -0.62], { device, requiresGrad: true })],
      ['clamp(min)', (x) => x.clamp(0.2), () => tn.tensor([-0.9, 0.3, 0.1, 0.45], { device, requiresGrad: true })],
      ['clamp(null, max)', (x) => x.clamp(null, 0.2), () => tn.tensor([-0.9, 0.3, 0.1, 0.45], { device, requiresGrad: true })],
    ];
    for (const [name, f, make] of cases) test(name, () => check(f, [make()]));

    test('an input used several times accumulates its gradient: x·x + exp(x) − x/3', () => {
      check((x) => x.mul(x).add(x.exp()).sub(x.div(3)), [leaf([7])]);
    });
  });

  describe('matmul / mm / linear', () => {
    const shapes: [number[], number[]][] = [
      [[5], [5]], [[3, 5], [5]], [[5], [5, 4]], [[3, 5], [5, 4]], [[2, 3, 5], [2, 5, 4]],
      [[2, 3, 5], [5, 4]], [[3, 5], [2, 5, 4]], [[2, 1, 3, 5], [2, 5, 2]], [[2, 3, 5], [5]], [[5], [2, 5, 3]],
    ];
    for (const [sa, sb] of shapes) test(`matmul [${sa}] @ [${sb}]`, () => check((a, b) => a.matmul(b), [leaf(sa), leaf(sb)]));

    test('mm, and matmul of transposed / narrowed views', () => {
      check((a, b) => a.mm(b), [leaf([3, 4]), leaf([4, 2])]);
      check((a, b) => a.t().matmul(b.t()), [leaf([4, 3]), leaf([2, 4])]);
      check((a, b) => a.narrow(1, 1, 3).matmul(b.slice(1)), [leaf([3, 5]), leaf([4, 2])]);
    });

    test('linear with and without bias; 1-D, 2-D and 3-D inputs; fused activation paths', () => {
      check((x, w, b) => tn.linear(x, w, b), [leaf([4, 3]), leaf([5, 3]), leaf([5])]);
      check((x, w) => tn.linear(x, w), [leaf([4, 3]), leaf([5, 3])]);
      check((x, w, b) => tn.linear(x, w, b), [leaf([3]), leaf([2, 3]), leaf([2])]);
      check((x, w, b) => tn.linear(x, w, b), [leaf([2, 3, 4]), leaf([2, 4]), leaf([2])]);
      check((x, w, b) => tn.linear(x, w, b, 'tanh'), [leaf([4, 3]), leaf([5, 3]), leaf([5])]);
      check((x, w, b) => tn.linear(x, w, b, 'sigmoid'), [leaf([4, 3]), leaf([5, 3]), leaf([5])]);
      // Only the weight requires grad (x and b are constants).
      const x = tn.tensor(Float32Array.from(randomValues(12, nextSeed())), { shape: [4, 3], device });
      check((w) => tn.linear(x, w), [leaf([2, 3])]);
    });
  });

  describe('views and joins (gradients flow back into the base)', () => {
    const cases: [string, F, number[]][] = [
      ['reshape', (x) => x.reshape(6, 2), [3, 4]],
      ['reshape of a transpose (copying)', (x) => x.t().reshape(-1), [3, 4]],
      ['view', (x) => x.view(2, 2, 3), [3, 4]],
      ['transpose', (x) => x.transpose(0, 2), [2, 3, 4]],
      ['t', (x) => x.t(), [3, 4]],
      ['T', (x) => x.T, [2, 3, 4]],
      ['permute', (x) => x.permute(1, 2, 0), [2, 3, 4]],
      ['flatten', (x) => x.flatten(1), [2, 3, 4]],
      ['unsqueeze', (x) => x.unsqueeze(1), [3, 4]],
      ['squeeze()', (x) => x.squeeze(), [3, 1, 4]],
      ['squeeze(dim)', (x) => x.squeeze(1), [3, 1, 4]],
      ['expand', (x) => x.expand(2, 3, 4), [3, 1]],
      ['narrow', (x) => x.narrow(1, 1, 2), [3, 4]],
      ['select', (x) => x.select(0, 2), [3, 4]],
      ['select (negative index, inner dim)', (x) => x.select(-1, -1), [3, 4]],
      ['slice', (x) => x.slice(1, 3), [4, 3]],
      ['slice along dim 1', (x) => x.slice(-3, null, 1), [2, 5]],
      ['contiguous of a transpose', (x) => x.t().contiguous(), [3, 4]],
      ['clone', (x) => x.clone(), [3, 4]],
      ['a chain of views', (x) => x.transpose(0, 1).narrow(0, 1, 2).select(2, 1).unsqueeze(0).expand(3, 2, 2), [2, 3, 4]],
      ['overlapping views summed', (x) => x.narrow(0, 0, 2).add(x.narrow(0, 1, 2)).mul(x.select(0, 1)), [3, 4]],
    ];
    for (const [name, f, shape] of cases) test(name, () => check(f, [leaf(shape)]));

    test('cat along each dim (several inputs, one not requiring grad)', () => {
      for (const d of [0, 1, -1]) {
        const c = tn.tensor(Float32Array.from(randomValues(6, nextSeed())), { shape: [2, 3], device });
        check((a, b) => tn.cat([a, c, b], d), [leaf([2, 3]), leaf([2, 3])]);
      }
      check((a, b) => tn.cat([a, b], 0), [leaf([1, 3]), leaf([4, 3])]);
    });

    test('stack along each dim', () => {
      for (const d of [0, 1, 2]) check((a, b) => tn.stack([a, b, a], d), [leaf([2, 3]), leaf([2, 3])]);
    });
  });

  describe('reductions and softmax', () => {
    test('sum / mean over everything, one dim, several dims, keepdim', () => {
      for (const f of [(x: tn.Tensor) => x.sum(), (x: tn.Tensor) => x.mean(), (x: tn.Tensor) => x.sum(null, true)])
        check(f, [leaf([2, 3, 4])]);
      for (const dim of [0, 1, -1, [0, 2], [1, 0]])
        for (const keepdim of [false, true]) {
          check((x) => x.sum(dim, keepdim), [leaf([2, 3, 4])]);
          check((x) => x.mean(dim, keepdim), [leaf([2, 3, 4])]);
        }
      check((x) => x.t().sum(0), [leaf([3, 4])]);
    });

    test('max / min over everything and over a dim (values), keepdim', () => {
      check((x) => x.max(), [distinct([3, 4])]);
      check((x) => x.min(), [distinct([3, 4])]);
      for (const dim of [0, 1, -1])
        for (const keepdim of [false, true]) {
          check((x) => x.max(dim, keepdim).values, [distinct([3, 4])]);
          check((x) => x.min(dim, keepdim).values, [distinct([3, 4])]);
        }
      check((x) => x.max(1).values, [distinct([2, 3, 4])]);
      check((x) => x.t().min(0).values, [distinct([3, 4])]);
    });

    test('softmax / logSoftmax over every dim', () => {
      for (const dim of [0, 1, 2, -1]) {
        check((x) => x.softmax(dim), [leaf([2, 3, 4], -2, 2)]);
        check((x) => x.logSoftmax(dim), [leaf([2, 3, 4], -2, 2)]);
      }
      check((x) => x.t().softmax(1), [leaf([3, 4], -2, 2)]);
    });

    test('a small network: logSoftmax(linear(relu(linear(x)))) picked by a one-hot', () => {
      const target = tn.oneHot(tn.tensor([2, 0, 1], { device }), 3);
      check((x, w1, b1, w2) => tn.linear(tn.linear(x, w1, b1).relu(), w2).logSoftmax(1).mul(target).sum(1).mean().neg(),
        [leaf([3, 4]), leaf([5, 4]), awayFromZero([5]), leaf([3, 5])], { atol: 5e-3 });
    });
  });

  test('a stride-0 upstream gradient (from .sum()) gives the same gradients as a contiguous one', () => {
    // gradcheck weights the output first, so the gradient reaching each op is contiguous; here it
    // is the expanded ones that sum() sends back, which the backward kernels must read by stride.
    const fs: [string, (x: tn.Tensor) => tn.Tensor][] = [
      ['relu', (x) => x.relu()], ['sigmoid', (x) => x.sigmoid()], ['tanh', (x) => x.tanh()],
      ['softmax', (x) => x.softmax(1)], ['logSoftmax', (x) => x.logSoftmax(0)], ['matmul', (x) => x.matmul(x.t())],
      ['batched matmul', (x) => x.reshape(2, 3, 2).matmul(x.reshape(2, 2, 3))],
      ['linear', (x) => tn.linear(x, x.narrow(0, 0, 2), x.select(1, 0).narrow(0, 0, 2))],
      ['max(dim)', (x) => x.max(1).values], ['max()', (x) => x.max()], ['mean(0)', (x) => x.mean(0)],
      ['narrow', (x) => x.narrow(1, 1, 2)], ['select', (x) => x.select(1, 2)], ['cat', (x) => tn.cat([x, x.t().t()], 1)],
      ['stack', (x) => tn.stack([x, x], 2)], ['expand', (x) => x.unsqueeze(0).expand(2, 3, 4)],
      ['div', (x) => x.div(x.add(3))], ['pow', (x) => x.add(2).pow(x)], ['clamp', (x) => x.clamp(-0.3, 0.3)],
      ['permute', (x) => x.reshape(3, 2, 2).permute(2, 0, 1)],
    ];
    for (const [name, f] of fs) {
      const values = Float32Array.from(randomValues(12, nextSeed()));
      const x1 = tn.tensor(values, { shape: [3, 4], device, requiresGrad: true });
      const x2 = tn.tensor(values, { shape: [3, 4], device, requiresGrad: true });
      f(x1).sum().backward();
      const y = f(x2);
      y.mul(tn.ones(y.shape.slice(), { device })).sum().backward();
      expect([name, Array.from(x1.grad!.dataSync())]).toEqual([name, Array.from(x2.grad!.dataSync())]);
    }
  });

  describe('tie rules, kinks and graph controls', () => {
    const grad = (x: tn.Tensor) => Array.from(x.grad!.dataSync());

    test('max()/min() over everything split the gradient evenly among ties (PyTorch)', () => {
      const x = tn.tensor([1, 3, 3, 2], { dtype: 'float32', device, requiresGrad: true });
      x.max().backward();
      expect(grad(x)).toEqual([0, 0.5, 0.5, 0]);
      const y = tn.tensor([1, 1, 3], { dtype: 'float32', device, requiresGrad: true });
      y.min().backward();
      expect(grad(y)).toEqual([0.5, 0.5, 0]);
    });

    test('max(dim) sends the gradient to the index it reports', () => {
      const x = tn.tensor([[1, 3, 3], [2, 0, 2]], { dtype: 'float32', device, requiresGrad: true });
      const { values, indices } = x.max(1);
      values.sum().backward();
      expect(indices.toArray()).toEqual([1, 0]);
      expect(x.grad!.toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
    });

    test('maximum/minimum ties split the gradient in half', () => {
      const a = tn.tensor([1, 2, 3], { dtype: 'float32', device, requiresGrad: true });
      const b = tn.tensor([1, 5, 0], { dtype: 'float32', device, requiresGrad: true });
      a.maximum(b).sum().backward();
      expect(grad(a)).toEqual([0.5, 0, 1]);
      expect(grad(b)).toEqual([0.5, 1, 0]);
    });

    test('clamp passes the gradient where min <= x <= max, bounds included (PyTorch)', () => {
      const x = tn.tensor([-1, 0, 0.5, 1, 2], { dtype: 'float32', device, requiresGrad: true });
      const y = x.clamp(0, 1);
      expect(y.gradFn?.name).toBe('ClampBackward1');
      y.sum().backward();
      expect(grad(x)).toEqual([0, 1, 1, 1, 0]);
    });

    test('relu and abs have gradient 0 at 0; sign has gradient 0 everywhere', () => {
      const x = tn.tensor([-1, 0, 2], { dtype: 'float32', device, requiresGrad: true });
      x.relu().sum().backward();
      expect(grad(x)).toEqual([0, 0, 1]);
      x.grad = null;
      x.abs().sum().backward();
      expect(grad(x)).toEqual([-1, 0, 1]);
      x.grad = null;
      x.sign().sum().backward();
      expect(grad(x).map((v) => v + 0)).toEqual([0, 0, 0]);
    });

    test('gradients accumulate over backward calls; detach and noGrad cut the graph', () => {
      const x = tn.tensor([1, 2], { dtype: 'float32', device, requiresGrad: true });
      x.mul(3).sum().backward();
      x.mul(x).sum().backward();
      expect(grad(x)).toEqual([3 + 2, 3 + 4]);
      const d = x.detach();
      expect(d.requiresGrad).toBe(false);
      expect(d.mul(2).requiresGrad).toBe(false);
      const n = tn.noGrad(() => x.mul(2));
      expect(n.requiresGrad).toBe(false);
      expect(n.gradFn).toBeNull();
      // A product with a detached factor only differentiates the live one.
      x.grad = null;
      x.mul(x.detach()).sum().backward();
      expect(grad(x)).toEqual([1, 2]);
    });

    test('backward(gradient) for non-scalar outputs; the implicit seed is ones', () => {
      const x = tn.tensor([[1, 2], [3, 4]], { dtype: 'float32', device, requiresGrad: true });
      const y = x.mul(x);
      y.backward(tn.tensor([[1, 0], [0.5, 2]], { device }));
      expect(x.grad!.toArray()).toEqual([[2, 0], [3, 16]]);
    });

    test('int32 inputs and comparison results carry no gradient', () => {
      const x = tn.tensor([1, 2], { dtype: 'float32', device, requiresGrad: true });
      expect(x.gt(1).requiresGrad).toBe(false);
      expect(x.argmax().requiresGrad).toBe(false);
      expect(x.max(0).indices.requiresGrad).toBe(false);
    });
  });

  test('grad_fn names match PyTorch\'s', () => {
    const x = leaf([2, 3]);
    const v = leaf([3]);
    const names: [tn.Tensor, string][] = [
      [x.add(1), 'AddBackward0'], [x.sub(v), 'SubBackward0'], [x.mul(v), 'MulBackward0'], [x.div(2), 'DivBackward0'],
      [x.pow(2), 'PowBackward0'], [x.pow(v), 'PowBackward1'], [x.neg(), 'NegBackward0'], [x.relu(), 'ReluBackward0'],
      [x.sigmoid(), 'SigmoidBackward0'], [x.tanh(), 'TanhBackward0'], [x.exp(), 'ExpBackward0'], [x.log(), 'LogBackward0'],
      [x.abs(), 'AbsBackward0'], [x.sqrt(), 'SqrtBackward0'], [x.square(), 'PowBackward0'], [x.clamp(0, 1), 'ClampBackward1'],
      [x.maximum(v), 'MaximumBackward0'], [x.minimum(v), 'MinimumBackward0'],
      [x.matmul(v), 'MvBackward0'], [v.matmul(v), 'DotBackward0'], [x.matmul(x.t()), 'MmBackward0'],
      [v.matmul(x.t()), 'SqueezeBackward4'], [x.unsqueeze(0).expand(4, 2, 3).matmul(v), 'UnsafeViewBackward0'],
      [tn.linear(x, leaf([4, 3]), leaf([4])), 'AddmmBackward0'], [tn.linear(x, leaf([4, 3])), 'MmBackward0'],
      [x.t(), 'TBackward0'], [x.transpose(0, 1), 'TransposeBackward0'], [x.permute(1, 0), 'PermuteBackward0'],
      [x.view(6), 'ViewBackward0'], [x.reshape(3, 2), 'ViewBackward0'], [x.unsqueeze(0), 'UnsqueezeBackward0'],
      [x.unsqueeze(0).squeeze(), 'SqueezeBackward0'], [x.unsqueeze(0).squeeze(0), 'SqueezeBackward1'],
      [v.expand(2, 3), 'ExpandBackward0'], [x.narrow(1, 0, 2), 'SliceBackward0'], [x.slice(1), 'SliceBackward0'],
      [x.select(0, 1), 'SelectBackward0'], [x.clone(), 'CloneBackward0'], [tn.cat([x, x]), 'CatBackward0'],
      [tn.stack([x, x]), 'StackBackward0'], [x.sum(), 'SumBackward0'], [x.sum(1), 'SumBackward1'],
      [x.mean(), 'MeanBackward0'], [x.mean(0), 'MeanBackward1'], [x.max(), 'MaxBackward1'], [x.max(1).values, 'MaxBackward0'],
      [x.min(), 'MinBackward1'], [x.softmax(1), 'SoftmaxBackward0'], [x.logSoftmax(1), 'LogSoftmaxBackward0'],
    ];
    for (const [t, name] of names) expect(`${t.gradFn?.name}`).toBe(name);
  });
});
