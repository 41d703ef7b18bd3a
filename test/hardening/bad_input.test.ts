// Bad input gets a clear answer (issue 11 §5): each case below was accepted silently (a wrong
// tensor, a wrapped int32, a broadcast gradient, an empty epoch) or failed late in native code.
import * as tn from '../../lib/index';
import { checkIndexRange } from '../../lib/ops/reduce';
import { defaultCollate } from '../../lib/data/collate';

describe('factories refuse an options object that is not options', () => {
  test.each([
    ['zeros', () => tn.zeros({ any: 1 } as never)],
    ['ones', () => tn.ones({ any: 1 } as never)],
    ['rand', () => tn.rand({ any: 1 } as never)],
    ['randn', () => tn.randn({ any: 1 } as never)],
    ['full', () => tn.full([2], 1, { any: 1 } as never)],
    ['arange', () => tn.arange(3, { any: 1 } as never)],
  ])('%s({any: 1}) is a TypeError naming the key', (op, f) => {
    expect(f).toThrow(TypeError);
    expect(f).toThrow(`${op}: unknown option 'any' (options are 'dtype', 'device', 'requiresGrad'`);
  });

  test('no size at all is a TypeError, as torch.zeros() is; [] still gives a 0-d tensor', () => {
    for (const f of [() => tn.zeros(), () => tn.ones({}), () => tn.rand(), () => tn.randn({ requiresGrad: true })]) expect(f).toThrow(TypeError);
    expect(() => tn.zeros()).toThrow('zeros: missing the size argument: zeros(2, 3) or zeros([2, 3]) (zeros([]) for a 0-d tensor)');
    expect(tn.zeros([]).shape).toEqual([]);
    expect(tn.rand([], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  test('arange takes numbers, then options', () => {
    expect(() => tn.arange('5' as never)).toThrow('arange: expected a number for end but received "5" of type string');
    expect(() => tn.arange(0, '5' as never)).toThrow('arange: expected a number for end');
    expect(() => tn.arange(0, 1, 2, 3 as never)).toThrow(TypeError);
    expect(tn.arange(1, 7, 2, { dtype: 'float32' }).toArray()).toEqual([1, 3, 5]);
    expect(tn.arange(3, { dtype: 'float32' }).dtype).toBe('float32');
  });
});

describe('tn.tensor refuses nesting it cannot represent, before native code', () => {
  const nest = (depth: number): unknown => (depth === 0 ? 1.5 : [nest(depth - 1)]);

  test('deeper than 8 dimensions', () => {
    expect(tn.tensor(nest(8) as never).shape).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(() => tn.tensor(nest(9) as never)).toThrow('tensor: nested arrays deeper than 8 levels are not supported (tensors have at most 8 dimensions)');
    expect(() => tn.tensor(nest(9) as never)).toThrow(RangeError);
    expect(() => tn.tensor(nest(100000) as never)).toThrow(RangeError);  // refused while descending: no deep walk
  });

  test('ragged nesting names the place', () => {
    expect(() => tn.tensor([[1, 2], [3]])).toThrow('tensor: expected sequence of length 2 at dim 1 (got 1)');
    expect(() => tn.tensor([1, [2]] as never)).toThrow('tensor: expected a number at index [1] but found a nested array (ragged nesting)');
    expect(() => tn.tensor([[1], 2] as never)).toThrow('tensor: expected sequence of length 1 at dim 1 (got a number at index [1])');
    expect(() => tn.tensor([[[1]], [[1, 2]]])).toThrow(RangeError);
  });
});

describe('assigning .grad checks it as PyTorch does', () => {
  const w = (): tn.Tensor => tn.rand(2, 2).requiresGrad_();

  test('a gradient of another size is refused at assignment (SGD used to broadcast it)', () => {
    const p = w();
    expect(() => (p.grad = tn.ones(2))).toThrow(RangeError);
    expect(() => (p.grad = tn.ones(2))).toThrow('assigned grad has data of a different size (grad has shape [2], tensor has shape [2, 2])');
    expect(p.grad).toBeNull();
  });

  test('another dtype, a non-tensor, or the tensor itself is refused', () => {
    const p = w();
    expect(() => (p.grad = tn.ones([2, 2], { dtype: 'int32' }))).toThrow('assigned grad has data of a different type (grad is int32, tensor is float32)');
    expect(() => (p.grad = tn.ones([2, 2], { dtype: 'int32' }))).toThrow(TypeError);
    expect(() => (p.grad = 3 as never)).toThrow('assigned grad expected to be a Tensor or null but got 3 of type number');
    expect(() => (p.grad = p)).toThrow("can't assign Variable as its own grad");
  });

  test('a matching gradient, null and undefined are accepted; backward still accumulates', () => {
    const p = w();
    const g = tn.full([2, 2], 0.5);
    p.grad = g;
    expect(p.grad).toBe(g);
    p.grad = null;
    expect(p.grad).toBeNull();
    Reflect.set(p, 'grad', undefined);
    expect(p.grad).toBeNull();
    p.sum().backward();
    p.mul(2).sum().backward();
    expect(p.grad!.toArray()).toEqual([[3, 3], [3, 3]]);
    const opt = new tn.optim.SGD([p], { lr: 0.1 });
    opt.zeroGrad({ setToNone: false });
    expect(p.grad!.toArray()).toEqual([[0, 0], [0, 0]]);
  });
});

describe('DataLoader refuses a dataset length that is not a non-negative integer', () => {
  const dataset = (length: unknown) => ({ length, get: (i: number) => i });
  test.each([[-1], [NaN], [2.5], [Infinity], [2 ** 60]])('length %p → RangeError', (length) => {
    const make = () => new tn.data.DataLoader(dataset(length) as never, { batchSize: 2 });
    expect(make).toThrow(RangeError);
    expect(make).toThrow('DataLoader: expected a non-negative integer for dataset.length but received');
  });

  test('a length that turns bad after construction is refused when an epoch starts', () => {
    const d = { n: 4, get length() { return this.n; }, get: (i: number) => i };
    const loader = new tn.data.DataLoader(d, { batchSize: 2 });
    expect(loader.length).toBe(2);
    d.n = -1;
    expect(() => loader.length).toThrow(RangeError);
    expect(() => [...loader]).toThrow('DataLoader: expected a non-negative integer for dataset.length but received -1 of type number');
  });

  test('a non-number length is a TypeError; 0 gives no batches', () => {
    expect(() => new tn.data.DataLoader(dataset('3') as never)).toThrow(TypeError);
    expect([...new tn.data.DataLoader(dataset(0) as never)]).toEqual([]);
  });
});

describe('no silent int32 wraparound (until int64 tensors exist)', () => {
  test('arange past int32 throws; ranges inside it, and float ranges, still work', () => {
    expect(() => tn.arange(2 ** 31 - 2, 2 ** 31 + 2)).toThrow(RangeError);
    expect(() => tn.arange(2 ** 31 - 2, 2 ** 31 + 2)).toThrow("arange: value 2147483649 does not fit int32 (the range [2147483646, 2147483650) would wrap); pass { dtype: 'float32' }");
    expect(() => tn.arange(-(2 ** 31) - 1, -(2 ** 31) + 1)).toThrow('value -2147483649 does not fit int32');
    expect(() => tn.arange(0, 2 ** 32, 2 ** 30)).toThrow('value 3221225472 does not fit int32');
    expect(tn.arange(2 ** 31 - 2, 2 ** 31).toArray()).toEqual([2147483646, 2147483647]);
    expect(tn.arange(-(2 ** 31), -(2 ** 31) + 2).toArray()).toEqual([-2147483648, -2147483647]);
    expect(tn.arange(2 ** 31 - 2, 2 ** 31 + 2, { dtype: 'float32' }).dtype).toBe('float32');
  });

  test('randint bounds outside int32 throw', () => {
    expect(() => tn.randint(0, 2 ** 32, [3])).toThrow('randint: [0, 4294967296) does not fit int32');
    expect(() => tn.randint(-(2 ** 31) - 1, 0, [3])).toThrow(RangeError);
    expect(tn.randint(2 ** 31 - 3, 2 ** 31, [50]).dataSync().every((v) => v >= 2 ** 31 - 3 && v <= 2 ** 31 - 1)).toBe(true);
  });

  test('collating integers int32 cannot hold throws (Uint32Array 4294967295 used to give -1)', () => {
    expect(() => defaultCollate([new Uint32Array([4294967295])])).toThrow(RangeError);
    expect(() => defaultCollate([new Uint32Array([1, 2]), new Uint32Array([3, 2 ** 31])])).toThrow('defaultCollate: integer value 2147483648 does not fit int32');
    expect(() => defaultCollate([1, 2 ** 31])).toThrow('defaultCollate: integer value 2147483648 does not fit int32');
    expect(() => defaultCollate([{ id: -(2 ** 31) - 1 }])).toThrow('integer value -2147483649 (at id) does not fit int32');
    expect(defaultCollate([new Uint32Array([2 ** 31 - 1])]).toArray()).toEqual([[2147483647]]);
    expect(defaultCollate([1, -(2 ** 31)]).toArray()).toEqual([1, -2147483648]);
    expect(defaultCollate([1.5, 2 ** 31]).dtype).toBe('float32');  // fractions make a float batch, as before
  });

  test('argmax/argmin/max(dim) over more than 2^31 elements is refused before native code', () => {
    // The validator itself: a tensor that large is not allocated in a unit test.
    expect(() => checkIndexRange('argmax', 2 ** 31 + 1)).toThrow('argmax: cannot index 2147483649 elements with int32 indices (at most 2^31 = 2147483648); int64 indices are not supported yet');
    expect(() => checkIndexRange('argmax', 2 ** 31 + 1)).toThrow(RangeError);
    expect(() => checkIndexRange('max', 2 ** 31)).not.toThrow();
    // A broadcast view has the size without the memory: expand reaches past 2^31 elements cheaply.
    const huge = tn.rand(1).expand(2 ** 31 + 8);
    expect(() => huge.argmax()).toThrow('argmax: cannot index 2147483656 elements');
    expect(() => huge.argmin(0)).toThrow('argmin: cannot index');
    expect(() => huge.max(0)).toThrow('max: cannot index');
    expect(tn.tensor([3, 9, 1]).argmax().item()).toBe(1);
  });
});
