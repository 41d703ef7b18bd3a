/**
 * tn.serve: serving helpers.
 * @example const infer = tn.serve.batcher(model, { maxBatchSize: 64, maxDelayMs: 2 });
 */
export { batcher, QueueFullError } from './batcher';
export type { BatcherOptions, BatchModel } from './batcher';
export { compilePlan, CompiledPlan } from './plan';
