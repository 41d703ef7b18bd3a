/**
 * Creating tensors: from JS data (copying), from a typed array (sharing), and the factories
 * zeros/ones/full/rand/randn/randint/arange/linspace/eye. Random factories draw on the host from
 * PyTorch's CPU generator (lib/random), so a seed gives PyTorch's values on every device.
 */
import { type DType, type HostArray, allocHost, isDType } from '../dtype';
import { type Device, parseDevice } from '../device';
import { rangeError, typeError } from '../errors';
import { checkOptions, isOptionsObject } from '../options';
import { type Generator, defaultGenerator, fillNormal, fillRandint, fillUniform } from '../random';
import { MAX_DIMS, checkShape, numelOf } from '../shape';
import { Storage } from '../storage';
import { Tensor, type NestedArray } from '../tensor';
import { checkInt32Value } from './elementwise';
import { binding, describe, h } from './native';

export interface TensorOptions {
  dtype?: DType;
  device?: Device | 'cuda:0';
  requiresGrad?: boolean;
}
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TENSOR_OPTIONS = ['dtype', 'device', 'requiresGrad'] as const;
const RANDOM_OPTIONS = [...TENSOR_OPTIONS, 'generator'] as const;

/** Checks an options object: only `allowed` keys (did-you-mean otherwise), and the dtype and requiresGrad values. */
function tensorOptions(op: string, opts: unknown, allowed: readonly string[] = TENSOR_OPTIONS): TensorOptions & { shape?: number[]; generator?: Generator } {
  const o = checkOptions(op, opts, allowed);
  if (o.dtype !== undefined && !isDType(o.dtype)) throw typeError(op, "'float32' or 'int32'", 'dtype', o.dtype);
  if (o.requiresGrad !== undefined && typeof o.requiresGrad !== 'boolean') throw typeError(op, 'a boolean', 'requiresGrad', o.requiresGrad);
  return o as TensorOptions;
}

function finish(op: string, storage: Storage, shape: number[], opts: TensorOptions): Tensor {
  const t = new Tensor(storage, shape);
  if (opts.requiresGrad) {
    if (t.dtype !== 'float32') throw new TypeError(`${op}: Only Tensors of floating point dtype can require gradients`);
    t.requiresGrad = true;
  }
  return t;
}

/** Host values → a tensor on the requested device. */
function fromHostValues(op: string, values: HostArray, shape: number[], opts: TensorOptions): Tensor {
  const device = parseDevice(op, opts.device);
  return finish(op, Storage.fromHost(device, values, true), shape, opts);
}

/**
 * Splits factory arguments `(2, 3)`, `([2, 3])`, `(2, 3, opts)` into shape and options. A plain
 * object last is the options; any other object is left in the sizes, where checkShape names it.
 */
export function sizeArgs(op: string, args: unknown[], allowed: readonly string[] = TENSOR_OPTIONS): { shape: number[]; opts: RandomOptions } {
  let opts: RandomOptions = {};
  let sizes = args;
  const last = args[args.length - 1];
  if (isOptionsObject(last)) {
    opts = tensorOptions(op, last, allowed);
    sizes = args.slice(0, -1);
  }
  if (sizes.length === 0) throw new TypeError(`${op}: missing the size argument: ${op}(2, 3) or ${op}([2, 3]) (${op}([]) for a 0-d tensor)`);
  const shape = sizes.length === 1 && Array.isArray(sizes[0]) ? (sizes[0] as unknown[]) : sizes;
  return { shape: checkShape(op, shape, 'size'), opts };
}

function inferNested(op: string, data: unknown[]): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  for (let cur: unknown = data; Array.isArray(cur); cur = cur[0]) {
    // Checked while descending: a deeper nest is refused before it is walked or reaches native code.
    if (shape.length === MAX_DIMS) throw new RangeError(`${op}: nested arrays deeper than ${MAX_DIMS} levels are not supported (tensors have at most ${MAX_DIMS} dimensions)`);
    shape.push(cur.length);
    if (cur.length === 0) break;
  }
  const flat: number[] = [];
  const walk = (v: unknown, d: number, path: number[]): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new RangeError(`${op}: expected a number at index [${path.join(', ')}] but found a nested array (ragged nesting)`);
      if (typeof v !== 'number') throw typeError(op, 'a number', `element [${path.join(', ')}]`, v);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v)) throw new RangeError(`${op}: expected sequence of length ${shape[d]} at dim ${d} (got a number at index [${path.join(', ')}])`);
    if (v.length !== shape[d]) throw new RangeError(`${op}: expected sequence of length ${shape[d]} at dim ${d} (got ${v.length})`);
    for (let i = 0; i < v.length; ++i) walk(v[i], d + 1, [...path, i]);
  };
  walk(data, 0, []);
  return { shape, flat };
}

