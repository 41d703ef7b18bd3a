/**
 * Child-process body for test/hardening/batcher_process.test.ts (not a test file): drives
 * tn.serve.batcher with models that misbehave in every way a model can, through the timer path
 * and the batch-full path, with no uncaughtException / unhandledRejection handler installed, so
 * an error escaping the batcher ends this process with exit 1. Prints one JSON line: for each
 * case, how each request settled ('hang' when it did not settle within 2 s).
 */
import * as tn from '../../../lib/index';

type Model = { forwardAsync(x: tn.Tensor): Promise<tn.Tensor> };

const models: Record<string, () => Model> = {
  'throws synchronously': () => ({ forwardAsync: () => { throw new Error('sync boom'); } }),
  'rejects': () => ({ forwardAsync: () => Promise.reject(new Error('async boom')) }),
  'resolves with undefined': () => ({ forwardAsync: async () => undefined as never }),
  'resolves with a string': () => ({ forwardAsync: async () => 'nope' as never }),
  'resolves with too few rows': () => ({ forwardAsync: async () => tn.ones(1, 3) }),
  'hangs (timeoutMs 50)': () => ({ forwardAsync: () => new Promise<tn.Tensor>(() => undefined) }),
};

function settle(p: Promise<unknown>): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('hang'), 2000);
    p.then(
      () => (clearTimeout(timer), resolve('fulfilled')),
      (e: Error) => (clearTimeout(timer), resolve(`${e.name}: ${e.message}`)),
    );
  });
}

export async function main(): Promise<void> {
  const out: Record<string, string[]> = {};
  for (const [name, make] of Object.entries(models)) {
    for (const path of ['timer', 'full'] as const) {
      // 'full': the third request fills the batch and runs it inside infer(); 'timer': maxDelayMs runs it.
      const infer = tn.serve.batcher(make(), { maxBatchSize: path === 'full' ? 3 : 64, maxDelayMs: path === 'full' ? 60000 : 1, timeoutMs: 50 });
      const calls = [0, 1, 2].map(() => infer(tn.rand(4)));
      out[`${name} / ${path}`] = await Promise.all(calls.map(settle));
    }
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
