/**
 * Elementwise ops with NumPy broadcasting and PyTorch's type promotion (int32 with a float
 * operand, or true division, gives float32), and their gradients.
 */
import { record } from '../autograd/function';
import { type DType, promote } from '../dtype';
import { typeError } from '../errors';
import { broadcastShapes, expandStrides } from '../shape';
import { Storage } from '../storage';
import { Tensor, type TensorOrScalar } from '../tensor';
import { checkSameDevice, checkTensor, empty } from './common';
import { BINARY, type BinaryName, UNARY, UNARY_GRAD, type UnaryName, binding, describe, h } from './native';
import { sumTo } from './views';
import { activeTrace, recordStep } from '../jit/trace';

/** A 0-d tensor holding value on device (filled by a kernel: no host round trip). */
export function scalarTensor(value: number, dtype: DType, device: Tensor['device'], op = 'fill'): Tensor {
  if (dtype === 'int32') checkInt32Value(op, value);
  const t = new Tensor(Storage.allocate(device, dtype, 1), []);
  binding.fill(describe(t), h(t), value);
  return t;
}

/**
 * PyTorch's refusal of a scalar an int32 tensor cannot hold (NaN, ±Infinity, beyond ±2^31): the
 * fill kernel's float→int conversion of such a value is undefined behaviour in C++ and used to
 * give INT32_MIN (so `intTensor.clamp(0, 1e12)` returned -2147483648).
 */
export function checkInt32Value(op: string, value: number): void {
  if (!(value > -2147483649 && value < 2147483648))
    throw new RangeError(`${op}: value ${value} cannot be converted to type int32 without overflow`);
}

function asTensor(op: string, other: TensorOrScalar, like: Tensor): Tensor {
  if (other instanceof Tensor) {
    checkTensor(op, other, 'other');
    return other;
  }
  if (typeof other !== 'number') throw typeError(op, 'a Tensor or a number', 'other', other);
  // Like PyTorch, a Python scalar does not promote a float tensor; an int tensor with a
  // non-integer scalar becomes float.
  const dtype: DType = like.dtype === 'int32' && Number.isInteger(other) ? 'int32' : 'float32';
  return scalarTensor(other, dtype, like.device, op);
}

/** Converts a tensor to dtype without recording (used inside ops). */
export function castNoGrad(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = new Tensor(Storage.allocate(x.device, dtype, x.numel()), x.shape);
  if (out.numel() > 0) binding.copy(describe(x, out), h(x), h(out));
  return out;
}

/** Runs a binary kernel over the broadcast of a and b. No autograd. */
export function binaryRaw(name: BinaryName, a: Tensor, b: Tensor, outDtype?: DType): Tensor {
  checkSameDevice(name, a, b);
  const dtype = outDtype ?? promote(a.dtype, b.dtype);
  const shape = broadcastShapes(name, a.shape, b.shape);
  const A = castNoGrad(a, dtype);
  const B = castNoGrad(b, dtype);
  const out = empty(a.device, dtype, shape);
  if (out.numel() === 0) return out;
  const av = { storage: A.storage, offset: A.offset, shape, strides: expandStrides(name, A.shape, A.strides, shape), dtype };
  const bv = { storage: B.storage, offset: B.offset, shape, strides: expandStrides(name, B.shape, B.strides, shape), dtype };
  binding.binary(BINARY[name], describe(av, bv, out), h(A), h(B), h(out));
  return out;
}

function scaled(x: TensorOrScalar, alpha: number | undefined): TensorOrScalar {
  if (alpha === undefined || alpha === 1) return x;
  if (typeof alpha !== 'number') throw typeError('add', 'a number', 'alpha', alpha);
  return x instanceof Tensor ? x.mul(alpha) : x * alpha;
}

/**
 * a + alpha * b, broadcasting.
 * @example tn.tensor([1, 2]).add(tn.tensor([[10], [20]]))  // [[11, 12], [21, 22]]
 */
export function add(a: Tensor, other: TensorOrScalar, alpha?: number): Tensor {
  checkTensor('add', a);
  const b = asTensor('add', scaled(other, alpha), a);
  const out = binaryRaw('add', a, b);
  return record(out, 'AddBackward0', [a, b], (g) => [sumTo(g, a.shape), sumTo(g, b.shape)]);
}

