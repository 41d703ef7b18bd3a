/**
 * Activation layers (torch/nn/modules/activation.py): Sigmoid, ReLU, Tanh, Softmax, LogSoftmax.
 * They print like PyTorch's: `Sigmoid()`, `ReLU(inplace=True)` (only when set), `Softmax(dim=1)`.
 */
import { typeError } from '../errors';
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { describeForward } from './program';
import { pyBool } from './repr';

/** 1 / (1 + exp(-x)) elementwise. */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** tanh(x) elementwise. */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** max(x, 0) elementwise. `inplace` only changes the printout: the result is a new tensor. */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(options: { inplace?: boolean } = {}) {
    super();
    const inplace = checkOptions('ReLU', options, ['inplace']).inplace ?? false;
    if (typeof inplace !== 'boolean') throw typeError('ReLU', 'a boolean', 'inplace', inplace);
    this.inplace = inplace;
  }

  forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }

  extraRepr(): string {
    return this.inplace ? `inplace=${pyBool(true)}` : '';
  }
}

function checkDim(op: string, dim: unknown): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw typeError(op, 'an integer', 'dim', dim);
  return dim;
}

/** softmax along dim. */
export class Softmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim('Softmax', dim);
  }

  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }

  extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log-softmax along dim. */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = checkDim('LogSoftmax', dim);
  }

  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }

  extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

describeForward(Sigmoid, (m) => ({ steps: [{ kind: 'activation', module: m, activation: 'sigmoid' }], guards: [] }));
describeForward(Tanh, (m) => ({ steps: [{ kind: 'activation', module: m, activation: 'tanh' }], guards: [] }));
describeForward(ReLU, (m) => ({ steps: [{ kind: 'activation', module: m, activation: 'relu' }], guards: [] }));
describeForward(Softmax, (m) => {
  const dim = (m as Softmax).dim;
  return { steps: [{ kind: 'softmax', module: m, dim }], guards: [[m, 'dim', dim]] };
});
describeForward(LogSoftmax, (m) => {
  const dim = (m as LogSoftmax).dim;
  return { steps: [{ kind: 'logSoftmax', module: m, dim }], guards: [[m, 'dim', dim]] };
});
