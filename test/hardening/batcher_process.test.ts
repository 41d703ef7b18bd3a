// tn.serve.batcher with misbehaving models, in a child process (the failure mode is the process
// dying: an exception thrown from the batch timer or an unhandled rejection ends Node with exit 1,
// and a request that never settles hangs its HTTP client). Every request must settle exactly
// once, with the model's error or a clear one, and the process must exit 0.
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');

test('no model behaviour kills the process or leaves a request unsettled', () => {
  const child = path.join(__dirname, 'children', 'batcher_models.ts');
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `require(${JSON.stringify(child)}).main()`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TENSORNODE_DEVICE: 'cpu' },
    timeout: 120000,
  });
  expect(r.stderr).not.toMatch(/Uncaught|Unhandled|UnhandledPromiseRejection/);
  expect(r.status).toBe(0);
  const got = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string[]>;
  const want = (reason: string): string[] => [reason, reason, reason];
  const expected: Record<string, string[]> = {};
  for (const p of ['timer', 'full']) {
    expected[`throws synchronously / ${p}`] = want('Error: sync boom');
    expected[`rejects / ${p}`] = want('Error: async boom');
    expected[`resolves with undefined / ${p}`] = want("TypeError: batcher: the model's forwardAsync resolved with undefined; expected a Tensor with one row per input row");
    expected[`resolves with a string / ${p}`] = want("TypeError: batcher: the model's forwardAsync resolved with \"nope\" of type string; expected a Tensor with one row per input row");
    expected[`resolves with too few rows / ${p}`] = want('RangeError: batcher: model returned shape [1, 3] for a batch of 3 rows');
    expected[`hangs (timeoutMs 50) / ${p}`] = want("BatchTimeoutError: batcher: the model's forwardAsync did not settle within timeoutMs=50 ms (a batch of 3 rows)");
  }
  expect(got).toEqual(expected);
}, 130000);
