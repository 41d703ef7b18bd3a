/**
 * Conversions and reading values out: to(dtype) / float() / int() (truncation toward zero, as
 * a C cast and torch's .to(torch.int32)), to(device) / cpu(), item(), toArray(), dataSync() and
 * await data() — on contiguous, non-contiguous, 0-d and empty tensors. All exact: conversions
 * either preserve the value or round it once, and the reference rounds the same way.
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { type Dev, f32, gather, nextSeed, rnd, vals } from './util';

forEachDevice('conversions', (device: Dev) => {
  test('float32 → int32 truncates toward zero', () => {
    const x = tn.tensor([2.7, -2.7, 0.5, -0.5, 1e6 + 0.75, -123456.9, 3, -0], { dtype: 'float32', device });
    const i = x.to('int32');
    expect(i.dtype).toBe('int32');
    expect(i.device).toBe(device);
    expect(i.shape).toEqual([8]);
    expect(Array.from(i.dataSync())).toEqual([2, -2, 0, 0, 1000000, -123456, 3, 0]);
    expect(Array.from(x.int().dataSync())).toEqual(Array.from(i.dataSync()));
    // Random data: Math.trunc of the float32 value.
    const { t, r } = rnd([50], nextSeed(), device, -1000, 1000);
    expect(Array.from(t.int().dataSync())).toEqual(Array.from(r, Math.trunc));
  });

  test('int32 → float32 rounds to nearest float32 (2^24 + 1 is not representable)', () => {
    const x = tn.tensor([1, -7, 16777217, 2147483647, -2147483648], { device });
    expect(x.dtype).toBe('int32');
    const f = x.float();
    expect(f.dtype).toBe('float32');
    expect(Array.from(f.dataSync())).toEqual([1, -7, 16777216, 2147483648, -2147483648].map(f32));
    expect(Array.from(x.to('float32').dataSync())).toEqual(Array.from(f.dataSync()));
  });

  test('converting to the same dtype or device returns the tensor itself', () => {
    const { t } = rnd([3], nextSeed(), device);
    expect(t.to('float32')).toBe(t);
    expect(t.float()).toBe(t);
    expect(t.to(device)).toBe(t);
    const i = tn.tensor([1, 2], { device });
    expect(i.int()).toBe(i);
  });

  test('to(dtype) of a non-contiguous view converts the logical elements', () => {
    const { t, r } = rnd([4, 6], nextSeed(), device, -50, 50);
    const v = t.t().narrow(0, 1, 3);  // [3, 4], strides [1, 6], offset 1
    const i = v.int();
    expect(i.shape).toEqual([3, 4]);
    expect(Array.from(i.dataSync())).toEqual(Array.from(gather(r, [3, 4], [1, 6], 1), Math.trunc));
    expect(vals(i.float())).toEqual(gather(r, [3, 4], [1, 6], 1).map(Math.trunc));
  });

  test('cpu() / to("cpu") give a cpu tensor with the same values', () => {
    const { t, r } = rnd([2, 3], nextSeed(), device);
    const c = t.cpu();
    expect(c.device).toBe('cpu');
    expect(c.shape).toEqual([2, 3]);
    expect(vals(c)).toEqual(r);
    expect(vals(t.t().to('cpu'))).toEqual(gather(r, [3, 2], [1, 3]));
  });

  test('item() reads one-element tensors of any shape, of either dtype', () => {
    expect(tn.tensor(1.25, { device }).item()).toBe(1.25);
    expect(tn.tensor([[[-3]]], { device }).item()).toBe(-3);
    expect(tn.tensor([7], { device }).item()).toBe(7);
    const { t, r } = rnd([3, 4], nextSeed(), device);
    expect(t.select(0, 2).select(0, 1).item()).toBe(r[9]);
    expect(t.sum().item()).toBeCloseTo(r.reduce((a, b) => a + b, 0), 5);
    expect(() => t.item()).toThrow('a Tensor with 12 elements cannot be converted to Scalar');
    expect(() => t.item()).toThrow(RangeError);
    expect(() => tn.zeros(0, { device }).item()).toThrow('a Tensor with 0 elements cannot be converted to Scalar');
  });

  test('toArray() nests like the shape (a number for 0-d, [] for empty)', () => {
    const { t, r } = rnd([2, 3, 2], nextSeed(), device);
    const a = t.toArray() as number[][][];
    expect(a.length).toBe(2);
    expect(a[1].length).toBe(3);
    expect(a[1][2][1]).toBe(r[11]);
    expect(a.flat(2)).toEqual(Array.from(r));
    expect(t.permute(2, 0, 1).toArray()).toEqual([0, 1].map((k) => [0, 1].map((i) => [0, 1, 2].map((j) => r[i * 6 + j * 2 + k]))));
    expect(tn.tensor(5, { device }).toArray()).toBe(5);
    expect(tn.zeros(0, { device }).toArray()).toEqual([]);
    expect(tn.zeros(2, 0, { device }).toArray()).toEqual([[], []]);
    expect(tn.tensor([[1, 2], [3, 4]], { device }).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test('dataSync() returns a fresh row-major copy of the right typed array', () => {
    const { t, r } = rnd([3, 5], nextSeed(), device);
    const d = t.dataSync();
    expect(d).toBeInstanceOf(Float32Array);
    expect(Array.from(d)).toEqual(Array.from(r));
    d[0] = 999;  // a copy: the tensor is unchanged
    expect(t.dataSync()[0]).toBe(r[0]);
    expect(Array.from(t.t().dataSync())).toEqual(Array.from(gather(r, [5, 3], [1, 5])));
    expect(Array.from(t.narrow(1, 2, 2).dataSync())).toEqual(Array.from(gather(r, [3, 2], [5, 1], 2)));
    expect(tn.tensor([1, 2], { device }).dataSync()).toBeInstanceOf(Int32Array);
    expect(t.select(1, 4).expand(2, 3).dataSync().length).toBe(6);
    expect(tn.zeros(0, 4, { device }).dataSync().length).toBe(0);
  });

  test('await data() resolves to the same values as dataSync()', async () => {
    const { t, r } = rnd([4, 7], nextSeed(), device);
    const d = await t.data();
    expect(d).toBeInstanceOf(Float32Array);
    expect(Array.from(d)).toEqual(Array.from(r));
    expect(Array.from(await t.t().narrow(0, 3, 2).data())).toEqual(Array.from(t.t().narrow(0, 3, 2).dataSync()));
    const i = await tn.tensor([3, 1, 2], { device }).data();
    expect(i).toBeInstanceOf(Int32Array);
    expect(Array.from(i)).toEqual([3, 1, 2]);
    expect((await tn.zeros(0, { device }).data()).length).toBe(0);
    // Several reads in flight at once.
    const all = await Promise.all([t.data(), t.t().data(), t.sum(1).data()]);
    expect(Array.from(all[0])).toEqual(Array.from(r));
    expect(all[2].length).toBe(4);
  });

  test('conversion errors: unknown targets', () => {
    const { t } = rnd([2], nextSeed(), device);
    expect(() => t.to('float64' as never)).toThrow();
    expect(() => t.to(3 as never)).toThrow(TypeError);
  });
});
