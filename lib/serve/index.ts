/**
 * tn.serve: serving helpers.
 * @example const infer = tn.serve.batcher(model, { maxBatchSize: 64, maxDelayMs: 2 });
 */
export { batcher, BatchTimeoutError, QueueFullError } from './batcher';
export type { BatcherOptions, BatchModel } from './batcher';
