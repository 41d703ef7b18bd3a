/**
 * tn.optim: optimizers with PyTorch's update rules and defaults, and learning-rate schedulers.
 * @example
 *   const opt = new tn.optim.Adam(model.parameters(), { lr: 1e-3 });
 *   const sched = new tn.optim.lrScheduler.StepLR(opt, { stepSize: 10, gamma: 0.5 });
 */
import * as lrScheduler from './lr_scheduler';

export { Optimizer } from './optimizer';
export type { ParamGroup, ParamGroupInput, ParamState, Params, OptimizerStateDict } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam, AdamW } from './adam';
export type { AdamOptions } from './adam';
export { LRScheduler, StepLR } from './lr_scheduler';
export type { StepLROptions, LRSchedulerStateDict } from './lr_scheduler';
/** PyTorch's `torch.optim.lr_scheduler` namespace. */
export { lrScheduler };
