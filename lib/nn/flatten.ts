/** nn.Flatten: flattens dims startDim..endDim (default: all but the batch dim). */
import { typeError } from '../errors';
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';

export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  /**
   * @example new nn.Flatten().forward(tn.zeros(2, 3, 4)).shape  // [2, 12]
   */
  constructor(startDim = 1, endDim = -1) {
    super();
    for (const [name, v] of [['startDim', startDim], ['endDim', endDim]] as const)
      if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError('Flatten', 'an integer', name, v);
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(input: Tensor): Tensor {
    return F.flatten(input, this.startDim, this.endDim);
  }

  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
