/**
 * softmax / logSoftmax over every dim (positive and negative), on non-contiguous inputs, with
 * large logits (stability), -inf entries, all -inf rows, NaN, and 0-d / size-1 / empty inputs,
 * against a float64 reference that subtracts the row maximum.
 *
 * Tolerances: softmax values are in (0, 1]: rtol 1e-5, atol 1e-7. log-softmax: atol 2e-6 +
 * rtol 1e-5 (it is a difference of O(|x|) terms, so its absolute error scales with the logits).
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { expectClose, numel, unravel } from '../helpers/reference';
import { type Dev, gather, nextSeed, ravel, rnd, vals } from './util';

const SM = { rtol: 1e-5, atol: 1e-7 };
const LSM = { rtol: 1e-5, atol: 2e-6 };

function softmaxRef(x: ArrayLike<number>, shape: number[], dim: number, log: boolean): Float64Array {
  const d = dim < 0 ? dim + shape.length : dim;
  const out = new Float64Array(numel(shape));
  const len = shape[d];
  for (let i = 0; i < out.length; ++i) {
    const idx = unravel(i, shape);
    if (idx[d] !== 0) continue;  // handle each row once, from its first element
    const pos = (j: number) => { const k = idx.slice(); k[d] = j; return ravel(k, shape); };
    let mx = -Infinity;
    for (let j = 0; j < len; ++j) mx = Math.max(mx, x[pos(j)]);
    let s = 0;
    for (let j = 0; j < len; ++j) s += Math.exp(x[pos(j)] - mx);
    for (let j = 0; j < len; ++j) out[pos(j)] = log ? x[pos(j)] - mx - Math.log(s) : Math.exp(x[pos(j)] - mx) / s;
  }
  return out;
}

forEachDevice('softmax', (device: Dev) => {
  const shape = [3, 4, 5];
  for (let dim = -3; dim < 3; ++dim) {
    test(`softmax and logSoftmax over dim ${dim} of [${shape}]`, () => {
      const { t, r } = rnd(shape, nextSeed(), device, -4, 4);
      const y = t.softmax(dim);
      expect(y.shape).toEqual(shape);
      expectClose(vals(y), softmaxRef(r, shape, dim, false), SM.rtol, SM.atol);
      expectClose(vals(t.logSoftmax(dim)), softmaxRef(r, shape, dim, true), LSM.rtol, LSM.atol);
      // Rows sum to one.
      expectClose(vals(y.sum(dim)), new Float64Array(60 / shape[(dim + 3) % 3]).fill(1), 1e-6, 0);
    });
  }

  test('non-contiguous input (permuted and narrowed)', () => {
    const base = rnd([6, 5, 4], nextSeed(), device, -3, 3);
    const v = base.t.permute(2, 0, 1).narrow(2, 1, 3);  // [4, 6, 3]
    const vShape = [4, 6, 3];
    const vRef = gather(base.r, vShape, [1, 20, 4], 4);
    for (const dim of [0, 1, 2]) {
      expectClose(vals(v.softmax(dim)), softmaxRef(vRef, vShape, dim, false), SM.rtol, SM.atol);
      expectClose(vals(v.logSoftmax(dim)), softmaxRef(vRef, vShape, dim, true), LSM.rtol, LSM.atol);
    }
  });

  test('long rows (1000 classes)', () => {
    const { t, r } = rnd([4, 1000], nextSeed(), device, -10, 10);
    expectClose(vals(t.softmax(1)), softmaxRef(r, [4, 1000], 1, false), SM.rtol, 1e-9);
    expectClose(vals(t.logSoftmax(-1)), softmaxRef(r, [4, 1000], 1, true), LSM.rtol, 1e-5);
  });

  test('many rows, transposed (multi-threaded path), and an expanded (stride-0) input', () => {
    const base = rnd([300, 257], nextSeed(), device, -5, 5);
    const t = base.t.t();  // [257, 300]
    const tRef = gather(base.r, [257, 300], [1, 257]);
    for (const dim of [0, 1]) {
      expectClose(vals(t.softmax(dim)), softmaxRef(tRef, [257, 300], dim, false), SM.rtol, SM.atol);
      expectClose(vals(t.logSoftmax(dim)), softmaxRef(tRef, [257, 300], dim, true), LSM.rtol, LSM.atol);
    }
    const row = rnd([5], nextSeed(), device);
    const e = row.t.expand(3, 5);
    const eRef = gather(row.r, [3, 5], [0, 1]);
    expectClose(vals(e.softmax(1)), softmaxRef(eRef, [3, 5], 1, false), SM.rtol, SM.atol);
    expectClose(vals(e.softmax(0)), new Float64Array(15).fill(1 / 3), SM.rtol, SM.atol);
  });

  test('large logits stay finite and exact (max is subtracted first)', () => {
    const x = tn.tensor([[1000, 1001, 1002], [-1000, -1001, -1002], [3e38, 3e38, -3e38]], { dtype: 'float32', device });
    const r = Float64Array.from(x.dataSync());
    const y = vals(x.softmax(1));
    expect(y.every(Number.isFinite)).toBe(true);
    expectClose(y, softmaxRef(r, [3, 3], 1, false), SM.rtol, SM.atol);
    const l = vals(x.logSoftmax(1));
    expectClose(l.slice(0, 6), softmaxRef(r, [3, 3], 1, true).slice(0, 6), LSM.rtol, LSM.atol);
    expectClose(l.slice(6, 8), [-Math.LN2, -Math.LN2], 1e-6);
    expect(l[8]).toBeLessThan(-1e38);
  });

  test('-inf logits get probability 0 (log-probability -inf); an all -inf row is NaN', () => {
    const x = tn.tensor([[0, -Infinity, 1], [-Infinity, -Infinity, -Infinity]], { dtype: 'float32', device });
    const y = Array.from(x.softmax(1).dataSync());
    expectClose(y.slice(0, 3), [1 / (1 + Math.E), 0, Math.E / (1 + Math.E)], SM.rtol, SM.atol);
    expect(y[1]).toBe(0);
    expect(y.slice(3).every(Number.isNaN)).toBe(true);
    const l = Array.from(x.logSoftmax(1).dataSync());
    expect(l[1]).toBe(-Infinity);
    expectClose([l[0], l[2]], [-Math.log1p(Math.E), 1 - Math.log1p(Math.E)], 1e-6);
    expect(l.slice(3).every(Number.isNaN)).toBe(true);
  });

  test('+inf or NaN in a row makes that row NaN (as in PyTorch)', () => {
    const x = tn.tensor([[0, NaN, 1], [1, 2, 3]], { dtype: 'float32', device });
    const y = Array.from(x.softmax(1).dataSync());
    expect(y.slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(y.slice(3).every(Number.isFinite)).toBe(true);
  });

  test('size-1 dim gives ones (log: zeros); 0-d input works; empty input gives empty output', () => {
    const { t } = rnd([4, 1], nextSeed(), device);
    expect(Array.from(t.softmax(1).dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(t.logSoftmax(1).dataSync())).toEqual([0, 0, 0, 0]);
    const s = tn.tensor(3.5, { device });
    expect(s.softmax(0).shape).toEqual([]);
    expect(s.softmax(0).item()).toBe(1);
    expect(s.logSoftmax(-1).item()).toBe(0);
    expect(tn.zeros(0, 3, { device }).softmax(1).shape).toEqual([0, 3]);
  });

  test('errors: int32 input is refused (TypeError), dim out of range (RangeError)', () => {
    expect(() => tn.tensor([1, 2, 3], { device }).softmax(0)).toThrow(TypeError);
    expect(() => tn.tensor([1, 2, 3], { device }).softmax(0)).toThrow("not implemented for 'int32'");
    expect(() => tn.zeros(2, 3, { device }).softmax(2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => tn.zeros(2, 3, { device }).logSoftmax(-3)).toThrow(RangeError);
  });
});
