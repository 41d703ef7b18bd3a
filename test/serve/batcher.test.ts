// Micro-batcher semantics with a model whose forward is known exactly: batching, splitting,
// backpressure, and isolation of a bad request.
import * as tn from '../../lib/index';
import { QueueFullError, batcher } from '../../lib/serve/batcher';

function countingModel() {
  const calls: number[][] = [];
  const w = tn.tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float32' });  // [3, 2]: y = x·wᵀ
  return {
    calls,
    async forwardAsync(x: tn.Tensor): Promise<tn.Tensor> {
      calls.push(x.shape.slice());
      await new Promise((r) => setImmediate(r));
      return tn.linear(x, w);
    },
    w,
  };
}

test('concurrent rows are merged into one batch and split back in order', async () => {
  const m = countingModel();
  const infer = batcher(m, { maxBatchSize: 8, maxDelayMs: 5, inputShape: [2] });
  const inputs = [0, 1, 2, 3, 4].map((i) => tn.tensor([i + 0.5, -i], { dtype: 'float32' }));
  const outs = await Promise.all(inputs.map((x) => infer(x)));
  expect(m.calls).toEqual([[5, 2]]);
  outs.forEach((y, i) => {
    expect(y.shape).toEqual([3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(tn.linear(inputs[i], m.w).dataSync()));
  });
});

test('batches never exceed maxBatchSize rows; multi-row requests stay whole', async () => {
  const m = countingModel();
  const infer = batcher(m, { maxBatchSize: 4, maxDelayMs: 1 });
  const a = tn.rand(3, 2);
  const b = tn.rand(2, 2);
  const c = tn.rand(1, 2);
  const [ya, yb, yc] = await Promise.all([infer(a), infer(b), infer(c)]);
  expect(m.calls.every(([rows]) => rows <= 4)).toBe(true);
  expect(ya.shape).toEqual([3, 3]);
  expect(yb.shape).toEqual([2, 3]);
  expect(yc.shape).toEqual([1, 3]);
  expect(Array.from(yb.dataSync())).toEqual(Array.from(tn.linear(b, m.w).dataSync()));
});

test('a full queue rejects at once with a clear error (backpressure)', async () => {
  const m = countingModel();
  const infer = batcher(m, { maxBatchSize: 100, maxDelayMs: 20, maxQueue: 2 });
  const p1 = infer(tn.rand(2));
  const p2 = infer(tn.rand(2));
  await expect(infer(tn.rand(2))).rejects.toThrow(QueueFullError);
  await expect(infer(tn.rand(2))).rejects.toThrow('batcher: queue is full (maxQueue=2); retry later');
  await Promise.all([p1, p2]);
  await expect(infer(tn.rand(2))).resolves.toBeInstanceOf(tn.Tensor);
});

test('a request with the wrong shape is rejected alone; its batch-mates succeed', async () => {
  const m = countingModel();
  const infer = batcher(m, { maxBatchSize: 8, maxDelayMs: 5, inputShape: [2] });
  const good = [infer(tn.rand(2)), infer(tn.rand(2))];
  const bad = infer(tn.rand(3));
  await expect(bad).rejects.toThrow('infer: expected input of shape [2] or [n, 2] but received [3]');
  const ys = await Promise.all(good);
  expect(ys.map((y) => y.shape)).toEqual([[3], [3]]);
  expect(m.calls).toEqual([[2, 2]]);
});

test('without inputShape, inputs of different shapes run in separate batches', async () => {
  const m = countingModel();
  const infer = batcher({ forwardAsync: async (x: tn.Tensor) => x.mul(2) }, { maxDelayMs: 1 });
  const [a, b] = await Promise.all([infer(tn.ones(3)), infer(tn.ones(5))]);
  expect(a.shape).toEqual([3]);
  expect(b.shape).toEqual([5]);
  expect(m.calls).toEqual([]);
});

test('a failing forward rejects every request of its batch', async () => {
  const infer = batcher({ forwardAsync: async () => { throw new Error('boom'); } }, { maxDelayMs: 1 });
  await expect(Promise.all([infer(tn.ones(2)), infer(tn.ones(2))])).rejects.toThrow('boom');
});

test('options are validated', () => {
  const m = countingModel();
  expect(() => batcher(m, { maxBatchSize: 0 })).toThrow(RangeError);
  expect(() => batcher(m, { maxQueue: 1.5 })).toThrow(RangeError);
  expect(() => batcher({} as never)).toThrow(TypeError);
});
