/**
 * nn.Linear: y = x·Wᵀ + b, weight [out, in] and bias [out] as PyTorch stores them (so state dicts
 * and safetensors files move across unchanged), and nn.Identity.
 *
 * Init is PyTorch's `reset_parameters`: kaiming_uniform_(weight, a=√5), i.e. U(±1/√in), then
 * bias ~ U(±1/√in), weight drawn first, from the default generator: after `tn.manualSeed(s)` the
 * values are `torch.manual_seed(s)`'s.
 */
import { type Device, parseDevice } from '../device';
import { rangeError, typeError } from '../errors';
import { empty } from '../ops/common';
import { checkOptions } from '../options';
import { Tensor } from '../tensor';
import { linear } from './functional';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from './init';
import { Module } from './module';
import { Parameter } from './parameter';
import { describeForward } from './program';
import { pyBool } from './repr';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Where the parameters live (default: tn.device). */
  device?: Device | 'cuda:0';
}

function checkFeatures(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError('Linear', 'a non-negative integer', name, v);
  if (v < 0) throw rangeError('Linear', 'a non-negative integer', name, v);
  return v;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  /**
   * @example const fc = new nn.Linear(4, 5);
   *   fc.forward(tn.rand(2, 4)).shape  // [2, 5]
   */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkFeatures('inFeatures', inFeatures);
    this.outFeatures = checkFeatures('outFeatures', outFeatures);
    checkOptions('Linear', options, ['bias', 'device']);
    const bias = options.bias ?? true;
    if (typeof bias !== 'boolean') throw typeError('Linear', 'a boolean', 'bias', bias);
    const device = parseDevice('Linear', options.device);
    this.weight = new Parameter(empty(device, 'float32', [outFeatures, inFeatures]));
    if (bias) this.bias = new Parameter(empty(device, 'float32', [outFeatures]));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** Draws fresh initial values (PyTorch's reset_parameters). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

describeForward(Linear, (m) => {
  const { weight, bias } = m as Linear;
  if (!(weight instanceof Tensor) || (bias !== null && !(bias instanceof Tensor))) return null;
  return { steps: [{ kind: 'linear', module: m, weight, bias, activation: 'none' }], guards: [] };
});

/** Returns its input unchanged (arguments are accepted and ignored, as in PyTorch). */
export class Identity extends Module {
  constructor(...args: unknown[]) { // eslint-disable-line @typescript-eslint/no-unused-vars
    super();
  }

  forward(input: Tensor): Tensor {
    return input;
  }
}

describeForward(Identity, () => ({ steps: [], guards: [] }));
