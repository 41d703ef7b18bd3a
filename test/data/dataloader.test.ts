/**
 * DataLoader: batching, the last partial batch, dropLast, length, shuffling (every index once per
 * epoch, a new order each epoch, reproducible from the seed, PyTorch's use of the generator),
 * TensorDataset's direct row gathering against stacking, custom collate, for await, errors.
 */
import * as tn from '../../lib/index';
import { DataLoader, Dataset, TensorDataset } from '../../lib/data';
import { randperm } from '../../lib/random';
import { forEachDevice } from '../helpers/devices';

/** A dataset whose sample i is { x: [i, 10 i], y: i } (as tensors and numbers). */
class Pairs extends Dataset<[tn.Tensor, number]> {
  constructor(readonly length: number) {
    super();
  }
  get(i: number): [tn.Tensor, number] {
    return [tn.tensor([i, 10 * i], { dtype: 'float32' }), i];
  }
}

function firstColumn(loader: Iterable<tn.Tensor[]>): number[][] {
  return Array.from(loader, (b) => Array.from(b[1].dataSync()));
}

describe('DataLoader batching', () => {
  test('batches in order with a short last batch; length is ceil(n / batchSize)', () => {
    const loader = new DataLoader(new Pairs(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = Array.from(loader);
    expect(batches).toHaveLength(3);
    const [x0, y0] = batches[0];
    expect(x0.shape).toEqual([4, 2]);
    expect(x0.dtype).toBe('float32');
    expect(x0.toArray()).toEqual([[0, 0], [1, 10], [2, 20], [3, 30]]);
    expect(y0.dtype).toBe('int32');
    expect(y0.toArray()).toEqual([0, 1, 2, 3]);
    expect(batches[2][0].shape).toEqual([2, 2]);
    expect(batches[2][1].toArray()).toEqual([8, 9]);
  });

  test('dropLast drops the short batch; length is floor(n / batchSize)', () => {
    const loader = new DataLoader(new Pairs(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect(firstColumn(loader)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(new DataLoader(new Pairs(8), { batchSize: 4, dropLast: true }).length).toBe(2);
    expect(Array.from(new DataLoader(new Pairs(3), { batchSize: 4, dropLast: true }))).toEqual([]);
  });

  test('defaults: batchSize 1, no shuffle, keep the last batch', () => {
    const loader = new DataLoader(new Pairs(3));
    expect([loader.batchSize, loader.shuffle, loader.dropLast]).toEqual([1, false, false]);
    expect(loader.length).toBe(3);
    expect(firstColumn(loader)).toEqual([[0], [1], [2]]);
  });

  test('an empty dataset gives no batches', () => {
    const loader = new DataLoader(new Pairs(0), { batchSize: 2 });
    expect(loader.length).toBe(0);
    expect(Array.from(loader)).toEqual([]);
  });

  test('default collate: numbers, strings, typed arrays, nested arrays and objects', () => {
    const samples = [0, 1, 2].map((i) => ({ id: `s${i}`, v: [i, i + 0.5], pixels: new Uint8Array([i, 2 * i, 3]), pair: [i, tn.tensor([i])] }));
    const [batch] = Array.from(new DataLoader(samples, { batchSize: 3 }));
    expect(batch.id).toEqual(['s0', 's1', 's2']);
    expect(batch.v.map((t) => t.toArray())).toEqual([[0, 1, 2], [0.5, 1.5, 2.5]]);
    expect(batch.v[1].dtype).toBe('float32');
    expect(batch.pixels.dtype).toBe('int32');
    expect(batch.pixels.toArray()).toEqual([[0, 0, 3], [1, 2, 3], [2, 4, 3]]);
    expect(batch.pair[0].toArray()).toEqual([0, 1, 2]);
    expect(batch.pair[1].toArray()).toEqual([[0], [1], [2]]);
  });

  test('a custom collate receives the samples of each batch', () => {
    const seen: number[][] = [];
    const loader = new DataLoader(new Pairs(5), {
      batchSize: 2,
      collate: (samples) => {
        seen.push(samples.map((s) => s[1]));
        return samples.length;
      },
    });
    expect(Array.from(loader)).toEqual([2, 2, 1]);
    expect(seen).toEqual([[0, 1], [2, 3], [4]]);
  });

  test('for await iterates the same batches and awaits async datasets', async () => {
    class Slow extends Dataset<Promise<number>> {
      get length() { return 5; }
      async get(i: number) { await new Promise((r) => setImmediate(r)); return i * i; }
    }
    const got: number[][] = [];
    for await (const b of new DataLoader(new Slow(), { batchSize: 2, collate: async (s: Promise<number>[]) => s as unknown as number[] })) got.push(b as unknown as number[]);
    expect(got).toEqual([[0, 1], [4, 9], [16]]);
    const viaAwait: number[][] = [];
    for await (const b of new DataLoader(new Pairs(5), { batchSize: 2 })) viaAwait.push(Array.from(b[1].dataSync()));
    expect(viaAwait).toEqual(firstColumn(new DataLoader(new Pairs(5), { batchSize: 2 })));
    expect(() => Array.from(new DataLoader(new Slow(), { batchSize: 2 }))).toThrow('iterate the loader with for await');
  });
});

describe('DataLoader shuffling', () => {
  const order = (loader: DataLoader<[tn.Tensor, number]>) => Array.from(loader).flatMap((b) => Array.from(b[1].dataSync()));

  test('every index exactly once per epoch, a new order each epoch', () => {
    const loader = new DataLoader(new Pairs(23), { batchSize: 5, shuffle: true, seed: 1 });
    const epochs = [order(loader), order(loader), order(loader)];
    for (const e of epochs) expect([...e].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
    expect(epochs[0]).not.toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  test('the same seed gives the same sequence of epochs; another seed another one', () => {
    const a = new DataLoader(new Pairs(30), { batchSize: 7, shuffle: true, seed: 42 });
    const b = new DataLoader(new Pairs(30), { batchSize: 7, shuffle: true, seed: 42 });
    const c = new DataLoader(new Pairs(30), { batchSize: 7, shuffle: true, seed: 43 });
    const ea = [order(a), order(a)];
    expect([order(b), order(b)]).toEqual(ea);
    expect(order(c)).not.toEqual(ea[0]);
  });

  test("draws like PyTorch's DataLoader with generator=torch.Generator().manual_seed(s)", () => {
    // Per epoch: the iterator's base seed (two 32-bit draws), randperm(n), then the sampler's
    // trailing randperm(n)[:0] when the batch sampler runs past the end.
    const n = 11;
    const g = new tn.Generator(7);
    const expected: number[][] = [];
    for (let epoch = 0; epoch < 3; ++epoch) {
      g.nextUint64();
      expected.push(Array.from(randperm(n, g)));
      randperm(n, g);
    }
    for (const dropLast of [false, true]) {
      const loader = new DataLoader(new Pairs(n), { batchSize: 3, shuffle: true, dropLast, generator: new tn.Generator(7) });
      const seen = [0, 1, 2].map(() => order(loader));
      expect(seen).toEqual(expected.map((e) => (dropLast ? e.slice(0, 9) : e)));
    }
  });

  test('without seed or generator, the default generator seeds each epoch (tn.manualSeed reproduces)', () => {
    tn.manualSeed(5);
    const first = order(new DataLoader(new Pairs(12), { batchSize: 4, shuffle: true }));
    const g = new tn.Generator(5);
    g.nextUint64();  // base seed
    const sampler = new tn.Generator(g.nextUint64() % (1n << 63n));
    expect(first).toEqual(Array.from(randperm(12, sampler)));
    tn.manualSeed(5);
    expect(order(new DataLoader(new Pairs(12), { batchSize: 4, shuffle: true }))).toEqual(first);
  });

  test('an unshuffled epoch still draws its base seed from the default generator, like PyTorch', () => {
    tn.manualSeed(3);
    Array.from(new DataLoader(new Pairs(4), { batchSize: 2 }));
    const after = tn.rand(1).item();
    const g = new tn.Generator(3);
    g.nextUint64();
    expect(after).toBe(tn.rand(1, { generator: g }).item());
  });
});

forEachDevice('TensorDataset', (device) => {
  const n = 9;
  // Made in beforeAll: describe bodies also run for skipped devices.
  let x: tn.Tensor;
  let y: tn.Tensor;
  beforeAll(() => {
    x = tn.tensor(Float32Array.from({ length: n * 6 }, (_, i) => i * 0.5 - 3), { shape: [n, 2, 3], device });
    y = tn.tensor(Int32Array.from({ length: n }, (_, i) => (i * 7) % 3), { device });
  });

  test('get(i) returns the i-th row of each tensor; negative indices count from the end', () => {
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(n);
    const [xi, yi] = ds.get(4);
    expect(xi.shape).toEqual([2, 3]);
    expect(xi.toArray()).toEqual((x.toArray() as number[][][])[4]);
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe((4 * 7) % 3);
    expect(ds.get(-1)[1].item()).toBe(((n - 1) * 7) % 3);
    expect(() => ds.get(n)).toThrow(`index ${n} is out of bounds for dimension 0 with size ${n}`);
    expect(() => ds.get(-n - 1)).toThrow(RangeError);
    expect(() => ds.get(1.5)).toThrow(TypeError);
  });

  test('batches equal stacking get(i), shuffled or not, on any layout', () => {
    const xt = x.transpose(1, 2);  // non-contiguous rows take the general path
    for (const tensors of [[x, y], [xt, y]]) {
      const ds = new TensorDataset(...tensors);
      for (const shuffle of [false, true]) {
        const fast = new DataLoader(ds, { batchSize: 4, shuffle, seed: 11 });
        const slow = new DataLoader(ds, { batchSize: 4, shuffle, seed: 11, collate: (s: tn.Tensor[][]) => [tn.stack(s.map((r) => r[0])), tn.stack(s.map((r) => r[1]))] });
        const a = Array.from(fast);
        const b = Array.from(slow);
        expect(a.length).toBe(3);
        a.forEach((batch, k) => {
          batch.forEach((t, j) => {
            expect(t.device).toBe(device);
            expect(t.dtype).toBe(b[k][j].dtype);
            expect(t.shape).toEqual(b[k][j].shape);
            expect(t.toArray()).toEqual(b[k][j].toArray());
          });
        });
      }
    }
  });

  test('the default collate gathers rows directly (getBatch), a custom collate gets samples', () => {
    const ds = new TensorDataset(x, y);
    const spy = jest.spyOn(ds, 'getBatch');
    Array.from(new DataLoader(ds, { batchSize: 4 }));
    expect(spy).toHaveBeenCalledTimes(3);
    Array.from(new DataLoader(ds, { batchSize: 4, collate: (s) => s.length }));
    expect(spy).toHaveBeenCalledTimes(3);
  });

  test('batches are copies: writing into one leaves the dataset unchanged', () => {
    const ds = new TensorDataset(x.clone(), y);
    const [xb] = Array.from(new DataLoader(ds, { batchSize: 3 }))[0];
    tn.noGrad(() => xb.fill_(100));
    expect(ds.tensors[0].toArray()).toEqual(x.toArray());
  });

  test('validates its tensors', () => {
    expect(() => new TensorDataset(x, tn.zeros(n + 1))).toThrow('Size mismatch between tensors');
    expect(() => new TensorDataset()).toThrow(TypeError);
    expect(() => new TensorDataset(x, [1, 2] as never)).toThrow('TensorDataset: expected a Tensor for tensors[1]');
    expect(() => new TensorDataset(tn.tensor(3))).toThrow(RangeError);
  });
});

describe('DataLoader validation', () => {
  const ds = new Pairs(4);
  test.each([
    [{ batchSize: 0 }, RangeError, 'DataLoader: expected a positive integer for batchSize but received 0 of type number'],
    [{ batchSize: 2.5 }, TypeError, 'for batchSize'],
    [{ batchSize: '2' }, TypeError, 'for batchSize'],
    [{ shuffle: 1 }, TypeError, 'DataLoader: expected a boolean for shuffle but received 1 of type number'],
    [{ dropLast: 'yes' }, TypeError, 'for dropLast'],
    [{ seed: 1.5 }, TypeError, 'for seed'],
    [{ seed: 1, generator: new tn.Generator(1) }, TypeError, 'pass either seed or generator, not both'],
    [{ generator: {} }, TypeError, 'for generator'],
    [{ collate: 3 }, TypeError, 'for collate'],
    [{ batch_size: 2 }, TypeError, "DataLoader: unknown option 'batch_size'; did you mean 'batchSize'?"],
    [{ drop_last: true }, TypeError, "did you mean 'dropLast'?"],
    [{ collate_fn: () => 0 }, TypeError, "did you mean 'collate'?"],
    [{ workers: 2 }, TypeError, "unknown option 'workers' (options are 'batchSize', "],
  ])('%p', (options, type, message) => {
    const make = () => new DataLoader(ds, options as never);
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  test('the dataset must have a length and get(), or be an array', () => {
    expect(() => new DataLoader({} as never)).toThrow('DataLoader: expected a Dataset (an object with an integer length and get(index)) or an array for dataset');
    expect(() => new DataLoader(null as never)).toThrow(TypeError);
    expect(Array.from(new DataLoader([1, 2, 3], { batchSize: 2 }), (b) => b.toArray())).toEqual([[1, 2], [3]]);
  });

  test('shuffling an empty dataset is refused like RandomSampler', () => {
    expect(() => new DataLoader(new Pairs(0), { shuffle: true })).toThrow('num_samples should be a positive integer value, but got num_samples=0');
  });

  test('collate errors name what differs', () => {
    const mixed = [{ a: 1 }, { b: 2 }];
    expect(() => Array.from(new DataLoader(mixed, { batchSize: 2 }))).toThrow('sample 1 has no key "a"');
    expect(() => Array.from(new DataLoader([[1, 2], [3]], { batchSize: 2 }))).toThrow('each element in list of batch should be of equal size');
    expect(() => Array.from(new DataLoader([null, null], { batchSize: 2 }))).toThrow('batch must contain Tensors, numbers, strings, typed arrays, arrays or objects; found null');
    expect(() => Array.from(new DataLoader([tn.zeros(2), tn.zeros(3)], { batchSize: 2 }))).toThrow('stack expects each tensor to be equal size');
  });
});
