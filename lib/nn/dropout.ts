/**
 * nn.Dropout: in training mode zeroes each element with probability p (mask from tn.rand on the
 * default generator) and scales the rest by 1/(1-p); in eval mode returns its input.
 */
import { typeError } from '../errors';
import { checkOptions } from '../options';
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { describeForward } from './program';
import { pyBool, pyFloat } from './repr';

export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;

  /**
   * @example const drop = new nn.Dropout(0.2);
   *   drop.eval().forward(x) === x  // true
   */
  constructor(p = 0.5, options: { inplace?: boolean } = {}) {
    super();
    this.p = F.checkDropoutP('Dropout', p);
    const inplace = checkOptions('Dropout', options, ['inplace']).inplace ?? false;
    if (typeof inplace !== 'boolean') throw typeError('Dropout', 'a boolean', 'inplace', inplace);
    this.inplace = inplace;
  }

  forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training, this.inplace);
  }

  extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

// Dropout draws random numbers only in training mode with p > 0; otherwise it returns its input.
describeForward(Dropout, (m) => {
  const p = (m as Dropout).p;
  return m.training && p > 0 ? null : { steps: [], guards: [[m, 'p', p]] };
});
