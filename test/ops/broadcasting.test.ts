/**
 * NumPy broadcasting across op families: every pairing of shapes (0-d, leading dims added,
 * size-1 dims stretched on either side or both, zero-size dims), on the binary kernels and on
 * expand()ed views, compared against the unravel-index reference. Values are checked with
 * add/mul (correctly rounded, so rtol is one float32 ulp).
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { expectClose } from '../helpers/reference';
import { type Dev, binaryRef, broadcastShape, gather, nextSeed, rnd, vals } from './util';

const ULP = 1.2e-7;

const PAIRS: [number[], number[]][] = [
  [[], []],
  [[], [3, 4]],
  [[3, 4], []],
  [[4], [3, 4]],
  [[3, 1], [1, 4]],
  [[1], [5]],
  [[2, 1, 3], [4, 1]],
  [[5, 1, 4, 1], [3, 1, 2]],
  [[1, 1, 1], [2, 3, 4]],
  [[2, 3, 4], [2, 3, 4]],
  [[6, 1], [6, 7]],
  [[1, 2, 1, 2, 1, 2, 1, 2], [2, 1, 2, 1, 2, 1, 2, 1]],  // 8 dims, the maximum
  [[0, 3], [1, 3]],
  [[2, 0, 1], [3]],
];

forEachDevice('broadcasting', (device: Dev) => {
  for (const [sa, sb] of PAIRS) {
    test(`[${sa}] with [${sb}] → [${broadcastShape(sa, sb)}]`, () => {
      const a = rnd(sa, nextSeed(), device);
      const b = rnd(sb, nextSeed(), device);
      const sum = a.t.add(b.t);
      const prod = b.t.mul(a.t);  // broadcasting is symmetric
      const refSum = binaryRef(a.r, sa, b.r, sb, (x, y) => x + y);
      const refProd = binaryRef(b.r, sb, a.r, sa, (x, y) => x * y);
      expect(sum.shape).toEqual(refSum.shape);
      expect(prod.shape).toEqual(refSum.shape);
      expectClose(vals(sum), refSum.v, ULP, 0);
      expectClose(vals(prod), refProd.v, ULP, 0);
    });
  }

  test('a broadcast operand that is itself a non-contiguous view', () => {
    const a = rnd([4, 6], nextSeed(), device);
    const col = a.t.narrow(1, 2, 1);  // [4, 1], stride [6, 1], offset 2
    const row = a.t.select(0, 3).unsqueeze(0);  // [1, 6], offset 18
    const y = col.sub(row);
    const ref = binaryRef(gather(a.r, [4, 1], [6, 1], 2), [4, 1], gather(a.r, [1, 6], [6, 1], 18), [1, 6], (x, z) => x - z);
    expect(y.shape).toEqual([4, 6]);
    expectClose(vals(y), ref.v, ULP, 0);
  });

  test('expand() gives stride-0 views that read like the broadcast and share storage', () => {
    const a = rnd([3, 1], nextSeed(), device);
    const e = a.t.expand(2, 3, 4);
    expect(e.shape).toEqual([2, 3, 4]);
    expect(e.stride()).toEqual([0, 1, 0]);
    expect(e.storage).toBe(a.t.storage);
    expect(vals(e)).toEqual(binaryRef(a.r, [3, 1], new Float64Array(24), [2, 3, 4], (x) => x).v);
    // -1 keeps a size; expanding then reducing equals multiplying by the copy count.
    const k = a.t.expand(-1, 5);
    expect(k.shape).toEqual([3, 5]);
    expectClose(vals(k.sum(1)), Array.from(a.r, (v) => 5 * v), 1e-6, 0);
    // Elementwise ops read expanded views correctly.
    const b = rnd([2, 3, 4], nextSeed(), device);
    expectClose(vals(e.mul(b.t)), binaryRef(a.r, [3, 1], b.r, [2, 3, 4], (x, y) => x * y).v, ULP, 0);
  });

  test('broadcast output is contiguous and independent of the inputs', () => {
    const a = rnd([3, 1], nextSeed(), device);
    const y = a.t.add(tn.zeros(1, 4, { device }));
    expect(y.isContiguous()).toBe(true);
    expect(y.storage).not.toBe(a.t.storage);
  });

  test('broadcasting errors use PyTorch\'s message, naming the first mismatched dim', () => {
    const a = tn.zeros(2, 3, { device });
    expect(() => a.add(tn.zeros(2, 4, { device }))).toThrow(
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1');
    expect(() => tn.zeros(5, 2, 3, { device }).mul(tn.zeros(4, 1, 3, { device }))).toThrow(
      'The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0');
    expect(() => a.sub(tn.zeros(3, 2, { device }))).toThrow(tn.ShapeError);
    expect(() => a.expand(4, 3)).toThrow(
      'The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]');
  });
});
