/**
 * Reductions sum / mean / max / min / argmax / argmin: over everything, over each dim, over
 * several dims, with and without keepdim, on non-contiguous inputs, with NaN, on int32, and on
 * empty tensors — against a float64 fold over unravelled indices.
 *
 * Tolerances: max/min/argmax/argmin select an input element, so they must be exact. sum/mean
 * of n float32 values are allowed rtol 1e-6 plus atol n·2⁻²³·max|x| (the accumulation error of
 * a float32 tree sum; the CPU kernel accumulates in double and is much closer).
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { expectClose } from '../helpers/reference';
import { type Dev, gather, nextSeed, reduceRef, rnd, sumRef, vals } from './util';

const maxRef = (x: ArrayLike<number>, shape: number[], dims: number[] | null, keepdim = false) =>
  reduceRef(x, shape, dims, keepdim, () => -Infinity, (a, v) => (Number.isNaN(a) || Number.isNaN(v) ? NaN : v > a ? v : a), (a) => a);
const minRef = (x: ArrayLike<number>, shape: number[], dims: number[] | null, keepdim = false) =>
  reduceRef(x, shape, dims, keepdim, () => Infinity, (a, v) => (Number.isNaN(a) || Number.isNaN(v) ? NaN : v < a ? v : a), (a) => a);
const meanRef = (x: ArrayLike<number>, shape: number[], dims: number[] | null, keepdim = false) =>
  reduceRef(x, shape, dims, keepdim, () => 0, (a, v) => a + v, (a, n) => a / n);
/** Position of the first max (or first NaN) along the reduced dims. */
function argRef(x: ArrayLike<number>, shape: number[], dim: number | null, keepdim: boolean, wantMax: boolean) {
  return reduceRef(x, shape, dim === null ? null : [dim], keepdim,
    () => ({ best: NaN, at: -1 }),
    (a, v, pos) => {
      if (a.at >= 0 && Number.isNaN(a.best)) return a;
      if (a.at < 0 || Number.isNaN(v) || (wantMax ? v > a.best : v < a.best)) return { best: v, at: pos };
      return a;
    },
    (a) => a.at);
}

const sumTol = (count: number) => ({ rtol: 1e-6, atol: count * 2 ** -23 });

