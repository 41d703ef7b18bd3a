/**
 * Loss modules (torch/nn/modules/loss.py): nn.Module wrappers around the functional losses with
 * `{ reduction }` (default 'mean') and, where PyTorch has them, class weights registered as
 * buffers (`weight`, `pos_weight`: moved by to(), saved in stateDict under PyTorch's names).
 * They print as PyTorch's do: `CrossEntropyLoss()`.
 */
import { Module } from '../nn/module';
import { Tensor } from '../tensor';
import { type BCEOptions, type BCEWithLogitsOptions, binaryCrossEntropy, binaryCrossEntropyWithLogits } from './binary';
import { type NLLOptions, type Reduction, type ReductionOptions, checkOptions, checkReduction, crossEntropy, mseLoss, nllLoss } from './functional';
import { typeError } from '../errors';

function bufferOption(op: string, name: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) throw typeError(op, 'a Tensor', name, v);
  return v;
}

/** The base of the loss modules: holds the reduction. */
export abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(options: ReductionOptions | undefined, allowed: readonly string[]) {
    super();
    const o = checkOptions(this.constructor.name, options, allowed);
    this.reduction = checkReduction(this.constructor.name, o.reduction);
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;

  protected buffer(name: string): Tensor | null {
    return this._buffers.get(name) ?? null;
  }
}

/**
 * Mean squared error.
 * @example const loss = new nn.MSELoss()(pred, target) — in TS: new MSELoss().forward(pred, target)
 */
export class MSELoss extends Loss {
  constructor(options?: ReductionOptions) {
    super(options, ['reduction']);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** NLL of class indices under log-probabilities (pair with LogSoftmax). */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  constructor(options: NLLOptions = {}) {
    super(options, ['reduction', 'weight', 'ignoreIndex']);
    this.registerBuffer('weight', bufferOption('NLLLoss', 'weight', options.weight));
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { reduction: this.reduction, weight: this.buffer('weight'), ignoreIndex: this.ignoreIndex });
  }
}

/**
 * Cross entropy on logits: int32 class indices or class probabilities as the target.
 * @example const criterion = new nn.CrossEntropyLoss();
 *   const loss = criterion.forward(model.forward(x), y);  // y: int32 [N]
 */
export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  constructor(options: NLLOptions = {}) {
    super(options, ['reduction', 'weight', 'ignoreIndex']);
    this.registerBuffer('weight', bufferOption('CrossEntropyLoss', 'weight', options.weight));
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, weight: this.buffer('weight'), ignoreIndex: this.ignoreIndex });
  }
}

/** Binary cross entropy on probabilities (pair with Sigmoid). */
export class BCELoss extends Loss {
  constructor(options: BCEOptions = {}) {
    super(options, ['reduction', 'weight']);
    this.registerBuffer('weight', bufferOption('BCELoss', 'weight', options.weight));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { reduction: this.reduction, weight: this.buffer('weight') });
  }
}

/** Sigmoid + binary cross entropy in one stable formula, on logits. */
export class BCEWithLogitsLoss extends Loss {
  constructor(options: BCEWithLogitsOptions = {}) {
    super(options, ['reduction', 'weight', 'posWeight']);
    this.registerBuffer('weight', bufferOption('BCEWithLogitsLoss', 'weight', options.weight));
    this.registerBuffer('pos_weight', bufferOption('BCEWithLogitsLoss', 'posWeight', options.posWeight));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction, weight: this.buffer('weight'), posWeight: this.buffer('pos_weight') });
  }
}
