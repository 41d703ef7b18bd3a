/**
 * nn.init: in-place initialisers, drawing from PyTorch's CPU generator exactly as
 * torch/nn/init.py does, so a seed gives PyTorch's values on every device.
 *
 * The bounds are computed in double precision with the same expressions as init.py (e.g.
 * kaiming_uniform_ with a = √5: gain = √(2 / (1 + a²)), bound = √3 · gain / √fan_in), and the
 * draws are `uniform_`'s float32 rule from lib/random (fillUniform converts from/to to float32
 * first, as ATen's kernel does).
 */
import { typeError } from '../errors';
import { tensor } from '../ops/creation';
import { checkOptions } from '../options';
import { copyInto } from '../ops/views';
import { type Generator, fillUniform } from '../random';
import { Tensor } from '../tensor';

/** Writes host values (row-major) into t in place, on t's device. Not recorded by autograd. */
export function writeValues(t: Tensor, values: Float32Array): void {
  if (values.length === 0) return;
  if (t.isContiguous()) t.storage.write(t.offset, values);
  else copyInto(t, tensor(values, { shape: t.shape.slice(), device: t.device }));
}

function checkFloatTensor(op: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw typeError(op, 'a Tensor', 'tensor', t);
  if (t.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 tensor but received ${t.dtype}`);
  return t;
}

/**
 * Fills t with U(a, b) in place (torch.nn.init.uniform_); returns t.
 * @example nn.init.uniform_(layer.weight, -0.1, 0.1);
 */
export function uniform_(t: Tensor, a = 0, b = 1, generator?: Generator): Tensor {
  checkFloatTensor('uniform_', t);
  const values = new Float32Array(t.numel());
  fillUniform(values, a, b, generator);
  writeValues(t, values);
  return t;
}

/** Fills t with value in place; returns t. */
export function constant_(t: Tensor, value: number): Tensor {
  checkFloatTensor('constant_', t);
  if (typeof value !== 'number') throw typeError('constant_', 'a number', 'value', value);
  writeValues(t, new Float32Array(t.numel()).fill(value));
  return t;
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** torch.nn.init._calculate_fan_in_and_fan_out. */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  let receptive = 1;
  for (let d = 2; d < t.ndim; d++) receptive *= t.shape[d];
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number') throw typeError('calculateGain', 'a number', 'param', slope);
      return Math.sqrt(2.0 / (1 + slope ** 2));
    }
    case 'selu':
      return 3.0 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

/**
 * torch.nn.init.kaiming_uniform_: U(-bound, bound) with bound = gain · √(3 / fan). nn.Linear uses
 * a = √5, which makes bound = 1/√in_features.
 * @example nn.init.kaimingUniform_(w, { a: Math.sqrt(5) });
 */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  checkFloatTensor('kaimingUniform_', t);
  checkOptions('kaimingUniform_', opts, ['a', 'mode', 'nonlinearity', 'generator']);
  if (t.numel() === 0) return t; // PyTorch: "Initializing zero-element tensors is a no-op"
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound, opts.generator);
}
