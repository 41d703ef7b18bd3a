/**
 * Validation errors, asserted by class and by text: TypeError for wrong types, RangeError for
 * out-of-range values, ShapeError (a RangeError carrying `op` and PyTorch's `detail`) for shape
 * mismatches; int32 where float32 is needed; disposed tensors; and tn.memory() returning to its
 * start when tensors are disposed.
 */
import * as tn from '../../lib/index';
import { forEachDevice } from '../helpers/devices';
import { type Dev } from './util';

/** Asserts f throws an instance of cls whose message contains text. */
function throwsWith(f: () => unknown, cls: new (...a: never[]) => Error, text: string): Error {
  let e: Error | null = null;
  try {
    f();
  } catch (err) {
    e = err as Error;
  }
  if (e === null) throw new Error(`expected ${cls.name} "${text}", but nothing was thrown`);
  if (!(e instanceof cls)) throw new Error(`expected ${cls.name} "${text}", got ${String(e)}`);
  if (!e.message.includes(text)) throw new Error(`expected ${cls.name} containing "${text}", got "${e.message}"`);
  return e;
}

forEachDevice('errors: shapes (ShapeError, PyTorch\'s words)', (device: Dev) => {
  const z = (...s: number[]) => tn.zeros(s, { device });

  test('matmul / mm / linear: mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)', () => {
    const e = throwsWith(() => z(2, 4).matmul(z(5, 6)), tn.ShapeError, 'mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('matmul: mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
    expect((e as tn.ShapeError).op).toBe('matmul');
    expect((e as tn.ShapeError).detail).toBe('mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
    expect(e.name).toBe('ShapeError');
    throwsWith(() => z(2, 4).mm(z(5, 6)), tn.ShapeError, 'mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
    throwsWith(() => tn.linear(z(2, 4), z(6, 5)), tn.ShapeError, 'mat1 and mat2 shapes cannot be multiplied (2x4 and 5x6)');
    throwsWith(() => z(4).matmul(z(5, 6)), tn.ShapeError, 'mat1 and mat2 shapes cannot be multiplied (1x4 and 5x6)');
    // N-D · matrix folds the batch into the rows, as torch.matmul does.
    throwsWith(() => z(3, 2, 4).matmul(z(5, 6)), tn.ShapeError, 'mat1 and mat2 shapes cannot be multiplied (6x4 and 5x6)');
    throwsWith(() => z(3, 2, 4).matmul(z(5)), tn.ShapeError, 'size mismatch, got input (6), mat (6x4), vec (5)');
    throwsWith(() => z(2, 4).matmul(z(5)), tn.ShapeError, 'size mismatch, got input (2), mat (2x4), vec (5)');
    throwsWith(() => z(4).matmul(z(5)), tn.ShapeError,
      'inconsistent tensor size, expected tensor [4] and src [5] to have the same number of elements, but got 4 and 5 elements respectively');
    throwsWith(() => z(3, 2, 4).matmul(z(3, 5, 6)), tn.ShapeError,
      'Expected size for first two dimensions of batch2 tensor to be: [3, 4] but got: [3, 5].');
    throwsWith(() => z(2, 3, 2, 4).matmul(z(3, 5, 6)), tn.ShapeError,
      'Expected size for first two dimensions of batch2 tensor to be: [6, 4] but got: [6, 5].');
    throwsWith(() => z(2, 3, 2, 4).matmul(z(4, 4, 6)), tn.ShapeError,
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1');
    throwsWith(() => tn.tensor(2.5, { device }).matmul(z(3)), tn.ShapeError,
      'both arguments to matmul need to be at least 1D, but they are 0D and 1D');
  });

  test('broadcasting: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1', () => {
    for (const op of ['add', 'sub', 'mul', 'div', 'pow'] as const)
      throwsWith(() => z(2, 3)[op](z(2, 4)), tn.ShapeError,
        'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1');
    throwsWith(() => z(2, 3).maximum(z(4, 1, 2)), tn.ShapeError,
      'The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 2');
    throwsWith(() => z(2, 3).add(z(2, 4)), tn.ShapeError, 'add: ');
  });

  test('view incompatibility and invalid reshape sizes', () => {
    throwsWith(() => z(3, 4).t().view(12), tn.ShapeError,
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
    throwsWith(() => z(6).view(4, -1), tn.ShapeError, "shape '[4, -1]' is invalid for input of size 6");
    throwsWith(() => z(2, 3).reshape(7), tn.ShapeError, "shape '[7]' is invalid for input of size 6");
    throwsWith(() => z(2, 3).reshape(-1, -1), RangeError, 'only one dimension can be inferred');
    throwsWith(() => z(2, 3).reshape(-2, 3), RangeError, 'invalid shape dimension -2');
  });

  test('expand, permute, t, cat, stack', () => {
    throwsWith(() => z(2, 3).expand(4, 3), tn.ShapeError,
      'The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]');
    throwsWith(() => z(2, 3).expand(3), tn.ShapeError,
      'the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)');
    throwsWith(() => z(2, 3).permute(0), tn.ShapeError, "number of dims don't match in permute (got 1, expected 2)");
    throwsWith(() => z(2, 3).permute(0, 0), RangeError, 'repeated dim in permute');
    throwsWith(() => z(2, 3, 4).t(), tn.ShapeError, 't() expects a tensor with <= 2 dimensions, but self is 3D');
    throwsWith(() => tn.cat([z(2, 3), z(2, 4)]), tn.ShapeError,
      'Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list.');
    throwsWith(() => tn.cat([z(2, 3), z(3)]), tn.ShapeError, 'Tensors must have same number of dimensions: got 2 and 1');
    throwsWith(() => tn.cat([tn.tensor(1.5, { device })]), tn.ShapeError, 'zero-dimensional tensor (at position 0) cannot be concatenated');
    throwsWith(() => tn.stack([z(2, 3), z(2, 4)]), tn.ShapeError,
      'stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1');
  });

  test('linear bias and weight shapes', () => {
    throwsWith(() => tn.linear(z(2, 4), z(3, 4), z(4)), tn.ShapeError, 'bias must have shape [3], got [4]');
    throwsWith(() => tn.linear(z(2, 4), z(4)), tn.ShapeError, 'weight must be 2-D, got shape [4]');
  });

  test('backward with a gradient of the wrong shape', () => {
    const x = tn.ones(2, 3, { requiresGrad: true, device });
    const y = x.mul(2);
    throwsWith(() => y.backward(z(3, 2)), tn.ShapeError,
      'Mismatch in shape: grad_output[0] has a shape of torch.Size([3, 2]) and output[0] has a shape of torch.Size([2, 3]).');
    throwsWith(() => y.backward(), Error, 'grad can be implicitly created only for scalar outputs');
  });
});

forEachDevice('errors: out-of-range values (RangeError)', (device: Dev) => {
  const z = (...s: number[]) => tn.zeros(s, { device });

  test('dim out of range, in PyTorch\'s words, for every op taking a dim', () => {
    const x = z(2, 3);
    const msg = (d: number) => `Dimension out of range (expected to be in range of [-2, 1], but got ${d})`;
    throwsWith(() => x.sum(2), RangeError, msg(2));
    throwsWith(() => x.mean(-3), RangeError, msg(-3));
    throwsWith(() => x.max(2), RangeError, msg(2));
    throwsWith(() => x.argmin(-3), RangeError, msg(-3));
    throwsWith(() => x.softmax(2), RangeError, msg(2));
    throwsWith(() => x.logSoftmax(5), RangeError, msg(5));
    throwsWith(() => x.transpose(0, 2), RangeError, msg(2));
    throwsWith(() => x.squeeze(2), RangeError, msg(2));
    throwsWith(() => x.narrow(2, 0, 1), RangeError, msg(2));
    throwsWith(() => x.select(-3, 0), RangeError, msg(-3));
    throwsWith(() => x.flatten(0, 2), RangeError, msg(2));
    throwsWith(() => x.size(2), RangeError, msg(2));
    throwsWith(() => tn.cat([x, x], 2), RangeError, msg(2));
    throwsWith(() => x.unsqueeze(3), RangeError, 'Dimension out of range (expected to be in range of [-3, 2], but got 3)');
    throwsWith(() => tn.stack([x, x], -4), RangeError, 'Dimension out of range (expected to be in range of [-3, 2], but got -4)');
    throwsWith(() => tn.tensor(1.5, { device }).sum(1), RangeError, 'Dimension out of range (expected to be in range of [-1, 0], but got 1)');
  });

  test('index arguments out of bounds', () => {
    const x = z(2, 3);
    throwsWith(() => x.select(1, 3), RangeError, 'index 3 is out of bounds for dimension 1 with size 3');
    throwsWith(() => x.select(0, -3), RangeError, 'index -3 is out of bounds for dimension 0 with size 2');
    throwsWith(() => x.narrow(1, 1, 5), RangeError, 'start (1) + length (5) exceeds dimension size (3).');
    throwsWith(() => x.narrow(0, 3, 0), RangeError, 'start (3) is out of bounds for dimension 0 of size 2');
    throwsWith(() => x.flatten(1, 0), RangeError, 'start_dim cannot come after end_dim');
    throwsWith(() => tn.tensor(1, { device }).narrow(0, 0, 1), RangeError, 'narrow() cannot be applied to a 0-dim tensor.');
    throwsWith(() => x.item(), RangeError, 'a Tensor with 6 elements cannot be converted to Scalar');
    throwsWith(() => x.sum([0, 0]), RangeError, 'dim appears multiple times in the list of dims');
  });

  test('negative, non-integer and NaN sizes', () => {
    throwsWith(() => tn.zeros(-1, { device }), RangeError, 'zeros: expected non-negative integer sizes for size but received -1 of type number');
    throwsWith(() => tn.ones([2, 2.5], { device }), RangeError, 'ones: expected non-negative integer sizes for size but received 2.5 of type number');
    throwsWith(() => tn.zeros(NaN, { device }), RangeError, 'received NaN of type number');
    throwsWith(() => tn.full([Infinity], 1, { device }), RangeError, 'received Infinity of type number');
    throwsWith(() => tn.rand([3, -2], { device }), RangeError, 'received -2 of type number');
    throwsWith(() => tn.tensor([1, 2], { shape: [NaN], device }), RangeError, 'received NaN of type number');
    throwsWith(() => z(6).reshape(2.5, 2), RangeError, 'reshape: expected integer sizes for shape but received 2.5 of type number');
    throwsWith(() => z(6).view(NaN, 6), RangeError, 'view: expected integer sizes for shape but received NaN of type number');
    throwsWith(() => z(3).expand(-2), RangeError, 'expected non-negative sizes');
    throwsWith(() => z(3).expand(-1, 3), RangeError, "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0");
    throwsWith(() => tn.zeros(1, 1, 1, 1, 1, 1, 1, 1, 1, { device }), RangeError, 'expected at most 8 dimensions for size but received an array of length 9');
    throwsWith(() => tn.tensor([1, 2, 3], { shape: [2, 2], device }), RangeError, 'shape [2, 2] needs 4 values but data has 3');
    throwsWith(() => tn.fromArray(new Float32Array(3), [2]), RangeError, 'shape [2] needs 2 values but the array has 3');
  });

  test('ragged nested arrays: expected sequence of length 3 at dim 1 (got 2)', () => {
    throwsWith(() => tn.tensor([[1, 2, 3], [4, 5]], { device }), RangeError, 'tensor: expected sequence of length 3 at dim 1 (got 2)');
    throwsWith(() => tn.tensor([[[1], [2]], [[3]]], { device }), RangeError, 'expected sequence of length 2 at dim 1 (got 1)');
    throwsWith(() => tn.tensor([[1], 2] as never, { device }), RangeError, 'expected sequence of length 1 at dim 1 (got a number at index [1])');
    throwsWith(() => tn.tensor([1, [2]] as never, { device }), RangeError, 'expected a number at index [1] but found a nested array');
  });

  test('values that do not fit int32; bad arange / linspace / randint arguments', () => {
    throwsWith(() => tn.tensor([1, 2e10], { dtype: 'int32', device }), RangeError, 'value 20000000000 does not fit int32 (at flat index 1)');
    throwsWith(() => tn.tensor([NaN], { dtype: 'int32', device }), RangeError, 'value NaN does not fit int32');
    throwsWith(() => tn.arange(0, 5, 0, { device }), RangeError, 'step must be nonzero');
    throwsWith(() => tn.arange(0, 5, -1, { device }), RangeError, 'upper bound and larger bound inconsistent with step sign');
    throwsWith(() => tn.arange(NaN, { device }), RangeError, 'expected finite numbers');
    throwsWith(() => tn.linspace(0, 1, -1, { device }), RangeError, 'expected a non-negative integer for steps');
    throwsWith(() => tn.randint(5, 5, [2], { device }), RangeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
    throwsWith(() => tn.zeros(2, { device: 'tpu' as never }), RangeError, "expected a device ('cpu' or 'cuda') but received \"tpu\"");
    throwsWith(() => tn.tensor([1, 2], { device }).pow(-1), RangeError, 'Integers to negative integer powers are not allowed.');
  });

  test('clamp needs a bound; reductions over nothing', () => {
    throwsWith(() => z(3).clamp(), RangeError, "At least one of 'min' or 'max' must not be None");
    throwsWith(() => z(0).max(), RangeError, 'Expected reduction dim to be specified for input.numel() == 0');
    throwsWith(() => z(0, 2).argmax(0), RangeError, 'Expected reduction dim 0 to have non-zero size.');
  });
});

forEachDevice('errors: wrong types (TypeError)', (device: Dev) => {
  const z = (...s: number[]) => tn.zeros(s, { device });

  test('data that is not numbers', () => {
    throwsWith(() => tn.tensor('abc' as never), TypeError,
      'tensor: expected a number, a nested array of numbers or a typed array for data but received "abc" of type string');
    throwsWith(() => tn.tensor(['a', 'b'] as never), TypeError, 'tensor: expected a number for element [0] but received "a" of type string');
    throwsWith(() => tn.tensor([[1, '2']] as never), TypeError, 'expected a number for element [0, 1] but received "2" of type string');
    throwsWith(() => tn.tensor([true] as never), TypeError, 'received true of type boolean');
    throwsWith(() => tn.tensor(null as never), TypeError, 'received null');
    throwsWith(() => tn.tensor({} as never), TypeError, 'received a value of type Object');
    throwsWith(() => tn.tensor(new BigInt64Array(2) as never), TypeError, 'expected a numeric typed array');
    throwsWith(() => tn.fromArray(new Float64Array(3) as never), TypeError,
      'fromArray: expected a Float32Array or Int32Array for array but received a Float64Array');
  });

  test('sizes, dims and indices that are not numbers', () => {
    throwsWith(() => tn.zeros('2' as never), TypeError, 'zeros: expected non-negative integer sizes for size but received "2" of type string');
    throwsWith(() => tn.zeros([2, null] as never), TypeError, 'received null');
    throwsWith(() => tn.full('3' as never, 1), TypeError, 'full: expected an array of non-negative integers for size');
    throwsWith(() => tn.full([2], '1' as never), TypeError, 'full: expected a number for fill_value but received "1" of type string');
    throwsWith(() => z(6).reshape('6' as never), TypeError, 'reshape: expected integer sizes for shape but received "6" of type string');
    throwsWith(() => z(2, 3).sum('a' as never), TypeError, 'sum: expected an integer for dim but received "a" of type string');
    throwsWith(() => z(2, 3).sum(1.5), TypeError, 'sum: expected an integer for dim but received 1.5 of type number');
    throwsWith(() => z(2, 3).softmax(undefined as never), TypeError, 'dim is required');
    throwsWith(() => z(2, 3).narrow(0, 0.5, 1), TypeError, 'narrow: expected an integer for start but received 0.5 of type number');
    throwsWith(() => z(2, 3).select(0, '1' as never), TypeError, 'select: expected an integer for index');
  });

  test('operands that are not tensors; bad options', () => {
    throwsWith(() => z(2).add('a' as never), TypeError, 'add: expected a Tensor or a number for other but received "a" of type string');
    throwsWith(() => z(2).mul([1, 2] as never), TypeError, 'mul: expected a Tensor or a number for other but received an array of length 2');
    throwsWith(() => z(2, 2).matmul([[1]] as never), TypeError, 'matmul: expected a Tensor for other but received an array of length 1');
    throwsWith(() => tn.matmul(null as never, z(2)), TypeError, 'matmul: expected a Tensor for input but received null');
    throwsWith(() => tn.cat([z(2), 3] as never), TypeError, 'cat: expected a Tensor for tensors[1] but received 3 of type number');
    throwsWith(() => tn.cat(z(2) as never), TypeError, 'cat: expected a non-empty array of Tensors for tensors');
    throwsWith(() => tn.zeros(2, { dtype: 'float64' as never, device }), TypeError,
      "zeros: expected 'float32' or 'int32' for dtype but received \"float64\" of type string");
    throwsWith(() => tn.tensor([1], { requiresGrad: 'yes' as never }), TypeError, 'expected a boolean for requiresGrad');
    throwsWith(() => tn.tensor([1], 5 as never), TypeError, 'expected an options object for options but received 5 of type number');
    throwsWith(() => z(2).to(3 as never), TypeError, "to: expected a device ('cpu', 'cuda') or dtype ('float32', 'int32') for target");
    throwsWith(() => tn.zeros(2, { device: 0 as never }), TypeError, "expected a device ('cpu' or 'cuda') for device but received 0 of type number");
  });

  test('int32 where float32 is needed', () => {
    const i = tn.tensor([[1, 2], [3, 4]], { device });
    const f = z(2, 2);
    throwsWith(() => i.matmul(f), TypeError, 'matmul: expected float32 tensors but received int32 and float32; convert with .float()');
    throwsWith(() => f.mm(i), TypeError, 'expected float32 tensors but received float32 and int32');
    throwsWith(() => tn.linear(i, f), TypeError, 'linear: expected float32 tensors but received int32 and float32');
    throwsWith(() => i.softmax(1), TypeError, "softmax: \"softmax_lastdim_kernel_impl\" not implemented for 'int32'; convert with .float()");
    throwsWith(() => i.logSoftmax(1), TypeError, "not implemented for 'int32'");
    throwsWith(() => i.mean(), TypeError, 'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: int32');
    throwsWith(() => i.requiresGrad_(), TypeError, 'only Tensors of floating point dtype can require gradients');
    throwsWith(() => tn.tensor([1, 2], { dtype: 'int32', requiresGrad: true, device }), TypeError, 'Only Tensors of floating point dtype can require gradients');
    throwsWith(() => tn.rand(2, { dtype: 'int32', device }), TypeError, 'rand: only float32 is supported, got int32');
    // The float functions accept int32 and promote, as in PyTorch.
    expect(i.exp().dtype).toBe('float32');
    expect(i.float().matmul(f).shape).toEqual([2, 2]);
  });
});

forEachDevice('errors: disposed tensors and memory accounting', (device: Dev) => {
  test('using a disposed tensor (or a view of it) throws, naming the op and the argument', () => {
    const x = tn.ones(2, 3, { device });
    const v = x.t();
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(v.isDisposed).toBe(true);
    throwsWith(() => x.add(1), Error, 'add: input was disposed');
    throwsWith(() => tn.ones(2, 3, { device }).mul(x), Error, 'mul: other was disposed');
    throwsWith(() => x.matmul(tn.ones(3, 2, { device })), Error, 'matmul: input was disposed');
    throwsWith(() => v.dataSync(), Error, 'dataSync: input was disposed');
    throwsWith(() => v.sum(), Error, 'sum: input was disposed');
    throwsWith(() => x.item(), Error, 'item: input was disposed');
    throwsWith(() => x.reshape(6), Error, 'reshape: input was disposed');
    throwsWith(() => tn.cat([x, x]), Error, 'cat: tensors[0] was disposed');
    expect(x.toString()).toBe('tensor(<disposed>)');
    expect(x.shape).toEqual([2, 3]);  // metadata stays readable
    x.dispose();  // a second dispose is harmless
    // Symbol.dispose is the same as dispose().
    const y = tn.ones(2, { device });
    y[Symbol.dispose]();
    expect(y.isDisposed).toBe(true);
  });

  // CPU tensors are typed arrays the GC frees; only device memory is counted per allocation.
  (device === 'cuda' ? test : test.skip)('tn.memory(): disposing every tensor made brings the live count and bytes back', () => {
    // Finalizers only run between tasks, so nothing else changes the counts inside this body.
    const start = tn.memory().cuda;
    const made: tn.Tensor[] = [];
    for (let i = 0; i < 5; ++i) made.push(tn.ones(10, 10, { device }));
    made.push(made[0].add(made[1]));            // one new storage
    made.push(made[2].matmul(made[3]));         // one new storage
    const views = [made[0].t(), made[1].narrow(0, 2, 3), made[2].reshape(100)];  // views: no new storage
    const mid = tn.memory().cuda;
    expect(mid.tensors - start.tensors).toBe(7);
    expect(mid.bytes - start.bytes).toBe(7 * 100 * 4);
    for (const t of made) t.dispose();
    const end = tn.memory().cuda;
    expect(end.tensors).toBe(start.tensors);
    expect(end.bytes).toBe(start.bytes);
    expect(views.every((v) => v.isDisposed)).toBe(true);
  });
});