function toDtypeArray(op: string, values: ArrayLike<number>, dtype: DType): HostArray {
  const out = allocHost(dtype, values.length);
  if (dtype === 'int32') {
    for (let i = 0; i < values.length; ++i) {
      const v = values[i];
      if (!Number.isFinite(v) || v < -2147483648 || v > 2147483647)
        throw new RangeError(`${op}: value ${v} does not fit int32 (at flat index ${i}); pass { dtype: 'float32' }`);
      out[i] = Math.trunc(v);
    }
  } else out.set(values);
  return out;
}

/**
 * A tensor holding a copy of data (a number, nested arrays, a typed array with opts.shape, or a Tensor).
 * Integer-only JS numbers give int32 (PyTorch: int64); anything with a fraction gives float32.
 * @example tn.tensor([[1, 2], [3, 4]], { dtype: 'float32', requiresGrad: true })
 */
export function tensor(data: NestedArray | ArrayLike<number> | Tensor, optsIn?: TensorOptions & { shape?: number[] }): Tensor {
  const op = 'tensor';
  const opts = tensorOptions(op, optsIn, [...TENSOR_OPTIONS, 'shape']);
  if (data instanceof Tensor) {
    const values = data.dataSync();
    const dtype = opts.dtype ?? data.dtype;
    return fromHostValues(op, toDtypeArray(op, values, dtype), data.shape.slice(), { device: data.device, ...opts });
  }
  if (ArrayBuffer.isView(data)) {
    if (data instanceof DataView || typeof (data as unknown as { length: unknown }).length !== 'number' || data instanceof BigInt64Array || data instanceof BigUint64Array)
      throw typeError(op, 'a numeric typed array', 'data', data);
    const arr = data as unknown as ArrayLike<number>;
    const shape = opts.shape ? checkShape(op, opts.shape) : [arr.length];
    if (numelOf(shape) !== arr.length) throw new RangeError(`${op}: shape [${shape.join(', ')}] needs ${numelOf(shape)} values but data has ${arr.length}`);
    const dtype = opts.dtype ?? (data instanceof Float32Array || data instanceof Float64Array ? 'float32' : 'int32');
    return fromHostValues(op, toDtypeArray(op, arr, dtype), shape, opts);
  }
  let shape: number[];
  let flat: number[];
  if (typeof data === 'number') {
    shape = [];
    flat = [data];
  } else if (Array.isArray(data)) {
    ({ shape, flat } = inferNested(op, data));
  } else {
    throw typeError(op, 'a number, a nested array of numbers or a typed array', 'data', data);
  }
  if (opts.shape) {
    const s = checkShape(op, opts.shape);
    if (numelOf(s) !== flat.length) throw new RangeError(`${op}: shape [${s.join(', ')}] needs ${numelOf(s)} values but data has ${flat.length}`);
    shape = s;
  }
  const dtype = opts.dtype ?? (flat.every((v) => Number.isInteger(v)) && flat.length > 0 && !opts.requiresGrad ? 'int32' : 'float32');
  return fromHostValues(op, toDtypeArray(op, flat, dtype), shape, opts);
}

/**
 * A cpu tensor that shares `array`'s memory (like torch.from_numpy): writes show through both ways.
 * @example const x = tn.fromArray(new Float32Array([1, 2, 3, 4]), [2, 2]);
 */
export function fromArray(array: Float32Array | Int32Array, shape?: number[]): Tensor {
  const op = 'fromArray';
  if (!(array instanceof Float32Array) && !(array instanceof Int32Array)) throw typeError(op, 'a Float32Array or Int32Array', 'array', array);
  const s = shape === undefined ? [array.length] : checkShape(op, shape);
  if (numelOf(s) !== array.length) throw new RangeError(`${op}: shape [${s.join(', ')}] needs ${numelOf(s)} values but the array has ${array.length}`);
  const storage = Storage.fromHost('cpu', array, true);
  storage.userOwned = true;  // writes show through both ways, unseen by storage.version
  return new Tensor(storage, s);
}