forEachDevice('reductions', (device: Dev) => {
  const shape = [3, 4, 5];

  test('sum / mean over everything give 0-d tensors (keepdim: all ones)', () => {
    const { t, r } = rnd(shape, nextSeed(), device);
    const s = t.sum();
    expect(s.shape).toEqual([]);
    const tol = sumTol(60);
    expectClose([s.item()], sumRef(r, shape, null).v, tol.rtol, tol.atol);
    expectClose([t.mean().item()], meanRef(r, shape, null).v, tol.rtol, tol.atol / 60);
    expect(t.sum(null, true).shape).toEqual([1, 1, 1]);
    expect(t.mean(null, true).shape).toEqual([1, 1, 1]);
  });

  for (let d = -3; d < 3; ++d) {
    for (const keepdim of [false, true]) {
      test(`sum/mean/max/min/argmax/argmin over dim ${d}${keepdim ? ', keepdim' : ''}`, () => {
        const { t, r } = rnd(shape, nextSeed(), device);
        const n = shape[(d + 3) % 3];
        const tol = sumTol(n);
        const rs = sumRef(r, shape, [d], keepdim);
        const y = t.sum(d, keepdim);
        expect(y.shape).toEqual(rs.shape);
        expectClose(vals(y), rs.v, tol.rtol, tol.atol);
        expectClose(vals(t.mean(d, keepdim)), meanRef(r, shape, [d], keepdim).v, tol.rtol, tol.atol / n);
        const mx = t.max(d, keepdim);
        expect(mx.values.shape).toEqual(rs.shape);
        expect(mx.indices.shape).toEqual(rs.shape);
        expect(mx.indices.dtype).toBe('int32');
        expect(vals(mx.values)).toEqual(maxRef(r, shape, [d], keepdim).v);
        expect(vals(mx.indices)).toEqual(argRef(r, shape, d, keepdim, true).v);
        const [mnv, mni] = t.min(d, keepdim);  // destructures like PyTorch's namedtuple
        expect(vals(mnv)).toEqual(minRef(r, shape, [d], keepdim).v);
        expect(vals(mni)).toEqual(argRef(r, shape, d, keepdim, false).v);
        expect(vals(t.argmax(d, keepdim))).toEqual(argRef(r, shape, d, keepdim, true).v);
        expect(vals(t.argmin(d, keepdim))).toEqual(argRef(r, shape, d, keepdim, false).v);
        expect(t.argmax(d, keepdim).shape).toEqual(rs.shape);
      });
    }
  }

  for (const dims of [[0, 2], [2, 0], [-1, 1], [0, 1, 2], [1]]) {
    for (const keepdim of [false, true]) {
      test(`sum/mean over dims [${dims}]${keepdim ? ', keepdim' : ''}`, () => {
        const { t, r } = rnd(shape, nextSeed(), device);
        const count = dims.reduce((n, d) => n * shape[(d + 3) % 3], 1);
        const tol = sumTol(count);
        const rs = sumRef(r, shape, dims, keepdim);
        const y = t.sum(dims, keepdim);
        expect(y.shape).toEqual(rs.shape);
        expectClose(vals(y), rs.v, tol.rtol, tol.atol);
        expectClose(vals(t.mean(dims, keepdim)), meanRef(r, shape, dims, keepdim).v, tol.rtol, tol.atol / count);
      });
    }
  }

  test('an empty dim list reduces over everything (torch.sum(x, dim=[]))', () => {
    const { t, r } = rnd([4, 5], nextSeed(), device);
    const tol = sumTol(20);
    expect(t.sum([]).shape).toEqual([]);
    expectClose([t.t().sum([]).item()], sumRef(r, [4, 5], null).v, tol.rtol, tol.atol);
    expectClose([t.mean([]).item()], meanRef(r, [4, 5], null).v, tol.rtol, tol.atol);
  });

  test('global max/min/argmax/argmin (argmax indexes the flattened tensor)', () => {
    const { t, r } = rnd(shape, nextSeed(), device);
    expect(t.max().shape).toEqual([]);
    expect(t.max().item()).toBe(maxRef(r, shape, null).v[0]);
    expect(t.min().item()).toBe(minRef(r, shape, null).v[0]);
    expect(t.argmax().item()).toBe(argRef(r, shape, null, false, true).v[0]);
    expect(t.argmin().item()).toBe(argRef(r, shape, null, false, false).v[0]);
    expect(t.argmax(null, true).shape).toEqual([1, 1, 1]);
  });

  test('non-contiguous inputs: permuted, narrowed, expanded', () => {
    const base = rnd([5, 6, 7], nextSeed(), device);
    const p = base.t.permute(2, 0, 1).narrow(1, 1, 3);  // [7, 3, 6]
    const pShape = [7, 3, 6];
    const pRef = gather(base.r, pShape, [1, 42, 7], 42);
    expect(p.isContiguous()).toBe(false);
    const tol = sumTol(126);
    expectClose([p.sum().item()], sumRef(pRef, pShape, null).v, tol.rtol, tol.atol);
    for (let d = 0; d < 3; ++d) {
      expectClose(vals(p.sum(d)), sumRef(pRef, pShape, [d]).v, tol.rtol, tol.atol);
      expectClose(vals(p.mean(d, true)), meanRef(pRef, pShape, [d], true).v, tol.rtol, tol.atol);
      expect(vals(p.max(d).values)).toEqual(maxRef(pRef, pShape, [d]).v);
      expect(vals(p.argmin(d))).toEqual(argRef(pRef, pShape, d, false, false).v);
    }
    expectClose(vals(p.sum([0, 2])), sumRef(pRef, pShape, [0, 2]).v, tol.rtol, tol.atol);
    expect(p.max().item()).toBe(maxRef(pRef, pShape, null).v[0]);
    expect(p.argmax().item()).toBe(argRef(pRef, pShape, null, false, true).v[0]);
    const row = rnd([6], nextSeed(), device);
    const e = row.t.expand(4, 6);
    expectClose(vals(e.sum(0)), Array.from(row.r, (v) => 4 * v), 1e-6, 0);
    expect(vals(e.argmax(1))).toEqual(new Float64Array(4).fill(argRef(row.r, [6], 0, false, true).v[0]));
  });

  test('a long sum (100 000 elements) stays accurate', () => {
    const n = 100000;
    const { t, r } = rnd([n], nextSeed(), device, 0, 1);
    let exact = 0;
    for (const v of r) exact += v;
    expectClose([t.sum().item()], [exact], 1e-6, 0);
    expectClose([t.mean().item()], [exact / n], 1e-6, 0);
    const m = t.reshape(100, 1000);
    const rows = sumRef(r, [100, 1000], [1]).v;
    expectClose(vals(m.sum(1)), rows, 1e-6, 1e-6);
  });

  test('large non-contiguous inputs (multi-threaded reduction paths)', () => {
    const base = rnd([300, 257], nextSeed(), device);
    const shapeT = [257, 300];
    const tRef = gather(base.r, shapeT, [1, 257]);
    const t = base.t.t();
    for (const d of [0, 1]) {
      const tol = sumTol(shapeT[d]);
      expectClose(vals(t.sum(d)), sumRef(tRef, shapeT, [d]).v, tol.rtol, tol.atol);
      expect(vals(t.max(d).values)).toEqual(maxRef(tRef, shapeT, [d]).v);
      expect(vals(t.argmin(d))).toEqual(argRef(tRef, shapeT, d, false, false).v);
    }
    const tol = sumTol(shapeT[0] * shapeT[1]);
    expectClose([t.sum().item()], sumRef(tRef, shapeT, null).v, tol.rtol, tol.atol);
  });

  test('NaN propagates: sum/mean give NaN; max/min give NaN and argmax/argmin its position', () => {
    const x = tn.tensor([[1, NaN, 3, 9], [4, 5, 6, -1]], { dtype: 'float32', device });
    expect(x.sum().item()).toBeNaN();
    expect(x.mean().item()).toBeNaN();
    expect(x.max().item()).toBeNaN();
    expect(x.min().item()).toBeNaN();
    expect(x.argmax().item()).toBe(1);
    expect(x.argmin().item()).toBe(1);
    const s = Array.from(x.sum(1).dataSync());
    expect(s[0]).toBeNaN();
    expect(s[1]).toBe(14);
    const mx = x.max(1);
    expect(mx.values.dataSync()[0]).toBeNaN();
    expect(mx.values.dataSync()[1]).toBe(6);
    expect(Array.from(mx.indices.dataSync())).toEqual([1, 2]);
    const mn = x.min(0);
    expect(Array.from(mn.indices.dataSync())).toEqual([0, 0, 0, 1]);
    expect(mn.values.dataSync()[1]).toBeNaN();
    expect(Array.from(x.argmax(0).dataSync())).toEqual([1, 0, 1, 0]);
    // A NaN after the maximum still wins; the first NaN's position is reported.
    const late = tn.tensor([9, 1, NaN, NaN], { dtype: 'float32', device });
    expect(late.argmax().item()).toBe(2);
    expect(late.max(0).indices.item()).toBe(2);
  });

  test('infinities are ordinary extremes', () => {
    const x = tn.tensor([1, -Infinity, Infinity, 0], { dtype: 'float32', device });
    expect(x.max().item()).toBe(Infinity);
    expect(x.argmin().item()).toBe(1);
    expect(x.sum().item()).toBeNaN();
  });

  test('ties: argmax/argmin and max(dim).indices pick the first occurrence', () => {
    const x = tn.tensor([[2, 5, 5, 1], [3, 3, 0, 0]], { dtype: 'float32', device });
    expect(Array.from(x.argmax(1).dataSync())).toEqual([1, 0]);
    expect(Array.from(x.argmin(1).dataSync())).toEqual([3, 2]);
    expect(Array.from(x.max(1).indices.dataSync())).toEqual([1, 0]);
    expect(x.argmax().item()).toBe(1);
  });

  test('int32: sum stays int32 and exact, max/min/argmax work, mean is refused', () => {
    const data = [[7, -3, 12], [100000, 5, -8], [0, 2, 2]];
    const x = tn.tensor(data, { device });
    expect(x.dtype).toBe('int32');
    expect(x.sum().dtype).toBe('int32');
    expect(x.sum().item()).toBe(100017);
    expect(x.sum(0).toArray()).toEqual([100007, 4, 6]);
    expect(x.sum(1, true).toArray()).toEqual([[16], [99997], [4]]);
    expect(x.t().sum(0).toArray()).toEqual([16, 99997, 4]);
    expect(x.max().item()).toBe(100000);
    expect(x.max(1).values.toArray()).toEqual([12, 100000, 2]);
    expect(x.max(1).values.dtype).toBe('int32');
    expect(x.min(0).indices.toArray()).toEqual([2, 0, 1]);
    expect(x.argmax().item()).toBe(3);
    expect(x.argmin(1).toArray()).toEqual([1, 2, 0]);
    expect(() => x.mean()).toThrow(TypeError);
    expect(() => x.mean()).toThrow('Input dtype must be either a floating point or complex dtype. Got: int32');
  });

  test('0-d inputs: every reduction returns the value itself; dim must be 0 or -1', () => {
    const s = tn.tensor(2.5, { device });
    expect(s.sum().item()).toBe(2.5);
    expect(s.sum(0).item()).toBe(2.5);
    expect(s.mean(-1).item()).toBe(2.5);
    expect(s.max().item()).toBe(2.5);
    expect(s.max(0).values.item()).toBe(2.5);
    expect(s.max(0).indices.item()).toBe(0);
    expect(s.argmax(0).item()).toBe(0);
    expect(() => s.sum(1)).toThrow('Dimension out of range (expected to be in range of [-1, 0], but got 1)');
    expect(() => s.mean([2])).toThrow(RangeError);
  });

  test('empty tensors: sum is 0, mean is NaN, max/argmax need a non-empty dim', () => {
    const e = tn.zeros(0, 3, { device });
    expect(e.sum().item()).toBe(0);
    expect(e.sum(0).toArray()).toEqual([0, 0, 0]);
    expect(e.sum(1).shape).toEqual([0]);
    expect(e.mean().item()).toBeNaN();
    expect(e.max(1).values.shape).toEqual([0]);
    expect(() => e.max()).toThrow('Expected reduction dim to be specified for input.numel() == 0');
    expect(() => e.max(0)).toThrow('Expected reduction dim 0 to have non-zero size');
    expect(() => e.argmax()).toThrow(RangeError);
  });

  test('reduction errors: repeated dims, out-of-range dims', () => {
    const x = tn.zeros(2, 3, { device });
    expect(() => x.sum([0, 0])).toThrow('dim appears multiple times in the list of dims');
    expect(() => x.sum([1, -1])).toThrow('dim appears multiple times');
    expect(() => x.sum(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => x.max(-3)).toThrow(RangeError);
    expect(() => x.argmax(5)).toThrow('Dimension out of range');
  });

  test('oneHot: float32 [...indices.shape, C], from contiguous or strided int32 indices', () => {
    const idx = tn.tensor([[2, 0, 1], [1, 1, 3]], { device });
    const h = tn.oneHot(idx, 4);
    expect(h.shape).toEqual([2, 3, 4]);
    expect(h.dtype).toBe('float32');
    const ref = [[2, 0, 1], [1, 1, 3]].map((row) => row.map((c) => [0, 1, 2, 3].map((j) => (j === c ? 1 : 0))));
    expect(h.toArray()).toEqual(ref);
    expect(tn.oneHot(idx.t(), 4).toArray()).toEqual([0, 1, 2].map((j) => [0, 1].map((i) => ref[i][j])));
    expect(tn.oneHot(tn.tensor(3, { device }), 5).toArray()).toEqual([0, 0, 0, 1, 0]);
    expect(tn.oneHot(tn.zeros(0, { dtype: 'int32', device }), 3).shape).toEqual([0, 3]);
    expect(() => tn.oneHot(tn.zeros(2, { device }), 3)).toThrow('oneHot: expected int32 class indices but received float32');
    expect(() => tn.oneHot(idx, -1)).toThrow(RangeError);
  });

  test('oneHot: out-of-range classes are refused on cpu (device kernels mark the row NaN)', () => {
    for (const bad of [[0, 4], [-1, 0]]) {
      const idx = tn.tensor(bad, { device });
      if (device === 'cpu') {
        expect(() => tn.oneHot(idx, 4)).toThrow(RangeError);
        expect(() => tn.oneHot(idx, 4)).toThrow(bad[1] === 4 ? 'Class values must be smaller than num_classes.' : 'Class values must be non-negative.');
      } else {
        const rows = tn.oneHot(idx, 4).toArray() as number[][];
        const badRow = bad[0] < 0 ? 0 : 1;
        expect(rows[badRow].every(Number.isNaN)).toBe(true);
        expect(rows[1 - badRow]).toEqual([1, 0, 0, 0]);
      }
    }
  });
});
