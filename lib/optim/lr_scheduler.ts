/**
 * Learning-rate schedulers, after torch/optim/lr_scheduler.py. A scheduler writes each group's
 * `lr`; constructing one records `initialLr` in every group (PyTorch's `initial_lr`) and performs
 * the initial step (lastEpoch -1 → 0). Call `scheduler.step()` once per epoch, after
 * `optimizer.step()`.
 */
import { typeError } from '../errors';
import { checkOptions } from '../options';
import { Optimizer } from './optimizer';

/** `scheduler.stateDict()`: everything but the optimizer, like PyTorch's `__dict__` copy. */
export type LRSchedulerStateDict = Record<string, number | number[]>;

export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer<object>;
  /** Each group's `initialLr`. */
  baseLrs: number[];
  /** The number of scheduler steps taken; -1 before the initial step. */
  lastEpoch: number;
  protected lastLr: number[] = [];
  protected stepCount = 0;

  constructor(optimizer: Optimizer<object>, lastEpoch = -1) {
    const op = this.constructor.name;
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${op}: ${(optimizer as object | null)?.constructor?.name ?? typeof optimizer} is not an Optimizer`);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw typeError(op, 'an integer >= -1', 'lastEpoch', lastEpoch);
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const group of optimizer.paramGroups) if (group.initialLr === undefined) group.initialLr = group.lr;
    } else {
      optimizer.paramGroups.forEach((group, i) => {
        if (group.initialLr === undefined)
          throw new RangeError(`${op}: param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The learning rates for the current lastEpoch, computed from the groups' current `lr`. */
  protected abstract getLr(): number[];

  /** Subclasses call this at the end of their constructor (PyTorch's `_initial_step`). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and writes the new learning rate into every group. */
  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    const values = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr as number);
  }

  /** The learning rates the last step() set, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): LRSchedulerStateDict {
    const out: LRSchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer') continue;
      out[k] = Array.isArray(v) ? v.slice() : v;
    }
    return out;
  }

  loadStateDict(sd: LRSchedulerStateDict): void {
    if (sd === null || typeof sd !== 'object') throw typeError(`${this.constructor.name}.loadStateDict`, 'an object', 'stateDict', sd);
    for (const [k, v] of Object.entries(sd)) {
      if (k === 'optimizer' || !(k in this)) continue;
      (this as Record<string, unknown>)[k] = Array.isArray(v) ? v.slice() : v;
    }
  }
}

export interface StepLROptions {
  /** Period of learning-rate decay, in epochs. */
  stepSize: number;
  /** Multiplicative factor of decay (default 0.1). */
  gamma?: number;
  /** The index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies every group's learning rate by gamma every stepSize epochs.
 * @example const sched = new tn.optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 *   for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 *   // lr = 0.05 for epochs 0-29, 0.005 for 30-59, 0.0005 for 60-89, ...
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer<object>, options: StepLROptions) {
    if (options === undefined) throw typeError('StepLR', 'an options object with stepSize', 'options', options);
    const { stepSize, gamma = 0.1, lastEpoch = -1 } = checkOptions('StepLR', options, ['stepSize', 'gamma', 'lastEpoch']) as Partial<StepLROptions>;
    if (typeof stepSize !== 'number' || !Number.isInteger(stepSize)) throw typeError('StepLR', 'an integer', 'stepSize', stepSize);
    if (stepSize <= 0) throw new RangeError(`StepLR: expected a positive integer for stepSize but received ${stepSize}`);
    if (typeof gamma !== 'number' || Number.isNaN(gamma)) throw typeError('StepLR', 'a number', 'gamma', gamma);
    super(optimizer, lastEpoch);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr as number);
    return groups.map((g) => (g.lr as number) * this.gamma);
  }
}
