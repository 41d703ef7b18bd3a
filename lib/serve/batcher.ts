/**
 * Micro-batching for servers: concurrent `infer(x)` calls whose inputs have the same feature
 * shape are stacked into one batch, run with one `forwardAsync`, and split back, so a Node server
 * gets batch throughput without changing its request handlers.
 *
 *   const infer = tn.serve.batcher(model, { maxBatchSize: 64, maxDelayMs: 2, maxQueue: 1024, timeoutMs: 30000 });
 *   const y = await infer(tn.tensor([5.1, 3.5, 1.4, 0.2]));   // one row in, one row out
 *
 * Every call settles exactly once, whatever the model does: a forwardAsync that throws, rejects,
 * resolves with something other than a Tensor of one row per input row, or (with timeoutMs)
 * never settles rejects the requests of its batch and nothing else; no error escapes to the
 * process (an uncaught exception from the batch timer would end a server).
 */
import { describe, rangeError, shapeStr, typeError } from '../errors';
import { checkOptions } from '../options';
import { Tensor } from '../tensor';
import { cat } from '../ops/views';

export interface BatchModel {
  forwardAsync(x: Tensor): Promise<Tensor>;
}

export interface BatcherOptions {
  /** Most rows run in one forward (default 64). */
  maxBatchSize?: number;
  /** How long the first queued request waits for company (default 2 ms). */
  maxDelayMs?: number;
  /** Most requests waiting; further calls reject at once (default 1024). */
  maxQueue?: number;
  /** Feature shape every row must have (e.g. [4]); requests that differ are rejected alone. */
  inputShape?: number[];
  /**
   * Longest a batch's forwardAsync may take before its requests reject with a BatchTimeoutError
   * (default: no limit). The forward itself cannot be cancelled: its late result is dropped.
   */
  timeoutMs?: number;
}

const OPTION_NAMES = ['maxBatchSize', 'maxDelayMs', 'maxQueue', 'inputShape', 'timeoutMs'];

export class QueueFullError extends Error {
  readonly code = 'EQUEUEFULL';
  constructor(maxQueue: number) {
    super(`batcher: queue is full (maxQueue=${maxQueue}); retry later`);
    this.name = 'QueueFullError';
  }
}

export class BatchTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number, rows: number) {
    super(`batcher: the model's forwardAsync did not settle within timeoutMs=${timeoutMs} ms (a batch of ${rows} rows)`);
    this.name = 'BatchTimeoutError';
  }
}

/** One queued call: its input as a batch, and how to answer it (once). */
interface Pending {
  x: Tensor;       // [rows, ...features]
  rows: number;
  single: boolean; // the caller passed one row without the batch dim
  resolve: (t: Tensor) => void;
  reject: (e: unknown) => void;
}

interface Settings {
  maxBatchSize: number;
  maxDelayMs: number;
  maxQueue: number;
  features: number[] | undefined;
  timeoutMs: number | undefined;
}

function positiveInt(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw typeError('batcher', 'a positive integer', name, v);
  if (!Number.isInteger(v) || v < 1) throw rangeError('batcher', 'a positive integer', name, v);
  return v;
}

function nonNegative(name: string, v: unknown, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw typeError('batcher', 'a non-negative number', name, v);
  if (!(v >= 0)) throw rangeError('batcher', 'a non-negative number', name, v);
  return v;
}

function readSettings(options: unknown): Settings {
  const o = checkOptions('batcher', options, OPTION_NAMES);
  const shape = o.inputShape;
  if (shape !== undefined && (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)))
    throw typeError('batcher', 'an array of non-negative integers', 'inputShape', shape);
  const timeoutMs = nonNegative('timeoutMs', o.timeoutMs, undefined);
  return {
    maxBatchSize: positiveInt('maxBatchSize', o.maxBatchSize, 64),
    maxQueue: positiveInt('maxQueue', o.maxQueue, 1024),
    maxDelayMs: nonNegative('maxDelayMs', o.maxDelayMs, 2)!,
    features: (shape as number[] | undefined)?.slice(),
    timeoutMs: timeoutMs === Infinity ? undefined : timeoutMs,
  };
}

/** Wraps resolve/reject so a request settles once, even if a late or repeated answer arrives. */
function settleOnce(resolve: (t: Tensor) => void, reject: (e: unknown) => void): Pick<Pending, 'resolve' | 'reject'> {
  let settled = false;
  return {
    resolve: (t) => {
      if (!settled) (settled = true), resolve(t);
    },
    reject: (e) => {
      if (!settled) (settled = true), reject(e);
    },
  };
}

function rejectAll(group: readonly Pending[], e: unknown): void {
  for (const p of group) p.reject(e);
}

