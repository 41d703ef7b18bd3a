// The addon is context-aware: it loads and runs in many worker_threads at once, and terminating
// them leaves no threads behind (8 workers × 3 rounds, as the serving issue asks).
import * as fs from 'fs';
import { Worker } from 'worker_threads';
import * as tn from '../../lib/index';
import { compiledPackage } from '../helpers/compiled';


function threadCount(): number {
  const m = /Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : -1;
}

const workerCode = `
  const { parentPort, workerData } = require('worker_threads');
  const tn = require(workerData.pkg + '/lib/index.js');
  tn.manualSeed(workerData.seed);
  const a = tn.rand(64, 32), b = tn.rand(32, 16);
  const y = a.matmul(b).sigmoid().sum();
  parentPort.postMessage({ seed: workerData.seed, value: y.item(), device: tn.device });
`;

function expected(seed: number): number {
  tn.manualSeed(seed);
  const a = tn.rand(64, 32), b = tn.rand(32, 16);
  return a.matmul(b).sigmoid().sum().item();
}

test('8 workers × 3 rounds load the addon, compute, and terminate cleanly', async () => {
  const pkg = compiledPackage();
  const before = threadCount();
  for (let round = 0; round < 3; ++round) {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const w = new Worker(workerCode, { eval: true, workerData: { pkg, seed: round * 8 + i } });
        return new Promise<{ seed: number; value: number }>((resolve, reject) => {
          w.once('message', (m) => {
            void w.terminate().then(() => resolve(m));
          });
          w.once('error', reject);
        });
      }),
    );
    for (const r of results) expect(r.value).toBeCloseTo(expected(r.seed), 3);
  }
  // Worker threads (and their libuv/V8 helpers) are gone; allow OpenMP's pool to persist.
  await new Promise((r) => setTimeout(r, 200));
  expect(threadCount()).toBeLessThanOrEqual(before + 4);
}, 120000);