/** a - alpha * b, broadcasting. */
export function sub(a: Tensor, other: TensorOrScalar, alpha?: number): Tensor {
  checkTensor('sub', a);
  const b = asTensor('sub', scaled(other, alpha), a);
  const out = binaryRaw('sub', a, b);
  return record(out, 'SubBackward0', [a, b], (g) => [sumTo(g, a.shape), sumTo(g.neg(), b.shape)]);
}

/** a * b, broadcasting. */
export function mul(a: Tensor, other: TensorOrScalar): Tensor {
  checkTensor('mul', a);
  const b = asTensor('mul', other, a);
  const out = binaryRaw('mul', a, b);
  return record(out, 'MulBackward0', [a, b], (g) => [
    a.requiresGrad ? sumTo(g.mul(b), a.shape) : null,
    b.requiresGrad ? sumTo(g.mul(a), b.shape) : null,
  ]);
}

/** True division a / b (int32 operands give float32, as in PyTorch). */
export function div(a: Tensor, other: TensorOrScalar): Tensor {
  checkTensor('div', a);
  const b = asTensor('div', other, a);
  const out = binaryRaw('div', a, b, 'float32');
  return record(out, 'DivBackward0', [a, b], (g) => [
    a.requiresGrad ? sumTo(g.div(b), a.shape) : null,
    b.requiresGrad ? sumTo(g.mul(out).div(b).neg(), b.shape) : null,
  ]);
}

/** a ** exponent. */
export function pow(a: Tensor, exponent: TensorOrScalar): Tensor {
  checkTensor('pow', a);
  // PyTorch refuses this; the int32 kernel would silently give 0 (or ±1) instead.
  if (typeof exponent === 'number' && a.dtype === 'int32' && Number.isInteger(exponent) && exponent < 0)
    throw new RangeError('pow: Integers to negative integer powers are not allowed.');
  if (typeof exponent === 'number') {
    const e = asTensor('pow', exponent, a);
    const out = binaryRaw('pow', a, e);
    return record(out, 'PowBackward0', [a], (g) => [
      exponent === 0 ? g.mul(0) : g.mul(a.pow(exponent - 1)).mul(exponent),
    ]);
  }
  const b = asTensor('pow', exponent, a);
  const out = binaryRaw('pow', a, b);
  return record(out, 'PowBackward1', [a, b], (g) => [
    a.requiresGrad ? sumTo(g.mul(b).mul(a.pow(b.sub(1))), a.shape) : null,
    b.requiresGrad ? sumTo(g.mul(out).mul(a.log()), b.shape) : null,
  ]);
}

