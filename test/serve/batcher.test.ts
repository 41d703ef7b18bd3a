// Micro-batcher semantics with a model whose forward is known exactly: batching, splitting,
// backpressure, and isolation of a bad request.
import * as tn from '../../lib/index';
import { BatchTimeoutError, QueueFullError, batcher } from '../../lib/serve/batcher';

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
  expect(() => batcher(m, { timeoutMs: -1 })).toThrow('batcher: expected a non-negative number for timeoutMs but received -1 of type number');
  expect(() => batcher(m, { maxDelayMs: '2' as never })).toThrow(TypeError);
  expect(() => batcher(m, { inputShape: [2.5] })).toThrow('batcher: expected an array of non-negative integers for inputShape');
  expect(() => batcher(m, { maxbatchsize: 8 } as never)).toThrow("batcher: unknown option 'maxbatchsize'; did you mean 'maxBatchSize'?");
  expect(() => batcher({} as never)).toThrow(TypeError);
});

/** Settles every promise or reports which did not settle within ms (a hang is the failure mode). */
async function settleAll(ps: Promise<unknown>[], ms = 2000): Promise<PromiseSettledResult<unknown>[]> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('a request never settled')), ms)));
  try {
    return await Promise.race([Promise.allSettled(ps), hang]);
  } finally {
    clearTimeout(timer);
  }
}

function reasons(rs: PromiseSettledResult<unknown>[]): string[] {
  return rs.map((r) => (r.status === 'rejected' ? `${(r.reason as Error).constructor.name}: ${(r.reason as Error).message}` : 'fulfilled'));
}

const throwsSync = { forwardAsync: (): Promise<tn.Tensor> => { throw new Error('sync boom'); } };

describe('every request settles exactly once, whatever the model does', () => {
  test('forwardAsync throws synchronously (timer path): every request of the batch rejects', async () => {
    const infer = batcher(throwsSync, { maxBatchSize: 8, maxDelayMs: 1 });
    const rs = await settleAll([infer(tn.ones(2)), infer(tn.ones(2)), infer(tn.ones(2))]);
    expect(reasons(rs)).toEqual(new Array(3).fill('Error: sync boom'));
  });

  test('forwardAsync throws synchronously when the batch fills: all callers reject, not just the last', async () => {
    const infer = batcher(throwsSync, { maxBatchSize: 3, maxDelayMs: 1000 });
    const rs = await settleAll([infer(tn.ones(2)), infer(tn.ones(2)), infer(tn.ones(2))]);
    expect(reasons(rs)).toEqual(new Array(3).fill('Error: sync boom'));
  });

  test.each([
    ['undefined', undefined, 'TypeError: batcher: the model\'s forwardAsync resolved with undefined; expected a Tensor with one row per input row'],
    ['null', null, 'resolved with null'],
    ['a number', 3, 'resolved with 3 of type number'],
    ['an array', [[1, 2]], 'resolved with an array of length 1'],
    ['a plain object', { data: [1] }, 'resolved with a value of type Object'],
  ])('forwardAsync resolves with %s: the batch rejects with a TypeError', async (_name, value, message) => {
    const infer = batcher({ forwardAsync: async () => value as never }, { maxDelayMs: 1 });
    const rs = await settleAll([infer(tn.ones(2)), infer(tn.ones(2))]);
    for (const r of reasons(rs)) expect(r).toContain(message);
    expect(reasons(rs)[0]).toMatch(/^TypeError: /);
  });

  test('wrong number of rows, a 0-d result or a disposed result rejects the batch', async () => {
    const cases: [() => tn.Tensor, RegExp][] = [
      [() => tn.ones(3, 3), /^RangeError: batcher: model returned shape \[3, 3\] for a batch of 2 rows$/],
      [() => tn.tensor(1), /^RangeError: batcher: model returned shape \[\] for a batch of 2 rows$/],
      [() => { const t = tn.ones(2, 3); t.dispose(); return t; }, /disposed tensor/],
    ];
    for (const [make, message] of cases) {
      const infer = batcher({ forwardAsync: async () => make() }, { maxDelayMs: 1 });
      const rs = await settleAll([infer(tn.ones(2)), infer(tn.ones(2))]);
      for (const r of reasons(rs)) expect(r).toMatch(message);
    }
  });

  test('a model that rejects with a non-Error value passes it through to every caller', async () => {
    const infer = batcher({ forwardAsync: () => Promise.reject('plain string') }, { maxDelayMs: 1 });
    const rs = await settleAll([infer(tn.ones(2)), infer(tn.ones(2))]);
    expect(rs.map((r) => (r as PromiseRejectedResult).reason)).toEqual(['plain string', 'plain string']);
  });

  test('a forwardAsync that returns a Tensor (not a Promise) works', async () => {
    const infer = batcher({ forwardAsync: ((x: tn.Tensor) => x.mul(2)) as never }, { maxDelayMs: 1 });
    const [a, b] = await Promise.all([infer(tn.ones(2)), infer(tn.full([2], 3))]);
    expect(a.toArray()).toEqual([2, 2]);
    expect(b.toArray()).toEqual([6, 6]);
  });

  test('a hung forward rejects with BatchTimeoutError after timeoutMs; its late answer is dropped', async () => {
    let release: (t: tn.Tensor) => void = () => undefined;
    const model = { forwardAsync: (x: tn.Tensor) => new Promise<tn.Tensor>((r) => (release = () => r(x))) };
    const infer = batcher(model, { maxDelayMs: 1, timeoutMs: 20 });
    const rs = await settleAll([infer(tn.ones(2)), infer(tn.ones(2))]);
    for (const r of rs) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BatchTimeoutError);
      expect((r as PromiseRejectedResult).reason.code).toBe('ETIMEDOUT');
    }
    expect(reasons(rs)[0]).toBe("BatchTimeoutError: batcher: the model's forwardAsync did not settle within timeoutMs=20 ms (a batch of 2 rows)");
    release(tn.ones(2));  // late: nothing left to settle, nothing thrown
    await new Promise((r) => setImmediate(r));
  });

  test('after failed batches the batcher keeps serving and its queue count stays right', async () => {
    let fail = true;
    const model = { forwardAsync: (x: tn.Tensor): Promise<tn.Tensor> => { if (fail) throw new Error('down'); return Promise.resolve(x.add(1)); } };
    const infer = batcher(model, { maxBatchSize: 2, maxDelayMs: 1, maxQueue: 2 });
    for (let i = 0; i < 5; ++i) expect(reasons(await settleAll([infer(tn.ones(2)), infer(tn.ones(2))]))).toEqual(['Error: down', 'Error: down']);
    fail = false;
    const ys = await Promise.all([infer(tn.ones(2)), infer(tn.zeros(2))]);
    expect(ys.map((y) => y.toArray())).toEqual([[2, 2], [1, 1]]);
  });
});