/** A tensor of `shape` filled with value. */
export function full(shapeIn: number[], value: number, optsIn?: TensorOptions): Tensor {
  const op = 'full';
  const shape = checkShape(op, shapeIn, 'size');
  if (typeof value !== 'number') throw typeError(op, 'a number', 'fill_value', value);
  const opts = tensorOptions(op, optsIn);
  // Like torch.full, an integer fill value gives an integer tensor unless a dtype is given.
  const dtype = opts.dtype ?? (Number.isInteger(value) ? 'int32' : 'float32');
  if (dtype === 'int32') checkInt32Value(op, value);
  const t = new Tensor(Storage.allocate(parseDevice(op, opts.device), dtype, numelOf(shape)), shape);
  if (t.numel() > 0) binding.fill(describe(t), h(t), value);
  return finish(op, t.storage, shape, opts);
}

/**
 * zeros(2, 3), zeros([2, 3], opts) or zeros(2, 3, opts), as torch.zeros takes its sizes.
 * @example tn.zeros(2, 3, { requiresGrad: true })
 */
export function zeros(...size: number[]): Tensor;
export function zeros(size: readonly number[], options?: TensorOptions): Tensor;
export function zeros(...sizeAndOptions: [...number[], TensorOptions]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const { shape, opts } = sizeArgs('zeros', args);
  return full(shape, 0, { dtype: 'float32', ...opts });
}
/** ones(2, 3), ones([2, 3], opts) or ones(2, 3, opts). */
export function ones(...size: number[]): Tensor;
export function ones(size: readonly number[], options?: TensorOptions): Tensor;
export function ones(...sizeAndOptions: [...number[], TensorOptions]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const { shape, opts } = sizeArgs('ones', args);
  return full(shape, 1, { dtype: 'float32', ...opts });
}

function random(op: string, args: unknown[], fillFn: (out: Float32Array, g: Generator) => void): Tensor {
  const { shape, opts } = sizeArgs(op, args, RANDOM_OPTIONS);
  if (opts.dtype && opts.dtype !== 'float32') throw new TypeError(`${op}: only float32 is supported, got ${opts.dtype}`);
  const values = new Float32Array(numelOf(shape));
  fillFn(values, opts.generator ?? defaultGenerator);
  return fromHostValues(op, values, shape, opts);
}

/** Uniform [0, 1) — PyTorch's CPU values for the same seed: rand(2, 3), rand([2, 3], opts), rand(2, 3, opts). */
export function rand(...size: number[]): Tensor;
export function rand(size: readonly number[], options?: RandomOptions): Tensor;
export function rand(...sizeAndOptions: [...number[], RandomOptions]): Tensor;
export function rand(...args: unknown[]): Tensor {
  return random('rand', args, (v, g) => fillUniform(v, 0, 1, g));
}
/** Standard normal — PyTorch's CPU algorithm on the same generator: randn(2, 3), randn([2, 3], opts), randn(2, 3, opts). */
export function randn(...size: number[]): Tensor;
export function randn(size: readonly number[], options?: RandomOptions): Tensor;
export function randn(...sizeAndOptions: [...number[], RandomOptions]): Tensor;
export function randn(...args: unknown[]): Tensor {
  return random('randn', args, (v, g) => fillNormal(v, 0, 1, g));
}

