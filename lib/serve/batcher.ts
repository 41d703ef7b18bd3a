/**
 * Micro-batching for servers: concurrent `infer(x)` calls whose inputs have the same feature
 * shape are stacked into one batch, run with one `forwardAsync`, and split back, so a Node server
 * gets batch throughput without changing its request handlers.
 *
 *   const infer = tn.serve.batcher(model, { maxBatchSize: 64, maxDelayMs: 2, maxQueue: 1024 });
 *   const y = await infer(tn.tensor([5.1, 3.5, 1.4, 0.2]));   // one row in, one row out
 */
import { rangeError, shapeStr, typeError } from '../errors';
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
}

export class QueueFullError extends Error {
  readonly code = 'EQUEUEFULL';
  constructor(maxQueue: number) {
    super(`batcher: queue is full (maxQueue=${maxQueue}); retry later`);
    this.name = 'QueueFullError';
  }
}

interface Pending {
  x: Tensor;       // [rows, ...features]
  rows: number;
  single: boolean; // the caller passed one row without the batch dim
  resolve: (t: Tensor) => void;
  reject: (e: unknown) => void;
}

function positiveInt(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw typeError('batcher', 'a positive integer', name, v);
  if (!Number.isInteger(v) || v < 1) throw rangeError('batcher', 'a positive integer', name, v);
  return v;
}

/** Splits batch output rows back to the requests, in order. */
function split(out: Tensor, group: Pending[]): void {
  let at = 0;
  for (const p of group) {
    const part = out.narrow(0, at, p.rows).contiguous();
    at += p.rows;
    p.resolve(p.single ? part.squeeze(0) : part);
  }
}

/**
 * Returns `infer(x)`: x is one row (the model's feature shape) or a batch [n, ...features].
 * Results equal calling the model on each input alone.
 */
export function batcher(model: BatchModel, options: BatcherOptions = {}): (x: Tensor) => Promise<Tensor> {
  if (!model || typeof (model as BatchModel).forwardAsync !== 'function')
    throw typeError('batcher', 'a model with forwardAsync(x)', 'model', model);
  const maxBatchSize = positiveInt('maxBatchSize', options.maxBatchSize, 64);
  const maxQueue = positiveInt('maxQueue', options.maxQueue, 1024);
  const maxDelayMs = options.maxDelayMs ?? 2;
  if (typeof maxDelayMs !== 'number' || !(maxDelayMs >= 0)) throw rangeError('batcher', 'a non-negative number', 'maxDelayMs', maxDelayMs);
  const features = options.inputShape?.slice();

  // One queue per feature shape, so only compatible inputs share a batch.
  const queues = new Map<string, Pending[]>();
  let waiting = 0;
  let timer: NodeJS.Timeout | null = null;

  const flush = (key: string): void => {
    const queue = queues.get(key);
    if (!queue || queue.length === 0) return;
    const group: Pending[] = [];
    let rows = 0;
    while (queue.length && (group.length === 0 || rows + queue[0].rows <= maxBatchSize)) {
      const p = queue.shift()!;
      group.push(p);
      rows += p.rows;
    }
    if (queue.length === 0) queues.delete(key);
    waiting -= group.length;
    // A caller that disposed its input while it waited fails alone (it used to make cat()
    // throw, rejecting every request batched with it).
    for (let i = group.length - 1; i >= 0; --i) {
      const p = group[i];
      if (!p.x.isDisposed) continue;
      p.reject(new Error('infer: the input was disposed before its batch ran'));
      group.splice(i, 1);
      rows -= p.rows;
    }
    if (group.length === 0) {
      if (queue.length) flush(key);
      return;
    }
    let batch: Tensor;
    try {
      batch = group.length === 1 ? group[0].x : cat(group.map((p) => p.x), 0);
    } catch (e) {
      for (const p of group) p.reject(e);
      return;
    }
    model.forwardAsync(batch).then(
      (out) => {
        if (out.ndim === 0 || out.shape[0] !== rows) {
          const e = new Error(`batcher: model returned shape ${shapeStr(out.shape)} for a batch of ${rows} rows`);
          for (const p of group) p.reject(e);
        } else split(out, group);
      },
      (e) => {
        for (const p of group) p.reject(e);
      },
    );
    if (queue.length) flush(key);
  };

  const flushAll = (): void => {
    timer = null;
    for (const key of [...queues.keys()]) flush(key);
  };

  return function infer(x: Tensor): Promise<Tensor> {
    if (!(x instanceof Tensor)) return Promise.reject(typeError('infer', 'a Tensor', 'input', x));
    if (waiting >= maxQueue) return Promise.reject(new QueueFullError(maxQueue));
    let single = false;
    let input = x;
    if (features) {
      const isRow = x.ndim === features.length && x.shape.every((s, i) => s === features[i]);
      const isBatch = x.ndim === features.length + 1 && x.shape.slice(1).every((s, i) => s === features[i]);
      if (!isRow && !isBatch)
        return Promise.reject(new RangeError(`infer: expected input of shape ${shapeStr(features)} or [n, ${features.join(', ')}] but received ${shapeStr(x.shape)}`));
      single = isRow;
    } else single = x.ndim <= 1;
    if (single) input = x.unsqueeze(0);
    const rows = input.shape[0];
    if (rows === 0) return Promise.reject(new RangeError('infer: empty batch'));
    const key = shapeStr(input.shape.slice(1)) + input.dtype + input.device;
    return new Promise<Tensor>((resolve, reject) => {
      const queue = queues.get(key) ?? [];
      queues.set(key, queue);
      queue.push({ x: input, rows, single, resolve, reject });
      waiting += 1;
      const queuedRows = queue.reduce((n, p) => n + p.rows, 0);
      if (queuedRows >= maxBatchSize) flush(key);
      else if (!timer) timer = setTimeout(flushAll, maxDelayMs);
    });
  };
}