/** Checks an infer() input; returns it as a batch [rows, ...features], or the error to reject with. */
function asBatch(x: unknown, features: number[] | undefined): { input: Tensor; single: boolean } | Error {
  if (!(x instanceof Tensor)) return typeError('infer', 'a Tensor', 'input', x);
  let single: boolean;
  if (features) {
    const isRow = x.ndim === features.length && x.shape.every((s, i) => s === features[i]);
    const isBatch = x.ndim === features.length + 1 && x.shape.slice(1).every((s, i) => s === features[i]);
    if (!isRow && !isBatch) return new RangeError(`infer: expected input of shape ${shapeStr(features)} or [n, ${features.join(', ')}] but received ${shapeStr(x.shape)}`);
    single = isRow;
  } else single = x.ndim <= 1;
  const input = single ? x.unsqueeze(0) : x;
  if (input.shape[0] === 0) return new RangeError('infer: empty batch');
  return { input, single };
}

/** Takes requests from the front of queue while their rows fit in one batch (at least one). */
function takeBatch(queue: Pending[], maxBatchSize: number): Pending[] {
  const group: Pending[] = [];
  let rows = 0;
  while (queue.length && (group.length === 0 || rows + queue[0].rows <= maxBatchSize)) {
    const p = queue.shift()!;
    group.push(p);
    rows += p.rows;
  }
  return group;
}

/** Rejects requests whose input was disposed while they waited; the rest of the batch runs. */
function dropDisposed(group: Pending[]): Pending[] {
  return group.filter((p) => {
    if (!p.x.isDisposed) return true;
    p.reject(new Error('infer: the input was disposed before its batch ran'));
    return false;
  });
}

/** Checks what the model answered and hands each request its rows, in order. */
function deliver(out: unknown, group: readonly Pending[], rows: number): void {
  if (!(out instanceof Tensor))
    return rejectAll(group, new TypeError(`batcher: the model's forwardAsync resolved with ${describe(out)}; expected a Tensor with one row per input row`));
  if (out.isDisposed) return rejectAll(group, new Error('batcher: the model returned a disposed tensor'));
  if (out.ndim === 0 || out.shape[0] !== rows)
    return rejectAll(group, new RangeError(`batcher: model returned shape ${shapeStr(out.shape)} for a batch of ${rows} rows`));
  let at = 0;
  for (const p of group) {
    try {
      const part = out.narrow(0, at, p.rows).contiguous();
      p.resolve(p.single ? part.squeeze(0) : part);
    } catch (e) {
      p.reject(e);
    }
    at += p.rows;
  }
}

/** Starts the model on one batch; every outcome, even a synchronous throw, settles the group. */
function runBatch(model: BatchModel, group: Pending[], timeoutMs: number | undefined): void {
  const rows = group.reduce((n, p) => n + p.rows, 0);
  let result: Promise<unknown>;
  try {
    const batch = group.length === 1 ? group[0].x : cat(group.map((p) => p.x), 0);
    result = Promise.resolve(model.forwardAsync(batch));
  } catch (e) {
    return rejectAll(group, e);
  }
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs !== undefined) timer = setTimeout(() => rejectAll(group, new BatchTimeoutError(timeoutMs, rows)), timeoutMs);
  result
    .then((out) => deliver(out, group, rows), (e: unknown) => rejectAll(group, e))
    .catch((e: unknown) => rejectAll(group, e))
    .finally(() => clearTimeout(timer));
}

/**
 * Returns `infer(x)`: x is one row (the model's feature shape) or a batch [n, ...features].
 * Results equal calling the model on each input alone.
 */
export function batcher(model: BatchModel, options: BatcherOptions = {}): (x: Tensor) => Promise<Tensor> {
  if (!model || typeof (model as BatchModel).forwardAsync !== 'function')
    throw typeError('batcher', 'a model with forwardAsync(x)', 'model', model);
  const settings = readSettings(options);
  // One queue per feature shape, dtype and device, so only compatible inputs share a batch.
  const queues = new Map<string, Pending[]>();
  let waiting = 0;
  let timer: NodeJS.Timeout | null = null;

  const flush = (key: string): void => {
    const queue = queues.get(key);
    while (queue && queue.length) {
      const group = takeBatch(queue, settings.maxBatchSize);
      waiting -= group.length;
      const live = dropDisposed(group);
      if (live.length) runBatch(model, live, settings.timeoutMs);
    }
    queues.delete(key);
    if (queues.size === 0 && timer) (clearTimeout(timer), (timer = null));  // nothing left to wait for
  };

  const flushAll = (): void => {
    timer = null;
    for (const key of [...queues.keys()]) flush(key);
  };

  const enqueue = (key: string, p: Pending): void => {
    const queue = queues.get(key) ?? [];
    queues.set(key, queue);
    queue.push(p);
    waiting += 1;
    if (queue.reduce((n, q) => n + q.rows, 0) >= settings.maxBatchSize) flush(key);
    else if (!timer) timer = setTimeout(flushAll, settings.maxDelayMs);
  };

  return function infer(x: Tensor): Promise<Tensor> {
    const checked = asBatch(x, settings.features);
    if (checked instanceof Error) return Promise.reject(checked);
    if (waiting >= settings.maxQueue) return Promise.reject(new QueueFullError(settings.maxQueue));
    const { input, single } = checked;
    const key = shapeStr(input.shape.slice(1)) + input.dtype + input.device;
    return new Promise<Tensor>((resolve, reject) => {
      enqueue(key, { x: input, rows: input.shape[0], single, ...settleOnce(resolve, reject) });
    });
  };
}