function extremeOf(name: 'maximum' | 'minimum', a: Tensor, other: Tensor): Tensor {
  checkTensor(name, a);
  const b = asTensor(name, other, a);
  const out = binaryRaw(name, a, b);
  // Ties split the gradient evenly, as PyTorch does.
  return record(out, name === 'maximum' ? 'MaximumBackward0' : 'MinimumBackward0', [a, b], (g) => {
    const aWins = binaryRaw(name === 'maximum' ? 'gt' : 'lt', a, b, 'float32');
    const tie = binaryRaw('eq', a, b, 'float32').mul(0.5);
    const wa = aWins.add(tie);
    const wb = wa.neg().add(1);
    return [a.requiresGrad ? sumTo(g.mul(wa), a.shape) : null, b.requiresGrad ? sumTo(g.mul(wb), b.shape) : null];
  });
}
export const maximum = (a: Tensor, b: Tensor): Tensor => extremeOf('maximum', a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => extremeOf('minimum', a, b);

/** Elementwise comparison; 1 where true, 0 where false, in the promoted dtype (no gradient). */
export function compare(name: 'eq' | 'lt' | 'gt', a: Tensor, other: TensorOrScalar): Tensor {
  checkTensor(name, a);
  return binaryRaw(name, a, asTensor(name, other, a));
}

const FLOAT_ONLY = new Set<UnaryName>(['sigmoid', 'tanh', 'exp', 'log', 'sqrt', 'reciprocal', 'log1p']);
const GRAD_NAME: Record<UnaryName, string> = {
  neg: 'NegBackward0', relu: 'ReluBackward0', sigmoid: 'SigmoidBackward0', tanh: 'TanhBackward0',
  exp: 'ExpBackward0', log: 'LogBackward0', abs: 'AbsBackward0', sqrt: 'SqrtBackward0', square: 'PowBackward0',
  reciprocal: 'ReciprocalBackward0', sign: 'SignBackward0', log1p: 'Log1PBackward0',
};

/** Runs a unary kernel (no autograd). */
export function unaryRaw(name: UnaryName, x: Tensor): Tensor {
  const input = FLOAT_ONLY.has(name) ? castNoGrad(x, 'float32') : x;
  const out = empty(input.device, input.dtype, input.shape);
  if (out.numel() > 0) binding.unary(UNARY[name], describe(input, out), h(input), h(out));
  return out;
}

function unaryGradRaw(name: keyof typeof UNARY_GRAD, g: Tensor, saved: Tensor): Tensor {
  const out = empty(g.device, 'float32', g.shape);
  if (out.numel() > 0) binding.unaryGrad(UNARY_GRAD[name], describe(g, saved, out), h(g), h(saved), h(out));
  return out;
}

/** f(x) elementwise for the unary ops (int32 inputs of float functions become float32). */
export function unary(name: UnaryName, x: Tensor): Tensor {
  checkTensor(name, x);
  const y = unaryRaw(name, x);
  if (activeTrace() && (name === 'sigmoid' || name === 'relu' || name === 'tanh')) recordStep({ kind: 'activation', input: x, output: y, activation: name });
  return record(y, GRAD_NAME[name], [x], (g) => {
    switch (name) {
      case 'neg': return [g.neg()];
      case 'relu': return [unaryGradRaw('relu', g, x)];
      case 'sigmoid': return [unaryGradRaw('sigmoid', g, y)];
      case 'tanh': return [unaryGradRaw('tanh', g, y)];
      case 'exp': return [g.mul(y)];
      case 'log': return [g.div(x)];
      case 'log1p': return [g.div(x.add(1))];
      case 'abs': return [g.mul(x.sign())];
      case 'sqrt': return [g.div(y.mul(2))];
      case 'square': return [g.mul(x).mul(2)];
      case 'reciprocal': return [g.mul(y).mul(y).neg()];
      case 'sign': return [g.mul(0)];
    }
  });
}

/** Clamps into [min, max] (either may be null). */
export function clamp(x: Tensor, min: number | null, max: number | null): Tensor {
  checkTensor('clamp', x);
  if (min === null && max === null) throw new RangeError("clamp: At least one of 'min' or 'max' must not be None");
  if (min !== null && typeof min !== 'number') throw typeError('clamp', 'a number or null', 'min', min);
  if (max !== null && typeof max !== 'number') throw typeError('clamp', 'a number or null', 'max', max);
  // One recorded node, as PyTorch's ClampBackward1: it used to be recorded as maximum/minimum
  // nodes (so grad_fn printed <MinimumBackward0>, and an input exactly on a bound got half the
  // gradient from the tie rule). PyTorch passes the gradient where min <= x <= max.
  const lo = min === null ? null : scalarTensor(min, x.dtype === 'int32' && Number.isInteger(min) ? 'int32' : 'float32', x.device, 'clamp');
  let y = lo ? binaryRaw('maximum', x, lo) : x;
  const hi = max === null ? null : scalarTensor(max, y.dtype === 'int32' && Number.isInteger(max) ? 'int32' : 'float32', x.device, 'clamp');
  if (hi) y = binaryRaw('minimum', y, hi);
  return record(y, 'ClampBackward1', [x], (g) => {
    const atLeast = (b: Tensor) => binaryRaw('gt', x, b, 'float32').add(binaryRaw('eq', x, b, 'float32'));
    const atMost = (b: Tensor) => binaryRaw('lt', x, b, 'float32').add(binaryRaw('eq', x, b, 'float32'));
    const mask = lo && hi ? atLeast(lo).mul(atMost(hi)) : lo ? atLeast(lo) : atMost(hi!);
    return [g.mul(mask)];
  });
}
