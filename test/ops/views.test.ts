/**
 * Shape ops: reshape view transpose t T permute flatten unsqueeze squeeze expand narrow select
 * slice contiguous clone cat stack. Values are compared with a gather over the reference's
 * row-major buffer (exact: no arithmetic), shapes and strides with PyTorch's, and storage sharing
 * is checked the way a user sees it: write into the Float32Array behind a fromArray tensor and
 * read through the result — views must see the write, copies must not.
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { numel, randomValues, strides as rowMajor, unravel } from '../helpers/reference';
import { type Dev, gather, nextSeed, ravel, rnd, vals } from './util';

/** Reference permute: out[idx] = x[idx mapped back through dims]. */
function permuteRef(x: ArrayLike<number>, shape: number[], dims: number[]): Float64Array {
  const st = rowMajor(shape);
  return gather(x, dims.map((d) => shape[d]), dims.map((d) => st[d]));
}

forEachDevice('views: values and shapes', (device: Dev) => {
  test('reshape/view with -1, to and from 0-d, and of size-0 tensors', () => {
    const { t, r } = rnd([2, 3, 4], nextSeed(), device);
    for (const s of [[24], [4, 6], [-1, 8], [2, -1, 2], [1, 24, 1], [2, 3, 2, 2]]) {
      const v = t.reshape(s);
      const w = t.view(...s);
      expect(v.numel()).toBe(24);
      expect(vals(v)).toEqual(r);
      expect(vals(w)).toEqual(r);
    }
    expect(t.reshape(-1, 6).shape).toEqual([4, 6]);
    expect(t.view([3, -1]).shape).toEqual([3, 8]);
    const s = tn.tensor([2.5], { device }).reshape([]);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(2.5);
    expect(s.reshape(1, 1).shape).toEqual([1, 1]);
    expect(tn.zeros(0, 3, { device }).reshape(3, 0, 5).shape).toEqual([3, 0, 5]);
  });

  test('reshape of a non-viewable layout copies in row-major order of the logical tensor', () => {
    const { t, r } = rnd([3, 5], nextSeed(), device);
    const y = t.t().reshape(15);  // transposed: must be the transposed order
    expect(vals(y)).toEqual(gather(r, [5, 3], [1, 5]));
    expect(vals(t.t().flatten())).toEqual(gather(r, [5, 3], [1, 5]));
  });

  test('view of a compatible non-contiguous layout is allowed (split/merge within contiguous runs)', () => {
    const { t, r } = rnd([4, 6, 5], nextSeed(), device);
    const n = t.narrow(2, 1, 3);  // [4, 6, 3], strides [30, 5, 1]
    const v = n.view(2, 2, 6, 3);  // splitting dim 0 is fine
    expect(v.stride()).toEqual([60, 30, 5, 1]);
    expect(vals(v)).toEqual(gather(r, [4, 6, 3], [30, 5, 1], 1));
    const p = t.permute(1, 0, 2);  // [6, 4, 5], strides [5, 30, 1]
    expect(p.view(6, 4, 5).stride()).toEqual([5, 30, 1]);
    expect(() => p.view(24, 5)).toThrow("view size is not compatible with input tensor's size and stride");
  });

  test('transpose / t / T / permute', () => {
    const { t, r } = rnd([2, 3, 4], nextSeed(), device);
    expect(vals(t.transpose(0, 2))).toEqual(permuteRef(r, [2, 3, 4], [2, 1, 0]));
    expect(vals(t.transpose(-1, 1))).toEqual(permuteRef(r, [2, 3, 4], [0, 2, 1]));
    expect(t.transpose(1, 1).shape).toEqual([2, 3, 4]);
    for (const dims of [[0, 1, 2], [2, 0, 1], [1, 2, 0], [-1, -3, -2]]) {
      const p = t.permute(dims);
      const norm = dims.map((d) => (d + 3) % 3);
      expect(p.shape).toEqual(norm.map((d) => [2, 3, 4][d]));
      expect(vals(p)).toEqual(permuteRef(r, [2, 3, 4], norm));
      expect(vals(t.permute(...dims))).toEqual(vals(p));
    }
    expect(vals(t.T)).toEqual(permuteRef(r, [2, 3, 4], [2, 1, 0]));
    const m = rnd([3, 5], nextSeed(), device);
    expect(m.t.t().shape).toEqual([5, 3]);
    expect(m.t.t().stride()).toEqual([1, 5]);
    expect(vals(m.t.t())).toEqual(permuteRef(m.r, [3, 5], [1, 0]));
    const v = rnd([4], nextSeed(), device);
    expect(vals(v.t.t())).toEqual(v.r);  // t() of a 1-D tensor is itself
    expect(tn.tensor(1.5, { device }).t().shape).toEqual([]);
  });

  test('flatten(start, end)', () => {
    const { t, r } = rnd([2, 3, 4, 5], nextSeed(), device);
    expect(t.flatten().shape).toEqual([120]);
    expect(t.flatten(1).shape).toEqual([2, 60]);
    expect(t.flatten(1, 2).shape).toEqual([2, 12, 5]);
    expect(t.flatten(0, -2).shape).toEqual([24, 5]);
    expect(t.flatten(2, 2).shape).toEqual([2, 3, 4, 5]);
    expect(vals(t.flatten(1, 2))).toEqual(r);
    expect(tn.tensor(3, { device }).flatten().shape).toEqual([1]);
    // flatten of a permuted tensor copies in logical order.
    expect(vals(t.permute(3, 2, 1, 0).flatten())).toEqual(permuteRef(r, [2, 3, 4, 5], [3, 2, 1, 0]));
  });

  test('unsqueeze / squeeze', () => {
    const { t, r } = rnd([3, 1, 4], nextSeed(), device);
    expect(t.unsqueeze(0).shape).toEqual([1, 3, 1, 4]);
    expect(t.unsqueeze(3).shape).toEqual([3, 1, 4, 1]);
    expect(t.unsqueeze(-1).shape).toEqual([3, 1, 4, 1]);
    expect(t.unsqueeze(-4).shape).toEqual([1, 3, 1, 4]);
    expect(t.unsqueeze(2).shape).toEqual([3, 1, 1, 4]);
    expect(vals(t.unsqueeze(2))).toEqual(r);
    expect(t.squeeze().shape).toEqual([3, 4]);
    expect(t.squeeze(1).shape).toEqual([3, 4]);
    expect(t.squeeze(0).shape).toEqual([3, 1, 4]);  // not size 1: unchanged
    expect(t.squeeze(-2).shape).toEqual([3, 4]);
    expect(vals(t.squeeze())).toEqual(r);
    expect(tn.ones(1, 1, { device }).squeeze().shape).toEqual([]);
    expect(tn.tensor(2, { device }).unsqueeze(0).shape).toEqual([1]);
    // unsqueeze of a non-contiguous view keeps reading the right elements.
    const m = rnd([4, 6], nextSeed(), device);
    const u = m.t.t().unsqueeze(1);
    expect(u.shape).toEqual([6, 1, 4]);
    expect(vals(u)).toEqual(permuteRef(m.r, [4, 6], [1, 0]));
  });

  test('narrow / select / slice, including negative indices and clamped slice bounds', () => {
    const { t, r } = rnd([5, 6], nextSeed(), device);
    expect(vals(t.narrow(0, 1, 3))).toEqual(gather(r, [3, 6], [6, 1], 6));
    expect(vals(t.narrow(1, 2, 4))).toEqual(gather(r, [5, 4], [6, 1], 2));
    expect(vals(t.narrow(-1, -2, 2))).toEqual(gather(r, [5, 2], [6, 1], 4));
    expect(t.narrow(0, 5, 0).shape).toEqual([0, 6]);
    expect(vals(t.select(0, 2))).toEqual(r.slice(12, 18));
    expect(vals(t.select(1, -1))).toEqual(gather(r, [5], [6], 5));
    expect(vals(t.slice(1, 3))).toEqual(r.slice(6, 18));
    expect(vals(t.slice(-2))).toEqual(r.slice(18));
    expect(vals(t.slice(null, -3))).toEqual(r.slice(0, 12));
    expect(vals(t.slice(2, 100))).toEqual(r.slice(12));
    expect(t.slice(4, 2).shape).toEqual([0, 6]);
    expect(t.slice(-100, 1).shape).toEqual([1, 6]);
    expect(vals(t.slice(1, 4, 1))).toEqual(gather(r, [5, 3], [6, 1], 1));
    expect(vals(t.slice())).toEqual(r);
    // Views of views accumulate offsets.
    const v = t.narrow(0, 1, 4).narrow(1, 1, 4).select(0, 2).slice(1, 3);
    expect(Array.from(vals(v))).toEqual([r[3 * 6 + 2], r[3 * 6 + 3]]);
  });

  test('expand', () => {
    const { t, r } = rnd([1, 3], nextSeed(), device);
    const e = t.expand(4, 3);
    expect(e.shape).toEqual([4, 3]);
    expect(vals(e)).toEqual(gather(r, [4, 3], [0, 1]));
    expect(t.expand([2, 4, -1]).shape).toEqual([2, 4, 3]);
    expect(tn.tensor(7, { device }).expand(2, 2).toArray()).toEqual([[7, 7], [7, 7]]);
  });

  test('contiguous returns the tensor itself when already contiguous, a packed copy otherwise', () => {
    const { t, r } = rnd([3, 4], nextSeed(), device);
    expect(t.contiguous()).toBe(t);
    const c = t.t().contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.stride()).toEqual([3, 1]);
    expect(vals(c)).toEqual(permuteRef(r, [3, 4], [1, 0]));
    const cl = t.clone();
    expect(cl).not.toBe(t);
    expect(cl.storage).not.toBe(t.storage);
    expect(vals(cl)).toEqual(r);
    expect(vals(t.t().clone())).toEqual(permuteRef(r, [3, 4], [1, 0]));
    // int32 tensors go through the same paths.
    const i = tn.arange(6, { device }).reshape(2, 3);
    expect(i.t().contiguous().toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  test('cat along every dim, negative dim, non-contiguous and size-0 inputs', () => {
    const a = rnd([2, 3, 4], nextSeed(), device);
    const b = rnd([2, 3, 4], nextSeed(), device);
    for (let d = 0; d < 3; ++d) {
      const bb = rnd([2, 3, 4].map((s, k) => (k === d ? s + 1 : s)), nextSeed(), device);
      const y = tn.cat([a.t, bb.t], d);
      const shape = [2, 3, 4].map((s, k) => (k === d ? 2 * s + 1 : s));
      expect(y.shape).toEqual(shape);
      const ref = new Float64Array(numel(shape));
      for (let i = 0; i < ref.length; ++i) {
        const idx = unravel(i, shape);
        const fromA = idx[d] < [2, 3, 4][d];
        if (fromA) ref[i] = a.r[ravel(idx, [2, 3, 4])];
        else {
          const j = idx.slice();
          j[d] -= [2, 3, 4][d];
          ref[i] = bb.r[ravel(j, bb.t.shape)];
        }
      }
      expect(vals(y)).toEqual(ref);
    }
    expect(tn.cat([a.t, b.t], -1).shape).toEqual([2, 3, 8]);
    // Non-contiguous inputs and an empty piece.
    const tt = tn.cat([a.t.transpose(0, 2), tn.zeros(0, 3, 2, { device }), b.t.transpose(0, 2)], 0);
    expect(tt.shape).toEqual([8, 3, 2]);
    expect(vals(tt)).toEqual(Float64Array.from([...permuteRef(a.r, [2, 3, 4], [2, 1, 0]), ...permuteRef(b.r, [2, 3, 4], [2, 1, 0])]));
    expect(vals(tn.cat([a.t]))).toEqual(a.r);
    const ints = tn.cat([tn.arange(3, { device }), tn.arange(2, { device })]);
    expect(ints.dtype).toBe('int32');
    expect(ints.toArray()).toEqual([0, 1, 2, 0, 1]);
  });

  test('stack along every dim (including the new last one)', () => {
    const xs = [0, 1, 2].map(() => rnd([2, 3], nextSeed(), device));
    for (const d of [0, 1, 2, -1, -3]) {
      const y = tn.stack(xs.map((x) => x.t), d);
      const nd = (d + 3) % 3;
      const shape = [2, 3];
      shape.splice(nd, 0, 3);
      expect(y.shape).toEqual(shape);
      const ref = new Float64Array(18);
      for (let i = 0; i < 18; ++i) {
        const idx = unravel(i, shape);
        const which = idx[nd];
        idx.splice(nd, 1);
        ref[i] = xs[which].r[ravel(idx, [2, 3])];
      }
      expect(vals(y)).toEqual(ref);
    }
    // Non-contiguous pieces.
    const y = tn.stack([xs[0].t.t(), xs[1].t.t()], 1);
    expect(y.shape).toEqual([3, 2, 2]);
    expect(vals(y.select(1, 1))).toEqual(permuteRef(xs[1].r, [2, 3], [1, 0]));
  });
});

describe('views: which results share storage (fromArray-backed input, cpu)', () => {
  function base(): { arr: Float32Array; x: tn.Tensor } {
    const arr = Float32Array.from(randomValues(24, nextSeed()));
    return { arr, x: tn.fromArray(arr, [2, 3, 4]) };
  }

  /** Writes a marker into arr at flat position `at` and reports whether `y` saw it. */
  function sees(arr: Float32Array, y: tn.Tensor, at: number): boolean {
    const before = vals(y);
    arr[at] = 1234.5;
    const after = vals(y);
    return !after.every((v, i) => v === before[i]) && after.includes(1234.5);
  }

  const VIEWS: [string, (x: tn.Tensor) => tn.Tensor, number][] = [
    ['view', (x) => x.view(6, 4), 7],
    ['reshape (compatible)', (x) => x.reshape(-1), 7],
    ['transpose', (x) => x.transpose(0, 2), 7],
    ['t', (x) => x.select(0, 1).t(), 12 + 5],
    ['T', (x) => x.T, 7],
    ['permute', (x) => x.permute(1, 2, 0), 7],
    ['flatten (contiguous)', (x) => x.flatten(1), 7],
    ['unsqueeze', (x) => x.unsqueeze(1), 7],
    ['squeeze', (x) => x.narrow(0, 1, 1).squeeze(0), 13],
    ['expand', (x) => x.narrow(0, 0, 1).expand(5, 3, 4), 7],
    ['narrow', (x) => x.narrow(2, 1, 2), 5],
    ['select', (x) => x.select(1, 2), 9],
    ['slice', (x) => x.slice(1), 12 + 3],
    ['contiguous (already contiguous)', (x) => x.contiguous(), 7],
    ['detach', (x) => x.detach(), 7],
    ['view of a view of a view', (x) => x.transpose(0, 1).narrow(0, 1, 2).select(2, 3), 4 + 3],
  ];
  for (const [name, f, at] of VIEWS) {
    test(`${name} is a view: writes to the source array show through`, () => {
      const { arr, x } = base();
      const y = f(x);
      expect(y.storage).toBe(x.storage);
      expect(sees(arr, y, at)).toBe(true);
    });
  }

  const COPIES: [string, (x: tn.Tensor) => tn.Tensor][] = [
    ['clone', (x) => x.clone()],
    ['contiguous (of a transpose)', (x) => x.transpose(1, 2).contiguous()],
    ['reshape (incompatible layout)', (x) => x.transpose(0, 1).reshape(-1)],
    ['flatten (of a permute)', (x) => x.permute(2, 1, 0).flatten()],
    ['cat', (x) => tn.cat([x, x], 1)],
    ['stack', (x) => tn.stack([x, x])],
    ['tensor(x)', (x) => tn.tensor(x)],
    ['elementwise result', (x) => x.add(0)],
  ];
  for (const [name, f] of COPIES) {
    test(`${name} copies: later writes to the source do not show`, () => {
      const { arr, x } = base();
      const y = f(x);
      expect(y.storage).not.toBe(x.storage);
      expect(sees(arr, y, 7)).toBe(false);
    });
  }

  test('fromArray shares both ways; tensor() of a typed array copies', () => {
    const arr = new Float32Array([1, 2, 3, 4]);
    const x = tn.fromArray(arr, [2, 2]);
    arr[1] = 9;
    expect(x.toArray()).toEqual([[1, 9], [3, 4]]);
    x.select(0, 1).fill_(-1);
    expect(Array.from(arr)).toEqual([1, 9, -1, -1]);
    const c = tn.tensor(arr, { shape: [2, 2] });
    arr[0] = 100;
    expect(c.toArray()).toEqual([[1, 9], [-1, -1]]);
  });
});

forEachDevice('views: writes through a view reach the base tensor', (device: Dev) => {
  test('fill_ on narrow/select/transpose views lands in the right elements of the base', () => {
    const x = tn.zeros(3, 4, { device });
    x.narrow(1, 1, 2).fill_(1);
    x.select(0, 2).fill_(2);
    x.t().select(0, 0).fill_(3);  // column 0
    expect(x.toArray()).toEqual([[3, 1, 1, 0], [3, 1, 1, 0], [3, 2, 2, 2]]);
  });
});