/** Integers in [low, high) as int32 (bounds outside int32 are refused: the values would wrap). */
export function randint(low: number, high: number, shapeIn: number[], optsIn?: RandomOptions): Tensor {
  const op = 'randint';
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw typeError(op, 'integers', 'low/high', !Number.isInteger(low) ? low : high);
  if (high <= low) throw new RangeError(`${op}: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  if (low < INT32_MIN || high - 1 > INT32_MAX) throw new RangeError(`${op}: [${low}, ${high}) does not fit int32 (int64 tensors are not supported yet)`);
  const shape = checkShape(op, shapeIn, 'size');
  const opts = tensorOptions(op, optsIn, RANDOM_OPTIONS) as RandomOptions;
  const values = new Int32Array(numelOf(shape));
  fillRandint(values, low, high, opts.generator ?? defaultGenerator);
  return fromHostValues(op, values, shape, { ...opts, dtype: 'int32' });
}

/** Reads arange's `(end)`, `(start, end)`, `(start, end, step)`, each optionally followed by options. */
function arangeArgs(op: string, args: unknown[]): { start: number; end: number; step: number; optsIn: unknown } {
  const given = args.slice();
  while (given.length > 0 && given[given.length - 1] === undefined) given.pop();
  const last = given[given.length - 1];
  const optsIn = isOptionsObject(last) ? last : undefined;
  const nums = optsIn === undefined ? given : given.slice(0, -1);
  if (nums.length < 1 || nums.length > 3) throw new TypeError(`${op}: expected (end), (start, end) or (start, end, step), optionally followed by options, but received ${nums.length} numbers`);
  nums.forEach((v, i) => {
    if (typeof v !== 'number') throw typeError(op, 'a number', ['start', 'end', 'step'][nums.length === 1 ? 1 : i], v);
  });
  const n = nums as number[];
  const [start, end, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
  return { start, end, step, optsIn };
}

/**
 * arange(end), arange(start, end, step?): int32 when every argument is an integer, else float32.
 * An int32 range reaching past int32 is refused (its values would wrap; int64 is not supported yet).
 * @example tn.arange(0, 1, 0.25)  // tensor([0.0000, 0.2500, 0.5000, 0.7500])
 */
export function arange(a: number, b?: number | TensorOptions, c?: number | TensorOptions, d?: TensorOptions): Tensor {
  const op = 'arange';
  const { start, end, step, optsIn } = arangeArgs(op, [a, b, c, d]);
  for (const v of [start, end, step]) if (!Number.isFinite(v)) throw rangeError(op, 'finite numbers', 'start/end/step', v);
  if (step === 0) throw new RangeError(`${op}: step must be nonzero`);
  if ((end - start) / step < 0) throw new RangeError(`${op}: upper bound and larger bound inconsistent with step sign`);
  const n = Math.ceil((end - start) / step);
  if (n > 2 ** 31) throw new RangeError(`${op}: ${n} elements is too many`);
  const opts = tensorOptions(op, optsIn);
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  if (dtype === 'int32' && n > 0) {
    const lastValue = start + (n - 1) * step;
    for (const v of [start, lastValue])
      if (Math.trunc(v) < INT32_MIN || Math.trunc(v) > INT32_MAX)
        throw new RangeError(`${op}: value ${v} does not fit int32 (the range [${start}, ${end}) would wrap); pass { dtype: 'float32' } (int64 tensors are not supported yet)`);
  }
  const values = allocHost(dtype, n);
  for (let i = 0; i < n; ++i) values[i] = start + i * step;
  return fromHostValues(op, values, [n], opts);
}

/** steps evenly spaced values from start to end inclusive (float32). */
export function linspace(start: number, end: number, steps: number, optsIn?: TensorOptions): Tensor {
  const op = 'linspace';
  if (!Number.isInteger(steps) || steps < 0) throw rangeError(op, 'a non-negative integer', 'steps', steps);
  const values = new Float32Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the first half from start and the second half from end, for symmetry.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; ++i) values[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return fromHostValues(op, values, [steps], tensorOptions(op, optsIn));
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m: number | TensorOptions = n, optsIn?: TensorOptions): Tensor {
  const op = 'eye';
  const cols = typeof m === 'number' ? m : n;
  const opts = tensorOptions(op, typeof m === 'object' ? m : optsIn);
  const shape = checkShape(op, [n, cols], 'size');
  const values = allocHost(opts.dtype ?? 'float32', n * cols);
  for (let i = 0; i < Math.min(n, cols); ++i) values[i * cols + i] = 1;
  return fromHostValues(op, values, shape, opts);
}

function likeOpts(x: Tensor, opts?: TensorOptions): TensorOptions {
  return { dtype: x.dtype, device: x.device, ...opts };
}
export const zerosLike = (x: Tensor, opts?: TensorOptions): Tensor => full(x.shape.slice(), 0, likeOpts(x, opts));
export const onesLike = (x: Tensor, opts?: TensorOptions): Tensor => full(x.shape.slice(), 1, likeOpts(x, opts));
export const fullLike = (x: Tensor, value: number, opts?: TensorOptions): Tensor => full(x.shape.slice(), value, likeOpts(x, opts));
export const randLike = (x: Tensor, opts?: RandomOptions): Tensor => rand(x.shape.slice(), { device: x.device, ...opts });
export const randnLike = (x: Tensor, opts?: RandomOptions): Tensor => randn(x.shape.slice(), { device: x.device, ...opts });
