// Concurrency: hundreds of forwardAsync calls and batcher requests in flight at once while the
// garbage collector runs and tensors (inputs, results, throw-away garbage) are collected, on the
// main thread and in worker_threads at the same time. Results must equal a float64 reference
// computed from the weights; ArrayBuffer memory (tn.memory().cpu) must return near its start and RSS level
// off. Under the sanitizer build (`npm run test:sanitize`) this also checks for use-after-free
// in the async paths (runPlanAsync, downloadAsync) and the context-aware addon.
import * as v8 from 'v8';
import * as vm from 'vm';
import { Worker } from 'worker_threads';
import * as tn from '../../lib/index';
import { nn } from '../../lib/index';
import { compiledPackage } from '../helpers/compiled';
import { cases } from './util';
import { rssIsMeaningful } from '../helpers/sanitizer';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const ROUNDS = cases('CONCURRENCY_ROUNDS', 3);

async function collect(): Promise<void> {
  for (let i = 0; i < 4; ++i) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

function model(): nn.Sequential {
  tn.manualSeed(7);
  return new nn.Sequential(new nn.Linear(16, 32), new nn.ReLU(), new nn.Linear(32, 24), new nn.Sigmoid(), new nn.Linear(24, 5)).eval();
}

/** float64 forward from the parameters (independent of plans and kernels). */
function reference(m: nn.Sequential): (x: Float32Array, rows: number) => Float64Array {
  const layers = [0, 2, 4].map((i) => {
    const l = m.at(i) as nn.Linear;
    return { w: Array.from(l.weight.dataSync()), b: Array.from(l.bias!.dataSync()), inF: l.weight.shape[1], outF: l.weight.shape[0] };
  });
  const acts = [(v: number) => Math.max(v, 0), (v: number) => 1 / (1 + Math.exp(-v)), (v: number) => v];
  return (x, rows) => {
    let cur = Float64Array.from(x);
    layers.forEach((L, li) => {
      const next = new Float64Array(rows * L.outF);
      for (let r = 0; r < rows; ++r)
        for (let o = 0; o < L.outF; ++o) {
          let acc = L.b[o];
          for (let i = 0; i < L.inF; ++i) acc += cur[r * L.inF + i] * L.w[o * L.inF + i];
          next[r * L.outF + o] = acts[li](acc);
        }
      cur = next;
    });
    return cur;
  };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; ++i)
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-5 * Math.abs(want[i]))) throw new Error(`${what}: [${i}] = ${got[i]}, expected ${want[i]}`);
}

