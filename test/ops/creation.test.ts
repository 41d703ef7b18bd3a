/**
 * Creating tensors: tensor() from numbers, nested arrays and typed arrays (dtype inference,
 * shape option, copying), fromArray (sharing), zeros/ones/full (every argument form),
 * rand/randn/randint (shape, dtype, range; the exact streams are tested in test/random),
 * arange, linspace, eye and the *Like factories — on every device.
 * Values are exact except linspace (float32 arithmetic: 1 ulp of the endpoints' scale).
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { expectClose, randomValues } from '../helpers/reference';
import { type Dev, f32, nextSeed } from './util';

forEachDevice('creation', (device: Dev) => {
  test('tensor(number) is 0-d; integers give int32, fractions float32', () => {
    const a = tn.tensor(3, { device });
    expect(a.shape).toEqual([]);
    expect(a.ndim).toBe(0);
    expect(a.numel()).toBe(1);
    expect(a.dtype).toBe('int32');
    expect(a.device).toBe(device);
    expect(a.item()).toBe(3);
    const b = tn.tensor(-0.375, { device });
    expect(b.dtype).toBe('float32');
    expect(b.item()).toBe(-0.375);
    expect(tn.tensor(0.1, { device }).item()).toBe(f32(0.1));
  });

  test('tensor(nested arrays) infers the shape and copies the values in row-major order', () => {
    const data = [[[1.5, 2], [3, 4]], [[5, 6], [7, -8.25]], [[9, 10], [11, 12]]];
    const t = tn.tensor(data, { device });
    expect(t.shape).toEqual([3, 2, 2]);
    expect(t.size()).toEqual([3, 2, 2]);
    expect(t.size(1)).toBe(2);
    expect(t.size(-1)).toBe(2);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual(data);
    expect(t.isContiguous()).toBe(true);
    expect(t.stride()).toEqual([4, 2, 1]);
    const ints = tn.tensor([[1, 2, 3]], { device });
    expect(ints.dtype).toBe('int32');
    expect(ints.shape).toEqual([1, 3]);
    expect(tn.tensor([], { device }).shape).toEqual([0]);
    expect(tn.tensor([], { device }).dtype).toBe('float32');
    expect(tn.tensor([[]], { device }).shape).toEqual([1, 0]);
  });

  test('tensor(data, { dtype, shape }) converts and reshapes', () => {
    const f = tn.tensor([1, 2, 3, 4, 5, 6], { dtype: 'float32', shape: [2, 3], device });
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const i = tn.tensor([1.9, -1.9, 2.5], { dtype: 'int32', device });
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([1, -1, 2]);  // truncated toward zero
    expect(tn.tensor(5, { shape: [1, 1], device }).shape).toEqual([1, 1]);
  });

  test('tensor(typed array) copies; Float32/Float64 give float32, integer arrays int32', () => {
    const values = Float32Array.from(randomValues(12, nextSeed()));
    const t = tn.tensor(values, { shape: [3, 4], device });
    expect(t.shape).toEqual([3, 4]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(values));
    values[0] = 42;
    expect(t.dataSync()[0]).not.toBe(42);
    expect(tn.tensor(new Float64Array([0.1, 2]), { device }).dataSync()).toEqual(new Float32Array([0.1, 2]));
    expect(tn.tensor(new Int32Array([5, -6]), { device }).dtype).toBe('int32');
    expect(tn.tensor(new Uint8Array([1, 255]), { device }).toArray()).toEqual([1, 255]);
    expect(tn.tensor(new Int16Array([-3]), { device }).dtype).toBe('int32');
    expect(tn.tensor(new Float32Array([1, 2]), { dtype: 'int32', device }).dtype).toBe('int32');
  });

  test('tensor(another tensor) copies its values (and keeps its dtype unless told)', () => {
    const src = tn.tensor([[1.5, 2.5]], { device });
    const c = tn.tensor(src);
    expect(c.storage).not.toBe(src.storage);
    expect(c.toArray()).toEqual([[1.5, 2.5]]);
    expect(c.device).toBe(device);
    expect(tn.tensor(src.t()).toArray()).toEqual([[1.5], [2.5]]);
    expect(tn.tensor(src, { dtype: 'int32' }).toArray()).toEqual([[1, 2]]);
  });

  test('requiresGrad option makes a float32 leaf', () => {
    const t = tn.tensor([[1, 2]], { requiresGrad: true, device });
    expect(t.requiresGrad).toBe(true);
    expect(t.dtype).toBe('float32');
    expect(t.isLeaf).toBe(true);
    expect(t.grad).toBeNull();
    expect(tn.zeros(2, { requiresGrad: true, device }).requiresGrad).toBe(true);
    expect(tn.randn(2, { requiresGrad: true, device }).requiresGrad).toBe(true);
  });

  test('zeros / ones / full accept (2, 3), ([2, 3]) and options; default dtype float32', () => {
    for (const z of [tn.zeros(2, 3, { device }), tn.zeros([2, 3], { device })]) {
      expect(z.shape).toEqual([2, 3]);
      expect(z.dtype).toBe('float32');
      expect(Array.from(z.dataSync())).toEqual(new Array(6).fill(0));
    }
    const o = tn.ones([4], { device });
    expect(Array.from(o.dataSync())).toEqual([1, 1, 1, 1]);
    expect(tn.ones(2, { dtype: 'int32', device }).dtype).toBe('int32');
    expect(() => tn.zeros({ device })).toThrow('zeros: missing the size argument');  // like torch.zeros(device=...)
    expect(tn.zeros([], { device }).item()).toBe(0);
    expect(tn.zeros(0, 5, { device }).numel()).toBe(0);
    const f = tn.full([2, 2], -1.75, { device });
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([[-1.75, -1.75], [-1.75, -1.75]]);
    expect(tn.full([3], 7, { device }).dtype).toBe('int32');  // integer fill value, like torch.full
    expect(tn.full([3], 7, { dtype: 'float32', device }).dtype).toBe('float32');
    expect(tn.full([1], 0.1, { device }).item()).toBe(f32(0.1));
    expect(tn.full([2], NaN, { device }).dataSync()[1]).toBeNaN();
    expect(tn.full([2], -Infinity, { device }).dataSync()[0]).toBe(-Infinity);
  });

  test('zerosLike / onesLike / fullLike / randLike / randnLike follow shape, dtype and device', () => {
    const x = tn.tensor([[1, 2, 3]], { device });
    const z = tn.zerosLike(x);
    expect([z.shape, z.dtype, z.device]).toEqual([[1, 3], 'int32', device]);
    expect(tn.onesLike(x).toArray()).toEqual([[1, 1, 1]]);
    expect(tn.fullLike(x, 4).toArray()).toEqual([[4, 4, 4]]);
    expect(tn.onesLike(x, { dtype: 'float32' }).dtype).toBe('float32');
    const r = tn.randLike(tn.zeros(5, 2, { device }));
    expect(r.shape).toEqual([5, 2]);
    expect(r.device).toBe(device);
    expect(tn.randnLike(tn.zeros(4, { device })).shape).toEqual([4]);
  });

  test('rand: float32 in [0, 1), the requested shape, mean near 1/2', () => {
    tn.manualSeed(1);
    const r = tn.rand(100, 50, { device });
    expect(r.shape).toEqual([100, 50]);
    expect(r.dtype).toBe('float32');
    const v = r.dataSync();
    expect(v.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Math.abs(r.mean().item() - 0.5)).toBeLessThan(0.02);
    expect(tn.rand([3], { device }).shape).toEqual([3]);
  });

  test('randn: mean ≈ 0, variance ≈ 1', () => {
    tn.manualSeed(2);
    const r = tn.randn([20000], { device });
    const m = r.mean().item();
    const varc = r.sub(m).square().mean().item();
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(varc - 1)).toBeLessThan(0.05);
  });

  test('same seed, same values on every device (drawn on the host from PyTorch\'s generator)', () => {
    tn.manualSeed(7);
    const a = tn.rand(6, { device }).dataSync();
    tn.manualSeed(7);
    const b = tn.rand(6, { device: 'cpu' }).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    tn.manualSeed(0);
    expect(Array.from(tn.rand(5, { device }).dataSync(), (x) => x.toFixed(4))).toEqual(['0.4963', '0.7682', '0.0885', '0.1320', '0.3074']);
  });

  test('randint: int32 values in [low, high)', () => {
    tn.manualSeed(3);
    const r = tn.randint(-3, 4, [1000], { device });
    expect(r.dtype).toBe('int32');
    const v = Array.from(r.dataSync());
    expect(v.every((x) => Number.isInteger(x) && x >= -3 && x < 4)).toBe(true);
    expect(new Set(v).size).toBe(7);
  });

  test('arange: int32 for integer arguments, float32 otherwise; negative and fractional steps', () => {
    const a = tn.arange(5, { device });
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(tn.arange(2, 7, { device }).toArray()).toEqual([2, 3, 4, 5, 6]);
    expect(tn.arange(10, 0, -3, { device }).toArray()).toEqual([10, 7, 4, 1]);
    expect(tn.arange(0, { device }).shape).toEqual([0]);
    const f = tn.arange(0, 1, 0.25, { device });
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    const g = tn.arange(-1, 1, 0.1, { device });  // ceil(2 / 0.1) = 20 elements, start + i*step
    expect(g.numel()).toBe(20);
    expect(Array.from(g.dataSync())).toEqual(Array.from({ length: 20 }, (_, i) => f32(-1 + i * 0.1)));
    expect(tn.arange(5, { dtype: 'float32', device }).dtype).toBe('float32');
    expect(tn.arange(1.5, 4, { device }).toArray()).toEqual([1.5, 2.5, 3.5]);
  });

  test('linspace: endpoints exact, evenly spaced, symmetric halves like PyTorch', () => {
    const l = tn.linspace(-1, 1, 7, { device });
    expect(l.dtype).toBe('float32');
    const v = Array.from(l.dataSync());
    expect(v[0]).toBe(-1);
    expect(v[6]).toBe(1);
    expectClose(v, Array.from({ length: 7 }, (_, i) => -1 + (2 * i) / 6), 0, 2 ** -23);
    expect(v[3]).toBe(0);
    expect(tn.linspace(0, 10, 11, { device }).toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(tn.linspace(3, 3, 1, { device }).toArray()).toEqual([3]);
    expect(tn.linspace(2, 5, 0, { device }).shape).toEqual([0]);
    expect(tn.linspace(5, 2, 4, { device }).toArray()).toEqual([5, 4, 3, 2]);
  });

  test('eye(n) and eye(n, m)', () => {
    expect(tn.eye(3, { device }).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(tn.eye(2, 4, { device }).toArray()).toEqual([[1, 0, 0, 0], [0, 1, 0, 0]]);
    expect(tn.eye(3, 1, { device }).toArray()).toEqual([[1], [0], [0]]);
    expect(tn.eye(2, { dtype: 'int32', device }).dtype).toBe('int32');
    expect(tn.eye(0, { device }).shape).toEqual([0, 0]);
    expect(tn.eye(3, { device }).device).toBe(device);
  });

  test('every factory puts the tensor on the requested device', () => {
    const made = [
      tn.tensor([1], { device }), tn.zeros(1, { device }), tn.ones(1, { device }), tn.full([1], 2, { device }),
      tn.rand(1, { device }), tn.randn(1, { device }), tn.randint(0, 2, [1], { device }), tn.arange(1, { device }),
      tn.linspace(0, 1, 2, { device }), tn.eye(1, { device }),
    ];
    for (const t of made) expect(t.device).toBe(device);
  });
});

describe('creation: fromArray (cpu, shares memory)', () => {
  test('fromArray wraps the array without copying, with an optional shape', () => {
    const arr = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tn.fromArray(arr, [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.device).toBe('cpu');
    expect(t.dtype).toBe('float32');
    arr[4] = -5;
    expect(t.toArray()).toEqual([[1, 2, 3], [4, -5, 6]]);
    expect(tn.fromArray(arr).shape).toEqual([6]);
    const ints = tn.fromArray(new Int32Array([3, 4]));
    expect(ints.dtype).toBe('int32');
    expect(ints.toArray()).toEqual([3, 4]);
  });

  test('fromArray of a subarray sees exactly that window', () => {
    const buf = new Float32Array([9, 1, 2, 3, 9]);
    const t = tn.fromArray(buf.subarray(1, 4));
    expect(t.toArray()).toEqual([1, 2, 3]);
    expect(t.add(1).toArray()).toEqual([2, 3, 4]);
    expect(t.sum().item()).toBe(6);
  });
});