/** One round: N forwardAsync + M batcher requests in flight together, GC pressure alongside. */
async function round(m: nn.Sequential, ref: ReturnType<typeof reference>, seed: number): Promise<number> {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0), s / 4294967296);
  const infer = tn.serve.batcher(m, { maxBatchSize: 32, maxDelayMs: 1, maxQueue: 4096 });
  const jobs: Promise<void>[] = [];
  let checked = 0;
  for (let i = 0; i < 200; ++i) {
    const rows = 1 + Math.floor(rnd() * 12);
    const values = Float32Array.from({ length: rows * 16 }, () => rnd() * 4 - 2);
    const x = tn.tensor(values, { shape: [rows, 16] });
    const viaBatcher = i % 2 === 1;
    const p = viaBatcher ? infer(rows === 1 ? x.reshape(16) : x) : m.forwardAsync(i % 3 === 0 ? x.t().contiguous().t() : x);
    jobs.push(p.then((y) => {
      expectClose(y.dataSync(), ref(values, rows), `${viaBatcher ? 'batcher' : 'forwardAsync'} request ${i} (${rows} rows)`);
      checked += 1;
    }));
    if (i % 3 === 0 && !viaBatcher) x.dispose();  // the caller lets go of its input at once: the run has its own copy
    // garbage for the collector while requests are in flight
    if (i % 10 === 0) {
      for (let g = 0; g < 20; ++g) tn.rand(8, 8).matmul(tn.rand(8, 8)).sigmoid();
      gc();
    }
    if (i % 25 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(jobs);
  return checked;
}

test(`${ROUNDS + 1} rounds of 200 concurrent forwardAsync/batcher requests under GC: correct, no leak`, async () => {
  const m = model();
  const ref = reference(m);
  expect(await round(m, ref, 1)).toBe(200);  // warm-up: plans compiled, pools and heap grown
  await collect();
  const heldBytes = tn.memory().cpu.bytes;
  const rss: number[] = [];
  for (let r = 0; r < ROUNDS; ++r) {
    expect(await round(m, ref, 100 + r)).toBe(200);
    await collect();
    rss.push(process.memoryUsage().rss);
  }
  // ArrayBuffer memory (tensors are typed arrays) is back near its level after the warm-up.
  expect(tn.memory().cpu.bytes - heldBytes).toBeLessThan(4 << 20);
  // RSS levels off: the last round adds little over the first measured one.
  if (rssIsMeaningful) expect((rss[rss.length - 1] - rss[0]) / rss[0]).toBeLessThan(0.15);
}, 300000);

const workerCode = `
  const { parentPort, workerData } = require('worker_threads');
  const tn = require(workerData.pkg + '/lib/index.js');
  tn.manualSeed(workerData.seed);
  const m = new tn.nn.Sequential(new tn.nn.Linear(16, 32), new tn.nn.ReLU(), new tn.nn.Linear(32, 5)).eval();
  const infer = tn.serve.batcher(m, { maxBatchSize: 16, maxDelayMs: 1 });
  (async () => {
    const xs = Array.from({ length: 120 }, (_, i) => tn.rand(1 + (i % 5), 16));
    const want = xs.map((x) => tn.noGrad(() => m.forward(x)).dataSync());
    const got = await Promise.all(xs.map((x, i) => (i % 2 ? infer(x) : m.forwardAsync(x)).then((y) => y.dataSync())));
    let worst = 0;
    got.forEach((g, i) => g.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - want[i][j])))));
    parentPort.postMessage({ worst, n: got.length, live: tn.memory().cpu.bytes });
  })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

test('worker_threads: 4 workers × 120 concurrent async requests while the main thread runs its own', async () => {
  const pkg = compiledPackage();
  const m = model();
  const ref = reference(m);
  const main = round(m, ref, 999);
  const results = await Promise.all(
    Array.from({ length: 4 }, (_, i) => new Promise<{ worst: number; n: number; error?: string }>((resolve, reject) => {
      const w = new Worker(workerCode, { eval: true, workerData: { pkg, seed: i } });
      w.once('message', (msg) => void w.terminate().then(() => resolve(msg)));
      w.once('error', reject);
    })),
  );
  expect(await main).toBe(200);
  for (const r of results) {
    expect(r.error).toBeUndefined();
    expect(r.n).toBe(120);
    expect(r.worst).toBeLessThan(1e-5);
  }
}, 300000);

test('a worker terminated with requests in flight does not take the process down', async () => {
  const pkg = compiledPackage();
  const code = `
    const { workerData, parentPort } = require('worker_threads');
    const tn = require(workerData.pkg + '/lib/index.js');
    const m = new tn.nn.Sequential(new tn.nn.Linear(64, 256), new tn.nn.Tanh(), new tn.nn.Linear(256, 8)).eval();
    for (let i = 0; i < 64; ++i) m.forwardAsync(tn.rand(256, 64));
    parentPort.postMessage('queued');
  `;
  for (let i = 0; i < 3; ++i) {
    const w = new Worker(code, { eval: true, workerData: { pkg } });
    await new Promise((r) => w.once('message', r));
    await w.terminate();
  }
  // still alive and computing
  expect(tn.ones(2, 2).matmul(tn.ones(2, 2)).sum().item()).toBe(8);
}, 120000);
